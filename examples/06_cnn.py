"""A small convolutional network on generated images: horizontal bars, vertical bars, crosses.

The documents' layers are fully connected, ``Z = W A + b``; a convolution is the
same linear map with the weights shared across positions, so the same backward
rule applies and autograd derives it.  Mirrors "Neural Networks" sections
"Hidden Layers" (``nn.Conv2d`` + ReLU + ``nn.MaxPool2d`` twice) and "Output
Layer" (softmax over three classes via ``nn.CrossEntropyLoss``).

The images (12 x 12, one channel) are drawn here with numpy -- nothing is
downloaded: a bar of random length at a random place, or a cross of both, plus
Gaussian pixel noise.  Because the shape can be anywhere, the network has to
recognise it independently of position, which is what shared convolution
weights and pooling are for.

Run: ``python examples/06_cnn.py`` (set ``TQDM_DISABLE=1`` to hide the progress bar).
"""

from __future__ import annotations

import os

import numpy as np
from tqdm import tqdm

import tinygrad_nn as tg
from tinygrad_nn import nn, optim

SHAPES = ("horizontal", "vertical", "cross")
IMAGES = 1200
SIZE = 12
EPOCHS = 10
SEED = 0


def make_shapes(
    n: int, size: int = SIZE, noise: float = 0.3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Return n noisy images: X float32 (n, 1, size, size) and labels int64 (n,) indexing SHAPES.

    Each image holds one shape centred at a random pixel at least 2 from the border: a
    horizontal bar, a vertical bar, or both (a cross), each arm 2*h + 1 pixels long with h
    drawn from 3 .. size//2 - 1 (clipped at the border), plus N(0, noise^2) noise per pixel.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(SHAPES), n)
    row = rng.integers(2, size - 2, n).reshape(n, 1, 1)
    column = rng.integers(2, size - 2, n).reshape(n, 1, 1)
    half_length = rng.integers(3, size // 2, n).reshape(n, 1, 1)
    rows = np.arange(size).reshape(1, size, 1)
    columns = np.arange(size).reshape(1, 1, size)
    horizontal = (rows == row) & (np.abs(columns - column) <= half_length)
    vertical = (columns == column) & (np.abs(rows - row) <= half_length)
    label = labels.reshape(n, 1, 1)
    images = np.where(label == 0, horizontal, np.where(label == 1, vertical, horizontal | vertical))
    images = images.astype(np.float32) + rng.normal(0.0, noise, images.shape).astype(np.float32)
    return images[:, None], labels.astype(np.int64)


def make_model() -> nn.Sequential:
    """Conv(1->8) ReLU Pool, Conv(8->16) ReLU Pool, then a linear layer to the three classes."""
    return nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1),  # (N, 8, 12, 12)
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 8, 6, 6)
        nn.Conv2d(8, 16, kernel_size=3, padding=1),  # (N, 16, 6, 6)
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 16, 3, 3)
        nn.Flatten(),  # (N, 144)
        nn.Linear(16 * 3 * 3, len(SHAPES)),
    )


def ascii_image(image: np.ndarray) -> list[str]:
    """One 2-D image as text rows: '#' where the pixel is above 0.5, '.' elsewhere."""
    return ["".join("#" if value > 0.5 else "." for value in row) for row in image]


def main() -> None:
    """Train the CNN on generated shapes and report held-out accuracy and confusions."""
    tg.manual_seed(SEED)
    X, y = make_shapes(IMAGES, seed=SEED)
    n_train = int(0.8 * IMAGES)
    print("one image of each class (pixels above 0.5):")
    examples = [ascii_image(X[np.flatnonzero(y == k)[0], 0]) for k in range(len(SHAPES))]
    print("   ".join(f"{name:<{SIZE}}"[:SIZE] for name in SHAPES))
    for rows in zip(*examples, strict=True):
        print("   ".join(rows))

    train = tg.data.TensorDataset(X[:n_train], y[:n_train])
    loader = tg.data.DataLoader(train, batch_size=64, shuffle=True, seed=SEED)
    model = make_model()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.01)

    # No bar when output is not a terminal (disable=None), or when TQDM_DISABLE is set.
    bar = tqdm(range(EPOCHS), desc="cnn", disable=True if os.environ.get("TQDM_DISABLE") else None)
    for _ in bar:
        for images, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
        bar.set_postfix(loss=f"{loss.item():.4f}")

    model.eval()
    with tg.no_grad():
        predictions = model(tg.tensor(X[n_train:])).argmax(1).numpy()
    truth = y[n_train:]
    print(f"trained on {n_train} images, tested on {IMAGES - n_train} held-out images")
    print("confusion (rows: true class, columns: predicted):")
    for k, name in enumerate(SHAPES):
        counts = [int(np.sum(predictions[truth == k] == j)) for j in range(len(SHAPES))]
        print(f"  {name:<11}" + "".join(f"{count:6d}" for count in counts))
    print(f"final held-out accuracy: {100 * np.mean(predictions == truth):.2f}%")


if __name__ == "__main__":
    main()
