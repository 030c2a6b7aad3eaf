"""Adam and AdamW (decoupled weight decay), with optional AMSGrad."""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

from ..backend import array_module
from ..tensor import Tensor
from .optimizer import Optimizer, _check_non_negative, lerp_


class Adam(Optimizer):
    """Adam (Kingma & Ba), PyTorch's update step for step.

    Per step t, with ``g`` the gradient::

        g = g + weight_decay * p                  (L2 penalty; AdamW decays p instead)
        m = m + (1 - beta1) * (g - m)
        v = beta2 * v + (1 - beta2) * g * g
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    ``amsgrad=True`` uses the running maximum of ``v`` in the denominator;
    ``decoupled_weight_decay=True`` is AdamW; ``maximize=True`` ascends;
    ``foreach`` is accepted and ignored.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "foreach": foreach,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _check_options(self, group: dict[str, Any]) -> None:
        super()._check_options(group)
        _check_non_negative(group, "eps", "epsilon value")
        _check_non_negative(group, "weight_decay", "weight_decay value")
        betas = group["betas"]
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"Invalid betas: {betas!r} (must be a pair (beta1, beta2))")
        group["betas"] = tuple(betas)
        for index, beta in enumerate(betas):
            if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or not 0 <= beta < 1:
                raise ValueError(
                    f"Invalid beta parameter at index {index}: {beta!r} (must be in [0, 1))"
                )

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        xp = array_module(param)
        lr, weight_decay, eps = group["lr"], group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(param)
            state["exp_avg_sq"] = xp.zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = xp.zeros_like(param)
        state["step"] += 1
        step = state["step"]
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * param
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        if group["amsgrad"]:
            second_moment = state["max_exp_avg_sq"]
            xp.maximum(second_moment, exp_avg_sq, out=second_moment)
        else:
            second_moment = exp_avg_sq
        denominator = xp.sqrt(second_moment) / bias_correction2_sqrt + eps
        param -= step_size * exp_avg / denominator


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as PyTorch's ``AdamW``.

    Each step first shrinks the parameter, ``p = p * (1 - lr * weight_decay)``,
    then takes the Adam step with the undecayed gradient.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad,
            foreach=foreach, maximize=maximize, decoupled_weight_decay=True,
        )  # fmt: skip
