"""Examples repository, MNIST: the Net with two convolutions, dropout, max-pooling, flatten
and log_softmax; train()/test() with argparse-style args, F.nll_loss (mean and sum),
pred.eq(target.view_as(pred)), optim.Adadelta and a StepLR scheduler, model.train()/eval()."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(144, 32)
        self.fc2 = nn.Linear(32, 4)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(
                "Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                    epoch, batch_idx * len(data), len(train_loader.dataset),
                    100.0 * batch_idx / len(train_loader), loss.item(),
                )  # fmt: skip
            )


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    print(
        "\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n".format(
            test_loss, correct, len(test_loader.dataset), 100.0 * correct / len(test_loader.dataset)
        )
    )
    return test_loss, correct / len(test_loader.dataset)


def digits(n, seed):
    """10x10 images of four 'digits': a vertical bar, a horizontal bar, a diagonal, a box."""
    rng = np.random.default_rng(seed)
    shapes = np.zeros((4, 10, 10), np.float32)
    shapes[0, :, 4:6] = 1
    shapes[1, 4:6, :] = 1
    shapes[2] = np.eye(10)
    shapes[3, 2:8, 2] = shapes[3, 2:8, 7] = shapes[3, 2, 2:8] = shapes[3, 7, 2:8] = 1
    labels = rng.integers(0, 4, n)
    images = shapes[labels] + 0.3 * rng.standard_normal((n, 10, 10)).astype(np.float32)
    images = (images - 0.1307) / 0.3081
    images = torch.from_numpy(images[:, None].astype(np.float32))
    return TensorDataset(images, torch.from_numpy(labels))


parser = argparse.ArgumentParser(description="PyTorch MNIST Example")
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--test-batch-size", type=int, default=100)
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--lr", type=float, default=1.0)
parser.add_argument("--gamma", type=float, default=0.7)
parser.add_argument("--no-accel", action="store_true")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--log-interval", type=int, default=4)
args = parser.parse_args([])

use_accel = not args.no_accel and torch.accelerator.is_available()
torch.manual_seed(args.seed)
device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")

train_kwargs = {"batch_size": args.batch_size, "shuffle": True}
test_kwargs = {"batch_size": args.test_batch_size}
train_loader = DataLoader(digits(256, seed=0), **train_kwargs)
test_loader = DataLoader(digits(100, seed=1), **test_kwargs)

model = Net().to(device)
optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
history, lrs = [], []
for epoch in range(1, args.epochs + 1):
    train(args, model, device, train_loader, optimizer, epoch)
    history.append(test(model, device, test_loader))
    lrs.append(scheduler.get_last_lr()[0])
    scheduler.step()
assert history[-1][1] >= 0.9, history

model.eval()
x = train_loader.dataset[0][0].unsqueeze(0)
assert torch.equal(model(x), model(x))
model.train()
torch.manual_seed(0)
assert not torch.equal(model(x.repeat(64, 1, 1, 1))[0], model(x.repeat(64, 1, 1, 1))[1])

results = {"lrs": lrs, "final_lr": optimizer.param_groups[0]["lr"]}
