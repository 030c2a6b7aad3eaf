"""Random creation: seeds repeat, generators are independent, and the samples look right."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_nn as tg

DRAWS = {
    "rand": lambda **kw: tg.rand(3, 4, **kw),
    "randn": lambda **kw: tg.randn(5, **kw),
    "randint": lambda **kw: tg.randint(0, 100, (6,), **kw),
    "randperm": lambda **kw: tg.randperm(10, **kw),
    "normal": lambda **kw: tg.normal(tg.zeros(4), tg.ones(4), **kw),
    "normal_numbers": lambda **kw: tg.normal(2.0, 3.0, (4,), **kw),
    "bernoulli": lambda **kw: tg.bernoulli(tg.full((8,), 0.5), **kw),
    "multinomial": lambda **kw: tg.multinomial(tg.tensor([1.0, 2.0, 3.0, 4.0]), 3, **kw),
    "rand_like": lambda **kw: tg.rand_like(tg.ones(3), **kw),
    "randn_like": lambda **kw: tg.randn_like(tg.ones(3), **kw),
    "randint_like": lambda **kw: tg.randint_like(tg.ones(3), 10, **kw),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_same_seed_gives_same_numbers(name):
    draw = DRAWS[name]
    tg.manual_seed(11)
    first = draw().numpy()
    tg.manual_seed(11)
    np.testing.assert_array_equal(draw().numpy(), first)
    np.testing.assert_array_equal(draw(generator=tg.Generator().manual_seed(5)).numpy(),
                                  draw(generator=tg.Generator().manual_seed(5)).numpy())


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_a_generator_is_its_own_stream(name):
    draw = DRAWS[name]
    tg.manual_seed(3)
    plain = [draw().numpy() for _ in range(2)]
    tg.manual_seed(3)
    mine = tg.Generator().manual_seed(4)
    first = draw().numpy()
    draw(generator=mine)  # draws from its own stream: the default stream does not move
    np.testing.assert_array_equal(first, plain[0])
    np.testing.assert_array_equal(draw().numpy(), plain[1])


def test_different_seeds_give_different_streams():
    a = tg.rand(100, generator=tg.Generator().manual_seed(1)).numpy()
    b = tg.rand(100, generator=tg.Generator().manual_seed(2)).numpy()
    assert not np.array_equal(a, b)


def test_manual_seed_returns_the_default_generator_and_initial_seed_reports_it():
    g = tg.manual_seed(42)
    assert g is tg.default_generator and tg.initial_seed() == 42
    mine = tg.Generator()
    assert mine.manual_seed(9) is mine and mine.initial_seed() == 9
    assert mine.device == "cpu" and mine.device.type == "cpu"


def test_seed_draws_a_fresh_seed_that_can_be_replayed():
    fresh = tg.seed()
    assert tg.initial_seed() == fresh
    values = tg.rand(4).numpy()
    tg.manual_seed(fresh)
    np.testing.assert_array_equal(tg.rand(4).numpy(), values)


def test_get_state_and_set_state_replay_the_stream():
    g = tg.Generator().manual_seed(21)
    tg.randn(3, generator=g)
    tg.rand(1, generator=g)  # an odd number of 32-bit halves, to exercise the buffered word
    state = g.get_state()
    assert state.dtype == tg.uint8
    after = tg.randn(5, generator=g).numpy()
    g.set_state(state)
    np.testing.assert_array_equal(tg.randn(5, generator=g).numpy(), after)
    tg.manual_seed(0)
    saved = tg.get_rng_state()
    expected = tg.randint(0, 1000, (4,)).numpy()
    tg.set_rng_state(saved)
    np.testing.assert_array_equal(tg.randint(0, 1000, (4,)).numpy(), expected)


def test_set_state_rejects_a_foreign_state():
    with pytest.raises(ValueError, match="get_state"):
        tg.Generator().set_state(tg.zeros(3, dtype=tg.uint8))


def test_manual_seed_rejects_non_integers():
    with pytest.raises(TypeError, match="int"):
        tg.manual_seed(1.5)
    with pytest.raises(TypeError, match="tg.Generator"):
        tg.rand(2, generator=42)


# ---------------------------------------------------------------- the samples' statistics

N = 200_000
# a sample mean lies within 5 standard errors of the true mean with probability 1 - 6e-7
BAND = 5 / math.sqrt(N)


def test_rand_is_uniform_on_the_unit_interval():
    x = tg.rand(N, generator=tg.Generator().manual_seed(1)).numpy().astype(np.float64)
    assert x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < BAND * math.sqrt(1 / 12)
    assert abs(x.var() - 1 / 12) < BAND * math.sqrt(1 / 180)  # var of (U - 1/2)^2 is 1/180


def test_randn_has_mean_zero_and_unit_variance():
    x = tg.randn(N, generator=tg.Generator().manual_seed(2), dtype=tg.float64).numpy()
    assert abs(x.mean()) < BAND
    assert abs(x.var() - 1) < BAND * math.sqrt(2)  # var of z^2 is 2


def test_normal_broadcasts_tensor_means_and_stds():
    means, stds = tg.tensor([[-3.0], [0.0], [5.0]], dtype=tg.float64), tg.tensor([0.5, 2.0])
    x = np.stack([tg.normal(means, stds, generator=tg.Generator().manual_seed(s)).numpy()
                  for s in range(2000)])
    assert x.shape == (2000, 3, 2) and x.dtype == np.float64
    band = 5 / math.sqrt(2000)
    mean_of, std_of = (np.broadcast_to(t.numpy(), (3, 2)) for t in (means, stds))
    np.testing.assert_array_less(np.abs(x.mean(0) - mean_of), band * std_of)
    np.testing.assert_array_less(np.abs(x.std(0) / std_of - 1), band * math.sqrt(0.5))
    scalar = tg.normal(1.0, 2.0, size=(N,), generator=tg.Generator().manual_seed(3)).numpy()
    assert abs(scalar.mean() - 1.0) < BAND * 2.0


def test_bernoulli_hits_each_probability():
    probs = tg.tensor([0.0, 0.1, 0.5, 0.9, 1.0], dtype=tg.float64)
    draws = tg.bernoulli(probs.expand(N // 10, 5).reshape(N // 10, 5),
                         generator=tg.Generator().manual_seed(4))
    assert draws.dtype == tg.float64
    frequency = draws.numpy().mean(0)
    assert frequency[0] == 0 and frequency[-1] == 1
    spread = np.sqrt(probs.numpy() * (1 - probs.numpy()))
    np.testing.assert_array_less(np.abs(frequency - probs.numpy())[1:-1],
                                 (5 / math.sqrt(N // 10)) * spread[1:-1])


def test_multinomial_with_replacement_follows_the_weights():
    weights = tg.tensor([1.0, 0.0, 3.0, 6.0])
    draws = tg.multinomial(weights, N, replacement=True,
                           generator=tg.Generator().manual_seed(5)).numpy()
    assert draws.dtype == np.int64 and draws.shape == (N,)
    frequency = np.bincount(draws, minlength=4) / N
    p = np.array([0.1, 0.0, 0.3, 0.6])
    assert frequency[1] == 0
    np.testing.assert_array_less(np.abs(frequency - p), BAND * np.sqrt(p * (1 - p)) + 1e-12)


def test_multinomial_without_replacement_never_repeats_within_a_row():
    weights = tg.tensor([[1.0, 2.0, 3.0, 4.0, 0.0], [5.0, 1.0, 1.0, 1.0, 1.0]])
    for seed in range(50):
        rows = tg.multinomial(weights, 4, generator=tg.Generator().manual_seed(seed)).numpy()
        assert rows.shape == (2, 4)
        assert all(len(set(row)) == 4 for row in rows)
        assert 4 not in rows[0]  # a zero weight is never drawn


def test_multinomial_rejects_impossible_requests():
    with pytest.raises(ValueError, match="without replacement"):
        tg.multinomial(tg.tensor([1.0, 0.0, 1.0]), 3)
    with pytest.raises(ValueError, match="non-negative"):
        tg.multinomial(tg.tensor([1.0, -1.0]), 1)
    with pytest.raises(ValueError, match="positive weight"):
        tg.multinomial(tg.tensor([0.0, 0.0]), 1, replacement=True)


def test_randperm_is_a_permutation():
    for n in (0, 1, 7, 1000):
        perm = tg.randperm(n).numpy()
        assert perm.dtype == np.int64 and sorted(perm.tolist()) == list(range(n))


def test_randint_signatures_and_range():
    assert tg.randint(10, (3,)).shape == (3,)
    assert tg.randint(0, 10, (3,)).shape == (3,)
    assert tg.randint(10, size=(2, 2)).shape == (2, 2)
    assert tg.randint(low=5, high=7, size=(4,)).shape == (4,)
    draws = tg.randint(-3, 4, (N,), generator=tg.Generator().manual_seed(6)).numpy()
    assert draws.dtype == np.int64 and set(draws.tolist()) == set(range(-3, 4))
    assert tg.randint(3, (2,), dtype=tg.int32).dtype == tg.int32


def test_like_draws_keep_the_input_dtype():
    assert tg.rand_like(tg.ones(2, dtype=tg.float64)).dtype == tg.float64
    assert tg.randint_like(tg.ones(2), 0, 5).dtype == tg.float32  # as PyTorch: input's dtype
    values = tg.randint_like(tg.zeros(1000, dtype=tg.int64), 2, 5).numpy()
    assert set(values.tolist()) == {2, 3, 4}


@pytest.mark.parametrize("call, error, match", [
    (lambda: tg.normal(0.0, -1.0, (2,)), ValueError, "std"),
    (lambda: tg.normal(0.0, 1.0), TypeError, "size"),
    (lambda: tg.normal(tg.zeros(2), 1.0, (2,)), TypeError, "size"),
    (lambda: tg.bernoulli(tg.tensor([1.5])), ValueError, r"\[0, 1\]"),
    (lambda: tg.bernoulli(tg.tensor([1])), TypeError, "floating"),
    (lambda: tg.randint(5, 2, (3,)), ValueError, "low < high"),
    (lambda: tg.randint(5), TypeError, "size"),
])
def test_bad_random_arguments_raise_naming_the_problem(call, error, match):
    with pytest.raises(error, match=match):
        call()
