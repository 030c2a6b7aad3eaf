"""Concise softmax regression (book chapter): nn.Sequential(nn.Flatten(), nn.Linear),
net.apply(init_weights) with `type(m) == nn.Linear` and nn.init.normal_, CrossEntropyLoss with
reduction='none' and l.mean().backward(), evaluation in net.eval()."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch
from torch import nn
from torch.utils import data

rng = np.random.default_rng(1)
n, side, classes = 600, 4, 4
centers = rng.standard_normal((classes, side * side)) * 1.5
labels = rng.integers(0, classes, n)
images = (centers[labels] + rng.standard_normal((n, side * side))).reshape(n, 1, side, side)
dataset = data.TensorDataset(torch.tensor(images, dtype=torch.float32), torch.tensor(labels))
train_iter = data.DataLoader(dataset, batch_size=64, shuffle=True)

torch.manual_seed(0)
net = nn.Sequential(nn.Flatten(), nn.Linear(side * side, classes))


def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)
assert float(net[1].weight.std()) < 0.05

loss = nn.CrossEntropyLoss(reduction="none")
trainer = torch.optim.SGD(net.parameters(), lr=0.1)


def evaluate_accuracy(net, data_iter):
    if isinstance(net, torch.nn.Module):
        net.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for X, y in data_iter:
            correct += (net(X).argmax(axis=1) == y).sum().item()
            total += y.numel()
    return correct / total


before = evaluate_accuracy(net, train_iter)
for epoch in range(3):
    if isinstance(net, torch.nn.Module):
        net.train()
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        assert l.shape == (X.shape[0],)
        trainer.zero_grad()
        l.mean().backward()
        trainer.step()
after = evaluate_accuracy(net, train_iter)
print(before, after)
assert after > 0.9 and after > before

results = {"images_dtype": str(dataset[0][0].dtype), "n_batches": len(train_iter)}
