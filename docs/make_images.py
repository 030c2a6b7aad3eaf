"""Regenerate the graph pictures in docs/images/ (SVG and PNG) with tg.viz.

Run from the repository root, with tinygrad_nn installed (``pip install -e .``):
``python docs/make_images.py``. Needs the Graphviz
``dot`` program. Pictures:

- ``worked_example_forward``: document 000's 2-2-1 sigmoid network, the forward graph
- ``worked_example_backward``: the same graph's gradient flow
- ``mlp_modules``: a small MLP, its ops grouped by the module that ran them
- ``vanishing_sigmoid``: the gradient flow of an 5-layer sigmoid stack, fading
  toward the input (the vanishing gradient of document 000's last section)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import tinygrad_nn as tg
from tinygrad_nn import nn, viz
from tinygrad_nn.__main__ import worked_example
from tinygrad_nn.data import make_moons

IMAGES = Path(__file__).resolve().parent / "images"


class MLP(nn.Module):
    """Two hidden ReLU layers in a Sequential ``body`` and a Linear ``head``."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 4), nn.ReLU())
        self.head = nn.Linear(4, 1)

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        """Logits of shape (batch, 1)."""
        return self.head(self.body(x))


def mlp_loss() -> tuple[nn.Module, tg.Tensor]:
    """The MLP's binary cross-entropy on 4 two-moons points, backpropagated (graph kept)."""
    tg.manual_seed(0)
    model = MLP()
    X, y = make_moons(4, seed=0)
    x = tg.tensor(X)
    x.name = "x"
    target = tg.tensor(y.astype(np.float32).reshape(-1, 1))
    target.name = "y"
    loss = nn.BCEWithLogitsLoss()(model(x), target)
    loss.name = "loss"
    loss.backward(retain_graph=True)
    return model, loss


def sigmoid_stack(depth: int = 5) -> tuple[nn.Module, tg.Tensor]:
    """``depth`` Linear(3, 3) + Sigmoid layers: each sigmoid scales the gradient by <= 1/4."""
    tg.manual_seed(0)
    layers: list[nn.Module] = []
    for _ in range(depth):
        layers += [nn.Linear(3, 3), nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Linear(3, 1))
    x = tg.randn(2, 3)
    x.name = "x"
    loss = (model(x) ** 2).mean()
    loss.name = "loss"
    return model, loss


def main() -> int:
    """Write every picture as SVG and PNG; return the exit status."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    worked = worked_example()["J"]
    mlp, mlp_loss_value = mlp_loss()
    stack, stack_loss = sigmoid_stack()
    pictures = {
        "worked_example_forward": viz.draw_graph(worked, rankdir="TB"),
        "worked_example_backward": viz.draw_graph(worked, backward=True, rankdir="TB"),
        "mlp_modules": viz.draw_graph(mlp_loss_value, params=mlp, rankdir="TB"),
        "vanishing_sigmoid": viz.draw_graph(stack_loss, params=stack, backward=True,
                                            rankdir="TB"),
    }
    for name, graph in pictures.items():
        for fmt in ("svg", "png"):
            print(viz.render(graph, IMAGES / name, format=fmt))
        (IMAGES / f"{name}.dot").unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
