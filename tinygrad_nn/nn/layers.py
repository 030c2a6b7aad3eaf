"""Layers: Linear, Sequential, activations, Dropout, normalisation and Embedding (PyTorch's)."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from tinygrad_nn.autograd import no_grad
from tinygrad_nn.nn import functional as F
from tinygrad_nn.nn import init
from tinygrad_nn.nn.containers import _position
from tinygrad_nn.nn.module import Module, Parameter, _parameter_dtype
from tinygrad_nn.tensor import Tensor


def _resolve(value: Any, torch_value: Any, names: str, default: Any) -> Any:
    """Pick our keyword or PyTorch's spelling of it (giving both is an error)."""
    if value is not None and torch_value is not None:
        raise TypeError(f"give only one of {names}")
    if value is not None:
        return value
    return default if torch_value is None else torch_value


class Linear(Module):
    """``y = x @ weight.T + bias`` for input (..., in_features).

    `weight` is (out_features, in_features) and `bias` (out_features,), both drawn from
    U(-1/sqrt(in_features), 1/sqrt(in_features)) as in PyTorch.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in_features = F._check_size(in_features, "in_features")
        self.out_features = F._check_size(out_features, "out_features")
        weight_dtype = _parameter_dtype()
        self.weight = Parameter(np.zeros((self.out_features, self.in_features), dtype=weight_dtype))
        self.bias = Parameter(np.zeros(self.out_features, dtype=weight_dtype)) if bias else None
        self.reset_parameters()
        if device is not None or dtype is not None:
            self.to(device, dtype)

    def reset_parameters(self) -> None:
        """Redraw the weights with PyTorch's default initialisation."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        """Apply the affine map to the last axis."""
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Sequential(Module):
    """Modules applied one after another; children are named "0", "1", ... (or by an OrderedDict).

    Indexable (``model[0]``, ``model[-1]``, ``model[1:]``), iterable and sized.
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(modules):
                if not isinstance(module, Module):
                    raise TypeError(
                        f"Sequential argument {index} is a {type(module).__name__}, not a Module"
                    )
                self.add_module(str(index), module)

    def __getitem__(self, index: int | slice) -> Module:
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        if not F._is_int(index):
            raise TypeError(
                f"Sequential index must be an int or a slice, got {type(index).__name__} {index!r}"
            )
        if not -len(items) <= index < len(items):
            raise IndexError(f"index {index} is out of range for Sequential of length {len(items)}")
        return items[index][1]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __setitem__(self, index: int, module: Module) -> None:
        names = list(self._modules)
        self.add_module(names[_position(index, len(names), "Sequential")], module)

    def __delitem__(self, index: int | slice) -> None:
        # as PyTorch: what remains is numbered "0", "1", ... again
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[_position(index, len(modules), "Sequential")]
        self._modules.clear()
        for number, module in enumerate(modules):
            self.add_module(str(number), module)

    def append(self, module: Module) -> Sequential:
        """Add `module` at the end."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> Sequential:
        """Add every module of `modules` at the end."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Insert `module` before position `index`; the modules are numbered again."""
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._modules.clear()
        for number, child in enumerate(modules):
            self.add_module(str(number), child)
        return self

    def pop(self, index: int = -1) -> Module:
        """Remove and return the module at `index`."""
        module = self[index]
        del self[index]
        return module

    def forward(self, input: Any) -> Any:
        """Feed the input through every module in order."""
        for module in self._modules.values():
            input = module(input)
        return input


class Identity(Module):
    """Returns its input unchanged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        """Return `input`."""
        return input


class ReLU(Module):
    """max(x, 0) elementwise; ``inplace=True`` is accepted and computes out of place."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """Apply ReLU."""
        return F.relu(input)


class Sigmoid(Module):
    """1 / (1 + exp(-x)) elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """Apply the logistic sigmoid."""
        return F.sigmoid(input)


class Tanh(Module):
    """Hyperbolic tangent elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """Apply tanh."""
        return F.tanh(input)


class LeakyReLU(Module):
    """x for x > 0, ``negative_slope * x`` otherwise."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """Apply leaky ReLU."""
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """x for x > 0, ``alpha (exp(x) - 1)`` otherwise."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """Apply ELU."""
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class SiLU(Module):
    """``x * sigmoid(x)`` elementwise."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """Apply SiLU."""
        return F.silu(input)


class Mish(Module):
    """``x * tanh(softplus(x))`` elementwise."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """Apply Mish."""
        return F.mish(input)


class Softplus(Module):
    """``log(1 + exp(beta x)) / beta``, linear above `threshold`."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        """Apply softplus."""
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """x clipped into ``[min_val, max_val]``."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """Clip."""
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class ReLU6(Hardtanh):
    """x clipped into ``[0, 6]``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return ""


class GELU(Module):
    """x * Φ(x) (exact), or the tanh approximation with ``approximate="tanh"``."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        """Apply GELU."""
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """Softmax along `axis` (default -1; ``dim=`` also accepted)."""

    def __init__(self, axis: int | None = None, *, dim: int | None = None) -> None:
        super().__init__()
        self.axis = _resolve(axis, dim, "axis= and dim=", -1)

    def forward(self, input: Tensor) -> Tensor:
        """Apply softmax."""
        return F.softmax(input, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Module):
    """log(softmax(x)) along `axis` (default -1; ``dim=`` also accepted), computed stably."""

    def __init__(self, axis: int | None = None, *, dim: int | None = None) -> None:
        super().__init__()
        self.axis = _resolve(axis, dim, "axis= and dim=", -1)

    def forward(self, input: Tensor) -> Tensor:
        """Apply log-softmax."""
        return F.log_softmax(input, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Flatten(Module):
    """Flatten axes `start_axis`..`end_axis` into one (``start_dim``/``end_dim`` also accepted)."""

    def __init__(
        self,
        start_axis: int | None = None,
        end_axis: int | None = None,
        *,
        start_dim: int | None = None,
        end_dim: int | None = None,
    ) -> None:
        super().__init__()
        self.start_axis = _resolve(start_axis, start_dim, "start_axis= and start_dim=", 1)
        self.end_axis = _resolve(end_axis, end_dim, "end_axis= and end_dim=", -1)

    def forward(self, input: Tensor) -> Tensor:
        """Flatten the chosen axes."""
        return input.flatten(self.start_axis, self.end_axis)

    def extra_repr(self) -> str:
        return f"start_axis={self.start_axis}, end_axis={self.end_axis}"


class CosineSimilarity(Module):
    """Cosine of the angle between `x1` and `x2` along `dim` (``F.cosine_similarity``)."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        """Compute the similarity."""
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class Upsample(Module):
    """Resize the spatial axes of (N, C, ...) input to `size` or by `scale_factor`
    (``F.interpolate``'s modes: nearest, linear, bilinear, trilinear)."""

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None) -> None:
        super().__init__()
        self.size = size
        self.scale_factor = None if scale_factor is None else (
            float(scale_factor) if isinstance(scale_factor, int | float)
            else tuple(float(f) for f in scale_factor)
        )  # fmt: skip
        self.mode = mode
        self.align_corners = align_corners

    def forward(self, input: Tensor) -> Tensor:
        """Resize."""
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners)

    def extra_repr(self) -> str:
        shape = f"size={self.size}" if self.scale_factor is None else (
            f"scale_factor={self.scale_factor}"
        )
        return f"{shape}, mode={self.mode!r}"


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability `p` and scale the rest
    by 1/(1-p); in eval mode, the identity. Follows ``tg.manual_seed``."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = F._check_probability(p, type(self).__name__)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """Apply dropout when training."""
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Dropout2d(Dropout):
    """Channel dropout for (N, C, H, W) input: zero whole channels with probability `p`, scale
    the rest by 1/(1-p) in training; the identity in eval mode."""

    def forward(self, input: Tensor) -> Tensor:
        """Apply channel dropout when training."""
        return F.dropout2d(input, self.p, self.training)


class Unflatten(Module):
    """Split axis `dim` into `unflattened_size`: the inverse of `Flatten` (``-1`` allowed once)."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        """Reshape axis `dim` into `unflattened_size`."""
        input = F._tensor(input)
        dim = self.dim % input.ndim if -input.ndim <= self.dim < input.ndim else self.dim
        if not 0 <= dim < input.ndim:
            raise ValueError(f"Unflatten: dim {self.dim} is out of range for shape {input.shape}")
        return input.reshape(*input.shape[:dim], *self.unflattened_size, *input.shape[dim + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class _BatchNorm(Module):
    """Batch normalisation of channel axis 1, as PyTorch.

    Training normalises with the batch's mean and biased variance and updates the buffers
    ``running_mean``, ``running_var`` (with the unbiased variance) and ``num_batches_tracked``;
    eval mode normalises with the running ones. ``momentum=None`` gives a cumulative average.
    """

    input_ranks: tuple[int, ...] = ()
    layout = ""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        num_features = F._check_size(num_features, "num_features")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=_parameter_dtype()))
            if bias:
                self.bias = Parameter(np.zeros(num_features, dtype=_parameter_dtype()))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype=_parameter_dtype()))
            self.register_buffer("running_var", np.ones(num_features, dtype=_parameter_dtype()))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        if device is not None or dtype is not None:
            self.to(device, dtype)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches tracked."""
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def forward(self, input: Tensor) -> Tensor:
        """Normalise each channel (array-likes are converted to a Tensor, as in every layer)."""
        input = F._tensor(input)
        if input.ndim not in self.input_ranks or input.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__}({self.num_features}) expects input of shape "
                f"{self.layout.format(C=self.num_features)}, got {input.shape}"
            )
        momentum = 0.0 if self.momentum is None else self.momentum
        use_batch_stats = self.training or self.running_mean is None
        if self.training and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked += 1
            if self.momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked.item())
        return F.batch_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            training=use_batch_stats,
            momentum=momentum,
            eps=self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over (N, C) or (N, C, L) input, as PyTorch (see `_BatchNorm`)."""

    input_ranks = (2, 3)
    layout = "(N, {C}) or (N, {C}, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of each channel of (N, C, H, W) images, as PyTorch."""

    input_ranks = (4,)
    layout = "(N, {C}, H, W)"


class LayerNorm(Module):
    """Normalise over the trailing `normalized_shape` axes, then scale by `weight`, add `bias`."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(normalized_shape, tuple | list):
            normalized_shape = (normalized_shape,)
        shape = tuple(F._check_size(n, "normalized_shape entry") for n in normalized_shape)
        self.normalized_shape = shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.ones(shape, dtype=_parameter_dtype()))
            self.bias = Parameter(np.zeros(shape, dtype=_parameter_dtype())) if bias else None
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        """Apply layer normalisation."""
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class Embedding(Module):
    """A lookup table: integer indices of any shape -> rows of `weight` (num_embeddings, dim),
    initialised from N(0, 1) as PyTorch.

    The row at `padding_idx` starts at zero and gets no gradient (a "nothing here" token).
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if max_norm is not None:
            raise NotImplementedError("Embedding: max_norm is not supported (only None)")
        self.num_embeddings = F._check_size(num_embeddings, "num_embeddings")
        self.embedding_dim = F._check_size(embedding_dim, "embedding_dim")
        if padding_idx is not None:
            if not -self.num_embeddings <= padding_idx < self.num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx {padding_idx} must be within num_embeddings "
                    f"{self.num_embeddings}"
                )
            padding_idx %= self.num_embeddings
        self.padding_idx = padding_idx
        self.weight = Parameter(
            np.zeros((self.num_embeddings, self.embedding_dim), dtype=_parameter_dtype())
        )
        self.reset_parameters()
        if device is not None or dtype is not None:
            self.to(device, dtype)

    @classmethod
    def from_pretrained(
        cls, embeddings: Any, freeze: bool = True, padding_idx: int | None = None
    ) -> Embedding:
        """An Embedding holding a copy of the (num_embeddings, dim) `embeddings`; frozen
        (``requires_grad=False``) unless ``freeze=False``."""
        rows = np.array(F._host(F._tensor(embeddings)))
        if rows.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained needs a 2-D table, got shape {rows.shape}")
        layer = cls(*rows.shape, padding_idx=padding_idx)
        layer.weight = Parameter(rows, requires_grad=not freeze)
        return layer

    def reset_parameters(self) -> None:
        """Redraw the weights from N(0, 1); the padding row is zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0

    def forward(self, input: Any) -> Tensor:
        """Look up the rows for `input`."""
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text if self.padding_idx is None else text + f", padding_idx={self.padding_idx}"
