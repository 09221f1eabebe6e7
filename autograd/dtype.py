"""The default floating dtype for new Tensors (``float32``, as in PyTorch)."""

from __future__ import annotations

from typing import Any

import numpy as np

_default = np.dtype(np.float32)


def set_default_dtype(dtype: Any) -> None:
    """Make Python numbers, lists and integer arrays become ``dtype`` (a floating dtype)."""
    global _default
    d = np.dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"default dtype must be a floating dtype, got {d}")
    _default = d


def get_default_dtype() -> np.dtype:
    """The floating dtype new Tensors get when their data does not fix one."""
    return _default


def to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """``data`` as an ndarray of a floating dtype, by the constructor's rules.

    Floating arrays keep their dtype; numbers, lists, integer and bool arrays become the
    default dtype; object, string and complex data raise TypeError naming what they are.
    """
    if type(data) is np.ndarray and dtype is None and data.dtype.kind == "f":
        return data.copy()  # the common case, a floating array: keep its dtype, own a copy
    from .value import Value

    if isinstance(data, Value):
        raise TypeError("Tensor data cannot be a Value: use Value for scalars or Tensor(v.data)")
    if isinstance(data, (str, bytes)) or data is None:
        raise TypeError(
            f"Tensor data must be a number, nested list or ndarray, got {type(data).__name__}"
        )
    keeps_dtype = isinstance(data, (np.ndarray, np.floating))  # lists and numbers do not
    try:
        arr = np.asarray(data)
    except ValueError as e:  # ragged nested lists
        raise TypeError(f"Tensor data must be a rectangular nested list: {e}") from None
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"Tensor data must be real numbers, got an array of dtype {arr.dtype}")
    if dtype is not None:
        want = np.dtype(dtype)
        if want.kind != "f":
            raise TypeError(f"Tensor dtype must be a floating dtype, got {want}")
    elif keeps_dtype and arr.dtype.kind == "f":
        want = arr.dtype
    else:
        want = _default
    return np.array(arr, dtype=want)  # always a copy: the Tensor owns its data
