"""The command line: ``python -m tinygrad_nn demo [--out DIR]`` and ``--version``.

The demo runs the worked example of the "Neural Networks" document (every
number beside the one the document prints, then the backward pass step by step),
checks it against the closed-form gradients of "Core Concepts and
Backpropagation Derivations", trains a small MLP on the two-moons data set with
a progress bar, prints its loss curve, and writes pictures of the graph and of
the gradient flow (SVG and PNG, plus the DOT source).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

import tinygrad_nn as tg
from tinygrad_nn import nn, optim, viz
from tinygrad_nn.data import make_moons
from tinygrad_nn.tensor import Tensor

NEURAL_NETWORKS = "'Neural Networks'"
CORE_CONCEPTS = "'Core Concepts and Backpropagation Derivations'"


def worked_example() -> dict[str, Tensor]:
    """The "Neural Networks" document's 2-2-1 sigmoid network on x = [0.5, 0.2], y = 1, in float64.

    Written in the document's column convention (``Z = W @ X + b``, X of shape
    (2, 1)) with every tensor named as in the document; returns them by name,
    the loss under ``"J"``. Nothing has been backpropagated yet.
    """
    named = {
        "X": tg.tensor(np.array([[0.5], [0.2]])),
        "W1": tg.tensor(np.array([[0.1, 0.4], [0.8, 0.6]]), requires_grad=True),
        "b1": tg.tensor(np.array([[0.3], [0.9]]), requires_grad=True),
        "W2": tg.tensor(np.array([[0.3, 0.7]]), requires_grad=True),
        "b2": tg.tensor(np.array([[0.5]]), requires_grad=True),
        "Y": tg.tensor(np.array([[1.0]])),
    }
    named["Z1"] = named["W1"] @ named["X"] + named["b1"]
    named["A1"] = named["Z1"].sigmoid()
    named["Z2"] = named["W2"] @ named["A1"] + named["b2"]
    named["Yhat"] = named["Z2"].sigmoid()
    Y, Yhat = named["Y"], named["Yhat"]
    # binary cross-entropy averaged over the m = 1 example, as the document writes it
    named["J"] = -(Y * Yhat.log() + (1 - Y) * (1 - Yhat).log()).mean()
    for name, t in named.items():
        t.name = name
    return named


def _show(array: np.ndarray) -> str:
    """5 decimals; a vector (row or column) as a flat list, as the document prints it."""
    array = np.asarray(array)
    if array.size == 1:
        return f"{array.item():.5f}"
    if array.ndim == 2 and 1 in array.shape:
        array = array.ravel()
    if array.ndim == 2:  # a matrix on one line, row after row
        return "[" + ", ".join(_show(row) for row in array) + "]"
    return "[" + ", ".join(f"{value:.5f}" for value in array) + "]"


def run_worked_example() -> dict[str, Tensor]:
    """Print each quantity of the worked example beside the document's number."""
    named = worked_example()
    for name in ("Z1", "Z2"):
        named[name].retain_grad()
    named["J"].backward(retain_graph=True)
    computed = {
        **{name: named[name].numpy() for name in ("Z1", "A1", "Z2", "Yhat", "J")},
        "dZ2": named["Z2"].grad.numpy(), "dW2": named["W2"].grad.numpy(),
        "db2": named["b2"].grad.numpy(), "dZ1": named["Z1"].grad.numpy(),
        "dW1": named["W1"].grad.numpy(), "db1": named["b1"].grad.numpy(),
    }  # fmt: skip
    print(f"The source documents as running code: {NEURAL_NETWORKS}")
    print(f"and {CORE_CONCEPTS}.\n")
    print(f"1. The worked example of {NEURAL_NETWORKS}")
    print("   2-2-1 sigmoid network, x = [0.5, 0.2], y = 1, binary cross-entropy, float64\n")
    print(f"   {'quantity':<10}{'tinygrad_nn':<46}document")
    for name, value in computed.items():
        printed = tg.reference.as_printed(tg.reference.DOCUMENT_PRINTED[name])
        print(f"   {name:<10}{_show(value):<46}{printed}")
    print(
        "\n   The document rounds each step and carries the rounded values on (A1 = [0.606,"
        "\n   0.805]), so some of its last digits differ from exact arithmetic."
        "\n\n   Step by step, as the document reads: tg.viz.explain(J)\n"
    )
    table = io.StringIO()
    viz.explain(named["J"], file=table)
    print(textwrap.indent(table.getvalue(), "   "))
    print(f"   {CORE_CONCEPTS} in closed form (tg.reference, no autograd):")
    print(f"   largest difference from autograd over dW1, db1, dW2, db2: "
          f"{closed_form_difference(named):.1e}\n")
    return named


def closed_form_difference(named: dict[str, Tensor]) -> float:
    """Largest gap between autograd's gradients and the documents' closed-form ones."""
    weights = [named["W1"].numpy(), named["W2"].numpy()]
    biases = [named["b1"].numpy(), named["b2"].numpy()]
    activations = ["sigmoid", "sigmoid"]
    cache = tg.reference.forward(named["X"].numpy(), weights, biases, activations)
    dWs, dbs = tg.reference.backward(named["Y"].numpy(), cache, weights, activations)
    autograd = [named[name].grad.numpy() for name in ("W1", "b1", "W2", "b2")]
    closed = [dWs[0], dbs[0], dWs[1], dbs[1]]
    return max(float(np.abs(a - c).max()) for a, c in zip(autograd, closed, strict=True))


def _accuracy(logits: Tensor, labels: np.ndarray) -> float:
    return float(((logits.numpy().ravel() > 0) == labels).mean())


def train_moons(epochs: int = 150) -> tuple[nn.Module, list[float], Tensor]:
    """Train a 2-16-16-1 tanh MLP on 200 two-moons points with Adam, showing a progress bar.

    Returns the model, the loss after every epoch (the bar, the curve and the
    final line all show these), and the last loss, its graph kept for drawing.
    """
    tg.manual_seed(0)
    X, y = make_moons(200, noise=0.2, seed=0)
    inputs = tg.tensor(X)
    targets = tg.tensor(y.astype(np.float32).reshape(-1, 1))
    inputs.name, targets.name = "X", "y"
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                          nn.Linear(16, 1))
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.02)
    print("2. Training a 2-16-16-1 MLP on tg.data.make_moons(200) (full batch, Adam)")
    losses = []
    bar = tqdm(range(epochs), desc="   training", unit="epoch", mininterval=0.2, ncols=90)
    logits = model(inputs)
    loss = loss_fn(logits, targets)
    for _ in bar:
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        # measured after the step: the model this epoch leaves behind (full batch, so
        # it is also the next epoch's starting point and costs no extra forward pass)
        logits = model(inputs)
        loss = loss_fn(logits, targets)
        losses.append(loss.item())
        bar.set_postfix(loss=f"{losses[-1]:.4f}", acc=f"{_accuracy(logits, y):.1%}",
                        refresh=False)
    bar.close()
    loss.name = "loss"
    print(f"   after epoch {epochs}: loss {losses[-1]:.4f}, accuracy {_accuracy(logits, y):.1%}\n")
    return model, losses, loss


def loss_curve(losses: Sequence[float], width: int = 60, height: int = 8) -> str:
    """A small ASCII plot of ``losses``: one column per group of epochs, at its last epoch.

    Each column shows the loss at the end of its group, so the last column is the
    last loss; the axis is labelled with the highest and lowest value plotted.
    """
    ends = np.array_split(np.arange(len(losses)), min(width, len(losses)))
    values = np.asarray(losses, dtype=np.float64)[[group[-1] for group in ends]]
    low, high = float(values.min()), float(values.max())
    span = high - low or 1.0
    levels = np.round((values - low) / span * (height - 1)).astype(int)
    lines = []
    for level in range(height - 1, -1, -1):
        axis = f"{high if level else low:9.4f} |" if level in (0, height - 1) else " " * 10 + "|"
        lines.append(axis + "".join("*" if v == level else " " for v in levels).rstrip())
    lines.append(" " * 10 + "+" + "-" * len(values))
    first, last = "epoch 1", f"epoch {len(losses)}"
    if len(losses) == 1:
        ticks = first
    elif len(first) + 1 + len(last) <= len(values):
        ticks = first + last.rjust(len(values) - len(first))
    else:  # too few columns for two labels: one label that names both ends
        ticks = f"epochs 1 to {len(losses)}"
    lines.append(" " * 11 + ticks)
    return "\n".join(lines)


def write_pictures(out: Path, worked: Tensor, model: nn.Module, loss: Tensor) -> list[Path]:
    """Write the graph pictures; without Graphviz write the .dot files and say how to draw."""
    # top to bottom: a long chain drawn left to right is wider than a screen, and a
    # picture shrunk to fit one has text too small to read
    pictures = [
        ("worked_example", viz.draw_graph(worked, backward="both", rankdir="TB")),
        ("mlp_forward", viz.draw_graph(loss, params=model, show_grad=False, rankdir="TB")),
        ("mlp_gradients", viz.draw_graph(loss, params=model, backward=True, rankdir="TB")),
    ]
    written: list[Path] = []
    graphviz_missing = False
    for name, graph in pictures:
        for fmt in ("svg", "png"):
            try:
                written.append(Path(viz.render(graph, out / name, format=fmt)))
            except viz.GraphvizNotFound:
                graphviz_missing = True
                break
        written.append(out / f"{name}.dot")
    print("3. Pictures of the graphs (each reads top to bottom: view it at 100 % and scroll)")
    for path in written:
        print(f"   wrote {path}")
    if graphviz_missing:
        print("\n   The Graphviz 'dot' program is missing, so only the .dot files were written.")
        print("   " + viz.INSTALL_HINT.replace("\n", "\n   "))
        print(f"   Then draw one with: dot -Tsvg {out / 'mlp_forward.dot'} -o mlp_forward.svg")
    return written


def demo(out: Path, epochs: int = 150) -> int:
    """Run the whole demo, writing pictures under ``out``; returns the exit status."""
    named = run_worked_example()
    model, losses, loss = train_moons(epochs)
    print("   loss curve")
    print(loss_curve(losses))
    print()
    write_pictures(out, named["J"], model, loss)
    return 0


def output_folder_problem(out: Path) -> str | None:
    """Why the pictures cannot be written under ``out`` (made here if missing), or None."""
    if out.exists() and not out.is_dir():
        return f"--out {out} is an existing file, not a folder"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        return f"--out {out}: cannot create the folder ({err.strerror})"
    if not os.access(out, os.W_OK | os.X_OK):
        return f"--out {out}: the folder is not writable"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m tinygrad_nn`` and the ``tinygrad-nn`` script."""
    parser = argparse.ArgumentParser(
        prog="tinygrad-nn",
        description="tinygrad_nn: a small autograd framework on numpy, with graph pictures.",
    )
    parser.add_argument("--version", action="version", version=f"tinygrad_nn {tg.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo_parser = commands.add_parser(
        "demo", help="the worked example, a small training run and pictures of its graph"
    )
    demo_parser.add_argument("--out", type=Path, default=Path("demo_out"),
                             help="folder for the pictures (default: ./demo_out)")
    demo_parser.add_argument("--epochs", type=int, default=150,
                             help="training epochs (default: 150)")
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    problem = output_folder_problem(args.out)
    if problem is not None:  # refused before any work, in one line
        print(f"tinygrad-nn demo: error: {problem}", file=sys.stderr)
        return 2
    return demo(args.out, args.epochs)


if __name__ == "__main__":
    sys.exit(main())
