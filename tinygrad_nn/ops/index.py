"""Indexing: ``t[index]`` with ints, slices, ``None``, ``...``, integer arrays and masks.

The gradient of a pick is a scatter: ``g`` put back at ``index`` of zeros, where repeated
indices add up. The scatter is itself an op (recorded under ``create_graph=True``) whose
gradient is the pick again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from ..tensor import Tensor, _short

_make = Tensor._make


def getitem(x: Tensor, index: Any) -> Tensor:
    """``x[index]``, as numpy indexes (basic and advanced)."""
    index = plain_index(index)
    try:
        data = x._data[index]
    except IndexError as exc:
        raise IndexError(f"index {_short(index)} into a tensor of shape {x.shape}: {exc}") from None
    shape = x.shape

    def getitem_rule(g: Any, out: Any, x: Any) -> Any:
        return scatter(g, shape, index)

    return x._share_version(_make(data, (x,), "getitem", (getitem_rule,)))


def scatter(g: Any, shape: tuple[int, ...], index: Any) -> Any:
    """``g`` put back at ``index`` of zeros of ``shape`` (repeats add up): x[index]'s gradient."""
    values = g._data if isinstance(g, Tensor) else g
    data = backend.array_module(values).zeros(shape, dtype=values.dtype)
    if _is_basic(index):
        data[index] = values
    else:
        backend.scatter_add(data, index, values)
    if not isinstance(g, Tensor):
        return data
    return _make(data, (g,), "scatter", (lambda gg, out, g: gg[index],))


def plain_index(index: Any) -> Any:
    """Replace Tensors and lists inside an index by arrays numpy understands."""
    if isinstance(index, tuple):
        return tuple(plain_index(i) for i in index)
    if isinstance(index, Tensor):
        index = index._data
    elif isinstance(index, list):
        try:
            index = np.asarray(index)
        except ValueError:
            raise IndexError(
                f"ragged index list {_short(index)}: its rows have different lengths"
            ) from None
    if hasattr(index, "dtype") and index.dtype.kind == "f":
        raise TypeError(f"tensors used as indices must be integer or bool, got {index.dtype}")
    return index


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, slice | int | np.integer)
               for i in items)
