"""Fitting sin(x) with a cubic: numpy first, then the same manual gradients with tensors."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import math

import numpy as np
import torch

dtype = torch.float
device = torch.device("cpu")

x_np = np.linspace(-math.pi, math.pi, 2000)
y_np = np.sin(x_np)
rng = np.random.default_rng(0)
start = rng.standard_normal(4)

a, b, c, d = start
learning_rate = 1e-6
for t in range(300):
    y_pred = a + b * x_np + c * x_np**2 + d * x_np**3
    loss = np.square(y_pred - y_np).sum()
    grad_y_pred = 2.0 * (y_pred - y_np)
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x_np).sum()
    grad_c = (grad_y_pred * x_np**2).sum()
    grad_d = (grad_y_pred * x_np**3).sum()
    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d
numpy_coefficients = np.array([a, b, c, d])

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)
a = torch.tensor(start[0], device=device, dtype=dtype)
b = torch.tensor(start[1], device=device, dtype=dtype)
c = torch.tensor(start[2], device=device, dtype=dtype)
d = torch.tensor(start[3], device=device, dtype=dtype)

losses = []
for t in range(300):
    y_pred = a + b * x + c * x**2 + d * x**3
    loss = (y_pred - y).pow(2).sum().item()
    if t % 100 == 99:
        print(t, loss)
        losses.append(loss)
    grad_y_pred = 2.0 * (y_pred - y)
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x).sum()
    grad_c = (grad_y_pred * x**2).sum()
    grad_d = (grad_y_pred * x**3).sum()
    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
tensor_coefficients = np.array([a.item(), b.item(), c.item(), d.item()])
np.testing.assert_allclose(tensor_coefficients, numpy_coefficients, rtol=1e-3)
assert losses[-1] < losses[0]

results = {"losses": losses, "coefficients": torch.stack([a, b, c, d]), "x_dtype": str(x.dtype)}
