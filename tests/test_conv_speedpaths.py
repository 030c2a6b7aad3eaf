"""The fast paths of conv2d and max_pool2d: batch-last layout, the conv / conv_transpose /
weight_grad trio, and the tiled max-pool, checked against numerical and PyTorch derivatives."""

import tracemalloc

import numpy as np
import pytest

import tinygrad_nn as tg
import tinygrad_nn.nn.functional as F

torch = pytest.importorskip("torch")


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def leaf(array):
    return tg.Tensor(np.array(array), requires_grad=True)


# (batch, in, out, image (H, W), kernel, stride, padding): odd sizes, rectangular kernels,
# strides that skip pixels or leave the last rows unread, padding on one axis only
CONV_CASES = [
    (2, 3, 4, (7, 5), (3, 3), (1, 1), (1, 1)),
    (1, 2, 3, (6, 7), (2, 3), (2, 1), (0, 2)),
    (3, 1, 2, (5, 5), (1, 1), (2, 2), (0, 0)),
    (2, 2, 2, (8, 6), (3, 2), (3, 2), (1, 0)),
    (1, 3, 1, (4, 4), (4, 4), (1, 1), (2, 2)),
]
CONV_IDS = [f"{c[3]}k{c[4]}s{c[5]}p{c[6]}" for c in CONV_CASES]


def conv_inputs(batch, c_in, c_out, image, kernel):
    return (
        leaf(randn(batch, c_in, *image)),
        leaf(randn(c_out, c_in, *kernel, seed=1)),
        leaf(randn(c_out, seed=2)),
    )


# ----- every new op passes gradcheck and gradgradcheck in float64 -----------------------
@pytest.mark.parametrize("case", CONV_CASES, ids=CONV_IDS)
def test_conv2d_passes_gradcheck_and_gradgradcheck(case):
    batch, c_in, c_out, image, kernel, stride, padding = case
    inputs = conv_inputs(batch, c_in, c_out, image, kernel)

    def conv(x, w, b):
        return F.conv2d(x, w, b, stride=stride, padding=padding)

    assert tg.gradcheck(conv, inputs)
    assert tg.gradgradcheck(conv, inputs)


@pytest.mark.parametrize("case", CONV_CASES[:3], ids=CONV_IDS[:3])
def test_conv_transpose_and_weight_grad_pass_gradcheck_and_gradgradcheck(case):
    """The two gradient ops of a convolution are ops in their own right (third derivatives)."""
    batch, c_in, c_out, image, kernel, stride, padding = case
    geometry = (kernel, stride, padding)
    x, weight, _ = conv_inputs(batch, c_in, c_out, image, kernel)
    out_shape = F.conv2d(x, weight, stride=stride, padding=padding).shape
    grad = leaf(randn(*out_shape, seed=3))

    def transpose(g, w):
        return F._conv_transpose2d(g, w, x.shape, geometry)

    def weight_grad(images, g):
        return F._conv2d_weight_grad(images, g, geometry)

    for fn, inputs in ((transpose, [grad, weight]), (weight_grad, [x, grad])):
        assert tg.gradcheck(fn, inputs)
        assert tg.gradgradcheck(fn, inputs)


def test_im2col_and_col2im_pass_gradcheck_and_gradgradcheck():
    geometry = ((2, 3), (2, 1), (1, 0))
    x = leaf(randn(2, 2, 5, 6))
    columns = leaf(randn(*F._im2col(x, geometry).shape, seed=1))
    assert tg.gradcheck(lambda x: F._im2col(x, geometry), [x])
    assert tg.gradgradcheck(lambda x: F._im2col(x, geometry) ** 2, [x])
    assert tg.gradcheck(lambda c: F._col2im(c, x.shape, geometry), [columns])
    assert tg.gradgradcheck(lambda c: F._col2im(c, x.shape, geometry) ** 2, [columns])


# (image, kernel, stride, padding): tiles (stride == kernel) that fit, tiles that leave rows
# and columns unread, and the general path with overlapping or padded windows
POOL_CASES = [
    ((6, 4), 2, None, 0),
    ((7, 5), (2, 3), None, 0),
    ((5, 5), 2, None, 1),
    ((7, 6), 3, 2, 1),
    ((5, 7), (2, 3), (1, 2), 0),
]
POOL_IDS = [f"{c[0]}k{c[1]}s{c[2]}p{c[3]}" for c in POOL_CASES]


@pytest.mark.parametrize("case", POOL_CASES, ids=POOL_IDS)
def test_max_pool2d_passes_gradcheck_and_gradgradcheck(case):
    image, kernel, stride, padding = case
    x = leaf(randn(2, 3, *image))  # continuous values: no ties, so differentiable

    def pool(x):
        return F.max_pool2d(x, kernel, stride, padding) ** 2

    assert tg.gradcheck(pool, [x])
    assert tg.gradgradcheck(pool, [x])


# ----- values, first and second derivatives against PyTorch -----------------------------
def assert_derivatives_match(ours_fn, theirs_fn, arrays, rtol=1e-10, atol=1e-10):
    """Values, gradients and Hessian-vector products of sum(tanh(f(...)) * u) agree."""
    ours = [leaf(a) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = ours_fn(*ours), theirs_fn(*theirs)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=rtol, atol=atol)

    upstream = randn(*out.shape, seed=5)
    loss = (out.tanh() * tg.Tensor(upstream)).sum()
    torch_loss = (expected.tanh() * torch.from_numpy(upstream)).sum()
    grads = tg.grad(loss, ours, create_graph=True)
    torch_grads = torch.autograd.grad(torch_loss, theirs, create_graph=True)
    for mine, reference in zip(grads, torch_grads, strict=True):
        np.testing.assert_allclose(
            mine.numpy(), reference.detach().numpy(), rtol=rtol, atol=atol
        )

    directions = [randn(*a.shape, seed=10 + i) for i, a in enumerate(arrays)]
    along = sum((g * tg.Tensor(d)).sum() for g, d in zip(grads, directions, strict=True))
    torch_along = sum(
        (g * torch.from_numpy(d)).sum() for g, d in zip(torch_grads, directions, strict=True)
    )
    hvp, torch_hvp = tg.grad(along, ours), torch.autograd.grad(torch_along, theirs)
    for mine, reference in zip(hvp, torch_hvp, strict=True):
        np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("case", CONV_CASES, ids=CONV_IDS)
def test_conv2d_values_gradients_and_second_derivatives_match_torch(case):
    batch, c_in, c_out, image, kernel, stride, padding = case
    arrays = [a.numpy() for a in conv_inputs(batch, c_in, c_out, image, kernel)]
    assert_derivatives_match(
        lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=padding),
        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, stride=stride, padding=padding),
        arrays,
    )


@pytest.mark.parametrize("case", POOL_CASES, ids=POOL_IDS)
def test_max_pool2d_values_gradients_and_second_derivatives_match_torch(case):
    image, kernel, stride, padding = case
    torch_stride = kernel if stride is None else stride  # torch's default is the kernel too
    assert_derivatives_match(
        lambda x: F.max_pool2d(x, kernel, stride, padding),
        lambda x: torch.nn.functional.max_pool2d(x, kernel, torch_stride, padding),
        [randn(2, 3, *image)],
    )


def test_unbatched_chw_input_matches_torch():
    x, weight, bias = randn(2, 5, 6), randn(3, 2, 3, 3, seed=1), randn(3, seed=2)
    assert_derivatives_match(
        lambda x, w, b: F.max_pool2d(F.conv2d(x, w, b, padding=1).relu(), 2),
        lambda x, w, b: torch.nn.functional.max_pool2d(
            torch.nn.functional.conv2d(x, w, b, padding=1).relu(), 2
        ),
        [x, weight, bias],
        rtol=1e-9,
    )


# ----- ties in max-pool: the gradient is shared equally among the tied maxima -----------
def shared_max_gradient(x, kernel, stride):
    """Reference by loops: each window's unit gradient split equally among its maxima."""
    (kh, kw), (sh, sw) = kernel, stride
    n, c, h, w = x.shape
    grad = np.zeros_like(x)
    for y in range(0, h - kh + 1, sh):
        for z in range(0, w - kw + 1, sw):
            window = x[:, :, y : y + kh, z : z + kw]
            hits = window == window.max(axis=(2, 3), keepdims=True)
            grad[:, :, y : y + kh, z : z + kw] += hits / hits.sum(axis=(2, 3), keepdims=True)
    return grad


@pytest.mark.parametrize(
    "kernel, stride", [((2, 2), (2, 2)), ((3, 2), (3, 2)), ((2, 2), (1, 1)), ((3, 3), (2, 1))]
)
def test_max_pool2d_shares_the_gradient_of_tied_maxima_equally(kernel, stride):
    # ReLU outputs, rounded: many windows hold several zeros or equal values
    data = np.maximum(np.round(randn(2, 3, 7, 8)), 0.0)
    x = leaf(data)
    F.max_pool2d(x, kernel, stride).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), shared_max_gradient(data, kernel, stride))


def test_max_pool2d_tie_sharing_is_exact_in_second_derivatives():
    """With ties the gradient is still a fixed linear map of the upstream gradient."""
    x = leaf(np.maximum(np.round(randn(1, 2, 4, 6)), 0.0))
    upstream = leaf(randn(1, 2, 2, 3, seed=1))
    (grad,) = tg.grad((F.max_pool2d(x, 2) * upstream).sum(), [x], create_graph=True)
    (second,) = tg.grad((grad * grad).sum(), [upstream])
    # d/du sum(g^2) with g = A u is 2 A^T A u, A the sharing map
    share = shared_max_gradient(x.numpy(), (2, 2), (2, 2))
    expected = 2 * (share * share * np.kron(upstream.numpy(), np.ones((2, 2)))).reshape(
        1, 2, 2, 2, 3, 2
    ).sum(axis=(3, 5))
    np.testing.assert_allclose(second.numpy(), expected)


# ----- layouts, dtypes and memory -------------------------------------------------------
def test_any_input_memory_layout_gives_the_same_results():
    data = randn(4, 3, 9, 8)
    weight = tg.Tensor(randn(2, 3, 3, 3, seed=1))
    layouts = {
        "contiguous": data,
        "batch-last": np.ascontiguousarray(data.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2),
        "strided": np.repeat(data, 2, axis=3)[:, :, :, ::2],
    }
    results = []
    for array in layouts.values():
        x = tg.Tensor(array, requires_grad=True)
        out = F.max_pool2d(F.conv2d(x, weight, padding=1), 2)
        (out * tg.Tensor(randn(*out.shape, seed=2))).sum().backward()
        results.append((out.numpy(), x.grad.numpy()))
    for out, grad in results[1:]:
        np.testing.assert_allclose(out, results[0][0], rtol=1e-12)
        np.testing.assert_allclose(grad, results[0][1], rtol=1e-12)


def test_a_float32_cnn_stays_float32_and_matches_torch():
    """The benchmark's W7 model in miniature: conv, ReLU, conv, ReLU, max-pool, linear."""
    rng = np.random.default_rng(0)
    arrays = [
        rng.standard_normal(shape).astype(np.float32) * 0.3
        for shape in [(5, 1, 10, 10), (4, 1, 3, 3), (4,), (6, 4, 3, 3), (6,), (3, 150), (3,)]
    ]
    labels = np.array([0, 2, 1, 1, 0])

    def forward(F_, x, w1, b1, w2, b2, w3, b3):
        h = F_.relu(F_.conv2d(x, w1, b1, padding=1))
        h = F_.relu(F_.conv2d(h, w2, b2, padding=1))
        return F_.linear(F_.max_pool2d(h, 2).flatten(1), w3, b3)

    ours = [tg.Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    loss = F.cross_entropy(forward(F, *ours), labels)
    torch_loss = torch.nn.functional.cross_entropy(
        forward(torch.nn.functional, *theirs), torch.from_numpy(labels)
    )
    loss.backward()
    torch_loss.backward()
    assert loss.dtype == np.float32
    np.testing.assert_allclose(loss.item(), torch_loss.item(), rtol=1e-5)
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.grad.dtype == np.float32
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_conv2d_keeps_no_columns_for_its_backward():
    """The (C*kh*kw, OH*OW*N) columns live only during the forward product: neither the
    graph nor the backward holds them, which keeps a training step's memory low."""
    x = tg.Tensor(randn(16, 8, 16, 16), requires_grad=True)
    weight = tg.Tensor(randn(8, 8, 5, 5, seed=1), requires_grad=True)
    columns_bytes = (8 * 5 * 5) * (16 * 16 * 16) * 8
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        out = F.conv2d(x, weight, padding=2)
        held_by_graph = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        out.sum().backward()
        backward_peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert held_by_graph < columns_bytes / 10
    assert backward_peak < columns_bytes / 4
