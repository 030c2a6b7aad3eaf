"""`Module` and `Parameter`: the containers every layer is built from, as in PyTorch."""

from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from tinygrad_nn import dtypes
from tinygrad_nn.autograd import no_grad, state
from tinygrad_nn.backend import DEVICES, array_module
from tinygrad_nn.tensor import Tensor, zeros_like


def _parameter_dtype() -> np.dtype:
    """The floating dtype new layers give their parameters and buffers: the default floating
    dtype (``tg.set_default_dtype``; float32 at start), as PyTorch."""
    return dtypes.default_float_dtype()


class Parameter(Tensor):
    """A leaf Tensor that a `Module` registers as trainable (``requires_grad=True``).

    Its dtype follows the data: float64 data gives a float64 parameter.

    >>> p = Parameter([1.0, 2.0])
    >>> p.requires_grad, p.is_leaf
    (True, True)
    """

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        super().__init__(data.detach() if isinstance(data, Tensor) else data, requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What `Module.load_state_dict(strict=False)` skipped: missing and unexpected keys."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _add_indent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    return "\n".join([lines[0]] + [" " * spaces + line for line in lines[1:]])


class Module:
    """Base class of all layers and models; subclasses set attributes and define `forward`.

    Attributes that are `Parameter`s or `Module`s are registered automatically, so
    `parameters()`, `state_dict()`, `train()`/`eval()` and `to()` reach them.

    Examples
    --------
    >>> from tinygrad_nn import nn
    >>> class TwoLayer(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc1 = nn.Linear(2, 3)
    ...         self.fc2 = nn.Linear(3, 1)
    ...     def forward(self, x):
    ...         return self.fc2(self.fc1(x).relu())
    >>> [name for name, _ in TwoLayer().named_parameters()]
    ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())

    # ----- registration ---------------------------------------------------------------
    def _check_name(self, name: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() call: call super().__init__() "
                f"first in {type(self).__name__}.__init__"
            )
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(
                f"a parameter, buffer or module name must be a non-empty str without "
                f"dots, got {name!r}"
            )

    def __setattr__(self, name: str, value: Any) -> None:
        registries = self.__dict__
        if isinstance(value, Parameter):
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            self.add_module(name, value)
        elif name in registries.get("_parameters", ()):
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as parameter {name!r} "
                    "(nn.Parameter or None expected)"
                )
            registries["_parameters"][name] = None
        elif name in registries.get("_modules", ()):
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as child module {name!r} "
                    "(nn.Module or None expected)"
                )
            registries["_modules"][name] = None
        elif name in registries.get("_buffers", ()):
            registries["_buffers"][name] = (
                value if value is None or isinstance(value, Tensor) else Tensor(value)
            )
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str) -> None:
        """Drop `name` from the plain attributes and every registry but `keep`: re-registering
        a name in its own registry keeps its place (``model.fc = nn.Linear(...)`` stays where
        ``fc`` was in ``state_dict``, as in PyTorch)."""
        self.__dict__.pop(name, None)
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry != keep:
                self.__dict__[registry].pop(name, None)
        self.__dict__["_non_persistent_buffers"].discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: look in the registries.
        for registry in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(registry)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        for registry in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(registry)
            if entries is not None and name in entries:
                del entries[name]
                self.__dict__["_non_persistent_buffers"].discard(name)
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register `param` (or ``None``, a declared but absent parameter) under `name`."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot register {type(param).__name__} as parameter {name!r} "
                "(nn.Parameter or None expected)"
            )
        self._check_name(name)
        self._forget(name, keep="_parameters")
        self.__dict__["_parameters"][name] = param

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """Register a non-trainable tensor (e.g. running statistics) saved in `state_dict`."""
        self._check_name(name)
        self._forget(name, keep="_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            tensor = Tensor(tensor)
        self.__dict__["_buffers"][name] = tensor
        if not persistent:
            self.__dict__["_non_persistent_buffers"].add(name)

    def register_module(self, name: str, module: Module | None) -> None:
        """Same as `add_module` (PyTorch's alias)."""
        self.add_module(name, module)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register `module` as a child called `name` (what attribute assignment does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name)
        self._forget(name, keep="_modules")
        self.__dict__["_modules"][name] = module

    # ----- running --------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the module's output; every subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__} has no forward() method")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._has_hooks:
            return self._call_with_hooks(args, kwargs)
        # Ops run inside record this module as their innermost scope (for viz). Written
        # out rather than as a context manager: every layer call pays for it.
        outer = state.scope
        state.scope = (self,) if outer is None else (*outer, self)
        try:
            return self.forward(*args, **kwargs)
        finally:
            state.scope = outer

    # ----- hooks ----------------------------------------------------------------------
    # Each kind lives in an ordered dict (handle id -> (hook, with_kwargs)), made on first
    # use; `_has_hooks` keeps the common call, a module without any, to one test.
    _has_hooks = False

    def _add_hook(self, kind: str, hook: Callable, prepend: bool, with_kwargs: bool) -> Any:
        if not callable(hook):
            raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
        hooks = self.__dict__.setdefault(kind, OrderedDict())
        handle = RemovableHandle(hooks)
        hooks[handle.id] = (hook, with_kwargs)
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        object.__setattr__(self, "_has_hooks", True)
        return handle

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before each ``forward``; a result other than None
        replaces the positional arguments (a non-tuple becomes a 1-tuple). With
        ``with_kwargs=True`` it is ``hook(module, args, kwargs)`` returning None or
        ``(args, kwargs)``. Returns a handle whose ``remove()`` takes the hook off."""
        return self._add_hook("_forward_pre_hooks", hook, prepend, with_kwargs)

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each ``forward`` (``hook(module, args,
        kwargs, output)`` with ``with_kwargs=True``); a result other than None replaces the
        output. Returns a handle whose ``remove()`` takes the hook off."""
        return self._add_hook("_forward_hooks", hook, prepend, with_kwargs)

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False
                                    ) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` in backward, once the gradients
        with respect to the module's tensor inputs are known (tuples; None for an input
        that does not require grad). A tuple returned replaces ``grad_input``.

        As in PyTorch, the inputs and outputs of a hooked call pass through an identity op
        (``BackwardHookFunctionBackward``) that catches their gradients. With several
        tensor inputs, a replacement applies to the input whose gradient came last.
        Returns a handle whose ``remove()`` takes the hook off.
        """
        return self._add_hook("_backward_hooks", hook, prepend, False)

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        for hook, with_kwargs in list(self.__dict__.get("_forward_pre_hooks", {}).values()):
            if with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        backward_hooks = self.__dict__.get("_backward_hooks")
        catcher = _GradientCatcher(self, backward_hooks) if backward_hooks and (
            state.grad_enabled) else None
        if catcher is not None:
            args = catcher.wrap_inputs(args)
        outer = state.scope
        state.scope = (self,) if outer is None else (*outer, self)
        try:
            output = self.forward(*args, **kwargs)
        finally:
            state.scope = outer
        for hook, with_kwargs in list(self.__dict__.get("_forward_hooks", {}).values()):
            result = hook(self, args, kwargs, output) if with_kwargs else hook(self, args, output)
            if result is not None:
                output = result
        return output if catcher is None else catcher.wrap_outputs(output)

    # ----- traversal ------------------------------------------------------------------
    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """Yield ``(dotted_name, module)`` for this module and every descendant, each once
        (every occurrence with ``remove_duplicate=False``); PyTorch's argument order."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(
                    memo, f"{prefix}.{name}" if prefix else name, remove_duplicate
                )

    def modules(self) -> Iterator[Module]:
        """Yield this module and every descendant, each once."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for the direct children."""
        seen: set[int] = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        """Yield the direct child modules."""
        for _, child in self.named_children():
            yield child

    def get_submodule(self, target: str) -> Module:
        """The descendant at dotted path `target` (``"encoder.0"``); ``""`` is this module."""
        module = self
        for depth, name in enumerate(target.split(".") if target else []):
            child = module._modules.get(name)
            if child is None:
                where = ".".join(target.split(".")[:depth]) or type(self).__name__
                raise AttributeError(f"{where} has no submodule {name!r} (looking up {target!r})")
            module = child
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at dotted path `target` (``"encoder.0.weight"``)."""
        owner, _, name = target.rpartition(".")
        module = self.get_submodule(owner)
        if module._parameters.get(name) is None:
            raise AttributeError(f"{type(module).__name__} has no parameter {name!r} ({target!r})")
        return module._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path `target` (``"bn.running_mean"``)."""
        owner, _, name = target.rpartition(".")
        module = self.get_submodule(owner)
        if module._buffers.get(name) is None:
            raise AttributeError(f"{type(module).__name__} has no buffer {name!r} ({target!r})")
        return module._buffers[name]

    def _named_members(
        self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse else iter([(prefix, self)])
        )  # fmt: skip
        for module_prefix, module in modules:
            for name, member in module.__dict__[registry].items():
                if member is None or (remove_duplicate and id(member) in seen):
                    continue
                seen.add(id(member))
                yield (f"{module_prefix}.{name}" if module_prefix else name), member

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted_name, parameter)``, torch names (``"0.weight"``); shared ones once
        (under every name with ``remove_duplicate=False``)."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Yield every parameter of this module and its descendants, each once."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """Yield ``(dotted_name, buffer)`` for registered buffers (running statistics and such)."""
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Yield every registered buffer."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    # ----- modes and gradients --------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (dropout active, batch statistics) on this module and all below."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode must be a bool, got {mode!r}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode: same as ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Turn gradient tracking of every parameter on or off."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set the ``.grad`` of every parameter to ``None`` (``set_to_none=False``: zero it)."""
        for param in self.parameters():
            if set_to_none or param.grad is None:
                param.grad = None
            else:
                param.grad = zeros_like(param.grad)

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn(module)`` on every descendant (children first) and then on this module."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ----- saving and loading ---------------------------------------------------------
    def _state_entries(self) -> Iterator[tuple[str, Tensor]]:
        # PyTorch's order: each module's parameters, then its persistent buffers, depth first;
        # a module held in two places is saved under both names, as PyTorch does.
        for prefix, module in self.named_modules(remove_duplicate=False):
            dotted = f"{prefix}." if prefix else ""
            for name, param in module._parameters.items():
                if param is not None:
                    yield dotted + name, param
            for name, buffer in module._buffers.items():
                if buffer is not None and name not in module._non_persistent_buffers:
                    yield dotted + name, buffer

    def state_dict(
        self, *, destination: Any = None, prefix: str = "", keep_vars: bool = False
    ) -> Any:
        """Return an ordered ``name -> Tensor`` of all parameters and persistent buffers.

        As in PyTorch, each value is ``tensor.detach()``: it shares memory (and device) with the
        parameter or buffer, so it changes when the model trains; save it with ``tg.save`` or
        copy it (``v.clone()``) to keep a snapshot. Keys match PyTorch's (``"0.weight"``,
        ``"bn.running_mean"``, ``"bn.num_batches_tracked"``), so
        ``torch_model.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in sd.items()})``
        works. `prefix` goes before every key; ``keep_vars=True`` gives the Tensors themselves
        (not detached); entries are added to `destination` when one is given.
        """
        entries = OrderedDict() if destination is None else destination
        for name, tensor in self._state_entries():
            entries[prefix + name] = tensor if keep_vars else tensor.detach()
        return entries

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy arrays from `state_dict` into the parameters and buffers, keeping their dtypes.

        Parameters
        ----------
        state_dict
            Mapping of name to array-like (numpy arrays, Tensors, torch tensors); anything
            else, or a value that is not a numeric array, raises ``TypeError`` naming it.
        strict
            When True, missing and unexpected keys are errors; shape mismatches always are.

        Notes
        -----
        Nothing is loaded unless everything fits; otherwise ``RuntimeError`` lists the missing
        keys, the unexpected keys and each mismatched shape (name, checkpoint shape, model shape).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict expects a mapping of name -> array (e.g. from state_dict() or "
                f"tg.load), got {type(state_dict).__name__}"
            )
        targets = OrderedDict(self._state_entries())
        arrays = {
            name: _numeric_array(name, value)
            for name, value in state_dict.items()
            if name in targets
        }
        missing = [name for name in targets if name not in arrays]
        unexpected = [name for name in state_dict if name not in targets]
        problems = [
            f"size mismatch for {name!r}: copying a param with shape {arrays[name].shape} from "
            f"checkpoint, the shape in current model is {tuple(tensor.shape)}."
            for name, tensor in targets.items()
            if name in arrays and arrays[name].shape != tuple(tensor.shape)
        ]
        if strict:
            if unexpected:
                problems.insert(
                    0, "Unexpected key(s) in state_dict: " + ", ".join(map(repr, unexpected)) + "."
                )
            if missing:
                problems.insert(
                    0, "Missing key(s) in state_dict: " + ", ".join(map(repr, missing)) + "."
                )
        if problems:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(problems)
            )
        with no_grad():
            for name, tensor in targets.items():
                if name in arrays:
                    tensor[...] = array_module(tensor._data).asarray(arrays[name])
        return IncompatibleKeys(missing, unexpected)

    # ----- dtype and device -----------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Move every parameter and buffer to a device and/or cast the floating ones to a dtype.

        Takes PyTorch's forms: ``to("cuda")``, ``to(tg.float64)``, ``to(device, dtype)``,
        ``to(device=..., dtype=...)`` and ``to(tensor)`` (its device and dtype). The Parameter
        objects stay the same, so an optimizer built earlier still holds them. Returns ``self``.
        """
        device, dtype = _to_arguments(args, kwargs)
        if dtype is not None and dtype.kind != "f":
            raise TypeError(f"Module.to() only casts to floating dtypes, got {dtype}")

        def convert(tensor: Tensor) -> Tensor:
            if device is not None:
                tensor = tensor.to(device)
            if dtype is not None and tensor.dtype.kind == "f":
                tensor = tensor.astype(dtype)
            return tensor

        with no_grad():
            for module in self.modules():
                for param in module._parameters.values():
                    if param is not None:
                        _assign_in_place(param, convert(param))
                        if param.grad is not None:
                            param.grad = convert(param.grad)
                for buffer in module._buffers.values():
                    if buffer is not None:
                        _assign_in_place(buffer, convert(buffer))
        return self

    def type(self, dst_type: Any) -> Module:
        """Cast floating parameters and buffers to `dst_type` (a dtype), as ``to(dst_type)``."""
        return self.to(dtype=dst_type)

    def cpu(self) -> Module:
        """Move every parameter and buffer to the CPU."""
        return self.to("cpu")

    def cuda(self, device: Any = None) -> Module:
        """Move every parameter and buffer to the GPU (needs CuPy)."""
        return self.to("cuda" if device is None else f"cuda:{device}" if isinstance(device, int)
                       else device)

    def float(self) -> Module:
        """Cast floating parameters and buffers to float32."""
        return self.to(np.float32)

    def double(self) -> Module:
        """Cast floating parameters and buffers to float64."""
        return self.to(np.float64)

    # ----- printing -------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside this module's parentheses in `repr` (layers override it)."""
        return ""

    def __repr__(self) -> str:
        extra_lines = self.extra_repr().split("\n") if self.extra_repr() else []
        child_lines = [
            f"({name}): " + _add_indent(repr(child), 2) for name, child in self._modules.items()
        ]
        if not child_lines and len(extra_lines) <= 1:
            return f"{type(self).__name__}({''.join(extra_lines)})"
        return type(self).__name__ + "(\n  " + "\n  ".join(extra_lines + child_lines) + "\n)"


class RemovableHandle:
    """Returned by ``register_*_hook``: ``remove()`` takes the hook off (also on leaving a
    ``with`` block)."""

    _ids = itertools.count()

    def __init__(self, hooks: OrderedDict) -> None:
        self._hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        """Stop calling the hook (a second call does nothing)."""
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def _pass_gradient(g: Any, out: Any, x: Any) -> Any:
    return g


class _GradientCatcher:
    """One hooked module call's identity ops: their gradients are the module's
    ``grad_output`` (the outputs') and ``grad_input`` (the tensor inputs')."""

    def __init__(self, module: Module, hooks: OrderedDict) -> None:
        self.module, self.hooks = module, hooks
        self.input_slots: list[int] = []  # which positional arguments are caught tensors
        self.grad_input: list[Any] = []
        self.grad_output: tuple[Any, ...] = ()
        self.caught_inputs = 0  # how many tensor inputs need a gradient
        self.arrived = 0  # input gradients that arrived (a retained graph may run again)

    @staticmethod
    def _identity(t: Tensor) -> Tensor:
        return Tensor._make(t._data, (t,), "backward_hook_function", (_pass_gradient,))

    def wrap_inputs(self, args: tuple) -> tuple:
        args = list(args)
        self.grad_input = [None] * len(args)
        for i, arg in enumerate(args):
            if isinstance(arg, Tensor) and arg.requires_grad:
                args[i] = caught = self._identity(arg)
                caught.register_hook(self._input_hook(i))
                self.caught_inputs += 1
        return tuple(args)

    def _input_hook(self, i: int) -> Callable:
        def hook(grad: Tensor) -> Tensor | None:
            self.grad_input[i] = grad
            self.arrived += 1
            if self.arrived % self.caught_inputs:
                return None
            replaced = self._call_hooks()
            return None if replaced is None else replaced[i]
        return hook

    def wrap_outputs(self, output: Any) -> Any:
        outputs = output if isinstance(output, tuple) else (output,)
        wrapped = tuple(self._identity(o) if isinstance(o, Tensor) and o.requires_grad else o
                        for o in outputs)
        caught = [i for i, o in enumerate(wrapped) if isinstance(o, Tensor) and o.requires_grad]
        grads: list[Any] = [None] * len(wrapped)
        remaining = [0]  # output gradients that arrived

        def output_hook(i: int) -> Callable:
            def hook(grad: Tensor) -> None:
                grads[i] = grad
                remaining[0] += 1
                if remaining[0] % len(caught) == 0:
                    self.grad_output = tuple(grads)
                    if not self.caught_inputs:  # no input needs a gradient: call the hooks now
                        warnings.warn(
                            "Full backward hook is firing when gradients are computed with "
                            "respect to module outputs since no inputs require gradients",
                            UserWarning, stacklevel=2)
                        self._call_hooks()
            return hook

        for i in caught:
            wrapped[i].register_hook(output_hook(i))
        return wrapped if isinstance(output, tuple) else wrapped[0]

    def _call_hooks(self) -> tuple | None:
        grad_input, replaced = tuple(self.grad_input), None
        for hook, _ in list(self.hooks.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                replaced = grad_input = tuple(result)
        return replaced


def _numeric_array(name: Any, value: Any) -> np.ndarray:
    """A state-dict value as a real-number (or bool) numpy array; TypeError naming `name`."""
    # detach(): torch parameters (and ours) refuse or copy a plain conversion while tracked
    try:
        array = np.asarray(value.detach() if hasattr(value, "detach") else value)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"load_state_dict: the value for {name!r} is not an array ({error})"
        ) from error
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"load_state_dict: the value for {name!r} has dtype {array.dtype}; "
            "expected a real-number or bool array"
        )
    return array


def _to_arguments(args: tuple, kwargs: dict) -> tuple[str | None, np.dtype | None]:
    """The ``(device, dtype)`` named by `Module.to`'s arguments, either of them None."""
    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "memory_format"}
    if unknown:
        raise TypeError(f"Module.to() got unexpected keyword(s) {sorted(unknown)}")
    device, dtype = kwargs.get("device"), kwargs.get("dtype")
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, bool):  # PyTorch's positional non_blocking
            continue
        elif _is_device(arg):
            device = arg
        elif arg is not None:
            dtype = arg
    device = None if device is None else str(device)
    try:
        return device, None if dtype is None else np.dtype(dtype)
    except TypeError as error:
        raise TypeError(
            f"Module.to() expects a device ('cpu', 'cuda') and/or a dtype, got {dtype!r}"
        ) from error


def _is_device(arg: Any) -> bool:
    """Whether a `Module.to` argument names a device (``"cuda:0"``, ``tg.device("cpu")``)."""
    if isinstance(arg, str):
        return arg.split(":")[0] in DEVICES
    return hasattr(arg, "type") and str(arg).split(":")[0] in DEVICES


def _assign_in_place(tensor: Tensor, converted: Tensor) -> None:
    """Give `tensor` the data and device of `converted`, keeping the same Tensor object."""
    if converted is not tensor:
        tensor.device = converted.device
        tensor.data = converted._data
