"""Shape ops: reshape, transpose, broadcast_to and indexing. Backward undoes the move."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, make
from ._poly import unbroadcast


def _shape_arg(shape: tuple) -> tuple:
    """Accept ``f(2, 3)`` and ``f((2, 3))`` alike, as NumPy and PyTorch do."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(shape)


def reshape(x: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``, -1 too."""
    shape = _shape_arg(shape)
    try:
        data = x.data.reshape(shape)
    except (ValueError, TypeError):
        raise ValueError(
            f"reshape: cannot reshape a Tensor of shape {x.shape} into {shape}"
        ) from None
    return make(data, (x,), _reshape_back, "reshape")


def _reshape_back(ctx, g, out, x):
    return (g.reshape(x.shape),)


def flatten(x: Tensor) -> Tensor:
    """All elements in one axis (row-major), as ``ndarray.flatten``."""
    return reshape(x, -1)


def transpose(x: Tensor, *axes: Any) -> Tensor:
    """Permute axes as ``ndarray.transpose``: no argument reverses them."""
    axes = _shape_arg(axes) or tuple(range(x.ndim))[::-1]
    try:
        data = x.data.transpose(axes)
    except (ValueError, TypeError):
        raise ValueError(
            f"transpose: axes {axes} are not a permutation for shape {x.shape}"
        ) from None
    axes = [a % x.ndim for a in axes]  # negative axes count from the end
    inverse = tuple(axes.index(i) for i in range(x.ndim))  # where each axis went
    return make(data, (x,), _transpose_back, "transpose", inverse)


def _transpose_back(inverse, g, out, x):
    return (g.transpose(inverse),)


def broadcast_to(x: Tensor, *shape: Any) -> Tensor:
    """This Tensor repeated along broadcast axes to ``shape``; the gradient sums back."""
    shape = _shape_arg(shape)
    try:
        data = np.broadcast_to(x.data, shape)
    except ValueError:
        raise ValueError(f"broadcast_to: shape {x.shape} cannot be broadcast to {shape}") from None
    return make(data, (x,), _broadcast_back, "broadcast")


def _broadcast_back(ctx, g, out, x):
    return (unbroadcast(g, x.shape),)


# ----------------------------------------------------------------------------------- indexing


def _index_part(i: Any) -> Any:
    if isinstance(i, Tensor):
        d = i.data
        if not np.all(np.equal(np.mod(d, 1), 0)):
            raise IndexError("a Tensor used as an index must hold whole numbers")
        return d.astype(np.intp)
    if isinstance(i, list):
        return np.asarray(i)
    return i


def _check_masks(parts: list, shape: tuple) -> None:
    """Each boolean mask must have the shape of the axes it covers: an IndexError naming both
    (as NumPy and PyTorch), not a silent selection by position once it is made integers."""

    def width(i: Any) -> int:  # how many of the Tensor's axes an index part consumes
        if i is None or i is Ellipsis or isinstance(i, (bool, np.bool_)):
            return 0
        return i.ndim if isinstance(i, np.ndarray) and i.dtype == bool else 1

    axis = 0
    for pos, i in enumerate(parts):
        if i is Ellipsis:
            axis = len(shape) - sum(width(j) for j in parts[pos + 1 :])
        elif isinstance(i, np.ndarray) and i.dtype == bool and i.ndim:
            covered = shape[axis : axis + i.ndim]
            if i.shape != covered:
                what = f"length {i.shape[0]}" if i.ndim == 1 else f"shape {i.shape}"
                size = f"length {covered[0]}" if len(covered) == 1 else f"shape {covered}"
                place = f"axis {axis}" if i.ndim == 1 else f"axes {axis}-{axis + i.ndim - 1}"
                raise IndexError(
                    f"boolean mask of {what} does not match the indexed {place} of {size} "
                    f"(Tensor shape {shape})"
                )
        axis += width(i)


def normalize_index(index: Any, shape: tuple | None = None) -> tuple[tuple, bool]:
    """The index as a tuple with bool masks turned into integer arrays, and whether it is basic.

    Basic indexes (ints, slices, None, ...) never repeat an element; advanced ones may, so
    their backward must add repeated positions up. With ``shape``, masks are checked against it.
    """
    parts = index if isinstance(index, tuple) else (index,)
    parts = [_index_part(i) for i in parts]
    if shape is not None:
        _check_masks(parts, shape)
    out: list = []
    basic = True
    for i in parts:
        if isinstance(i, np.ndarray):
            basic = False
            if i.dtype == bool:
                out.extend(np.nonzero(i))
                continue
        out.append(i)
    return tuple(out), basic


def getitem(x: Tensor, index: Any) -> Tensor:
    """``t[index]`` with ints, slices, None, ..., integer arrays or boolean masks (ndarrays)."""
    idx, basic = normalize_index(index, x.shape)
    return make(x.data[idx], (x,), _getitem_back, "index", (idx, basic, x.shape))


def _getitem_back(ctx, g, out, x):
    return (index_add(g, ctx),)


def index_add(g: Any, ctx: tuple) -> Any:
    """Zeros of the indexed Tensor's shape with ``g`` added at the index (repeats accumulate)."""
    if isinstance(g, Tensor):
        return make(_scatter(g.data, ctx), (g,), _index_add_back, "index_add", ctx)
    return _scatter(g, ctx)


def _scatter(g: np.ndarray, ctx: tuple) -> np.ndarray:
    idx, basic, shape = ctx
    z = np.zeros(shape, dtype=g.dtype)
    if basic:
        z[idx] = g
    else:
        np.add.at(z, idx, g)
    return z


def _index_add_back(ctx, g, out, x):
    return (g[ctx[0]],)
