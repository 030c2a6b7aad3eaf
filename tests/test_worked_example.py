"""The worked example of "Neural Networks" (000), computed by the framework.

A 2-2-1 sigmoid network, x = [0.5, 0.2], y = 1, W1 = [[0.1, 0.4], [0.8, 0.6]],
b1 = [0.3, 0.9], W2 = [[0.3, 0.7]], b2 = 0.5, binary cross-entropy.  The
framework's values are checked two ways: against exact float64 arithmetic,
written out here with plain numpy (no tinygrad_nn), tightly; and the document's
printed numbers against them within the document's printed rounding.

Layout: the document stacks examples as *columns*, X of shape (features,
examples) = (2, 1), and computes Z = W X + b.  The framework is row-major like
PyTorch: a batch is (examples, features), so the input is x = X^T of shape
(1, 2), and nn.Linear computes x @ W.T + b = (W X + b)^T.  Its weight is stored
(out, in), which is the document's W[l] itself -- so dJ/dW is the same matrix in
both conventions, while Z, A and dZ come out as the transposes of the
document's columns (here: rows).
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import nn

W1 = np.array([[0.1, 0.4], [0.8, 0.6]])
B1 = np.array([0.3, 0.9])
W2 = np.array([[0.3, 0.7]])
B2 = np.array([0.5])
X_COLUMN = np.array([[0.5], [0.2]])  # the document's X: 2 features x 1 example
Y = 1.0


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _exact() -> dict[str, np.ndarray]:
    """Every quantity by the document's formulas in float64, column convention, plain numpy."""
    Z1 = W1 @ X_COLUMN + B1.reshape(2, 1)
    A1 = _sigmoid(Z1)
    Z2 = W2 @ A1 + B2.reshape(1, 1)
    A2 = _sigmoid(Z2)
    J = -(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    dZ2 = A2 - Y  # sigmoid + cross-entropy; m = 1 so no 1/m
    dA1 = W2.T @ dZ2
    sigma_prime = A1 * (1 - A1)
    dZ1 = dA1 * sigma_prime
    return {
        "Z1": Z1, "A1": A1, "Z2": Z2, "Yhat": A2, "J": J,
        "dZ2": dZ2, "dW2": dZ2 @ A1.T, "db2": dZ2.sum(axis=1),
        "dA1": dA1, "sigma_prime": sigma_prime,
        "dZ1": dZ1, "dW1": dZ1 @ X_COLUMN.T, "db1": dZ1.sum(axis=1),
    }  # fmt: skip


EXACT = _exact()


def _framework(loss_on_logits: bool = False) -> dict[str, object]:
    """Run the example through nn.Linear modules and autograd; return tensors and modules."""
    hidden = nn.Linear(2, 2).double()
    output = nn.Linear(2, 1).double()
    hidden.load_state_dict({"weight": W1, "bias": B1})
    output.load_state_dict({"weight": W2, "bias": B2})
    x = tg.tensor(X_COLUMN.T)  # row-major batch (1, 2): the transpose of the document's X
    y = tg.tensor(np.array([[Y]]))
    Z1 = hidden(x)
    A1 = Z1.sigmoid()
    Z2 = output(A1)
    Yhat = Z2.sigmoid()
    for intermediate in (Z1, A1, Z2):
        intermediate.retain_grad()
    if loss_on_logits:
        loss = nn.BCEWithLogitsLoss()(Z2, y)
    else:
        loss = nn.BCELoss()(Yhat, y)
    loss.backward()
    return {"hidden": hidden, "output": output, "Z1": Z1, "A1": A1, "Z2": Z2, "Yhat": Yhat,
            "J": loss}  # fmt: skip


@pytest.fixture(scope="module")
def run() -> dict[str, object]:
    return _framework()


def _assert_close(actual: object, expected: np.ndarray) -> None:
    actual = np.asarray(actual)
    assert actual.dtype == np.float64
    np.testing.assert_allclose(actual, expected, rtol=1e-13, atol=1e-16)


def test_forward_pass_equals_exact_float64(run: dict) -> None:
    # Row-major results are the transposes of the document's columns.
    _assert_close(run["Z1"].numpy(), EXACT["Z1"].T)
    _assert_close(run["A1"].numpy(), EXACT["A1"].T)
    _assert_close(run["Z2"].numpy(), EXACT["Z2"].T)
    _assert_close(run["Yhat"].numpy(), EXACT["Yhat"].T)
    _assert_close(run["J"].numpy(), EXACT["J"].reshape(()))


def test_backward_pass_equals_exact_float64(run: dict) -> None:
    hidden, output = run["hidden"], run["output"]
    _assert_close(run["Z2"].grad.numpy(), EXACT["dZ2"].T)
    _assert_close(output.weight.grad.numpy(), EXACT["dW2"])  # same matrix in both conventions
    _assert_close(output.bias.grad.numpy(), EXACT["db2"])
    _assert_close(run["A1"].grad.numpy(), EXACT["dA1"].T)
    _assert_close(run["Z1"].grad.numpy(), EXACT["dZ1"].T)
    _assert_close(hidden.weight.grad.numpy(), EXACT["dW1"])
    _assert_close(hidden.bias.grad.numpy(), EXACT["db1"])


def test_loss_on_logits_gives_the_same_gradients() -> None:
    # BCEWithLogitsLoss(Z2) is the stable form of BCELoss(sigmoid(Z2)): same J, same gradients.
    run = _framework(loss_on_logits=True)
    _assert_close(run["J"].numpy(), EXACT["J"].reshape(()))
    _assert_close(run["Z2"].grad.numpy(), EXACT["dZ2"].T)
    _assert_close(run["output"].weight.grad.numpy(), EXACT["dW2"])
    _assert_close(run["hidden"].weight.grad.numpy(), EXACT["dW1"])
    _assert_close(run["hidden"].bias.grad.numpy(), EXACT["db1"])


# The document's numbers as printed. It rounds each step and carries the rounded value on,
# so some printed numbers follow from its own earlier printed numbers, not from exact
# arithmetic: Yhat = sigma(1.244) = 0.77626 (exact 0.77652 would print 0.777), dZ2 =
# 0.776 - 1, dW2 = -0.224 * [0.606, 0.805], dA1 = W2^T (-0.224), dZ1 = dA1 * [0.239, 0.157].
# Each of those is checked against the formula applied to the document's printed inputs.
PRINTED = {
    "Z1": ["0.43", "1.42"],
    "A1": ["0.606", "0.805"],
    "Yhat": ["0.776"],
    "J": ["0.253"],
    "dZ2": ["-0.224"],
    "dW2": ["-0.136", "-0.180"],
    "db2": ["-0.224"],
    "dA1": ["-0.0672", "-0.1568"],
    "sigma_prime": ["0.239", "0.157"],
    "dZ1": ["-0.0161", "-0.0246"],
    "dW1": ["-0.0080", "-0.0032", "-0.0123", "-0.0049"],
    "db1": ["-0.0161", "-0.0246"],
}


def _printed(name: str) -> np.ndarray:
    return np.array([float(text) for text in PRINTED[name]])


def _half_unit(text: str) -> float:
    """Half a unit in the last printed digit: the rounding of a number printed as `text`."""
    decimals = len(text.split(".")[1])
    return 0.5 * 10.0**-decimals


def _from_document_inputs() -> dict[str, np.ndarray]:
    """The quantities the document computed from its own rounded, printed inputs."""
    d_z2 = _printed("Yhat") - Y
    d_z1 = _printed("dA1") * _printed("sigma_prime")
    return {
        "Yhat": _sigmoid(np.array([1.244])),
        "dZ2": d_z2,
        "db2": d_z2,
        "dW2": d_z2 * _printed("A1"),
        "dA1": W2.ravel() * _printed("dZ2"),
        "dZ1": d_z1,
        "db1": d_z1,
    }


FROM_DOCUMENT = _from_document_inputs()


@pytest.mark.parametrize("name", list(PRINTED))
def test_document_printed_value_is_within_its_rounding(run: dict, name: str) -> None:
    if name in FROM_DOCUMENT:
        expected = FROM_DOCUMENT[name]
    else:
        expected = EXACT[name].ravel()
    printed = _printed(name)
    tolerance = np.array([_half_unit(text) for text in PRINTED[name]])
    # 1e-12 absorbs the binary representation of a value that sits exactly on a half unit.
    assert np.all(np.abs(printed - expected) <= tolerance + 1e-12), (name, printed, expected)


@pytest.mark.parametrize("name", list(PRINTED))
def test_document_printed_value_is_within_one_percent_of_exact(name: str) -> None:
    # Carrying rounded values forward costs at most ~0.6% (dZ1[0]: -0.0161 vs -0.01601).
    np.testing.assert_allclose(_printed(name), EXACT[name].ravel(), rtol=0.01)


def test_document_z2_is_a_slip_in_its_last_digit() -> None:
    # The document prints Z2 = W2 A1 + b2 ~ 1.244. Neither exact arithmetic (1.24550) nor its
    # own rounded A1 = [0.606, 0.805] (0.3*0.606 + 0.7*0.805 + 0.5 = 1.2453) gives that: both
    # round to 1.245. It is an arithmetic slip of one unit in the third decimal, and the
    # document's Yhat = sigma(1.244) = 0.77626 is consistent with it (checked above).
    from_rounded_a1 = float(W2.ravel() @ _printed("A1") + B2[0])
    assert round(from_rounded_a1, 3) == 1.245
    assert round(float(EXACT["Z2"].item()), 3) == 1.245
    assert abs(1.244 - from_rounded_a1) == pytest.approx(0.0013, abs=1e-12)


def test_gradient_step_by_hand_updates_parameters_in_place_and_lowers_the_cost() -> None:
    run = _framework()
    hidden, output = run["hidden"], run["output"]
    parameters = [hidden.weight, hidden.bias, output.weight, output.bias]
    arrays_before = [parameter.numpy() for parameter in parameters]
    alpha = 0.5
    # The documents' rule W := W - alpha dW, written by hand.
    with tg.no_grad():
        for parameter in parameters:
            parameter -= alpha * parameter.grad
    assert all(p.numpy() is array for p, array in zip(parameters, arrays_before, strict=True))
    _assert_close(hidden.weight.numpy(), W1 - alpha * EXACT["dW1"])
    _assert_close(hidden.bias.numpy(), B1 - alpha * EXACT["db1"])
    _assert_close(output.weight.numpy(), W2 - alpha * EXACT["dW2"])
    _assert_close(output.bias.numpy(), B2 - alpha * EXACT["db2"])
    with tg.no_grad():
        x = tg.tensor(X_COLUMN.T)
        new_cost = nn.BCELoss()(output(hidden(x).sigmoid()).sigmoid(), tg.tensor(np.array([[Y]])))
    assert new_cost.item() < EXACT["J"].item()
