"""``pick``: gather elements by flat index, and its adjoint ``put_add``, for max pooling and
embeddings.

A gather's gradient is a scatter-add: repeated indices (an embedding row used twice,
overlapping pooling windows) accumulate, with ``np.add.at`` (NumPy 2's is fast: as fast as
``np.bincount`` on a makemore batch, twice as fast on a CNN's pooling gradient, and it keeps
float32). Each op is the other's backward, so gradients of every order work.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, make
from ._poly import where


def pick(x: Tensor, flat: np.ndarray) -> Tensor:
    """``x.ravel()[flat]``: gathers elements by flat index; the gradient adds back (repeats too)."""
    return make(x.data.reshape(-1)[flat], (x,), _pick_back, "pick", (flat, x.shape))


def picked(x: Tensor, values: np.ndarray, flat: np.ndarray, keep: np.ndarray | None = None,
           ) -> Tensor:
    """``pick(x, flat)`` when its values ``x.ravel()[flat]`` are already at hand (max pooling
    finds them while it looks for the maxima). ``keep`` (a boolean mask of ``values``' shape):
    only the kept results pass their gradient on (a pooling window of padding alone picked
    nothing; its ``flat`` entry is a placeholder)."""
    if keep is None:
        return make(values, (x,), _pick_back, "pick", (flat, x.shape))
    return make(values, (x,), _pick_kept_back, "pick", (flat, x.shape, keep))


def _pick_back(ctx, g, out, x):
    return (put_add(g, ctx[0], ctx[1]),)


def _pick_kept_back(ctx, g, out, x):
    flat, shape, keep = ctx
    return (put_add(where(keep, g, 0.0), flat, shape),)  # (a differentiable select on Tensors)


def put_add(g: Any, flat: np.ndarray, shape: tuple) -> Any:
    """Zeros of ``shape`` with ``g`` added at the flat indices: ``pick``'s adjoint."""
    if isinstance(g, Tensor):
        return make(_put_add(g.data, flat, shape), (g,), _put_add_back, "put_add", flat)
    return _put_add(g, flat, shape)


def _put_add(g: np.ndarray, flat: np.ndarray, shape: tuple) -> np.ndarray:
    summed = np.zeros(int(np.prod(shape)), dtype=g.dtype)
    np.add.at(summed, flat.reshape(-1), g.reshape(-1))
    return summed.reshape(shape)


def _put_add_back(flat, h, out, g):
    return (pick(h, flat) if isinstance(h, Tensor) else h.reshape(-1)[flat],)
