"""The framework's global random generator, reseeded by ``tg.manual_seed``."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng(0)
_recorder = None  # set by tg.compile while it records: draws become ops it replays fresh


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the global generator: the same seed gives the same numbers in every run."""
    global _generator
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"manual_seed expects a non-negative int, got {seed}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator() -> np.random.Generator:
    """The global ``numpy.random.Generator`` that every random op draws from."""
    if _recorder is not None:
        return _recorder.generator(_generator)
    return _generator
