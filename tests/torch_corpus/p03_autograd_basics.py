"""Autograd tutorial: a one-layer net's gradients, no_grad/detach, Jacobian-vector products."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch

rng = np.random.default_rng(1)
x = torch.ones(5)
y = torch.zeros(3)
w = torch.tensor(rng.standard_normal((5, 3)), dtype=torch.float32, requires_grad=True)
b = torch.tensor(rng.standard_normal(3), dtype=torch.float32, requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

print(f"Gradient function for z = {z.grad_fn}")
print(f"Gradient function for loss = {loss.grad_fn}")
assert z.grad_fn is not None and w.grad_fn is None and w.is_leaf and not z.is_leaf

loss.backward()
print(w.grad)
print(b.grad)

z = torch.matmul(x, w) + b
assert z.requires_grad
with torch.no_grad():
    z = torch.matmul(x, w) + b
assert not z.requires_grad

z = torch.matmul(x, w) + b
z_det = z.detach()
assert not z_det.requires_grad

inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
first_call = inp.grad.clone()
out.backward(torch.ones_like(out), retain_graph=True)
second_call = inp.grad.clone()
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
after_zero = inp.grad

results = {
    "loss": loss.item(), "w_grad": w.grad, "b_grad": b.grad, "z_det": z_det,
    "first_call": first_call, "second_call": second_call, "after_zero": after_zero,
}  # fmt: skip
