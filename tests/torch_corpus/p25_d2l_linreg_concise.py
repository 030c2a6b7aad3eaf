"""Concise linear regression (book chapter): `from torch.utils import data`, a load_array
helper, nn.Sequential(nn.Linear(2, 1)), weight.data.normal_ / bias.data.fill_, nn.MSELoss,
torch.optim.SGD."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch
from torch import nn
from torch.utils import data

rng = np.random.default_rng(0)
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features = torch.tensor(rng.standard_normal((1000, 2)), dtype=torch.float32)
labels = torch.matmul(features, true_w) + true_b
labels += torch.tensor(rng.normal(0, 0.01, 1000), dtype=torch.float32)
labels = labels.reshape((-1, 1))


def load_array(data_arrays, batch_size, is_train=True):
    """Construct a PyTorch data iterator."""
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


batch_size = 10
data_iter = load_array((features, labels), batch_size)
first = next(iter(data_iter))
assert first[0].shape == (10, 2) and first[1].shape == (10, 1)

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(2, 1))
net[0].weight.data.normal_(0, 0.01)
net[0].bias.data.fill_(0)
assert float(net[0].bias.abs().sum()) == 0.0 and float(net[0].weight.abs().max()) < 0.1

loss = nn.MSELoss()
trainer = torch.optim.SGD(net.parameters(), lr=0.03)

num_epochs = 3
for epoch in range(num_epochs):
    for X, y in data_iter:
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)
    print(f"epoch {epoch + 1}, loss {l:f}")

w = net[0].weight.data
print("error in estimating w:", true_w - w.reshape(true_w.shape))
b = net[0].bias.data
print("error in estimating b:", true_b - b)
assert float((true_w - w.reshape(true_w.shape)).abs().max()) < 0.01
assert abs(true_b - b.item()) < 0.01

results = {"features": features, "labels": labels, "w_shape": tuple(w.shape)}
