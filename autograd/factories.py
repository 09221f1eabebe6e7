"""Tensor factories with PyTorch's names and rules: ``zeros ones full zeros_like ones_like
arange linspace eye rand randn randint``, and ``from_numpy`` (no copy).

Sizes are ints or one tuple (``zeros(2, 3)`` or ``zeros((2, 3))``). ``dtype=None`` means the
default float, except where PyTorch infers one: ``arange`` of ints and ``full`` of an int are
int64, ``full`` of a bool is bool, ``randint`` is int64, ``*_like`` keep their input's dtype.
``requires_grad=True`` makes a leaf to train (floating dtypes only). The random ones draw from
``generator`` (an ``autograd.Generator``, a ``numpy.random.Generator`` or None: the default).

>>> from autograd import arange, zeros
>>> zeros(2, 3).shape, arange(5), arange(0.0, 1.0, 0.25)
((2, 3), Tensor([0, 1, 2, 3, 4]), Tensor([0.  , 0.25, 0.5 , 0.75]))
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .dtype import check_can_require_grad, check_dtype, get_default_dtype
from .random import numpy_rng
from .tensor import Tensor


def _size(size: tuple, who: str) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise TypeError(f"{who}: sizes must be non-negative ints, got {size!r}")
    return tuple(int(n) for n in size)


def _float_or(dtype: Any, who: str) -> np.dtype:
    """``dtype`` checked, or the default float when it is None."""
    return get_default_dtype() if dtype is None else check_dtype(dtype, who)


def _new(data: np.ndarray, dtype: Any, requires_grad: bool, who: str) -> Tensor:
    """A leaf owning ``data`` converted to ``dtype`` (None: as it is)."""
    if dtype is not None:
        data = data.astype(check_dtype(dtype, who), copy=False)
    if not isinstance(requires_grad, (bool, np.bool_)):
        raise TypeError(f"{who}: requires_grad must be a bool, got {requires_grad!r}")
    if requires_grad:
        check_can_require_grad(data.dtype, who)
    t = Tensor._leaf(data)
    t.requires_grad = bool(requires_grad)
    return t


def from_numpy(array: np.ndarray) -> Tensor:
    """A Tensor on ``array``'s memory, not a copy, as ``torch.from_numpy``: the two share data.

    For input batches in a training loop: ``Tensor(X)`` copies X every step, this does not.
    The dtype is kept. As in PyTorch, a write to the array shows in the Tensor; unlike
    PyTorch, nothing detects a write made between forward and backward, which changes the
    gradients computed from the array.

    >>> import numpy as np
    >>> from autograd import from_numpy
    >>> a = np.array([1.0, 2.0])
    >>> t = from_numpy(a)
    >>> a[0] = 5.0
    >>> t
    Tensor([5., 2.], dtype=float64)
    """
    if not isinstance(array, np.ndarray) or isinstance(array, np.ma.MaskedArray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}"
                        + (" (its mask would be dropped)" if isinstance(array, np.ndarray) else ""))
    if array.dtype.kind not in "fiub":
        raise TypeError(
            f"from_numpy: Tensor data must be real numbers or bools, got dtype {array.dtype}"
        )
    return Tensor._leaf(array if type(array) is np.ndarray else array.view(np.ndarray))


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A Tensor of zeros of the given size (default float dtype)."""
    shape = _size(size, "zeros")
    return _new(np.zeros(shape, _float_or(dtype, "zeros")), None, requires_grad, "zeros")


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A Tensor of ones of the given size (default float dtype)."""
    shape = _size(size, "ones")
    return _new(np.ones(shape, _float_or(dtype, "ones")), None, requires_grad, "ones")


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A Tensor of ``size`` filled with ``fill_value``; its dtype follows the value (bool,
    int64 or the default float) unless ``dtype`` is given.

    >>> from autograd import full
    >>> full((2,), 7), full((2,), 0.5)
    (Tensor([7, 7]), Tensor([0.5, 0.5]))
    """
    shape = _size(size if isinstance(size, (tuple, list)) else (size,), "full")
    if dtype is None:
        dtype = _scalar_dtype(fill_value, "full")
    return _new(np.full(shape, fill_value, dtype=check_dtype(dtype, "full")), None,
                requires_grad, "full")


def _floating(dtype: Any, who: str) -> np.dtype:
    """``_float_or``, refusing a non-floating dtype (samples of a continuous distribution)."""
    d = _float_or(dtype, who)
    if d.kind != "f":
        raise TypeError(f"{who}: dtype must be a floating dtype, got {d}")
    return d


def _scalar_dtype(x: Any, who: str) -> np.dtype:
    if isinstance(x, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(x, (int, np.integer)):
        return np.dtype(np.int64)
    if isinstance(x, (float, np.floating)):
        return get_default_dtype()
    raise TypeError(f"{who}: expected a real number, got {type(x).__name__}")


def _like(t: Any, who: str) -> np.ndarray:
    if isinstance(t, Tensor):
        return t.data
    if isinstance(t, np.ndarray):
        return t
    raise TypeError(f"{who}: expected a Tensor, got {type(t).__name__}")


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``t``'s shape and dtype (or ``dtype``)."""
    dtype = None if dtype is None else check_dtype(dtype, "zeros_like")
    data = np.zeros_like(_like(t, "zeros_like"), dtype=dtype)
    return _new(data, None, requires_grad, "zeros_like")


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of ``t``'s shape and dtype (or ``dtype``)."""
    dtype = None if dtype is None else check_dtype(dtype, "ones_like")
    data = np.ones_like(_like(t, "ones_like"), dtype=dtype)
    return _new(data, None, requires_grad, "ones_like")


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """``[start, end)`` in steps of ``step`` (``arange(n)``: ``0 .. n-1``); int64 when every
    argument is an int, else the default float (PyTorch's rule).

    >>> from autograd import arange
    >>> arange(1, 7, 2), arange(3, dtype=float)
    (Tensor([1, 3, 5]), Tensor([0., 1., 2.], dtype=float64))
    """
    if end is None:
        start, end = 0, start
    args = (start, end, step)
    for a in args:
        _scalar_dtype(a, "arange")
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    for name, a in zip(("start", "end", "step"), args):
        if not math.isfinite(a):
            raise ValueError(f"arange: {name} must be finite, got {a!r}")
    if dtype is None:
        ints = all(isinstance(a, (int, np.integer)) for a in args)
        dtype = np.int64 if ints else get_default_dtype()
    n = max(math.ceil((end - start) / step), 0)  # PyTorch's length; NumPy's differs in rounding
    data = (start + step * np.arange(n, dtype=np.float64 if not
                                     isinstance(step, (int, np.integer)) else np.int64))
    return _new(np.asarray(data), dtype, requires_grad, "arange")


def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (default float)."""
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or steps < 0:
        raise TypeError(f"linspace: steps must be a non-negative int, got {steps!r}")
    for name, a in (("start", start), ("end", end)):
        _scalar_dtype(a, f"linspace: {name}")
    data = np.linspace(start, end, int(steps))
    return _new(data, _float_or(dtype, "linspace"), requires_grad, "linspace")


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The ``n x m`` identity (``m`` defaults to ``n``), default float dtype."""
    _size((n,) if m is None else (n, m), "eye")
    return _new(np.eye(n, m, dtype=_float_or(dtype, "eye")), None, requires_grad, "eye")


def rand(*size: Any, generator: Any = None, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples in ``[0, 1)`` of the given size (default float dtype)."""
    shape = _size(size, "rand")
    data = numpy_rng(generator, "rand").random(shape)
    return _new(data, _floating(dtype, "rand"), requires_grad, "rand")


def randn(*size: Any, generator: Any = None, dtype: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples of the given size (default float dtype).

    >>> from autograd import Generator, randn
    >>> W = randn(27, 27, generator=Generator(2147483647), requires_grad=True)
    >>> W.shape, W.dtype, W.requires_grad
    ((27, 27), dtype('float32'), True)
    """
    shape = _size(size, "randn")
    data = numpy_rng(generator, "randn").standard_normal(shape)
    return _new(data, _floating(dtype, "randn"), requires_grad, "randn")


def randint(low: int, high: int | None = None, size: Any = (), generator: Any = None,
            dtype: Any = None) -> Tensor:
    """Integers drawn uniformly from ``[low, high)`` (``randint(high, size)`` from 0), int64:
    minibatch indices, as ``torch.randint(0, n, (32,))``."""
    if high is None or isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, size if high is None else high
    shape = _size(tuple(size) if isinstance(size, (tuple, list)) else (size,), "randint")
    for name, bound in (("low", low), ("high", high)):
        if not isinstance(bound, (int, np.integer)) or isinstance(bound, bool):
            raise TypeError(f"randint: {name} must be an int, "
                            f"got {type(bound).__name__}: {bound!r}")
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    data = numpy_rng(generator, "randint").integers(low, high, size=shape, dtype=np.int64)
    return _new(data, dtype, False, "randint")
