"""Three interleaved spirals: multi-class classification with a softmax output.

Mirrors "Neural Networks" section "Output Layer" -- softmax for multi-class
classification, the output dimension m equal to the number of classes -- with
deeper "Hidden Layers" of ReLU units (the activation "Core Concepts" calls the
most common).  ``nn.CrossEntropyLoss`` takes the logits Z[L] and integer class
labels and applies the log-softmax inside the loss; its gradient is the
documents' ``dZ[L] = (A[L] - Y) / m`` with Y one-hot.  The spiral arms are not
separable by any simple boundary, so this needs the depth.

Run: ``python examples/05_spirals.py`` (set ``TQDM_DISABLE=1`` to hide the progress bar).
"""

from __future__ import annotations

import os

import numpy as np
from tqdm import tqdm

import tinygrad_nn as tg
from tinygrad_nn import nn, optim

POINTS = 1200
CLASSES = 3
EPOCHS = 60
SEED = 0


def main() -> None:
    """Train a 2-64-64-3 ReLU network on three spirals and report held-out accuracy."""
    tg.manual_seed(SEED)
    X, y = tg.data.make_spirals(POINTS, classes=CLASSES, seed=SEED)  # already shuffled
    n_train = int(0.8 * POINTS)
    train = tg.data.TensorDataset(X[:n_train], y[:n_train])
    loader = tg.data.DataLoader(train, batch_size=64, shuffle=True, seed=SEED)

    model = nn.Sequential(
        nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, CLASSES)
    )
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.01)

    # No bar when output is not a terminal (disable=None), or when TQDM_DISABLE is set.
    bar = tqdm(
        range(EPOCHS), desc="spirals", disable=True if os.environ.get("TQDM_DISABLE") else None
    )
    for _ in bar:
        for inputs, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), labels)
            loss.backward()
            optimizer.step()
        bar.set_postfix(loss=f"{loss.item():.4f}")

    with tg.no_grad():
        predictions = model(tg.tensor(X[n_train:])).argmax(1).numpy()
    per_class = [np.mean(predictions[y[n_train:] == k] == k) for k in range(CLASSES)]
    print(f"trained on {n_train} points, tested on {POINTS - n_train} held-out points")
    print("held-out accuracy per arm: " + ", ".join(f"{100 * a:.1f}%" for a in per_class))
    print(f"final held-out accuracy: {100 * np.mean(predictions == y[n_train:]):.2f}%")


if __name__ == "__main__":
    main()
