"""A small convolutional network on real handwritten digits, with pictures of what it learned.

The data is scikit-learn's bundled ``load_digits``: 1,797 scans of handwritten
digits 0-9, 8 x 8 pixels with 17 grey levels, shipped inside the package --
nothing is downloaded.  The network mirrors "Neural Networks" sections
"Hidden Layers" (``nn.Conv2d`` + ReLU, then ``nn.MaxPool2d``) and "Output
Layer" (softmax over ten classes via ``nn.CrossEntropyLoss``); a convolution is
``Z = W A + b`` with each W shared across positions, so autograd derives its
backward rule like any other.

A fifth of the images, drawn at random once, is held out: the network never
trains on them and the accuracy printed at the end is measured on them only.
Three pictures go to ``--out`` (default ``digits_out/``):

* ``curves.png`` -- training loss per epoch and held-out accuracy per epoch;
* ``misclassified.png`` -- every held-out digit the network got wrong, with its
  true label and the network's guess;
* ``filters.png`` -- the sixteen 3 x 3 filters of the first convolution, the
  patterns the network learned to look for (red weights add, blue subtract),
  and what each of them finds in one held-out digit.

Needs the ``examples`` extra: ``pip install -e ".[examples]"`` (scikit-learn and
matplotlib).  Run: ``python examples/08_digits_cnn.py --out digits_out``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

import tinygrad_nn as tg
from tinygrad_nn import nn, optim

try:
    import matplotlib
    from sklearn.datasets import load_digits
except ImportError as missing:  # say which extra brings it, not only the module name
    raise SystemExit(
        f"this example needs scikit-learn and matplotlib ({missing.name} is missing): "
        'pip install -e ".[examples]"'
    ) from missing

matplotlib.use("Agg")  # write files; no window
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

EPOCHS = 12
BATCH = 32
LEARNING_RATE = 0.01
HELD_OUT = 0.2
SEED = 0


def load() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train and held-out images (float32, (N, 1, 8, 8), scaled to 0..1) and labels (int64)."""
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]  # grey levels are 0..16
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(SEED).permutation(len(labels))
    n_held_out = int(HELD_OUT * len(labels))
    held_out, train = order[:n_held_out], order[n_held_out:]
    return images[train], labels[train], images[held_out], labels[held_out]


def make_model() -> nn.Sequential:
    """Conv(1->16) ReLU, Conv(16->32) ReLU Pool, then two linear layers to the ten classes."""
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1),  # (N, 16, 8, 8)
        nn.ReLU(),
        nn.Conv2d(16, 32, kernel_size=3, padding=1),  # (N, 32, 8, 8)
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 32, 4, 4)
        nn.Flatten(),  # (N, 512)
        nn.Linear(32 * 4 * 4, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


def accuracy(model: nn.Module, images: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of ``images`` the model labels correctly (evaluation mode, no graph)."""
    return float(np.mean(predict(model, images) == labels))


def predict(model: nn.Module, images: np.ndarray) -> np.ndarray:
    """The most likely digit for each image."""
    model.eval()
    with tg.no_grad():
        predictions = model(tg.tensor(images)).argmax(1).numpy()
    model.train()
    return predictions


def plot_curves(losses: list[float], accuracies: list[float], path: Path) -> None:
    """Training loss and held-out accuracy against the epoch, side by side."""
    epochs = np.arange(1, len(losses) + 1)
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained")
    left.plot(epochs, losses, marker="o", color="#1f77b4")
    left.set(title="training loss (cross-entropy)", xlabel="epoch", ylabel="mean loss",
             yscale="log")
    right.plot(epochs, 100 * np.asarray(accuracies), marker="o", color="#2ca02c")
    right.axhline(97, color="#999999", linestyle="--", linewidth=1)
    right.annotate("97 %", (epochs[0], 97), textcoords="offset points", xytext=(0, 4),
                   color="#666666")
    right.set(title=f"held-out accuracy (final {100 * accuracies[-1]:.1f} %)",
              xlabel="epoch", ylabel="% correct", ylim=(min(80, 100 * min(accuracies)), 100.5))
    for axes in (left, right):
        axes.grid(alpha=0.3)
        axes.set_xticks(epochs)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_misclassified(images: np.ndarray, labels: np.ndarray, predictions: np.ndarray,
                       path: Path) -> None:
    """Every held-out image the model got wrong, titled "true 3, said 8"."""
    wrong = np.flatnonzero(predictions != labels)
    columns = max(1, min(8, len(wrong)))
    rows = max(1, -(-len(wrong) // columns))
    figure, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.55 * rows + 0.5),
                                squeeze=False, layout="constrained")
    for k, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if k < len(wrong):
            i = wrong[k]
            ax.imshow(images[i, 0], cmap="gray_r", vmin=0, vmax=1)
            ax.set_title(f"true {labels[i]}\nsaid {predictions[i]}", fontsize=10)
    if len(wrong) == 0:
        axes[0, 0].text(0.5, 0.5, "no mistakes", ha="center", va="center")
    figure.suptitle(f"the {len(wrong)} held-out digits the network got wrong "
                    f"(of {len(labels)})", fontsize=11)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_filters(model: nn.Sequential, digit: np.ndarray, path: Path) -> None:
    """The first convolution's 3 x 3 filters, and what each one makes of one held-out digit.

    Top: each filter's weights on one shared colour scale. Bottom: that filter slid over
    ``digit`` (plus its bias, through the ReLU) -- bright where the filter's pattern is found.
    """
    filters = model[0].weight.numpy()[:, 0]  # (16, 3, 3): one input channel
    with tg.no_grad():
        responses = model[1](model[0](tg.tensor(digit[None]))).numpy()[0]  # (16, 8, 8)
    limit = float(np.abs(filters).max())
    figure = plt.figure(figsize=(12, 6.2), layout="constrained")
    left, right = figure.subfigures(1, 2, width_ratios=[1, 6.5])
    ax = left.subplots()
    ax.imshow(digit[0], cmap="gray_r", vmin=0, vmax=1)
    ax.set_title("input digit", fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])
    top, bottom = right.subfigures(2, 1)
    axes = top.subplots(2, 8)
    for k, ax in enumerate(axes.ravel()):
        shown = ax.imshow(filters[k], cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"filter {k}", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    top.colorbar(shown, ax=axes, shrink=0.85, label="weight")
    top.suptitle("first-layer filters (3 × 3 weights): red adds the pixel, blue subtracts it",
                 fontsize=12)
    axes = bottom.subplots(2, 8)
    for k, ax in enumerate(axes.ravel()):
        ax.imshow(responses[k], cmap="magma", vmin=0)
        silent = " (silent)" if responses[k].max() == 0 else ""  # ReLU is 0 everywhere here
        ax.set_title(f"filter {k}{silent}", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    bottom.suptitle("what each filter finds in the input digit (after ReLU; bright = strong)",
                    fontsize=12)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main() -> None:
    """Train, report held-out accuracy, and write the three pictures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("digits_out"),
                        help="folder for the pictures (made if missing)")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    tg.manual_seed(SEED)
    train_images, train_labels, test_images, test_labels = load()
    print(f"{len(train_labels)} training and {len(test_labels)} held-out images, 8 x 8 pixels")
    loader = tg.data.DataLoader(tg.data.TensorDataset(train_images, train_labels),
                                batch_size=BATCH, shuffle=True, seed=SEED)
    model = make_model()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=LEARNING_RATE)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)

    losses, accuracies = [], []
    bar = tqdm(range(args.epochs), desc="digits",
               disable=True if os.environ.get("TQDM_DISABLE") else None)
    for _ in bar:
        total, count = 0.0, 0
        for images, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(labels)
            count += len(labels)
        scheduler.step()
        losses.append(total / count)
        accuracies.append(accuracy(model, test_images, test_labels))
        bar.set_postfix(loss=f"{losses[-1]:.4f}", held_out=f"{accuracies[-1]:.3f}")
    seconds = time.perf_counter() - start

    predictions = predict(model, test_images)
    plot_curves(losses, accuracies, args.out / "curves.png")
    plot_misclassified(test_images, test_labels, predictions, args.out / "misclassified.png")
    plot_filters(model, test_images[0], args.out / "filters.png")
    print(f"trained {args.epochs} epochs in {seconds:.1f} s")
    print(f"pictures: {', '.join(str(args.out / name) for name in PICTURES)}")
    print(f"final held-out accuracy: {100 * np.mean(predictions == test_labels):.2f}%")


PICTURES = ("curves.png", "misclassified.png", "filters.png")

if __name__ == "__main__":
    main()
