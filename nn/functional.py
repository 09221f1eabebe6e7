"""Activations and losses as functions, with PyTorch's names (``torch.nn.functional``).

Everything is built from ``Tensor`` (or ``Value``) ops, so gradients, ``grad(...,
create_graph=True)`` and ``gradcheck`` work through them with no extra backward code. Three
hot spots use fused one-node ops from ``autograd.tensor_ops`` (``linear``, ``log_softmax``,
``cross_entropy``), which support the same.

Losses take ``reduction="mean"`` (average over elements), ``"sum"`` or ``"none"`` (one loss per
element). ``input`` and ``target`` must have the same shape (no silent broadcasting: a
``(N, 1)`` prediction against an ``(N,)`` target is the classic bug). ``mse_loss``, ``l1_loss``,
``hinge_loss``, ``binary_cross_entropy`` and ``binary_cross_entropy_with_logits`` also take a
``Value`` or a list of Values with a number or list of targets, micrograd style, and return a
``Value`` (a list with ``reduction="none"``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real
from typing import Any

import numpy as np

from autograd import Tensor, Value
from autograd.tensor import floating, make, promote
from autograd.tensor_ops.matmul import linear  # noqa: F401  (F.linear, as in PyTorch)
from autograd.tensor_ops.softmax import cross_entropy as fused_cross_entropy
from autograd.tensor_ops.softmax import log_softmax as fused_log_softmax
from autograd.value import _node as _value_node

from . import rng
from ._checks import (
    any_outside,
    check_bool,
    check_generator,
    check_int,
    check_node,
    check_real,
)

Node = Value | Tensor
Loss = Value | Tensor | list

_REDUCTIONS = ("mean", "sum", "none")
_LOG_FLOOR = -100.0  # binary_cross_entropy clamps log(p) here, as PyTorch does
_EXP_LOG_FLOOR = math.exp(_LOG_FLOOR)
_BCE_EPS = 1e-12  # PyTorch's bound on BCE's gradient denominator p (1 - p)


# --------------------------------------------------------------------------------- activations


def relu(x: Node) -> Node:
    """max(x, 0)."""
    check_node("relu", x)
    return x.relu()


def tanh(x: Node) -> Node:
    """Hyperbolic tangent."""
    check_node("tanh", x)
    return x.tanh()


def sigmoid(x: Node) -> Node:
    """1 / (1 + e^-x), stable for large |x|."""
    check_node("sigmoid", x)
    return x.sigmoid()


def leaky_relu(x: Node, negative_slope: float = 0.01) -> Node:
    """x for x > 0, ``negative_slope * x`` otherwise."""
    check_node("leaky_relu", x)
    return x.leaky_relu(check_real("leaky_relu", "negative_slope", negative_slope))


def elu(x: Node, alpha: float = 1.0) -> Node:
    """x for x > 0, ``alpha * (e^x - 1)`` otherwise."""
    check_node("elu", x)
    return x.elu(check_real("elu", "alpha", alpha))


def _axis(axis: int, dim: int | None) -> int:
    return axis if dim is None else dim  # ``dim=`` accepted for PyTorch habits


def softmax(x: Tensor, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """e^x / sum(e^x) along ``axis``; the max is subtracted first so e^x never overflows.

    The shift is a constant (softmax(x - c) = softmax(x) for any c), so it adds no graph.
    """
    check_node("softmax", x, values=False)
    axis = check_int("softmax", "axis", _axis(axis, dim))
    x = floating(x)  # integer and bool Tensors: the default float dtype
    e = (x - np.max(x.data, axis=axis, keepdims=True)).exp()
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x: Tensor, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """x - log(sum(e^x)) along ``axis`` (log-sum-exp with the max subtracted: stable at ±1e4)."""
    check_node("log_softmax", x, values=False)
    axis = check_int("log_softmax", "axis", _axis(axis, dim))
    return fused_log_softmax(x, axis=axis)  # one node: x - max - log(sum(e^(x-max)))


def dropout(
    x: Tensor, p: float = 0.5, training: bool = True, generator: np.random.Generator | None = None
) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (inverted
    dropout, so evaluation needs no rescaling); the identity when not ``training``."""
    p = _check_probability(p, "dropout")
    check_node("dropout", x, values=False)
    check_bool("dropout", "training", training)
    check_generator("dropout", generator)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    gen = rng.generator() if generator is None else generator
    x = floating(x)  # an integer mask of 1 / (1 - p) would round the scale down
    keep = gen.random(x.shape) >= p
    return x * (keep * (1.0 / (1.0 - p))).astype(x.dtype)


def _check_probability(p: Any, who: str = "dropout") -> float:
    """``p`` as a float in [0, 1] (NumPy scalars too); TypeError/ValueError naming ``who``."""
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, Real):
        raise TypeError(f"{who}: p must be a number, got {type(p).__name__} {p!r}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{who}: dropout probability has to be between 0 and 1, got {p!r}")
    return float(p)


# -------------------------------------------------------------------------- shared loss plumbing


def _check_reduction(reduction: Any) -> None:
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(
            f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}"
        )


def _is_scalar_input(x: Any) -> bool:
    """A Value, or a list/tuple holding at least one Value: the micrograd-style path."""
    if isinstance(x, Value):
        return True
    return isinstance(x, (list, tuple)) and any(isinstance(v, Value) for v in x)


def _as_tensor(x: Any, like: Tensor | None = None) -> Tensor:
    """``x`` as a Tensor; a constant made from data takes ``like``'s dtype."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Value) or _is_scalar_input(x):
        raise TypeError("cannot mix Values and Tensors in one loss: use Tensor(v.data) or Values")
    return Tensor(x, dtype=None if like is None else like.dtype)


def _check_loss_args(name: str, input: Any, target: Any) -> None:
    """TypeError naming the loss and the argument when input or target is not data at all."""
    for arg, x in (("input", input), ("target", target)):
        if x is None or isinstance(x, (str, bytes, dict, set)):
            raise TypeError(
                f"{name}: {arg} must be a Tensor, a Value or a list of them (or numbers), "
                f"got {type(x).__name__}"
            )


def _pairs(name: str, input: Any, target: Any) -> tuple[list, list]:
    """Lists of predictions and targets of the same length for the scalar path."""
    xs = [input] if isinstance(input, Value) else list(input)
    xs = [x if isinstance(x, Value) else Value(x) for x in xs]  # numbers: constant leaves
    ys = list(target) if isinstance(target, (list, tuple, np.ndarray)) else [target]
    if len(xs) != len(ys):
        raise ValueError(f"{name}: input has {len(xs)} items but target has {len(ys)}")
    return xs, ys


def _reduce(losses: Any, reduction: str) -> Loss:
    """Apply ``reduction`` to a Tensor of losses or a list of Value losses."""
    if reduction == "none":
        return losses
    if isinstance(losses, Tensor):
        return losses.mean() if reduction == "mean" else losses.sum()
    total = sum(losses[1:], losses[0])
    return total / len(losses) if reduction == "mean" else total


def _elementwise_loss(
    name: str, fn: Callable[[Any, Any], Any], input: Any, target: Any, reduction: str
) -> Loss:
    """``fn(input, target)`` elementwise, then reduced: on Tensors in one vectorized call, on
    Values one pair at a time. ``fn`` is written once with ops both node types share."""
    _check_reduction(reduction)
    _check_loss_args(name, input, target)
    if _is_scalar_input(input) or (_is_scalar_input(target) and not isinstance(input, Tensor)):
        xs, ys = _pairs(name, input, target)  # (numbers against Values: the Value path too)
        if not xs:
            raise ValueError(f"{name}: got no inputs")
        return _reduce([fn(x, y) for x, y in zip(xs, ys)], reduction)
    x = _as_tensor(input)
    y = _as_tensor(target, like=x)
    if x.shape != y.shape:
        raise ValueError(
            f"{name}: input shape {x.shape} and target shape {y.shape} differ "
            "(reshape one of them; losses do not broadcast)"
        )
    return _reduce(fn(x, y), reduction)


# ------------------------------------------------------------------------------------ losses


def _squared_error(x: Any, y: Any) -> Any:
    d = x - y
    return d * d


def _absolute_error(x: Any, y: Any) -> Any:
    return abs(x - y)


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Loss:
    """Mean squared error: (input - target)², reduced."""
    return _elementwise_loss("mse_loss", _squared_error, input, target, reduction)


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Loss:
    """Mean absolute error: |input - target|, reduced."""
    return _elementwise_loss("l1_loss", _absolute_error, input, target, reduction)


def _hinge(score: Any, y: Any) -> Any:
    return (1 - y * score).relu()


def hinge_loss(input: Any, target: Any, reduction: str = "mean") -> Loss:
    """The max-margin loss of micrograd's demo: relu(1 - y * score), labels y in {-1, +1}.

    Labels are checked: 0/1 labels (what ``make_moons`` returns) would train silently wrong.
    """
    _check_loss_args("hinge_loss", input, target)
    labels = _numbers(target)
    bad = labels[(labels != 1) & (labels != -1)]
    if bad.size:
        raise ValueError(f"hinge_loss: labels must be -1 or +1, got {bad.flat[0].item()}")
    return _elementwise_loss("hinge_loss", _hinge, input, target, reduction)


def _numbers(x: Any) -> np.ndarray:
    """The numbers in ``x`` (a Tensor, Value, list of Values or numbers, array) for checks."""
    if isinstance(x, (Tensor, Value)):
        return np.asarray(x.data, dtype=float)
    if isinstance(x, (list, tuple)):
        return np.asarray([v.data if isinstance(v, Value) else v for v in x], dtype=float)
    return np.asarray(x, dtype=float)


def _clamped_log(z: Any) -> Any:
    """log(z) clamped below at -100 (PyTorch's BCE rule), with a finite gradient at z = 0."""
    if isinstance(z, Value):
        return z.log() if z.data > _EXP_LOG_FLOOR else _LOG_FLOOR
    # clip z off 0 first (log of the smallest subnormal is below -100) so log never sees 0
    tiny = float(np.finfo(z.dtype).smallest_subnormal)
    return z.clip(tiny, None).log().clip(_LOG_FLOOR, None)


def _bce(p: Any, y: Any) -> Any:
    if isinstance(p, Tensor):
        return _bce_tensor(p, y)
    return _bce_value(p if isinstance(p, Value) else Value(p), y)


def _bce_value(p: Value, y: Value | float) -> Value:
    """BCE of one probability as one node, with PyTorch's rule as ``_bce_tensor`` has it (each
    log clamped at -100; the gradient ``(p - y) / max(p (1 - p), 1e-12)``). The composition of
    clamped logs had a zero slope where a log was clamped, which at p = 0 or 1 left only the
    other log's slope: the wrong sign, or 0."""
    pd = p.data
    yd = y.data if isinstance(y, Value) else float(y)
    log_p, log_q = _floored_log(pd), _floored_log1m(pd)
    out = -(yd * log_p + (1.0 - yd) * log_q)
    prev = (p, y) if isinstance(y, Value) else (p,)  # a number target is kept in the op
    return _value_node(out, prev, _bce_value_back, "binary_cross_entropy", yd)


def _floored_log(z: float) -> float:
    """``max(log z, -100)``, also at z = 0."""
    return math.log(z) if z > _EXP_LOG_FLOOR else _LOG_FLOOR


def _floored_log1m(z: float) -> float:
    """``max(log(1 - z), -100)`` by ``log1p`` (exact for tiny z, as the Tensor path), at 1 too."""
    return max(math.log1p(-z), _LOG_FLOOR) if z < 1.0 else _LOG_FLOOR


def _bce_value_back(y_const, g, out, p, y=None):
    """d/dp and (for a Value target) d/dy; on floats, or on Values under ``create_graph``."""
    constant_y, y = y is None, y_const if y is None else y
    pd = p.data if isinstance(p, Value) else p
    slope = pd * (1.0 - pd)
    denom = p * (1 - p) if slope > _BCE_EPS else _BCE_EPS  # a constant where it is clamped
    grad_p = g * (p - y) / denom
    if constant_y:
        return (grad_p,)
    if isinstance(p, Value):  # create_graph: the target's slope from differentiable logs
        return grad_p, g * (_clamped_log(1 - p) - _clamped_log(p))
    return grad_p, g * (_floored_log1m(p) - _floored_log(p))


def _bce_tensor(p: Tensor, y: Tensor) -> Tensor:
    """Elementwise BCE as one node, PyTorch's rule: each log clamped at -100 (in the input's
    own dtype, so float16 gives 100 at p = 0, not log of its smallest subnormal), gradient
    ``(p - y) / max(p (1 - p), eps)`` with ``eps = max(1e-12, smallest normal of the dtype)``:
    PyTorch's 1e-12 in float32/64, and finite in float16 where 1e12 would overflow."""
    p, y = promote(p, y)  # int or bool targets take the probabilities' dtype
    p, y = floating(p), floating(y)
    pd, yd = p.data, y.data
    log_p, log_q = _floored_logs(pd)
    out = -(yd * log_p + (1 - yd) * log_q)
    eps = max(1e-12, float(np.finfo(out.dtype).tiny))
    return make(out, (p, y), _bce_back, "binary_cross_entropy", eps)


def _floored_logs(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``max(log p, -100)`` and ``max(log(1 - p), -100)``, without warnings at p = 0 or 1."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(p), _LOG_FLOOR), np.maximum(np.log1p(-p), _LOG_FLOOR)


def _bce_back(eps, g, out, p, y):
    if isinstance(p, Tensor):  # create_graph: the same formulas from differentiable ops
        grad_p = g * (p - y) / (p * (1 - p)).clip(eps, None)
        return grad_p, g * (_clamped_log(1 - p) - _clamped_log(p))
    log_p, log_q = _floored_logs(p)
    return g * (p - y) / np.maximum(p * (1 - p), eps), g * (log_q - log_p)


def binary_cross_entropy(input: Any, target: Any, reduction: str = "mean") -> Loss:
    """-(y log p + (1 - y) log(1 - p)) for probabilities p and targets y in [0, 1], each log
    clamped at -100 and the gradient bounded as in PyTorch (finite at p = 0 and 1 in float16,
    float32 and float64).

    Prefer ``binary_cross_entropy_with_logits`` on raw scores: it is stable without clamping.
    """
    _check_loss_args("binary_cross_entropy", input, target)
    for what, x in (("input must be probabilities", input), ("target must be", target)):
        numbers = _numbers(x)
        outside = numbers[~((numbers >= 0.0) & (numbers <= 1.0))]
        if outside.size:
            raise ValueError(
                f"binary_cross_entropy: {what} in [0, 1], got {outside.flat[0].item()}"
            )
    return _elementwise_loss("binary_cross_entropy", _bce, input, target, reduction)


def _bce_with_logits(x: Any, y: Any) -> Any:
    # softplus(x) - x*y with softplus(x) = relu(x) + log(1 + e^-|x|): e^ never overflows.
    # -|x| is written x - 2 relu(x), so the kinks of relu and |x| cancel exactly at x = 0
    # and the gradient there is sigmoid(0) - y, whatever subgradient relu uses.
    r = x.relu()
    return r - x * y + ((x - 2 * r).exp() + 1).log()


def binary_cross_entropy_with_logits(input: Any, target: Any, reduction: str = "mean") -> Loss:
    """Binary cross-entropy on raw scores (logits), as sigmoid + BCE in one stable formula:
    max(x, 0) - x y + log(1 + e^-|x|). Exact at logits of ±1e4."""
    return _elementwise_loss(
        "binary_cross_entropy_with_logits", _bce_with_logits, input, target, reduction
    )


def cross_entropy(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy: logits of shape (N, C) (or (C,)) against integer class labels of
    shape (N,) (or a single int), given as an int ndarray, list or Tensor.

    ``-log_softmax(input)[i, target[i]]``, reduced over the batch; stable at logits of ±1e4
    (log-sum-exp with the max subtracted). A label that is not an integer, has the wrong shape
    or lies outside [0, C) raises a ValueError naming it.
    """
    _check_reduction(reduction)
    logits = _as_tensor(input)
    shape = logits.data.shape
    if len(shape) not in (1, 2):
        raise ValueError(f"cross_entropy: logits must have shape (N, C) or (C,), got {shape}")
    labels = _class_labels(target, shape)
    return fused_cross_entropy(logits, labels, reduction)  # one node; its gradient: p - onehot


def _class_labels(target: Any, logits_shape: tuple) -> np.ndarray:
    """``target`` as an int64 array of valid class indices for logits of ``logits_shape``.

    Labels are integers, as in PyTorch: an int Tensor, an int ndarray, a list of ints or one
    int; floating or bool labels raise (a float Tensor is not a class index).
    """
    labels = target if type(target) is np.ndarray else np.asarray(
        target.data if isinstance(target, Tensor) else target)
    if labels.dtype.kind not in "iu":
        raise ValueError(
            f"cross_entropy: class labels must be integers, got dtype {labels.dtype}"
        )
    expected = logits_shape[:-1]
    if labels.shape != expected:
        raise ValueError(
            f"cross_entropy: labels of shape {labels.shape} do not match logits of shape "
            f"{logits_shape} (expected labels of shape {expected})"
        )
    classes = logits_shape[-1]
    if any_outside(labels, classes):
        i = int(np.flatnonzero((labels < 0) | (labels >= classes))[0])
        raise ValueError(
            f"cross_entropy: label {labels.flat[i]} at index {i} is outside [0, {classes}) "
            f"for {classes} classes"
        )
    return labels.astype(np.int64, copy=False)


# ---------------------------------------------------- layers for the next models (own files)

from autograd import one_hot, pad  # noqa: E402, F401  (F.one_hot, F.pad, as in PyTorch)

from .conv import conv2d  # noqa: E402, F401
from .embedding import embedding  # noqa: E402, F401
from .normalization import batch_norm, layer_norm  # noqa: E402, F401
from .pooling import avg_pool2d, max_pool2d  # noqa: E402, F401
