"""The table of differentiable op cases, shared by the gradcheck and the PyTorch parity tests.

One row is one ``OpCase``: a readable id, a function ``fn(lib, *args)`` written once for
both libraries (``lib`` is ``tinygrad_nn`` or ``torch``; ``torch_fn`` replaces it on the
torch side where the spellings differ) and its arguments. An argument is a ``T(...)``
(a random Tensor that requires grad), an ``N(...)`` (a random numpy array, a constant), a
``C(...)`` (a random Tensor that does not require grad), or any other value (a Python
scalar, an index), passed as it is.

Inputs are drawn away from kinks and domain edges: ``"real"`` values have magnitudes in
[0.3, 2] (never near 0, where relu/abs/leaky_relu bend), ``"positive"`` values lie in
[0.5, 2] (for log, sqrt, pow bases), ``"large"`` values in [21, 25] (softplus's linear
region). Adding an op means adding a row here; a row that fails because of a core bug goes
into ``KNOWN_CORE_BUGS`` (strict xfail) until the fix lands.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest


@dataclass(frozen=True)
class Arg:
    """A random argument: a Tensor requiring grad, a constant Tensor or a numpy array."""

    shape: tuple[int, ...]
    kind: str  # "grad": Tensor(requires_grad=True); "const": Tensor; "numpy": ndarray
    domain: str = "real"


def T(*shape: int, domain: str = "real") -> Arg:  # noqa: N802 - reads like a type in the table
    """A Tensor input that requires grad."""
    return Arg(shape, "grad", domain)


def C(*shape: int, domain: str = "real") -> Arg:  # noqa: N802
    """A Tensor input that does not require grad."""
    return Arg(shape, "const", domain)


def N(*shape: int, domain: str = "real") -> Arg:  # noqa: N802
    """A numpy array input (a constant)."""
    return Arg(shape, "numpy", domain)


@dataclass(frozen=True)
class OpCase:
    """One row of the table."""

    id: str
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    second_order: bool = True  # False for ops with kinks (relu, abs, max, clip, ...)
    torch_fn: Callable[..., Any] | None = None
    gradcheck_kw: dict[str, float] = field(default_factory=dict)


def draw(arg: Arg, dtype: Any, rng: np.random.Generator) -> np.ndarray:
    """Random values of ``arg``'s shape and domain."""
    if arg.domain == "real":
        values = rng.uniform(0.3, 2.0, arg.shape) * rng.choice([-1.0, 1.0], arg.shape)
    elif arg.domain == "positive":
        values = rng.uniform(0.5, 2.0, arg.shape)
    elif arg.domain == "large":
        values = rng.uniform(21.0, 25.0, arg.shape)
    else:
        raise ValueError(f"unknown domain {arg.domain!r}")
    return np.asarray(values, dtype=dtype)


def make_args(case: OpCase, dtype: Any) -> list[tuple[Any, Any]]:
    """The case's arguments as ``(kind, value)``: numpy arrays for ``Arg``s, others as given.

    Values are drawn from a generator seeded by the case id, so every test of a case (and
    every run) sees the same numbers.
    """
    rng = np.random.default_rng(zlib.crc32(case.id.encode()))
    return [
        (a.kind, draw(a, dtype, rng)) if isinstance(a, Arg) else ("value", a) for a in case.args
    ]


def tinygrad_args(case: OpCase, dtype: Any) -> list[Any]:
    """The case's arguments for tinygrad_nn: Tensors, numpy arrays and plain values."""
    import tinygrad_nn as tg

    converted = []
    for kind, value in make_args(case, dtype):
        if kind in ("grad", "const"):
            value = tg.Tensor(value, requires_grad=kind == "grad")
        converted.append(value)
    return converted


def torch_args(case: OpCase, dtype: Any) -> list[Any]:
    """The same arguments for torch: numpy arrays become constant torch tensors."""
    import torch

    converted = []
    for kind, value in make_args(case, dtype):
        if kind in ("grad", "const", "numpy"):
            value = torch.tensor(value, requires_grad=kind == "grad")
        converted.append(value)
    return converted


def shape_id(shape: tuple[int, ...]) -> str:
    """``(2, 3)`` -> ``"2x3"``, ``()`` -> ``"0d"``."""
    return "x".join(map(str, shape)) if shape else "0d"


def _arg_id(arg: Any) -> str:
    if isinstance(arg, Arg):
        prefix = {"grad": "", "const": "const", "numpy": "np"}[arg.kind]
        return prefix + shape_id(arg.shape)
    return type(arg).__name__


# ---------------------------------------------------------------- arithmetic

BINARY_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}

SAME_SHAPES = [(), (3,), (2, 3), (2, 3, 2)]
BROADCAST_PAIRS = [
    ((2, 3), (3,)), ((3,), (2, 3)), ((2, 1), (1, 3)), ((2, 3, 2), (3, 1)), ((3, 1), (2, 3, 2)),
    ((1, 3, 1), (2, 1, 2)), ((), (2, 3)), ((2, 3), ()),
]  # fmt: skip


def _binary_cases() -> list[OpCase]:
    cases = []
    for name, op in BINARY_OPS.items():
        base = "positive" if name == "pow" else "real"
        scalar_base = 1.7 if name == "pow" else 2.5

        def fn(lib: Any, a: Any, b: Any, op: Callable = op) -> Any:
            return op(a, b)

        pairs = [(T(*s, domain=base), T(*s)) for s in SAME_SHAPES]
        pairs += [(T(*sa, domain=base), T(*sb)) for sa, sb in BROADCAST_PAIRS]
        pairs += [
            (T(2, 3, domain=base), -1.5),            # python scalar on the right
            (scalar_base, T(2, 3)),                  # python scalar on the left (reflected)
            (T(2, 3, domain=base), 3),               # python int on the right
            (T(2, 3, domain=base), N(2, 3)),         # numpy array on the right
            (N(2, 3, domain=base), T(2, 3)),         # numpy array on the left
            (N(3, domain=base), T(2, 3)),            # numpy on the left, broadcast
            (T(3, domain=base), N(2, 3)),            # numpy on the right, broadcast up
            (T(2, 3, domain=base), C(3)),            # a Tensor that needs no grad
        ]  # fmt: skip
        for a, b in pairs:
            cases.append(OpCase(f"{name}-{_arg_id(a)}-{_arg_id(b)}", fn, (a, b)))
    cases.append(OpCase("pow-tensor-0.5", lambda lib, x: x**0.5, (T(2, 3, domain="positive"),)))
    cases.append(OpCase("pow-tensor-2", lambda lib, x: x**2, (T(2, 3),)))
    cases.append(OpCase("pow-tensor-neg1.5", lambda lib, x: x**-1.5,
                        (T(2, 3, domain="positive"),)))  # fmt: skip
    cases.append(OpCase("neg-operator-2x3", lambda lib, x: -x, (T(2, 3),)))
    cases.append(OpCase("rsub-int-2x3", lambda lib, x: 1 - x, (T(2, 3),)))
    cases.append(OpCase("rdiv-float-2x3", lambda lib, x: 1.0 / x, (T(2, 3),)))
    return cases


# ---------------------------------------------------------------- elementwise


def _torch_functional() -> Any:
    import torch.nn.functional

    return torch.nn.functional


UNARY_OPS: dict[str, tuple[Callable, Callable | None, str, bool]] = {
    # name: (fn, torch_fn or None, domain, smooth)
    "neg": (lambda lib, x: -x, None, "real", True),
    "abs": (lambda lib, x: x.abs(), None, "real", False),
    "builtin_abs": (lambda lib, x: abs(x), None, "real", False),
    "exp": (lambda lib, x: x.exp(), None, "real", True),
    "log": (lambda lib, x: x.log(), None, "positive", True),
    "sqrt": (lambda lib, x: x.sqrt(), None, "positive", True),
    "sin": (lambda lib, x: x.sin(), None, "real", True),
    "cos": (lambda lib, x: x.cos(), None, "real", True),
    "tanh": (lambda lib, x: x.tanh(), None, "real", True),
    "sigmoid": (lambda lib, x: x.sigmoid(), None, "real", True),
    "relu": (lambda lib, x: x.relu(), None, "real", False),
    "leaky_relu": (lambda lib, x: x.leaky_relu(),
                   lambda lib, x: _torch_functional().leaky_relu(x), "real", False),
    "leaky_relu_0.2": (lambda lib, x: x.leaky_relu(negative_slope=0.2),
                       lambda lib, x: _torch_functional().leaky_relu(x, 0.2), "real", False),
    "softplus": (lambda lib, x: x.softplus(),
                 lambda lib, x: _torch_functional().softplus(x), "real", True),
    "softplus_beta2": (lambda lib, x: x.softplus(beta=2.0),
                       lambda lib, x: _torch_functional().softplus(x, beta=2.0), "real", True),
    "softplus_linear_region": (lambda lib, x: x.softplus(),
                               lambda lib, x: _torch_functional().softplus(x), "large", True),
    "gelu": (lambda lib, x: x.gelu(), lambda lib, x: _torch_functional().gelu(x), "real", True),
    "gelu_tanh": (lambda lib, x: x.gelu(approximate="tanh"),
                  lambda lib, x: _torch_functional().gelu(x, approximate="tanh"), "real", True),
    "clip": (lambda lib, x: x.clip(-1.0, 1.0), None, "real", False),
    "clip_min": (lambda lib, x: x.clip(min=-0.8), None, "real", False),
    "clip_max": (lambda lib, x: x.clip(max=0.8), None, "real", False),
    "clamp": (lambda lib, x: x.clamp(min=-1.2, max=0.9), None, "real", False),
    "clamp_min": (lambda lib, x: x.clamp_min(-0.8), None, "real", False),
    "clamp_max": (lambda lib, x: x.clamp_max(0.8), None, "real", False),
    "log10": (lambda lib, x: x.log10(), None, "positive", True),
    "log2": (lambda lib, x: x.log2(), None, "positive", True),
    "log1p": (lambda lib, x: x.log1p(), None, "positive", True),
    "expm1": (lambda lib, x: x.expm1(), None, "real", True),
    "rsqrt": (lambda lib, x: x.rsqrt(), None, "positive", True),
    "reciprocal": (lambda lib, x: x.reciprocal(), None, "real", True),
    "square": (lambda lib, x: x.square(), None, "real", True),
    "neg_method": (lambda lib, x: x.neg(), None, "real", True),
    "negative": (lambda lib, x: x.negative(), None, "real", True),
    "clone": (lambda lib, x: x.clone() * x, None, "real", True),
    # piecewise constant: a gradient of 0, as PyTorch
    "sign": (lambda lib, x: x.sign() * x, None, "real", False),
    "floor": (lambda lib, x: x.floor() + x, None, "real", False),
    "ceil": (lambda lib, x: x.ceil() + x, None, "real", False),
    "round": (lambda lib, x: x.round() + x, None, "real", False),
    "trunc": (lambda lib, x: x.trunc() + x, None, "real", False),
}  # fmt: skip

UNARY_SHAPES = [(), (3,), (2, 3), (2, 3, 2)]


def _unary_cases() -> list[OpCase]:
    return [
        OpCase(f"{name}-{shape_id(shape)}", fn, (T(*shape, domain=domain),), smooth, torch_fn)
        for name, (fn, torch_fn, domain, smooth) in UNARY_OPS.items()
        for shape in UNARY_SHAPES
    ]


def _pairwise_cases() -> list[OpCase]:
    def torch_max(lib: Any, a: Any, b: Any) -> Any:
        return lib.maximum(a, lib.as_tensor(b, dtype=a.dtype))

    def torch_min(lib: Any, a: Any, b: Any) -> Any:
        return lib.minimum(a, lib.as_tensor(b, dtype=a.dtype))

    mask = np.array([[True, False, True], [False, False, True]])
    return [
        OpCase("maximum-2x3-2x3", lambda lib, a, b: lib.maximum(a, b), (T(2, 3), T(2, 3)), False),
        OpCase("maximum-2x3-3", lambda lib, a, b: lib.maximum(a, b), (T(2, 3), T(3)), False),
        OpCase("maximum-3-2x3x3", lambda lib, a, b: lib.maximum(a, b), (T(3), T(2, 3, 3)),
               False),
        OpCase("maximum-2x3-float", lambda lib, a, b: lib.maximum(a, b), (T(2, 3), 0.5), False,
               torch_max),
        OpCase("minimum-2x3-2x3", lambda lib, a, b: lib.minimum(a, b), (T(2, 3), T(2, 3)), False),
        OpCase("minimum-2x1-1x3", lambda lib, a, b: lib.minimum(a, b), (T(2, 1), T(1, 3)), False),
        OpCase("minimum-2x3-np2x3", lambda lib, a, b: lib.minimum(a, b), (T(2, 3), N(2, 3)),
               False),
        OpCase("minimum-2x3-float", lambda lib, a, b: lib.minimum(a, b), (T(2, 3), -0.5), False,
               torch_min),
        OpCase("where-2x3-2x3", lambda lib, a, b: lib.where(lib.tensor(mask), a, b),
               (T(2, 3), T(2, 3))),
        OpCase("where-2x3-3", lambda lib, a, b: lib.where(lib.tensor(mask), a, b),
               (T(2, 3), T(3))),
        OpCase("where-1-2x3", lambda lib, a, b: lib.where(lib.tensor(mask), a, b),
               (T(1), T(2, 3))),
        OpCase("where-by-comparison", lambda lib, a, b: lib.where(a > b, a * b, b - a),
               (T(2, 3), T(2, 3))),
        OpCase("where-2x3-float", lambda lib, a: lib.where(lib.tensor(mask), a, 0.25), (T(2, 3),)),
        OpCase("where-float-2x3", lambda lib, b: lib.where(lib.tensor(mask), -2.0, b), (T(2, 3),)),
        OpCase("where-numpy-condition", lambda lib, a, b: lib.where(mask, a, b),
               (T(2, 3), T(2, 3)), True, lambda lib, a, b: lib.where(lib.tensor(mask), a, b)),
    ]  # fmt: skip


# ---------------------------------------------------------------- reductions


def _torch_dims(axis: Any, ndim: int) -> Any:
    """torch's ``dim`` for an axis argument: None means every axis (0 for a 0-d tensor)."""
    if axis is None:
        return tuple(range(ndim)) if ndim else 0
    return axis


def _reduction(name: str, axis: Any, keep: bool) -> tuple[Callable, Callable]:
    """The tinygrad_nn call (numpy spelling) and the torch call of one reduction."""
    ddof = 1 if name.endswith("ddof1") else 0
    method = name.split("_")[0]

    def tg_fn(lib: Any, x: Any) -> Any:
        if method in ("var", "std"):
            return getattr(x, method)(axis=axis, keepdims=keep, ddof=ddof)
        if method in ("amax", "amin"):
            return getattr(x, method)(dim=axis, keepdim=keep)
        return getattr(x, method)(axis=axis, keepdims=keep)

    def torch_fn(lib: Any, x: Any) -> Any:
        dims = _torch_dims(axis, x.ndim)
        if method in ("var", "std"):
            return getattr(lib, method)(x, dim=dims, correction=ddof, keepdim=keep)
        if method in ("amax", "amin"):
            return getattr(lib, method)(x, dim=dims, keepdim=keep)
        if method == "logsumexp":
            return lib.logsumexp(x, dim=dims, keepdim=keep)
        return getattr(x, method)(dim=None if axis is None else axis, keepdim=keep)

    return tg_fn, torch_fn


REDUCTIONS = ["sum", "mean", "amax", "amin", "var", "var_ddof1", "std", "std_ddof1", "logsumexp"]
REDUCTION_AXES: list[tuple[tuple[int, ...], Any]] = [
    ((), None), ((4,), None), ((4,), 0), ((4,), -1),
    ((2, 3, 4), None), ((2, 3, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), -1), ((2, 3, 4), (0, 2)),
    ((2, 3, 4), (-1, 0)),
]  # fmt: skip


def _reduction_cases() -> list[OpCase]:
    cases = []
    for name in REDUCTIONS:
        for shape, axis in REDUCTION_AXES:
            if shape == () and name.startswith(("var", "std")):
                continue  # the variance of one number is 0: its sqrt has no gradient
            for keep in (False, True):
                tg_fn, torch_fn = _reduction(name, axis, keep)
                axis_id = "all" if axis is None else str(axis).replace(" ", "")
                cases.append(OpCase(
                    f"{name}-{shape_id(shape)}-axis{axis_id}-keepdims{keep}", tg_fn,
                    (T(*shape),), not name.startswith(("amax", "amin")), torch_fn,
                ))  # fmt: skip
    # PyTorch spellings: dim=, keepdim=, positional axis, correction=
    cases += [
        OpCase("sum-dim1-keepdim", lambda lib, x: x.sum(dim=1, keepdim=True), (T(2, 3, 4),)),
        OpCase("sum-positional-axis", lambda lib, x: x.sum(1), (T(2, 3, 4),)),
        OpCase("sum-positional-axis-keepdims", lambda lib, x: x.sum(-1, True), (T(2, 3, 4),)),
        OpCase("mean-dim-tuple-keepdim", lambda lib, x: x.mean(dim=(0, 2), keepdim=True),
               (T(2, 3, 4),)),
        OpCase("mean-positional-axis", lambda lib, x: x.mean(0), (T(2, 3, 4),)),
        OpCase("max-dim-keepdim", lambda lib, x: x.max(dim=1, keepdim=True).values,
               (T(2, 3, 4),), False),
        OpCase("min-positional-axis", lambda lib, x: x.min(-1)[0], (T(2, 3, 4),), False),
        OpCase("var-dim-correction", lambda lib, x: x.var(dim=1, keepdim=True, correction=1),
               (T(2, 3, 4),)),
        OpCase("std-dim-correction0", lambda lib, x: x.std(dim=-1, correction=0), (T(2, 3, 4),)),
        OpCase("logsumexp-dim-keepdim", lambda lib, x: x.logsumexp(dim=1, keepdim=True),
               (T(2, 3, 4),)),
        OpCase("logsumexp-positional-axis", lambda lib, x: x.logsumexp(-1), (T(2, 3, 4),)),
    ]  # fmt: skip
    return cases


def _softmax_cases() -> list[OpCase]:
    cases = []
    for name in ("softmax", "log_softmax"):
        cases += [
            OpCase(f"{name}-3-default", lambda lib, x, n=name: getattr(x, n)(), (T(3),), True,
                   lambda lib, x, n=name: getattr(x, n)(-1)),
            OpCase(f"{name}-2x3-default", lambda lib, x, n=name: getattr(x, n)(), (T(2, 3),),
                   True, lambda lib, x, n=name: getattr(x, n)(-1)),
            OpCase(f"{name}-2x3x4-axis0", lambda lib, x, n=name: getattr(x, n)(axis=0),
                   (T(2, 3, 4),), True, lambda lib, x, n=name: getattr(x, n)(0)),
            OpCase(f"{name}-2x3x4-dim1", lambda lib, x, n=name: getattr(x, n)(dim=1),
                   (T(2, 3, 4),)),
            OpCase(f"{name}-2x3x4-positional-neg1", lambda lib, x, n=name: getattr(x, n)(-1),
                   (T(2, 3, 4),)),
        ]  # fmt: skip
    return cases


# ---------------------------------------------------------------- shape


def _torch_pad(widths: tuple[tuple[int, int], ...], value: float) -> Callable:
    def pad(lib: Any, x: Any) -> Any:
        flat = tuple(n for pair in reversed(widths) for n in pair)
        return _torch_functional().pad(x, flat, value=value)

    return pad


def _shape_cases() -> list[OpCase]:
    def reverse_axes(lib: Any, x: Any) -> Any:
        return x.permute(*reversed(range(x.ndim)))

    def cat_axis1(lib: Any, a: Any, b: Any) -> Any:
        return lib.cat([a, b], dim=1)

    return [
        OpCase("reshape-minus1", lambda lib, x: x.reshape(-1), (T(2, 3, 2),)),
        OpCase("reshape-varargs", lambda lib, x: x.reshape(3, -1), (T(2, 3, 2),)),
        OpCase("reshape-tuple", lambda lib, x: x.reshape((4, 3)), (T(2, 3, 2),)),
        OpCase("reshape-0d-to-1x1", lambda lib, x: x.reshape(1, 1), (T(),)),
        OpCase("view-varargs", lambda lib, x: x.view(6, 2), (T(2, 3, 2),)),
        OpCase("view-minus1", lambda lib, x: x.view(-1, 2), (T(2, 3, 2),)),
        OpCase("flatten-default", lambda lib, x: x.flatten(), (T(2, 3, 2),)),
        OpCase("flatten-start1", lambda lib, x: x.flatten(1), (T(2, 3, 2),)),
        OpCase("flatten-start0-end1", lambda lib, x: x.flatten(0, 1), (T(2, 3, 2),)),
        OpCase("flatten-start_axis-end_axis", lambda lib, x: x.flatten(start_axis=1, end_axis=2),
               (T(2, 3, 2),), True, lambda lib, x: x.flatten(1, 2)),
        OpCase("flatten-start_dim-end_dim", lambda lib, x: x.flatten(start_dim=0, end_dim=-2),
               (T(2, 3, 2),)),
        OpCase("flatten-0d", lambda lib, x: x.flatten(), (T(),)),
        OpCase("transpose-0-1", lambda lib, x: x.transpose(0, 1), (T(2, 3),)),
        OpCase("transpose-neg1-0", lambda lib, x: x.transpose(-1, 0), (T(2, 3, 2),)),
        OpCase("transpose-dim0-dim1", lambda lib, x: x.transpose(dim0=0, dim1=2), (T(2, 3, 2),)),
        OpCase("permute-varargs", lambda lib, x: x.permute(2, 0, 1), (T(2, 3, 4),)),
        OpCase("permute-tuple", lambda lib, x: x.permute((1, 2, 0)), (T(2, 3, 4),)),
        OpCase("T-2d", lambda lib, x: x.T, (T(2, 3),)),
        OpCase("T-3d", lambda lib, x: x.T, (T(2, 3, 4),), True, reverse_axes),
        OpCase("T-1d", lambda lib, x: x.T, (T(3),), True, reverse_axes),
        OpCase("squeeze-all", lambda lib, x: x.squeeze(), (T(2, 1, 3, 1),)),
        OpCase("squeeze-axis1", lambda lib, x: x.squeeze(1), (T(2, 1, 3, 1),)),
        OpCase("squeeze-neg1", lambda lib, x: x.squeeze(-1), (T(2, 1, 3, 1),)),
        OpCase("squeeze-dim", lambda lib, x: x.squeeze(dim=1), (T(2, 1, 3, 1),)),
        OpCase("squeeze-non-unit-axis", lambda lib, x: x.squeeze(0), (T(2, 1, 3, 1),)),
        OpCase("unsqueeze-0", lambda lib, x: x.unsqueeze(0), (T(2, 3),)),
        OpCase("unsqueeze-neg1", lambda lib, x: x.unsqueeze(-1), (T(2, 3),)),
        OpCase("unsqueeze-dim1", lambda lib, x: x.unsqueeze(dim=1), (T(2, 3),)),
        OpCase("unsqueeze-0d", lambda lib, x: x.unsqueeze(0), (T(),)),
        OpCase("expand-3x1-to-2x3x4", lambda lib, x: x.expand(2, 3, 4), (T(3, 1),)),
        OpCase("expand-minus1", lambda lib, x: x.expand(-1, 4), (T(3, 1),)),
        OpCase("expand-tuple", lambda lib, x: x.expand((2, 3)), (T(3),)),
        OpCase("expand-0d", lambda lib, x: x.expand(2, 3), (T(),)),
        OpCase("cat-axis0", lambda lib, a, b: lib.cat([a, b]), (T(2, 3), T(1, 3))),
        OpCase("cat-axis1-keyword", lambda lib, a, b: lib.cat([a, b], axis=1),
               (T(2, 3), T(2, 2)), True, cat_axis1),
        OpCase("cat-dim-neg1", lambda lib, a, b, c: lib.cat((a, b, c), dim=-1),
               (T(2, 1), T(2, 3), T(2, 2))),
        OpCase("cat-with-constant", lambda lib, a, b: lib.cat([a, b], dim=0), (T(2, 3), C(2, 3))),
        OpCase("cat-same-tensor-twice", lambda lib, a: lib.cat([a, a], dim=0), (T(2, 3),)),
        OpCase("stack-axis0", lambda lib, a, b: lib.stack([a, b]), (T(2, 3), T(2, 3))),
        OpCase("stack-axis-neg1", lambda lib, a, b: lib.stack([a, b], axis=-1),
               (T(2, 3), T(2, 3)), True, lambda lib, a, b: lib.stack([a, b], dim=-1)),
        OpCase("stack-dim1", lambda lib, a, b, c: lib.stack((a, b, c), dim=1),
               (T(3,), T(3,), T(3,))),
        OpCase("stack-0d", lambda lib, a, b: lib.stack([a, b]), (T(), T())),
        OpCase("pad-2d", lambda lib, x: x.pad(((1, 2), (0, 1))), (T(2, 3),), True,
               _torch_pad(((1, 2), (0, 1)), 0.0)),
        OpCase("pad-2d-value", lambda lib, x: x.pad(((0, 1), (2, 0)), value=1.5), (T(2, 3),),
               True, _torch_pad(((0, 1), (2, 0)), 1.5)),
        OpCase("pad-3d", lambda lib, x: x.pad(((0, 0), (1, 1), (2, 0))), (T(2, 3, 2),), True,
               _torch_pad(((0, 0), (1, 1), (2, 0)), 0.0)),
        OpCase("astype-float32", lambda lib, x: x.astype(lib.float32), (T(2, 3),), False,
               lambda lib, x: x.to(lib.float32), {"eps": 1e-2}),
        OpCase("astype-float64", lambda lib, x: x.astype(lib.float64), (T(2, 3),), True,
               lambda lib, x: x.to(lib.float64)),
        OpCase("float-then-double", lambda lib, x: x.float().double() * x, (T(2, 3),), False,
               None, {"eps": 1e-2, "atol": 1e-4}),
    ]  # fmt: skip


# ---------------------------------------------------------------- indexing


def _index_cases() -> list[OpCase]:
    mask = np.array([[True, False, True, False, True], [False] * 5, [True] * 5,
                     [False, True, False, False, False]])  # fmt: skip
    x45, x345 = T(4, 5), T(3, 4, 5)
    rows = [
        ("int", lambda lib, x: x[1], x45),
        ("negative-int", lambda lib, x: x[-1], x45),
        ("two-ints", lambda lib, x: x[1, 2], x45),
        ("slice", lambda lib, x: x[1:3], x45),
        ("slice-step", lambda lib, x: x[::2], x45),
        ("slices-steps", lambda lib, x: x[1:4:2, ::3], x45),
        ("slice-and-int", lambda lib, x: x[:, 1:4, 2], x345),
        ("none", lambda lib, x: x[None], x45),
        ("none-middle", lambda lib, x: x[:, None, 2], x45),
        ("ellipsis", lambda lib, x: x[..., 1], x345),
        ("ellipsis-slice", lambda lib, x: x[1, ..., ::2], x345),
        ("list", lambda lib, x: x[[0, 2, 3]], x45),
        ("list-repeated", lambda lib, x: x[[0, 2, 2, 0, 2]], x45),
        ("numpy-array-repeated", lambda lib, x: x[np.array([3, 0, 3])], x45),
        ("int-tensor-repeated", lambda lib, x: x[lib.tensor([1, 1, 2])], x45),
        ("2d-int-array", lambda lib, x: x[np.array([[0, 1], [1, 3]])], x45),
        ("two-arrays", lambda lib, x: x[[0, 1, 1], [2, 3, 3]], x45),
        ("slice-and-array", lambda lib, x: x[1:, [4, 0, 4]], x45),
        ("ellipsis-and-list", lambda lib, x: x[..., [1, 1]], x345),
        ("bool-numpy-mask", lambda lib, x: x[mask], x45),
        ("bool-tensor-mask", lambda lib, x: x[lib.tensor(mask)], x45),
        ("bool-row-mask", lambda lib, x: x[np.array([True, False, True])], x345),
        ("comparison-mask", lambda lib, x: x[x > 0], x45),
    ]
    cases = [OpCase(f"getitem-{name}", fn, (arg,)) for name, fn, arg in rows]
    cases.append(OpCase("getitem-negative-step", lambda lib, x: x[::-1], (T(4, 5),), True,
                        lambda lib, x: x.flip(0)))  # fmt: skip
    return cases


# ---------------------------------------------------------------- matmul


def _matmul_cases() -> list[OpCase]:
    def mm(lib: Any, a: Any, b: Any) -> Any:
        return a @ b

    pairs = [
        ((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((2, 2, 3), (3, 4)),
        ((2, 3), (2, 3, 4)), ((2, 2, 3), (2, 3, 4)), ((2, 1, 2, 3), (3, 3, 4)),
        ((3,), (2, 3, 4)), ((2, 2, 3), (3,)), ((1, 2, 3), (2, 3, 2)),
    ]  # fmt: skip
    cases = [OpCase(f"matmul-{shape_id(a)}-{shape_id(b)}", mm, (T(*a), T(*b))) for a, b in pairs]
    cases += [
        OpCase("matmul-function", lambda lib, a, b: lib.matmul(a, b), (T(2, 3), T(3, 2))),
        OpCase("matmul-numpy-left", mm, (N(2, 3), T(3, 4))),
        OpCase("matmul-numpy-right", mm, (T(2, 3), N(3, 4))),
        OpCase("matmul-list-left", lambda lib, b: [[1.0, -2.0, 0.5]] @ b, (T(3, 2),), True,
               lambda lib, b: lib.tensor([[1.0, -2.0, 0.5]], dtype=b.dtype) @ b),
        OpCase("matmul-shared-weight-chain", lambda lib, x, w: (x @ w).tanh() @ w,
               (T(2, 3, 3), T(3, 3))),
    ]  # fmt: skip
    return cases


# ---------------------------------------------------------------- PyTorch's names (API.md §9)


def _alias_cases() -> list[OpCase]:
    return [
        OpCase("add_method-alpha", lambda lib, a, b: a.add(b, alpha=2.5), (T(2, 3), T(3))),
        OpCase("add_method-number", lambda lib, a: a.add(1.5), (T(2, 3),)),
        OpCase("sub_method-alpha", lambda lib, a, b: a.sub(b, alpha=-0.5), (T(2, 3), T(2, 3))),
        OpCase("subtract", lambda lib, a, b: a.subtract(b), (T(2, 3), T(2, 1))),
        OpCase("mul_method", lambda lib, a, b: a.mul(b), (T(2, 3), T(3))),
        OpCase("multiply", lambda lib, a, b: a.multiply(b), (T(2, 3), T(2, 3))),
        OpCase("div_method", lambda lib, a, b: a.div(b), (T(2, 3), T(3))),
        OpCase("divide", lambda lib, a: a.divide(2.0), (T(2, 3),)),
        OpCase("pow_method", lambda lib, a: a.pow(3), (T(2, 3),)),
        OpCase("pow_method-tensor", lambda lib, a, b: a.pow(b), (T(2, 3, domain="positive"), T(3))),
        OpCase("maximum_method", lambda lib, a, b: a.maximum(b), (T(2, 3), T(3)), False),
        OpCase("minimum_method", lambda lib, a, b: a.minimum(b), (T(2, 3), T(2, 3)), False),
        OpCase("max_other", lambda lib, a, b: a.max(b), (T(2, 3), T(3)), False),
        OpCase("min_other", lambda lib, a, b: a.min(b), (T(2, 3), T(2, 3)), False),
        OpCase("where_method", lambda lib, a, b: a.where(a > 0, b), (T(2, 3), T(2, 3))),
        OpCase("mm", lambda lib, a, b: a.mm(b), (T(2, 3), T(3, 4))),
        OpCase("bmm", lambda lib, a, b: a.bmm(b), (T(2, 2, 3), T(2, 3, 4))),
        OpCase("matmul_method", lambda lib, a, b: a.matmul(b), (T(2, 2, 3), T(3))),
        OpCase("t-2d", lambda lib, x: x.t(), (T(2, 3),)),
        OpCase("t-1d", lambda lib, x: x.t() * x, (T(3),)),
        OpCase("swapaxes", lambda lib, x: x.swapaxes(0, 2), (T(2, 3, 4),)),
        OpCase("swapdims", lambda lib, x: x.swapdims(-1, 1), (T(2, 3, 4),)),
        OpCase("view_as", lambda lib, x, y: x.view_as(y) * y, (T(2, 3), T(3, 2))),
        OpCase("reshape_as", lambda lib, x, y: x.reshape_as(y) * y, (T(6), T(2, 3))),
        OpCase("expand_as", lambda lib, x, y: x.expand_as(y) * y, (T(3, 1), T(2, 3, 4))),
    ]  # fmt: skip


# ---------------------------------------------------------------- max(dim), var, prod, ...


def _values_reduction_cases() -> list[OpCase]:
    cases = []
    for op in ("max", "min"):
        for shape, dim in (((3,), 0), ((2, 3), 0), ((2, 3), 1), ((2, 3), -1), ((2, 3, 2), 1),
                           ((), 0)):
            for keep in (False, True):
                cases.append(OpCase(
                    f"{op}-{shape_id(shape)}-dim{dim}-keepdim{keep}",
                    lambda lib, x, op=op, dim=dim, keep=keep: getattr(x, op)(dim, keep).values,
                    (T(*shape),), False,
                ))  # fmt: skip
        for shape in ((), (3,), (2, 3)):
            cases.append(OpCase(f"{op}-{shape_id(shape)}-all",
                                lambda lib, x, op=op: getattr(x, op)(), (T(*shape),), False))
    for op in ("max", "min"):
        cases += [
            OpCase(f"{op}-axis-keyword-unpacked", lambda lib, x, op=op: 2 * getattr(x, op)(
                axis=1)[0], (T(2, 3, 2),), False,
                lambda lib, x, op=op: 2 * getattr(x, op)(dim=1)[0]),
            OpCase(f"{op}-keepdims-keyword", lambda lib, x, op=op: getattr(x, op)(
                -1, keepdims=True).values, (T(2, 3),), False,
                lambda lib, x, op=op: getattr(x, op)(-1, keepdim=True).values),
        ]  # fmt: skip
    cases += [
        OpCase("var-default-unbiased", lambda lib, x: x.var(), (T(2, 3),)),
        OpCase("var-positional-dim", lambda lib, x: x.var(1), (T(2, 3),)),
        OpCase("var-unbiased-false", lambda lib, x: x.var(0, unbiased=False), (T(2, 3),)),
        OpCase("var-positional-unbiased-keepdim", lambda lib, x: x.var(1, False, True),
               (T(2, 3),)),
        OpCase("var-ddof0", lambda lib, x: x.var(dim=1, ddof=0), (T(2, 3),), True,
               lambda lib, x: x.var(dim=1, correction=0)),
        OpCase("std-default-unbiased", lambda lib, x: x.std(), (T(2, 3),)),
        OpCase("std-dim-keepdim", lambda lib, x: x.std(1, keepdim=True), (T(2, 3, 2),)),
        OpCase("std-correction2", lambda lib, x: x.std(dim=(0, 2), correction=2), (T(2, 3, 2),)),
    ]  # fmt: skip
    for shape, dim in (((), None), ((3,), None), ((3,), 0), ((2, 3), None), ((2, 3), 0),
                       ((2, 3), -1), ((2, 3, 2), 1)):
        for keep in (False, True) if dim is not None else (False,):
            def prod(lib: Any, x: Any, dim: Any = dim, keep: bool = keep) -> Any:
                return x.prod() if dim is None else x.prod(dim, keepdim=keep)

            cases.append(OpCase(f"prod-{shape_id(shape)}-dim{dim}-keepdim{keep}", prod,
                                (T(*shape),)))
    for shape, dim in (((), 0), ((3,), 0), ((2, 3), 0), ((2, 3), 1), ((2, 3), -1),
                       ((2, 3, 2), 1)):
        cases.append(OpCase(f"cumsum-{shape_id(shape)}-dim{dim}",
                            lambda lib, x, dim=dim: x.cumsum(dim), (T(*shape),)))
    cases.append(OpCase("cumsum-keyword", lambda lib, x: x.cumsum(dim=0) * x, (T(2, 3),)))
    norms = [
        ("default", lambda x: x.norm(), (3,)),
        ("default-2x3", lambda x: x.norm(), (2, 3)),
        ("fro-dim01", lambda x: x.norm(p="fro", dim=(0, 1)), (2, 3, 2)),
        ("p2-dim1", lambda x: x.norm(2, dim=1), (2, 3)),
        ("p2-dim-neg1-keepdim", lambda x: x.norm(dim=-1, keepdim=True), (2, 3, 2)),
        ("p1-dim0", lambda x: x.norm(p=1, dim=0), (2, 3)),
        ("p1-all", lambda x: x.norm(1), (2, 3)),
        ("pinf-dim1", lambda x: x.norm(p=float("inf"), dim=1), (2, 3)),
        ("pneginf-all", lambda x: x.norm(p=float("-inf")), (2, 3)),
        ("p3-dim-neg1", lambda x: x.norm(p=3, dim=-1), (2, 3, 2)),
        ("p0.5-all", lambda x: x.norm(p=0.5), (3,)),
        ("0d", lambda x: x.norm(), ()),
    ]
    for name, fn, shape in norms:
        cases.append(OpCase(f"norm-{name}", lambda lib, x, fn=fn: fn(x), (T(*shape),),
                            "inf" not in name))
    return cases


def _sort_cases() -> list[OpCase]:
    rows = [
        ("topk-5-k2", lambda x: x.topk(2).values, (5,)),
        ("topk-2x5-k3-dim1-smallest", lambda x: x.topk(3, dim=1, largest=False).values, (2, 5)),
        ("topk-3x4-k2-dim0", lambda x: x.topk(2, 0)[0], (3, 4)),
        ("topk-2x3x4-k1-dim-neg1", lambda x: x.topk(1, -1).values, (2, 3, 4)),
        ("sort-5", lambda x: x.sort().values, (5,)),
        ("sort-2x4-dim0-descending", lambda x: x.sort(0, descending=True).values, (2, 4)),
        ("sort-2x3x4-dim1", lambda x: x.sort(dim=1)[0], (2, 3, 4)),
        ("sort-then-weights", lambda x: x.sort(descending=True).values * x, (2, 3)),
    ]
    return [OpCase(name, lambda lib, x, fn=fn: fn(x), (T(*shape),)) for name, fn, shape in rows]


def _gather_cases() -> list[OpCase]:
    def indices(lib: Any, rows: Any) -> Any:
        return lib.tensor(np.array(rows))

    mask = np.array([[True, False, True], [False, False, True]])
    return [
        OpCase("gather-3x4-dim1", lambda lib, x: x.gather(
            1, indices(lib, [[0, 3], [1, 1], [2, 0]])), (T(3, 4),)),
        OpCase("gather-3x4-dim0-repeats", lambda lib, x: x.gather(
            0, indices(lib, [[0, 1, 2, 0], [0, 0, 0, 2]])), (T(3, 4),)),
        OpCase("gather-smaller-index", lambda lib, x: x.gather(
            1, indices(lib, [[2], [0]])), (T(3, 4),)),
        OpCase("gather-2x3x4-dim-neg1", lambda lib, x: x.gather(
            -1, indices(lib, np.arange(24).reshape(2, 3, 4) % 3)), (T(2, 3, 4),)),
        OpCase("index_select-4x5-dim0-repeats", lambda lib, x: x.index_select(
            0, indices(lib, [3, 0, 3])), (T(4, 5),)),
        OpCase("index_select-4x5-dim1", lambda lib, x: x.index_select(
            1, indices(lib, [4, 1])), (T(4, 5),)),
        OpCase("index_select-2x3x4-dim-neg1", lambda lib, x: x.index_select(
            -1, indices(lib, [0, 0, 1])), (T(2, 3, 4),)),
        OpCase("masked_fill-2x3", lambda lib, x: x.masked_fill(lib.tensor(mask), -2.5),
               (T(2, 3),)),
        OpCase("masked_fill-broadcast-mask", lambda lib, x: x.masked_fill(
            lib.tensor(mask[0]), 0.0), (T(4, 3),)),
        OpCase("masked_fill-0d-tensor-value", lambda lib, x, v: x.masked_fill(
            lib.tensor(mask), v), (T(2, 3), T())),
        OpCase("masked_fill-comparison", lambda lib, x: x.masked_fill(x < 0, 0.0) * x,
               (T(2, 3),)),
    ]  # fmt: skip


def _einsum_cases() -> list[OpCase]:
    rows = [
        ("matmul", "ij,jk->ik", ((2, 3), (3, 4))),
        ("batched-matmul", "bij,bjk->bik", ((2, 2, 3), (2, 3, 4))),
        ("implicit-output", "ij,jk", ((2, 3), (3, 4))),
        ("trace", "ii->", ((3, 3),)),
        ("trace-implicit", "ii", ((3, 3),)),
        ("diagonal", "ii->i", ((3, 3),)),
        ("batched-diagonal", "bii->bi", ((2, 3, 3),)),
        ("outer", "i,j->ij", ((3,), (4,))),
        ("dot", "i,i->", ((3,), (3,))),
        ("sum-all", "ij->", ((2, 3),)),
        ("row-sums", "ij->i", ((2, 3),)),
        ("transpose", "ij->ji", ((2, 3),)),
        ("ellipsis-matmul", "...ij,...jk->...ik", ((2, 2, 3), (2, 3, 4))),
        ("ellipsis-sum", "...j->...", ((2, 3, 4),)),
        ("chain-of-three", "ij,jk,kl->il", ((2, 3), (3, 4), (4, 2))),
        ("bilinear", "bn,anm,bm->ba", ((2, 3), (4, 3, 2), (2, 2))),
        ("spaces", "ij, jk -> ik", ((2, 3), (3, 4))),
    ]
    cases = [OpCase(f"einsum-{name}", lambda lib, *xs, eq=eq: lib.einsum(eq, *xs),
                    tuple(T(*shape) for shape in shapes)) for name, eq, shapes in rows]
    cases += [
        OpCase("einsum-same-operand-twice", lambda lib, a: lib.einsum("ij,ij->", a, a),
               (T(2, 3),)),
        OpCase("einsum-operand-list", lambda lib, a, b: lib.einsum("ij,jk->ik", [a, b]),
               (T(2, 3), T(3, 2))),
        OpCase("einsum-with-constant", lambda lib, a, b: lib.einsum("ij,j->i", a, b),
               (T(2, 3), C(3))),
    ]  # fmt: skip
    return cases


def _more_shape_cases() -> list[OpCase]:
    def weighted(lib: Any, pieces: Any, dim: int) -> Any:
        # a different weight per piece, so a mixed-up piece shows in the gradient
        return lib.cat([p * (i + 1) for i, p in enumerate(pieces)], dim=dim)

    return [
        OpCase("tril-3x3", lambda lib, x: x.tril(), (T(3, 3),)),
        OpCase("tril-3x4-diagonal1", lambda lib, x: x.tril(1), (T(3, 4),)),
        OpCase("tril-2x3x3-diagonal-neg1", lambda lib, x: x.tril(diagonal=-1), (T(2, 3, 3),)),
        OpCase("triu-3x3", lambda lib, x: x.triu(), (T(3, 3),)),
        OpCase("triu-4x3-diagonal-neg1", lambda lib, x: x.triu(-1), (T(4, 3),)),
        OpCase("triu-2x3x3-diagonal1", lambda lib, x: x.triu(diagonal=1), (T(2, 3, 3),)),
        OpCase("flip-3-dim0", lambda lib, x: x.flip(0) * x, (T(3),)),
        OpCase("flip-2x3-both", lambda lib, x: x.flip((0, 1)), (T(2, 3),)),
        OpCase("flip-2x3-varargs", lambda lib, x: x.flip(0, 1) * x, (T(2, 3),)),
        OpCase("flip-2x3x2-neg1", lambda lib, x: x.flip(-1), (T(2, 3, 2),)),
        OpCase("flip-dims-keyword", lambda lib, x: x.flip(dims=[1]) * x, (T(2, 3),)),
        OpCase("repeat-3-by2", lambda lib, x: x.repeat(2), (T(3),)),
        OpCase("repeat-2x3-by2x1", lambda lib, x: x.repeat(2, 1), (T(2, 3),)),
        OpCase("repeat-2x3-new-axis", lambda lib, x: x.repeat(1, 2, 3), (T(2, 3),)),
        OpCase("repeat-tuple", lambda lib, x: x.repeat((2, 2)), (T(2, 3),)),
        OpCase("repeat-0d", lambda lib, x: x.repeat(3), (T(),)),
        OpCase("split-size2-dim1", lambda lib, x: weighted(lib, x.split(2, 1), 1), (T(2, 5),)),
        OpCase("split-sections-dim0", lambda lib, x: weighted(lib, x.split([1, 3, 1]), 0),
               (T(5, 2),)),
        OpCase("split-keyword-dim", lambda lib, x: weighted(lib, x.split(1, dim=-1), -1),
               (T(2, 3),)),
        OpCase("chunk-3-dim1", lambda lib, x: weighted(lib, x.chunk(3, 1), 1), (T(2, 5),)),
        OpCase("chunk-2-dim0", lambda lib, x: weighted(lib, x.chunk(2), 0), (T(3, 4),)),
    ]  # fmt: skip


def _put(index: Any, add: bool = False) -> Callable[..., Any]:
    """``z = x * 1; z[index] = y`` (or ``+=``): item assignment recorded as index_put."""
    def fn(lib: Any, x: Any, y: Any) -> Any:
        z = x * 1
        where = lib.tensor(index) if isinstance(index, list) else index
        if add:
            z[where] += y
        else:
            z[where] = y
        return z * x
    return fn


def _shift_in_place(x: Any) -> Any:
    """``z[1:] = z[:-1] * 2`` on ``z = x * x``: the value reads the tensor it is written into."""
    z = x * x
    z[1:] = z[:-1] * 2
    return z * x


def _gap_cases() -> list[OpCase]:
    def halves(lib: Any, pieces: Any) -> Any:
        return lib.stack([p * (i + 1) for i, p in enumerate(pieces)], 0)

    return [
        OpCase("roll-5-by2", lambda lib, x: x.roll(2) * x, (T(5),)),
        OpCase("roll-2x3-flat-neg1", lambda lib, x: x.roll(-1), (T(2, 3),)),
        OpCase("roll-3x4-dim1", lambda lib, x: x.roll(1, 1) * x, (T(3, 4),)),
        OpCase("roll-3x4-two-dims", lambda lib, x: x.roll((1, -2), (0, 1)) * x, (T(3, 4),)),
        OpCase("mv-3x4", lambda lib, a, v: a.mv(v), (T(3, 4), T(4))),
        OpCase("mv-function-const-vector", lambda lib, a, v: lib.mv(a, v), (T(2, 3), C(3))),
        OpCase("unbind-2x3-dim1", lambda lib, x: halves(lib, x.unbind(1)), (T(2, 3),)),
        OpCase("unbind-3x2-function", lambda lib, x: halves(lib, lib.unbind(x)), (T(3, 2),)),
        OpCase("contiguous-of-transpose", lambda lib, x: x.t().contiguous() * 2, (T(2, 3),)),
        OpCase("index_put-int-list", _put([0, 2]), (T(4, 3), T(2, 3))),
        OpCase("index_put-slice-broadcast", _put(slice(1, 3)), (T(4, 3), T(3))),
        OpCase("index_put-mask", _put([True, False, True, False]), (T(4, 2), T(2, 2))),
        OpCase("index_put-add-into-constant", _put([1, 3], add=True), (C(4,), T(2,))),
        OpCase("index_put-add-into-a-tensor-requiring-grad", _put([0, 2], add=True),
               (T(4, 3), T(2, 3))),
        OpCase("index_put-slice-reads-itself", lambda lib, x: _shift_in_place(x), (T(5),)),
        OpCase("index_put-add-into-constant-2d", _put([0, 2], add=True), (C(3, 2), T(2, 2))),
        OpCase("index_put-int", _put(2), (T(3, 2), T())),
    ]  # fmt: skip


CASES: list[OpCase] = (
    _binary_cases() + _unary_cases() + _pairwise_cases() + _reduction_cases()
    + _softmax_cases() + _shape_cases() + _index_cases() + _matmul_cases()
    + _alias_cases() + _values_reduction_cases() + _sort_cases() + _gather_cases()
    + _einsum_cases() + _more_shape_cases() + _gap_cases()
)  # fmt: skip

_ids = [case.id for case in CASES]
assert len(set(_ids)) == len(_ids), "every case id must be unique"

# Rows that fail because of a core bug reported to the lead, by id -> reason; each is marked
# strict xfail until the fix lands (all fixed so far).
KNOWN_CORE_BUGS: dict[str, str] = {}


def params(cases: list[OpCase]) -> list[Any]:
    """The cases as pytest params with readable ids, known core bugs marked strict xfail."""
    return [
        pytest.param(case, id=case.id, marks=pytest.mark.xfail(
            strict=True, reason=KNOWN_CORE_BUGS[case.id]) if case.id in KNOWN_CORE_BUGS else ())
        for case in cases
    ]  # fmt: skip
