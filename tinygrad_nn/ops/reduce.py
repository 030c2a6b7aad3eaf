"""Reductions (sum, mean, max, min, amax, amin, var, std, prod, logsumexp), cumsum, softmax
and the arg- reductions.

A reduction's gradient spreads ``g`` back over the reduced axes: ``g`` is first given
its kept shape (the reduced axes as length 1) and then broadcast to the input's shape.
Rules run on arrays in a plain backward and on Tensors under ``create_graph=True``
(see ``ops/dual.py``).
"""

from __future__ import annotations

import builtins
import collections
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import backend
from ..tensor import (
    _UNSET,
    Tensor,
    _axes,
    _kept_shape,
    _one_axis,
    _pick,
    _reduced_shape,
    float32,
)
from . import arithmetic, dual
from . import index as indexing

_make = Tensor._make


def sum(  # noqa: A001 - PyTorch's name
    x: Tensor, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
    keepdim: Any = _UNSET,
) -> Tensor:
    """Sum over ``axis`` (None: all; int, negative or tuple); ``dim=`` also accepted."""
    axes = _axes(_pick("axis", axis, "dim", dim, None), x.ndim)
    keep = _pick("keepdims", keepdims, "keepdim", keepdim, False)
    kept, shape = _kept_shape(x.shape, axes), x.shape

    def sum_rule(g: Any, out: Any, x: Any) -> Any:
        return dual.expand(g.reshape(kept), shape)  # every summand gets g

    return _make(x._data.sum(axis=axes, keepdims=keep), (x,), "sum", (sum_rule,))


def mean(
    x: Tensor, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
    keepdim: Any = _UNSET,
) -> Tensor:
    """Mean over ``axis`` (None: all)."""
    axes = _axes(_pick("axis", axis, "dim", dim, None), x.ndim)
    keep = _pick("keepdims", keepdims, "keepdim", keepdim, False)
    kept, shape = _kept_shape(x.shape, axes), x.shape
    count = x._data.size // builtins.max(math.prod(kept), 1) if x._data.size else 0

    def mean_rule(g: Any, out: Any, x: Any) -> Any:
        return dual.expand(g.reshape(kept) / count, shape)  # each of the count gets g/count

    return _make(x._data.mean(axis=axes, keepdims=keep), (x,), "mean", (mean_rule,))


def _extremum(x: Tensor, axes: tuple[int, ...] | None, keep: bool, op: str) -> Tensor:
    """The max or min over ``axes``; ties share the gradient equally."""
    if x._data.size == 0:
        raise ValueError(f"{op}() of an empty tensor of shape {x.shape}")
    reduce = np.max if op in ("max", "amax") else np.min
    data = reduce(x._data, axis=axes, keepdims=True)
    # ties share the gradient equally: 1 at each extreme element, divided by their count
    share_dtype = x.dtype if x._data.dtype.kind == "f" else float32
    share = (x._data == data).astype(share_dtype)
    with np.errstate(invalid="ignore"):  # a NaN input has no extreme element: 0/0 shares
        share /= share.sum(axis=axes, keepdims=True)
    kept = data.shape

    def extremum_rule(g: Any, out: Any, x: Any) -> Any:
        return g.reshape(kept) * dual.constant(g, share)

    return _make(
        data if keep else data.reshape(_reduced_shape(x.shape, axes)), (x,), op,
        (extremum_rule,),
    )


# PyTorch's named tuples: ``values, indices = t.max(1)``, or ``t.max(1).values``
values_indices = {
    op: collections.namedtuple(op, ["values", "indices"]) for op in ("max", "min", "sort", "topk")
}


def _extremum_along(x: Tensor, dim: Any, keep: bool, op: str) -> tuple[Tensor, Tensor]:
    """(values, indices) of the max or min along one axis; the gradient goes to the index."""
    if isinstance(dim, tuple | list):
        raise TypeError(f"{op}(dim) takes one dimension, got {dim!r}; use a{op}(dim=...) "
                        "for the values over several")
    if x.ndim == 0:
        _one_axis(dim, 1)
        values, indices = _extremum_along(x.reshape(1), 0, False, op)
        return values_indices[op](values, indices)
    axis = _one_axis(dim, x.ndim)
    if x.shape[axis] == 0:
        raise ValueError(f"{op}() along dimension {axis} of size 0 (shape {x.shape})")
    index = (np.argmax if op == "max" else np.argmin)(x._data, axis=axis, keepdims=True)
    shape = None if keep else _reduced_shape(x.shape, (axis,))
    values = indexing.take_along(x, index, axis, op, shape, unique=True)
    return values_indices[op](values, x._const(index if keep else index.reshape(shape)))


def _max_or_min(x: Tensor, dim: Any, keepdim: Any, axis: Any, keepdims: Any, op: str) -> Any:
    if isinstance(dim, Tensor):
        return (arithmetic.maximum if op == "max" else arithmetic.minimum)(x, dim)
    dim = _pick("dim", dim, "axis", axis, None)
    keep = _pick("keepdim", keepdim, "keepdims", keepdims, False)
    if dim is None:
        return _extremum(x, None, False, op)
    return _extremum_along(x, dim, keep, op)


def max(  # noqa: A001 - PyTorch's name
    x: Tensor, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET,
    keepdims: Any = _UNSET,
) -> Any:
    """As PyTorch: ``max()`` the largest value (a 0-d tensor; ties share the gradient);
    ``max(dim)`` the named tuple ``(values, indices)`` (the gradient goes to the index);
    ``max(other)`` the elementwise maximum."""
    return _max_or_min(x, dim, keepdim, axis, keepdims, "max")


def min(  # noqa: A001 - PyTorch's name
    x: Tensor, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET,
    keepdims: Any = _UNSET,
) -> Any:
    """As PyTorch: ``min()`` the smallest value, ``min(dim)`` ``(values, indices)``,
    ``min(other)`` the elementwise minimum."""
    return _max_or_min(x, dim, keepdim, axis, keepdims, "min")


def amax(
    x: Tensor, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET,
    keepdims: Any = _UNSET,
) -> Tensor:
    """The largest values over ``dim`` (an int or tuple; all by default); ties share the
    gradient equally."""
    return _amax_or_amin(x, dim, keepdim, axis, keepdims, "amax")


def amin(
    x: Tensor, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET,
    keepdims: Any = _UNSET,
) -> Tensor:
    """The smallest values over ``dim``; ties share the gradient equally."""
    return _amax_or_amin(x, dim, keepdim, axis, keepdims, "amin")


def _amax_or_amin(x: Tensor, dim: Any, keepdim: Any, axis: Any, keepdims: Any, op: str) -> Any:
    dim = _pick("dim", dim, "axis", axis, None)
    keep = _pick("keepdim", keepdim, "keepdims", keepdims, False)
    axes = None if dim is None or dim == () or dim == [] else _axes(dim, x.ndim)
    return _extremum(x, axes, keep, op)


def _correction(unbiased: Any, correction: Any, ddof: Any) -> Any:
    """The one correction given (``unbiased=``, ``correction=`` or numpy's ``ddof=``); 1."""
    given = [(name, v) for name, v in (("unbiased", unbiased), ("correction", correction),
                                       ("ddof", ddof)) if v is not _UNSET and v is not None]
    if len(given) > 1:
        raise TypeError(f"give one of unbiased=, correction= and ddof=, got "
                        f"{' and '.join(name for name, _ in given)}")
    if not given:
        return 1
    name, value = given[0]
    if name == "unbiased":
        if not isinstance(value, bool | np.bool_):
            raise TypeError(f"unbiased must be a bool, got {value!r}")
        return int(value)
    if not isinstance(value, int | np.integer) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {value!r}")
    return int(value)


def var(
    x: Tensor, dim: Any = _UNSET, unbiased: Any = _UNSET, keepdim: Any = _UNSET, *,
    correction: Any = _UNSET, ddof: Any = _UNSET, axis: Any = _UNSET, keepdims: Any = _UNSET,
) -> Tensor:
    """Variance over ``dim`` (None: all), unbiased by default as PyTorch: the sum of squared
    deviations over (count - correction); ``unbiased=False``, ``correction=0`` or numpy's
    ``ddof=0`` give the biased one."""
    if isinstance(dim, bool):  # PyTorch's var(unbiased)
        dim, unbiased = _UNSET, dim
    axes = _axes(_pick("dim", dim, "axis", axis, None), x.ndim)
    keep = _pick("keepdim", keepdim, "keepdims", keepdims, False)
    ddof = _correction(unbiased, correction, ddof)
    count = x._data.size // builtins.max(math.prod(_kept_shape(x.shape, axes)), 1)
    centred = x - x.mean(axis=axes, keepdims=True)
    return (centred * centred).sum(axis=axes, keepdims=keep) / (count - ddof)


def std(
    x: Tensor, dim: Any = _UNSET, unbiased: Any = _UNSET, keepdim: Any = _UNSET, *,
    correction: Any = _UNSET, ddof: Any = _UNSET, axis: Any = _UNSET, keepdims: Any = _UNSET,
) -> Tensor:
    """Standard deviation: sqrt of ``var`` (unbiased by default, as PyTorch)."""
    return var(x, dim, unbiased, keepdim, correction=correction, ddof=ddof, axis=axis,
               keepdims=keepdims).sqrt()


def cumsum(x: Tensor, dim: Any = _UNSET, *, axis: Any = _UNSET, dtype: Any = None) -> Tensor:
    """Running sums along ``dim`` (integers and bools sum to int64, as PyTorch)."""
    dim = _pick("dim", dim, "axis", axis, None)
    if dim is None:
        raise TypeError("cumsum needs a dimension: cumsum(dim)")
    if x.ndim == 0:
        _one_axis(dim, 1)
        return cumsum(x.reshape(1), 0, dtype=dtype).reshape(())
    axis = _one_axis(dim, x.ndim)
    if dtype is not None:
        x = x.astype(dtype)
    data = np.cumsum(x._data, axis=axis, dtype=None if x._data.dtype.kind == "f" else np.int64)

    def cumsum_rule(g: Any, out: Any, x: Any) -> Any:
        # x_i enters every running sum from i on: the reversed running sum of g
        return dual.flip(dual.cumsum(dual.flip(g, (axis,)), axis), (axis,))

    return _make(data, (x,), "cumsum", (cumsum_rule,))


def prod(x: Tensor, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET,
         keepdims: Any = _UNSET, dtype: Any = None) -> Tensor:
    """The product over ``dim`` (one int, or None for all); right with zeros in the input."""
    dim = _pick("dim", dim, "axis", axis, None)
    keep = _pick("keepdim", keepdim, "keepdims", keepdims, False)
    if dtype is not None:
        x = x.astype(dtype)
    if isinstance(dim, tuple | list):
        raise TypeError(f"prod takes one dimension or None, got {dim!r}")
    return product(x, None if dim is None else _axes(dim, x.ndim), keep)


def product(x: Tensor, axes: tuple[int, ...] | None, keep: bool) -> Tensor:
    """The product over ``axes`` (integers and bools multiply to int64)."""
    data = np.prod(x._data, axis=axes, keepdims=True,
                   dtype=None if x._data.dtype.kind == "f" else np.int64)
    kept = data.shape

    def prod_rule(g: Any, out: Any, x: Any) -> Any:
        # d prod / d x_i = the product of the others: out / x_i when no x is 0
        g = g.reshape(kept)
        if not (dual.data(x) == 0).any():
            return g * out.reshape(kept) / x
        return g * _products_of_the_others(x, axes)

    return _make(data if keep else data.reshape(_reduced_shape(x.shape, axes)), (x,), "prod",
                 (prod_rule,))


def _products_of_the_others(x: Any, axes: tuple[int, ...] | None) -> Any:
    """For each x_i, the product of the other elements along ``axes`` (one axis, or None:
    all): ``prod_{k != i} x_k``, with no division, so right where x has zeros.

    Each x_i gets a row holding x with a 1 in place of x_i, and the row is multiplied out.
    That costs n^2 for n factors, and runs only when a zero forbids out / x_i.
    """
    shape = x.shape
    if axes is None:
        x, axis = x.reshape(-1), 0
    else:
        (axis,) = axes
    order = [d for d in range(x.ndim) if d != axis] + [axis]
    n = x.shape[axis]
    moved = dual.permute(x, tuple(order))
    rows = dual.expand(moved.reshape(moved.shape[:-1] + (1, n)), moved.shape + (n,))
    diagonal = backend.array_module(dual.data(x)).eye(n, dtype=bool)
    others = dual.prod(dual.where(diagonal, 1.0, rows), (rows.ndim - 1,))
    back = tuple(int(i) for i in np.argsort(order))
    return dual.permute(others.reshape(moved.shape), back).reshape(shape)


def logsumexp(
    x: Tensor, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
    keepdim: Any = _UNSET,
) -> Tensor:
    """log(sum(exp(x))) over ``axis``, shifted by the max so it is finite for finite x."""
    axes = _axes(_pick("axis", axis, "dim", dim, None), x.ndim)
    keep = _pick("keepdims", keepdims, "keepdim", keepdim, False)
    shift = np.max(x._data, axis=axes, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0)
    kept = shift.shape
    data = np.log(np.sum(np.exp(x._data - shift), axis=axes, keepdims=True)) + shift

    def logsumexp_rule(g: Any, out: Any, x: Any) -> Any:
        # d lse / dx = softmax(x) = exp(x - lse)
        return g.reshape(kept) * dual.exp(x - out.reshape(kept))

    return _make(
        data if keep else data.reshape(_reduced_shape(x.shape, axes)), (x,), "logsumexp",
        (logsumexp_rule,),
    )


def softmax(x: Tensor, axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
    """exp(x) / sum(exp(x)) along ``axis``, stable for any finite input."""
    axis = _axes(_pick("axis", axis, "dim", dim, -1), x.ndim)

    def softmax_rule(g: Any, out: Any, x: Any) -> Any:
        return out * (g - (g * out).sum(axis=axis, keepdims=True))  # s * (g - sum(g * s))

    return _make(dual.softmax(x._data, axis), (x,), "softmax", (softmax_rule,))


def log_softmax(x: Tensor, axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
    """x - logsumexp(x) along ``axis``, stable for any finite input."""
    axis = _axes(_pick("axis", axis, "dim", dim, -1), x.ndim)

    def log_softmax_rule(g: Any, out: Any, x: Any) -> Any:
        return g - dual.exp(out) * g.sum(axis=axis, keepdims=True)  # g - softmax * sum(g)

    return _make(dual.log_softmax(x._data, axis), (x,), "log_softmax", (log_softmax_rule,))


def argmax(
    x: Tensor, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
    keepdim: Any = _UNSET,
) -> Tensor:
    """Index of the largest value (flattened when axis is None); not differentiable."""
    return _arg(x, np.argmax, axis, keepdims, dim, keepdim)


def argmin(
    x: Tensor, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
    keepdim: Any = _UNSET,
) -> Tensor:
    """Index of the smallest value; not differentiable."""
    return _arg(x, np.argmin, axis, keepdims, dim, keepdim)


def _arg(x: Tensor, fn: Callable, axis: Any, keepdims: Any, dim: Any, keepdim: Any) -> Tensor:
    axis = _pick("axis", axis, "dim", dim, None)
    keep = _pick("keepdims", keepdims, "keepdim", keepdim, False)
    if axis is not None:
        axis = _axes(axis, x.ndim)
        if len(axis) != 1:
            raise ValueError("argmax/argmin take a single axis")
        axis = axis[0]
    return x._const(fn(x._data, axis=axis, keepdims=keep).astype(np.int64))


def any(x: Tensor, axis: Any = None) -> Tensor:  # noqa: A001 - PyTorch's name
    """Whether any element is true (not differentiable)."""
    return x._const(np.any(x._data, axis=_axes(axis, x.ndim)))


def all(x: Tensor, axis: Any = None) -> Tensor:  # noqa: A001 - PyTorch's name
    """Whether all elements are true (not differentiable)."""
    return x._const(np.all(x._data, axis=_axes(axis, x.ndim)))

