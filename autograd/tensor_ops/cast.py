"""Dtype conversion: float to float passes the gradient back in the input's dtype."""

from __future__ import annotations

from typing import Any

from ..dtype import check_dtype
from ..tensor import Tensor, make


def astype(x: Tensor, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype``; to an integer or bool dtype it is a constant (no grad)."""
    want = check_dtype(dtype, "astype")
    data = x.data.astype(want)
    if want.kind != "f":
        return make(data, (), None, "astype")
    return make(data, (x,), _astype_back, "astype")


def _astype_back(ctx, g, out, x):
    return (g.astype(x.dtype),)
