"""torch.nn.functional and the loss modules on fixed inputs: activations, one_hot, pad,
normalize, embedding, softmax / log_softmax with dim=, and every loss's value and gradient."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

rng = np.random.default_rng(0)
logits = torch.tensor(rng.standard_normal((6, 4)), dtype=torch.float32, requires_grad=True)
target = torch.tensor([0, 3, 1, 1, 2, 0])
probs_target = torch.tensor(rng.dirichlet(np.ones(4), 6), dtype=torch.float32)
pred = torch.tensor(rng.standard_normal((6, 4)), dtype=torch.float32, requires_grad=True)
real = torch.tensor(rng.standard_normal((6, 4)) * 2, dtype=torch.float32)
binary = torch.tensor(rng.integers(0, 2, (6, 4)), dtype=torch.float32)

out = {}
out["relu"] = F.relu(logits)
out["leaky"] = F.leaky_relu(logits, 0.2)
out["gelu"] = F.gelu(logits)
out["silu"] = F.silu(logits)
out["elu"] = F.elu(logits)
out["softplus"] = F.softplus(logits)
out["hardtanh"] = F.hardtanh(logits)
out["softmax"] = F.softmax(logits, dim=1)
out["log_softmax"] = F.log_softmax(logits, dim=-1)
out["one_hot"] = F.one_hot(target, num_classes=4)
out["pad"] = F.pad(logits, (1, 2), value=-1.0)
out["normalize"] = F.normalize(logits, dim=1)
table = torch.tensor(rng.standard_normal((5, 3)), dtype=torch.float32)
out["embedding"] = F.embedding(torch.tensor([[0, 4], [2, 2]]), table)
out["dropout_eval"] = F.dropout(logits, p=0.5, training=False)

losses = {
    "cross_entropy": F.cross_entropy(logits, target),
    "cross_entropy_smooth": F.cross_entropy(logits, target, label_smoothing=0.1),
    "cross_entropy_probs": F.cross_entropy(logits, probs_target),
    "cross_entropy_sum": nn.CrossEntropyLoss(reduction="sum")(logits, target),
    "nll": F.nll_loss(F.log_softmax(logits, dim=1), target),
    "mse": F.mse_loss(pred, real),
    "l1": nn.L1Loss()(pred, real),
    "smooth_l1": F.smooth_l1_loss(pred, real),
    "huber": nn.HuberLoss(delta=0.5)(pred, real),
    "bce": F.binary_cross_entropy(torch.sigmoid(pred), binary),
    "bce_logits": nn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.0, 2.0, 0.5, 1.0]))(pred, binary),
    "kl_div": F.kl_div(F.log_softmax(pred, dim=1), probs_target, reduction="batchmean"),
}
total = sum(losses.values())
total.backward()

embedding = nn.Embedding(5, 3, padding_idx=0)
with torch.no_grad():
    embedding.weight.copy_(table)
    embedding.weight[0].fill_(0)
embedding(torch.tensor([0, 1, 0, 3])).sum().backward()
assert float(embedding.weight.grad[0].abs().sum()) == 0.0

results = {**out, **losses, "logits_grad": logits.grad, "pred_grad": pred.grad}
