"""Containers that register what they hold: ModuleList, ModuleDict, ParameterList, ParameterDict.

A plain Python list of layers is invisible to ``parameters()`` and ``state_dict()``; these hold
their items as registered children (or parameters) named ``"0"``, ``"1"``, ... or by their keys,
so the names match PyTorch's (``"blocks.0.weight"``, ``"heads.cls.bias"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tinygrad_nn.nn.functional import _is_int
from tinygrad_nn.nn.module import Module, Parameter


def _position(index: Any, length: int, kind: str) -> int:
    """A list index (negative counts from the end) as a position in [0, length)."""
    if not _is_int(index):
        raise TypeError(f"{kind} indices must be integers or slices, got {type(index).__name__}")
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range for {kind} of length {length}")
    return int(index) % length


def _pairs(items: Any, kind: str) -> Iterable[tuple[str, Any]]:
    """(key, value) pairs from a mapping or an iterable of pairs, as ``dict.update`` takes."""
    if isinstance(items, Mapping):
        return items.items()
    pairs = []
    for number, pair in enumerate(items):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ValueError(f"{kind}.update: element {number} is not a (key, value) pair")
        pairs.append((pair[0], pair[1]))
    return pairs


class ModuleList(Module):
    """A list of modules, each registered as a child named by its position.

    It has no ``forward``: iterate over it in your own.

    >>> from tinygrad_nn import nn
    >>> blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    >>> list(blocks.state_dict())[-1]
    '2.bias'
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _renumber(self, modules: list[Module]) -> None:
        self._modules.clear()
        for index, module in enumerate(modules):
            self.add_module(str(index), module)

    def __getitem__(self, index: int | slice) -> Any:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        return modules[_position(index, len(modules), "ModuleList")]

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(str(_position(index, len(self), "ModuleList")), module)  # keeps its place

    def __delitem__(self, index: int | slice) -> None:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[_position(index, len(modules), "ModuleList")]
        self._renumber(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._modules.values())

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])

    def append(self, module: Module) -> ModuleList:
        """Add `module` at the end."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add every module of `modules` at the end."""
        if isinstance(modules, Module) and not isinstance(modules, ModuleList):
            raise TypeError(
                f"ModuleList.extend takes an iterable of modules, got a {type(modules).__name__}"
            )
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert `module` before position `index` (as ``list.insert``)."""
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._renumber(modules)

    def pop(self, index: int = -1) -> Module:
        """Remove and return the module at `index`."""
        module = self[index]
        del self[index]
        return module


class ModuleDict(Module):
    """An ordered mapping of names to modules, each registered as a child of that name.

    >>> from tinygrad_nn import nn
    >>> heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "box": nn.Linear(4, 4)})
    >>> list(heads.keys()), heads["cls"].out_features
    (['cls', 'box'], 3)
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[Any] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Any:
        if key not in self._modules:
            raise KeyError(f"ModuleDict has no module {key!r}; keys: {list(self._modules)}")
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        """The names, in insertion order."""
        return self._modules.keys()

    def values(self) -> Iterable[Any]:
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self) -> Iterable[tuple[str, Any]]:
        """``(name, module)`` pairs, in insertion order."""
        return self._modules.items()

    def update(self, modules: Mapping[str, Module] | Iterable[Any]) -> None:
        """Add or replace modules from a mapping or an iterable of ``(name, module)`` pairs."""
        for key, module in _pairs(modules, "ModuleDict"):
            self[key] = module

    def pop(self, key: str) -> Module:
        """Remove and return the module called `key`."""
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()


def _as_parameter(value: Any) -> Parameter | None:
    """Tensors and arrays become Parameters that require grad, as PyTorch wraps them."""
    return value if isinstance(value, Parameter) or value is None else Parameter(value)


class ParameterList(Module):
    """A list of parameters, registered under their positions ``"0"``, ``"1"``, ...

    Tensors and arrays put in are wrapped as `Parameter`.
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def __getitem__(self, index: int | slice) -> Any:
        params = list(self._parameters.values())
        if isinstance(index, slice):
            return ParameterList(params[index])
        return params[_position(index, len(params), "ParameterList")]

    def __setitem__(self, index: int, value: Any) -> None:
        self.register_parameter(
            str(_position(index, len(self), "ParameterList")), _as_parameter(value)
        )

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._parameters.values())

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def append(self, value: Any) -> ParameterList:
        """Add `value` (wrapped as a Parameter) at the end."""
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Add every element of `values` at the end."""
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(
            f"({index}): Parameter containing: [{param.dtype} of size {tuple(param.shape)}]"
            for index, param in enumerate(self)
        )


class ParameterDict(Module):
    """An ordered mapping of names to parameters; Tensors and arrays are wrapped as `Parameter`."""

    def __init__(self, parameters: Mapping[str, Any] | Iterable[Any] | None = None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        if key not in self._parameters:
            raise KeyError(
                f"ParameterDict has no parameter {key!r}; keys: {list(self._parameters)}"
            )
        return self._parameters[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.register_parameter(key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._parameters[key]

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def keys(self) -> Iterable[str]:
        """The names, in insertion order."""
        return self._parameters.keys()

    def values(self) -> Iterable[Any]:
        """The parameters, in insertion order."""
        return self._parameters.values()

    def items(self) -> Iterable[tuple[str, Any]]:
        """``(name, parameter)`` pairs, in insertion order."""
        return self._parameters.items()

    def update(self, parameters: Mapping[str, Any] | Iterable[Any]) -> None:
        """Add or replace parameters from a mapping or an iterable of ``(name, value)`` pairs."""
        for key, value in _pairs(parameters, "ParameterDict"):
            self[key] = value

    def pop(self, key: str) -> Any:
        """Remove and return the parameter called `key`."""
        value = self[key]
        del self[key]
        return value

    def extra_repr(self) -> str:
        return "\n".join(
            f"({key}): Parameter containing: [{param.dtype} of size {tuple(param.shape)}]"
            for key, param in self.items()
        )
