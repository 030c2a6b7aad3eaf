"""Which array library holds a tensor's data: numpy for ``"cpu"``, CuPy for ``"cuda"``.

Every op reaches its array library through this module, so a device is added
here and nowhere else.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np

DEVICES = ("cpu", "cuda")


def normalize_device(device: Any) -> str:
    """Return the canonical device name for ``device`` (``"cpu"`` or ``"cuda"``).

    ``"cuda:0"`` is accepted as ``"cuda"``. Asking for ``"cuda"`` without CuPy or a
    GPU raises ``RuntimeError`` saying why.
    """
    name = str(getattr(device, "type", device)).lower()
    if name.startswith("cuda"):
        name = "cuda"
    if name not in DEVICES:
        raise ValueError(f"unknown device {device!r}: expected 'cpu' or 'cuda'")
    if name == "cuda":
        _cupy()
    return name


def _cupy() -> ModuleType:
    """Import CuPy and check that a GPU is visible, or raise a RuntimeError saying why."""
    try:
        import cupy
    except ImportError as exc:
        raise RuntimeError(
            "device 'cuda' needs CuPy, which is not installed: "
            "pip install 'tinygrad_nn[cuda]' (and a CUDA-capable GPU)"
        ) from exc
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CuPy raises its own CUDARuntimeError without a driver
        raise RuntimeError(
            f"device 'cuda' is unavailable: CuPy found no usable GPU ({exc})"
        ) from exc
    if count == 0:
        raise RuntimeError("device 'cuda' is unavailable: CuPy found no GPU")
    return cupy


def array_module(device_or_array: Any) -> ModuleType:
    """The array library (numpy or cupy) for a device name or an array."""
    if isinstance(device_or_array, str):
        return _cupy() if normalize_device(device_or_array) == "cuda" else np
    if type(device_or_array).__module__.startswith("cupy"):
        return _cupy()
    return np


def device_of(array: Any) -> str:
    """The device name of an array."""
    return "cpu" if array_module(array) is np else "cuda"


def to_device(array: Any, device: str) -> Any:
    """Move ``array`` to ``device`` (a no-op when it is already there)."""
    if device_of(array) == device:
        return array
    if device == "cpu":
        return array.get()
    return _cupy().asarray(array)


def to_numpy(array: Any) -> np.ndarray:
    """A numpy array with the same values (copied off the GPU where needed)."""
    return array if array_module(array) is np else array.get()


_erf_scalar = np.vectorize(math.erf, otypes=[np.float64])


def erf(x: Any) -> Any:
    """The error function, elementwise, in ``x``'s dtype."""
    xp = array_module(x)
    if xp is not np:
        from cupyx.scipy.special import erf as cupy_erf

        return cupy_erf(x)
    return np.asarray(_erf_scalar(x), dtype=x.dtype)


def scatter_add(target: Any, index: Any, values: Any) -> None:
    """``target[index] += values`` with repeated indices accumulating (in place)."""
    xp = array_module(target)
    if xp is np:
        np.add.at(target, index, values)
    else:
        import cupyx

        cupyx.scatter_add(target, index, values)


def memory_owner(array: Any) -> Any:
    """The array that owns ``array``'s memory (``array`` itself unless it is a view)."""
    while isinstance(array.base, type(array)):
        array = array.base
    return array
