"""Datasets, samplers and ``DataLoader`` as ``torch.utils.data`` has them, and small toy data sets.

This module is also ``tinygrad_nn.utils.data`` (the same module object), so
``from torch.utils.data import DataLoader`` reads, with the import changed,
``from tinygrad_nn.utils.data import DataLoader``.  Batches come out as PyTorch
makes them: a dataset of ``(x, y)`` pairs gives ``[xs, ys]`` lists of stacked
Tensors, dicts give dicts of batches, numbers give 1-D Tensors.

``DataLoader(num_workers=n)`` is accepted for any ``n`` and loads in the
calling process: there are no worker processes (``worker_init_fn``, if given,
is called with worker id 0 at the start of each pass, as a single worker
would).  ``pin_memory``, ``timeout``, ``prefetch_factor`` and the other
process options are accepted and have no effect.

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

import bisect
import itertools
import math
import numbers
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from .autograd import no_grad
from .random import _numpy_generator
from .tensor import Tensor, stack

# --- datasets -----------------------------------------------------------------------------


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``.

    ``dataset_a + dataset_b`` is their :class:`ConcatDataset`.
    """

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of datasets read as a stream: subclasses define ``__iter__``.

    A ``DataLoader`` batches the stream in order; it cannot shuffle or sample it.
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class TensorDataset(Dataset):
    """Examples stored along the first axis of one or more Tensors (or arrays), as PyTorch.

    ``dataset[i]`` returns a tuple of Tensors, one per array; ``i`` may also be
    an integer array, which returns whole batches at once.
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one array")
        converted = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
        for position, tensor in enumerate(converted):
            if tensor.ndim == 0:
                raise ValueError(
                    f"TensorDataset array {position} is a scalar; every array needs a first "
                    "(example) dimension"
                )
        lengths = [tensor.shape[0] for tensor in converted]
        if len(set(lengths)) != 1:
            raise ValueError(
                f"TensorDataset arrays must have the same first dimension, got lengths {lengths}"
            )
        self.tensors = converted

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        with no_grad():
            return tuple(tensor[index] for tensor in self.tensors)

    def __repr__(self) -> str:
        shapes = ", ".join(str(tensor.shape) for tensor in self.tensors)
        return f"TensorDataset({shapes})"


class Subset(Dataset):
    """The examples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several datasets one after another: index ``len(first)`` is the second's example 0."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset needs at least one dataset")
        for position, dataset in enumerate(self.datasets):
            if isinstance(dataset, IterableDataset):
                raise TypeError(
                    f"ConcatDataset cannot hold an IterableDataset (dataset {position}); "
                    "it needs datasets with __len__ and __getitem__"
                )
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise IndexError(f"index {index} is out of range for a dataset of {len(self)}")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        if which == len(self.datasets):
            raise IndexError(f"index {index} is out of range for a dataset of {len(self)}")
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][index - start]


def random_split(
    dataset: Any, lengths: Sequence[int | float], generator: Any = None
) -> list[Subset]:
    """Split ``dataset`` at random into non-overlapping :class:`Subset`\\ s of the given lengths.

    ``lengths`` are counts that add up to ``len(dataset)``, or fractions that
    add up to 1: each split then gets ``floor(n * fraction)`` examples and the
    ones left over go one each to the splits in turn, as PyTorch does.
    ``generator`` (a ``tg.Generator`` or a ``numpy.random.Generator``) makes
    the split reproducible; ``None`` draws from the global stream.
    """
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for position, fraction in enumerate(lengths):
            if not 0 <= fraction <= 1:
                raise ValueError(f"fraction at index {position} is not between 0 and 1: {fraction}")
        counts = [math.floor(n * fraction) for fraction in lengths]
        for extra in range(n - sum(counts)):
            counts[extra % len(counts)] += 1
        for position, count in enumerate(counts):
            if count == 0:
                warnings.warn(f"random_split: split {position} is empty", stacklevel=2)
        lengths = counts
    if sum(lengths) != n:
        raise ValueError(
            f"random_split: the lengths {lengths} add up to {sum(lengths)}, but the dataset "
            f"has {n} examples"
        )
    order = _numpy_generator(generator).permutation(n).tolist()
    ends = itertools.accumulate(lengths)
    return [
        Subset(dataset, order[end - length : end])
        for end, length in zip(ends, lengths, strict=True)
    ]


# --- samplers -----------------------------------------------------------------------------


class Sampler:
    """Base class of samplers: an iterable of dataset indices (subclasses define ``__iter__``)."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """The indices ``0, 1, ..., len(data_source) - 1`` in order."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh random order of the indices every pass (with ``replacement``: independent draws).

    ``generator`` (a ``tg.Generator`` or a ``numpy.random.Generator``) gives a
    reproducible sequence of passes; ``None`` draws from the global stream.
    """

    def __init__(
        self,
        data_source: Any,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Any = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if num_samples is not None:
            _check_count(num_samples, "num_samples")

    @property
    def num_samples(self) -> int:
        """How many indices one pass yields (``len(data_source)`` unless given)."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        rng, n = _numpy_generator(self.generator), len(self.data_source)
        if self.replacement:
            return iter(rng.integers(0, n, size=self.num_samples).tolist())
        # Whole permutations, as many as needed for num_samples.
        passes = [rng.permutation(n) for _ in range(-(-self.num_samples // max(n, 1)))]
        order = np.concatenate(passes) if passes else np.zeros(0, np.int64)
        return iter(order[: self.num_samples].tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a fresh random order every pass."""

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        order = _numpy_generator(self.generator).permutation(len(self.indices))
        return iter([self.indices[i] for i in order])

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probability proportional to ``weights``."""

    def __init__(
        self,
        weights: Sequence[float],
        num_samples: int,
        replacement: bool = True,
        generator: Any = None,
    ) -> None:
        self.weights = np.asarray(weights, dtype=np.float64)
        if self.weights.ndim != 1 or (self.weights < 0).any() or not self.weights.sum() > 0:
            raise ValueError("weights must be a 1-D sequence of non-negative numbers, not all 0")
        self.num_samples = _check_count(num_samples, "num_samples")
        if not replacement and num_samples > np.count_nonzero(self.weights):
            raise ValueError(
                f"cannot draw {num_samples} samples without replacement from "
                f"{np.count_nonzero(self.weights)} non-zero weights"
            )
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        rng = _numpy_generator(self.generator)
        p = self.weights / self.weights.sum()
        drawn = rng.choice(len(p), size=self.num_samples, replace=self.replacement, p=p)
        return iter(drawn.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter
    unless ``drop_last``)."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        self.sampler = sampler
        self.batch_size = _check_count(batch_size, "batch_size")
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        indices = iter(self.sampler)
        while batch := list(itertools.islice(indices, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def _check_count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


# --- batching -----------------------------------------------------------------------------


def _is_plain_numeric_array(value: np.ndarray) -> bool:
    return value.dtype.kind in "biufc"


def default_convert(data: Any) -> Any:
    """Turn numpy arrays and numpy numbers inside ``data`` into Tensors, keeping the structure.

    Used for unbatched loading (``DataLoader(batch_size=None)``), as PyTorch's
    ``default_convert``: tuples become lists, dicts stay dicts.
    """
    if isinstance(data, np.ndarray | np.generic) and _is_plain_numeric_array(np.asarray(data)):
        return Tensor(np.asarray(data), dtype=np.asarray(data).dtype)
    if isinstance(data, Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # a named tuple keeps its type
        return type(data)(*(default_convert(value) for value in data))
    if isinstance(data, list | tuple):
        return [default_convert(value) for value in data]
    return data


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of examples into a batch, field by field, as PyTorch's ``default_collate``.

    - Tensors → one Tensor stacked along a new first axis;
    - numpy arrays and numpy numbers → the same, as a Tensor;
    - Python floats → a float64 Tensor, ints → int64, bools → bool;
    - strings → left as they are (a sequence of strings);
    - dicts → a dict of batches, key by key;
    - tuples and lists → a list with one batch per position (a named tuple
      keeps its type), each position batched by these same rules.

    Anything else raises ``TypeError`` naming its type.
    """
    first = batch[0]
    if isinstance(first, Tensor):
        with no_grad():
            return stack(list(batch), axis=0)
    if isinstance(first, np.ndarray | np.generic) and not isinstance(first, np.str_ | np.bytes_):
        arrays = [np.asarray(item) for item in batch]
        if not _is_plain_numeric_array(arrays[0]):
            raise TypeError(
                f"default_collate: cannot batch numpy arrays of dtype {arrays[0].dtype}; "
                "only numeric and bool arrays become Tensors"
            )
        stacked = np.stack(arrays)
        return Tensor(stacked, dtype=stacked.dtype)  # int16 stays int16, as in torch
    if isinstance(first, bool):
        return Tensor(np.array(batch, dtype=np.bool_))
    if isinstance(first, numbers.Integral):
        return Tensor(np.array(batch, dtype=np.int64))
    if isinstance(first, float):
        return Tensor(np.array(batch, dtype=np.float64))
    if isinstance(first, str | bytes):
        return batch
    if isinstance(first, Mapping):
        return {key: default_collate([example[key] for example in batch]) for key in first}
    if isinstance(first, tuple | list):
        sizes = {len(example) for example in batch}
        if len(sizes) != 1:
            raise RuntimeError(
                f"default_collate: each example in the batch must have the same number of "
                f"fields, got sizes {sorted(sizes)}"
            )
        fields = [default_collate(samples) for samples in zip(*batch, strict=True)]
        if isinstance(first, tuple) and hasattr(first, "_fields"):
            return type(first)(*fields)
        return fields
    raise TypeError(
        f"default_collate: cannot batch examples of type {type(first).__name__}; an example "
        "should be a Tensor, a numpy array, a number, a string, or a dict, tuple or list of those"
    )


def get_worker_info() -> None:
    """``None``: every DataLoader loads in the calling process, which is not a worker."""
    return None


class DataLoader:
    """Iterate over a dataset in mini-batches, with PyTorch's ``DataLoader`` arguments.

    Parameters
    ----------
    dataset : Dataset, or any object with ``__len__`` and ``__getitem__`` (or an
        :class:`IterableDataset`)
    batch_size : int or None
        Examples per batch; ``None`` yields the examples one by one, unbatched.
    shuffle : bool
        Draw a fresh random order at the start of every pass (epoch).
    sampler : iterable of indices, optional
        The order to read the dataset in (instead of ``shuffle``).
    batch_sampler : iterable of lists of indices, optional
        Whole batches of indices (instead of ``batch_size``, ``shuffle``,
        ``sampler`` and ``drop_last``).
    num_workers : int
        Accepted for any value >= 0; loading always happens in this process.
    collate_fn : callable, optional
        Turns a list of examples into a batch; :func:`default_collate` if not given.
    drop_last : bool
        Skip the final incomplete batch.
    generator : tg.Generator or numpy.random.Generator, optional
        The stream the shuffle draws from; ``None`` uses ``seed``, or else the
        global stream that ``tg.manual_seed`` seeds.
    worker_init_fn : callable, optional
        With ``num_workers > 0``, called as ``worker_init_fn(0)`` at the start
        of each pass.
    seed : int, optional
        Seed of the loader's own shuffle stream (tinygrad_nn's older spelling
        of ``generator``).
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Iterable[Any] | None = None,
        batch_sampler: Iterable[list[Any]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Any = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        seed: int | None = None,
    ) -> None:
        iterable = isinstance(dataset, IterableDataset)
        indexable = hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")
        if not iterable and not indexable:
            raise TypeError(
                f"dataset must have __len__ and __getitem__ (or be an IterableDataset), "
                f"got {type(dataset).__name__}"
            )
        if batch_size is not None:
            _check_count(batch_size, "batch_size")
        if isinstance(num_workers, bool) or not isinstance(num_workers, numbers.Integral):
            raise TypeError(f"num_workers must be an int, got {type(num_workers).__name__}")
        if num_workers < 0:
            raise ValueError(f"num_workers must be >= 0, got {num_workers}")
        if seed is not None and generator is not None:
            raise ValueError("pass either seed= or generator=, not both")
        if iterable and (shuffle or sampler is not None or batch_sampler is not None):
            raise ValueError(
                "an IterableDataset is read in its own order: shuffle, sampler and "
                "batch_sampler are not allowed"
            )
        if sampler is not None and shuffle:
            raise ValueError("sampler and shuffle=True cannot be used together")
        if batch_sampler is not None and (
            batch_size != 1 or shuffle or sampler is not None or drop_last
        ):
            raise ValueError(
                "batch_sampler gives whole batches: it cannot be combined with batch_size, "
                "shuffle, sampler or drop_last"
            )
        if batch_size is None and drop_last:
            raise ValueError("drop_last=True needs a batch_size (batch_size=None does not batch)")
        self.dataset = dataset
        self.batch_size = batch_size if batch_sampler is None else None
        self.drop_last = drop_last
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.seed = seed
        self.generator = np.random.default_rng(seed) if seed is not None else generator
        self.shuffle = bool(shuffle)
        self._auto_collation = batch_sampler is not None or batch_size is not None
        self.collate_fn = collate_fn or (
            default_collate if self._auto_collation else default_convert
        )
        self._default_collate = collate_fn is None
        if iterable:
            self.sampler = None
        elif sampler is not None:
            self.sampler = sampler
        elif self.shuffle:
            self.sampler = RandomSampler(dataset, generator=self.generator)
        else:
            self.sampler = SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None and not iterable:
            batch_sampler = BatchSampler(self.sampler, batch_size, drop_last)
        self.batch_sampler = batch_sampler

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        return len(self.sampler)  # type: ignore[arg-type]

    def _fetch(self, indices: list[Any]) -> Any:
        dataset = self.dataset
        # A TensorDataset batch is one fancy index per tensor instead of many rows stacked.
        if self._default_collate and type(dataset).__getitem__ is TensorDataset.__getitem__:
            return list(dataset[np.asarray(indices, dtype=np.int64)])
        return self.collate_fn([dataset[index] for index in indices])

    def _iter_stream(self) -> Iterator[Any]:
        stream = iter(self.dataset)
        if self.batch_size is None:
            yield from (self.collate_fn(example) for example in stream)
            return
        while batch := list(itertools.islice(stream, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield self.collate_fn(batch)

    def __iter__(self) -> Iterator[Any]:
        if self.num_workers > 0 and self.worker_init_fn is not None:
            self.worker_init_fn(0)
        if isinstance(self.dataset, IterableDataset):
            yield from self._iter_stream()
        elif self.batch_sampler is not None:
            for indices in self.batch_sampler:
                yield self._fetch(list(indices))
        else:
            for index in self.sampler:  # type: ignore[union-attr]
                yield self.collate_fn(self.dataset[index])

    def __repr__(self) -> str:
        return (
            f"DataLoader({self.dataset!r}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )


# --- toy data sets ------------------------------------------------------------------------


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
