"""tinygrad_nn written as a PyTorch user would: `nn.Linear`, `F.cross_entropy`, `optim.SGD`."""

from __future__ import annotations

import numpy as np

import tinygrad_nn as tg
import tinygrad_nn.nn.functional as F  # noqa: N812
from benchmarks.workloads import LEARNING_RATE, WorkloadData
from tinygrad_nn import nn, optim

NAME = "tinygrad_nn-modules"
SKIP = {
    "W5": "no module in a scalar chain: see tinygrad_nn",
    "W6": "no module in a scalar chain: see tinygrad_nn",
}


def _linear(weight: np.ndarray, bias: np.ndarray) -> nn.Linear:
    layer = nn.Linear(weight.shape[1], weight.shape[0])
    layer.weight = nn.Parameter(weight.copy())
    layer.bias = nn.Parameter(bias.copy())
    return layer


class _Step:
    """Common part: a model, `optim.SGD`, and the zero_grad / backward / step cycle."""

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self.optimizer = optim.SGD(model.parameters(), lr=LEARNING_RATE)
        self.loss = None

    def train(self, loss: tg.Tensor) -> None:
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.loss = loss

    def parameters(self) -> list[np.ndarray]:
        return [p.numpy() for p in self.model.parameters()]

    def loss_value(self) -> float:
        return self.loss.item()


class Doc221(_Step):
    """W1 batch-first: two `nn.Linear`, sigmoid, `F.binary_cross_entropy`."""

    def __init__(self, data: WorkloadData) -> None:
        w1, b1, w2, b2 = data.params
        super().__init__(
            nn.Sequential(_linear(w1, b1), nn.Sigmoid(), _linear(w2, b2), nn.Sigmoid())
        )
        self.x, self.y = tg.Tensor(data.x), tg.Tensor(data.y)

    def step(self) -> None:
        self.train(F.binary_cross_entropy(self.model(self.x), self.y))


class Mlp(_Step):
    """W2–W4: `nn.Sequential` of `nn.Linear` and `nn.ReLU`, `F.cross_entropy`."""

    def __init__(self, data: WorkloadData) -> None:
        layers = []
        for w, b in zip(data.params[0::2], data.params[1::2], strict=True):
            layers += [_linear(w, b), nn.ReLU()]
        super().__init__(nn.Sequential(*layers[:-1]))
        self.x, self.labels = tg.Tensor(data.x), tg.Tensor(data.y)

    def step(self) -> None:
        self.train(F.cross_entropy(self.model(self.x), self.labels))


class _Cnn(nn.Module):
    def __init__(self, params: list[np.ndarray]) -> None:
        super().__init__()
        w1, b1, w2, b2, w3, b3 = (nn.Parameter(p.copy()) for p in params)
        self.w1, self.b1, self.w2, self.b2, self.w3, self.b3 = w1, b1, w2, b2, w3, b3

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        h = F.relu(F.conv2d(x, self.w1, self.b1, padding=1))
        h = F.relu(F.conv2d(h, self.w2, self.b2, padding=1))
        h = F.max_pool2d(h, 2).flatten(1)
        return F.linear(h, self.w3, self.b3)


class Cnn(_Step):
    """W7: two padded 3×3 `F.conv2d` with ReLU, `F.max_pool2d`, `F.linear`, cross-entropy."""

    def __init__(self, data: WorkloadData) -> None:
        super().__init__(_Cnn(data.params))
        self.x, self.labels = tg.Tensor(data.x), tg.Tensor(data.y)

    def step(self) -> None:
        self.train(F.cross_entropy(self.model(self.x), self.labels))


BUILDERS = {"doc221": Doc221, "mlp": Mlp, "cnn": Cnn}
