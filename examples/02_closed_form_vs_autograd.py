"""The documents' closed-form gradients beside autograd, on random deeper networks.

"Core Concepts" section 3 derives backpropagation by hand, in the column
convention (one example per column)::

    dZ[L]   = A[L] - Y                      (sigmoid + BCE, softmax + cross-entropy)
    dW[l]   = (1/m) dZ[l] A[l-1]^T
    db[l]   = (1/m) sum over examples of dZ[l]
    dA[l-1] = W[l]^T dZ[l]
    dZ[l-1] = dA[l-1] * g'(Z[l-1])

``tg.reference`` is exactly those formulas in plain numpy.  Here the same random
networks are built from ``nn.Linear`` layers and differentiated by
``loss.backward()``, which knows none of the formulas -- only each op's local
derivative and the chain rule.  Every dW and db agrees to float64 rounding.

Conventions: the framework is row-major (PyTorch's), a batch is (m, features),
so the documents' X is ``x.T``; ``nn.Linear.weight`` is stored (out, in), which
is the documents' W[l] itself, and its bias (out,) is their b[l] of shape
(out, 1) flattened.

Run: ``python examples/02_closed_form_vs_autograd.py``
"""

from __future__ import annotations

import numpy as np

import tinygrad_nn as tg
from tinygrad_nn import nn

SEED = 0
NETWORKS = 10

ACTIVATION_MODULES = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh}


def random_network(
    rng: np.random.Generator, output: str
) -> tuple[nn.Sequential, list[str], np.ndarray, np.ndarray]:
    """A random float64 MLP, its activation names, a batch x (m, n0) and labels in both forms."""
    depth = int(rng.integers(1, 5))
    widths = [int(w) for w in rng.integers(1, 17, depth)]
    widths.append(1 if output == "sigmoid" else int(rng.integers(2, 6)))
    hidden = [str(rng.choice(["sigmoid", "relu", "tanh", "linear"])) for _ in range(depth - 1)]
    layers: list[nn.Module] = []
    for layer, name in enumerate(hidden):
        layers.append(nn.Linear(widths[layer], widths[layer + 1]))
        if name != "linear":
            layers.append(ACTIVATION_MODULES[name]())
    layers.append(nn.Linear(widths[-2], widths[-1]))
    model = nn.Sequential(*layers).double()
    m = int(rng.integers(1, 65))
    x = rng.normal(size=(m, widths[0]))
    if output == "sigmoid":
        labels = rng.integers(0, 2, (m, 1)).astype(np.float64)
    else:
        labels = rng.integers(0, widths[-1], m)
    return model, [*hidden, output], x, labels


def compare(rng: np.random.Generator, output: str) -> float:
    """Build one random network, print its shape and return max |autograd - closed form|."""
    model, activations, x, labels = random_network(rng, output)
    linears = [module for module in model.modules() if isinstance(module, nn.Linear)]

    # Autograd: the logits go into the stable loss, which applies sigmoid/softmax inside.
    logits = model(tg.tensor(x))
    if output == "sigmoid":
        loss = nn.BCEWithLogitsLoss()(logits, tg.tensor(labels))
        Y = labels.T  # (1, m)
    else:
        loss = nn.CrossEntropyLoss()(logits, tg.tensor(labels))
        Y = np.eye(logits.shape[1])[labels].T  # one-hot columns, (classes, m)
    loss.backward()

    # Closed form, in the documents' column convention.
    weights = [linear.weight.numpy() for linear in linears]
    biases = [linear.bias.numpy().reshape(-1, 1) for linear in linears]
    cache = tg.reference.forward(x.T, weights, biases, activations)
    dWs, dbs = tg.reference.backward(Y, cache, weights, activations)
    cost = tg.reference.cost(cache["A"][-1], Y, output)

    differences = [abs(loss.item() - cost)]
    for linear, dW, db in zip(linears, dWs, dbs, strict=True):
        differences.append(float(np.abs(linear.weight.grad.numpy() - dW).max()))
        differences.append(float(np.abs(linear.bias.grad.numpy() - db.ravel()).max()))
    widths = [weights[0].shape[1]] + [W.shape[0] for W in weights]
    shape = "-".join(map(str, widths))
    print(f"{shape:<16}{'/'.join(activations):<32}{x.shape[0]:>4}  {max(differences):.1e}")
    return max(differences)


def main() -> None:
    """Compare autograd with the closed form on random networks with both output kinds."""
    tg.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    print(f"{'widths':<16}{'activations':<32}{'m':>4}  max |autograd - closed form| (J, dW, db)")
    largest = max(
        compare(rng, output) for output in ["sigmoid", "softmax"] for _ in range(NETWORKS // 2)
    )
    print(f"largest difference over all networks, costs and gradients: {largest:.1e}")


if __name__ == "__main__":
    main()
