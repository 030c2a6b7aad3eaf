"""Reductions (sum, mean, max, min, var, std, logsumexp), softmax and the arg- reductions.

A reduction's gradient spreads ``g`` back over the reduced axes: ``g`` is first given
its kept shape (the reduced axes as length 1) and then broadcast to the input's shape.
Rules run on arrays in a plain backward and on Tensors under ``create_graph=True``
(see ``ops/dual.py``).
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import (
    _UNSET,
    Tensor,
    _axes,
    _kept_shape,
    _pick,
    _reduced_shape,
    float32,
)
from . import dual

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


def _extremum(x: Tensor, axis: Any, keepdims: Any, dim: Any, keepdim: Any, op: str) -> Tensor:
    axes = _axes(_pick("axis", axis, "dim", dim, None), x.ndim)
    keep = _pick("keepdims", keepdims, "keepdim", keepdim, False)
    if x._data.size == 0:
        raise ValueError(f"{op}() of an empty tensor of shape {x.shape}")
    reduce = np.max if op == "max" else np.min
    data = reduce(x._data, axis=axes, keepdims=True)
    # ties share the gradient equally: 1 at each extreme element, divided by their count
    share_dtype = x.dtype if x._data.dtype.kind == "f" else float32
    share = (x._data == data).astype(share_dtype)
    share /= share.sum(axis=axes, keepdims=True)
    kept = data.shape

    def extremum_rule(g: Any, out: Any, x: Any) -> Any:
        return g.reshape(kept) * dual.constant(g, share)

    return _make(
        data if keep else data.reshape(_reduced_shape(x.shape, axes)), (x,), op,
        (extremum_rule,),
    )


def max(  # noqa: A001 - PyTorch's name
    x: Tensor, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
    keepdim: Any = _UNSET,
) -> Tensor:
    """Largest value over ``axis`` (values only; ties share the gradient equally)."""
    return _extremum(x, axis, keepdims, dim, keepdim, "max")


def min(  # noqa: A001 - PyTorch's name
    x: Tensor, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
    keepdim: Any = _UNSET,
) -> Tensor:
    """Smallest value over ``axis`` (values only; ties share the gradient equally)."""
    return _extremum(x, axis, keepdims, dim, keepdim, "min")


def var(
    x: Tensor, axis: Any = _UNSET, keepdims: Any = _UNSET, ddof: int = 0, *, dim: Any = _UNSET,
    keepdim: Any = _UNSET, correction: int | None = None,
) -> Tensor:
    """Variance over ``axis`` with ``ddof`` (numpy's default 0; PyTorch's ``correction``)."""
    axis = _pick("axis", axis, "dim", dim, None)
    keep = _pick("keepdims", keepdims, "keepdim", keepdim, False)
    ddof = ddof if correction is None else correction
    if not isinstance(ddof, int | np.integer) or isinstance(ddof, bool):
        raise TypeError(f"ddof must be an int, got {ddof!r}")
    axes = _axes(axis, x.ndim)
    count = x._data.size // builtins.max(math.prod(_kept_shape(x.shape, axes)), 1)
    centred = x - x.mean(axis=axes, keepdims=True)
    return (centred * centred).sum(axis=axes, keepdims=keep) / (count - ddof)


def std(
    x: Tensor, axis: Any = _UNSET, keepdims: Any = _UNSET, ddof: int = 0, *, dim: Any = _UNSET,
    keepdim: Any = _UNSET, correction: int | None = None,
) -> Tensor:
    """Standard deviation: sqrt of ``var``."""
    return var(x, axis, keepdims, ddof, dim=dim, keepdim=keepdim, correction=correction).sqrt()


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

