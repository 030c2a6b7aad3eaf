"""XOR: the smallest problem a hidden layer is needed for.

Mirrors "Neural Networks" section "Cycle of Learning" -- forward propagation, the
binary cross-entropy loss, backward propagation, the update ``W := W - eta dW``,
repeated -- on the network of "Core Concepts" (its first table):
``f(x) = sigmoid(W2 tanh(W1 x + b1) + b2)``.  No straight line separates XOR's
classes, so a model without the hidden layer cannot get all four points right;
with four tanh units it learns them all.

Run: ``python examples/03_xor.py`` (set ``TQDM_DISABLE=1`` to hide the progress bar).
"""

from __future__ import annotations

import os

import numpy as np
from tqdm import tqdm

import tinygrad_nn as tg
from tinygrad_nn import nn, optim

STEPS = 300
SEED = 0


def main() -> None:
    """Train a 2-4-1 network on the four XOR points with full-batch gradient descent."""
    tg.manual_seed(SEED)
    X, y = tg.data.make_xor()
    inputs = tg.tensor(X)
    targets = tg.tensor(y.reshape(-1, 1).astype(np.float32))  # BCELoss wants float targets
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
    loss_fn = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)

    # No bar when output is not a terminal (disable=None), or when TQDM_DISABLE is set.
    bar = tqdm(range(STEPS), desc="xor", disable=True if os.environ.get("TQDM_DISABLE") else None)
    for _ in bar:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        bar.set_postfix(loss=f"{loss.item():.4f}")

    with tg.no_grad():
        probabilities = model(inputs).numpy().ravel()
    predictions = (probabilities > 0.5).astype(np.int64)
    print(f"{'x1':>3} {'x2':>3}  label  p(label=1)")
    for point, label, probability in zip(X, y, probabilities, strict=True):
        print(f"{point[0]:3.0f} {point[1]:3.0f}  {label:5d}  {probability:.4f}")
    print(f"final loss: {loss.item():.5f}")
    print(f"final accuracy: {100 * np.mean(predictions == y):.2f}%")


if __name__ == "__main__":
    main()
