"""No leaks: graphs are freed by reference counting alone, and training keeps flat memory.

Backward closures receive the op's output as an argument (``backward(g, out)``)
instead of capturing it, so a node never refers to itself: no reference cycle,
and a graph dies as soon as its last reference goes, without the cyclic GC.
Every test here runs with the cyclic GC switched off to prove exactly that.
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from collections.abc import Callable

import numpy as np
import pytest
from strategies import coverage_cases

import tinygrad_nn as tg
import tinygrad_nn.nn.functional as F
from tinygrad_nn import nn, optim


@pytest.fixture
def no_cyclic_gc():
    """Switch the cyclic garbage collector off for the test: only refcounting frees."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    yield
    if was_enabled:
        gc.enable()


def _graph_is_freed(build: Callable[[], tg.Tensor]) -> None:
    """Build a graph, keep weak references to every node, drop it, and check all died."""
    out = build()
    refs = []
    stack, seen = [out], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node._backward is not None:  # an op output, not a leaf the test still holds
            refs.append((node._op, weakref.ref(node)))
        stack.extend(node._parents)
    assert refs, "the graph recorded no ops"
    del out, node, stack
    alive = [op for op, ref in refs if ref() is not None]
    assert not alive, f"nodes kept alive after the graph was dropped: {alive}"


COVERAGE = coverage_cases()


@pytest.mark.parametrize("name", sorted(COVERAGE))
def test_graph_of_each_op_is_freed_without_backward_and_without_gc(no_cyclic_gc, name):
    case = COVERAGE[name]
    leaves = case.leaves()
    _graph_is_freed(lambda: case.build(*leaves))


def _layers() -> dict[str, Callable[[], tg.Tensor]]:
    tg.manual_seed(0)
    x = tg.randn(4, 3)
    images = tg.randn(2, 1, 5, 5)
    labels = tg.tensor([0, 2, 1, 0])
    probs = tg.rand(4, 3) * 0.8 + 0.1
    return {
        "Linear": lambda: nn.Linear(3, 2)(x),
        "Sequential": lambda: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))(x),
        "BatchNorm1d": lambda: nn.BatchNorm1d(3)(x),
        "LayerNorm": lambda: nn.LayerNorm(3)(x),
        "Dropout": lambda: nn.Dropout(0.5)(nn.Linear(3, 3)(x)),
        "Embedding": lambda: nn.Embedding(5, 2)(labels),
        "Conv2d": lambda: nn.Conv2d(1, 2, 3, padding=1)(images),
        "MaxPool2d": lambda: nn.MaxPool2d(2)(nn.Conv2d(1, 1, 2)(images)),
        "GELU": lambda: nn.GELU()(nn.Linear(3, 3)(x)),
        "MSELoss": lambda: nn.MSELoss()(nn.Linear(3, 3)(x), probs),
        "L1Loss": lambda: nn.L1Loss()(nn.Linear(3, 3)(x), probs),
        "BCELoss": lambda: nn.BCELoss()(nn.Linear(3, 3)(x).sigmoid(), probs),
        "BCEWithLogitsLoss": lambda: nn.BCEWithLogitsLoss()(nn.Linear(3, 3)(x), probs),
        "CrossEntropyLoss": lambda: nn.CrossEntropyLoss()(nn.Linear(3, 3)(x), labels),
        "NLLLoss": lambda: nn.NLLLoss()(nn.Linear(3, 3)(x).log_softmax(1), labels),
        "F.dropout": lambda: F.dropout(nn.Linear(3, 3)(x), 0.3),
    }


LAYERS = _layers()


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_graph_through_each_layer_and_loss_is_freed_without_gc(no_cyclic_gc, name):
    _graph_is_freed(LAYERS[name])


def test_custom_function_saving_its_output_makes_no_cycle(no_cyclic_gc):
    class Exp(tg.Function):
        @staticmethod
        def forward(ctx, x):
            result = tg.Tensor(np.exp(x.numpy()))
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, g):
            (result,) = ctx.saved_tensors
            return g * result

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    _graph_is_freed(lambda: Exp.apply(x * 2).sum())


def test_recorded_in_place_op_makes_no_cycle(no_cyclic_gc):
    x = tg.tensor([1.0, 2.0], requires_grad=True)

    def build():
        out = x * 2
        out += x
        out *= 3
        return out.sum()

    _graph_is_freed(build)


def test_backward_releases_saved_intermediates_while_the_loss_lives(no_cyclic_gc):
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    hidden = (x @ x).tanh()
    ref = weakref.ref(hidden)
    loss = (hidden * hidden).sum()
    del hidden
    assert ref() is not None  # the graph holds it until backward
    loss.backward()
    assert ref() is None
    assert loss.item() > 0


def test_retained_graph_is_freed_when_dropped(no_cyclic_gc):
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    hidden = x.exp()
    ref = weakref.ref(hidden)
    loss = hidden.sum()
    del hidden
    loss.backward(retain_graph=True)
    assert ref() is not None
    del loss
    assert ref() is None


def _fill_tuple_free_lists() -> None:
    """Fill CPython's free lists of small tuples (2000 per length) while tracemalloc watches.

    Freed tuples are parked on these lists, not returned to the allocator; a list
    filled before tracing started looks, to tracemalloc, like ~100 KB that grows
    during the first thousand steps and then stops. Filling it under tracing
    makes the baseline honest.
    """
    junk = [tuple(range(n)) for n in range(1, 21) for _ in range(2100)]
    del junk


# Allowed growth of the traced peak from steps 100-500 to steps 500-1000. One leaked
# Tensor per step (its object alone is >100 bytes, its array more) would add >50 KB
# over 500 steps; what remains once the tuple free lists are full is a few hundred
# bytes of interpreter noise (measured: under 100 bytes).
LEAK_BOUND_BYTES = 16 * 1024


def test_thousand_training_steps_keep_memory_flat_without_gc(no_cyclic_gc):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x = tg.randn(32, 4)
    y = (x[:, :1] * x[:, 1:2]).detach()

    def step() -> float:
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss.item()

    tracemalloc.start()
    try:
        _fill_tuple_free_lists()
        first_loss = step()
        for i in range(2, 1001):
            last_loss = step()  # kept in one variable: a growing list would itself "leak"
            if i == 100:
                tracemalloc.reset_peak()
                current_100 = tracemalloc.get_traced_memory()[0]
            elif i == 500:
                current_500, peak_early = tracemalloc.get_traced_memory()
                tracemalloc.reset_peak()
        current_1000, peak_late = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak_late - peak_early <= LEAK_BOUND_BYTES
    assert current_1000 - current_500 <= LEAK_BOUND_BYTES
    assert current_500 - current_100 <= LEAK_BOUND_BYTES
    assert last_loss < first_loss
