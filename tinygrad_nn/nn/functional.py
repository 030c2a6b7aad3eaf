"""Stateless neural-network functions (``import tinygrad_nn.nn.functional as F``).

Every layer and loss in `tinygrad_nn.nn` calls one of these, so each concept's math lives
here once. All of them are built from differentiable Tensor operations, so gradients
(and gradients of gradients) come from the autograd engine; where PyTorch's behaviour is
copied, the docstring says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_nn.autograd import Function, no_grad
from tinygrad_nn.backend import array_module
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
    def backward(g: Tensor, out: Tensor) -> tuple[Tensor | None, ...]:
        rows = g.reshape(-1, out_features)
        grads = (
            g @ weight if input.requires_grad else None,
            rows.mT @ input.reshape(-1, in_features) if weight.requires_grad else None,
        )
        if bias is None:
            return grads
        return grads + (rows.sum(axis=0) if parents[2].requires_grad else None,)

    return Tensor._make(data, parents, "linear", backward)


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
        var = input.var(axis=axes, keepdims=True)
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
    var = input.var(axis=axes, keepdims=True)
    out = (input - mean) / (var + eps).sqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


# ----- convolution and pooling ----------------------------------------------------------
# im2col turns every kh x kw window of an (N, C, H, W) image into a column, so a convolution
# becomes one matrix product. Its gradient, col2im, adds each column back onto its window.
# The two are linear and adjoint to each other, so each one's backward is the other: written
# that way, gradients of any order are exact.
def _im2col(x: Tensor, kernel: tuple[int, int], stride: tuple[int, int]) -> Tensor:
    """(N, C, H, W) -> (N, C, kh, kw, OH, OW): every window, as a strided view then copied."""
    (kh, kw), (sh, sw) = kernel, stride
    n, c, h, w = x.shape
    out_h, out_w = (h - kh) // sh + 1, (w - kw) // sw + 1
    xp = array_module(x.data)
    s_n, s_c, s_h, s_w = x.data.strides
    windows = xp.lib.stride_tricks.as_strided(
        x.data,
        shape=(n, c, kh, kw, out_h, out_w),
        strides=(s_n, s_c, s_h, s_w, s_h * sh, s_w * sw),
    )
    return Tensor._make(
        windows.copy(),
        (x,),
        "im2col",
        lambda grad_output, out: (_col2im(grad_output, (n, c, h, w), kernel, stride),),
    )


def _col2im(
    cols: Tensor, image_shape: tuple[int, ...], kernel: tuple[int, int], stride: tuple[int, int]
) -> Tensor:
    """Adjoint of `_im2col`: sum each window's column back into an image of `image_shape`."""
    (kh, kw), (sh, sw) = kernel, stride
    out_h, out_w = cols.shape[4], cols.shape[5]
    xp = array_module(cols.data)
    image = xp.zeros(image_shape, dtype=cols.data.dtype)
    for i in range(kh):  # a loop over kernel offsets only: each step adds a whole batch slice
        for j in range(kw):
            image[:, :, i : i + sh * out_h : sh, j : j + sw * out_w : sw] += cols.data[:, :, i, j]
    return Tensor._make(
        image,
        (cols,),
        "col2im",
        lambda grad_output, out: (_im2col(grad_output, kernel, stride),),
    )


def _as_batched_images(input: Any, fn: str) -> tuple[Tensor, bool]:
    input = _tensor(input)
    if input.ndim == 3:
        return input.unsqueeze(0), True
    if input.ndim != 4:
        raise ValueError(
            f"{fn}: expected input of shape (N, C, H, W) or (C, H, W), got {input.shape}"
        )
    return input, False


def _output_size(size: int, kernel: int, stride: int, fn: str, shape: tuple[int, ...]) -> int:
    if size < kernel:
        raise ValueError(
            f"{fn}: kernel size {kernel} is larger than the padded input size {size} "
            f"(input shape {shape})"
        )
    return (size - kernel) // stride + 1


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> Tensor:
    """Cross-correlation as PyTorch: (N, C, H, W) input, (O, C, kh, kw) weight -> (N, O, OH, OW).

    ``OH = (H + 2 * padding - kh) // stride + 1``. Computed as one matrix product over
    im2col windows (no Python loop over pixels or batch items).
    """
    x, unbatched = _as_batched_images(input, "conv2d")
    if weight.ndim != 4 or weight.shape[1] != x.shape[1]:
        raise ValueError(
            f"conv2d: weight of shape {weight.shape} (out, in, kh, kw) does not fit input of shape "
            f"{x.shape}: input channels {x.shape[1]} must equal weight.shape[1]"
        )
    out_channels, in_channels, kh, kw = weight.shape
    sh, sw = _pair(stride, "stride", minimum=1)
    ph, pw = _pair(padding, "padding")
    if ph or pw:
        x = x.pad(((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, _, h, w = x.shape
    out_h = _output_size(h, kh, sh, "conv2d", x.shape)
    out_w = _output_size(w, kw, sw, "conv2d", x.shape)
    # One (O, C*kh*kw) @ (C*kh*kw, N*OH*OW) product: numpy sends a single 2-D matmul to
    # BLAS, where a (O, K) @ (N, K, L) stack would run as N small products without it.
    cols = _im2col(x, (kh, kw), (sh, sw)).permute(1, 2, 3, 0, 4, 5).reshape(
        in_channels * kh * kw, n * out_h * out_w
    )
    out = (weight.reshape(out_channels, in_channels * kh * kw) @ cols).reshape(
        out_channels, n, out_h, out_w
    ).permute(1, 0, 2, 3)
    if bias is not None:
        out = out + bias.reshape(1, out_channels, 1, 1)
    return out[0] if unbatched else out


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
    windows = _im2col(x, (kh, kw), (sh, sw)).reshape(n, c, kh * kw, out_h, out_w)
    out = windows.max(axis=2)
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


class _BinaryCrossEntropy(Function):
    """-(y log p + (1 - y) log(1 - p)) with each log clamped at -100, as PyTorch.

    The gradient is PyTorch's closed form (p - y) / max(p (1 - p), 1e-12), which stays finite
    at p = 0 and p = 1 where the chain rule through the clamped logs would give 0 * inf.
    """

    @staticmethod
    def forward(ctx: Any, probs: Tensor, target: Tensor) -> Tensor:
        ctx.save_for_backward(probs, target)
        log_p, log_1mp = _clamped_logs(probs)
        return -(target * log_p + (1 - target) * log_1mp)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor, Tensor]:
        probs, target = ctx.saved_tensors
        grad_probs = grad_output * (probs - target) / (probs * (1 - probs)).clip(min=_BCE_FLOOR)
        if not ctx.needs_input_grad[1]:  # the usual case: targets are data
            return grad_probs, None
        log_p, log_1mp = _clamped_logs(probs)
        return grad_probs, grad_output * (log_1mp - log_p)


def _clamped_logs(probs: Tensor) -> tuple[Tensor, Tensor]:
    with np.errstate(divide="ignore"):
        return probs.log().clip(min=-100.0), (1 - probs).log().clip(min=-100.0)


def binary_cross_entropy(
    input: Tensor, target: Any, weight: Any = None, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of probabilities `input` in [0, 1] against targets in [0, 1].

    Each log is clamped at -100 as in PyTorch, so p = 0 or p = 1 give finite values.
    """
    _check_reduction(reduction, "binary_cross_entropy")
    input, target = _pairwise_inputs(input, target, "binary_cross_entropy")
    if not bool(((input.data >= 0) & (input.data <= 1)).all()):
        raise ValueError(
            "binary_cross_entropy: input must hold probabilities in [0, 1], got values outside it; "
            "for logits use binary_cross_entropy_with_logits"
        )
    loss = _BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * _constant(_host(_tensor(weight)), input)
    return _reduce(loss, reduction)


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
    classes = input.shape[1]
    moved = input.permute(0, *range(2, input.ndim), 1) if input.ndim > 2 else input
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


def _reduce_rows(
    losses: Tensor, reduction: str, divisor: float, row_shape: tuple[int, ...]
) -> Tensor:
    """Per-row losses (flat): summed and divided by `divisor`, summed, or shaped (N, d1, ...)."""
    if reduction == "mean":
        return losses.sum() / divisor
    if reduction == "sum":
        return losses.sum()
    return losses.reshape(row_shape)


def _picked_nll(
    rows: Tensor, labels: np.ndarray, weight: Any, ignore_index: int, fn: str
) -> tuple[Tensor, np.ndarray]:
    """-w[y] * rows[y] for each row, and the row weights w[y] (zero where y is ignored)."""
    ignored = labels == ignore_index
    safe_labels = np.where(ignored, 0, labels)
    row_weight = np.where(ignored, 0.0, _class_weights(weight, rows.shape[1], fn)[safe_labels])
    xp = array_module(rows.data)  # index with arrays on the scores' device
    picked = rows[xp.arange(rows.shape[0]), xp.asarray(safe_labels)]
    return -picked * _constant(row_weight, rows), row_weight


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
    rows, row_shape = _class_rows(input.log_softmax(1 if input.ndim > 1 else 0), "cross_entropy")
    classes = rows.shape[1]
    class_weight = _constant(_class_weights(weight, classes, "cross_entropy"), input)

    if target.dtype.kind == "f":
        if target.shape != input.shape:
            raise ValueError(
                f"cross_entropy: target of shape {target.shape} and dtype {target.dtype} does "
                f"not fit input of shape {input.shape}: probability targets need the input's "
                "shape, class-index targets must be integers"
            )
        probs, _ = _class_rows(target.astype(input.dtype), "cross_entropy")
        probs = probs * (1 - label_smoothing) + label_smoothing / classes
        losses = -(rows * probs * class_weight).sum(axis=1)
        return _reduce_rows(losses, reduction, float(rows.shape[0]), row_shape)

    labels = _class_labels(target, input, row_shape, ignore_index, "cross_entropy")
    nll, row_weight = _picked_nll(rows, labels, weight, ignore_index, "cross_entropy")
    nll = _reduce_rows(nll, reduction, float(row_weight.sum()), row_shape)
    if label_smoothing == 0.0:
        return nll
    # PyTorch: (1 - ε) * nll + ε / C * (-Σ_c w_c log p_c), ignored rows counting zero.
    smooth = -(rows * class_weight).sum(axis=1) * _constant(labels != ignore_index, input)
    smooth = _reduce_rows(smooth, reduction, float(row_weight.sum()), row_shape)
    return (1 - label_smoothing) * nll + (label_smoothing / classes) * smooth
