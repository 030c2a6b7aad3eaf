"""Fitting sin(x) with nn.Linear and torch.optim.RMSprop: zero_grad, backward, step."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import math

import numpy as np
import torch

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
start = np.random.default_rng(0).standard_normal(4).astype(np.float32) * 0.1
model.load_state_dict(
    {"0.weight": torch.from_numpy(start[1:]).reshape(1, 3), "0.bias": torch.from_numpy(start[:1])}
)
loss_fn = torch.nn.MSELoss(reduction="sum")

learning_rate = 1e-3
optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
losses = []
for t in range(200):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 50 == 49:
        print(t, loss.item())
        losses.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

linear_layer = model[0]
assert losses[-1] < losses[0]
results = {"losses": losses, "weight": linear_layer.weight, "bias": linear_layer.bias}
