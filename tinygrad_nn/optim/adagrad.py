"""Adagrad: per-coordinate rates that shrink with the sum of squared gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backend import array_module
from ..tensor import Tensor
from .optimizer import Optimizer, _check_non_negative


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), PyTorch's update step for step.

    Per step t, with ``g`` the gradient::

        g = g + weight_decay * p                    (if weight_decay)
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g                               (s starts at initial_accumulator_value)
        p = p - clr * g / (sqrt(s) + eps)

    ``maximize=True`` ascends; ``foreach`` is accepted and ignored.  As in
    PyTorch, the accumulators of the groups given to the constructor start at
    the constructor's ``initial_accumulator_value``.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)
        # PyTorch fills the accumulators when the optimizer is made, not at the first step,
        # so a fresh optimizer's state_dict already lists them; it fills them with the
        # constructor's initial_accumulator_value, even for a group that sets its own.
        for group in self.param_groups:
            for param in group["params"]:
                self._init_state(param._data, self.state.setdefault(param, {}), defaults)

    def _check_options(self, group: dict[str, Any]) -> None:
        super()._check_options(group)
        _check_non_negative(group, "lr_decay", "lr_decay value")
        _check_non_negative(group, "weight_decay", "weight_decay value")
        _check_non_negative(group, "initial_accumulator_value", "initial_accumulator_value")
        _check_non_negative(group, "eps", "epsilon value")

    @staticmethod
    def _init_state(param: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        if not state:
            state["step"] = 0
            state["sum"] = array_module(param).full_like(param, group["initial_accumulator_value"])

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        xp = array_module(param)
        self._init_state(param, state, group)
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        accumulator = state["sum"]
        accumulator += grad * grad
        std = xp.sqrt(accumulator) + group["eps"]
        param -= clr * grad / std
