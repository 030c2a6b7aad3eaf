"""micrograd 0.1.0: Karpathy's pure-Python scalar engine, one `Value` per number.

micrograd 0.1.0 has `+ * **` and `relu` only, so `tanh`, `exp` and `log` are added here the way
micrograd itself writes an op (one node whose `_backward` closure applies the local derivative),
as its later versions do for `tanh` and `exp`.
"""

from __future__ import annotations

import math
import sys

import numpy as np
from micrograd.engine import Value

from benchmarks.workloads import LEARNING_RATE, WorkloadData, chain_op

NAME = "micrograd"
SKIP = {
    "W2": "scalar engine: one Python object per number",
    "W3": "scalar engine: one Python object per number",
    "W4": "scalar engine: one Python object per number",
    "W6": "recursive topological sort, 50,000 frames deep",
    "W7": "scalar engine: one Python object per number",
}

# micrograd's backward sorts the graph recursively: one frame per node of the W5 chain.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))


def _unary(v: Value, value: float, derivative: float, op: str) -> Value:
    out = Value(value, (v,), op)

    def _backward():
        v.grad += derivative * out.grad

    out._backward = _backward
    return out


def tanh(v: Value) -> Value:
    """tanh with d tanh = 1 − tanh²."""
    t = math.tanh(v.data)
    return _unary(v, t, 1 - t * t, "tanh")


def exp(v: Value) -> Value:
    """exp with d exp = exp."""
    e = math.exp(v.data)
    return _unary(v, e, e, "exp")


def log(v: Value) -> Value:
    """log with d log = 1/x."""
    return _unary(v, math.log(v.data), 1 / v.data, "log")


def _sigmoid(v: Value) -> Value:
    return 1 / (1 + exp(-v))


class _Step:
    """Common part: parameters as lists of Values, updated by `p.data -= lr * p.grad`."""

    def __init__(self, arrays: list[np.ndarray]) -> None:
        self.shapes = [a.shape for a in arrays]
        self.values = [[Value(float(x)) for x in a.ravel()] for a in arrays]
        self.loss = None

    def train(self, loss: Value) -> None:
        for group in self.values:
            for p in group:
                p.grad = 0
        loss.backward()
        for group in self.values:
            for p in group:
                p.data -= LEARNING_RATE * p.grad
        self.loss = loss

    def parameters(self) -> list[np.ndarray]:
        return [
            np.array([p.data for p in group]).reshape(shape)
            for group, shape in zip(self.values, self.shapes, strict=True)
        ]

    def loss_value(self) -> float:
        return float(self.loss.data)


class Doc221(_Step):
    """W1: neuron by neuron, as micrograd's own MLP does."""

    def __init__(self, data: WorkloadData) -> None:
        super().__init__(data.params)
        self.x = [float(v) for v in data.x.ravel()]
        self.y = float(data.y.ravel()[0])

    def step(self) -> None:
        w1, b1, w2, b2 = self.values
        hidden = [
            _sigmoid(w1[2 * i] * self.x[0] + w1[2 * i + 1] * self.x[1] + b1[i]) for i in range(2)
        ]
        out = _sigmoid(w2[0] * hidden[0] + w2[1] * hidden[1] + b2[0])
        y = self.y
        self.train(-(y * log(out) + (1 - y) * log(1 - out)))


class Chain(_Step):
    """W5: one Value through mul, add, tanh."""

    def __init__(self, data: WorkloadData) -> None:
        super().__init__(data.params)
        self.ops = [chain_op(i) for i in range(data.sizes["n_ops"])]

    def step(self) -> None:
        (h,), (w,), (c,) = self.values
        for op in self.ops:
            if op == "mul":
                h = h * w
            elif op == "add":
                h = h + c
            else:
                h = tanh(h)
        self.train(h)


BUILDERS = {"doc221": Doc221, "chain": Chain}
