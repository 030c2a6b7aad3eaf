"""Book preliminaries: automatic differentiation: y = 2 x.x, gradients accumulating and
zeroed, backward of a non-scalar with a gradient argument, detach to stop gradients, and
gradients through Python control flow."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import torch

x = torch.arange(4.0)
x.requires_grad_(True)
assert x.grad is None
y = 2 * torch.dot(x, x)
y.backward()
grad_dot = x.grad.clone()
assert bool((x.grad == 4 * x).all())

x.grad.zero_()
y = x.sum()
y.backward()
grad_sum = x.grad.clone()

x.grad.zero_()
y = x * x
y.backward(gradient=torch.ones(len(y)))
grad_square = x.grad.clone()

x.grad.zero_()
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
assert bool((x.grad == u).all())
grad_detached = x.grad.clone()

x.grad.zero_()
y.sum().backward()
assert bool((x.grad == 2 * x).all())


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


torch.manual_seed(0)
a = torch.randn(size=(), requires_grad=True)
d = f(a)
d.backward()
assert bool(a.grad == d / a)

a2 = torch.tensor(-0.3, requires_grad=True)
d2 = f(a2)
d2.backward()

results = {
    "grad_dot": grad_dot, "grad_sum": grad_sum, "grad_square": grad_square,
    "grad_detached": grad_detached, "d2": d2, "a2_grad": a2.grad,
}  # fmt: skip
