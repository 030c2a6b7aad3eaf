"""tg.load of damaged or foreign files: a clear ValueError, and nothing in the file ever runs."""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import nn

load, save = tg.load, tg.save


class MarkerPayload:
    """Unpickling this creates a marker file: proof that the loader ran code from the file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.fixture
def marker(tmp_path):
    path = tmp_path / "pwned"
    yield path
    assert not path.exists(), "loading the file executed code from it"


@pytest.fixture
def good_file(tmp_path) -> Path:
    state = {"0.weight": np.arange(12, dtype=np.float32).reshape(3, 4), "0.bias": np.ones(3)}
    return Path(save(state, tmp_path / "good"))


def test_a_good_file_loads(good_file):
    loaded = load(good_file)
    assert list(loaded) == ["0.weight", "0.bias"]
    np.testing.assert_array_equal(loaded["0.weight"], np.arange(12).reshape(3, 4))


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        load(tmp_path / "absent.npz")


def test_directory_raises_is_a_directory(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a directory"):
        load(tmp_path)


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9, 0.99])
def test_truncated_file_raises_value_error(tmp_path, good_file, fraction):
    data = good_file.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ValueError, match=r"tg\.load: .*(truncated|not an \.npz)"):
        load(cut)


def test_truncated_by_one_byte_raises_value_error(tmp_path, good_file):
    cut = tmp_path / "cut.npz"
    cut.write_bytes(good_file.read_bytes()[:-1])
    with pytest.raises(ValueError, match=r"tg\.load"):
        load(cut)


def _flip(path: Path, where: int) -> None:
    data = bytearray(path.read_bytes())
    data[where] ^= 0xFF
    path.write_bytes(bytes(data))


def _offset_of(path: Path, needle: bytes) -> int:
    data = path.read_bytes()
    assert needle in data
    return data.index(needle)


@pytest.mark.parametrize(
    "needle",
    [
        pytest.param(b"\x93NUMPY", id="npy-magic"),
        pytest.param(b"'descr'", id="npy-header"),
        pytest.param(b"0.weight.npy", id="member-name"),
        pytest.param(b"PK\x01\x02", id="central-directory"),
    ],
)
def test_corrupted_byte_raises_value_error(good_file, needle):
    _flip(good_file, _offset_of(good_file, needle) + 2)
    with pytest.raises(ValueError, match=r"tg\.load"):
        load(good_file)


def test_corrupted_array_data_is_caught_by_the_checksum(good_file):
    data = good_file.read_bytes()
    # the float32 payload of 0.weight: 12 values 0..11 stored after its .npy header
    payload = np.arange(12, dtype=np.float32).tobytes()
    _flip(good_file, data.index(payload) + 20)
    with pytest.raises(ValueError, match="corrupted"):
        load(good_file)


def test_pickled_object_array_is_refused_without_running_it(tmp_path, marker):
    path = tmp_path / "evil.npz"
    np.savez(path, weight=np.array([MarkerPayload(marker)], dtype=object))
    with pytest.raises(ValueError, match="pickle"):
        load(path)


def test_plain_pickle_file_is_refused_without_running_it(tmp_path, marker):
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps({"weight": MarkerPayload(marker)}))
    with pytest.raises(ValueError, match="not an .npz"):
        load(path)


def test_npy_with_pickled_object_is_refused_without_running_it(tmp_path, marker):
    path = tmp_path / "evil.npy"
    np.save(path, np.array([MarkerPayload(marker)], dtype=object))
    with pytest.raises(ValueError, match="not an .npz"):
        load(path)


def test_zip_with_pickle_member_named_npy_is_refused_without_running_it(tmp_path, marker):
    path = tmp_path / "evil.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("weight.npy", pickle.dumps(MarkerPayload(marker)))
    with pytest.raises(ValueError, match="tg.load"):
        load(path)


def test_torch_checkpoint_is_refused_without_running_it(tmp_path, marker):
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.pt"
    torch.save({"weight": torch.ones(2), "payload": MarkerPayload(marker)}, path)
    with pytest.raises(ValueError, match="not a tg.save file"):
        load(path)


def test_single_npy_file_is_refused(tmp_path):
    path = tmp_path / "weights.npy"
    np.save(path, np.ones(3))
    with pytest.raises(ValueError, match="not an .npz"):
        load(path)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"weight,bias\n1.0,2.0\n", id="csv"),
        pytest.param("ünïcödé text\n".encode(), id="text"),
        pytest.param(bytes(range(256)) * 4, id="binary-noise"),
    ],
)
def test_foreign_file_raises_value_error(tmp_path, content):
    path = tmp_path / "foreign.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="not an .npz"):
        load(path)


def test_zip_without_npy_members_raises_value_error(tmp_path):
    path = tmp_path / "notes.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match="not a .npy array"):
        load(path)


def test_empty_zip_loads_as_an_empty_state_dict(tmp_path):
    path = tmp_path / "empty.npz"
    with zipfile.ZipFile(path, "w"):
        pass
    assert dict(load(path)) == {}


@pytest.mark.parametrize(
    "array",
    [
        pytest.param(np.array(["a", "b"]), id="strings"),
        pytest.param(np.zeros(2, dtype=[("x", "f4"), ("y", "i4")]), id="records"),
        pytest.param(np.array([b"raw"]), id="bytes"),
    ],
)
def test_npz_of_non_numeric_arrays_raises_value_error(tmp_path, array):
    path = tmp_path / "other.npz"
    np.savez(path, weight=array)
    with pytest.raises(ValueError, match="tg.load"):
        load(path)


def test_model_refuses_a_damaged_checkpoint_and_keeps_its_weights(tmp_path):
    model = nn.Linear(3, 2)
    before = model.state_dict()
    path = Path(save(before, tmp_path / "ckpt"))
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(ValueError):
        model.load_state_dict(load(path))
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_loading_a_good_file_never_calls_pickle(good_file, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("tg.load unpickled something")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    assert len(load(good_file)) == 2
