"""Two moons: binary classification with a sigmoid output, trained in mini-batches.

Mirrors "Neural Networks" sections "Hidden Layers" and "Output Layer" (sigmoid
output for binary classification) and "Core Concepts" section 2 (binary
cross-entropy, the cost J averaged over the examples).  The output layer
returns the logit Z[L]; ``nn.BCEWithLogitsLoss`` applies the sigmoid inside the
loss, the numerically stable form of ``BCELoss(sigmoid(Z))`` with the same
gradient ``dZ[L] = (A[L] - Y) / m``.  Adam replaces the plain update
``W := W - alpha dW``, and 20% of the points are held out to measure accuracy.

Run: ``python examples/04_moons.py`` (set ``TQDM_DISABLE=1`` to hide the progress bar).
"""

from __future__ import annotations

import os

import numpy as np
from tqdm import tqdm

import tinygrad_nn as tg
from tinygrad_nn import nn, optim

POINTS = 1000
EPOCHS = 30
SEED = 0


def main() -> None:
    """Train a 2-16-16-1 ReLU network on noisy moons and report held-out accuracy."""
    tg.manual_seed(SEED)
    X, y = tg.data.make_moons(POINTS, noise=0.1, seed=SEED)  # already shuffled
    n_train = int(0.8 * POINTS)
    targets = y.reshape(-1, 1).astype(np.float32)  # one probability per example
    train = tg.data.TensorDataset(X[:n_train], targets[:n_train])
    loader = tg.data.DataLoader(train, batch_size=64, shuffle=True, seed=SEED)

    model = nn.Sequential(
        nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1)
    )
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.01)

    # No bar when output is not a terminal (disable=None), or when TQDM_DISABLE is set.
    bar = tqdm(
        range(EPOCHS), desc="moons", disable=True if os.environ.get("TQDM_DISABLE") else None
    )
    for _ in bar:
        for inputs, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), labels)
            loss.backward()
            optimizer.step()
        bar.set_postfix(loss=f"{loss.item():.4f}")

    with tg.no_grad():
        logits = model(tg.tensor(X[n_train:])).numpy().ravel()
    accuracy = np.mean((logits > 0) == (y[n_train:] == 1))  # sigmoid(z) > 0.5  <=>  z > 0
    print(f"trained on {n_train} points, tested on {POINTS - n_train} held-out points")
    print(f"final held-out accuracy: {100 * accuracy:.2f}%")


if __name__ == "__main__":
    main()
