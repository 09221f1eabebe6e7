"""Saving and loading a state dict as a plain NumPy ``.npz`` archive, never with pickle.

The file is what ``np.savez`` writes (a zip of one ``.npy`` per key), so anything that reads
``.npz`` reads it, and ``np.load(path, allow_pickle=False)`` opens it safely: loading a
checkpoint from someone else cannot run their code. Keys are written as given (``"0.weight"``).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

PathLike = str | os.PathLike


def save_state(state: Mapping[str, Any], path: PathLike) -> PathLike:
    """Write ``state`` (name -> array-like of real numbers) to exactly ``path`` as ``.npz``.

    Writes the zip members itself rather than calling ``np.savez(path, **state)``, so a key
    may be any string (``"file"`` would clash with savez's own argument) and no ``.npz``
    suffix is appended to a path that lacks one. Object arrays are refused, never pickled.
    """
    arrays = {}
    for name, value in state.items():
        if not isinstance(name, str):
            raise TypeError(f"state keys must be str, got {type(name).__name__}: {name!r}")
        arr = np.asarray(value.data if _is_node(value) else value)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"state[{name!r}] has dtype {arr.dtype}; only real numbers are saved")
        arrays[name] = arr
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, arr in arrays.items():
            with zf.open(name + ".npy", "w", force_zip64=True) as f:
                np.lib.format.write_array(f, arr, allow_pickle=False)
    return path


def load_state(path: PathLike) -> dict[str, np.ndarray]:
    """Read a ``.npz`` state dict written by ``Module.save`` as ``name -> ndarray``, in file
    order, with ``allow_pickle=False`` (a file holding object arrays raises instead)."""
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def _is_node(value: Any) -> bool:
    """A Value or Tensor (anything carrying the graph-node attributes): save its data."""
    return hasattr(value, "_prev") and hasattr(value, "data")
