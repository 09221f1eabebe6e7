"""Saving and loading a state dict as a plain NumPy ``.npz`` archive: atomic, bounded, no pickle.

The file is what ``np.savez`` writes (a zip of one ``.npy`` per key), so anything that reads
``.npz`` reads it, and nothing in it is ever unpickled: loading a checkpoint from someone else
cannot run their code.

Saving never destroys a good checkpoint: the archive is written to a temporary file in the
target's folder, flushed and fsynced, then moved over the target with ``os.replace`` (atomic on
POSIX and Windows). If anything fails on the way (disk full, a bad array, a kill), the old file
is untouched and the temporary is removed.

Loading reads the zip directory first and refuses, before decompressing anything, a file that
is not a zip, a member whose name is not a plain state-dict key (``../x``, ``/abs``, ``a\\b``),
and a file whose members declare more than ``max_bytes`` in total (``DEFAULT_MAX_BYTES``,
1 GiB, by default): a small hostile file cannot fill memory or write outside a folder when
unpacked by another tool.
"""

from __future__ import annotations

import os
import uuid
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

PathLike = str | os.PathLike

DEFAULT_MAX_BYTES = 1 << 30  # load_state refuses files declaring more than 1 GiB uncompressed
_SUFFIX = ".npy"


class StateFileError(ValueError):
    """``load_state`` refused a file: not a ``.npz`` state file, a bad member name, too large."""


def check_key(name: Any) -> str:
    """``name`` if it is a plain state-dict key usable as a zip member name, else an error.

    A key is a non-empty ``str`` of printable characters with no ``/`` or ``\\`` and no ``.``,
    ``..`` or empty dotted part (so ``"0.weight"`` and ``"layers.1.w.0"`` pass; ``"../x"``,
    ``"/abs"``, ``"a..b"`` and ``"C:x"`` do not).
    """
    if not isinstance(name, str):
        raise TypeError(f"state keys must be str, got {type(name).__name__}: {name!r}")
    bad = (
        not name
        or not name.isprintable()
        or any(c in name for c in "/\\:\0")
        or any(part == "" for part in name.split("."))
    )
    if bad:
        raise ValueError(
            f"state key {name!r} is not a plain state-dict key (expected dotted names such as "
            "'0.weight', without '/', '\\\\', ':' or empty parts)"
        )
    return name


def save_state(state: Mapping[str, Any], path: PathLike) -> PathLike:
    """Write ``state`` (name -> array-like of real numbers) to exactly ``path`` as ``.npz``.

    Atomic: every key and array is checked first, the archive goes to a temporary file beside
    ``path`` and replaces it only once complete and fsynced; on any error the old file is
    untouched and no temporary is left. Keys must be plain state-dict keys (see ``check_key``);
    object arrays are refused, never pickled. No ``.npz`` suffix is appended.
    """
    if not isinstance(state, Mapping):
        raise TypeError(f"save_state(state) expects a mapping of name -> array, "
                        f"got {type(state).__name__}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"save_state(path) expects a str or os.PathLike, "
                        f"got {type(path).__name__}: {path!r}")
    arrays = {}
    for name, value in state.items():
        check_key(name)
        arr = np.asarray(value.data if _is_node(value) else value)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"state[{name!r}] has dtype {arr.dtype}; only real numbers are saved")
        arrays[name] = arr
    target = os.path.abspath(os.fspath(path))
    folder, base = os.path.split(target)
    tmp = os.path.join(folder, f".{base}.{uuid.uuid4().hex[:12]}.tmp")
    # os.open with 0o666 lets the umask decide the mode, as a plain open() would
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            _write_archive(f, arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(folder)
    return path


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable where the OS allows it (POSIX); best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_archive(f: Any, arrays: Mapping[str, np.ndarray]) -> None:
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, arr in arrays.items():
            with zf.open(name + _SUFFIX, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, arr, allow_pickle=False)


def load_state(path: PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, np.ndarray]:
    """Read a ``.npz`` state dict written by ``Module.save`` as ``name -> ndarray``, in file order.

    Checks the zip directory before decompressing anything: every member must be
    ``<key>.npy`` with a plain state-dict key, and the declared sizes must total at most
    ``max_bytes`` (default ``DEFAULT_MAX_BYTES``, 1 GiB; raise it for bigger models).
    ``path`` may also be a binary file object (``io.BytesIO``).
    Arrays are read with ``allow_pickle=False``. Raises ``StateFileError`` (a ValueError)
    naming the problem, ``FileNotFoundError`` for a missing file.

    >>> import os, tempfile
    >>> import numpy as np
    >>> from nn import load_state, save_state
    >>> path = os.path.join(tempfile.mkdtemp(), "state.npz")
    >>> load_state(save_state({"0.weight": np.arange(3.0)}, path))
    {'0.weight': array([0., 1., 2.])}
    >>> load_state(path, max_bytes=100)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nn.serialization.StateFileError: member '0.weight.npy' declares 152 bytes, over the limit 100...
    """
    if not isinstance(path, (str, os.PathLike)) and not _is_file(path):
        raise TypeError(f"load_state(path) expects a str, an os.PathLike or a binary file "
                        f"object, got {type(path).__name__}: {path!r}")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)) or max_bytes < 0:
        raise ValueError(f"load_state(max_bytes) must be an int >= 0, got {max_bytes!r}")
    max_bytes = int(max_bytes)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError):
        raise StateFileError(
            f"{_label(path)} is not a .npz state file (not a zip archive)"
        ) from None
    with zf:
        members = zf.infolist()
        total = 0
        seen: set[str] = set()
        for info in members:
            name = info.filename
            if name in seen:
                raise StateFileError(f"{_label(path)}: member {name!r} appears twice")
            seen.add(name)
            if not name.endswith(_SUFFIX):
                raise StateFileError(
                    f"{_label(path)} is not a .npz state file: member {name!r} is not a .npy"
                )
            try:
                check_key(name[: -len(_SUFFIX)])
            except ValueError as e:
                raise StateFileError(f"{_label(path)}: member {name!r} refused: {e}") from None
            if info.file_size > max_bytes:
                raise StateFileError(
                    f"member {name!r} declares {info.file_size} bytes, over the limit "
                    f"{max_bytes} (pass max_bytes= to load_state to allow more)"
                )
            total += info.file_size
            if total > max_bytes:
                raise StateFileError(
                    f"members up to {name!r} declare {total} bytes in total, over the limit "
                    f"{max_bytes} (pass max_bytes= to load_state to allow more)"
                )
        state = {}
        for info in members:
            state[info.filename[: -len(_SUFFIX)]] = _read_member(zf, info, path)
        return state


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: PathLike) -> np.ndarray:
    """One ``.npy`` member; its header must describe no more data than the member declares."""
    name = info.filename
    try:
        with zf.open(info) as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            if dtype.hasobject or dtype.kind not in "biuf":
                raise StateFileError(
                    f"{_label(path)}: member {name!r} holds dtype {dtype}; "
                    "only real numbers are loaded (object arrays need pickle; "
                    "load_state keeps allow_pickle=False)"
                )
            nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if nbytes > info.file_size:
                raise StateFileError(
                    f"{_label(path)}: member {name!r} claims an array of {nbytes} bytes "
                    f"but declares only {info.file_size}"
                )
            arr = np.empty(shape, dtype, order="F" if fortran else "C")
            got = f.readinto(memoryview(arr.reshape(-1, order="A")).cast("B")) if nbytes else 0
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as e:
        if isinstance(e, StateFileError):
            raise
        raise StateFileError(
            f"{_label(path)} is not a .npz state file: member {name!r} is damaged ({e})"
        ) from None
    if got != nbytes:
        raise StateFileError(f"{_label(path)}: member {name!r} is truncated")
    return arr


def _is_file(x: Any) -> bool:
    return all(callable(getattr(x, m, None)) for m in ("read", "seek", "tell"))


def _label(path: Any) -> str:
    """How errors name the file: its path, or the file object's name."""
    if isinstance(path, (str, os.PathLike)):
        return repr(os.fspath(path))
    return repr(getattr(path, "name", None) or type(path).__name__)


def _is_node(value: Any) -> bool:
    """A Value or Tensor (anything carrying the graph-node attributes): save its data."""
    return hasattr(value, "_prev") and hasattr(value, "data")
