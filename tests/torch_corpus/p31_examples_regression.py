"""Examples repository, regression: fit a degree-4 polynomial with one nn.Linear, features by
torch.cat of powers, batches from torch.randn, F.smooth_l1_loss, param.data.add_(-lr * grad),
looping with itertools.count until the loss is small, and a poly_desc string."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

from itertools import count

import torch
import torch.nn.functional as F

POLY_DEGREE = 4
torch.manual_seed(0)
W_target = torch.randn(POLY_DEGREE, 1) * 0.5
b_target = torch.randn(1) * 0.5


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x**i for i in range(1, POLY_DEGREE + 1)], 1)


def f(x):
    """Approximated function."""
    return x.mm(W_target) + b_target.item()


def poly_desc(W, b):
    """Creates a string description of a polynomial."""
    result = "y = "
    for i, w in enumerate(W):
        result += "{:+.2f} x^{} ".format(w, i + 1)
    result += "{:+.2f}".format(b[0])
    return result


def get_batch(batch_size=32):
    """Builds a batch i.e. (x, f(x)) pair."""
    random = torch.rand(batch_size) * 2 - 1
    x = make_features(random)
    y = f(x)
    return x, y


fc = torch.nn.Linear(W_target.size(0), 1)

for batch_idx in count(1):
    batch_x, batch_y = get_batch()
    fc.zero_grad()
    output = F.smooth_l1_loss(fc(batch_x), batch_y)
    loss = output.item()
    output.backward()
    for param in fc.parameters():
        param.data.add_(-0.1 * param.grad)
    if loss < 1e-4 or batch_idx == 5000:
        break

print("Loss: {:.6f} after {} batches".format(loss, batch_idx))
print("==> Learned function:\t" + poly_desc(fc.weight.view(-1), fc.bias))
print("==> Actual function:\t" + poly_desc(W_target.view(-1), b_target))
assert loss < 1e-4, (loss, batch_idx)
x_check, y_check = get_batch(256)
with torch.no_grad():
    assert F.mse_loss(fc(x_check), y_check).item() < 1e-3

x = torch.tensor([0.5, -1.0, 2.0])
results = {
    "features": make_features(x),
    "desc": poly_desc(torch.tensor([1.0, -2.5, 0.25, 3.0]), torch.tensor([-0.75])),
}
