"""makemore, bigrams by counting: a 27x27 count table N, smoothed row probabilities P,
sampling names with torch.multinomial and a seeded torch.Generator, and the average negative
log likelihood of the training set."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch

rng = np.random.default_rng(0)
syllables = ["ka", "li", "mo", "ra", "en", "ta", "su", "ni", "el", "ja", "vi", "ro", "an", "de"]
words = ["".join(rng.choice(syllables, size=rng.integers(1, 4))) for _ in range(200)]
print(words[:10], len(words))
print(min(len(w) for w in words), max(len(w) for w in words))

chars = sorted(list(set("".join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
V = len(stoi)

N = torch.zeros((V, V), dtype=torch.int32)
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        ix1 = stoi[ch1]
        ix2 = stoi[ch2]
        N[ix1, ix2] += 1

p = N[0].float()
p = p / p.sum()

g = torch.Generator().manual_seed(2147483647)
first_draws = torch.multinomial(p, num_samples=20, replacement=True, generator=g)
assert bool((p[first_draws] > 0).all())

P = (N + 1).float()
P /= P.sum(1, keepdims=True)
assert torch.allclose(P.sum(1), torch.ones(V))


def sample_names(seed, count):
    g = torch.Generator().manual_seed(seed)
    names = []
    for i in range(count):
        out = []
        ix = 0
        while True:
            p = P[ix]
            ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
            out.append(itos[ix])
            if ix == 0:
                break
        names.append("".join(out))
    return names


samples = sample_names(2147483647, 10)
print(samples)
assert samples == sample_names(2147483647, 10)  # the same seed gives the same names
assert all(name.endswith(".") and set(name) <= set(stoi) for name in samples)

log_likelihood = 0.0
n = 0
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        ix1 = stoi[ch1]
        ix2 = stoi[ch2]
        prob = P[ix1, ix2]
        logprob = torch.log(prob)
        log_likelihood += logprob
        n += 1
print(f"{log_likelihood=}")
nll = -log_likelihood
print(f"{nll=}")
print(f"{nll/n}")

results = {"N": N, "P": P, "nll": nll, "avg_nll": nll / n, "n": n, "V": V}
