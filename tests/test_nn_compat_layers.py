"""Layers, losses and functions PyTorch programs use, against torch in float64 (rtol 1e-10),
with gradchecks for the differentiable ones."""

import numpy as np
import pytest
import torch

import tinygrad_nn as tg
import tinygrad_nn.nn.functional as F
from tinygrad_nn import nn

TF = torch.nn.functional


def close(ours, theirs, rtol=1e-10):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    np.testing.assert_allclose(np.asarray(ours.numpy()), theirs, rtol=rtol, atol=1e-12)


def pair(array, requires_grad=True):
    """The same float64 data as a tinygrad_nn and a torch tensor."""
    return (tg.Tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))  # fmt: skip


def check_function(ours_fn, theirs_fn, *arrays, seed=0):
    """Forward and input gradients (for a random output weighting) of two functions agree."""
    ours_inputs, theirs_inputs = zip(*(pair(a) for a in arrays), strict=True)
    out, their_out = ours_fn(*ours_inputs), theirs_fn(*theirs_inputs)
    close(out, their_out)
    weights = np.random.default_rng(seed).standard_normal(out.shape)
    (out * tg.Tensor(weights)).sum().backward()
    (their_out * torch.from_numpy(weights)).sum().backward()
    for mine, reference in zip(ours_inputs, theirs_inputs, strict=True):
        close(mine.grad, reference.grad)


def copied(ours, theirs):
    """`ours` in float64 and `theirs` (a torch module) holding the same weights and buffers."""
    ours = ours.double()
    theirs = theirs.double()
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def images(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# ----- batch normalisation ----------------------------------------------------------------
@pytest.mark.parametrize(
    "options",
    [{}, {"momentum": None}, {"momentum": 0.3, "eps": 1e-3}, {"affine": False},
     {"track_running_stats": False}],
)  # fmt: skip
def test_batchnorm2d_follows_torch_through_training_steps_then_eval(options):
    ours, theirs = copied(nn.BatchNorm2d(3, **options), torch.nn.BatchNorm2d(3, **options))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    rng = np.random.default_rng(0)
    for step in range(4):
        x = rng.standard_normal((4, 3, 5, 2)) * (step + 1) + step
        x_ours, x_theirs = pair(x)
        out, their_out = ours(x_ours), theirs(x_theirs)
        close(out, their_out)
        weights = rng.standard_normal(out.shape)
        (out * tg.Tensor(weights)).sum().backward()
        (their_out * torch.from_numpy(weights)).sum().backward()
        close(x_ours.grad, x_theirs.grad)
        for name, param in ours.named_parameters():
            close(param.grad, dict(theirs.named_parameters())[name].grad)
        for name, buffer in ours.named_buffers():  # unbiased running_var, the step count
            np.testing.assert_allclose(buffer.numpy(), theirs.get_buffer(name).numpy(),
                                       rtol=1e-12)  # fmt: skip
    ours.eval()
    theirs.eval()
    x = rng.standard_normal((2, 3, 5, 2))
    close(ours(tg.Tensor(x)), theirs(torch.from_numpy(x)))


def test_batchnorm_state_goes_to_torch_and_back_with_buffers():
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU())
    model(tg.randn(4, 2, 5, 5))  # one training step moves the running statistics
    twin = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3), torch.nn.ReLU())
    twin.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in model.state_dict().items()})
    assert int(twin[1].num_batches_tracked) == 1
    back = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU())
    back.load_state_dict(twin.state_dict())
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[name], value)
    assert dict(back.named_buffers()).keys() == {
        "1.running_mean", "1.running_var", "1.num_batches_tracked"
    }


def test_batchnorm2d_gradcheck_in_training_mode_and_shape_error():
    x = tg.Tensor(images((3, 2, 2, 2)), requires_grad=True)
    weight = tg.Tensor([1.5, -0.5], dtype=tg.float64, requires_grad=True)
    bias = tg.Tensor([0.1, 0.2], dtype=tg.float64, requires_grad=True)
    assert tg.gradcheck(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [x, weight, bias]
    )
    with pytest.raises(ValueError, match=r"BatchNorm2d\(2\) expects input of shape \(N, 2, H, W\)"):
        nn.BatchNorm2d(2)(tg.randn(3, 2))


def test_batchnorm1d_options_follow_torch():
    ours, theirs = copied(nn.BatchNorm1d(4, momentum=0.5, eps=1e-2, affine=False),
                          torch.nn.BatchNorm1d(4, momentum=0.5, eps=1e-2, affine=False))
    x = images((6, 4, 3))
    close(ours(tg.Tensor(x)), theirs(torch.from_numpy(x)))
    close(ours.running_var, theirs.running_var)


# ----- convolution ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "options",
    [{}, {"stride": 2}, {"padding": 2}, {"padding": "same"}, {"padding": "valid"},
     {"bias": False, "stride": 3, "padding": 1}],
)  # fmt: skip
@pytest.mark.parametrize("kernel", [3, 4])
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")  # torch's own note
def test_conv1d_matches_torch(options, kernel):
    ours, theirs = copied(nn.Conv1d(2, 3, kernel, **options),
                          torch.nn.Conv1d(2, 3, kernel, **options))  # fmt: skip
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
    ]
    x_ours, x_theirs = pair(images((2, 2, 9)))
    out, their_out = ours(x_ours), theirs(x_theirs)
    close(out, their_out)
    (out * out).sum().backward()
    (their_out * their_out).sum().backward()
    close(x_ours.grad, x_theirs.grad)
    close(ours.weight.grad, theirs.weight.grad)


def test_conv1d_gradcheck_and_unbatched_input():
    x = tg.Tensor(images((1, 2, 6)), requires_grad=True)
    w = tg.Tensor(images((3, 2, 3), seed=1), requires_grad=True)
    b = tg.Tensor(images((3,), seed=2), requires_grad=True)
    assert tg.gradcheck(lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1), [x, w, b])
    assert tg.gradcheck(lambda x, w: F.conv1d(x, w, padding="same"), [x, w])
    assert F.conv1d(x[0], w).shape == (3, 4)


@pytest.mark.parametrize("kernel", [(3, 3), (2, 4), (1, 2)])
def test_conv2d_padding_same_keeps_the_size_as_torch(kernel):
    ours, theirs = copied(nn.Conv2d(2, 3, kernel, padding="same", bias=False),
                          torch.nn.Conv2d(2, 3, kernel, padding="same", bias=False))
    x_ours, x_theirs = pair(images((2, 2, 5, 6)))
    out, their_out = ours(x_ours), theirs(x_theirs)
    assert out.shape == (2, 3, 5, 6)
    close(out, their_out)
    out.sum().backward()
    their_out.sum().backward()
    close(x_ours.grad, x_theirs.grad)
    close(ours.weight.grad, theirs.weight.grad)
    assert repr(ours) == repr(theirs)


def test_conv_options_not_implemented_say_so():
    with pytest.raises(NotImplementedError, match="groups=2"):
        nn.Conv2d(2, 2, 3, groups=2)
    with pytest.raises(NotImplementedError, match="dilation"):
        nn.Conv1d(2, 2, 3, dilation=2)
    with pytest.raises(ValueError, match="stride 1"):
        F.conv2d(tg.randn(1, 1, 4, 4), tg.randn(1, 1, 3, 3), stride=2, padding="same")


# ----- pooling ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "options",
    [{"kernel_size": 2}, {"kernel_size": 3}, {"kernel_size": (2, 3), "stride": 1},
     {"kernel_size": 3, "stride": 2, "padding": 1},
     {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
     {"kernel_size": 3, "stride": 2, "ceil_mode": True},
     {"kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
     {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
     {"kernel_size": 2, "divisor_override": 3}],
)  # fmt: skip
def test_avg_pool2d_matches_torch(options):
    check_function(lambda x: nn.AvgPool2d(**options)(x),
                   lambda x: torch.nn.AvgPool2d(**options)(x), images((2, 3, 7, 6)))  # fmt: skip


@pytest.mark.parametrize("size", [1, (2, 3), (3, 4), (None, 2), (7, 6), (5, 1)])
def test_adaptive_avg_pool2d_matches_torch(size):
    check_function(lambda x: nn.AdaptiveAvgPool2d(size)(x),
                   lambda x: torch.nn.AdaptiveAvgPool2d(size)(x), images((2, 3, 7, 6)))


def test_pooling_gradchecks_and_unbatched_input():
    x = tg.Tensor(images((1, 2, 5, 5)), requires_grad=True)
    assert tg.gradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True), [x])
    assert tg.gradcheck(lambda x: F.avg_pool2d(x, 2), [x])
    assert tg.gradcheck(lambda x: F.adaptive_avg_pool2d(x, (2, 3)), [x])
    assert F.adaptive_avg_pool2d(x[0], 1).shape == (2, 1, 1)


def test_max_pool2d_with_padding_matches_torch():
    check_function(lambda x: nn.MaxPool2d(3, 2, padding=1)(x),
                   lambda x: torch.nn.MaxPool2d(3, 2, padding=1)(x), images((2, 2, 6, 5)))


def test_pool_errors_name_the_problem():
    with pytest.raises(ValueError, match="at most half the kernel"):
        F.avg_pool2d(tg.randn(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(ValueError, match="larger than the padded input"):
        F.avg_pool2d(tg.randn(1, 1, 2, 2), 3)
    with pytest.raises(NotImplementedError, match="ceil_mode"):
        nn.MaxPool2d(2, ceil_mode=True)


# ----- shapes, activations, dropout ---------------------------------------------------------
def test_unflatten_flatten_softmax_as_torch():
    check_function(lambda x: nn.Unflatten(1, (2, -1))(x),
                   lambda x: torch.nn.Unflatten(1, (2, -1))(x), images((3, 8)))  # fmt: skip
    check_function(lambda x: nn.Softmax(dim=1)(x), lambda x: torch.nn.Softmax(dim=1)(x),
                   images((3, 4, 2)))  # fmt: skip
    check_function(lambda x: nn.Flatten()(x), lambda x: torch.nn.Flatten()(x), images((2, 3, 4)))
    assert repr(nn.Unflatten(1, (2, 4))) == repr(torch.nn.Unflatten(1, (2, 4)))


def test_inplace_flags_are_accepted_and_give_the_same_values():
    x = images((3, 4))
    close(nn.ReLU(inplace=True)(tg.Tensor(x)), torch.nn.ReLU()(torch.from_numpy(x)))
    close(F.relu(tg.Tensor(x), inplace=True), TF.relu(torch.from_numpy(x)))
    close(nn.LeakyReLU(0.2, inplace=True)(tg.Tensor(x)), TF.leaky_relu(torch.from_numpy(x), 0.2))
    assert nn.Dropout(0.3, inplace=True).p == 0.3


def test_dropout2d_zeroes_whole_channels_and_is_identity_in_eval():
    tg.manual_seed(0)
    layer = nn.Dropout2d(0.5)
    x = tg.ones(8, 16, 3, 3, dtype=tg.float64)
    out = layer(x).numpy()
    per_channel = out.reshape(8, 16, 9)
    assert set(np.unique(per_channel)) == {0.0, 2.0}
    assert (per_channel.min(axis=2) == per_channel.max(axis=2)).all()  # all of a channel alike
    assert 0.3 < (per_channel[:, :, 0] == 0).mean() < 0.7
    layer.eval()
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())


def test_layernorm_without_affine_matches_torch():
    check_function(lambda x: nn.LayerNorm(4, elementwise_affine=False)(x),
                   lambda x: torch.nn.LayerNorm(4, elementwise_affine=False)(x), images((3, 4)))


# ----- embedding --------------------------------------------------------------------------
def test_embedding_padding_idx_starts_at_zero_and_gets_no_gradient_as_torch():
    ours, theirs = copied(nn.Embedding(6, 3, padding_idx=2),
                          torch.nn.Embedding(6, 3, padding_idx=2))  # fmt: skip
    np.testing.assert_array_equal(ours.weight.numpy()[2], 0.0)
    with tg.no_grad():  # a nonzero padding row is returned as it is, but still not trained
        ours.weight[2] = 1.5
    with torch.no_grad():
        theirs.weight[2] = 1.5
    indices = np.array([[0, 2, 5], [2, 2, 1]])
    out, their_out = ours(tg.Tensor(indices)), theirs(torch.from_numpy(indices))
    close(out, their_out)
    (out * out).sum().backward()
    (their_out * their_out).sum().backward()
    close(ours.weight.grad, theirs.weight.grad)
    assert repr(ours) == repr(theirs)
    assert nn.Embedding(4, 2, padding_idx=-1).padding_idx == 3


def test_functional_embedding_matches_torch():
    weight = images((5, 3))
    indices = np.array([4, 0, 4])
    check_function(lambda w: F.embedding(tg.Tensor(indices), w, padding_idx=0),
                   lambda w: TF.embedding(torch.from_numpy(indices), w, padding_idx=0), weight)


# ----- losses -----------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("beta", [1.0, 0.5, 0.0])
def test_smooth_l1_loss_matches_torch(reduction, beta):
    x, y = images((4, 5)), images((4, 5), seed=1)
    check_function(lambda a, b: nn.SmoothL1Loss(reduction, beta)(a, b),
                   lambda a, b: torch.nn.SmoothL1Loss(reduction=reduction, beta=beta)(a, b), x, y)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("delta", [1.0, 0.3, 2.5])
def test_huber_loss_matches_torch(reduction, delta):
    x, y = images((4, 5)) * 2, images((4, 5), seed=1)
    check_function(lambda a, b: nn.HuberLoss(reduction, delta)(a, b),
                   lambda a, b: torch.nn.HuberLoss(reduction=reduction, delta=delta)(a, b), x, y)


@pytest.mark.parametrize("reduction", ["batchmean", "mean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")  # torch's advice to use batchmean
def test_kl_div_matches_torch(reduction, log_target):
    rng = np.random.default_rng(0)
    log_probs = np.log(rng.dirichlet(np.ones(5), size=4))
    target = rng.dirichlet(np.ones(5), size=4)
    target[0, 1] = 0.0  # a zero target contributes 0, not nan
    if log_target:
        target = np.log(target + 0.1)
        check_function(lambda a, b: nn.KLDivLoss(reduction, log_target=True)(a, b),
                       lambda a, b: torch.nn.KLDivLoss(reduction=reduction, log_target=True)(a, b),
                       log_probs, target)  # fmt: skip
    else:  # the target as data: at a zero target torch's gradient in it is nan (log 0)
        their_target = torch.from_numpy(target)
        check_function(lambda a: nn.KLDivLoss(reduction)(a, tg.Tensor(target)),
                       lambda a: torch.nn.KLDivLoss(reduction=reduction)(a, their_target),
                       log_probs)  # fmt: skip


def test_loss_gradchecks():
    x = tg.Tensor(images((3, 4)), requires_grad=True)
    y = tg.Tensor(images((3, 4), seed=1), requires_grad=True)
    target = tg.Tensor(np.random.default_rng(2).dirichlet(np.ones(4), size=3), requires_grad=True)
    assert tg.gradcheck(lambda a, b: F.smooth_l1_loss(a, b, beta=0.7), [x, y])
    assert tg.gradcheck(lambda a, b: F.huber_loss(a, b, delta=0.4), [x, y])
    assert tg.gradcheck(lambda a, t: F.kl_div(a, t, reduction="batchmean"), [x, target])
    with pytest.raises(ValueError, match="batchmean"):
        F.kl_div(x, target, reduction="average")


# ----- functional --------------------------------------------------------------------------
def test_one_hot_matches_torch():
    labels = np.array([[0, 3], [2, 1]])
    for classes in (-1, 5):
        ours = F.one_hot(tg.Tensor(labels), classes)
        theirs = TF.one_hot(torch.from_numpy(labels), classes)
        assert ours.dtype == np.int64
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    with pytest.raises(ValueError, match="label 3 is out of range for 3 classes"):
        F.one_hot(tg.Tensor(labels), 3)
    with pytest.raises(ValueError, match="integers"):
        F.one_hot(tg.Tensor([0.0, 1.0]))


@pytest.mark.parametrize(
    "widths, mode",
    [((1, 2), "constant"), ((1, 0, 2, 3), "constant"), ((-1, 2, 0, -2), "constant"),
     ((2, 1, 1, 2), "reflect"), ((2, 3, 0, 1), "replicate"), ((1, 2, 3, 1), "circular")],
)  # fmt: skip
def test_pad_takes_torchs_last_axis_first_widths(widths, mode):
    check_function(lambda x: F.pad(x, widths, mode=mode), lambda x: TF.pad(x, widths, mode=mode),
                   images((2, 3, 4, 5)))  # fmt: skip


def test_pad_value_and_errors():
    x = images((2, 3))
    close(F.pad(tg.Tensor(x), (1, 1), value=-2.0), TF.pad(torch.from_numpy(x), (1, 1), value=-2.0))
    with pytest.raises(ValueError, match="even number"):
        F.pad(tg.Tensor(x), (1,))
    with pytest.raises(ValueError, match="reflect padding of \\(3, 0\\)"):
        F.pad(tg.Tensor(x), (3, 0), mode="reflect")


@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, 0), (3.0, -1)])
def test_normalize_matches_torch_including_a_zero_row(p, dim):
    x = images((4, 3))
    x[1] = 0.0
    x[:, 2] = 0.0
    check_function(lambda t: F.normalize(t, p=p, dim=dim),
                   lambda t: TF.normalize(t, p=p, dim=dim), x)  # fmt: skip
    x_tg = tg.Tensor(images((3, 4)), requires_grad=True)
    assert tg.gradcheck(lambda t: F.normalize(t, p=p, dim=dim), [x_tg])


# ----- dtypes -------------------------------------------------------------------------------
def test_layer_on_another_dtype_raises_saying_which_dtype_to_use():
    message = r"float64 .* float32; convert the input with x\.float\(\)"
    with pytest.raises(RuntimeError, match=message):
        nn.Linear(3, 2)(tg.Tensor(np.ones((1, 3))))
    with pytest.raises(RuntimeError, match=r"x\.double\(\)"):
        nn.Linear(3, 2).double()(tg.ones(1, 3))
    with pytest.raises(RuntimeError, match="conv2d: input dtype float64"):
        nn.Conv2d(1, 1, 2)(tg.Tensor(np.ones((1, 1, 3, 3))))
    with pytest.raises(RuntimeError, match="int64"):
        nn.Linear(3, 2)(tg.Tensor(np.ones((1, 3), dtype=np.int64)))


def test_factory_keywords_dtype_and_device_as_torch():
    layer = nn.Linear(3, 2, dtype=tg.float64)
    assert layer.weight.dtype == np.float64
    assert nn.LSTM(2, 3, device="cpu", dtype=tg.float64).weight_ih_l0.dtype == np.float64
    assert nn.Conv1d(1, 2, 3, dtype=tg.float64).bias.dtype == np.float64


# ----- more activations and 1-D pooling ------------------------------------------------------
@pytest.mark.parametrize(
    "ours, theirs",
    [(nn.ELU(), torch.nn.ELU()), (nn.ELU(0.5), torch.nn.ELU(0.5)), (nn.SiLU(), torch.nn.SiLU()),
     (nn.Mish(), torch.nn.Mish()), (nn.Softplus(2.0, 5.0), torch.nn.Softplus(2.0, 5.0)),
     (nn.Hardtanh(-0.5, 2.0), torch.nn.Hardtanh(-0.5, 2.0)), (nn.ReLU6(), torch.nn.ReLU6())],
    ids=lambda layer: repr(layer),
)  # fmt: skip
def test_activations_match_torch(ours, theirs):
    x = images((4, 5)) * 4
    x[0, 0] = 800.0  # exp of it would overflow: no nan may leak into the gradient
    check_function(ours, theirs, x)
    assert repr(ours) == repr(theirs)


def test_activation_gradchecks():
    x = tg.Tensor(images((3, 4)) * 2, requires_grad=True)
    for fn in (F.elu, F.silu, F.mish, lambda t: F.softplus(t, 2.0)):
        assert tg.gradcheck(fn, [x])


@pytest.mark.parametrize(
    "ours, theirs",
    [(nn.MaxPool1d(2), torch.nn.MaxPool1d(2)), (nn.MaxPool1d(3, 2, 1), torch.nn.MaxPool1d(3, 2, 1)),
     (nn.AvgPool1d(3), torch.nn.AvgPool1d(3)),
     (nn.AvgPool1d(3, 2, 1, count_include_pad=False),
      torch.nn.AvgPool1d(3, 2, 1, count_include_pad=False)),
     (nn.AdaptiveAvgPool1d(4), torch.nn.AdaptiveAvgPool1d(4))],
    ids=lambda layer: repr(layer),
)  # fmt: skip
def test_pool1d_matches_torch(ours, theirs):
    check_function(ours, theirs, images((2, 3, 9)))
    check_function(ours, theirs, images((3, 9)))  # unbatched


def test_embedding_from_pretrained_is_frozen_unless_asked():
    table = images((4, 3))
    frozen = nn.Embedding.from_pretrained(tg.Tensor(table))
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(tg.Tensor([3, 0])).numpy(), table[[3, 0]])
    trained = nn.Embedding.from_pretrained(tg.Tensor(table), freeze=False, padding_idx=0)
    assert trained.weight.requires_grad and trained.padding_idx == 0


@pytest.mark.parametrize(
    "args, options",
    [((3, 2, 4), {"stride": 2, "padding": 1}),
     ((3, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1, "bias": False}),
     ((3, 2, (2, 3)), {}), ((2, 4, 3), {"stride": (1, 3), "padding": (0, 1)})],
)  # fmt: skip
def test_conv_transpose2d_matches_torch(args, options):
    ours, theirs = copied(nn.ConvTranspose2d(*args, **options),
                          torch.nn.ConvTranspose2d(*args, **options))  # fmt: skip
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
    ]
    assert repr(ours) == repr(theirs)
    x_ours, x_theirs = pair(images((2, args[0], 5, 4)))
    out, their_out = ours(x_ours), theirs(x_theirs)
    close(out, their_out)
    (out * out).sum().backward()
    (their_out * their_out).sum().backward()
    close(x_ours.grad, x_theirs.grad)
    for name, param in ours.named_parameters():
        close(param.grad, dict(theirs.named_parameters())[name].grad)


def test_conv_transpose2d_gradcheck_and_default_init_bounds():
    x = tg.Tensor(images((1, 2, 3, 3)), requires_grad=True)
    w = tg.Tensor(images((2, 3, 3, 3), seed=1), requires_grad=True)
    b = tg.Tensor(images((3,), seed=2), requires_grad=True)
    assert tg.gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1), [x, w, b])
    tg.manual_seed(0)
    layer = nn.ConvTranspose2d(16, 2, 3)  # fan_in is weight.shape[1] * k * k = 18, as torch's
    assert np.abs(layer.bias.numpy()).max() <= 1 / np.sqrt(18)
    assert np.abs(layer.weight.numpy()).max() <= 1 / np.sqrt(18)
    assert np.abs(layer.weight.numpy()).max() > 0.9 / np.sqrt(18)
    with pytest.raises(ValueError, match="output_padding"):
        F.conv_transpose2d(x, w, stride=2, output_padding=2)


# ----- resizing -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape, options",
    [((2, 3, 5, 4), {"scale_factor": 2}), ((2, 3, 5, 4), {"size": (7, 3)}),
     ((2, 3, 5, 4), {"scale_factor": (0.5, 1.5)}),
     ((2, 3, 5, 4), {"scale_factor": 2, "mode": "bilinear"}),
     ((2, 3, 5, 4), {"size": (7, 9), "mode": "bilinear"}),
     ((2, 3, 5, 4), {"size": (3, 2), "mode": "bilinear", "align_corners": True}),
     ((2, 3, 5, 4), {"size": (8, 6), "mode": "bilinear", "align_corners": True}),
     ((2, 3, 5, 4), {"scale_factor": 1.7, "mode": "bilinear"}),
     ((2, 3, 6), {"size": 9, "mode": "linear"}), ((2, 3, 6), {"scale_factor": 3}),
     ((1, 2, 3, 4, 2), {"scale_factor": 2, "mode": "trilinear"})],
)  # fmt: skip
def test_interpolate_matches_torch(shape, options):
    check_function(lambda x: F.interpolate(x, **options),
                   lambda x: TF.interpolate(x, **options), images(shape))  # fmt: skip


def test_upsample_module_gradcheck_repr_and_errors():
    x = tg.Tensor(images((1, 2, 3, 3)), requires_grad=True)
    assert tg.gradcheck(nn.Upsample(size=(5, 4), mode="bilinear"), [x])
    assert tg.gradcheck(nn.Upsample(scale_factor=2), [x])
    assert repr(nn.Upsample(scale_factor=2)) == repr(torch.nn.Upsample(scale_factor=2))
    with pytest.raises(ValueError, match="exactly one of size and scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="'trilinear' does not fit"):
        F.interpolate(x, scale_factor=2, mode="trilinear")


@pytest.mark.parametrize("shapes, dim", [(((4, 3), (4, 3)), 1), (((4, 3), (1, 3)), 1),
                                         (((2, 3, 5), (2, 3, 5)), -1)])  # fmt: skip
def test_cosine_similarity_matches_torch(shapes, dim):
    check_function(lambda a, b: nn.CosineSimilarity(dim)(a, b),
                   lambda a, b: torch.nn.CosineSimilarity(dim)(a, b),
                   images(shapes[0]), images(shapes[1], seed=1))  # fmt: skip


def test_gradchecks_of_shape_and_lookup_functions():
    x = tg.Tensor(images((2, 3, 4)), requires_grad=True)
    for mode in ("constant", "reflect", "replicate", "circular"):
        widths = (2, -1, 1, 0) if mode == "constant" else (2, 1, 1, 2)
        assert tg.gradcheck(lambda t, m=mode, w=widths: F.pad(t, w, mode=m), [x])
    assert tg.gradcheck(lambda t: nn.Unflatten(2, (2, 2))(t), [x])
    assert tg.gradcheck(lambda a, b: F.cosine_similarity(a, b, dim=2), [x, x * 0.5 + 1])
    # the padding row's gradient is zero by design (not the derivative), so it is not looked up
    weight = tg.Tensor(images((5, 3)), requires_grad=True)
    assert tg.gradcheck(lambda w: F.embedding(tg.Tensor([[1, 4], [4, 0]]), w, padding_idx=2),
                        [weight])  # fmt: skip
