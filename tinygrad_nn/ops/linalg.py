"""Linear algebra: ``a @ b`` with numpy's rules for 1-D, 2-D and batched operands, ``mm``,
``bmm``, ``mv``, ``einsum`` and ``norm``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import backend
from ..tensor import Tensor, _axes
from . import dual

_make = Tensor._make


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product with numpy's rules: 1-D·1-D, 1-D·2-D, 2-D·2-D and batched N-D."""
    a = a if isinstance(a, Tensor) else Tensor(a)
    a, b = a._pair(b)
    a_shape, b_shape = a._data.shape, b._data.shape
    if len(a_shape) == 2 and len(b_shape) == 2 and a_shape[1] == b_shape[0]:
        return _make(a._data @ b._data, (a, b), "matmul", _MATMUL_RULES)  # the common case
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul needs at least 1-D operands, got shapes {a.shape} and {b.shape}")
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    try:
        if inner_a != inner_b:
            raise ValueError
        if a.ndim > 2 or b.ndim > 2:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(
            f"matmul shapes {a.shape} and {b.shape} do not match: the last axis of the first "
            f"({inner_a}) must equal the {'first' if b.ndim == 1 else 'second-to-last'} axis "
            f"of the second ({inner_b}), and batch axes must broadcast"
        ) from None
    if a.ndim == 1 or b.ndim == 1:
        # promote vectors to matrices, multiply, and drop the added axis again
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        out = matmul(a2, b2)
        shape = out.shape[:-2] + (() if a.ndim == 1 else out.shape[-2:-1]) + (
            () if b.ndim == 1 else out.shape[-1:])
        out = out.reshape(shape)
        # pictures show the user's own 1-D operand, not the matrix it was promoted to
        out._drawn_as = ("matmul", (a, b)) if out.requires_grad else None
        return out
    return _make(a._data @ b._data, (a, b), "matmul", _MATMUL_RULES)


def rmatmul(a: Tensor, other: Any) -> Tensor:
    """b @ a, for an array on the left."""
    return matmul(a._operand(other), a)


# d(AB)/dA = G B^T, d(AB)/dB = A^T G (batch axes summed by the engine). For an operand
# that is a transposed view, as W.T in x @ W.T, the same product is taken transposed,
# (B G^T)^T or (G^T A)^T, so that W's gradient comes out in W's row-major layout: no
# copy into .grad, and no strided update.
def _matmul_a_rule(g: Any, out: Any, a: Any, b: Any) -> Any:
    return dual.mT(b @ dual.mT(g)) if _is_transposed(a) else g @ dual.mT(b)


def _matmul_b_rule(g: Any, out: Any, a: Any, b: Any) -> Any:
    return dual.mT(dual.mT(g) @ a) if _is_transposed(b) else dual.mT(a) @ g


_MATMUL_RULES = (_matmul_a_rule, _matmul_b_rule)


def _is_transposed(t: Any) -> bool:
    """A matrix whose rows lie further apart than its columns (a transposed view)."""
    strides = dual.data(t).strides
    return len(strides) == 2 and strides[0] < strides[1]


def mm(a: Tensor, other: Any) -> Tensor:
    """The product of two matrices (2-D only, as PyTorch's ``mm``)."""
    other = a._operand(other)
    if a.ndim != 2 or other.ndim != 2:
        raise ValueError(f"mm needs two matrices, got shapes {a.shape} and {other.shape}; "
                         "use matmul (@) for vectors and batches")
    return matmul(a, other)


def bmm(a: Tensor, other: Any) -> Tensor:
    """Batched matrix product of two 3-D tensors with the same batch size (no broadcasting)."""
    other = a._operand(other)
    if a.ndim != 3 or other.ndim != 3 or a.shape[0] != other.shape[0]:
        raise ValueError(f"bmm needs two 3-D tensors with the same batch size, got shapes "
                         f"{a.shape} and {other.shape}")
    return matmul(a, other)


def mv(a: Tensor, vec: Any) -> Tensor:
    """The product of a matrix and a vector, (n, m) @ (m,) -> (n,) (as PyTorch's ``mv``)."""
    vec = a._operand(vec)
    if a.ndim != 2 or vec.ndim != 1:
        raise ValueError(f"mv needs a matrix and a vector, got shapes {a.shape} and "
                         f"{vec.shape}; use matmul (@) for other shapes")
    return matmul(a, vec)


# ---------------------------------------------------------------- einsum

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, as ``torch.einsum``: ``einsum("ij,jk->ik", a, b)`` is a @ b.

    The operands may also come as one list. Differentiable in every operand: the gradient
    of operand i is itself an einsum, of the output's gradient with the other operands.
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum needs the equation first, a str, got {type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum needs at least one operand")
    anchor = next((t for t in operands if isinstance(t, Tensor)), None)
    anchor = anchor if anchor is not None else Tensor(operands[0])
    tensors = tuple(anchor._operand(t) for t in operands)
    if len({t.dtype for t in tensors}) > 1:
        raise TypeError(f"einsum operands must have one dtype, got "
                        f"{', '.join(str(t.dtype) for t in tensors)}")
    inputs, output = _explicit(equation.replace(" ", ""), [t.ndim for t in tensors])
    try:
        data = np.einsum(f"{','.join(inputs)}->{output}", *(t._data for t in tensors))
    except ValueError as exc:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"einsum {equation!r} does not fit operands of shapes {shapes}: "
                         f"{exc}") from None
    sizes = {letter: n for subs, t in zip(inputs, tensors, strict=True)
             for letter, n in zip(subs, t.shape, strict=True)}
    rules = tuple(_einsum_rule(i, inputs, output, sizes) for i in range(len(tensors)))
    return Tensor._make(data, tensors, "einsum", rules)


def _explicit(equation: str, ndims: list[int]) -> tuple[list[str], str]:
    """The equation's input subscripts and output, with ``...`` spelled out as letters and
    the output made explicit (numpy's rule: the letters used once, in alphabetical order)."""
    inputs_part, arrow, output = equation.partition("->")
    inputs = inputs_part.split(",")
    if len(inputs) != len(ndims):
        raise ValueError(f"einsum {equation!r} names {len(inputs)} operands, got {len(ndims)}")
    unused = [c for c in _LETTERS if c not in equation]
    spans = [ndim - (len(subs) - 3) for subs, ndim in zip(inputs, ndims, strict=True)
             if "..." in subs]
    if any(n < 0 for n in spans):
        raise ValueError(f"einsum {equation!r}: an operand has fewer dimensions than letters")
    broadcast = "".join(unused[:max(spans, default=0)])  # right-aligned, as broadcasting
    for i, (subs, ndim) in enumerate(zip(inputs, ndims, strict=True)):
        if "..." in subs:
            count = ndim - (len(subs) - 3)
            inputs[i] = subs.replace("...", broadcast[len(broadcast) - count:])
        if not all(c in _LETTERS for c in inputs[i]) or len(inputs[i]) != ndim:
            raise ValueError(f"einsum operand {i} has {ndim} dimensions, but its subscripts "
                             f"are {subs!r}")
    if not arrow:
        letters = "".join(inputs)
        output = "..." * ("..." in equation) + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1 and c not in broadcast))
    return inputs, output.replace("...", broadcast)


def _einsum_rule(i: int, inputs: list[str], output: str, sizes: dict[str, int]) -> Any:
    """The rule of operand i: einsum(output's gradient, the other operands -> operand i).

    Two cases need a constant operand beside them: a letter that operand i repeats (a
    diagonal, as in "ii->") becomes a fresh letter tied to the first by an identity matrix,
    and a letter only operand i has (summed away) comes from a vector of ones.
    """
    target, constants, constant_subs = "", [], []
    free = [c for c in _LETTERS if c not in sizes]
    others = "".join(s for k, s in enumerate(inputs) if k != i) + output
    for letter in inputs[i]:
        if letter in target:  # a repeat: tie a fresh letter to it by the identity
            fresh = free.pop()
            constants.append(np.eye(sizes[letter], dtype=bool))
            constant_subs.append(letter + fresh)
            target += fresh
            continue
        if letter not in others:  # summed away in operand i alone: the gradient is flat
            constants.append(np.ones(sizes[letter], dtype=bool))
            constant_subs.append(letter)
        target += letter
    subs = [output] + [s for k, s in enumerate(inputs) if k != i] + constant_subs
    equation = f"{','.join(subs)}->{target}"

    def einsum_rule(g: Any, out: Any, *operands: Any) -> Any:
        rest = [x for k, x in enumerate(operands) if k != i]
        values = dual.data(g)  # the constants go to g's device, in g's dtype
        xp = backend.array_module(values)
        extra = [dual.constant(g, xp.asarray(c, dtype=values.dtype)) for c in constants]
        return dual.einsum(equation, g, *rest, *extra)

    return einsum_rule


# ---------------------------------------------------------------- norm


def norm(x: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """The p-norm over ``dim`` (None: all elements, flattened), as ``torch.norm``.

    ``p`` is ``"fro"`` or 2 (Euclidean), 1, ``inf``, ``-inf``, 0 (the count of nonzeros)
    or any other number ((sum |x|^p)^(1/p)). The 2-norm's gradient x / norm is 0 where the
    norm is 0, as PyTorch's.
    """
    if dtype is not None:
        x = x.astype(dtype)
    if x._data.dtype.kind != "f":
        raise TypeError(f"norm needs a floating tensor, got {x.dtype}")
    axes = _axes(dim, x.ndim)
    if p == "fro" or p == 2:
        return _two_norm(x, axes, keepdim)
    if isinstance(p, str) or not isinstance(p, int | float):
        raise ValueError(f"norm p must be 'fro' or a number, got {p!r}")
    if p == 1:
        return x.abs().sum(axis=axes, keepdims=keepdim)
    if p == math.inf:
        return x.abs().amax(dim=axes, keepdim=keepdim)
    if p == -math.inf:
        return x.abs().amin(dim=axes, keepdim=keepdim)
    if p == 0:
        return (x != 0).astype(x.dtype).sum(axis=axes, keepdims=keepdim)
    return (x.abs() ** p).sum(axis=axes, keepdims=keepdim) ** (1 / p)


def _two_norm(x: Tensor, axes: tuple[int, ...] | None, keep: bool) -> Tensor:
    """sqrt(sum x^2) over ``axes``."""
    data = np.sqrt((x._data * x._data).sum(axis=axes, keepdims=True))
    kept = data.shape

    def norm_rule(g: Any, out: Any, x: Any) -> Any:
        # d |x| = x / |x|, taken as 0 where |x| = 0
        length = out.reshape(kept)
        return g.reshape(kept) * x / dual.where(dual.data(length) == 0, 1.0, length)

    shape = kept if keep else tuple(n for i, n in enumerate(x.shape)
                                    if axes is not None and i not in axes)
    return Tensor._make(data.reshape(shape), (x,), "norm", (norm_rule,))
