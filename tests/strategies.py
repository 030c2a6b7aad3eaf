"""Hypothesis strategies for the trust tests: random expression graphs and random module stacks.

A drawn graph is a small program: float64 leaves of broadcast-compatible shapes,
then up to ``MAX_STEPS`` ops, each applied to earlier nodes (so nodes fan out
and are reused), never deeper than ``MAX_DEPTH``. ``GraphCase.build`` replays the
program on any leaves, so ``tg.gradcheck(case.build, case.leaves())`` checks
every gradient it uses. Domains are kept safe by construction (``log`` of
``x*x + 1``, ``sqrt`` of ``x*x + 0.5``, division by ``y*y + 1``); leaf values
come from a seeded numpy generator in [-1.5, 1.5], so they avoid the exact
zeros and ties hypothesis likes, where kinks (relu, abs, max) are not
differentiable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

import tinygrad_nn as tg
from tinygrad_nn import nn

MAX_DEPTH = 8
MAX_STEPS = 10
MAX_LEAVES = 3

# ---------------------------------------------------------------- the ops

# Unary ops that keep the shape; each is safe on any finite float64 input.
UNARY: dict[str, Callable[[tg.Tensor], tg.Tensor]] = {
    "neg": lambda x: -x,
    "abs": lambda x: x.abs(),
    "exp": lambda x: x.tanh().exp(),
    "log": lambda x: (x * x + 1).log(),
    "sqrt": lambda x: (x * x + 0.5).sqrt(),
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "leaky_relu": lambda x: x.leaky_relu(0.1),
    "softplus": lambda x: x.softplus(),
    "gelu": lambda x: x.gelu(),
    "gelu_tanh": lambda x: x.gelu(approximate="tanh"),
    "clip": lambda x: x.clip(-0.5, 0.5),
    "clamp_min": lambda x: x.clamp(min=-0.2),
    "square": lambda x: x**2,
    "cube": lambda x: x**3,
    "pow_1.5": lambda x: (x * x + 0.5) ** 1.5,
    "rsub": lambda x: 1.0 - x,
    "rdiv": lambda x: 2.0 / (x * x + 1),
    "scale": lambda x: x * 0.5 + 0.25,
    "ndarray_left": lambda x: np.linspace(-1.0, 1.0, x.numel()).reshape(x.shape) * x,
}

# Binary ops on broadcast-compatible operands.
BINARY: dict[str, Callable[[tg.Tensor, tg.Tensor], tg.Tensor]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "pow": lambda a, b: (a * a + 0.5) ** b.tanh(),
    "maximum": lambda a, b: tg.maximum(a, b),
    "minimum": lambda a, b: tg.minimum(a, b),
    "where": lambda a, b: tg.where(a.detach() > 0, a, b),
}


@dataclass(frozen=True)
class Step:
    """One op of a drawn program: ``op`` applied to nodes ``args`` with parameters ``params``."""

    op: str
    args: tuple[int, ...]
    params: tuple = ()

    def __repr__(self) -> str:
        extra = f", {self.params!r}" if self.params else ""
        return f"{self.op}{self.args}{extra}"


# Ops with parameters, or that change the shape: ``fn(operands, params)``.
STRUCTURAL: dict[str, Callable[[list[tg.Tensor], tuple], tg.Tensor]] = {
    "sum": lambda xs, p: xs[0].sum(axis=p[0], keepdims=p[1]),
    "mean": lambda xs, p: xs[0].mean(dim=p[0], keepdim=p[1]),
    "max": lambda xs, p: xs[0].amax(axis=p[0], keepdims=p[1]),
    "min": lambda xs, p: xs[0].amin(axis=p[0], keepdims=p[1]),
    "var": lambda xs, p: xs[0].var(axis=p[0], keepdims=p[1], ddof=p[2]),
    # distinct weights keep copies of one value (expand, cat(x, x)) from a zero std
    "std": lambda xs, p: (xs[0] * np.linspace(0.5, 1.5, xs[0].numel()).reshape(xs[0].shape))
    .std(dim=p[0], keepdim=p[1], ddof=p[2]),
    "logsumexp": lambda xs, p: xs[0].logsumexp(axis=p[0], keepdims=p[1]),
    "softmax": lambda xs, p: xs[0].softmax(dim=p[0]),
    "log_softmax": lambda xs, p: xs[0].log_softmax(axis=p[0]),
    "reshape": lambda xs, p: xs[0].reshape(*p[0]),
    "flatten": lambda xs, p: xs[0].flatten(),
    "transpose": lambda xs, p: xs[0].transpose(p[0], p[1]),
    "permute": lambda xs, p: xs[0].permute(*p[0]),
    "T": lambda xs, p: xs[0].T,
    "squeeze": lambda xs, p: xs[0].squeeze(),
    "unsqueeze": lambda xs, p: xs[0].unsqueeze(p[0]),
    "expand": lambda xs, p: xs[0].expand(*p[0]),
    "pad": lambda xs, p: xs[0].pad(p[0], value=p[1]),
    "slice": lambda xs, p: xs[0][p[0]],
    "take": lambda xs, p: xs[0][np.array(p[0])],
    "mask": lambda xs, p: xs[0][np.array(p[0])],
    "matmul": lambda xs, p: xs[0] @ xs[1],
    "gram": lambda xs, p: xs[0] @ xs[0].mT if xs[0].ndim >= 2 else xs[0] @ xs[0],
    "cat": lambda xs, p: tg.cat([xs[0], xs[1]], axis=p[0]),
    "stack": lambda xs, p: tg.stack([xs[0], xs[1]], dim=p[0]),
}


def apply_step(step: Step, nodes: list[tg.Tensor]) -> tg.Tensor:
    """Run one step on the nodes built so far."""
    xs = [nodes[i] for i in step.args]
    if step.op in UNARY:
        return UNARY[step.op](xs[0])
    if step.op in BINARY:
        return BINARY[step.op](xs[0], xs[1])
    return STRUCTURAL[step.op](xs, step.params)


@dataclass
class GraphCase:
    """A drawn program: leaf arrays and the steps; ``build`` replays it on Tensors."""

    arrays: list[np.ndarray]
    steps: list[Step] = field(default_factory=list)

    def build(self, *leaves: tg.Tensor) -> tg.Tensor:
        """Run the program; the result adds every unused node so all of them get gradients."""
        nodes = list(leaves)
        for step in self.steps:
            nodes.append(apply_step(step, nodes))
        used = {i for step in self.steps for i in step.args}
        result = nodes[-1]
        for i, node in enumerate(nodes[:-1]):
            if i not in used:
                result = result + node.sum()
        return result

    def leaves(self) -> list[tg.Tensor]:
        """Fresh float64 leaves that require grad."""
        return [tg.tensor(a.copy(), requires_grad=True) for a in self.arrays]

    def __repr__(self) -> str:
        shapes = [a.shape for a in self.arrays]
        return f"GraphCase(leaf shapes {shapes}, steps {self.steps})"


def _broadcastable(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def _shape_step(draw: Any, i: int, x: tg.Tensor) -> Step:
    """A random shape, reduction, indexing or softmax op valid for ``x``."""
    shape, ndim = x.shape, x.ndim
    axis_or_none = st.none() | (st.integers(-ndim, ndim - 1) if ndim else st.none())
    choices = ["sum", "reshape", "flatten", "unsqueeze", "T"]
    if x.numel() > 0:  # a boolean mask may have selected nothing
        choices += ["mean", "max", "min", "logsumexp"]
        if ndim:
            choices += ["softmax", "log_softmax", "var", "std", "slice", "take", "mask", "permute",
                        "pad"]
        if ndim >= 2:
            choices += ["transpose"]
        if 1 in shape:
            choices += ["squeeze", "expand"]
    op = draw(st.sampled_from(choices))
    if op in ("sum", "mean", "max", "min", "logsumexp"):
        return Step(op, (i,), (draw(axis_or_none), draw(st.booleans())))
    if op == "std" and max(shape) < 2:
        op = "var"  # the std of a single value is 0, where sqrt has no derivative
    if op in ("var", "std"):
        axes = [a for a in range(ndim) if op == "var" or shape[a] >= 2]
        axis = draw(st.sampled_from(axes))
        count = shape[axis]
        ddof = draw(st.sampled_from([0, 1])) if count > 1 else 0
        return Step(op, (i,), (axis, draw(st.booleans()), ddof))
    if op in ("softmax", "log_softmax"):
        return Step(op, (i,), (draw(st.integers(-ndim, ndim - 1)),))
    if op == "reshape":
        new = list(shape[::-1]) or [1]
        if x.numel() and draw(st.booleans()):
            new[0] = -1
        return Step(op, (i,), (tuple(new),))
    if op == "transpose":
        return Step(op, (i,), (draw(st.integers(0, ndim - 1)), draw(st.integers(-ndim, -1))))
    if op == "permute":
        return Step(op, (i,), (tuple(draw(st.permutations(range(ndim)))),))
    if op == "unsqueeze":
        return Step(op, (i,), (draw(st.integers(-ndim - 1, ndim)),))
    if op == "expand":
        return Step(op, (i,), (tuple(2 if n == 1 else n for n in shape),))
    if op == "pad":
        widths = tuple((draw(st.integers(0, 1)), draw(st.integers(0, 1))) for _ in shape)
        return Step(op, (i,), (widths, draw(st.sampled_from([0.0, 0.5]))))
    if op == "slice":
        index = tuple(
            draw(st.sampled_from([slice(None), slice(None, None, -1), slice(1, None),
                                  slice(None, None, 2)] + ([0] if n else [])))
            for n in shape[: draw(st.integers(1, ndim))]
        )
        return Step(op, (i,), (index,))
    if op == "take":
        # repeated indices: their gradients must add up
        picks = draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=4))
        return Step(op, (i,), (tuple(picks),))
    if op == "mask":
        flags = draw(st.lists(st.booleans(), min_size=x.numel(), max_size=x.numel()))
        return Step(op, (i,), (np.array(flags).reshape(shape).tolist(),))
    return Step(op, (i,))


@st.composite
def graphs(draw: Any) -> GraphCase:
    """A random expression graph over 1-3 float64 leaves (see the module docstring)."""
    base = draw(st.lists(st.integers(1, 3), min_size=0, max_size=3))
    n_leaves = draw(st.integers(1, MAX_LEAVES))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    arrays = []
    for _ in range(n_leaves):
        ndim = draw(st.integers(0, len(base)))
        shape = tuple(n if draw(st.booleans()) else 1 for n in base[len(base) - ndim:])
        arrays.append(rng.uniform(-1.5, 1.5, size=shape))
    case = GraphCase(arrays)
    with tg.no_grad():
        nodes = [tg.tensor(a) for a in arrays]
        depth = [0] * len(nodes)
        for _ in range(draw(st.integers(1, MAX_STEPS))):
            shallow = [k for k, d in enumerate(depth) if d < MAX_DEPTH]
            i = draw(st.sampled_from(shallow))
            j = draw(st.sampled_from(shallow))
            kind = draw(st.sampled_from(["unary", "binary", "shape", "join"]))
            x, y = nodes[i], nodes[j]
            if kind == "unary":
                step = Step(draw(st.sampled_from(sorted(UNARY))), (i,))
            elif kind == "binary" and _broadcastable(x.shape, y.shape):
                step = Step(draw(st.sampled_from(sorted(BINARY))), (i, j))
            elif kind == "join" and x.ndim and x.shape == y.shape:
                op = draw(st.sampled_from(["cat", "stack"]))
                step = Step(op, (i, j), (draw(st.integers(0, x.ndim - (op == "cat"))),))
            elif kind == "join" and x.ndim and y.ndim and (
                x.shape[-1] == (y.shape[0] if y.ndim == 1 else y.shape[-2])
                and _broadcastable(x.shape[:-2], y.shape[:-2])
            ):
                step = Step("matmul", (i, j))
            elif kind == "join" and x.ndim:
                step = Step("gram", (i,))
            else:
                step = _shape_step(draw, i, x)
            nodes.append(apply_step(step, nodes))
            depth.append(1 + max(depth[k] for k in step.args))
            case.steps.append(step)
    return case


def coverage_cases() -> dict[str, GraphCase]:
    """One small hand-made program per op of the strategy, so each is checked for sure."""
    rng = np.random.default_rng(7)
    a23, a3 = rng.uniform(-1.5, 1.5, (2, 3)), rng.uniform(-1.5, 1.5, 3)
    a13, a32 = rng.uniform(-1.5, 1.5, (1, 3)), rng.uniform(-1.5, 1.5, (3, 2))
    cases = {name: GraphCase([a23], [Step(name, (0,))]) for name in UNARY}
    cases |= {name: GraphCase([a23, a3], [Step(name, (0, 1))]) for name in BINARY}
    cases |= {f"{name}_reused": GraphCase([a23], [Step(name, (0, 0))]) for name in BINARY}
    rows = {
        "sum": ([a23], (1, False)), "mean": ([a23], ((0, 1), True)),
        "max": ([a23], (-1, False)), "min": ([a23], (None, True)),
        "var": ([a23], (1, True, 1)), "std": ([a23], (0, False, 0)),
        "logsumexp": ([a23], (0, False)), "softmax": ([a23], (0,)),
        "log_softmax": ([a23], (-1,)), "reshape": ([a23], ((3, -1),)), "flatten": ([a23], ()),
        "transpose": ([a23], (0, -1)), "permute": ([a23], ((1, 0),)), "T": ([a23], ()),
        "squeeze": ([a13], ()), "unsqueeze": ([a23], (-1,)), "expand": ([a13], ((2, 3),)),
        "pad": ([a23], (((1, 0), (0, 2)), 0.5)),
        "slice": ([a23], ((slice(None, None, -1), 0),)),
        "take": ([a23], ((0, 0, 1, -1),)),
        "mask": ([a23], ([[True, False, True], [False, True, True]],)),
        "gram": ([a23], ()),
    }  # fmt: skip
    for name, (arrays, params) in rows.items():
        cases[name] = GraphCase(arrays, [Step(name, (0,), params)])
    cases["matmul"] = GraphCase([a23, a32], [Step("matmul", (0, 1))])
    cases["cat"] = GraphCase([a23, a13], [Step("cat", (0, 1), (0,))])
    cases["stack"] = GraphCase([a23, a23 * 2], [Step("stack", (0, 1), (2,))])
    return cases



# ---------------------------------------------------------------- module stacks


@dataclass
class StackCase:
    """A drawn ``nn.Sequential`` recipe; ``make(seed)`` builds a fresh model from it."""

    layers: list[tuple[str, tuple]]
    input_shape: tuple[int, ...]
    dtype: Any

    def make(self, seed: int) -> nn.Module:
        """Build the model, its weights drawn after ``tg.manual_seed(seed)``."""
        tg.manual_seed(seed)
        mods = []
        for name, args in self.layers:
            if name == "Nested":
                mods.append(nn.Sequential(nn.Linear(*args), nn.Tanh()))
            else:
                mods.append(getattr(nn, name)(*args))
        model = nn.Sequential(*mods)
        return model.double() if self.dtype == tg.float64 else model


@st.composite
def module_stacks(draw: Any) -> StackCase:
    """A random ``Sequential`` (optionally a conv block first), float32 or float64."""
    layers: list[tuple[str, tuple]] = []
    batch = draw(st.integers(2, 4))
    if draw(st.booleans()):
        channels, size = draw(st.integers(1, 2)), draw(st.integers(4, 6))
        out_ch, kernel = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        stride, padding = draw(st.integers(1, 2)), draw(st.integers(0, 1))
        layers.append(("Conv2d", (channels, out_ch, kernel, stride, padding)))
        side = (size + 2 * padding - kernel) // stride + 1
        if side >= 2 and draw(st.booleans()):
            layers.append(("MaxPool2d", (2,)))
            side //= 2
        layers.append(("Flatten", ()))
        input_shape: tuple[int, ...] = (batch, channels, size, size)
        width = out_ch * side * side
    else:
        width = draw(st.integers(1, 6))
        input_shape = (batch, width)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["Linear", "Nested", "BatchNorm1d", "LayerNorm", "ReLU",
                                     "Tanh", "Sigmoid", "GELU", "LeakyReLU", "Dropout",
                                     "Identity", "Softmax", "LogSoftmax"]))
        if kind in ("Linear", "Nested"):
            out = draw(st.integers(1, 6))
            layers.append((kind, (width, out) + ((draw(st.booleans()),) if kind == "Linear"
                                                 else ())))
            width = out
        elif kind in ("BatchNorm1d", "LayerNorm"):
            layers.append((kind, (width,)))
        else:
            layers.append((kind, ()))
    dtype = draw(st.sampled_from([tg.float32, tg.float64]))
    return StackCase(layers, input_shape, dtype)
