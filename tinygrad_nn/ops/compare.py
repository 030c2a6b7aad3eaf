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


def logical_not(a: Tensor) -> Tensor:
    """~a for a bool tensor."""
    if a.dtype != bool_:
        raise TypeError(f"~ needs a bool tensor, got {a.dtype}")
    return a._const(~a._data)


def logical_and(a: Tensor, other: Any) -> Tensor:
    """a & b elementwise."""
    return _compare(a, other, np.logical_and)


def logical_or(a: Tensor, other: Any) -> Tensor:
    """a | b elementwise."""
    return _compare(a, other, np.logical_or)
