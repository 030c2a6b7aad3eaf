"""Saving and loading (tutorial): a general checkpoint dict of model and optimizer state_dicts,
epoch and loss; resuming training from it continues exactly where the original run goes;
loading into a fresh model for inference; a state_dict with a missing key is refused."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

rng = np.random.default_rng(0)
X = torch.from_numpy(rng.standard_normal((32, 6)).astype(np.float32))
y = torch.from_numpy(rng.integers(0, 3, 32))


class TheModelClass(nn.Module):
    def __init__(self):
        super().__init__()
        # no bias before BatchNorm (as usual): BN subtracts it again, so its gradient is
        # rounding noise, which Adam scales up to full-size steps that differ run to run
        self.fc1 = nn.Linear(6, 12, bias=False)
        self.bn = nn.BatchNorm1d(12)
        self.fc2 = nn.Linear(12, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x))))


def fresh():
    torch.manual_seed(0)
    model = TheModelClass()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32)) * 0.3)
    return model


def train_steps(model, optimizer, steps):
    criterion = nn.CrossEntropyLoss()
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        optimizer.step()
    return loss


model = fresh()
optimizer = optim.Adam(model.parameters(), lr=0.01)
print("Model's state_dict:")
for param_tensor in model.state_dict():
    print(param_tensor, "\t", model.state_dict()[param_tensor].size())
print("Optimizer's state_dict:")
for var_name in optimizer.state_dict():
    print(var_name, "\t", optimizer.state_dict()[var_name])

loss = train_steps(model, optimizer, 5)
with tempfile.TemporaryDirectory() as tmp:
    PATH = os.path.join(tmp, "checkpoint.tar")
    torch.save(
        {
            "epoch": 5,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "loss": loss,
        },
        PATH,
    )
    assert os.path.exists(PATH)
    straight_on = train_steps(model, optimizer, 5).item()
    model.eval()
    with torch.no_grad():
        reference_out = model(X)

    model2 = fresh()
    optimizer2 = optim.Adam(model2.parameters(), lr=0.01)
    checkpoint = torch.load(PATH, weights_only=True)
    model2.load_state_dict(checkpoint["model_state_dict"])
    optimizer2.load_state_dict(checkpoint["optimizer_state_dict"])
    epoch = checkpoint["epoch"]
    saved_loss = checkpoint["loss"]
    resumed = train_steps(model2, optimizer2, 5).item()
    model2.eval()
    with torch.no_grad():
        resumed_out = model2(X)
    assert epoch == 5 and resumed == straight_on
    assert torch.equal(resumed_out, reference_out)

    torch.save(model.state_dict(), os.path.join(tmp, "model_weights.pth"))
    inference = fresh()
    inference.load_state_dict(torch.load(os.path.join(tmp, "model_weights.pth"), weights_only=True))
    inference.eval()
    assert torch.equal(inference(X), reference_out)

incomplete = {k: v for k, v in model.state_dict().items() if k != "fc2.bias"}
try:
    fresh().load_state_dict(incomplete)
except RuntimeError as error:
    assert "fc2.bias" in str(error)
else:
    raise AssertionError("load_state_dict accepted a state_dict without fc2.bias")
fresh().load_state_dict(incomplete, strict=False)

results = {
    "state_keys": list(model.state_dict()), "optimizer_keys": list(optimizer.state_dict()),
    "saved_loss": saved_loss, "straight_on": straight_on, "out": reference_out,
    "running_mean": model.bn.running_mean, "num_batches_tracked": model.bn.num_batches_tracked,
}  # fmt: skip
