"""Indexing: ``t[index]`` with ints, slices, ``None``, ``...``, integer arrays and masks;
``gather``, ``index_select`` and ``masked_fill``.

The gradient of a pick is a scatter: ``g`` put back at ``index`` of zeros, where repeated
indices add up. The scatter is itself an op (recorded under ``create_graph=True``) whose
gradient is the pick again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from ..tensor import Tensor, _one_axis, _short

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


def scatter(g: Any, shape: tuple[int, ...], index: Any, unique: bool = False) -> Any:
    """``g`` put back at ``index`` of zeros of ``shape`` (repeats add up): x[index]'s gradient.

    ``unique`` says that no place is picked twice, so a plain assignment does.
    """
    values = g._data if isinstance(g, Tensor) else g
    data = backend.array_module(values).zeros(shape, dtype=values.dtype)
    if unique or _is_basic(index):
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


def along_axis(index: Any, axis: int) -> tuple[Any, ...]:
    """The advanced index that picks ``index``'s entries along ``axis`` (``x[result]`` is
    numpy's ``take_along_axis(x, index, axis)``): a range on every other axis."""
    xp = backend.array_module(index)
    ndim = index.ndim
    return tuple(
        index if d == axis else xp.arange(n).reshape((-1,) + (1,) * (ndim - d - 1))
        for d, n in enumerate(index.shape)
    )


def take_along(x: Tensor, index: Any, axis: int, op: str,
               shape: tuple[int, ...] | None = None, unique: bool = False) -> Tensor:
    """The elements of ``x`` at the int array ``index`` along ``axis``, reshaped to ``shape``;
    the gradient is scattered back to where they came from (``unique``: each place once)."""
    picks = along_axis(index, axis)
    data = x._data[picks]
    source, picked = x.shape, data.shape
    if shape is not None:
        data = data.reshape(shape)

    def take_along_rule(g: Any, out: Any, x: Any) -> Any:
        return scatter(g.reshape(picked), source, picks, unique)

    return _make(data, (x,), op, (take_along_rule,))


def _int_index(index: Any, name: str) -> Any:
    """An index argument (a Tensor, array or list of ints) as an int64 array."""
    array = index._data if isinstance(index, Tensor) else np.asarray(index)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} index must hold integers, got dtype {array.dtype}")
    return array.astype(np.int64, copy=False)


def gather(x: Tensor, dim: int, index: Any) -> Tensor:
    """``out[i][j][k] = x[i][index[i][j][k]][k]`` for ``dim=1`` (PyTorch's gather)."""
    axis = _one_axis(dim, x.ndim) if x.ndim else 0
    index = _int_index(index, "gather")
    if index.ndim != x.ndim:
        raise ValueError(f"gather index must have as many dimensions as the input ({x.ndim}), "
                         f"got shape {index.shape}")
    if x.ndim == 0:
        return take_along(x.reshape(1), index.reshape(1), 0, "gather", ())
    too_big = [d for d in range(x.ndim) if d != axis and index.shape[d] > x.shape[d]]
    if too_big:
        raise ValueError(f"gather index of shape {index.shape} is larger than the input "
                         f"{x.shape} in dimension {too_big[0]}")
    _check_range(index, x.shape[axis], "gather")
    return take_along(x, index, axis, "gather")


def _check_range(index: Any, size: int, name: str) -> None:
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = index[(index < 0) | (index >= size)].reshape(-1)[0]
        raise IndexError(f"{name} index {int(bad)} is out of range for a dimension of size {size}")


def index_select(x: Tensor, dim: int, index: Any) -> Tensor:
    """The slices of ``x`` at the 1-D ``index`` along ``dim`` (repeats allowed)."""
    axis = _one_axis(dim, x.ndim) if x.ndim else 0
    index = _int_index(index, "index_select")
    if index.ndim > 1:
        raise ValueError(f"index_select needs a 1-D index, got shape {index.shape}")
    if x.ndim == 0:
        _check_range(index.reshape(-1), 1, "index_select")
        return getitem(x, ...)
    _check_range(index, x.shape[axis], "index_select")
    picks = (slice(None),) * axis + (index.reshape(-1),)
    shape = x.shape

    def index_select_rule(g: Any, out: Any, x: Any) -> Any:
        return scatter(g, shape, picks)

    return _make(x._data[picks], (x,), "index_select", (index_select_rule,))


def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    """``x`` with ``value`` where the bool ``mask`` (broadcast to x's shape) is true."""
    from .arithmetic import where

    mask_array = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if mask_array.dtype != np.bool_:
        raise TypeError(f"masked_fill needs a bool mask, got dtype {mask_array.dtype}")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ValueError(f"masked_fill value must be a number or a 0-d tensor, "
                         f"got shape {value.shape}")
    if np.broadcast_shapes(mask_array.shape, x.shape) != x.shape:
        raise ValueError(f"masked_fill mask of shape {mask_array.shape} does not broadcast to "
                         f"the tensor's shape {x.shape}")
    value = x._operand(value)
    return where(mask_array, value.astype(x.dtype), x)


def index_put(x: Tensor, index: Any, values: Tensor) -> Tensor:
    """``x`` with ``values`` (broadcast) written at ``index``: ``x[index] = values`` as a
    recorded op (PyTorch's ``index_put``), which is how item assignment keeps the graph.

    The overwritten places of ``x`` get no gradient; ``values`` gets ``g`` picked at
    ``index`` (the engine sums it down to their shape if they were broadcast).
    """
    index = plain_index(index)
    data = x._data.copy()
    try:
        data[index] = values._data
    except (IndexError, ValueError, TypeError) as exc:
        kind = next(k for k in (IndexError, TypeError, ValueError) if isinstance(exc, k))
        raise kind(f"cannot assign a tensor of shape {values.shape} at index {_short(index)} "
                   f"of a tensor of shape {x.shape}: {exc}") from None

    def index_put_target_rule(g: Any, out: Any, x: Any, values: Any) -> Any:
        return zeroed_at(g, index)

    def index_put_values_rule(g: Any, out: Any, x: Any, values: Any) -> Any:
        return g[index]

    return _make(data, (x, values), "index_put", (index_put_target_rule, index_put_values_rule))


def zeroed_at(g: Any, index: Any) -> Any:
    """``g`` with zeros at ``index`` (an array, or a recorded op on a Tensor)."""
    if isinstance(g, Tensor):
        return index_put(g, index, g._const(backend.array_module(g._data).zeros((), g.dtype)))
    g = g.copy()
    g[index] = 0
    return g
