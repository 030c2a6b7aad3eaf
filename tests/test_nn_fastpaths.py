"""The one-op losses, module calls, attribute mirrors and the optimizer step: exact and unchanged.

Binary cross-entropy and cross-entropy each record one op with its own backward, written in
Tensor ops; these tests hold that backward to numerical first and second derivatives in every
form the losses take (reductions, weights, ignored labels, smoothing, targets with gradients).
"""

import numpy as np
import pytest

import tinygrad_nn as tg
import tinygrad_nn.nn.functional as F
from tinygrad_nn import nn, optim
from tinygrad_nn.autograd import state

REDUCTIONS = ["mean", "sum", "none"]


def rng(seed=0):
    return np.random.default_rng(seed)


def leaf(array):
    return tg.Tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


# ---------------------------------------------------------------- the losses as one op


def test_each_loss_records_a_single_op_on_its_inputs():
    logits = leaf(rng().standard_normal((4, 3)))
    ce = F.cross_entropy(logits, tg.Tensor([0, 2, 1, 1]))
    assert ce.grad_fn.name() == "CrossEntropyBackward0" and ce._parents[0] is logits
    probs = leaf(rng().uniform(0.1, 0.9, (4, 1)))
    bce = F.binary_cross_entropy(probs, tg.Tensor(np.ones((4, 1))))
    assert bce.grad_fn.name() == "BinaryCrossEntropyBackward0" and bce._parents[0] is probs


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_first_and_second_derivatives_in_probabilities_targets_and_weight(reduction):
    probs = leaf(rng().uniform(0.1, 0.9, (3, 2)))
    target = leaf(rng(1).uniform(0, 1, (3, 2)))
    weight = rng(2).uniform(0.5, 2, (1, 2))  # broadcast over the rows

    def loss(p, y):
        return F.binary_cross_entropy(p, y, weight, reduction)

    assert tg.gradcheck(loss, [probs, target])
    assert tg.gradgradcheck(loss, [probs, target])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_labels_has_exact_second_derivatives_with_every_option(reduction):
    logits = leaf(rng().standard_normal((5, 3)))
    labels = tg.Tensor([0, 2, -1, 1, 2])  # -1 is ignored
    weight = np.array([1.0, 2.0, 0.5])

    def loss(x):
        return F.cross_entropy(x, labels, weight, -1, reduction, label_smoothing=0.2)

    assert tg.gradcheck(loss, [logits])
    assert tg.gradgradcheck(loss, [logits])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_probabilities_differentiates_twice_in_both_arguments(reduction):
    logits = leaf(rng().standard_normal((2, 3, 2)))  # (N, C, d): classes on axis 1
    target = leaf(rng(1).dirichlet(np.ones(3), size=(2, 2)).transpose(0, 2, 1))

    def loss(x, p):
        return F.cross_entropy(x, p, np.array([1.0, 0.5, 2.0]), reduction=reduction,
                               label_smoothing=0.1)

    assert tg.gradcheck(loss, [logits, target])
    assert tg.gradgradcheck(loss, [logits, target])


def test_cross_entropy_hessian_vector_product_is_the_softmax_jacobian():
    logits = leaf(rng().standard_normal((1, 4)))
    (grad,) = tg.grad(F.cross_entropy(logits, tg.Tensor([2])), [logits], create_graph=True)
    v = rng(1).standard_normal((1, 4))
    (hvp,) = tg.grad((grad * tg.Tensor(v)).sum(), [logits])
    s = np.exp(logits.numpy()) / np.exp(logits.numpy()).sum()
    hessian = np.diag(s[0]) - np.outer(s[0], s[0])  # d² CE / dx² = diag(s) - s sᵀ
    np.testing.assert_allclose(hvp.numpy(), v @ hessian, rtol=1e-12)


def test_linear_on_batches_of_sequences_gradchecks_in_every_argument():
    x = leaf(rng().standard_normal((2, 3, 4)))
    weight, bias = leaf(rng(1).standard_normal((5, 4))), leaf(rng(2).standard_normal(5))
    assert tg.gradcheck(F.linear, [x, weight, bias])
    assert tg.gradgradcheck(F.linear, [x, weight, bias])


# ---------------------------------------------------------------- modules


def test_module_call_restores_the_scope_when_forward_raises():
    class Broken(nn.Module):
        def forward(self, x):
            raise RuntimeError("broken forward")

    model = nn.Sequential(nn.Linear(2, 2), Broken())
    with pytest.raises(RuntimeError, match="broken forward"):
        model(tg.ones(1, 2))
    assert state.scope is None


def test_attributes_follow_reassigned_cleared_and_deleted_members():
    layer = nn.Linear(2, 3)
    new_weight = nn.Parameter(np.zeros((3, 2)))
    layer.weight = new_weight
    assert layer.weight is new_weight and dict(layer.named_parameters())["weight"] is new_weight
    layer.bias = None
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    del layer.weight
    with pytest.raises(AttributeError, match="weight"):
        _ = layer.weight
    assert list(layer.parameters()) == []
    layer.register_buffer("scale", np.ones(3))
    layer.scale = np.full(3, 2.0)
    assert isinstance(layer.scale, tg.Tensor) and layer.state_dict()["scale"].tolist() == [2.0] * 3


# ---------------------------------------------------------------- the optimizer step


def test_step_bumps_each_updated_version_once_and_keeps_arrays():
    model = nn.Linear(3, 2)
    used, unused = model.weight, nn.Parameter(np.ones(2))
    optimizer = optim.SGD([used, unused], lr=0.1)
    arrays, versions = [used.numpy(), unused.numpy()], [used._version, unused._version]
    model(tg.ones(1, 3)).sum().backward()
    optimizer.step()
    assert [used._version, unused._version] == [versions[0] + 1, versions[1]]
    assert used.numpy() is arrays[0] and unused.numpy() is arrays[1]
