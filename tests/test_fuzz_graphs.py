"""Fuzzing: random graphs pass gradcheck, random module stacks round-trip through save/load.

Every property is derandomized (the same examples on every run, so CI is stable)
and has no deadline; example counts keep the whole file well under a minute.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import BINARY, STRUCTURAL, UNARY, GraphCase, coverage_cases, graphs, module_stacks

import tinygrad_nn as tg

GRAPH_EXAMPLES = 300
SECOND_ORDER_EXAMPLES = 100
STACK_EXAMPLES = 60
TORCH_EXAMPLES = 300


def fuzz(max_examples: int):
    """The settings every property here uses."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ---------------------------------------------------------------- random graphs


@fuzz(GRAPH_EXAMPLES)
@given(graphs())
def test_random_graphs_pass_gradcheck(case: GraphCase):
    assert tg.gradcheck(case.build, case.leaves())


@fuzz(GRAPH_EXAMPLES)
@given(graphs())
def test_random_graphs_accumulate_into_grad_what_tg_grad_returns(case: GraphCase):
    leaves = case.leaves()
    out = case.build(*leaves)
    weights = tg.tensor(np.random.default_rng(0).standard_normal(out.shape))
    expected = tg.grad((out * weights).sum(), leaves, retain_graph=True, allow_unused=True)
    (out * weights).sum().backward()
    for leaf, g in zip(leaves, expected, strict=True):
        if g is None:
            assert leaf.grad is None
        else:
            np.testing.assert_allclose(leaf.grad.numpy(), g.numpy(), rtol=1e-12, atol=1e-12)


@fuzz(SECOND_ORDER_EXAMPLES)
@given(graphs())
def test_random_graphs_pass_gradgradcheck(case: GraphCase):
    assert tg.gradgradcheck(case.build, case.leaves())


COVERAGE = coverage_cases()


@pytest.mark.parametrize("name", sorted(COVERAGE))
def test_each_op_of_the_strategy_passes_gradcheck_on_its_own(name: str):
    case = COVERAGE[name]
    assert tg.gradcheck(case.build, case.leaves())
    assert tg.gradgradcheck(case.build, case.leaves())


def test_coverage_table_names_every_op_the_strategy_can_draw():
    assert set(UNARY) | set(BINARY) | set(STRUCTURAL) <= set(COVERAGE)


def test_dim_keyword_works_where_axis_does():
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(x.softmax(dim=0).numpy(), x.softmax(axis=0).numpy())
    np.testing.assert_allclose(x.log_softmax(dim=0).numpy(), x.log_softmax(0).numpy())
    assert tg.cat([x, x], dim=1).shape == (2, 4)
    assert tg.stack([x, x], dim=2).shape == (2, 2, 2)


# ---------------------------------------------------------------- the same graphs in PyTorch


def _torch_ops(torch):
    """The strategy's ops written with PyTorch, keyed like UNARY, BINARY and STRUCTURAL."""
    F = torch.nn.functional

    def all_axes(x, axis):
        return tuple(range(x.ndim)) if axis is None else axis

    def sliced(x, index):
        # PyTorch has no negative steps: flip those axes, then slice forwards
        for axis, item in enumerate(index):
            if item == slice(None, None, -1):
                x = x.flip(axis)
        return x[tuple(slice(None) if i == slice(None, None, -1) else i for i in index)]

    def padded(x, widths, value):
        flat = [n for before_after in reversed(widths) for n in before_after]
        return F.pad(x, flat, value=value)

    unary = {
        "neg": lambda x: -x, "abs": lambda x: x.abs(), "exp": lambda x: x.tanh().exp(),
        "log": lambda x: (x * x + 1).log(), "sqrt": lambda x: (x * x + 0.5).sqrt(),
        "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
        "relu": torch.relu, "leaky_relu": lambda x: F.leaky_relu(x, 0.1),
        "softplus": F.softplus, "gelu": F.gelu,
        "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
        "clip": lambda x: x.clamp(-0.5, 0.5), "clamp_min": lambda x: x.clamp(min=-0.2),
        "square": lambda x: x**2, "cube": lambda x: x**3,
        "pow_1.5": lambda x: (x * x + 0.5) ** 1.5, "rsub": lambda x: 1.0 - x,
        "rdiv": lambda x: 2.0 / (x * x + 1), "scale": lambda x: x * 0.5 + 0.25,
        "ndarray_left": lambda x: torch.linspace(-1.0, 1.0, x.numel(), dtype=x.dtype)
        .reshape(x.shape) * x,
    }
    binary = {
        "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div": lambda a, b: a / (b * b + 1), "pow": lambda a, b: (a * a + 0.5) ** b.tanh(),
        "maximum": torch.maximum, "minimum": torch.minimum,
        "where": lambda a, b: torch.where(a.detach() > 0, a, b),
    }
    structural = {
        "sum": lambda xs, p: xs[0].sum(dim=all_axes(xs[0], p[0]), keepdim=p[1]),
        "mean": lambda xs, p: xs[0].mean(dim=all_axes(xs[0], p[0]), keepdim=p[1]),
        "max": lambda xs, p: torch.amax(xs[0], dim=all_axes(xs[0], p[0]), keepdim=p[1]),
        "min": lambda xs, p: torch.amin(xs[0], dim=all_axes(xs[0], p[0]), keepdim=p[1]),
        "var": lambda xs, p: torch.var(xs[0], dim=p[0], keepdim=p[1], correction=p[2]),
        "std": lambda xs, p: torch.std(
            xs[0] * torch.linspace(0.5, 1.5, xs[0].numel(), dtype=xs[0].dtype)
            .reshape(xs[0].shape), dim=p[0], keepdim=p[1], correction=p[2]),
        "logsumexp": lambda xs, p: torch.logsumexp(xs[0], dim=all_axes(xs[0], p[0]),
                                                   keepdim=p[1]),
        "softmax": lambda xs, p: torch.softmax(xs[0], dim=p[0]),
        "log_softmax": lambda xs, p: torch.log_softmax(xs[0], dim=p[0]),
        "reshape": lambda xs, p: xs[0].reshape(p[0]),
        "flatten": lambda xs, p: xs[0].flatten(),
        "transpose": lambda xs, p: xs[0].transpose(p[0], p[1]),
        "permute": lambda xs, p: xs[0].permute(*p[0]),
        "T": lambda xs, p: xs[0].permute(tuple(reversed(range(xs[0].ndim)))),
        "squeeze": lambda xs, p: xs[0].squeeze(),
        "unsqueeze": lambda xs, p: xs[0].unsqueeze(p[0]),
        "expand": lambda xs, p: xs[0].expand(*p[0]),
        "pad": lambda xs, p: padded(xs[0], p[0], p[1]),
        "slice": lambda xs, p: sliced(xs[0], p[0]),
        "take": lambda xs, p: xs[0][torch.tensor(p[0])],
        "mask": lambda xs, p: xs[0][torch.tensor(p[0])],
        "matmul": lambda xs, p: xs[0] @ xs[1],
        "gram": lambda xs, p: xs[0] @ xs[0].mT if xs[0].ndim >= 2 else xs[0] @ xs[0],
        "cat": lambda xs, p: torch.cat([xs[0], xs[1]], dim=p[0]),
        "stack": lambda xs, p: torch.stack([xs[0], xs[1]], dim=p[0]),
    }  # fmt: skip
    return unary, binary, structural


def _torch_build(torch, case: GraphCase, leaves: list):
    """``case.build`` replayed with PyTorch ops on PyTorch leaves."""
    unary, binary, structural = _torch_ops(torch)
    nodes = list(leaves)
    for step in case.steps:
        xs = [nodes[i] for i in step.args]
        if step.op in unary:
            nodes.append(unary[step.op](xs[0]))
        elif step.op in binary:
            nodes.append(binary[step.op](xs[0], xs[1]))
        else:
            nodes.append(structural[step.op](xs, step.params))
    used = {i for step in case.steps for i in step.args}
    result = nodes[-1]
    for i, node in enumerate(nodes[:-1]):
        if i not in used:
            result = result + node.sum()
    return result


def test_torch_mirror_covers_every_op_of_the_strategy():
    torch = pytest.importorskip("torch")
    unary, binary, structural = _torch_ops(torch)
    assert (set(unary), set(binary), set(structural)) == (set(UNARY), set(BINARY),
                                                          set(STRUCTURAL))


@fuzz(TORCH_EXAMPLES)
@given(graphs())
def test_random_graphs_match_pytorch_values_and_gradients(case: GraphCase):
    torch = pytest.importorskip("torch")
    leaves = case.leaves()
    out = case.build(*leaves)
    torch_leaves = [torch.tensor(a, requires_grad=True) for a in case.arrays]
    torch_out = _torch_build(torch, case, torch_leaves)
    assert out.shape == tuple(torch_out.shape)
    np.testing.assert_allclose(out.numpy(), torch_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = np.random.default_rng(0).standard_normal(out.shape)
    grads = tg.grad((out * tg.tensor(weights)).sum(), leaves, allow_unused=True)
    torch_grads = torch.autograd.grad(
        (torch_out * torch.tensor(weights)).sum(), torch_leaves, allow_unused=True
    )
    for g, tg_ in zip(grads, torch_grads, strict=True):
        expected = np.zeros_like(g.numpy()) if tg_ is None else tg_.numpy()
        actual = np.zeros_like(expected) if g is None else g.numpy()
        np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- module stacks


def _randomize(model, rng: np.random.Generator, specials: list[float]) -> None:
    """Give every parameter and buffer fresh values, a few of them special floats."""
    with tg.no_grad():
        for name, tensor in model._state_entries():
            if tensor.dtype.kind == "f":
                values = rng.standard_normal(tensor.shape).astype(tensor.dtype)
                flat = values.reshape(-1)
                flat[: len(specials)] = np.asarray(specials[: flat.size], dtype=tensor.dtype)
                if name.endswith("running_var"):
                    values = np.abs(values)
            else:
                values = rng.integers(0, 1000, tensor.shape).astype(tensor.dtype)
            tensor[...] = values


def _same_bits(a: tg.Tensor, b: tg.Tensor) -> bool:
    a, b = a.numpy(), b.numpy()
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@fuzz(STACK_EXAMPLES)
@given(
    case=module_stacks(),
    seed=st.integers(0, 2**31 - 1),
    specials=st.lists(
        st.sampled_from([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, 3.4e38, -1.5]), max_size=3
    ),
)
def test_random_module_stacks_round_trip_exactly_through_save_and_load(case, seed, specials):
    model = case.make(seed)
    _randomize(model, np.random.default_rng(seed), specials)
    saved = model.state_dict()
    with tempfile.TemporaryDirectory() as folder:
        path = tg.save(saved, os.path.join(folder, "model"))
        loaded = tg.load(path)
    assert list(loaded) == list(saved)
    for key in saved:
        assert _same_bits(loaded[key], saved[key]), key

    fresh = case.make(seed + 1)
    fresh.load_state_dict(loaded)
    for key, value in fresh.state_dict().items():
        assert _same_bits(value, saved[key]), key
    model.eval()
    fresh.eval()
    x = tg.randn(*case.input_shape, dtype=case.dtype)
    with tg.no_grad(), np.errstate(all="ignore"):  # special values make NaN outputs
        np.testing.assert_array_equal(fresh(x).numpy(), model(x).numpy())
