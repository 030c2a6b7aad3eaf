"""'What is torch.nn really', part 3: a CNN, nn.Sequential with a Lambda layer,
AdaptiveAvgPool2d, a wrapped DataLoader that preprocesses, SGD with momentum."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(0)
n, side = 384, 8
labels = rng.integers(0, 4, n)
images = np.zeros((n, side, side), np.float32)
for i, label in enumerate(labels):
    images[i, label * 2 : label * 2 + 2, :] = 1.0  # class k lights rows 2k and 2k+1
images += 0.2 * rng.standard_normal(images.shape).astype(np.float32)
x_train, y_train = torch.tensor(images[:256].reshape(256, -1)), torch.tensor(labels[:256])
x_valid, y_valid = torch.tensor(images[256:].reshape(128, -1)), torch.tensor(labels[256:])


class Mnist_CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(8, 8, kernel_size=3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(8, 4, kernel_size=3, stride=2, padding=1)

    def forward(self, xb):
        xb = xb.view(-1, 1, side, side)
        xb = F.relu(self.conv1(xb))
        xb = F.relu(self.conv2(xb))
        xb = F.relu(self.conv3(xb))
        xb = F.avg_pool2d(xb, 1)
        return xb.view(-1, xb.size(1))


class Lambda(nn.Module):
    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, x):
        return self.func(x)


def preprocess(x, y):
    return x.view(-1, 1, side, side), y


class WrappedDataLoader:
    def __init__(self, dl, func):
        self.dl = dl
        self.func = func

    def __len__(self):
        return len(self.dl)

    def __iter__(self):
        for b in self.dl:
            yield (self.func(*b))


torch.manual_seed(0)
cnn = Mnist_CNN()
out = cnn(x_train[:5])
assert out.shape == (5, 4)

train_dl = WrappedDataLoader(
    DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True), preprocess
)
valid_dl = WrappedDataLoader(DataLoader(TensorDataset(x_valid, y_valid), batch_size=64), preprocess)

model = nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 4, kernel_size=3, stride=2, padding=1),
    nn.AdaptiveAvgPool2d(1),
    Lambda(lambda x: x.view(x.size(0), -1)),
)
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)


def evaluate():
    model.eval()
    with torch.no_grad():
        total = sum(F.cross_entropy(model(xb), yb, reduction="sum").item() for xb, yb in valid_dl)
    return total / len(y_valid)


before = evaluate()
for epoch in range(6):
    model.train()
    for xb, yb in train_dl:
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
after = evaluate()
print(before, after)
assert after < 0.6 * before, (before, after)

results = {"out_shape": tuple(out.shape), "n_params": sum(p.numel() for p in model.parameters())}
