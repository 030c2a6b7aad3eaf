"""tg.save / tg.load: .npz state dicts that round-trip, and never unpickle anything."""

from __future__ import annotations

import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_nn as tg


def sample_state():
    rng = np.random.default_rng(0)
    return OrderedDict(
        [
            ("layers.0.weight", rng.normal(size=(4, 3)).astype(np.float32)),
            ("layers.0.bias", rng.normal(size=4)),
            ("embedding.weight", rng.integers(0, 9, size=(2, 2))),
            ("step", np.array(7)),
            ("mask", np.array([True, False])),
        ]
    )


def test_round_trip_keeps_names_order_values_dtypes_and_shapes(tmp_path):
    state = sample_state()
    tg.save(state, tmp_path / "model.npz")
    loaded = tg.load(tmp_path / "model.npz")
    assert isinstance(loaded, OrderedDict)
    assert list(loaded) == list(state)
    for name, array in state.items():
        assert loaded[name].dtype == array.dtype, name
        np.testing.assert_array_equal(loaded[name], array)


def test_order_is_kept_even_when_it_is_not_alphabetical(tmp_path):
    names = ["z", "a", "m", "b.weight", "a.bias"]
    path = tg.save({name: np.zeros(1) for name in names}, tmp_path / "ordered")
    assert list(tg.load(path)) == names


def test_tensor_values_are_saved_as_their_data(tmp_path):
    weight = tg.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    path = tg.save({"weight": weight}, tmp_path / "t.npz")
    loaded = tg.load(path)["weight"]
    assert isinstance(loaded, np.ndarray)
    np.testing.assert_array_equal(loaded, weight.numpy())


def test_save_adds_the_npz_suffix_like_numpy_and_returns_the_path(tmp_path):
    path = tg.save({"w": np.ones(2)}, tmp_path / "checkpoint")
    assert path == os.fspath(tmp_path / "checkpoint.npz")
    assert os.path.exists(path)
    assert tg.save({"w": np.ones(2)}, str(tmp_path / "kept.npz")) == str(tmp_path / "kept.npz")


def test_load_finds_the_file_save_wrote_under_the_name_without_suffix(tmp_path):
    tg.save({"w": np.ones(2)}, tmp_path / "checkpoint")
    np.testing.assert_array_equal(tg.load(tmp_path / "checkpoint")["w"], np.ones(2))


def test_saved_file_is_a_plain_npz_that_numpy_reads(tmp_path):
    path = tg.save(sample_state(), tmp_path / "model")
    with np.load(path, allow_pickle=False) as archive:
        assert archive.files == list(sample_state())


def test_files_written_by_numpy_savez_load(tmp_path):
    path = tmp_path / "numpy.npz"
    np.savez(path, first=np.ones(3), second=np.arange(2))
    loaded = tg.load(path)
    assert list(loaded) == ["first", "second"]
    np.testing.assert_array_equal(loaded["second"], [0, 1])


def test_keys_that_clash_with_numpy_savez_arguments_are_fine(tmp_path):
    state = {"file": np.ones(1), "allow_pickle": np.zeros(1), "": np.full(1, 2.0)}
    loaded = tg.load(tg.save(state, tmp_path / "odd_keys"))
    assert list(loaded) == list(state)


def test_empty_state_dict_round_trips(tmp_path):
    assert tg.load(tg.save({}, tmp_path / "empty")) == OrderedDict()


def test_overwriting_leaves_no_partial_file_behind(tmp_path):
    tg.save({"w": np.ones(2)}, tmp_path / "m")
    tg.save({"w": np.zeros(2)}, tmp_path / "m")
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]
    np.testing.assert_array_equal(tg.load(tmp_path / "m")["w"], np.zeros(2))


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        tg.load(tmp_path / "absent.npz")


def test_truncated_file_raises_value_error(tmp_path):
    path = tg.save(sample_state(), tmp_path / "model")
    content = open(path, "rb").read()
    for cut in (len(content) // 3, len(content) - 10, 10, 0):
        truncated = tmp_path / f"cut{cut}.npz"
        truncated.write_bytes(content[:cut])
        with pytest.raises(ValueError, match="corrupted|truncated"):
            tg.load(truncated)


def test_corrupted_array_bytes_are_detected(tmp_path):
    path = tg.save({"w": np.arange(100.0)}, tmp_path / "model")
    content = bytearray(open(path, "rb").read())
    content[400] ^= 0xFF  # inside the stored array; the zip's CRC no longer matches
    (tmp_path / "flipped.npz").write_bytes(bytes(content))
    with pytest.raises(ValueError, match="corrupted"):
        tg.load(tmp_path / "flipped.npz")


def test_a_text_file_is_refused_as_not_an_npz(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("these are not the weights you are looking for\n")
    with pytest.raises(ValueError, match="not a tg.save file"):
        tg.load(path)


def test_a_single_npy_array_is_refused(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.ones(3))
    with pytest.raises(ValueError, match="not a tg.save file"):
        tg.load(path)


def test_a_pickle_file_is_refused_without_being_run(tmp_path):
    class Boom:
        def __reduce__(self):
            return (os.system, ("echo pwned > " + os.fspath(tmp_path / "pwned"),))

    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps({"w": Boom()}))
    with pytest.raises(ValueError):
        tg.load(path)
    assert not (tmp_path / "pwned").exists()


def test_an_npz_holding_an_object_array_is_refused_as_pickled(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, weight=np.ones(2), meta=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="pickled"):
        tg.load(path)


def test_a_zip_of_other_files_is_refused(tmp_path):
    path = tmp_path / "other.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match="'readme.txt' is not a .npy array"):
        tg.load(path)


def test_an_npz_of_strings_is_refused_as_not_numeric(tmp_path):
    path = tmp_path / "strings.npz"
    np.savez(path, names=np.array(["a", "b"]))
    with pytest.raises(ValueError, match="not a numeric array"):
        tg.load(path)


def test_a_directory_is_not_a_checkpoint(tmp_path):
    with pytest.raises(IsADirectoryError):
        tg.load(tmp_path)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({1: np.ones(1)}, "keys must be strings, got 1"),
        ({"w": np.array(["a"])}, "'w' has dtype <U1"),
        ({"w": np.array([{}], dtype=object)}, "'w' has dtype object"),
        ({"w": "not an array"}, "'w' is a str"),
        ({"w": None}, "'w' is a NoneType"),
    ],
)
def test_save_rejects_non_string_keys_and_non_numeric_values(tmp_path, state, message):
    with pytest.raises(TypeError, match=message):
        tg.save(state, tmp_path / "bad")
    assert not os.path.exists(tmp_path / "bad.npz")


def test_save_rejects_something_that_is_not_a_mapping(tmp_path):
    with pytest.raises(TypeError, match="mapping of name -> array"):
        tg.save([np.ones(1)], tmp_path / "bad")
