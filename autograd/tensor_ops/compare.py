"""Comparisons ``< <= > >= == !=`` and ``all``/``any``: boolean Tensors, constants of the graph
(no gradient).

``t == u`` compares elementwise, as in NumPy and PyTorch, so ``Tensor`` keeps identity
hashing explicitly (``__hash__ = object.__hash__``) and the engine keys nodes by identity.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, as_operand, make, promote
from ._poly import broadcast_error
from .reduce import normalize_axes


def _compare(fn: Any, a: Tensor, b: Any, op: str) -> Tensor:
    try:
        b = as_operand(b, a)
    except TypeError:
        return NotImplemented  # ``t == None`` is False, as for any Python object
    if a.data.dtype is not b.data.dtype:
        a, b = promote(a, b)
    try:
        data = fn(a.data, b.data)
    except ValueError:
        raise broadcast_error(op, a, b) from None
    return make(data, (), None, op)


def lt(a: Tensor, b: Any) -> Tensor:
    """``a < b`` elementwise, a bool Tensor.

    >>> from autograd import Tensor
    >>> Tensor([1, 2, 3]) < 2
    Tensor([ True, False, False])
    """
    return _compare(np.less, a, b, "<")


def le(a: Tensor, b: Any) -> Tensor:
    """``a <= b`` elementwise, a bool Tensor."""
    return _compare(np.less_equal, a, b, "<=")


def gt(a: Tensor, b: Any) -> Tensor:
    """``a > b`` elementwise, a bool Tensor."""
    return _compare(np.greater, a, b, ">")


def ge(a: Tensor, b: Any) -> Tensor:
    """``a >= b`` elementwise, a bool Tensor."""
    return _compare(np.greater_equal, a, b, ">=")


def eq(a: Tensor, b: Any) -> Tensor:
    """``a == b`` elementwise, a bool Tensor (``(pred == y).float().mean()`` is an accuracy).

    >>> from autograd import Tensor
    >>> (Tensor([0, 2, 1]) == Tensor([0, 1, 1])).tolist()
    [True, False, True]
    """
    return _compare(np.equal, a, b, "==")


def ne(a: Tensor, b: Any) -> Tensor:
    """``a != b`` elementwise, a bool Tensor."""
    return _compare(np.not_equal, a, b, "!=")


def all(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Whether every element over ``axis`` (None: all) is nonzero, a bool Tensor.

    >>> from autograd import Tensor
    >>> (Tensor([[1, 2], [0, 3]]) > 0).all(axis=1)
    Tensor([ True, False])
    """
    axes = normalize_axes(axis, x.ndim, "all")
    return make(np.all(x.data, axis=axes, keepdims=keepdims), (), None, "all")


def any(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Whether some element over ``axis`` (None: all) is nonzero, a bool Tensor."""
    axes = normalize_axes(axis, x.ndim, "any")
    return make(np.any(x.data, axis=axes, keepdims=keepdims), (), None, "any")
