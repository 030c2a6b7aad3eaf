"""The engine's pitfalls, one test each: the cases that broke earlier autograd frameworks.

Fan-out and accumulation, un-broadcasting, depth, numerical extremes, ties, grad mode,
freeing the graph, higher derivatives, ``tg.grad``, hooks, ``tg.Function``, version
counters and in-place updates.
"""

from __future__ import annotations

import gc
import math
import tracemalloc
import weakref
from typing import Any

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import Tensor


@pytest.fixture(scope="module")
def torch() -> Any:
    return pytest.importorskip("torch")


def leaf(values: Any) -> Tensor:
    return Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


# ---------------------------------------------------------------- accumulation over paths


def test_adding_a_tensor_to_itself_doubles_its_gradient() -> None:
    a = leaf([1.0, -2.0, 3.0])
    (a + a).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [2.0, 2.0, 2.0])


def test_multiplying_a_tensor_by_itself_gives_twice_its_value() -> None:
    a = leaf([1.0, -2.0, 3.0])
    (a * a).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [2.0, -4.0, 6.0])


def test_diamond_sums_the_gradient_of_both_branches() -> None:
    x = leaf([0.3, -1.2])
    left, right = x.sin(), x.cos()
    (left * right).sum().backward()
    xs = x.numpy()
    np.testing.assert_allclose(x.grad.numpy(), np.cos(xs) ** 2 - np.sin(xs) ** 2, rtol=1e-12)


def test_node_reused_by_many_later_ops_collects_every_contribution() -> None:
    x = leaf([0.5, 1.5])
    b = x * 2.0
    y = b * b + b.exp() + b  # b feeds three ops, two of them twice
    y.sum().backward()
    bs = 2.0 * x.numpy()
    np.testing.assert_allclose(x.grad.numpy(), 2.0 * (2.0 * bs + np.exp(bs) + 1.0), rtol=1e-12)


def test_gradient_accumulates_in_leaf_across_backward_calls() -> None:
    x = leaf([1.0, 2.0])
    (x * 3.0).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0 + 2.0, 3.0 + 4.0])


def test_retained_graph_backward_twice_accumulates_twice() -> None:
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])


def test_zero_grad_sets_grad_to_none_so_the_next_backward_starts_fresh() -> None:
    x = leaf([1.0, 2.0])
    (x * 3.0).sum().backward()
    x.zero_grad()
    assert x.grad is None
    (x * 5.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])


def test_batched_matmul_with_shared_weight_unbroadcasts_like_torch(torch: Any) -> None:
    rng = np.random.default_rng(0)
    xs, ws, bs = rng.standard_normal((4, 2, 3)), rng.standard_normal((3, 3)), rng.standard_normal(3)
    x, w, b = leaf(xs), leaf(ws), leaf(bs)
    ((x @ w + b).tanh() @ w).sum().backward()
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (xs, ws, bs))
    ((tx @ tw + tb).tanh() @ tw).sum().backward()
    for ours, theirs in ((x, tx), (w, tw), (b, tb)):
        assert ours.grad.shape == ours.shape
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


def test_getitem_with_repeated_indices_accumulates_the_gradient() -> None:
    x = leaf([10.0, 20.0, 30.0, 40.0])
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 0.0, 1.0, 0.0])


def test_getitem_with_repeated_index_tensor_accumulates_weighted_gradients() -> None:
    x = leaf(np.arange(6.0).reshape(3, 2))
    picked = x[tg.tensor([2, 2, 1])]
    (picked * Tensor(np.array([[1.0], [2.0], [5.0]]))).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 0.0], [5.0, 5.0], [3.0, 3.0]])


# ---------------------------------------------------------------- depth


def test_100000_op_chain_backward_and_grad_need_no_recursion() -> None:
    x = leaf([1.0, 2.0])
    y = x
    for _ in range(100_000):
        y = y * 1.0
    (g,) = tg.grad(y.sum(), x, retain_graph=True)
    np.testing.assert_array_equal(g.numpy(), [1.0, 1.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


# ---------------------------------------------------------------- numerical extremes

EXTREMES = np.array([[-1000.0, 0.0, 1000.0], [1000.0, 999.0, -1000.0]])
STABLE_OPS = {
    "sigmoid": lambda t: t.sigmoid(),
    "tanh": lambda t: t.tanh(),
    "softmax": lambda t: t.softmax(-1),
    "log_softmax": lambda t: t.log_softmax(-1),
    "logsumexp": lambda t: t.logsumexp(-1),
    "softplus": lambda t: t.softplus(),
}


@pytest.mark.parametrize("name", list(STABLE_OPS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_saturating_ops_stay_finite_at_plus_minus_1000_and_match_torch(
    name: str, dtype: Any, torch: Any
) -> None:
    op = STABLE_OPS[name]
    x = Tensor(EXTREMES.astype(dtype), requires_grad=True)
    out = op(x)
    weights = np.random.default_rng(3).standard_normal(out.shape).astype(dtype)
    out.backward(Tensor(weights))
    tx = torch.tensor(EXTREMES.astype(dtype), requires_grad=True)
    tout = torch.nn.functional.softplus(tx) if name == "softplus" else op(tx)
    tout.backward(torch.tensor(weights))
    assert np.isfinite(out.numpy()).all() and np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_minus_infinity_masks_give_the_same_values_and_gradients_as_torch(
    name: str, torch: Any
) -> None:
    values = np.array([[-np.inf, 0.0, 1.0], [2.0, -np.inf, -np.inf]])
    x = Tensor(values, requires_grad=True)
    out = getattr(x, name)(-1)
    weights = np.random.default_rng(4).standard_normal(out.shape)
    out.backward(Tensor(weights))
    tx = torch.tensor(values, requires_grad=True)
    tout = getattr(tx, name)(-1)
    tout.backward(torch.tensor(weights))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- ties


def test_max_ties_share_the_gradient_equally() -> None:
    x = leaf([1.0, 3.0, 3.0, 2.0])
    x.max().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.5, 0.5, 0.0])


def test_min_ties_along_an_axis_share_the_gradient_equally_per_row() -> None:
    x = leaf([[1.0, 1.0, 1.0], [4.0, 2.0, 3.0]])
    x.amin(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[1 / 3, 1 / 3, 1 / 3], [0.0, 1.0, 0.0]])


def test_max_ties_match_torch_amax(torch: Any) -> None:
    values = np.array([[2.0, 5.0, 5.0], [7.0, 7.0, 7.0]])
    x = leaf(values)
    x.amax(axis=-1, keepdims=True).sum().backward()
    tx = torch.tensor(values, requires_grad=True)
    tx.amax(dim=-1, keepdim=True).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-15)


def test_maximum_of_equal_elements_splits_the_gradient_in_half() -> None:
    a, b = leaf([1.0, 2.0]), leaf([1.0, 0.0])
    tg.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 0.0])


# ---------------------------------------------------------------- grad mode


def test_no_grad_context_records_nothing() -> None:
    x = leaf([1.0, 2.0])
    with tg.no_grad():
        assert not tg.is_grad_enabled()
        y = (x * 2.0).exp()
    assert tg.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and y._parents == () and y.grad_fn is None


def test_no_grad_decorator_records_nothing_and_restores_grad_mode() -> None:
    @tg.no_grad()
    def double(t: Tensor) -> Tensor:
        return t * 2.0

    y = double(leaf([1.0]))
    assert not y.requires_grad and y._parents == ()
    assert tg.is_grad_enabled()


def test_enable_grad_inside_no_grad_records_again() -> None:
    x = leaf([1.0, 2.0])
    with tg.no_grad():
        with tg.enable_grad():
            y = x * x
        z = x * x
    assert y.requires_grad and y.grad_fn.name() == "MulBackward0"
    assert not z.requires_grad


def test_no_grad_restores_grad_mode_after_an_exception() -> None:
    with pytest.raises(ZeroDivisionError), tg.no_grad():
        _ = 1 / 0
    assert tg.is_grad_enabled()


def test_recursive_no_grad_function_restores_grad_mode() -> None:
    @tg.no_grad()
    def countdown(n: int) -> int:
        return n if n == 0 else countdown(n - 1)

    try:
        countdown(2)
        assert tg.is_grad_enabled()
    finally:
        tg.set_grad_enabled(True)


def test_no_grad_works_as_a_bare_decorator_like_torch() -> None:
    @tg.no_grad
    def double(t: Tensor) -> Tensor:
        return t * 2.0

    assert not double(leaf([1.0])).requires_grad
    assert tg.is_grad_enabled()


def test_ops_on_tensors_that_need_no_grad_record_nothing() -> None:
    y = Tensor([1.0, 2.0]) * 3.0
    assert not y.requires_grad and y.is_leaf


# ---------------------------------------------------------------- freeing the graph


def test_intermediate_tensor_and_its_array_are_freed_by_backward() -> None:
    x = leaf(np.ones(4))
    hidden = x * 2.0
    tensor_ref, array_ref = weakref.ref(hidden), weakref.ref(hidden.numpy())
    loss = hidden.exp().sum()
    del hidden
    gc.collect()
    assert tensor_ref() is not None  # the graph still needs it
    gc.disable()  # freed by reference counting alone: the graph holds no cycles
    try:
        loss.backward()
        assert tensor_ref() is None and array_ref() is None
    finally:
        gc.enable()
    assert loss.grad_fn.name() == "SumBackward0"  # the root itself survives, without its graph


def test_dropping_an_unused_graph_frees_it_without_the_cycle_collector() -> None:
    x = leaf(np.ones((3, 4)))
    hidden = (x @ leaf(np.ones((4, 2)))).softmax(-1)[[0, 0, 2]]
    hidden_ref = weakref.ref(hidden)
    out = ScaledCube.apply(tg.maximum(hidden, 0.25).log_softmax(0), 2.0).sum()
    del hidden
    gc.collect()
    gc.disable()  # the closures hold no reference back to their outputs: no cycles
    try:
        assert hidden_ref() is not None
        del out
        assert hidden_ref() is None
    finally:
        gc.enable()


def test_backward_releases_the_memory_of_saved_arrays() -> None:
    x = leaf(np.ones((500, 500)))  # 2 MB per array
    tracemalloc.start()
    try:
        loss = (((x * 2.0).exp() * 3.0).sin() * x).sum()
        before, _ = tracemalloc.get_traced_memory()
        loss.backward()
        grad_bytes = x.grad.numpy().nbytes
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # five 2 MB intermediates (and their saved constants) were alive before backward
    assert before - (after - grad_bytes) > 4 * x.numpy().nbytes


def test_weight_used_transposed_gets_a_row_major_gradient_of_its_own() -> None:
    x = leaf(np.arange(6.0).reshape(3, 2))
    w = leaf(np.arange(8.0).reshape(4, 2) / 8)
    ((x @ w.T) ** 2).sum().backward()
    expected = 2 * (x.numpy() @ w.numpy().T).T @ x.numpy()  # d/dW sum((x W^T)^2) = 2 (x W^T)^T x
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-12)
    assert w.grad.numpy().flags.c_contiguous  # computed in W's layout, not copied from a view
    expected_x = 2 * (x.numpy() @ w.numpy().T) @ w.numpy()
    np.testing.assert_allclose(x.grad.numpy(), expected_x, rtol=1e-12)


def test_a_gradient_the_caller_gave_is_never_taken_over_through_a_view() -> None:
    x = leaf(np.zeros((2, 3)))
    given = np.ones(6)
    x.T.backward(gradient=Tensor(given.reshape(3, 2)))  # reaches x as a view of `given`
    given[:] = 7.0
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3)))


def test_leaves_fed_views_of_one_gradient_get_separate_arrays() -> None:
    a, b = leaf(np.zeros((2, 3))), leaf(np.zeros((3, 2)))
    out = a.reshape(6) + b.reshape(6)  # add sends the same gradient to both reshapes
    out.backward(gradient=Tensor(np.arange(6.0)), retain_graph=True)
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    out.backward(gradient=Tensor(np.arange(6.0)))  # accumulates in place into each
    np.testing.assert_array_equal(a.grad.numpy(), 2 * np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(b.grad.numpy(), 2 * np.arange(6.0).reshape(3, 2))


def test_a_leaf_reached_many_times_sums_every_term_once() -> None:
    x, w = leaf([0.5]), leaf([0.9])
    h = x
    for _ in range(5):
        h = h * w + w  # w's gradient collects ten terms, summed in place
    h.backward()
    expected_w, grad_h, value = 0.0, 1.0, [0.5]
    for _ in range(5):  # the chain rule by hand, backwards
        value.append(value[-1] * 0.9 + 0.9)
    for step in range(5, 0, -1):
        expected_w += grad_h * (value[step - 1] + 1)
        grad_h *= 0.9
    np.testing.assert_allclose(w.grad.numpy(), [expected_w], rtol=1e-14)
    np.testing.assert_allclose(x.grad.numpy(), [grad_h], rtol=1e-14)


def test_second_backward_through_a_freed_graph_raises_naming_retain_graph() -> None:
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_backward_through_a_freed_subgraph_from_another_root_raises() -> None:
    x = leaf([1.0, 2.0])
    shared = x * 2.0
    shared.sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        (shared * 3.0).sum().backward()


# ---------------------------------------------------------------- higher derivatives


def test_create_graph_gives_second_and_third_derivatives() -> None:
    x = leaf([0.7, -1.3])
    y = (x**3).sum()
    (g,) = tg.grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.numpy(), 3 * x.numpy() ** 2, rtol=1e-12)
    (gg,) = tg.grad(g.sum(), x, create_graph=True)
    np.testing.assert_allclose(gg.numpy(), 6 * x.numpy(), rtol=1e-12)
    (ggg,) = tg.grad(gg.sum(), x)
    np.testing.assert_allclose(ggg.numpy(), [6.0, 6.0], rtol=1e-12)


def test_backward_with_create_graph_gives_differentiable_leaf_grads() -> None:
    x = leaf([0.5, 2.0])
    (x.sin() * x).sum().backward(create_graph=True)
    first = x.grad
    assert first.requires_grad
    (second,) = tg.grad(first.sum(), x)
    xs = x.numpy()
    np.testing.assert_allclose(second.numpy(), 2 * np.cos(xs) - xs * np.sin(xs), rtol=1e-12)


def test_hessian_vector_product_matches_torch(torch: Any) -> None:
    rng = np.random.default_rng(5)
    ws, xs, vs = (
        rng.standard_normal((3, 4)),
        rng.standard_normal((5, 3)),
        rng.standard_normal((3, 4)),
    )

    def loss(lib: Any, w: Any, x: Any) -> Any:
        return (x @ w).tanh().log_softmax(-1).sum() + (w * w).sum().sqrt()

    w = leaf(ws)
    (g,) = tg.grad(loss(tg, w, Tensor(xs)), w, create_graph=True)
    (hvp,) = tg.grad((g * Tensor(vs)).sum(), w)
    tw = torch.tensor(ws, requires_grad=True)
    (tg_,) = torch.autograd.grad(loss(torch, tw, torch.tensor(xs)), tw, create_graph=True)
    (thvp,) = torch.autograd.grad((tg_ * torch.tensor(vs)).sum(), tw)
    np.testing.assert_allclose(hvp.numpy(), thvp.numpy(), rtol=1e-10, atol=1e-12)


def test_second_derivative_of_softmax_cross_entropy_matches_torch(torch: Any) -> None:
    rng = np.random.default_rng(6)
    zs, targets = rng.standard_normal((4, 3)), rng.random((4, 3))

    z = leaf(zs)
    (g,) = tg.grad(-(Tensor(targets) * z.log_softmax(-1)).sum(), z, create_graph=True)
    (h,) = tg.grad((g * g).sum(), z)
    tz = torch.tensor(zs, requires_grad=True)
    (tg_,) = torch.autograd.grad(
        -(torch.tensor(targets) * tz.log_softmax(-1)).sum(), tz, create_graph=True
    )
    (th,) = torch.autograd.grad((tg_ * tg_).sum(), tz)
    np.testing.assert_allclose(h.numpy(), th.numpy(), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- tg.grad


def test_grad_returns_gradients_without_touching_dot_grad() -> None:
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    gx, gw = tg.grad((x * w).sum(), [x, w])
    np.testing.assert_array_equal(gx.numpy(), [3.0, 4.0])
    np.testing.assert_array_equal(gw.numpy(), [1.0, 2.0])
    assert x.grad is None and w.grad is None


def test_grad_of_an_unused_input_raises_unless_allow_unused() -> None:
    x, unused = leaf([1.0]), leaf([2.0])
    with pytest.raises(RuntimeError, match="allow_unused"):
        tg.grad((x * 2.0).sum(), [x, unused])
    gx, gu = tg.grad((x * 2.0).sum(), [x, unused], allow_unused=True)
    np.testing.assert_array_equal(gx.numpy(), [2.0])
    assert gu is None


def test_grad_with_grad_outputs_is_a_vector_jacobian_product() -> None:
    x = leaf([1.0, 2.0, 3.0])
    (g,) = tg.grad(x * x, x, grad_outputs=Tensor(np.array([1.0, 0.0, -1.0])))
    np.testing.assert_array_equal(g.numpy(), [2.0, 0.0, -6.0])


def test_grad_of_several_outputs_sums_their_gradients() -> None:
    x = leaf([1.0, 2.0])
    (g,) = tg.grad([(x * 2.0).sum(), (x * x).sum()], x)
    np.testing.assert_array_equal(g.numpy(), [4.0, 6.0])


# ---------------------------------------------------------------- retain_grad and hooks


def test_non_leaf_keeps_grad_only_after_retain_grad() -> None:
    x = leaf([1.0, 2.0])
    kept, dropped = x * 3.0, x * 5.0
    kept.retain_grad()
    ((kept * kept).sum() + dropped.sum()).backward()
    np.testing.assert_array_equal(kept.grad.numpy(), [6.0, 12.0])
    assert dropped.grad is None
    np.testing.assert_array_equal(x.grad.numpy(), [18.0 + 5.0, 36.0 + 5.0])


def test_hook_sees_the_gradient_and_its_return_value_replaces_it() -> None:
    x = leaf([1.0, 2.0])
    hidden = x * 3.0
    seen = []
    hidden.register_hook(lambda g: seen.append(g.numpy().copy()))
    hidden.register_hook(lambda g: g * 10.0)
    (hidden * hidden).sum().backward()
    np.testing.assert_array_equal(seen[0], [6.0, 12.0])
    np.testing.assert_array_equal(x.grad.numpy(), [180.0, 360.0])


def test_hook_on_a_leaf_changes_what_is_accumulated() -> None:
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 0.5)
    (x * 4.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_removed_hook_is_no_longer_called() -> None:
    x = leaf([1.0, 2.0])
    handle = x.register_hook(lambda g: g * 100.0)
    handle.remove()
    (x * 4.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 4.0])


# ---------------------------------------------------------------- tg.Function


class ScaledCube(tg.Function):
    """y = scale * x^3 with scale a free attribute on ctx."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, scale: float) -> Tensor:
        assert not tg.is_grad_enabled()  # forward runs with grad mode off
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x * x * x * scale

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        return grad_output * 3.0 * ctx.scale * x * x, None


def test_function_forward_is_not_recorded_but_its_backward_is_used() -> None:
    x = leaf([1.0, -2.0])
    y = ScaledCube.apply(x, 2.0)
    assert y.requires_grad and y._parents == (x,)
    np.testing.assert_array_equal(y.numpy(), [2.0, -16.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 24.0])


def test_function_passes_gradcheck_first_and_second_order() -> None:
    x = leaf([0.4, -1.1, 1.7])
    assert tg.gradcheck(lambda t: ScaledCube.apply(t, 1.5), [x])
    assert tg.gradgradcheck(lambda t: ScaledCube.apply(t, 1.5), [x])


def test_function_backward_is_differentiable_under_create_graph() -> None:
    x = leaf([0.5, 2.0])
    (g,) = tg.grad(ScaledCube.apply(x, 2.0).sum(), x, create_graph=True)
    (gg,) = tg.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 6.0 * 2.0 * x.numpy(), rtol=1e-12)


class Exp(tg.Function):
    """e^x, saving its own output for backward."""

    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> Tensor:
        (result,) = ctx.saved_tensors
        return grad_output * result


def test_function_that_saves_its_output_gets_it_back_in_backward() -> None:
    x = leaf([0.5, -1.0])
    assert tg.gradcheck(Exp.apply, [x])
    (g,) = tg.grad(Exp.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.numpy(), np.exp(x.numpy()), rtol=1e-12)


def test_function_returning_wrong_number_of_gradients_raises() -> None:
    class Bad(tg.Function):
        @staticmethod
        def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
            return a * b

        @staticmethod
        def backward(ctx: Any, grad_output: Tensor) -> Tensor:
            return grad_output

    with pytest.raises(RuntimeError, match="Bad.backward returned 1 gradients"):
        Bad.apply(leaf([1.0]), leaf([2.0])).sum().backward()


# ---------------------------------------------------------------- versions and in-place ops


def test_changing_a_saved_input_in_place_makes_backward_raise_naming_the_op() -> None:
    x = leaf([1.0, 2.0])
    hidden = x * 1.0
    product = hidden * hidden
    with tg.no_grad():
        hidden += 1.0
    with pytest.raises(RuntimeError, match="'mul'.*modified in place"):
        product.sum().backward()


@pytest.mark.parametrize("alias", ["detach", "reshape"])
def test_in_place_change_through_an_alias_of_a_saved_input_raises(alias: str) -> None:
    x = leaf([1.0, 2.0])
    hidden = x * 1.0
    product = hidden * hidden
    view = hidden.detach() if alias == "detach" else hidden.reshape(2)
    with tg.no_grad():
        view += 10.0
    with pytest.raises(RuntimeError, match="modified in place"):
        product.sum().backward()


def test_in_place_update_of_a_leaf_under_no_grad_keeps_the_same_array() -> None:
    w = leaf([1.0, 2.0])
    (w * w).sum().backward()
    array = w.numpy()
    with tg.no_grad():
        w -= 0.1 * w.grad
    assert w.numpy() is array and w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6])


def test_in_place_op_on_a_leaf_that_requires_grad_raises_with_grad_on() -> None:
    w = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="no_grad"):
        w += 1.0
    with pytest.raises(RuntimeError, match="no_grad"):
        w *= 2.0
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])


def test_in_place_add_on_a_non_leaf_is_recorded_like_its_out_of_place_form() -> None:
    x, residual = leaf([1.0, 2.0]), leaf([0.5, 0.5])
    out = x * 3.0
    out += residual
    assert out.grad_fn.name() == "AddBackward0" and not out.is_leaf
    (out * out).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * (3 * x.numpy() + 0.5) * 3)
    np.testing.assert_allclose(residual.grad.numpy(), 2 * (3 * x.numpy() + 0.5))


def test_in_place_multiply_of_a_non_leaf_by_itself_squares_it() -> None:
    x = leaf([1.0, 2.0])
    out = x * 3.0
    out *= out
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * (3 * x.numpy()) * 3)


def test_data_update_with_numpy_arithmetic_keeps_the_same_array() -> None:
    p = leaf([1.0, 2.0])
    (p * p).sum().backward()
    array = p.numpy()
    p.data -= 0.5 * p.grad
    assert p.numpy() is array
    np.testing.assert_array_equal(p.numpy(), [0.0, 0.0])


def test_zero_grad_in_place_zeroes_the_stored_gradient() -> None:
    w = leaf([1.0, 2.0])
    (w * 3.0).sum().backward()
    stored = w.grad
    w.grad.zero_()
    assert w.grad is stored
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 0.0])
    (w * 3.0).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 3.0])


def test_zero_in_place_clears_nan_and_inf() -> None:
    t = Tensor([math.nan, math.inf, 1.0])
    t.zero_()
    np.testing.assert_array_equal(t.numpy(), [0.0, 0.0, 0.0])


# ---------------------------------------------------------------- gradcheck itself


def test_gradcheck_reports_the_input_and_index_of_a_wrong_gradient() -> None:
    class WrongSquare(tg.Function):
        @staticmethod
        def forward(ctx: Any, x: Tensor) -> Tensor:
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx: Any, grad_output: Tensor) -> Tensor:
            (x,) = ctx.saved_tensors
            return grad_output * x  # should be 2x

    with pytest.raises(AssertionError, match=r"input 0 .*d output\[0\] / d input\[0\] is 1\.0"):
        tg.gradcheck(WrongSquare.apply, [leaf([1.0, 2.0])])


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_gradcheck_accepts_a_transposed_input(dtype: Any) -> None:
    x = Tensor(np.arange(1.0, 7.0, dtype=dtype).reshape(2, 3).T, requires_grad=True)
    assert tg.gradcheck(lambda t: (t * t).sum(), [x])


def test_gradcheck_leaves_the_callers_tensor_unchanged() -> None:
    x = leaf([1.0, 2.0, 3.0])
    before = x.numpy().copy()
    tg.gradcheck(lambda t: t.exp().sum(), [x])
    np.testing.assert_array_equal(x.numpy(), before)
    assert x.grad is None


def test_gradcheck_failure_names_the_jacobian_entries_as_pytorch_does():
    class Cube(tg.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 2 * x ** 2  # wrong: d x^3 = 3 x^2

    x = tg.tensor(1.5, dtype=tg.float64, requires_grad=True)
    with pytest.raises(AssertionError, match=r"is 4\.5 by the backward pass but 6\.7499"):
        tg.gradcheck(lambda x: Cube.apply(x).sum(), [x])
