"""Arithmetic: ``+ - * / **``, negation, ``abs``, ``clip`` and the two-sided ``maximum``,
``minimum`` and ``where``.

Each op computes its output with the array library and records one rule per input,
``rule(g, out, *inputs) -> the gradient for that input`` (see ``ops/dual.py``: arrays in
a plain backward, Tensors under ``create_graph=True``); the engine calls only the rules
of inputs that need a gradient. Gradients come back in
the broadcast shape; the engine sums them down to each input's shape.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import backend
from ..tensor import Tensor, _broadcasting, _check_broadcast, _is_float, _number, float32
from . import dual

_make = Tensor._make


def add(a: Tensor, other: Any) -> Tensor:
    """a + b."""
    a, b = a._pair(other)
    return _make(_broadcasting(operator.add, a, b, "add"), (a, b), "add", _ADD_RULES)


# d(a+b)/da = d(a+b)/db = 1
_ADD_RULES = (lambda g, out, a, b: g, lambda g, out, a, b: g)


def radd(a: Tensor, other: Any) -> Tensor:
    """b + a, for a number or array on the left."""
    return add(a._operand(other), a)


def sub(a: Tensor, other: Any) -> Tensor:
    """a - b."""
    a, b = a._pair(other)
    return _make(_broadcasting(operator.sub, a, b, "sub"), (a, b), "sub", _SUB_RULES)


# d(a-b)/da = 1, d(a-b)/db = -1
_SUB_RULES = (lambda g, out, a, b: g, lambda g, out, a, b: -g)


def rsub(a: Tensor, other: Any) -> Tensor:
    """b - a."""
    return sub(a._operand(other), a)


def mul(a: Tensor, other: Any) -> Tensor:
    """a * b."""
    a, b = a._pair(other)
    return _make(_broadcasting(operator.mul, a, b, "mul"), (a, b), "mul", _MUL_RULES)


# d(ab)/da = b, d(ab)/db = a
_MUL_RULES = (lambda g, out, a, b: g * b, lambda g, out, a, b: g * a)


def rmul(a: Tensor, other: Any) -> Tensor:
    """b * a."""
    return mul(a._operand(other), a)


def div(a: Tensor, other: Any) -> Tensor:
    """a / b (integers divide to float32, as PyTorch)."""
    a, b = a._pair(other)
    if a._data.dtype.kind != "f":
        a, b = a.astype(float32), b.astype(float32)
    return _make(_broadcasting(operator.truediv, a, b, "div"), (a, b), "div", _DIV_RULES)


# d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
_DIV_RULES = (lambda g, out, a, b: g / b, lambda g, out, a, b: -g * a / (b * b))


def rdiv(a: Tensor, other: Any) -> Tensor:
    """b / a."""
    return div(a._operand(other), a)


def pow(a: Tensor, exponent: Any) -> Tensor:  # noqa: A001 - the operator's name
    """a ** p for a number p, or a ** b elementwise for a tensor b."""
    if isinstance(exponent, numbers.Real) and not isinstance(exponent, Tensor):
        p = exponent
        base = a if a._data.dtype.kind == "f" or isinstance(p, numbers.Integral) \
            else a.astype(float32)
        with np.errstate(divide="ignore", invalid="ignore"):
            data = base._data ** base._operand(p)._data

        def power_rule(g: Any, out: Any, x: Any) -> Any:
            # d x^p = p x^(p-1); x^0 is constant (and 0 * 0^-1 would be nan)
            return g * p * x ** (p - 1) if p != 0 else g * 0

        return _make(data, (base,), "pow", (power_rule,))
    a, b = a._pair(exponent)
    with np.errstate(divide="ignore", invalid="ignore"):
        data = _broadcasting(operator.pow, a, b, "pow")
    return _make(data, (a, b), "pow", (_pow_base_rule, _pow_exponent_rule))


def _pow_base_rule(g: Any, out: Any, a: Any, b: Any) -> Any:
    # d a^b/da = b a^(b-1), 0 where b = 0 (even at a = 0)
    safe_base = dual.where(dual.data(b) == 0, 1.0, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        return g * b * safe_base ** (b - 1)


def _pow_exponent_rule(g: Any, out: Any, a: Any, b: Any) -> Any:
    # d a^b/db = a^b log a, 0 where a = 0 and b >= 0 (as PyTorch)
    zero_base = (dual.data(a) == 0) & (dual.data(b) >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return g * out * dual.log(dual.where(zero_base, 1.0, a))


def rpow(a: Tensor, base: Any) -> Tensor:
    """b ** a."""
    return pow(a._operand(base), a)


def neg(a: Tensor) -> Tensor:
    """-a."""
    return _make(-a._data, (a,), "neg", _NEG_RULES)


_NEG_RULES = (lambda g, out, x: -g,)


def pos(a: Tensor) -> Tensor:
    """+a (a itself)."""
    return a


def abs(a: Tensor) -> Tensor:  # noqa: A001 - PyTorch's name
    """Elementwise |x|; its gradient at 0 is 0, as in PyTorch."""
    return _make(np.abs(a._data), (a,), "abs", _ABS_RULES)


# d|x| = sign(x)
_ABS_RULES = (lambda g, out, x: g * dual.constant(g, np.sign(dual.data(x))),)


def clip(a: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """Clamp values into ``[min, max]``; the gradient flows where min <= x <= max."""
    if min is None and max is None:
        raise ValueError("clip needs at least one of min= and max=")
    data = a._data
    # np.maximum/np.minimum: np.clip's Python wrapper costs more than the work here
    if min is not None:
        _number("clip min", min)
        data = np.maximum(data, min)
    if max is not None:
        _number("clip max", max)
        data = np.minimum(data, max)

    def clip_rule(g: Any, out: Any, x: Any) -> Any:
        values = dual.data(x)
        inside = (values >= min) if min is not None else True
        if max is not None:
            inside = inside & (values <= max)
        return g * dual.constant(g, inside)

    return _make(data.astype(a.dtype, copy=False), (a,), "clip", (clip_rule,))


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` is true, else ``b`` (broadcast); differentiable in a and b."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    anchor = next((x for x in (a, b, condition) if isinstance(x, Tensor)), None)
    if anchor is None:
        anchor = Tensor(np.asarray(a) if isinstance(a, np.ndarray) else a)
    a, b = anchor._operand(a), anchor._operand(b)
    if not cond.shape == a.shape == b.shape:
        _check_broadcast("where", cond.shape, a.shape, b.shape)
    if a.dtype != b.dtype and _is_float(a.dtype) != _is_float(b.dtype):
        a, b = (a, b.astype(a.dtype)) if _is_float(a.dtype) else (a.astype(b.dtype), b)

    rules = (lambda g, out, a, b: g * dual.constant(g, cond),
             lambda g, out, a, b: g * dual.constant(g, ~cond))
    data = backend.array_module(cond).where(cond, a._data, b._data)
    return _make(data, (a, b), "where", rules)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max; where a == b each side gets half the gradient (as PyTorch)."""
    return _pairwise_extremum(a, b, np.maximum, "maximum")


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min; where a == b each side gets half the gradient (as PyTorch)."""
    return _pairwise_extremum(a, b, np.minimum, "minimum")


def _pairwise_extremum(a: Any, b: Any, fn: Callable, op: str) -> Tensor:
    a = a if isinstance(a, Tensor) else (b._operand(a) if isinstance(b, Tensor) else Tensor(a))
    a, b = a._pair(b)
    return _make(_broadcasting(fn, a, b, op), (a, b), op, _EXTREMUM_RULES)


def _share_of_a(out: Any, a: Any, b: Any) -> Any:
    """1 where a alone wins, 0.5 at a tie, 0 where b wins (a constant)."""
    a_values, b_values, result = dual.data(a), dual.data(b), dual.data(out)
    return dual.where(a_values == b_values, 0.5, result == a_values).astype(result.dtype)


_EXTREMUM_RULES = (
    lambda g, out, a, b: g * dual.constant(g, _share_of_a(out, a, b)),
    lambda g, out, a, b: g * dual.constant(g, 1 - _share_of_a(out, a, b)),
)


def add_scaled(a: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """a + alpha * b (PyTorch's ``add(other, alpha=)``)."""
    return add(a, other) if alpha == 1 else add(a, a._operand(other) * alpha)


def sub_scaled(a: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """a - alpha * b (PyTorch's ``sub(other, alpha=)``)."""
    return sub(a, other) if alpha == 1 else sub(a, a._operand(other) * alpha)


def div_rounded(a: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """a / b, then rounded towards zero (``"trunc"``) or down (``"floor"``) if asked."""
    if rounding_mode is None:
        return div(a, other)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div rounding_mode must be None, 'trunc' or 'floor', "
                         f"got {rounding_mode!r}")
    b = a._operand(other)
    quotient = div(a, b)
    rounded = quotient.trunc() if rounding_mode == "trunc" else quotient.floor()
    if a._data.dtype.kind != "f" and b._data.dtype.kind != "f":  # integers stay integers
        return rounded.astype(np.result_type(a._data, b._data))
    return rounded


def clamp_min(a: Tensor, min: float) -> Tensor:  # noqa: A002 - PyTorch's name
    """max(a, min) elementwise."""
    return clip(a, min=min)


def clamp_max(a: Tensor, max: float) -> Tensor:  # noqa: A002 - PyTorch's name
    """min(a, max) elementwise."""
    return clip(a, max=max)


def where_method(a: Tensor, condition: Any, other: Any) -> Tensor:
    """``a`` where ``condition`` holds, else ``other`` (PyTorch's ``a.where(cond, other)``)."""
    return where(condition, a, other)
