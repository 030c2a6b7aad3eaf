"""tinygrad_nn's steps under `tg.compile`: the first step records, every later one replays.

W1–W6 compile the raw-op steps of `impl_tinygrad` (the `tinygrad_nn` column; SGD as
`W -= lr * W.grad` under `tg.no_grad()`); W7 compiles `impl_tinygrad_nn`'s step
(`F.conv2d`, `optim.SGD`, whose `zero_grad()` and `step()` run as Python calls of the
replay).
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


BUILDERS = {
    "doc221": _compiled(impl_tinygrad.Doc221),
    "mlp": _compiled(impl_tinygrad.Mlp),
    "chain": _compiled(impl_tinygrad.Chain),
    "cnn": _compiled(impl_tinygrad_nn.Cnn),
}
