"""PyTorch eager on the CPU, written the way its users write it (nn modules, optim.SGD)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812

from benchmarks.workloads import LEARNING_RATE, WorkloadData, chain_op

NAME = "pytorch"


def _parameter(array: np.ndarray) -> torch.nn.Parameter:
    return torch.nn.Parameter(torch.from_numpy(array.copy()))


class _Step:
    """Common part: parameters in canonical order, an SGD optimizer, the last loss."""

    def __init__(self, params: list[torch.nn.Parameter]) -> None:
        self.params = params
        self.optimizer = torch.optim.SGD(params, lr=LEARNING_RATE)
        self.loss = None

    def parameters(self) -> list[np.ndarray]:
        return [p.detach().numpy() for p in self.params]

    def loss_value(self) -> float:
        return float(self.loss)

    def train(self, loss: torch.Tensor) -> None:
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.loss = loss.detach()


class Doc221(_Step):
    """W1 in the documents' column convention, `F.binary_cross_entropy` on sigmoid outputs."""

    def __init__(self, data: WorkloadData) -> None:
        super().__init__([_parameter(p) for p in data.params])
        self.x = torch.from_numpy(data.x.T.copy())
        self.y = torch.from_numpy(data.y.T.copy())

    def step(self) -> None:
        w1, b1, w2, b2 = self.params
        a1 = torch.sigmoid(w1 @ self.x + b1[:, None])
        a2 = torch.sigmoid(w2 @ a1 + b2[:, None])
        self.train(F.binary_cross_entropy(a2, self.y))


class Mlp(_Step):
    """W2–W4: `nn.Sequential` of `nn.Linear` and `nn.ReLU`, `F.cross_entropy`."""

    def __init__(self, data: WorkloadData) -> None:
        layers = []
        for w, b in zip(data.params[0::2], data.params[1::2], strict=True):
            linear = torch.nn.Linear(w.shape[1], w.shape[0])
            linear.weight, linear.bias = _parameter(w), _parameter(b)
            layers += [linear, torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1])
        super().__init__(list(self.model.parameters()))
        self.x, self.labels = torch.from_numpy(data.x), torch.from_numpy(data.y)

    def step(self) -> None:
        self.train(F.cross_entropy(self.model(self.x), self.labels))


class Chain(_Step):
    """W5/W6: shape-(1,) float64 tensors through mul, add, tanh."""

    def __init__(self, data: WorkloadData) -> None:
        super().__init__([_parameter(p) for p in data.params])
        self.ops = [chain_op(i) for i in range(data.sizes["n_ops"])]

    def step(self) -> None:
        h, w, c = self.params
        for op in self.ops:
            if op == "mul":
                h = h * w
            elif op == "add":
                h = h + c
            else:
                h = torch.tanh(h)
        self.train(h.sum())


class Cnn(_Step):
    """W7: two padded 3×3 convolutions with ReLU, 2×2 max-pool, linear, cross-entropy."""

    def __init__(self, data: WorkloadData) -> None:
        super().__init__([_parameter(p) for p in data.params])
        self.x, self.labels = torch.from_numpy(data.x), torch.from_numpy(data.y)

    def step(self) -> None:
        w1, b1, w2, b2, w3, b3 = self.params
        h = F.relu(F.conv2d(self.x, w1, b1, padding=1))
        h = F.relu(F.conv2d(h, w2, b2, padding=1))
        h = F.max_pool2d(h, 2).flatten(1)
        self.train(F.cross_entropy(F.linear(h, w3, b3), self.labels))


BUILDERS = {"doc221": Doc221, "mlp": Mlp, "chain": Chain, "cnn": Cnn}
