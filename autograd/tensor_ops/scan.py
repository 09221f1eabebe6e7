"""``cumsum``: running sums along an axis; the gradient is the running sum taken from the end."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, make
from .shape import one_axis


def cumsum(x: Tensor, axis: int) -> Tensor:
    """Running sums along ``axis`` (PyTorch's ``cumsum(dim)``; integers and bools give int64).

    >>> from autograd import Tensor
    >>> Tensor([[1, 2, 3], [4, 5, 6]]).cumsum(axis=1)
    Tensor([[ 1,  3,  6],
            [ 4,  9, 15]])
    """
    if x.ndim == 0:
        return make(x.data.astype(np.int64) if x.data.dtype.kind in "biu" else x.data.copy(),
                    (x,), _cumsum_back, "cumsum", 0)
    ax = one_axis(axis, x.ndim, "cumsum", "axis")
    dtype = np.int64 if x.data.dtype.kind in "biu" else x.data.dtype
    return make(np.cumsum(x.data, axis=ax, dtype=dtype), (x,), _cumsum_back, "cumsum", ax)


def _cumsum_back(ax, g, out, x):  # d out_j / d x_i = [i <= j]: sum g_j over j >= i
    if g.ndim == 0:
        return (g,)
    flip = (slice(None),) * ax + (slice(None, None, -1),)
    return (_cumsum(g[flip], ax)[flip],)


def _cumsum(g: Any, ax: int) -> Any:
    return cumsum(g, ax) if isinstance(g, Tensor) else np.cumsum(g, axis=ax)
