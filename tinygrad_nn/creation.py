"""Making tensors, as PyTorch's creation functions: from data, filled, ranges, and random.

Every function takes ``dtype=``, ``device=`` and ``requires_grad=`` as keywords.
``dtype=None`` means PyTorch's choice: the default floating dtype
(``tg.get_default_dtype()``, float32 at start) for float results, int64 for
integers, the input's dtype for the ``*_like`` functions. ``device=None``
means the default device (``tg.set_default_device``). Shapes are given as
varargs, one tuple or list, or ``size=``: ``zeros(2, 3)``, ``zeros((2, 3))``,
``zeros(size=(2, 3))``.

Random functions take ``generator=`` (a ``tg.Generator``); without it they draw
from the default generator that ``tg.manual_seed`` seeds. Numbers are drawn on
the CPU in float64 and then cast, so a seed gives the same values on every
device and in every dtype's precision.
"""

from __future__ import annotations

import math
import numbers
import operator
import warnings
from typing import Any

import numpy as np

from . import backend, devices, dtypes
from .random import Generator, _numpy_generator
from .tensor import Tensor


def _size(args: tuple, size: Any = None) -> tuple[int, ...]:
    """A new tensor's shape from varargs, one tuple/list, or ``size=``."""
    if size is not None:
        if args:
            raise TypeError(f"give the shape once: as arguments {args} or as size={size}")
        args = (size,)
    if len(args) == 1 and isinstance(args[0], tuple | list):
        args = tuple(args[0])
    shape = []
    for n in args:
        try:
            if isinstance(n, bool):
                raise TypeError("a bool is not a size")
            shape.append(operator.index(n))  # ints, numpy ints, one-element int tensors
        except TypeError:
            raise TypeError(f"shape entries must be ints, got {args!r}") from None
    if any(n < 0 for n in shape):
        raise ValueError(f"shape entries must be non-negative, got {tuple(shape)}")
    return tuple(shape)


def _float_dtype(dtype: Any) -> np.dtype:
    """``dtype``, or the default floating dtype when None."""
    return dtypes.default_float_dtype() if dtype is None else dtypes.resolve(dtype)


def _made(array: np.ndarray, device: Any, requires_grad: bool) -> Tensor:
    """A leaf holding ``array`` (its dtype kept) on ``device`` (None: the default device)."""
    out = Tensor(array, dtype=array.dtype, device=devices.resolve(device))
    return out.requires_grad_(True) if requires_grad else out


def _like(input: Any, name: str) -> Tensor:  # noqa: A002 - PyTorch's parameter name
    if not isinstance(input, Tensor):
        raise TypeError(f"{name} needs a Tensor, got {type(input).__name__}")
    return input


def _scalar(name: str, value: Any) -> Any:
    """A Python number from ``value`` (a number or a one-element Tensor), or a TypeError."""
    if isinstance(value, Tensor):
        value = value.item()
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r:.60}")
    return value


# ---------------------------------------------------------------- from data


def tensor(data: Any, *, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a **copy** of ``data``, as ``torch.tensor``.

    ``data`` is a number, a (nested) list, a numpy array or a Tensor. Python
    floats become the default floating dtype; otherwise the dtype is the Tensor
    constructor's (a float64 array stays float64, integers become int64).
    ``tg.from_numpy`` and ``tg.as_tensor`` share memory instead.
    """
    if isinstance(data, Tensor):
        warnings.warn(
            "tg.tensor(t) copies a tensor and detaches it; t.detach().clone() says so directly",
            UserWarning, stacklevel=2,
        )
        device = data.device if device is None else device
        data = data.numpy()
    is_array = isinstance(data, np.ndarray | np.generic) or (
        not isinstance(data, str | bytes) and backend.array_module(data) is not np)
    if is_array:
        data = backend.array_module(data).array(data, copy=True)
    target = devices.resolve(device)
    out = Tensor(data, dtype=dtype, device=target)
    return out.requires_grad_(True) if requires_grad else out


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing ``ndarray``'s memory and dtype: writes to either show in both."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy array, got {type(ndarray).__name__}")
    return Tensor(ndarray, dtype=ndarray.dtype)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory where it can (as ``torch.as_tensor``).

    A Tensor of the right dtype and device comes back itself; a numpy array of a
    supported dtype is wrapped without a copy; anything else is copied as by ``tensor``.
    """
    if isinstance(data, Tensor):
        out = data if device is None else data.to(devices.resolve(device))
        return out if dtype is None else out.astype(dtypes.resolve(dtype))
    if isinstance(data, np.ndarray) or backend.array_module(data) is not np:
        target = backend.device_of(data) if device is None else devices.resolve(device)
        return Tensor(data, dtype=data.dtype if dtype is None else dtype, device=target)
    return tensor(data, dtype=dtype, device=device)


# ---------------------------------------------------------------- filled


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          **shape_kw: Any) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``."""
    shape = _size(size, _size_kw(shape_kw, "zeros"))
    return _made(np.zeros(shape, _float_dtype(dtype)), device, requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         **shape_kw: Any) -> Tensor:
    """A tensor of ones, shaped as ``zeros``'s."""
    shape = _size(size, _size_kw(shape_kw, "ones"))
    return _made(np.ones(shape, _float_dtype(dtype)), device, requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          **shape_kw: Any) -> Tensor:
    """A tensor to be filled in (zeros here: PyTorch leaves the memory uninitialised)."""
    shape = _size(size, _size_kw(shape_kw, "empty"))
    return _made(np.zeros(shape, _float_dtype(dtype)), device, requires_grad)


def _size_kw(shape_kw: dict, name: str) -> Any:
    """PyTorch's ``size=`` keyword, the only extra keyword the filled makers take."""
    unknown = set(shape_kw) - {"size"}
    if unknown:
        raise TypeError(f"{name}() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    return shape_kw.get("size")


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``; its dtype follows the value (as PyTorch):
    bool, int64 for an int, the default floating dtype for a float."""
    shape = _size((size,))
    value = Tensor(fill_value).numpy()  # the tensor constructor's errors for non-numbers
    if value.ndim != 0:
        raise ValueError(f"full needs a single fill value, got shape {value.shape}")
    if dtype is None:
        dtype = dtypes.default_float_dtype() if value.dtype.kind == "f" else value.dtype
    return _made(np.full(shape, value, dtypes.resolve(dtype)), device, requires_grad)


def zeros_like(input: Any, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False) -> Tensor:
    """Zeros with ``input``'s shape, dtype and device (unless given)."""
    return _filled_like(input, 0, "zeros_like", dtype, device, requires_grad)


def ones_like(input: Any, *, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False) -> Tensor:
    """Ones with ``input``'s shape, dtype and device (unless given)."""
    return _filled_like(input, 1, "ones_like", dtype, device, requires_grad)


def empty_like(input: Any, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False) -> Tensor:
    """A tensor to be filled in, shaped as ``input`` (zeros here, as ``empty``)."""
    return _filled_like(input, 0, "empty_like", dtype, device, requires_grad)


def full_like(input: Any, fill_value: Any, *, dtype: Any = None,  # noqa: A002
              device: Any = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere, with ``input``'s shape, dtype and device (unless given)."""
    return _filled_like(input, fill_value, "full_like", dtype, device, requires_grad)


def _filled_like(input: Any, value: Any, name: str, dtype: Any, device: Any,  # noqa: A002
                 requires_grad: bool) -> Tensor:
    source = _like(input, name)
    dtype = source.dtype if dtype is None else dtype
    return full(source.shape, value, dtype=dtype,
                device=source.device if device is None else device, requires_grad=requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The identity matrix, ``n`` x ``m`` (square when ``m`` is None)."""
    rows, cols = _size((n, n if m is None else m))
    return _made(np.eye(rows, cols, dtype=_float_dtype(dtype)), device, requires_grad)


# ---------------------------------------------------------------- ranges


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """Values ``start, start + step, ...`` below ``end`` (``arange(end)`` starts at 0).

    int64 when every bound is an int, else the default floating dtype; float values
    are computed as ``start + i * step`` in float64 and then cast, as PyTorch.
    """
    if end is None:
        start, end = 0, start
    bounds = {"start": start, "stop": end, "step": step}
    for name, value in bounds.items():
        bounds[name] = _scalar(f"arange {name}", value)
        if not math.isfinite(bounds[name]):
            raise ValueError(f"arange {name} must be finite, got {value}")
    start, end, step = bounds.values()
    if step == 0:
        raise ValueError("arange step must not be zero")
    integral = all(isinstance(v, numbers.Integral) for v in bounds.values())
    values = np.arange(start, end, step, dtype=np.int64 if integral else np.float64)
    if dtype is None:
        dtype = np.int64 if integral else dtypes.default_float_dtype()
    return _made(values.astype(dtypes.resolve(dtype)), device, requires_grad)


def _steps(name: str, steps: Any) -> int:
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise TypeError(f"{name} steps must be an int, got {steps!r}")
    if steps < 0:
        raise ValueError(f"{name} steps must be non-negative, got {steps}")
    return int(steps)


def _even_points(start: float, end: float, steps: int, dtype: np.dtype) -> np.ndarray:
    """``steps`` points from ``start`` to ``end``, in PyTorch's order of rounding: the first
    half counted up from ``start``, the second half down from ``end``, so both ends are
    exact and the points are symmetric."""
    work = dtype if dtype.kind == "f" else np.dtype(np.float64)
    start, end = work.type(start), work.type(end)
    if steps == 1:
        return np.array([start], dtype=work)
    step = (end - start) / work.type(steps - 1)
    index = np.arange(steps)
    up = start + step * index.astype(work)
    down = end - step * (steps - 1 - index).astype(work)
    return np.where(index < steps // 2, up, down)


def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    start, end = _scalar("linspace start", start), _scalar("linspace end", end)
    dtype = _float_dtype(dtype)
    points = _even_points(start, end, _steps("linspace", steps), dtype)
    return _made(points.astype(dtype), device, requires_grad)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``: values evenly spaced on a log scale."""
    start, end = _scalar("logspace start", start), _scalar("logspace end", end)
    base = _scalar("logspace base", base)
    dtype = _float_dtype(dtype)
    exponents = _even_points(start, end, _steps("logspace", steps), dtype)
    return _made(np.power(exponents.dtype.type(base), exponents).astype(dtype), device,
                 requires_grad)


# ---------------------------------------------------------------- random


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False, **shape_kw: Any) -> Tensor:
    """Uniform samples in [0, 1)."""
    shape = _size(size, _size_kw(shape_kw, "rand"))
    return _made(_numpy_generator(generator).random(shape).astype(_float_dtype(dtype)), device,
                 requires_grad)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None,
          device: Any = None, requires_grad: bool = False, **shape_kw: Any) -> Tensor:
    """Standard normal samples (mean 0, standard deviation 1)."""
    shape = _size(size, _size_kw(shape_kw, "randn"))
    samples = _numpy_generator(generator).standard_normal(shape)
    return _made(samples.astype(_float_dtype(dtype)), device, requires_grad)


def _bounds(name: str, args: tuple, low: Any, high: Any) -> tuple[int, int]:
    """PyTorch's ``(high)`` / ``(low, high)`` argument forms as ``(low, high)``."""
    if len(args) > 2:
        raise TypeError(f"{name} takes (high, size) or (low, high, size), got {len(args)} bounds")
    if len(args) == 2:
        low, high = args
    elif len(args) == 1 and high is None:
        high = args[0]
    elif len(args) == 1:
        low = args[0]
    low = 0 if low is None else low
    if high is None:
        raise TypeError(f"{name} needs high (the bound it stays below)")
    low, high = _scalar(f"{name} low", low), _scalar(f"{name} high", high)
    if not low < high:
        raise ValueError(f"{name} needs low < high, got low={low}, high={high}")
    return int(low), int(high)


def randint(*args: Any, size: Any = None, low: Any = None, high: Any = None,
            generator: Generator | None = None, dtype: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """Random integers in [low, high): ``randint(10, (3,))`` or ``randint(0, 10, (3,))``.

    As PyTorch, the shape is the last positional argument unless given as ``size=``;
    the result is int64 unless ``dtype=`` says otherwise.
    """
    if size is None:
        if not args or (len(args) == 1 and high is None):
            raise TypeError("randint needs a size: randint(high, size) or randint(low, high, size)")
        *args, size = args
    low, high = _bounds("randint", tuple(args), low, high)
    shape = _size((size,))
    values = _numpy_generator(generator).integers(low, high, size=shape)
    return _made(values.astype(dtypes.resolve(np.int64 if dtype is None else dtype)), device,
                 requires_grad)


def rand_like(input: Any, *, generator: Generator | None = None,  # noqa: A002
              dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) with ``input``'s shape, dtype and device (unless given)."""
    source = _like(input, "rand_like")
    return rand(source.shape, generator=generator, dtype=source.dtype if dtype is None else dtype,
                device=source.device if device is None else device, requires_grad=requires_grad)


def randn_like(input: Any, *, generator: Generator | None = None,  # noqa: A002
               dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples with ``input``'s shape, dtype and device (unless given)."""
    source = _like(input, "randn_like")
    return randn(source.shape, generator=generator, dtype=source.dtype if dtype is None else dtype,
                 device=source.device if device is None else device,
                 requires_grad=requires_grad)


def randint_like(input: Any, *args: Any, low: Any = None, high: Any = None,  # noqa: A002
                 generator: Generator | None = None, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
    """Random integers in [low, high) with ``input``'s shape, dtype and device, as PyTorch:
    ``randint_like(x, 10)`` or ``randint_like(x, 0, 10)``."""
    source = _like(input, "randint_like")
    low, high = _bounds("randint_like", args, low, high)
    return randint(low, high, source.shape, generator=generator,
                   dtype=source.dtype if dtype is None else dtype,
                   device=source.device if device is None else device,
                   requires_grad=requires_grad)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype=``)."""
    (count,) = _size((n,))
    values = _numpy_generator(generator).permutation(count)
    return _made(values.astype(dtypes.resolve(np.int64 if dtype is None else dtype)), device,
                 requires_grad)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *,
           generator: Generator | None = None, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Normal samples with the given ``mean`` and ``std``, as ``torch.normal``.

    With a Tensor mean and/or std, one sample per element of their broadcast shape
    (each with its own mean and std); with two numbers, ``size=`` gives the shape.
    """
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    if tensors:
        if size is not None:
            raise TypeError("normal: give size= only with a number mean and std")
        means, stds = (np.asarray(t.numpy() if isinstance(t, Tensor) else _scalar(name, t),
                                  dtype=np.float64)
                       for name, t in (("normal mean", mean), ("normal std", std)))
        shape = np.broadcast_shapes(means.shape, stds.shape)
        if dtype is None:
            dtype = np.result_type(*(t.dtype for t in tensors))
        if device is None:
            device = tensors[0].device
    else:
        if size is None:
            raise TypeError("normal with a number mean and std needs size=, the output's shape")
        means = np.float64(_scalar("normal mean", mean))
        stds = np.float64(_scalar("normal std", std))
        shape = _size((size,))
    if np.any(stds < 0):
        raise ValueError(f"normal needs std >= 0, got {stds.min()}")
    values = means + stds * _numpy_generator(generator).standard_normal(shape)
    return _made(values.astype(_float_dtype(dtype)), device, requires_grad)


def bernoulli(input: Any, p: Any = None, *, generator: Generator | None = None) -> Tensor:  # noqa: A002
    """1 with probability ``input`` (elementwise; or ``p`` for every element), else 0,
    in ``input``'s dtype; not differentiable."""
    source = _like(input, "bernoulli")
    if source.dtype.kind != "f":
        raise TypeError(f"bernoulli needs floating probabilities, got {source.dtype}")
    probs = source.numpy() if p is None else np.float64(_scalar("bernoulli p", p))
    if not np.all((probs >= 0) & (probs <= 1)):
        raise ValueError("bernoulli needs probabilities in [0, 1]")
    draws = _numpy_generator(generator).random(source.shape) < probs
    return _made(draws.astype(source.dtype), source.device, False)


def multinomial(input: Any, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: Generator | None = None) -> Tensor:
    """Category indices drawn with probability proportional to ``input``'s weights.

    ``input`` holds non-negative weights (one distribution, or one per row of a
    matrix); without ``replacement`` no index repeats within a row. int64 result.
    """
    source = _like(input, "multinomial")
    if source.ndim not in (1, 2):
        raise ValueError(f"multinomial needs a 1-D or 2-D tensor of weights, got {source.shape}")
    weights = np.atleast_2d(source.numpy()).astype(np.float64)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError("multinomial needs finite, non-negative weights")
    (count,) = _size((num_samples,))
    if count == 0:
        raise ValueError("multinomial needs num_samples > 0")
    totals = weights.sum(axis=1, keepdims=True)
    if np.any(totals == 0):
        raise ValueError("multinomial needs each distribution to have a positive weight")
    if not replacement and np.any((weights > 0).sum(axis=1) < count):
        raise ValueError(
            f"multinomial without replacement cannot draw {count} samples from a distribution "
            f"with fewer categories of positive weight ({(weights > 0).sum(axis=1).min()})"
        )
    rng = _numpy_generator(generator)
    rows = [rng.choice(weights.shape[1], size=count, replace=replacement, p=row)
            for row in weights / totals]
    samples = np.array(rows, dtype=np.int64).reshape(source.shape[:-1] + (count,))
    return _made(samples, source.device, False)
