"""Softmax regression from scratch (book chapter): softmax by exp and sum(1, keepdim=True),
a net reshaping its input, cross-entropy by fancy indexing, an accuracy() on argmax(axis=1),
an Accumulator, and a minibatch updater."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch
from torch.utils import data

X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
sums = (X.sum(0, keepdim=True), X.sum(1, keepdim=True))


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


X_prob = softmax(torch.tensor(np.linspace(-1, 1, 10).reshape(2, 5), dtype=torch.float32))
assert torch.allclose(X_prob.sum(1), torch.ones(2))

y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
picked = y_hat[[0, 1], y]


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


ce = cross_entropy(y_hat, y)


def accuracy(y_hat, y):
    """Compute the number of correct predictions."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


acc = accuracy(y_hat, y) / len(y)


class Accumulator:
    """For accumulating sums over `n` variables."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


rng = np.random.default_rng(0)
num_inputs, num_outputs, n = 16, 4, 600
centers = rng.standard_normal((num_outputs, num_inputs)) * 1.5
labels = rng.integers(0, num_outputs, n)
images = (centers[labels] + rng.standard_normal((n, num_inputs))).reshape(n, 1, 4, 4)
train_iter = data.DataLoader(
    data.TensorDataset(torch.tensor(images, dtype=torch.float32), torch.tensor(labels)),
    batch_size=64,
    shuffle=False,
)

W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
with torch.no_grad():
    W.copy_(torch.from_numpy(rng.normal(0, 0.01, (num_inputs, num_outputs))))
b = torch.zeros(num_outputs, requires_grad=True)


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


def updater(batch_size, lr=0.1):
    with torch.no_grad():
        for param in [W, b]:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


history = []
for epoch in range(3):
    metric = Accumulator(3)
    for X, y in train_iter:
        y_hat = net(X)
        l = cross_entropy(y_hat, y)
        l.sum().backward()
        updater(X.shape[0])
        metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
    history.append((metric[0] / metric[2], metric[1] / metric[2]))
    print(f"epoch {epoch + 1}: loss {history[-1][0]:.4f}, train acc {history[-1][1]:.3f}")
assert history[-1][0] < history[0][0] and history[-1][1] > 0.9

results = {
    "sums": list(sums), "X_prob": X_prob, "picked": picked, "ce": ce, "acc": acc,
    "history": history, "W": W, "b": b,
}  # fmt: skip
