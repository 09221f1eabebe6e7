"""Helpers that work on ndarrays (fast backward) and Tensors (differentiable backward) alike.

Backward functions are written once with these, so the same lines compute raw gradients
normally and record a differentiable graph under ``grad(..., create_graph=True)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from ._select import select


def data_of(x: Any) -> np.ndarray:
    """The ndarray behind a Tensor, or the array itself (masks are always constants)."""
    return x.data if isinstance(x, Tensor) else x


def unbroadcast(g: Any, shape: tuple) -> Any:
    """Sum ``g`` over the axes that broadcasting added or stretched, so it has ``shape``."""
    if g.shape == shape:
        return g
    extra = len(g.shape) - len(shape)
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and g.shape[i + extra] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def broadcast_to(x: Any, shape: tuple) -> Any:
    if isinstance(x, Tensor):
        return x.broadcast_to(shape)
    return np.broadcast_to(x, shape)


def swap_last(x: Any) -> Any:
    """Swap the last two axes (the matrix transpose of a batch)."""
    if isinstance(x, Tensor):
        axes = list(range(x.ndim))
        axes[-1], axes[-2] = axes[-2], axes[-1]
        return x.transpose(*axes)
    return x.swapaxes(-1, -2)


def exp(x: Any) -> Any:
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def log(x: Any) -> Any:
    """log, where a base <= 0 gives -inf/nan quietly (only the pow exponent's slope uses it)."""
    if isinstance(x, Tensor):
        return x.log()
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


def sin(x: Any) -> Any:
    return x.sin() if isinstance(x, Tensor) else np.sin(x)


def cos(x: Any) -> Any:
    return x.cos() if isinstance(x, Tensor) else np.cos(x)


def where(mask: np.ndarray, a: Any, b: Any) -> Any:
    """Elementwise choice with a constant mask: a select, so what is not chosen (an inf or nan
    gradient where a slope is 0) never leaks into the result, as a multiply by 0 would."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        from .combine import where as tensor_where

        return tensor_where(mask, a, b)
    return select(mask, a, b)  # np.where's result, without its branches (see _select)


def broadcast_error(op: str, a: Tensor, b: Tensor) -> ValueError:
    """The error for two operands whose shapes do not broadcast, naming both shapes."""
    return ValueError(f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together")
