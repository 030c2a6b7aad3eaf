"""makemore, becoming a backprop ninja: the MLP forward pass broken into small steps, every
intermediate's gradient derived by hand and checked with a cmp() against autograd's
(retain_grad), then the fused cross-entropy and batch-norm backward formulas."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(0)
syllables = ["ka", "li", "mo", "ra", "en", "ta", "su", "ni", "el", "ja", "vi", "ro", "an", "de"]
words = ["".join(rng.choice(syllables, size=rng.integers(1, 4))) for _ in range(100)]
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


def cmp(s, dt, t):
    ex = torch.all(dt == t.grad).item()
    app = torch.allclose(dt, t.grad, rtol=1e-4, atol=1e-6)
    maxdiff = (dt - t.grad).abs().max().item()
    print(f"{s:15s} | exact: {str(ex):5s} | approximate: {str(app):5s} | maxdiff: {maxdiff}")
    return app


n_embd, n_hidden = 10, 64
g = torch.Generator().manual_seed(2147483647)
C = torch.randn((vocab_size, n_embd), generator=g)
W1 = torch.randn((n_embd * block_size, n_hidden), generator=g)
W1 = W1 * (5 / 3) / (n_embd * block_size) ** 0.5
b1 = torch.randn(n_hidden, generator=g) * 0.1
W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.1
b2 = torch.randn(vocab_size, generator=g) * 0.1
bngain = torch.randn((1, n_hidden), generator=g) * 0.1 + 1.0
bnbias = torch.randn((1, n_hidden), generator=g) * 0.1
parameters = [C, W1, b1, W2, b2, bngain, bnbias]
for p in parameters:
    p.requires_grad = True

batch_size = 32
n = batch_size
ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
Xb, Yb = Xtr[ix], Ytr[ix]

emb = C[Xb]
embcat = emb.view(emb.shape[0], -1)
hprebn = embcat @ W1 + b1
bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
bndiff = hprebn - bnmeani
bndiff2 = bndiff**2
bnvar = 1 / (n - 1) * (bndiff2).sum(0, keepdim=True)
bnvar_inv = (bnvar + 1e-5) ** -0.5
bnraw = bndiff * bnvar_inv
hpreact = bngain * bnraw + bnbias
h = torch.tanh(hpreact)
logits = h @ W2 + b2
logit_maxes = logits.max(1, keepdim=True).values
norm_logits = logits - logit_maxes
counts = norm_logits.exp()
counts_sum = counts.sum(1, keepdims=True)
counts_sum_inv = counts_sum**-1
probs = counts * counts_sum_inv
logprobs = probs.log()
loss = -logprobs[range(n), Yb].mean()

for p in parameters:
    p.grad = None
for t in [logprobs, probs, counts, counts_sum, counts_sum_inv, norm_logits, logit_maxes, logits,
          h, hpreact, bnraw, bnvar_inv, bnvar, bndiff2, bndiff, hprebn, bnmeani, embcat, emb]:
    t.retain_grad()  # fmt: skip
loss.backward()

dlogprobs = torch.zeros_like(logprobs)
dlogprobs[range(n), Yb] = -1.0 / n
dprobs = (1.0 / probs) * dlogprobs
dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
dcounts = counts_sum_inv * dprobs
dcounts_sum = (-(counts_sum**-2)) * dcounts_sum_inv
dcounts += torch.ones_like(counts) * dcounts_sum
dnorm_logits = counts * dcounts
dlogits = dnorm_logits.clone()
dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
dlogits += F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * dlogit_maxes
dh = dlogits @ W2.T
dW2 = h.T @ dlogits
db2 = dlogits.sum(0)
dhpreact = (1.0 - h**2) * dh
dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
dbnraw = bngain * dhpreact
dbnbias = dhpreact.sum(0, keepdim=True)
dbndiff = bnvar_inv * dbnraw
dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
dbnvar = (-0.5 * (bnvar + 1e-5) ** -1.5) * dbnvar_inv
dbndiff2 = (1.0 / (n - 1)) * torch.ones_like(bndiff2) * dbnvar
dbndiff += (2 * bndiff) * dbndiff2
dhprebn = dbndiff.clone()
dbnmeani = (-dbndiff).sum(0)
dhprebn += 1.0 / n * (torch.ones_like(hprebn) * dbnmeani)
dembcat = dhprebn @ W1.T
dW1 = embcat.T @ dhprebn
db1 = dhprebn.sum(0)
demb = dembcat.view(emb.shape)
dC = torch.zeros_like(C)
for k in range(Xb.shape[0]):
    for j in range(Xb.shape[1]):
        ix = Xb[k, j]
        dC[ix] += demb[k, j]

checks = [
    cmp("logprobs", dlogprobs, logprobs), cmp("probs", dprobs, probs),
    cmp("counts_sum_inv", dcounts_sum_inv, counts_sum_inv),
    cmp("counts_sum", dcounts_sum, counts_sum),
    cmp("counts", dcounts, counts), cmp("norm_logits", dnorm_logits, norm_logits),
    cmp("logit_maxes", dlogit_maxes, logit_maxes), cmp("logits", dlogits, logits),
    cmp("h", dh, h), cmp("W2", dW2, W2), cmp("b2", db2, b2), cmp("hpreact", dhpreact, hpreact),
    cmp("bngain", dbngain, bngain), cmp("bnbias", dbnbias, bnbias), cmp("bnraw", dbnraw, bnraw),
    cmp("bnvar_inv", dbnvar_inv, bnvar_inv), cmp("bnvar", dbnvar, bnvar),
    cmp("bndiff2", dbndiff2, bndiff2), cmp("bndiff", dbndiff, bndiff),
    cmp("bnmeani", dbnmeani, bnmeani), cmp("hprebn", dhprebn, hprebn),
    cmp("embcat", dembcat, embcat), cmp("W1", dW1, W1), cmp("b1", db1, b1),
    cmp("emb", demb, emb), cmp("C", dC, C),
]  # fmt: skip
assert all(checks), checks

loss_fast = F.cross_entropy(logits, Yb)
print(loss_fast.item(), "diff:", (loss_fast - loss).item())
assert abs((loss_fast - loss).item()) < 1e-5

dlogits_fused = F.softmax(logits, 1)
dlogits_fused[range(n), Yb] -= 1
dlogits_fused /= n
assert cmp("logits fused", dlogits_fused, logits)

hpreact_fast = bngain * (hprebn - hprebn.mean(0, keepdim=True)) / torch.sqrt(
    hprebn.var(0, keepdim=True, unbiased=True) + 1e-5
) + bnbias
print("max diff:", (hpreact_fast - hpreact).abs().max())
assert torch.allclose(hpreact_fast, hpreact, atol=1e-5)
dhprebn_fused = bngain * bnvar_inv / n * (
    n * dhpreact - dhpreact.sum(0) - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0)
)
assert cmp("hprebn fused", dhprebn_fused, hprebn)

results = {"n_checks": len(checks), "batch": tuple(Xb.shape)}
