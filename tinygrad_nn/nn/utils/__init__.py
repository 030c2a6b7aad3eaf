"""PyTorch's ``torch.nn.utils``: gradient clipping and parameters as one flat vector."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from tinygrad_nn.autograd import no_grad
from tinygrad_nn.nn.module import _parameter_dtype
from tinygrad_nn.nn.utils import rnn
from tinygrad_nn.tensor import Tensor, cat

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "parameters_to_vector",
    "rnn",
    "vector_to_parameters",
]


def _as_list(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    """One tensor or an iterable of them (a generator from ``model.parameters()``) as a list."""
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale the gradients so that their joint `norm_type`-norm is at most `max_norm`.

    The norm is taken over all gradients together, as if concatenated into one vector; each is
    multiplied by ``min(1, max_norm / (norm + 1e-6))``, as PyTorch. Returns the norm before
    clipping as a 0-d tensor. ``norm_type=inf`` is the largest absolute value.
    """
    parameters = _as_list(parameters)  # a generator can be read only once
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return Tensor(np.array(0.0, dtype=_parameter_dtype()))
    norm_type = float(norm_type)
    # the norms are taken in float64 on the host: a handful of numbers, one for each parameter
    magnitudes = [np.abs(g.numpy().astype(np.float64)) for g in grads]
    if norm_type == math.inf:
        total = max(float(m.max(initial=0.0)) for m in magnitudes)
    else:
        total = sum(float((m**norm_type).sum()) for m in magnitudes) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"the total norm of order {norm_type} of the gradients is non-finite ({total}), so "
            "it cannot be clipped; pass error_if_nonfinite=False to clip anyway"
        )
    scale = min(1.0, max_norm / (total + 1e-6))
    if scale < 1.0:
        with no_grad():
            for param in parameters:
                if param.grad is not None:
                    param.grad = param.grad.detach() * scale
    return Tensor(np.array(total, dtype=grads[0].dtype), device=grads[0].device)


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clip every gradient element into ``[-clip_value, clip_value]``."""
    with no_grad():
        for param in _as_list(parameters):
            if param.grad is not None:
                param.grad = param.grad.detach().clip(-clip_value, clip_value)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one 1-D tensor (differentiable)."""
    tensors = _as_list(parameters)
    if not tensors:
        raise ValueError("parameters_to_vector: no parameters were given")
    return cat([t.reshape(-1) for t in tensors], axis=0)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of 1-D `vec` into the parameters, in place (the inverse of
    `parameters_to_vector`)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, got {type(vec).__name__}")
    tensors = _as_list(parameters)
    total = sum(t.numel() for t in tensors)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ValueError(
            f"vector_to_parameters: vector of shape {vec.shape} does not fit parameters with "
            f"{total} elements in all"
        )
    values = vec.numpy()
    offset = 0
    with no_grad():
        for tensor in tensors:
            count = tensor.numel()
            piece = values[offset : offset + count].reshape(tensor.shape)
            tensor[...] = piece.astype(tensor.dtype)
            offset += count
