"""Run a corpus program with real PyTorch or with tinygrad_nn standing in for it, and compare.

A corpus program is an ordinary PyTorch script (`import torch`, `import torch.nn as nn`,
`from torch.utils.data import DataLoader`...). It checks its own invariants with `assert`
(loss fell, accuracy reached, manual gradients equal autograd's) and leaves the numbers
that must agree between the two backends in a module-level dict named `results`.
Floating numbers must agree to the rounding of their dtype.

`torch_is_tinygrad_nn()` makes `torch` and every `torch.<sub>` import resolve to
`tinygrad_nn` and `tinygrad_nn.<sub>` while a program runs, then puts real torch back.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import io
import math
import re
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

CORPUS = Path(__file__).resolve().parent
PROGRAMS = sorted(CORPUS.glob("p[0-9][0-9]_*.py"))

# float32 rounding, and float64 rounding, for numbers compared between the backends.
FLOAT32_TOLERANCE = {"rtol": 1e-5, "atol": 1e-6}
FLOAT64_TOLERANCE = {"rtol": 1e-10, "atol": 1e-12}


def _is_torch_name(name: str) -> bool:
    return name == "torch" or name.startswith("torch.")


class _TorchToTinygradNN(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolve `torch[.sub]` to the already-importable `tinygrad_nn[.sub]` module object."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if not _is_torch_name(fullname):
            return None
        counterpart = "tinygrad_nn" + fullname[len("torch") :]
        try:
            module = importlib.import_module(counterpart)
        except ModuleNotFoundError as error:
            raise ModuleNotFoundError(
                f"{fullname} has no tinygrad_nn counterpart: {error}", name=fullname
            ) from None
        is_package = hasattr(module, "__path__")
        spec = importlib.machinery.ModuleSpec(fullname, self, is_package=is_package)
        spec.loader_state = module
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return spec.loader_state

    def exec_module(self, module: ModuleType) -> None:
        """The tinygrad_nn module ran when it was first imported; nothing more to do."""


@contextlib.contextmanager
def torch_is_tinygrad_nn() -> Iterator[None]:
    """Within the block, `import torch[.sub]` gives `tinygrad_nn[.sub]`; afterwards real torch."""
    saved = {name: mod for name, mod in sys.modules.items() if _is_torch_name(name)}
    for name in saved:
        del sys.modules[name]
    finder = _TorchToTinygradNN()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in [name for name in sys.modules if _is_torch_name(name)]:
            del sys.modules[name]
        sys.modules.update(saved)


def _numbers(value: Any) -> Any:
    """Tensors become numpy arrays, containers recurse; anything else is kept as it is."""
    if isinstance(value, dict):
        return {key: _numbers(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_numbers(item) for item in value]
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return np.array(value.detach().numpy())
    if isinstance(value, np.generic):
        return np.array(value)
    return value


@contextlib.contextmanager
def _one_torch_thread() -> Iterator[None]:
    """Real torch on one thread: the programs' tensors are tiny, and threads fight on a busy box."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def run_program(path: Path, backend: str) -> dict[str, Any]:
    """Run one program under `backend` ("torch" or "tinygrad_nn"); its results as numbers."""
    if backend not in ("torch", "tinygrad_nn"):
        raise ValueError(f"backend must be 'torch' or 'tinygrad_nn', got {backend!r}")
    switch = torch_is_tinygrad_nn() if backend == "tinygrad_nn" else _one_torch_thread()
    with switch, contextlib.redirect_stdout(io.StringIO()):
        namespace = runpy.run_path(str(path), run_name="__main__")
    if "results" not in namespace:
        raise AssertionError(f"{path.name} left no `results` dict")
    return _numbers(namespace["results"])


# str() of a torch dtype, e.g. 'torch.float32'
_DTYPE_NAME = re.compile(r"torch\.(float|int|uint|bool|complex|bfloat)\w*")


def assert_same_numbers(expected: Any, actual: Any, where: str) -> None:
    """`actual` (tinygrad_nn) equals `expected` (PyTorch): same kinds, shapes, dtypes, values."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected a dict, got {type(actual).__name__}"
        assert list(actual) == list(expected), f"{where}: keys {list(actual)} != {list(expected)}"
        for key in expected:
            assert_same_numbers(expected[key], actual[key], f"{where}[{key!r}]")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a sequence, got {actual!r}"
        assert len(actual) == len(expected), f"{where}: length {len(actual)} != {len(expected)}"
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            assert_same_numbers(want, got, f"{where}[{index}]")
    elif isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray), (
            f"{where}: expected a tensor, got {type(actual).__name__} {actual!r}"
        )
        assert actual.shape == expected.shape, f"{where}: shape {actual.shape} != {expected.shape}"
        assert actual.dtype == expected.dtype, f"{where}: dtype {actual.dtype} != {expected.dtype}"
        if expected.dtype.kind == "f":
            tolerance = FLOAT64_TOLERANCE if expected.dtype == np.float64 else FLOAT32_TOLERANCE
            np.testing.assert_allclose(actual, expected, **tolerance, err_msg=where)
        else:
            np.testing.assert_array_equal(actual, expected, err_msg=where)
    else:
        assert type(actual) is type(expected), (
            f"{where}: expected {type(expected).__name__} {expected!r}, "
            f"got {type(actual).__name__} {actual!r}"
        )
        if isinstance(expected, float):
            rtol, atol = FLOAT32_TOLERANCE["rtol"], FLOAT32_TOLERANCE["atol"]
            assert math.isclose(actual, expected, rel_tol=rtol, abs_tol=atol), (
                f"{where}: {actual!r} != {expected!r}"
            )
        elif isinstance(expected, str) and _DTYPE_NAME.fullmatch(expected):
            # the one deliberate difference a program can print (docs/differences.md):
            # dtypes are numpy's, so str(t.dtype) is 'float32' where PyTorch says
            # 'torch.float32'; the dtype itself must still be the same
            assert actual == expected.removeprefix("torch."), f"{where}: {actual!r} != {expected!r}"
        else:
            assert actual == expected, f"{where}: {actual!r} != {expected!r}"
