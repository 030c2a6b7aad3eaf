"""PyTorch-compatible schedulers: every rate (and cycled momentum) equals PyTorch's, epoch by epoch.

Each test builds the same two-group optimizer in tinygrad_nn and in PyTorch,
steps both schedulers side by side over all of a schedule's phases, and
compares the rates to 1e-12.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import optim
from tinygrad_nn.optim import lr_scheduler

torch = pytest.importorskip("torch")


def optimizer_pair(name="SGD", **kwargs):
    """The same optimizer over two groups (lr 0.1 and 0.7) in tinygrad_nn and in PyTorch."""
    ours = [tg.Tensor(np.zeros(1), requires_grad=True) for _ in range(2)]
    theirs = [torch.zeros(1, dtype=torch.float64, requires_grad=True) for _ in range(2)]
    our_optimizer = getattr(optim, name)(
        [{"params": [ours[0]], "lr": 0.1}, {"params": [ours[1]], "lr": 0.7}], **kwargs
    )
    their_optimizer = getattr(torch.optim, name)(
        [{"params": [theirs[0]], "lr": 0.1}, {"params": [theirs[1]], "lr": 0.7}], **kwargs
    )
    return our_optimizer, their_optimizer


def assert_same_groups(ours, theirs, keys, epoch):
    for our_group, their_group in zip(ours.param_groups, theirs.param_groups, strict=True):
        for key in keys:
            mine, reference = our_group[key], their_group[key]
            assert np.asarray(mine, dtype=float) == pytest.approx(
                np.asarray(reference, dtype=float), rel=1e-12, abs=1e-15
            ), f"{key} at epoch {epoch}"


def run_side_by_side(make, epochs, name="SGD", keys=("lr",), step_args=None, **optimizer_kwargs):
    ours, theirs = optimizer_pair(name, **optimizer_kwargs)
    our_scheduler = make(lr_scheduler, ours)
    their_scheduler = make(torch.optim.lr_scheduler, theirs)
    assert_same_groups(ours, theirs, keys, 0)
    for epoch in range(1, epochs + 1):
        ours.step()
        theirs.step()
        args = () if step_args is None else (step_args[epoch - 1],)
        our_scheduler.step(*args)
        their_scheduler.step(*args)
        assert_same_groups(ours, theirs, keys, epoch)
        assert our_scheduler.get_last_lr() == pytest.approx(
            their_scheduler.get_last_lr(), rel=1e-12
        )
    return our_scheduler


@pytest.mark.parametrize(
    "lr_lambda",
    [
        pytest.param(lambda epoch: 0.95**epoch, id="decay"),
        pytest.param(lambda epoch: min(1.0, (epoch + 1) / 5), id="warmup"),
        pytest.param([lambda epoch: 1 / (epoch + 1), lambda epoch: 0.5 * epoch], id="per-group"),
    ],
)
def test_lambda_lr_sequence_matches_pytorch(lr_lambda):
    run_side_by_side(lambda module, opt: module.LambdaLR(opt, lr_lambda), epochs=20)


@pytest.mark.parametrize(
    ("milestones", "gamma"), [([3, 7, 12], 0.1), ([5, 5, 9], 0.5), ([1], 0.3), ([20, 2], 0.9)]
)
def test_multistep_lr_sequence_matches_pytorch(milestones, gamma):
    run_side_by_side(lambda module, opt: module.MultiStepLR(opt, milestones, gamma=gamma), 25)


@pytest.mark.parametrize("gamma", [0.9, 0.5, 1.0])
def test_exponential_lr_sequence_matches_pytorch(gamma):
    run_side_by_side(lambda module, opt: module.ExponentialLR(opt, gamma), epochs=30)


@pytest.mark.parametrize(
    ("start_factor", "end_factor", "total_iters"),
    [(1 / 3, 1.0, 5), (0.1, 1.0, 10), (1.0, 0.05, 7), (0.5, 0.0, 4), (0.25, 0.75, 1)],
)
def test_linear_lr_sequence_matches_pytorch(start_factor, end_factor, total_iters):
    run_side_by_side(
        lambda module, opt: module.LinearLR(
            opt, start_factor=start_factor, end_factor=end_factor, total_iters=total_iters
        ),
        epochs=total_iters + 6,
    )


ONE_CYCLE_CASES = {
    "defaults_sgd_momentum": ("SGD", {"momentum": 0.9}, {"max_lr": 0.5, "total_steps": 40}),
    "per_group_max_lr": ("SGD", {"momentum": 0.9}, {"max_lr": [0.3, 1.2], "total_steps": 23}),
    "epochs_and_steps": (
        "SGD",
        {"momentum": 0.5},
        {"max_lr": 0.5, "epochs": 4, "steps_per_epoch": 9, "pct_start": 0.25},
    ),
    "adam_betas_cycle": ("Adam", {}, {"max_lr": 0.01, "total_steps": 30}),
    "linear_anneal": (
        "SGD",
        {"momentum": 0.9},
        {"max_lr": 0.5, "total_steps": 30, "anneal_strategy": "linear"},
    ),
    "three_phase": (
        "SGD",
        {"momentum": 0.9},
        {"max_lr": 0.5, "total_steps": 50, "three_phase": True},
    ),
    "no_momentum_cycle": (
        "Adagrad",
        {},
        {"max_lr": 0.2, "total_steps": 25, "cycle_momentum": False, "div_factor": 10.0},
    ),
    "custom_momenta": (
        "SGD",
        {"momentum": 0.9},
        {
            "max_lr": 0.4,
            "total_steps": 30,
            "base_momentum": [0.8, 0.7],
            "max_momentum": 0.99,
            "final_div_factor": 100.0,
        },
    ),
}


@pytest.mark.parametrize("case", sorted(ONE_CYCLE_CASES))
def test_one_cycle_lr_and_momentum_match_pytorch_over_the_whole_cycle(case):
    name, optimizer_kwargs, scheduler_kwargs = ONE_CYCLE_CASES[case]
    total = scheduler_kwargs.get("total_steps") or (
        scheduler_kwargs["epochs"] * scheduler_kwargs["steps_per_epoch"]
    )
    cycles = scheduler_kwargs.get("cycle_momentum", True)
    keys = ("lr", "betas" if name == "Adam" else "momentum") if cycles else ("lr",)
    run_side_by_side(
        lambda module, opt: module.OneCycleLR(opt, **scheduler_kwargs),
        epochs=total - 1,
        name=name,
        keys=keys,
        **optimizer_kwargs,
    )


def test_one_cycle_starts_at_max_lr_over_div_factor_and_ends_near_zero():
    param = tg.Tensor(np.zeros(1), requires_grad=True)
    optimizer = optim.SGD([param], lr=0.1, momentum=0.9)
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=10)
    assert scheduler.get_last_lr() == [pytest.approx(1.0 / 25)]
    rates = [scheduler.get_last_lr()[0]]
    for _ in range(9):
        scheduler.step()
        rates.append(scheduler.get_last_lr()[0])
    assert max(rates) == pytest.approx(1.0)
    assert rates[-1] == pytest.approx(1.0 / 25 / 1e4)


def test_one_cycle_refuses_to_step_past_total_steps():
    param = tg.Tensor(np.zeros(1), requires_grad=True)
    scheduler = lr_scheduler.OneCycleLR(optim.SGD([param], lr=0.1), max_lr=1.0, total_steps=3)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match="more than its total_steps=3"):
        scheduler.step()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"max_lr": 1.0}, ValueError, "total_steps, or both epochs and steps_per_epoch"),
        ({"max_lr": 1.0, "total_steps": 0}, ValueError, "total_steps must be a positive int"),
        ({"max_lr": 1.0, "total_steps": 5, "pct_start": 1.5}, ValueError, "pct_start"),
        ({"max_lr": 1.0, "total_steps": 5, "anneal_strategy": "step"}, ValueError, "'step'"),
        ({"max_lr": [1.0, 2.0], "total_steps": 5}, ValueError, "2 values for 1 groups"),
    ],
)
def test_one_cycle_rejects_bad_arguments(kwargs, error, message):
    param = tg.Tensor(np.zeros(1), requires_grad=True)
    with pytest.raises(error, match=message):
        lr_scheduler.OneCycleLR(optim.SGD([param], lr=0.1), **kwargs)


def test_one_cycle_needs_momentum_or_betas_to_cycle_them():
    param = tg.Tensor(np.zeros(1), requires_grad=True)
    with pytest.raises(ValueError, match="Adagrad has neither"):
        lr_scheduler.OneCycleLR(optim.Adagrad([param]), max_lr=1.0, total_steps=5)


# A validation loss that improves, stalls, creeps down by tiny amounts, and improves again.
PLATEAU_METRICS = [
    1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.69999, 0.7, 0.7, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
    0.49, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3,
]  # fmt: skip


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({}, id="defaults"),
        pytest.param({"patience": 2}, id="patience"),
        pytest.param({"patience": 1, "factor": 0.5, "cooldown": 2}, id="cooldown"),
        pytest.param({"patience": 0, "factor": 0.5, "min_lr": 0.02}, id="min-lr"),
        pytest.param({"patience": 1, "min_lr": [0.05, 0.001]}, id="min-lr-per-group"),
        pytest.param({"patience": 1, "threshold": 0.05, "threshold_mode": "abs"}, id="abs"),
        pytest.param({"patience": 1, "threshold": 0.1}, id="rel-threshold"),
        pytest.param({"patience": 1, "factor": 0.9999999999, "eps": 1e-8}, id="eps"),
    ],
)
@pytest.mark.parametrize("mode", ["min", "max"])
def test_reduce_on_plateau_follows_pytorch(kwargs, mode):
    metrics = PLATEAU_METRICS if mode == "min" else [-value for value in PLATEAU_METRICS]
    run_side_by_side(
        lambda module, opt: module.ReduceLROnPlateau(opt, mode=mode, **kwargs),
        epochs=len(metrics),
        step_args=metrics,
    )


def test_reduce_on_plateau_reads_a_one_element_tensor():
    param = tg.Tensor(np.zeros(1), requires_grad=True)
    optimizer = optim.SGD([param], lr=1.0)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, factor=0.5)
    for loss in (2.0, 2.0, 2.0):
        scheduler.step(tg.tensor(loss))
    assert optimizer.param_groups[0]["lr"] == 0.25


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "best"}, "mode must be 'min' or 'max'"),
        ({"threshold_mode": "ratio"}, "threshold_mode must be 'rel' or 'abs'"),
        ({"factor": 1.0}, "factor must be < 1.0"),
        ({"min_lr": [0.1, 0.2]}, "2 values for 1 groups"),
    ],
)
def test_reduce_on_plateau_rejects_bad_arguments(kwargs, message):
    param = tg.Tensor(np.zeros(1), requires_grad=True)
    with pytest.raises(ValueError, match=message):
        lr_scheduler.ReduceLROnPlateau(optim.SGD([param], lr=0.1), **kwargs)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda opt: lr_scheduler.LinearLR(opt, start_factor=0.0), "start_factor"),
        (lambda opt: lr_scheduler.LinearLR(opt, end_factor=1.5), "end_factor"),
        (lambda opt: lr_scheduler.LinearLR(opt, total_iters=0), "total_iters"),
        (lambda opt: lr_scheduler.LambdaLR(opt, [lambda e: 1.0] * 3), "3 values for 1 groups"),
    ],
)
def test_schedulers_reject_bad_arguments(make, message):
    param = tg.Tensor(np.zeros(1), requires_grad=True)
    with pytest.raises(ValueError, match=message):
        make(optim.SGD([param], lr=0.1))


def test_lambda_lr_rejects_something_that_is_not_callable():
    param = tg.Tensor(np.zeros(1), requires_grad=True)
    with pytest.raises(TypeError, match="lr_lambda must be callable, got float"):
        lr_scheduler.LambdaLR(optim.SGD([param], lr=0.1), 0.5)


def test_lambda_lr_state_dict_keeps_a_callable_objects_attributes_and_drops_functions():
    class Warmup:
        def __init__(self, length):
            self.length = length

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.length)

    params = [tg.Tensor(np.zeros(1), requires_grad=True) for _ in range(2)]
    optimizer = optim.SGD([{"params": [params[0]]}, {"params": [params[1]]}], lr=0.1)
    scheduler = lr_scheduler.LambdaLR(optimizer, [Warmup(4), lambda epoch: 1.0])
    saved = scheduler.state_dict()
    assert saved["lr_lambdas"] == [{"length": 4}, None]
    restored = lr_scheduler.LambdaLR(optimizer, [Warmup(99), lambda epoch: 1.0])
    restored.load_state_dict(saved)
    assert restored.lr_lambdas[0].length == 4


def test_resuming_with_last_epoch_needs_initial_lr_in_the_groups():
    param = tg.Tensor(np.zeros(1), requires_grad=True)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.ExponentialLR(optim.SGD([param], lr=0.1), gamma=0.5, last_epoch=3)


def test_resuming_with_last_epoch_continues_where_pytorch_continues():
    ours, theirs = optimizer_pair()
    for group in ours.param_groups + theirs.param_groups:
        group["initial_lr"] = 1.0
    our_scheduler = lr_scheduler.MultiStepLR(ours, [4, 6], gamma=0.5, last_epoch=2)
    their_scheduler = torch.optim.lr_scheduler.MultiStepLR(theirs, [4, 6], gamma=0.5, last_epoch=2)
    for epoch in range(6):
        assert our_scheduler.get_last_lr() == their_scheduler.get_last_lr(), epoch
        ours.step()
        theirs.step()
        our_scheduler.step()
        their_scheduler.step()


def test_custom_scheduler_subclassing_the_old_base_name_works():
    class Halve(lr_scheduler._LRScheduler):
        def get_lr(self):
            return [base / 2**self.last_epoch for base in self.base_lrs]

    param = tg.Tensor(np.zeros(1), requires_grad=True)
    scheduler = Halve(optim.SGD([param], lr=0.8))
    for _ in range(3):
        scheduler.step()
    assert scheduler.get_last_lr() == [0.1]
    assert math.isclose(scheduler.optimizer.param_groups[0]["lr"], 0.1)


SAVABLE_SCHEDULERS = {
    "lambda": lambda opt: lr_scheduler.LambdaLR(opt, lambda epoch: 0.9**epoch),
    "multistep": lambda opt: lr_scheduler.MultiStepLR(opt, [2, 4, 4], gamma=0.5),
    "exponential": lambda opt: lr_scheduler.ExponentialLR(opt, 0.8),
    "linear": lambda opt: lr_scheduler.LinearLR(opt, start_factor=0.2, total_iters=6),
    "one_cycle": lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=12),
    "plateau": lambda opt: lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5),
}


@pytest.mark.parametrize("name", sorted(SAVABLE_SCHEDULERS))
def test_scheduler_and_optimizer_state_round_trip_through_save_and_resume_the_schedule(
    tmp_path, name
):
    make = SAVABLE_SCHEDULERS[name]
    metrics = [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]

    def advance(scheduler, epochs):
        rates = []
        for epoch in epochs:
            scheduler.optimizer.step()
            scheduler.step(*([metrics[epoch]] if name == "plateau" else []))
            rates.append(
                scheduler.get_last_lr() + [scheduler.optimizer.param_groups[0]["momentum"]]
            )
        return rates

    original = make(optim.SGD([tg.Tensor(np.zeros(1), requires_grad=True)], lr=0.3, momentum=0.9))
    advance(original, range(4))
    tg.save(
        {"optimizer": original.optimizer.state_dict(), "scheduler": original.state_dict()},
        tmp_path / "ckpt.pt",
    )
    checkpoint = tg.load(tmp_path / "ckpt.pt")
    optimizer = optim.SGD([tg.Tensor(np.zeros(1), requires_grad=True)], lr=0.3, momentum=0.9)
    resumed = make(optimizer)
    optimizer.load_state_dict(checkpoint["optimizer"])
    resumed.load_state_dict(checkpoint["scheduler"])
    assert advance(resumed, range(4, 10)) == advance(original, range(4, 10))
