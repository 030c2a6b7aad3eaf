"""Autograd through nn.Linear reproduces the documents' closed-form gradients.

For random networks (depth 1-4, widths 1-16, batch 1-64, hidden activations
sigmoid / relu / tanh / linear, output sigmoid + binary cross-entropy or
softmax + cross-entropy, float64) three computations of dJ/dW and dJ/db agree
to 1e-12:

1. ``loss.backward()`` through ``nn.Linear`` layers (``.weight.grad``, ``.bias.grad``);
2. ``tg.reference.backward``, the documents' column-convention formulas;
3. the same formulas written out again here, independently, in row-major form.

Why the pieces line up without any transposing of the weights:

* ``nn.Linear(n_in, n_out).weight`` has shape ``(n_out, n_in)`` — exactly the
  documents' ``W[l]`` of shape ``(n[l], n[l-1])``; its bias ``(n_out,)`` is
  their ``b[l]`` of shape ``(n[l], 1)`` flattened.
* The documents stack examples as *columns*, ``X`` of shape ``(n[0], m)``;
  ``nn.Linear`` takes examples as *rows*, a batch of shape ``(m, n[0])``, which
  is ``X.T``.  ``Linear`` computes ``x @ W.T + b``, and
  ``(W @ X + b).T == X.T @ W.T + b.T``: every row-major activation is the
  transpose of the documents' one, while ``W`` itself is shared.  Hence
  ``weight.grad == dW[l]`` and ``bias.grad == db[l][:, 0]``.
* ``J`` is the documents' cost averaged over the m examples: cross-entropy's
  default ``reduction="mean"`` averages over the batch; binary cross-entropy
  with several outputs sums over the outputs and divides by m (its
  ``reduction="sum"`` divided by m), which is the documents'
  ``(1/m) Σ_i L(ŷ_i, y_i)`` with the loss of one example summed over its units.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_nn as tg
import tinygrad_nn.nn.functional as F
from tinygrad_nn import nn, reference

HIDDEN = ["sigmoid", "relu", "tanh", "linear"]
OUTPUTS = ["sigmoid", "softmax"]


def random_case(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 5))
    output = OUTPUTS[seed % 2]
    n_out = int(rng.integers(2, 7)) if output == "softmax" else int(rng.integers(1, 4))
    sizes = [int(n) for n in rng.integers(1, 17, size=depth)] + [n_out]
    m = int(rng.choice([1, 2, 5, 17, 64]))
    # Scaled like Xavier's init so that no sigmoid saturates to exactly 0 or 1.
    weights = [rng.normal(size=(b, a)) / np.sqrt(a) for a, b in zip(sizes, sizes[1:], strict=False)]
    biases = [rng.normal(size=(b, 1)) * 0.5 for b in sizes[1:]]
    activations = [HIDDEN[int(i)] for i in rng.integers(0, 4, size=depth - 1)] + [output]
    X = rng.normal(size=(sizes[0], m))  # the documents' layout: one example per column
    labels = rng.integers(0, n_out, size=m)
    if output == "softmax":
        Y = np.eye(n_out)[:, labels]
    else:
        Y = rng.integers(0, 2, size=(n_out, m)).astype(np.float64)
    return {"weights": weights, "biases": biases, "activations": activations, "X": X, "Y": Y,
            "labels": labels, "m": m}  # fmt: skip


def autograd_gradients(case: dict) -> tuple[list[np.ndarray], list[np.ndarray]]:
    layers = []
    for W, b in zip(case["weights"], case["biases"], strict=True):
        layer = nn.Linear(W.shape[1], W.shape[0]).double()
        layer.weight.data = W.copy()  # nn.Linear's (out, in) weight *is* the documents' W[l]
        layer.bias.data = b[:, 0].copy()
        layers.append(layer)
    h = tg.Tensor(case["X"].T.copy())  # row-major batch (m, n[0]) = the documents' X transposed
    for layer, activation in zip(layers[:-1], case["activations"][:-1], strict=True):
        z = layer(h)
        h = z if activation == "linear" else getattr(z, activation)()
    logits = layers[-1](h)
    if case["activations"][-1] == "softmax":
        loss = F.cross_entropy(logits, tg.Tensor(case["labels"]))
    else:
        probabilities = logits.sigmoid()
        loss = F.binary_cross_entropy(probabilities, tg.Tensor(case["Y"].T.copy()), reduction="sum")
        loss = loss / case["m"]
    loss.backward()
    return [layer.weight.grad.numpy() for layer in layers], [
        layer.bias.grad.numpy() for layer in layers
    ]


def derivative(name: str, z: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-z))
        return s * (1.0 - s)
    if name == "relu":
        return (z > 0).astype(np.float64)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    return np.ones_like(z)


def activate(name: str, z: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return z


def row_major_gradients(case: dict) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The documents' rules once more, on row-major batches: every Z and A is transposed."""
    A = [case["X"].T]
    Z = []
    for W, b, name in zip(case["weights"], case["biases"], case["activations"], strict=True):
        Z.append(A[-1] @ W.T + b[:, 0])
        A.append(activate(name, Z[-1]))
    m = case["m"]
    dZ = A[-1] - case["Y"].T  # (m, n[L]): A - Y, one row per example
    dWs, dbs = [], []
    for l in range(len(case["weights"]) - 1, -1, -1):
        dWs.insert(0, dZ.T @ A[l] / m)  # = (1/m) dZ[l] A[l-1]^T in the column convention
        dbs.insert(0, dZ.sum(axis=0) / m)
        if l > 0:
            dZ = (dZ @ case["weights"][l]) * derivative(case["activations"][l - 1], Z[l - 1])
    return dWs, dbs


CASES = list(range(48))


@pytest.mark.parametrize("seed", CASES)
def test_linear_layer_gradients_equal_the_documents_closed_form(seed):
    case = random_case(seed)
    cache = reference.forward(case["X"], case["weights"], case["biases"], case["activations"])
    ref_dWs, ref_dbs = reference.backward(case["Y"], cache, case["weights"], case["activations"])
    auto_dWs, auto_dbs = autograd_gradients(case)
    row_dWs, row_dbs = row_major_gradients(case)
    for l, (ref_dW, auto_dW, row_dW) in enumerate(zip(ref_dWs, auto_dWs, row_dWs, strict=True)):
        assert auto_dW.shape == ref_dW.shape == case["weights"][l].shape
        np.testing.assert_allclose(auto_dW, ref_dW, rtol=1e-12, atol=1e-12, err_msg=f"dW[{l + 1}]")
        np.testing.assert_allclose(row_dW, ref_dW, rtol=1e-12, atol=1e-12, err_msg=f"dW[{l + 1}]")
    for l, (ref_db, auto_db, row_db) in enumerate(zip(ref_dbs, auto_dbs, row_dbs, strict=True)):
        assert ref_db.shape == (case["weights"][l].shape[0], 1)
        np.testing.assert_allclose(
            auto_db, ref_db[:, 0], rtol=1e-12, atol=1e-12, err_msg=f"db[{l + 1}]"
        )
        np.testing.assert_allclose(
            row_db, ref_db[:, 0], rtol=1e-12, atol=1e-12, err_msg=f"db[{l + 1}]"
        )


def test_cases_cover_every_depth_activation_output_and_edge_size():
    cases = [random_case(seed) for seed in CASES]
    assert {len(c["weights"]) for c in cases} == {1, 2, 3, 4}
    assert {a for c in cases for a in c["activations"][:-1]} == set(HIDDEN)
    assert {c["activations"][-1] for c in cases} == set(OUTPUTS)
    assert {1, 64} <= {c["m"] for c in cases}
    widths = {n for c in cases for W in c["weights"][:-1] for n in W.shape}
    assert 1 in widths and max(widths) >= 14
