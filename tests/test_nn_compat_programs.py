"""Tutorial-shaped programs written once against a module namespace (``tinygrad_nn.nn`` or
``torch.nn``), trained side by side in float64 from the same weights: the trajectories agree."""

import numpy as np
import torch

import tinygrad_nn as tg
from tinygrad_nn import nn, optim


def image_classifier(nn_module):
    """A small CNN of the kind image tutorials build."""

    class Net(nn_module.Module):
        def __init__(self):
            super().__init__()
            self.features = nn_module.Sequential(
                nn_module.Conv2d(1, 4, 3, padding="same", bias=False),
                nn_module.BatchNorm2d(4),
                nn_module.ReLU(inplace=True),
                nn_module.MaxPool2d(2),
                nn_module.Conv2d(4, 6, 3, padding=1),
                nn_module.BatchNorm2d(6, momentum=0.2),
                nn_module.SiLU(),
                nn_module.AvgPool2d(2, stride=1),
            )
            self.pool = nn_module.AdaptiveAvgPool2d((2, 2))
            self.classifier = nn_module.Sequential(
                nn_module.Flatten(), nn_module.Linear(24, 10), nn_module.ELU(),
                nn_module.Linear(10, 3),
            )  # fmt: skip

        def forward(self, x):
            return self.classifier(self.pool(self.features(x)))

    return Net().double()


def text_classifier(nn_module):
    """Embedding -> two-layer bidirectional GRU -> Linear, as text tutorials build."""

    class Net(nn_module.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn_module.Embedding(12, 5, padding_idx=0)
            self.rnn = nn_module.GRU(5, 6, num_layers=2, batch_first=True, bidirectional=True)
            self.heads = nn_module.ModuleDict({"out": nn_module.Linear(12, 3)})

        def forward(self, tokens):
            out, h_n = self.rnn(self.embed(tokens))
            return self.heads["out"](out[:, -1, :]) + h_n.sum(0).sum(-1, keepdim=True)

    return Net().double()


def train_both(make, make_input, ours_optimizer, theirs_optimizer, steps=4):
    ours, theirs = make(nn), make(torch.nn)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    ours.train()
    theirs.train()
    ours_opt, theirs_opt = ours_optimizer(ours.parameters()), theirs_optimizer(theirs.parameters())
    for step in range(steps):
        x, y = make_input(step)
        loss = nn.functional.cross_entropy(ours(tg.Tensor(x)), tg.Tensor(y))
        their_loss = torch.nn.functional.cross_entropy(theirs(torch.from_numpy(x)),
                                                       torch.from_numpy(y))  # fmt: skip
        ours_opt.zero_grad()
        theirs_opt.zero_grad()
        loss.backward()
        their_loss.backward()
        norm = nn.utils.clip_grad_norm_(ours.parameters(), 0.5)
        their_norm = torch.nn.utils.clip_grad_norm_(theirs.parameters(), 0.5)
        np.testing.assert_allclose(norm.item(), their_norm.item(), rtol=1e-10)
        ours_opt.step()
        theirs_opt.step()
        np.testing.assert_allclose(loss.item(), their_loss.item(), rtol=1e-10)
    # Adam divides each step by sqrt(v): where a gradient is near 0, rounding of the order
    # 1e-16 in it moves the step by up to ~1e-11, so parameters and outputs get that atol
    for name, value in ours.state_dict().items():  # parameters and BatchNorm buffers
        np.testing.assert_allclose(value, theirs.state_dict()[name].numpy(), rtol=1e-9,
                                   atol=1e-10)  # fmt: skip
    ours.eval()
    theirs.eval()
    x, _ = make_input(steps)
    np.testing.assert_allclose(ours(tg.Tensor(x)).numpy(),
                               theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-9,
                               atol=1e-10)  # fmt: skip


def test_image_classifier_with_batchnorm_trains_like_torch():
    rng = np.random.default_rng(0)

    def batch(step):
        return rng.standard_normal((5, 1, 8, 8)), rng.integers(0, 3, 5)

    train_both(
        image_classifier, batch,
        lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
        lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
    )  # fmt: skip


def test_text_classifier_with_embedding_and_gru_trains_like_torch():
    rng = np.random.default_rng(1)

    def batch(step):
        tokens = rng.integers(1, 12, (4, 7))
        tokens[:, :2] = 0  # left padding
        return tokens, rng.integers(0, 3, 4)

    train_both(
        text_classifier, batch,
        lambda params: optim.Adam(params, lr=0.01),
        lambda params: torch.optim.Adam(params, lr=0.01),
    )  # fmt: skip


def gan(nn_module):
    """A DCGAN-shaped generator and discriminator (ConvTranspose2d up, Conv2d down)."""
    generator = nn_module.Sequential(
        nn_module.ConvTranspose2d(4, 6, 4, 1, 0, bias=False), nn_module.BatchNorm2d(6),
        nn_module.ReLU(True), nn_module.ConvTranspose2d(6, 1, 4, 2, 1, bias=False),
        nn_module.Tanh(),
    )  # fmt: skip
    discriminator = nn_module.Sequential(
        nn_module.Conv2d(1, 4, 4, 2, 1, bias=False), nn_module.LeakyReLU(0.2, inplace=True),
        nn_module.Conv2d(4, 1, 4, 1, 0, bias=False), nn_module.Sigmoid(), nn_module.Flatten(0),
    )  # fmt: skip
    return nn_module.ModuleDict({"G": generator, "D": discriminator}).double()


def test_dcgan_shaped_step_matches_torch():
    ours, theirs = gan(nn), gan(torch.nn)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    optimizers = [
        (optim.Adam(ours[part].parameters(), lr=2e-4, betas=(0.5, 0.999)),
         torch.optim.Adam(theirs[part].parameters(), lr=2e-4, betas=(0.5, 0.999)))
        for part in ("D", "G")
    ]  # fmt: skip
    rng = np.random.default_rng(2)
    for _ in range(2):
        real, noise = rng.standard_normal((3, 1, 8, 8)), rng.standard_normal((3, 4, 1, 1))
        losses = []
        for net, lib, opt in ((ours, nn, 0), (theirs, torch.nn, 1)):
            bce = lib.BCELoss()
            as_tensor = tg.Tensor if lib is nn else torch.from_numpy
            ones, zeros = as_tensor(np.ones(3)), as_tensor(np.zeros(3))
            fake = net["G"](as_tensor(noise))
            d_loss = bce(net["D"](as_tensor(real)), ones) + bce(net["D"](fake.detach()), zeros)
            optimizers[0][opt].zero_grad()
            d_loss.backward()
            optimizers[0][opt].step()
            g_loss = bce(net["D"](fake), ones)
            optimizers[1][opt].zero_grad()
            g_loss.backward()
            optimizers[1][opt].step()
            losses.append((d_loss.item(), g_loss.item()))
        np.testing.assert_allclose(losses[0], losses[1], rtol=1e-10)
    for name, value in ours.state_dict().items():
        np.testing.assert_allclose(value, theirs.state_dict()[name].numpy(), rtol=1e-9,
                                   atol=1e-12)  # fmt: skip
