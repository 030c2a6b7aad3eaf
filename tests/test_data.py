"""tg.data: TensorDataset, DataLoader batching and shuffling, and the toy data sets."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import data
from tinygrad_nn.tensor import Tensor


def dataset(n=10, features=3):
    X = np.arange(n * features, dtype=np.float64).reshape(n, features)
    y = np.arange(n, dtype=np.int64)
    return data.TensorDataset(X, y)


def epoch_labels(loader):
    return [yb.numpy().tolist() for _, yb in loader]


def test_tensor_dataset_indexes_every_array_along_the_first_axis():
    ds = dataset()
    x, y = ds[3]
    np.testing.assert_array_equal(x.numpy(), [9.0, 10.0, 11.0])
    assert y.item() == 3
    assert len(ds) == 10


def test_tensor_dataset_accepts_tensors_and_keeps_them():
    X = tg.randn(6, 2)
    ds = data.TensorDataset(X, np.zeros(6, dtype=np.int64))
    assert ds.tensors[0] is X


def test_tensor_dataset_rejects_different_lengths_naming_them():
    with pytest.raises(ValueError, match=r"same first dimension, got lengths \[4, 3\]"):
        data.TensorDataset(np.zeros((4, 2)), np.zeros(3))


def test_tensor_dataset_rejects_no_arrays_and_scalars():
    with pytest.raises(ValueError, match="at least one array"):
        data.TensorDataset()
    with pytest.raises(ValueError, match="scalar"):
        data.TensorDataset(np.float64(1.0))


def test_loader_yields_lists_of_tensors_in_order_without_shuffle_as_pytorch():
    loader = data.DataLoader(dataset(), batch_size=4)
    batches = list(loader)
    assert all(isinstance(batch, list) and len(batch) == 2 for batch in batches)
    assert all(isinstance(t, Tensor) for batch in batches for t in batch)
    assert epoch_labels(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    np.testing.assert_array_equal(batches[2][0].numpy(), [[24, 25, 26], [27, 28, 29]])


def test_loader_keeps_dtypes_float64_float32_and_int64_labels():
    X64 = np.random.default_rng(0).normal(size=(5, 2))
    loader = data.DataLoader(data.TensorDataset(X64, X64.astype(np.float32), np.arange(5)))
    x64, x32, labels = next(iter(loader))
    assert (x64.dtype, x32.dtype, labels.dtype) == (np.float64, np.float32, np.int64)


@pytest.mark.parametrize(
    ("n", "batch_size", "drop_last", "expected_len", "last_size"),
    [(10, 4, False, 3, 2), (10, 4, True, 2, 4), (8, 4, False, 2, 4), (8, 4, True, 2, 4),
     (3, 5, False, 1, 3), (3, 5, True, 0, None), (7, 1, False, 7, 1)],
)  # fmt: skip
def test_loader_length_and_last_batch(n, batch_size, drop_last, expected_len, last_size):
    loader = data.DataLoader(dataset(n), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(batches) == expected_len
    if last_size is not None:
        assert batches[-1][0].shape == (last_size, 3)


def test_loader_exposes_its_dataset():
    ds = dataset()
    assert data.DataLoader(ds, batch_size=2).dataset is ds


def test_shuffled_epoch_visits_every_example_exactly_once():
    loader = data.DataLoader(dataset(23), batch_size=5, shuffle=True, seed=0)
    seen = sorted(label for batch in epoch_labels(loader) for label in batch)
    assert seen == list(range(23))


def test_shuffled_batches_keep_features_and_labels_together():
    for xb, yb in data.DataLoader(dataset(), batch_size=3, shuffle=True, seed=4):
        np.testing.assert_array_equal(xb.numpy()[:, 0], 3 * yb.numpy())


def test_seeded_shuffle_is_reproducible_and_differs_between_epochs():
    first = data.DataLoader(dataset(20), batch_size=4, shuffle=True, seed=7)
    second = data.DataLoader(dataset(20), batch_size=4, shuffle=True, seed=7)
    epochs_first = [epoch_labels(first) for _ in range(3)]
    epochs_second = [epoch_labels(second) for _ in range(3)]
    assert epochs_first == epochs_second
    assert epochs_first[0] != epochs_first[1]
    assert epochs_first[0] != epoch_labels(data.DataLoader(dataset(20), 4, shuffle=True, seed=8))


def test_unseeded_shuffle_follows_manual_seed():
    loader = data.DataLoader(dataset(20), batch_size=4, shuffle=True)
    tg.manual_seed(123)
    first = epoch_labels(loader)
    tg.manual_seed(123)
    assert epoch_labels(loader) == first
    assert epoch_labels(loader) != first


def test_loader_batches_a_plain_sequence_of_examples_like_default_collate():
    examples = [(np.full(2, i, dtype=np.float32), i) for i in range(5)]
    xb, yb = next(iter(data.DataLoader(examples, batch_size=3)))
    np.testing.assert_array_equal(xb.numpy(), [[0, 0], [1, 1], [2, 2]])
    assert (xb.dtype, yb.dtype) == (np.float32, np.int64)
    assert yb.numpy().tolist() == [0, 1, 2]


def test_loader_rejects_a_bad_batch_size():
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        data.DataLoader(dataset(), batch_size=0)
    with pytest.raises(TypeError, match="batch_size must be an int"):
        data.DataLoader(dataset(), batch_size=2.5)


def test_loader_rejects_something_that_is_not_a_dataset():
    with pytest.raises(TypeError, match="__len__ and __getitem__"):
        data.DataLoader(42)


def test_make_xor_is_the_four_points_with_xor_labels():
    X, y = data.make_xor()
    assert (X.dtype, X.shape, y.dtype, y.shape) == (np.float32, (4, 2), np.int64, (4,))
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]).astype(np.int64))
    assert sorted(map(tuple, X.tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]


@pytest.mark.parametrize("make", [data.make_moons, data.make_spirals])
@pytest.mark.parametrize("n", [1, 2, 7, 300])
def test_toy_data_have_the_promised_shapes_and_dtypes(make, n):
    X, y = make(n)
    assert (X.dtype, X.shape, y.dtype, y.shape) == (np.float32, (n, 2), np.int64, (n,))
    assert np.isfinite(X).all()


@pytest.mark.parametrize("make", [data.make_moons, data.make_spirals])
def test_toy_data_are_reproducible_from_the_seed(make):
    X1, y1 = make(50, seed=3)
    X2, y2 = make(50, seed=3)
    X3, _ = make(50, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_noiseless_moons_lie_on_their_two_half_circles():
    X, y = data.make_moons(101, noise=0.0)
    upper, lower = X[y == 0].astype(np.float64), X[y == 1].astype(np.float64)
    assert (len(upper), len(lower)) == (50, 51)
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    assert (upper[:, 1] >= -1e-7).all() and (lower[:, 1] <= 0.5 + 1e-7).all()


def test_spirals_split_points_evenly_between_classes_within_the_unit_disc():
    X, y = data.make_spirals(301, classes=4)
    assert np.bincount(y).tolist() == [76, 75, 75, 75]
    assert (np.hypot(X[:, 0], X[:, 1]) <= 1.0 + 1e-6).all()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: data.make_moons(0), ValueError, "n must be at least 1, got 0"),
        (lambda: data.make_moons(10, noise=-0.1), ValueError, "noise"),
        (lambda: data.make_moons(2.5), TypeError, "n must be an int"),
        (lambda: data.make_spirals(10, classes=0), ValueError, "classes must be at least 1"),
    ],
)
def test_toy_data_reject_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_moons_are_learnable_end_to_end_with_a_loader():
    # A smoke test of the pieces together: logistic regression on two features of
    # the moons, fed by a shuffled loader, must beat chance clearly.
    X, y = data.make_moons(200, noise=0.1, seed=0)
    loader = data.DataLoader(data.TensorDataset(X, y.astype(np.float32)), batch_size=20, seed=0)
    w = tg.Tensor(np.zeros((2, 1), dtype=np.float32), requires_grad=True)
    b = tg.Tensor(np.zeros(1, dtype=np.float32), requires_grad=True)
    for _ in range(20):
        for xb, yb in loader:
            p = (xb @ w + b).sigmoid().reshape(-1)
            loss = -(yb * p.log() + (1 - yb) * (1 - p).log()).mean()
            w.grad = b.grad = None
            loss.backward()
            with tg.no_grad():
                w -= 0.5 * w.grad
                b -= 0.5 * b.grad
    predicted = ((tg.Tensor(X) @ w + b).reshape(-1) > 0).numpy()
    assert (predicted == y).mean() > 0.8
