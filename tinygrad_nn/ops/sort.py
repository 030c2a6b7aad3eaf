"""Sorting: ``sort``, ``argsort`` and ``topk``.

The values are the input's elements at the sorting indices along one axis, so their
gradient is scattered back to those places (``index.take_along``); the indices are
constants.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, _one_axis
from . import index as indexing
from .reduce import values_indices


def _order(x: Tensor, axis: int, descending: bool) -> Any:
    """The indices that sort ``x`` along ``axis``; stable, so ties keep their order."""
    data = x._data
    if descending:  # a stable ascending sort of the negated values
        if data.dtype.kind == "b":
            data = ~data
        else:
            data = -(data.astype(np.int64) if data.dtype.kind == "u" else data)
    return np.argsort(data, axis=axis, kind="stable")


def sort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """``(values, indices)``: ``x`` sorted along ``dim`` (ascending unless ``descending``).

    The sort is always stable (PyTorch's ``stable=True``); ``stable`` is accepted for its
    signature.
    """
    if x.ndim == 0:
        _one_axis(dim, 1)
        return values_indices["sort"](indexing.getitem(x, ...), x._const(np.asarray(0)))
    axis = _one_axis(dim, x.ndim)
    order = _order(x, axis, descending)
    values = indexing.take_along(x, order, axis, "sort", unique=True)
    return values_indices["sort"](values, x._const(order))


def argsort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort ``x`` along ``dim`` (not differentiable)."""
    return sort(x, dim, descending, stable).indices


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    """``(values, indices)`` of the ``k`` largest (or smallest) elements along ``dim``.

    They always come in order (largest first for ``largest=True``), which ``sorted=False``
    allows.
    """
    if not isinstance(k, int | np.integer) or isinstance(k, bool):
        raise TypeError(f"topk k must be an int, got {k!r}")
    if x.ndim == 0:
        _one_axis(dim, 1)
        if k not in (0, 1):
            raise ValueError(f"topk k={k} is out of range for a 0-d tensor")
        x1 = x.reshape(1)
        values, indices = topk(x1, k, 0, largest)
        if k:
            values, indices = values.reshape(()), indices.reshape(())
        return values_indices["topk"](values, indices)
    axis = _one_axis(dim, x.ndim)
    if not 0 <= k <= x.shape[axis]:
        raise ValueError(f"topk k={k} is out of range for dimension {axis} of size "
                         f"{x.shape[axis]}")
    order = np.take(_order(x, axis, largest), np.arange(k), axis=axis)
    values = indexing.take_along(x, order, axis, "topk", unique=True)
    return values_indices["topk"](values, x._const(order))
