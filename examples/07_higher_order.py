"""Second derivatives: a Hessian-vector product and Newton's method.

The documents update with the gradient alone, ``W := W - alpha dW`` ("Core
Concepts" section 4, "Neural Networks" section "Updating Weights and Biases").
Newton's method replaces the hand-picked rate alpha with the inverse curvature:
``w := w - H^-1 dw``, where H is the Hessian, the matrix of second derivatives.

Autograd gets H from the gradient itself: ``tg.grad(J, w, create_graph=True)``
records the backward pass as a graph, so the gradient can be differentiated
again.  Differentiating ``g . v`` gives the Hessian-vector product ``H v``
without ever forming H (Pearlmutter's trick); with v = e_1, e_2, ... it gives H
column by column.  This example checks ``H v`` against the Hessian written out
by hand, then runs Newton's method on two convex functions: a quadratic, which
one step solves exactly, and L2-regularised logistic regression, where the
gradient norm falls quadratically (the number of correct digits doubles).

Run: ``python examples/07_higher_order.py``
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import tinygrad_nn as tg
import tinygrad_nn.nn.functional as F

SEED = 0
FEATURES = 3
EXAMPLES = 40
L2 = 0.1

LossFunction = Callable[[tg.Tensor], tg.Tensor]


def hessian_vector_product(loss_fn: LossFunction, w: tg.Tensor, v: np.ndarray) -> np.ndarray:
    """H v at w by double backward: the gradient of (dJ/dw . v) with respect to w."""
    (gradient,) = tg.grad(loss_fn(w), w, create_graph=True)
    (product,) = tg.grad((gradient * tg.tensor(v)).sum(), w)
    return product.numpy()


def hessian(loss_fn: LossFunction, w: tg.Tensor) -> np.ndarray:
    """The full Hessian at w, one column H e_i per Hessian-vector product."""
    basis = np.eye(w.shape[0])
    return np.stack([hessian_vector_product(loss_fn, w, e) for e in basis], axis=1)


def newton(loss_fn: LossFunction, w: tg.Tensor, steps: int) -> list[float]:
    """Take Newton steps w := w - H^-1 g in place; return |g| before each step and at the end."""
    norms = []
    for _ in range(steps):
        (gradient,) = tg.grad(loss_fn(w), w)
        norms.append(float(np.linalg.norm(gradient.numpy())))
        step = np.linalg.solve(hessian(loss_fn, w), gradient.numpy())
        with tg.no_grad():
            w -= step
    (gradient,) = tg.grad(loss_fn(w), w)
    return [*norms, float(np.linalg.norm(gradient.numpy()))]


def main() -> None:
    """Check H v against the written-out Hessian, then run Newton on two convex functions."""
    rng = np.random.default_rng(SEED)
    X = rng.normal(size=(EXAMPLES, FEATURES))
    y = (X @ np.array([1.5, -2.0, 0.5]) + rng.normal(size=EXAMPLES) > 0).astype(np.float64)

    def logistic_cost(w: tg.Tensor) -> tg.Tensor:
        # J(w) = mean BCE(sigmoid(X w), y) + L2/2 |w|^2, convex in w
        logits = tg.tensor(X) @ w
        return F.binary_cross_entropy_with_logits(logits, tg.tensor(y)) + 0.5 * L2 * (w * w).sum()

    w = tg.tensor(rng.normal(size=FEATURES), requires_grad=True)  # float64
    v = rng.normal(size=FEATURES)
    hv = hessian_vector_product(logistic_cost, w, v)
    # Written out: H = (1/m) X^T diag(p (1 - p)) X + L2 I, with p = sigmoid(X w).
    p = 1.0 / (1.0 + np.exp(-X @ w.numpy()))
    explicit = X.T @ (X * (p * (1 - p))[:, None]) / EXAMPLES + L2 * np.eye(FEATURES)
    print("Hessian-vector product of the logistic cost at a random w:")
    print(f"  H v by double backward : {np.round(hv, 8).tolist()}")
    print(f"  H v written out        : {np.round(explicit @ v, 8).tolist()}")
    hv_difference = float(np.abs(hv - explicit @ v).max())
    hessian_difference = float(np.abs(hessian(logistic_cost, w) - explicit).max())
    print(f"max |H v difference| = {hv_difference:.1e}")
    print(f"max |H difference| over the full Hessian = {hessian_difference:.1e}")

    A = np.array([[3.0, 1.0, 0.0], [1.0, 4.0, 1.0], [0.0, 1.0, 2.0]])  # symmetric positive definite
    b = np.array([1.0, -2.0, 3.0])

    def quadratic(w: tg.Tensor) -> tg.Tensor:
        # f(w) = 1/2 w^T A w - b^T w: gradient A w - b, Hessian A, minimum at A^-1 b
        return 0.5 * (w * (tg.tensor(A) @ w)).sum() - (tg.tensor(b) * w).sum()

    w = tg.tensor(rng.normal(size=FEATURES), requires_grad=True)
    newton(quadratic, w, steps=1)
    quadratic_error = float(np.abs(w.numpy() - np.linalg.solve(A, b)).max())
    print(f"quadratic: one Newton step lands on A^-1 b, error {quadratic_error:.1e}")

    w = tg.tensor(np.zeros(FEATURES), requires_grad=True)
    norms = newton(logistic_cost, w, steps=5)
    print("logistic regression, |gradient| before each Newton step:")
    print("  " + "  ".join(f"{norm:.1e}" for norm in norms))
    print(f"  minimiser w = {np.round(w.numpy(), 6).tolist()}")
    print(f"final max difference (H v, autograd vs written out): {hv_difference:.1e}")


if __name__ == "__main__":
    main()
