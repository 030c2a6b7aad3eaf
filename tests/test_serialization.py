"""tg.save / tg.load: PyTorch-style checkpoints that round-trip, and never unpickle anything."""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import nn, optim

torch = pytest.importorskip("torch")


def sample_state():
    rng = np.random.default_rng(0)
    return OrderedDict(
        [
            ("layers.0.weight", rng.normal(size=(4, 3)).astype(np.float32)),
            ("layers.0.bias", rng.normal(size=4)),
            ("embedding.weight", rng.integers(0, 9, size=(2, 2))),
            ("step", np.array(7)),
            ("mask", np.array([True, False])),
            ("small", np.array([1, 2], dtype=np.int16)),
        ]
    )


def write_legacy(state, path):
    """A file as the first tg.save wrote it: an .npz with one name.npy member per entry."""
    with zipfile.ZipFile(path, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for key, array in state.items():
            with archive.open(key + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
    return path


def assert_same_structure(loaded, saved):
    """Equal structure, types and values: what a round trip must give back."""
    if isinstance(saved, tg.Tensor):
        assert type(loaded) is type(saved)
        assert loaded.dtype == saved.dtype and loaded.requires_grad == saved.requires_grad
        np.testing.assert_array_equal(loaded.numpy(), saved.numpy())
    elif isinstance(saved, np.ndarray | np.generic):
        assert type(loaded) is type(saved) and loaded.dtype == saved.dtype
        np.testing.assert_array_equal(loaded, saved)
    elif isinstance(saved, dict):
        assert type(loaded) is type(saved) and list(loaded) == list(saved)
        for key in saved:
            assert_same_structure(loaded[key], saved[key])
    elif isinstance(saved, list | tuple):
        assert type(loaded) is type(saved) and len(loaded) == len(saved)
        for mine, theirs in zip(loaded, saved, strict=True):
            assert_same_structure(mine, theirs)
    elif isinstance(saved, float) and math.isnan(saved):
        assert isinstance(loaded, float) and math.isnan(loaded)
    else:
        assert type(loaded) is type(saved) and loaded == saved


def test_a_pytorch_style_checkpoint_round_trips(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    model(tg.randn(5, 3)).sum().backward()
    optimizer.step()
    checkpoint = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "epoch": 3,
        "loss": 0.25,
        "best": None,
        "name": "mlp",
        "history": [1.0, 0.5, float("nan"), float("inf")],
        "shape": (3, 4),
        "flags": {"amp": False, 7: "seven", (1, "a"): -1, None: 2.5},
        "big": 2**80,
    }
    tg.save(checkpoint, tmp_path / "ckpt.pt")
    assert_same_structure(tg.load(tmp_path / "ckpt.pt"), checkpoint)


def test_tensors_come_back_as_tensors_with_dtype_shape_and_requires_grad(tmp_path):
    saved = {
        "weight": tg.tensor([[1.0, 2.0]], requires_grad=True),
        "half": tg.tensor([1.5], dtype=tg.float16),
        "labels": tg.tensor([0, 3, 1]),
        "int16": tg.tensor([1, -2], dtype=np.int16),
        "scalar": tg.tensor(2.5),
        "empty": tg.zeros(0, 3),
    }
    tg.save(saved, tmp_path / "t.pt")
    loaded = tg.load(tmp_path / "t.pt")
    assert_same_structure(loaded, saved)
    assert loaded["weight"].is_leaf


def test_numpy_arrays_and_scalars_come_back_as_numpy(tmp_path):
    saved = [np.arange(6.0).reshape(2, 3), np.asfortranarray(np.arange(6.0).reshape(2, 3)),
             np.float32(1.5), np.int64(-4), np.bool_(True), np.zeros((0, 2), dtype=np.int32),
             np.arange(3, dtype=">f8")]  # fmt: skip
    tg.save(saved, tmp_path / "arrays")
    assert_same_structure(tg.load(tmp_path / "arrays"), saved)


def test_parameters_come_back_as_parameters(tmp_path):
    layer = nn.Linear(2, 2)
    tg.save({"weight": layer.weight}, tmp_path / "p.pt")
    weight = tg.load(tmp_path / "p.pt")["weight"]
    assert isinstance(weight, nn.Parameter) and weight.requires_grad
    np.testing.assert_array_equal(weight.numpy(), layer.weight.numpy())


def test_a_tensor_saved_twice_comes_back_as_one_tensor(tmp_path):
    shared = tg.tensor([1.0, 2.0])
    tg.save({"encoder": shared, "decoder": shared, "other": tg.tensor([1.0, 2.0])}, tmp_path / "s")
    loaded = tg.load(tmp_path / "s")
    assert loaded["encoder"] is loaded["decoder"]
    assert loaded["other"] is not loaded["encoder"]
    with zipfile.ZipFile(tmp_path / "s") as archive:
        assert sorted(archive.namelist()) == ["arrays/0.npy", "arrays/1.npy", "manifest.json"]


def test_save_writes_exactly_the_path_given(tmp_path):
    for name in ("model.pt", "model.pth", "checkpoint", "weights.npz"):
        path = tg.save({"w": np.ones(2)}, tmp_path / name)
        assert path == os.fspath(tmp_path / name)
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "model.pt", "model.pth", "weights.npz"]


def test_model_load_state_dict_takes_what_load_returns(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    tg.save(model.state_dict(), tmp_path / "model.pt")
    restored = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    restored.load_state_dict(tg.load(tmp_path / "model.pt"))
    x = tg.randn(2, 3)
    np.testing.assert_array_equal(restored(x).numpy(), model(x).numpy())


def test_save_and_load_take_binary_file_objects(tmp_path):
    buffer = io.BytesIO()
    tg.save({"w": tg.tensor([1.0, 2.0]), "epoch": 1}, buffer)
    buffer.seek(0)
    loaded = tg.load(buffer)
    assert loaded["epoch"] == 1
    np.testing.assert_array_equal(loaded["w"].numpy(), [1.0, 2.0])
    with open(tmp_path / "f.pt", "wb") as file:
        tg.save([1, 2], file)
    with open(tmp_path / "f.pt", "rb") as file:
        assert tg.load(file) == [1, 2]


@pytest.mark.parametrize(
    "map_location",
    ["cpu", {"cpu": "cpu"}, lambda storage, location: storage, None],
    ids=["str", "dict", "function", "none"],
)
def test_map_location_and_weights_only_are_accepted_as_in_torch_load(tmp_path, map_location):
    tg.save({"w": tg.tensor([1.0, 2.0])}, tmp_path / "m.pt")
    loaded = tg.load(tmp_path / "m.pt", map_location=map_location, weights_only=True)
    assert loaded["w"].device == "cpu"
    np.testing.assert_array_equal(loaded["w"].numpy(), [1.0, 2.0])


def test_an_unknown_map_location_is_the_callers_error(tmp_path):
    tg.save({"w": tg.tensor([1.0])}, tmp_path / "m.pt")
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        tg.load(tmp_path / "m.pt", map_location="tpu")


def test_optimizer_state_dict_with_int_keys_and_tuples_round_trips(tmp_path):
    param = tg.tensor([1.0, -2.0], requires_grad=True)
    optimizer = optim.Adam([param], lr=0.1, betas=(0.8, 0.9))
    (param * param).sum().backward()
    optimizer.step()
    saved = optimizer.state_dict()
    tg.save(saved, tmp_path / "opt")
    loaded = tg.load(tmp_path / "opt")
    assert list(loaded["state"]) == [0]
    assert loaded["param_groups"][0]["betas"] == (0.8, 0.9)
    assert loaded["state"][0]["step"] == 1
    np.testing.assert_array_equal(loaded["state"][0]["exp_avg"], saved["state"][0]["exp_avg"])


def test_the_file_is_a_zip_with_a_json_manifest_and_npy_arrays(tmp_path):
    tg.save({"w": tg.tensor([1.0, 2.0]), "epoch": 3}, tmp_path / "c.pt")
    with zipfile.ZipFile(tmp_path / "c.pt") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        array = np.load(io.BytesIO(archive.read("arrays/0.npy")), allow_pickle=False)
    assert manifest["format"] == "tinygrad_nn.save" and manifest["version"] == 1
    assert manifest["object"]["kind"] == "dict"
    np.testing.assert_array_equal(array, [1.0, 2.0])


def test_files_written_by_the_first_tg_save_still_load(tmp_path):
    state = sample_state()
    write_legacy(state, tmp_path / "old.npz")
    loaded = tg.load(tmp_path / "old.npz")
    assert isinstance(loaded, OrderedDict) and list(loaded) == list(state)
    for name, array in state.items():
        assert isinstance(loaded[name], tg.Tensor)
        assert loaded[name].dtype == array.dtype, name
        np.testing.assert_array_equal(loaded[name].numpy(), array)


def test_load_finds_an_old_file_under_the_name_without_its_npz_suffix(tmp_path):
    write_legacy({"w": np.ones(2)}, tmp_path / "checkpoint.npz")
    np.testing.assert_array_equal(tg.load(tmp_path / "checkpoint")["w"].numpy(), np.ones(2))


def test_an_old_file_loads_into_a_model(tmp_path):
    model = nn.Linear(3, 2)
    write_legacy(model.state_dict(), tmp_path / "old.npz")
    restored = nn.Linear(3, 2)
    restored.load_state_dict(tg.load(tmp_path / "old.npz"))
    np.testing.assert_array_equal(restored.weight.numpy(), model.weight.numpy())


def test_files_written_by_numpy_savez_load(tmp_path):
    path = tmp_path / "numpy.npz"
    np.savez(path, first=np.ones(3), second=np.arange(2))
    loaded = tg.load(path)
    assert list(loaded) == ["first", "second"]
    np.testing.assert_array_equal(loaded["second"].numpy(), [0, 1])


def test_empty_containers_round_trip(tmp_path):
    for value in ({}, [], (), OrderedDict(), {"a": {}}):
        tg.save(value, tmp_path / "empty")
        assert_same_structure(tg.load(tmp_path / "empty"), value)


def test_overwriting_leaves_no_partial_file_behind(tmp_path):
    tg.save({"w": np.ones(2)}, tmp_path / "m.pt")
    tg.save({"w": np.zeros(2)}, tmp_path / "m.pt")
    assert sorted(os.listdir(tmp_path)) == ["m.pt"]
    np.testing.assert_array_equal(tg.load(tmp_path / "m.pt")["w"], np.zeros(2))


def test_a_file_saved_by_torch_is_refused_as_not_a_tg_save_file(tmp_path):
    torch.save({"w": torch.ones(2)}, tmp_path / "torch.pt")
    with pytest.raises(ValueError, match="not a tg.save file: it was written by torch.save"):
        tg.load(tmp_path / "torch.pt")


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        tg.load(tmp_path / "absent.pt")


def test_a_missing_folder_is_file_not_found_naming_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such_folder/m.pt'"):
        tg.save({"w": np.ones(1)}, tmp_path / "no_such_folder" / "m.pt")


def test_a_pickle_file_is_refused_without_being_run(tmp_path):
    class Boom:
        def __reduce__(self):
            return (os.system, ("echo pwned > " + os.fspath(tmp_path / "pwned"),))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"w": Boom()}))
    with pytest.raises(ValueError):
        tg.load(path)
    assert not (tmp_path / "pwned").exists()


class Model:
    def state_dict(self):
        return {}


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"w": np.array(["a"])}, r"obj\['w'\] has dtype <U1"),
        ({"w": np.array([{}], dtype=object)}, r"obj\['w'\] has dtype object"),
        ({"a": [1, {"b": object()}]}, r"obj\['a'\]\[1\]\['b'\] is a object"),
        ({"w": {1, 2}}, r"obj\['w'\] is a set"),
        ({"m": Model()}, r"save model.state_dict\(\), not the model"),
        ({(1, frozenset({2})): 1}, r"has the key \(1, frozenset\(\{2\}\)\)"),
        ({b"bytes": 1}, "has the key b'bytes'"),
    ],
)
def test_save_rejects_what_it_cannot_store_saying_where_it_is(tmp_path, obj, message):
    with pytest.raises(TypeError, match=message):
        tg.save(obj, tmp_path / "bad")
    assert not os.path.exists(tmp_path / "bad")


def test_save_rejects_a_structure_that_contains_itself(tmp_path):
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="nested more than 100 levels"):
        tg.save(loop, tmp_path / "loop")


def test_save_rejects_a_path_that_is_not_a_path_or_file(tmp_path):
    with pytest.raises(TypeError, match="path must be a str"):
        tg.save({}, 5)
