"""'What is torch.nn really', part 2: F.cross_entropy, nn.Module, nn.Linear, optim, Dataset,
DataLoader, validation, and the fit()/get_data() refactor."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(0)
n_train, n_valid, n_pixels = 512, 128, 64
prototypes = rng.random((10, n_pixels)).astype(np.float32)
labels = rng.integers(0, 10, n_train + n_valid)
images = (prototypes[labels] + 0.3 * rng.standard_normal((n_train + n_valid, n_pixels))).astype(
    np.float32
)
x_train, y_train, x_valid, y_valid = map(
    torch.tensor, (images[:n_train], labels[:n_train], images[n_train:], labels[n_train:])
)
loss_func = F.cross_entropy


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(n_pixels, 10) / n_pixels**0.5)
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.weights + self.bias


torch.manual_seed(0)
model = Mnist_Logistic()
initial_loss = loss_func(model(x_train), y_train).item()


def fit_by_hand(epochs=2, bs=64, lr=0.5):
    for epoch in range(epochs):
        for i in range((n_train - 1) // bs + 1):
            xb = x_train[i * bs : i * bs + bs]
            yb = y_train[i * bs : i * bs + bs]
            loss = loss_func(model(xb), yb)
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= p.grad * lr
                model.zero_grad()


fit_by_hand()
by_hand_loss = loss_func(model(x_train), y_train).item()
assert by_hand_loss < initial_loss


class Mnist_Linear(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(n_pixels, 10)

    def forward(self, xb):
        return self.lin(xb)


def get_model(lr=0.5):
    model = Mnist_Linear()
    return model, optim.SGD(model.parameters(), lr=lr)


def get_data(train_ds, valid_ds, bs):
    return (
        DataLoader(train_ds, batch_size=bs, shuffle=True),
        DataLoader(valid_ds, batch_size=bs * 2),
    )


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    history = []
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)

        model.eval()
        with torch.no_grad():
            losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
        print(epoch, val_loss)
        history.append(val_loss)
    return history


train_ds = TensorDataset(x_train, y_train)
valid_ds = TensorDataset(x_valid, y_valid)
xb, yb = train_ds[0:64]
assert xb.shape == (64, n_pixels) and len(train_ds) == n_train
train_dl, valid_dl = get_data(train_ds, valid_ds, bs=64)
assert len(train_dl) == 8 and len(valid_dl) == 1
model, opt = get_model()
with torch.no_grad():
    untrained = sum(loss_func(model(xb), yb) * len(xb) for xb, yb in valid_dl) / n_valid
history = fit(3, model, loss_func, opt, train_dl, valid_dl)
assert history[-1] < 0.5 * untrained.item(), (history, untrained)

with torch.no_grad():
    accuracy = (model(x_valid).argmax(dim=1) == y_valid).float().mean().item()
assert accuracy > 0.9, accuracy

results = {"n_params": sum(p.numel() for p in model.parameters()), "batches": len(train_dl)}
