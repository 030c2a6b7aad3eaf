"""Elementwise functions: each output element depends on one input element.

Every rule here is ``g`` times the function's derivative at ``x`` (or written through
its output ``out`` where that is cheaper: ``d e^x = e^x``). Rules run on arrays in a plain
backward and on Tensors under ``create_graph=True`` (see ``ops/dual.py``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import backend
from ..tensor import Tensor, _number
from . import dual

_make = Tensor._make


def _floating(x: Tensor) -> bool:
    return x._data.dtype.kind == "f"


def exp(x: Tensor) -> Tensor:
    """e^x; d e^x = e^x."""
    if not _floating(x):
        return exp(x.float())
    return _make(np.exp(x._data), (x,), "exp", _EXP_RULES)


_EXP_RULES = (lambda g, out, x: g * out,)


def log(x: Tensor) -> Tensor:
    """Natural log; d log x = 1/x."""
    if not _floating(x):
        return log(x.float())
    with np.errstate(divide="ignore", invalid="ignore"):
        data = np.log(x._data)
    return _make(data, (x,), "log", _LOG_RULES)


_LOG_RULES = (lambda g, out, x: g / x,)


def sqrt(x: Tensor) -> Tensor:
    """Square root; d sqrt(x) = 1 / (2 sqrt(x))."""
    if not _floating(x):
        return sqrt(x.float())
    with np.errstate(invalid="ignore"):
        data = np.sqrt(x._data)
    return _make(data, (x,), "sqrt", _SQRT_RULES)


_SQRT_RULES = (lambda g, out, x: g / (out * 2),)


def sin(x: Tensor) -> Tensor:
    """Sine; d sin x = cos x."""
    if not _floating(x):
        return sin(x.float())
    return _make(np.sin(x._data), (x,), "sin", _SIN_RULES)


_SIN_RULES = (lambda g, out, x: g * dual.cos(x),)


def cos(x: Tensor) -> Tensor:
    """Cosine; d cos x = -sin x."""
    if not _floating(x):
        return cos(x.float())
    return _make(np.cos(x._data), (x,), "cos", _COS_RULES)


_COS_RULES = (lambda g, out, x: -g * dual.sin(x),)


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent; d tanh x = 1 - tanh(x)^2."""
    if not _floating(x):
        return tanh(x.float())
    return _make(np.tanh(x._data), (x,), "tanh", _TANH_RULES)


_TANH_RULES = (lambda g, out, x: g * (1 - out * out),)


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x), computed as exp(-log(1 + e^-x)) so it is finite for any input."""
    if not _floating(x):
        return sigmoid(x.float())
    return _make(dual.sigmoid(x._data), (x,), "sigmoid", _SIGMOID_RULES)


_SIGMOID_RULES = (lambda g, out, x: g * out * (1 - out),)  # d sigma = sigma (1 - sigma)


def relu(x: Tensor) -> Tensor:
    """max(x, 0); the gradient is 1 where x > 0 and 0 elsewhere."""
    return _make(np.maximum(x._data, 0), (x,), "relu", _RELU_RULES)


# the mask comes from the input, which the graph keeps anyway (and whose version is
# checked): no extra array per ReLU while the graph lives
_RELU_RULES = (lambda g, out, x: g * dual.constant(g, dual.data(x) > 0),)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    _number("negative_slope", negative_slope)
    slope = np.where(x._data > 0, 1, negative_slope).astype(x.dtype)

    def leaky_relu_rule(g: Any, out: Any, x: Any) -> Any:
        return g * dual.constant(g, slope)

    return _make(x._data * slope, (x,), "leaky_relu", (leaky_relu_rule,))


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, linear where beta x > threshold (as PyTorch)."""
    scaled = x._data * beta
    linear = scaled > threshold
    data = np.where(linear, x._data, np.logaddexp(0, scaled) / beta).astype(x.dtype)

    def softplus_rule(g: Any, out: Any, x: Any) -> Any:
        return g * dual.where(linear, 1.0, dual.sigmoid(x * beta))  # d softplus = sigmoid

    return _make(data, (x,), "softplus", (softplus_rule,))


def erf(x: Tensor) -> Tensor:
    """The error function; d erf(x) = 2/sqrt(pi) e^(-x^2)."""
    if not _floating(x):
        return erf(x.float())
    return _make(backend.erf(x._data), (x,), "erf", _ERF_RULES)


_ERF_RULES = (lambda g, out, x: g * (2 / math.sqrt(math.pi)) * dual.exp(-(x * x)),)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU: x Phi(x) with the exact erf form, or ``approximate="tanh"``."""
    if approximate == "none":
        return 0.5 * x * (1 + (x * (1 / math.sqrt(2))).erf())
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1 + inner.tanh())
    raise ValueError(f"gelu approximate must be 'none' or 'tanh', got {approximate!r}")


def log10(x: Tensor) -> Tensor:
    """Base-10 log; d log10 x = 1 / (x ln 10)."""
    if not _floating(x):
        return log10(x.float())
    with np.errstate(divide="ignore", invalid="ignore"):
        data = np.log10(x._data)
    return _make(data, (x,), "log10", _LOG10_RULES)


_LOG10_RULES = (lambda g, out, x: g / (x * math.log(10)),)


def log2(x: Tensor) -> Tensor:
    """Base-2 log; d log2 x = 1 / (x ln 2)."""
    if not _floating(x):
        return log2(x.float())
    with np.errstate(divide="ignore", invalid="ignore"):
        data = np.log2(x._data)
    return _make(data, (x,), "log2", _LOG2_RULES)


_LOG2_RULES = (lambda g, out, x: g / (x * math.log(2)),)


def log1p(x: Tensor) -> Tensor:
    """log(1 + x), exact for small x; d log1p x = 1 / (1 + x)."""
    if not _floating(x):
        return log1p(x.float())
    with np.errstate(divide="ignore", invalid="ignore"):
        data = np.log1p(x._data)
    return _make(data, (x,), "log1p", _LOG1P_RULES)


_LOG1P_RULES = (lambda g, out, x: g / (x + 1),)


def expm1(x: Tensor) -> Tensor:
    """e^x - 1, exact for small x; d expm1 x = e^x."""
    if not _floating(x):
        return expm1(x.float())
    return _make(np.expm1(x._data), (x,), "expm1", _EXPM1_RULES)


_EXPM1_RULES = (lambda g, out, x: g * dual.exp(x),)


def rsqrt(x: Tensor) -> Tensor:
    """1 / sqrt(x); d x^(-1/2) = -x^(-3/2) / 2."""
    if not _floating(x):
        return rsqrt(x.float())
    with np.errstate(divide="ignore", invalid="ignore"):
        data = 1 / np.sqrt(x._data)
    return _make(data.astype(x.dtype, copy=False), (x,), "rsqrt", _RSQRT_RULES)


_RSQRT_RULES = (lambda g, out, x: g * -0.5 * x ** -1.5,)


def reciprocal(x: Tensor) -> Tensor:
    """1 / x; d (1/x) = -1 / x^2."""
    if not _floating(x):
        return reciprocal(x.float())
    with np.errstate(divide="ignore"):
        data = np.reciprocal(x._data)
    return _make(data, (x,), "reciprocal", _RECIPROCAL_RULES)


_RECIPROCAL_RULES = (lambda g, out, x: -g / (x * x),)


def square(x: Tensor) -> Tensor:
    """x * x (integers stay integers, as PyTorch)."""
    return _make(x._data * x._data, (x,), "square", _SQUARE_RULES)


_SQUARE_RULES = (lambda g, out, x: g * 2 * x,)


# Piecewise-constant functions: their gradient is 0 everywhere it exists (PyTorch's choice)
_ZERO_RULES = (lambda g, out, x: g * 0,)


def sign(x: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of x (gradient 0)."""
    return _make(np.sign(x._data), (x,), "sign", _ZERO_RULES)


def floor(x: Tensor) -> Tensor:
    """The largest integer <= x (gradient 0)."""
    return _make(np.floor(x._data) if _floating(x) else x._data.copy(), (x,), "floor",
                 _ZERO_RULES)


def ceil(x: Tensor) -> Tensor:
    """The smallest integer >= x (gradient 0)."""
    return _make(np.ceil(x._data) if _floating(x) else x._data.copy(), (x,), "ceil",
                 _ZERO_RULES)


def trunc(x: Tensor) -> Tensor:
    """x rounded towards zero (gradient 0)."""
    return _make(np.trunc(x._data) if _floating(x) else x._data.copy(), (x,), "trunc",
                 _ZERO_RULES)


def round(x: Tensor, decimals: int = 0) -> Tensor:  # noqa: A001 - PyTorch's name
    """x rounded half to even, to ``decimals`` places (gradient 0)."""
    if not isinstance(decimals, int | np.integer) or isinstance(decimals, bool):
        raise TypeError(f"round decimals must be an int, got {decimals!r}")
    return _make(np.round(x._data, decimals), (x,), "round", _ZERO_RULES)
