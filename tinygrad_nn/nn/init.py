"""Weight initialisers, PyTorch's ``torch.nn.init``: each fills a tensor's data in place.

They run under ``no_grad``, draw from the generator seeded by ``tg.manual_seed``, and return
the tensor they filled. Anything but a Tensor is a ``TypeError``; as in PyTorch, the xavier and
kaiming initialisers leave a zero-element tensor (``nn.Linear(0, 2).weight``) as it is::

    >>> import tinygrad_nn as tg
    >>> from tinygrad_nn import nn
    >>> w = nn.Parameter(tg.zeros(3, 4))
    >>> _ = nn.init.constant_(w, 0.5)
    >>> float(w.data.sum())
    6.0
"""

from __future__ import annotations

import math

import numpy as np

from tinygrad_nn.autograd import no_grad
from tinygrad_nn.backend import array_module
from tinygrad_nn.random import generator
from tinygrad_nn.tensor import Tensor

__all__ = [
    "calculate_gain",
    "constant_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]


def _check_tensor(tensor: Tensor, fn: str) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init.{fn} fills a Tensor in place, got {type(tensor).__name__}")


def _fill(tensor: Tensor, values: np.ndarray | float) -> Tensor:
    """Write `values` into the tensor's own array (same array, same dtype and device)."""
    with no_grad():
        tensor[...] = array_module(tensor._data).asarray(values, dtype=tensor.dtype)
    return tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity, as PyTorch (relu: √2, tanh: 5/3, linear: 1, ...)."""
    linear_like = (
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "sigmoid",
    )
    if nonlinearity in linear_like:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"negative_slope {slope!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


def _fans(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out): shape[1] and shape[0] times the receptive field (conv kernels)."""
    if tensor.ndim < 2:
        raise ValueError(
            f"fan in and fan out need a tensor of at least 2 dimensions, got shape {tensor.shape}"
        )
    receptive_field = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor)
    return fan_in if mode == "fan_in" else fan_out


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    _check_tensor(tensor, "zeros_")
    return _fill(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    _check_tensor(tensor, "ones_")
    return _fill(tensor, 1.0)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with `val`."""
    _check_tensor(tensor, "constant_")
    return _fill(tensor, val)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with draws from U(a, b)."""
    _check_tensor(tensor, "uniform_")
    return _fill(tensor, generator().uniform(a, b, size=tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with draws from N(mean, std²)."""
    _check_tensor(tensor, "normal_")
    return _fill(tensor, generator().normal(mean, std, size=tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``."""
    _check_tensor(tensor, "xavier_uniform_")
    fan_in, fan_out = _fans(tensor)
    if tensor.numel() == 0:
        return tensor
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot normal: N(0, std²) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    _check_tensor(tensor, "xavier_normal_")
    fan_in, fan_out = _fans(tensor)
    if tensor.numel() == 0:
        return tensor
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He uniform: U(-b, b) with ``b = gain * sqrt(3 / fan)``, gain from `nonlinearity` and `a`.

    ``kaiming_uniform_(w, a=math.sqrt(5))`` is PyTorch's default for Linear and Conv2d weights,
    which works out to U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    """
    _check_tensor(tensor, "kaiming_uniform_")
    fan = _fan(tensor, mode)
    if tensor.numel() == 0:
        return tensor
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He normal: N(0, std²) with ``std = gain / sqrt(fan)``, gain from `nonlinearity` and `a`."""
    _check_tensor(tensor, "kaiming_normal_")
    fan = _fan(tensor, mode)
    if tensor.numel() == 0:
        return tensor
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan))
