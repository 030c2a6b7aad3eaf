"""Shape ops: the same numbers in a new arrangement (reshape, permute, expand, pad, cat).

Each rule undoes the arrangement on ``g``: a reshape reshapes back, a permutation applies
the inverse permutation, a pad cuts the padding off, a concatenation slices ``g`` into
its pieces. Views (reshape, permute, expand) share their input's version counter, so an
in-place change through either is seen by the other's backward.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import backend
from ..tensor import (
    _UNSET,
    Tensor,
    _axes,
    _number,
    _one_axis,
    _pick,
    _shape_args,
)
from . import dual

_make = Tensor._make


def reshape(x: Tensor, *shape: Any) -> Tensor:
    """The same data in a new shape (tuple or varargs; one -1 is inferred)."""
    shape = _shape_args(shape)
    try:
        data = x._data.reshape(shape)
    except ValueError as exc:
        raise ValueError(
            f"cannot reshape a tensor of shape {x.shape} ({x.numel()} elements) "
            f"into shape {shape}"
        ) from exc
    source = x.shape

    def reshape_rule(g: Any, out: Any, x: Any) -> Any:
        return g.reshape(source)

    return x._share_version(_make(data, (x,), "reshape", (reshape_rule,)))


def flatten(
    x: Tensor, start_axis: Any = _UNSET, end_axis: Any = _UNSET, *, start_dim: Any = _UNSET,
    end_dim: Any = _UNSET,
) -> Tensor:
    """Merge axes ``start_axis..end_axis`` into one."""
    start = _pick("start_axis", start_axis, "start_dim", start_dim, 0)
    end = _pick("end_axis", end_axis, "end_dim", end_dim, -1)
    if x.ndim == 0:
        return reshape(x, 1)
    start, end = (_one_axis(a, x.ndim) for a in (start, end))
    if start > end:
        raise ValueError(f"flatten: start axis {start} comes after end axis {end}")
    return reshape(x, x.shape[:start] + (-1,) + x.shape[end + 1:])


def transpose(x: Tensor, axis0: Any = _UNSET, axis1: Any = _UNSET, *, dim0: Any = _UNSET,
              dim1: Any = _UNSET) -> Tensor:
    """Swap two axes (with no arguments: reverse all axes, as numpy)."""
    a0 = _pick("axis0", axis0, "dim0", dim0, None)
    a1 = _pick("axis1", axis1, "dim1", dim1, None)
    if a0 is None and a1 is None:
        return x.T
    if a0 is None or a1 is None:
        raise TypeError("transpose needs two axes (or none to reverse all)")
    a0, a1 = _one_axis(a0, x.ndim), _one_axis(a1, x.ndim)
    axes = list(range(x.ndim))
    axes[a0], axes[a1] = axes[a1], axes[a0]
    return permute(x, *axes)


def permute(x: Tensor, *axes: Any) -> Tensor:
    """Reorder the axes: ``permute(2, 0, 1)`` or ``permute((2, 0, 1))``."""
    axes = _shape_args(axes)
    if sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)):
        raise ValueError(f"permute axes {axes} are not a permutation of {x.ndim} axes")
    axes = tuple(a % x.ndim for a in axes) if x.ndim else ()
    inverse = tuple(int(i) for i in np.argsort(axes))

    def permute_rule(g: Any, out: Any, x: Any) -> Any:
        return dual.permute(g, inverse)

    return x._share_version(
        _make(np.transpose(x._data, axes), (x,), "permute", (permute_rule,))
    )


def T(x: Tensor) -> Tensor:  # noqa: N802 - PyTorch's and numpy's name
    """The tensor with all axes reversed."""
    if x._data.ndim == 2:
        return mT(x)  # the common case, without permute's argument handling
    return permute(x, *reversed(range(x.ndim)))


def mT(x: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    """The last two axes swapped (batched matrix transpose)."""
    if x._data.ndim < 2:
        raise ValueError(f"mT needs at least 2 dimensions, got shape {x.shape}")
    return x._share_version(_make(x._data.swapaxes(-1, -2), (x,), "permute", _MT_RULES))


_MT_RULES = (lambda g, out, x: dual.mT(g),)


def squeeze(x: Tensor, axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
    """Drop axes of length 1 (all of them, or those named that have length 1)."""
    axes = _axes(_pick("axis", axis, "dim", dim, None), x.ndim)
    if axes is None:
        axes = tuple(i for i, n in enumerate(x.shape) if n == 1)
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if not (i in axes and n == 1)))


def unsqueeze(x: Tensor, axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
    """Insert an axis of length 1 at ``axis`` (negative counts from the new end)."""
    axis = _pick("axis", axis, "dim", dim, None)
    if axis is None:
        raise TypeError("unsqueeze needs an axis")
    axis = _one_axis(axis, x.ndim + 1)
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


def expand(x: Tensor, *shape: Any) -> Tensor:
    """Broadcast to ``shape`` without copying (-1 keeps a dimension)."""
    shape = _shape_args(shape)
    lead = len(shape) - x.ndim
    if lead < 0:
        raise ValueError(f"cannot expand shape {x.shape} to fewer dimensions {shape}")
    shape = tuple(x.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
    if shape == x.shape:
        return x
    try:
        data = np.broadcast_to(x._data, shape)
    except ValueError as exc:
        raise ValueError(f"cannot expand a tensor of shape {x.shape} to {shape}") from exc
    return x._share_version(_make(data, (x,), "expand", _EXPAND_RULES))


# the engine sums the broadcast gradient back down to the input's shape
_EXPAND_RULES = (lambda g, out, x: g,)


def pad(x: Tensor, pad_width: Any, value: float = 0) -> Tensor:
    """Pad with a constant; ``pad_width`` as numpy's: one (before, after) pair per axis."""
    _number("pad value", value)
    try:
        widths = np.asarray(pad_width)
        if widths.dtype.kind not in "iu":
            raise TypeError(f"pad_width must hold ints, got {pad_width!r}")
        widths = np.broadcast_to(widths, (x.ndim, 2))
    except ValueError as exc:
        raise ValueError(
            f"pad_width {pad_width!r} does not fit a tensor with {x.ndim} dimensions: "
            "give one (before, after) pair per axis"
        ) from exc
    if (widths < 0).any():
        raise ValueError(f"pad widths must be non-negative, got {pad_width!r}")
    data = np.pad(x._data, widths, mode="constant", constant_values=value)
    inside = tuple(slice(b, b + n) for (b, _), n in zip(widths.tolist(), x.shape, strict=True))

    def pad_rule(g: Any, out: Any, x: Any) -> Any:
        return g[inside]  # the padding's gradient is dropped

    return _make(data, (x,), "pad", (pad_rule,))


def cat(tensors: Sequence[Tensor], axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
    """Join tensors along an existing axis."""
    tensors = _same_device(tensors, "cat")
    axis = _axes(_pick("axis", axis, "dim", dim, 0), tensors[0].ndim)[0]
    try:
        data = np.concatenate([t._data for t in tensors], axis=axis)
    except ValueError as exc:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"cat along axis {axis}: shapes {shapes} do not match") from exc
    bounds = np.cumsum([0] + [t.shape[axis] for t in tensors]).tolist()
    lead = (slice(None),) * axis

    def piece_rule(low: int, high: int) -> Any:
        index = lead + (slice(low, high),)
        return lambda g, out, *inputs: g[index]  # each input's slice of g

    rules = tuple(piece_rule(lo, hi) for lo, hi in zip(bounds, bounds[1:], strict=False))
    return _make(data, tuple(tensors), "cat", rules)


def stack(tensors: Sequence[Tensor], axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
    """Join tensors along a new axis."""
    tensors = _same_device(tensors, "stack")
    axis = _axes(_pick("axis", axis, "dim", dim, 0), tensors[0].ndim + 1)[0]
    if len({t.shape for t in tensors}) > 1:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"stack needs tensors of one shape, got shapes {shapes}")
    return cat([unsqueeze(t, axis) for t in tensors], axis=axis)


def _same_device(tensors: Sequence[Any], name: str) -> list[Tensor]:
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{name} needs at least one tensor")
    first = next((t for t in tensors if isinstance(t, Tensor)), None)
    first = first if first is not None else Tensor(tensors[0])
    return [first._operand(t) for t in tensors]


def repeat(x: Tensor, *sizes: Any) -> Tensor:
    """Tile ``x``: ``sizes[i]`` copies along axis i (leading sizes add new axes)."""
    sizes = _shape_args(sizes)
    if len(sizes) < x.ndim:
        raise ValueError(f"repeat needs at least one size per dimension ({x.ndim}), "
                         f"got {sizes}")
    if any(n < 0 for n in sizes):
        raise ValueError(f"repeat sizes must be non-negative, got {sizes}")
    shape = (1,) * (len(sizes) - x.ndim) + x.shape
    data = np.tile(x._data.reshape(shape), sizes)
    # g, seen as (copies, length) pairs per axis, summed over the copies
    split_shape = tuple(n for pair in zip(sizes, shape, strict=True) for n in pair)
    copy_axes = tuple(range(0, 2 * len(sizes), 2))
    source = x.shape

    def repeat_rule(g: Any, out: Any, x: Any) -> Any:
        return g.reshape(split_shape).sum(axis=copy_axes).reshape(source)

    return _make(data, (x,), "repeat", (repeat_rule,))


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces along ``dim``: of ``split_size`` each (the last may be shorter), or of the
    listed section sizes."""
    axis = _one_axis(dim, x.ndim)
    length = x.shape[axis]
    if isinstance(split_size_or_sections, int | np.integer):
        size = int(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split size must be positive, got {size}")
        sections = [min(size, length - start) for start in range(0, length, size)] or [0]
    else:
        sections = list(_shape_args(tuple(split_size_or_sections)))
        if sum(sections) != length:
            raise ValueError(f"split sections {sections} do not add up to the length "
                             f"{length} of dimension {axis}")
    bounds = np.cumsum([0] + sections).tolist()
    lead = (slice(None),) * axis
    return tuple(x[lead + (slice(lo, hi),)] for lo, hi in zip(bounds, bounds[1:], strict=False))


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``chunks`` pieces of equal length along ``dim`` (the last may be shorter; fewer
    pieces when the length does not allow as many, as PyTorch)."""
    if not isinstance(chunks, int | np.integer) or chunks <= 0:
        raise ValueError(f"chunk needs a positive number of chunks, got {chunks!r}")
    length = x.shape[_one_axis(dim, x.ndim)]
    return split(x, max(-(-length // int(chunks)), 1), dim)


def flip(x: Tensor, *axes: Any, dims: Any = _UNSET) -> Tensor:
    """``x`` reversed along ``dims`` (ints, or one tuple; a copy, as PyTorch)."""
    if dims is not _UNSET:
        if axes:
            raise TypeError("flip got its dims both as arguments and as dims=")
        axes = (dims,) if isinstance(dims, int | np.integer) else tuple(dims)
    axes = _axes(_shape_args(axes), x.ndim) or ()

    def flip_rule(g: Any, out: Any, x: Any) -> Any:
        return dual.flip(g, axes)

    return _make(np.flip(x._data, axes).copy(), (x,), "flip", (flip_rule,))


def roll(x: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """``x`` shifted cyclically by ``shifts`` along ``dims`` (an int or matching tuples);
    without ``dims``, over the flattened tensor, keeping the shape (as PyTorch). The
    gradient rolls back by ``-shifts``."""
    shift_list = (shifts,) if isinstance(shifts, int | np.integer) else tuple(shifts)
    if dims is None:
        if len(shift_list) != 1:
            raise ValueError(f"roll without dims takes one shift, got {shifts!r}")
        axes: tuple[int, ...] | None = None
    else:
        dim_list = (dims,) if isinstance(dims, int | np.integer) else tuple(dims)
        if len(dim_list) != len(shift_list):
            raise ValueError(f"roll needs one shift per dim, got shifts={shifts!r}, "
                             f"dims={dims!r}")
        axes = tuple(_one_axis(d, max(x.ndim, 1)) for d in dim_list)
    shift_list = tuple(int(_number("roll shift", n)) for n in shift_list)
    back = tuple(-n for n in shift_list)

    def roll_rule(g: Any, out: Any, x: Any) -> Any:
        return dual.roll(g, back, axes)

    data = backend.array_module(x._data).roll(x._data, shift_list, axes)
    return _make(data, (x,), "roll", (roll_rule,))


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices of ``x`` along ``dim``, each without that dimension (``x[:, i]`` for
    ``dim=1``), as a tuple."""
    if x.ndim == 0:
        raise ValueError("unbind needs a tensor with at least one dimension, got a 0-d one")
    axis = _one_axis(dim, x.ndim)
    lead = (slice(None),) * axis
    return tuple(x[lead + (i,)] for i in range(x.shape[axis]))


def contiguous(x: Tensor, memory_format: Any = None) -> Tensor:
    """``x`` itself when its elements lie in row-major order, else a row-major copy
    (differentiable, as ``clone``), as PyTorch's ``contiguous``."""
    if x._data.flags.c_contiguous:
        return x
    return clone(x)


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two axes (on and below ``diagonal``), zeros above."""
    return _triangle(x, diagonal, np.tril, "tril")


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two axes (on and above ``diagonal``), zeros below."""
    return _triangle(x, diagonal, np.triu, "triu")


def _triangle(x: Tensor, diagonal: int, triangle: Any, op: str) -> Tensor:
    if x.ndim < 2:
        raise ValueError(f"{op} needs at least 2 dimensions, got shape {x.shape}")
    if not isinstance(diagonal, int | np.integer) or isinstance(diagonal, bool):
        raise TypeError(f"{op} diagonal must be an int, got {diagonal!r}")
    kept = triangle(backend.array_module(x._data).ones(x.shape[-2:], dtype=bool), diagonal)

    def triangle_rule(g: Any, out: Any, x: Any) -> Any:
        return g * dual.constant(g, kept)  # the gradient flows where the values were kept

    return _make(triangle(x._data, diagonal), (x,), op, (triangle_rule,))


def matrix_transpose(x: Tensor) -> Tensor:
    """PyTorch's ``t()``: a 2-D tensor transposed; 0-d and 1-D tensors as they are."""
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but it has {x.ndim}; "
                           "use .transpose(dim0, dim1) or .mT")
    return mT(x) if x.ndim == 2 else x


def view_as(x: Tensor, other: Tensor) -> Tensor:
    """``x`` reshaped to ``other``'s shape."""
    return reshape(x, other.shape)


def expand_as(x: Tensor, other: Tensor) -> Tensor:
    """``x`` broadcast to ``other``'s shape."""
    return expand(x, other.shape)


def clone(x: Tensor) -> Tensor:
    """A copy of ``x`` with its own memory; differentiable (the gradient passes through)."""
    return _make(x._data.copy(), (x,), "clone", _CLONE_RULES)


_CLONE_RULES = (lambda g, out, x: g,)
