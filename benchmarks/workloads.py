"""The benchmark workloads W1–W7: sizes, and the seeded data every implementation starts from.

Every implementation builds its step from the same `WorkloadData`, so all of them do the same
arithmetic from the same weights. Weights are stored in PyTorch's layout (`weight` of shape
(out, in), `bias` of shape (out,)); an implementation that works in the documents' column
convention transposes its inputs once, at setup, outside the timed step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

LEARNING_RATE = 0.1
SEED = 0


@dataclass(frozen=True)
class Workload:
    """One row of the table: a key, what it is, how it is built and the target ratio."""

    key: str
    title: str
    kind: str  # "doc221", "mlp", "chain" or "cnn"
    sizes: dict
    quick_sizes: dict
    target: str
    budget_s: float  # timing seconds per implementation in a full run


WORKLOADS: dict[str, Workload] = {
    w.key: w
    for w in [
        Workload(
            "W1",
            "documents' 2-2-1 sigmoid net, BCE, 1 example, float64",
            "doc221",
            {},
            {},
            "≤ 2.0× numpy",
            2.0,
        ),
        Workload(
            "W2",
            "MLP 64-128-10, ReLU, softmax-CE, batch 32, float32",
            "mlp",
            {"layers": (64, 128, 10), "batch": 32},
            {"layers": (8, 16, 4), "batch": 4},
            "≤ 1.5× numpy",
            2.0,
        ),
        Workload(
            "W3",
            "MLP 784-256-256-10, batch 128, float32",
            "mlp",
            {"layers": (784, 256, 256, 10), "batch": 128},
            {"layers": (16, 8, 8, 4), "batch": 4},
            "≤ 1.10× numpy",
            4.0,
        ),
        Workload(
            "W4",
            "MLP 1024-2048-2048-10, batch 512, float32",
            "mlp",
            {"layers": (1024, 2048, 2048, 10), "batch": 512},
            {"layers": (32, 16, 16, 4), "batch": 8},
            "≤ 1.03× numpy",
            8.0,
        ),
        Workload(
            "W5",
            "shape-(1,) tensor through 2,000 ops (mul, add, tanh), float64",
            "chain",
            {"n_ops": 2_000},
            {"n_ops": 30},
            "≤ 2.5× numpy",
            4.0,
        ),
        Workload(
            "W6",
            "as W5 with 50,000 ops",
            "chain",
            {"n_ops": 50_000},
            {"n_ops": 90},
            "≤ 3× numpy",
            6.0,
        ),
        Workload(
            "W7",
            "CNN: conv3x3(1→8), conv3x3(8→16), maxpool 2, linear; 28×28, batch 64, float32",
            "cnn",
            {"batch": 64, "size": 28, "channels": (1, 8, 16), "classes": 10},
            {"batch": 2, "size": 6, "channels": (1, 2, 3), "classes": 3},
            "≤ 1.5× PyTorch",
            5.0,
        ),
    ]
}


@dataclass
class WorkloadData:
    """Seeded arrays for one workload: inputs, targets and initial parameters.

    `params` is the canonical parameter order every implementation reports back in
    (for the MLPs and the CNN: weight, bias per layer; for the chain: x, w, c).
    """

    key: str
    kind: str
    sizes: dict
    x: np.ndarray
    y: np.ndarray
    params: list[np.ndarray] = field(default_factory=list)


def _uniform_layer(rng: np.random.Generator, fan_in: int, shape: tuple, dtype) -> np.ndarray:
    """PyTorch's default init: uniform on ±1/sqrt(fan_in)."""
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def make_data(key: str, quick: bool = False) -> WorkloadData:
    """Build the seeded data of workload `key` (tiny sizes when `quick`)."""
    workload = WORKLOADS[key]
    sizes = workload.quick_sizes if quick else workload.sizes
    rng = np.random.default_rng(SEED)
    if workload.kind == "doc221":
        # The worked example of the first document: x = [0.5, 0.2], y = 1.
        params = [
            np.array([[0.1, 0.4], [0.8, 0.6]]),
            np.array([0.3, 0.9]),
            np.array([[0.3, 0.7]]),
            np.array([0.5]),
        ]
        return WorkloadData(key, "doc221", sizes, np.array([[0.5, 0.2]]), np.array([[1.0]]), params)
    if workload.kind == "mlp":
        layers, batch = sizes["layers"], sizes["batch"]
        params = []
        for fan_in, fan_out in zip(layers[:-1], layers[1:], strict=True):
            params.append(_uniform_layer(rng, fan_in, (fan_out, fan_in), np.float32))
            params.append(_uniform_layer(rng, fan_in, (fan_out,), np.float32))
        x = rng.standard_normal((batch, layers[0])).astype(np.float32)
        y = rng.integers(0, layers[-1], size=batch).astype(np.int64)
        return WorkloadData(key, "mlp", sizes, x, y, params)
    if workload.kind == "chain":
        # w < 1 and tanh keep the value bounded over any number of ops.
        params = [np.array([0.5]), np.array([0.9]), np.array([0.1])]
        return WorkloadData(key, "chain", sizes, np.empty(0), np.empty(0), params)
    batch, size, classes = sizes["batch"], sizes["size"], sizes["classes"]
    c_in, c_mid, c_out = sizes["channels"]
    flat = c_out * (size // 2) * (size // 2)
    params = [
        _uniform_layer(rng, c_in * 9, (c_mid, c_in, 3, 3), np.float32),
        _uniform_layer(rng, c_in * 9, (c_mid,), np.float32),
        _uniform_layer(rng, c_mid * 9, (c_out, c_mid, 3, 3), np.float32),
        _uniform_layer(rng, c_mid * 9, (c_out,), np.float32),
        _uniform_layer(rng, flat, (classes, flat), np.float32),
        _uniform_layer(rng, flat, (classes,), np.float32),
    ]
    x = rng.standard_normal((batch, c_in, size, size)).astype(np.float32)
    y = rng.integers(0, classes, size=batch).astype(np.int64)
    return WorkloadData(key, "cnn", sizes, x, y, params)


def chain_op(i: int) -> str:
    """The i-th op of the W5/W6 chain: mul by w, add c, tanh, repeating."""
    return ("mul", "add", "tanh")[i % 3]
