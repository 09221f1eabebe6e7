"""Reductions over axes: sum, mean, max, min, var. Backward spreads ``g`` over the reduced axes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor, floating, make
from ._poly import broadcast_to, data_of, where


def normalize_axes(axis: Any, ndim: int, op: str) -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple of ints) as a sorted tuple of non-negative axes.

    A 0-d Tensor takes axis 0 (or -1) as PyTorch does, as its one position: nothing to reduce.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{op}: axis must be an int or tuple of ints, got {a!r}")
        if ndim == 0 and a in (0, -1):
            continue
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(  # an IndexError and a ValueError, as in NumPy
                f"{op}: axis {a} is out of range for a Tensor with {ndim} dimensions")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(out))


def _keepdims_error(op: str, keepdims: Any) -> TypeError:
    """The error for a ``keepdims`` NumPy refused (built only on the failure path)."""
    return TypeError(f"{op}: keepdims must be a bool, got {type(keepdims).__name__}: {keepdims!r}")


def _spread(g: Any, shape: tuple, axes: tuple, keepdims: bool) -> Any:
    """``g`` (reduced over ``axes``) broadcast back to the input's ``shape``."""
    if not keepdims:
        g = g.reshape(tuple(1 if i in axes else n for i, n in enumerate(shape)))
    return broadcast_to(g, shape)


def sum(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Sum over ``axis`` (None: all axes); ``keepdims`` keeps reduced axes as size 1.
    Integers and bools sum to int64, as PyTorch (NumPy would give unsigned ones uint64)."""
    axes = normalize_axes(axis, x.ndim, "sum")
    kind = x.data.dtype.kind
    try:
        out = x.data.sum(axis=axes, keepdims=keepdims, dtype=np.int64 if kind in "iub" else None)
    except TypeError:
        raise _keepdims_error("sum", keepdims) from None
    return make(out, (x,), _sum_back, "sum", (axes, keepdims))


def _sum_back(ctx, g, out, x):
    axes, keepdims = ctx
    return (_spread(g, x.shape, axes, keepdims),)


def mean(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis`` (None: all axes); ``keepdims`` keeps reduced axes as size 1.
    Integers and bools give the default float (``(pred == y).mean()`` is an accuracy)."""
    x = floating(x)
    axes = normalize_axes(axis, x.ndim, "mean")
    n = math.prod(x.shape[a] for a in axes)
    if n == 0:  # reducing an empty axis; a non-empty axis of an empty Tensor is fine
        raise ValueError(f"mean of an empty Tensor (shape {x.shape})")
    try:
        out = x.data.mean(axis=axes, keepdims=keepdims)
    except TypeError:
        raise _keepdims_error("mean", keepdims) from None
    return make(out, (x,), _mean_back, "mean", (axes, keepdims, n))


def _mean_back(ctx, g, out, x):
    axes, keepdims, n = ctx
    return (_spread(g / n, x.shape, axes, keepdims),)


def _extreme(x: Tensor, axis: Any, keepdims: bool, op: str) -> Tensor:
    axes = normalize_axes(axis, x.ndim, op)
    if any(x.shape[a] == 0 for a in axes):
        raise ValueError(f"{op} of an empty Tensor (shape {x.shape}) has no value")
    fn = np.max if op == "max" else np.min
    try:
        out = fn(x.data, axis=axes, keepdims=keepdims)
    except TypeError:
        raise _keepdims_error(op, keepdims) from None
    return make(out, (x,), _extreme_back, op, (axes, keepdims))


def max(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Largest value over ``axis``. Ties share the gradient equally (a valid subgradient);
    a nan in the data makes the result nan and the nan elements get the gradient (PyTorch)."""
    return _extreme(x, axis, keepdims, "max")


def min(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Smallest value over ``axis``. Ties share the gradient equally (a valid subgradient);
    a nan in the data makes the result nan and the nan elements get the gradient (PyTorch)."""
    return _extreme(x, axis, keepdims, "min")


def _extreme_back(ctx, g, out, x):
    """The gradient goes to the elements equal to the result, shared equally at ties; where the
    result is nan, to the nan elements (as PyTorch). A select: the others get exactly 0."""
    axes, keepdims = ctx
    d = data_of(x)
    o = _spread(data_of(out), d.shape, axes, keepdims)
    hit = (d == o) | (np.isnan(d) & np.isnan(o))
    share = (1.0 / hit.sum(axis=axes, keepdims=True)).astype(d.dtype)
    return (where(hit, _spread(g, d.shape, axes, keepdims) * share, 0.0),)


def var(x: Tensor, axis: Any = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """Variance over ``axis``: mean squared deviation, divided by ``n - ddof`` (NumPy's rule).

    Built from mean, subtraction, multiplication and sum, so its gradient (of any order)
    comes from theirs.
    """
    axes = normalize_axes(axis, x.ndim, "var")
    if not isinstance(ddof, (int, np.integer, float, np.floating)) or isinstance(ddof, bool):
        raise TypeError(f"var: ddof must be a number, got {type(ddof).__name__}: {ddof!r}")
    n = math.prod(x.shape[a] for a in axes)
    if n - ddof <= 0:
        raise ValueError(f"var: ddof={ddof} leaves no degrees of freedom for {n} values")
    d = x - x.mean(axis=axes, keepdims=True)
    return (d * d).sum(axis=axes, keepdims=keepdims) / (n - ddof)
