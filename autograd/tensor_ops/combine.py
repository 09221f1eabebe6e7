"""Functions of several Tensors: concatenate, stack, where, maximum, minimum."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor, as_operand, common, make, promote
from ._poly import broadcast_error, unbroadcast
from ._poly import where as _where
from ._select import select


def _tensors(items: Sequence[Any], op: str) -> tuple[Tensor, ...]:
    if isinstance(items, Tensor) or not isinstance(items, (list, tuple)) or not items:
        raise TypeError(f"{op} takes a non-empty list or tuple of Tensors")
    first = next((t for t in items if isinstance(t, Tensor)), None)
    if first is None:
        first = Tensor(items[0])
    return common(tuple(as_operand(t, first) for t in items))


def _axis(axis: Any, ndim: int, op: str) -> int:
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(f"{op}: axis {axis} is out of range for {ndim} dimensions")
    return int(axis) % ndim


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join Tensors along an existing axis; each gets back its slice of the gradient."""
    ts = _tensors(tensors, "concatenate")
    if any(t.ndim == 0 for t in ts):
        raise ValueError("concatenate: 0-d Tensors cannot be concatenated (use stack)")
    ax = _axis(axis, ts[0].ndim, "concatenate")
    try:
        data = np.concatenate([t.data for t in ts], axis=ax)
    except ValueError:
        shapes = ", ".join(str(t.shape) for t in ts)
        raise ValueError(f"concatenate: shapes {shapes} differ outside axis {axis}") from None
    bounds = np.cumsum([0] + [t.shape[ax] for t in ts])
    return make(data, ts, _concatenate_back, "concat", (ax, bounds))


def _concatenate_back(ctx, g, out, *inputs):
    ax, bounds = ctx
    lead = (slice(None),) * ax
    return tuple(g[lead + (slice(bounds[i], bounds[i + 1]),)] for i in range(len(inputs)))


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join same-shape Tensors along a new axis; each gets back its slice of the gradient."""
    ts = _tensors(tensors, "stack")
    if len({t.shape for t in ts}) != 1:
        shapes = ", ".join(str(t.shape) for t in ts)
        raise ValueError(f"stack: all Tensors must have the same shape, got {shapes}")
    ax = _axis(axis, ts[0].ndim + 1, "stack")
    return make(np.stack([t.data for t in ts], axis=ax), ts, _stack_back, "stack", ax)


def _stack_back(ax, g, out, *inputs):
    lead = (slice(None),) * ax
    return tuple(g[lead + (i,)] for i in range(len(inputs)))


def _mask(cond: Any) -> np.ndarray:
    if isinstance(cond, Tensor):
        cond = cond.data
    mask = np.asarray(cond)
    if mask.dtype.kind not in "biuf":
        raise TypeError(f"where: cond must be a boolean Tensor or array, got "
                        f"{type(cond).__name__} of dtype {mask.dtype}")
    return mask.astype(bool)


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``cond`` is true, else ``b`` (broadcast); the gradient goes to the chosen one."""
    mask = _mask(cond)
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else Tensor(a)
    a, b = promote(as_operand(a, like), as_operand(b, like))
    try:
        data = select(mask, a.data, b.data)
    except ValueError:
        raise ValueError(
            f"where: shapes {mask.shape}, {a.shape} and {b.shape} cannot be broadcast together"
        ) from None
    return make(data, (a, b), _where_back, "where", mask)


def _where_back(mask, g, out, a, b):
    full = np.broadcast_to(mask, g.shape)
    return (unbroadcast(_where(full, g, 0.0), a.shape), unbroadcast(_where(full, 0.0, g), b.shape))


def _pairwise(a: Any, b: Any, op: str, pick: Any) -> Tensor:
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else Tensor(a)
    a, b = promote(as_operand(a, like), as_operand(b, like))
    try:
        data = pick(a.data, b.data)
    except ValueError:
        raise broadcast_error(op, a, b) from None
    return make(data, (a, b), _pairwise_back, op)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise larger of ``a`` and ``b``; at ties each gets half the gradient (as PyTorch)."""
    return _pairwise(a, b, "maximum", np.maximum)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise smaller of ``a`` and ``b``; at ties each gets half the gradient (as PyTorch)."""
    return _pairwise(a, b, "minimum", np.minimum)


def _pairwise_back(ctx, g, out, a, b):  # selects, not 0/1 multiplies: the loser gets exactly 0
    da, db, do = (x.data if isinstance(x, Tensor) else x for x in (a, b, out))
    tie, half = da == db, g * 0.5
    ga = _where(tie, half, _where((da == do) | np.isnan(da), g, 0.0))  # a won (or is nan)
    gb = _where(tie, half, _where((db == do) | np.isnan(db), g, 0.0))
    return unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)
