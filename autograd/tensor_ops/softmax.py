"""``log_softmax`` as one node: the heart of cross-entropy, stable and cheap to differentiate."""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor, make
from ._poly import exp


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``x - log(sum(exp(x)))`` along ``axis``; the max is subtracted first, so exp never
    overflows (exact at logits of ±1e4). One node instead of the six of the composition."""
    d = x.data
    if d.ndim == 0:
        raise ValueError("log_softmax needs at least one dimension, got a 0-d Tensor")
    z = d - d.max(axis=axis, keepdims=True)
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
    d = logits.data
    z = d - d.max(axis=-1, keepdims=True)  # stable: exp never overflows
    e = np.exp(z)
    total = e.sum(axis=-1, keepdims=True)
    at_label = (np.arange(len(d)), labels) if d.ndim == 2 else (labels,)
    losses = np.log(total)[..., 0] - z[at_label]
    if reduction == "none":
        out = losses
    else:  # sum, then scale: ndarray.mean's Python-level bookkeeping costs more at small N
        out = losses.sum()
        if reduction == "mean":
            out = out / losses.size
    e /= total  # the softmax, kept for the backward
    ctx = (at_label, reduction, e)
    return make(np.asarray(out), (logits,), _cross_entropy_back, "cross_entropy", ctx)


def _cross_entropy_back(ctx, g, out, logits):
    at_label, reduction, probs = ctx
    if isinstance(logits, Tensor):  # create_graph: the softmax again, as a differentiable node
        probs = exp(log_softmax(logits))
    onehot = np.zeros(probs.shape, dtype=out.dtype)
    onehot[at_label] = 1
    if reduction == "mean":
        g = g / (len(probs) if probs.ndim == 2 else 1)
    elif reduction == "none" and probs.ndim == 2:
        g = g.reshape(-1, 1)  # one loss per row
    return ((probs - onehot) * g,)


_cross_entropy_back.fresh = True  # a new array (engine.propagate may write into it)
