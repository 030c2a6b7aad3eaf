"""It learns: small models trained end to end reach high accuracy on held-out data.

Each test is seeded (``tg.manual_seed`` for the initial weights, fixed data seeds
and loader seeds), so it gives the same numbers on every run; the sizes and
epochs leave a margin above each threshold (several other seeds were checked
when they were chosen).  Each runs in a few seconds.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

import tinygrad_nn as tg
from tinygrad_nn import nn, optim

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _fit(
    model: nn.Module,
    loss_fn: nn.Module,
    inputs: np.ndarray,
    targets: np.ndarray,
    epochs: int,
    lr: float,
    batch_size: int = 64,
) -> float:
    """Train with Adam in shuffled mini-batches; return the last batch's loss."""
    loader = tg.data.DataLoader(
        tg.data.TensorDataset(inputs, targets), batch_size=batch_size, shuffle=True, seed=0
    )
    optimizer = optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        for batch, batch_targets in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(batch), batch_targets)
            loss.backward()
            optimizer.step()
    return loss.item()


def _predicted_classes(model: nn.Module, inputs: np.ndarray) -> np.ndarray:
    model.eval()
    with tg.no_grad():
        return model(tg.tensor(inputs)).argmax(1).numpy()


def test_xor_reaches_full_accuracy_with_one_hidden_layer() -> None:
    tg.manual_seed(0)
    X, y = tg.data.make_xor()
    inputs = tg.tensor(X)
    targets = tg.tensor(y.reshape(-1, 1).astype(np.float32))
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
    loss_fn = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    for _ in range(300):
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
    with tg.no_grad():
        probabilities = model(inputs).numpy().ravel()
    assert np.array_equal(probabilities > 0.5, y == 1), probabilities
    assert loss.item() < 0.05


def test_moons_reach_97_percent_held_out_accuracy() -> None:
    tg.manual_seed(0)
    X, y = tg.data.make_moons(1000, noise=0.1, seed=1)
    n_train = 800
    model = nn.Sequential(
        nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1)
    )
    targets = y.reshape(-1, 1).astype(np.float32)
    _fit(model, nn.BCEWithLogitsLoss(), X[:n_train], targets[:n_train], epochs=30, lr=0.01)
    with tg.no_grad():
        logits = model(tg.tensor(X[n_train:])).numpy().ravel()
    accuracy = np.mean((logits > 0) == (y[n_train:] == 1))
    assert accuracy >= 0.97, accuracy


def test_three_spirals_reach_95_percent_held_out_accuracy() -> None:
    tg.manual_seed(0)
    X, y = tg.data.make_spirals(1200, classes=3, seed=1)
    n_train = 960
    model = nn.Sequential(
        nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3)
    )
    _fit(model, nn.CrossEntropyLoss(), X[:n_train], y[:n_train], epochs=60, lr=0.01)
    accuracy = np.mean(_predicted_classes(model, X[n_train:]) == y[n_train:])
    assert accuracy >= 0.95, accuracy


def _load_example(filename: str) -> object:
    """Import an example script as a module (its file name starts with a digit)."""
    spec = importlib.util.spec_from_file_location(filename.removesuffix(".py"), EXAMPLES / filename)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_small_cnn_classifies_generated_images_above_90_percent() -> None:
    # The images (bars and crosses at random places, with pixel noise) and the network
    # (Conv2d, ReLU, MaxPool2d twice, then Linear) are the ones examples/06_cnn.py uses.
    example = _load_example("06_cnn.py")
    tg.manual_seed(0)
    X, y = example.make_shapes(1200, seed=1)
    n_train = 960
    model = example.make_model()
    _fit(model, nn.CrossEntropyLoss(), X[:n_train], y[:n_train], epochs=10, lr=0.01)
    accuracy = np.mean(_predicted_classes(model, X[n_train:]) == y[n_train:])
    assert accuracy > 0.90, accuracy
