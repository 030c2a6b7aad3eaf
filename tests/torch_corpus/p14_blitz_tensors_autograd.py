"""60-minute blitz: tensor basics, the a**3 - b**2 autograd example, freezing parameters."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch
import torch.nn as nn

x = torch.tensor([[5.5, 3.0], [1.0, 2.5]])
x_ones = torch.ones_like(x)
x_rand = torch.randn_like(x, dtype=torch.float)
assert x_rand.shape == x.shape
x2 = torch.empty(5, 3)
assert x2.size() == torch.Size([5, 3])
y = torch.tensor(np.arange(4, dtype=np.float32).reshape(2, 2))
added = torch.add(x, y)
y.add_(x)
reshaped = y.view(4)
inferred = y.view(-1, 1)

a = torch.tensor([2.0, 3.0], requires_grad=True)
b = torch.tensor([6.0, 4.0], requires_grad=True)
Q = 3 * a**3 - b**2
external_grad = torch.tensor([1.0, 1.0])
Q.backward(gradient=external_grad)
print(9 * a**2 == a.grad)
print(-2 * b == b.grad)
assert bool((9 * a**2 == a.grad).all()) and bool((-2 * b == b.grad).all())

x = torch.rand(5, 5)
y_rand = torch.rand(5, 5)  # a new name: `y` above is compared between the libraries
z = torch.rand((5, 5), requires_grad=True)
a2 = x + y_rand
print(f"Does `a` require gradients?: {a2.requires_grad}")
b2 = x + z
print(f"Does `b` require gradients?: {b2.requires_grad}")
assert not a2.requires_grad and b2.requires_grad

model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
for param in model.parameters():
    param.requires_grad = False
model[2] = nn.Linear(16, 3)
trainable = [name for name, p in model.named_parameters() if p.requires_grad]
optimizer = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
inputs = torch.tensor(np.random.default_rng(0).standard_normal((4, 8)), dtype=torch.float32)
model(inputs).sum().backward()
assert model[0].weight.grad is None and model[2].weight.grad is not None
frozen_before = model[0].weight.clone()
optimizer.step()
assert torch.equal(model[0].weight, frozen_before)

results = {
    "x_ones": x_ones, "added": added, "y": y, "reshaped": reshaped, "inferred": inferred,
    "a_grad": a.grad, "b_grad": b.grad, "Q": Q, "trainable": trainable,
}  # fmt: skip
