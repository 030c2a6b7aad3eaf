"""Element types under PyTorch's names, and the default floating dtype.

A tinygrad_nn dtype is a ``numpy.dtype``: ``tg.float32 == np.float32`` and
``tg.float32.name == "float32"`` (PyTorch prints ``torch.float32``). PyTorch's
short names are aliases of the same objects: ``tg.float is tg.float32``,
``tg.double is tg.float64``, ``tg.long is tg.int64``. ``bfloat16`` is absent:
numpy has no such type.

The default floating dtype is what Python floats become (``tg.tensor([1.0])``)
and what ``zeros``, ``rand``, ``linspace``... make when no ``dtype=`` is given:
float32 until ``tg.set_default_dtype(tg.float64)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
uint8 = np.dtype("uint8")
int8 = np.dtype("int8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")

# PyTorch's short names for the same types (``bool``, ``float`` and ``int`` shadow the
# builtins in this module and in ``tg``, as they do in ``torch``; nothing here calls those)
bool = np.dtype("bool")  # noqa: A001
half = float16
float = float32  # noqa: A001
double = float64
short = int16
int = int32  # noqa: A001
long = int64

_default_float = float32


def default_float_dtype() -> np.dtype:
    """The dtype Python floats and float-making creation functions get (float32 at start)."""
    return _default_float


def get_default_dtype() -> np.dtype:
    """The default floating dtype, as ``torch.get_default_dtype()``."""
    return _default_float


def set_default_dtype(d: Any) -> None:
    """Make ``d`` (a floating dtype: ``tg.float32``, ``tg.float64``...) the default.

    As PyTorch, only floating types are accepted; integer results keep int64.
    """
    global _default_float
    try:
        resolved = np.dtype(d)
    except TypeError as exc:
        raise TypeError(f"set_default_dtype expects a dtype such as tg.float64, got {d!r}") from exc
    if resolved.kind != "f":
        raise TypeError(
            f"set_default_dtype only accepts floating dtypes (tg.float32, tg.float64, "
            f"tg.float16), got {resolved}"
        )
    _default_float = resolved


def finfo(type: Any = None) -> np.finfo:  # noqa: A002 - PyTorch's parameter name
    """Limits of a floating dtype (``eps``, ``max``, ``tiny``...); the default dtype's if none."""
    return np.finfo(_default_float if type is None else type)


def iinfo(type: Any) -> np.iinfo:  # noqa: A002 - PyTorch's parameter name
    """Limits of an integer dtype (``min``, ``max``, ``bits``)."""
    return np.iinfo(type)


def resolve(d: Any) -> np.dtype:
    """``d`` (a tg/numpy dtype, a type such as ``np.float32``, or a name) as a supported dtype."""
    if not isinstance(d, np.dtype | type | str) and hasattr(d, "shape"):
        raise TypeError(f"dtype must be a dtype such as tg.float32, not a {type(d).__name__}")
    try:
        resolved = np.dtype(d)
    except TypeError as exc:
        raise TypeError(f"unknown dtype {d!r}: use tg.float32, tg.float64, tg.int64, ...") from exc
    if resolved.kind not in "fiub":
        raise TypeError(f"unsupported dtype {resolved}: tensors hold floats, integers or bools")
    return resolved
