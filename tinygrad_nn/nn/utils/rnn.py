"""PyTorch's ``torch.nn.utils.rnn``: batches of sequences of different lengths.

A `PackedSequence` stores such a batch without padding: the sequences sorted longest first,
and their steps laid out time-major, step 0 of every sequence, then step 1 of those that
have one, ... ``batch_sizes[t]`` says how many sequences have a step t. The recurrent layers
take one and advance each sequence only over its own steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from tinygrad_nn.tensor import Tensor, cat, stack


class PackedSequence(NamedTuple):
    """Sequences of different lengths packed time-major without padding (see the module)."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None


def pad_sequence(
    sequences: Sequence[Tensor],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack (L_i, ...) tensors into (L_max, N, ...) ((N, L_max, ...) with ``batch_first``),
    each padded with `padding_value` after its end (before it with ``padding_side="left"``)."""
    if not sequences:
        raise ValueError("pad_sequence: no sequences were given")
    if padding_side not in ("right", "left"):
        raise ValueError(
            f"pad_sequence: padding_side must be 'right' or 'left', got {padding_side!r}"
        )
    longest = max(t.shape[0] for t in sequences)
    padded = []
    for sequence in sequences:
        extra = longest - sequence.shape[0]
        before, after = (extra, 0) if padding_side == "left" else (0, extra)
        padded.append(sequence.pad([(before, after)] + [(0, 0)] * (sequence.ndim - 1),
                                   value=padding_value))
    return stack(padded, axis=0 if batch_first else 1)


def _lengths(lengths: Any, batch: int) -> np.ndarray:
    values = np.asarray(lengths.numpy() if isinstance(lengths, Tensor) else lengths)
    if values.shape != (batch,) or values.dtype.kind not in "iu":
        raise ValueError(
            f"lengths must hold one int per sequence ({batch}), got {values.tolist()!r}"
        )
    if batch and values.min() <= 0:
        raise ValueError(f"every sequence length must be positive, got {values.tolist()}")
    return values.astype(np.int64)


def pack_padded_sequence(
    input: Tensor, lengths: Any, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Pack a padded (L, N, ...) batch ((N, L, ...) with ``batch_first``) whose sequence i has
    ``lengths[i]`` real steps. With ``enforce_sorted=False`` the batch may be in any order."""
    if batch_first:
        input = input.transpose(0, 1)
    lengths = _lengths(lengths, input.shape[1])
    if lengths.max() > input.shape[0]:
        raise ValueError(
            f"a length of {lengths.max()} does not fit input with {input.shape[0]} steps"
        )
    sorted_indices = unsorted_indices = None
    if enforce_sorted:
        if (np.diff(lengths) > 0).any():
            raise RuntimeError(
                f"lengths {lengths.tolist()} are not sorted longest first; sort the batch or "
                "pass enforce_sorted=False"
            )
    else:
        order = np.argsort(-lengths, kind="stable")
        input, lengths = input[:, order], lengths[order]
        sorted_indices = Tensor(order)
        unsorted_indices = Tensor(np.argsort(order))
    batch_sizes = (lengths[None, :] > np.arange(lengths[0])[:, None]).sum(axis=1)
    data = cat([input[t, :size] for t, size in enumerate(batch_sizes.tolist())], axis=0)
    return PackedSequence(data, Tensor(batch_sizes), sorted_indices, unsorted_indices)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """Undo `pack_padded_sequence`: the padded (L, N, ...) batch ((N, L, ...) with
    ``batch_first``) in the original order, and the int64 lengths."""
    sizes = sequence.batch_sizes.numpy().tolist()
    batch, steps = sizes[0], len(sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"total_length {total_length} is shorter than the {steps} steps")
        steps = total_length
    starts = np.cumsum([0, *sizes]).tolist()
    rows = []
    for t in range(steps):
        if t < len(sizes):
            step = sequence.data[starts[t] : starts[t + 1]]
            missing = batch - sizes[t]
        else:
            step, missing = sequence.data[:0], batch
        padding = [(0, missing)] + [(0, 0)] * (sequence.data.ndim - 1)
        rows.append(step.pad(padding, value=padding_value))
    padded = stack(rows, axis=0)
    lengths = (np.asarray(sizes)[None, :] > np.arange(batch)[:, None]).sum(axis=1)
    if sequence.unsorted_indices is not None:
        order = sequence.unsorted_indices.numpy()
        padded, lengths = padded[:, order], lengths[order]
    return (padded.transpose(0, 1) if batch_first else padded), Tensor(lengths.astype(np.int64))
