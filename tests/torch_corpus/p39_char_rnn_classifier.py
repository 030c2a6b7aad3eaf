"""Classifying names with a character-level RNN (tutorial): one-hot letterToTensor /
lineToTensor, an RNN module of nn.Linear on torch.cat((input, hidden), 1) with nn.LogSoftmax,
initHidden, a per-character loop, NLLLoss, p.data.add_(p.grad.data, alpha=-lr), topk."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import random

import numpy as np
import torch
import torch.nn as nn

all_letters = "abcdefghijklmnopqrstuvwxyz"
n_letters = len(all_letters)
rng = np.random.default_rng(0)
styles = {"Vowelish": "aeiou", "Consonantal": "bcdfgklmnprst", "Xyz": "xyzqw"}
category_lines = {
    category: ["".join(rng.choice(list(letters), size=rng.integers(3, 7))) for _ in range(40)]
    for category, letters in styles.items()
}
all_categories = list(category_lines)
n_categories = len(all_categories)


def letterToIndex(letter):
    return all_letters.find(letter)


def letterToTensor(letter):
    tensor = torch.zeros(1, n_letters)
    tensor[0][letterToIndex(letter)] = 1
    return tensor


def lineToTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li, letter in enumerate(line):
        tensor[li][0][letterToIndex(letter)] = 1
    return tensor


print(letterToTensor("j"))
print(lineToTensor("jones").size())


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.h2o = nn.Linear(input_size + hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, input, hidden):
        combined = torch.cat((input, hidden), 1)
        hidden = torch.tanh(self.i2h(combined))
        output = self.h2o(combined)
        output = self.softmax(output)
        return output, hidden

    def initHidden(self):
        return torch.zeros(1, self.hidden_size)


torch.manual_seed(0)
n_hidden = 32
rnn = RNN(n_letters, n_hidden, n_categories)


def categoryFromOutput(output):
    top_n, top_i = output.topk(1)
    category_i = top_i[0].item()
    return all_categories[category_i], category_i


chooser = random.Random(0)


def randomTrainingExample():
    category = chooser.choice(all_categories)
    line = chooser.choice(category_lines[category])
    category_tensor = torch.tensor([all_categories.index(category)], dtype=torch.long)
    return category, line, category_tensor, lineToTensor(line)


criterion = nn.NLLLoss()
learning_rate = 0.01


def train(category_tensor, line_tensor):
    hidden = rnn.initHidden()
    rnn.zero_grad()
    for i in range(line_tensor.size()[0]):
        output, hidden = rnn(line_tensor[i], hidden)
    loss = criterion(output, category_tensor)
    loss.backward()
    for p in rnn.parameters():
        p.data.add_(p.grad.data, alpha=-learning_rate)
    return output, loss.item()


current_loss, all_losses = 0, []
for it in range(1, 801):
    category, line, category_tensor, line_tensor = randomTrainingExample()
    output, loss = train(category_tensor, line_tensor)
    current_loss += loss
    if it % 200 == 0:
        guess, guess_i = categoryFromOutput(output)
        correct = "✓" if guess == category else "✗ (%s)" % category
        print("%d %d%% %.4f %s / %s %s" % (it, it / 800 * 100, loss, line, guess, correct))
        all_losses.append(current_loss / 200)
        current_loss = 0
assert all_losses[-1] < all_losses[0], all_losses


def evaluate(line_tensor):
    hidden = rnn.initHidden()
    for i in range(line_tensor.size()[0]):
        output, hidden = rnn(line_tensor[i], hidden)
    return output


with torch.no_grad():
    hits = sum(
        categoryFromOutput(evaluate(lineToTensor(line)))[0] == category
        for category, lines in category_lines.items()
        for line in lines
    )
assert hits / 120 > 0.9, hits

results = {"jones": lineToTensor("jones"), "j": letterToTensor("j")}
