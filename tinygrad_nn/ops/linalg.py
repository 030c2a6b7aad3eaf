"""Matrix products: ``a @ b`` with numpy's rules for 1-D, 2-D and batched operands."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
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
