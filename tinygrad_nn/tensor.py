"""The Tensor: an array, its gradient, and the graph links that autograd follows.

Each differentiable op computes its output with numpy and leaves a closure
``backward(g, out)`` that sends the incoming gradient ``g`` back to each input,
written in Tensor ops so that the backward pass can itself be recorded
(``create_graph=True``). Gradients come back in the broadcast shape; the engine
(``autograd.run_backward``) sums them down to each input's shape.
"""

from __future__ import annotations

import itertools
import math
import numbers
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import autograd, backend
from .autograd import state

float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")

_UNSET: Any = object()  # marks a keyword the caller did not give


def _is_float(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def _resolve_dtype(dtype: Any) -> np.dtype:
    if isinstance(dtype, Tensor):
        raise TypeError("dtype must be a dtype such as tg.float32, not a Tensor")
    try:
        resolved = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(
            f"unknown dtype {dtype!r}: use tg.float32, tg.float64, tg.int64, ..."
        ) from exc
    if resolved.kind not in "fiub":
        raise TypeError(f"unsupported dtype {resolved}: tensors hold floats, integers or bools")
    return resolved


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
            array = array.astype(np.float32)
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


class _HookHandle:
    """Returned by ``register_hook``; ``remove()`` takes the hook off again."""

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        """Stop calling the hook."""
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


_new = object.__new__
# ops whose backward reads their own output (d exp x = exp x, d tanh x = 1 - tanh^2, ...):
# for these, changing the output in place is caught as changing an input is
_READS_ITS_OUTPUT = frozenset(
    {"exp", "sqrt", "sigmoid", "tanh", "softmax", "log_softmax", "logsumexp", "max_pool2d"}
)
_PLAIN_NUMBERS = (float, int, bool)
_creation_counter = itertools.count()  # numbers recorded tensors in creation order


class Tensor:
    """An n-dimensional array that records the ops applied to it, for autograd.

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])

    A numpy array passed in is used without a copy (like ``torch.as_tensor``).
    """

    # Hot attributes live in slots; rarely set ones are class-level defaults, so
    # making a tensor (thousands per training step) does not pay for them.
    __slots__ = (
        "_data", "grad", "requires_grad", "device", "_parents", "_op", "_backward",
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
        self.grad: Tensor | None = None
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
        out.grad = None
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
        out.grad = None
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
            return float32
        if dtype.kind == "b" and not isinstance(number, bool | np.bool_):
            return int64
        return dtype

    # ------------------------------------------------------------ attributes

    @property
    def data(self) -> Any:
        """The underlying array; assign same-shape data to replace it (bumps the version)."""
        return self._data

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
        self._data = backend.to_device(array, self.device)
        self._mark_changed()

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape, as a tuple."""
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
    def grad_fn(self) -> str | None:
        """The name of the op that made this tensor (``"MulBackward"``), or None for a leaf."""
        if self._op is None:
            return None
        return "".join(part.capitalize() for part in self._op.split("_")) + "Backward"

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's and numpy's name
        """The tensor with all axes reversed."""
        if self._data.ndim == 2:
            return self.mT  # the common case, without permute's argument handling
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:  # noqa: N802
        """The last two axes swapped (batched matrix transpose)."""
        if self._data.ndim < 2:
            raise ValueError(f"mT needs at least 2 dimensions, got shape {self.shape}")
        return self._share_version(
            Tensor._make(self._data.swapaxes(-1, -2), (self,), "permute", Tensor._mT_backward)
        )

    @staticmethod
    def _mT_backward(g: Tensor, out: Tensor) -> tuple[Tensor]:
        return (g.mT,)

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

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The shape (PyTorch spelling); ``size(d)`` is one dimension."""
        if dim is None:
            return self.shape
        return self.shape[_axes(dim, self.ndim)[0]]

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
        body = np.array2string(
            self.numpy(), separator=", ", prefix="tensor(", threshold=200, edgeitems=3
        )
        extras = []
        if self.dtype not in (float32, int64, bool_):
            extras.append(f"dtype={self.dtype}")
        if self.device != "cpu":
            extras.append(f"device='{self.device}'")
        if self._op is not None:
            extras.append(f"grad_fn=<{self.grad_fn}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

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

    def _accumulate_grad(self, g: Tensor, create_graph: bool, adopted: set[int]) -> None:
        """Add ``g`` to ``.grad``: the first time by taking its array, then in place.

        ``g``'s array is taken without a copy when this backward pass computed it and
        nobody else can reach it: writable, all of its memory (a transposed or reshaped
        gradient is a view of a whole array), and that memory not already taken by
        another tensor or given by the caller (``adopted`` holds the ids of their owners).
        """
        if create_graph:
            self.grad = g if self.grad is None else self.grad + g
        elif self.grad is None:
            data = g._data
            owner = backend.memory_owner(data)
            if data.flags.writeable and data.size == owner.size and id(owner) not in adopted:
                adopted.add(id(owner))
            else:
                data = data.copy()
            self.grad = Tensor._wrap(data, self.device)
        elif self.grad.requires_grad or not self.grad._data.flags.writeable:
            self.grad = Tensor._wrap(self.grad._data + g._data, self.device)
        else:
            self.grad._data += g._data
            self.grad._mark_changed()

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
        return Tensor._make(
            self._data.astype(dtype), (self,), "astype", lambda g, out: (g.astype(source),)
        )

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

    def to(self, target: Any) -> Tensor:
        """Move to a device (``"cpu"``, ``"cuda"``) or convert to a dtype; differentiable."""
        if isinstance(target, str) and target.split(":")[0] in backend.DEVICES:
            device = backend.normalize_device(target)
            if device == self.device:
                return self
            source = self.device
            out = Tensor._make(
                backend.to_device(self._data, device), (self,), "to",
                lambda g, out: (g.to(source),),
            )
            out.device = device
            return out
        return self.astype(target)

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

    def __add__(self, other: Any) -> Tensor:
        a, b = self._pair(other)
        data = _broadcasting(operator.add, a, b, "add")
        return Tensor._make(data, (a, b), "add", Tensor._add_backward)

    @staticmethod
    def _add_backward(g: Tensor, out: Tensor) -> tuple[Tensor, Tensor]:
        return g, g

    def __radd__(self, other: Any) -> Tensor:
        return self._operand(other) + self

    def __sub__(self, other: Any) -> Tensor:
        a, b = self._pair(other)
        data = _broadcasting(operator.sub, a, b, "sub")
        return Tensor._make(data, (a, b), "sub", lambda g, out: (g, -g))

    def __rsub__(self, other: Any) -> Tensor:
        return self._operand(other) - self

    def __mul__(self, other: Any) -> Tensor:
        a, b = self._pair(other)
        data = _broadcasting(operator.mul, a, b, "mul")
        return Tensor._make(data, (a, b), "mul", Tensor._mul_backward)

    @staticmethod
    def _mul_backward(g: Tensor, out: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = out._parents  # d(ab)/da = b, d(ab)/db = a (each only if that side needs it)
        return g * b if a.requires_grad else None, g * a if b.requires_grad else None

    def __rmul__(self, other: Any) -> Tensor:
        return self._operand(other) * self

    def __truediv__(self, other: Any) -> Tensor:
        a, b = self._pair(other)
        if a._data.dtype.kind != "f":  # integer division gives float32, as PyTorch
            a, b = a.astype(float32), b.astype(float32)
        data = _broadcasting(operator.truediv, a, b, "div")
        return Tensor._make(data, (a, b), "div", Tensor._div_backward)

    @staticmethod
    def _div_backward(g: Tensor, out: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = out._parents  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        return (g / b if a.requires_grad else None,
                -g * a / (b * b) if b.requires_grad else None)

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._operand(other) / self

    def __pow__(self, exponent: Any) -> Tensor:
        if isinstance(exponent, numbers.Real) and not isinstance(exponent, Tensor):
            p = exponent
            base = self if self._data.dtype.kind == "f" or isinstance(p, numbers.Integral) \
                else self.astype(float32)
            with np.errstate(divide="ignore", invalid="ignore"):
                data = base._data ** base._operand(p)._data
            # d x^p = p x^(p-1); x^0 is constant (and 0 * 0^-1 would be nan)
            return Tensor._make(
                data, (base,), "pow",
                lambda g, out: (g * p * base ** (p - 1) if p != 0 else g * 0,),
            )
        a, b = self._pair(exponent)

        def backward(g: Tensor, out: Tensor) -> tuple[Tensor, Tensor]:
            # d a^b/da = b a^(b-1) (0 where b = 0, even at a = 0);
            # d a^b/db = a^b log a (0 where a = 0 and b >= 0, as PyTorch)
            safe_base = where(a._const(b._data == 0), 1.0, a)
            zero_base = a._const((a._data == 0) & (b._data >= 0))
            log_base = where(zero_base, 1.0, a).log()
            return g * b * safe_base ** (b - 1), g * out * log_base

        with np.errstate(divide="ignore", invalid="ignore"):
            data = _broadcasting(operator.pow, a, b, "pow")
        return Tensor._make(data, (a, b), "pow", backward)

    def __rpow__(self, base: Any) -> Tensor:
        return self._operand(base) ** self

    def __neg__(self) -> Tensor:
        return Tensor._make(-self._data, (self,), "neg", lambda g, out: (-g,))

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self.abs()

    def abs(self) -> Tensor:
        """Elementwise |x|; its gradient at 0 is 0, as in PyTorch."""
        sign = self._const(np.sign(self._data))
        return Tensor._make(np.abs(self._data), (self,), "abs", lambda g, out: (g * sign,))

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(self._operand(other), self)

    def clip(self, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
        """Clamp values into ``[min, max]``; the gradient flows where min <= x <= max."""
        if min is None and max is None:
            raise ValueError("clip needs at least one of min= and max=")
        data = self._data
        # np.maximum/np.minimum: np.clip's Python wrapper costs more than the work here
        if min is not None:
            _number("clip min", min)
            inside, data = data >= min, np.maximum(data, min)
        if max is not None:
            _number("clip max", max)
            below = self._data <= max
            inside, data = (below if min is None else inside & below), np.minimum(data, max)
        mask = self._const(inside.astype(self.dtype))
        clipped = data.astype(self.dtype, copy=False)
        return Tensor._make(clipped, (self,), "clip", lambda g, out: (g * mask,))

    clamp = clip

    # ------------------------------------------------------------ elementwise

    def exp(self) -> Tensor:
        """e^x; d e^x = e^x."""
        if self._data.dtype.kind != "f":
            return self.float().exp()
        return Tensor._make(np.exp(self._data), (self,), "exp", lambda g, out: (g * out,))

    def log(self) -> Tensor:
        """Natural log; d log x = 1/x."""
        if self._data.dtype.kind != "f":
            return self.float().log()
        with np.errstate(divide="ignore", invalid="ignore"):
            data = np.log(self._data)
        return Tensor._make(data, (self,), "log", Tensor._log_backward)

    @staticmethod
    def _log_backward(g: Tensor, out: Tensor) -> tuple[Tensor]:
        return (g / out._parents[0],)

    def sqrt(self) -> Tensor:
        """Square root; d sqrt(x) = 1 / (2 sqrt(x))."""
        if self._data.dtype.kind != "f":
            return self.float().sqrt()
        with np.errstate(invalid="ignore"):
            data = np.sqrt(self._data)
        return Tensor._make(data, (self,), "sqrt", lambda g, out: (g / (out * 2),))

    def sin(self) -> Tensor:
        """Sine; d sin x = cos x."""
        if self._data.dtype.kind != "f":
            return self.float().sin()
        return Tensor._make(np.sin(self._data), (self,), "sin", lambda g, out: (g * self.cos(),))

    def cos(self) -> Tensor:
        """Cosine; d cos x = -sin x."""
        if self._data.dtype.kind != "f":
            return self.float().cos()
        return Tensor._make(
            np.cos(self._data), (self,), "cos", lambda g, out: (-g * self.sin(),)
        )

    def tanh(self) -> Tensor:
        """Hyperbolic tangent; d tanh x = 1 - tanh(x)^2."""
        if self._data.dtype.kind != "f":
            return self.float().tanh()
        return Tensor._make(np.tanh(self._data), (self,), "tanh", Tensor._tanh_backward)

    @staticmethod
    def _tanh_backward(g: Tensor, out: Tensor) -> tuple[Tensor]:
        return (g * (1 - out * out),)

    def sigmoid(self) -> Tensor:
        """1 / (1 + e^-x), computed as exp(-log(1 + e^-x)) so it is finite for any input."""
        if self._data.dtype.kind != "f":
            return self.float().sigmoid()
        data = np.exp(-np.logaddexp(0, -self._data))
        # d sigma = sigma (1 - sigma)
        return Tensor._make(
            data, (self,), "sigmoid", lambda g, out: (g * out * (1 - out),)
        )

    def relu(self) -> Tensor:
        """max(x, 0); the gradient is 1 where x > 0 and 0 elsewhere."""
        return Tensor._make(np.maximum(self._data, 0), (self,), "relu", Tensor._relu_backward)

    @staticmethod
    def _relu_backward(g: Tensor, out: Tensor) -> tuple[Tensor]:
        # the mask is made here from the input, which the graph keeps anyway (and whose
        # version is checked): no extra array per ReLU while the graph lives
        source = out._parents[0]._data
        return (g * out._const((source > 0).astype(source.dtype)),)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """x where x > 0, else negative_slope * x."""
        _number("negative_slope", negative_slope)
        slope = self._const(np.where(self._data > 0, 1, negative_slope).astype(self.dtype))
        return Tensor._make(
            self._data * slope._data, (self,), "leaky_relu", lambda g, out: (g * slope,)
        )

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
        """log(1 + e^(beta x)) / beta, linear where beta x > threshold (as PyTorch)."""
        scaled = self._data * beta
        linear = scaled > threshold
        data = np.where(linear, self._data, np.logaddexp(0, scaled) / beta).astype(self.dtype)
        mask = self._const(linear)
        # d softplus = sigmoid(beta x)
        return Tensor._make(
            data, (self,), "softplus",
            lambda g, out: (g * where(mask, 1.0, (self * beta).sigmoid()),),
        )

    def erf(self) -> Tensor:
        """The error function; d erf(x) = 2/sqrt(pi) e^(-x^2)."""
        if self._data.dtype.kind != "f":
            return self.float().erf()
        return Tensor._make(
            backend.erf(self._data), (self,), "erf",
            lambda g, out: (g * (2 / math.sqrt(math.pi)) * (-(self * self)).exp(),),
        )

    def gelu(self, approximate: str = "none") -> Tensor:
        """GELU: x Phi(x) with the exact erf form, or ``approximate="tanh"``."""
        if approximate == "none":
            return 0.5 * self * (1 + (self * (1 / math.sqrt(2))).erf())
        if approximate == "tanh":
            inner = math.sqrt(2 / math.pi) * (self + 0.044715 * self * self * self)
            return 0.5 * self * (1 + inner.tanh())
        raise ValueError(f"gelu approximate must be 'none' or 'tanh', got {approximate!r}")

    # ------------------------------------------------------------ reductions

    def sum(
        self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
        keepdim: Any = _UNSET,
    ) -> Tensor:
        """Sum over ``axis`` (None: all; int, negative or tuple); ``dim=`` also accepted."""
        axes = _axes(_pick("axis", axis, "dim", dim, None), self.ndim)
        keep = _pick("keepdims", keepdims, "keepdim", keepdim, False)
        kept = _kept_shape(self.shape, axes)
        shape = self.shape
        return Tensor._make(
            self._data.sum(axis=axes, keepdims=keep), (self,), "sum",
            lambda g, out: (g.reshape(kept).expand(shape),),
        )

    def mean(
        self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
        keepdim: Any = _UNSET,
    ) -> Tensor:
        """Mean over ``axis`` (None: all)."""
        axes = _axes(_pick("axis", axis, "dim", dim, None), self.ndim)
        keep = _pick("keepdims", keepdims, "keepdim", keepdim, False)
        kept = _kept_shape(self.shape, axes)
        count = self._data.size // max(math.prod(kept), 1) if self._data.size else 0
        shape = self.shape
        return Tensor._make(
            self._data.mean(axis=axes, keepdims=keep), (self,), "mean",
            lambda g, out: (g.reshape(kept).expand(shape) / count,),
        )

    def _extremum(self, axis: Any, keepdims: Any, dim: Any, keepdim: Any, op: str) -> Tensor:
        axes = _axes(_pick("axis", axis, "dim", dim, None), self.ndim)
        keep = _pick("keepdims", keepdims, "keepdim", keepdim, False)
        if self._data.size == 0:
            raise ValueError(f"{op}() of an empty tensor of shape {self.shape}")
        reduce = np.max if op == "max" else np.min
        data = reduce(self._data, axis=axes, keepdims=True)
        # ties share the gradient equally
        share_dtype = self.dtype if self._data.dtype.kind == "f" else float32
        share = (self._data == data).astype(share_dtype)  # 1 at each maximum: a share each
        share /= share.sum(axis=axes, keepdims=True)
        share = self._const(share)
        kept = data.shape
        return Tensor._make(
            data if keep else data.reshape(_reduced_shape(self.shape, axes)), (self,), op,
            lambda g, out: (g.reshape(kept) * share,),
        )

    def max(
        self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
        keepdim: Any = _UNSET,
    ) -> Tensor:
        """Largest value over ``axis`` (values only; ties share the gradient equally)."""
        return self._extremum(axis, keepdims, dim, keepdim, "max")

    def min(
        self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
        keepdim: Any = _UNSET,
    ) -> Tensor:
        """Smallest value over ``axis`` (values only; ties share the gradient equally)."""
        return self._extremum(axis, keepdims, dim, keepdim, "min")

    def var(
        self, axis: Any = _UNSET, keepdims: Any = _UNSET, ddof: int = 0, *, dim: Any = _UNSET,
        keepdim: Any = _UNSET, correction: int | None = None,
    ) -> Tensor:
        """Variance over ``axis`` with ``ddof`` (numpy's default 0; PyTorch's ``correction``)."""
        axis = _pick("axis", axis, "dim", dim, None)
        keep = _pick("keepdims", keepdims, "keepdim", keepdim, False)
        ddof = ddof if correction is None else correction
        if not isinstance(ddof, int | np.integer) or isinstance(ddof, bool):
            raise TypeError(f"ddof must be an int, got {ddof!r}")
        axes = _axes(axis, self.ndim)
        count = self._data.size // max(math.prod(_kept_shape(self.shape, axes)), 1)
        centred = self - self.mean(axis=axes, keepdims=True)
        return (centred * centred).sum(axis=axes, keepdims=keep) / (count - ddof)

    def std(
        self, axis: Any = _UNSET, keepdims: Any = _UNSET, ddof: int = 0, *, dim: Any = _UNSET,
        keepdim: Any = _UNSET, correction: int | None = None,
    ) -> Tensor:
        """Standard deviation: sqrt of ``var``."""
        return self.var(axis, keepdims, ddof, dim=dim, keepdim=keepdim,
                        correction=correction).sqrt()

    def logsumexp(
        self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
        keepdim: Any = _UNSET,
    ) -> Tensor:
        """log(sum(exp(x))) over ``axis``, shifted by the max so it is finite for finite x."""
        axes = _axes(_pick("axis", axis, "dim", dim, None), self.ndim)
        keep = _pick("keepdims", keepdims, "keepdim", keepdim, False)
        shift = np.max(self._data, axis=axes, keepdims=True)
        shift = np.where(np.isfinite(shift), shift, 0)
        kept = shift.shape
        data = np.log(np.sum(np.exp(self._data - shift), axis=axes, keepdims=True)) + shift
        # d lse / dx = softmax(x) = exp(x - lse)
        return Tensor._make(
            data if keep else data.reshape(np.sum(self._data, axis=axes).shape), (self,),
            "logsumexp", lambda g, out: (g.reshape(kept) * (self - out.reshape(kept)).exp(),),
        )

    def softmax(self, axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
        """exp(x) / sum(exp(x)) along ``axis``, stable for any finite input."""
        axis = _axes(_pick("axis", axis, "dim", dim, -1), self.ndim)
        exps = np.exp(self._data - np.max(self._data, axis=axis, keepdims=True))
        data = exps / np.sum(exps, axis=axis, keepdims=True)
        # d softmax = s * (g - sum(g * s))
        return Tensor._make(
            data, (self,), "softmax",
            lambda g, out: (out * (g - (g * out).sum(axis=axis, keepdims=True)),),
        )

    def log_softmax(self, axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
        """x - logsumexp(x) along ``axis``, stable for any finite input."""
        axis = _axes(_pick("axis", axis, "dim", dim, -1), self.ndim)
        shifted = self._data - np.max(self._data, axis=axis, keepdims=True)
        data = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
        # d log_softmax = g - softmax * sum(g)
        return Tensor._make(
            data, (self,), "log_softmax",
            lambda g, out: (g - out.exp() * g.sum(axis=axis, keepdims=True),),
        )

    def argmax(
        self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
        keepdim: Any = _UNSET,
    ) -> Tensor:
        """Index of the largest value (flattened when axis is None); not differentiable."""
        return self._arg(np.argmax, axis, keepdims, dim, keepdim)

    def argmin(
        self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
        keepdim: Any = _UNSET,
    ) -> Tensor:
        """Index of the smallest value; not differentiable."""
        return self._arg(np.argmin, axis, keepdims, dim, keepdim)

    def _arg(self, fn: Callable, axis: Any, keepdims: Any, dim: Any, keepdim: Any) -> Tensor:
        axis = _pick("axis", axis, "dim", dim, None)
        keep = _pick("keepdims", keepdims, "keepdim", keepdim, False)
        if axis is not None:
            axis = _axes(axis, self.ndim)
            if len(axis) != 1:
                raise ValueError("argmax/argmin take a single axis")
            axis = axis[0]
        return self._const(fn(self._data, axis=axis, keepdims=keep).astype(np.int64))

    def any(self, axis: Any = None) -> Tensor:
        """Whether any element is true (not differentiable)."""
        return self._const(np.any(self._data, axis=_axes(axis, self.ndim)))

    def all(self, axis: Any = None) -> Tensor:
        """Whether all elements are true (not differentiable)."""
        return self._const(np.all(self._data, axis=_axes(axis, self.ndim)))

    # ------------------------------------------------------------ comparisons

    def _compare(self, other: Any, fn: Callable) -> Tensor:
        if other is None:
            return NotImplemented  # `t == None` is False, as in PyTorch
        return self._const(_broadcasting(fn, self, self._operand(other), fn.__name__))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater_equal)

    def __invert__(self) -> Tensor:
        if self.dtype != bool_:
            raise TypeError(f"~ needs a bool tensor, got {self.dtype}")
        return self._const(~self._data)

    def __and__(self, other: Any) -> Tensor:
        return self._compare(other, np.logical_and)

    def __or__(self, other: Any) -> Tensor:
        return self._compare(other, np.logical_or)

    # ------------------------------------------------------------ shape

    def reshape(self, *shape: Any) -> Tensor:
        """The same data in a new shape (tuple or varargs; one -1 is inferred)."""
        shape = _shape_args(shape)
        try:
            data = self._data.reshape(shape)
        except ValueError as exc:
            raise ValueError(
                f"cannot reshape a tensor of shape {self.shape} ({self.numel()} elements) "
                f"into shape {shape}"
            ) from exc
        source = self.shape
        return self._share_version(
            Tensor._make(data, (self,), "reshape", lambda g, out: (g.reshape(source),))
        )

    view = reshape

    def flatten(
        self, start_axis: Any = _UNSET, end_axis: Any = _UNSET, *, start_dim: Any = _UNSET,
        end_dim: Any = _UNSET,
    ) -> Tensor:
        """Merge axes ``start_axis..end_axis`` into one."""
        start = _pick("start_axis", start_axis, "start_dim", start_dim, 0)
        end = _pick("end_axis", end_axis, "end_dim", end_dim, -1)
        if self.ndim == 0:
            return self.reshape(1)
        start, end = (_one_axis(a, self.ndim) for a in (start, end))
        if start > end:
            raise ValueError(f"flatten: start axis {start} comes after end axis {end}")
        shape = self.shape[:start] + (-1,) + self.shape[end + 1:]
        return self.reshape(shape)

    def transpose(self, axis0: Any = _UNSET, axis1: Any = _UNSET, *, dim0: Any = _UNSET,
                  dim1: Any = _UNSET) -> Tensor:
        """Swap two axes (with no arguments: reverse all axes, as numpy)."""
        a0 = _pick("axis0", axis0, "dim0", dim0, None)
        a1 = _pick("axis1", axis1, "dim1", dim1, None)
        if a0 is None and a1 is None:
            return self.T
        if a0 is None or a1 is None:
            raise TypeError("transpose needs two axes (or none to reverse all)")
        a0, a1 = _one_axis(a0, self.ndim), _one_axis(a1, self.ndim)
        axes = list(range(self.ndim))
        axes[a0], axes[a1] = axes[a1], axes[a0]
        return self.permute(*axes)

    def permute(self, *axes: Any) -> Tensor:
        """Reorder the axes: ``permute(2, 0, 1)`` or ``permute((2, 0, 1))``."""
        axes = _shape_args(axes)
        if sorted(a % max(self.ndim, 1) for a in axes) != list(range(self.ndim)):
            raise ValueError(f"permute axes {axes} are not a permutation of {self.ndim} axes")
        axes = tuple(a % self.ndim for a in axes) if self.ndim else ()
        inverse = [0] * len(axes)
        for position, axis in enumerate(axes):
            inverse[axis] = position
        return self._share_version(Tensor._make(
            np.transpose(self._data, axes), (self,), "permute",
            lambda g, out: (g.permute(*inverse),),
        ))

    def squeeze(self, axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
        """Drop axes of length 1 (all of them, or those named that have length 1)."""
        axes = _axes(_pick("axis", axis, "dim", dim, None), self.ndim)
        if axes is None:
            axes = tuple(i for i, n in enumerate(self.shape) if n == 1)
        shape = tuple(n for i, n in enumerate(self.shape) if not (i in axes and n == 1))
        return self.reshape(shape)

    def unsqueeze(self, axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
        """Insert an axis of length 1 at ``axis`` (negative counts from the new end)."""
        axis = _pick("axis", axis, "dim", dim, None)
        if axis is None:
            raise TypeError("unsqueeze needs an axis")
        axis = _one_axis(axis, self.ndim + 1)
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def expand(self, *shape: Any) -> Tensor:
        """Broadcast to ``shape`` without copying (-1 keeps a dimension)."""
        shape = _shape_args(shape)
        lead = len(shape) - self.ndim
        if lead < 0:
            raise ValueError(f"cannot expand shape {self.shape} to fewer dimensions {shape}")
        shape = tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        if shape == self.shape:
            return self
        try:
            data = np.broadcast_to(self._data, shape)
        except ValueError as exc:
            raise ValueError(f"cannot expand a tensor of shape {self.shape} to {shape}") from exc
        # the engine sums the broadcast gradient back down to our shape
        return self._share_version(Tensor._make(data, (self,), "expand", lambda g, out: (g,)))

    def pad(self, pad_width: Any, value: float = 0) -> Tensor:
        """Pad with a constant; ``pad_width`` as numpy's: one (before, after) pair per axis."""
        _number("pad value", value)
        try:
            widths = np.asarray(pad_width)
            if widths.dtype.kind not in "iu":
                raise TypeError(f"pad_width must hold ints, got {pad_width!r}")
            widths = np.broadcast_to(widths, (self.ndim, 2))
        except ValueError as exc:
            raise ValueError(
                f"pad_width {pad_width!r} does not fit a tensor with {self.ndim} dimensions: "
                "give one (before, after) pair per axis"
            ) from exc
        if (widths < 0).any():
            raise ValueError(f"pad widths must be non-negative, got {pad_width!r}")
        data = np.pad(self._data, widths, mode="constant", constant_values=value)
        inside = tuple(slice(b, b + n) for (b, _), n in zip(widths.tolist(), self.shape,
                                                            strict=True))
        return Tensor._make(data, (self,), "pad", lambda g, out: (g[inside],))

    # ------------------------------------------------------------ indexing

    def __getitem__(self, index: Any) -> Tensor:
        index = _plain_index(index)
        try:
            data = self._data[index]
        except IndexError as exc:
            raise IndexError(
                f"index {_short(index)} into a tensor of shape {self.shape}: {exc}"
            ) from None
        shape = self.shape
        return self._share_version(Tensor._make(
            data, (self,), "getitem", lambda g, out: (_scatter(g, shape, index),)
        ))

    def __setitem__(self, index: Any, value: Any) -> None:
        if state.grad_enabled and (self.requires_grad or
                                   isinstance(value, Tensor) and value.requires_grad):
            raise RuntimeError(
                "item assignment into a tensor that takes part in autograd is not recorded; "
                "build the result out of place (tg.where, tg.cat) or assign under tg.no_grad()"
            )
        if isinstance(value, str | bytes):
            raise TypeError(f"cannot assign a {type(value).__name__} into a tensor: {value!r}")
        value = value._data if isinstance(value, Tensor) else value
        try:
            self._data[_plain_index(index)] = value
        except (IndexError, ValueError, TypeError) as exc:
            kind = next(k for k in (IndexError, TypeError, ValueError) if isinstance(exc, k))
            raise kind(
                f"cannot assign {_short(value)} at index {_short(index)} of a tensor of shape "
                f"{self.shape}: {exc}"
            ) from None
        self._mark_changed()

    # ------------------------------------------------------------ in place

    def _inplace(self, other: Any, ufunc: np.ufunc, method: Callable) -> Tensor:
        other = self._operand(other)
        if state.grad_enabled and (self.requires_grad or other.requires_grad):
            if self.requires_grad and self._backward is None:
                raise RuntimeError(
                    "a leaf tensor that requires grad cannot be changed in place while grad "
                    "mode is on; update parameters inside `with tg.no_grad():`"
                )
            # record like the out-of-place op: the old value lives on in `before`
            before = Tensor._wrap(self._data, self.device)
            for slot in ("requires_grad", "_parents", "_op", "_backward", "_counter",
                         "_stamp", "_seq", "_scope", "name"):
                setattr(before, slot, getattr(self, slot))
            result = method(before, before if other is self else other)
            for slot in ("_data", "requires_grad", "_parents", "_op", "_backward",
                         "_stamp", "_seq", "_scope"):
                setattr(self, slot, getattr(result, slot))
            # a new array, so a new counter: views of the old value stay with `before`
            self._counter = [before._version, 0]
            self._mark_changed()
            return self
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
            return Tensor._make(data, (before,), "fill", lambda g, out: (g * 0,))

        return self._inplace(value, _assign, filled)

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


def _assign(_: Any, value: Any, out: Any, casting: str) -> None:
    """``out[...] = value`` with the signature of an in-place ufunc call."""
    np.copyto(out, value, casting=casting)


def _plain_index(index: Any) -> Any:
    """Replace Tensors and lists inside an index by arrays numpy understands."""
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if isinstance(index, Tensor):
        index = index._data
    elif isinstance(index, list):
        try:
            index = np.asarray(index)
        except ValueError:
            raise IndexError(
                f"ragged index list {_short(index)}: its rows have different lengths"
            ) from None
    if hasattr(index, "dtype") and index.dtype.kind == "f":
        raise TypeError(f"tensors used as indices must be integer or bool, got {index.dtype}")
    return index


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, slice | int | np.integer)
               for i in items)


def _scatter(g: Tensor, shape: tuple[int, ...], index: Any) -> Tensor:
    """The gradient of ``x[index]``: ``g`` put back at ``index`` of zeros (repeats add up)."""
    xp = backend.array_module(g._data)
    data = xp.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        data[index] = g._data
    else:
        backend.scatter_add(data, index, g._data)
    return Tensor._make(data, (g,), "scatter", lambda gg, out: (gg[index],))


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product with numpy's rules: 1-D·1-D, 1-D·2-D, 2-D·2-D and batched N-D."""
    a = a if isinstance(a, Tensor) else Tensor(a)
    a, b = a._pair(b)
    a_shape, b_shape = a._data.shape, b._data.shape
    if len(a_shape) == 2 and len(b_shape) == 2 and a_shape[1] == b_shape[0]:
        return _matmul(a, b)  # the common case, already valid
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul needs at least 1-D operands, got shapes {a.shape} and {b.shape}")
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    try:
        if inner_a != inner_b:
            raise ValueError
        if a.ndim > 2 or b.ndim > 2:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(
            f"matmul shapes {a.shape} and {b.shape} do not match: the last axis of the first "
            f"({inner_a}) must equal the {'first' if b.ndim == 1 else 'second-to-last'} axis "
            f"of the second ({inner_b}), and batch axes must broadcast"
        ) from None
    if a.ndim == 1 or b.ndim == 1:
        # promote vectors to matrices, multiply, and drop the added axis again
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        out = _matmul(a2, b2)
        shape = out.shape[:-2] + (() if a.ndim == 1 else out.shape[-2:-1]) + (
            () if b.ndim == 1 else out.shape[-1:])
        out = out.reshape(shape)
        out._drawn_as = ("matmul", (a, b)) if out.requires_grad else None  # viz: a 1-D x as 1-D
        return out
    return _matmul(a, b)


def _matmul(a: Tensor, b: Tensor) -> Tensor:
    # d(AB)/dA = G B^T, d(AB)/dB = A^T G (batch axes summed by the engine);
    # a side that needs no gradient (the input batch, usually) costs no matmul
    return Tensor._make(a._data @ b._data, (a, b), "matmul", _matmul_backward)


def _matmul_backward(g: Tensor, out: Tensor) -> tuple[Tensor | None, Tensor | None]:
    # d(AB)/dA = G B^T, d(AB)/dB = A^T G (batch axes summed by the engine). For an operand
    # that is a transposed view, as W.T in x @ W.T, the same product is taken transposed,
    # (B G^T)^T or (G^T A)^T, so that W's gradient comes out in W's row-major layout: no
    # copy into .grad, and no strided update.
    a, b = out._parents
    grad_a = grad_b = None
    if a.requires_grad:
        grad_a = (b @ g.mT).mT if _is_transposed(a) else g @ b.mT
    if b.requires_grad:
        grad_b = (g.mT @ a).mT if _is_transposed(b) else a.mT @ g
    return grad_a, grad_b


def _is_transposed(t: Tensor) -> bool:
    """A matrix whose rows lie further apart than its columns (a transposed view)."""
    strides = t._data.strides
    return len(strides) == 2 and strides[0] < strides[1]


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` is true, else ``b`` (broadcast); differentiable in a and b."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    anchor = next((x for x in (a, b, condition) if isinstance(x, Tensor)), None)
    if anchor is None:
        anchor = Tensor(np.asarray(a) if isinstance(a, np.ndarray) else a)
    a, b = anchor._operand(a), anchor._operand(b)
    if not cond.shape == a.shape == b.shape:
        _check_broadcast("where", cond.shape, a.shape, b.shape)
    if a.dtype != b.dtype and _is_float(a.dtype) != _is_float(b.dtype):
        a, b = (a, b.astype(a.dtype)) if _is_float(a.dtype) else (a.astype(b.dtype), b)
    mask = anchor._const(cond)
    return Tensor._make(
        np.where(cond, a._data, b._data), (a, b), "where",
        lambda g, out: (g * mask, g * ~mask),
    )


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max; where a == b each side gets half the gradient (as PyTorch)."""
    return _pairwise_extremum(a, b, np.maximum, "maximum")


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min; where a == b each side gets half the gradient (as PyTorch)."""
    return _pairwise_extremum(a, b, np.minimum, "minimum")


def _pairwise_extremum(a: Any, b: Any, fn: Callable, op: str) -> Tensor:
    a = a if isinstance(a, Tensor) else (b._operand(a) if isinstance(b, Tensor) else Tensor(a))
    a, b = a._pair(b)
    data = _broadcasting(fn, a, b, op)
    dtype = data.dtype
    wins_a = np.where(a._data == b._data, 0.5, (data == a._data)).astype(dtype)
    share_a, share_b = a._const(wins_a), a._const((1 - wins_a).astype(dtype))
    return Tensor._make(data, (a, b), op, lambda g, out: (g * share_a, g * share_b))


def cat(tensors: Sequence[Tensor], axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
    """Join tensors along an existing axis."""
    tensors = _same_device(tensors, "cat")
    axis = _axes(_pick("axis", axis, "dim", dim, 0), tensors[0].ndim)[0]
    try:
        data = np.concatenate([t._data for t in tensors], axis=axis)
    except ValueError as exc:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"cat along axis {axis}: shapes {shapes} do not match") from exc
    bounds = np.cumsum([0] + [t.shape[axis] for t in tensors]).tolist()

    def backward(g: Tensor, out: Tensor) -> tuple[Tensor, ...]:
        lead = (slice(None),) * axis
        return tuple(g[lead + (slice(lo, hi),)] for lo, hi in zip(bounds, bounds[1:],
                                                                  strict=False))

    return Tensor._make(data, tuple(tensors), "cat", backward)


def stack(tensors: Sequence[Tensor], axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
    """Join tensors along a new axis."""
    tensors = _same_device(tensors, "stack")
    axis = _axes(_pick("axis", axis, "dim", dim, 0), tensors[0].ndim + 1)[0]
    if len({t.shape for t in tensors}) > 1:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"stack needs tensors of one shape, got shapes {shapes}")
    return cat([t.unsqueeze(axis) for t in tensors], axis=axis)


def _same_device(tensors: Sequence[Any], name: str) -> list[Tensor]:
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{name} needs at least one tensor")
    first = next((t for t in tensors if isinstance(t, Tensor)), None)
    first = first if first is not None else Tensor(tensors[0])
    return [first._operand(t) for t in tensors]


_UFUNC_OPS: dict[str, Callable[..., Tensor]] = {
    "add": Tensor.__add__, "subtract": Tensor.__sub__, "multiply": Tensor.__mul__,
    "true_divide": Tensor.__truediv__, "divide": Tensor.__truediv__, "power": Tensor.__pow__,
    "matmul": matmul, "negative": Tensor.__neg__, "absolute": Tensor.abs,
    "exp": Tensor.exp, "log": Tensor.log, "sqrt": Tensor.sqrt, "sin": Tensor.sin,
    "cos": Tensor.cos, "tanh": Tensor.tanh, "maximum": maximum, "minimum": minimum,
    "equal": Tensor.__eq__, "not_equal": Tensor.__ne__, "less": Tensor.__lt__,
    "less_equal": Tensor.__le__, "greater": Tensor.__gt__, "greater_equal": Tensor.__ge__,
}  # fmt: skip


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
