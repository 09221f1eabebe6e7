"""``pad`` with PyTorch's ``F.pad`` convention: ``(left, right)`` pairs, the last dim first.

Constant padding writes ``x`` into a filled array, and its backward slices ``x``'s part back
out. The other modes (reflect, replicate, circular) are indexing with one index array per
axis, so their backward is the indexing backward: border positions that were copied several
times add up their gradients.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, make
from .shape import _getitem_back

_NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _pairs(pad: Any, ndim: int) -> list[tuple[int, int]]:
    """``(left, right)`` per axis, first axis first, from PyTorch's last-dim-first tuple."""
    if not isinstance(pad, (tuple, list)) or len(pad) % 2 or not all(
            isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in pad):
        raise TypeError(f"pad: pad must be a tuple of ints of even length, got {pad!r}")
    if len(pad) // 2 > ndim:
        raise ValueError(f"pad: {len(pad) // 2} (left, right) pairs for a Tensor of {ndim} dims")
    pairs = [(0, 0)] * (ndim - len(pad) // 2)
    pairs += [(int(pad[i]), int(pad[i + 1])) for i in range(len(pad) - 2, -1, -2)]
    return pairs


def pad(x: Tensor, pad: Any, mode: str = "constant", value: float = 0) -> Tensor:
    """``x`` padded as PyTorch's ``F.pad``: ``pad=(left, right)`` pads the last dim,
    ``(left, right, top, bottom)`` the last two, and so on. ``mode`` is ``"constant"``
    (with ``value``; a negative pad crops), ``"reflect"``, ``"replicate"`` or ``"circular"``.

    >>> from autograd import Tensor, pad
    >>> pad(Tensor([[1, 2], [3, 4]]), (1, 0, 0, 1))
    Tensor([[0, 1, 2],
            [0, 3, 4],
            [0, 0, 0]])
    >>> pad(Tensor([1.0, 2.0, 3.0]), (2, 1), mode="reflect")
    Tensor([3., 2., 1., 2., 3., 2.])
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"pad: x must be a Tensor, got {type(x).__name__}")
    pairs = _pairs(pad, x.ndim)
    if mode == "constant":
        if any(p < 0 for pair in pairs for p in pair):  # a negative pad crops first
            for d, ((lo, hi), n) in enumerate(zip(pairs, x.shape)):
                if n - max(-lo, 0) - max(-hi, 0) < 0:  # (as PyTorch: cropping to 0 is fine)
                    raise ValueError(f"pad: cropping ({lo}, {hi}) from dim {d} of size {n} "
                                     "leaves a negative size")
            crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in
                         zip(pairs, x.shape))
            x = x[crop]
            pairs = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
        return _constant_pad(x, pairs, value)
    if mode not in _NUMPY_MODES:
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', "
                         f"got {mode!r}")
    coords = []
    for d, ((lo, hi), n) in enumerate(zip(pairs, x.shape)):
        if lo < 0 or hi < 0:
            raise ValueError(f"pad: negative padding {pad} needs mode='constant'")
        if (lo or hi) and n == 0:
            raise ValueError(f"pad: {mode} padding of ({lo}, {hi}) on dim {d} needs a "
                             "non-empty dim, got size 0")
        # PyTorch's limits: reflect < size, circular wraps at most once, replicate any amount
        limit = {"reflect": n - 1, "circular": n}.get(mode)
        if limit is not None and max(lo, hi) > limit:
            raise ValueError(f"pad: {mode} padding of ({lo}, {hi}) on dim {d} of size {n} "
                             f"must be at most {limit}")
        src = np.pad(np.arange(n), (lo, hi), mode=_NUMPY_MODES[mode])  # where each cell reads
        coords.append(src.reshape((-1,) + (1,) * (x.ndim - d - 1)))
    coords = tuple(coords)
    return make(x.data[coords], (x,), _getitem_back, f"pad_{mode}", (coords, False, x.shape))


def _constant_pad(x: Tensor, pairs: list, value: float) -> Tensor:
    inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(pairs, x.shape))
    shape = tuple(lo + n + hi for (lo, hi), n in zip(pairs, x.shape))
    out = np.full(shape, value, dtype=x.data.dtype)
    out[inner] = x.data
    return make(out, (x,), _constant_pad_back, "pad", inner)


def _constant_pad_back(inner, g, out, x):
    return (g[inner],)
