"""The framework's global random generator, reseeded by ``tg.manual_seed``."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng(0)


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
    return _generator


# --- the numpy stream behind a ``generator=`` argument (used by tg.data) -----------------
def _numpy_generator(source: object = None) -> np.random.Generator:
    """The ``numpy.random.Generator`` to draw from for a ``generator=`` argument.

    ``None`` is the global stream that ``tg.manual_seed`` seeds; a
    ``numpy.random.Generator`` is used as it is; a ``tg.Generator`` (anything
    holding one in ``._rng``) gives its own stream.
    """
    if source is None:
        return _generator
    if isinstance(source, np.random.Generator):
        return source
    rng = getattr(source, "_rng", None)
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(
        f"generator must be a tg.Generator or a numpy.random.Generator, got {type(source).__name__}"
    )
