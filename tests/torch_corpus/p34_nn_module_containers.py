"""Building models (nn tutorial): ModuleList, ModuleDict, ParameterList, Sequential from an
OrderedDict, add_module, register_buffer, named_modules / named_buffers / state_dict keys,
requires_grad_(False), zero_grad(set_to_none=True), train()/eval() flags, model.double()."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

from collections import OrderedDict

import numpy as np
import torch
from torch import nn


class Blocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
        self.heads = nn.ModuleDict({"cls": nn.Linear(4, 2), "reg": nn.Linear(4, 1)})
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(4)) for _ in range(3)])
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))
        self.add_module("norm", nn.LayerNorm(4))
        self.drop = nn.Dropout(0.1)

    def forward(self, x, head="cls"):
        for layer, scale in zip(self.layers, self.scales):
            x = torch.relu(layer(x)) * scale
        if self.training:
            self.steps += 1
        return self.heads[head](self.norm(self.drop(x)))


model = Blocks()
print(model)
param_names = [name for name, _ in model.named_parameters()]
module_names = [name for name, _ in model.named_modules()]
buffer_names = [name for name, _ in model.named_buffers()]
state_keys = list(model.state_dict().keys())
assert "steps" in state_keys and "steps" not in param_names
assert len(model.layers) == 3 and isinstance(model.layers[0], nn.Linear)
assert list(model.heads.keys()) == ["cls", "reg"]

rng = np.random.default_rng(0)
with torch.no_grad():
    for name, p in model.named_parameters():
        p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32)) * 0.5)
x = torch.from_numpy(rng.standard_normal((6, 4)).astype(np.float32))

model.eval()
assert not model.training and not model.layers[0].training
cls_out, reg_out = model(x), model(x, head="reg")
model.train()
assert model.drop.training
model(x)
model(x)
assert model.steps.item() == 2

model.layers[0].requires_grad_(False)
model.eval()
model(x).sum().backward()
assert model.layers[0].weight.grad is None and model.layers[1].weight.grad is not None
model.zero_grad(set_to_none=True)
assert model.layers[1].weight.grad is None

seq = nn.Sequential(
    OrderedDict([("fc1", nn.Linear(4, 3)), ("act", nn.ReLU()), ("fc2", nn.Linear(3, 1))])
)
seq_keys = list(seq.state_dict().keys())
assert seq.fc1 is seq[0]
seq.double()
assert seq.fc1.weight.dtype == torch.float64
children = [type(m).__name__ for m in seq.children()]

results = {
    "param_names": param_names, "module_names": module_names, "buffer_names": buffer_names,
    "state_keys": state_keys, "cls_out": cls_out, "reg_out": reg_out, "seq_keys": seq_keys,
    "children": children, "steps": model.steps,
}  # fmt: skip
