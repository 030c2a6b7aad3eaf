"""Autograd hook snippets: register_hook to read and rewrite gradients, retain_grad, removing
a hook handle, hooks on parameters for gradient clipping."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
seen = []
y = x * 2
y.register_hook(lambda grad: seen.append(grad.clone()))
handle = x.register_hook(lambda grad: grad * 10)
z = (y**2).sum()
z.backward()
x_grad_hooked = x.grad.clone()

handle.remove()
x.grad = None
(x * 2).pow(2).sum().backward()
x_grad_plain = x.grad.clone()
assert torch.allclose(x_grad_hooked, 10 * x_grad_plain)

a = torch.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
h = a.tanh()
h.retain_grad()
out = (h * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum()
out.backward()
assert torch.allclose(a.grad, h.grad * (1 - h**2))

rng = np.random.default_rng(0)
layer = torch.nn.Linear(3, 2)
with torch.no_grad():
    layer.weight.copy_(torch.from_numpy(rng.standard_normal((2, 3)).astype(np.float32)))
    layer.bias.copy_(torch.from_numpy(rng.standard_normal(2).astype(np.float32)))
for p in layer.parameters():
    p.register_hook(lambda grad: torch.clamp(grad, -0.5, 0.5))
inputs = torch.from_numpy(rng.standard_normal((4, 3)).astype(np.float32))
(layer(inputs) ** 2).sum().backward()
assert float(layer.weight.grad.abs().max()) <= 0.5

results = {
    "seen": seen, "x_grad_hooked": x_grad_hooked, "x_grad_plain": x_grad_plain,
    "h_grad": h.grad, "a_grad": a.grad, "clipped_weight_grad": layer.weight.grad,
    "clipped_bias_grad": layer.bias.grad,
}  # fmt: skip
