"""RMSprop, optionally centered and with momentum."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backend import array_module
from ..tensor import Tensor
from .optimizer import Optimizer, _check_non_negative, lerp_


class RMSprop(Optimizer):
    """RMSprop (Hinton), PyTorch's update step for step.

    Per step, with ``g`` the gradient::

        g = g + weight_decay * p                          (if weight_decay)
        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v) + eps        or, centered,  sqrt(v - mean(g)**2) + eps
        p = p - lr * g / avg       or, with momentum,  buf = momentum * buf + g / avg;
                                                       p = p - lr * buf

    The arguments come in PyTorch's order; ``maximize=True`` ascends and
    ``foreach`` is accepted and ignored.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_options(self, group: dict[str, Any]) -> None:
        super()._check_options(group)
        _check_non_negative(group, "alpha", "alpha value")
        _check_non_negative(group, "eps", "epsilon value")
        _check_non_negative(group, "momentum", "momentum value")
        _check_non_negative(group, "weight_decay", "weight_decay value")

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        xp = array_module(param)
        alpha, momentum = group["alpha"], group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = xp.zeros_like(param)
            if momentum > 0:
                state["momentum_buffer"] = xp.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = xp.zeros_like(param)
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]
            lerp_(grad_avg, grad, 1 - alpha)
            avg = xp.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = xp.sqrt(square_avg)
        avg += group["eps"]
        if momentum > 0:
            buffer = state["momentum_buffer"]
            buffer *= momentum
            buffer += grad / avg
            param -= group["lr"] * buffer
        else:
            param -= group["lr"] * grad / avg
