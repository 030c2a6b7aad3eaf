"""The floor: hand-written numpy with the documents' closed-form gradients.

Column convention as in the documents (A has shape (features, m), Z = W A + b, b of shape
(n, 1)), `dZ_L = A_L − Y`, `dW = (1/m) dZ A_prevᵀ`, `db = (1/m) Σ dZ`, `dA_prev = Wᵀ dZ`,
`dZ = dA ⊙ g'(Z)`, and the update `W := W − α dW` in place.
"""

from __future__ import annotations

import numpy as np

from benchmarks.workloads import LEARNING_RATE, WorkloadData, chain_op

NAME = "numpy"


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class Doc221:
    """W1: the documents' 2-2-1 sigmoid network with binary cross-entropy."""

    def __init__(self, data: WorkloadData) -> None:
        self.x = np.ascontiguousarray(data.x.T)  # (features, m)
        self.y = np.ascontiguousarray(data.y.T)
        w1, b1, w2, b2 = (p.copy() for p in data.params)
        self.weights = [w1, w2]
        self.biases = [b1.reshape(-1, 1), b2.reshape(-1, 1)]
        self.loss = 0.0

    def step(self) -> None:
        (w1, w2), (b1, b2), x, y = self.weights, self.biases, self.x, self.y
        m = x.shape[1]
        a1 = _sigmoid(w1 @ x + b1)
        a2 = _sigmoid(w2 @ a1 + b2)
        self.loss = -np.mean(y * np.log(a2) + (1 - y) * np.log(1 - a2))
        dz2 = a2 - y
        dw2 = (1 / m) * dz2 @ a1.T
        db2 = (1 / m) * dz2.sum(axis=1, keepdims=True)
        dz1 = (w2.T @ dz2) * a1 * (1 - a1)
        dw1 = (1 / m) * dz1 @ x.T
        db1 = (1 / m) * dz1.sum(axis=1, keepdims=True)
        w1 -= LEARNING_RATE * dw1
        b1 -= LEARNING_RATE * db1
        w2 -= LEARNING_RATE * dw2
        b2 -= LEARNING_RATE * db2

    def parameters(self) -> list[np.ndarray]:
        (w1, w2), (b1, b2) = self.weights, self.biases
        return [w1, b1.ravel(), w2, b2.ravel()]

    def loss_value(self) -> float:
        return float(self.loss)


class Mlp:
    """W2–W4: ReLU MLP with softmax cross-entropy over integer labels."""

    def __init__(self, data: WorkloadData) -> None:
        self.x = np.ascontiguousarray(data.x.T)  # (features, m)
        self.labels = data.y
        self.weights = [p.copy() for p in data.params[0::2]]
        self.biases = [p.reshape(-1, 1).copy() for p in data.params[1::2]]
        self.loss = 0.0

    def step(self) -> None:
        m = self.x.shape[1]
        columns = np.arange(m)
        activations, pre_activations = [self.x], []
        for layer, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = w @ activations[-1] + b
            pre_activations.append(z)
            if layer < len(self.weights) - 1:
                activations.append(np.maximum(z, 0))
        z_out = pre_activations[-1]
        shifted = z_out - z_out.max(axis=0, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=0, keepdims=True)
        self.loss = np.mean(np.log(total[0]) - shifted[self.labels, columns])
        dz = exp / total  # softmax A_L; dZ_L = A_L − Y with Y one-hot
        dz[self.labels, columns] -= 1
        for layer in range(len(self.weights) - 1, -1, -1):
            w, b = self.weights[layer], self.biases[layer]
            dw = (1 / m) * (dz @ activations[layer].T)
            db = (1 / m) * dz.sum(axis=1, keepdims=True)
            if layer > 0:
                dz = (w.T @ dz) * (pre_activations[layer - 1] > 0)
            w -= LEARNING_RATE * dw
            b -= LEARNING_RATE * db

    def parameters(self) -> list[np.ndarray]:
        out = []
        for w, b in zip(self.weights, self.biases, strict=True):
            out += [w, b.ravel()]
        return out

    def loss_value(self) -> float:
        return float(self.loss)


class Chain:
    """W5/W6: forward through the chain keeping what backward needs, then the chain rule."""

    def __init__(self, data: WorkloadData) -> None:
        self.n_ops = data.sizes["n_ops"]
        self.ops = [chain_op(i) for i in range(self.n_ops)]
        self.x, self.w, self.c = (p.copy() for p in data.params)
        self.loss = 0.0

    def step(self) -> None:
        w, c = self.w, self.c
        h, saved = self.x, []
        for op in self.ops:
            if op == "mul":
                saved.append(h)  # d(h w)/dw = h
                h = h * w
            elif op == "add":
                h = h + c
            else:
                h = np.tanh(h)
                saved.append(h)  # d tanh = 1 − tanh²
        self.loss = h.sum()
        grad, grad_w, grad_c = np.ones_like(h), np.zeros_like(w), np.zeros_like(c)
        for op in reversed(self.ops):
            if op == "mul":
                grad_w += grad * saved.pop()
                grad = grad * w
            elif op == "add":
                grad_c += grad
            else:
                t = saved.pop()
                grad = grad * (1 - t * t)
        self.x -= LEARNING_RATE * grad
        self.w -= LEARNING_RATE * grad_w
        self.c -= LEARNING_RATE * grad_c

    def parameters(self) -> list[np.ndarray]:
        return [self.x, self.w, self.c]

    def loss_value(self) -> float:
        return float(self.loss)


def _im2col(x: np.ndarray) -> np.ndarray:
    """(N, C, H, W) padded by 1 → (N·H·W, C·9) patches of a 3×3 window, stride 1."""
    n, c, h, w = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(2, 3))
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * w, c * 9)


def _col2im(cols: np.ndarray, shape: tuple) -> np.ndarray:
    """The adjoint of `_im2col`: add every patch back where it came from."""
    n, c, h, w = shape
    patches = cols.reshape(n, h, w, c, 3, 3)
    padded = np.zeros((n, c, h + 2, w + 2), dtype=cols.dtype)
    for i in range(3):
        for j in range(3):
            padded[:, :, i : i + h, j : j + w] += patches[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return padded[:, :, 1:-1, 1:-1]


class Cnn:
    """W7: im2col convolutions, 2×2 max-pool, linear, softmax cross-entropy (batch-first)."""

    def __init__(self, data: WorkloadData) -> None:
        self.x, self.labels = data.x, data.y
        self.params = [p.copy() for p in data.params]
        self.loss = 0.0

    def _conv(self, x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple:
        n, _, h, width = x.shape
        cols = _im2col(x)
        out = cols @ w.reshape(w.shape[0], -1).T + b
        return out.reshape(n, h, width, -1).transpose(0, 3, 1, 2), cols

    def _conv_backward(self, dout: np.ndarray, cols: np.ndarray, w: np.ndarray) -> tuple:
        d2 = dout.transpose(0, 2, 3, 1).reshape(-1, w.shape[0])
        return (d2.T @ cols).reshape(w.shape), d2.sum(axis=0), d2 @ w.reshape(w.shape[0], -1)

    def step(self) -> None:
        w1, b1, w2, b2, w3, b3 = self.params
        x, labels = self.x, self.labels
        m = x.shape[0]
        z1, cols1 = self._conv(x, w1, b1)
        a1 = np.maximum(z1, 0)
        z2, cols2 = self._conv(a1, w2, b2)
        a2 = np.maximum(z2, 0)
        n, c, h, w = a2.shape
        blocks = a2.reshape(n, c, h // 2, 2, w // 2, 2)
        pooled = blocks.max(axis=(3, 5))
        flat = pooled.reshape(n, -1)
        logits = flat @ w3.T + b3
        rows = np.arange(m)
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        self.loss = np.mean(np.log(total[:, 0]) - shifted[rows, labels])
        dlogits = exp / total
        dlogits[rows, labels] -= 1
        dlogits /= m
        dw3, db3 = dlogits.T @ flat, dlogits.sum(axis=0)
        dpooled = (dlogits @ w3).reshape(pooled.shape)
        # The pooled gradient goes to the maximal element(s), shared equally on ties.
        is_max = blocks == pooled[:, :, :, None, :, None]
        share = is_max / is_max.sum(axis=(3, 5), keepdims=True)
        da2 = (share * dpooled[:, :, :, None, :, None]).reshape(a2.shape)
        dz2 = da2 * (z2 > 0)
        dw2, db2, dcols2 = self._conv_backward(dz2, cols2, w2)
        da1 = _col2im(dcols2, a1.shape)
        dz1 = da1 * (z1 > 0)
        dw1, db1, _ = self._conv_backward(dz1, cols1, w1)
        for p, g in zip(self.params, (dw1, db1, dw2, db2, dw3, db3), strict=True):
            p -= LEARNING_RATE * g

    def parameters(self) -> list[np.ndarray]:
        return self.params

    def loss_value(self) -> float:
        return float(self.loss)


BUILDERS = {"doc221": Doc221, "mlp": Mlp, "chain": Chain, "cnn": Cnn}
