"""Learning-rate schedules: ``StepLR`` and ``CosineAnnealingLR``, with PyTorch's formulas.

Call ``scheduler.step()`` once per epoch, after ``optimizer.step()``; it
writes the new rate into every ``optimizer.param_groups[i]["lr"]``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .optimizer import Optimizer


class LRScheduler:
    """Base class: remembers each group's starting rate and rewrites ``lr`` on every ``step()``."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__} needs an optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self.step()

    def _next_lrs(self) -> list[float]:
        """The rates for epoch ``self.last_epoch`` (subclasses implement this)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _next_lrs")

    def step(self) -> None:
        """Advance one epoch and set every group's ``lr`` to the schedule's next value."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self._next_lrs(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The rates the last ``step()`` set, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer, as PyTorch's schedulers return."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`state_dict`."""
        self.__dict__.update(state_dict)


def _check_positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


class StepLR(LRScheduler):
    """Multiply each group's rate by ``gamma`` every ``step_size`` epochs.

    ``lr(epoch) = initial_lr * gamma ** (epoch // step_size)``, computed as
    PyTorch does, by multiplying the current rate at each boundary.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = _check_positive_int(step_size, "step_size")
        self.gamma = gamma
        super().__init__(optimizer)

    def _next_lrs(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]


class CosineAnnealingLR(LRScheduler):
    """Anneal each group's rate from its initial value to ``eta_min`` along a half cosine.

    ``lr(epoch) = eta_min + (initial_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``
    for epoch in [0, T_max], continuing as a cosine wave afterwards.  Computed
    with PyTorch's recursive form (each rate from the previous one), so the
    sequence matches PyTorch's to float rounding and follows any change made
    to ``lr`` by hand in between.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max = _check_positive_int(T_max, "T_max")
        self.eta_min = eta_min
        super().__init__(optimizer)

    def _next_lrs(self) -> list[float]:
        groups = self.optimizer.param_groups
        epoch, period, eta_min = self.last_epoch, self.T_max, self.eta_min
        if epoch == 0:
            return [group["lr"] for group in groups]
        if (epoch - 1 - period) % (2 * period) == 0:
            # Just past the bottom of the wave, where the ratio below would be 0/0.
            return [
                group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / period)) / 2
                for base_lr, group in zip(self.base_lrs, groups, strict=True)
            ]
        return [
            (1 + math.cos(math.pi * epoch / period))
            / (1 + math.cos(math.pi * (epoch - 1) / period))
            * (group["lr"] - eta_min)
            + eta_min
            for group in groups
        ]
