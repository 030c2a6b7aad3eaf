"""Every row of the op table against PyTorch: forward values, gradients and dtypes.

float64 agrees to ~1e-10; float32 agrees to float32 rounding and stays float32 (outputs
and gradients), as API.md's "no silent upcasts" asks.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from opcases import CASES, OpCase, params, tinygrad_args, torch_args

import tinygrad_nn as tg

torch = pytest.importorskip("torch")

TOLERANCES = {np.float64: {"rtol": 1e-10, "atol": 1e-12}, np.float32: {"rtol": 2e-5, "atol": 1e-6}}


def upstream_gradient(shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """A fixed random vector for the vector-Jacobian product (the same for both libraries)."""
    return np.random.default_rng(7).standard_normal(shape).astype(dtype)


def run_tinygrad(case: OpCase, dtype: Any) -> tuple[np.ndarray, list[np.ndarray], list[Any]]:
    args = tinygrad_args(case, dtype)
    out = case.fn(tg, *args)
    out.backward(tg.Tensor(upstream_gradient(out.shape, out.dtype)))
    grads = [a.grad for a in args if isinstance(a, tg.Tensor) and a.requires_grad]
    return out.numpy(), [g.numpy() for g in grads], [g.dtype for g in grads]


def run_torch(case: OpCase, dtype: Any) -> tuple[np.ndarray, list[np.ndarray]]:
    args = torch_args(case, dtype)
    out = (case.torch_fn or case.fn)(torch, *args)
    out.backward(torch.from_numpy(upstream_gradient(tuple(out.shape), _numpy_dtype(out.dtype))))
    grads = [a.grad for a in args if isinstance(a, torch.Tensor) and a.requires_grad]
    return out.detach().numpy(), [g.numpy() for g in grads]


def _numpy_dtype(dtype: Any) -> Any:
    return torch.empty((), dtype=dtype).numpy().dtype


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("case", params(CASES))
def test_forward_and_gradients_match_torch(case: OpCase, dtype: Any) -> None:
    out, grads, grad_dtypes = run_tinygrad(case, dtype)
    expected_out, expected_grads = run_torch(case, dtype)
    assert out.dtype == expected_out.dtype
    assert out.shape == expected_out.shape
    np.testing.assert_allclose(out, expected_out, **TOLERANCES[dtype])
    assert len(grads) == len(expected_grads)
    for grad, grad_dtype, expected in zip(grads, grad_dtypes, expected_grads, strict=True):
        assert grad_dtype == dtype  # a leaf's gradient has the leaf's dtype
        assert grad.shape == expected.shape
        np.testing.assert_allclose(grad, expected, **TOLERANCES[dtype])


@pytest.mark.parametrize(
    ("bases", "exponents"),
    [([0.0, 1.5, 0.0], [2.0, 0.0, 3.0]), ([0.0, 0.0], [1.0, 0.5])],
    ids=["positive-exponents", "fractional-exponent"],
)
def test_pow_gradients_at_a_zero_base_match_torch(
    bases: list[float], exponents: list[float]
) -> None:
    a = tg.Tensor(np.array(bases), requires_grad=True)
    b = tg.Tensor(np.array(exponents), requires_grad=True)
    (a**b).sum().backward()
    ta = torch.tensor(bases, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(exponents, dtype=torch.float64, requires_grad=True)
    (ta**tb).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy())
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy())


def test_pow_with_zero_base_and_zero_exponent_tensor_has_zero_gradient_like_torch() -> None:
    a = tg.Tensor(np.array([0.0, 2.0]), requires_grad=True)
    b = tg.Tensor(np.array([0.0, 0.0]), requires_grad=True)
    (a**b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.0, np.log(2.0)])


def test_pow_zero_exponent_has_zero_gradient_like_torch() -> None:
    x = tg.Tensor(np.array([0.0, 2.0]), requires_grad=True)
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])
