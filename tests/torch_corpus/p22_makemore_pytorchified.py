"""makemore, activations and batch norm: hand-written Linear / BatchNorm1d / Tanh classes with
__call__ and parameters(), kaiming-style scaling, running statistics under torch.no_grad(),
retain_grad on activations, saturation and update-to-data statistics printed with %-formats."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(0)
syllables = ["ka", "li", "mo", "ra", "en", "ta", "su", "ni", "el", "ja", "vi", "ro", "an", "de"]
words = ["".join(rng.choice(syllables, size=rng.integers(1, 4))) for _ in range(300)]
chars = sorted(list(set("".join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
vocab_size = len(stoi)
block_size = 3
X, Y = [], []
for w in words:
    context = [0] * block_size
    for ch in w + ".":
        X.append(context)
        Y.append(stoi[ch])
        context = context[1:] + [stoi[ch]]
Xtr, Ytr = torch.tensor(X), torch.tensor(Y)

g = torch.Generator().manual_seed(2147483647)


class Linear:
    def __init__(self, fan_in, fan_out, bias=True):
        self.weight = torch.randn((fan_in, fan_out), generator=g) / fan_in**0.5
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out += self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class BatchNorm1d:
    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps = eps
        self.momentum = momentum
        self.training = True
        self.gamma = torch.ones(dim)
        self.beta = torch.zeros(dim)
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)

    def __call__(self, x):
        if self.training:
            xmean = x.mean(0, keepdim=True)
            xvar = x.var(0, keepdim=True)
        else:
            xmean = self.running_mean
            xvar = self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
        self.out = self.gamma * xhat + self.beta
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]


class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out

    def parameters(self):
        return []


n_embd, n_hidden = 10, 64
C = torch.randn((vocab_size, n_embd), generator=g)
layers = [
    Linear(n_embd * block_size, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
    Linear(n_hidden, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
    Linear(n_hidden, vocab_size, bias=False), BatchNorm1d(vocab_size),
]  # fmt: skip
with torch.no_grad():
    layers[-1].gamma *= 0.1
    for layer in layers[:-1]:
        if isinstance(layer, Linear):
            layer.weight *= 5 / 3

parameters = [C] + [p for layer in layers for p in layer.parameters()]
print(sum(p.nelement() for p in parameters))
for p in parameters:
    p.requires_grad = True

lossi, ud = [], []
for i in range(300):
    ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]
    emb = C[Xb]
    x = emb.view(emb.shape[0], -1)
    for layer in layers:
        x = layer(x)
    loss = F.cross_entropy(x, Yb)
    for layer in layers:
        layer.out.retain_grad()
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = 0.1 if i < 200 else 0.01
    for p in parameters:
        p.data += -lr * p.grad
    lossi.append(loss.log10().item())
    with torch.no_grad():
        ud.append([((lr * p.grad).std() / p.data.std()).log10().item() for p in parameters])

for i, layer in enumerate(layers[:-1]):
    if isinstance(layer, Tanh):
        t = layer.out
        saturated = (t.abs() > 0.97).float().mean() * 100
        print(
            "layer %d (%10s): mean %+.2f, std %.2f, saturated: %.2f%%"
            % (i, layer.__class__.__name__, t.mean(), t.std(), saturated)
        )
        assert float((t.abs() > 0.97).float().mean()) < 0.2
        t = layer.out.grad
        name = layer.__class__.__name__
        print("layer %d (%10s): mean %+f, std %e" % (i, name, t.mean(), t.std()))
for i, p in enumerate(parameters):
    if p.ndim == 2:
        print("weight %10s | mean %+f | std %e | grad:data ratio %e"
              % (tuple(p.shape), p.grad.mean(), p.grad.std(), p.grad.std() / p.std()))  # fmt: skip

for layer in layers:
    if isinstance(layer, BatchNorm1d):
        layer.training = False
with torch.no_grad():
    emb = C[Xtr]
    x = emb.view(emb.shape[0], -1)
    for layer in layers:
        x = layer(x)
    eval_loss = F.cross_entropy(x, Ytr).item()
print(eval_loss, np.mean(lossi[:20]), np.mean(lossi[-20:]))
assert np.mean(lossi[-20:]) < np.mean(lossi[:20])
assert eval_loss < 0.8 * np.log(vocab_size), eval_loss

results = {"n_params": sum(p.nelement() for p in parameters), "ud_len": len(ud[0])}
