"""60-minute blitz: training a classifier: the epoch/mini-batch loop with running_loss,
torch.max(outputs.data, 1), overall and per-class accuracy, saving and reloading the net."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

classes = ("plane", "car", "bird")
rng = np.random.default_rng(0)


def make_images(n):
    labels = rng.integers(0, 3, n)
    images = 0.5 * rng.standard_normal((n, 3, 14, 14)).astype(np.float32)
    for i, label in enumerate(labels):
        images[i, label] += 1.0  # class k is brightest in colour channel k
    return torch.from_numpy(images), torch.from_numpy(labels)


trainloader = DataLoader(TensorDataset(*make_images(256)), batch_size=16, shuffle=True)
testloader = DataLoader(TensorDataset(*make_images(96)), batch_size=16, shuffle=False)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 8, 3)
        self.fc1 = nn.Linear(8 * 2 * 2, 32)
        self.fc2 = nn.Linear(32, 16)
        self.fc3 = nn.Linear(16, 3)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


torch.manual_seed(0)
net = Net()
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.03, momentum=0.9)

epoch_losses = []
for epoch in range(6):
    running_loss = 0.0
    for i, data in enumerate(trainloader, 0):
        inputs, labels = data
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        if i % 8 == 7:
            print(f"[{epoch + 1}, {i + 1:5d}] loss: {running_loss / 8:.3f}")
            epoch_losses.append(running_loss / 8)
            running_loss = 0.0
print("Finished Training")
assert epoch_losses[-1] < epoch_losses[0]

with tempfile.TemporaryDirectory() as tmp:
    PATH = os.path.join(tmp, "cifar_net.pth")
    torch.save(net.state_dict(), PATH)
    net = Net()
    net.load_state_dict(torch.load(PATH, weights_only=True))

dataiter = iter(testloader)
images, labels = next(dataiter)
print("GroundTruth: ", " ".join(f"{classes[labels[j]]:5s}" for j in range(4)))
outputs = net(images)
_, predicted = torch.max(outputs, 1)
print("Predicted: ", " ".join(f"{classes[predicted[j]]:5s}" for j in range(4)))

correct = 0
total = 0
with torch.no_grad():
    for data in testloader:
        images, labels = data
        outputs = net(images)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
print(f"Accuracy of the network on the test images: {100 * correct // total} %")
assert correct / total > 0.8, correct / total

correct_pred = {classname: 0 for classname in classes}
total_pred = {classname: 0 for classname in classes}
with torch.no_grad():
    for data in testloader:
        images, labels = data
        outputs = net(images)
        _, predictions = torch.max(outputs, 1)
        for label, prediction in zip(labels, predictions):
            if label == prediction:
                correct_pred[classes[label]] += 1
            total_pred[classes[label]] += 1
for classname, correct_count in correct_pred.items():
    accuracy = 100 * float(correct_count) / total_pred[classname]
    print(f"Accuracy for class: {classname:5s} is {accuracy:.1f} %")

results = {"total": total, "total_pred": total_pred}
