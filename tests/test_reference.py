"""tg.reference: the documents' closed-form backpropagation, checked three ways.

1. The worked example of document 000 (a 2-2-1 sigmoid network on one
   example), against the same arithmetic written out scalar by scalar here,
   and against the exact column of the seeds' README (the document's printed
   numbers are checked in test_worked_example.py).
2. Random networks of every activation: the closed-form gradients equal
   central differences of the reference cost.
3. Bad input raises ValueError naming what is wrong.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest

from tinygrad_nn import reference

X_EXAMPLE = np.array([[0.5], [0.2]])
Y_EXAMPLE = np.array([[1.0]])
W_EXAMPLE = [np.array([[0.1, 0.4], [0.8, 0.6]]), np.array([[0.3, 0.7]])]
B_EXAMPLE = [np.array([[0.3], [0.9]]), np.array([[0.5]])]
SIGMOIDS = ["sigmoid", "sigmoid"]


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def worked_example_by_hand() -> dict[str, np.ndarray]:
    """The document's example, one scalar at a time, without tg.reference."""
    x0, x1 = 0.5, 0.2
    z1 = [0.1 * x0 + 0.4 * x1 + 0.3, 0.8 * x0 + 0.6 * x1 + 0.9]
    a1 = [sigmoid(z) for z in z1]
    z2 = 0.3 * a1[0] + 0.7 * a1[1] + 0.5
    y_hat = sigmoid(z2)
    dz2 = y_hat - 1.0
    dz1 = [w * dz2 * a * (1.0 - a) for w, a in zip([0.3, 0.7], a1, strict=True)]
    return {
        "Z1": np.array(z1),
        "A1": np.array(a1),
        "Z2": np.array(z2),
        "Y_hat": np.array(y_hat),
        "J": np.array(-math.log(y_hat)),
        "dZ2": np.array(dz2),
        "dW2": np.array([dz2 * a1[0], dz2 * a1[1]]),
        "db2": np.array(dz2),
        "dZ1": np.array(dz1),
        "dW1": np.array([[dz1[0] * x0, dz1[0] * x1], [dz1[1] * x0, dz1[1] * x1]]),
        "db1": np.array(dz1),
    }


def worked_example_by_reference() -> dict[str, np.ndarray]:
    cache = reference.forward(X_EXAMPLE, W_EXAMPLE, B_EXAMPLE, SIGMOIDS)
    dWs, dbs = reference.backward(Y_EXAMPLE, cache, W_EXAMPLE, SIGMOIDS)
    dZ2 = cache["A"][2] - Y_EXAMPLE
    dZ1 = (W_EXAMPLE[1].T @ dZ2) * cache["A"][1] * (1 - cache["A"][1])
    return {
        "Z1": cache["Z"][0].ravel(),
        "A1": cache["A"][1].ravel(),
        "Z2": cache["Z"][1].reshape(()),
        "Y_hat": cache["A"][2].reshape(()),
        "J": np.array(reference.cost(cache["A"][2], Y_EXAMPLE, "sigmoid")),
        "dZ2": dZ2.reshape(()),
        "dW2": dWs[1].ravel(),
        "db2": dbs[1].reshape(()),
        "dZ1": dZ1.ravel(),
        "dW1": dWs[0],
        "db1": dbs[0].ravel(),
    }


def test_worked_example_matches_scalar_arithmetic_to_float64_rounding():
    by_hand = worked_example_by_hand()
    computed = worked_example_by_reference()
    for name, expected in by_hand.items():
        np.testing.assert_allclose(computed[name], expected, rtol=1e-14, atol=1e-16, err_msg=name)


def test_worked_example_bias_gradients_have_column_shape():
    cache = reference.forward(X_EXAMPLE, W_EXAMPLE, B_EXAMPLE, SIGMOIDS)
    dWs, dbs = reference.backward(Y_EXAMPLE, cache, W_EXAMPLE, SIGMOIDS)
    assert [dW.shape for dW in dWs] == [(2, 2), (1, 2)]
    assert [db.shape for db in dbs] == [(2, 1), (1, 1)]


# The exact column of /work/shared/seeds/README.md: float64 values rounded to 5 places.
README_EXACT = {
    "Z1": [0.43, 1.42],
    "A1": [0.60587, 0.80534],
    "Z2": 1.24550,
    "Y_hat": 0.77652,
    "J": 0.25293,
    "dZ2": -0.22348,
    "dW2": [-0.13540, -0.17998],
    "dZ1": [-0.01601, -0.02452],
    "dW1": [[-0.00800, -0.00320], [-0.01226, -0.00490]],
}

@pytest.mark.parametrize("name", sorted(README_EXACT))
def test_worked_example_matches_readme_exact_column_to_five_places(name):
    computed = worked_example_by_reference()[name]
    np.testing.assert_allclose(computed, README_EXACT[name], rtol=0, atol=0.5e-5 + 1e-12)


# The document's printed numbers are checked in tests/test_worked_example.py, each
# within half a unit of its last digit of the value the document computed it from
# (its own rounded intermediates), with its one arithmetic slip (Z2) named there.


def test_relu_derivative_is_one_for_positive_z_not_z():
    # Document 001's table says "z if z > 0"; the derivative of max(z, 0) is 1 there.
    z = np.array([[3.0, 0.5, 0.0, -2.0]])
    np.testing.assert_array_equal(reference.activation_derivative(z, "relu"), [[1, 1, 0, 0]])


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("sigmoid", lambda z: 1 / (1 + np.exp(-z))),
        ("relu", lambda z: np.where(z > 0, z, 0.0)),
        ("tanh", np.tanh),
        ("linear", lambda z: z),
        ("softmax", lambda z: np.exp(z) / np.exp(z).sum(axis=0)),
    ],
)
def test_activation_matches_its_definition(name, function):
    z = np.random.default_rng(0).normal(size=(3, 5)) * 3
    np.testing.assert_allclose(reference.activate(z, name), function(z), rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("name", ["sigmoid", "relu", "tanh", "linear"])
def test_activation_derivative_matches_central_differences(name):
    z = np.random.default_rng(1).normal(size=(4, 6)) + 0.01  # keep away from relu's kink
    eps = 1e-6
    numeric = (reference.activate(z + eps, name) - reference.activate(z - eps, name)) / (2 * eps)
    np.testing.assert_allclose(reference.activation_derivative(z, name), numeric, atol=1e-8)


def test_softmax_activation_derivative_is_refused_because_it_is_not_elementwise():
    with pytest.raises(ValueError, match="softmax"):
        reference.activation_derivative(np.zeros((2, 2)), "softmax")


def test_sigmoid_does_not_overflow_for_large_inputs():
    z = np.array([[-1000.0, 1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_array_equal(reference.activate(z, "sigmoid"), [[0.0, 1.0]])


def random_network(rng, sizes, hidden, output):
    # Scaled like Xavier's init so that no output saturates: a sigmoid at 1 - 1e-10
    # would make the finite differences of the cost, not the gradients, inaccurate.
    weights = [rng.normal(size=(n_out, n_in)) / math.sqrt(n_in) for n_in, n_out in pairwise(sizes)]
    biases = [rng.normal(size=(n_out, 1)) for n_out in sizes[1:]]
    activations = [hidden] * (len(sizes) - 2) + [output]
    return weights, biases, activations


def random_targets(rng, output, n_out, m):
    if output == "softmax":
        return np.eye(n_out)[:, rng.integers(0, n_out, size=m)]
    if output == "sigmoid":
        return rng.integers(0, 2, size=(n_out, m)).astype(np.float64)
    return rng.normal(size=(n_out, m))


NETWORK_CASES = [
    (seed, hidden, output)
    for seed, hidden in enumerate(["sigmoid", "relu", "tanh", "linear", "softmax"])
    for output in ["sigmoid", "softmax", "linear"]
]


@pytest.mark.parametrize(("seed", "hidden", "output"), NETWORK_CASES)
def test_closed_form_gradients_equal_central_differences_of_the_cost(seed, hidden, output):
    rng = np.random.default_rng(seed)
    sizes = [3, 4, 5, 3]
    m = 7
    weights, biases, activations = random_network(rng, sizes, hidden, output)
    X = rng.normal(size=(sizes[0], m))
    Y = random_targets(rng, output, sizes[-1], m)

    def cost() -> float:
        cache = reference.forward(X, weights, biases, activations)
        return reference.cost(cache["A"][-1], Y, output)

    cache = reference.forward(X, weights, biases, activations)
    dWs, dbs = reference.backward(Y, cache, weights, activations)
    eps = 1e-6
    for analytic_list, params in [(dWs, weights), (dbs, biases)]:
        for analytic, param in zip(analytic_list, params, strict=True):
            assert analytic.shape == param.shape
            numeric = np.zeros_like(param)
            for index in np.ndindex(param.shape):
                saved = param[index]
                param[index] = saved + eps
                plus = cost()
                param[index] = saved - eps
                minus = cost()
                param[index] = saved
                numeric[index] = (plus - minus) / (2 * eps)
            np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_cost_is_binary_cross_entropy_averaged_over_columns():
    A = np.array([[0.9, 0.2, 0.6]])
    Y = np.array([[1.0, 0.0, 0.0]])
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.4)) / 3
    assert reference.cost(A, Y, "sigmoid") == pytest.approx(expected, rel=1e-15)


def test_cost_of_saturated_sigmoid_is_finite_like_pytorch_bce():
    assert reference.cost(np.array([[1.0]]), np.array([[0.0]]), "sigmoid") == pytest.approx(100.0)


def test_cost_rejects_outputs_without_a_matching_cost():
    with pytest.raises(ValueError, match="tanh"):
        reference.cost(np.zeros((1, 2)), np.zeros((1, 2)), "tanh")


def test_backward_accepts_a_flat_row_of_labels_for_a_single_output():
    cache = reference.forward(X_EXAMPLE, W_EXAMPLE, B_EXAMPLE, SIGMOIDS)
    from_row = reference.backward(np.array([1.0]), cache, W_EXAMPLE, SIGMOIDS)
    from_column = reference.backward(Y_EXAMPLE, cache, W_EXAMPLE, SIGMOIDS)
    for a, b in zip(from_row[0] + from_row[1], from_column[0] + from_column[1], strict=True):
        np.testing.assert_array_equal(a, b)


def test_forward_accepts_a_one_dimensional_example_and_flat_biases():
    cache = reference.forward([0.5, 0.2], W_EXAMPLE, [[0.3, 0.9], 0.5], SIGMOIDS)
    expected = reference.forward(X_EXAMPLE, W_EXAMPLE, B_EXAMPLE, SIGMOIDS)
    np.testing.assert_array_equal(cache["A"][-1], expected["A"][-1])


def test_sgd_update_applies_the_documents_rule():
    cache = reference.forward(X_EXAMPLE, W_EXAMPLE, B_EXAMPLE, SIGMOIDS)
    dWs, dbs = reference.backward(Y_EXAMPLE, cache, W_EXAMPLE, SIGMOIDS)
    new_W, new_b = reference.sgd_update(W_EXAMPLE, B_EXAMPLE, dWs, dbs, lr=0.5)
    for W, dW, updated in zip(W_EXAMPLE, dWs, new_W, strict=True):
        np.testing.assert_array_equal(updated, W - 0.5 * dW)
    for b, db, updated in zip(B_EXAMPLE, dbs, new_b, strict=True):
        np.testing.assert_array_equal(updated, b - 0.5 * db)
    after = reference.forward(X_EXAMPLE, new_W, new_b, SIGMOIDS)["A"][-1]
    assert reference.cost(after, Y_EXAMPLE) < reference.cost(cache["A"][-1], Y_EXAMPLE)


def test_unknown_activation_name_is_rejected_with_the_choices():
    with pytest.raises(ValueError, match=r"'swish'.*sigmoid, relu, tanh, linear, softmax"):
        reference.forward(X_EXAMPLE, W_EXAMPLE, B_EXAMPLE, ["sigmoid", "swish"])


def test_lists_of_different_lengths_are_rejected_with_their_lengths():
    with pytest.raises(ValueError, match="weights=2, activations=1, biases=2"):
        reference.forward(X_EXAMPLE, W_EXAMPLE, B_EXAMPLE, ["sigmoid"])


def test_weight_that_does_not_fit_the_previous_layer_is_rejected_with_both_shapes():
    weights = [W_EXAMPLE[0], np.array([[0.3, 0.7, 0.1]])]
    with pytest.raises(ValueError, match=r"W\[2\] has shape \(1, 3\).*A\[1\] has shape \(2, 1\)"):
        reference.forward(X_EXAMPLE, weights, B_EXAMPLE, SIGMOIDS)


def test_bias_of_the_wrong_size_is_rejected_with_the_expected_shape():
    biases = [np.array([[0.3], [0.9], [0.1]]), B_EXAMPLE[1]]
    with pytest.raises(ValueError, match=r"b\[1\] must have shape \(2, 1\).*\(3, 1\)"):
        reference.forward(X_EXAMPLE, W_EXAMPLE, biases, SIGMOIDS)


def test_labels_of_the_wrong_shape_are_rejected_with_both_shapes():
    cache = reference.forward(X_EXAMPLE, W_EXAMPLE, B_EXAMPLE, SIGMOIDS)
    with pytest.raises(ValueError, match=r"Y has shape \(2, 1\).*\(1, 1\)"):
        reference.backward(np.ones((2, 1)), cache, W_EXAMPLE, SIGMOIDS)


def test_backward_rejects_a_cache_from_a_different_network():
    cache = reference.forward(X_EXAMPLE, W_EXAMPLE[:1], B_EXAMPLE[:1], ["sigmoid"])
    with pytest.raises(ValueError, match="cache holds 1 Z and 2 A arrays"):
        reference.backward(Y_EXAMPLE, cache, W_EXAMPLE, SIGMOIDS)


def test_empty_network_is_rejected():
    with pytest.raises(ValueError, match="at least one layer"):
        reference.forward(X_EXAMPLE, [], [], [])
