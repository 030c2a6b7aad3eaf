"""Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..tensor import Tensor
from .optimizer import Optimizer, _check_non_negative


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's update step for step.

    With ``g`` the gradient, per step::

        g = g + weight_decay * p                         (if weight_decay)
        buf = g                     on the first step    (if momentum)
        buf = momentum * buf + (1 - dampening) * g       afterwards
        g = g + momentum * buf  (nesterov)  or  g = buf
        p = p - lr * g

    Without momentum this is the documents' rule ``W := W - α dW``.
    ``maximize=True`` ascends (steps along ``-g``); ``foreach`` is accepted
    and ignored, as there is one code path.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
        }
        super().__init__(params, defaults)

    def _check_options(self, group: dict[str, Any]) -> None:
        super()._check_options(group)
        _check_non_negative(group, "momentum", "momentum value")
        _check_non_negative(group, "weight_decay", "weight_decay value")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"Nesterov momentum requires a momentum > 0 and zero dampening, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        momentum = group["momentum"]
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                # PyTorch starts the buffer at the first gradient, without dampening.
                buffer = state["momentum_buffer"] = grad.copy()
            else:
                buffer *= momentum
                buffer += (1 - group["dampening"]) * grad
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param -= group["lr"] * grad
