"""Optimizers and schedulers: SGD with momentum / weight decay / nesterov, Adam with parameter
groups, AdamW, Adagrad; StepLR, ExponentialLR, MultiStepLR, LambdaLR, CosineAnnealingLR and
ReduceLROnPlateau; param_groups[i]["lr"]; clip_grad_norm_. Same start, same data: PyTorch's
trajectory step for step."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch
import torch.nn as nn
from torch.optim import lr_scheduler

rng = np.random.default_rng(0)
X = torch.from_numpy(rng.standard_normal((64, 5)).astype(np.float32))
y = torch.from_numpy((X.numpy() @ rng.standard_normal(5) + 0.3).astype(np.float32)).unsqueeze(1)
start = {
    "0.weight": rng.standard_normal((8, 5)).astype(np.float32) * 0.4,
    "0.bias": np.zeros(8, np.float32),
    "2.weight": rng.standard_normal((1, 8)).astype(np.float32) * 0.4,
    "2.bias": np.zeros(1, np.float32),
}


def make_model():
    model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 1))
    model.load_state_dict({k: torch.from_numpy(v) for k, v in start.items()})
    return model


def fit(make_optimizer, make_scheduler=None, steps=30, clip=None):
    model = make_model()
    optimizer = make_optimizer(model)
    scheduler = make_scheduler(optimizer) if make_scheduler else None
    loss_fn = nn.MSELoss()
    losses, lrs = [], []
    for step in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=clip)
        optimizer.step()
        losses.append(loss.item())
        lrs.append(optimizer.param_groups[0]["lr"])
        if isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
            scheduler.step(loss.item())
        elif scheduler is not None:
            scheduler.step()
    assert losses[-1] < losses[0], losses
    return {"losses": losses[::5], "lrs": lrs[::5], "weight": model[2].weight}


runs = {
    "sgd": fit(lambda m: torch.optim.SGD(m.parameters(), lr=0.05)),
    "momentum": fit(
        lambda m: torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3),
        lambda o: lr_scheduler.StepLR(o, step_size=10, gamma=0.5),
    ),
    "nesterov": fit(
        lambda m: torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, nesterov=True),
        lambda o: lr_scheduler.MultiStepLR(o, milestones=[10, 20], gamma=0.3),
    ),
    "adam_groups": fit(
        lambda m: torch.optim.Adam(
            [{"params": m[0].parameters()}, {"params": m[2].parameters(), "lr": 3e-3}], lr=1e-2
        ),
        lambda o: lr_scheduler.ExponentialLR(o, gamma=0.95),
    ),
    "adamw": fit(
        lambda m: torch.optim.AdamW(m.parameters(), lr=1e-2, weight_decay=0.1),
        lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=30, eta_min=1e-4),
    ),
    "rmsprop_lambda": fit(
        lambda m: torch.optim.RMSprop(m.parameters(), lr=1e-2, momentum=0.5),
        lambda o: lr_scheduler.LambdaLR(o, lr_lambda=lambda epoch: 1 / (1 + 0.1 * epoch)),
    ),
    "adagrad_plateau": fit(
        lambda m: torch.optim.Adagrad(m.parameters(), lr=0.1),
        lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2),
    ),
    "clipped": fit(lambda m: torch.optim.SGD(m.parameters(), lr=0.1), clip=0.5),
}
results = runs
