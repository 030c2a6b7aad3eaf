"""Module hooks: register_forward_hook to collect activation statistics, a forward pre-hook,
removing handles, and a full backward hook seeing gradients at a layer's output."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(0)
model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
x = torch.from_numpy(rng.standard_normal((5, 4)).astype(np.float32))

activations = {}


def save_activation(name):
    def hook(module, inputs, output):
        activations[name] = output.detach()

    return hook


handles = [m.register_forward_hook(save_activation(name)) for name, m in model.named_children()]
calls = []
pre = model[0].register_forward_pre_hook(lambda module, inputs: calls.append(inputs[0].shape))
out = model(x)
assert sorted(activations) == ["0", "1", "2"] and calls == [(5, 4)]
assert torch.equal(activations["2"], out.detach())
tanh_mean, tanh_std = activations["1"].mean().item(), activations["1"].std().item()

for handle in handles:
    handle.remove()
pre.remove()
activations.clear()
model(x)
assert activations == {} and len(calls) == 1

grads_at_output = []
bh = model[2].register_full_backward_hook(lambda m, gin, gout: grads_at_output.append(gout[0]))
loss = model(x).pow(2).mean()
loss.backward()
bh.remove()
assert len(grads_at_output) == 1

results = {
    "out": out, "tanh_mean": tanh_mean, "tanh_std": tanh_std, "grad_at_output": grads_at_output[0],
    "w0_grad": model[0].weight.grad,
}  # fmt: skip
