"""Datasets and mini-batches: ``TensorDataset``, ``DataLoader`` and small toy data sets.

The toy data sets are generated with numpy alone (nothing is downloaded) and
return ``(X, y)`` with ``X`` float32 of shape (n, 2) and ``y`` int64 of shape
(n,) — the row-major layout that ``nn.Linear`` and the losses expect::

    >>> import tinygrad_nn as tg
    >>> X, y = tg.data.make_moons(200, noise=0.1, seed=0)
    >>> loader = tg.data.DataLoader(tg.data.TensorDataset(X, y), batch_size=32, shuffle=True)
    >>> xb, yb = next(iter(loader))
    >>> xb.shape, yb.dtype
    ((32, 2), dtype('int64'))
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from .autograd import no_grad
from .random import generator
from .tensor import Tensor, stack


class TensorDataset:
    """Examples stored along the first axis of one or more arrays (or Tensors), as PyTorch.

    ``dataset[i]`` returns a tuple of Tensors, one per array; ``i`` may also be
    an integer array, which returns whole batches at once.
    """

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        tensors = tuple(a if isinstance(a, Tensor) else Tensor(a) for a in arrays)
        for position, tensor in enumerate(tensors):
            if tensor.ndim == 0:
                raise ValueError(
                    f"TensorDataset array {position} is a scalar; every array needs a first "
                    "(example) dimension"
                )
        lengths = [tensor.shape[0] for tensor in tensors]
        if len(set(lengths)) != 1:
            raise ValueError(
                f"TensorDataset arrays must have the same first dimension, got lengths {lengths}"
            )
        self.tensors = tensors

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        with no_grad():
            return tuple(tensor[index] for tensor in self.tensors)

    def __repr__(self) -> str:
        shapes = ", ".join(str(tensor.shape) for tensor in self.tensors)
        return f"TensorDataset({shapes})"


def _collate(items: list[Any]) -> Any:
    """Stack a list of examples into a batch, field by field (PyTorch's ``default_collate``)."""
    first = items[0]
    if isinstance(first, tuple | list):
        return tuple(_collate([item[field] for item in items]) for field in range(len(first)))
    if isinstance(first, Tensor):
        with no_grad():
            return stack(items, axis=0)
    if isinstance(first, np.ndarray | numbers.Number | np.generic):
        # Python floats stack to float64 and ints to int64, as PyTorch's collate does.
        return Tensor(np.stack([np.asarray(item) for item in items]))
    raise TypeError(
        f"DataLoader cannot batch examples of type {type(first).__name__}; a dataset item "
        "should be a Tensor, a numpy array, a number, or a tuple of those"
    )


class DataLoader:
    """Iterate over a dataset in mini-batches, yielding tuples of Tensors.

    Parameters
    ----------
    dataset : TensorDataset, or any object with ``__len__`` and ``__getitem__``
    batch_size : int
        Examples per batch; the last batch is smaller unless ``drop_last``.
    shuffle : bool
        Draw a fresh random order at the start of every pass (epoch).
    drop_last : bool
        Skip the final incomplete batch.
    seed : int or None
        Seed of the loader's own generator, so its sequence of epochs is
        reproducible; ``None`` draws from the global generator that
        ``tg.manual_seed`` seeds.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
            raise TypeError(f"batch_size must be an int, got {type(batch_size).__name__}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(
                f"dataset must have __len__ and __getitem__, got {type(dataset).__name__}"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        rng = self._rng if self._rng is not None else generator()
        return rng.permutation(n)

    def __iter__(self) -> Iterator[tuple[Tensor, ...]]:
        order = self._order()
        for batch in range(len(self)):
            indices = order[batch * self.batch_size : (batch + 1) * self.batch_size]
            if isinstance(self.dataset, TensorDataset):
                yield self.dataset[indices]
            else:
                batch_items = _collate([self.dataset[int(i)] for i in indices])
                yield batch_items if isinstance(batch_items, tuple) else (batch_items,)

    def __repr__(self) -> str:
        return (
            f"DataLoader({self.dataset!r}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )


def _check_size(n: object, name: str = "n", minimum: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {n}")
    return int(n)


def _check_noise(noise: float) -> float:
    if not isinstance(noise, numbers.Real) or not noise >= 0:
        raise ValueError(f"noise must be a non-negative number, got {noise!r}")
    return float(noise)


def make_xor() -> tuple[np.ndarray, np.ndarray]:
    """Return the four XOR points: X float32 (4, 2) and labels y int64 (4,) = [0, 1, 1, 0]."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([0, 1, 1, 0], dtype=np.int64)
    return X, y


def make_moons(n: int, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return two interleaving half circles (as scikit-learn's ``make_moons``), shuffled.

    ``n // 2`` points on the upper moon (label 0) and the rest on the lower one
    (label 1), with Gaussian noise of standard deviation ``noise`` added to
    each coordinate.  Returns X float32 (n, 2) and y int64 (n,).
    """
    n = _check_size(n)
    noise = _check_noise(noise)
    rng = np.random.default_rng(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)
    lower = np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)
    X = np.concatenate([upper, lower])
    y = np.concatenate([np.zeros(n_upper, np.int64), np.ones(n_lower, np.int64)])
    X = X + rng.normal(0.0, noise, size=X.shape)
    order = rng.permutation(n)
    return X[order].astype(np.float32), y[order]


def make_spirals(
    n: int, classes: int = 3, seed: int = 0, noise: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``classes`` interleaved spiral arms (the CS231n spiral data), shuffled.

    The n points are split as evenly as possible between the arms; arm ``k``
    has radius rising from 0 to 1 and angle from ``4k`` to ``4(k+1)`` radians
    plus Gaussian angle noise of standard deviation ``noise``.  Returns X
    float32 (n, 2) and y int64 (n,) with labels 0 .. classes-1.
    """
    n = _check_size(n)
    classes = _check_size(classes, "classes")
    noise = _check_noise(noise)
    rng = np.random.default_rng(seed)
    points, labels = [], []
    for k in range(classes):
        count = n // classes + (1 if k < n % classes else 0)
        radius = np.linspace(0.0, 1.0, count)
        angle = np.linspace(4.0 * k, 4.0 * (k + 1), count) + rng.normal(0.0, noise, count)
        points.append(np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1))
        labels.append(np.full(count, k, dtype=np.int64))
    X = np.concatenate(points)
    y = np.concatenate(labels)
    order = rng.permutation(n)
    return X[order].astype(np.float32), y[order]
