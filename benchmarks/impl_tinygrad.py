"""tinygrad_nn with raw Tensor ops: `@`, elementwise ops, and SGD by hand under `tg.no_grad()`.

This is the documents' update rule written in the framework, `W -= lr * W.grad`, with no module
or optimizer layer in between; `impl_tinygrad_nn` is the same work through `nn` and `optim`.
"""

from __future__ import annotations

import numpy as np

import tinygrad_nn as tg
from benchmarks.workloads import LEARNING_RATE, WorkloadData, chain_op

NAME = "tinygrad_nn"
SKIP = {"W7": "needs nn.functional.conv2d: measured in tinygrad_nn-modules"}


class _Step:
    """Common part: leaf tensors that require grad, updated in place and their grads cleared."""

    def __init__(self, arrays: list[np.ndarray]) -> None:
        self.params = [tg.Tensor(a.copy(), requires_grad=True) for a in arrays]
        self.loss = None

    def train(self, loss: tg.Tensor) -> None:
        loss.backward()
        with tg.no_grad():
            for p in self.params:
                p -= LEARNING_RATE * p.grad
                p.zero_grad()
        self.loss = loss

    def parameters(self) -> list[np.ndarray]:
        return [p.numpy() for p in self.params]

    def loss_value(self) -> float:
        return self.loss.item()


class Doc221(_Step):
    """W1 in the documents' column convention, biases of shape (n, 1) as they write them."""

    def __init__(self, data: WorkloadData) -> None:
        w1, b1, w2, b2 = data.params
        super().__init__([w1, b1.reshape(-1, 1), w2, b2.reshape(-1, 1)])
        self.x = tg.Tensor(data.x.T.copy())
        self.y = tg.Tensor(data.y.T.copy())

    def step(self) -> None:
        w1, b1, w2, b2 = self.params
        a1 = (w1 @ self.x + b1).sigmoid()
        a2 = (w2 @ a1 + b2).sigmoid()
        y = self.y
        self.train(-(y * a2.log() + (1 - y) * (1 - a2).log()).mean())

    def parameters(self) -> list[np.ndarray]:
        w1, b1, w2, b2 = self.params
        return [w1.numpy(), b1.numpy().ravel(), w2.numpy(), b2.numpy().ravel()]


class Mlp(_Step):
    """W2–W4: `x @ W.T + b`, `relu`, cross-entropy as `-log_softmax` picked at the labels."""

    def __init__(self, data: WorkloadData) -> None:
        super().__init__(data.params)
        self.x = tg.Tensor(data.x)
        self.labels = data.y
        self.rows = np.arange(len(data.y))

    def step(self) -> None:
        h = self.x
        n_layers = len(self.params) // 2
        for layer in range(n_layers):
            h = h @ self.params[2 * layer].T + self.params[2 * layer + 1]
            if layer < n_layers - 1:
                h = h.relu()
        self.train(-h.log_softmax(axis=1)[self.rows, self.labels].mean())


class Chain(_Step):
    """W5/W6: shape-(1,) float64 tensors through mul, add, tanh."""

    def __init__(self, data: WorkloadData) -> None:
        super().__init__(data.params)
        self.ops = [chain_op(i) for i in range(data.sizes["n_ops"])]

    def step(self) -> None:
        h, w, c = self.params
        for op in self.ops:
            if op == "mul":
                h = h * w
            elif op == "add":
                h = h + c
            else:
                h = h.tanh()
        self.train(h.sum())


BUILDERS = {"doc221": Doc221, "mlp": Mlp, "chain": Chain}
