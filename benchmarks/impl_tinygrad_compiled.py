"""tinygrad_nn's steps under `tg.compile`: the first step records, every later one replays.

Each workload compiles the faster of tinygrad_nn's two eager steps, as measured beside it:
W1, W2, W5 and W6 the raw-op steps of `impl_tinygrad` (SGD as `W -= lr * W.grad` under
`tg.no_grad()`: tiny arrays, where every call counts); W3, W4 and W7 the steps of
`impl_tinygrad_nn` (`nn.Linear`'s layout for large matrices, `F.conv2d`, `optim.SGD`,
whose `optimizer.step()` runs as one Python call of the replay).
"""

from __future__ import annotations

import tinygrad_nn as tg
from benchmarks import impl_tinygrad, impl_tinygrad_nn
from benchmarks.workloads import WorkloadData

NAME = "tinygrad_nn-compiled"
MEMORY_WARM_STEPS = 2  # benchmarks.worker measures peak memory after these (recording, retrace)


def _compiled(base: type) -> type:
    class Compiled(base):
        """`base`'s step, recorded once by `tg.compile` and replayed after."""

        def __init__(self, data: WorkloadData) -> None:
            super().__init__(data)
            self._compiled_step = tg.compile(self._eager_step)

        def _eager_step(self) -> tg.Tensor:
            base.step(self)
            return self.loss

        def step(self) -> None:
            self.loss = self._compiled_step()

    Compiled.__name__ = Compiled.__qualname__ = base.__name__
    return Compiled


_RAW_MLP, _MODULES_MLP = _compiled(impl_tinygrad.Mlp), _compiled(impl_tinygrad_nn.Mlp)


def _mlp(data: WorkloadData) -> impl_tinygrad.Mlp | impl_tinygrad_nn.Mlp:
    """W2 with raw ops; W3 and W4, large matrices, through `nn.Linear`."""
    return (_RAW_MLP if data.key == "W2" else _MODULES_MLP)(data)


BUILDERS = {
    "doc221": _compiled(impl_tinygrad.Doc221),
    "mlp": _mlp,
    "chain": _compiled(impl_tinygrad.Chain),
    "cnn": _compiled(impl_tinygrad_nn.Cnn),
}
