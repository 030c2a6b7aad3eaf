"""Every differentiable op of API.md section 1, checked against central differences.

The rows live in ``tests/opcases.py`` (shared with the PyTorch parity tests): each op over
0-d, 1-D, 2-D and 3-D inputs, broadcast pairs in both directions, Python scalars and numpy
arrays on either side, every axis/keepdims combination. Each row gets ``tg.gradcheck`` in
float64; rows without kinks also get ``tg.gradgradcheck`` (second order).
"""

from __future__ import annotations

import numpy as np
import pytest
from opcases import CASES, OpCase, params, tinygrad_args

import tinygrad_nn as tg

SECOND_ORDER = [case for case in CASES if case.second_order]

# API.md section 1's differentiable ops, each named by the id prefix of its rows.
CONTRACT_OPS = (
    "add", "sub", "mul", "div", "pow", "neg", "rsub", "rdiv", "matmul", "abs", "maximum",
    "minimum", "where", "clip", "clamp", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid",
    "relu", "leaky_relu", "softplus", "gelu", "gelu_tanh", "sum", "mean", "max", "min", "var",
    "std", "logsumexp", "softmax", "log_softmax", "reshape", "view", "flatten", "transpose",
    "permute", "T", "squeeze", "unsqueeze", "expand", "cat", "stack", "pad", "getitem",
    "astype",
)  # fmt: skip


def test_table_covers_every_differentiable_op_of_the_contract() -> None:
    prefixes = {case.id.split("-")[0] for case in CASES}
    assert set(CONTRACT_OPS) <= prefixes, set(CONTRACT_OPS) - prefixes


@pytest.mark.parametrize("case", params(CASES))
def test_gradient_matches_central_differences(case: OpCase) -> None:
    args = tinygrad_args(case, np.float64)
    assert tg.gradcheck(lambda *xs: case.fn(tg, *xs), args, **case.gradcheck_kw)


@pytest.mark.parametrize("case", params(SECOND_ORDER))
def test_second_derivative_matches_central_differences(case: OpCase) -> None:
    # squared, so that even a linear op's backward must itself be recorded for the
    # second derivative to be right
    args = tinygrad_args(case, np.float64)
    assert tg.gradgradcheck(lambda *xs: case.fn(tg, *xs) ** 2, args)
