"""tg.load of damaged or foreign files: a clear ValueError, and nothing in the file ever runs."""

from __future__ import annotations

import io
import json
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
        pytest.param(b"arrays/0.npy", id="member-name"),
        pytest.param(b'"format"', id="manifest"),
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


# --- hostile manifests: files shaped like tg.save's, with a manifest or arrays that lie -----


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def write_checkpoint(
    path: Path, root, arrays=(), header=None, manifest: bytes | None = None
) -> Path:
    """A zip laid out as tg.save's, with a manifest and arrays written by hand."""
    if manifest is None:
        manifest = json.dumps(
            header
            if header is not None
            else {"format": "tinygrad_nn.save", "version": 1, "object": root}
        ).encode()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", manifest)
        for index, content in enumerate(arrays):
            if isinstance(content, np.ndarray):
                content = npy_bytes(content)
            archive.writestr(f"arrays/{index}.npy", content)
    return path


def tensor_node(index, **fields):
    return {"kind": "tensor", "array": index, **fields}


def test_a_hand_written_checkpoint_loads(tmp_path):
    root = {"kind": "dict", "items": [["w", tensor_node(0)], ["epoch", 2]]}
    loaded = load(write_checkpoint(tmp_path / "ok.pt", root, [np.ones(3)]))
    assert loaded["epoch"] == 2
    np.testing.assert_array_equal(loaded["w"].numpy(), np.ones(3))


@pytest.mark.parametrize(
    ("root", "arrays", "message"),
    [
        pytest.param(
            tensor_node(3),
            [np.ones(2)],
            "points at 'arrays/3.npy', which the file does not hold",
            id="missing-array",
        ),
        pytest.param(
            {"kind": "ndarray", "array": -1},
            [np.ones(2)],
            "no valid array number: -1",
            id="negative-index",
        ),
        pytest.param(
            {"kind": "ndarray", "array": "0"},
            [np.ones(2)],
            "no valid array number: '0'",
            id="string-index",
        ),
        pytest.param(
            {"kind": "ndarray", "array": True},
            [np.ones(2)],
            "no valid array number: True",
            id="bool-index",
        ),
        pytest.param(
            {"kind": "ndarray"}, [np.ones(2)], "no valid array number: None", id="no-index"
        ),
        pytest.param(
            {"kind": "pickle", "data": "gASV"}, [], "unknown kind 'pickle'", id="unknown-kind"
        ),
        pytest.param({"items": []}, [], "unknown kind None", id="no-kind"),
        pytest.param(
            {"kind": "list", "items": [1, {"kind": "module"}]},
            [],
            r"unknown kind 'module' at the top level\[1\]",
            id="unknown-kind-inside",
        ),
        pytest.param([1, 2], [], "bare list at the top level", id="bare-list"),
        pytest.param(
            {"kind": "list", "items": "abc"}, [], "no list of items", id="items-not-a-list"
        ),
        pytest.param(
            {"kind": "dict", "items": [["a"]]},
            [],
            r"no list of \[key, value\] pairs",
            id="dict-pair",
        ),
        pytest.param(
            {"kind": "dict", "items": [[{"kind": "list", "items": []}, 1]]},
            [],
            "has a list key",
            id="unhashable-key",
        ),
        pytest.param(
            {"kind": "numpy_scalar", "array": 0},
            [np.ones(2)],
            r"numpy scalar at the top level has shape \(2,\)",
            id="scalar-shape",
        ),
        pytest.param(
            tensor_node(0, requires_grad=True),
            [np.arange(2)],
            "int64 tensor at the top level requires_grad",
            id="int-requires-grad",
        ),
        pytest.param(
            tensor_node(0, requires_grad="yes"),
            [np.ones(2)],
            "invalid tensor fields",
            id="requires-grad-type",
        ),
        pytest.param(
            tensor_node(0, device="tpu"), [np.ones(2)], "unknown device 'tpu'", id="unknown-device"
        ),
        pytest.param(tensor_node(0), [np.array([b"raw"])], "not a numeric array", id="bytes-array"),
        pytest.param(
            tensor_node(0),
            [np.zeros(2, dtype=[("x", "f4")])],
            "not a numeric array",
            id="record-array",
        ),
        pytest.param(
            tensor_node(0), [b"not an npy file"], "truncated or corrupted", id="array-not-npy"
        ),
    ],
)
def test_a_manifest_that_lies_raises_value_error_saying_what_is_wrong(
    tmp_path, root, arrays, message
):
    path = write_checkpoint(tmp_path / "bad.pt", root, arrays)
    with pytest.raises(ValueError, match=message):
        load(path)


def test_an_object_array_in_the_new_format_is_refused_without_running_it(tmp_path, marker):
    evil = io.BytesIO()
    np.lib.format.write_array(
        evil, np.array([MarkerPayload(marker)], dtype=object), allow_pickle=True
    )
    path = write_checkpoint(tmp_path / "evil.pt", tensor_node(0), [evil.getvalue()])
    with pytest.raises(ValueError, match="pickled Python objects"):
        load(path)


def npy_claiming(shape, payload: bytes) -> bytes:
    """A float64 .npy whose header claims ``shape`` but whose data is ``payload``."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f8", "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue() + payload


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ((9,), r"claims shape \(9,\) of float64 \(72 bytes\) but holds 32 bytes"),
        ((10**13,), r"claims shape \(10000000000000,\) of float64 \(80000000000000 bytes\)"),
        ((2,), r"claims shape \(2,\) of float64 \(16 bytes\) but holds 32 bytes"),
    ],
    ids=["more-than-held", "huge-never-allocated", "less-than-held"],
)
def test_an_array_header_that_disagrees_with_its_data_is_refused(tmp_path, shape, message):
    payload = np.ones(4).tobytes()
    path = write_checkpoint(tmp_path / "lying.pt", tensor_node(0), [npy_claiming(shape, payload)])
    with pytest.raises(ValueError, match=message):
        load(path)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        pytest.param(b"{not json", "manifest is not valid JSON", id="not-json"),
        pytest.param(b"\xff\xfe\x00", "manifest is not valid JSON", id="not-utf8"),
        pytest.param(b"[]", "does not name the format", id="json-list"),
        pytest.param(
            json.dumps({"format": "other"}).encode(), "does not name the format", id="other-format"
        ),
        pytest.param(
            json.dumps({"format": "tinygrad_nn.save", "version": 99, "object": 1}).encode(),
            "format version 99",
            id="newer-version",
        ),
        pytest.param(
            json.dumps({"format": "tinygrad_nn.save", "version": 1}).encode(),
            "no 'object' entry",
            id="no-object",
        ),
        pytest.param(
            b"[" * 100000 + b"]" * 100000, "nested too deeply|does not name", id="deep-json"
        ),
    ],
)
def test_a_damaged_manifest_raises_value_error(tmp_path, manifest, message):
    path = write_checkpoint(tmp_path / "bad.pt", None, manifest=manifest)
    with pytest.raises(ValueError, match=message):
        load(path)


def test_a_deeply_nested_manifest_is_refused(tmp_path):
    root = 1
    for _ in range(150):
        root = {"kind": "list", "items": [root]}
    path = write_checkpoint(tmp_path / "deep.pt", root)
    with pytest.raises(ValueError, match="nested more than 100 levels"):
        load(path)


def test_a_huge_manifest_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    from tinygrad_nn import serialization

    monkeypatch.setattr(serialization, "_MAX_MANIFEST_BYTES", 1000)
    root = {"kind": "list", "items": list(range(1000))}
    path = write_checkpoint(tmp_path / "huge.pt", root)
    with pytest.raises(ValueError, match="manifest is larger than 1000 bytes"):
        load(path)


def test_a_compressed_manifest_that_hides_its_size_is_refused(tmp_path, monkeypatch):
    from tinygrad_nn import serialization

    monkeypatch.setattr(serialization, "_MAX_MANIFEST_BYTES", 1000)
    manifest = json.dumps(
        {"format": "tinygrad_nn.save", "version": 1, "object": " " * 5000}
    ).encode()
    path = tmp_path / "bomb.pt"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest)
    # Rewrite the recorded sizes to claim a tiny manifest; the real size shows only when read.
    data = bytearray(path.read_bytes())
    size = len(manifest).to_bytes(4, "little")
    for start in (22, data.index(b"PK\x01\x02") + 24):
        assert data[start : start + 4] == size
        data[start : start + 4] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="larger than 1000 bytes|truncated or corrupted"):
        load(path)


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.95])
def test_a_truncated_checkpoint_raises_value_error(tmp_path, fraction):
    path = tmp_path / "ckpt.pt"
    save({"model": {"w": np.ones((10, 10))}, "epoch": 1}, path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ValueError, match=r"tg\.load: .*(truncated|not an \.npz)"):
        load(path)
