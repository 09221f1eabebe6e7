"""Normalization as one node: ``(x - mean) / sqrt(var + eps) * weight + bias`` over some axes.

BatchNorm (batch statistics) and LayerNorm share it. The composition of Tensor ops takes about
ten nodes; this is one, with the textbook backward

    dx = invstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dxhat = g * weight,

written with methods that ndarrays and Tensors share, so under ``create_graph=True`` the same
lines (on ``xhat`` and ``invstd`` recomputed as nodes) give gradients of every order.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor, floating, make
from ._poly import unbroadcast


def _statistics(x, axes: tuple, eps: float):
    """The centred-and-scaled input and ``1 / sqrt(var + eps)`` (biased variance)."""
    centered = x - x.mean(axis=axes, keepdims=True)
    var = (centered * centered).mean(axis=axes, keepdims=True)
    invstd = (var + eps) ** -0.5
    return centered * invstd, invstd, var


def normalize(x: Tensor, weight: Tensor | None, bias: Tensor | None, axes: tuple, eps: float,
              param_shape: tuple) -> tuple[Tensor, np.ndarray, np.ndarray]:
    """The normalized ``x`` (statistics over ``axes``), times ``weight`` plus ``bias`` (each
    reshaped to ``param_shape`` to broadcast), and the mean and biased variance it used.
    Integer and bool inputs are normalized in the default float dtype."""
    x = floating(x)
    d = x.data
    mean = d.mean(axis=axes, keepdims=True)
    centered = d - mean
    var = (centered * centered).mean(axis=axes, keepdims=True)
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
    dxhat = g * weight.reshape(param_shape) if has_weight else g
    gx = None
    if needs[0]:
        gx = invstd * (dxhat - dxhat.mean(axis=axes, keepdims=True)
                       - xhat * (dxhat * xhat).mean(axis=axes, keepdims=True))
    grads = [gx]
    if has_weight:
        grads.append(unbroadcast(g * xhat, param_shape).reshape(weight.shape)
                     if needs[1] else None)
    if has_bias:
        grads.append(unbroadcast(g, param_shape).reshape(params[-1].shape)
                     if needs[-1] else None)
    return tuple(grads)
