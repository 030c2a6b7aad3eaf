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
from tinygrad_nn.tensor import Tensor, where

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


_CONVERSIONS = {"float32": ".float()", "float64": ".double()", "float16": ".half()"}


def _check_same_dtype(input: Tensor, weight: Tensor, fn: str) -> None:
    """PyTorch's rule for layers: the input's dtype must be the weight's (no silent cast)."""
    if input.dtype != weight.dtype:
        advice = f"convert the input with x{_CONVERSIONS.get(weight.dtype.name, '.to(dtype)')}"
        if input.dtype.name in _CONVERSIONS:
            advice += f" or the model with model{_CONVERSIONS[input.dtype.name]}"
        raise RuntimeError(
            f"{fn}: input dtype {input.dtype} does not match the weight's dtype {weight.dtype}; "
            + advice
        )


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
# ``inplace=True`` is accepted for PyTorch code and computes out of place: the result is the
# same, and an in-place change would invalidate what earlier ops saved for the backward pass.
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0) elementwise (``inplace`` accepted, result returned as a new tensor)."""
    return _tensor(input).relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, ``negative_slope * x`` otherwise (``inplace`` accepted)."""
    return _tensor(input).leaky_relu(negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, ``alpha (exp(x) - 1)`` otherwise."""
    input = _tensor(input)
    # exp of the non-positive part only: exp(x) of a large x, though not chosen, would overflow
    # and its zero gradient times inf would be nan
    return where(input > 0, input, alpha * (input.clip(max=0).exp() - 1))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (also called swish)."""
    input = _tensor(input)
    return input * input.sigmoid()


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``."""
    input = _tensor(input)
    return input * input.softplus().tanh()


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``, linear where ``beta x > threshold`` (PyTorch's)."""
    return _tensor(input).softplus(beta, threshold)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """x clipped into ``[min_val, max_val]``."""
    return _tensor(input).clip(min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """x clipped into ``[0, 6]``."""
    return _tensor(input).clip(0.0, 6.0)


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
    _check_same_dtype(input, weight, "linear")
    parents = (input, weight) if bias is None else (input, weight, input._operand(bias))
    out_features, in_features = weight.shape
    data = input._data @ weight._data.T
    if bias is not None:
        data += bias._data

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


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero whole channels of (N, C, H, W) or (C, H, W) input with probability `p`; scale the
    kept ones by 1/(1-p). Identity when ``training`` is False."""
    p = _check_probability(p, "dropout2d")
    input = _tensor(input)
    if input.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected input of shape (N, C, H, W) or (C, H, W), "
                         f"got {input.shape}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = generator().random(input.shape[:-2] + (1, 1)) >= p  # one draw per channel
    return input * _constant(keep / (1.0 - p), input)


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of `weight` (num_embeddings, dim) picked by the integer indices in `input`.

    Rows picked at `padding_idx` get no gradient (their value is returned as it is), as PyTorch.
    """
    indices = _host(_tensor(input))
    if indices.dtype.kind not in "iu":
        raise ValueError(f"embedding: indices must be integers, got dtype {indices.dtype}")
    num = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= num):
        bad = indices[(indices < 0) | (indices >= num)][0]
        raise IndexError(f"embedding: index {bad} is out of range for {num} embeddings")
    rows = weight[array_module(weight._data).asarray(indices)]
    if padding_idx is None:
        return rows
    padding_idx = padding_idx % num if -num <= padding_idx < num else padding_idx
    if not 0 <= padding_idx < num:
        raise ValueError(f"embedding: padding_idx {padding_idx} is out of range for {num} rows")
    counted = _constant((indices != padding_idx)[..., None], rows)
    return where(counted, rows, rows.detach())


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """int64 one-hot rows: shape (*tensor.shape, num_classes), a 1 at each label.

    ``num_classes=-1`` takes the largest label + 1. Not differentiable (labels are data).
    """
    labels = _host(_tensor(tensor))
    if labels.dtype.kind not in "iu":
        raise ValueError(f"one_hot: labels must be integers (int64), got dtype {labels.dtype}")
    if num_classes == -1:
        if labels.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; give it")
        num_classes = int(labels.max()) + 1
    num_classes = _check_size(num_classes, "num_classes")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels[(labels < 0) | (labels >= num_classes)][0]
        raise ValueError(f"one_hot: label {bad} is out of range for {num_classes} classes")
    rows = (labels[..., None] == np.arange(num_classes)).astype(np.int64)
    return Tensor(rows, device=_tensor(tensor).device)


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _padded_positions(size: int, before: int, after: int, mode: str, shape: tuple) -> np.ndarray:
    """For each position of a padded axis, the input position it copies (reflect, replicate
    or circular padding)."""
    limit = size - 1 if mode == "reflect" else size
    if (mode != "replicate" and max(before, after) > limit) or size == 0:
        raise ValueError(
            f"pad: {mode} padding of ({before}, {after}) does not fit an axis of size {size} "
            f"(input shape {shape}); each side may be at most {limit}"
        )
    positions = np.arange(-before, size + after)
    if mode == "reflect":  # mirror about the edge elements, which are not repeated
        positions = np.abs(positions)
        return np.where(positions >= size, 2 * (size - 1) - positions, positions)
    if mode == "replicate":
        return np.clip(positions, 0, size - 1)
    return positions % size


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
        ) -> Tensor:
    """Pad the last ``len(pad) // 2`` axes, PyTorch's way: `pad` lists (before, after) pairs
    starting from the LAST axis, ``(left, right, top, bottom, ...)``.

    `mode` is ``"constant"`` (with `value`, default 0; negative widths crop), ``"reflect"``,
    ``"replicate"`` or ``"circular"``.
    """
    input = _tensor(input)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {_PAD_MODES}, got {mode!r}")
    widths = list(pad)
    if len(widths) % 2 or len(widths) // 2 > input.ndim or not all(map(_is_int, widths)):
        raise ValueError(
            f"pad: expected an even number of ints, at most 2 per axis of the input of shape "
            f"{input.shape} (last axis first), got {tuple(pad)!r}"
        )
    pairs = [(0, 0)] * input.ndim
    for number in range(len(widths) // 2):
        pairs[input.ndim - 1 - number] = (int(widths[2 * number]), int(widths[2 * number + 1]))
    if mode == "constant":
        crop = tuple(slice(-min(b, 0), n + min(a, 0)) for (b, a), n in zip(pairs, input.shape,
                                                                          strict=True))
        if any(b < 0 or a < 0 for b, a in pairs):
            input = input[crop]
        return input.pad([(max(b, 0), max(a, 0)) for b, a in pairs],
                         value=0 if value is None else value)
    if value:
        raise ValueError(f"pad: value= only goes with mode='constant', got mode={mode!r}")
    if any(b < 0 or a < 0 for b, a in pairs):
        raise ValueError(f"pad: negative widths only go with mode='constant', got {tuple(pad)}")
    out = input
    for axis, (before, after) in enumerate(pairs):
        if before or after:
            positions = _padded_positions(input.shape[axis], before, after, mode, input.shape)
            out = out[(slice(None),) * axis + (array_module(input._data).asarray(positions),)]
    return out


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, *, axis: int | None = None
) -> Tensor:
    """``x / max(||x||_p, eps)`` along `dim` (``axis=`` also accepted), as PyTorch."""
    input = _tensor(input)
    dim = dim if axis is None else axis
    powered = (input * input) if p == 2 else input.abs() ** p
    total = powered.sum(axis=dim, keepdims=True)
    # max(||x||, eps) as a choice before the root: below eps the norm is the constant eps, and
    # the root's infinite slope at zero never meets a zero gradient (which would give NaN)
    floor = eps**p
    large = total > floor
    clamped = where(large, total, floor)
    norm = clamped.sqrt() if p == 2 else clamped ** (1.0 / p)
    return input / norm


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
        var = input.var(axis=axes, keepdims=True, correction=0)  # biased: it normalises
        if running_mean is not None and running_var is not None:
            with no_grad():
                unbiased_var = var._data.reshape(channels) * (count / (count - 1))
                running_mean[...] = (
                    1 - momentum
                ) * running_mean._data + momentum * mean._data.reshape(channels)
                running_var[...] = (1 - momentum) * running_var._data + momentum * unbiased_var
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
    padding: int | tuple[int, int] | str = 0,
) -> Tensor:
    """Cross-correlation as PyTorch: (N, C, H, W) input, (O, C, kh, kw) weight -> (N, O, OH, OW).

    ``OH = (H + 2 * padding - kh) // stride + 1``; ``padding="same"`` (stride 1) keeps the
    size, ``"valid"`` is 0. Computed as one matrix product over im2col windows (no Python loop
    over pixels or batch items). The result is a view of batch-last memory, as a numpy
    transpose gives.
    """
    x, unbatched = _as_batched_images(input, "conv2d")
    if weight.ndim != 4 or weight.shape[1] != x.shape[1]:
        raise ValueError(
            f"conv2d: weight of shape {weight.shape} (out, in, kh, kw) does not fit input of shape "
            f"{x.shape}: input channels {x.shape[1]} must equal weight.shape[1]"
        )
    weight = x._operand(weight)  # same device, or a RuntimeError naming both
    _check_same_dtype(x, weight, "conv2d")
    bias = None if bias is None else x._operand(bias)
    kh, kw = weight.shape[2:]
    sh, sw = _pair(stride, "stride", minimum=1)
    if isinstance(padding, str):
        (top, bottom), (left, right) = _padding_for_mode(padding, (kh, kw), (sh, sw), "conv2d")
        if (top, left) != (bottom, right):  # an even kernel: the extra row/column goes after
            x = pad(x, (left, right, top, bottom))
            top = left = 0
        padding = (top, left)
    ph, pw = _pair(padding, "padding")
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
    tiles = x._data.transpose(1, 2, 3, 0).reshape(c, out_h, kh, out_w, kw, n)
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


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int] = 1,
    padding: int | tuple[int] | str = 0,
) -> Tensor:
    """Cross-correlation of (N, C, L) input with (O, C, k) weight -> (N, O, OL), as PyTorch.

    Computed as `conv2d` on images one pixel high. ``padding`` may be ``"same"`` (stride 1)
    or ``"valid"``.
    """
    input = _tensor(input)
    if input.ndim not in (2, 3) or weight.ndim != 3:
        raise ValueError(
            f"conv1d: expected input (N, C, L) or (C, L) and weight (out, in, k), got shapes "
            f"{input.shape} and {weight.shape}"
        )
    (stride,) = _ints(stride, 1, "stride", minimum=1)
    padding = padding if isinstance(padding, str) else (0, *_ints(padding, 1, "padding"))
    out = conv2d(input.unsqueeze(-2), weight.unsqueeze(2), bias, (1, stride), padding)
    return out.squeeze(-2)


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0,
) -> Tensor:
    """The adjoint (gradient map) of `conv2d`, as PyTorch's: (N, C_in, H, W) input and
    (C_in, C_out, kh, kw) weight -> (N, C_out, OH, OW) with
    ``OH = (H - 1) * stride - 2 * padding + kh + output_padding``.

    Each input pixel spreads its kh x kw window of the weights onto the output; the same op
    that gives `conv2d` its input gradient, so its own gradients are convolutions again.
    """
    x, unbatched = _as_batched_images(input, "conv_transpose2d")
    if weight.ndim != 4 or weight.shape[0] != x.shape[1]:
        raise ValueError(
            f"conv_transpose2d: weight of shape {weight.shape} (in, out, kh, kw) does not fit "
            f"input of shape {x.shape}: input channels {x.shape[1]} must equal weight.shape[0]"
        )
    weight = x._operand(weight)
    _check_same_dtype(x, weight, "conv_transpose2d")
    kh, kw = weight.shape[2:]
    (sh, sw), (ph, pw) = _pair(stride, "stride", minimum=1), _pair(padding, "padding")
    extra_h, extra_w = _pair(output_padding, "output_padding")
    if extra_h >= sh or extra_w >= sw:
        raise ValueError(
            f"conv_transpose2d: output_padding {output_padding} must be smaller than the "
            f"stride {stride}"
        )
    n, _, h, w = x.shape
    out_h, out_w = (h - 1) * sh - 2 * ph + kh + extra_h, (w - 1) * sw - 2 * pw + kw + extra_w
    if out_h <= 0 or out_w <= 0:
        raise ValueError(
            f"conv_transpose2d: padding {padding} leaves no output for input of shape {x.shape}"
        )
    out = _conv_transpose2d(
        x, weight, (n, weight.shape[1], out_h, out_w), ((kh, kw), (sh, sw), (ph, pw))
    )
    if bias is not None:
        out = out + x._operand(bias).reshape(1, -1, 1, 1)
    return out[0] if unbatched else out


def _ints(value: Any, count: int, name: str, minimum: int = 0) -> tuple[int, ...]:
    """An int, or a sequence of `count` ints, each >= `minimum`, as a tuple of `count` ints."""
    values = (value,) * count if _is_int(value) else value
    if not isinstance(values, tuple | list) or len(values) != count:
        raise ValueError(f"{name} must be an int or {count} ints, got {value!r}")
    if not all(map(_is_int, values)):
        raise ValueError(f"{name} must be an int or {count} ints, got {value!r}")
    if min(values) < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return tuple(int(v) for v in values)


def _padding_for_mode(
    mode: str, kernel: tuple[int, ...], stride: tuple[int, ...], fn: str
) -> list[tuple[int, int]]:
    """(before, after) per spatial axis for ``padding="same"`` or ``"valid"``.

    "same" keeps the size at stride 1: k - 1 padding in all, the extra one after (PyTorch's).
    """
    if mode == "valid":
        return [(0, 0)] * len(kernel)
    if mode != "same":
        raise ValueError(f"{fn}: padding must be an int, a tuple, 'same' or 'valid', got {mode!r}")
    if any(s != 1 for s in stride):
        raise ValueError(f"{fn}: padding='same' needs stride 1, got stride {stride}")
    return [((k - 1) // 2, k - 1 - (k - 1) // 2) for k in kernel]


# Average pooling is linear and separable: averaging the windows along H and then along W is
# the same as averaging each kh x kw window, and each axis is a fixed (OH, H) matrix whose row
# i holds 1/divisor over window i. So out = P_h @ x @ P_w^T, two matmuls whose gradients
# (P_h^T @ g @ P_w) are again matmuls: exact to any order, with no new op. Windows that tile
# the image take the shorter way, a reshape and a mean.
def _pool_size(size: int, kernel: int, stride: int, padding: int, ceil_mode: bool) -> int:
    span = size + 2 * padding - kernel
    count = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (count - 1) * stride >= size + padding:
        count -= 1  # a last window may not start inside the right padding (PyTorch's rule)
    return count


def _averaging_matrix(
    size: int, kernel: int, stride: int, padding: int, ceil_mode: bool, count_include_pad: bool
) -> np.ndarray:
    """(out, size) matrix: row i averages window i of an axis (padding counts as zeros)."""
    count = _pool_size(size, kernel, stride, padding, ceil_mode)
    matrix = np.zeros((count, size))
    for i in range(count):
        start = i * stride - padding
        stop = min(start + kernel, size + padding)  # windows never reach past the padding
        inside = slice(max(start, 0), min(stop, size))
        divisor = stop - start if count_include_pad else inside.stop - inside.start
        matrix[i, inside] = 1.0 / divisor
    return matrix


def _adaptive_matrix(size: int, out_size: int) -> np.ndarray:
    """(out, size) matrix: row i averages positions floor(i*size/out) .. ceil((i+1)*size/out)."""
    matrix = np.zeros((out_size, size))
    for i in range(out_size):
        start, stop = (i * size) // out_size, -(-((i + 1) * size) // out_size)
        matrix[i, start:stop] = 1.0 / (stop - start)
    return matrix


def _separable_average(x: Tensor, rows: np.ndarray, columns: np.ndarray) -> Tensor:
    """``rows @ x @ columns.T`` over the last two axes of (N, C, H, W) `x`."""
    return _constant(rows, x) @ (x @ _constant(columns.T, x))


def _tile_mean(x: Tensor, kernel: tuple[int, int]) -> Tensor:
    """Mean over the non-overlapping kh x kw tiles of (N, C, H, W) input (rest cut off)."""
    (kh, kw), (n, c, h, w) = kernel, x.shape
    out_h, out_w = h // kh, w // kw
    if (h, w) != (out_h * kh, out_w * kw):
        x = x[:, :, : out_h * kh, : out_w * kw]
    return x.reshape(n, c, out_h, kh, out_w, kw).mean(axis=(3, 5))


def _pool1d(pool2d: Any, input: Any, fn: str, *args: Any) -> Tensor:
    """A 1-D pooling of (N, C, L) or (C, L) input, as `pool2d` on images one pixel high."""
    input = _tensor(input)
    if input.ndim not in (2, 3):
        raise ValueError(f"{fn}: expected input of shape (N, C, L) or (C, L), got {input.shape}")
    return pool2d(input.unsqueeze(-2), *args).squeeze(-2)


def max_pool1d(
    input: Tensor, kernel_size: int, stride: int | None = None, padding: int = 0
) -> Tensor:
    """Maximum over each window of (N, C, L) input; stride defaults to the kernel size."""
    (kernel,) = _ints(kernel_size, 1, "kernel_size", minimum=1)
    (stride,) = (kernel,) if stride is None else _ints(stride, 1, "stride", minimum=1)
    (padding,) = _ints(padding, 1, "padding")
    return _pool1d(max_pool2d, input, "max_pool1d", (1, kernel), (1, stride), (0, padding))


def avg_pool1d(
    input: Tensor,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """Mean over each window of (N, C, L) input; stride defaults to the kernel size."""
    (kernel,) = _ints(kernel_size, 1, "kernel_size", minimum=1)
    (stride,) = (kernel,) if stride is None else _ints(stride, 1, "stride", minimum=1)
    (padding,) = _ints(padding, 1, "padding")
    return _pool1d(avg_pool2d, input, "avg_pool1d", (1, kernel), (1, stride), (0, padding),
                   ceil_mode, count_include_pad)  # fmt: skip


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    """Average (N, C, L) input down to (N, C, output_size) with PyTorch's windows."""
    (size,) = _ints(output_size, 1, "output_size", minimum=1)
    return _pool1d(adaptive_avg_pool2d, input, "adaptive_avg_pool1d", (1, size))


def avg_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over each kh x kw window of (N, C, H, W) input, as PyTorch; stride defaults to the
    kernel size. Zero padding counts in the mean unless ``count_include_pad=False``."""
    x, unbatched = _as_batched_images(input, "avg_pool2d")
    kernel = _pair(kernel_size, "kernel_size", minimum=1)
    strides = kernel if stride is None else _pair(stride, "stride", minimum=1)
    pads = _pair(padding, "padding")
    if any(2 * p > k for p, k in zip(pads, kernel, strict=True)):
        raise ValueError(
            f"avg_pool2d: padding {padding} must be at most half the kernel size {kernel_size}"
        )
    for size, k, p in zip(x.shape[2:], kernel, pads, strict=True):
        _output_size(size + 2 * p, k, 1, "avg_pool2d", x.shape)  # raises if a window cannot fit
    if strides == kernel and pads == (0, 0) and not ceil_mode and divisor_override is None:
        out = _tile_mean(x, kernel)
    else:
        rows, columns = (
            _averaging_matrix(size, k, s, p, ceil_mode, count_include_pad)
            for size, k, s, p in zip(x.shape[2:], kernel, strides, pads, strict=True)
        )
        if divisor_override is not None:  # sums over each window, then one fixed divisor
            rows, columns = (rows > 0) / float(divisor_override), (columns > 0) * 1.0
        out = _separable_average(x, rows, columns)
    return out[0] if unbatched else out


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple[int | None, int | None]) -> Tensor:
    """Average (N, C, H, W) input down to (N, C, *output_size) with PyTorch's windows: output
    row i averages input rows floor(i H / OH) to ceil((i + 1) H / OH). ``None`` keeps a size."""
    x, unbatched = _as_batched_images(input, "adaptive_avg_pool2d")
    sizes = (output_size, output_size) if _is_int(output_size) else tuple(output_size)
    if len(sizes) != 2:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be an int or a pair, "
                         f"got {output_size!r}")
    out_h, out_w = (
        size if wanted is None else _check_size(wanted, "output_size", minimum=1)
        for wanted, size in zip(sizes, x.shape[2:], strict=True)
    )
    h, w = x.shape[2:]
    if h % out_h == 0 and w % out_w == 0:  # equal windows that tile the image
        out = _tile_mean(x, (h // out_h, w // out_w))
    else:
        out = _separable_average(x, _adaptive_matrix(h, out_h), _adaptive_matrix(w, out_w))
    return out[0] if unbatched else out


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 · x2 / (max(||x1||, eps) max(||x2||, eps))`` along `dim` (broadcasting), as PyTorch."""
    return (normalize(x1, 2.0, dim, eps) * normalize(x2, 2.0, dim, eps)).sum(axis=dim)


# ----- resizing -------------------------------------------------------------------------
# Resizing is separable too: each spatial axis maps its input positions to output positions
# by a fixed (out, in) matrix, a one-hot row per output for "nearest", two weights summing to
# 1 for the linear modes. Applied one axis at a time, as matmuls; their gradients are the
# transposed matmuls.
_INTERPOLATION_MODES = {"nearest": 1, "linear": 1, "bilinear": 2, "trilinear": 3}


def _resize_matrix(size: int, out_size: int, scale: float, mode: str, align_corners: bool
                   ) -> np.ndarray:
    """(out, in) matrix taking an axis of `size` positions to `out_size`, as PyTorch samples:
    `scale` is input positions per output position."""
    matrix = np.zeros((out_size, size))
    outputs = np.arange(out_size)
    if mode == "nearest":
        matrix[outputs, np.minimum(np.floor(outputs * scale).astype(np.int64), size - 1)] = 1.0
        return matrix
    if align_corners:  # the corner pixels' centres line up
        source = outputs * ((size - 1) / (out_size - 1) if out_size > 1 else 0.0)
    else:  # pixel centres: output centre (j + 1/2) maps to input (j + 1/2) * scale
        source = np.maximum((outputs + 0.5) * scale - 0.5, 0.0)
    below = np.minimum(np.floor(source).astype(np.int64), size - 1)
    above = np.minimum(below + 1, size - 1)
    fraction = source - below
    np.add.at(matrix, (outputs, below), 1.0 - fraction)
    np.add.at(matrix, (outputs, above), fraction)
    return matrix


def interpolate(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """Resize the spatial axes of (N, C, ...) input to `size`, or by `scale_factor`, with
    PyTorch's sampling: ``"nearest"``, ``"linear"`` (1-D), ``"bilinear"`` (2-D) or
    ``"trilinear"`` (3-D); `align_corners` as PyTorch (default False for the linear modes)."""
    input = _tensor(input)
    if mode not in _INTERPOLATION_MODES:
        raise ValueError(f"interpolate: mode must be one of {tuple(_INTERPOLATION_MODES)}, "
                         f"got {mode!r}")
    spatial = input.ndim - 2
    if spatial < 1 or (mode != "nearest" and spatial != _INTERPOLATION_MODES[mode]):
        raise ValueError(f"interpolate: mode {mode!r} does not fit input of shape {input.shape}")
    if mode == "nearest" and align_corners is not None:
        raise ValueError("interpolate: align_corners only goes with the linear modes")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    sizes = input.shape[2:]
    if size is not None:
        outs = _ints(size, spatial, "size", minimum=1)
        scales = [n / out for n, out in zip(sizes, outs, strict=True)]
    else:
        one_factor = isinstance(scale_factor, int | float)
        factors = [scale_factor] * spatial if one_factor else list(scale_factor)
        if len(factors) != spatial or min(factors) <= 0:
            raise ValueError(f"interpolate: scale_factor {scale_factor!r} does not fit "
                             f"{spatial} spatial axes")
        outs = tuple(int(math.floor(n * f)) for n, f in zip(sizes, factors, strict=True))
        scales = [1.0 / f for f in factors]
    out = input
    for axis, (n, out_size, scale) in enumerate(zip(sizes, outs, scales, strict=True)):
        if n == out_size and mode == "nearest":
            continue
        matrix = _resize_matrix(n, out_size, scale, mode, bool(align_corners))
        # resize axis 2 + axis: move it last, multiply by matrix^T, move it back
        moved = out.transpose(2 + axis, -1)
        out = (moved @ _constant(matrix.T, input)).transpose(2 + axis, -1)
    return out


# ----- losses ---------------------------------------------------------------------------
def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean (or sum, or per-element) squared error; input and target must have one shape."""
    _check_reduction(reduction, "mse_loss")
    input, target = _pairwise_inputs(input, target, "mse_loss")
    # one op, as PyTorch's (loss.grad_fn.next_functions leads straight to input's node):
    # d/dinput = 2 (input - target) / n for the mean, d/dtarget its negative
    squared = (input._data - target._data) ** 2
    loss = squared.mean() if reduction == "mean" else squared.sum() if reduction == "sum" \
        else squared
    scale = 2.0 / max(squared.size, 1) if reduction == "mean" else 2.0

    def mse_input_rule(g: Any, out: Any, input: Any, target: Any) -> Any:
        return g * ((input - target) * scale)

    def mse_target_rule(g: Any, out: Any, input: Any, target: Any) -> Any:
        return g * ((target - input) * scale)

    return Tensor._make(loss, (input, target), "mse_loss", (mse_input_rule, mse_target_rule))


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean (or sum, or per-element) absolute error; input and target must have one shape."""
    _check_reduction(reduction, "l1_loss")
    input, target = _pairwise_inputs(input, target, "l1_loss")
    return _reduce((input - target).abs(), reduction)


def smooth_l1_loss(
    input: Tensor, target: Any, reduction: str = "mean", beta: float = 1.0
) -> Tensor:
    """``0.5 d² / beta`` where ``|d| < beta``, ``|d| - 0.5 beta`` elsewhere, for d = input - target
    (PyTorch's; ``beta=0`` is the L1 loss)."""
    _check_reduction(reduction, "smooth_l1_loss")
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    input, target = _pairwise_inputs(input, target, "smooth_l1_loss")
    distance = (input - target).abs()
    if beta == 0:
        return _reduce(distance, reduction)
    loss = where(distance < beta, 0.5 * distance * distance / beta, distance - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """``0.5 d²`` where ``|d| <= delta``, ``delta (|d| - 0.5 delta)`` elsewhere (PyTorch's):
    `smooth_l1_loss` times `delta`, with ``beta = delta``."""
    _check_reduction(reduction, "huber_loss")
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    input, target = _pairwise_inputs(input, target, "huber_loss")
    distance = (input - target).abs()
    loss = where(distance <= delta, 0.5 * distance * distance, delta * (distance - 0.5 * delta))
    return _reduce(loss, reduction)


def kl_div(
    input: Tensor, target: Any, reduction: str = "mean", log_target: bool = False
) -> Tensor:
    """KL divergence with `input` as log-probabilities: ``target * (log target - input)`` per
    element, 0 where target is 0 (PyTorch's pointwise form).

    ``reduction="batchmean"`` divides the sum by the batch size (the true KL divergence of each
    row, averaged); ``"mean"`` divides by the number of elements, as PyTorch. With
    ``log_target=True`` the target is given as log-probabilities too.
    """
    if reduction not in (*REDUCTIONS, "batchmean"):
        raise ValueError(
            f"kl_div: reduction must be one of {(*REDUCTIONS, 'batchmean')}, got {reduction!r}"
        )
    input, target = _pairwise_inputs(input, target, "kl_div")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        # x log x -> 0 as x -> 0: the log of a zero target is replaced by anything finite
        positive = target > 0
        log_target_values = where(positive, target, 1.0).log()
        loss = target * (log_target_values - input)
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction)


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
    probs, labels = input._data, target._data
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
        losses = losses * scale._data
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
    loss = _reduce(loss, reduction)
    drawn = ("binary_cross_entropy_with_logits", (input, target))  # viz: one op, as written
    loss._drawn_as = drawn if loss.requires_grad else None
    return loss


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
    xp = array_module(rows._data)  # index with arrays on the scores' device
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
    scores = rows._data
    xp = array_module(scores)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
    losses = -(targets._data * log_probs).sum(axis=1)

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
    loss = _reduce_rows(losses, reduction, float(row_weight.sum()), row_shape)
    loss._drawn_as = ("nll_loss", (input, _tensor(target))) if loss.requires_grad else None
    return loss


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
        loss = _soft_cross_entropy(rows, targets, reduction, float(rows.shape[0]), row_shape)
        loss._drawn_as = ("cross_entropy", (input, target)) if loss.requires_grad else None
        return loss

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
    loss = _soft_cross_entropy(
        rows, _constant(weights, input), reduction, float(row_weight.sum()), row_shape
    )
    loss._drawn_as = ("cross_entropy", (input, target)) if loss.requires_grad else None  # viz
    return loss
