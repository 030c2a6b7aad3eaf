"""Fitting sin(x) with a cubic: tensors with requires_grad, loss.backward(), updates in no_grad."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import math

import numpy as np
import torch

dtype = torch.float
device = torch.device("cpu")

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)
start = np.random.default_rng(0).standard_normal(4)
a = torch.tensor(start[0], dtype=dtype, requires_grad=True)
b = torch.tensor(start[1], dtype=dtype, requires_grad=True)
c = torch.tensor(start[2], dtype=dtype, requires_grad=True)
d = torch.tensor(start[3], dtype=dtype, requires_grad=True)

learning_rate = 1e-6
losses = []
for t in range(300):
    y_pred = a + b * x + c * x**2 + d * x**3
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
        losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
assert losses[-1] < losses[0] and a.is_leaf and a.requires_grad

results = {"losses": losses, "a": a, "b": b, "c": c, "d": d}
