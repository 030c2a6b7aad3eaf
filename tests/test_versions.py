"""Version counters: changing a saved input in place makes backward refuse, not return garbage."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import nn, optim


def leaf(values, name=None):
    t = tg.tensor(values, dtype=tg.float64, requires_grad=True)
    t.name = name
    return t


# ---------------------------------------------------------------- what bumps the version


def test_new_tensors_start_at_version_zero():
    assert tg.tensor([1.0])._version == 0
    assert (leaf([1.0]) * 2)._version == 0


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda t: t.__iadd__(1.0), id="+="),
        pytest.param(lambda t: t.__isub__(1.0), id="-="),
        pytest.param(lambda t: t.__imul__(2.0), id="*="),
        pytest.param(lambda t: t.__itruediv__(2.0), id="/="),
        pytest.param(lambda t: t.zero_(), id="zero_"),
        pytest.param(lambda t: t.fill_(3.0), id="fill_"),
        pytest.param(lambda t: t.__setitem__(0, 5.0), id="setitem"),
        pytest.param(lambda t: setattr(t, "data", np.zeros(2)), id="data="),
    ],
)
def test_every_in_place_change_bumps_the_version(change):
    t = leaf([1.0, 2.0])
    with tg.no_grad():
        change(t)
    assert t._version == 1


def test_data_minus_equals_updates_in_place_unseen_by_autograd_as_pytorch():
    w = leaf([1.0, 2.0])
    array = w.numpy()
    (w * w).sum().backward()
    w.data -= 0.1 * w.grad
    assert w._version == 0 and w.numpy() is array  # .data is outside autograd, as PyTorch
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6])


def test_optimizer_step_bumps_the_version_of_updated_parameters_only():
    used, unused = leaf([1.0, 2.0]), leaf([3.0])
    opt = optim.SGD([used, unused], lr=0.1)
    (used * used).sum().backward()
    opt.step()
    assert used._version == 1
    assert unused._version == 0


def test_load_state_dict_bumps_the_version():
    layer = nn.Linear(2, 2)
    before = layer.weight._version
    layer.load_state_dict({k: v * 2 for k, v in layer.state_dict().items()})
    assert layer.weight._version > before


# ---------------------------------------------------------------- backward refuses stale inputs


def test_backward_after_data_assignment_names_op_and_shape():
    w = leaf([[1.0, 2.0, 3.0]], name="w")
    loss = (w * w).sum()
    w.data = np.zeros((1, 3))
    with pytest.raises(RuntimeError) as info:
        loss.backward()
    message = str(info.value)
    assert "'mul'" in message
    assert "(1, 3)" in message
    assert "'w'" in message
    assert "modified in place" in message


def test_backward_after_no_grad_in_place_update_of_a_leaf_raises():
    w = leaf([1.0, 2.0])
    loss = (w.exp() * w).sum()
    with tg.no_grad():
        w -= 0.5
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_backward_after_in_place_change_of_a_saved_intermediate_raises():
    x = leaf([1.0, 2.0])
    hidden = x * 3
    loss = (hidden * hidden).sum()
    with tg.no_grad():
        hidden.zero_()
    with pytest.raises(RuntimeError, match="'mul'.*shape \\(2,\\)"):
        loss.backward()


def test_backward_after_item_assignment_raises():
    x = leaf([1.0, 2.0, 3.0])
    mask = tg.tensor([1.0, 1.0, 1.0], dtype=tg.float64)
    loss = (x * mask).sum()
    mask[1] = 0.0
    with pytest.raises(RuntimeError, match="'mul'"):
        loss.backward()


def test_optimizer_step_between_forward_and_backward_raises():
    tg.manual_seed(0)
    model = nn.Linear(3, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = tg.randn(4, 3)
    loss = model(x).sum()
    (model(x) ** 2).sum().backward()
    opt.step()
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_retained_graph_refuses_a_second_backward_after_an_update():
    w = leaf([1.0, 2.0])
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    with tg.no_grad():
        w -= 0.1 * w.grad
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_refused_backward_leaves_grad_untouched():
    # without the check, d(w*w)/dw = 2w would be computed from the new w: 200 instead of 6
    w = leaf([3.0])
    loss = (w * w).sum()
    w.data = np.array([100.0])
    with pytest.raises(RuntimeError):
        loss.backward()
    assert w.grad is None


# ---------------------------------------------------------------- what stays legal


def test_recorded_in_place_op_on_a_non_leaf_keeps_correct_gradients():
    x = leaf([1.0, -2.0, 3.0])

    def fn(x):
        out = x * x
        out += x  # recorded like out = out + x
        out *= 2
        return out.sum()

    loss = fn(x)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * (2 * x.numpy() + 1))
    assert tg.gradcheck(fn, [leaf([1.0, -2.0, 3.0])])


def test_in_place_change_of_an_unrelated_tensor_is_allowed():
    x, other = leaf([1.0, 2.0]), leaf([5.0])
    loss = (x * x).sum()
    with tg.no_grad():
        other += 1
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


@pytest.mark.parametrize(
    "op",
    [
        pytest.param(lambda x: x.exp(), id="exp"),
        pytest.param(lambda x: x.tanh(), id="tanh"),
        pytest.param(lambda x: x.sigmoid(), id="sigmoid"),
        pytest.param(lambda x: x.sqrt(), id="sqrt"),
        pytest.param(lambda x: x.softmax(0), id="softmax"),
        pytest.param(lambda x: x.log_softmax(0), id="log_softmax"),
    ],
)
def test_changing_an_output_its_backward_reads_makes_backward_raise(op):
    x = leaf([0.5, 1.5])
    y = op(x)
    with tg.no_grad():
        y[0:1] += 1  # through a view, as PyTorch also catches
    with pytest.raises(RuntimeError, match="output of op .* modified in place"):
        y.sum().backward()


def test_changing_an_output_its_backward_does_not_read_is_allowed_as_in_torch():
    x = leaf([0.5, 1.5])
    y = x * 3.0  # mul's backward reads its inputs, not y
    with tg.no_grad():
        y += 1
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


def test_recorded_in_place_op_on_an_exp_output_keeps_its_gradient():
    x = leaf([0.5, 1.5])
    y = x.exp()
    y += 1  # grad mode on: recorded as y = y + 1, the exp output itself is kept
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, 1.5]), rtol=1e-12)


def test_changing_a_tensor_after_backward_is_allowed():
    w = leaf([1.0, 2.0])
    (w * w).sum().backward()
    w.data = np.array([0.0, 0.0])
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [2.0, 4.0])


def test_grad_accumulation_does_not_count_as_a_change_of_the_parameter():
    w = leaf([1.0, 2.0])
    for _ in range(3):
        (w * w).sum().backward()
    assert w._version == 0
    np.testing.assert_allclose(w.grad.numpy(), [6.0, 12.0])


@pytest.mark.parametrize(
    "make_optimizer",
    [
        pytest.param(lambda p: optim.SGD(p, lr=0.1, momentum=0.9), id="SGD"),
        pytest.param(lambda p: optim.Adam(p, lr=0.05), id="Adam"),
        pytest.param(lambda p: optim.AdamW(p, lr=0.05), id="AdamW"),
        pytest.param(lambda p: optim.RMSprop(p, lr=0.01), id="RMSprop"),
    ],
)
def test_full_training_loop_with_optimizer_updates_between_steps_works(make_optimizer):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = make_optimizer(model.parameters())
    x = tg.randn(16, 2)
    y = (x[:, :1] * x[:, 1:]).detach()
    versions = [p._version for p in model.parameters()]
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert [p._version for p in model.parameters()] == [v + 5 for v in versions]
    assert losses[-1] < losses[0]


def test_hand_written_sgd_loop_with_no_grad_updates_works():
    w = leaf([[0.5, -0.5]])
    x = tg.tensor([[1.0], [2.0]], dtype=tg.float64)
    for _ in range(4):
        loss = (((w @ x) - 1.0) ** 2).sum()
        loss.backward()
        with tg.no_grad():
            w -= 0.05 * w.grad
        w.grad = None
    assert w._version == 4
    np.testing.assert_array_less(np.abs((w @ x).numpy() - 1.0), np.abs(0.5 - 1.0 - 1.0))
