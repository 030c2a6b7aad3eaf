"""Adadelta: steps scaled by the ratio of running RMS of past updates to past gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backend import array_module
from ..tensor import Tensor
from .optimizer import Optimizer, _check_non_negative


class Adadelta(Optimizer):
    """Adadelta (Zeiler), PyTorch's update step for step.

    Per step, with ``g`` the gradient::

        g = g + weight_decay * p                              (if weight_decay)
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta

    ``maximize=True`` ascends; ``foreach`` is accepted and ignored.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_options(self, group: dict[str, Any]) -> None:
        super()._check_options(group)
        rho = group["rho"]
        if isinstance(rho, bool) or not isinstance(rho, int | float) or not 0 <= rho <= 1:
            raise ValueError(f"Invalid rho value: rho={rho!r} (must be in [0, 1])")
        _check_non_negative(group, "eps", "epsilon value")
        _check_non_negative(group, "weight_decay", "weight_decay value")

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        xp = array_module(param)
        rho, eps = group["rho"], group["eps"]
        if not state:
            state["step"] = 0
            state["square_avg"] = xp.zeros_like(param)
            state["acc_delta"] = xp.zeros_like(param)
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        std = xp.sqrt(square_avg + eps)
        delta = xp.sqrt(acc_delta + eps) / std * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        param -= group["lr"] * delta
