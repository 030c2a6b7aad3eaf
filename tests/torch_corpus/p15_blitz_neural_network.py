"""60-minute blitz: LeNet-style Net, parameters, backward with a gradient, MSELoss, grad_fn
chain, manual update through .data, then optim.SGD."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        c1 = F.relu(self.conv1(input))
        s2 = F.max_pool2d(c1, (2, 2))
        c3 = F.relu(self.conv2(s2))
        s4 = F.max_pool2d(c3, 2)
        s4 = torch.flatten(s4, 1)
        f5 = F.relu(self.fc1(s4))
        f6 = F.relu(self.fc2(f5))
        output = self.fc3(f6)
        return output


net = Net()
print(net)
params = list(net.parameters())
print(len(params))
print(params[0].size())
assert len(params) == 10 and params[0].size() == (6, 1, 5, 5)

rng = np.random.default_rng(0)
for p in net.parameters():
    p.data = torch.from_numpy((0.1 * rng.standard_normal(tuple(p.shape))).astype(np.float32))

input = torch.from_numpy(rng.standard_normal((1, 1, 32, 32)).astype(np.float32))
out = net(input)
print(out)
net.zero_grad()
out.backward(torch.from_numpy(rng.standard_normal((1, 10)).astype(np.float32)))
grad_of_ones = net.conv1.bias.grad.clone()

output = net(input)
target = torch.from_numpy(rng.standard_normal(10).astype(np.float32))
target = target.view(1, -1)
criterion = nn.MSELoss()
loss = criterion(output, target)
print(loss)
print(loss.grad_fn)
print(loss.grad_fn.next_functions[0][0])
print(loss.grad_fn.next_functions[0][0].next_functions[0][0])
assert loss.grad_fn.next_functions[0][0] is output.grad_fn

net.zero_grad()
print("conv1.bias.grad before backward")
print(net.conv1.bias.grad)
before = net.conv1.bias.grad
loss.backward()
print("conv1.bias.grad after backward")
print(net.conv1.bias.grad)
assert before is None or bool((before == 0).all())

learning_rate = 0.01
for f in net.parameters():
    f.data.sub_(f.grad.data * learning_rate)
manual_loss = criterion(net(input), target)

optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
optimizer.zero_grad()
output = net(input)
loss2 = criterion(output, target)
loss2.backward()
optimizer.step()
final_loss = criterion(net(input), target)
assert final_loss < loss2 < loss

results = {
    "out": out, "grad_of_ones": grad_of_ones, "loss": loss, "conv1_bias_grad": net.conv1.bias.grad,
    "manual_loss": manual_loss, "final_loss": final_loss, "fc3_weight": net.fc3.weight,
}  # fmt: skip
