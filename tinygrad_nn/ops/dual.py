"""One rule, two kinds of values: the few helpers a backward rule needs beyond operators.

A backward rule such as ``d tanh = g * (1 - out * out)`` is written once. In a plain
``backward()`` the engine calls it with arrays (numpy, or CuPy on ``"cuda"``), so it costs
a few array calls and makes no Tensor. Under ``create_graph=True`` it calls the same rule
with Tensors, and the same line records the graph of the gradient (second derivatives).
Operators (``+ - * / ** @``, comparisons) and the methods both kinds share (``reshape``,
``sum(axis=, keepdims=)``, ``astype``, indexing) need nothing; where an ndarray and a
Tensor spell a thing differently, the helpers below choose by the type of their first
argument. Values a rule treats as constants (masks, shares) may be arrays in either case.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from ..tensor import Tensor


def _xp(x: Any) -> Any:
    return np if type(x) is np.ndarray else backend.array_module(x)


def exp(x: Any) -> Any:
    """e^x."""
    return x.exp() if isinstance(x, Tensor) else _xp(x).exp(x)


def log(x: Any) -> Any:
    """Natural log."""
    return x.log() if isinstance(x, Tensor) else _xp(x).log(x)


def sin(x: Any) -> Any:
    """Sine."""
    return x.sin() if isinstance(x, Tensor) else _xp(x).sin(x)


def cos(x: Any) -> Any:
    """Cosine."""
    return x.cos() if isinstance(x, Tensor) else _xp(x).cos(x)


def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x), finite for any input."""
    return x.sigmoid() if isinstance(x, Tensor) else _xp(x).exp(-_xp(x).logaddexp(0, -x))


def softmax(x: Any, axis: Any) -> Any:
    """exp(x) / sum(exp(x)) along ``axis``, shifted by the max."""
    if isinstance(x, Tensor):
        return x.softmax(axis)
    exps = _xp(x).exp(x - x.max(axis=axis, keepdims=True))
    return exps / exps.sum(axis=axis, keepdims=True)


def log_softmax(x: Any, axis: Any) -> Any:
    """x - logsumexp(x) along ``axis``, shifted by the max."""
    if isinstance(x, Tensor):
        return x.log_softmax(axis)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - _xp(x).log(_xp(x).exp(shifted).sum(axis=axis, keepdims=True))


def where(condition: Any, a: Any, b: Any) -> Any:
    """``a`` where ``condition`` holds, else ``b``; a Tensor if ``a`` or ``b`` is one."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        from .arithmetic import where as tensor_where

        return tensor_where(condition, a, b)
    return _xp(condition).where(condition, a, b)


def clamp_min(x: Any, low: float) -> Any:
    """max(x, low) elementwise (the gradient flows where x >= low)."""
    return x.clip(min=low) if isinstance(x, Tensor) else _xp(x).maximum(x, low)


def expand(x: Any, shape: tuple[int, ...]) -> Any:
    """``x`` broadcast to ``shape`` (a read-only view for an array)."""
    return x.expand(shape) if isinstance(x, Tensor) else _xp(x).broadcast_to(x, shape)


def permute(x: Any, axes: tuple[int, ...]) -> Any:
    """The axes of ``x`` reordered."""
    return x.permute(axes) if isinstance(x, Tensor) else x.transpose(axes)


def mT(x: Any) -> Any:  # noqa: N802 - PyTorch's name
    """The last two axes swapped."""
    return x.mT if isinstance(x, Tensor) else x.swapaxes(-1, -2)


def constant(x: Any, value: Any) -> Any:
    """``value`` (an array) as a constant beside ``x``: a no-grad Tensor if ``x`` is one."""
    return x._const(value) if isinstance(x, Tensor) else value


def data(x: Any) -> Any:
    """The array behind ``x`` (``x`` itself if it is one)."""
    return x._data if isinstance(x, Tensor) else x


def to_device(x: Any, device: str) -> Any:
    """``x`` moved to ``device``."""
    return x.to(device) if isinstance(x, Tensor) else backend.to_device(x, device)


def flip(x: Any, axes: tuple[int, ...]) -> Any:
    """``x`` reversed along ``axes``."""
    return x.flip(axes) if isinstance(x, Tensor) else _xp(x).flip(x, axes)


def roll(x: Any, shifts: tuple[int, ...], axes: tuple[int, ...] | None) -> Any:
    """``x`` shifted cyclically by ``shifts`` along ``axes`` (None: the flattened tensor)."""
    return x.roll(shifts, axes) if isinstance(x, Tensor) else _xp(x).roll(x, shifts, axes)


def cumsum(x: Any, axis: int) -> Any:
    """Running sums of ``x`` along ``axis``."""
    return x.cumsum(axis) if isinstance(x, Tensor) else _xp(x).cumsum(x, axis=axis)


def prod(x: Any, axes: tuple[int, ...] | None) -> Any:
    """The product of ``x`` over ``axes`` (None: all), with the reduced axes kept."""
    if isinstance(x, Tensor):
        from .reduce import product

        return product(x, axes, True)
    return _xp(x).prod(x, axis=axes, keepdims=True)


def einsum(equation: str, *operands: Any) -> Any:
    """Einstein summation (a Tensor if any operand is one)."""
    if any(isinstance(x, Tensor) for x in operands):
        from .linalg import einsum as tensor_einsum

        return tensor_einsum(equation, *operands)
    return _xp(operands[0]).einsum(equation, *operands)
