"""Devices by PyTorch's names: ``tg.device``, ``tg.cuda``, ``tg.accelerator``, the default.

A ``tg.device`` is a ``str`` (``"cpu"``, ``"cuda"``, ``"cuda:0"``) with PyTorch's
``.type`` and ``.index``, so it goes wherever a device string goes and compares
equal to one. Which array library serves a device is ``backend``'s business;
this module only names devices and answers PyTorch's availability questions,
and none of those questions raises when CuPy or a GPU is missing.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from . import backend


class device(str):  # noqa: N801 - PyTorch's name
    """A device name with PyTorch's attributes: ``tg.device("cuda:0").type == "cuda"``.

    >>> tg.device("cpu") == "cpu"
    True
    """

    type: str
    index: int | None

    def __new__(cls, type: Any, index: int | None = None) -> device:  # noqa: A002
        """``device("cpu")``, ``device("cuda:1")``, ``device("cuda", 1)`` or another device."""
        if isinstance(type, device) and index is None:
            return type
        if not isinstance(type, str):
            raise TypeError(f"device expects a string such as 'cpu' or 'cuda', got {type!r}")
        kind, _, number = type.partition(":")
        if kind not in backend.DEVICES:
            raise ValueError(f"unknown device {type!r}: expected 'cpu' or 'cuda' (or 'cuda:N')")
        if number:
            if index is not None:
                raise ValueError(f"device {type!r} already names an index; do not pass {index}")
            if not number.isdigit():
                raise ValueError(f"device index must be a non-negative int, got {type!r}")
            index = int(number)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise ValueError(f"device index must be a non-negative int, got {index!r}")
        self = super().__new__(cls, kind if index is None else f"{kind}:{index}")
        self.type, self.index = kind, index
        return self

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __reduce__(self) -> tuple:
        return device, (str(self),)


_default_device = device("cpu")


def set_default_device(target: Any) -> None:
    """Make ``target`` the device creation functions use when given no ``device=``.

    ``None`` restores ``"cpu"``. Asking for ``"cuda"`` without CuPy or a GPU raises
    ``RuntimeError`` saying why, at once rather than at the first tensor.
    """
    global _default_device
    chosen = device("cpu" if target is None else target)
    backend.normalize_device(chosen)
    _default_device = chosen


def get_default_device() -> device:
    """The device creation functions use when given no ``device=`` (``cpu`` at start)."""
    return _default_device


def resolve(target: Any) -> str:
    """The backend's device name for a creation function's ``device=`` (None: the default)."""
    return backend.normalize_device(_default_device if target is None else target)


# ---------------------------------------------------------------- tg.cuda


def _cuda_is_available() -> bool:
    """Whether ``"cuda"`` works here: CuPy imports and sees a GPU (never raises)."""
    try:
        backend.array_module("cuda")
    except Exception:  # CuPy's own errors vary with the driver; any of them means "no"
        return False
    return True


def _cuda_device_count() -> int:
    """How many GPUs CuPy sees (0 without CuPy or a GPU)."""
    if not _cuda_is_available():
        return 0
    return backend.array_module("cuda").cuda.runtime.getDeviceCount()


def _cuda_current_device() -> int:
    """The index of the GPU in use (raises RuntimeError without one, as PyTorch)."""
    return backend.array_module("cuda").cuda.runtime.getDevice()


def _cuda_get_device_name(index: Any = None) -> str:
    """The GPU's name, as the CUDA driver reports it."""
    cupy = backend.array_module("cuda")
    if index is None:
        number = _cuda_current_device()
    elif isinstance(index, str):
        number = device(index).index or 0
    else:
        number = int(index)
    name = cupy.cuda.runtime.getDeviceProperties(number)["name"]
    return name.decode() if isinstance(name, bytes) else name


def _cuda_synchronize(target: Any = None) -> None:
    """Wait for the GPU's queued work (nothing to wait for without a GPU)."""
    if _cuda_is_available():
        backend.array_module("cuda").cuda.Device().synchronize()


def _cuda_empty_cache() -> None:
    """Hand CuPy's cached, unused GPU blocks back to the driver (no-op without a GPU)."""
    if _cuda_is_available():
        backend.array_module("cuda").get_default_memory_pool().free_all_blocks()


def _cuda_manual_seed(seed: int) -> None:
    """Seed the random numbers of CUDA tensors: they are drawn on the CPU from the
    default generator, so this seeds ``tg.manual_seed``'s generator (PyTorch keeps two)."""
    from .random import manual_seed

    manual_seed(seed)


cuda = SimpleNamespace(
    is_available=_cuda_is_available,
    device_count=_cuda_device_count,
    current_device=_cuda_current_device,
    get_device_name=_cuda_get_device_name,
    synchronize=_cuda_synchronize,
    empty_cache=_cuda_empty_cache,
    manual_seed=_cuda_manual_seed,
    manual_seed_all=_cuda_manual_seed,
)
cuda.__doc__ = "PyTorch's ``torch.cuda`` questions, answered through CuPy (never raising)."


# ---------------------------------------------------------------- tg.accelerator


def _accelerator_current() -> device | None:
    """The accelerator ``device("cuda")`` when one works here, else None (CPU only)."""
    return device("cuda") if _cuda_is_available() else None


accelerator = SimpleNamespace(
    is_available=_cuda_is_available,
    current_accelerator=_accelerator_current,
    device_count=_cuda_device_count,
)
accelerator.__doc__ = "PyTorch's ``torch.accelerator``: CUDA through CuPy, or nothing."
