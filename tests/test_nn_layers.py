"""Layers of tinygrad_nn.nn against torch.nn with copied weights, plus gradchecks and init."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tinygrad_nn as tg
import tinygrad_nn.nn.functional as F
from tinygrad_nn import nn

torch = pytest.importorskip("torch")


def to_torch(module, torch_module):
    """Copy our weights into the torch twin through our state_dict (also proves the keys match)."""
    state = module.state_dict()
    torch_module.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in state.items()})
    return torch_module


def run_both(module, torch_module, x, dtype, index_input=False):
    """Forward and backward (with one random upstream gradient) through both modules."""
    if index_input:
        ours_in, theirs_in = tg.Tensor(x), torch.from_numpy(x)
    else:
        ours_in = tg.Tensor(x.astype(dtype), requires_grad=True)
        theirs_in = torch.tensor(x.astype(dtype), requires_grad=True)
    ours_out, theirs_out = module(ours_in), torch_module(theirs_in)
    upstream = np.random.default_rng(7).standard_normal(theirs_out.shape).astype(dtype)
    (ours_out * tg.Tensor(upstream)).sum().backward()
    (theirs_out * torch.from_numpy(upstream)).sum().backward()
    return ours_in, theirs_in, ours_out, theirs_out


def assert_same(module, torch_module, x, dtype=np.float64, index_input=False):
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)
    if dtype == np.float64:
        module.double()
        torch_module.double()
    to_torch(module, torch_module)
    ours_in, theirs_in, ours_out, theirs_out = run_both(module, torch_module, x, dtype, index_input)
    assert ours_out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(ours_out.numpy(), theirs_out.detach().numpy(), **tol)
    if not index_input:
        np.testing.assert_allclose(ours_in.grad.numpy(), theirs_in.grad.numpy(), **tol)
    torch_params = dict(torch_module.named_parameters())
    for name, param in module.named_parameters():
        np.testing.assert_allclose(
            param.grad.numpy(), torch_params[name].grad.numpy(), err_msg=name, **tol
        )


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


LAYER_CASES = {
    "linear": (lambda: nn.Linear(4, 3), lambda: torch.nn.Linear(4, 3), (5, 4)),
    "linear_no_bias": (
        lambda: nn.Linear(4, 3, bias=False),
        lambda: torch.nn.Linear(4, 3, bias=False),
        (5, 4),
    ),
    "linear_batched_3d": (lambda: nn.Linear(4, 2), lambda: torch.nn.Linear(4, 2), (2, 5, 4)),
    "relu": (nn.ReLU, torch.nn.ReLU, (3, 4)),
    "sigmoid": (nn.Sigmoid, torch.nn.Sigmoid, (3, 4)),
    "tanh": (nn.Tanh, torch.nn.Tanh, (3, 4)),
    "leaky_relu": (lambda: nn.LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2), (3, 4)),
    "gelu": (nn.GELU, torch.nn.GELU, (3, 4)),
    "gelu_tanh": (lambda: nn.GELU("tanh"), lambda: torch.nn.GELU("tanh"), (3, 4)),
    "softmax_axis1": (lambda: nn.Softmax(axis=1), lambda: torch.nn.Softmax(dim=1), (3, 4, 2)),
    "softmax_dim_keyword": (lambda: nn.Softmax(dim=-1), lambda: torch.nn.Softmax(dim=-1), (3, 4)),
    "log_softmax": (lambda: nn.LogSoftmax(1), lambda: torch.nn.LogSoftmax(dim=1), (3, 4)),
    "identity": (nn.Identity, torch.nn.Identity, (3, 4)),
    "flatten": (nn.Flatten, torch.nn.Flatten, (2, 3, 4, 5)),
    "flatten_dims": (
        lambda: nn.Flatten(start_dim=0, end_dim=2),
        lambda: torch.nn.Flatten(0, 2),
        (2, 3, 4, 5),
    ),
    "layer_norm": (lambda: nn.LayerNorm(5), lambda: torch.nn.LayerNorm(5), (3, 5)),
    "layer_norm_2d_shape": (
        lambda: nn.LayerNorm((4, 5)),
        lambda: torch.nn.LayerNorm((4, 5)),
        (2, 4, 5),
    ),
    "batch_norm_2d_input": (lambda: nn.BatchNorm1d(4), lambda: torch.nn.BatchNorm1d(4), (8, 4)),
    "batch_norm_3d_input": (lambda: nn.BatchNorm1d(4), lambda: torch.nn.BatchNorm1d(4), (6, 4, 5)),
    "conv2d": (lambda: nn.Conv2d(3, 4, 3), lambda: torch.nn.Conv2d(3, 4, 3), (2, 3, 7, 7)),
    "conv2d_stride_padding": (
        lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1),
        lambda: torch.nn.Conv2d(2, 3, 3, stride=2, padding=1),
        (2, 2, 8, 7),
    ),
    "conv2d_rect_kernel_no_bias": (
        lambda: nn.Conv2d(2, 3, (2, 3), stride=(1, 2), bias=False),
        lambda: torch.nn.Conv2d(2, 3, (2, 3), stride=(1, 2), bias=False),
        (3, 2, 6, 7),
    ),
    "max_pool": (lambda: nn.MaxPool2d(2), lambda: torch.nn.MaxPool2d(2), (2, 3, 6, 6)),
    "max_pool_overlapping": (
        lambda: nn.MaxPool2d(3, stride=2),
        lambda: torch.nn.MaxPool2d(3, stride=2),
        (2, 2, 7, 8),
    ),
    "max_pool_padding": (
        lambda: nn.MaxPool2d(3, stride=1, padding=1),
        lambda: torch.nn.MaxPool2d(3, stride=1, padding=1),
        (1, 2, 5, 5),
    ),
    "sequential_cnn": (
        lambda: nn.Sequential(
            nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3)
        ),
        lambda: torch.nn.Sequential(
            torch.nn.Conv2d(1, 2, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Flatten(),
            torch.nn.Linear(8, 3),
        ),
        (3, 1, 4, 4),
    ),
}


@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_layer_matches_torch_forward_and_backward_in_float64(case):
    make_ours, make_torch, shape = LAYER_CASES[case]
    assert_same(make_ours(), make_torch(), randn(*shape))


@pytest.mark.parametrize(
    "case", ["linear", "gelu", "layer_norm", "batch_norm_3d_input", "conv2d_stride_padding"]
)
def test_layer_matches_torch_in_float32(case):
    make_ours, make_torch, shape = LAYER_CASES[case]
    assert_same(make_ours(), make_torch(), randn(*shape), dtype=np.float32)


def test_embedding_matches_torch_and_accumulates_repeated_rows():
    indices = np.array([[1, 3, 3], [0, 9, 1]])
    ours, theirs = nn.Embedding(10, 4), torch.nn.Embedding(10, 4)
    assert_same(ours, theirs, indices, index_input=True)
    assert ours.weight.grad.numpy()[2].tolist() == [0.0] * 4


def test_linear_and_conv_default_init_is_uniform_within_inverse_sqrt_fan_in():
    tg.manual_seed(0)
    linear, conv = nn.Linear(50, 40), nn.Conv2d(3, 8, 5)
    for weight, bias, fan_in in [(linear.weight, linear.bias, 50), (conv.weight, conv.bias, 75)]:
        bound = 1 / math.sqrt(fan_in)
        for values in (weight.numpy(), bias.numpy()):
            assert values.dtype == np.float32
            assert np.all(np.abs(values) <= bound)
        # U(-b, b) has standard deviation b / sqrt(3); 2000 draws pin it within a few percent
        assert weight.numpy().std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
    assert linear.weight.shape == (40, 50) and linear.bias.shape == (40,)
    assert conv.weight.shape == (8, 3, 5, 5) and conv.bias.shape == (8,)


def test_same_seed_gives_same_initial_weights():
    tg.manual_seed(3)
    first = nn.Linear(4, 3).weight.numpy().copy()
    tg.manual_seed(3)
    np.testing.assert_array_equal(nn.Linear(4, 3).weight.numpy(), first)


# ----- batch norm ----------------------------------------------------------------------
def test_batch_norm_running_stats_and_eval_output_match_torch():
    ours, theirs = nn.BatchNorm1d(3).double(), torch.nn.BatchNorm1d(3).double()
    for step in range(3):
        x = randn(6, 3, 4, seed=step) * 2 + 1
        ours(tg.Tensor(x))
        theirs(torch.from_numpy(x))
    torch_state = theirs.state_dict()
    for name, value in ours.state_dict().items():
        np.testing.assert_allclose(value, torch_state[name].numpy(), rtol=1e-12, err_msg=name)
    assert ours.num_batches_tracked.item() == 3
    ours.eval()
    theirs.eval()
    x = randn(5, 3, 4, seed=9)
    assert_same(ours, theirs, x)


def test_batch_norm_with_momentum_none_uses_cumulative_average_like_torch():
    ours = nn.BatchNorm1d(2, momentum=None).double()
    theirs = torch.nn.BatchNorm1d(2, momentum=None).double()
    for step in range(4):
        x = randn(5, 2, seed=step)
        ours(tg.Tensor(x))
        theirs(torch.from_numpy(x))
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.running_mean.numpy(), theirs.running_mean.numpy(), rtol=1e-12)


def test_batch_norm_without_running_stats_normalises_with_batch_stats_in_eval():
    ours = nn.BatchNorm1d(2, affine=False, track_running_stats=False).double().eval()
    theirs = torch.nn.BatchNorm1d(2, affine=False, track_running_stats=False).double().eval()
    assert ours.state_dict() == {}
    assert_same(ours, theirs, randn(4, 2))


def test_batch_norm_rejects_wrong_channel_count_and_single_value_batches():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"\(4, 2\)"):
        bn(tg.randn(4, 2))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(tg.randn(1, 3))


def test_batch_norm_gradcheck_in_training_mode():
    x = tg.Tensor(randn(5, 3, 2), requires_grad=True)
    weight = tg.Tensor(randn(3, seed=1), requires_grad=True)
    bias = tg.Tensor(randn(3, seed=2), requires_grad=True)
    assert tg.gradcheck(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [x, weight, bias]
    )


def test_layer_norm_gradcheck_and_shape_error():
    x = tg.Tensor(randn(3, 4), requires_grad=True)
    weight = tg.Tensor(randn(4, seed=1), requires_grad=True)
    bias = tg.Tensor(randn(4, seed=2), requires_grad=True)
    assert tg.gradcheck(lambda x, w, b: F.layer_norm(x, 4, w, b), [x, weight, bias])
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(5,\)"):
        nn.LayerNorm(5)(tg.randn(3, 4))


# ----- convolution and pooling ----------------------------------------------------------
def test_conv2d_gradcheck_and_second_derivatives():
    x = tg.Tensor(randn(2, 2, 5, 4), requires_grad=True)
    weight = tg.Tensor(randn(3, 2, 2, 3, seed=1), requires_grad=True)
    bias = tg.Tensor(randn(3, seed=2), requires_grad=True)

    def conv(x, w, b):
        return F.conv2d(x, w, b, stride=(2, 1), padding=1)

    assert tg.gradcheck(conv, [x, weight, bias])
    assert tg.gradgradcheck(conv, [x, weight, bias])


def test_max_pool2d_gradcheck_and_second_derivatives():
    x = tg.Tensor(randn(2, 2, 5, 5), requires_grad=True)

    def pool(x):
        return F.max_pool2d(x, 3, stride=2, padding=1) ** 2

    assert tg.gradcheck(pool, [x])
    assert tg.gradgradcheck(pool, [x])


def conv_vs_torch(x, weight, bias, stride, padding):
    ours = [tg.Tensor(a, requires_grad=True) for a in (x, weight, bias)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, weight, bias)]
    out = F.conv2d(*ours, stride=stride, padding=padding)
    expected = torch.nn.functional.conv2d(*theirs, stride=stride, padding=padding)
    (out * out).sum().backward()
    (expected * expected).sum().backward()
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    for mine, reference in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(
            mine.grad.numpy(), reference.grad.numpy(), rtol=1e-10, atol=1e-11
        )


@settings(max_examples=25, deadline=None)
@given(
    batch=st.integers(1, 2),
    channels=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    image=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
)
def test_conv2d_matches_torch_for_any_geometry(batch, channels, image, kernel, stride, padding):
    assume(all(size + 2 * pad >= k for size, pad, k in zip(image, padding, kernel, strict=True)))
    data = np.random.default_rng(sum(image + kernel))
    x = data.standard_normal((batch, channels[0], *image))
    weight = data.standard_normal((channels[1], channels[0], *kernel))
    conv_vs_torch(x, weight, data.standard_normal(channels[1]), stride, padding)


@settings(max_examples=25, deadline=None)
@given(
    image=st.tuples(st.integers(1, 8), st.integers(1, 8)),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
)
def test_max_pool2d_matches_torch_for_any_geometry(image, kernel, stride, padding):
    assume(all(2 * pad <= k for pad, k in zip(padding, kernel, strict=True)))
    assume(all(size + 2 * pad >= k for size, pad, k in zip(image, padding, kernel, strict=True)))
    x_data = np.random.default_rng(sum(image + kernel)).standard_normal((2, 2, *image))
    x, tx = tg.Tensor(x_data, requires_grad=True), torch.tensor(x_data, requires_grad=True)
    out = F.max_pool2d(x, kernel, stride, padding)
    expected = torch.nn.functional.max_pool2d(tx, kernel, stride, padding)
    (out * out).sum().backward()
    (expected * expected).sum().backward()
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_max_pool2d_shares_the_gradient_among_tied_maxima():
    """Documented difference from PyTorch, which gives a tied window's gradient to one element."""
    x = tg.ones(1, 1, 2, 2, requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((1, 1, 2, 2), 0.25))


def test_conv2d_accepts_unbatched_chw_input_like_torch():
    conv = nn.Conv2d(2, 3, 2).double()
    x = randn(2, 4, 4)
    expected = to_torch(conv, torch.nn.Conv2d(2, 3, 2).double())(torch.from_numpy(x))
    np.testing.assert_allclose(conv(tg.Tensor(x)).numpy(), expected.detach().numpy(), rtol=1e-10)


def test_conv2d_errors_name_the_shapes():
    conv = nn.Conv2d(3, 4, 3)
    with pytest.raises(ValueError, match=r"\(4, 3, 3, 3\).*\(2, 2, 5, 5\)"):
        conv(tg.randn(2, 2, 5, 5))
    with pytest.raises(ValueError, match=r"kernel size 3 .* \(1, 3, 2, 2\)"):
        conv(tg.randn(1, 3, 2, 2))
    with pytest.raises(ValueError, match=r"\(5, 5\)"):
        conv(tg.randn(5, 5))


def test_conv2d_and_pool_reject_malformed_sizes():
    with pytest.raises(ValueError, match="stride"):
        nn.Conv2d(1, 1, 3, stride=1.5)
    with pytest.raises(ValueError, match="kernel_size"):
        nn.MaxPool2d((2, 2, 2))(tg.randn(1, 1, 4, 4))
    with pytest.raises(ValueError, match="at most half"):
        nn.MaxPool2d(2, padding=2)(tg.randn(1, 1, 4, 4))


def test_conv2d_on_a_large_batch_is_vectorised():
    """64 images of 28x28 through an 8-channel 3x3 convolution and back well under a second
    (a Python loop over pixels would take minutes)."""
    import time

    conv = nn.Conv2d(1, 8, 3, padding=1)
    x = tg.randn(64, 1, 28, 28)
    start = time.perf_counter()
    out = F.max_pool2d(conv(x).relu(), 2)
    out.sum().backward()
    assert out.shape == (64, 8, 14, 14)
    assert time.perf_counter() - start < 1.0


# ----- dropout and modes ----------------------------------------------------------------
def test_dropout_zeroes_about_p_and_scales_survivors_in_training():
    tg.manual_seed(0)
    x = tg.ones(200, 100)
    out = nn.Dropout(0.3)(x).numpy()
    kept = out != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.02)
    np.testing.assert_allclose(out[kept], 1 / 0.7)


def test_dropout_is_identity_in_eval_and_follows_the_seed():
    drop = nn.Dropout(0.5)
    x = tg.randn(4, 5)
    tg.manual_seed(1)
    first = drop(x).numpy()
    tg.manual_seed(1)
    np.testing.assert_array_equal(drop(x).numpy(), first)
    drop.eval()
    np.testing.assert_array_equal(drop(x).numpy(), x.numpy())


def test_dropout_gradient_uses_the_same_mask():
    tg.manual_seed(2)
    x = tg.randn(6, 7, requires_grad=True)
    out = F.dropout(x, 0.4)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), (out.numpy() != 0) / 0.6)


def test_dropout_rejects_probability_outside_unit_interval():
    with pytest.raises(ValueError, match="1.5"):
        nn.Dropout(1.5)


# ----- sequential -----------------------------------------------------------------------
def test_sequential_indexing_slicing_len_and_iteration():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3
    assert list(model) == layers
    assert model[0] is layers[0] and model[-1] is layers[2]
    tail = model[1:]
    assert isinstance(tail, nn.Sequential) and list(tail) == layers[1:]
    assert [name for name, _ in tail.named_parameters()] == ["2.weight", "2.bias"]
    with pytest.raises(IndexError, match="3"):
        model[3]


def test_sequential_rejects_non_modules():
    with pytest.raises(TypeError, match="function"):
        nn.Sequential(nn.ReLU(), lambda x: x)


def test_linear_rejects_wrong_feature_count_naming_shapes():
    with pytest.raises(ValueError, match=r"\(5, 3\).*\(2, 4\)"):
        nn.Linear(4, 2)(tg.randn(5, 3))


def test_embedding_rejects_float_and_out_of_range_indices():
    emb = nn.Embedding(5, 2)
    with pytest.raises(ValueError, match="float"):
        emb(tg.Tensor([0.0, 1.0]))
    with pytest.raises(IndexError, match="index 5"):
        emb(tg.Tensor([1, 5]))


# ----- init -----------------------------------------------------------------------------
def test_init_constant_fillers_work_in_place():
    w = nn.Parameter(tg.randn(3, 4))
    array = w.numpy()
    nn.init.zeros_(w)
    assert w.numpy() is array and not array.any()
    nn.init.ones_(w)
    assert np.all(array == 1)
    assert nn.init.constant_(w, 2.5) is w
    assert np.all(array == 2.5)


@pytest.mark.parametrize(
    "fill, expected_std",
    [
        (lambda w: nn.init.normal_(w, 1.0, 0.5), 0.5),
        (lambda w: nn.init.uniform_(w, -2.0, 2.0), 4 / math.sqrt(12)),
        (lambda w: nn.init.xavier_uniform_(w), math.sqrt(2 / (200 + 100))),
        (lambda w: nn.init.xavier_normal_(w, gain=2.0), 2 * math.sqrt(2 / (200 + 100))),
        (lambda w: nn.init.kaiming_uniform_(w, nonlinearity="relu"), math.sqrt(2 / 100)),
        (
            lambda w: nn.init.kaiming_normal_(w, mode="fan_out"),
            math.sqrt(2 / (1 + 0.0)) / math.sqrt(200),
        ),
        (
            lambda w: nn.init.kaiming_normal_(w, a=0.2, nonlinearity="leaky_relu"),
            math.sqrt(2 / (1 + 0.04)) / math.sqrt(100),
        ),
    ],
)
def test_random_initialisers_have_torch_standard_deviation(fill, expected_std):
    tg.manual_seed(0)
    w = nn.Parameter(tg.zeros(200, 100))
    fill(w)
    assert w.numpy().std() == pytest.approx(expected_std, rel=0.03)


def test_initialisers_follow_the_seed_and_keep_dtype():
    w = nn.Parameter(tg.zeros(3, 4, dtype=tg.float64))
    tg.manual_seed(5)
    first = nn.init.xavier_uniform_(w).numpy().copy()
    tg.manual_seed(5)
    np.testing.assert_array_equal(nn.init.xavier_uniform_(w).numpy(), first)
    assert w.dtype == np.float64


def test_init_gain_values_match_torch():
    for name, param in [("relu", None), ("tanh", None), ("leaky_relu", 0.2), ("sigmoid", None)]:
        assert nn.init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param)
        )


def test_fan_based_init_rejects_vectors():
    with pytest.raises(ValueError, match=r"\(5,\)"):
        nn.init.xavier_uniform_(nn.Parameter(tg.zeros(5)))
