"""nn.Module and nn.Parameter: registration, names, state_dict, modes, dtypes and repr."""

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import nn

torch = pytest.importorskip("torch")


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.bn = nn.BatchNorm1d(6)
        self.fc2 = nn.Linear(6, 3)

    def forward(self, x):
        return self.fc2(self.bn(self.fc1(x)).relu())


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.decoder = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4))

    def forward(self, x):
        return self.decoder(self.encoder(x))


class TorchEncoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 6)
        self.bn = torch.nn.BatchNorm1d(6)
        self.fc2 = torch.nn.Linear(6, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x))))


class TorchAutoEncoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = TorchEncoder()
        self.decoder = torch.nn.Sequential(
            torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 4)
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


def torch_state(module):
    return {k: torch.from_numpy(v.numpy()) for k, v in module.state_dict().items()}


# ----- names and state_dict -------------------------------------------------------------
def test_named_parameters_use_torch_dotted_names_in_torch_order():
    ours = [name for name, _ in AutoEncoder().named_parameters()]
    assert ours == [name for name, _ in TorchAutoEncoder().named_parameters()]
    assert ours[:2] == ["encoder.fc1.weight", "encoder.fc1.bias"]
    assert "decoder.2.bias" in ours


def test_state_dict_keys_match_torch_including_batch_norm_buffers():
    ours = AutoEncoder().state_dict()
    assert list(ours) == list(TorchAutoEncoder().state_dict())
    assert "encoder.bn.num_batches_tracked" in ours
    assert ours["encoder.bn.num_batches_tracked"].dtype == np.int64
    assert ours["encoder.bn.running_var"].shape == (6,)


def test_state_dict_loads_into_torch_and_gives_the_same_outputs():
    model = AutoEncoder().double()
    twin = TorchAutoEncoder().double()
    twin.load_state_dict(torch_state(model))
    model.eval()
    twin.eval()
    x = np.random.default_rng(0).standard_normal((5, 4))
    expected = twin(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(model(tg.Tensor(x)).numpy(), expected, rtol=1e-12)


def test_torch_state_dict_loads_into_our_model():
    twin = TorchAutoEncoder()
    model = AutoEncoder()
    result = model.load_state_dict(twin.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    for name, value in twin.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[name], value.numpy())


def test_torch_parameters_that_require_grad_load_directly():
    twin = torch.nn.Linear(3, 2)
    model = nn.Linear(3, 2)
    model.load_state_dict(dict(twin.named_parameters()))
    np.testing.assert_array_equal(model.bias.numpy(), twin.bias.detach().numpy())


@pytest.mark.parametrize("lib", [tg, torch], ids=["ours", "torch"])
def test_state_dict_values_are_detached_tensors_sharing_memory_as_in_torch(lib):
    model = lib.nn.Linear(2, 2)
    state = model.state_dict()
    weight = state["weight"]
    assert type(weight) is lib.Tensor and not isinstance(weight, lib.nn.Parameter)
    assert (weight.requires_grad, weight.is_leaf) == (False, True)
    weight[...] = 7.0  # writing the state_dict value writes the parameter
    np.testing.assert_array_equal(model.weight.detach().numpy(), np.full((2, 2), 7.0))
    with lib.no_grad():
        model.bias.fill_(3.0)  # and training the parameter changes the value already taken
    np.testing.assert_array_equal(state["bias"].numpy(), [3.0, 3.0])
    assert model.state_dict(keep_vars=True)["weight"] is model.weight


def test_load_state_dict_keeps_parameter_objects_and_dtypes():
    model = nn.Linear(3, 2)
    weight = model.weight
    model.load_state_dict({"weight": np.ones((2, 3)), "bias": np.zeros(2)})
    assert model.weight is weight
    assert weight.dtype == np.float32
    np.testing.assert_array_equal(weight.numpy(), np.ones((2, 3)))


def test_load_state_dict_reports_missing_unexpected_and_mismatched_keys():
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    state = model.state_dict()
    before = model[0].weight.numpy().copy()
    del state["2.bias"]
    state["0.weight"] = np.zeros((2, 4))
    state["3.weight"] = np.zeros(1)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "Missing key(s)" in message and "'2.bias'" in message
    assert "Unexpected key(s)" in message and "'3.weight'" in message
    assert "'0.weight'" in message and "(2, 4)" in message and "(2, 3)" in message
    np.testing.assert_array_equal(model[0].weight.numpy(), before)


def test_load_state_dict_non_strict_skips_key_problems_but_not_shape_problems():
    model = nn.Linear(3, 2)
    result = model.load_state_dict({"weight": np.ones((2, 3)), "extra": np.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(model.weight.numpy(), np.ones((2, 3)))
    with pytest.raises(RuntimeError, match=r"size mismatch for 'bias'.*\(3,\).*\(2,\)"):
        model.load_state_dict({"bias": np.ones(3)}, strict=False)


def test_non_persistent_buffers_stay_out_of_state_dict():
    module = nn.Module()
    module.register_buffer("kept", np.ones(2))
    module.register_buffer("scratch", np.ones(2), persistent=False)
    assert list(module.state_dict()) == ["kept"]
    assert [name for name, _ in module.named_buffers()] == ["kept", "scratch"]


# ----- registration ---------------------------------------------------------------------
def test_parameter_is_a_leaf_that_requires_grad_and_keeps_float64():
    param = nn.Parameter(np.zeros((2, 3)))
    assert isinstance(param, tg.Tensor)
    assert param.requires_grad and param.is_leaf and param.dtype == np.float64
    assert repr(param).startswith("Parameter containing:\ntensor(")


def test_assigning_a_float64_parameter_registers_it():
    model = nn.Linear(2, 3)
    model.weight = nn.Parameter(np.ones((3, 2)))
    params = dict(model.named_parameters())
    assert params["weight"] is model.weight and model.weight.dtype == np.float64
    out = model(tg.Tensor(np.ones((1, 2))))
    assert out.dtype == np.float64


def test_assigning_a_plain_tensor_to_a_parameter_slot_is_an_error():
    model = nn.Linear(2, 3)
    with pytest.raises(TypeError, match="weight"):
        model.weight = tg.ones(3, 2)


def test_plain_tensors_and_other_attributes_are_not_registered():
    model = nn.Linear(2, 3)
    model.scale = tg.ones(1)
    model.label = "x"
    assert [name for name, _ in model.named_parameters()] == ["weight", "bias"]
    assert list(model.state_dict()) == ["weight", "bias"]


def test_assigning_before_super_init_says_so():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_registered_names_cannot_contain_dots():
    with pytest.raises(KeyError, match="'a.b'"):
        nn.Module().register_buffer("a.b", np.ones(1))


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2
    assert len(list(model.modules())) == 3


def test_deleting_a_submodule_unregisters_it():
    model = Encoder()
    del model.bn
    assert "bn.weight" not in dict(model.named_parameters())
    assert [name for name, _ in model.named_children()] == ["fc1", "fc2"]


def test_children_modules_and_named_modules():
    model = AutoEncoder()
    assert [type(m).__name__ for m in model.children()] == ["Encoder", "Sequential"]
    names = [name for name, _ in model.named_modules()]
    assert names == [name for name, _ in TorchAutoEncoder().named_modules()]
    assert next(model.modules()) is model


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Thing"):
        type("Thing", (nn.Module,), {})()(tg.ones(1))


def test_call_records_the_module_scope_on_outputs():
    model = AutoEncoder()
    out = model(tg.randn(3, 4, requires_grad=True))
    assert out._scope == (model, model.decoder, model.decoder[2])


# ----- modes, gradients, apply ----------------------------------------------------------
def test_train_and_eval_set_every_module():
    model = AutoEncoder()
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_sets_grads_to_none():
    model = AutoEncoder()
    model(tg.randn(4, 4)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_requires_grad_false_freezes_parameters():
    model = nn.Linear(2, 2).requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_apply_visits_children_before_parent_and_can_reinitialise():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 1)))
    visited = []
    assert model.apply(lambda m: visited.append(type(m).__name__)) is model
    assert visited == ["Linear", "Linear", "Sequential", "Sequential"]

    def zero_linear(module):
        if isinstance(module, nn.Linear):
            nn.init.zeros_(module.weight)

    model.apply(zero_linear)
    assert not model[1][0].weight.numpy().any()


# ----- dtype and device -----------------------------------------------------------------
def test_double_and_float_cast_parameters_and_float_buffers_in_place():
    model = AutoEncoder()
    weight = model.encoder.fc1.weight
    assert model.double() is model
    assert model.encoder.fc1.weight is weight and weight.dtype == np.float64
    assert model.encoder.bn.running_mean.dtype == np.float64
    assert model.encoder.bn.num_batches_tracked.dtype == np.int64
    assert model(tg.Tensor(np.ones((2, 4)))).dtype == np.float64
    model.float()
    assert all(p.dtype == np.float32 for p in model.parameters())
    model.to(tg.float64)
    assert all(p.dtype == np.float64 for p in model.parameters())


def test_to_cpu_keeps_everything_and_unknown_targets_are_errors():
    model = nn.Linear(2, 2)
    weight = model.weight
    assert model.to("cpu") is model and model.weight is weight
    with pytest.raises(TypeError, match="int64"):
        model.to(tg.int64)


def cuda_available():
    try:
        tg.backend.normalize_device("cuda")
    except RuntimeError:
        return False
    return True


def test_to_cuda_moves_parameters_in_place_or_says_why_it_cannot():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    if not cuda_available():
        with pytest.raises(RuntimeError, match="CuPy|GPU"):
            model.to("cuda")
        return
    weight = model[0].weight
    assert model.to("cuda") is model and model[0].weight is weight
    assert all(t.device == "cuda" for t in [*model.parameters(), *model.buffers()])
    assert model(tg.randn(4, 2).to("cuda")).device == "cuda"
    assert set(model.state_dict()) == set(
        nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)).state_dict()
    )


# ----- repr -----------------------------------------------------------------------------
def test_repr_tree_matches_torch_for_common_models():
    ours = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm1d(4),
        nn.ReLU(),
        nn.Sequential(nn.Linear(4, 2, bias=False), nn.Sigmoid()),
        nn.Embedding(10, 3),
        nn.Conv2d(2, 2, (1, 2), stride=2, bias=False),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1),
        torch.nn.BatchNorm1d(4),
        torch.nn.ReLU(),
        torch.nn.Sequential(torch.nn.Linear(4, 2, bias=False), torch.nn.Sigmoid()),
        torch.nn.Embedding(10, 3),
        torch.nn.Conv2d(2, 2, (1, 2), stride=2, bias=False),
    )
    assert repr(ours) == repr(theirs)
    assert repr(AutoEncoder()) == repr(TorchAutoEncoder()).replace("Torch", "")


def test_repr_of_layers_with_our_own_argument_names():
    assert repr(nn.Flatten()) == "Flatten(start_axis=1, end_axis=-1)"
    assert repr(nn.Softmax(dim=0)) == "Softmax(axis=0)"
    assert repr(nn.Dropout(0.2)) == "Dropout(p=0.2)"
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0)"
    assert repr(nn.LayerNorm(5)) == "LayerNorm((5,), eps=1e-05, elementwise_affine=True)"
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
