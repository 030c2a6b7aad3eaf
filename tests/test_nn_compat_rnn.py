"""RNN, LSTM and GRU (and their cells) against torch.nn in float64, weights copied both ways."""

import numpy as np
import pytest
import torch

import tinygrad_nn as tg
from tinygrad_nn import nn

KINDS = {"RNN": (nn.RNN, torch.nn.RNN), "LSTM": (nn.LSTM, torch.nn.LSTM),
         "GRU": (nn.GRU, torch.nn.GRU)}  # fmt: skip
CELLS = {"RNNCell": (nn.RNNCell, torch.nn.RNNCell), "LSTMCell": (nn.LSTMCell, torch.nn.LSTMCell),
         "GRUCell": (nn.GRUCell, torch.nn.GRUCell)}  # fmt: skip


def twins(kind, *args, **kwargs):
    """Our layer in float64 and its torch twin holding the same weights (loaded strictly)."""
    ours_cls, theirs_cls = (KINDS | CELLS)[kind]
    ours = ours_cls(*args, **kwargs).double()
    theirs = theirs_cls(*args, **kwargs).double()
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def close(ours, theirs):
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


def torch_state(kind, *args, **kwargs):
    """The state-dict keys and shapes torch gives the same constructor call."""
    layer = (KINDS | CELLS)[kind][1](*args, **kwargs)
    return [(k, tuple(v.shape)) for k, v in layer.state_dict().items()]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_state_dict_names_and_shapes_equal_torch(kind, bidirectional):
    args = (3, 5, 2)
    ours = KINDS[kind][0](*args, bidirectional=bidirectional)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == torch_state(
        kind, *args, bidirectional=bidirectional
    )


@pytest.mark.parametrize("kind", CELLS)
def test_cell_state_dict_names_and_shapes_equal_torch(kind):
    ours = CELLS[kind][0](3, 4)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == torch_state(kind, 3, 4)
    no_bias = CELLS[kind][0](3, 4, bias=False)
    assert list(no_bias.state_dict()) == ["weight_ih", "weight_hh"]


@pytest.mark.parametrize("kind", KINDS)
def test_torch_weights_load_here_strictly_and_give_torch_outputs(kind):
    theirs = KINDS[kind][1](4, 3, num_layers=2).double()
    ours = KINDS[kind][0](4, 3, num_layers=2).double()
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(1).standard_normal((6, 2, 4))
    out, _ = ours(tg.Tensor(x))
    their_out, _ = theirs(torch.from_numpy(x))
    close(out, their_out)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("given_state", [False, True])
def test_forward_and_gradients_match_torch(kind, batch_first, bidirectional, given_state):
    layers, hidden, steps, batch = 2, 4, 5, 3
    ours, theirs = twins(kind, 3, hidden, layers, batch_first=batch_first,
                         bidirectional=bidirectional)  # fmt: skip
    rng = np.random.default_rng(0)
    shape = (batch, steps, 3) if batch_first else (steps, batch, 3)
    x = rng.standard_normal(shape)
    x_ours, x_theirs = tg.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    state_shape = (layers * (2 if bidirectional else 1), batch, hidden)
    states = [rng.standard_normal(state_shape) for _ in range(2 if kind == "LSTM" else 1)]
    states_ours = [tg.Tensor(s, requires_grad=True) for s in states]
    states_theirs = [torch.tensor(s, requires_grad=True) for s in states]
    if not given_state:
        out, final = ours(x_ours)
        their_out, their_final = theirs(x_theirs)
    elif kind == "LSTM":
        out, final = ours(x_ours, tuple(states_ours))
        their_out, their_final = theirs(x_theirs, tuple(states_theirs))
    else:
        out, final = ours(x_ours, states_ours[0])
        their_out, their_final = theirs(x_theirs, states_theirs[0])
    finals = final if kind == "LSTM" else (final,)
    their_finals = their_final if kind == "LSTM" else (their_final,)
    close(out, their_out)
    for mine, reference in zip(finals, their_finals, strict=True):
        close(mine, reference)

    # a loss that reads the output and every final state
    weights = rng.standard_normal(out.shape)
    loss = (out * tg.Tensor(weights)).sum() + sum((f * f).sum() for f in finals)
    their_loss = (their_out * torch.from_numpy(weights)).sum() + sum(
        (f * f).sum() for f in their_finals
    )
    loss.backward()
    their_loss.backward()
    close(x_ours.grad, x_theirs.grad)
    if given_state:
        for mine, reference in zip(states_ours, states_theirs, strict=True):
            close(mine.grad, reference.grad)
    their_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        close(param.grad, their_params[name].grad)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_nonlinearity_and_no_bias_match_torch(nonlinearity):
    ours, theirs = twins("RNN", 2, 3, nonlinearity=nonlinearity, bias=False)
    x = np.random.default_rng(2).standard_normal((4, 2, 2))
    out, h = ours(tg.Tensor(x))
    their_out, their_h = theirs(torch.from_numpy(x))
    close(out, their_out)
    close(h, their_h)


@pytest.mark.parametrize("kind", KINDS)
def test_unbatched_sequence_matches_torch(kind):
    ours, theirs = twins(kind, 3, 2, 2)
    x = np.random.default_rng(3).standard_normal((5, 3))
    out, final = ours(tg.Tensor(x))
    their_out, their_final = theirs(torch.from_numpy(x))
    close(out, their_out)
    if kind == "LSTM":
        close(final[0], their_final[0])
        close(final[1], their_final[1])
    else:
        close(final, their_final)


@pytest.mark.parametrize("kind", CELLS)
@pytest.mark.parametrize("given_state", [False, True])
def test_cells_match_torch_forward_and_backward(kind, given_state):
    ours, theirs = twins(kind, 3, 4)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3))
    x_ours, x_theirs = tg.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    states = [rng.standard_normal((2, 4)) for _ in range(2 if kind == "LSTMCell" else 1)]
    if given_state:
        state_ours = [tg.Tensor(s) for s in states]
        state_theirs = [torch.from_numpy(s) for s in states]
        arg_ours = tuple(state_ours) if kind == "LSTMCell" else state_ours[0]
        arg_theirs = tuple(state_theirs) if kind == "LSTMCell" else state_theirs[0]
        out, their_out = ours(x_ours, arg_ours), theirs(x_theirs, arg_theirs)
    else:
        out, their_out = ours(x_ours), theirs(x_theirs)
    outs = out if kind == "LSTMCell" else (out,)
    their_outs = their_out if kind == "LSTMCell" else (their_out,)
    for mine, reference in zip(outs, their_outs, strict=True):
        close(mine, reference)
    sum(o.sum() * (k + 1) for k, o in enumerate(outs)).backward()
    sum(o.sum() * (k + 1) for k, o in enumerate(their_outs)).backward()
    close(x_ours.grad, x_theirs.grad)
    their_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        close(param.grad, their_params[name].grad)


def test_cells_take_unbatched_input_as_torch():
    ours, theirs = twins("GRUCell", 3, 2)
    x = np.random.default_rng(5).standard_normal(3)
    close(ours(tg.Tensor(x)), theirs(torch.from_numpy(x)))


def _with_parameters(module, names, tensors):
    """Point `module`'s parameters at the (gradcheck's float64 copies of the) given tensors."""
    for name, tensor in zip(names, tensors, strict=True):
        module._parameters[name] = tensor


@pytest.mark.parametrize("kind", KINDS)
def test_gradcheck_through_time_in_the_weights_the_input_and_the_state(kind):
    tg.manual_seed(0)
    layer = KINDS[kind][0](2, 3, 2, batch_first=True).double()
    names = [name for name, _ in layer.named_parameters()]
    params = [p.detach().requires_grad_() for p in layer.parameters()]
    rng = np.random.default_rng(6)
    x = tg.Tensor(rng.standard_normal((2, 3, 2)), requires_grad=True)
    h0 = tg.Tensor(rng.standard_normal((2, 2, 3)), requires_grad=True)

    def run(x, h0, *weights):
        _with_parameters(layer, names, weights)
        out, final = layer(x, (h0, h0 * 0.5) if kind == "LSTM" else h0)
        return out.sum() + (final[1] if kind == "LSTM" else final).sum()

    assert tg.gradcheck(run, [x, h0, *params])


def test_bad_input_and_state_shapes_name_what_was_expected():
    lstm = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(ValueError, match=r"expected input of shape \(L, N, 3\)"):
        lstm(tg.randn(5, 2, 4))
    with pytest.raises(ValueError, match=r"h_0 of shape \(1, 2, 4\).*\(2, 2, 4\)"):
        lstm(tg.randn(5, 2, 3), (tg.randn(1, 2, 4), tg.randn(2, 2, 4)))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=2)


def test_default_init_is_uniform_within_one_over_sqrt_hidden():
    tg.manual_seed(0)
    gru = nn.GRU(10, 16, num_layers=2)
    values = np.concatenate([p.numpy().ravel() for p in gru.parameters()])
    bound = 1 / np.sqrt(16)
    assert np.abs(values).max() <= bound
    assert np.abs(values).max() > 0.95 * bound  # spread over the whole interval
    assert abs(values.mean()) < 0.01


def test_dropout_between_layers_only_in_training():
    tg.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, dropout=0.5).double()
    x = tg.randn(4, 2, 3, dtype=tg.float64)
    lstm.eval()
    first, _ = lstm(x)
    second, _ = lstm(x)
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    lstm.train()
    trained, _ = lstm(x)
    assert not np.allclose(trained.numpy(), first.numpy())


def test_repr_matches_torch():
    assert repr(nn.LSTM(3, 4, 2, batch_first=True)) == repr(
        torch.nn.LSTM(3, 4, 2, batch_first=True)
    )
    assert repr(nn.GRU(3, 4, bidirectional=True)) == repr(torch.nn.GRU(3, 4, bidirectional=True))
    assert repr(nn.RNN(3, 4, nonlinearity="relu")) == repr(torch.nn.RNN(3, 4, nonlinearity="relu"))
    assert repr(nn.LSTMCell(3, 4)) == repr(torch.nn.LSTMCell(3, 4))


def test_a_sequence_model_trains_like_torch():
    """An LSTM + Linear regressor, the shape of a tutorial's, stepped by hand beside torch."""

    def regressor(nn_module):
        class Regressor(nn_module.Module):
            def __init__(self):
                super().__init__()
                self.lstm = nn_module.LSTM(2, 8, num_layers=2, batch_first=True)
                self.head = nn_module.Linear(8, 1)

            def forward(self, x):
                out, _ = self.lstm(x)
                return self.head(out[:, -1, :])

        return Regressor().double()

    ours, theirs = regressor(nn), regressor(torch.nn)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(7)
    for _ in range(3):
        x, y = rng.standard_normal((4, 6, 2)), rng.standard_normal((4, 1))
        loss = ((ours(tg.Tensor(x)) - tg.Tensor(y)) ** 2).mean()
        their_loss = ((theirs(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean()
        ours.zero_grad()
        theirs.zero_grad()
        loss.backward()
        their_loss.backward()
        with tg.no_grad():
            for param in ours.parameters():
                param -= 0.1 * param.grad
        with torch.no_grad():
            for param in theirs.parameters():
                param -= 0.1 * param.grad
        close(loss, their_loss)
    for name, value in ours.state_dict().items():
        np.testing.assert_allclose(value, theirs.state_dict()[name].numpy(), rtol=1e-10)


PACK = nn.utils.rnn
TORCH_PACK = torch.nn.utils.rnn


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("given_state", [False, True])
def test_packed_sequences_match_torch_forward_and_backward(kind, enforce_sorted, given_state):
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    ours, theirs = twins(kind, 2, 3, 2, batch_first=True, bidirectional=True)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((4, 5, 2))
    x_ours, x_theirs = tg.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    packed = PACK.pack_padded_sequence(x_ours, lengths, batch_first=True,
                                       enforce_sorted=enforce_sorted)  # fmt: skip
    their_packed = TORCH_PACK.pack_padded_sequence(x_theirs, torch.tensor(lengths),
                                                   batch_first=True, enforce_sorted=enforce_sorted)
    np.testing.assert_array_equal(packed.batch_sizes.numpy(), their_packed.batch_sizes.numpy())
    state = rng.standard_normal((4, 4, 3))  # in the caller's order, as torch takes it
    hx, their_hx = (tg.Tensor(state), torch.from_numpy(state)) if given_state else (None, None)
    if kind == "LSTM" and given_state:
        hx, their_hx = (hx, hx * 0.5), (their_hx, their_hx * 0.5)
    out, final = ours(packed, hx)
    their_out, their_final = theirs(their_packed, their_hx)
    assert isinstance(out, PACK.PackedSequence)
    close(out.data, their_out.data)
    h_n, their_h_n = (final[1], their_final[1]) if kind == "LSTM" else (final, their_final)
    close(h_n, their_h_n)
    padded, out_lengths = PACK.pad_packed_sequence(out, batch_first=True, total_length=6)
    their_padded, their_lengths = TORCH_PACK.pad_packed_sequence(
        their_out, batch_first=True, total_length=6
    )
    close(padded, their_padded)
    np.testing.assert_array_equal(out_lengths.numpy(), their_lengths.numpy())
    weights = rng.standard_normal(padded.shape)
    ((padded * tg.Tensor(weights)).sum() + h_n.sum()).backward()
    ((their_padded * torch.from_numpy(weights)).sum() + their_h_n.sum()).backward()
    close(x_ours.grad, x_theirs.grad)
    their_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        close(param.grad, their_params[name].grad)


def test_packing_round_trip_and_errors():
    x = np.random.default_rng(9).standard_normal((4, 3, 2))
    packed = PACK.pack_padded_sequence(tg.Tensor(x), tg.Tensor([4, 2, 1]))
    padded, lengths = PACK.pad_packed_sequence(packed, padding_value=-1.0)
    expected = x.copy()
    expected[2:, 1] = expected[1:, 2] = -1.0
    np.testing.assert_array_equal(padded.numpy(), expected)
    np.testing.assert_array_equal(lengths.numpy(), [4, 2, 1])
    with pytest.raises(RuntimeError, match="enforce_sorted=False"):
        PACK.pack_padded_sequence(tg.Tensor(x), [1, 2, 4])
    with pytest.raises(ValueError, match="one int per sequence"):
        PACK.pack_padded_sequence(tg.Tensor(x), [4, 2])
