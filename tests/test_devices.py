"""Device plumbing (API.md §8) tested on the CPU.

Without CuPy, asking for "cuda" must raise a RuntimeError that says why. The rest of
the plumbing (device of results, mixing errors, .to/.cpu, a GPU model's state_dict
keeping its device while tg.save writes host data) is exercised with a stand-in CuPy:
a numpy subclass living in a module called ``cupy``. It checks the bookkeeping, not GPU
arithmetic; real-GPU runs are the "cuda" rows of the op tables, which skip only when no
GPU is present.
"""

from __future__ import annotations

import sys
import types
import zipfile

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import nn


def _has_real_cupy() -> bool:
    try:
        import cupy  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(_has_real_cupy(), reason="CuPy is installed: the missing-CuPy path can't run")
class TestWithoutCupy:
    def test_cuda_tensor_without_cupy_says_to_install_it(self):
        with pytest.raises(RuntimeError, match="CuPy"):
            tg.Tensor([1.0], device="cuda")

    def test_to_cuda_without_cupy_raises_runtime_error(self):
        with pytest.raises(RuntimeError, match="cuda"):
            tg.ones(2).to("cuda")

    def test_module_to_cuda_without_cupy_raises_and_leaves_module_on_cpu(self):
        layer = nn.Linear(2, 2)
        with pytest.raises(RuntimeError, match="CuPy"):
            layer.to("cuda")
        assert layer.weight.device == "cpu"

    def test_cpu_needs_numpy_only(self):
        t = tg.Tensor([1.0, 2.0], device="cpu")
        assert t.device == "cpu" and type(t.numpy()) is np.ndarray


def test_unknown_device_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="tpu"):
        tg.Tensor([1.0], device="tpu")


class _FakeGpuArray(np.ndarray):
    """Stands in for cupy.ndarray: a distinct array type with .get() to the host."""

    def get(self) -> np.ndarray:
        return np.asarray(self).view(np.ndarray).copy()


_FakeGpuArray.__module__ = "cupy"


@pytest.fixture
def fake_cupy(monkeypatch):
    module = types.ModuleType("cupy")
    module.ndarray = _FakeGpuArray
    module.asarray = lambda a, dtype=None: np.array(a, dtype=dtype).view(_FakeGpuArray)
    module.zeros = lambda shape, dtype=float: np.zeros(shape, dtype).view(_FakeGpuArray)
    module.ones_like = lambda a: np.ones_like(np.asarray(a)).view(_FakeGpuArray)
    module.broadcast_to = lambda a, shape: np.broadcast_to(a, shape).view(_FakeGpuArray)
    module.cuda = types.SimpleNamespace(
        runtime=types.SimpleNamespace(getDeviceCount=lambda: 1)
    )
    monkeypatch.setitem(sys.modules, "cupy", module)
    return module


def test_results_stay_on_the_device_of_their_inputs(fake_cupy):
    x = tg.Tensor([1.0, 2.0], device="cuda", requires_grad=True)
    y = (x * 3).sum()
    assert x.device == y.device == "cuda"
    y.backward()
    assert x.grad.device == "cuda"
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_mixing_devices_names_both(fake_cupy):
    gpu = tg.Tensor([1.0], device="cuda")
    cpu = tg.Tensor([1.0])
    with pytest.raises(RuntimeError, match="cuda.*cpu|cpu.*cuda"):
        gpu + cpu
    with pytest.raises(RuntimeError, match="cuda.*cpu|cpu.*cuda"):
        tg.cat([cpu, gpu])


def test_to_and_cpu_move_data_and_gradients_flow_back(fake_cupy):
    x = tg.Tensor([1.0, -2.0], requires_grad=True)
    on_gpu = x.to("cuda")
    assert on_gpu.device == "cuda" and type(on_gpu._data).__module__ == "cupy"
    back = (on_gpu * on_gpu).cpu()
    assert back.device == "cpu" and type(back._data) is np.ndarray
    back.sum().backward()
    assert x.grad.device == "cpu"
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, -4.0])


def test_numpy_of_a_gpu_tensor_is_a_host_array(fake_cupy):
    t = tg.Tensor([1.0, 2.0], device="cuda")
    assert type(t.numpy()) is np.ndarray
    assert type(np.asarray(t)) is np.ndarray


def test_state_dict_of_a_gpu_model_keeps_the_device_and_saves_host_data(fake_cupy, tmp_path):
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)).to("cuda")
    state = model.state_dict()
    # as PyTorch: detached Tensors on the model's device, sharing the parameters' memory
    assert all(type(v) is tg.Tensor and v.device == "cuda" for v in state.values())
    assert all(not v.requires_grad for v in state.values())
    assert state["0.weight"]._data is model[0].weight._data
    path = tg.save(state, tmp_path / "gpu_model")
    with zipfile.ZipFile(path) as archive:
        arrays = [name for name in archive.namelist() if name.endswith(".npy")]
        assert len(arrays) == len(state)
        for name in arrays:
            with archive.open(name) as member:
                assert type(np.load(member)) is np.ndarray
    loaded = tg.load(path)
    for key, value in state.items():
        assert loaded[key].device == "cuda"
        np.testing.assert_array_equal(loaded[key].numpy(), value.numpy())


def _real_gpu() -> bool:
    """CuPy importable and a CUDA device visible (the only case the "cuda" rows can run)."""
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def test_every_op_of_the_table_gives_the_same_values_and_gradients_on_cuda():
    """The op table run on "cuda" against "cpu": forward values and every input's gradient."""
    if not _real_gpu():
        pytest.skip("needs a GPU (CuPy and a CUDA device)")
    from opcases import CASES, tinygrad_args

    for case in CASES:
        results = {}
        for device in ("cpu", "cuda"):
            args = [
                tg.Tensor(a.numpy(), device=device, requires_grad=a.requires_grad)
                if isinstance(a, tg.Tensor) else a
                for a in tinygrad_args(case, np.float64)
            ]
            leaves = [a for a in args if isinstance(a, tg.Tensor) and a.requires_grad]
            out = case.fn(tg, *args)
            assert out.device == device, case.id
            out.sum().backward()
            results[device] = (out.numpy(), [leaf.grad.numpy() for leaf in leaves])
        (cpu_out, cpu_grads), (gpu_out, gpu_grads) = results["cpu"], results["cuda"]
        np.testing.assert_allclose(gpu_out, cpu_out, rtol=1e-10, atol=1e-12, err_msg=case.id)
        for gpu_grad, cpu_grad in zip(gpu_grads, cpu_grads, strict=True):
            np.testing.assert_allclose(gpu_grad, cpu_grad, rtol=1e-9, atol=1e-12,
                                       err_msg=case.id)
