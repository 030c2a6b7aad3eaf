"""tinygrad_nn.utils.data beside torch.utils.data: the same datasets, splits, batches and lengths.

Where PyTorch's result is deterministic (no shuffling), each test runs the
same program against both libraries and compares the structure of what comes
out — container types, keys, shapes, dtypes and values — with Tensors on our
side wherever PyTorch gives tensors.  Random orders are compared by their
properties (a permutation, reproducible from a generator), since the streams
differ by design.
"""

from __future__ import annotations

import collections
import importlib

import numpy as np
import pytest
import tinygrad_nn.utils.data as data
from tinygrad_nn.utils.data import DataLoader

import tinygrad_nn as tg

torch = pytest.importorskip("torch")
torch_data = torch.utils.data


class SeededGenerator:
    """A stand-in for ``tg.Generator``: ``manual_seed`` returns self, the stream is ``._rng``."""

    def manual_seed(self, seed):
        self._rng = np.random.default_rng(seed)
        return self


def same_structure(ours, theirs, where="batch"):
    """Assert that a batch from our loader has the structure and values of PyTorch's."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, tg.Tensor), f"{where}: {type(ours).__name__}, not a Tensor"
        assert ours.shape == tuple(theirs.shape), where
        assert ours.dtype == theirs.numpy().dtype, where
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=where)
    elif isinstance(theirs, dict):
        assert type(ours) is dict and list(ours) == list(theirs), where
        for key in theirs:
            same_structure(ours[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, list | tuple):
        assert type(ours).__name__ == type(theirs).__name__, f"{where}: {type(ours)}"
        assert len(ours) == len(theirs), where
        for index, (mine, reference) in enumerate(zip(ours, theirs, strict=True)):
            same_structure(mine, reference, f"{where}[{index}]")
    else:
        assert ours == theirs, where


def both(make):
    """Run ``make(module, tensor)`` with our modules and with PyTorch's."""
    return make(data, tg.tensor), make(torch_data, torch.tensor)


Point = collections.namedtuple("Point", ["x", "label"])


class Examples:
    """A map-style dataset (no base class) whose examples are built by ``make_example``."""

    def __init__(self, make_example, n=7):
        self.make_example, self.n = make_example, n

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        return self.make_example(index)


EXAMPLES = {
    "tuple-of-arrays-and-int": lambda i: (np.full((2, 3), i, np.float32), i),
    "python-numbers": lambda i: (float(i) / 2, i, i % 2 == 0),
    "numpy-scalars": lambda i: (np.float32(i), np.int64(-i), np.bool_(i > 2)),
    "dict": lambda i: {"image": np.full(4, i, np.float64), "label": i, "name": f"n{i}"},
    "nested": lambda i: {"pair": (np.arange(2) + i, [i, i + 1]), "meta": {"w": 0.5 * i}},
    "list-example": lambda i: [np.int32(i), np.ones(1, np.uint8)],
    "named-tuple": lambda i: Point(np.full(2, i, np.float32), i),
    "single-array": lambda i: np.arange(3, dtype=np.int16) * i,
    "string": lambda i: f"item{i}",
}


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
@pytest.mark.parametrize("batch_size", [1, 3, None])
def test_batches_have_pytorchs_structure(kind, batch_size):
    make_example = EXAMPLES[kind]
    ours = list(DataLoader(Examples(make_example), batch_size=batch_size))
    theirs = list(torch_data.DataLoader(Examples(make_example), batch_size=batch_size))
    assert len(ours) == len(theirs)
    for number, (mine, reference) in enumerate(zip(ours, theirs, strict=True)):
        same_structure(mine, reference, f"batch {number}")


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize(("n", "batch_size"), [(10, 3), (9, 3), (2, 5), (1, 1)])
def test_tensor_dataset_batches_and_lengths_match_pytorch(n, batch_size, drop_last):
    X = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    y = np.arange(n, dtype=np.int64)
    ours = DataLoader(
        data.TensorDataset(tg.tensor(X), tg.tensor(y)), batch_size, drop_last=drop_last
    )
    theirs = torch_data.DataLoader(
        torch_data.TensorDataset(torch.tensor(X), torch.tensor(y)), batch_size, drop_last=drop_last
    )
    assert len(ours) == len(theirs)
    same_structure(list(ours), list(theirs), "epoch")


def test_default_collate_matches_pytorch_on_mixed_examples():
    batch = [(1, 2.5, True, "a", np.float32(1), np.ones(2), {"k": np.int8(3)}) for _ in range(3)]
    same_structure(data.default_collate(batch), torch_data.default_collate(batch))


def test_default_collate_stacks_tensors():
    ours = data.default_collate([tg.tensor([1.0, 2.0]), tg.tensor([3.0, 4.0])])
    theirs = torch_data.default_collate([torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])])
    same_structure(ours, theirs)


def test_default_collate_refuses_examples_of_different_lengths_and_unknown_types():
    with pytest.raises(RuntimeError, match=r"same number of fields, got sizes \[2, 3\]"):
        data.default_collate([(1, 2), (1, 2, 3)])
    with pytest.raises(TypeError, match="cannot batch examples of type object"):
        data.default_collate([object(), object()])
    with pytest.raises(TypeError, match="dtype <U1"):
        data.default_collate([np.array(["a"]), np.array(["b"])])


def test_custom_collate_fn_gets_the_list_of_examples():
    seen = []

    def collate(examples):
        seen.append(len(examples))
        return sum(examples)

    assert list(DataLoader(list(range(7)), batch_size=3, collate_fn=collate)) == [3, 12, 6]
    assert seen == [3, 3, 1]


def test_a_dataset_subclass_works_like_pytorchs():
    def make(module, tensor):
        class Squares(module.Dataset):
            def __len__(self):
                return 5

            def __getitem__(self, index):
                return tensor([float(index)]), index * index

        return list(module.DataLoader(Squares(), batch_size=2))

    same_structure(*both(make))


def test_subset_and_concat_dataset_match_pytorch():
    def make(module, tensor):
        first = module.TensorDataset(tensor(np.arange(6.0)), tensor(np.arange(6)))
        second = module.TensorDataset(tensor(np.arange(10.0, 13.0)), tensor(np.arange(3)))
        subset = module.Subset(first, [4, 0, 2])
        joined = module.ConcatDataset([subset, second])
        added = subset + second
        items = [joined[i] for i in range(len(joined))] + [joined[-1], joined[-6], added[3]]
        return len(joined), joined.cumulative_sizes, items, subset[[0, 2]]

    ours, theirs = both(make)
    assert ours[:2] == theirs[:2]
    same_structure(ours[2], [tuple(t) for t in theirs[2]], "items")
    same_structure(list(ours[3]), list(theirs[3]), "subset list index")


def test_concat_dataset_refuses_an_index_out_of_range():
    joined = data.ConcatDataset([list(range(3)), list(range(2))])
    with pytest.raises(IndexError, match="index 5 is out of range for a dataset of 5"):
        joined[5]
    with pytest.raises(IndexError, match="index -6"):
        joined[-6]


@pytest.mark.parametrize(
    ("n", "lengths"),
    [
        (10, [0.33, 0.33, 0.34]),
        (11, [0.5, 0.5]),
        (10, [0.1] * 10),
        (7, [0.8, 0.2]),
        (100, [0.7, 0.2, 0.1]),
        (5, [1.0]),
        (10, [3, 7]),
        (4, [0, 4]),
    ],
)
def test_random_split_lengths_match_pytorch_and_cover_the_dataset(n, lengths):
    ours = data.random_split(range(n), lengths, generator=SeededGenerator().manual_seed(0))
    theirs = torch_data.random_split(range(n), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(part) for part in ours] == [len(part) for part in theirs]
    assert all(isinstance(part, data.Subset) for part in ours)
    assert sorted(i for part in ours for i in part) == list(range(n))


def test_random_split_is_reproducible_from_its_generator():
    def split(generator):
        return [list(part) for part in data.random_split(range(20), [0.5, 0.5], generator)]

    assert split(SeededGenerator().manual_seed(3)) == split(SeededGenerator().manual_seed(3))
    assert split(np.random.default_rng(3)) == split(np.random.default_rng(3))
    assert split(SeededGenerator().manual_seed(3)) != split(SeededGenerator().manual_seed(4))
    tg.manual_seed(5)
    first = split(None)
    tg.manual_seed(5)
    assert split(None) == first


@pytest.mark.parametrize(
    ("lengths", "message"),
    [([3, 3], "add up to 6, but the dataset has 10"), ([0.5, 0.6], "add up to 1.1")],
)
def test_random_split_refuses_lengths_that_do_not_fit(lengths, message):
    with pytest.raises(ValueError, match=message):
        data.random_split(range(10), lengths)


def test_random_split_refuses_a_negative_fraction():
    with pytest.raises(ValueError, match="fraction at index 1 is not between 0 and 1"):
        data.random_split(range(10), [0.5, -0.5, 1.0])


def test_random_split_refuses_an_object_that_is_not_a_generator():
    with pytest.raises(TypeError, match="generator must be a tg.Generator"):
        data.random_split(range(10), [5, 5], generator=42)


def test_shuffle_with_a_generator_is_reproducible_and_a_permutation_every_epoch():
    def epochs(generator):
        loader = DataLoader(list(range(12)), batch_size=5, shuffle=True, generator=generator)
        return [[int(i) for batch in loader for i in batch.numpy()] for _ in range(3)]

    first = epochs(SeededGenerator().manual_seed(1))
    assert first == epochs(SeededGenerator().manual_seed(1))
    assert all(sorted(epoch) == list(range(12)) for epoch in first)
    assert first[0] != first[1]


def test_a_sampler_sets_the_order_and_the_length():
    ours = DataLoader(list(range(10)), batch_size=3, sampler=[9, 8, 7, 1])
    theirs = torch_data.DataLoader(list(range(10)), batch_size=3, sampler=[9, 8, 7, 1])
    assert len(ours) == len(theirs) == 2
    same_structure(list(ours), list(theirs), "epoch")


def test_a_batch_sampler_gives_whole_batches():
    batches = [[0, 1], [5], [2, 3, 4]]
    ours = DataLoader(list(range(6)), batch_sampler=batches)
    theirs = torch_data.DataLoader(list(range(6)), batch_sampler=batches)
    assert len(ours) == len(theirs) == 3
    same_structure(list(ours), list(theirs), "epoch")


def test_samplers_and_batch_sampler_match_pytorch_where_deterministic():
    def make(module, tensor):
        sequential = list(module.SequentialSampler(range(5)))
        batched = list(module.BatchSampler(module.SequentialSampler(range(7)), 3, drop_last=False))
        dropped = len(module.BatchSampler(range(7), 3, drop_last=True))
        return sequential, batched, dropped

    assert both(make)[0] == both(make)[1]


@pytest.mark.parametrize(
    "make_sampler",
    [
        lambda g: data.RandomSampler(range(8), generator=g),
        lambda g: data.RandomSampler(range(8), replacement=True, num_samples=20, generator=g),
        lambda g: data.RandomSampler(range(3), num_samples=7, generator=g),
        lambda g: data.SubsetRandomSampler([10, 20, 30, 40], generator=g),
        lambda g: data.WeightedRandomSampler([0.0, 1.0, 3.0], 12, generator=g),
        lambda g: data.WeightedRandomSampler(
            [1.0, 1.0, 0.0, 2.0], 3, replacement=False, generator=g
        ),
    ],
)
def test_random_samplers_are_reproducible_and_draw_only_allowed_indices(make_sampler):
    sampler = make_sampler(SeededGenerator().manual_seed(0))
    drawn = list(sampler)
    assert drawn == list(make_sampler(SeededGenerator().manual_seed(0)))
    assert len(drawn) == len(sampler)
    if isinstance(sampler, data.SubsetRandomSampler):
        assert sorted(drawn) == [10, 20, 30, 40]
    elif isinstance(sampler, data.WeightedRandomSampler):
        assert set(drawn) <= {i for i, w in enumerate(sampler.weights) if w > 0}
        if not sampler.replacement:
            assert len(set(drawn)) == len(drawn)
    elif not sampler.replacement:
        n = len(sampler.data_source)
        assert all(
            sorted(drawn[k : k + n]) == list(range(n)) for k in range(0, len(drawn) - n + 1, n)
        )
    else:
        assert set(drawn) <= set(range(8))


def test_weighted_sampler_refuses_bad_weights():
    with pytest.raises(ValueError, match="non-negative"):
        data.WeightedRandomSampler([1.0, -1.0], 3)
    with pytest.raises(ValueError, match="cannot draw 3 samples without replacement"):
        data.WeightedRandomSampler([1.0, 0.0, 1.0], 3, replacement=False)


def test_an_iterable_dataset_is_batched_in_order_like_pytorch():
    def make(module, tensor):
        class Stream(module.IterableDataset):
            def __iter__(self):
                return iter(np.arange(7.0))

        return list(module.DataLoader(Stream(), batch_size=3)), list(
            module.DataLoader(Stream(), batch_size=3, drop_last=True)
        )

    ours, theirs = both(make)
    same_structure(ours, theirs)


def test_an_iterable_dataset_cannot_be_shuffled():
    class Stream(data.IterableDataset):
        def __iter__(self):
            return iter(range(3))

    with pytest.raises(ValueError, match="read in its own order"):
        DataLoader(Stream(), shuffle=True)


def test_num_workers_and_process_options_are_accepted_and_load_in_this_process():
    calls = []
    loader = DataLoader(
        data.TensorDataset(np.arange(6.0)),
        batch_size=4,
        num_workers=4,
        pin_memory=True,
        persistent_workers=True,
        prefetch_factor=2,
        timeout=5,
        worker_init_fn=calls.append,
    )
    assert [batch[0].shape for batch in loader] == [(4,), (2,)]
    assert calls == [0]
    assert data.get_worker_info() is None


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"num_workers": -1}, ValueError, "num_workers must be >= 0"),
        ({"sampler": [0, 1], "shuffle": True}, ValueError, "sampler and shuffle"),
        (
            {"batch_sampler": [[0]], "batch_size": 2},
            ValueError,
            "batch_sampler gives whole batches",
        ),
        (
            {"batch_sampler": [[0]], "drop_last": True},
            ValueError,
            "batch_sampler gives whole batches",
        ),
        ({"batch_size": None, "drop_last": True}, ValueError, "drop_last=True needs a batch_size"),
        (
            {"seed": 1, "generator": np.random.default_rng(1)},
            ValueError,
            "either seed= or generator=",
        ),
    ],
)
def test_loader_refuses_contradictory_options(kwargs, error, message):
    with pytest.raises(error, match=message):
        DataLoader(list(range(4)), **kwargs)


def test_the_module_is_reachable_under_every_pytorch_spelling():
    assert tg.utils.data is tg.data is data
    assert importlib.import_module("tinygrad_nn.utils.data") is tg.data
    assert tg.utils.data.DataLoader is DataLoader is tg.data.DataLoader


def test_a_pytorch_training_loop_over_a_split_dataset_runs_unchanged():
    X, y = tg.data.make_moons(120, seed=0)
    full = data.TensorDataset(tg.tensor(X), tg.tensor(y))
    train, valid = data.random_split(full, [0.8, 0.2], generator=SeededGenerator().manual_seed(0))
    train_loader = DataLoader(train, batch_size=16, shuffle=True, num_workers=2)
    valid_loader = DataLoader(valid, batch_size=64)
    model = tg.nn.Sequential(tg.nn.Linear(2, 16), tg.nn.Tanh(), tg.nn.Linear(16, 2))
    optimizer = tg.optim.Adam(model.parameters(), lr=0.05)
    loss_fn = tg.nn.CrossEntropyLoss()
    for _ in range(15):
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    correct = sum(int((model(xb).argmax(axis=1) == yb).numpy().sum()) for xb, yb in valid_loader)
    assert (len(train), len(valid), len(train_loader)) == (96, 24, 6)
    assert correct / len(valid) > 0.8
