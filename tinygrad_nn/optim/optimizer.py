"""The ``Optimizer`` base class: parameter groups, ``step``, ``zero_grad``, state dicts.

A subclass only writes the update of one parameter (``_update``), with numpy
arithmetic on arrays, in PyTorch's order of operations so that trajectories
match PyTorch's to float rounding.  Everything else — groups with their own
options, skipping parameters without a gradient, saving and restoring the
state — lives here.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable, Iterable
from typing import Any

from ..autograd import enable_grad
from ..backend import array_module, to_device
from ..tensor import Tensor


class Optimizer:
    """Base class of the optimizers: holds ``param_groups`` and per-parameter ``state``.

    ``params`` is an iterable of Tensors, of ``(name, Tensor)`` pairs
    (``model.named_parameters()``; the names are kept in the group's
    ``"param_names"``), or of dicts (parameter groups), each with a
    ``"params"`` list and any options that override ``defaults``::

        optim.SGD([{"params": model[0].parameters()},
                   {"params": model[2].parameters(), "lr": 1e-3}], lr=1e-2, momentum=0.9)
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor | dict):
            raise TypeError(
                f"params must be an iterable of Tensors or of dicts (parameter groups), got a "
                f"single {type(params).__name__}; wrap it in a list"
            )
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        # Per-parameter state (momentum buffers, moments, step counts), keyed by
        # the parameter itself as in PyTorch (Tensors hash by identity).
        self.state: dict[Tensor, dict[str, Any]] = {}
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (the rest from the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(
                f"a parameter group must be a dict with a 'params' entry, "
                f"got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(f"parameter group has no 'params' entry: keys {list(param_group)}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        if not params:
            raise ValueError(f"{type(self).__name__} got a parameter group with no parameters")
        names = None
        if all(isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
               for item in params):  # fmt: skip
            # model.named_parameters(): PyTorch keeps the names beside the parameters.
            names = [name for name, _ in params]
            params = [param for _, param in params]
        for position, param in enumerate(params):
            if not isinstance(param, Tensor):
                raise TypeError(
                    f"optimizer parameters must be Tensors; item {position} is a "
                    f"{type(param).__name__}"
                )
            if not param.is_leaf:
                raise ValueError(
                    f"cannot optimize a non-leaf Tensor (item {position}, made by "
                    f"'{param._op}'); optimize the leaf it was computed from"
                )
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if len({id(p) for p in params}) != len(params) or seen & {id(p) for p in params}:
            raise ValueError("some parameters appear more than once in the optimizer's groups")
        group = {key: value for key, value in param_group.items() if key != "params"}
        if names is not None:
            group["param_names"] = names
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check_options(group)
        group["params"] = params
        self.param_groups.append(group)

    def _check_options(self, group: dict[str, Any]) -> None:
        """Raise ``ValueError`` for an invalid option in ``group`` (subclasses extend this)."""
        _check_non_negative(group, "lr", "learning rate")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set every ``.grad`` to ``None`` (``set_to_none=False``: to detached zeros)."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    # A gradient made under create_graph=True leaves its graph behind first.
                    param.grad = param.grad.detach()
                    param.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update, in place, every parameter that has a gradient; return ``closure()``'s loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        # The updates are numpy arithmetic on the arrays, so no graph is recorded and no
        # Tensor op runs; each updated parameter records its in-place change once.
        # ``maximize`` ascends: every optimizer then steps along the negated gradient.
        state = self.state
        for group in self.param_groups:
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                if grad.shape != param.shape:
                    raise ValueError(
                        f"{type(self).__name__}.step: a parameter of shape {param.shape} "
                        f"has a gradient of shape {grad.shape}"
                    )
                grad_array = -grad._data if group.get("maximize") else grad._data
                self._update(param._data, grad_array, state.setdefault(param, {}), group)
                param._mark_changed()
        return loss

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Update the array ``param`` in place from ``grad`` (subclasses implement this)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _update")

    def state_dict(self) -> dict[str, Any]:
        """Return ``{"state": {index: {...}}, "param_groups": [...]}`` as PyTorch does (copies).

        Parameters are numbered in the order of the groups; each group lists
        its parameters by those numbers under ``"params"``.
        """
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {key: copy.deepcopy(value) for key, value in group.items() if key != "params"}
            packed["params"] = []
            for param in group["params"]:
                index_of[id(param)] = len(index_of)
                packed["params"].append(index_of[id(param)])
            groups.append(packed)
        state = {
            index_of[id(param)]: {name: _copy_value(value) for name, value in values.items()}
            for param, values in self.state.items()
            if id(param) in index_of and values
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the options and state saved by :meth:`state_dict` onto these parameters."""
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(
                "an optimizer state dict must be the dict {'state': ..., 'param_groups': ...} "
                "returned by state_dict()"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, but the optimizer "
                f"has {len(self.param_groups)}"
            )
        params_by_index: dict[int, Tensor] = {}
        for number, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"loaded parameter group {number} has {len(saved['params'])} parameters, but "
                    f"the optimizer's group {number} has {len(group['params'])}"
                )
            params_by_index.update(zip(saved["params"], group["params"], strict=True))
        new_state: dict[Tensor, dict[str, Any]] = {}
        for index, values in state_dict["state"].items():
            if index not in params_by_index:
                raise ValueError(
                    f"loaded state refers to parameter {index!r}, which no parameter group lists"
                )
            param = params_by_index[index]
            new_state[param] = {
                name: _state_value_for(param, f"state[{index}][{name!r}]", value)
                for name, value in values.items()
            }
        for saved, group in zip(saved_groups, self.param_groups, strict=True):
            options = {key: copy.deepcopy(value) for key, value in saved.items() if key != "params"}
            self._check_options(options)
            group.update(options)
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for number, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {number}")
            lines.extend(f"    {key}: {value}" for key, value in group.items() if key != "params")
        lines.append(")")
        return "\n".join(lines)


def _copy_value(value: Any) -> Any:
    return value.copy() if hasattr(value, "copy") else copy.deepcopy(value)


def _state_value_for(param: Tensor, where: str, value: Any) -> Any:
    """A saved state entry made ready for ``param``: arrays copied to its dtype and device.

    Tensors (what ``tg.load`` returns) count as their arrays, and 0-d values
    (PyTorch keeps ``step`` as a 0-d tensor) become plain numbers.
    """
    if isinstance(value, Tensor):
        value = value._data
    if hasattr(value, "shape") and getattr(value, "ndim", 0) == 0:
        return value.item()
    if not hasattr(value, "shape"):
        return copy.deepcopy(value)
    if tuple(value.shape) != param.shape:
        raise ValueError(
            f"loaded {where} has shape {tuple(value.shape)}, but its parameter has shape "
            f"{param.shape}"
        )
    array = to_device(value, param.device).astype(param.dtype, copy=True)
    return array_module(array).ascontiguousarray(array)


def _check_non_negative(group: dict[str, Any], key: str, description: str) -> None:
    value = group.get(key)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"Invalid {description}: {key}={value!r} (must be a number >= 0)")


def lerp_(start: Any, end: Any, weight: float) -> None:
    """``start += weight * (end - start)`` in place, in PyTorch's ``lerp_`` arithmetic."""
    if weight < 0.5:
        start += weight * (end - start)
    else:
        # PyTorch switches form for large weights so that weight = 1 gives `end` exactly.
        start[...] = end - (end - start) * (1.0 - weight)
