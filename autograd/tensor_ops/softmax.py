"""``softmax``, ``log_softmax``, ``logsumexp`` and fused cross-entropy, each one stable node.

Every one subtracts the max before ``exp``, so nothing overflows (exact at logits of ±1e4),
and writes its backward with its own output, so the backward is differentiable again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, floating, make
from ._poly import exp
from .reduce import _spread, normalize_axes
from .shape import one_axis


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``: probabilities that sum to 1 (the max is
    subtracted first, so exp never overflows).

    >>> from autograd import Tensor
    >>> Tensor([[0.0, 0.0], [1000.0, 0.0]]).softmax(axis=1)
    Tensor([[0.5, 0.5],
            [1. , 0. ]])
    """
    x = floating(x)
    d = x.data
    if d.ndim == 0:
        raise ValueError("softmax needs at least one dimension, got a 0-d Tensor")
    axis = one_axis(axis, d.ndim, "softmax", "axis")
    e = np.exp(d - _row_max(d, axis))
    e /= e.sum(axis=axis, keepdims=True)
    return make(e, (x,), _softmax_back, "softmax", axis)


def _row_max(d: np.ndarray, axis: int) -> Any:
    """The max along ``axis`` to subtract before ``exp``; 0 for an empty Tensor (its result is
    empty too, as in PyTorch: a max over an empty axis would raise)."""
    return d.max(axis=axis, keepdims=True) if d.size else 0


def _softmax_back(axis, g, out, x):  # d out_i / d x_j = out_i ([i == j] - out_j)
    return (out * (g - (g * out).sum(axis=axis, keepdims=True)),)


def logsumexp(x: Tensor, axis: Any, keepdims: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``axis`` (an int, a tuple or None for all), computed as
    ``m + log(sum(exp(x - m)))`` with ``m`` the max: no overflow. Its gradient is the softmax.

    >>> from autograd import Tensor
    >>> round(Tensor([1000.0, 1000.0]).logsumexp(axis=0).item() - 1000.0, 3)  # log 2
    0.693
    """
    x = floating(x)
    axes = normalize_axes(axis, x.ndim, "logsumexp")
    d = x.data
    if any(d.shape[a] == 0 for a in axes):
        raise ValueError(f"logsumexp over an empty axis (shape {d.shape})")
    m = d.max(axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)  # all -inf (or an inf): no shift, the log says it
    with np.errstate(divide="ignore"):
        out = np.log(np.exp(d - m).sum(axis=axes, keepdims=True)) + m
    if not keepdims:
        out = out.reshape(tuple(n for i, n in enumerate(d.shape) if i not in axes))
    return make(out.astype(d.dtype, copy=False), (x,), _logsumexp_back, "logsumexp",
                (axes, keepdims))


def _logsumexp_back(ctx, g, out, x):  # the softmax of x over the axes, times g
    axes, keepdims = ctx
    with np.errstate(invalid="ignore"):
        return (_spread(g, x.shape, axes, keepdims) * exp(x - _spread(out, x.shape, axes,
                                                                      keepdims)),)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``x - log(sum(exp(x)))`` along ``axis``; the max is subtracted first, so exp never
    overflows (exact at logits of ±1e4). One node instead of the six of the composition."""
    x = floating(x)
    d = x.data
    if d.ndim == 0:
        raise ValueError("log_softmax needs at least one dimension, got a 0-d Tensor")
    axis = one_axis(axis, d.ndim, "log_softmax", "axis")
    z = d - _row_max(d, axis)
    if z.size:
        z -= np.log(np.exp(z).sum(axis=axis, keepdims=True))
    return make(z, (x,), _log_softmax_back, "log_softmax", axis)


def _log_softmax_back(axis, g, out, x):  # d out_i / d x_j = [i == j] - softmax_j
    return (g - exp(out) * g.sum(axis=axis, keepdims=True),)


def cross_entropy(logits: Tensor, labels: np.ndarray, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy ``log(sum(exp(x))) - x[label]`` as one node, for ``(N, C)`` logits
    and ``(N,)`` labels (or ``(C,)`` and one label), reduced by ``"mean"``, ``"sum"`` or
    ``"none"``. The labels must already be valid class indices (``nn.functional.cross_entropy``
    checks them). Its gradient is ``softmax(x) - onehot(label)``: no row sums, no scatter.
    """
    if logits.data.dtype.kind != "f":
        logits = floating(logits)
    d = logits.data
    z = d - _max(d, axis=-1, keepdims=True)  # stable: exp never overflows
    e = np.exp(z)
    total = _add(e, axis=-1, keepdims=True)
    # each row's label as one index into the flattened array (2-4x quicker than z[rows, labels])
    flat = labels + np.arange(0, d.size, d.shape[-1] or 1) if d.ndim == 2 else labels
    losses = np.log(total)[..., 0] - z.reshape(-1)[flat]
    if reduction == "none":
        out = losses
    else:  # sum, then scale: ndarray.mean's Python-level bookkeeping costs more at small N
        out = _add(losses)
        if reduction == "mean":
            out = out / losses.size
    ctx = (flat, reduction, e, total)  # softmax = e / total, divided only if backward runs
    return make(np.asarray(out), (logits,), _cross_entropy_back, "cross_entropy", ctx)


_max, _add = np.maximum.reduce, np.add.reduce  # ndarray.max/sum without their Python wrappers


def _cross_entropy_back(ctx, g, out, logits):
    flat, reduction, e, total = ctx  # flat: each row's label as an index into e.reshape(-1)
    if reduction == "mean":
        g = g / (len(e) if e.ndim == 2 else 1)
    elif reduction == "none" and e.ndim == 2:
        g = g.reshape(-1, 1)  # one loss per row
    if isinstance(logits, Tensor):  # create_graph: the softmax again, as a differentiable node
        onehot = np.zeros(e.shape, dtype=out.dtype)
        onehot.reshape(-1)[flat] = 1
        return ((exp(log_softmax(logits)) - onehot) * g,)
    if reduction == "none":
        grad = e / total  # (softmax - onehot) * g, without making the onehot
        grad.reshape(-1)[flat] -= 1
        grad *= g
        return (grad,)
    scale = g / total  # one scalar g: scale the row sums, not the whole array
    grad = np.multiply(e, scale, dtype=e.dtype)  # (the logits' dtype, whatever g's)
    grad.reshape(-1)[flat] -= g
    return (grad,)


_cross_entropy_back.fresh = True  # a new array (engine.propagate may write into it)
