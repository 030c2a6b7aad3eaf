"""dtype conversion in PyTorch's spelling: ``t.type()`` names the tensor type, as PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor

# PyTorch's legacy tensor type names, by dtype
TYPE_NAMES = {
    np.dtype("float32"): "torch.FloatTensor", np.dtype("float64"): "torch.DoubleTensor",
    np.dtype("float16"): "torch.HalfTensor", np.dtype("int64"): "torch.LongTensor",
    np.dtype("int32"): "torch.IntTensor", np.dtype("int16"): "torch.ShortTensor",
    np.dtype("int8"): "torch.CharTensor", np.dtype("uint8"): "torch.ByteTensor",
    np.dtype("bool"): "torch.BoolTensor",
}  # fmt: skip
_DTYPES = {name: dtype for dtype, name in TYPE_NAMES.items()}


def type_(x: Tensor, dtype: Any = None) -> Any:
    """With no argument, the type's name (``'torch.FloatTensor'``); with a dtype (or such a
    name), the tensor converted to it (differentiable between floating dtypes)."""
    if dtype is None:
        return TYPE_NAMES[x.dtype]
    if isinstance(dtype, str) and dtype.startswith("torch."):
        if dtype not in _DTYPES:
            raise TypeError(f"unknown tensor type {dtype!r}: use one of {sorted(_DTYPES)}")
        dtype = _DTYPES[dtype]
    return x.astype(dtype)
