"""'What is torch.nn really', part 1: logistic regression on digit-like data from scratch."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import math

import numpy as np
import torch

rng = np.random.default_rng(0)
n_train, n_valid, n_pixels, n_classes = 512, 128, 64, 10
prototypes = rng.random((n_classes, n_pixels)).astype(np.float32)
labels = rng.integers(0, n_classes, n_train + n_valid)
images = prototypes[labels] + 0.3 * rng.standard_normal((n_train + n_valid, n_pixels))
images = images.astype(np.float32)
x_train, y_train = images[:n_train], labels[:n_train]
x_valid, y_valid = images[n_train:], labels[n_train:]

x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
n, c = x_train.shape
print(x_train, y_train)
print(x_train.shape)
print(y_train.min(), y_train.max())
assert y_train.dtype == torch.int64 and x_train.dtype == torch.float32

start = rng.standard_normal((n_pixels, n_classes)).astype(np.float32)
weights = torch.from_numpy(start) / math.sqrt(n_pixels)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


bs = 64
xb = x_train[0:bs]
preds = model(xb)
print(preds[0], preds.shape)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


loss_func = nll
yb = y_train[0:bs]
first_loss = loss_func(preds, yb)
print(first_loss)


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


first_accuracy = accuracy(preds, yb)

lr = 0.5
epochs = 2
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()

final_loss = loss_func(model(x_valid), y_valid)
final_accuracy = accuracy(model(x_valid), y_valid)
print(final_loss, final_accuracy)
assert final_loss < first_loss and final_accuracy > 0.8

results = {
    "preds0": preds[0], "first_loss": first_loss, "first_accuracy": first_accuracy,
    "final_loss": final_loss, "final_accuracy": final_accuracy, "weights": weights, "bias": bias,
}  # fmt: skip
