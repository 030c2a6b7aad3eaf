"""makemore, bigrams as a one-layer net: F.one_hot inputs, W from a seeded Generator,
softmax by hand (exp, normalise), negative log likelihood with a regulariser, W.grad = None,
W.data += -lr * W.grad; the loss falls to the counting model's value."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(0)
syllables = ["ka", "li", "mo", "ra", "en", "ta", "su", "ni", "el", "ja", "vi", "ro", "an", "de"]
words = ["".join(rng.choice(syllables, size=rng.integers(1, 4))) for _ in range(200)]
chars = sorted(list(set("".join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
V = len(stoi)

xs, ys = [], []
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        xs.append(stoi[ch1])
        ys.append(stoi[ch2])
xs = torch.tensor(xs)
ys = torch.tensor(ys)
num = xs.nelement()
print("number of examples: ", num)

N = torch.zeros((V, V))
for ix1, ix2 in zip(xs.tolist(), ys.tolist()):
    N[ix1, ix2] += 1
P = (N + 1) / (N + 1).sum(1, keepdim=True)
counting_nll = -P[xs, ys].log().mean()

xenc = F.one_hot(xs, num_classes=V).float()
assert xenc.shape == (num, V) and xenc.dtype == torch.float32

g = torch.Generator().manual_seed(2147483647)
W = torch.randn((V, V), generator=g, requires_grad=True)

losses = []
for k in range(60):
    xenc = F.one_hot(xs, num_classes=V).float()
    logits = xenc @ W
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
    losses.append(loss.item())

    W.grad = None
    loss.backward()
    W.data += -10 * W.grad
print(losses[0], losses[-1], counting_nll.item())
assert losses[-1] < losses[0]
assert abs(losses[-1] - counting_nll.item()) < 0.25, (losses[-1], counting_nll.item())

results = {"num": num, "xenc_sum": xenc.sum(0), "counting_nll": counting_nll}
