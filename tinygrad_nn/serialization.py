"""``tg.save`` / ``tg.load``: state dicts as ``.npz`` archives, never pickle.

A saved file is an ordinary numpy ``.npz`` (one ``.npy`` member per entry,
in order), so ``np.load(path)`` reads it too.  Loading never unpickles:
object arrays are refused, so opening a file from elsewhere cannot run code::

    >>> import os, tempfile, numpy as np, tinygrad_nn as tg
    >>> path = tg.save({"weight": np.eye(2)}, os.path.join(tempfile.mkdtemp(), "model"))
    >>> path.endswith("model.npz"), tg.load(path)["weight"].shape
    (True, (2, 2))
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from .tensor import Tensor

# Errors numpy and zipfile raise for a damaged archive or a member that is not
# a plain numeric array; tg.load turns all of them into one ValueError.
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, KeyError, OSError)


def _checked_path(path: Any, fn: str) -> str:
    """``path`` as a str: a str or an ``os.PathLike`` naming a str path, otherwise TypeError."""
    name = os.fspath(path) if isinstance(path, os.PathLike) else path
    if not isinstance(name, str):
        raise TypeError(
            f"{fn}: path must be a str or os.PathLike (a file name), got {type(path).__name__}"
        )
    if "\0" in name:
        raise ValueError(f"{fn}: path {name!r} contains a null character")
    return name


def _npz_path(path: str | os.PathLike) -> str:
    """numpy's rule for ``np.savez``: add ``.npz`` unless the name already ends with it."""
    path = _checked_path(path, "tg.save")
    return path if path.endswith(".npz") else path + ".npz"


def _to_array(key: str, value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        array = value.numpy()
    elif isinstance(value, np.ndarray | np.generic | int | float | bool):
        array = np.asarray(value)
    else:
        raise TypeError(
            f"tg.save: the value for key {key!r} is a {type(value).__name__}; "
            "expected a Tensor or a numpy array"
        )
    if array.dtype.kind not in "biufc":
        raise TypeError(
            f"tg.save: the value for key {key!r} has dtype {array.dtype}; only numeric and "
            "bool arrays can be saved (no object or string arrays: loading them would need pickle)"
        )
    return array


def save(state_dict: Mapping[str, Any], path: str | os.PathLike) -> str:
    """Write ``state_dict`` (name → Tensor or ndarray) to an ``.npz`` file; return its path.

    As ``np.savez`` does, ``.npz`` is appended to ``path`` unless it already
    ends with it (``"model"`` → ``"model.npz"``); the returned string is the
    path actually written.  Entries keep their order.  Keys must be strings;
    values Tensors or numeric numpy arrays, otherwise ``TypeError``.
    The file is written to a temporary name first and then moved into place,
    so an interrupted save never leaves a half-written file under ``path``.
    A path that is not a str or ``os.PathLike`` is a ``TypeError``; a missing
    folder a ``FileNotFoundError`` naming ``path``.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(
            f"tg.save expects a mapping of name -> array (e.g. model.state_dict()), "
            f"got {type(state_dict).__name__}"
        )
    arrays = OrderedDict()
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"tg.save: keys must be strings, got {key!r} ({type(key).__name__})")
        arrays[key] = _to_array(key, value)
    target = _npz_path(path)
    partial = target + ".partial"
    try:
        with zipfile.ZipFile(partial, mode="w", compression=zipfile.ZIP_STORED) as archive:
            for key, array in arrays.items():
                with archive.open(key + ".npy", mode="w", force_zip64=True) as member:
                    np.lib.format.write_array(member, array, allow_pickle=False)
        os.replace(partial, target)
    except OSError as error:
        folder = os.path.dirname(os.path.abspath(target))
        reason = f"no such folder {folder!r}" if not os.path.isdir(folder) else error.strerror
        raise type(error)(f"tg.save: cannot write {target!r}: {reason or error}") from error
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return target


def _checked_member(name: str, key: str, member: Any) -> np.ndarray:
    """Refuse archive members that tg.save cannot have written (raw bytes, text, records)."""
    if not isinstance(member, np.ndarray):
        raise ValueError(
            f"tg.load: {name!r} is not a tg.save file: its member {key!r} is not a .npy array"
        )
    if member.dtype.kind not in "biufc":
        raise ValueError(
            f"tg.load: {name!r} is not a tg.save file: {key!r} has dtype {member.dtype}, "
            "not a numeric array"
        )
    return member


def load(path: str | os.PathLike) -> OrderedDict[str, np.ndarray]:
    """Read a file written by :func:`save`: an ``OrderedDict`` name → ndarray in saved order.

    If ``path`` does not exist but ``path + ".npz"`` does, that file is read
    (the mirror of :func:`save`'s suffix rule).  A missing file raises
    ``FileNotFoundError``; a path that is not a str or ``os.PathLike``,
    ``TypeError``; a truncated, corrupted or foreign file (not an ``.npz`` of
    numeric arrays, or one holding pickled objects) raises ``ValueError``
    saying so.  Nothing in the file is ever executed.
    """
    name = _checked_path(path, "tg.load")
    if not os.path.exists(name) and os.path.exists(name + ".npz"):
        name = name + ".npz"
    if not os.path.exists(name):
        raise FileNotFoundError(f"tg.load: no such file: {name!r}")
    if os.path.isdir(name):
        raise IsADirectoryError(f"tg.load: {name!r} is a directory, not a file written by tg.save")
    if not zipfile.is_zipfile(name):
        raise ValueError(
            f"tg.load: {name!r} is not a tg.save file: it is not an .npz (zip) archive, "
            "so it is corrupted, truncated, or some other kind of file"
        )
    try:
        with np.load(name, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise ValueError("not an .npz archive")
            members = [(key, archive[key]) for key in archive.files]
    except _READ_ERRORS as error:
        if "pickle" in str(error).lower():
            reason = "it contains pickled Python objects, which tg.load refuses to unpickle"
        else:
            reason = f"it is truncated or corrupted ({type(error).__name__}: {error})"
        raise ValueError(f"tg.load: cannot read {name!r}: {reason}") from error
    return OrderedDict((key, _checked_member(name, key, member)) for key, member in members)
