"""Normalization as one node: ``(x - mean) / sqrt(var + eps) * weight + bias`` over some axes.

BatchNorm (batch statistics) and LayerNorm share it. The composition of Tensor ops takes about
ten nodes; this is one, with the textbook backward

    dx = invstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dxhat = g * weight,

(for BatchNorm, whose weight is per channel, in the form that reuses the weight's and bias's
gradient sums: ``invstd * weight * (g - sum(g) / n - xhat * sum(g * xhat) / n)``), written
with methods that ndarrays and Tensors share, so under ``create_graph=True`` the same
lines (on ``xhat`` and ``invstd`` recomputed as nodes) give gradients of every order.
"""

from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor, floating, make
from ._poly import unbroadcast


def _mean(a, axes: tuple):
    """``a.mean(axis=axes, keepdims=True)``, for ndarrays and Tensors alike.

    For float32 and float64 arrays it makes NumPy's own two calls directly (the sum, then the
    division by the count; the same bits: a quotient rounded once from float64 is the float32
    one): ``ndarray.mean``'s Python wrapper costs about 2 µs, and a normalization step takes
    two to four means. float16 keeps ``mean`` (which sums it in float32).
    """
    if type(a) is np.ndarray and a.dtype.kind == "f" and a.dtype.itemsize >= 4:
        total = np.add.reduce(a, axis=axes, keepdims=True)
        return np.true_divide(total, _count(a.shape, axes), out=total)
    return a.mean(axis=axes, keepdims=True)


def _count(shape: tuple, axes: tuple) -> int:
    """How many elements each statistic averages: the product of the sizes along ``axes``."""
    return math.prod(shape[axis] for axis in axes)


def _statistics(x, axes: tuple, eps: float):
    """The centred-and-scaled input and ``1 / sqrt(var + eps)`` (biased variance)."""
    centered = x - _mean(x, axes)
    var = _mean(centered * centered, axes)
    invstd = (var + eps) ** -0.5
    return centered * invstd, invstd, var


def normalize(x: Tensor, weight: Tensor | None, bias: Tensor | None, axes: tuple, eps: float,
              param_shape: tuple) -> tuple[Tensor, np.ndarray, np.ndarray]:
    """The normalized ``x`` (statistics over ``axes``), times ``weight`` plus ``bias`` (each
    reshaped to ``param_shape`` to broadcast), and the mean and biased variance it used.
    Integer and bool inputs are normalized in the default float dtype."""
    x = floating(x)
    d = x.data
    mean = _mean(d, axes)
    centered = d - mean
    var = _mean(centered * centered, axes)
    invstd = 1.0 / np.sqrt(var + eps)
    xhat = centered * invstd
    out = xhat * weight.data.reshape(param_shape) if weight is not None else xhat
    if bias is not None:
        out = out + bias.data.reshape(param_shape)
    prev = (x,) + tuple(p for p in (weight, bias) if p is not None)
    ctx = (axes, eps, param_shape, weight is not None, bias is not None, xhat, invstd,
           tuple(p.requires_grad for p in prev))
    return make(out, prev, _normalize_back, "normalize", ctx), mean, var


def _normalize_back(ctx, g, out, x, *params):
    axes, eps, param_shape, has_weight, has_bias, xhat, invstd, needs = ctx
    weight = params[0] if has_weight else None
    if isinstance(g, Tensor) or isinstance(x, Tensor):  # create_graph: the statistics as nodes
        xhat, invstd, _ = _statistics(x, axes, eps)
    scale = weight.reshape(param_shape) if has_weight else None
    g_xhat = g * xhat
    aligned = (1,) * (len(g.shape) - len(param_shape)) + tuple(param_shape)  # (broadcasting's)
    if {axis for axis, size in enumerate(aligned) if size == 1} == set(axes):  # BatchNorm
        # weight and bias vary exactly along the axes the statistics keep (channels), so
        # mean(dxhat) and mean(dxhat xhat) are weight times the sums that make the bias's and
        # the weight's gradients, over n: dx = invstd weight (g - sum(g) / n
        # - xhat sum(g xhat) / n), notebook 10's formula: two full-array passes fewer
        g_sum, g_xhat_sum = g.sum(axis=axes, keepdims=True), g_xhat.sum(axis=axes, keepdims=True)
        gx = None
        if needs[0]:
            n = _count(x.shape, axes)
            scale = invstd * scale if has_weight else invstd
            gx = scale * (g - g_sum / n - xhat * (g_xhat_sum / n))
        grads = [gx]
        if has_weight:
            grads.append(g_xhat_sum.reshape(weight.shape) if needs[1] else None)
        if has_bias:
            grads.append(g_sum.reshape(params[-1].shape) if needs[-1] else None)
        return tuple(grads)
    dxhat = g * scale if has_weight else g  # LayerNorm: weight varies along the axes
    gx = None
    if needs[0]:
        gx = invstd * (dxhat - _mean(dxhat, axes) - xhat * _mean(dxhat * xhat, axes))
    grads = [gx]
    if has_weight:
        grads.append(unbroadcast(g_xhat, param_shape).reshape(weight.shape)
                     if needs[1] else None)
    if has_bias:
        grads.append(unbroadcast(g, param_shape).reshape(params[-1].shape)
                     if needs[-1] else None)
    return tuple(grads)
