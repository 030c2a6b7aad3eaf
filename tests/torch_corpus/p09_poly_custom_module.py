"""A custom nn.Module with four nn.Parameters, and a dynamic net whose depth changes per call."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import math
import random

import torch


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.tensor(0.1))
        self.b = torch.nn.Parameter(torch.tensor(0.2))
        self.c = torch.nn.Parameter(torch.tensor(-0.1))
        self.d = torch.nn.Parameter(torch.tensor(0.05))

    def forward(self, x):
        return self.a + self.b * x + self.c * x**2 + self.d * x**3

    def string(self):
        return (
            f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 "
            f"+ {self.d.item()} x^3"
        )


class DynamicNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.tensor(0.1))
        self.b = torch.nn.Parameter(torch.tensor(0.2))
        self.c = torch.nn.Parameter(torch.tensor(-0.1))
        self.d = torch.nn.Parameter(torch.tensor(0.05))
        self.e = torch.nn.Parameter(torch.tensor(0.0))

    def forward(self, x):
        y = self.a + self.b * x + self.c * x**2 + self.d * x**3
        for exp in range(4, self.rng.randint(4, 6)):
            y = y + self.e * x**exp
        return y


x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

model = Polynomial3()
assert [name for name, _ in model.named_parameters()] == ["a", "b", "c", "d"]
criterion = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
losses = []
for t in range(300):
    y_pred = model(x)
    loss = criterion(y_pred, y)
    if t % 100 == 99:
        losses.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"Result: {model.string()}")

dynamic = DynamicNet()
dynamic.rng = random.Random(0)
optimizer = torch.optim.SGD(dynamic.parameters(), lr=1e-8, momentum=0.9)
dynamic_losses = []
for t in range(200):
    loss = criterion(dynamic(x), y)
    dynamic_losses.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
assert losses[-1] < losses[0] and dynamic_losses[-1] < dynamic_losses[0]

results = {
    "losses": losses, "params": [p for p in model.parameters()],
    "dynamic_losses": dynamic_losses[::50], "dynamic_e": dynamic.e,
}  # fmt: skip
