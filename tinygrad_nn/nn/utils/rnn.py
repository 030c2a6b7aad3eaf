"""PyTorch's ``torch.nn.utils.rnn`` helpers for sequences of different lengths."""

from __future__ import annotations

from collections.abc import Sequence

from tinygrad_nn.tensor import Tensor, stack


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
