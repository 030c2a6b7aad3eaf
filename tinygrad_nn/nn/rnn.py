"""Recurrent layers as PyTorch: RNN, LSTM and GRU (multi-layer, bidirectional) and their cells.

Each step is written out in Tensor ops, so the gradient through time is the autograd
engine's. Parameters carry PyTorch's names and shapes (``weight_ih_l0``, ``weight_hh_l0``,
``bias_ih_l0``, ``bias_hh_l0``, ``..._reverse`` for the backward direction), with the gates
stacked in PyTorch's order, so a ``state_dict`` loads into the torch twin and back.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_nn.nn import functional as F
from tinygrad_nn.nn import init
from tinygrad_nn.nn.module import Module, Parameter, _parameter_dtype
from tinygrad_nn.nn.utils.rnn import PackedSequence
from tinygrad_nn.tensor import Tensor, cat, stack

# rows of weight_ih / weight_hh per hidden unit: the gates stacked in PyTorch's order
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _gates(stacked: Tensor, count: int) -> list[Tensor]:
    """Split (..., count * H) pre-activations into `count` (..., H) gates."""
    size = stacked.shape[-1] // count
    return [stacked[..., k * size : (k + 1) * size] for k in range(count)]


def _rnn_step(mode: str, x_part: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (relu for RNN_RELU); `x_part` is W_ih x + b_ih."""
    pre = x_part + F.linear(h, w_hh, b_hh)
    return pre.tanh() if mode == "RNN_TANH" else pre.relu()


def _lstm_step(
    x_part: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh: Tensor | None
) -> tuple[Tensor, Tensor]:
    """One LSTM step, gates in PyTorch's order i, f, g, o:
    c' = σ(f) c + σ(i) tanh(g),  h' = σ(o) tanh(c')."""
    i, f, g, o = _gates(x_part + F.linear(h, w_hh, b_hh), 4)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c.tanh(), c


def _gru_step(x_part: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """One GRU step, gates in PyTorch's order r, z, n:
    r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r h_n), h' = (1 - z) n + z h,
    where h_n = W_hn h + b_hn keeps its bias inside the reset gate, as PyTorch."""
    x_r, x_z, x_n = _gates(x_part, 3)
    h_r, h_z, h_n = _gates(F.linear(h, w_hh, b_hh), 3)
    r, z = (x_r + h_r).sigmoid(), (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return (1 - z) * n + z * h


def _suffix(layer: int, direction: int) -> str:
    """PyTorch's parameter-name suffix: ``_l0``, ``_l1``, ... and ``_reverse`` going backwards."""
    return f"_l{layer}" + ("_reverse" if direction else "")


def _check_sizes(input_size: Any, hidden_size: Any) -> tuple[int, int]:
    return F._check_size(input_size, "input_size"), F._check_size(hidden_size, "hidden_size", 1)


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters, their initialisation, the loop over layers,
    directions and time. Input is (L, N, input_size), (N, L, input_size) with
    ``batch_first=True``, or unbatched (L, input_size)."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if proj_size:
            raise NotImplementedError(f"{type(self).__name__}: proj_size is not supported (only 0)")
        self.mode = mode
        self.input_size, self.hidden_size = _check_sizes(input_size, hidden_size)
        self.num_layers = F._check_size(num_layers, "num_layers", minimum=1)
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = F._check_probability(dropout, type(self).__name__)
        self.bidirectional = bidirectional
        self.proj_size = 0
        directions = 2 if bidirectional else 1
        gate_rows = _GATES[mode] * self.hidden_size
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else self.hidden_size * directions
            for direction in range(directions):
                suffix = _suffix(layer, direction)
                shapes = {f"weight_ih{suffix}": (gate_rows, layer_input),
                          f"weight_hh{suffix}": (gate_rows, self.hidden_size)}
                if bias:
                    shapes |= {f"bias_ih{suffix}": (gate_rows,), f"bias_hh{suffix}": (gate_rows,)}
                for name, shape in shapes.items():
                    zeros = np.zeros(shape, dtype=_parameter_dtype())
                    self.register_parameter(name, Parameter(zeros))
        self.reset_parameters()
        if device is not None or dtype is not None:
            self.to(device, dtype)

    def reset_parameters(self) -> None:
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for param in self.parameters():
            init.uniform_(param, -bound, bound)

    def flatten_parameters(self) -> None:
        """Nothing to do here (PyTorch packs cuDNN weights); kept so PyTorch code runs."""

    def _weights(self, layer: int, direction: int) -> tuple[Tensor | None, ...]:
        return tuple(
            self._parameters.get(kind + _suffix(layer, direction))
            for kind in ("weight_ih", "bias_ih", "weight_hh", "bias_hh")
        )

    def _initial_state(self, hx: Any, batch: int, unbatched: bool, like: Tensor, what: str
                       ) -> Tensor:
        """The (layers * directions, N, H) initial state: `hx`, or zeros when it is None."""
        shape = (self.num_layers * (2 if self.bidirectional else 1), batch, self.hidden_size)
        if hx is None:
            return F._constant(np.zeros(shape), like)  # on the input's device, in its dtype
        hx = F._tensor(hx)
        expected = (shape[0], shape[2]) if unbatched else shape
        if hx.shape != expected:
            raise ValueError(
                f"{type(self).__name__}: {what} of shape {hx.shape} does not fit; expected "
                f"{expected} (layers * directions, {'' if unbatched else 'batch, '}hidden_size)"
            )
        return hx.unsqueeze(1) if unbatched else hx

    def _steps(self, input: Any) -> tuple[list[Tensor], list[int], bool]:
        """The input as a list of (batch, features) steps, how many sequences each step holds,
        and whether it came unbatched. A PackedSequence's step t holds its first
        ``batch_sizes[t]`` sequences (they are sorted longest first)."""
        if isinstance(input, PackedSequence):
            sizes = [int(size) for size in input.batch_sizes.numpy()]
            starts = np.cumsum([0, *sizes]).tolist()
            steps = [input.data[a:b] for a, b in zip(starts[:-1], starts[1:], strict=True)]
            return steps, sizes, False
        input = F._tensor(input)
        if input.ndim not in (2, 3) or input.shape[-1] != self.input_size:
            layout = "(N, L, ...) as batch_first=True" if self.batch_first else "batch_first=False"
            raise ValueError(
                f"{type(self).__name__}: expected input of shape (L, N, {self.input_size}) "
                f"({layout}) or (L, {self.input_size}), got {input.shape}"
            )
        unbatched = input.ndim == 2
        if unbatched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        # The sequence is kept as a list of (N, features) steps: each step's gradient is then
        # its own array. Slicing step t out of one (L, N, features) tensor gives every step a
        # full-size gradient to add up, L times over; only the input is sliced so, and its
        # slices need gradients only when it does (an Embedding's output, say).
        length, batch = input.shape[:2]
        return [input[t] for t in range(length)], [batch] * length, unbatched

    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:
        """Run the whole sequence: returns ``(output, h_n)`` (LSTM: ``(output, (h_n, c_n))``).

        `output` holds the last layer's hidden state at every step, both directions side by
        side; `h_n` the final state of every layer and direction. A `PackedSequence` input
        (from ``nn.utils.rnn.pack_padded_sequence``) gives a PackedSequence output, and each
        sequence's final state is the one at its own last step.
        """
        packed = input if isinstance(input, PackedSequence) else None
        layer_steps, sizes, unbatched = self._steps(input)
        batch, lstm = sizes[0], self.mode == "LSTM"
        h0, c0 = (hx if hx is not None else (None, None)) if lstm else (hx, None)
        h0 = self._initial_state(h0, batch, unbatched, layer_steps[0], "h_0")
        c0 = self._initial_state(c0, batch, unbatched, layer_steps[0], "c_0") if lstm else None
        if packed is not None and packed.sorted_indices is not None:  # states in sorted order
            order = packed.sorted_indices.numpy()
            h0 = h0[:, order]
            c0 = None if c0 is None else c0[:, order]
        directions = 2 if self.bidirectional else 1
        final_h, final_c = [], []
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                layer_steps = [F.dropout(x, self.dropout) for x in layer_steps]
            direction_steps = []
            for direction in range(directions):
                slot = layer * directions + direction
                outputs, h, c = self._run_direction(
                    layer_steps, sizes, self._weights(layer, direction), h0[slot],
                    c0[slot] if lstm else None, reverse=bool(direction),
                )  # fmt: skip
                direction_steps.append(outputs)
                final_h.append(h)
                final_c.append(c)
            layer_steps = direction_steps[0] if directions == 1 else [
                cat(pair, axis=1) for pair in zip(*direction_steps, strict=True)
            ]
        h_n = stack(final_h, axis=0)
        c_n = stack(final_c, axis=0) if lstm else None
        if packed is not None:
            output: Any = PackedSequence(cat(layer_steps, axis=0), *packed[1:])
            if packed.unsorted_indices is not None:  # states back in the caller's order
                order = packed.unsorted_indices.numpy()
                h_n = h_n[:, order]
                c_n = None if c_n is None else c_n[:, order]
        else:
            output = stack(layer_steps, axis=0)
            if unbatched:
                output, h_n = output.squeeze(1), h_n.squeeze(1)
                c_n = None if c_n is None else c_n.squeeze(1)
            elif self.batch_first:
                output = output.transpose(0, 1)
        return output, ((h_n, c_n) if lstm else h_n)

    def _run_direction(
        self, steps: list[Tensor], sizes: list[int], weights: tuple[Tensor | None, ...],
        h: Tensor, c: Tensor | None, reverse: bool,
    ) -> tuple[list[Tensor], Tensor, Tensor | None]:
        """One layer in one direction over every step: the per-step outputs and the final
        (h, c). At step t only the first ``sizes[t]`` sequences advance; the others keep their
        state (a packed batch's shorter sequences have ended, or, backwards, not yet begun)."""
        w_ih, b_ih, w_hh, b_hh = weights
        outputs: list[Tensor] = [h] * len(steps)
        for t in reversed(range(len(steps))) if reverse else range(len(steps)):
            active = sizes[t]
            running = active < h.shape[0]
            h_t = h[:active] if running else h
            c_t = c[:active] if running and c is not None else c
            x_part = F.linear(steps[t], w_ih, b_ih)  # W_ih x_t + b_ih
            if self.mode == "LSTM":
                h_t, c_t = _lstm_step(x_part, h_t, c_t, w_hh, b_hh)
            elif self.mode == "GRU":
                h_t = _gru_step(x_part, h_t, w_hh, b_hh)
            else:
                h_t = _rnn_step(self.mode, x_part, h_t, w_hh, b_hh)
            outputs[t] = h_t
            h = cat([h_t, h[active:]], axis=0) if running else h_t
            if c is not None:
                c = cat([c_t, c[active:]], axis=0) if running else c_t
        return outputs, h, c

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` (or relu), per layer."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(
            "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size,
            num_layers, bias, batch_first, dropout, bidirectional, 0, device, dtype,
        )  # fmt: skip


class LSTM(RNNBase):
    """Long short-term memory, gates i, f, g, o as PyTorch; returns ``(output, (h_n, c_n))``
    and takes ``(h_0, c_0)`` as its optional second argument."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            "LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, proj_size, device, dtype,
        )  # fmt: skip


class GRU(RNNBase):
    """Gated recurrent unit, gates r, z, n as PyTorch (the reset gate scales W_hn h + b_hn)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            "GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, 0, device, dtype,
        )  # fmt: skip


class RNNCellBase(Module):
    """What the single-step cells share: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``
    in PyTorch's shapes, drawn from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool,
                 device: Any, dtype: Any) -> None:
        super().__init__()
        self.mode = mode
        self.input_size, self.hidden_size = _check_sizes(input_size, hidden_size)
        self.bias = bias
        rows = _GATES[mode] * self.hidden_size
        self.weight_ih = Parameter(np.zeros((rows, self.input_size), dtype=_parameter_dtype()))
        self.weight_hh = Parameter(np.zeros((rows, self.hidden_size), dtype=_parameter_dtype()))
        if bias:
            self.bias_ih = Parameter(np.zeros(rows, dtype=_parameter_dtype()))
            self.bias_hh = Parameter(np.zeros(rows, dtype=_parameter_dtype()))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()
        if device is not None or dtype is not None:
            self.to(device, dtype)

    reset_parameters = RNNBase.reset_parameters

    def _batched(self, input: Any) -> tuple[Tensor, bool]:
        """The input as (N, input_size), and whether it came unbatched, (input_size,)."""
        input = F._tensor(input)
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__}: expected input of shape (N, {self.input_size}) or "
                f"({self.input_size},), got {input.shape}"
            )
        return (input.unsqueeze(0), True) if input.ndim == 1 else (input, False)

    def _state(self, hx: Any, input: Tensor, unbatched: bool) -> Tensor:
        """A (N, hidden_size) state for batched `input`: `hx`, or zeros when it is None."""
        shape = (input.shape[0], self.hidden_size)
        if hx is None:
            return F._constant(np.zeros(shape), input)
        hx = F._tensor(hx)
        if hx.shape != shape[unbatched:]:
            raise ValueError(
                f"{type(self).__name__}: state of shape {hx.shape} does not fit; expected "
                f"{shape[unbatched:]} (the input's batch size, hidden_size)"
            )
        return hx.unsqueeze(0) if unbatched else hx

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        return text if self.bias else text + ", bias=False"


class RNNCell(RNNCellBase):
    """One Elman RNN step: ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}"
            )
        self.nonlinearity = nonlinearity
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Any = None) -> Tensor:
        """The next hidden state (N, hidden_size)."""
        input, unbatched = self._batched(input)
        h = self._state(hx, input, unbatched)
        h = _rnn_step(self.mode, F.linear(input, self.weight_ih, self.bias_ih), h,
                      self.weight_hh, self.bias_hh)
        return h[0] if unbatched else h


class LSTMCell(RNNCellBase):
    """One LSTM step; takes and returns ``(h, c)``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Tensor]:
        """The next ``(h, c)``, each (N, hidden_size)."""
        h0, c0 = (None, None) if hx is None else hx
        input, unbatched = self._batched(input)
        h, c = self._state(h0, input, unbatched), self._state(c0, input, unbatched)
        h, c = _lstm_step(F.linear(input, self.weight_ih, self.bias_ih), h, c,
                          self.weight_hh, self.bias_hh)
        return (h[0], c[0]) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n as PyTorch)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Any = None) -> Tensor:
        """The next hidden state (N, hidden_size)."""
        input, unbatched = self._batched(input)
        h = self._state(hx, input, unbatched)
        h = _gru_step(F.linear(input, self.weight_ih, self.bias_ih), h,
                      self.weight_hh, self.bias_hh)
        return h[0] if unbatched else h
