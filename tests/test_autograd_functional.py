"""``jacobian``, ``hessian``, ``vjp``, ``jvp``, ``hvp``, ``vhp`` against torch.autograd.functional.

Each function below is written with methods both libraries share, so the same
code runs on tinygrad_nn tensors and on torch tensors; results are compared in
float64, structure (tuple or Tensor) included.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinygrad_nn as tg
import tinygrad_nn.autograd.functional as AF
from tinygrad_nn import Tensor

torch = pytest.importorskip("torch")
TF = torch.autograd.functional

gen = np.random.default_rng(5)
A = gen.standard_normal((3,))
B = gen.standard_normal((2, 3))
M = gen.standard_normal((3, 3))
V3, V2, V23 = gen.standard_normal(3), gen.standard_normal(2), gen.standard_normal((2, 3))


def lib_tensor(array: np.ndarray, lib: Any) -> Any:
    return tg.tensor(array) if lib is tg else torch.from_numpy(array.copy())


def as_lib(values: Any, lib: Any) -> Any:
    """Arrays (or tuples of them) as tensors of ``lib``."""
    if isinstance(values, tuple):
        return tuple(as_lib(v, lib) for v in values)
    return lib_tensor(values, lib)


def compare(ours: Any, theirs: Any) -> None:
    """Same structure (tuple vs tensor, nesting) and values to 1e-10."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            compare(a, b)
        return
    assert isinstance(ours, Tensor), type(ours)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


# functions of one or two tensors, written once for both libraries
def vector_map(x):  # R^3 -> R^3
    return x.tanh() * x.exp() + x * x.sum()


def matrix_map(x):  # R^(2x3) -> R^2
    return (x * x).sum(1).sin()


def two_in_two_out(x, y):  # (R^3, R^(2x3)) -> (R^2, R^3)
    return (y @ x.tanh(), (y.exp() * x).sum(0))


def two_in_one_out(x, y):
    return (y @ x).sin()


def scalar_of_one(x):
    return (x.exp() * x.sin()).sum() + (x * x).sum() * x.sum()


def scalar_of_two(x, y):
    return ((y @ x).tanh() * (y.sum(0) * x).exp().sum()).sum()


def scalar_of_matrix(x):
    return (x @ x).tanh().sum() * x.sum()


def independent_of_second(x, y):
    return x.exp()


JACOBIAN_CASES = [
    (vector_map, A), (matrix_map, B), (two_in_two_out, (A, B)), (two_in_one_out, (A, B)),
    (scalar_of_one, A), (lambda x: (x.sin(), x * 2), A),
]


@pytest.mark.parametrize("func, point", JACOBIAN_CASES)
def test_jacobian_matches_torch(func, point):
    compare(AF.jacobian(func, as_lib(point, tg)), TF.jacobian(func, as_lib(point, torch)))


@pytest.mark.parametrize("func, point", [(scalar_of_one, A), (scalar_of_two, (A, B)),
                                         (scalar_of_matrix, M)])
def test_hessian_matches_torch(func, point):
    compare(AF.hessian(func, as_lib(point, tg)), TF.hessian(func, as_lib(point, torch)))


@pytest.mark.parametrize("func, point, v", [
    (vector_map, A, V3), (matrix_map, B, V2), (two_in_two_out, (A, B), (V2, V3)),
    (scalar_of_one, A, None),
])
def test_vjp_matches_torch(func, point, v):
    v_ours = None if v is None else as_lib(v, tg)
    v_theirs = None if v is None else as_lib(v, torch)
    compare(AF.vjp(func, as_lib(point, tg), v_ours), TF.vjp(func, as_lib(point, torch), v_theirs))


@pytest.mark.parametrize("func, point, v", [
    (vector_map, A, V3), (matrix_map, B, V23), (two_in_two_out, (A, B), (V3, V23)),
    (lambda x: x.sin() * 3, np.array([0.7]), None),
])
def test_jvp_matches_torch(func, point, v):
    v_ours = None if v is None else as_lib(v, tg)
    v_theirs = None if v is None else as_lib(v, torch)
    compare(AF.jvp(func, as_lib(point, tg), v_ours), TF.jvp(func, as_lib(point, torch), v_theirs))


@pytest.mark.parametrize("name", ["hvp", "vhp"])
@pytest.mark.parametrize("func, point, v", [
    (scalar_of_one, A, V3), (scalar_of_two, (A, B), (V3, V23)), (scalar_of_matrix, M, M.T),
])
def test_hessian_vector_products_match_torch(name, func, point, v):
    ours = getattr(AF, name)(func, as_lib(point, tg), as_lib(v, tg))
    theirs = getattr(TF, name)(func, as_lib(point, torch), as_lib(v, torch))
    compare(ours, theirs)


def test_hvp_is_the_hessian_times_v():
    _, product = AF.hvp(scalar_of_one, tg.tensor(A), tg.tensor(V3))
    hessian = AF.hessian(scalar_of_one, tg.tensor(A)).numpy()
    np.testing.assert_allclose(product.numpy(), hessian @ V3, rtol=1e-10)


def test_create_graph_lets_the_result_be_differentiated_again():
    x = tg.tensor(A, requires_grad=True)
    xt = torch.from_numpy(A.copy()).requires_grad_(True)
    ours = AF.jacobian(vector_map, x, create_graph=True)
    theirs = TF.jacobian(vector_map, xt, create_graph=True)
    assert ours.requires_grad
    (grad_ours,) = tg.grad((ours * ours).sum(), x)
    (grad_theirs,) = torch.autograd.grad((theirs * theirs).sum(), xt)
    compare(grad_ours, grad_theirs)
    _, jv = AF.jvp(vector_map, x, tg.tensor(V3), create_graph=True)
    _, jv_t = TF.jvp(vector_map, xt, torch.from_numpy(V3.copy()), create_graph=True)
    compare(tg.grad(jv.sum(), x)[0], torch.autograd.grad(jv_t.sum(), xt)[0])


def test_results_are_detached_without_create_graph():
    x = tg.tensor(A, requires_grad=True)
    output, product = AF.vjp(vector_map, x, tg.tensor(V3))
    assert not output.requires_grad and not product.requires_grad
    assert not AF.jacobian(vector_map, x).requires_grad
    assert x.grad is None


def test_an_unused_input_gets_zeros_or_raises_in_strict_mode():
    point = (tg.tensor(A), tg.tensor(B))
    ours = AF.jacobian(independent_of_second, point)
    theirs = TF.jacobian(independent_of_second, as_lib((A, B), torch))
    compare(ours, theirs)
    assert not ours[1].numpy().any()
    with pytest.raises(RuntimeError, match="independent of input 1"):
        AF.jacobian(independent_of_second, point, strict=True)
    with pytest.raises(RuntimeError, match="independent"):
        AF.vjp(lambda x: tg.ones(3), tg.tensor(A), tg.tensor(V3), strict=True)


def test_vectorize_and_strategy_give_the_same_jacobian():
    plain = AF.jacobian(vector_map, tg.tensor(A))
    for kwargs in ({"vectorize": True}, {"vectorize": True, "strategy": "forward-mode"}):
        np.testing.assert_array_equal(AF.jacobian(vector_map, tg.tensor(A), **kwargs).numpy(),
                                      plain.numpy())


@pytest.mark.parametrize("call, error, match", [
    (lambda: AF.vjp(vector_map, tg.tensor(A)), ValueError, "single-element"),
    (lambda: AF.vjp(vector_map, tg.tensor(A), tg.tensor(V2)), ValueError, "shape"),
    (lambda: AF.jvp(vector_map, (tg.tensor(A),), (tg.tensor(V3),) * 2), ValueError, "entries"),
    (lambda: AF.hessian(vector_map, tg.tensor(A)), ValueError, "single-element"),
    (lambda: AF.jacobian(vector_map, A), TypeError, "Tensor"),
    (lambda: AF.jacobian(lambda x: 3.0, tg.tensor(A)), TypeError, "outputs"),
    (lambda: AF.jacobian(vector_map, tg.tensor(A), strategy="sideways"), ValueError, "strategy"),
])
def test_bad_arguments_raise_naming_the_problem(call, error, match):
    with pytest.raises(error, match=match):
        call()
