"""``a @ b`` for 1-D, 2-D and batched operands, with NumPy's matmul rules."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, as_operand, make, promote
from ._poly import swap_last, unbroadcast

_sum_rows = np.add.reduce  # ndarray.sum without its Python-level wrapper (~0.7 µs a call)


def matmul(a: Tensor, b: Any) -> Tensor:
    """``a @ b`` as ``np.matmul``: 1-D, 2-D and batched operands, batch axes broadcast."""
    b = as_operand(b, a)
    if a.data.dtype is not b.data.dtype:  # a float operand wins over an int/bool one
        a, b = promote(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: operands must have at least 1 dimension, got {a.shape} @ {b.shape}"
        )
    try:
        data = np.matmul(a.data, b.data)
    except ValueError:
        k_a = a.shape[-1]
        k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        raise ValueError(
            f"matmul: shapes {a.shape} @ {b.shape} do not match "
            f"({k_a} columns on the left, {k_b} rows on the right)"
        ) from None
    return make(data, (a, b), _matmul_back, "@", (a.requires_grad, b.requires_grad))


def _matmul_back(needs, g, out, a, b):
    """Matrices: dA = g @ Bᵀ, dB = Aᵀ @ g. Vectors are made matrices first, then squeezed back."""
    a_shape, b_shape = a.shape, b.shape
    if len(a_shape) == 1 and len(b_shape) == 1:  # dot product
        return (g * b if needs[0] else None), (g * a if needs[1] else None)
    if len(a_shape) == 1:  # (k,) @ (..., k, n): a row vector
        a = a.reshape((1,) + a_shape)
        g = g.reshape(g.shape[:-1] + (1,) + g.shape[-1:])
    if len(b_shape) == 1:  # (..., m, k) @ (k,): a column vector
        b = b.reshape(b_shape + (1,))
        g = g.reshape(g.shape + (1,))
    ga = unbroadcast(g @ swap_last(b), a.shape).reshape(a_shape) if needs[0] else None
    gb = unbroadcast(swap_last(a) @ g, b.shape).reshape(b_shape) if needs[1] else None
    return ga, gb


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` as one node: ``nn.Linear``'s forward (PyTorch's ``F.linear``).

    ``weight`` is ``(out_features, in_features)``, ``bias`` ``(out_features,)``, ``x`` is
    ``(..., in_features)``. Same value and gradients as the three-node expression (transpose,
    matmul, add) with one node's overhead, and the weight's gradient comes out row-major like
    the weight itself (the unfused one is a transposed view).
    """
    if x.data.dtype is not weight.data.dtype:  # an int input meets float32 weights as float32
        x, weight = promote(x, weight)
    xs, ws = x.data.shape, weight.data.shape  # (the arrays' own attributes: a step calls this
    if len(ws) != 2 or not xs or xs[-1] != ws[1]:  # per layer, and properties cost ~0.1 µs each)
        raise ValueError(f"linear: input of shape {xs} does not fit a weight of shape "
                         f"{ws} (its last dimension must be {ws[-1]})")
    out = x.data @ weight.data.T
    if bias is None:
        needs = (x.requires_grad, weight.requires_grad)
        return make(out, (x, weight), _linear_back, "linear", needs)
    b = bias.data
    if b.shape != ws[:1]:
        raise ValueError(f"linear: bias of shape {b.shape} does not fit a weight of "
                         f"shape {ws} (expected ({ws[0]},))")
    if b.dtype is out.dtype or b.dtype == out.dtype:
        out += b  # the matmul's result is fresh: add in place
    else:
        out = out + b  # NumPy's type promotion decides, as for ``+``
    needs = (x.requires_grad, weight.requires_grad, bias.requires_grad)
    return make(out, (x, weight, bias), _linear_back, "linear", needs)


def _linear_back(needs, g, out, x, weight, bias=None):
    rows, x_rows = g, x
    if g.ndim != 2:  # every leading axis is a batch axis
        rows, x_rows = g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1])
    gx = g @ weight if needs[0] else None
    gw = rows.T @ x_rows if needs[1] else None
    gb = None
    if bias is not None and needs[2]:
        gb = _sum_rows(rows, axis=0) if type(rows) is np.ndarray else rows.sum(axis=0)
    return gx, gw, gb


_linear_back.fresh = True  # every gradient a new array (engine.propagate may write into them)
