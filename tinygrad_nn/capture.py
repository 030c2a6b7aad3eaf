"""Capture and replay: ``tg.compile(fn)`` records a step once and replays its array calls.

The first call runs ``fn`` eagerly while every array it touches is a ``_Tracer``, an
ndarray subclass that logs each numpy call (``__array_ufunc__``, ``__array_function__``,
and the methods ops use) into a flat program: (callable, arguments, output buffer).
Later calls with the same guards replay that list into preallocated buffers, with no
Tensor, no graph and no Python control flow::

    step = tg.compile(train_step)
    loss = step(x, y)     # 1st call: eager, recorded; later calls: replayed

Arrays enter the recording three ways, each followed here:

- a Tensor's ``_data`` read for the first time (a parameter, a buffer, ``self.x``): an
  *external* array, replayed in place and guarded by identity (``p.data = ...``,
  ``load_state_dict`` or ``model.to`` that rebind it make the next call record again);
- an argument: copied into a private input buffer on every call;
- a new array made by numpy (``np.zeros``, a random draw): an op of the program.

Python effects that are not array calls are recorded as steps of their own:
assignments to a pre-existing tensor's ``.grad`` or ``.data`` (``zero_grad``,
``backward``), ``zero_grad``, ``Optimizer.step`` and ``LRScheduler.step`` (real Python on
every replay, so step counts and learning rates are fresh), random draws from
``tg.random.generator()`` (through the hook in random.py) or ``np.random`` (fresh numbers
from the same generator, as eager would draw), and version-counter bumps.

Guards, checked before each replay: the arguments' shapes, dtypes and devices, grad mode,
the identity (and ``requires_grad``) of every array read from a tensor, each module's plain
settings (``training``, ``p``, ``momentum``) and registered parameters, whether each
``.grad`` read first was None, and the globals and closure variables the function names.
A miss records again (``MAX_TRACES`` recordings are kept).

A value read (``.item()``, ``bool(t)``, ``float(t)``, ``.numpy()``) cannot be replayed.
From user code it makes the function run eagerly from then on, with one warning naming
the line. Inside the library (a loss checking that labels are in range) the read becomes
a *value guard*: the pure ops it depends on move to a prologue that runs first, and a
different value records again instead of replaying stale code.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
import warnings
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from . import random
from .autograd import state
from .tensor import Tensor

__all__ = ["CompileWarning", "Compiled", "ProgramStep", "compile"]

MAX_TRACES = 4  # recordings kept per function (one per guard set)
MAX_RECORDINGS = 16  # after this many guard misses the function runs eagerly

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_THIS_FILE = os.path.abspath(__file__)
_DATA_SLOT = Tensor.__dict__["_data"]  # the member descriptors a recording wraps
_GRAD_SLOT = Tensor.__dict__["_grad"]  # the slot behind .grad, which the engine writes
_real = {name: getattr(np, name) for name in (
    "asarray", "asanyarray", "array", "ascontiguousarray", "zeros", "ones", "empty", "full",
    "arange", "eye", "linspace",
)}  # fmt: skip
_CREATORS = ("zeros", "ones", "empty", "full", "arange", "eye", "linspace")
# numpy functions that answer from shapes and dtypes alone, not from values
_METADATA = frozenset({
    np.shape, np.ndim, np.size, np.result_type, np.may_share_memory, np.shares_memory,
    np.iscomplexobj, np.isrealobj, np.min_scalar_type, np.can_cast,
})  # fmt: skip
_WRITES_FIRST = frozenset({np.copyto, np.put_along_axis, np.place, np.putmask, np.put,
                           np.fill_diagonal})  # fmt: skip

_active: _Recorder | None = None  # the recording in progress


class CompileWarning(UserWarning):
    """A compiled function runs eagerly (and why), or records again and again."""


# ---------------------------------------------------------------- the tracing array


def _plain(x: Any) -> Any:
    """``x`` with every tracer inside (tuples, lists, dicts too) viewed as a plain ndarray."""
    if isinstance(x, _Tracer):
        return x.view(np.ndarray)
    if type(x) in (tuple, list):
        return type(x)(_plain(i) for i in x)
    if type(x) is dict:
        return {k: _plain(v) for k, v in x.items()}
    return x


class _Tracer(np.ndarray):
    """An ndarray whose numpy calls are logged while a recording is active.

    Outside a recording it behaves as a plain ndarray (a tracer may outlive its
    recording inside a tensor the function kept).
    """

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        rec = _active
        if rec is None or rec.suspended:
            return getattr(ufunc, method)(*_plain(inputs), **_plain(kwargs))
        return rec.ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Callable, types: Any, args: Any, kwargs: Any) -> Any:
        rec = _active
        if rec is None or rec.suspended:
            return func(*_plain(args), **_plain(kwargs))
        return rec.call(func, args, kwargs, writes_first=func in _WRITES_FIRST)


def _traced_method(name: str, writes_self: bool = False) -> Callable:
    base = getattr(np.ndarray, name)

    def method(self: _Tracer, *args: Any, **kwargs: Any) -> Any:
        rec = _active
        if rec is None or rec.suspended:
            return base(self.view(np.ndarray), *_plain(args), **_plain(kwargs))
        return rec.call(base, (self, *args), kwargs, writes_first=writes_self)

    method.__name__ = name
    return method


def _value_method(name: str) -> Callable:
    base = getattr(np.ndarray, name)

    def method(self: _Tracer, *args: Any, **kwargs: Any) -> Any:
        value = base(self.view(np.ndarray), *args, **kwargs)
        rec = _active
        if rec is not None and not rec.suspended:
            rec.value_read(self, name, value)
        return value

    method.__name__ = name
    return method


for _name in ("astype", "copy", "__copy__", "__deepcopy__", "__getitem__", "reshape", "ravel",
              "flatten", "take", "repeat", "dot", "argmax", "argmin", "clip", "cumsum",
              "cumprod", "round", "argsort", "nonzero", "compress", "diagonal", "trace",
              "searchsorted", "squeeze", "swapaxes", "transpose", "conj"):
    setattr(_Tracer, _name, _traced_method(_name))
for _name in ("__setitem__", "fill", "sort", "put", "partition", "itemset"):
    if hasattr(np.ndarray, _name):
        setattr(_Tracer, _name, _traced_method(_name, writes_self=True))
for _name in ("item", "tolist", "__bool__", "__float__", "__int__", "__index__", "__complex__",
              "tobytes", "__contains__", "__reduce__", "__reduce_ex__", "__format__"):
    setattr(_Tracer, _name, _value_method(_name))


def _tracer_repr(self: _Tracer) -> str:
    rec = _active
    if rec is not None and not rec.suspended:
        rec.value_read(self, "repr", None)
    return repr(self.view(np.ndarray))


_Tracer.__repr__ = _tracer_repr
_Tracer.__str__ = _tracer_repr


# ---------------------------------------------------------------- buffers and ops


def _owner(array: np.ndarray) -> np.ndarray:
    """The ndarray at the root of ``array``'s chain of views."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _address(array: np.ndarray) -> int:
    return array.__array_interface__["data"][0]


class _Buffer:
    """One piece of memory the program touches: internal, external, input or pinned."""

    __slots__ = ("owner", "kind", "start", "stop", "first", "last", "written", "pinned")

    def __init__(self, owner: np.ndarray, kind: str) -> None:
        self.owner = owner
        self.kind = kind  # "internal" (made by an op), "external" (a tensor's), "input"
        lo, hi = np.lib.array_utils.byte_bounds(owner) if hasattr(np.lib, "array_utils") \
            else np.byte_bounds(owner)
        self.start, self.stop = lo, hi
        self.first = self.last = -1  # positions in the program, for reuse
        self.written = False
        self.pinned = False  # reachable after the call (a .grad): never moved


class ProgramStep(NamedTuple):
    """One step of a recorded program, as ``Compiled.program()`` lists it.

    ``reads`` and ``writes`` name buffers: ``p0, p1...`` arrays of tensors from before the
    call (parameters, their state), ``x0...`` the arguments, ``t0...`` the program's own.
    """

    kind: str  # "out", "inplace", "copy", "cast", "draw", "host", "set", "guard"
    text: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]


class _Op:
    """One step of the program: a call, or a Python effect, with the buffers it touches."""

    __slots__ = ("kind", "fn", "args", "kwargs", "out", "reads", "writes", "text", "guard")

    def __init__(self, kind: str, fn: Any, args: tuple = (), kwargs: dict | None = None,
                 out: np.ndarray | None = None, text: str = "") -> None:
        self.kind = kind  # "out", "copy", "inplace", "draw", "host", "set", "guard"
        self.fn, self.args, self.kwargs, self.out = fn, args, kwargs or {}, out
        self.reads: set[int] = set()
        self.writes: set[int] = set()
        self.text = text
        self.guard: tuple | None = None  # for "guard": (kind, expected value, from user code)


def _name_of(fn: Any) -> str:
    if isinstance(fn, np.ufunc):
        return fn.__name__
    return getattr(fn, "__name__", type(fn).__name__)


class _GeneratorProxy:
    """Stands in for the random generator while recording: each draw becomes an op."""

    def __init__(self, rec: _Recorder, real: np.random.Generator) -> None:
        self._rec, self._real = rec, real

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._real, name)
        if not callable(method):
            return method

        def draw(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            if self._rec.suspended or not isinstance(result, np.ndarray | np.generic):
                return result
            return self._rec.new_result(
                _real["asarray"](result), _Op("draw", name, args, kwargs, text=f"random.{name}")
            )

        return draw


# ---------------------------------------------------------------- the recorder


class _Recorder:
    """Runs the function once with tracing on and builds a ``_Trace`` from what it saw."""

    def __init__(self) -> None:
        self.ops: list[_Op] = []
        self.buffers: dict[int, _Buffer] = {}  # id(owner) -> buffer
        self.suspended = 0
        self.new_tensors: dict[int, weakref.ref] = {}  # tensors made while recording
        self.external: dict[int, tuple[Tensor, np.ndarray]] = {}  # id(tensor) -> (t, array)
        self.grad_seen: dict[int, tuple[Tensor, Any]] = {}  # first .grad read, before any set
        self.grad_set: set[int] = set()
        self.host_grad_reads: set[int] = set()  # .grad a host call looked at
        self.versions: dict[int, tuple[Tensor, int]] = {}  # version at first sight
        self.modules: dict[int, tuple[Any, tuple]] = {}  # id -> (module, its settings)
        self.tracers: dict[int, _Tracer] = {}  # id(external array) -> its tracer
        self.sources: dict[int, np.ndarray] = {}  # and back
        self.unreplayable: str | None = None
        self.host_version_bumps: dict[int, int] = {}

    # ------------------------------------------------------------ buffers

    def buffer_of(self, array: np.ndarray) -> _Buffer | None:
        """The registered buffer ``array`` lies in: by its chain of views, else by address."""
        root = _owner(array)
        buffer = self.buffers.get(id(root))
        if buffer is not None or root.base is None or array.size == 0:
            return buffer  # an array that owns its memory lies in no other buffer
        address = _address(array)
        for candidate in self.buffers.values():
            if candidate.start <= address < candidate.stop:
                return candidate
        return None

    def register(self, owner: np.ndarray, kind: str) -> _Buffer:
        buffer = self.buffers.get(id(owner))
        if buffer is None:
            buffer = self.buffers[id(owner)] = _Buffer(owner, kind)
        return buffer

    def note(self, op: _Op, arrays: Any, writes: bool) -> None:
        """Add the buffers of ``arrays`` (nested) to what ``op`` reads or writes."""
        if isinstance(arrays, np.ndarray):
            if type(arrays).__module__.startswith("cupy"):
                self.give_up("it uses arrays on the GPU ('cuda'), which compile replays "
                             "only on the CPU for now")
                return
            buffer = self.buffer_of(arrays)
            if buffer is not None:
                (op.writes if writes else op.reads).add(id(buffer.owner))
                if writes:
                    buffer.written = True
            elif writes:
                # a plain array made outside the recording, written by it: state we hold
                self.register(_owner(arrays), "external")
                self.note(op, arrays, writes)
        elif type(arrays) in (tuple, list):
            for item in arrays:
                self.note(op, item, writes)
        elif type(arrays) is dict:
            for item in arrays.values():
                self.note(op, item, writes)
        elif type(arrays).__module__.startswith("cupy"):
            self.give_up("it uses arrays on the GPU ('cuda'), which compile replays only "
                         "on the CPU for now")

    def new_result(self, result: np.ndarray, op: _Op) -> _Tracer:
        """Register ``result`` (new memory) as the output of ``op``; return its tracer."""
        self.register(_owner(result), "internal")
        op.out = result
        self.note(op, op.args, False)
        self.note(op, op.kwargs, False)
        op.writes.add(id(_owner(result)))
        self.ops.append(op)
        return result.view(_Tracer)

    def wrap_result(self, result: Any, op: _Op | None) -> Any:
        """Tracers for ``result``: a view of a known buffer is free; new memory is ``op``'s."""
        if isinstance(result, np.generic):
            result = _real["asarray"](result)
        if isinstance(result, np.ndarray):
            if self.buffer_of(result) is not None:
                if op is not None and op.writes:
                    self.ops.append(op)
                return result.view(_Tracer)
            if op is None:
                return result
            return self.new_result(result, op)
        if isinstance(result, tuple) and all(isinstance(r, np.ndarray) for r in result):
            # several new arrays (np.nonzero, divmod...): one op copies each
            outs = tuple(_real["asarray"](r) for r in result)
            for r in outs:
                self.register(_owner(r), "internal")
            op.kind, op.out = "copy_many", outs
            for r in outs:
                op.writes.add(id(_owner(r)))
            self.ops.append(op)
            return tuple(r.view(_Tracer) for r in outs)
        return result

    # ------------------------------------------------------------ calls

    def ufunc(self, ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
        args, kw = _plain(inputs), _plain(kwargs)
        result = getattr(ufunc, method)(*args, **kw)
        target = ufunc if method == "__call__" else getattr(ufunc, method)
        name = ufunc.__name__ + ("" if method == "__call__" else "." + method)
        if method == "at" or "out" in kw:
            op = _Op("inplace", target, args, kw, text=name)
            self.note(op, args, False)
            self.note(op, {k: v for k, v in kw.items() if k != "out"}, False)
            self.note(op, args[0] if method == "at" else kw["out"], True)
            self.ops.append(op)
            if method == "at":
                return None
            outs = kwargs["out"]
            outs = outs if isinstance(outs, tuple) else (outs,)
            return outs[0] if len(outs) == 1 else outs
        op = _Op("out", target, args, kw, text=name)
        if isinstance(result, tuple):
            op.kind = "copy"
            op.fn = target
        return self.wrap_result(result, op)

    def call(self, fn: Callable, args: tuple, kwargs: dict, writes_first: bool = False) -> Any:
        pargs, pkw = _plain(args), _plain(kwargs)
        result = fn(*pargs, **pkw)
        if fn in _METADATA:
            return result
        kind = "inplace" if writes_first or "out" in pkw else "copy"
        op = _Op(kind, fn, pargs, pkw, text=_name_of(fn))
        self.note(op, pargs[1:] if writes_first else pargs, False)
        self.note(op, {k: v for k, v in pkw.items() if k != "out"}, False)
        if writes_first:
            self.note(op, pargs[0], True)
        if "out" in pkw:
            self.note(op, pkw["out"], True)
        if kind == "inplace":
            self.ops.append(op)
            if "out" in kwargs:
                return kwargs["out"]
            return result if result is None else self.wrap_result(result, None)
        if isinstance(result, bool | int | float | complex | str):
            self.value_read(None, _name_of(fn), result)
            return result
        if fn is np.ndarray.astype or fn is np.ndarray.copy or fn is np.ndarray.__copy__:
            if isinstance(result, np.ndarray) and self.buffer_of(result) is None:
                op.kind, op.fn, op.args, op.kwargs = "cast", None, (pargs[0],), {}
        return self.wrap_result(result, op)

    def create(self, name: str, args: tuple, kwargs: dict) -> Any:
        """``np.zeros(...)`` and friends: a new buffer, filled again on every replay."""
        result = _real[name](*args, **kwargs)
        if isinstance(result, np.ndarray):
            return self.new_result(result, _Op("copy", _real[name], args, kwargs, text=name))
        return result

    def convert(self, name: str, a: Any, args: tuple, kwargs: dict) -> Any:
        """``np.asarray(tracer, dtype)``: keep the tracer (a cast is an op), never strip it."""
        dtype = kwargs.get("dtype", args[0] if args else None)
        copy = kwargs.get("copy", name == "array")
        if dtype is not None and np.dtype(dtype) != a.dtype:
            return a.astype(dtype)
        if copy:
            return a.copy()
        return a

    # ------------------------------------------------------------ tensors

    def read_data(self, t: Tensor, value: Any) -> Any:
        """A tensor's array read while recording: an external one becomes a guarded input."""
        if self.suspended:
            if isinstance(value, _Tracer):
                buffer = self.buffer_of(value)
                if buffer is not None:
                    buffer.pinned = True  # a host call (optimizer.step) reads it on replay
                return value.view(np.ndarray)
            return value
        if isinstance(value, _Tracer) or not isinstance(value, np.ndarray):
            if value is not None and not isinstance(value, np.ndarray):
                if type(value).__module__.startswith("cupy"):
                    self.give_up("it uses arrays on the GPU ('cuda'), which compile "
                                 "replays only on the CPU for now")
            return value
        tracer = self.tracers.get(id(value))
        if tracer is None:
            buffer = self.buffer_of(value)
            if buffer is None:
                self.register(_owner(value), "external")
            tracer = self.tracers[id(value)] = value.view(_Tracer)
            self.sources[id(tracer)] = value
        if id(t) in self.new_tensors:
            self.buffer_of(value).kind = "constant" if self.buffer_of(value).kind == "external" \
                and not self.buffer_of(value).written else self.buffer_of(value).kind
        elif id(t) not in self.external:
            self.external[id(t)] = (t, value)
            self.versions.setdefault(id(t), (t, t._version))
        return tracer

    def write_data(self, t: Tensor, value: Any) -> None:
        try:
            _DATA_SLOT.__get__(t, Tensor)
        except AttributeError:  # a tensor being made
            key = id(t)
            self.new_tensors[key] = weakref.ref(t, lambda _, k=key: self.new_tensors.pop(k, 0))
            return
        if id(t) in self.new_tensors or self.suspended:
            return
        self.versions.setdefault(id(t), (t, t._version))
        self.set_effect(t, "_data", value)

    def read_grad(self, t: Tensor, value: Any) -> None:
        key = id(t)
        if self.suspended:
            self.host_grad_reads.add(key)
            return
        if key in self.new_tensors or key in self.grad_set:
            return
        self.grad_seen.setdefault(key, (t, value))

    def write_grad(self, t: Tensor, value: Any) -> None:
        key = id(t)
        if key in self.new_tensors:
            return
        if self.suspended:  # a host call (zero_grad) sets it, and will again on replay
            self.grad_set.add(key)
            return
        self.grad_set.add(key)
        self.set_effect(t, "grad", value)

    def set_effect(self, t: Tensor, name: str, value: Any) -> None:
        """``t.name = value`` on a tensor from before the call: a step of the program.

        The value's buffer is read here; the trace pins it if this is the last assignment
        of ``t.name`` (then it is reachable after the call).
        """
        if isinstance(value, _Tracer):
            value = value.view(np.ndarray)
        op = _Op("set", setattr, (t, name, value), text=f"tensor.{name} = ...")
        self.note(op, _DATA_SLOT.__get__(value, Tensor) if isinstance(value, Tensor) else value,
                  False)
        self.ops.append(op)

    def host(self, fn: Callable, owner: Any, args: tuple, kwargs: dict) -> Any:
        """Run ``fn`` (``optimizer.step``, ``zero_grad``) untraced now, and again on every
        replay: its Python (step counts, learning rates, which .grad is None) stays live."""
        if (args or kwargs) and fn.__name__ != "zero_grad":  # zero_grad(set_to_none=...)
            # is replayed with its argument; a closure's work would not be
            self.give_up(f"{type(owner).__name__}.{fn.__name__} got arguments (a closure?), "
                         "which compile does not replay")
        before = {k: t._version for k, (t, _) in self.versions.items()}
        self.host_grad_reads.clear()
        self.suspended += 1
        try:
            result = fn(owner, *args, **kwargs)
        finally:
            self.suspended -= 1
        set_to_none = kwargs.get("set_to_none", args[0] if args else True)
        if fn.__name__ == "zero_grad" and set_to_none:
            # every .grad it looked at is None now, whatever it was: later reads in the
            # step see that, not the value the call started with
            self.grad_set |= self.host_grad_reads
        for key, (t, _) in self.versions.items():
            self.host_version_bumps[key] = (self.host_version_bumps.get(key, 0)
                                            + t._version - before[key])
        self.ops.append(_Op("host", fn, (owner, *args), kwargs,
                            text=f"{type(owner).__name__}.{fn.__name__}()"))
        return result

    def value_read(self, tracer: _Tracer | None, kind: str, value: Any) -> None:
        """A Python value taken from an array: a guard if the library took it, else eager."""
        user_frame, inner_frame, from_user = _reader()
        where = user_frame if from_user else f"{user_frame} (inside {inner_frame})"
        if tracer is None or from_user:
            self.give_up(f"it reads a tensor's value ({kind}) at {where}")
            return
        op = _Op("guard", None, (tracer.view(np.ndarray),), text=f"guard {kind} == {value!r}")
        op.guard = (kind, value, where)
        self.note(op, op.args, False)
        self.ops.append(op)

    def generator(self, real: np.random.Generator) -> Any:
        """What ``tg.random.generator()`` gives while recording (random.py's hook)."""
        return real if self.suspended else _GeneratorProxy(self, real)

    def release(self) -> None:
        """Drop what the recording held, now: its arrays would otherwise wait for the cycle
        collector (the weak references' callbacks point back here)."""
        for container in (self.ops, self.buffers, self.new_tensors, self.external,
                          self.grad_seen, self.versions, self.modules, self.tracers,
                          self.sources):
            container.clear()

    def give_up(self, reason: str) -> None:
        if self.unreplayable is None:
            self.unreplayable = reason


def _reader() -> tuple[str, str, bool]:
    """Where a value was read: the user's line, the library's line, and whether the user
    asked for the value (``t.item()``, ``bool(t)``) rather than a library op checking it."""
    frame = sys._getframe(2)
    inner = None
    entry = None
    while frame is not None:
        path = os.path.abspath(frame.f_code.co_filename)
        if path == _THIS_FILE:
            frame = frame.f_back
            continue
        if not path.startswith(_PACKAGE_DIR):
            where = f"{frame.f_code.co_filename}:{frame.f_lineno}"
            library = inner or "?"
            from_user = entry is None or entry in _VALUE_APIS
            return where, library, from_user
        if inner is None:
            inner = f"{os.path.relpath(path, os.path.dirname(_PACKAGE_DIR))}:{frame.f_lineno}"
        entry = frame.f_code.co_name
        frame = frame.f_back
    return "<unknown>", inner or "?", True


# Tensor methods through which a user asks for a value
_VALUE_APIS = frozenset({"item", "tolist", "numpy", "__bool__", "__float__", "__int__",
                         "__index__", "__array__", "__repr__", "__str__", "__format__",
                         "__len__", "__iter__", "__complex__"})  # fmt: skip


# ---------------------------------------------------------------- patches while recording


def _data_get(t: Tensor) -> Any:
    value = _DATA_SLOT.__get__(t, Tensor)
    rec = _active
    return value if rec is None else rec.read_data(t, value)


def _data_set(t: Tensor, value: Any) -> None:
    rec = _active
    if rec is not None:
        # `p.data -= x` stores back the tracer of p's own array: keep the array itself
        value = rec.sources.get(id(value), value)
        rec.write_data(t, value)
    _DATA_SLOT.__set__(t, value)


def _grad_get(t: Tensor) -> Any:
    value = _GRAD_SLOT.__get__(t, Tensor)
    rec = _active
    if rec is not None:
        rec.read_grad(t, value)
    return value


def _grad_set(t: Tensor, value: Any) -> None:
    rec = _active
    if rec is not None:
        rec.write_grad(t, value)
    _GRAD_SLOT.__set__(t, value)


def _numpy_creator(name: str) -> Callable:
    def create(*args: Any, **kwargs: Any) -> Any:
        rec = _active
        if rec is None or rec.suspended:
            return _real[name](*args, **kwargs)
        return rec.create(name, args, kwargs)

    return create


def _numpy_converter(name: str) -> Callable:
    def convert(a: Any, *args: Any, **kwargs: Any) -> Any:
        rec = _active
        if rec is None or rec.suspended or not isinstance(a, _Tracer):
            return _real[name](a, *args, **kwargs)
        return rec.convert(name, a, args, kwargs)

    return convert


_LEGACY_DRAWS = ("rand", "randn", "random", "random_sample", "normal", "uniform", "randint",
                 "standard_normal", "binomial", "choice", "permutation", "exponential")


def _legacy_draw(name: str) -> Callable:
    """``np.random.randn(...)`` and friends while recording: a draw, fresh on every replay."""
    real = getattr(np.random, name)

    def draw(*args: Any, **kwargs: Any) -> Any:
        result = real(*_plain(args), **_plain(kwargs))
        rec = _active
        if rec is None or rec.suspended or not isinstance(result, np.ndarray | np.generic):
            return result
        op = _Op("draw", name, _plain(args), _plain(kwargs), text=f"np.random.{name}")
        op.guard = ("legacy",)
        return rec.new_result(_real["asarray"](result), op)

    return draw


def _tensor_numpy(t: Tensor) -> np.ndarray:
    """``Tensor.numpy`` while recording: the library's own use is traced, a user's is a read."""
    rec = _active
    data = t._data
    if rec is None or rec.suspended or not isinstance(data, _Tracer):
        return _ORIGINAL_NUMPY(t)
    caller = sys._getframe(1)
    path = os.path.abspath(caller.f_code.co_filename)
    if path.startswith(_PACKAGE_DIR) and caller.f_code.co_name not in _VALUE_APIS:
        return data  # e.g. a loss reading its labels: the ops on them are recorded
    rec.value_read(data, "numpy", None)
    return data.view(np.ndarray).copy()


_ORIGINAL_NUMPY = Tensor.numpy


class _Patches:
    """Install, for one recording, the hooks that let it see tensors, numpy and optimizers."""

    def __init__(self, rec: _Recorder) -> None:
        self.rec = rec
        self.saved: list[tuple[Any, str, Any]] = []

    def _set(self, owner: Any, name: str, value: Any) -> None:
        self.saved.append((owner, name, owner.__dict__[name] if isinstance(owner, type)
                           else getattr(owner, name)))
        setattr(owner, name, value)

    def __enter__(self) -> None:
        from .nn.module import Module
        from .optim.lr_scheduler import LRScheduler
        from .optim.optimizer import Optimizer

        rec = self.rec
        self._set(Tensor, "_data", property(_data_get, _data_set))
        self._set(Tensor, "_grad", property(_grad_get, _grad_set))
        self._set(Tensor, "numpy", _tensor_numpy)
        for name in _CREATORS:
            self._set(np, name, _numpy_creator(name))
        for name in ("asarray", "asanyarray", "array", "ascontiguousarray"):
            self._set(np, name, _numpy_converter(name))
        for name in _LEGACY_DRAWS:
            self._set(np.random, name, _legacy_draw(name))
        for base, name in ((Optimizer, "step"), (LRScheduler, "step"),
                           (Optimizer, "zero_grad"), (Module, "zero_grad")):
            for cls in (base, *_subclasses(base)):
                if name in cls.__dict__:
                    self._set(cls, name, _host_step(cls.__dict__[name]))
        module_call = Module.__dict__["__call__"]

        def call(module: Any, *args: Any, **kwargs: Any) -> Any:
            if _active is rec and not rec.suspended and id(module) not in rec.modules:
                rec.modules[id(module)] = (module, _settings(module))
            return module_call(module, *args, **kwargs)

        self._set(Module, "__call__", call)
        register_hook = Tensor.__dict__["register_hook"]

        def hooked(t: Tensor, hook: Callable) -> Any:
            rec.give_up("it registers a tensor hook, whose Python a replay would not run")
            return register_hook(t, hook)

        self._set(Tensor, "register_hook", hooked)
        random._recorder = rec

    def __exit__(self, *exc: object) -> None:
        random._recorder = None
        for owner, name, value in reversed(self.saved):
            setattr(owner, name, value)


def _settings(module: Any) -> tuple[tuple[str, Any], ...]:
    """A module's plain settings (``training``, ``p``, ``momentum``, ``eps``...): a forward
    reads them in Python, so a replay is valid only while they hold."""
    return tuple((k, v) for k, v in module.__dict__.items()
                 if v is None or type(v) in (bool, int, float, str))


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def _host_step(step: Callable) -> Callable:
    @functools.wraps(step)
    def recorded_step(self: Any, *args: Any, **kwargs: Any) -> Any:
        rec = _active
        if rec is None or rec.suspended:
            return step(self, *args, **kwargs)
        return rec.host(step, self, args, kwargs)

    return recorded_step


# ---------------------------------------------------------------- the trace


_MISS = object()
_NO_ARGUMENTS = ((), ())
_EVALUABLE = {"item", "tolist", "__bool__", "__float__", "__int__", "__index__", "__complex__"}


class _Trace:
    """A recorded program with its guards: replays the step into fixed buffers."""

    def __init__(self, rec: _Recorder, signature: tuple, inputs: list[np.ndarray],
                 result: Any, name_guards: list) -> None:
        self.signature = signature
        self.name_guards = name_guards
        self.grad_mode = state.grad_enabled
        self.inputs = inputs  # private buffers the arguments are copied into
        self.data_guards = [(t, a, t.requires_grad) for t, a in rec.external.values()]
        # a .grad read before any assignment: its identity matters when the step read its
        # array, else only whether it was None (zero_grad's test)
        self.grad_guards = [(t, g, id(g) in rec.external) for t, g in rec.grad_seen.values()]
        self.module_guards = [
            (m, settings, tuple(m.__dict__["_parameters"].values()),
             tuple(m.__dict__["_buffers"].values()))
            for m, settings in rec.modules.values()
        ]
        self.bumps = []
        for key, (t, before) in rec.versions.items():
            delta = t._version - before - rec.host_version_bumps.get(key, 0)
            if delta > 0:
                self.bumps.append((t, delta))
        self.written_inputs = [b.owner for b in rec.buffers.values()
                               if b.kind == "input" and b.written]
        self.reason = None
        ops = self._order(rec)
        if self.reason is not None:
            return
        self.output = self._output_template(rec, result)
        steps, self.ops, prologue_size = self._plan(rec, ops)
        self.prologue, self.main = steps[:prologue_size], steps[prologue_size:]

    # ------------------------------------------------------------ building

    def _order(self, rec: _Recorder) -> list[_Op]:
        """The ops, with the pure ones each library value guard depends on moved first."""
        ops = rec.ops
        guards = [i for i, op in enumerate(ops) if op.kind == "guard"]
        if not guards:
            return ops
        for i in guards:
            if ops[i].guard[0] not in _EVALUABLE:
                self.reason = f"it reads a tensor's value ({ops[i].guard[0]}) at {ops[i].guard[2]}"
                return ops
        needed: set[int] = set()
        included = [False] * len(ops)
        for i in range(len(ops) - 1, -1, -1):
            op = ops[i]
            if op.kind == "guard":
                needed |= op.reads
                included[i] = True
            elif op.writes & needed and i < guards[-1]:
                included[i] = True
                needed |= op.reads | op.writes
        kinds = {id(b.owner): b.kind for b in rec.buffers.values()}
        for i, op in enumerate(ops):
            if not included[i] or op.kind == "guard":
                continue
            impure = op.kind in ("host", "set", "draw") or any(
                kinds.get(w) != "internal" for w in op.writes)
            # an earlier op left in place must not write what this one reads, nor touch
            # what it writes: moving it first would change what either of them sees
            hazard = any(
                not included[j] and (ops[j].writes & (op.reads | op.writes)
                                     or ops[j].reads & op.writes)
                for j in range(i)
            )
            if impure or hazard:
                first = next(ops[g] for g in guards if g > i)
                self.reason = (f"a value it reads at {first.guard[2]} depends on work that "
                               "cannot run ahead of the rest of the step")
                return ops
        return [op for i, op in enumerate(ops) if included[i]] + [
            op for i, op in enumerate(ops) if not included[i]]

    def _output_template(self, rec: _Recorder, result: Any) -> Any:
        if isinstance(result, Tensor):
            data = _DATA_SLOT.__get__(result, Tensor)
            if id(result) not in rec.new_tensors:
                return ("same", result)
            buffer = rec.buffer_of(data) if isinstance(data, np.ndarray) else None
            if buffer is None:
                return ("const", result)
            return ("tensor", data.view(np.ndarray), result.device, result.requires_grad)
        if type(result) in (tuple, list):
            return (type(result).__name__, [self._output_template(rec, r) for r in result])
        if type(result) is dict:
            return ("dict", {k: self._output_template(rec, v) for k, v in result.items()})
        return ("const", result)

    def _plan(self, rec: _Recorder, ops: list[_Op]) -> tuple:
        """Give each internal buffer memory reused once dead, and bind every call to it."""
        end = len(ops)
        live_to_end = set()
        _collect_arrays(self.output, live_to_end, rec)
        _rename_in_place(rec, ops, live_to_end)
        for buffer in rec.buffers.values():
            buffer.first = buffer.last = -1
        last_sets = {(id(op.args[0]), op.args[1]): op for op in ops if op.kind == "set"}
        for op in last_sets.values():  # what the step leaves in .grad / .data stays put
            value = op.args[2]
            data = _DATA_SLOT.__get__(value, Tensor) if isinstance(value, Tensor) else value
            buffer = rec.buffer_of(data) if isinstance(data, np.ndarray) else None
            if buffer is not None:
                buffer.pinned = True
        by_owner = {id(b.owner): b for b in rec.buffers.values()}
        for i, op in enumerate(ops):
            for key in op.writes | op.reads:
                buffer = by_owner[key]
                if buffer.first < 0:
                    buffer.first = i
                buffer.last = i
        for key in live_to_end:
            by_owner[key].last = end
        movable = [
            buffer for buffer in by_owner.values()
            if buffer.kind == "internal" and not buffer.pinned and buffer.first >= 0
            and (buffer.owner.flags.c_contiguous or buffer.owner.flags.f_contiguous)
        ]
        moved = _allocate(movable)
        views: dict[tuple, np.ndarray] = {}  # one object per view: `a += b` then sees
        # that its output *is* its input (numpy's overlap test is slow for a lookalike)

        def place(x: Any) -> Any:
            if isinstance(x, np.ndarray) and not isinstance(x, np.generic):
                buffer = rec.buffer_of(x)
                if buffer is None:
                    return x.view(np.ndarray) if isinstance(x, _Tracer) else x
                key = (id(buffer.owner), _address(x), x.shape, x.strides, x.dtype)
                view = views.get(key)
                if view is None:
                    if id(buffer.owner) in moved:
                        offset = _address(x) - buffer.start if x.size else 0
                        view = np.ndarray(x.shape, x.dtype, buffer=moved[id(buffer.owner)],
                                          offset=offset, strides=x.strides)
                    elif key == (id(buffer.owner), buffer.start, buffer.owner.shape,
                                 buffer.owner.strides, buffer.owner.dtype) or (
                            x.size == 0 and x.shape == buffer.owner.shape):
                        view = buffer.owner  # the array itself: `p.data = ...` keeps it
                    else:
                        view = x.view(np.ndarray) if isinstance(x, _Tracer) else x
                    views[key] = view
                return view
            if type(x) in (tuple, list):
                return type(x)(place(i) for i in x)
            if type(x) is dict:
                return {k: place(v) for k, v in x.items()}
            return x

        self.output = _map_template(self.output, place)
        for op in ops:  # a tensor assigned on the way (then replaced) lives in the new memory
            if op.kind == "set" and isinstance(op.args[2], Tensor):
                value = op.args[2]
                _DATA_SLOT.__set__(value, place(_DATA_SLOT.__get__(value, Tensor)))
        steps = [_bind(op, place) for op in ops]
        prologue = sum(1 for op in ops if op.kind == "guard")
        prologue_size = 0
        if prologue:
            last_guard = max(i for i, op in enumerate(ops) if op.kind == "guard")
            prologue_size = last_guard + 1
        names: dict[int, str] = {}
        counts = {"external": 0, "input": 0, "internal": 0, "constant": 0}
        letter = {"external": "p", "input": "x", "internal": "t", "constant": "c"}
        rank = {key: i for i, key in enumerate(by_owner)}  # registration order

        def name(key: int) -> str:
            if key not in names:
                kind = by_owner[key].kind
                names[key] = f"{letter[kind]}{counts[kind]}"
                counts[kind] += 1
            return names[key]

        def named(keys: set[int]) -> tuple[str, ...]:
            return tuple(name(k) for k in sorted(keys, key=rank.__getitem__))

        listing = []
        for op in ops:
            reads, writes, text = named(op.reads), named(op.writes), op.text
            if op.kind == "set":
                target, attr, value = op.args
                data = _DATA_SLOT.__get__(target, Tensor)
                buffer = rec.buffer_of(data) if isinstance(data, np.ndarray) else None
                owner = name(id(buffer.owner)) if buffer is not None else "tensor"
                text = f"{owner}.{attr.lstrip('_')} = {reads[0] if reads else value}"
            listing.append(ProgramStep(op.kind, text, reads, writes))
        return steps, listing, prologue_size

    # ------------------------------------------------------------ running

    def matches(self, signature: tuple) -> bool:
        """Whether every guard but the value guards holds now."""
        if signature != self.signature or state.grad_enabled is not self.grad_mode:
            return False
        if not _names_unchanged(self.name_guards):
            return False
        for t, array, requires_grad in self.data_guards:
            if _DATA_SLOT.__get__(t, Tensor) is not array or t.requires_grad is not requires_grad:
                return False
        for t, grad, same_object in self.grad_guards:
            now = _GRAD_SLOT.__get__(t, Tensor)
            if now is not grad and (same_object or (now is None) != (grad is None)):
                return False
        for module, settings, params, buffers in self.module_guards:
            attributes = module.__dict__
            for name, value in settings:
                now = attributes.get(name, _MISS)
                if now is not value and now != value:
                    return False
            if not (_same_objects(module.__dict__["_parameters"].values(), params)
                    and _same_objects(module.__dict__["_buffers"].values(), buffers)):
                return False
        return True

    def replay(self, arrays: list[Any]) -> Any:
        """Run the program on these argument arrays; ``_MISS`` if a value guard fails."""
        for buffer, array in zip(self.inputs, arrays, strict=True):
            np.copyto(buffer, array)
        for step in self.prologue:  # value guards return False on a different value
            if step() is False:
                return _MISS
        for step in self.main:
            step()
        for t, delta in self.bumps:
            for _ in range(delta):
                t._mark_changed()
        if self.written_inputs:
            for buffer, array in zip(self.inputs, arrays, strict=True):
                if any(buffer is written for written in self.written_inputs):
                    np.copyto(array, buffer)
        return _build_output(self.output)


def _arrays(x: Any) -> Any:
    """Every ndarray inside ``x`` (nested tuples, lists, dicts)."""
    if isinstance(x, np.ndarray):
        yield x
    elif type(x) in (tuple, list):
        for item in x:
            yield from _arrays(item)
    elif type(x) is dict:
        for item in x.values():
            yield from _arrays(item)


def _references(op: _Op) -> list[np.ndarray]:
    """The arrays ``op`` names: its arguments, keywords and output (a set's tensor's data)."""
    found = [*_arrays(op.args), *_arrays(op.kwargs)]
    if op.out is not None:
        found += list(_arrays(op.out))
    if op.kind == "set" and isinstance(op.args[2], Tensor):
        found.append(_DATA_SLOT.__get__(op.args[2], Tensor))
    return found


def _rename_in_place(rec: _Recorder, ops: list[_Op], live_to_end: set[int]) -> None:
    """Turn ``a += b`` on a program buffer into ``a2 = a + b`` with a fresh ``a2``.

    numpy's in-place call on a tiny array costs twice the out-of-place one (it checks the
    overlap of input and output), and the engine sums a leaf's gradient in place, once per
    use: a 2,000-op chain does it 1,300 times. Renaming is safe for a buffer the program
    only ever names whole (no views), written only by such calls, and handed to a tensor
    (``p.grad = ...``) only after its last one; later calls then name the fresh buffer.
    """
    def whole(x: np.ndarray, buffer: _Buffer) -> bool:
        owner = buffer.owner
        return (x.size > 0 and x.shape == owner.shape and x.strides == owner.strides
                and x.dtype == owner.dtype and _address(x) == buffer.start)

    def convertible(op: _Op) -> _Buffer | None:
        if op.kind != "inplace" or not isinstance(op.fn, np.ufunc) or set(op.kwargs) != {"out"}:
            return None
        out = op.kwargs["out"]
        out = out if isinstance(out, tuple) else (out,)
        if len(out) != 1 or len(op.args) != op.fn.nin:
            return None
        buffer = rec.buffer_of(out[0])
        return buffer if buffer is not None and buffer.kind == "internal" else None

    eligible: dict[int, _Buffer] = {}
    refused: set[int] = set(live_to_end)
    last_write: dict[int, int] = {}
    first_set: dict[int, int] = {}
    for i, op in enumerate(ops):
        target = convertible(op)
        for x in _references(op):
            buffer = rec.buffer_of(x) if isinstance(x, np.ndarray) else None
            if buffer is None or buffer.kind != "internal":
                continue
            key = id(buffer.owner)
            if not whole(x, buffer) or op.kind not in ("out", "inplace", "copy", "cast", "set"):
                refused.add(key)
            elif op.kind == "inplace" and key in op.writes and buffer is not target:
                refused.add(key)  # written by a call that cannot be renamed
            elif op.kind == "set":
                first_set.setdefault(key, i)
            eligible[key] = buffer
        if target is not None:
            last_write[id(target.owner)] = i
    for key, position in first_set.items():
        if last_write.get(key, -1) > position:
            refused.add(key)
    renamed = {key for key in last_write if key in eligible and key not in refused}
    if not renamed:
        return
    current: dict[int, np.ndarray] = {}  # buffer -> the array now holding its value

    def swap(x: Any, op: _Op) -> Any:
        if isinstance(x, np.ndarray):
            buffer = rec.buffer_of(x)
            if buffer is not None and id(buffer.owner) in current:
                op.reads.discard(id(buffer.owner))
                latest = current[id(buffer.owner)]
                op.reads.add(id(latest))
                return latest
            return x
        if type(x) in (tuple, list):
            return type(x)(swap(i, op) for i in x)
        if type(x) is dict:
            return {k: swap(v, op) for k, v in x.items()}
        return x

    for op in ops:
        target = convertible(op)
        key = None if target is None else id(target.owner)
        if op.kind == "set" and isinstance(op.args[2], Tensor):
            value = op.args[2]
            data = _DATA_SLOT.__get__(value, Tensor)
            buffer = rec.buffer_of(data)
            if buffer is not None and id(buffer.owner) in current:
                op.reads.discard(id(buffer.owner))
                latest = current[id(buffer.owner)]
                op.reads.add(id(latest))
                _DATA_SLOT.__set__(value, latest)
            continue
        if key in renamed:
            op.args = swap(op.args, op)
            # the recording left the final value in the old buffer; a tensor handed the
            # fresh one (p.grad) must show it until the first replay
            fresh = target.owner.copy(order="K")
            rec.register(fresh, "internal")
            op.kind, op.kwargs, op.out = "out", {}, fresh
            op.writes = {id(fresh)}
            current[key] = fresh
        else:
            op.args, op.kwargs = swap(op.args, op), swap(op.kwargs, op)


LARGE = 1 << 16  # bytes: buffers from here up share one arena, placed by size


def _allocate(buffers: list[_Buffer]) -> dict[int, np.ndarray]:
    """New memory for each buffer, shared by buffers never alive at the same time.

    Large buffers go to one arena, largest first, each at the lowest offset free during
    its whole life (greedy by size: close to the most memory ever alive at once). Small
    ones, thousands in a long chain, reuse dead blocks of their exact size.
    """
    moved: dict[int, np.ndarray] = {}
    large = sorted((b for b in buffers if b.owner.nbytes >= LARGE),
                   key=lambda b: -b.owner.nbytes)
    placed: list[tuple[int, int, _Buffer]] = []  # (offset, end, buffer)
    for buffer in large:
        size = -(-buffer.owner.nbytes // 64) * 64
        taken = sorted((lo, hi) for lo, hi, other in placed
                       if other.first <= buffer.last and buffer.first <= other.last)
        offset = 0
        for lo, hi in taken:
            if offset + size <= lo:
                break
            offset = max(offset, hi)
        placed.append((offset, offset + size, buffer))
    arena = np.empty(max((hi for _, hi, _ in placed), default=0), np.uint8)
    for lo, _, buffer in placed:
        moved[id(buffer.owner)] = arena[lo:lo + buffer.owner.nbytes]
    free: dict[int, list[np.ndarray]] = {}
    events = sorted([(b.first, 0, i, b) for i, b in enumerate(buffers)
                     if b.owner.nbytes < LARGE]
                    + [(b.last, 1, i, b) for i, b in enumerate(buffers)
                       if b.owner.nbytes < LARGE], key=lambda e: e[:3])
    for _, is_end, _, buffer in events:
        size = buffer.owner.nbytes
        if is_end:
            free.setdefault(size, []).append(moved[id(buffer.owner)])
        else:
            pool = free.get(size)
            moved[id(buffer.owner)] = pool.pop() if pool else np.empty(size, np.uint8)
    return moved


def _watched(value: Any) -> bool:
    """A value whose replacement a recording must notice: arrays, tensors, modules,
    optimizers, and the numbers a step bakes into its program."""
    from .nn.module import Module
    from .optim.lr_scheduler import LRScheduler
    from .optim.optimizer import Optimizer

    return isinstance(value, Tensor | np.ndarray | Module | Optimizer | LRScheduler | bool | int
                      | float | complex | np.generic)


def _name_guards(fn: Callable, watched: Callable[[Any], bool] | None = None,
                 ) -> list[tuple[Any, Any, Any]]:
    """(namespace, key, value) for each global and closure variable ``fn`` names:
    ``x = next_batch`` between calls must make the next call record again.

    Attributes of objects (``self.x = ...``) are not watched: a step often sets some
    (``self.loss = loss``), which would make every call record again.
    """
    watched = watched or _watched
    guards = []
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        return guards
    names: set[str] = set()
    pending = [code]
    while pending:  # the names of nested functions and lambdas count too
        current = pending.pop()
        names.update(current.co_names)
        pending += [c for c in current.co_consts if hasattr(c, "co_names")]
    namespace = fn.__globals__
    guards += [(namespace, n, namespace[n]) for n in sorted(names)
               if n in namespace and watched(namespace[n])]
    for cell in fn.__closure__ or ():
        try:
            value = cell.cell_contents
        except ValueError:  # not yet assigned
            continue
        if watched(value):
            guards.append((cell, None, value))
    return guards


def _named_generators(fn: Callable) -> list[Any]:
    """numpy random generators among the globals and closure variables ``fn`` names."""
    return [value for _, _, value in _name_guards(fn, _is_generator)]


def _is_generator(value: Any) -> bool:
    return isinstance(value, np.random.Generator | np.random.RandomState)


def _generator_state(generator: Any) -> Any:
    state = (generator.bit_generator.state if isinstance(generator, np.random.Generator)
             else generator.get_state(legacy=False))
    return repr(state)


def _names_unchanged(guards: list[tuple[Any, Any, Any]]) -> bool:
    for namespace, key, value in guards:
        now = namespace.cell_contents if key is None else namespace.get(key, _MISS)
        if now is not value and not (
            type(now) is type(value) and isinstance(value, int | float | complex | bool)
            and now == value
        ):
            return False
    return True


def _same_objects(values: Any, recorded: tuple) -> bool:
    """The same objects in the same order (by identity: a Tensor's == is elementwise)."""
    values = tuple(values)
    return len(values) == len(recorded) and all(
        a is b for a, b in zip(values, recorded, strict=True))


def _collect_arrays(template: Any, into: set, rec: _Recorder) -> None:
    kind = template[0]
    if kind == "tensor":
        buffer = rec.buffer_of(template[1])
        if buffer is not None:
            into.add(id(buffer.owner))
    elif kind in ("tuple", "list"):
        for item in template[1]:
            _collect_arrays(item, into, rec)
    elif kind == "dict":
        for item in template[1].values():
            _collect_arrays(item, into, rec)


def _map_template(template: Any, place: Callable) -> Any:
    kind = template[0]
    if kind == "tensor":
        return ("tensor", place(template[1]), *template[2:])
    if kind in ("tuple", "list"):
        return (kind, [_map_template(t, place) for t in template[1]])
    if kind == "dict":
        return (kind, {k: _map_template(t, place) for k, t in template[1].items()})
    return template


def _build_output(template: Any) -> Any:
    kind = template[0]
    if kind == "tensor":
        _, array, device, requires_grad = template
        out = Tensor._wrap(array.copy(), device)  # a copy: the next replay reuses the buffer
        out.requires_grad = requires_grad
        return out
    if kind in ("same", "const"):
        return template[1]
    if kind == "tuple":
        return tuple(_build_output(t) for t in template[1])
    if kind == "list":
        return [_build_output(t) for t in template[1]]
    return {k: _build_output(t) for k, t in template[1].items()}


def _bind(op: _Op, place: Callable) -> Callable:
    """The zero-argument callable that performs ``op`` on the planned buffers."""
    args, kwargs = place(op.args), place(op.kwargs)
    out = place(op.out) if op.out is not None else None
    fn = op.fn
    # a ufunc takes its output positionally: a partial with keywords costs twice as much
    if op.kind == "out":
        if isinstance(fn, np.ufunc) and not kwargs and fn not in (np.maximum, np.minimum):
            return functools.partial(fn, *args, out)
        return functools.partial(fn, *args, out=out, **kwargs)
    if op.kind == "inplace" and isinstance(fn, np.ufunc) and set(kwargs) == {"out"} and (
            fn not in (np.maximum, np.minimum)):
        outs = kwargs["out"] if isinstance(kwargs["out"], tuple) else (kwargs["out"],)
        return functools.partial(fn, *args, *outs)
    if op.kind in ("inplace", "host", "set"):
        return functools.partial(fn, *args, **kwargs)
    if op.kind == "cast":
        return functools.partial(np.copyto, out, args[0], casting="unsafe")
    if op.kind == "copy":
        def copy() -> None:
            np.copyto(out, fn(*args, **kwargs), casting="unsafe")
        return copy
    if op.kind == "copy_many":
        def copy_many() -> None:
            for target, value in zip(out, fn(*args, **kwargs), strict=True):
                np.copyto(target, value, casting="unsafe")
        return copy_many
    if op.kind == "draw":
        source = np.random if op.guard == ("legacy",) else None

        def draw() -> None:
            generator = random.generator() if source is None else source
            np.copyto(out, getattr(generator, fn)(*args, **kwargs), casting="unsafe")
        return draw
    if op.kind == "guard":
        kind, expected, _ = op.guard
        method, array = getattr(np.ndarray, kind), args[0]

        def guard() -> bool:
            return method(array) == expected
        return guard
    raise AssertionError(f"unknown op kind {op.kind}")


# ---------------------------------------------------------------- the public wrapper


def _signature(args: tuple, kwargs: dict) -> tuple | None:
    """What the guards compare about the arguments; None for an argument compile can't bind."""
    if not args and not kwargs:
        return _NO_ARGUMENTS
    parts = []
    for value in (*args, *(kwargs[k] for k in sorted(kwargs))):
        if isinstance(value, Tensor):
            data = value._data
            if not isinstance(data, np.ndarray):
                return None
            parts.append(("tensor", data.shape, data.dtype, value.device, value.requires_grad))
        elif isinstance(value, np.ndarray):
            parts.append(("array", value.shape, value.dtype))
        elif value is None or isinstance(value, bool | int | float | str):
            parts.append(("value", type(value), value))
        else:
            return None
    return (tuple(sorted(kwargs)), tuple(parts))


class Compiled:
    """A function recorded on its first call and replayed on later ones (see ``compile``)."""

    def __init__(self, fn: Callable) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.traces: list[_Trace] = []
        self.recordings = 0
        self.eager_reason: str | None = None  # set once: the function runs eagerly from then
        self._warned: set[str] = set()

    def eager(self, *args: Any, **kwargs: Any) -> Any:
        """Run the function eagerly, without recording or replaying."""
        return self.fn(*args, **kwargs)

    def reset(self) -> None:
        """Forget every recording (and a decision to run eagerly): the next call records."""
        self.traces.clear()
        self.recordings = 0
        self.eager_reason = None
        self._warned.clear()

    def _warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            warnings.warn(message, CompileWarning, stacklevel=3)

    def _fall_back(self, reason: str) -> None:
        self.eager_reason = reason
        self._warn(f"tg.compile({self.fn.__qualname__}) runs eagerly: {reason}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.eager_reason is not None or _active is not None:
            return self.fn(*args, **kwargs)  # inside another recording: part of it
        if state.anomaly:
            self._warn(f"tg.compile({self.fn.__qualname__}) runs eagerly while anomaly mode "
                       "is on (a replay checks no values)")
            return self.fn(*args, **kwargs)
        signature = _signature(args, kwargs)
        if signature is None:
            self._fall_back("an argument is neither a CPU Tensor, a numpy array, a number, "
                            "a string nor None")
            return self.fn(*args, **kwargs)
        for position, trace in enumerate(self.traces):
            if trace.matches(signature):
                arrays = [a._data if isinstance(a, Tensor) else a
                          for a in (*args, *(kwargs[k] for k in sorted(kwargs)))
                          if isinstance(a, Tensor | np.ndarray)] if signature[1] else ()
                result = trace.replay(arrays)
                if result is not _MISS:
                    if position:
                        self.traces.insert(0, self.traces.pop(position))
                    return result
        if self.recordings >= MAX_RECORDINGS:
            self._fall_back(f"its guards missed {MAX_RECORDINGS} times (its arguments' shapes, "
                            "its modules' training flags or the values it checks keep changing)")
            return self.fn(*args, **kwargs)
        return self._record(args, kwargs, signature)

    def _record(self, args: tuple, kwargs: dict, signature: tuple) -> Any:
        # A recording holds every array and op of the step until it is planned: the cyclic
        # collector would rescan that growing heap again and again (a 50,000-op chain
        # records several times faster without it). It is back on before returning.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._record_once(args, kwargs, signature)
        finally:
            if collecting:
                gc.enable()

    def _record_once(self, args: tuple, kwargs: dict, signature: tuple) -> Any:
        global _active
        rec = _Recorder()
        self.recordings += 1
        names = sorted(kwargs)
        values = [*args, *(kwargs[k] for k in names)]
        inputs, swapped, call_values = [], [], []
        for value in values:
            if isinstance(value, Tensor):
                if value.requires_grad:
                    self._fall_back("an argument requires grad (compile binds gradients to "
                                    "parameters, not to arguments)")
                    return self.fn(*args, **kwargs)
                private = _real["array"](value._data, order="C", copy=True)
                rec.register(private, "input")
                inputs.append(private)
                swapped.append((value, value._data))
                _DATA_SLOT.__set__(value, private)
                rec.new_tensors[id(value)] = weakref.ref(value)  # never an external: it changes
                call_values.append(value)
            elif isinstance(value, np.ndarray):
                private = _real["array"](value, order="C", copy=True)
                rec.register(private, "input")
                inputs.append(private)
                call_values.append(private.view(_Tracer))
            else:
                call_values.append(value)
        call_args = call_values[:len(args)]
        call_kwargs = dict(zip(names, call_values[len(args):], strict=True))
        name_guards = _name_guards(self.fn)  # as the call finds them
        generators = [(g, _generator_state(g)) for g in _named_generators(self.fn)]
        _active = rec
        try:
            with _Patches(rec):
                result = self.fn(*call_args, **call_kwargs)
        finally:
            _active = None
            for tensor, original in swapped:
                private = _DATA_SLOT.__get__(tensor, Tensor)
                if rec.buffers[id(private)].written:
                    np.copyto(original, private)
                _DATA_SLOT.__set__(tensor, original)
        _untrace_survivors(rec)
        result = _untrace_result(result)
        if any(_generator_state(g) != before for g, before in generators):
            rec.give_up("it draws from a numpy random generator of its own, whose draws a "
                        "replay would repeat; draw from tg's (tg.manual_seed, tg.randn)")
        if any(t._hooks for t, _ in rec.external.values()):
            rec.give_up("a tensor it uses has a hook, whose Python a replay would not run")
        if rec.unreplayable is not None:
            rec.release()
            self._fall_back(rec.unreplayable)
            return result
        trace = _Trace(rec, signature, inputs, result, name_guards)
        rec.release()
        if trace.reason is not None:
            self._fall_back(trace.reason)
            return result
        self.traces.insert(0, trace)
        del self.traces[MAX_TRACES:]
        return result

    def program(self) -> list[ProgramStep]:
        """The latest recording's steps, in the order a replay runs them."""
        return list(self.traces[0].ops) if self.traces else []


def _untrace_survivors(rec: _Recorder) -> None:
    """Tensors made while recording and still alive hold plain arrays again."""
    for ref in list(rec.new_tensors.values()):
        t = ref()
        if isinstance(t, Tensor):
            try:
                data = _DATA_SLOT.__get__(t, Tensor)
            except AttributeError:
                continue
            if isinstance(data, _Tracer):
                _DATA_SLOT.__set__(t, data.view(np.ndarray))
    for op in rec.ops:
        if op.kind == "set" and isinstance(op.args[2], Tensor):
            data = _DATA_SLOT.__get__(op.args[2], Tensor)
            if isinstance(data, _Tracer):
                _DATA_SLOT.__set__(op.args[2], data.view(np.ndarray))


def _untrace_result(result: Any) -> Any:
    """The first call's result, holding its own copies (the recording's buffers move on)."""
    if isinstance(result, Tensor):
        data = _DATA_SLOT.__get__(result, Tensor)
        if isinstance(data, np.ndarray) and not isinstance(data, np.generic):
            _DATA_SLOT.__set__(result, _real["array"](data.view(np.ndarray), copy=True)
                               if isinstance(data, _Tracer) else data)
        return result
    if type(result) in (tuple, list):
        return type(result)(_untrace_result(r) for r in result)
    if type(result) is dict:
        return {k: _untrace_result(v) for k, v in result.items()}
    if isinstance(result, _Tracer):
        return result.view(np.ndarray).copy()
    return result


def compile(fn: Callable | None = None) -> Any:  # noqa: A001 - PyTorch's name, tg.compile
    """Record ``fn`` on its first call and replay its array calls on later ones.

    Usable as ``step = tg.compile(train_step)`` or as a decorator (``@tg.compile``).
    Replays give the same values as eager, bitwise on the CPU, for the result, the
    parameters, their ``.grad`` and the optimizer's state. A function that reads a
    tensor's value in Python runs eagerly, with one ``CompileWarning`` naming the line.
    """
    if fn is None:
        return compile
    if not callable(fn):
        raise TypeError(f"tg.compile expects a function, got {type(fn).__name__}")
    return Compiled(fn)

