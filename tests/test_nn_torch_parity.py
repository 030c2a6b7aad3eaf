"""Whole models trained side by side with PyTorch: same start, same batches, same trajectory."""

import numpy as np
import pytest

import tinygrad_nn as tg
import tinygrad_nn.nn.functional as F
from tinygrad_nn import nn

torch = pytest.importorskip("torch")


def mlp():
    return nn.Sequential(
        nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 8), nn.GELU(),
        nn.LayerNorm(8), nn.Linear(8, 3),
    )  # fmt: skip


def torch_mlp():
    return torch.nn.Sequential(
        torch.nn.Linear(4, 16), torch.nn.BatchNorm1d(16), torch.nn.ReLU(), torch.nn.Linear(16, 8),
        torch.nn.GELU(), torch.nn.LayerNorm(8), torch.nn.Linear(8, 3),
    )  # fmt: skip


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, stride=2), nn.Tanh(), nn.Flatten(), nn.Linear(6, 3),
    )  # fmt: skip


def torch_cnn():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 6, 3, stride=2), torch.nn.Tanh(), torch.nn.Flatten(),
        torch.nn.Linear(6, 3),
    )  # fmt: skip


def train_side_by_side(model, twin, input_shape, dtype, steps=5, lr=0.1):
    """Plain SGD written by hand in both frameworks on the same batches; returns both models."""
    twin = twin.to(torch.float64 if dtype == np.float64 else torch.float32)
    model = model.to(dtype)
    twin.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in model.state_dict().items()})
    data = np.random.default_rng(0)
    for _ in range(steps):
        x = data.standard_normal(input_shape).astype(dtype)
        y = data.integers(0, 3, input_shape[0])
        loss = F.cross_entropy(model(tg.Tensor(x)), tg.Tensor(y))
        model.zero_grad()
        loss.backward()
        with tg.no_grad():
            for param in model.parameters():
                param -= lr * param.grad
        twin_loss = torch.nn.functional.cross_entropy(
            twin(torch.from_numpy(x)), torch.from_numpy(y)
        )
        twin.zero_grad()
        twin_loss.backward()
        with torch.no_grad():
            for param in twin.parameters():
                param -= lr * param.grad
        np.testing.assert_allclose(
            loss.item(), twin_loss.item(), rtol=1e-10 if dtype == np.float64 else 1e-5
        )
    return model, twin


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize(
    "make, make_twin, input_shape",
    [(mlp, torch_mlp, (8, 4)), (cnn, torch_cnn, (4, 1, 8, 8))],
    ids=["mlp", "cnn"],
)
def test_sgd_training_follows_the_torch_trajectory(make, make_twin, input_shape, dtype):
    tol = dict(rtol=1e-9, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-5)
    model, twin = train_side_by_side(make(), make_twin(), input_shape, dtype)
    twin_state = twin.state_dict()
    for name, value in model.state_dict().items():
        assert value.dtype == twin_state[name].numpy().dtype, name
        np.testing.assert_allclose(value, twin_state[name].numpy(), err_msg=name, **tol)
    model.eval()
    twin.eval()
    x = np.random.default_rng(1).standard_normal(input_shape).astype(dtype)
    np.testing.assert_allclose(
        model(tg.Tensor(x)).numpy(), twin(torch.from_numpy(x)).detach().numpy(), **tol
    )


def test_torch_trained_weights_give_the_same_predictions_here():
    twin = torch_cnn().double()
    with torch.no_grad():
        for param in twin.parameters():
            param.mul_(3.0)  # weights no fresh initialisation would give
    model = cnn().double()
    model.load_state_dict(twin.state_dict())
    x = np.random.default_rng(2).standard_normal((3, 1, 8, 8))
    np.testing.assert_allclose(
        model(tg.Tensor(x)).numpy(), twin(torch.from_numpy(x)).detach().numpy(), rtol=1e-10
    )


def test_second_derivative_of_a_model_loss_matches_torch():
    """Hessian-vector product of a small CNN loss with respect to its input."""
    model = cnn().double()
    twin = torch_cnn().double()
    twin.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in model.state_dict().items()})
    x_data = np.random.default_rng(3).standard_normal((2, 1, 8, 8))
    vector = np.random.default_rng(4).standard_normal(x_data.shape)
    labels = np.array([0, 2])

    x = tg.Tensor(x_data, requires_grad=True)
    (gx,) = tg.grad(F.cross_entropy(model(x), tg.Tensor(labels)), [x], create_graph=True)
    (hvp,) = tg.grad((gx * tg.Tensor(vector)).sum(), [x])

    tx = torch.tensor(x_data, requires_grad=True)
    (tgx,) = torch.autograd.grad(
        torch.nn.functional.cross_entropy(twin(tx), torch.from_numpy(labels)),
        [tx],
        create_graph=True,
    )
    (thvp,) = torch.autograd.grad((tgx * torch.from_numpy(vector)).sum(), [tx])
    np.testing.assert_allclose(gx.numpy(), tgx.detach().numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(hvp.numpy(), thvp.numpy(), rtol=1e-9, atol=1e-13)


def test_cnn_training_step_on_cuda_matches_cpu():
    if not _cuda_available():
        pytest.skip("needs a GPU (CuPy and a CUDA device)")
    model = cnn().double()
    gpu_model = cnn().double()
    gpu_model.load_state_dict(model.state_dict())
    gpu_model.to("cuda")
    x = np.random.default_rng(5).standard_normal((4, 1, 8, 8))
    labels = tg.Tensor([0, 1, 2, 1])
    loss = F.cross_entropy(model(tg.Tensor(x)), labels)
    gpu_loss = F.cross_entropy(gpu_model(tg.Tensor(x).to("cuda")), labels.to("cuda"))
    loss.backward()
    gpu_loss.backward()
    np.testing.assert_allclose(gpu_loss.item(), loss.item(), rtol=1e-10)
    for (name, param), gpu_param in zip(
        model.named_parameters(), gpu_model.parameters(), strict=True
    ):
        np.testing.assert_allclose(
            gpu_param.grad.numpy(), param.grad.numpy(), rtol=1e-9, err_msg=name
        )


def _cuda_available():
    try:
        tg.backend.normalize_device("cuda")
    except RuntimeError:
        return False
    return True
