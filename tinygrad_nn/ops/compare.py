"""Comparisons and logical ops: their results are constants (no gradient flows through)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor, _broadcasting, bool_


def _compare(a: Tensor, other: Any, fn: Callable) -> Tensor:
    if other is None:
        return NotImplemented  # `t == None` is False, as in PyTorch
    return a._const(_broadcasting(fn, a, a._operand(other), fn.__name__))


def eq(a: Tensor, other: Any) -> Tensor:
    """a == b elementwise (a bool tensor)."""
    return _compare(a, other, np.equal)


def ne(a: Tensor, other: Any) -> Tensor:
    """a != b elementwise."""
    return _compare(a, other, np.not_equal)


def lt(a: Tensor, other: Any) -> Tensor:
    """a < b elementwise."""
    return _compare(a, other, np.less)


def le(a: Tensor, other: Any) -> Tensor:
    """a <= b elementwise."""
    return _compare(a, other, np.less_equal)


def gt(a: Tensor, other: Any) -> Tensor:
    """a > b elementwise."""
    return _compare(a, other, np.greater)


def ge(a: Tensor, other: Any) -> Tensor:
    """a >= b elementwise."""
    return _compare(a, other, np.greater_equal)


def invert(a: Tensor) -> Tensor:
    """~a for a bool tensor."""
    if a.dtype != bool_:
        raise TypeError(f"~ needs a bool tensor, got {a.dtype}")
    return a._const(~a._data)


def logical_not(a: Tensor) -> Tensor:
    """True where a is zero (or False), for any dtype."""
    return a._const(np.logical_not(a._data))


def logical_and(a: Tensor, other: Any) -> Tensor:
    """a & b elementwise."""
    return _compare(a, other, np.logical_and)


def logical_or(a: Tensor, other: Any) -> Tensor:
    """a | b elementwise."""
    return _compare(a, other, np.logical_or)


def logical_xor(a: Tensor, other: Any) -> Tensor:
    """a ^ b elementwise, each side read as true where nonzero."""
    return _compare(a, other, np.logical_xor)


def isnan(a: Tensor) -> Tensor:
    """True where a is NaN."""
    return a._const(np.isnan(a._data))


def isinf(a: Tensor) -> Tensor:
    """True where a is +inf or -inf."""
    return a._const(np.isinf(a._data))


def isfinite(a: Tensor) -> Tensor:
    """True where a is neither NaN nor infinite."""
    return a._const(np.isfinite(a._data))


def allclose(a: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether |a - b| <= atol + rtol |b| everywhere (a Python bool, as PyTorch)."""
    b = a._operand(other)
    return bool(np.allclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(a: Tensor, other: Any) -> bool:
    """Whether both have the same shape and the same elements (a Python bool)."""
    b = a._operand(other)
    return a.shape == b.shape and bool((a._data == b._data).all())
