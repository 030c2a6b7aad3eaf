"""Stateless neural-network functions (``import tinygrad_nn.nn.functional as F``).

Every layer and loss in `tinygrad_nn.nn` calls one of these, so each concept's math lives
here once. All of them are built from differentiable Tensor operations, so gradients
(and gradients of gradients) come from the autograd engine; where PyTorch's behaviour is
copied, the docstring says so.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_nn.autograd import no_grad
from tinygrad_nn.backend import array_module
from tinygrad_nn.ops import dual
from tinygrad_nn.ops.dual import data as _data
from tinygrad_nn.random import generator
from tinygrad_nn.tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


# ----- helpers --------------------------------------------------------------------------
def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _constant(array: Any, like: Tensor) -> Tensor:
    """A constant Tensor with `like`'s dtype, on `like`'s device."""
    return Tensor(np.asarray(array), dtype=like.dtype, device=like.device)


def _host(t: Tensor) -> np.ndarray:
    return np.asarray(t.numpy())


def _resolve_axis(axis: int | None, dim: int | None, default: int, fn: str) -> int:
    if axis is not None and dim is not None:
        raise TypeError(f"{fn}() got both axis={axis} and dim={dim}; give one of them")
    if axis is not None:
        return axis
    return default if dim is None else dim


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _check_size(value: Any, name: str, minimum: int = 0) -> int:
    """A layer size (features, channels, ...) as an int; TypeError or ValueError naming it."""
    if not _is_int(value):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _pair(value: int | Sequence[int], name: str, minimum: int = 0) -> tuple[int, int]:
    """An int or a pair of ints (kernel size, stride, padding), each >= `minimum`, as a pair."""
    pair = (value, value) if _is_int(value) else value
    if not isinstance(pair, tuple | list) or len(pair) != 2 or not all(map(_is_int, pair)):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


def _check_probability(p: Any, fn: str) -> float:
    """A dropout probability: a real number in [0, 1]."""
    if isinstance(p, bool) or not isinstance(p, int | float | np.integer | np.floating):
        raise TypeError(f"{fn}: p must be a number in [0, 1], got {type(p).__name__} {p!r}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    return float(p)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_reduction(reduction: str, fn: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{fn}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _pairwise_inputs(input: Any, target: Any, fn: str) -> tuple[Tensor, Tensor]:
    """Check that input and target have the same shape; cast a float target to input's dtype."""
    input, target = _tensor(input), _tensor(target)
    if input.shape != target.shape:
        raise ValueError(
            f"{fn}: input shape {input.shape} and target shape {target.shape} differ; "
            "they must be equal"
        )
    if input.dtype.kind != "f":
        raise ValueError(f"{fn}: input must be floating point, got dtype {input.dtype}")
    if target.dtype != input.dtype:
        target = target.astype(input.dtype)
    return input, target


# ----- activations ----------------------------------------------------------------------
def relu(input: Tensor) -> Tensor:
    """max(x, 0) elementwise."""
    return _tensor(input).relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, ``negative_slope * x`` otherwise."""
    return _tensor(input).leaky_relu(negative_slope)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Φ(x) (exact erf form), or PyTorch's tanh approximation with ``approximate="tanh"``."""
    return _tensor(input).gelu(approximate=approximate)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)) elementwise."""
    return _tensor(input).sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent elementwise."""
    return _tensor(input).tanh()


def softmax(input: Tensor, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis` (default -1; ``dim=`` also accepted), stable for any x."""
    return _tensor(input).softmax(_resolve_axis(axis, dim, -1, "softmax"))


def log_softmax(input: Tensor, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """x - logsumexp(x) along `axis` (default -1; ``dim=`` also accepted), stable for any x."""
    return _tensor(input).log_softmax(_resolve_axis(axis, dim, -1, "log_softmax"))


# ----- layers ---------------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` for input (..., in_features) and weight (out, in)."""
    input = _tensor(input)
    if input.ndim == 0 or weight.ndim != 2 or input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {input.shape} does not fit weight of shape {weight.shape}; "
            f"the input's last axis must have {weight.shape[-1]} features"
        )
    weight = input._operand(weight)  # same device, or a RuntimeError naming both
    parents = (input, weight) if bias is None else (input, weight, input._operand(bias))
    out_features, in_features = weight.shape
    data = input.data @ weight.data.T
    if bias is not None:
        data += bias.data

    # One op rather than transpose + matmul + add: one node per layer in the graph,
    # and dW comes out directly in the weight's (out, in) layout, as dZ A^T does in
    # the documents. With rows as examples: dX = G W, dW = G^T X, db = sum of G's rows.
    def weight_rule(g: Any, out: Any, x: Any, w: Any, *bias: Any) -> Any:
        if g.ndim == 2:  # already rows: nothing to reshape
            return g.T @ x
        return g.reshape(-1, out_features).T @ x.reshape(-1, in_features)

    rules = (_LINEAR_INPUT_RULE, weight_rule) + ((_linear_bias_rule,) if bias is not None else ())
    return Tensor._make(data, parents, "linear", rules)


_LINEAR_INPUT_RULE = lambda g, out, x, w, *bias: g @ w  # noqa: E731 - dX = G W


def _linear_bias_rule(g: Any, out: Any, x: Any, w: Any, b: Any) -> Any:
    return g.reshape(-1, g.shape[-1]).sum(axis=0)  # db = the sum of G's rows


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability `p` and scale the rest by 1/(1-p) (inverted dropout).

    Identity when ``training`` is False. The mask comes from the generator seeded by
    ``tg.manual_seed``.
    """
    p = _check_probability(p, "dropout")
    input = _tensor(input)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = generator().random(input.shape) >= p
    return input * _constant(keep / (1.0 - p), input)


def embedding(input: Any, weight: Tensor) -> Tensor:
    """Rows of `weight` (num_embeddings, dim) picked by the integer indices in `input`."""
    indices = _host(_tensor(input))
    if indices.dtype.kind not in "iu":
        raise ValueError(f"embedding: indices must be integers, got dtype {indices.dtype}")
    num = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= num):
        bad = indices[(indices < 0) | (indices >= num)][0]
        raise IndexError(f"embedding: index {bad} is out of range for {num} embeddings")
    return weight[array_module(weight.data).asarray(indices)]


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (axis 1) of (N, C) or (N, C, L, ...) input, as PyTorch.

    In training the batch's mean and biased variance normalise, and the running statistics
    (when given) are updated in place: ``running = (1 - momentum) * running + momentum * stat``
    with the unbiased variance. Otherwise the running statistics normalise.
    """
    input = _tensor(input)
    if input.ndim < 2:
        raise ValueError(
            f"batch_norm: expected input of shape (N, C) or (N, C, L), got {input.shape}"
        )
    channels = input.shape[1]
    axes = (0, *range(2, input.ndim))
    stat_shape = (1, channels) + (1,) * (input.ndim - 2)
    if training:
        count = input.numel() // channels
        if count <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, "
                f"got input of shape {input.shape}"
            )
        mean = input.mean(axis=axes, keepdims=True)
        var = input.var(axis=axes, keepdims=True, correction=0)
        if running_mean is not None and running_var is not None:
            with no_grad():
                unbiased_var = var.data.reshape(channels) * (count / (count - 1))
                running_mean[...] = (
                    1 - momentum
                ) * running_mean.data + momentum * mean.data.reshape(channels)
                running_var[...] = (1 - momentum) * running_var.data + momentum * unbiased_var
    else:
        if running_mean is None or running_var is None:
            raise ValueError(
                "batch_norm: running_mean and running_var are needed when not training"
            )
        mean = running_mean.reshape(stat_shape)
        var = running_var.reshape(stat_shape)
    out = (input - mean) / (var + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(stat_shape)
    if bias is not None:
        out = out + bias.reshape(stat_shape)
    return out


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the trailing `normalized_shape` axes (biased variance); scale and shift."""
    input = _tensor(input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if input.shape[input.ndim - len(shape) :] != shape or input.ndim < len(shape):
        raise ValueError(
            f"layer_norm: input of shape {input.shape} does not end with normalized_shape {shape}"
        )
    axes = tuple(range(-len(shape), 0))
    mean = input.mean(axis=axes, keepdims=True)
    var = input.var(axis=axes, keepdims=True, correction=0)
    out = (input - mean) / (var + eps).sqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


# ----- convolution and pooling ----------------------------------------------------------
# A convolution is one matrix product: im2col lays every kh x kw window of the zero-padded
# (N, C, H, W) image out as a column, and the (O, C*kh*kw) weights times those columns give
# every output pixel at once. It is bilinear in the image x and the weights W, so both of
# its gradients are convolution-like ops again: for output gradient g,
#     d/dx = conv_transpose(g, W)   (each output pixel's gradient spread back over its window)
#     d/dW = weight_grad(x, g)      (g times the columns of x, summed over pixels)
# and each of these three ops has the other two as its gradients (see their backward
# functions). Every backward is built from these ops, so gradients of any order are exact.
#
# Images are worked on batch-last, (C, H, W, N), and columns laid out (C, kh, kw, OH, OW, N):
# moving one kernel offset (i, j) for all output pixels is then a strided copy (or add) of
# runs OW * N long, where in NCHW order they are OW long and the per-run overhead dominates.
# The ops return (N, C, H, W) views of batch-last memory, so that a following convolution,
# ReLU or pooling reads them without reordering.
#
# Only the forward product holds all the columns (C*kh*kw times the image) at once, and
# nothing keeps them for the backward: the gradients work one kernel offset at a time. A
# training step's peak memory then stays low, which matters beyond its size: glibc's malloc
# gives freed memory back to the OS once more than about twice the largest array is free at
# the top of its heap, and taking it again next step costs a page fault per 4 KiB, which
# took longer than the arithmetic of a small CNN (benchmark W7).
_Geometry = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]  # kernel, stride, padding


def _batch_last(images: Any, padding: tuple[int, int]) -> Any:
    """A zero-padded (C, H + 2 ph, W + 2 pw, N) copy of (N, C, H, W) `images`."""
    (ph, pw), (n, c, h, w) = padding, images.shape
    padded = array_module(images).zeros((c, h + 2 * ph, w + 2 * pw, n), dtype=images.dtype)
    padded[:, ph : ph + h, pw : pw + w] = images.transpose(1, 2, 3, 0)
    return padded


def _windows(images: Any, geometry: _Geometry) -> Any:
    """The (C, kh, kw, OH, OW, N) windows of (N, C, H, W) `images`, a view of a batch-last
    copy: [c, i, j, y, x, n] is pixel (y * sh + i, x * sw + j) of the zero-padded image."""
    (kh, kw), (sh, sw), padding = geometry
    out_h, out_w = _conv_output_size(images.shape, geometry)
    padded = _batch_last(images, padding)
    s_c, s_h, s_w, s_n = padded.strides
    return array_module(padded).lib.stride_tricks.as_strided(
        padded,
        shape=(padded.shape[0], kh, kw, out_h, out_w, padded.shape[3]),
        strides=(s_c, s_h, s_w, s_h * sh, s_w * sw, s_n),
    )


def _from_batch_last(padded: Any, image_shape: tuple[int, ...], padding: tuple[int, int]) -> Any:
    """The (N, C, H, W) view of a padded batch-last image, without the padding."""
    (ph, pw), (_, _, h, w) = padding, image_shape
    return padded[:, ph : ph + h, pw : pw + w].transpose(3, 0, 1, 2)


def _by_channel(images: Any) -> Any:
    """(N, O, OH, OW) -> (O, OH * OW * N) rows, the columns' layout (a view when batch-last)."""
    return images.transpose(1, 2, 3, 0).reshape(images.shape[1], -1)


def _output_size(size: int, kernel: int, stride: int, fn: str, shape: tuple[int, ...]) -> int:
    if size < kernel:
        raise ValueError(
            f"{fn}: kernel size {kernel} is larger than the padded input size {size} "
            f"(input shape {shape})"
        )
    return (size - kernel) // stride + 1


def _conv_output_size(image_shape: tuple[int, ...], geometry: _Geometry) -> tuple[int, int]:
    (kh, kw), (sh, sw), (ph, pw) = geometry
    return (image_shape[2] + 2 * ph - kh) // sh + 1, (image_shape[3] + 2 * pw - kw) // sw + 1


def _conv2d(x: Any, weight: Any, bias: Any, geometry: _Geometry) -> Any:
    """(N, C, H, W) -> (N, O, OH, OW): the (O, C*kh*kw) weights @ the (C*kh*kw, OH*OW*N) columns.

    On arrays, the arrays; on Tensors, a recorded op (as the three conv ops below: each is
    the others' gradient, on arrays in a plain backward and recorded under create_graph).
    """
    n, out_channels = x.shape[0], weight.shape[0]
    out_h, out_w = _conv_output_size(x.shape, geometry)
    # the reshape copies the windows into columns, which live only as long as this product
    columns = _windows(_data(x), geometry).reshape(-1, out_h * out_w * n)
    data = _data(weight).reshape(out_channels, -1) @ columns
    if bias is not None:
        data += _data(bias)[:, None]
    data = data.reshape(out_channels, out_h, out_w, n).transpose(3, 0, 1, 2)
    if not isinstance(x, Tensor):
        return data
    image_shape = x.shape

    rules = (
        lambda g, out, x, w, *b: _conv_transpose2d(g, w, image_shape, geometry),
        lambda g, out, x, w, *b: _conv2d_weight_grad(x, g, geometry),
    )
    if bias is None:
        return Tensor._make(data, (x, weight), "conv2d", rules)
    rules += (lambda g, out, x, w, b: g.sum(axis=(0, 2, 3)),)
    return Tensor._make(data, (x, weight, bias), "conv2d", rules)


def _conv_transpose2d(
    grad: Any, weight: Any, image_shape: tuple[int, ...], geometry: _Geometry
) -> Any:
    """Adjoint of `_conv2d` in its input: (N, O, OH, OW) -> (N, C, H, W) of `image_shape`.

    col2im(W^T @ grad), added one kernel offset at a time: (C, O) @ (O, OH*OW*N) per offset.
    """
    (kh, kw), (sh, sw), (ph, pw) = geometry
    n, c, h, w = image_shape
    out_h, out_w = grad.shape[2:]
    rows, weights = _by_channel(_data(grad)), _data(weight)
    padded = array_module(rows).zeros((c, h + 2 * ph, w + 2 * pw, n), dtype=rows.dtype)
    for i in range(kh):
        for j in range(kw):
            spread = weights[:, :, i, j].T @ rows
            padded[:, i : i + sh * out_h : sh, j : j + sw * out_w : sw] += spread.reshape(
                c, out_h, out_w, n
            )

    data = _from_batch_last(padded, image_shape, (ph, pw))
    if not isinstance(grad, Tensor):
        return data
    # bilinear, with <conv_transpose(g, W), v> = <g, conv(v, W)>: the gradient in g is
    # conv(v, W), and in W that of a convolution of v whose output gradient is g
    rules = (
        lambda gg, out, g, w: _conv2d(gg, w, None, geometry),
        lambda gg, out, g, w: _conv2d_weight_grad(gg, g, geometry),
    )
    return Tensor._make(data, (grad, weight), "conv_transpose2d", rules)


def _conv2d_weight_grad(x: Any, grad: Any, geometry: _Geometry) -> Any:
    """Gradient of `_conv2d` in its weights: grad (O, OH*OW*N) @ columns^T (OH*OW*N, C*kh*kw),
    one (O, C) block per kernel offset, so the columns are copied one offset at a time."""
    (kh, kw), _, _ = geometry
    in_channels = x.shape[1]
    rows = _by_channel(_data(grad))
    windows = _windows(_data(x), geometry)
    data = array_module(rows).empty((rows.shape[0], in_channels, kh, kw), dtype=rows.dtype)
    for i in range(kh):
        for j in range(kw):
            data[:, :, i, j] = rows @ windows[:, i, j].reshape(in_channels, -1).T

    if not isinstance(x, Tensor):
        return data
    # bilinear, with <weight_grad(x, g), V> = <g, conv(x, V)> = <conv_transpose(g, V), x>
    image_shape = x.shape
    rules = (
        lambda gg, out, x, g: _conv_transpose2d(g, gg, image_shape, geometry),
        lambda gg, out, x, g: _conv2d(x, gg, None, geometry),
    )
    return Tensor._make(data, (x, grad), "conv2d_weight_grad", rules)


# Max-pooling with a stride other than its kernel size takes its windows as columns: im2col,
# as an op whose backward is its adjoint col2im (and the other way round).
def _im2col(x: Any, geometry: _Geometry) -> Any:
    """(N, C, H, W) -> (C, kh, kw, OH, OW, N): the windows of `x`, copied."""
    data = _windows(_data(x), geometry).copy()
    if not isinstance(x, Tensor):
        return data
    image_shape = x.shape
    rules = (lambda g, out, x: _col2im(g, image_shape, geometry),)
    return Tensor._make(data, (x,), "im2col", rules)


def _col2im(columns: Any, image_shape: tuple[int, ...], geometry: _Geometry) -> Any:
    """Adjoint of `_im2col`: add each window's column back onto an image of `image_shape`."""
    (kh, kw), (sh, sw), (ph, pw) = geometry
    n, c, h, w = image_shape
    out_h, out_w = columns.shape[3:5]
    values = _data(columns)
    padded = array_module(values).zeros((c, h + 2 * ph, w + 2 * pw, n), dtype=values.dtype)
    for i in range(kh):  # a loop over kernel offsets only: each step adds a whole batch slice
        for j in range(kw):
            padded[:, i : i + sh * out_h : sh, j : j + sw * out_w : sw] += values[:, i, j]
    data = _from_batch_last(padded, image_shape, (ph, pw))
    if not isinstance(columns, Tensor):
        return data
    return Tensor._make(data, (columns,), "col2im", (lambda g, out, c: _im2col(g, geometry),))


def _as_batched_images(input: Any, fn: str) -> tuple[Tensor, bool]:
    input = _tensor(input)
    if input.ndim == 3:
        return input.unsqueeze(0), True
    if input.ndim != 4:
        raise ValueError(
            f"{fn}: expected input of shape (N, C, H, W) or (C, H, W), got {input.shape}"
        )
    return input, False


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> Tensor:
    """Cross-correlation as PyTorch: (N, C, H, W) input, (O, C, kh, kw) weight -> (N, O, OH, OW).

    ``OH = (H + 2 * padding - kh) // stride + 1``. Computed as one matrix product over
    im2col windows (no Python loop over pixels or batch items). The result is a view of
    batch-last memory, as a numpy transpose gives.
    """
    x, unbatched = _as_batched_images(input, "conv2d")
    if weight.ndim != 4 or weight.shape[1] != x.shape[1]:
        raise ValueError(
            f"conv2d: weight of shape {weight.shape} (out, in, kh, kw) does not fit input of shape "
            f"{x.shape}: input channels {x.shape[1]} must equal weight.shape[1]"
        )
    weight = x._operand(weight)  # same device, or a RuntimeError naming both
    bias = None if bias is None else x._operand(bias)
    kh, kw = weight.shape[2:]
    (sh, sw), (ph, pw) = _pair(stride, "stride", minimum=1), _pair(padding, "padding")
    n, c, h, w = x.shape
    padded_shape = (n, c, h + 2 * ph, w + 2 * pw)
    _output_size(h + 2 * ph, kh, sh, "conv2d", padded_shape)  # raises if the kernel
    _output_size(w + 2 * pw, kw, sw, "conv2d", padded_shape)  # does not fit
    out = _conv2d(x, weight, bias, ((kh, kw), (sh, sw), (ph, pw)))
    return out[0] if unbatched else out


def _tile_max(x: Tensor, kernel: tuple[int, int]) -> Tensor:
    """Maximum over the non-overlapping kh x kw tiles of (N, C, OH * kh, OW * kw) input.

    The gradient goes to each tile's maximum, shared equally where several elements tie.
    """
    kh, kw = kernel
    n, c, h, w = x.shape
    out_h, out_w = h // kh, w // kw
    # batch-last (C, OH, kh, OW, kw, N): a view for any strides, as it only splits axes
    tiles = x.data.transpose(1, 2, 3, 0).reshape(c, out_h, kh, out_w, kw, n)
    # one (C, OH, OW, N) slice per offset in the tile: reducing over the two short strided
    # tile axes in one numpy call is several times slower than these elementwise steps
    offsets = [(i, j) for i in range(kh) for j in range(kw)]
    data = functools.reduce(array_module(tiles).maximum, (tiles[:, :, i, :, j] for i, j in offsets))

    def tile_max_rule(g: Any, out: Any, x: Any) -> Any:
        # share = 1 / (number of maxima in the tile) at each maximum, 0 elsewhere: a constant,
        # so the gradient is linear in g and differentiates again exactly
        share = (tiles == data[:, :, None, :, None]).astype(tiles.dtype)
        share /= sum(share[:, :, i, :, j] for i, j in offsets)[:, :, None, :, None]
        rows = dual.permute(g, (1, 2, 3, 0)).reshape(c, out_h, 1, out_w, 1, n)
        return dual.permute((rows * dual.constant(g, share)).reshape(c, h, w, n), (3, 0, 1, 2))

    return Tensor._make(data.transpose(3, 0, 1, 2), (x,), "max_pool2d", (tile_max_rule,))


def max_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> Tensor:
    """Maximum over each kh x kw window of (N, C, H, W) input; stride defaults to the kernel size.

    Padding is with -inf, as PyTorch. Where several elements of a window tie for the maximum
    the gradient is shared equally among them (PyTorch gives it all to one).
    """
    x, unbatched = _as_batched_images(input, "max_pool2d")
    kh, kw = _pair(kernel_size, "kernel_size", minimum=1)
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride", minimum=1)
    ph, pw = _pair(padding, "padding")
    if 2 * ph > kh or 2 * pw > kw:
        raise ValueError(
            f"max_pool2d: padding {padding} must be at most half the kernel size {kernel_size}"
        )
    if ph or pw:
        x = x.pad(((0, 0), (0, 0), (ph, ph), (pw, pw)), value=-math.inf)
    n, c, h, w = x.shape
    out_h = _output_size(h, kh, sh, "max_pool2d", x.shape)
    out_w = _output_size(w, kw, sw, "max_pool2d", x.shape)
    if (sh, sw) == (kh, kw):  # the usual case: the windows tile the image
        if (h, w) != (out_h * kh, out_w * kw):
            x = x[:, :, : out_h * kh, : out_w * kw]  # rows and columns no window reaches
        out = _tile_max(x, (kh, kw))
    else:
        columns = _im2col(x, ((kh, kw), (sh, sw), (0, 0))).permute(5, 0, 1, 2, 3, 4)
        out = columns.reshape(n, c, kh * kw, out_h, out_w).amax(axis=2)
    return out[0] if unbatched else out


# ----- losses ---------------------------------------------------------------------------
def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean (or sum, or per-element) squared error; input and target must have one shape."""
    _check_reduction(reduction, "mse_loss")
    input, target = _pairwise_inputs(input, target, "mse_loss")
    return _reduce((input - target) ** 2, reduction)


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean (or sum, or per-element) absolute error; input and target must have one shape."""
    _check_reduction(reduction, "l1_loss")
    input, target = _pairwise_inputs(input, target, "l1_loss")
    return _reduce((input - target).abs(), reduction)


# PyTorch's floor for p (1 - p) in the BCE gradient: the float32 value of 1e-12, in any dtype.
_BCE_FLOOR = float(np.float32(1e-12))


def binary_cross_entropy(
    input: Tensor, target: Any, weight: Any = None, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of probabilities `input` in [0, 1] against targets in [0, 1].

    ``-w (y log p + (1 - y) log(1 - p))``, each log clamped at -100 as in PyTorch, so p = 0
    or p = 1 give finite values.
    """
    _check_reduction(reduction, "binary_cross_entropy")
    input, target = _pairwise_inputs(input, target, "binary_cross_entropy")
    probs, labels = input.data, target.data
    if not bool(((probs >= 0) & (probs <= 1)).all()):
        raise ValueError(
            "binary_cross_entropy: input must hold probabilities in [0, 1], got values outside it; "
            "for logits use binary_cross_entropy_with_logits"
        )
    scale = None if weight is None else _constant(_host(_tensor(weight)), input)
    xp = array_module(probs)
    with np.errstate(divide="ignore"):
        log_p, log_1mp = xp.log(probs), xp.log(1 - probs)
    losses = -(labels * xp.maximum(log_p, -100.0) + (1 - labels) * xp.maximum(log_1mp, -100.0))
    if scale is not None:
        losses = losses * scale.data
    count = losses.size

    # One recorded op, reduction included: on small networks the Python cost of each op,
    # not its arithmetic, is what a step pays for, and as Tensor ops this loss took a dozen.
    # The gradient is PyTorch's closed form (p - y) / max(p (1 - p), 1e-12), finite at p = 0
    # and p = 1 where the chain rule through the clamped logs would give 0 * inf.
    def upstream(g: Any) -> Any:
        if reduction == "mean":
            g = g / count
        return g if scale is None else g * dual.constant(g, _data(scale))

    def probs_rule(g: Any, out: Any, p: Any, y: Any) -> Any:
        return upstream(g) * (p - y) / dual.clamp_min(p * (1 - p), _BCE_FLOOR)

    def target_rule(g: Any, out: Any, p: Any, y: Any) -> Any:
        with np.errstate(divide="ignore"):
            log_p, log_1mp = dual.log(p), dual.log(1 - p)
        return upstream(g) * (dual.clamp_min(log_1mp, -100.0) - dual.clamp_min(log_p, -100.0))

    if reduction == "none":
        loss = losses
    else:  # the mean as sum / count: the same float as np.mean, without its Python layers
        loss = losses.sum() / count if reduction == "mean" else losses.sum()
    return Tensor._make(loss, (input, target), "binary_cross_entropy", (probs_rule, target_rule))


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """Binary cross-entropy of ``sigmoid(input)``, stable for any finite logit.

    ``-[y log σ(x) + (1 - y) log(1 - σ(x))]`` is computed in PyTorch's form
    ``(1 - y) x + softplus(-x)``; `pos_weight` scales the positive term:
    ``(1 - y) x + (1 + (pos_weight - 1) y) softplus(-x)``.
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    input, target = _pairwise_inputs(input, target, "binary_cross_entropy_with_logits")
    log_one_plus_exp = (-input).softplus(threshold=math.inf)  # = -log σ(x), exact for any x
    if pos_weight is not None:
        positive_scale = _constant(_host(_tensor(pos_weight)), input)
        log_one_plus_exp = (1 + (positive_scale - 1) * target) * log_one_plus_exp
    loss = (1 - target) * input + log_one_plus_exp
    if weight is not None:
        loss = loss * _constant(_host(_tensor(weight)), input)
    return _reduce(loss, reduction)


def _class_rows(input: Tensor, fn: str) -> tuple[Tensor, tuple[int, ...]]:
    """Scores as (M, C) rows, the class axis (1, or 0 if unbatched) moved last, and the shape
    (N, d1, ...) that per-row results take."""
    if input.ndim == 0:
        raise ValueError(f"{fn}: expected input of shape (N, C), got a scalar")
    if input.ndim == 1:
        return input.reshape(1, -1), ()
    if input.ndim == 2:
        return input, input.shape[:1]
    classes = input.shape[1]
    moved = input.permute(0, *range(2, input.ndim), 1)
    return moved.reshape(-1, classes), (input.shape[0], *input.shape[2:])


def _class_labels(
    target: Any, input: Tensor, row_shape: tuple[int, ...], ignore_index: int, fn: str
) -> np.ndarray:
    """Validate integer class labels against the input's shape and class count; return them flat."""
    labels = _host(_tensor(target))
    if labels.dtype.kind not in "iu":
        raise ValueError(
            f"{fn}: class-index target must be an integer array (int64), got dtype {labels.dtype} "
            f"with shape {labels.shape} for input of shape {input.shape}"
        )
    if labels.shape != row_shape:
        raise ValueError(
            f"{fn}: target of shape {labels.shape} does not fit input of shape {input.shape}; "
            f"expected target shape {row_shape}"
        )
    classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    labels = labels.reshape(-1).astype(np.int64)
    bad = (labels != ignore_index) & ((labels < 0) | (labels >= classes))
    if bad.any():
        raise ValueError(f"{fn}: target {labels[bad][0]} is out of bounds for {classes} classes")
    return labels


def _class_weights(weight: Any, classes: int, fn: str) -> np.ndarray:
    """The per-class weights as a host array of shape (C,), ones when not given."""
    if weight is None:
        return np.ones(classes)
    values = _host(_tensor(weight))
    if values.shape != (classes,):
        raise ValueError(
            f"{fn}: weight of shape {values.shape} must have one entry per class, "
            f"shape ({classes},)"
        )
    return values


def _reduce_rows(losses: Any, reduction: str, divisor: float, row_shape: tuple[int, ...]) -> Any:
    """Per-row losses (flat, a Tensor or an array): summed and divided by `divisor`, summed, or
    shaped (N, d1, ...)."""
    if reduction == "mean":
        return losses.sum() / divisor
    if reduction == "sum":
        return losses.sum()
    return losses.reshape(row_shape)


def _label_weights(
    labels: np.ndarray, class_weight: np.ndarray, ignore_index: int
) -> tuple[np.ndarray, np.ndarray]:
    """The labels with ignored ones set to class 0, and each row's weight w[y] (zero where y
    is `ignore_index`), both on the host."""
    ignored = labels == ignore_index
    safe_labels = np.where(ignored, 0, labels)
    return safe_labels, np.where(ignored, 0.0, class_weight[safe_labels])


def _picked_nll(
    rows: Tensor, labels: np.ndarray, weight: Any, ignore_index: int, fn: str
) -> tuple[Tensor, np.ndarray]:
    """-w[y] * rows[y] for each row, and the row weights w[y] (zero where y is ignored)."""
    class_weight = _class_weights(weight, rows.shape[1], fn)
    safe_labels, row_weight = _label_weights(labels, class_weight, ignore_index)
    xp = array_module(rows.data)  # index with arrays on the scores' device
    picked = rows[xp.arange(rows.shape[0]), xp.asarray(safe_labels)]
    return -picked * _constant(row_weight, rows), row_weight


def _soft_cross_entropy(
    rows: Tensor, targets: Tensor, reduction: str, divisor: float, row_shape: tuple[int, ...]
) -> Tensor:
    """``-Σ_c a_c log softmax(x)_c`` for each row x of `rows` (M, C) and row a of `targets`
    (M, C), then summed and divided by `divisor`, summed, or shaped `row_shape`: one op.

    d/dx = softmax(x) Σ_c a_c - a  and  d/da = -log softmax(x), each times the row's
    upstream gradient.
    """
    scores = rows.data
    xp = array_module(scores)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
    losses = -(targets.data * log_probs).sum(axis=1)

    # One op instead of log_softmax, picking, weighting and reducing, for the same reason as
    # binary_cross_entropy's.
    def upstream(g: Any) -> Any:
        if reduction == "none":
            return g.reshape(-1, 1)
        return g / divisor if reduction == "mean" else g

    def rows_rule(g: Any, out: Any, x: Any, a: Any) -> Any:
        return (dual.softmax(x, 1) * a.sum(axis=1, keepdims=True) - a) * upstream(g)

    def targets_rule(g: Any, out: Any, x: Any, a: Any) -> Any:
        return -dual.log_softmax(x, 1) * upstream(g)

    loss = _reduce_rows(losses, reduction, divisor, row_shape)
    return Tensor._make(loss, (rows, targets), "cross_entropy", (rows_rule, targets_rule))


def nll_loss(
    input: Tensor,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities (N, C[, d...]) at int labels (N[, d...]).

    With ``reduction="mean"`` the sum is divided by the total weight of the counted rows
    (rows labelled `ignore_index` count zero), as PyTorch.
    """
    _check_reduction(reduction, "nll_loss")
    input = _tensor(input)
    rows, row_shape = _class_rows(input, "nll_loss")
    labels = _class_labels(target, input, row_shape, ignore_index, "nll_loss")
    losses, row_weight = _picked_nll(rows, labels, weight, ignore_index, "nll_loss")
    return _reduce_rows(losses, reduction, float(row_weight.sum()), row_shape)


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits `input` (N, C[, d...]) against int64 labels (N[, d...]) or class
    probabilities of the input's shape; ``log_softmax`` based, stable for any finite logit.

    `weight` (per class), `ignore_index` and `label_smoothing` follow PyTorch.
    """
    _check_reduction(reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    input, target = _tensor(input), _tensor(target)
    if input.dtype.kind != "f":
        raise ValueError(
            f"cross_entropy: input must be floating-point logits, got dtype {input.dtype}"
        )
    rows, row_shape = _class_rows(input, "cross_entropy")
    classes = rows.shape[1]

    # Every form is -Σ_c a_c log softmax(x)_c per row, with target weights a built here.
    if target.dtype.kind == "f":
        if target.shape != input.shape:
            raise ValueError(
                f"cross_entropy: target of shape {target.shape} and dtype {target.dtype} does "
                f"not fit input of shape {input.shape}: probability targets need the input's "
                "shape, class-index targets must be integers"
            )
        probs, _ = _class_rows(target.astype(input.dtype), "cross_entropy")
        targets = probs * (1 - label_smoothing) + label_smoothing / classes
        if weight is not None:
            targets = targets * _constant(_class_weights(weight, classes, "cross_entropy"), input)
        return _soft_cross_entropy(rows, targets, reduction, float(rows.shape[0]), row_shape)

    labels = _class_labels(target, input, row_shape, ignore_index, "cross_entropy")
    class_weight = _class_weights(weight, classes, "cross_entropy")
    safe_labels, row_weight = _label_weights(labels, class_weight, ignore_index)
    # a = (1 - ε) w_y one_hot(y) + ε/C w, zero for ignored rows; the mean divides by Σ w_y
    # (PyTorch's, smoothing term included).
    weights = np.zeros((len(labels), classes))
    weights[np.arange(len(labels)), safe_labels] = (1 - label_smoothing) * row_weight
    if label_smoothing:
        counted = labels != ignore_index
        weights += (label_smoothing / classes) * np.outer(counted, class_weight)
    return _soft_cross_entropy(
        rows, _constant(weights, input), reduction, float(row_weight.sum()), row_shape
    )
