"""PyTorch's top-level functions: ``tg.exp(t)``, ``tg.sum(t, dim=1)``, ``tg.matmul(a, b)``...

Almost every one is a Tensor method called as a function: ``tg.exp(t)`` is
``t.exp()``, ``tg.sum(t, dim=1)`` is ``t.sum(dim=1)``. The table below makes
those by delegation, so a method's rule (and its gradient) lives in one place,
``tensor.py``, and the function cannot drift from it. As in PyTorch the first
parameter is ``input``; a number, list or numpy array given there becomes a
tensor first. Functions whose first argument is not one tensor (``cat``,
``stack``, ``where``) and the matrix products with PyTorch's shape
checks (``mm``, ``bmm``, ``dot``) are written out below the table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .autograd import is_grad_enabled
from .tensor import Tensor, cat, stack  # noqa: F401 - stack is re-exported as tg.stack
from .tensor import matmul as _matmul
from .tensor import maximum as _maximum
from .tensor import minimum as _minimum
from .tensor import where as _where


def _as_tensor(input: Any) -> Tensor:  # noqa: A002 - PyTorch's parameter name
    """``input`` itself if it is a Tensor, else a new tensor made from it."""
    return input if isinstance(input, Tensor) else Tensor(input)


def _delegate(name: str, method: str | None = None) -> Callable[..., Any]:
    """The function ``name(input, *args, **kwargs)``: ``input.<method>(*args, **kwargs)``.

    The method is looked up when the function is called, so a method that
    ``Tensor`` gains later is reached through its function without a change here.
    """
    method = method or name

    def function(input: Any, *args: Any, out: Any = None, **kwargs: Any) -> Any:  # noqa: A002
        result = getattr(_as_tensor(input), method)(*args, **kwargs)
        return result if out is None else write_out(result, out, name)

    function.__name__ = function.__qualname__ = name
    function.__module__ = __name__
    summary = f"``tg.{name}(input, ...)`` is ``input.{method}(...)``, as ``torch.{name}``."
    method_doc = getattr(getattr(Tensor, method, None), "__doc__", None)
    function.__doc__ = summary if method_doc is None else f"{summary}\n\n{method_doc}"
    return function


def write_out(result: Any, out: Any, name: str) -> Any:
    """Store ``result`` in the given ``out=`` tensor(s) and return them, as PyTorch does.

    As in PyTorch, ``out=`` is not differentiable: with grad mode on it raises when the
    result or ``out`` requires grad. An ``out`` of another shape is resized to the result's.
    """
    if isinstance(result, tuple):
        if not isinstance(out, tuple | list) or len(out) != len(result):
            raise TypeError(f"{name}(out=...) needs a tuple of {len(result)} tensors")
        return type(result)(*(write_out(r, o, name) for r, o in zip(result, out, strict=True)))
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(out=...) needs a Tensor, got {type(out).__name__}")
    if is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad"
        )
    if out.shape == result.shape:
        out._data[...] = result._data
    else:
        out._data = result._data.astype(out.dtype)
    out._mark_changed()
    return out


# ---------------------------------------------------------------- delegated to Tensor methods

# arithmetic (PyTorch's aliases beside the short names)
add = _delegate("add")
sub = _delegate("sub")
subtract = _delegate("subtract", "sub")
mul = _delegate("mul")
multiply = _delegate("multiply", "mul")
div = _delegate("div")
divide = _delegate("divide", "div")
true_divide = _delegate("true_divide", "div")
pow = _delegate("pow")
neg = _delegate("neg")
negative = _delegate("negative", "neg")
abs = _delegate("abs")
absolute = _delegate("absolute", "abs")
clamp = _delegate("clamp")
clip = _delegate("clip")

# elementwise functions
exp = _delegate("exp")
expm1 = _delegate("expm1")
log = _delegate("log")
log10 = _delegate("log10")
log2 = _delegate("log2")
log1p = _delegate("log1p")
sqrt = _delegate("sqrt")
rsqrt = _delegate("rsqrt")
reciprocal = _delegate("reciprocal")
square = _delegate("square")
sin = _delegate("sin")
cos = _delegate("cos")
tanh = _delegate("tanh")
sigmoid = _delegate("sigmoid")
relu = _delegate("relu")
erf = _delegate("erf")
sign = _delegate("sign")
floor = _delegate("floor")
ceil = _delegate("ceil")
round = _delegate("round")

# reductions
sum = _delegate("sum")
mean = _delegate("mean")
prod = _delegate("prod")
cumsum = _delegate("cumsum")
max = _delegate("max")
min = _delegate("min")
amax = _delegate("amax")
amin = _delegate("amin")
argmax = _delegate("argmax")
argmin = _delegate("argmin")
var = _delegate("var")
std = _delegate("std")
norm = _delegate("norm")
logsumexp = _delegate("logsumexp")
softmax = _delegate("softmax")
log_softmax = _delegate("log_softmax")
any = _delegate("any")
all = _delegate("all")
topk = _delegate("topk")
sort = _delegate("sort")
argsort = _delegate("argsort")

# comparisons (not differentiable)
eq = _delegate("eq")
ne = _delegate("ne")
lt = _delegate("lt")
le = _delegate("le")
gt = _delegate("gt")
ge = _delegate("ge")
less = _delegate("less", "lt")
less_equal = _delegate("less_equal", "le")
greater = _delegate("greater", "gt")
greater_equal = _delegate("greater_equal", "ge")
equal = _delegate("equal")
allclose = _delegate("allclose")
isclose = _delegate("isclose")
isnan = _delegate("isnan")
isinf = _delegate("isinf")
isfinite = _delegate("isfinite")

# shape and indexing
reshape = _delegate("reshape")
flatten = _delegate("flatten")
transpose = _delegate("transpose")
swapaxes = _delegate("swapaxes", "transpose")
permute = _delegate("permute")
squeeze = _delegate("squeeze")
unsqueeze = _delegate("unsqueeze")
t = _delegate("t")
flip = _delegate("flip")
tril = _delegate("tril")
triu = _delegate("triu")
split = _delegate("split")
chunk = _delegate("chunk")
repeat_interleave = _delegate("repeat_interleave")
masked_fill = _delegate("masked_fill")
gather = _delegate("gather")
index_select = _delegate("index_select")
unbind = _delegate("unbind")
roll = _delegate("roll")
mv = _delegate("mv")

# the tensor itself
numel = _delegate("numel")
clone = _delegate("clone")
detach = _delegate("detach")


# ---------------------------------------------------------------- written out


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a tinygrad_nn Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Any) -> bool:  # noqa: A002
    """Whether ``input``'s dtype is a floating type."""
    return _as_tensor(input).dtype.kind == "f"


def matmul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """Matrix product with numpy's (and PyTorch's) rules for 1-D, 2-D and batched N-D;
    ``out=`` stores it in a given tensor (not differentiable, as PyTorch)."""
    result = _matmul(input, other)
    return result if out is None else write_out(result, out, "matmul")


def _matrix_product(name: str, input: Any, other: Any, ndim: int) -> Tensor:  # noqa: A002
    a, b = _as_tensor(input), _as_tensor(other)
    if a.ndim != ndim or b.ndim != ndim:
        kind = {1: "1-D vectors", 2: "2-D matrices", 3: "3-D batches of matrices"}[ndim]
        raise ValueError(f"{name} needs two {kind}, got shapes {a.shape} and {b.shape}; "
                         "tg.matmul broadcasts")
    return _matmul(a, b)


def mm(input: Any, mat2: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """The product of two matrices, (n, m) @ (m, p) (no broadcasting, as PyTorch)."""
    result = _matrix_product("mm", input, mat2, 2)
    return result if out is None else write_out(result, out, "mm")


def bmm(input: Any, mat2: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """Batched matrix product, (b, n, m) @ (b, m, p) (no broadcasting, as PyTorch)."""
    result = _matrix_product("bmm", input, mat2, 3)
    return result if out is None else write_out(result, out, "bmm")


def dot(input: Any, tensor: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """The inner product of two 1-D tensors of one length."""
    result = _matrix_product("dot", input, tensor, 1)
    return result if out is None else write_out(result, out, "dot")


def maximum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise max; where they are equal each side gets half the gradient (as PyTorch)."""
    return _maximum(input, other)


def minimum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise min; where they are equal each side gets half the gradient (as PyTorch)."""
    return _minimum(input, other)


def where(condition: Any, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """``input`` where ``condition`` holds, else ``other`` (broadcast; differentiable in both).

    With the condition alone, the indices where it holds: a tuple of int64 tensors,
    one per axis, as ``torch.where(condition)``.
    """
    if input is None and other is None:
        return tuple(Tensor(axis) for axis in np.nonzero(_as_tensor(condition).numpy()))
    if input is None or other is None:
        raise TypeError("where needs both input and other (or neither, for the indices)")
    return _where(condition, input, other)


# cat and stack are tensor.py's own: PyTorch's (tensors, dim=0), and numpy's axis=
concat = cat
concatenate = cat
