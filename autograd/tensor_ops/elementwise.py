"""Elementwise functions: each forward next to its backward, ``input grad = g * f'(x)``.

Out-of-domain inputs follow NumPy (and PyTorch): ``log(-1)`` is nan with a RuntimeWarning.
Where a slope is 0 (relu below 0, clip outside its bounds, abs at 0) the backward *selects* 0
rather than multiplying by a 0/1 mask, so an infinite or nan upstream gradient gives 0 there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, make
from . import _poly
from ._poly import data_of, where
from ._select import keep_where, select


def exp(x: Tensor) -> Tensor:
    """e^x, elementwise."""
    return make(np.exp(x.data), (x,), _exp_back, "exp")


def _exp_back(ctx, g, out, x):
    return (g * out,)


def log(x: Tensor) -> Tensor:
    """Natural log, elementwise (log of x <= 0 is -inf/nan, as NumPy)."""
    return make(np.log(x.data), (x,), _log_back, "log")


def _log_back(ctx, g, out, x):
    return (g / x,)


def sqrt(x: Tensor) -> Tensor:
    """Square root, elementwise."""
    return make(np.sqrt(x.data), (x,), _sqrt_back, "sqrt")


def _sqrt_back(ctx, g, out, x):
    with np.errstate(divide="ignore"):  # the slope at 0 is inf
        return (g * 0.5 / out,)


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent, elementwise."""
    return make(np.tanh(x.data), (x,), _tanh_back, "tanh")


def _tanh_back(ctx, g, out, x):
    return (g * (1 - out * out),)


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x), computed from e^-|x| so it never overflows."""
    d = x.data
    e = np.exp(-np.abs(d))
    out = select(d >= 0, 1 / (1 + e), e / (1 + e)).astype(d.dtype, copy=False)
    return make(out, (x,), _sigmoid_back, "sigmoid")


def _sigmoid_back(ctx, g, out, x):
    return (g * out * (1 - out),)


def relu(x: Tensor) -> Tensor:
    """max(x, 0), elementwise; slope 0 at x = 0."""
    d = x.data
    zero = _ZEROS.get(d.dtype, 0)  # floats: a 0-d zero of their dtype, no Python 0 to convert
    return make(np.maximum(d, zero), (x,), _relu_back, "ReLU")


_ZEROS = {np.dtype(t): np.zeros((), t) for t in (np.float16, np.float32, np.float64)}
for _zero in _ZEROS.values():
    _zero.flags.writeable = False


def _relu_back(ctx, g, out, x):  # slope 0 at x <= 0; a nan input passes g on (PyTorch)
    if isinstance(g, Tensor):  # create_graph: a differentiable select
        return (where(data_of(x) <= 0, 0.0, g),)
    return (keep_where(np.not_equal(out, _ZEROS.get(out.dtype, 0)), g, np.empty_like(g)),)


def _relu_back_into(ctx, g, out, x):  # the engine lets it overwrite g (see engine.propagate)
    return (keep_where(np.not_equal(out, _ZEROS.get(out.dtype, 0)), g, g),)


# Both are selects, not ``g * (x > 0)``: an infinite or nan ``g`` gives 0 where x <= 0, not nan.
# ``out`` (relu's output) is ±0 exactly where x <= 0 and nan where x is: a nan input passes g on.
_relu_back.fresh = True  # returns a new array (engine.propagate may add into it)
_relu_back.into = _relu_back_into


def _number(x: Any, op: str, name: str) -> float:
    """``x`` as a float if it is a real number (NumPy scalars too); a TypeError naming it if not."""
    if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool):
        return float(x)
    raise TypeError(f"{op}: {name} must be a number, got {type(x).__name__}: {x!r}")


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, ``negative_slope * x`` otherwise."""
    s = _number(negative_slope, "leaky_relu", "negative_slope")
    return make(select(x.data > 0, x.data, x.data * s), (x,), _leaky_relu_back, "LeakyReLU", s)


def _leaky_relu_back(slope, g, out, x):
    return (where(data_of(x) > 0, g, g * slope if slope else 0.0),)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, ``alpha * (e^x - 1)`` otherwise."""
    a, d = _number(alpha, "elu", "alpha"), x.data
    out = select(d > 0, d, a * np.expm1(np.minimum(d, 0))).astype(d.dtype, copy=False)
    return make(out, (x,), _elu_back, "ELU", a)


def _elu_back(alpha, g, out, x):  # slope 1 for x > 0, alpha * e^x = out + alpha below
    return (g * where(data_of(x) > 0, 1.0, out + alpha),)


def sin(x: Tensor) -> Tensor:
    """Sine, elementwise."""
    return make(np.sin(x.data), (x,), _sin_back, "sin")


def _sin_back(ctx, g, out, x):
    return (g * _poly.cos(x),)  # _poly's: this module's own cos/sin take Tensors only


def cos(x: Tensor) -> Tensor:
    """Cosine, elementwise."""
    return make(np.cos(x.data), (x,), _cos_back, "cos")


def _cos_back(ctx, g, out, x):
    return (-g * _poly.sin(x),)


def abs(x: Tensor) -> Tensor:
    """|x|, elementwise; slope 0 at x = 0."""
    return make(np.abs(x.data), (x,), _abs_back, "abs")


def _abs_back(ctx, g, out, x):
    d = data_of(x)
    with np.errstate(invalid="ignore"):  # inf * sign 0 happens only where the select drops it
        return (where(d == 0, 0.0, g * np.sign(d)),)  # slope 0 at 0, as PyTorch; nan at nan


def clip(x: Tensor, lo: float | None = None, hi: float | None = None) -> Tensor:
    """Limit values to [lo, hi] (either may be None); the gradient passes where lo <= x <= hi."""
    if lo is None and hi is None:
        raise ValueError("clip: give lo, hi or both")
    for name, bound in (("lo", lo), ("hi", hi)):
        if bound is not None:
            _number(bound, "clip", name)
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"clip: lo={lo} is greater than hi={hi}")
    return make(np.clip(x.data, lo, hi), (x,), _clip_back, "clip", (lo, hi))


def _clip_back(bounds, g, out, x):
    lo, hi = bounds
    d = data_of(x)
    inside = np.ones(d.shape, bool)
    if lo is not None:
        inside &= d >= lo
    if hi is not None:
        inside &= d <= hi
    return (where(inside, g, 0.0),)
