"""PyTorch behaviour the corpus programs needed: roll, mv, unbind, contiguous, ``out=``,
``tg.Size``, ``set_printoptions``, module hooks, item assignment that records (index_put),
the warning on a non-leaf's ``.grad``, stable ``grad_fn`` nodes. Each checked against
PyTorch itself (float64, rtol 1e-10) or with ``tg.gradcheck``."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch

import tinygrad_nn as tg
from tinygrad_nn import nn
from tinygrad_nn.nn import functional as F

RTOL = 1e-10


def pair(array: np.ndarray, requires_grad: bool = True) -> tuple[tg.Tensor, torch.Tensor]:
    """The same float64 data as a tinygrad_nn and a torch tensor."""
    return (tg.tensor(array.copy(), requires_grad=requires_grad),
            torch.tensor(array.copy(), requires_grad=requires_grad))


def close(ours: Any, theirs: Any) -> None:
    np.testing.assert_allclose(np.asarray(ours.detach().numpy() if hasattr(ours, "detach")
                                          else ours),
                               theirs.detach().numpy(), rtol=RTOL, atol=1e-12)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


# ---------------------------------------------------------------- roll, mv, unbind, contiguous


@pytest.mark.parametrize(("shape", "shifts", "dims"), [
    ((5,), 2, None), ((2, 3), -1, None), ((3, 4), 1, 1), ((3, 4), (1, -2), (0, 1)),
    ((2, 3, 4), 5, -1), ((3, 4), [2], [0]),
])
def test_roll_values_and_gradient_match_torch(rng, shape, shifts, dims) -> None:
    data = rng.standard_normal(shape)
    weights = rng.standard_normal(shape)
    x, tx = pair(data)
    out = x.roll(shifts, dims) if dims is not None else x.roll(shifts)
    tout = tx.roll(shifts, dims) if dims is not None else tx.roll(shifts)
    close(out, tout)
    (out * tg.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    close(x.grad, tx.grad)
    assert tg.gradcheck(lambda t: tg.roll(t, shifts, dims) * t, (x,))


def test_roll_rejects_mismatched_shifts_and_dims() -> None:
    with pytest.raises(ValueError, match="one shift per dim"):
        tg.zeros(2, 3).roll((1, 2), 0)
    with pytest.raises(ValueError, match="one shift"):
        tg.zeros(2, 3).roll((1, 2))


def test_mv_matches_torch_and_checks_shapes(rng) -> None:
    a, ta = pair(rng.standard_normal((3, 4)))
    v, tv = pair(rng.standard_normal(4))
    out, tout = tg.mv(a, v), torch.mv(ta, tv)
    close(out, tout)
    close(a.mv(v), ta.mv(tv))
    out.sum().backward()
    tout.sum().backward()
    close(a.grad, ta.grad)
    close(v.grad, tv.grad)
    assert tg.gradcheck(lambda m, w: m.mv(w), (a, v))
    with pytest.raises(ValueError, match=r"mv needs a matrix and a vector.*\(3, 4\).*\(4, 1\)"):
        a.mv(tg.zeros(4, 1))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unbind_matches_torch(rng, dim) -> None:
    data = rng.standard_normal((2, 3, 4))
    x, tx = pair(data)
    pieces, theirs = tg.unbind(x, dim), torch.unbind(tx, dim)
    assert isinstance(pieces, tuple) and len(pieces) == len(theirs)
    for ours, expected in zip(pieces, theirs, strict=True):
        close(ours, expected)
    sum((i + 1) * p.sum() for i, p in enumerate(pieces)).backward()
    sum((i + 1) * p.sum() for i, p in enumerate(theirs)).backward()
    close(x.grad, tx.grad)


def test_unbind_of_a_0d_tensor_raises() -> None:
    with pytest.raises(ValueError, match="at least one dimension"):
        tg.tensor(1.0).unbind()


def test_contiguous_is_identity_when_contiguous_and_a_copy_otherwise(rng) -> None:
    x = tg.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    assert x.contiguous() is x
    transposed = x.t()
    copy = transposed.contiguous()
    assert copy is not transposed and copy._data.flags.c_contiguous
    np.testing.assert_array_equal(copy.numpy(), x.numpy().T)
    (copy * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 3), 3.0))


# ---------------------------------------------------------------- out=


def test_matmul_out_writes_into_the_given_tensor(rng) -> None:
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    out = tg.zeros(2, 4, dtype=tg.float64)
    array = out._data
    result = tg.matmul(tg.tensor(a), tg.tensor(b), out=out)
    assert result is out and out._data is array
    np.testing.assert_allclose(out.numpy(), a @ b, rtol=RTOL)
    assert out._version == 1


def test_out_resizes_and_works_for_delegated_functions(rng) -> None:
    a = rng.standard_normal((2, 3))
    out = tg.empty(0, dtype=tg.float64)
    assert tg.exp(tg.tensor(a), out=out) is out
    np.testing.assert_allclose(out.numpy(), np.exp(a), rtol=RTOL)
    out2 = tg.zeros(2, 3, dtype=tg.float64)
    tg.mul(tg.tensor(a), 2.0, out=out2)
    np.testing.assert_allclose(out2.numpy(), a * 2, rtol=RTOL)


@pytest.mark.parametrize(("name", "shapes"), [
    ("mm", ((2, 3), (3, 4))), ("bmm", ((2, 2, 3), (2, 3, 1))), ("dot", ((3,), (3,))),
])
def test_matrix_products_take_out_as_torch(rng, name, shapes) -> None:
    a, b = (rng.standard_normal(shape) for shape in shapes)
    expected = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
    out = tg.zeros(*expected.shape, dtype=tg.float64)
    assert getattr(tg, name)(tg.tensor(a), tg.tensor(b), out=out) is out
    close(out, expected)


def test_out_with_a_tensor_that_requires_grad_raises_as_torch() -> None:
    a = tg.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="out=.*automatic differentiation"):
        tg.matmul(a, a, out=tg.zeros(2, 2))
    with pytest.raises(RuntimeError, match="out="):
        torch.matmul(torch.ones(2, 2, requires_grad=True), torch.ones(2, 2), out=torch.zeros(2, 2))
    with tg.no_grad():
        out = tg.matmul(a, a, out=tg.zeros(2, 2))
    np.testing.assert_array_equal(out.numpy(), np.full((2, 2), 2.0))
    with pytest.raises(TypeError, match="needs a Tensor"):
        tg.matmul(tg.ones(2, 2), tg.ones(2, 2), out=np.zeros((2, 2)))


# ---------------------------------------------------------------- Size, printing


def test_size_is_a_tuple_that_prints_as_torch() -> None:
    x = tg.zeros(2, 3)
    size = x.size()
    assert isinstance(size, tg.Size) and isinstance(size, tuple)
    assert size == (2, 3) == x.shape and tg.Size([2, 3]) == x.shape
    assert repr(size) == repr(torch.zeros(2, 3).size()) == "torch.Size([2, 3])"
    assert f"{size}" == str(torch.Size([2, 3]))
    assert size[1:] == (3,) and isinstance(size[1:], tg.Size) and size[0] == 2
    assert size + (4,) == (2, 3, 4) and isinstance(size + (4,), tg.Size)
    assert size.numel() == 6 == torch.Size([2, 3]).numel()
    assert x.size(-1) == 3 and hash(size) == hash((2, 3))
    with pytest.raises(TypeError, match="iterable of ints"):
        tg.Size([2.5])


@pytest.fixture
def print_options() -> Iterator[None]:
    yield
    tg.set_printoptions(profile="default")


def test_set_printoptions_precision_and_sci_mode(print_options) -> None:
    x = tg.tensor([1.23456789, 300.0, 1e-5], dtype=tg.float64)
    tg.set_printoptions(precision=2)
    assert "1.23e+00" in repr(x) and "1.2345" not in repr(x)
    tg.set_printoptions(precision=3, sci_mode=False)
    assert "e+" not in repr(x) and "e-" not in repr(x) and "1.235" in repr(x)
    tg.set_printoptions(threshold=5, edgeitems=1)
    assert "..." in repr(tg.arange(10))
    tg.set_printoptions(profile="default")
    assert "..." not in repr(tg.arange(10)) and "1.23456789" in repr(x)
    with pytest.raises(ValueError, match="profile"):
        tg.set_printoptions(profile="tiny")


# ---------------------------------------------------------------- grad_fn, .grad warning


def test_grad_fn_is_the_same_node_each_time_and_mse_loss_is_one_node() -> None:
    for lib in (tg, torch):
        x = lib.ones(1, 3, requires_grad=True)
        output = x * 2
        loss = lib.nn.MSELoss()(output, lib.zeros(1, 3))
        assert output.grad_fn is output.grad_fn
        assert loss.grad_fn.next_functions[0][0] is output.grad_fn
        assert loss.grad_fn.name() == "MseLossBackward0"


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_gradients_match_torch(rng, reduction) -> None:
    (a, ta), (b, tb) = pair(rng.standard_normal((3, 4))), pair(rng.standard_normal((3, 4)))
    loss = F.mse_loss(a, b, reduction=reduction)
    tloss = torch.nn.functional.mse_loss(ta, tb, reduction=reduction)
    close(loss, tloss)
    weights = rng.standard_normal(loss.shape)
    (loss * tg.tensor(weights)).sum().backward()
    (tloss * torch.tensor(weights)).sum().backward()
    close(a.grad, ta.grad)
    close(b.grad, tb.grad)
    assert tg.gradgradcheck(lambda p, q: F.mse_loss(p, q, reduction=reduction), (a, b))


def test_reading_a_non_leafs_grad_warns_as_torch() -> None:
    for lib in (tg, torch):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        y.sum().backward()
        with pytest.warns(UserWarning, match="not a leaf Tensor"):
            assert y.grad is None
        z = x * 3
        z.retain_grad()
        z.sum().backward()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert z.grad is not None and x.grad is not None
            assert lib.ones(2).grad is None


# ---------------------------------------------------------------- item assignment


def test_item_assignment_records_index_put_as_torch(rng) -> None:
    values = rng.standard_normal(3)
    weights = rng.standard_normal(5)
    grads = []
    for lib in (tg, torch):
        y = lib.tensor(values.copy(), requires_grad=True)
        x = lib.zeros(5, dtype=lib.float64)
        x[lib.tensor([0, 2, 2])] += y  # repeated: the last write wins, as in PyTorch
        x[1] = y[0] * 3
        x[3:5] = y[1:]
        assert x.requires_grad and not x.is_leaf
        (x * lib.tensor(weights)).sum().backward()
        grads.append((x.detach().numpy().copy(), y.grad.numpy().copy()))
    for ours, theirs in zip(*grads, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=RTOL)


def test_item_assignment_whose_value_reads_the_target_matches_torch(rng) -> None:
    """``z[i] += y`` on a tensor that requires grad reads z[i] first; the graph must use
    the old z there, not loop through the new one."""
    data, values = rng.standard_normal(4), rng.standard_normal(2)
    results = []
    for lib in (tg, torch):
        x = lib.tensor(data.copy(), requires_grad=True)
        y = lib.tensor(values.copy(), requires_grad=True)
        z = x * x
        z[lib.tensor([1, 3])] += y * 2
        z[0:2] = z[2:4] * 3
        a = z * 1
        a += a * 2
        (a * lib.arange(4, dtype=lib.float64)).sum().backward()
        results.append([a.detach().numpy().copy(), x.grad.numpy().copy(), y.grad.numpy().copy()])
    for ours, theirs in zip(*results, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=RTOL)


def test_masked_assignment_of_a_value_requiring_grad(rng) -> None:
    data, values = rng.standard_normal((4, 2)), rng.standard_normal((2, 2))
    mask = np.array([True, False, False, True])
    (x, tx), (v, tv) = pair(data), pair(values)
    z, tz = x * 1, tx * 1
    z[tg.tensor(mask)] = v
    tz[torch.tensor(mask)] = tv
    close(z, tz)
    (z * z).sum().backward()
    (tz * tz).sum().backward()
    close(x.grad, tx.grad)
    close(v.grad, tv.grad)


def test_index_put_gradients_pass_gradcheck_and_gradgradcheck(rng) -> None:
    x = tg.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    v = tg.tensor(rng.standard_normal(3), requires_grad=True)

    def put(a: tg.Tensor, b: tg.Tensor) -> tg.Tensor:
        z = a * 1
        z[tg.tensor([1, 3])] = b * b  # broadcast over the two rows
        return z * a

    assert tg.gradcheck(put, (x, v))
    assert tg.gradgradcheck(put, (x, v))


def test_item_assignment_into_a_leaf_requiring_grad_raises_as_torch() -> None:
    w = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w[0] = 2.0
    with pytest.raises(RuntimeError, match="leaf"):
        torch.ones(3, requires_grad=True)[0] = 2.0
    with tg.no_grad():
        w[0] = 2.0
    assert w.tolist() == [2.0, 1.0, 1.0]


def test_item_assignment_of_a_wrong_shape_names_both_shapes() -> None:
    x = tg.zeros(4, 3) * 1
    with pytest.raises(ValueError, match=r"shape \(2,\).*shape \(4, 3\)"):
        x[0] = tg.ones(2, requires_grad=True)


# ---------------------------------------------------------------- module hooks


def twins(seed: int = 0) -> tuple[nn.Module, torch.nn.Module]:
    """The same three-layer network in both libraries, float64."""
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(),
                                 torch.nn.Linear(4, 2)).double()
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for (_, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters(),
                                   strict=True):
            p.data = rng.standard_normal(p.shape)
            tp.copy_(torch.from_numpy(p.numpy().copy()))
    return ours, theirs


def test_forward_hooks_see_and_replace_inputs_and_outputs_as_torch(rng) -> None:
    data = rng.standard_normal((5, 3))
    outputs, logs = [], []
    for lib, model in zip((tg, torch), twins(), strict=True):
        log: list[Any] = []
        pre = model[0].register_forward_pre_hook(lambda m, args: (args[0] * 2,))
        first = model[1].register_forward_hook(lambda m, args, out, log=log: log.append("first"))
        model[1].register_forward_hook(lambda m, args, out: out + 1)
        model[1].register_forward_hook(lambda m, args, out, log=log: log.append("prepended"),
                                       prepend=True)
        model[2].register_forward_hook(
            lambda m, args, kwargs, out, log=log: log.append(sorted(kwargs)), with_kwargs=True)
        outputs.append(model(lib.tensor(data)).detach().numpy())
        pre.remove()
        first.remove()
        first.remove()  # a second remove does nothing
        outputs.append(model(lib.tensor(data)).detach().numpy())
        logs.append(log)
    np.testing.assert_allclose(outputs[0], outputs[2], rtol=RTOL)
    np.testing.assert_allclose(outputs[1], outputs[3], rtol=RTOL)
    assert logs[0] == logs[1] == ["prepended", "first", [], "prepended", []]


def test_full_backward_hook_gets_torchs_gradients_and_can_replace_them(rng) -> None:
    data = rng.standard_normal((5, 3))
    seen, grads = [], []
    for lib, model in zip((tg, torch), twins(), strict=True):
        calls: list[Any] = []

        def hook(module: Any, grad_input: Any, grad_output: Any, calls: list = calls) -> Any:
            calls.append((grad_input[0].numpy().copy(), grad_output[0].numpy().copy()))
            return (grad_input[0] * 10,)

        model[2].register_full_backward_hook(hook)
        # data input: grad_input is (None,) and the hook still sees grad_output
        data_calls: list[Any] = []
        model[0].register_full_backward_hook(
            lambda m, gi, go, calls=data_calls: calls.append((gi[0] is None, go[0].shape)))
        with pytest.warns(UserWarning, match="no inputs require gradients"):
            model(lib.tensor(data)).pow(2).sum().backward()
        seen.append((calls, data_calls))
        grads.append([p.grad.numpy().copy() for p in model.parameters()])
    (ours, our_data), (theirs, their_data) = seen
    assert len(ours) == len(theirs) == 1
    for a, b in zip(ours[0], theirs[0], strict=True):
        np.testing.assert_allclose(a, b, rtol=RTOL)
    assert our_data == [(True, (5, 4))] and their_data == [(True, torch.Size([5, 4]))]
    for a, b in zip(*grads, strict=True):  # the first layer's grads saw the x10
        np.testing.assert_allclose(a, b, rtol=RTOL)


def test_hook_handles_remove_and_work_as_context_managers() -> None:
    layer = nn.Linear(2, 2)
    calls = []
    with layer.register_forward_hook(lambda m, a, o: calls.append(1)):
        layer(tg.ones(1, 2))
    layer(tg.ones(1, 2))
    assert calls == [1]
    with pytest.raises(TypeError, match="callable"):
        layer.register_forward_hook(3)
