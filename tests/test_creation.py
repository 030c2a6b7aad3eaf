"""Creation functions against PyTorch's: shapes, dtypes, values, and memory sharing."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_nn as tg

torch = pytest.importorskip("torch")


@pytest.fixture
def float64_default():
    """Run a test with float64 as the default dtype in both libraries, then restore."""
    tg.set_default_dtype(tg.float64)
    torch.set_default_dtype(torch.float64)
    yield
    tg.set_default_dtype(tg.float32)
    torch.set_default_dtype(torch.float32)


def same(ours: tg.Tensor, theirs: torch.Tensor) -> None:
    """Equal shape, dtype name and values (exactly)."""
    assert ours.shape == tuple(theirs.shape)
    assert str(theirs.dtype) == f"torch.{ours.dtype.name}"
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ---------------------------------------------------------------- deterministic values

DETERMINISTIC = [
    ("zeros", (2, 3), {}), ("zeros", ((2, 3),), {}), ("zeros", ([2, 3],), {}),
    ("zeros", (), {"size": (2, 3)}), ("zeros", ((),), {}), ("ones", (4,), {}),
    ("ones", (2, 0), {"dtype": "int64"}), ("full", ((2, 2), 1.5), {}),
    ("full", ((3,), 7), {}), ("full", ((3,), True), {}), ("full", ((2,), 2), {"dtype": "float64"}),
    ("eye", (3,), {}), ("eye", (2, 4), {}), ("eye", (3,), {"dtype": "int64"}),
    ("arange", (5,), {}), ("arange", (1, 10, 3), {}), ("arange", (0, 1, 0.1), {}),
    ("arange", (-2.5, 4), {}), ("arange", (5, 0, -1), {}), ("arange", (0.0, 3), {}),
    ("arange", (0, 1, 0.1), {"dtype": "float64"}), ("arange", (10,), {"dtype": "float32"}),
    ("linspace", (0, 1, 5), {}), ("linspace", (-3.2, 7.9, 13), {}), ("linspace", (1, 1, 1), {}),
    ("linspace", (0, 10, 0), {}), ("linspace", (0.1, 0.7, 11), {"dtype": "float64"}),
    ("linspace", (2, 9, 6), {"dtype": "int64"}),
    ("logspace", (0, 3, 4), {}), ("logspace", (-2, 2, 9), {"dtype": "float64"}),
    ("logspace", (0, 5, 6), {"base": 2.0}),
]


@pytest.mark.parametrize("name, args, kwargs", DETERMINISTIC,
                         ids=[f"{n}{a}{k}" for n, a, k in DETERMINISTIC])
def test_creation_matches_torch(name, args, kwargs):
    ours_kw = dict(kwargs, **({"dtype": getattr(tg, kwargs["dtype"])} if "dtype" in kwargs else {}))
    theirs_kw = dict(kwargs, **(
        {"dtype": getattr(torch, kwargs["dtype"])} if "dtype" in kwargs else {}))
    ours, theirs = getattr(tg, name)(*args, **ours_kw), getattr(torch, name)(*args, **theirs_kw)
    if ours.dtype.kind == "f" and name in ("linspace", "logspace"):
        # both libraries round each point once, but pow/multiply-add may differ in the last bit
        assert ours.shape == tuple(theirs.shape)
        assert str(theirs.dtype) == f"torch.{ours.dtype.name}"
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(),
                                   rtol=4 * np.finfo(ours.dtype).eps, atol=0)
    else:
        same(ours, theirs)


def test_linspace_ends_are_exact_and_points_symmetric():
    points = tg.linspace(-1.3, 1.3, 9, dtype=tg.float64).numpy()
    assert points[0] == -1.3 and points[-1] == 1.3
    np.testing.assert_array_equal(points, -points[::-1])


def test_empty_has_the_shape_and_dtype_asked_for():
    assert tg.empty(2, 3).shape == (2, 3) and tg.empty(2, 3).dtype == tg.float32
    assert tg.empty((4,), dtype=tg.int64).dtype == tg.int64
    like = tg.empty_like(tg.ones(2, 5, dtype=tg.float64))
    assert like.shape == (2, 5) and like.dtype == tg.float64


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like"])
def test_like_functions_keep_shape_and_dtype(name):
    source = np.arange(6, dtype=np.float64).reshape(2, 3)
    ours = getattr(tg, name)(tg.tensor(source))
    theirs = getattr(torch, name)(torch.tensor(source))
    assert ours.shape == tuple(theirs.shape) and str(theirs.dtype) == f"torch.{ours.dtype.name}"
    if name != "empty_like":
        same(ours, theirs)
    converted = getattr(tg, name)(tg.tensor(source), dtype=tg.int32)
    assert converted.dtype == tg.int32


def test_full_like_takes_the_value_in_the_input_dtype():
    same(tg.full_like(tg.tensor([1, 2, 3]), 2.7), torch.full_like(torch.tensor([1, 2, 3]), 2.7))
    same(tg.full_like(tg.ones(2, dtype=tg.float64), 2.5),
         torch.full_like(torch.ones(2, dtype=torch.float64), 2.5))


def test_float_results_follow_the_default_dtype(float64_default):
    for make in (lambda m: m.zeros(2), lambda m: m.ones(2), lambda m: m.eye(2),
                 lambda m: m.full((2,), 1.5), lambda m: m.arange(0.0, 2.0),
                 lambda m: m.linspace(0, 1, 3), lambda m: m.logspace(0, 1, 3),
                 lambda m: m.rand(2), lambda m: m.randn(2), lambda m: m.tensor([1.5, 2.0]),
                 lambda m: m.normal(0.0, 1.0, size=(2,)), lambda m: m.empty(2)):
        ours, theirs = make(tg), make(torch)
        assert ours.dtype == tg.float64 and theirs.dtype == torch.float64
    assert tg.arange(3).dtype == tg.int64 and tg.full((1,), 3).dtype == tg.int64


# ---------------------------------------------------------------- from data


def test_tensor_copies_its_data():
    source = np.array([1.0, 2.0])
    made = tg.tensor(source)
    source[0] = 9.0
    assert made.numpy().tolist() == [1.0, 2.0]
    original = tg.tensor([3.0, 4.0])
    with pytest.warns(UserWarning, match="clone"):
        copied = tg.tensor(original)
    original.numpy()[0] = 0.0
    assert copied.numpy().tolist() == [3.0, 4.0] and not copied.requires_grad


@pytest.mark.parametrize("data", [[1.5, 2.0], [1, 2], [True, False], 3.0, 7, [[1.0], [2.0]],
                                  np.array([1, 2], dtype=np.int64), np.array([0.5])])
def test_tensor_dtype_matches_torch(data):
    ours, theirs = tg.tensor(data), torch.tensor(data)
    same(ours, theirs)


def test_tensor_takes_dtype_device_and_requires_grad():
    made = tg.tensor([1, 2], dtype=tg.float64, device="cpu", requires_grad=True)
    assert made.dtype == tg.float64 and made.requires_grad and made.is_leaf
    assert tg.tensor([1.0], device=tg.device("cpu")).device == "cpu"


def test_from_numpy_and_as_tensor_share_memory():
    source = np.array([1, 2, 3], dtype=np.int32)
    shared = tg.from_numpy(source)
    assert shared.dtype == tg.int32  # as torch.from_numpy: the array's dtype, not int64
    source[0] = 10
    assert shared.numpy()[0] == 10
    floats = np.zeros(2)
    viewed = tg.as_tensor(floats)
    floats[1] = 5.0
    assert viewed.numpy().tolist() == [0.0, 5.0]


def test_as_tensor_returns_a_tensor_itself_and_converts_when_asked():
    t = tg.ones(3)
    assert tg.as_tensor(t) is t
    assert tg.as_tensor(t, dtype=tg.float64).dtype == tg.float64
    same(tg.as_tensor([1.5, 2]), torch.as_tensor([1.5, 2]))


def test_from_numpy_rejects_other_inputs():
    with pytest.raises(TypeError, match="numpy array"):
        tg.from_numpy([1.0, 2.0])


# ---------------------------------------------------------------- keywords and shapes


@pytest.mark.parametrize("make", [
    lambda **kw: tg.zeros(2, **kw), lambda **kw: tg.ones(2, **kw), lambda **kw: tg.empty(2, **kw),
    lambda **kw: tg.full((2,), 1.0, **kw), lambda **kw: tg.eye(2, **kw),
    lambda **kw: tg.arange(2.0, **kw), lambda **kw: tg.linspace(0, 1, 2, **kw),
    lambda **kw: tg.logspace(0, 1, 2, **kw), lambda **kw: tg.rand(2, **kw),
    lambda **kw: tg.randn(2, **kw), lambda **kw: tg.tensor([1.0], **kw),
    lambda **kw: tg.normal(0.0, 1.0, (2,), **kw), lambda **kw: tg.zeros_like(tg.ones(2), **kw),
    lambda **kw: tg.ones_like(tg.ones(2), **kw), lambda **kw: tg.full_like(tg.ones(2), 3, **kw),
    lambda **kw: tg.rand_like(tg.ones(2), **kw), lambda **kw: tg.randn_like(tg.ones(2), **kw),
])
def test_float_creation_takes_device_and_requires_grad(make):
    made = make(device="cpu", requires_grad=True)
    assert made.device == "cpu" and made.requires_grad and made.is_leaf
    assert make(device=tg.device("cpu")).device == "cpu"


@pytest.mark.parametrize("make", [
    lambda **kw: tg.randint(3, (2,), **kw), lambda **kw: tg.randperm(3, **kw),
    lambda **kw: tg.randint_like(tg.ones(2, dtype=tg.int64), 3, **kw),
    lambda **kw: tg.arange(3, **kw), lambda **kw: tg.full((2,), 4, **kw),
])
def test_integer_creation_takes_device(make):
    made = make(device="cpu")
    assert made.device == "cpu" and made.dtype == tg.int64 and not made.requires_grad


def test_default_device_is_used_when_none_is_given():
    assert tg.get_default_device() == "cpu"
    tg.set_default_device("cpu")
    assert tg.zeros(1).device == "cpu"
    tg.set_default_device(None)
    assert tg.get_default_device().type == "cpu"


def test_shape_spellings_agree():
    shapes = [tg.ones(2, 3).shape, tg.ones((2, 3)).shape, tg.ones([2, 3]).shape,
              tg.ones(size=(2, 3)).shape, tg.ones(np.int64(2), 3).shape,
              tg.ones(tg.tensor(2), 3).shape, tg.ones(torch.Size([2, 3])).shape]
    assert set(shapes) == {(2, 3)}


@pytest.mark.parametrize("call, error, match", [
    (lambda: tg.zeros(2, size=(2,)), TypeError, "once"),
    (lambda: tg.zeros(2, shape=(2,)), TypeError, "shape"),
    (lambda: tg.zeros(2.0), TypeError, "ints"),
    (lambda: tg.zeros(-1), ValueError, "non-negative"),
    (lambda: tg.linspace(0, 1, -1), ValueError, "non-negative"),
    (lambda: tg.linspace(0, 1, 2.5), TypeError, "int"),
    (lambda: tg.full((2,), "a"), TypeError, "str"),
    (lambda: tg.ones_like(np.ones(2)), TypeError, "Tensor"),
    (lambda: tg.zeros(2, dtype="complex64"), TypeError, "unsupported dtype"),
    (lambda: tg.zeros(2, device="tpu"), ValueError, "unknown device"),
    (lambda: tg.ones(2, dtype=tg.int64, requires_grad=True), TypeError, "floating-point"),
])
def test_bad_creation_arguments_raise_naming_the_problem(call, error, match):
    with pytest.raises(error, match=match):
        call()
