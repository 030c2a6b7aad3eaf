"""The documents' closed-form backpropagation, in plain numpy.

This module is the two source documents written as code, in their *column*
convention: one example per column, so ``X`` has shape ``(features, m)``, a
layer computes ``Z = W @ A_prev + b`` with ``W`` of shape ``(n[l], n[l-1])`` and
``b`` of shape ``(n[l], 1)``, and ``A = g(Z)``.  It uses no autograd at all, so
the framework's gradients can be checked against it (and against the worked
example of the "Neural Networks" document)::

    >>> import numpy as np
    >>> from tinygrad_nn import reference
    >>> W = [np.array([[0.1, 0.4], [0.8, 0.6]]), np.array([[0.3, 0.7]])]
    >>> b = [np.array([[0.3], [0.9]]), np.array([[0.5]])]
    >>> cache = reference.forward(np.array([[0.5], [0.2]]), W, b, ["sigmoid", "sigmoid"])
    >>> dWs, dbs = reference.backward(np.array([[1.0]]), cache, W, ["sigmoid", "sigmoid"])
    >>> np.round(dWs[1], 5).tolist()
    [[-0.1354, -0.17998]]

Backward follows the documents step by step::

    dZ[L]   = A[L] - Y                        (sigmoid + binary cross-entropy,
                                               softmax + cross-entropy)
    dW[l]   = (1/m) dZ[l] A[l-1]^T
    db[l]   = (1/m) sum over the m columns of dZ[l]   -> shape (n[l], 1)
    dA[l-1] = W[l]^T dZ[l]
    dZ[l-1] = dA[l-1] * g'(Z[l-1])            (elementwise)

Two notes on the documents:

* The "Core Concepts" table gives ReLU's derivative as "z if z > 0"; it is
  **1** for z > 0 and 0 otherwise, which is what :func:`activation_derivative`
  uses (0 at z = 0, as PyTorch).
* It writes ``dZ[L] = dJ/dZ[L] = A - Y``.  For the cost averaged over the m
  examples, ``A - Y`` is the per-example error and ``dJ/dZ[L] = (A - Y)/m``;
  the 1/m then appears once, in ``dW`` and ``db``.  So ``dWs``/``dbs`` here are
  exactly ``dJ/dW`` and ``dJ/db`` for ``J = cost(...)``.

``dZ[L] = A[L] - Y`` is the gradient (times m) of :func:`cost` when the output
activation is ``"sigmoid"`` (binary cross-entropy), ``"softmax"`` (categorical
cross-entropy) or ``"linear"`` (half squared error); for other output
activations :func:`backward` applies the documents' rule as written, and it is
no longer the gradient of a standard cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

ACTIVATIONS = ("sigmoid", "relu", "tanh", "linear", "softmax")

# The worked example of the "Neural Networks" document (a 2-2-1 sigmoid network on
# x = [0.5, 0.2], y = 1), each quantity as the document prints it: it rounds every step
# and carries the rounded values on, and its Z2 = 1.244 is a slip for 1.2453.
DOCUMENT_PRINTED: dict[str, Any] = {
    "Z1": ["0.43", "1.42"],
    "A1": ["0.606", "0.805"],
    "Z2": "1.244",
    "Yhat": "0.776",
    "J": "0.253",
    "dZ2": "-0.224",
    "dW2": ["-0.136", "-0.180"],
    "db2": "-0.224",
    "dA1": ["-0.0672", "-0.1568"],
    "sigma'(Z1)": ["0.239", "0.157"],
    "dZ1": ["-0.0161", "-0.0246"],
    "dW1": [["-0.0080", "-0.0032"], ["-0.0123", "-0.0049"]],
    "db1": ["-0.0161", "-0.0246"],
}


def as_printed(entry: Any) -> str:
    """A ``DOCUMENT_PRINTED`` entry written out as the document does: ``[0.43, 1.42]``."""
    if isinstance(entry, str):
        return entry
    return "[" + ", ".join(as_printed(item) for item in entry) + "]"

# PyTorch's BCELoss clamps log(p) at -100 so that a saturated p = 0 or 1 gives
# a large finite cost rather than inf; cost() does the same.
_LOG_FLOOR = -100.0


def _check_activation(name: object) -> str:
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}")
    return name


def _as_float_array(value: object, what: str) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    if array.dtype.kind != "f":
        raise ValueError(f"{what} must be a real numeric array, got dtype {array.dtype}")
    return array


def _sigmoid(Z: np.ndarray) -> np.ndarray:
    # 1/(1+e^-z) for z >= 0 and e^z/(1+e^z) for z < 0: never overflows.
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softmax(Z: np.ndarray) -> np.ndarray:
    # Column-wise: each column is one example.
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def activate(Z: np.ndarray, name: str) -> np.ndarray:
    """Apply activation ``name`` to ``Z`` (softmax runs down each column)."""
    name = _check_activation(name)
    Z = _as_float_array(Z, "Z")
    if name == "sigmoid":
        return _sigmoid(Z)
    if name == "relu":
        return np.maximum(Z, 0.0)
    if name == "tanh":
        return np.tanh(Z)
    if name == "softmax":
        return _softmax(Z)
    return Z.copy()


def activation_derivative(Z: np.ndarray, name: str) -> np.ndarray:
    """Return g'(Z) elementwise: sigmoid g(1-g), ReLU 1 for z > 0 else 0, tanh 1-g², linear 1.

    Softmax has no elementwise derivative (its Jacobian couples a column), so it
    raises ``ValueError``; :func:`backward` handles softmax layers itself.
    """
    name = _check_activation(name)
    Z = _as_float_array(Z, "Z")
    if name == "sigmoid":
        s = _sigmoid(Z)
        return s * (1.0 - s)
    if name == "relu":
        return (Z > 0).astype(Z.dtype)
    if name == "tanh":
        return 1.0 - np.tanh(Z) ** 2
    if name == "linear":
        return np.ones_like(Z)
    raise ValueError(
        "softmax has no elementwise derivative: its Jacobian mixes a whole column; "
        "backward() applies it as dZ = S * (dA - sum(S * dA, axis=0))"
    )


def _check_layers(weights: Sequence, biases: Sequence | None, activations: Sequence) -> None:
    if isinstance(activations, str):
        raise ValueError(
            f"activations must be a list with one name per layer, got the string {activations!r}"
        )
    lengths = {"weights": len(weights), "activations": len(activations)}
    if biases is not None:
        lengths["biases"] = len(biases)
    if len(set(lengths.values())) != 1:
        given = ", ".join(f"{len_name}={n}" for len_name, n in lengths.items())
        raise ValueError(f"need one weight, bias and activation per layer; got {given}")
    if len(weights) == 0:
        raise ValueError("need at least one layer; got empty lists")
    for name in activations:
        _check_activation(name)


def forward(
    X: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    activations: Sequence[str],
) -> dict[str, list[np.ndarray]]:
    """Run the network forward in the column convention and keep every Z and A.

    Parameters
    ----------
    X : array of shape (n[0], m)
        One example per column.  A 1-D ``X`` is taken as a single example.
    weights : list of arrays, ``weights[l-1]`` of shape (n[l], n[l-1])
    biases : list of arrays, each of shape (n[l], 1)
        (n[l],) or a scalar for a one-unit layer are accepted and reshaped.
    activations : list of names, one per layer
        Each of ``"sigmoid"``, ``"relu"``, ``"tanh"``, ``"linear"``, ``"softmax"``.

    Returns
    -------
    dict
        ``{"Z": [Z1, ..., ZL], "A": [X, A1, ..., AL]}``, so ``cache["A"][l]`` is
        the activation of layer l and ``cache["A"][-1]`` the prediction Ŷ.
    """
    _check_layers(weights, biases, activations)
    A = _as_float_array(X, "X")
    if A.ndim == 1:
        A = A.reshape(-1, 1)
    if A.ndim != 2:
        raise ValueError(f"X must have shape (features, examples), got shape {A.shape}")
    cache: dict[str, list[np.ndarray]] = {"Z": [], "A": [A]}
    for layer, (W, b, name) in enumerate(zip(weights, biases, activations, strict=True), start=1):
        W = _as_float_array(W, f"weights[{layer - 1}]")
        if W.ndim != 2:
            raise ValueError(f"W[{layer}] must be 2-D (n[l], n[l-1]), got shape {W.shape}")
        if W.shape[1] != A.shape[0]:
            raise ValueError(
                f"W[{layer}] has shape {W.shape} but A[{layer - 1}] has shape {A.shape}: "
                f"W[{layer}] needs {A.shape[0]} columns"
            )
        b = _as_float_array(b, f"biases[{layer - 1}]")
        if b.size != W.shape[0] or (b.ndim == 2 and b.shape[1] != 1) or b.ndim > 2:
            raise ValueError(
                f"b[{layer}] must have shape ({W.shape[0]}, 1) to match W[{layer}] of shape "
                f"{W.shape}, got shape {b.shape}"
            )
        Z = W @ A + b.reshape(-1, 1)
        A = activate(Z, name)
        cache["Z"].append(Z)
        cache["A"].append(A)
    return cache


def _labels_like(Y: np.ndarray, A_L: np.ndarray) -> np.ndarray:
    """Return Y with A_L's shape; a flat row of labels is accepted for a one-unit output."""
    Y = _as_float_array(Y, "Y")
    if Y.shape == A_L.shape:
        return Y
    if Y.ndim < 2 and A_L.shape[0] == 1 and Y.size == A_L.shape[1]:
        return Y.reshape(A_L.shape)
    raise ValueError(f"Y has shape {Y.shape} but the output A[L] has shape {A_L.shape}")


def backward(
    Y: np.ndarray,
    cache: dict[str, list[np.ndarray]],
    weights: Sequence[np.ndarray],
    activations: Sequence[str],
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return ``(dWs, dbs)``, the gradients of the averaged cost, by the documents' rules.

    ``Y`` has the output's shape (n[L], m); ``cache`` is what :func:`forward`
    returned for the same weights.  ``dbs[l]`` has shape (n[l], 1).  See the
    module docstring for the formulas and the ReLU correction.
    """
    _check_layers(weights, None, activations)
    if not isinstance(cache, dict) or "Z" not in cache or "A" not in cache:
        raise ValueError('cache must be the dict {"Z": [...], "A": [...]} returned by forward()')
    Zs, As = cache["Z"], cache["A"]
    if len(Zs) != len(weights) or len(As) != len(weights) + 1:
        raise ValueError(
            f"cache holds {len(Zs)} Z and {len(As)} A arrays, but there are {len(weights)} "
            f"layers (expected {len(weights)} and {len(weights) + 1})"
        )
    Y = _labels_like(Y, As[-1])
    m = Y.shape[1]
    L = len(weights)
    dWs: list[np.ndarray] = [np.empty(0)] * L
    dbs: list[np.ndarray] = [np.empty(0)] * L
    dZ = As[-1] - Y
    for l in range(L, 0, -1):
        W = _as_float_array(weights[l - 1], f"weights[{l - 1}]")
        A_prev = As[l - 1]
        if W.shape != (dZ.shape[0], A_prev.shape[0]):
            raise ValueError(
                f"W[{l}] has shape {W.shape} but the cache implies ({dZ.shape[0]}, "
                f"{A_prev.shape[0]})"
            )
        dWs[l - 1] = (dZ @ A_prev.T) / m
        dbs[l - 1] = dZ.sum(axis=1, keepdims=True) / m
        if l > 1:
            dA_prev = W.T @ dZ
            dZ = _activation_backward(dA_prev, Zs[l - 2], As[l - 1], activations[l - 2])
    return dWs, dbs


def _activation_backward(dA: np.ndarray, Z: np.ndarray, A: np.ndarray, name: str) -> np.ndarray:
    if name == "softmax":
        # d softmax: dZ = S * (dA - sum(S * dA)) down each column.
        return A * (dA - (A * dA).sum(axis=0, keepdims=True))
    return dA * activation_derivative(Z, name)


def cost(A_L: np.ndarray, Y: np.ndarray, output_activation: str = "sigmoid") -> float:
    """Return the cost J averaged over the m examples (columns) for the given output.

    ``"sigmoid"``: binary cross-entropy ``-(1/m) Σ [y log a + (1-y) log(1-a)]``;
    ``"softmax"``: cross-entropy ``-(1/m) Σ y log a`` with one-hot (or
    probability) columns ``Y``; ``"linear"``: half squared error
    ``(1/2m) Σ (a - y)²``.  These are the costs whose gradient is
    ``dZ[L] = A[L] - Y`` (per example).  Logs are clamped at -100 as PyTorch's
    ``BCELoss`` does.
    """
    name = _check_activation(output_activation)
    A_L = _as_float_array(A_L, "A_L")
    if A_L.ndim != 2:
        raise ValueError(f"A_L must have shape (outputs, examples), got shape {A_L.shape}")
    Y = _labels_like(Y, A_L)
    m = A_L.shape[1]
    if name == "sigmoid":
        with np.errstate(divide="ignore"):  # log(0) = -inf, clamped just below
            log_a = np.maximum(np.log(A_L), _LOG_FLOOR)
            log_one_minus_a = np.maximum(np.log1p(-A_L), _LOG_FLOOR)
        return float(-(Y * log_a + (1.0 - Y) * log_one_minus_a).sum() / m)
    if name == "softmax":
        with np.errstate(divide="ignore"):
            log_a = np.maximum(np.log(A_L), _LOG_FLOOR)
        return float(-(Y * log_a).sum() / m)
    if name == "linear":
        return float(0.5 * ((A_L - Y) ** 2).sum() / m)
    raise ValueError(
        f"cost() is defined for outputs 'sigmoid', 'softmax' and 'linear', got {name!r}: "
        "those are the outputs for which dZ[L] = A[L] - Y"
    )


def sgd_update(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    dWs: Sequence[np.ndarray],
    dbs: Sequence[np.ndarray],
    lr: float,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return new ``(weights, biases)`` after ``W := W - lr dW``, ``b := b - lr db``."""
    if not len(weights) == len(biases) == len(dWs) == len(dbs):
        raise ValueError(
            f"need one gradient per parameter; got {len(weights)} weights, {len(biases)} "
            f"biases, {len(dWs)} dWs, {len(dbs)} dbs"
        )
    new_weights, new_biases = [], []
    for l, (W, b, dW, db) in enumerate(zip(weights, biases, dWs, dbs, strict=True), start=1):
        W, dW = np.asarray(W), np.asarray(dW)
        b, db = np.asarray(b), np.asarray(db)
        if W.shape != dW.shape or b.size != db.size:
            raise ValueError(
                f"layer {l}: W {W.shape} vs dW {dW.shape}, b {b.shape} vs db {db.shape} must match"
            )
        new_weights.append(W - lr * dW)
        new_biases.append(b.reshape(db.shape) - lr * db)
    return new_weights, new_biases
