"""HIPS `autograd`: the loss as a numpy function of the parameters, `value_and_grad`, numpy SGD."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
from autograd import value_and_grad
from autograd.scipy.special import logsumexp

from benchmarks.workloads import LEARNING_RATE, WorkloadData, chain_op

NAME = "hips-autograd"


def _sigmoid(z):
    return 1.0 / (1.0 + anp.exp(-z))


class _Step:
    """Common part: the parameter arrays, updated in place from `value_and_grad`'s gradients."""

    def __init__(self, params: list[np.ndarray], loss_fn) -> None:
        self.params = [p.copy() for p in params]
        self.value_and_grad = value_and_grad(loss_fn)
        self.loss = 0.0

    def step(self) -> None:
        self.loss, grads = self.value_and_grad(self.params)
        for p, g in zip(self.params, grads, strict=True):
            p -= LEARNING_RATE * g

    def parameters(self) -> list[np.ndarray]:
        return self.params

    def loss_value(self) -> float:
        return float(self.loss)


class Doc221(_Step):
    """W1 in the documents' column convention."""

    def __init__(self, data: WorkloadData) -> None:
        x, y = data.x.T.copy(), data.y.T.copy()

        def loss_fn(params):
            w1, b1, w2, b2 = params
            a1 = _sigmoid(anp.dot(w1, x) + b1[:, None])
            a2 = _sigmoid(anp.dot(w2, a1) + b2[:, None])
            return -anp.mean(y * anp.log(a2) + (1 - y) * anp.log(1 - a2))

        super().__init__(data.params, loss_fn)


class Mlp(_Step):
    """W2–W4: ReLU MLP, log-softmax cross-entropy by `logsumexp` and label indexing."""

    def __init__(self, data: WorkloadData) -> None:
        x, labels = data.x, data.y
        rows = np.arange(len(labels))

        def loss_fn(params):
            h = x
            n_layers = len(params) // 2
            for layer in range(n_layers):
                h = anp.dot(h, params[2 * layer].T) + params[2 * layer + 1]
                if layer < n_layers - 1:
                    h = anp.maximum(h, 0.0)
            return anp.mean(logsumexp(h, axis=1) - h[rows, labels])

        super().__init__(data.params, loss_fn)


class Chain(_Step):
    """W5/W6: shape-(1,) float64 arrays through mul, add, tanh."""

    def __init__(self, data: WorkloadData) -> None:
        ops = [chain_op(i) for i in range(data.sizes["n_ops"])]

        def loss_fn(params):
            h, w, c = params
            for op in ops:
                if op == "mul":
                    h = h * w
                elif op == "add":
                    h = h + c
                else:
                    h = anp.tanh(h)
            return anp.sum(h)

        super().__init__(data.params, loss_fn)


BUILDERS = {"doc221": Doc221, "mlp": Mlp, "chain": Chain}
