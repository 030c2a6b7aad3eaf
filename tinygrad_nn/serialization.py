"""``tg.save`` / ``tg.load``: checkpoints as zip files of ``.npy`` arrays plus a JSON manifest.

``tg.save(obj, path)`` takes what a PyTorch checkpoint holds — nested dicts,
lists and tuples of Tensors, numpy arrays, numbers, strings and ``None``
(``{"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}``)
— and writes exactly ``path``: a zip holding ``manifest.json``, which
describes the structure, and one ``arrays/<n>.npy`` per array.  Loading never
unpickles and never runs anything from the file: the manifest is plain JSON
whose every node has a known ``kind``, and arrays are read only as numeric
``.npy`` data::

    >>> import os, tempfile, numpy as np, tinygrad_nn as tg
    >>> path = os.path.join(tempfile.mkdtemp(), "checkpoint.pt")
    >>> _ = tg.save({"weight": tg.tensor([[1.0, 2.0]]), "epoch": 3}, path)
    >>> checkpoint = tg.load(path)
    >>> checkpoint["epoch"], checkpoint["weight"].shape
    (3, (1, 2))

Files written by the first ``tg.save`` (an ``.npz`` of named arrays, no
manifest) still load, as an ``OrderedDict`` of name → Tensor.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import IO, Any

import numpy as np

from . import backend
from .tensor import Tensor

FORMAT = "tinygrad_nn.save"
VERSION = 1
MANIFEST = "manifest.json"
# Limits that keep a hostile file from exhausting memory or the stack while loading.
_MAX_MANIFEST_BYTES = 64 * 2**20
_MAX_DEPTH = 100
# numpy dtype kinds a file may hold: bool, ints, unsigned ints, floats, complex.
_NUMERIC_KINDS = "biufc"

# Errors zipfile, zlib and numpy raise for a damaged archive; tg.load reports each as a
# ValueError saying the file is truncated or corrupted.
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError)

PathOrFile = str | os.PathLike | IO[bytes]


class _DamagedFile(ValueError):
    """A file tg.load refuses, with the reason already worded for the user."""


def _checked_path(path: Any, fn: str) -> str:
    """``path`` as a str: a str or an ``os.PathLike`` naming a str path, otherwise TypeError."""
    name = os.fspath(path) if isinstance(path, os.PathLike) else path
    if not isinstance(name, str):
        raise TypeError(
            f"{fn}: path must be a str or os.PathLike (a file name) or a binary file object, "
            f"got {type(path).__name__}"
        )
    if "\0" in name:
        raise ValueError(f"{fn}: path {name!r} contains a null character")
    return name


# --- saving -----------------------------------------------------------------------------


class _Encoder:
    """Turns an object into a JSON manifest node, collecting its arrays in ``self.arrays``."""

    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []
        # The same Tensor or array saved twice (tied weights) is stored once, as torch.save does.
        self._index_of: dict[int, int] = {}

    def _array_index(self, owner: Any, array: np.ndarray, where: str) -> int:
        if array.dtype.kind not in _NUMERIC_KINDS or array.dtype.fields is not None:
            raise TypeError(
                f"tg.save: {where} has dtype {array.dtype}; only numeric and bool arrays can be "
                "saved (no object or string arrays: loading them would need pickle)"
            )
        if id(owner) not in self._index_of:
            self._index_of[id(owner)] = len(self.arrays)
            self.arrays.append(array)
        return self._index_of[id(owner)]

    def encode(self, value: Any, where: str, depth: int = 0) -> Any:
        """The manifest node for ``value`` (``where`` names it in error messages)."""
        if depth > _MAX_DEPTH:
            raise ValueError(
                f"tg.save: {where} is nested more than {_MAX_DEPTH} levels deep "
                "(does the structure contain itself?)"
            )
        if isinstance(value, Tensor):
            from .nn import Parameter  # nn sits above this module; only needed here

            kind = "parameter" if isinstance(value, Parameter) else "tensor"
            return {
                "kind": kind,
                "array": self._array_index(value, value.numpy(), where),
                "requires_grad": bool(value.requires_grad),
                "device": value.device,
            }
        if isinstance(value, np.ndarray):
            return {"kind": "ndarray", "array": self._array_index(value, value, where)}
        if isinstance(value, np.generic):  # before float: np.float64 is a float subclass
            array = np.asarray(value)
            return {"kind": "numpy_scalar", "array": self._array_index(array, array, where)}
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, list | tuple):
            return {
                "kind": "list" if isinstance(value, list) else "tuple",
                "items": [
                    self.encode(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)
                ],
            }
        if isinstance(value, Mapping):
            items = []
            for key, item in value.items():
                if not _is_key(key):
                    raise TypeError(
                        f"tg.save: {where} has the key {key!r} ({type(key).__name__}); keys must "
                        "be str, int, float, bool, None or tuples of those"
                    )
                items.append([self.encode(key, where, depth + 1),
                              self.encode(item, f"{where}[{key!r}]", depth + 1)])  # fmt: skip
            kind = "ordered_dict" if isinstance(value, OrderedDict) else "dict"
            return {"kind": kind, "items": items}
        hint = " (save model.state_dict(), not the model)" if hasattr(value, "state_dict") else ""
        raise TypeError(
            f"tg.save: {where} is a {type(value).__name__}; tg.save stores Tensors, numpy arrays, "
            f"numbers, strings, None, and dicts, lists and tuples of them{hint}"
        )


def _is_key(key: Any) -> bool:
    if isinstance(key, tuple):
        return all(_is_key(part) for part in key)
    return key is None or isinstance(key, bool | int | float | str)


def _write(target: Any, manifest: bytes, arrays: list[np.ndarray]) -> None:
    with zipfile.ZipFile(target, mode="w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(MANIFEST, manifest)
        for index, array in enumerate(arrays):
            with archive.open(f"arrays/{index}.npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def save(obj: Any, f: PathOrFile) -> str | None:
    """Write ``obj`` to ``f`` (exactly that path, or a binary file object); return the path.

    ``obj`` is what a PyTorch checkpoint holds: Tensors (with their
    ``requires_grad``; an ``nn.Parameter`` comes back as one), numpy arrays
    and scalars, ``int``, ``float``, ``bool``, ``str``, ``None``, and dicts,
    ``OrderedDict``, lists and tuples of these, nested; dict keys are
    strings, numbers, ``None`` or tuples of those.  Anything else (a whole
    model, an object array) is a ``TypeError`` naming where it sits in
    ``obj``.  The file is written under a temporary name and then moved into
    place, so an interrupted save never leaves a half-written ``path``.  A
    missing folder is a ``FileNotFoundError`` naming the path.
    """
    encoder = _Encoder()
    root = encoder.encode(obj, "obj")
    manifest = json.dumps({"format": FORMAT, "version": VERSION, "object": root}).encode()
    if hasattr(f, "write"):
        _write(f, manifest, encoder.arrays)
        return None
    target = _checked_path(f, "tg.save")
    partial = target + ".partial"
    try:
        _write(partial, manifest, encoder.arrays)
        os.replace(partial, target)
    except OSError as error:
        folder = os.path.dirname(os.path.abspath(target))
        reason = f"no such folder {folder!r}" if not os.path.isdir(folder) else error.strerror
        raise type(error)(f"tg.save: cannot write {target!r}: {reason or error}") from error
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return target


# --- loading ----------------------------------------------------------------------------


def _read_npy(archive: zipfile.ZipFile, member: str, where: str) -> np.ndarray:
    """A numeric array from the ``.npy`` member, read without pickle and checked against its size.

    The header is parsed by numpy (a literal, never code); object, string and
    record dtypes are refused before any data is read, and the shape must
    account for exactly the bytes the member holds, so a header cannot make
    the loader allocate more than the file contains.
    """
    size = archive.getinfo(member).file_size
    with archive.open(member) as stream:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version in ((2, 0), (3, 0)):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise _DamagedFile(f"{where} has an unknown .npy version {version}")
        if dtype.hasobject:
            raise _DamagedFile(
                f"{where} contains pickled Python objects, which tg.load refuses to unpickle"
            )
        if dtype.kind not in _NUMERIC_KINDS or dtype.fields is not None:
            raise _DamagedFile(f"{where} has dtype {dtype}, not a numeric array")
        nbytes = math.prod(shape) * dtype.itemsize
        held = size - stream.tell()
        if nbytes != held:
            raise _DamagedFile(
                f"{where} claims shape {shape} of {dtype} ({nbytes} bytes) but holds {held} bytes"
            )
        data = stream.read(nbytes)
        if len(data) != nbytes or stream.read(1):  # reading to the end checks the zip CRC
            raise _DamagedFile(f"{where} is truncated")
    array = np.frombuffer(bytearray(data), dtype=dtype)
    return array.reshape(shape, order="F" if fortran_order else "C")


def _device_for(map_location: Any, saved: str, array: np.ndarray) -> tuple[np.ndarray, str]:
    """The array and device a saved tensor goes to, following torch.load's ``map_location``."""
    if map_location is None:
        return array, saved
    if isinstance(map_location, Mapping):
        return array, str(map_location.get(saved, saved))
    if callable(map_location):
        # torch calls map_location(storage, location); ``lambda storage, loc: storage``
        # keeps everything on the host.
        moved = map_location(array, saved)
        if isinstance(moved, Tensor):
            return moved.numpy(), moved.device
        return moved, backend.device_of(moved)
    return array, str(map_location)


class _Decoder:
    """Rebuilds the saved object from the manifest, reading each array when first referenced."""

    def __init__(self, archive: zipfile.ZipFile, map_location: Any) -> None:
        self.archive = archive
        self.members = set(archive.namelist())
        self.map_location = map_location
        self._objects: dict[tuple[str, int], Any] = {}

    def _array(self, node: dict, where: str) -> np.ndarray:
        index = node.get("array")
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise _DamagedFile(
                f"the manifest entry at {where} has no valid array number: {index!r}"
            )
        member = f"arrays/{index}.npy"
        if member not in self.members:
            raise _DamagedFile(
                f"the manifest entry at {where} points at {member!r}, which the file does not hold"
            )
        return _read_npy(self.archive, member, f"array {member!r}")

    def _tensor(self, node: dict, kind: str, where: str) -> Tensor:
        requires_grad = node.get("requires_grad", False)
        saved_device = node.get("device", "cpu")
        if not isinstance(requires_grad, bool) or not isinstance(saved_device, str):
            raise _DamagedFile(f"the manifest entry at {where} has invalid tensor fields")
        array, device = _device_for(self.map_location, saved_device, self._array(node, where))
        if array.dtype.kind == "c":
            raise _DamagedFile(f"the tensor at {where} is complex, which Tensors do not support")
        if requires_grad and array.dtype.kind != "f":
            raise _DamagedFile(
                f"the manifest marks an {array.dtype} tensor at {where} requires_grad"
            )
        try:
            device = backend.normalize_device(device)
        except ValueError:
            raise _DamagedFile(
                f"the tensor at {where} names an unknown device {device!r}"
            ) from None
        except RuntimeError as error:
            raise RuntimeError(
                f"tg.load: a tensor in the file was saved on {saved_device!r}: {error}; pass "
                "map_location='cpu' to load it on the CPU"
            ) from error
        if kind == "parameter":
            from .nn import Parameter  # nn sits above this module; only needed here

            return Parameter(
                Tensor(array, dtype=array.dtype, device=device), requires_grad=requires_grad
            )
        return Tensor(array, requires_grad=requires_grad, dtype=array.dtype, device=device)

    def decode(self, node: Any, where: str, depth: int = 0) -> Any:
        """The object the manifest ``node`` describes (``where`` names it in error messages)."""
        if depth > _MAX_DEPTH:
            raise _DamagedFile(f"the manifest is nested more than {_MAX_DEPTH} levels deep")
        if node is None or isinstance(node, bool | int | float | str):
            return node
        if not isinstance(node, dict):
            raise _DamagedFile(f"the manifest has a bare {type(node).__name__} at {where}")
        kind = node.get("kind")
        if kind in ("tensor", "parameter", "ndarray", "numpy_scalar"):
            index = node.get("array")
            key = (kind, index) if isinstance(index, int) else None
            if key not in self._objects:  # one object per array, as saved (tied weights)
                if kind in ("tensor", "parameter"):
                    value = self._tensor(node, kind, where)
                else:
                    array = self._array(node, where)
                    if kind == "numpy_scalar" and array.ndim != 0:
                        raise _DamagedFile(f"the numpy scalar at {where} has shape {array.shape}")
                    value = array[()] if kind == "numpy_scalar" else array
                self._objects[key] = value
            return self._objects[key]
        items = node.get("items")
        if kind in ("list", "tuple"):
            if not isinstance(items, list):
                raise _DamagedFile(f"the {kind} at {where} has no list of items")
            values = [self.decode(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(items)]
            return values if kind == "list" else tuple(values)
        if kind in ("dict", "ordered_dict"):
            if not isinstance(items, list) or not all(
                isinstance(pair, list) and len(pair) == 2 for pair in items
            ):
                raise _DamagedFile(f"the dict at {where} has no list of [key, value] pairs")
            result: dict = OrderedDict() if kind == "ordered_dict" else {}
            for key_node, value_node in items:
                key = self.decode(key_node, where, depth + 1)
                if not _is_key(key):
                    raise _DamagedFile(f"the dict at {where} has a {type(key).__name__} key")
                result[key] = self.decode(value_node, f"{where}[{key!r}]", depth + 1)
            return result
        raise _DamagedFile(f"the manifest has an entry of unknown kind {kind!r} at {where}")


def _read_manifest(archive: zipfile.ZipFile) -> Any:
    if archive.getinfo(MANIFEST).file_size > _MAX_MANIFEST_BYTES:
        raise _DamagedFile(f"its manifest is larger than {_MAX_MANIFEST_BYTES} bytes")
    with archive.open(MANIFEST) as stream:
        text = stream.read(_MAX_MANIFEST_BYTES + 1)
    if len(text) > _MAX_MANIFEST_BYTES:  # a compressed member can hide its real size
        raise _DamagedFile(f"its manifest is larger than {_MAX_MANIFEST_BYTES} bytes")
    try:
        header = json.loads(text.decode("utf-8"))
    except RecursionError as error:
        raise _DamagedFile("its manifest is nested too deeply to read") from error
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise _DamagedFile(f"its manifest is not valid JSON ({error})") from error
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _DamagedFile(f"its manifest does not name the format {FORMAT!r}")
    version = header.get("version")
    if version != VERSION:
        raise _DamagedFile(
            f"its manifest has format version {version!r}; this tinygrad_nn reads version "
            f"{VERSION} (a newer tinygrad_nn wrote it?)"
        )
    if "object" not in header:
        raise _DamagedFile("its manifest has no 'object' entry")
    return header["object"]


def _load_legacy(archive: zipfile.ZipFile) -> OrderedDict[str, Tensor]:
    """A file of the first tg.save (or ``np.savez``): one ``name.npy`` member per entry."""
    loaded: OrderedDict[str, Tensor] = OrderedDict()
    if any(member.endswith("/data.pkl") for member in archive.namelist()):
        raise _DamagedFile(
            "it was written by torch.save, whose pickled format tg.load never reads; load it "
            "with PyTorch and tg.save a dict of the tensors' .numpy() arrays instead"
        )
    for member in archive.namelist():
        if not member.endswith(".npy"):
            raise _DamagedFile(f"its member {member!r} is not a .npy array")
        array = _read_npy(archive, member, f"member {member!r}")
        # Tensors hold no complex numbers: such an entry stays a numpy array.
        is_complex = array.dtype.kind == "c"
        loaded[member[: -len(".npy")]] = array if is_complex else Tensor(array, dtype=array.dtype)
    return loaded


def load(
    f: PathOrFile,
    map_location: str | Mapping[str, str] | Callable | None = None,
    *,
    weights_only: bool | None = True,
) -> Any:
    """Read a file written by :func:`save`: the same structure back, tensors as Tensors.

    ``map_location`` moves the saved tensors as ``torch.load``'s does: a
    device (``"cpu"``, ``tg.device("cpu")``), a dict from saved device to
    device, or a function ``(array, saved_device) -> array``; ``None`` keeps
    each tensor's saved device.  ``weights_only`` is accepted for PyTorch's
    sake: every load is weights-only, since nothing in the file is ever run.
    If ``f`` does not exist but ``f + ".npz"`` does (the first tg.save's
    name), that is read.  A missing file raises ``FileNotFoundError``; a
    truncated, corrupted or foreign file, or a manifest that is malformed,
    too large, too deep, of an unknown kind or pointing at missing arrays,
    raises ``ValueError`` saying which.
    """
    del weights_only  # every load is weights-only
    if hasattr(f, "read"):
        name: Any = getattr(f, "name", "<file object>")
        source: Any = f
    else:
        name = _checked_path(f, "tg.load")
        if not os.path.exists(name) and os.path.exists(name + ".npz"):
            name = name + ".npz"
        if not os.path.exists(name):
            raise FileNotFoundError(f"tg.load: no such file: {name!r}")
        if os.path.isdir(name):
            raise IsADirectoryError(
                f"tg.load: {name!r} is a directory, not a file written by tg.save"
            )
        source = name
    if not zipfile.is_zipfile(source):
        raise ValueError(
            f"tg.load: {name!r} is not a tg.save file: it is not an .npz (zip) archive, "
            "so it is corrupted, truncated, or some other kind of file"
        )
    if hasattr(source, "seek"):
        source.seek(0)
    if isinstance(map_location, str) or hasattr(map_location, "type"):
        backend.normalize_device(map_location)  # a wrong device is the caller's error, said now
    elif isinstance(map_location, Mapping):
        for device in map_location.values():
            backend.normalize_device(device)
    try:
        with zipfile.ZipFile(source) as archive:
            if MANIFEST not in archive.namelist():
                return _load_legacy(archive)
            root = _read_manifest(archive)
            return _Decoder(archive, map_location).decode(root, "the top level")
    except _DamagedFile as error:
        raise ValueError(f"tg.load: {name!r} is not a tg.save file: {error}") from None
    except _READ_ERRORS as error:
        raise ValueError(
            f"tg.load: cannot read {name!r}: it is truncated or corrupted "
            f"({type(error).__name__}: {error})"
        ) from error
