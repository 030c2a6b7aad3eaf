"""makemore, an MLP language model: a context of 3 characters, an embedding table C[X],
a tanh hidden layer, F.cross_entropy, minibatches from torch.randint with a Generator,
p.data += -lr * p.grad, a learning-rate sweep with torch.linspace, and a dev-set loss."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import random

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(0)
syllables = ["ka", "li", "mo", "ra", "en", "ta", "su", "ni", "el", "ja", "vi", "ro", "an", "de"]
words = ["".join(rng.choice(syllables, size=rng.integers(1, 4))) for _ in range(300)]
chars = sorted(list(set("".join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(itos)
block_size = 3


def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    print(X.shape, Y.shape)
    return X, Y


random.seed(42)
random.shuffle(words)
n1 = int(0.8 * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:])

g = torch.Generator().manual_seed(2147483647)
C = torch.randn((vocab_size, 10), generator=g)
W1 = torch.randn((30, 100), generator=g) * 0.2
b1 = torch.randn(100, generator=g) * 0.01
W2 = torch.randn((100, vocab_size), generator=g) * 0.01
b2 = torch.randn(vocab_size, generator=g) * 0
parameters = [C, W1, b1, W2, b2]
print(sum(p.nelement() for p in parameters))
for p in parameters:
    p.requires_grad = True

emb = C[Xtr]
assert emb.shape == (Xtr.shape[0], block_size, 10)
assert torch.equal(torch.cat(torch.unbind(emb, 1), 1), emb.view(-1, 30))

lre = torch.linspace(-3, 0, 200)
lrs = 10**lre
lri, lossi = [], []
for i in range(600):
    ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
    emb = C[Xtr[ix]]
    h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
    logits = h @ W2 + b2
    loss = F.cross_entropy(logits, Ytr[ix])
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = lrs[i].item() if i < 200 else 0.1
    for p in parameters:
        p.data += -lr * p.grad
    lri.append(lre[i] if i < 200 else None)
    lossi.append(loss.log10().item())


@torch.no_grad()
def split_loss(X, Y):
    emb = C[X]
    h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
    logits = h @ W2 + b2
    return F.cross_entropy(logits, Y).item()


train_loss, dev_loss = split_loss(Xtr, Ytr), split_loss(Xdev, Ydev)
print(train_loss, dev_loss)
uniform = float(np.log(vocab_size))
assert train_loss < 0.75 * uniform and dev_loss < 0.8 * uniform, (train_loss, dev_loss, uniform)

g = torch.Generator().manual_seed(2147483647 + 10)
for _ in range(5):
    out = []
    context = [0] * block_size
    while True:
        emb = C[torch.tensor([context])]
        h = torch.tanh(emb.view(1, -1) @ W1 + b1)
        probs = F.softmax(h @ W2 + b2, dim=1)
        ix = torch.multinomial(probs, num_samples=1, generator=g).item()
        context = context[1:] + [ix]
        out.append(ix)
        if ix == 0 or len(out) > 30:
            break
    print("".join(itos[i] for i in out))

results = {"Xtr": Xtr, "Ytr": Ytr, "Xdev_shape": tuple(Xdev.shape), "lre": lre}
