"""``check_backward``: test a backward pass written by hand in NumPy.

Why: "implement the layer's backward" is the classic exercise, and NumPy libraries ship such
layers. ``check_backward(forward, backward, *arrays)`` runs ``backward(g, *arrays)`` for a random
upstream gradient ``g`` (of the output's shape) and compares each returned gradient with

- central finite differences of ``sum(g * forward(*arrays))``, always, and
- this engine's autodiff of ``forward``, when ``forward`` also works on Tensors (written with
  operators and Tensor methods); a forward in plain NumPy is only compared numerically.

The result is a ``BackwardReport``: one row per array (shape, max |difference| to the
numeric and to the autodiff gradient, the worst index, and a verdict: ``exact`` when it equals
the engine's gradient bit for bit, ``close`` within ``atol + rtol * |numeric|``, ``WRONG``
otherwise). It prints as a table (and shows as one in Jupyter). When a gradient is wrong,
``GradcheckError`` is raised naming the array, the index and both values; the report is its
``.report`` attribute. The arrays are never changed (the functions get copies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engine import grad
from .grad_mode import enable_grad, no_grad
from .gradcheck import GradcheckError, check_callable, check_tolerances

__all__ = ["check_backward", "BackwardReport", "GradientRow"]

_SEED = 0


@dataclass
class GradientRow:
    """One array's verdict: ``verdict`` is ``"exact"``, ``"close"`` or ``"WRONG"``."""

    position: int
    shape: tuple
    verdict: str
    max_abs_diff: float  # hand-written vs numeric
    worst_index: tuple
    hand: float  # the values at the worst index
    numeric: float
    autodiff_diff: float | None  # hand-written vs the engine's autodiff (None: NumPy forward)


class BackwardReport:
    """The per-gradient table of a ``check_backward`` run (``rows``, ``ok``, ``str()``)."""

    def __init__(self, rows: list[GradientRow], autodiff: bool) -> None:
        self.rows = rows
        self.autodiff = autodiff

    @property
    def ok(self) -> bool:
        return all(r.verdict != "WRONG" for r in self.rows)

    def __str__(self) -> str:
        head = ["array", "shape", "verdict", "max |hand - numeric|", "worst index",
                "max |hand - autodiff|"]
        body = [
            [str(r.position), str(r.shape), r.verdict, f"{r.max_abs_diff:.3g}", str(r.worst_index),
             "-" if r.autodiff_diff is None else f"{r.autodiff_diff:.3g}"]
            for r in self.rows
        ]
        widths = [max(len(x) for x in col) for col in zip(head, *body)]
        lines = ["  ".join(x.ljust(w) for x, w in zip(row, widths)) for row in [head, *body]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        if not self.autodiff:
            lines.append("(forward is plain NumPy: compared with finite differences only)")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        head = "| array | shape | verdict | max \\|hand − numeric\\| | worst index | " \
               "max \\|hand − autodiff\\| |\n|---|---|---|---|---|---|\n"
        return head + "\n".join(
            f"| {r.position} | {r.shape} | {r.verdict} | {r.max_abs_diff:.3g} | "
            f"{r.worst_index} | {'-' if r.autodiff_diff is None else f'{r.autodiff_diff:.3g}'} |"
            for r in self.rows
        )


def check_backward(
    forward: Callable[..., Any],
    backward: Callable[..., Any],
    *arrays: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> BackwardReport:
    """Compare a hand-written ``backward(g, *arrays)`` with finite differences and autodiff.

    ``forward(*arrays)`` returns an array; ``backward(g, *arrays)`` returns one gradient per
    array (a tuple, or a single array when there is one input). Returns the report; raises
    ``GradcheckError`` if a gradient is wrong (its ``.report`` holds the table).

    >>> import numpy as np
    >>> x, w = np.array([[1.0, 2.0]]), np.array([[0.5], [-1.0]])
    >>> report = check_backward(lambda x, w: x @ w, lambda g, x, w: (g @ w.T, x.T @ g), x, w)
    >>> [row.verdict for row in report.rows]
    ['exact', 'exact']
    """
    check_callable("check_backward", "forward", forward)
    check_callable("check_backward", "backward", backward)
    check_tolerances("check_backward", eps, atol, rtol)
    if not arrays:
        raise ValueError("check_backward: give at least one array to differentiate")
    xs = [_as_float_array(a, i) for i, a in enumerate(arrays)]
    autodiff_out, run = _forward_mode(forward, xs)
    out = run(xs)
    g = np.random.default_rng(_SEED).standard_normal(out.shape)
    hand = _hand_gradients(backward, g, xs)
    numeric = [_numeric(run, xs, i, g, eps) for i in range(len(xs))]
    engine = _autodiff(forward, xs, g) if autodiff_out else [None] * len(xs)
    rows = []
    for i, (h, n, e) in enumerate(zip(hand, numeric, engine)):
        diff = np.abs(h - n)
        excess = np.where(np.isnan(diff), np.inf, diff - (atol + rtol * np.abs(n)))
        worst = tuple(int(k) for k in np.unravel_index(int(np.argmax(excess)), h.shape)) \
            if h.ndim else ()
        close = bool(np.all(excess <= 0))
        e_diff = None if e is None else float(np.max(np.abs(h - e), initial=0.0))
        verdict = "WRONG" if not close else ("exact" if e is not None and e_diff == 0 else "close")
        rows.append(GradientRow(i, h.shape, verdict, float(np.max(diff, initial=0.0)), worst,
                                float(h[worst]), float(n[worst]), e_diff))
    report = BackwardReport(rows, autodiff_out)
    bad = next((r for r in rows if r.verdict == "WRONG"), None)
    if bad is not None:
        at = f" at index {bad.worst_index}" if bad.worst_index else ""
        error = GradcheckError(
            f"check_backward: the hand-written gradient of array {bad.position} "
            f"(shape {bad.shape}) is wrong{at}:\n"
            f"    hand-written  = {bad.hand!r}\n"
            f"    numeric       = {bad.numeric!r}\n\n{report}",
            bad.position, "", bad.worst_index, bad.hand, bad.numeric,
        )
        error.report = report
        raise error
    return report


def _as_float_array(a: Any, i: int) -> np.ndarray:
    data = a.data if hasattr(a, "_prev") else a
    try:
        arr = np.array(data, dtype=np.float64)  # a copy: the caller's array is never touched
    except (TypeError, ValueError):
        raise TypeError(f"check_backward: array {i} must be numeric, got "
                        f"{type(a).__name__}") from None
    return arr


def _forward_mode(forward: Callable, xs: list) -> tuple[bool, Callable[[list], np.ndarray]]:
    """Whether ``forward`` works on Tensors (then autodiff is compared too), and a runner that
    gives its output as a float64 ndarray."""
    from .tensor import Tensor

    try:
        with no_grad():
            out = forward(*[Tensor(x.copy()) for x in xs])
    except Exception:  # noqa: BLE001 - any failure means: a NumPy-only forward
        out = None
    if isinstance(out, Tensor):
        def run_tensor(arrays: list) -> np.ndarray:
            with no_grad():
                return np.asarray(forward(*[Tensor(a) for a in arrays]).data, np.float64)
        return True, run_tensor

    def run_numpy(arrays: list) -> np.ndarray:
        return np.asarray(forward(*[a.copy() for a in arrays]), dtype=np.float64)
    return False, run_numpy


def _hand_gradients(backward: Callable, g: np.ndarray, xs: list) -> list[np.ndarray]:
    grads = backward(g.copy(), *[x.copy() for x in xs])
    if not isinstance(grads, (tuple, list)):
        grads = (grads,)
    if len(grads) != len(xs):
        raise ValueError(f"check_backward: backward returned {len(grads)} gradients for "
                         f"{len(xs)} arrays")
    out = []
    for i, (gi, x) in enumerate(zip(grads, xs)):
        gi = np.asarray(gi, dtype=np.float64)
        if gi.shape != x.shape:
            hint = ""
            if gi.ndim > x.ndim or any(a != b for a, b in zip(gi.shape[::-1], x.shape[::-1])):
                hint = " (a sum over the batch or over broadcast axes missing?)"
            raise GradcheckError(
                f"check_backward: backward returned a gradient of shape {gi.shape} for array "
                f"{i} of shape {x.shape}{hint}", i)
        out.append(gi)
    return out


def _numeric(run: Callable, xs: list, i: int, g: np.ndarray, eps: float) -> np.ndarray:
    work = [x.copy() for x in xs]
    x = work[i]
    out = np.empty(x.shape)
    for idx in np.ndindex(*x.shape):
        saved = x[idx]
        x[idx] = saved + eps
        plus = float(np.sum(g * run(work)))
        x[idx] = saved - eps
        minus = float(np.sum(g * run(work)))
        x[idx] = saved
        out[idx] = (plus - minus) / (2 * eps)
    return out


def _autodiff(forward: Callable, xs: list, g: np.ndarray) -> list[np.ndarray]:
    from .tensor import Tensor

    leaves = [Tensor(x.copy(), requires_grad=True) for x in xs]
    with enable_grad():
        out = forward(*leaves)
        grads = grad(out, leaves, grad_outputs=g, allow_unused=True)
    return [np.zeros(x.shape) if gi is None else np.asarray(gi.data, np.float64)
            for gi, x in zip(grads, xs)]
