"""Anomaly mode: the first op that makes NaN/Inf, in forward or backward, is named with its line."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import autograd, nn

THIS_FILE = os.path.basename(__file__)


def next_line() -> int:
    """The line number just after the caller's line (where the op under test is written)."""
    return sys._getframe(1).f_lineno + 1


@pytest.fixture(autouse=True)
def anomaly_off_afterwards():
    """Every test starts and ends with anomaly mode off, whatever it did."""
    assert not tg.is_anomaly_enabled()
    yield
    tg.set_detect_anomaly(False)


def test_anomaly_mode_is_off_by_default():
    assert tg.is_anomaly_enabled() is False
    x = tg.tensor([-1.0], requires_grad=True)
    assert np.isnan(x.sqrt().numpy()).all()


def test_forward_nan_raises_naming_op_shapes_and_user_line():
    x = tg.tensor([[1.0, -1.0, 2.0]], requires_grad=True)
    with tg.detect_anomaly(), pytest.raises(RuntimeError) as info:
        line = next_line()
        (x - 1.5).log()
    message = str(info.value)
    assert "'log'" in message
    assert "(1, 3)" in message
    assert f"{THIS_FILE}:{line}" in message
    assert "(x - 1.5).log()" in message


def test_forward_inf_raises_naming_the_op():
    x = tg.tensor([1.0, 1000.0], requires_grad=True)
    with tg.detect_anomaly(), pytest.raises(RuntimeError, match="'exp'.*NaN/Inf"), np.errstate(
        over="ignore"
    ):
        x.exp()


def test_forward_names_the_first_bad_op_not_a_later_one():
    x = tg.tensor([0.5, -0.5], requires_grad=True)
    with tg.detect_anomaly(), pytest.raises(RuntimeError) as info:
        line = next_line()
        bad = x.sqrt()
        (bad * 2 + 1).tanh()
    assert "'sqrt'" in str(info.value)
    assert f"{THIS_FILE}:{line}" in str(info.value)


def test_forward_error_names_both_input_shapes_of_a_binary_op():
    a = tg.tensor([[1.0], [0.0]], requires_grad=True)
    b = tg.tensor([0.0, 1.0, 2.0])
    with tg.detect_anomaly(), pytest.raises(RuntimeError) as info, np.errstate(all="ignore"):
        b / a
    message = str(info.value)
    assert "'div'" in message and "(2, 3)" in message
    assert "(3,)" in message and "(2, 1)" in message


def test_nan_already_in_an_input_is_reported_as_coming_from_outside_the_graph():
    data = tg.tensor([[float("nan"), 1.0]])
    w = tg.ones(2, 2, requires_grad=True)
    with tg.detect_anomaly(), pytest.raises(RuntimeError) as info:
        data @ w
    assert "'matmul'" in str(info.value)
    assert "input of shape (1, 2) already held NaN/Inf" in str(info.value)


def test_backward_inf_raises_naming_the_op_and_where_it_was_created():
    x = tg.tensor([0.0, 4.0], requires_grad=True)
    with tg.detect_anomaly():
        line = next_line()
        root = (x * x).sqrt()  # forward is finite; d sqrt at 0 is infinite
        loss = root.sum()
        with pytest.raises(RuntimeError) as info, np.errstate(divide="ignore"):
            loss.backward()
    message = str(info.value)
    assert "backward of op 'sqrt'" in message
    assert "(2,)" in message
    assert f"{THIS_FILE}:{line}" in message
    assert root._anomaly is True


def test_backward_nan_is_found_in_the_first_op_of_the_backward_pass_that_makes_it():
    x = tg.tensor([0.0, 1.0], requires_grad=True)
    with tg.detect_anomaly():
        hidden = x.sqrt()  # backward: g / (2 * 0) = inf at x = 0
        loss = (hidden * 3.0).sum()
        with pytest.raises(RuntimeError, match="backward of op 'sqrt'"), np.errstate(
            divide="ignore"
        ):
            loss.backward()


def test_backward_through_create_graph_also_checks_the_recorded_ops():
    x = tg.tensor([0.0, 1.0], requires_grad=True)
    with tg.detect_anomaly():
        loss = x.sqrt().sum()
        with pytest.raises(RuntimeError, match="NaN/Inf"), np.errstate(divide="ignore"):
            tg.grad(loss, x, create_graph=True)


def test_off_records_no_creation_frame():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).exp().sum()
    for t in (y, y._parents[0], y._parents[0]._parents[0]):
        assert "_created_at" not in t.__dict__


def test_off_never_inspects_the_stack(monkeypatch):
    def must_not_run(*args):
        raise AssertionError("anomaly checking ran while anomaly mode was off")

    monkeypatch.setattr(autograd, "_user_frame", must_not_run)
    monkeypatch.setattr(autograd, "check_forward_anomaly", must_not_run)
    x = tg.tensor([0.0, -1.0], requires_grad=True)
    loss = (x.sqrt() + x.log()).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        loss.backward()
    assert np.isnan(x.grad.numpy()).any()


def test_on_records_the_creation_frame_of_every_recorded_op():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with tg.detect_anomaly():
        line = next_line()
        y = x * 3
    assert y._created_at.startswith(__file__ + f":{line} ")


def test_set_detect_anomaly_turns_it_on_and_off():
    x = tg.tensor([-1.0], requires_grad=True)
    tg.set_detect_anomaly(True)
    assert tg.is_anomaly_enabled()
    with pytest.raises(RuntimeError, match="'log'"):
        x.log()
    tg.set_detect_anomaly(False)
    assert not tg.is_anomaly_enabled()
    assert np.isnan(x.log().numpy()).all()


def test_context_manager_restores_the_previous_mode_even_after_an_error():
    x = tg.tensor([-1.0], requires_grad=True)
    with pytest.raises(RuntimeError), tg.detect_anomaly():
        x.sqrt()
    assert not tg.is_anomaly_enabled()


def test_check_nan_false_switches_checking_off_inside_an_anomaly_block():
    x = tg.tensor([-1.0], requires_grad=True)
    with tg.detect_anomaly():
        with tg.detect_anomaly(check_nan=False):
            assert np.isnan(x.sqrt().numpy()).all()
        assert tg.is_anomaly_enabled()


def test_works_as_a_decorator():
    @tg.detect_anomaly()
    def step(x: tg.Tensor) -> tg.Tensor:
        return (x - 2).log().sum()

    x = tg.tensor([1.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="'log'"):
        step(x)
    assert not tg.is_anomaly_enabled()


def test_finite_graphs_run_unchanged_under_anomaly_mode():
    x = tg.tensor([[0.5, -1.0], [2.0, 0.1]], dtype=tg.float64, requires_grad=True)
    with tg.detect_anomaly():
        loss = (x.tanh() @ x.T).softmax(-1).log().sum()
        loss.backward()
    expected = x.grad.numpy().copy()
    x.grad = None
    (x.tanh() @ x.T).softmax(-1).log().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_custom_function_is_checked_and_located_in_user_code():
    class Reciprocal(tg.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return tg.Tensor(1.0 / x.numpy())

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return -g / (x * x)

    x = tg.tensor([0.0, 2.0], requires_grad=True)
    with tg.detect_anomaly(), pytest.raises(RuntimeError) as info, np.errstate(divide="ignore"):
        line = next_line()
        Reciprocal.apply(x)
    assert "'Reciprocal'" in str(info.value)
    assert f"{THIS_FILE}:{line}" in str(info.value)


def test_ops_inside_nn_layers_are_located_at_the_users_call():
    layer = nn.Linear(2, 3)
    with tg.detect_anomaly(), pytest.raises(RuntimeError) as info:
        line = next_line()
        layer(tg.tensor([[float("nan"), 1.0]]))
    assert f"{THIS_FILE}:{line}" in str(info.value)
    assert "functional.py" not in str(info.value)


def test_training_step_with_exploding_loss_is_caught_at_the_bad_op():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    x = tg.randn(5, 3)
    with tg.detect_anomaly():
        loss = ((model(x) - 1) ** 2).mean()
        loss.backward()
        with pytest.raises(RuntimeError, match="'log'"):
            (model(x) - 100).log().mean()


def test_picture_marks_the_op_whose_forward_made_the_nan():
    x = tg.tensor([1.0, -1.0], requires_grad=True)
    with tg.detect_anomaly(), pytest.raises(RuntimeError) as info:
        (x * 2).log()
    bad = info.value.tensor
    assert bad._op == "log" and bad._anomaly is True
    source = tg.viz.draw_graph(bad).source
    assert "anomaly" in source.lower()
    assert tg.viz.NONFINITE_COLOR in source
    assert "mul" in source  # the graph leading to it is drawn too


def test_picture_marks_the_op_whose_backward_made_the_nan():
    x = tg.tensor([0.0, 4.0], requires_grad=True)
    with tg.detect_anomaly():
        root = (x * x).sqrt()
        with pytest.raises(RuntimeError) as info, np.errstate(divide="ignore"):
            root.sum().backward()
    assert info.value.tensor is root
    source = tg.viz.draw_graph(root).source
    assert "anomaly" in source.lower()
    assert tg.viz.NONFINITE_COLOR in source
    assert "mul" in source  # the graph was kept, so the picture shows how it was reached
