"""Losses of tinygrad_nn.nn against torch: values, gradients, extremes and input errors."""

import numpy as np
import pytest

import tinygrad_nn as tg
import tinygrad_nn.nn.functional as F
from tinygrad_nn import nn

torch = pytest.importorskip("torch")

REDUCTIONS = ["mean", "sum", "none"]


def rng(seed=0):
    return np.random.default_rng(seed)


def compare(ours_fn, torch_fn, input, target, target_requires_grad=False, rtol=1e-10):
    """Value and gradients (input, and target when asked) of both losses, with one upstream grad."""
    ours_in = tg.Tensor(input, requires_grad=True)
    theirs_in = torch.tensor(input, requires_grad=True)
    if target.dtype.kind == "f":
        ours_target = tg.Tensor(target, requires_grad=target_requires_grad)
        theirs_target = torch.tensor(target, requires_grad=target_requires_grad)
    else:
        ours_target, theirs_target = tg.Tensor(target), torch.from_numpy(target)
    ours, theirs = ours_fn(ours_in, ours_target), torch_fn(theirs_in, theirs_target)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=rtol, atol=1e-12)
    upstream = rng(5).standard_normal(theirs.shape)
    (ours * tg.Tensor(upstream)).sum().backward()
    (theirs * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_allclose(ours_in.grad.numpy(), theirs_in.grad.numpy(), rtol=rtol, atol=1e-12)
    if target_requires_grad:
        np.testing.assert_allclose(
            ours_target.grad.numpy(), theirs_target.grad.numpy(), rtol=rtol, atol=1e-12
        )
    return ours


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "ours, theirs",
    [(nn.MSELoss, torch.nn.MSELoss), (nn.L1Loss, torch.nn.L1Loss)],
    ids=["mse", "l1"],
)
def test_regression_losses_match_torch(ours, theirs, reduction):
    input, target = rng().standard_normal((4, 3)), rng(1).standard_normal((4, 3))
    compare(ours(reduction=reduction), theirs(reduction=reduction), input, target, True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_matches_torch_including_weight(reduction):
    probs = rng().uniform(0.05, 0.95, (5, 2))
    target = rng(1).uniform(0, 1, (5, 2))
    weight = rng(2).uniform(0.5, 2, (5, 2))
    compare(
        nn.BCELoss(reduction=reduction), torch.nn.BCELoss(reduction=reduction), probs, target, True
    )
    compare(
        nn.BCELoss(weight=weight, reduction=reduction),
        torch.nn.BCELoss(weight=torch.from_numpy(weight), reduction=reduction),
        probs,
        target,
    )


def test_bce_at_probabilities_zero_and_one_is_finite_like_torch():
    probs = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    target = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    loss = compare(nn.BCELoss(reduction="none"), torch.nn.BCELoss(reduction="none"), probs, target)
    np.testing.assert_allclose(loss.numpy()[:4], [0.0, 0.0, 100.0, 100.0])


def test_bce_rejects_values_outside_unit_interval():
    with pytest.raises(ValueError, match=r"\[0, 1\].*with_logits"):
        F.binary_cross_entropy(tg.Tensor([0.5, 1.5]), tg.Tensor([0.0, 1.0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_matches_torch_with_weight_and_pos_weight(reduction):
    logits = rng().standard_normal((6, 3)) * 3
    target = rng(1).uniform(0, 1, (6, 3))
    weight, pos_weight = rng(2).uniform(0.5, 2, (6, 3)), rng(3).uniform(0.5, 3, (3,))
    compare(
        nn.BCEWithLogitsLoss(reduction=reduction),
        torch.nn.BCEWithLogitsLoss(reduction=reduction),
        logits,
        target,
        True,
    )
    compare(
        nn.BCEWithLogitsLoss(weight=weight, reduction=reduction, pos_weight=pos_weight),
        torch.nn.BCEWithLogitsLoss(
            weight=torch.from_numpy(weight),
            reduction=reduction,
            pos_weight=torch.from_numpy(pos_weight),
        ),
        logits,
        target,
        True,
    )


def test_bce_with_logits_is_finite_and_equal_to_torch_at_huge_logits():
    logits = np.array([1000.0, -1000.0, 1000.0, -1000.0, 30.0, -30.0])
    target = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0])
    loss = compare(
        nn.BCEWithLogitsLoss(reduction="none"),
        torch.nn.BCEWithLogitsLoss(reduction="none"),
        logits,
        target,
    )
    assert np.all(np.isfinite(loss.numpy()))
    np.testing.assert_allclose(loss.numpy()[:4], [0.0, 0.0, 1000.0, 1000.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_class_labels_matches_torch(reduction):
    logits, labels = rng().standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    compare(
        nn.CrossEntropyLoss(reduction=reduction),
        torch.nn.CrossEntropyLoss(reduction=reduction),
        logits,
        labels,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_probability_targets_matches_torch(reduction):
    logits = rng().standard_normal((5, 4))
    probs = rng(1).dirichlet(np.ones(4), size=5)
    compare(
        nn.CrossEntropyLoss(reduction=reduction),
        torch.nn.CrossEntropyLoss(reduction=reduction),
        logits,
        probs,
        True,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_options_weight_ignore_index_label_smoothing_match_torch(reduction):
    logits, labels = rng().standard_normal((6, 3)), np.array([0, 2, -1, 1, 2, -1])
    weight = np.array([0.5, 2.0, 1.5])
    options = dict(ignore_index=-1, reduction=reduction, label_smoothing=0.2)
    compare(
        nn.CrossEntropyLoss(weight=weight, **options),
        torch.nn.CrossEntropyLoss(weight=torch.from_numpy(weight), **options),
        logits,
        labels,
    )
    probs = rng(1).dirichlet(np.ones(3), size=6)
    compare(
        nn.CrossEntropyLoss(weight=weight, reduction=reduction, label_smoothing=0.1),
        torch.nn.CrossEntropyLoss(
            weight=torch.from_numpy(weight), reduction=reduction, label_smoothing=0.1
        ),
        logits,
        probs,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_over_spatial_axes_matches_torch(reduction):
    logits, labels = rng().standard_normal((2, 3, 4, 2)), rng(1).integers(0, 3, (2, 4, 2))
    compare(
        nn.CrossEntropyLoss(reduction=reduction),
        torch.nn.CrossEntropyLoss(reduction=reduction),
        logits,
        labels,
    )


def test_cross_entropy_of_one_unbatched_example_matches_torch():
    compare(
        F.cross_entropy, torch.nn.functional.cross_entropy, rng().standard_normal(4), np.array(2)
    )


def test_cross_entropy_is_finite_and_equal_to_torch_at_huge_logits():
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [5.0, 5.0, -1000.0]])
    labels = np.array([1, 2, 0])
    loss = compare(
        nn.CrossEntropyLoss(reduction="none"),
        torch.nn.CrossEntropyLoss(reduction="none"),
        logits,
        labels,
    )
    assert np.all(np.isfinite(loss.numpy()))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_torch_with_weight_and_ignore_index(reduction):
    log_probs = np.log(rng().dirichlet(np.ones(4), size=5))
    labels = np.array([3, 0, 7, 1, 1])
    weight = np.array([1.0, 0.5, 2.0, 3.0])
    compare(
        nn.NLLLoss(weight=weight, ignore_index=7, reduction=reduction),
        torch.nn.NLLLoss(weight=torch.from_numpy(weight), ignore_index=7, reduction=reduction),
        log_probs,
        labels,
    )


def test_cross_entropy_equals_nll_of_log_softmax():
    logits, labels = tg.randn(4, 3), tg.Tensor([2, 0, 1, 1])
    np.testing.assert_allclose(
        F.cross_entropy(logits, labels).item(),
        F.nll_loss(F.log_softmax(logits, dim=1), labels).item(),
        rtol=1e-6,
    )


LOSS_GRADCHECKS = {
    "mse": (F.mse_loss, lambda: rng(1).standard_normal((3, 2))),
    "l1": (F.l1_loss, lambda: rng(1).standard_normal((3, 2))),
    "bce": (
        lambda p, y: F.binary_cross_entropy(p.sigmoid(), y),
        lambda: rng(1).uniform(0, 1, (3, 2)),
    ),
    "bce_with_logits": (F.binary_cross_entropy_with_logits, lambda: rng(1).uniform(0, 1, (3, 2))),
    "cross_entropy_probs": (F.cross_entropy, lambda: rng(1).dirichlet(np.ones(2), size=3)),
}


@pytest.mark.parametrize("case", sorted(LOSS_GRADCHECKS))
def test_loss_gradcheck_in_both_arguments(case):
    fn, make_target = LOSS_GRADCHECKS[case]
    input = tg.Tensor(rng().standard_normal((3, 2)), requires_grad=True)
    target = tg.Tensor(make_target(), requires_grad=True)
    assert tg.gradcheck(fn, [input, target])


def test_cross_entropy_and_nll_gradcheck_with_labels():
    logits = tg.Tensor(rng().standard_normal((4, 3)), requires_grad=True)
    labels = tg.Tensor([0, 2, 1, 2])
    weight = np.array([1.0, 2.0, 0.5])
    assert tg.gradcheck(lambda x: F.cross_entropy(x, labels, weight, label_smoothing=0.1), [logits])
    assert tg.gradcheck(lambda x: F.nll_loss(x.log_softmax(1), labels), [logits])


def test_losses_have_second_derivatives():
    logits = tg.Tensor(rng().standard_normal((4, 3)), requires_grad=True)
    labels = tg.Tensor([0, 2, 1, 2])
    assert tg.gradgradcheck(lambda x: F.cross_entropy(x, labels), [logits])
    target = tg.Tensor(rng(1).uniform(0, 1, (4, 3)))
    assert tg.gradgradcheck(lambda x: F.binary_cross_entropy(x.sigmoid(), target), [logits])


# ----- bad input ------------------------------------------------------------------------
@pytest.mark.parametrize("loss", [F.mse_loss, F.l1_loss, F.binary_cross_entropy])
def test_pairwise_losses_reject_mismatched_shapes_naming_both(loss):
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        loss(tg.rand(4, 1), tg.rand(4))


def test_cross_entropy_rejects_float_labels_naming_the_dtype():
    with pytest.raises(ValueError, match="float32"):
        F.cross_entropy(tg.randn(3, 2), tg.Tensor([0.0, 1.0, 1.0]))


def test_cross_entropy_rejects_label_shape_naming_both_shapes():
    with pytest.raises(ValueError, match=r"\(4,\).*\(3, 2\)"):
        F.cross_entropy(tg.randn(3, 2), tg.Tensor([0, 1, 1, 0]))


def test_cross_entropy_rejects_out_of_range_labels():
    with pytest.raises(ValueError, match="target 5 is out of bounds for 3 classes"):
        nn.CrossEntropyLoss()(tg.randn(2, 3), tg.Tensor([0, 5]))


def test_nll_loss_rejects_wrong_weight_length():
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        F.nll_loss(tg.randn(2, 3), tg.Tensor([0, 1]), weight=np.ones(2))


def test_cross_entropy_with_probabilities_rejects_wrong_weight_length():
    with pytest.raises(ValueError, match=r"\(4,\).*\(3,\)"):
        F.cross_entropy(tg.randn(2, 3), tg.rand(2, 3), weight=np.ones(4))


def test_unknown_reduction_is_rejected():
    with pytest.raises(ValueError, match="'average'"):
        nn.MSELoss(reduction="average")


def test_loss_of_float32_input_and_float64_numpy_target_stays_float32():
    loss = F.mse_loss(tg.randn(3), np.array([0.1, 0.2, 0.3]))
    assert loss.dtype == np.float32
