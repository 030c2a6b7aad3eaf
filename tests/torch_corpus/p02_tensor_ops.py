"""Everyday tensor operations: creation ranges, reshaping, reductions with dim, math functions."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import math

import numpy as np
import torch

rng = np.random.default_rng(0)
a = torch.from_numpy(rng.standard_normal((4, 5)).astype(np.float32))

r = torch.arange(0, 10, 2)
lin = torch.linspace(-math.pi, math.pi, 7)
eye = torch.eye(3)
full = torch.full((2, 3), 7.0)
v = a.view(2, 10)
v2 = a.view(-1)
assert v2.shape == (20,) and a.size() == (4, 5) and a.size(1) == 5
u = a.unsqueeze(0)
s = u.squeeze(0)
p = a.permute(1, 0).contiguous()

values, indices = a.max(dim=1)
row_max = torch.max(a, 1)
col_min, col_argmin = a.min(0)
am = torch.argmax(a, dim=1)
keep = a.sum(dim=1, keepdim=True)
mean0 = a.mean(0)
var_unbiased = a.var(dim=0)
std_unbiased = a.std()
var_biased = a.var(dim=0, unbiased=False)

fns = {
    "exp": torch.exp(a), "sin": torch.sin(a), "tanh": torch.tanh(a), "sigmoid": torch.sigmoid(a),
    "abs": torch.abs(a), "sqrt_abs": torch.sqrt(a.abs()), "log1p_abs": torch.log1p(a.abs()),
    "clamp": torch.clamp(a, min=-0.5, max=0.5), "clamp_min": a.clamp(min=0),
    "where": torch.where(a > 0, a, torch.zeros_like(a)), "pow": a.pow(2), "square": a.square(),
    "neg": -a, "sign_mask": (a > 0).float(), "cumsum": a.cumsum(dim=1), "prod": a.prod(1),
    "masked_fill": a.masked_fill(a < 0, 0.0), "tril": torch.tril(a), "triu": a.triu(1),
    "flip": torch.flip(a, dims=[0]), "repeat": a[:1].repeat(2, 1),
    "gather": a.gather(1, torch.tensor([[0], [1], [2], [3]])),
    "index_select": a.index_select(0, torch.tensor([3, 0])),
    "norm": a.norm(), "rsqrt": torch.rsqrt(a.abs() + 1), "log_softmax": torch.log_softmax(a, dim=1),
    "softmax": a.softmax(dim=-1), "bmm": torch.bmm(a.unsqueeze(0), a.T.unsqueeze(0)),
    "einsum": torch.einsum("ij,kj->ik", a, a), "mm": torch.mm(a, a.t()),
}  # fmt: skip
top = a.topk(2, dim=1)
srt = torch.sort(a, dim=1, descending=True)
chunks = a.chunk(2, dim=0)
splits = torch.split(a, [1, 4], dim=1)
stacked = torch.stack([a, a], dim=0)
clone = a.clone()
clone[0, 0] = 100.0
assert a[0, 0].item() != 100.0
assert torch.allclose(a, a + 1e-9)
assert torch.equal(a, a.clone())

results = {
    "r": r, "lin": lin, "eye": eye, "full": full, "v": v, "s": s, "p": p,
    "values": values, "indices": indices, "row_max": list(row_max), "col_min": col_min,
    "col_argmin": col_argmin, "am": am, "keep": keep, "mean0": mean0,
    "var_unbiased": var_unbiased, "std_unbiased": std_unbiased, "var_biased": var_biased,
    **fns, "topk_values": top.values, "topk_indices": top.indices,
    "sort_values": srt.values, "sort_indices": srt.indices, "chunks": list(chunks),
    "splits": list(splits), "stacked": stacked, "numel": a.numel(), "dim": a.dim(),
}  # fmt: skip
