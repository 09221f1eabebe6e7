"""Argument checks for ``nn``'s entry points: one message shape everywhere.

Each error names who was called, the argument, the expected kind and what was given
(``"Linear: in_features must be an int >= 0, got float 2.5"``), and is raised before anything
changes. NumPy integer and float scalars count as the Python numbers they stand for; bools are
not numbers here.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import numpy as np

from autograd import Tensor, Value

_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def any_outside(indices: np.ndarray, n: int) -> bool:
    """Whether an integer array holds an index outside ``[0, n)``, in one reduction: seen as
    unsigned, a negative index is huge (``min()`` and ``max()`` would be two, each behind a
    Python wrapper of about 0.7 µs)."""
    return bool(indices.size) and bool(
        np.maximum.reduce(indices.view(_UNSIGNED[indices.itemsize]), axis=None) >= n)


def _got(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def check_int(who: str, name: str, value: Any, minimum: int | None = None) -> int:
    """``value`` as an int; TypeError unless an integer, ValueError if below ``minimum``."""
    kind = {None: "an int", 0: "a non-negative int", 1: "a positive int"}.get(
        minimum, f"an int >= {minimum}")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"{who}: {name} must be {kind}, got {_got(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{who}: {name} must be {kind}, got {value!r}")
    return int(value)


def check_real(
    who: str, name: str, value: Any, low: float | None = None, high: float | None = None
) -> float:
    """``value`` as a float; TypeError unless a real number, ValueError unless finite and in
    ``[low, high]`` (either bound optional)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{who}: {name} must be a number, got {_got(value)}")
    x = float(value)
    if not math.isfinite(x) or (low is not None and x < low) or (high is not None and x > high):
        bounds = {(True, True): f" in [{low}, {high}]", (True, False): f" >= {low}",
                  (False, True): f" <= {high}", (False, False): ""}[low is not None,
                                                                    high is not None]
        raise ValueError(f"{who}: {name} must be a finite number{bounds}, got {value!r}")
    return x


def check_bool(who: str, name: str, value: Any) -> bool:
    """``value`` as a bool; TypeError for anything else (``1`` is not a flag here)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{who}: {name} must be a bool, got {_got(value)}")
    return bool(value)


def check_node(who: str, x: Any, values: bool = True) -> None:
    """TypeError unless ``x`` is a Tensor (or a Value, when ``values``)."""
    kinds = (Tensor, Value) if values else (Tensor,)
    if not isinstance(x, kinds):
        expected = "a Tensor or a Value" if values else "a Tensor"
        hint = "; wrap arrays and lists in autograd.Tensor(...)" if isinstance(
            x, (list, tuple, np.ndarray)) else ""
        raise TypeError(f"{who} expects {expected}, got {type(x).__name__}{hint}")


def check_generator(who: str, generator: Any) -> None:
    """TypeError unless ``generator`` is None or a random generator (anything drawing like a
    ``numpy.random.Generator``: ``random``, ``uniform`` and ``normal`` methods)."""
    if generator is not None and not all(
        callable(getattr(generator, m, None)) for m in ("random", "uniform", "normal")
    ):
        raise TypeError(
            f"{who}: generator must be a numpy.random.Generator or None, got {_got(generator)}"
        )
