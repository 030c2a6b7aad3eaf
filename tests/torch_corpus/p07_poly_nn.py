"""Fitting sin(x) with nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1)) and hand-written SGD."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import math

import numpy as np
import torch

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
assert xx.shape == (2000, 3)

model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
start = np.random.default_rng(0).standard_normal(4).astype(np.float32) * 0.1
with torch.no_grad():
    model[0].weight.copy_(torch.from_numpy(start[1:]).reshape(1, 3))
    model[0].bias.fill_(float(start[0]))

loss_fn = torch.nn.MSELoss(reduction="sum")
learning_rate = 1e-6
losses = []
for t in range(300):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())
        losses.append(loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

linear_layer = model[0]
print(
    f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
    f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3"
)
assert losses[-1] < losses[0]

results = {"losses": losses, "weight": linear_layer.weight, "bias": linear_layer.bias}
