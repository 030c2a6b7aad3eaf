"""The Tensor: an array, its gradient, and the graph links that autograd follows.

This file holds the Tensor's state (data, ``.grad``, parents, version counters), its
conversions, in-place updates and numpy interop. The differentiable ops live in
``tinygrad_nn/ops``, grouped by kind, each forward beside one gradient rule per input;
they are bound to the Tensor as methods and operators at the end of this file. An op's
output is made by ``Tensor._make``, which records the parents and rules when a gradient
is needed; the engine (``autograd.run_backward``) runs the rules backwards.
"""

from __future__ import annotations

import itertools
import math
import numbers
import sys
import warnings
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import autograd, backend, dtypes
from .autograd import state
from .dtypes import bool as bool_  # the dtypes live in dtypes.py
from .dtypes import float16, float32, float64, int32, int64, uint8  # noqa: F401

_UNSET: Any = object()  # marks a keyword the caller did not give


def _is_float(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


_resolve_dtype = dtypes.resolve  # a tg/numpy dtype, a type or a name, as a supported dtype


def _to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert constructor input to an array following API.md's dtype rules."""
    if isinstance(data, str | bytes):
        raise TypeError(f"cannot make a tensor from a str: got {_short(data)}")
    if isinstance(data, Tensor):
        array = data._data
    elif isinstance(data, np.ndarray | np.generic):
        array = np.asarray(data)
    elif isinstance(data, bool | numbers.Number | list | tuple):
        if isinstance(data, complex) or isinstance(data, numbers.Complex) and not isinstance(
            data, numbers.Real
        ):
            raise TypeError(f"complex numbers are not supported: got {data!r}")
        try:
            array = np.array(data)
        except ValueError as exc:
            raise ValueError(
                f"cannot make a tensor from a ragged nested sequence (rows of different "
                f"lengths): {_short(data)}"
            ) from exc
        # Python floats default to float32; with dtype= given, the float64 values numpy
        # made are cast once, below, so float64 never passes through float32
        if dtype is None and array.dtype.kind == "f":
            array = array.astype(dtypes.default_float_dtype())
    elif backend.array_module(data) is not np:
        array = data
    else:
        raise TypeError(
            f"cannot make a tensor from {type(data).__name__}: expected a number, a (nested) "
            "list, a numpy array or a Tensor"
        )
    if array.dtype.kind in "US":
        raise TypeError(f"cannot make a tensor from strings: got {_short(data)}")
    if array.dtype.kind == "O":
        raise TypeError(f"cannot make a tensor from an object array: got {_short(data)}")
    if array.dtype.kind == "c":
        raise TypeError(f"complex numbers are not supported: got dtype {array.dtype}")
    if array.dtype.kind not in "fiub":
        raise TypeError(f"unsupported dtype {array.dtype}")
    if dtype is not None:
        array = array.astype(_resolve_dtype(dtype), copy=False)
    elif array.dtype.kind in "iu" and array.dtype != np.int64:
        array = array.astype(np.int64)
    return array


def _is_dtype_name(name: str) -> bool:
    try:
        dtypes.resolve(name)
    except TypeError:
        return False
    return True


def _short(data: Any) -> str:
    text = repr(data)
    return text if len(text) <= 60 else text[:57] + "..."


def _axes(axis: Any, ndim: int) -> tuple[int, ...] | None:
    """Normalise an axis argument (None, int, negative, tuple) to sorted non-negative ints."""
    if axis is None:
        return None
    items = axis if isinstance(axis, tuple | list) else (axis,)
    if ndim == 0:
        # a 0-d tensor accepts axis 0 / -1 (as PyTorch) and reduces over nothing
        if any(a not in (0, -1) for a in items):
            raise ValueError(f"axis {axis!r} is out of range for a 0-d tensor")
        return ()
    result = []
    for a in items:
        if not isinstance(a, int | np.integer) or isinstance(a, bool):
            raise TypeError(f"axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        result.append(int(a) % ndim)
    if len(result) == 1:
        return (result[0],)
    if len(set(result)) != len(result):
        raise ValueError(f"axis {axis!r} repeats an axis")
    return tuple(sorted(result))


def _pick(name: str, value: Any, alias: str, alias_value: Any, default: Any) -> Any:
    """Accept PyTorch's keyword spelling (``dim``, ``keepdim``) beside numpy's."""
    if alias_value is _UNSET:
        return default if value is _UNSET else value
    if value is not _UNSET:
        raise TypeError(f"got both {name}= and {alias}=; they are the same argument, give one")
    return alias_value


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """``shape`` with the reduced axes kept as 1 (the keepdims shape)."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """``shape`` without the reduced axes (the shape a reduction gives without keepdims)."""
    return () if axes is None else tuple(n for i, n in enumerate(shape) if i not in axes)


def _shape_args(shape: tuple) -> tuple[int, ...]:
    """Accept ``f(2, 3)`` and ``f((2, 3))`` alike."""
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        shape = tuple(shape[0])
    for n in shape:
        if not isinstance(n, int | np.integer) or isinstance(n, bool):
            raise TypeError(f"shape entries must be ints, got {shape!r}")
    return tuple(int(n) for n in shape)


def _new_shape(shape: tuple) -> tuple[int, ...]:
    """The shape of a new tensor: ints, none negative."""
    shape = _shape_args(shape)
    if any(n < 0 for n in shape):
        raise ValueError(f"shape entries must be non-negative, got {shape}")
    return shape


def _one_axis(axis: Any, ndim: int) -> int:
    """A single axis (an int, negative allowed) as a non-negative int."""
    if not isinstance(axis, int | np.integer) or isinstance(axis, bool):
        raise TypeError(f"axis must be an int, got {axis!r}")
    return _axes(axis, ndim)[0]


def _number(name: str, value: Any) -> Any:
    """``value`` if it is a real number, else a TypeError naming the argument."""
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {_short(value)}")
    return value


def _broadcasting(fn: Callable, a: Tensor, b: Tensor, op: str) -> Any:
    """``fn`` on the two arrays; numpy's broadcast error is re-raised naming op and shapes.

    (``operator.mul`` rather than ``np.multiply``: the operator path is twice as fast on
    small arrays.)
    """
    try:
        return fn(a._data, b._data)
    except ValueError:
        _check_broadcast(op, a.shape, b.shape)
        raise


def _check_broadcast(op: str, *shapes: tuple[int, ...]) -> None:
    """Raise ValueError naming ``op`` and the shapes unless numpy can broadcast them."""
    if all(shape == shapes[0] for shape in shapes):
        return
    for axis in range(1, max(len(shape) for shape in shapes) + 1):
        sizes = {shape[-axis] for shape in shapes if len(shape) >= axis} - {1}
        if len(sizes) > 1:
            raise ValueError(
                f"{op}: shapes {' and '.join(str(s) for s in shapes)} do not broadcast "
                "(each trailing axis must be equal, or 1)"
            )


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as PyTorch's does, ``torch.Size([2, 3])``.

    ``t.size()`` gives one; it equals the plain tuple of the same ints, which is what
    ``t.shape`` is (error messages print shapes as tuples).
    """

    __slots__ = ()

    def __new__(cls, sizes: Any = ()) -> Size:
        """The shape holding ``sizes`` (an iterable of ints)."""
        items = tuple(sizes)
        for n in items:
            if not isinstance(n, int | np.integer) or isinstance(n, bool):
                raise TypeError(f"torch.Size() takes an iterable of ints, got {_short(items)}")
        return tuple.__new__(cls, (int(n) for n in items))

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        return tuple.__new__(Size, item) if isinstance(index, slice) else item

    def __add__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return tuple.__new__(Size, tuple.__add__(self, other))

    def __radd__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return tuple.__new__(Size, other + tuple(self))

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        return math.prod(self)


class _HookHandle:
    """Returned by ``register_hook``; ``remove()`` takes the hook off again."""

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        """Stop calling the hook."""
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _node_name(op: str) -> str:
    """PyTorch's name for the backward node of ``op``: ``mul`` -> ``MulBackward0``."""
    return "".join(part[:1].upper() + part[1:] for part in op.split("_")) + "Backward0"


class Node:
    """The backward node of an op's output, as ``t.grad_fn`` shows it (PyTorch's names)."""

    __slots__ = ("_tensor", "__weakref__")

    def __init__(self, tensor: Tensor) -> None:
        self._tensor = tensor

    def name(self) -> str:
        """``"MulBackward0"`` for the output of a multiplication."""
        return _node_name(self._tensor._op)

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """One ``(node, 0)`` per input: its grad_fn, an ``AccumulateGrad`` for a leaf that
        requires grad, or None for an input without a gradient."""
        return tuple(
            (parent.grad_fn if parent._backward is not None
             else _accumulator(parent) if parent.requires_grad else None, 0)
            for parent in self._tensor._parents
        )

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._tensor is self._tensor

    def __hash__(self) -> int:
        return hash(id(self._tensor))

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self._tensor):#x}>"


# the node of each tensor some caller holds, by the tensor's id (a node keeps its tensor
# alive, so the id cannot be reused while the entry lives)
_live_nodes: weakref.WeakValueDictionary[int, Node] = weakref.WeakValueDictionary()


_live_accumulators: weakref.WeakValueDictionary[int, AccumulateGrad] = (
    weakref.WeakValueDictionary()
)


def _accumulator(leaf: Tensor) -> AccumulateGrad:
    """The leaf's AccumulateGrad node: the same object while anyone holds it (weakly kept)."""
    node = _live_accumulators.get(id(leaf))
    if node is None:
        node = _live_accumulators[id(leaf)] = AccumulateGrad(leaf)
    return node


class AccumulateGrad:
    """The node that adds a gradient into a leaf's ``.grad``; ``.variable`` is the leaf."""

    __slots__ = ("variable", "__weakref__")

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        """``"torch::autograd::AccumulateGrad"``, as PyTorch names it."""
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        """Empty: a leaf has no inputs."""
        return ()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.variable is self.variable

    def __hash__(self) -> int:
        return hash(id(self.variable))

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self.variable):#x}>"


_new = object.__new__
_new_size = tuple.__new__  # a Size from a tuple of ints already checked
# ops whose backward reads their own output (d exp x = exp x, d tanh x = 1 - tanh^2, ...):
# for these, changing the output in place is caught as changing an input is
_READS_ITS_OUTPUT = frozenset(
    {"exp", "sqrt", "sigmoid", "tanh", "softmax", "log_softmax", "logsumexp", "max_pool2d",
     "prod", "norm"}
)
_PLAIN_NUMBERS = (float, int, bool)
_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor."
)
_creation_counter = itertools.count()  # numbers recorded tensors in creation order


class Tensor:
    """An n-dimensional array that records the ops applied to it, for autograd.

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])

    ``Tensor(ndarray)`` uses the array without a copy (like ``torch.as_tensor``);
    ``tg.tensor(...)`` copies, as ``torch.tensor`` does.
    """

    # Hot attributes live in slots; rarely set ones are class-level defaults, so
    # making a tensor (thousands per training step) does not pay for them.
    __slots__ = (
        "_data", "_grad", "requires_grad", "device", "_parents", "_op", "_backward",
        "_counter", "_stamp", "_seq", "__dict__", "__weakref__",
    )  # fmt: skip
    __array_priority__ = 1000
    name: str | None = None  # optional label, shown by viz
    _scope: tuple | None = None  # the Modules whose forward made this tensor (viz)
    _hooks: list | None = None
    _retains_grad = False

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        dtype: Any = None,
        device: str | None = None,
    ) -> None:
        array = _to_array(data, dtype)
        target = backend.device_of(array) if device is None else backend.normalize_device(device)
        self._data = backend.to_device(array, target)
        self.device = target
        self._grad: Tensor | None = None
        self.requires_grad = False
        self._parents: tuple[Tensor, ...] = ()
        self._op: str | None = None
        self._backward: Callable | None = None
        # [version, edit number of the last change], shared with the views of the same
        # array; None until the first in-place change (version 0)
        self._counter: list[int] | None = None
        self._stamp = 0  # for an op's output: how many in-place edits had happened then
        self._seq = -1  # leaves come before every op output
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _wrap(data: Any, device: str = "cpu") -> Tensor:
        """A leaf around an array already in the right dtype and device (no checks)."""
        if isinstance(data, np.generic):  # numpy gives scalars for 0-d results: keep arrays
            data = np.asarray(data)
        out = _new(Tensor)
        out._data = data
        out.device = device
        out._grad = None
        out.requires_grad = False
        out._parents = ()
        out._op = None
        out._backward = None
        out._counter = None
        out._stamp = 0
        out._seq = -1
        return out

    @staticmethod
    def _make(data: Any, parents: tuple[Tensor, ...], op: str, backward: Callable) -> Tensor:
        """The output of an op: records ``parents`` and ``backward`` when grad is needed."""
        if isinstance(data, np.generic):  # numpy gives scalars for 0-d results: keep arrays
            data = np.asarray(data)
        out = _new(Tensor)
        out._data = data
        out.device = parents[0].device
        out._grad = None
        out._counter = None
        if state.grad_enabled:
            for p in parents:
                if p.requires_grad and data.dtype.kind == "f":
                    out.requires_grad = True
                    out._parents = parents
                    out._op = op
                    out._backward = backward
                    out._stamp = state.edits
                    out._seq = next(_creation_counter)
                    if state.scope is not None:
                        out._scope = state.scope
                    if state.anomaly:
                        autograd.check_forward_anomaly(out)
                    return out
        out.requires_grad = False
        out._parents = ()
        out._op = None
        out._backward = None
        out._stamp = 0
        out._seq = -1
        return out

    def _const(self, data: Any) -> Tensor:
        """A constant (no grad) on this tensor's device."""
        return Tensor._wrap(data, self.device)

    def _operand(self, other: Any) -> Tensor:
        """``other`` as a Tensor on this device; a number takes ``_number_dtype``'s dtype."""
        if isinstance(other, Tensor):
            if other.device != self.device:
                raise RuntimeError(
                    f"expected all tensors on the same device, got {self.device} and "
                    f"{other.device}: move one with .to()"
                )
            return other
        # the type test first: numbers.Real's ABC check is slow, and floats are common
        if type(other) in _PLAIN_NUMBERS or isinstance(other, numbers.Real):
            dtype = self._data.dtype
            if dtype.kind != "f":
                dtype = self._number_dtype(other)
            if self.device == "cpu":
                return Tensor._wrap(np.asarray(other, dtype), "cpu")
            return Tensor._wrap(backend.array_module(self._data).asarray(other, dtype), self.device)
        return Tensor(other, device=self.device)

    def _number_dtype(self, number: Any) -> np.dtype:
        """The dtype a number takes beside this tensor, as PyTorch: the tensor's, except
        that a float beside integers gives float32 and an int beside bools int64."""
        dtype = self._data.dtype
        if dtype.kind == "f":
            return dtype
        if isinstance(number, float | np.floating):
            return dtypes.default_float_dtype()
        if dtype.kind == "b" and not isinstance(number, bool | np.bool_):
            return int64
        return dtype

    # ------------------------------------------------------------ attributes

    @property
    def data(self) -> Tensor:
        """This tensor's values as a new leaf sharing its memory (as PyTorch's ``.data``).

        Changes made through it (``p.data -= lr * p.grad``, ``p.data.normal_()``) update
        this tensor in place and are not seen by autograd. ``.numpy()`` gives the array.
        Assign same-shape data to replace the values (this bumps the version).
        """
        return Tensor._wrap(self._data, self.device)

    @data.setter
    def data(self, value: Any) -> None:
        array = _to_array(value)
        if array.shape != self._data.shape:
            raise ValueError(
                f"cannot assign data of shape {array.shape} to a tensor of shape {self.shape}"
            )
        if self.requires_grad and not _is_float(array.dtype):
            raise TypeError(
                f"cannot assign {array.dtype} data to a tensor that requires grad "
                "(only floating tensors can require grad)"
            )
        if array is self._data:  # `p.data -= x`: changed through .data, which autograd ignores
            return
        self._data = backend.to_device(array, self.device)
        self._mark_changed()

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape, as a tuple (``size()`` gives it as a ``Size``, which equals it)."""
        return self._data.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype of the data."""
        return self._data.dtype

    @property
    def _version(self) -> int:
        """How many times the data was changed in place (through this tensor or a view)."""
        return 0 if self._counter is None else self._counter[0]

    def _mark_changed(self) -> None:
        """Record an in-place change: bump the version, and number the edit.

        Ops remember how many edits had happened when they ran (``_stamp``); an input
        whose last edit has a later number was changed after the op used it. So the
        common case, no edit at all since the forward, costs backward one comparison.
        """
        cell = self._version_cell()
        state.edits += 1
        cell[0] += 1
        cell[1] = state.edits

    def _version_cell(self) -> list[int]:
        """The [version, last edit] cell of this array, made on first need, shared by views."""
        if self._counter is None:
            self._counter = [0, 0]
        return self._counter

    def _share_version(self, view: Tensor) -> Tensor:
        """Give ``view`` this tensor's version counter when its array aliases ours."""
        data, base = view._data, view._data.base  # a view's base owns the memory
        if data is self._data or base is not None and (
            base is self._data or base is self._data.base or np.may_share_memory(data, self._data)
        ):
            view._counter = self._version_cell()
        return view

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by a recorded op."""
        return self._backward is None

    @property
    def grad(self) -> Tensor | None:
        """The gradient backward accumulated here: on leaves that require grad, and on
        non-leaves that called ``retain_grad()``; reading it on another non-leaf warns, as
        PyTorch does (it stays None)."""
        if self._backward is not None and not self._retains_grad:
            warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        self._grad = value

    @property
    def grad_fn(self) -> Node | None:
        """The node of the op that made this tensor (``<MulBackward0>``), or None for a leaf.

        Its ``next_functions`` lead to the nodes of the op's inputs (``AccumulateGrad`` for
        leaves that require grad), as PyTorch's do. The same node each time, so
        ``loss.grad_fn.next_functions[0][0] is output.grad_fn`` holds, as in PyTorch.
        """
        if self._backward is None:
            return None
        # held weakly, so the tensor and its node form no cycle: alive while anyone holds it
        node = _live_nodes.get(id(self))
        if node is None:
            node = _live_nodes[id(self)] = Node(self)
        return node

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (copied to the host for a GPU tensor)."""
        return backend.to_numpy(self._data)

    def item(self) -> Any:
        """The single value of a one-element tensor, as a Python number."""
        if self._data.size != 1:
            raise ValueError(
                f"item() needs a tensor with one element, this one has shape {self.shape}"
            )
        return self._data.item()

    def tolist(self) -> Any:
        """The data as (nested) Python lists."""
        return self._data.tolist()

    def numel(self) -> int:
        """The number of elements."""
        return int(self._data.size)

    def size(self, dim: int | None = None) -> Size | int:
        """The shape (PyTorch spelling); ``size(d)`` is one dimension."""
        if dim is None:
            return _new_size(Size, self._data.shape)
        return self._data.shape[_axes(dim, self.ndim)[0]]

    def dim(self) -> int:
        """The number of dimensions (PyTorch spelling of ``ndim``)."""
        return self.ndim

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        array = self.numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self._data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self._data.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.size != 1 or self._data.dtype.kind not in "iu":
            raise TypeError("only a one-element integer tensor can be used as an index")
        return int(self._data.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = np.array2string(self.numpy(), separator=", ", prefix="tensor(",
                               **_array2string_options())
        extras = []
        if self.dtype not in (float32, int64, bool_):
            extras.append(f"dtype={self.dtype}")
        if self.device != "cpu":
            extras.append(f"device='{self.device}'")
        if self._op is not None:
            extras.append(f"grad_fn=<{_node_name(self._op)}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats a one-element tensor's value, as PyTorch."""
        if self._data.size == 1 and self._data.ndim <= 1:
            return format(self._data.item(), spec)
        return repr(self) if not spec else format(repr(self), spec)

    # ------------------------------------------------------------ autograd API

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut off from the graph."""
        return self._share_version(Tensor._wrap(self._data, self.device))

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (only on floating-point tensors); returns self."""
        if flag and not _is_float(self._data.dtype):
            raise TypeError(
                f"only floating-point tensors can require grad, this one is {self.dtype}: "
                "create it with dtype=tg.float32 or tg.float64"
            )
        if not flag and self._backward is not None:
            raise RuntimeError("requires_grad can only be turned off on a leaf; use .detach()")
        self.requires_grad = bool(flag)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad")
        self._retains_grad = True

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> _HookHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed.

        The hook may return a replacement gradient. Returns a handle with ``remove()``.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    def zero_grad(self) -> None:
        """Set ``.grad`` to None."""
        self.grad = None

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool = False,
        create_graph: bool = False,
    ) -> None:
        """Accumulate d(self)/d(leaf) into the ``.grad`` of every leaf that requires grad.

        Parameters
        ----------
        gradient
            The vector of the vector-Jacobian product; needed unless self has one element.
        retain_graph
            Keep the graph's closures and saved arrays for another backward.
        create_graph
            Record the backward pass so gradients can be differentiated again.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input had "
                "requires_grad=True, or it was computed under tg.no_grad()"
            )
        seed = self._seed_gradient(gradient)
        autograd.run_backward([self], [seed], retain_graph or create_graph, create_graph)

    def _seed_gradient(self, gradient: Any) -> Tensor:
        if gradient is None:
            if self._data.size != 1:
                raise RuntimeError(
                    f"a gradient argument is needed for a non-scalar output of shape "
                    f"{self.shape}: pass gradient= to backward() (grad_outputs= to tg.grad) "
                    "with that shape; grad can be implicitly created only for scalar outputs"
                )
            return self._const(backend.array_module(self._data).ones_like(self._data))
        seed = self._operand(gradient)
        if seed.shape != self.shape:
            raise ValueError(
                f"gradient has shape {seed.shape} but the tensor has shape {self.shape}"
            )
        return seed if seed.dtype == self.dtype else seed.astype(self.dtype)

    def _accumulate_grad(self, g: Any, create_graph: bool, adopted: set[int]) -> None:
        """Add ``g`` (a Tensor under ``create_graph``, else an array) to ``.grad``.

        The first time, ``g``'s array is taken without a copy when this backward pass
        computed it and nobody else can reach it: writable, all of its memory (a transposed
        or reshaped gradient is a view of a whole array), and that memory not already taken
        by another tensor or given by the caller (``adopted`` holds the ids of their
        owners). Later gradients are added in place.
        """
        if create_graph:
            self._grad = g if self._grad is None else self._grad + g
        elif self._grad is None:
            if not hasattr(g, "flags"):  # a numpy scalar, from a rule on 0-d arrays
                g = np.asarray(g)
            owner = backend.memory_owner(g)
            if g.flags.writeable and g.size == owner.size and id(owner) not in adopted:
                adopted.add(id(owner))
            else:
                g = g.copy()
            self._grad = Tensor._wrap(g, self.device)
        elif self._grad.requires_grad or not self._grad._data.flags.writeable:
            self._grad = Tensor._wrap(self._grad._data + g, self.device)
        else:
            self._grad._data += g
            self._grad._mark_changed()

    def _check_versions(self) -> None:
        """Raise if an input, or an output its backward reads, was changed in place since."""
        if self._op in _READS_ITS_OUTPUT and self._counter is not None and (
            self._counter[1] > self._stamp
        ):
            raise RuntimeError(
                f"the output of op '{self._op}' (a tensor of shape {self.shape}) was modified "
                f"in place after the op made it (it is now at version {self._version}), but "
                "its backward needs the original; gradients would be wrong. Use an "
                "out-of-place op (y = y + 1) instead."
            )
        for parent in self._parents:
            if parent._counter is not None and parent._counter[1] > self._stamp:
                raise RuntimeError(
                    f"an input of op '{self._op}' (a tensor of shape {parent.shape}"
                    f"{', named ' + repr(parent.name) if parent.name else ''}) was modified in "
                    f"place after the op used it (it is now at version {parent._version}); "
                    "gradients would be wrong. Use an out-of-place op (x = x + y) instead."
                )

    # ------------------------------------------------------------ conversions

    def astype(self, dtype: Any) -> Tensor:
        """A copy in another dtype; differentiable between floating dtypes."""
        dtype = _resolve_dtype(dtype)
        if dtype == self.dtype:
            return self
        source = self.dtype

        def astype_rule(g: Any, out: Any, x: Any) -> Any:
            return g.astype(source)

        return Tensor._make(self._data.astype(dtype), (self,), "astype", (astype_rule,))

    def float(self) -> Tensor:
        """As float32."""
        return self.astype(float32)

    def double(self) -> Tensor:
        """As float64."""
        return self.astype(float64)

    def long(self) -> Tensor:
        """As int64 (not differentiable)."""
        return self.astype(int64)

    def bool(self) -> Tensor:
        """As bool (not differentiable)."""
        return self.astype(bool_)

    def int(self) -> Tensor:
        """As int32 (not differentiable)."""
        return self.astype(int32)

    def to(self, *args: Any, device: Any = None, dtype: Any = None, **ignored: Any) -> Tensor:
        """Move to a device and/or convert to a dtype, as PyTorch's ``to``; differentiable.

        ``t.to("cuda")``, ``t.to(tg.float64)``, ``t.to("cpu", tg.float64)``,
        ``t.to(device=..., dtype=...)`` and ``t.to(other)`` (other's device and dtype).
        PyTorch's ``non_blocking=`` and ``copy=`` are accepted and change nothing here.
        """
        for arg in args:
            if isinstance(arg, Tensor):
                device, dtype = arg.device, arg.dtype
            elif isinstance(arg, str) or hasattr(arg, "type") and not isinstance(arg, np.dtype):
                name = str(getattr(arg, "type", arg)).split(":")[0]
                if name not in backend.DEVICES and not _is_dtype_name(name):
                    raise ValueError(f"unknown device {arg!r}: expected 'cpu' or 'cuda'")
                device, dtype = (arg, dtype) if name in backend.DEVICES else (device, arg)
            else:
                dtype = arg
        result = self if dtype is None else self.astype(dtype)
        if device is None:
            return result
        target = backend.normalize_device(device)
        if target == result.device:
            return result
        source = result.device

        def to_rule(g: Any, out: Any, x: Any) -> Any:
            return g.to(source) if isinstance(g, Tensor) else backend.to_device(g, source)

        out = Tensor._make(backend.to_device(result._data, target), (result,), "to", (to_rule,))
        out.device = target
        return out

    def cpu(self) -> Tensor:
        """This tensor on the CPU."""
        return self.to("cpu")

    def cuda(self) -> Tensor:
        """This tensor on the GPU (needs CuPy)."""
        return self.to("cuda")

    # ------------------------------------------------------------ arithmetic

    def _pair(self, other: Any) -> tuple[Tensor, Tensor]:
        """Both operands of a binary op; an integer side takes the float side's dtype.

        (numpy would make int64 with float32 float64; PyTorch keeps float32.)
        """
        if type(other) is Tensor and other._data.dtype is self._data.dtype:
            if other.device == self.device:  # the common case, in a few lookups
                return self, other
        other = self._operand(other)
        a_kind, b_kind = self._data.dtype.kind, other._data.dtype.kind
        if a_kind == b_kind or (a_kind != "f" and b_kind != "f"):
            return self, other
        return (self, other.astype(self.dtype)) if a_kind == "f" else (
            self.astype(other.dtype), other)

    # ------------------------------------------------------------ in place

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(value, str | bytes):
            raise TypeError(f"cannot assign a {type(value).__name__} into a tensor: {value!r}")
        if state.grad_enabled and (self.requires_grad or
                                   isinstance(value, Tensor) and value.requires_grad):
            # recorded as PyTorch's index_put: `dC[ix] += v` and `x[mask] = y` keep the graph
            self._check_not_leaf()
            value = self._operand(value)
            self._record_inplace(lambda before: indexing.index_put(before, index, value), value)
            return
        value = value._data if isinstance(value, Tensor) else value
        try:
            self._data[indexing.plain_index(index)] = value
        except (IndexError, ValueError, TypeError) as exc:
            kind = next(k for k in (IndexError, TypeError, ValueError) if isinstance(exc, k))
            raise kind(
                f"cannot assign {_short(value)} at index {_short(index)} of a tensor of shape "
                f"{self.shape}: {exc}"
            ) from None
        self._mark_changed()


    def _inplace(self, other: Any, ufunc: np.ufunc, method: Callable) -> Tensor:
        other = self._operand(other)
        if state.grad_enabled and (self.requires_grad or other.requires_grad):
            self._check_not_leaf()
            return self._record_inplace(
                lambda before: method(before, before if other is self else other), other)
        try:
            shape = self.shape if other.shape == self.shape else np.broadcast_shapes(
                self.shape, other.shape)
        except ValueError:
            shape = None
        if shape != self.shape:
            raise ValueError(
                f"in-place op cannot broadcast shape {other.shape} into shape {self.shape}"
            )
        if not self._data.flags.writeable:
            raise RuntimeError(
                f"cannot change a read-only tensor of shape {self.shape} in place (an expand() "
                "result or a broadcast gradient shares its elements); use an out-of-place op"
            )
        try:
            ufunc(self._data, other._data, out=self._data, casting="same_kind")
        except TypeError as exc:  # numpy's UFuncTypeError for float into int, etc.
            raise TypeError(
                f"in-place op cannot store a {other.dtype} result in a {self.dtype} tensor"
            ) from exc
        self._mark_changed()
        return self

    def _check_not_leaf(self) -> None:
        """Raise, as PyTorch does, for an in-place change of a leaf that requires grad."""
        if self.requires_grad and self._backward is None:
            raise RuntimeError(
                "a leaf tensor that requires grad cannot be changed in place while grad "
                "mode is on; update parameters inside `with tg.no_grad():`"
            )

    def _record_inplace(self, compute: Callable[[Tensor], Tensor], source: Tensor) -> Tensor:
        """Become ``compute(before)``, recorded like an out-of-place op on the old value,
        which lives on in ``before``.

        The ops of ``source``'s graph that read self read its old value (``z[i] += y`` is
        ``t = z[i]; t += y; z[i] = t``): they are pointed at ``before``, else the graph
        would loop through self's new value. Other earlier uses of self are caught by the
        version check if their backward needs the old value.
        """
        before = Tensor._wrap(self._data, self.device)
        for slot in ("requires_grad", "_parents", "_op", "_backward", "_counter",
                     "_stamp", "_seq", "_scope", "name"):
            setattr(before, slot, getattr(self, slot))
        if source._backward is not None:
            self._repoint_readers(source, before)
        result = compute(before)
        for slot in ("_data", "requires_grad", "_parents", "_op", "_backward",
                     "_stamp", "_seq", "_scope"):
            setattr(self, slot, getattr(result, slot))
        # a new array, so a new counter: views of the old value stay with `before`
        self._counter = [before._version, 0]
        self._mark_changed()
        return self

    def _repoint_readers(self, source: Tensor, before: Tensor) -> None:
        """Point the ops of ``source``'s graph whose input is self at ``before`` instead
        (only ops made after self can have read it)."""
        floor, stack, seen = self._seq, [source], set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            parents = node._parents
            if any(p is self for p in parents):
                node._parents = tuple(before if p is self else p for p in parents)
            stack.extend(p for p in parents if p._seq > floor)

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace(other, np.add, Tensor.__add__)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace(other, np.subtract, Tensor.__sub__)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace(other, np.multiply, Tensor.__mul__)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace(other, np.true_divide, Tensor.__truediv__)

    def zero_(self) -> Tensor:
        """Set every element to 0 in place (NaN and inf too); same rules as ``-=``."""
        return self.fill_(0)

    def fill_(self, value: float) -> Tensor:
        """Set every element to ``value`` in place; same rules as ``-=``."""
        _number("fill_ value", value)

        def filled(before: Tensor, _: Tensor) -> Tensor:
            data = backend.array_module(before._data).full_like(before._data, value)
            return Tensor._make(data, (before,), "fill", (lambda g, out, x: g * 0,))

        return self._inplace(value, _assign, filled)

    # PyTorch's in-place methods: the same rules as `-=` (see _inplace), and each bumps
    # the version, so a backward that needed the old value raises

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self += alpha * other, in place."""
        return self._inplace(other if alpha == 1 else self._operand(other) * alpha, np.add,
                             Tensor.__add__)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self -= alpha * other, in place."""
        return self._inplace(other if alpha == 1 else self._operand(other) * alpha,
                             np.subtract, Tensor.__sub__)

    def mul_(self, other: Any) -> Tensor:
        """self *= other, in place."""
        return self._inplace(other, np.multiply, Tensor.__mul__)

    def div_(self, other: Any) -> Tensor:
        """self /= other, in place."""
        return self._inplace(other, np.true_divide, Tensor.__truediv__)

    def pow_(self, exponent: Any) -> Tensor:
        """self **= exponent, in place."""
        return self._inplace(exponent, np.power, Tensor.__pow__)

    def neg_(self) -> Tensor:
        """self = -self, in place."""
        return self._replace(-self._data, lambda before: -before)

    def clamp_(self, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
        """Clamp into [min, max], in place."""
        return self._replace(self.detach().clip(min, max)._data,
                             lambda before: before.clip(min, max))

    clip_ = clamp_

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """Set the elements where ``mask`` is true to ``value``, in place."""
        value_array = value._data if isinstance(value, Tensor) else value
        return self._replace(self.detach().masked_fill(mask, value_array)._data,
                             lambda before: before.masked_fill(mask, value))

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src``'s elements into this tensor (broadcast, cast to its dtype)."""
        def copied(before: Tensor, src: Tensor) -> Tensor:
            # the gradient goes to src, none to the overwritten values
            everywhere = np.ones(before.shape, dtype=bool)
            return arithmetic.where(everywhere, src.astype(before.dtype), before)

        return self._inplace(src, _assign_unsafe, copied)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples of N(mean, std^2), in place."""
        samples = _rng(generator).normal(_number("mean", mean), _number("std", std), self.shape)
        return self._fill_with(samples, "normal")

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples uniform in [a, b), in place."""
        samples = _rng(generator).uniform(_number("a", a), _number("b", b), self.shape)
        return self._fill_with(samples, "uniform")

    def _fill_with(self, values: np.ndarray, op: str) -> Tensor:
        """Overwrite with ``values``: a constant, so no gradient reaches the old ones."""
        values = backend.to_device(values.astype(self.dtype), self.device)

        def filled(before: Tensor, _: Tensor) -> Tensor:
            return Tensor._make(values, (before,), op, (lambda g, out, x: g * 0,))

        return self._inplace(values, _assign, filled)

    def _replace(self, new_values: Any, recorded: Callable[[Tensor], Tensor]) -> Tensor:
        """Overwrite with ``new_values``, computed from self; with a graph, ``recorded(before)``
        computes them again as an op on the old value."""
        return self._inplace(new_values, _assign, lambda before, _: recorded(before))

    # ------------------------------------------------------------ numpy interop

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """Let ``ndarray <op> tensor`` give a Tensor that keeps the graph."""
        if "out" in kwargs or method != "__call__":
            # e.g. `p.data -= lr * p.grad`: plain array arithmetic, in place
            raw = [x._data if isinstance(x, Tensor) else x for x in inputs]
            if "out" in kwargs:
                kwargs["out"] = tuple(o._data if isinstance(o, Tensor) else o
                                      for o in kwargs["out"])
            return getattr(ufunc, method)(*raw, **kwargs)
        op = _UFUNC_OPS.get(ufunc.__name__)
        tensors = [x for x in inputs if isinstance(x, Tensor)]
        if op is None or kwargs:
            if any(t.requires_grad for t in tensors):
                raise TypeError(
                    f"np.{ufunc.__name__} is not differentiable in tinygrad_nn; use the "
                    "Tensor method of the same name, or .detach() first"
                )
            raw = [x._data if isinstance(x, Tensor) else x for x in inputs]
            return Tensor(getattr(ufunc, method)(*raw, **kwargs))
        first = tensors[0]
        return op(*[x if isinstance(x, Tensor) else first._operand(x) for x in inputs])


# what set_printoptions changed; an option never set keeps the repr's own default
_PRINT_DEFAULTS: dict[str, Any] = {"precision": None, "threshold": 200, "edgeitems": 3,
                                   "linewidth": None, "sci_mode": None}
_print_options = dict(_PRINT_DEFAULTS)


def set_printoptions(precision: int | None = None, threshold: int | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """How tensors print, as ``torch.set_printoptions``: digits after the point
    (``precision``), how many elements before a summary with ``...`` (``threshold``) and
    how many at each end of it (``edgeitems``), line width, and ``sci_mode`` (True: always
    scientific notation, False: never, None: numpy's choice). ``profile`` is
    ``"default"`` (back to the defaults), ``"short"`` (2 digits) or ``"full"`` (no summary).
    """
    profiles = {"default": {}, "short": {"precision": 2, "threshold": 1000, "edgeitems": 2},
                "full": {"precision": 4, "threshold": math.inf}}
    if profile is not None:
        if profile not in profiles:
            raise ValueError(f"profile must be 'default', 'short' or 'full', got {profile!r}")
        _print_options.clear()
        _print_options.update(_PRINT_DEFAULTS, **profiles[profile])
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems,
             "linewidth": linewidth}
    _print_options.update({k: v for k, v in given.items() if v is not None})
    _print_options["sci_mode"] = sci_mode


def _array2string_options() -> dict[str, Any]:
    """``np.array2string``'s keywords for the current print options."""
    options = {"threshold": _print_options["threshold"], "edgeitems": _print_options["edgeitems"]}
    if math.isinf(options["threshold"]):
        options["threshold"] = sys.maxsize
    for name in ("precision", "linewidth"):
        if _print_options[name] is not None:
            options[name] = _print_options[name]
    if _print_options["sci_mode"] is False:
        options["suppress_small"] = True
    elif _print_options["sci_mode"]:
        digits = 4 if _print_options["precision"] is None else _print_options["precision"]
        options["formatter"] = {"float_kind": lambda v: f"{v:.{digits}e}"}
    return options


def _assign(_: Any, value: Any, out: Any, casting: str) -> None:
    """``out[...] = value`` with the signature of an in-place ufunc call."""
    np.copyto(out, value, casting=casting)


def _assign_unsafe(_: Any, value: Any, out: Any, casting: str) -> None:
    """``out[...] = value``, any dtype into any (``copy_`` casts, as PyTorch)."""
    np.copyto(out, value, casting="unsafe")


def _rng(generator: Any) -> np.random.Generator:
    """The numpy stream behind ``generator=`` (see ``random._numpy_generator``)."""
    from .random import _numpy_generator

    return _numpy_generator(generator)


# ---------------------------------------------------------------- creation


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None,
           device: str | None = None) -> Tensor:
    """Alias of ``Tensor(...)``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def _create(array: Any, requires_grad: bool, device: str) -> Tensor:
    out = Tensor(array, device=device)
    return out.requires_grad_(True) if requires_grad else out


def zeros(*shape: Any, dtype: Any = float32, requires_grad: bool = False,
          device: str = "cpu") -> Tensor:
    """A tensor of zeros (default float32)."""
    return _create(np.zeros(_new_shape(shape), dtype=_resolve_dtype(dtype)), requires_grad,
                   device)


def ones(*shape: Any, dtype: Any = float32, requires_grad: bool = False,
         device: str = "cpu") -> Tensor:
    """A tensor of ones (default float32)."""
    return _create(np.ones(_new_shape(shape), dtype=_resolve_dtype(dtype)), requires_grad,
                   device)


def full(shape: Any, value: float, dtype: Any = None, requires_grad: bool = False,
         device: str = "cpu") -> Tensor:
    """A tensor filled with ``value`` (float32 for a float, int64 for an int, unless dtype=)."""
    shape = _new_shape((shape,) if isinstance(shape, int) else tuple(shape))
    dtype = _to_array(value).dtype if dtype is None else _resolve_dtype(dtype)
    if np.ndim(_to_array(value)) != 0:
        raise ValueError(f"full needs a single fill value, got shape {np.shape(value)}")
    return _create(np.full(shape, value, dtype=dtype), requires_grad, device)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with ``t``'s shape, dtype and device."""
    if not isinstance(t, Tensor):
        raise TypeError(f"zeros_like needs a Tensor, got {type(t).__name__}")
    return zeros(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, device=t.device)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with ``t``'s shape, dtype and device."""
    if not isinstance(t, Tensor):
        raise TypeError(f"ones_like needs a Tensor, got {type(t).__name__}")
    return ones(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, device=t.device)


def full_like(t: Tensor, value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``value`` everywhere, with ``t``'s shape, dtype and device."""
    if not isinstance(t, Tensor):
        raise TypeError(f"full_like needs a Tensor, got {type(t).__name__}")
    return full(t.shape, value, dtype=dtype or t.dtype, requires_grad=requires_grad,
                device=t.device)


def arange(start: float, stop: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False, device: str = "cpu") -> Tensor:
    """Evenly spaced values in [start, stop) (int64 for ints, float32 for floats)."""
    if stop is None:
        start, stop = 0, start
    for name, value in (("start", start), ("stop", stop), ("step", step)):
        if not math.isfinite(_number(f"arange {name}", value)):
            raise ValueError(f"arange {name} must be finite, got {value}")
    if step == 0:
        raise ValueError("arange step must not be zero")
    values = np.arange(start, stop, step)
    array = _to_array(values.tolist() if values.dtype.kind == "f" else values, dtype)
    if values.size == 0:
        array = np.zeros(0, dtype=_resolve_dtype(dtype or (
            float32 if values.dtype.kind == "f" else int64)))
    return _create(array, requires_grad, device)


def eye(n: int, m: int | None = None, dtype: Any = float32, requires_grad: bool = False,
        device: str = "cpu") -> Tensor:
    """The identity matrix (n x m)."""
    _new_shape((n, n if m is None else m))
    return _create(np.eye(n, m, dtype=_resolve_dtype(dtype)), requires_grad, device)


def randn(*shape: Any, dtype: Any = float32, requires_grad: bool = False,
          device: str = "cpu") -> Tensor:
    """Standard normal samples from the generator seeded by ``tg.manual_seed``."""
    from .random import generator

    data = generator().standard_normal(_new_shape(shape)).astype(_resolve_dtype(dtype))
    return _create(data, requires_grad, device)


def rand(*shape: Any, dtype: Any = float32, requires_grad: bool = False,
         device: str = "cpu") -> Tensor:
    """Uniform samples in [0, 1) from the generator seeded by ``tg.manual_seed``."""
    from .random import generator

    data = generator().random(_new_shape(shape)).astype(_resolve_dtype(dtype))
    return _create(data, requires_grad, device)


def randint(low: int, high: int, shape: Any, dtype: Any = int64, device: str = "cpu") -> Tensor:
    """Random integers in [low, high) from the seeded generator."""
    from .random import generator

    shape = _new_shape((shape,) if isinstance(shape, int) else tuple(shape))
    if not low < high:
        raise ValueError(f"randint needs low < high, got low={low}, high={high}")
    return _create(generator().integers(low, high, size=shape).astype(_resolve_dtype(dtype)),
                   False, device)


# ---------------------------------------------------------------- operator bindings
# The ops live in tinygrad_nn/ops, grouped by kind, each forward beside its gradient
# rules; here they become the Tensor's methods and operators.
from .ops import arithmetic, compare, convert, elementwise, linalg  # noqa: E402
from .ops import index as indexing  # noqa: E402
from .ops import reduce as reductions  # noqa: E402
from .ops import shape as shaping  # noqa: E402
from .ops import sort as sorting  # noqa: E402

for _name, _op in {
    "__add__": arithmetic.add, "__radd__": arithmetic.radd, "__sub__": arithmetic.sub,
    "__rsub__": arithmetic.rsub, "__mul__": arithmetic.mul, "__rmul__": arithmetic.rmul,
    "__truediv__": arithmetic.div, "__rtruediv__": arithmetic.rdiv,
    "__pow__": arithmetic.pow, "__rpow__": arithmetic.rpow, "__neg__": arithmetic.neg,
    "__pos__": arithmetic.pos, "__abs__": arithmetic.abs, "abs": arithmetic.abs,
    "clip": arithmetic.clip, "clamp": arithmetic.clip,
    "__matmul__": linalg.matmul, "__rmatmul__": linalg.rmatmul,
    "__eq__": compare.eq, "__ne__": compare.ne, "__lt__": compare.lt, "__le__": compare.le,
    "__gt__": compare.gt, "__ge__": compare.ge, "__invert__": compare.invert,
    "__and__": compare.logical_and, "__or__": compare.logical_or,
    "exp": elementwise.exp, "log": elementwise.log, "sqrt": elementwise.sqrt,
    "sin": elementwise.sin, "cos": elementwise.cos, "tanh": elementwise.tanh,
    "sigmoid": elementwise.sigmoid, "relu": elementwise.relu,
    "leaky_relu": elementwise.leaky_relu, "softplus": elementwise.softplus,
    "erf": elementwise.erf, "gelu": elementwise.gelu,
    "sum": reductions.sum, "mean": reductions.mean, "max": reductions.max, "min": reductions.min,
    "var": reductions.var, "std": reductions.std, "logsumexp": reductions.logsumexp,
    "softmax": reductions.softmax, "log_softmax": reductions.log_softmax,
    "argmax": reductions.argmax, "argmin": reductions.argmin, "any": reductions.any,
    "all": reductions.all,
    "reshape": shaping.reshape, "view": shaping.reshape, "flatten": shaping.flatten,
    "transpose": shaping.transpose, "permute": shaping.permute, "squeeze": shaping.squeeze,
    "unsqueeze": shaping.unsqueeze, "expand": shaping.expand, "pad": shaping.pad,
    "T": property(shaping.T), "mT": property(shaping.mT),
    "__getitem__": indexing.getitem,
    # PyTorch's names (API.md section 9)
    "add": arithmetic.add_scaled, "sub": arithmetic.sub_scaled,
    "subtract": arithmetic.sub_scaled, "mul": arithmetic.mul, "multiply": arithmetic.mul,
    "div": arithmetic.div_rounded, "divide": arithmetic.div_rounded,
    "true_divide": arithmetic.div, "pow": arithmetic.pow, "neg": arithmetic.neg,
    "negative": arithmetic.neg, "maximum": arithmetic.maximum, "minimum": arithmetic.minimum,
    "where": arithmetic.where_method, "clamp_min": arithmetic.clamp_min,
    "clamp_max": arithmetic.clamp_max, "clip_min": arithmetic.clamp_min,
    "clip_max": arithmetic.clamp_max,
    "log10": elementwise.log10, "log2": elementwise.log2, "log1p": elementwise.log1p,
    "expm1": elementwise.expm1, "rsqrt": elementwise.rsqrt,
    "reciprocal": elementwise.reciprocal, "square": elementwise.square,
    "sign": elementwise.sign, "floor": elementwise.floor, "ceil": elementwise.ceil,
    "round": elementwise.round, "trunc": elementwise.trunc, "fix": elementwise.trunc,
    "eq": compare.eq, "ne": compare.ne, "lt": compare.lt, "le": compare.le, "gt": compare.gt,
    "ge": compare.ge, "greater": compare.gt, "less": compare.lt, "not_equal": compare.ne,
    "greater_equal": compare.ge, "less_equal": compare.le,
    "logical_not": compare.logical_not, "logical_and": compare.logical_and,
    "logical_or": compare.logical_or, "logical_xor": compare.logical_xor,
    "isnan": compare.isnan, "isinf": compare.isinf, "isfinite": compare.isfinite,
    "allclose": compare.allclose, "equal": compare.equal,
    "amax": reductions.amax, "amin": reductions.amin, "prod": reductions.prod,
    "cumsum": reductions.cumsum,
    "sort": sorting.sort, "argsort": sorting.argsort, "topk": sorting.topk,
    "mm": linalg.mm, "bmm": linalg.bmm, "matmul": linalg.matmul, "norm": linalg.norm,
    "gather": indexing.gather, "index_select": indexing.index_select,
    "masked_fill": indexing.masked_fill,
    "repeat": shaping.repeat, "split": shaping.split, "chunk": shaping.chunk,
    "flip": shaping.flip, "tril": shaping.tril, "triu": shaping.triu,
    "t": shaping.matrix_transpose, "swapaxes": shaping.transpose,
    "swapdims": shaping.transpose, "view_as": shaping.view_as,
    "reshape_as": shaping.view_as, "expand_as": shaping.expand_as, "clone": shaping.clone,
    "type": convert.type_, "nelement": Tensor.numel,
    "mv": linalg.mv, "roll": shaping.roll, "unbind": shaping.unbind,
    "contiguous": shaping.contiguous,
}.items():
    setattr(Tensor, _name, _op)

matmul = linalg.matmul
where = arithmetic.where
maximum = arithmetic.maximum
minimum = arithmetic.minimum
cat = shaping.cat
stack = shaping.stack
einsum = linalg.einsum

_UFUNC_OPS: dict[str, Callable[..., Tensor]] = {
    "add": arithmetic.add, "subtract": arithmetic.sub, "multiply": arithmetic.mul,
    "true_divide": arithmetic.div, "divide": arithmetic.div, "power": arithmetic.pow,
    "matmul": linalg.matmul, "negative": arithmetic.neg, "absolute": arithmetic.abs,
    "exp": elementwise.exp, "log": elementwise.log, "sqrt": elementwise.sqrt,
    "sin": elementwise.sin, "cos": elementwise.cos, "tanh": elementwise.tanh,
    "maximum": arithmetic.maximum, "minimum": arithmetic.minimum,
    "equal": compare.eq, "not_equal": compare.ne, "less": compare.lt,
    "less_equal": compare.le, "greater": compare.gt, "greater_equal": compare.ge,
}  # fmt: skip
