"""optim: every optimizer follows PyTorch's trajectory step for step (float64).

The model is a 2-layer MLP written with raw Tensor ops (tanh hidden layer,
squared-error loss), built identically in tinygrad_nn and in PyTorch from the
same starting arrays.  PyTorch runs its single-tensor code path
(``foreach=False``), the one our updates transcribe.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import optim
from tinygrad_nn.optim import lr_scheduler

torch = pytest.importorskip("torch")

STEPS = 20
RNG = np.random.default_rng(0)
X = RNG.normal(size=(8, 3))
Y = RNG.normal(size=(8, 2))
# W1 (5, 3), b1 (5,), W2 (2, 5), b2 (2,): nn.Linear's (out, in) layout.
INITIAL = [
    RNG.normal(size=(5, 3)),
    RNG.normal(size=(5,)),
    RNG.normal(size=(2, 5)),
    RNG.normal(size=2),
]


def loss_tg(params):
    W1, b1, W2, b2 = params
    hidden = (tg.Tensor(X) @ W1.T + b1).tanh()
    return ((hidden @ W2.T + b2 - tg.Tensor(Y)) ** 2).mean()


def loss_torch(params):
    W1, b1, W2, b2 = params
    hidden = torch.tanh(torch.tensor(X) @ W1.T + b1)
    return ((hidden @ W2.T + b2 - torch.tensor(Y)) ** 2).mean()


def param_spec(params, groups):
    """The optimizer's ``params`` argument: the list itself, or groups of indices made concrete."""
    if groups is None:
        return list(params)
    return [{**group, "params": [params[i] for i in group["params"]]} for group in groups]


def make_pair(name, kwargs, groups=None):
    ours = [tg.Tensor(a.copy(), requires_grad=True) for a in INITIAL]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in INITIAL]
    # foreach=False on both sides: PyTorch runs its single-tensor path; ours accepts and ignores it.
    our_optimizer = getattr(optim, name)(param_spec(ours, groups), foreach=False, **kwargs)
    their_optimizer = getattr(torch.optim, name)(
        param_spec(theirs, groups), foreach=False, **kwargs
    )
    return ours, our_optimizer, theirs, their_optimizer


def train_step(params, optimizer, loss_fn):
    optimizer.zero_grad()
    loss_fn(params).backward()
    optimizer.step()


def assert_same_params(ours, theirs, step):
    for index, (mine, reference) in enumerate(zip(ours, theirs, strict=True)):
        np.testing.assert_allclose(
            mine.numpy(),
            reference.detach().numpy(),
            rtol=1e-10,
            atol=1e-12,
            err_msg=f"parameter {index} after step {step}",
        )


TWO_GROUPS = [{"params": [0, 1], "lr": 0.03}, {"params": [2, 3]}]

TRAJECTORY_CASES = {
    "sgd": ("SGD", {"lr": 0.1}, None),
    "sgd_momentum": ("SGD", {"lr": 0.1, "momentum": 0.9}, None),
    "sgd_dampening": ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}, None),
    "sgd_nesterov": ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, None),
    "sgd_weight_decay": ("SGD", {"lr": 0.1, "momentum": 0.8, "weight_decay": 0.05}, None),
    "sgd_groups": (
        "SGD",
        {"lr": 0.1},
        [{"params": [0, 1], "lr": 0.03, "momentum": 0.9}, {"params": [2, 3], "nesterov": False}],
    ),
    "adam": ("Adam", {"lr": 0.05}, None),
    "adam_small_betas": ("Adam", {"lr": 0.05, "betas": (0.3, 0.5)}, None),
    "adam_weight_decay": ("Adam", {"lr": 0.05, "weight_decay": 0.1}, None),
    "adam_amsgrad": ("Adam", {"lr": 0.05, "amsgrad": True}, None),
    "adam_groups": (
        "Adam",
        {"lr": 0.05},
        [{"params": [0, 1], "betas": (0.8, 0.99)}, {"params": [2, 3], "eps": 1e-3}],
    ),
    "adamw": ("AdamW", {"lr": 0.05}, None),
    "adamw_strong_decay_amsgrad": (
        "AdamW",
        {"lr": 0.05, "weight_decay": 0.5, "amsgrad": True},
        None,
    ),
    "adamw_groups": ("AdamW", {"lr": 0.05}, TWO_GROUPS),
    "rmsprop": ("RMSprop", {"lr": 0.01}, None),
    "rmsprop_momentum": ("RMSprop", {"lr": 0.01, "momentum": 0.9}, None),
    "rmsprop_centered": ("RMSprop", {"lr": 0.01, "centered": True}, None),
    "rmsprop_centered_momentum_decay": (
        "RMSprop",
        {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1},
        None,
    ),
    "rmsprop_small_alpha_centered": ("RMSprop", {"lr": 0.01, "alpha": 0.3, "centered": True}, None),
    "rmsprop_groups": ("RMSprop", {"lr": 0.01}, TWO_GROUPS),
    "sgd_maximize": ("SGD", {"lr": 0.01, "momentum": 0.5, "maximize": True}, None),
    "adam_maximize_amsgrad": ("Adam", {"lr": 0.05, "amsgrad": True, "maximize": True}, None),
    "adam_decoupled_weight_decay": (
        "Adam",
        {"lr": 0.05, "weight_decay": 0.3, "decoupled_weight_decay": True},
        None,
    ),
    "adamw_maximize": ("AdamW", {"lr": 0.05, "maximize": True}, None),
    "rmsprop_maximize_centered": (
        "RMSprop",
        {"lr": 0.01, "centered": True, "momentum": 0.3, "maximize": True},
        None,
    ),
    "adagrad": ("Adagrad", {"lr": 0.1}, None),
    "adagrad_lr_decay": ("Adagrad", {"lr": 0.2, "lr_decay": 0.05}, None),
    "adagrad_all_options": (
        "Adagrad",
        {
            "lr": 0.2,
            "lr_decay": 0.01,
            "weight_decay": 0.1,
            "initial_accumulator_value": 0.5,
            "eps": 1e-4,
        },
        None,
    ),
    "adagrad_maximize": ("Adagrad", {"lr": 0.1, "maximize": True}, None),
    "adagrad_groups": (
        "Adagrad",
        {"lr": 0.1},
        [{"params": [0, 1], "lr_decay": 0.1}, {"params": [2, 3], "initial_accumulator_value": 1.0}],
    ),
    "adadelta": ("Adadelta", {}, None),
    "adadelta_rho_eps": ("Adadelta", {"lr": 0.5, "rho": 0.5, "eps": 1e-3}, None),
    "adadelta_weight_decay_maximize": (
        "Adadelta",
        {"lr": 2.0, "rho": 0.95, "weight_decay": 0.2, "maximize": True},
        None,
    ),
    "adadelta_groups": (
        "Adadelta",
        {"lr": 1.0},
        [{"params": [0, 1], "rho": 0.7}, {"params": [2, 3]}],
    ),
}


@pytest.mark.parametrize("case", sorted(TRAJECTORY_CASES))
def test_twenty_step_trajectory_matches_pytorch(case):
    name, kwargs, groups = TRAJECTORY_CASES[case]
    ours, our_optimizer, theirs, their_optimizer = make_pair(name, kwargs, groups)
    for step in range(1, STEPS + 1):
        train_step(ours, our_optimizer, loss_tg)
        train_step(theirs, their_optimizer, loss_torch)
        assert_same_params(ours, theirs, step)


@pytest.mark.parametrize(
    "case",
    [
        "sgd_nesterov",
        "adam_amsgrad",
        "adamw",
        "rmsprop_centered",
        "adagrad_all_options",
        "adadelta",
    ],
)
def test_state_dict_round_trip_continues_the_same_trajectory(case):
    name, kwargs, groups = TRAJECTORY_CASES[case]
    ours, our_optimizer, theirs, their_optimizer = make_pair(name, kwargs, groups)
    for _ in range(STEPS // 2):
        train_step(ours, our_optimizer, loss_tg)
        train_step(theirs, their_optimizer, loss_torch)
    saved = our_optimizer.state_dict()
    resumed = [tg.Tensor(p.numpy().copy(), requires_grad=True) for p in ours]
    resumed_optimizer = getattr(optim, name)(resumed, lr=123.0)
    resumed_optimizer.load_state_dict(saved)
    for step in range(STEPS // 2 + 1, STEPS + 1):
        train_step(resumed, resumed_optimizer, loss_tg)
        train_step(theirs, their_optimizer, loss_torch)
        assert_same_params(resumed, theirs, step)


@pytest.mark.parametrize(
    "case",
    [
        "sgd_groups",
        "adam_amsgrad",
        "rmsprop_centered_momentum_decay",
        "adagrad_groups",
        "adadelta_groups",
        "adam_decoupled_weight_decay",
    ],
)
def test_state_dict_has_pytorchs_layout(case):
    name, kwargs, groups = TRAJECTORY_CASES[case]
    ours, our_optimizer, theirs, their_optimizer = make_pair(name, kwargs, groups)
    for _ in range(2):
        train_step(ours, our_optimizer, loss_tg)
        train_step(theirs, their_optimizer, loss_torch)
    mine, reference = our_optimizer.state_dict(), their_optimizer.state_dict()
    assert set(mine) == {"state", "param_groups"}
    assert sorted(mine["state"]) == sorted(reference["state"])
    for index, values in mine["state"].items():
        assert set(values) == set(reference["state"][index])
        for key, value in values.items():
            np.testing.assert_allclose(
                np.asarray(value), np.asarray(reference["state"][index][key])
            )
    for my_group, their_group in zip(mine["param_groups"], reference["param_groups"], strict=True):
        assert my_group["params"] == their_group["params"]
        for key, value in my_group.items():
            assert their_group[key] == value, key


def test_state_dict_is_a_copy_that_later_steps_do_not_change():
    ours, our_optimizer, _, _ = make_pair("SGD", {"lr": 0.1, "momentum": 0.9})
    train_step(ours, our_optimizer, loss_tg)
    saved = our_optimizer.state_dict()
    buffer = saved["state"][0]["momentum_buffer"].copy()
    train_step(ours, our_optimizer, loss_tg)
    np.testing.assert_array_equal(saved["state"][0]["momentum_buffer"], buffer)


def test_load_state_dict_rejects_a_different_number_of_groups():
    ours, our_optimizer, _, _ = make_pair("Adam", {"lr": 0.1}, TWO_GROUPS)
    other = optim.Adam([tg.Tensor(a.copy(), requires_grad=True) for a in INITIAL])
    with pytest.raises(ValueError, match="2 parameter groups, but the optimizer has 1"):
        other.load_state_dict(our_optimizer.state_dict())


def test_load_state_dict_rejects_a_buffer_of_the_wrong_shape():
    _, our_optimizer, _, _ = make_pair("Adam", {"lr": 0.1})
    train_step(our_optimizer.param_groups[0]["params"], our_optimizer, loss_tg)
    saved = our_optimizer.state_dict()
    shapes_swapped = [tg.Tensor(np.zeros(a.shape[::-1]), requires_grad=True) for a in INITIAL]
    with pytest.raises(ValueError, match=r"state\[0\]\['exp_avg'\] has shape \(5, 3\).*\(3, 5\)"):
        optim.Adam(shapes_swapped).load_state_dict(saved)


def test_step_updates_the_same_arrays_in_place_and_bumps_versions():
    ours, our_optimizer, _, _ = make_pair("Adam", {"lr": 0.1})
    arrays = [p._data for p in ours]
    versions = [p._version for p in ours]
    before = [a.copy() for a in arrays]
    train_step(ours, our_optimizer, loss_tg)
    for param, array, version, old in zip(ours, arrays, versions, before, strict=True):
        assert param._data is array
        assert param._version > version
        assert not np.array_equal(array, old)


def test_parameters_without_a_gradient_are_left_alone():
    used = tg.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    unused = tg.Tensor(np.array([3.0, 4.0]), requires_grad=True)
    optimizer = optim.Adam([used, unused], lr=0.1, weight_decay=0.5)
    (used * used).sum().backward()
    optimizer.step()
    np.testing.assert_array_equal(unused.numpy(), [3.0, 4.0])
    assert unused.grad is None
    assert used in optimizer.state and unused not in optimizer.state  # keyed like PyTorch
    assert list(optimizer.state_dict()["state"]) == [0]


def test_a_gradient_of_the_wrong_shape_is_rejected_with_both_shapes():
    param = tg.Tensor(np.ones(3), requires_grad=True)
    param.grad = tg.Tensor(np.ones(1))
    with pytest.raises(ValueError, match=r"shape \(3,\) has a gradient of shape \(1,\)"):
        optim.SGD([param], lr=0.1).step()


def test_zero_grad_sets_gradients_to_none():
    ours, our_optimizer, _, _ = make_pair("SGD", {"lr": 0.1})
    loss_tg(ours).backward()
    assert all(p.grad is not None for p in ours)
    our_optimizer.zero_grad()
    assert all(p.grad is None for p in ours)


def test_zero_grad_without_set_to_none_zeroes_in_place():
    ours, our_optimizer, _, _ = make_pair("SGD", {"lr": 0.1})
    loss_tg(ours).backward()
    our_optimizer.zero_grad(set_to_none=False)
    for param in ours:
        np.testing.assert_array_equal(param.grad.numpy(), np.zeros(param.shape))


def test_step_with_closure_returns_its_loss():
    ours, our_optimizer, _, _ = make_pair("SGD", {"lr": 0.1})

    def closure():
        our_optimizer.zero_grad()
        loss = loss_tg(ours)
        loss.backward()
        return loss

    first = our_optimizer.step(closure).item()
    assert our_optimizer.step(closure).item() < first


def test_float32_parameters_and_state_stay_float32():
    param = tg.Tensor(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True)
    optimizer = optim.RMSprop([param], momentum=0.9, centered=True)
    (param * param).sum().backward()
    optimizer.step()
    assert param.dtype == np.float32
    state = optimizer.state_dict()["state"][0]
    assert {state[k].dtype for k in ("square_avg", "momentum_buffer", "grad_avg")} == {
        np.dtype(np.float32)
    }


def test_param_group_lr_is_read_at_every_step():
    param = tg.Tensor(np.array([1.0]), requires_grad=True)
    optimizer = optim.SGD([param], lr=0.1)
    optimizer.param_groups[0]["lr"] = 0.5
    (param * 2.0).sum().backward()
    optimizer.step()
    np.testing.assert_allclose(param.numpy(), [1.0 - 0.5 * 2.0])


def a_param():
    return tg.Tensor(np.ones(2), requires_grad=True)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: optim.SGD([a_param()], lr=-0.1), "-0.1"),
        (lambda: optim.SGD([a_param()], lr=0.1, momentum=-1.0), "momentum=-1.0"),
        (lambda: optim.SGD([a_param()], lr=0.1, nesterov=True), "Nesterov"),
        (lambda: optim.SGD([{"params": [a_param()], "lr": -2.0}], lr=0.1), "-2.0"),
        (lambda: optim.Adam([a_param()], betas=(1.0, 0.999)), "index 0: 1.0"),
        (lambda: optim.Adam([a_param()], betas=(0.9, -0.5)), "index 1: -0.5"),
        (lambda: optim.Adam([a_param()], betas=0.9), "betas"),
        (lambda: optim.Adam([a_param()], eps=-1e-8), "eps=-1e-08"),
        (lambda: optim.AdamW([a_param()], weight_decay=-0.01), "weight_decay=-0.01"),
        (lambda: optim.RMSprop([a_param()], alpha=-0.9), "alpha=-0.9"),
        (lambda: optim.Adagrad([a_param()], lr_decay=-0.1), "lr_decay=-0.1"),
        (lambda: optim.Adagrad([a_param()], initial_accumulator_value=-1.0), "value=-1.0"),
        (lambda: optim.Adagrad([a_param()], eps=-1.0), "eps=-1.0"),
        (lambda: optim.Adadelta([a_param()], rho=1.5), "rho=1.5"),
        (lambda: optim.Adadelta([a_param()], weight_decay=-2.0), "weight_decay=-2.0"),
        (lambda: optim.Adam([]), "empty parameter list"),
        (lambda: optim.Adam([{"params": []}]), "no parameters"),
        (lambda: optim.SGD([(a_param() * 2.0)], lr=0.1), "non-leaf"),
    ],
)
def test_invalid_options_raise_value_error_naming_the_value(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


def test_the_same_parameter_twice_is_rejected():
    param = a_param()
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([{"params": [param]}, {"params": [param]}], lr=0.1)


def test_a_single_tensor_instead_of_a_list_is_rejected():
    with pytest.raises(TypeError, match="wrap it in a list"):
        optim.SGD(a_param(), lr=0.1)


def test_a_non_tensor_parameter_is_rejected_with_its_position():
    with pytest.raises(TypeError, match="item 1 is a ndarray"):
        optim.SGD([a_param(), np.ones(2)], lr=0.1)


def scheduler_pair(make_ours, make_theirs):
    params = [
        tg.Tensor(np.zeros(1), requires_grad=True),
        tg.Tensor(np.zeros(1), requires_grad=True),
    ]
    groups = [{"params": [params[0]], "lr": 0.1}, {"params": [params[1]], "lr": 0.7}]
    ours = optim.SGD(groups, lr=0.5)
    torch_params = [torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)]
    torch_groups = [
        {"params": [torch_params[0]], "lr": 0.1},
        {"params": [torch_params[1]], "lr": 0.7},
    ]
    theirs = torch.optim.SGD(torch_groups, lr=0.5)
    return ours, make_ours(ours), theirs, make_theirs(theirs)


def assert_same_lr_sequence(ours, our_scheduler, theirs, their_scheduler, epochs):
    assert our_scheduler.get_last_lr() == pytest.approx(their_scheduler.get_last_lr(), rel=1e-12)
    for epoch in range(1, epochs + 1):
        ours.step()
        theirs.step()
        our_scheduler.step()
        their_scheduler.step()
        expected = their_scheduler.get_last_lr()
        assert our_scheduler.get_last_lr() == pytest.approx(expected, rel=1e-12, abs=1e-15), epoch
        assert [g["lr"] for g in ours.param_groups] == our_scheduler.get_last_lr()


@pytest.mark.parametrize(("step_size", "gamma"), [(1, 0.5), (3, 0.1), (7, 0.9)])
def test_step_lr_sequence_matches_pytorch(step_size, gamma):
    pair = scheduler_pair(
        lambda o: lr_scheduler.StepLR(o, step_size=step_size, gamma=gamma),
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=step_size, gamma=gamma),
    )
    assert_same_lr_sequence(*pair, epochs=25)


@pytest.mark.parametrize(("T_max", "eta_min"), [(1, 0.0), (5, 0.0), (7, 0.01), (10, 0.05)])
def test_cosine_annealing_sequence_matches_pytorch_past_several_periods(T_max, eta_min):
    pair = scheduler_pair(
        lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=T_max, eta_min=eta_min),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=T_max, eta_min=eta_min),
    )
    assert_same_lr_sequence(*pair, epochs=4 * T_max + 3)


def test_cosine_annealing_follows_the_closed_form_within_the_first_period():
    param = tg.Tensor(np.zeros(1), requires_grad=True)
    scheduler = lr_scheduler.CosineAnnealingLR(optim.SGD([param], lr=0.2), T_max=8, eta_min=0.02)
    for epoch in range(1, 9):
        scheduler.step()
        expected = 0.02 + (0.2 - 0.02) * (1 + np.cos(np.pi * epoch / 8)) / 2
        assert scheduler.get_last_lr() == pytest.approx([expected], rel=1e-12)


def test_scheduled_sgd_trajectory_matches_pytorch():
    ours, our_optimizer, theirs, their_optimizer = make_pair("SGD", {"lr": 0.2, "momentum": 0.9})
    our_scheduler = lr_scheduler.StepLR(our_optimizer, step_size=4, gamma=0.5)
    their_scheduler = torch.optim.lr_scheduler.StepLR(their_optimizer, step_size=4, gamma=0.5)
    for step in range(1, STEPS + 1):
        train_step(ours, our_optimizer, loss_tg)
        train_step(theirs, their_optimizer, loss_torch)
        our_scheduler.step()
        their_scheduler.step()
        assert_same_params(ours, theirs, step)


def test_scheduler_state_dict_round_trip_resumes_the_schedule():
    param = tg.Tensor(np.zeros(1), requires_grad=True)
    scheduler = lr_scheduler.CosineAnnealingLR(optim.SGD([param], lr=0.2), T_max=6)
    for _ in range(3):
        scheduler.step()
    saved = scheduler.state_dict()
    optimizer = optim.SGD([param], lr=0.2)
    resumed = lr_scheduler.CosineAnnealingLR(optimizer, T_max=6)
    resumed.load_state_dict(saved)
    optimizer.param_groups[0]["lr"] = scheduler.get_last_lr()[0]
    for _ in range(5):
        scheduler.step()
        resumed.step()
        assert resumed.get_last_lr() == scheduler.get_last_lr()


@pytest.mark.parametrize(
    "make",
    [
        lambda o: lr_scheduler.StepLR(o, step_size=0),
        lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0),
        lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=2.5),
    ],
)
def test_scheduler_rejects_a_non_positive_period(make):
    with pytest.raises(ValueError, match="must be a positive int"):
        make(optim.SGD([a_param()], lr=0.1))


@pytest.mark.parametrize("case", ["sgd_nesterov", "adam_weight_decay", "adamw", "rmsprop_centered"])
def test_float32_trajectory_matches_pytorch_float32_to_single_precision(case):
    name, kwargs, groups = TRAJECTORY_CASES[case]
    ours = [tg.Tensor(a.astype(np.float32), requires_grad=True) for a in INITIAL]
    theirs = [torch.tensor(a.astype(np.float32), requires_grad=True) for a in INITIAL]
    our_optimizer = getattr(optim, name)(ours, **kwargs)
    their_optimizer = getattr(torch.optim, name)(theirs, foreach=False, **kwargs)
    x32, y32 = X.astype(np.float32), Y.astype(np.float32)

    def loss_tg32(params):
        W1, b1, W2, b2 = params
        hidden = (tg.Tensor(x32) @ W1.T + b1).tanh()
        return ((hidden @ W2.T + b2 - tg.Tensor(y32)) ** 2).mean()

    def loss_torch32(params):
        W1, b1, W2, b2 = params
        hidden = torch.tanh(torch.tensor(x32) @ W1.T + b1)
        return ((hidden @ W2.T + b2 - torch.tensor(y32)) ** 2).mean()

    for _ in range(STEPS):
        train_step(ours, our_optimizer, loss_tg32)
        train_step(theirs, their_optimizer, loss_torch32)
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.dtype == np.float32
        np.testing.assert_allclose(mine.numpy(), reference.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_rmsprop_takes_pytorchs_positional_order():
    ours = [tg.Tensor(a.copy(), requires_grad=True) for a in INITIAL]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in INITIAL]
    # lr, alpha, eps, weight_decay, momentum, centered
    our_optimizer = optim.RMSprop(ours, 0.01, 0.9, 1e-6, 0.1, 0.5, True)
    their_optimizer = torch.optim.RMSprop(theirs, 0.01, 0.9, 1e-6, 0.1, 0.5, True, foreach=False)
    for step in range(1, STEPS + 1):
        train_step(ours, our_optimizer, loss_tg)
        train_step(theirs, their_optimizer, loss_torch)
        assert_same_params(ours, theirs, step)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.05}), ("Adagrad", {"lr": 0.1})],
)
def test_add_param_group_mid_training_matches_pytorch(name, kwargs):
    ours = [tg.Tensor(a.copy(), requires_grad=True) for a in INITIAL]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in INITIAL]
    our_optimizer = getattr(optim, name)(ours[:2], foreach=False, **kwargs)
    their_optimizer = getattr(torch.optim, name)(theirs[:2], foreach=False, **kwargs)
    for step in range(1, STEPS + 1):
        if step == 5:
            our_optimizer.add_param_group({"params": ours[2:], "lr": 0.02})
            their_optimizer.add_param_group({"params": theirs[2:], "lr": 0.02})
        train_step(ours, our_optimizer, loss_tg)
        train_step(theirs, their_optimizer, loss_torch)
        assert_same_params(ours, theirs, step)
    assert [group["lr"] for group in our_optimizer.param_groups] == [kwargs["lr"], 0.02]


def test_adagrad_state_exists_before_the_first_step_as_in_pytorch():
    ours, our_optimizer, _, their_optimizer = make_pair(
        "Adagrad", {"initial_accumulator_value": 0.3}
    )
    mine, reference = our_optimizer.state_dict()["state"], their_optimizer.state_dict()["state"]
    assert sorted(mine) == sorted(reference) == [0, 1, 2, 3]
    for index in mine:
        np.testing.assert_array_equal(mine[index]["sum"], reference[index]["sum"].numpy())


def test_optimizer_state_dict_round_trips_through_save_and_load(tmp_path):
    ours, our_optimizer, theirs, their_optimizer = make_pair("Adam", {"lr": 0.05, "amsgrad": True})
    for _ in range(STEPS // 2):
        train_step(ours, our_optimizer, loss_tg)
        train_step(theirs, their_optimizer, loss_torch)
    tg.save({"optimizer": our_optimizer.state_dict(), "epoch": 3}, tmp_path / "ckpt.pt")
    checkpoint = tg.load(tmp_path / "ckpt.pt")
    assert checkpoint["epoch"] == 3
    resumed = [tg.Tensor(p.numpy().copy(), requires_grad=True) for p in ours]
    resumed_optimizer = optim.Adam(resumed, lr=1.0)
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    assert resumed_optimizer.param_groups[0]["betas"] == (0.9, 0.999)
    for step in range(STEPS // 2 + 1, STEPS + 1):
        train_step(resumed, resumed_optimizer, loss_tg)
        train_step(theirs, their_optimizer, loss_torch)
        assert_same_params(resumed, theirs, step)


def test_named_parameters_are_accepted_and_their_names_kept_as_pytorch_does():
    model = tg.nn.Sequential(tg.nn.Linear(3, 2), tg.nn.Tanh(), tg.nn.Linear(2, 1))
    reference = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
    ours = optim.SGD(model.named_parameters(), lr=0.1)
    theirs = torch.optim.SGD(reference.named_parameters(), lr=0.1)
    assert ours.param_groups[0]["param_names"] == theirs.param_groups[0]["param_names"]
    assert ours.state_dict()["param_groups"][0]["param_names"] == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
    ]
    assert all(isinstance(p, tg.Tensor) for p in ours.param_groups[0]["params"])


def test_zero_grad_to_zeros_detaches_a_gradient_made_with_create_graph():
    param = tg.tensor([1.0, 2.0], requires_grad=True)
    (param**3).sum().backward(create_graph=True)
    assert param.grad.requires_grad
    optim.SGD([param], lr=0.1).zero_grad(set_to_none=False)
    assert not param.grad.requires_grad and param.grad.grad_fn is None
    np.testing.assert_array_equal(param.grad.numpy(), [0.0, 0.0])
