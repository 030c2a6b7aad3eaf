"""Random number generators: ``tg.Generator`` streams and the default one ``tg.manual_seed`` seeds.

Each ``Generator`` wraps its own ``numpy.random.Generator`` (``._rng``), so two
generators are independent streams and the same seed gives the same numbers in
every run. The numbers differ from PyTorch's (another algorithm, PCG64), which
tinygrad_nn does not try to reproduce. Random functions take ``generator=``;
without it they draw from ``tg.default_generator``.
"""

from __future__ import annotations

import secrets
from typing import Any

import numpy as np

from .devices import device as _device

_INITIAL_SEED = 0  # the default generator's seed at import: runs repeat without manual_seed
_STATE_BYTES = 16  # each word of PCG64's state is at most 128 bits
_recorder = None  # set by tg.compile while it records: draws become ops it replays fresh


def _check_seed(seed: Any) -> int:
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"manual_seed expects a non-negative int, got {seed}")
    return int(seed)


class Generator:
    """An independent stream of random numbers, as ``torch.Generator``.

    >>> g = tg.Generator().manual_seed(3)
    >>> a = tg.rand(2, generator=g)
    """

    def __init__(self, device: Any = "cpu") -> None:
        self.device = _device(device)
        self._seed = _INITIAL_SEED
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed``; returns this generator."""
        self._seed = _check_seed(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Restart the stream from a fresh seed drawn from the OS; returns that seed."""
        self.manual_seed(secrets.randbits(63))
        return self._seed

    def initial_seed(self) -> int:
        """The seed this stream last started from."""
        return self._seed

    def get_state(self) -> Any:
        """The stream's position as a uint8 Tensor, for ``set_state`` (as PyTorch)."""
        from .tensor import Tensor

        state = self._rng.bit_generator.state
        words = (self._seed, state["state"]["state"], state["state"]["inc"],
                 state["has_uint32"], state["uinteger"])
        raw = b"".join(w.to_bytes(_STATE_BYTES, "little") for w in words)
        return Tensor(np.frombuffer(raw, dtype=np.uint8).copy(), dtype=np.uint8)

    def set_state(self, new_state: Any) -> Generator:
        """Return the stream to a position ``get_state`` gave; returns this generator."""
        raw = np.asarray(new_state, dtype=np.uint8).tobytes()
        if len(raw) != 5 * _STATE_BYTES:
            raise ValueError(
                f"set_state expects a state from get_state ({5 * _STATE_BYTES} bytes), "
                f"got {len(raw)} bytes"
            )
        seed, position, inc, has_uint32, uinteger = (
            int.from_bytes(raw[i:i + _STATE_BYTES], "little")
            for i in range(0, len(raw), _STATE_BYTES)
        )
        rng = np.random.default_rng()
        rng.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": position, "inc": inc},
            "has_uint32": has_uint32, "uinteger": uinteger,
        }
        self._seed, self._rng = seed, rng
        return self

    def __repr__(self) -> str:
        return f"<tinygrad_nn.Generator device='{self.device}' initial_seed={self._seed}>"


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator: the same seed gives the same numbers in every run."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Reseed the default generator from the OS; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator last started from."""
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """The default generator's state, as a uint8 Tensor."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Return the default generator to a state ``get_rng_state`` gave."""
    default_generator.set_state(new_state)


def generator() -> np.random.Generator:
    """The default generator's ``numpy.random.Generator``, which random ops draw from."""
    if _recorder is not None:  # tg.compile is recording: draws are replayed fresh
        return _recorder.generator(default_generator._rng)
    return default_generator._rng


def _numpy_generator(source: object = None) -> np.random.Generator:
    """The ``numpy.random.Generator`` to draw from for a ``generator=`` argument.

    ``None`` is the default generator's stream (the one ``tg.manual_seed`` seeds); a
    ``numpy.random.Generator`` is used as it is; a ``tg.Generator`` gives its own stream.
    """
    if source is None:
        return generator()
    if isinstance(source, np.random.Generator):
        return source
    rng = getattr(source, "_rng", None)
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(
        f"generator must be a tg.Generator or a numpy.random.Generator, got {type(source).__name__}"
    )
