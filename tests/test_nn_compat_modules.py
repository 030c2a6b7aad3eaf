"""Module containers and the Module API PyTorch programs use, checked against torch twins;
and nn.utils (gradient clipping, parameters as a vector, pad_sequence)."""

import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch

import tinygrad_nn as tg
from tinygrad_nn import nn


def shapes(module):
    """State-dict keys and shapes, comparable between the two frameworks."""
    return [(k, tuple(np.shape(v))) for k, v in module.state_dict().items()]


def build(nn_module):
    """One model, written once for either framework, that uses every container."""

    class Net(nn_module.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn_module.Sequential(OrderedDict(
                conv=nn_module.Conv2d(1, 2, 3), norm=nn_module.BatchNorm2d(2),
                act=nn_module.ReLU(),
            ))  # fmt: skip
            self.blocks = nn_module.ModuleList([nn_module.Linear(8, 8) for _ in range(2)])
            self.blocks.append(nn_module.Linear(8, 4))
            self.heads = nn_module.ModuleDict({"cls": nn_module.Linear(4, 3),
                                               "box": nn_module.Linear(4, 2)})  # fmt: skip
            self.scales = nn_module.ParameterList(
                [nn_module.Parameter(torch.ones(4) if nn_module is torch.nn else tg.ones(4))]
            )
            self.extras = nn_module.ParameterDict(
                {"shift": nn_module.Parameter(torch.zeros(3) if nn_module is torch.nn
                                              else tg.zeros(3))}
            )  # fmt: skip
            self.register_buffer("steps", torch.zeros(1) if nn_module is torch.nn else tg.zeros(1))
            self.register_buffer("scratch", torch.zeros(2) if nn_module is torch.nn
                                 else tg.zeros(2), persistent=False)  # fmt: skip

        def forward(self, x):
            x = self.stem(x).flatten(1)
            for block in self.blocks:
                x = block(x).tanh()
            x = x * self.scales[0]
            return self.heads["cls"](x) + self.extras["shift"], self.heads["box"](x)

    return Net()


def test_containers_give_torchs_names_and_shapes_and_load_both_ways():
    ours, theirs = build(nn).double(), build(torch.nn).double()
    assert shapes(ours) == [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((3, 1, 4, 4))
    for mine, reference in zip(ours(tg.Tensor(x)), theirs(torch.from_numpy(x)), strict=True):
        np.testing.assert_allclose(mine.numpy(), reference.detach().numpy(), rtol=1e-10)
    twin = build(nn).double()
    twin.load_state_dict(theirs.state_dict())  # strict: every key, buffers included
    for name, value in twin.state_dict().items():
        np.testing.assert_array_equal(value, theirs.state_dict()[name].numpy())
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [n for n, _ in ours.named_parameters(recurse=False)] == []
    assert len(list(ours.buffers())) == len(list(theirs.buffers()))


def test_module_list_behaves_as_a_list():
    layers = nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])
    layers.insert(0, nn.Tanh())
    layers += [nn.Sigmoid()]
    assert [type(m).__name__ for m in layers] == ["Tanh", "Linear", "ReLU", "Sigmoid"]
    assert list(layers._modules) == ["0", "1", "2", "3"]
    assert isinstance(layers[-1], nn.Sigmoid)
    assert [type(m).__name__ for m in layers[1:3]] == ["Linear", "ReLU"]
    del layers[0]
    assert [n for n, _ in layers.named_parameters()] == ["0.weight", "0.bias"]
    layers[1] = nn.GELU()
    assert isinstance(layers.pop(1), nn.GELU) and len(layers) == 2
    with pytest.raises(IndexError, match="index 5 is out of range for ModuleList of length 2"):
        layers[5]


def test_module_dict_and_parameter_containers_behave_as_torchs():
    heads = nn.ModuleDict([("a", nn.Linear(2, 2))])
    heads["b"] = nn.Linear(2, 1)
    heads.update({"c": nn.Identity()})
    assert list(heads) == ["a", "b", "c"] and "b" in heads and len(heads) == 3
    assert isinstance(heads.pop("c"), nn.Identity)
    with pytest.raises(KeyError, match="'z'"):
        heads["z"]
    params = nn.ParameterList([tg.zeros(2), np.ones(3)])  # wrapped as Parameters
    assert all(isinstance(p, nn.Parameter) for p in params)
    assert [n for n, _ in params.named_parameters()] == ["0", "1"]
    table = nn.ParameterDict({"w": tg.ones(2, 2)})
    table["b"] = nn.Parameter(tg.zeros(2))
    assert list(table.keys()) == ["w", "b"] and table["w"].requires_grad
    assert repr(params) == (
        "ParameterList(\n  (0): Parameter containing: [float32 of size (2,)]\n"
        "  (1): Parameter containing: [float64 of size (3,)]\n)"
    )


def test_sequential_from_ordered_dict_names_its_children():
    model = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    assert [n for n, _ in model.named_parameters()] == ["fc.weight", "fc.bias"]
    assert model.get_submodule("fc") is model.fc


def test_submodule_parameter_and_buffer_lookup_by_dotted_path():
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)))
    assert model.get_submodule("0.1") is model[0][1]
    assert model.get_parameter("0.0.bias") is model[0][0].bias
    assert model.get_buffer("0.1.running_var") is model[0][1].running_var
    assert model.get_submodule("") is model
    with pytest.raises(AttributeError, match="has no submodule '7'"):
        model.get_submodule("0.7")


def test_named_modules_keeps_or_removes_a_shared_module_as_torch():
    shared = nn.Linear(1, 1)
    model = nn.Sequential(shared, shared)
    twin_shared = torch.nn.Linear(1, 1)
    twin = torch.nn.Sequential(twin_shared, twin_shared)
    for remove in (True, False):
        assert [n for n, _ in model.named_modules(remove_duplicate=remove)] == [
            n for n, _ in twin.named_modules(remove_duplicate=remove)
        ]
    assert [n for n, _ in model.named_modules(prefix="net")] == ["net", "net.0"]


def test_add_module_register_buffer_and_requires_grad_():
    model = nn.Module()
    model.add_module("fc", nn.Linear(2, 2))
    model.register_module("out", nn.Linear(2, 1))
    model.register_buffer("mask", tg.ones(2))
    model.register_buffer("cache", tg.zeros(2), persistent=False)
    assert list(model.state_dict()) == ["mask", "fc.weight", "fc.bias", "out.weight", "out.bias"]
    assert [n for n, _ in model.named_buffers()] == ["mask", "cache"]
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_zero_grad_sets_to_none_or_to_zeros():
    model = nn.Linear(2, 1)
    model(tg.ones(3, 2)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in model.parameters())
    assert model.weight.grad.shape == model.weight.shape
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_to_takes_torchs_forms():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    weight = model[0].weight
    assert model.to("cpu", tg.float64) is model
    assert weight.dtype == np.float64 and model[1].running_mean.dtype == np.float64
    assert model[1].num_batches_tracked.dtype == np.int64  # integer buffers are not cast
    model.to(dtype=tg.float32)
    assert weight.dtype == np.float32
    model.type(tg.float64)
    assert weight.dtype == np.float64
    model.to(tg.zeros(1, dtype=tg.float32))
    assert weight.dtype == np.float32 and model[0].weight is weight
    model.to(device="cpu").cpu()
    with pytest.raises(TypeError, match="floating"):
        model.to(tg.int64)


def test_extra_repr_of_a_user_module_shows_in_its_repr():
    class Scale(nn.Module):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor

        def extra_repr(self):
            return f"factor={self.factor}"

    assert repr(nn.Sequential(Scale(2))) == "Sequential(\n  (0): Scale(factor=2)\n)"


def test_deepcopy_of_a_model_is_independent():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    clone = copy.deepcopy(model)
    with tg.no_grad():
        clone[0].weight += 1
    assert not np.allclose(clone[0].weight.numpy(), model[0].weight.numpy())
    assert list(clone.state_dict()) == list(model.state_dict())


# ----- nn.utils ---------------------------------------------------------------------------
def with_grads(seed=0):
    """Two float64 parameter lists, ours and torch's, holding the same values and gradients."""
    rng = np.random.default_rng(seed)
    values = [rng.standard_normal(s) * 3 for s in ((3, 2), (4,), (2, 2, 2))]
    grads = [rng.standard_normal(v.shape) * 2 for v in values]
    ours = [nn.Parameter(tg.Tensor(v)) for v in values]
    theirs = [torch.nn.Parameter(torch.from_numpy(v.copy())) for v in values]
    for p, q, g in zip(ours, theirs, grads, strict=True):
        p.grad, q.grad = tg.Tensor(g), torch.from_numpy(g.copy())
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, theirs = with_grads()
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    their_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    np.testing.assert_allclose(total.item(), their_total.item(), rtol=1e-10)
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10)


def test_clip_grad_norm_on_a_model_and_its_nonfinite_error():
    model = nn.Linear(3, 1)
    (model(tg.ones(2, 3)) * 100).sum().backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    norm = np.sqrt(sum((p.grad.numpy().astype(np.float64) ** 2).sum() for p in model.parameters()))
    assert norm == pytest.approx(1.0, rel=1e-5)
    model.weight.grad = tg.Tensor(np.full((1, 3), np.inf, dtype=np.float32))
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(model.parameters(), 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch():
    ours, theirs = with_grads(1)
    nn.utils.clip_grad_value_(ours, 1.5)
    torch.nn.utils.clip_grad_value_(theirs, 1.5)
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


def test_parameters_to_vector_and_back_match_torch():
    ours, theirs = with_grads(2)
    vector = nn.utils.parameters_to_vector(ours)
    np.testing.assert_array_equal(
        vector.numpy(), torch.nn.utils.parameters_to_vector(theirs).detach().numpy()
    )
    for p in ours:
        p.grad = None
    (vector * tg.arange(vector.shape[0], dtype=tg.float64)).sum().backward()  # differentiable
    np.testing.assert_array_equal(ours[1].grad.numpy(), np.arange(6, 10))
    new = np.arange(vector.shape[0], dtype=np.float64)
    nn.utils.vector_to_parameters(tg.Tensor(new), ours)
    torch.nn.utils.vector_to_parameters(torch.from_numpy(new), theirs)
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(p.numpy(), q.detach().numpy())
    with pytest.raises(ValueError, match="does not fit parameters with 18 elements"):
        nn.utils.vector_to_parameters(tg.zeros(5), ours)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_torch(batch_first, side):
    rng = np.random.default_rng(3)
    sequences = [rng.standard_normal((n, 2)) for n in (3, 1, 4)]
    ours = nn.utils.rnn.pad_sequence([tg.Tensor(s) for s in sequences], batch_first, -1.0, side)
    theirs = torch.nn.utils.rnn.pad_sequence(
        [torch.from_numpy(s) for s in sequences], batch_first, -1.0, side
    )
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_replacing_a_layer_keeps_its_place_as_torch():
    """Transfer learning's ``model.fc = nn.Linear(...)``: the keys keep torch's order."""
    for nn_module in (nn, torch.nn):
        layers = OrderedDict(fc=nn_module.Linear(2, 2), out=nn_module.Linear(2, 1))
        model = nn_module.Sequential(layers)
        model.fc = nn_module.Linear(2, 2)
        model.out.weight = nn_module.Parameter(model.out.weight.detach() * 2)
        assert list(model.state_dict()) == ["fc.weight", "fc.bias", "out.weight", "out.bias"]


def test_sequential_edits_number_the_layers_as_torch():
    for nn_module in (nn, torch.nn):
        model = nn_module.Sequential(nn_module.Linear(2, 2), nn_module.ReLU())
        model.extend([nn_module.Linear(2, 1)])
        model.insert(1, nn_module.Tanh())
        del model[2]
        model[0] = nn_module.Linear(2, 2, bias=False)
        popped = model.pop(1)
        assert type(popped).__name__ == "Tanh"
        assert [n for n, _ in model.named_parameters()] == ["0.weight", "1.weight", "1.bias"]


def test_shared_parameters_and_state_dict_options_as_torch():
    for nn_module in (nn, torch.nn):
        shared = nn_module.Linear(2, 2)
        model = nn_module.Sequential(shared, nn_module.ReLU(), shared)
        assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
        assert [n for n, _ in model.named_parameters(remove_duplicate=False)] == [
            "0.weight", "0.bias", "2.weight", "2.bias"
        ]
        kept = model.state_dict(prefix="net.", keep_vars=True)
        assert list(kept) == ["net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias"]
        assert kept["net.0.weight"] is shared.weight
