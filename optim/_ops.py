"""In-place array operations shared by the update rules, written as PyTorch evaluates them."""

from __future__ import annotations

import numpy as np


def lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start += weight * (end - start)`` in place: PyTorch's ``lerp_`` (an exponential average).

    PyTorch switches to ``end - (end - start) * (1 - weight)`` for weights of 0.5 or more, which
    is more accurate there; we do the same so the trajectories agree.
    """
    diff = np.subtract(end, start, dtype=start.dtype)
    if abs(weight) < 0.5:
        diff *= weight
        start += diff
    else:
        diff *= 1.0 - weight
        np.subtract(end, diff, out=start, casting="same_kind")


def add_product_(target: np.ndarray, scale: float, a: np.ndarray, b: np.ndarray) -> None:
    """``target += scale * a * b`` in place (PyTorch's ``addcmul_``), with one temporary."""
    tmp = np.multiply(a, scale, dtype=target.dtype)
    tmp *= b
    target += tmp


def add_quotient_(target: np.ndarray, scale: float, a: np.ndarray, b: np.ndarray) -> None:
    """``target += scale * a / b`` in place (PyTorch's ``addcdiv_``), with one temporary."""
    tmp = np.multiply(a, scale, dtype=target.dtype)
    tmp /= b
    target += tmp
