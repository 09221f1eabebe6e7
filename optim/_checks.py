"""Hyper-parameter checks shared by the optimizers: PyTorch's messages, plus the name to fix."""

from __future__ import annotations

from numbers import Real
from typing import Any


def check_number(name: str, value: Any) -> None:
    """TypeError naming ``name`` unless ``value`` is a real number (bools are not numbers here)."""
    if not isinstance(value, Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")


def check_non_negative(name: str, value: Any, what: str) -> None:
    """ValueError naming the bad value unless ``value >= 0`` (NaN fails too)."""
    check_number(name, value)
    if not value >= 0.0:
        raise ValueError(f"Invalid {what}: {value!r} ({name} must be >= 0)")


def check_betas(betas: Any) -> None:
    """ValueError unless ``betas`` is a pair of numbers in [0, 1), as Adam needs."""
    try:
        pair = tuple(betas)
    except TypeError:
        pair = ()
    if len(pair) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    for i, beta in enumerate(pair):
        check_number(f"betas[{i}]", beta)
        if not 0.0 <= beta < 1.0:
            raise ValueError(
                f"Invalid beta parameter at index {i}: {beta!r} (betas[{i}] must be in [0, 1))"
            )
