"""Tensor dtypes, PyTorch's rules: floating, integer and boolean data; only floats take gradients.

- The default floating dtype (``float32``, as in PyTorch) is what Python floats and lists of
  floats become; ``set_default_dtype`` changes it.
- Python ints and lists of ints become ``int64``; integer and boolean ndarrays keep their dtype.
- Type promotion for ops (``result_kind``/``promote`` in ``tensor.py``): a floating operand wins
  over an integer or boolean one, integer over boolean; a Python number only decides the
  category (``int_tensor + 1`` stays integer, ``int_tensor + 0.5`` is the default float).
"""

from __future__ import annotations

from typing import Any

import numpy as np

_default = np.dtype(np.float32)


def set_default_dtype(dtype: Any) -> None:
    """Make Python floats and lists of floats become ``dtype`` (a floating dtype).

    >>> import numpy as np
    >>> from autograd import Tensor, set_default_dtype
    >>> set_default_dtype(np.float64); Tensor(1.5).dtype
    dtype('float64')
    >>> set_default_dtype(np.float32); Tensor(1.5).dtype
    dtype('float32')
    """
    global _default
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"set_default_dtype: dtype must be a NumPy floating dtype, "
                        f"got {dtype!r}") from None
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: default dtype must be a floating dtype, got {d}")
    _default = d


def get_default_dtype() -> np.dtype:
    """The floating dtype new Tensors get when their data does not fix one."""
    return _default


def check_dtype(dtype: Any, who: str = "Tensor") -> np.dtype:
    """``dtype`` as a NumPy dtype if a Tensor can hold it (floating, integer or bool)."""
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{who}: dtype must be a NumPy dtype, got {dtype!r}") from None
    if d.kind not in "fiub":
        raise TypeError(f"{who}: dtype must be floating, integer or bool, got {d}")
    return d


def check_can_require_grad(dtype: np.dtype, who: str = "Tensor") -> None:
    """PyTorch's rule: only floating Tensors can require grad (RuntimeError otherwise)."""
    if dtype.kind != "f":
        raise RuntimeError(
            f"{who}: only floating Tensors can require grad, got dtype {dtype} "
            "(convert first, e.g. Tensor(data, dtype=np.float32) or t.float())"
        )


_NONE_BAD = object()


def _first_bad_item(data: Any) -> Any:
    """The first leaf of a nested list/tuple that is not a real number (None, a str, ...),
    or ``_NONE_BAD`` if every leaf is one."""
    for item in _leaves(data):
        if not isinstance(item, (bool, int, float, np.bool_, np.integer, np.floating,
                                 np.ndarray)):
            return item
    return _NONE_BAD


def _leaves(data: Any) -> Any:
    """The leaves of nested lists/tuples, in order."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        else:
            yield item


def _huge_int(data: Any) -> str | None:
    """The first Python int int64 cannot hold, shortened for a message, or None."""
    for item in _leaves(data):
        if isinstance(item, int) and not -(2**63) <= item < 2**63:
            text = str(item)
            return text if len(text) <= 30 else f"{text[:12]}...{text[-6:]} ({len(text)} digits)"
    return None


def _overflow(data: Any) -> OverflowError:
    return OverflowError(f"integer out of range for int64 in Tensor data: {_huge_int(data)} "
                         "(use a float, e.g. Tensor(float(n)))")


def _reject(data: Any, arr: np.ndarray) -> None:
    """Explain why Python data did not become a real-number array (None, str, huge int)."""
    if arr.dtype.kind == "u" or (arr.dtype == object and _first_bad_item(data) is _NONE_BAD):
        raise _overflow(data)
    if arr.dtype == object or arr.dtype.kind in "US":
        bad = _first_bad_item(data)
        from .value import Value

        if isinstance(bad, Value):
            raise TypeError("Tensor data cannot hold Values: use their .data")
        if hasattr(bad, "_prev"):  # a Tensor
            raise TypeError("Tensor data cannot hold Tensors: use autograd.stack(tensors), which "
                            "keeps the graph, or their .data")
        raise TypeError(
            f"Tensor data must be real numbers, got {bad!r} ({type(bad).__name__}) in the list"
        )


def to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """``data`` as an ndarray a Tensor can own, by the constructor's rules (always a copy).

    Floating, integer and bool ndarrays keep their dtype; Python floats (and lists holding one)
    become the default float dtype, Python ints ``int64``, bools ``bool``. ``dtype`` converts.
    Object, string, complex and ``None`` data raise TypeError naming what they are.
    """
    if type(data) is np.ndarray and dtype is None and data.dtype.kind in "fiub":
        return data.copy()  # the common case, an array: keep its dtype, own a copy
    from .value import Value

    if isinstance(data, Value):
        raise TypeError("Tensor data cannot be a Value: use Value for scalars or Tensor(v.data)")
    if isinstance(data, (str, bytes)) or data is None:
        raise TypeError(
            f"Tensor data must be a number, nested list or ndarray, got {type(data).__name__}"
        )
    want = None if dtype is None else check_dtype(dtype)
    keeps_dtype = isinstance(data, (np.ndarray, np.generic))  # lists and numbers do not
    try:
        arr = np.asarray(data)
    except ValueError as e:  # ragged nested lists
        raise TypeError(f"Tensor data must be a rectangular nested list: {e}") from None
    except OverflowError:
        arr = np.asarray(data, dtype=object)
    if not keeps_dtype and arr.dtype.kind in "uOUS":
        _reject(data, arr)
    if not keeps_dtype and arr.dtype.kind == "f" and arr.size and np.abs(arr).max() >= 2.0**63:
        # NumPy turns ``[1, 2**63]`` (ints only) into float64; PyTorch refuses, so do we
        if _huge_int(data) is not None and not any(isinstance(v, float) for v in _leaves(data)):
            raise _overflow(data)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"Tensor data must be real numbers, got an array of dtype {arr.dtype}")
    if want is None:
        if keeps_dtype:
            want = arr.dtype
        elif arr.dtype.kind == "f":
            want = _default
        elif arr.dtype.kind == "b":
            want = np.dtype(np.bool_)
        else:
            want = np.dtype(np.int64)
    return np.array(arr, dtype=want)  # always a copy: the Tensor owns its data
