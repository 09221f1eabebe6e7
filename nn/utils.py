"""Training helpers: ``clip_grad_norm_`` (PyTorch's formula), for Value and Tensor parameters."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from numbers import Real
from typing import Any

import numpy as np

from autograd import Value
from autograd.viz.gradient_flow import GradientFlow, gradient_flow

from ._checks import check_node

__all__ = ["clip_grad_norm_", "gradient_flow", "GradientFlow"]  # the report lives in autograd.viz


def clip_grad_norm_(
    parameters: Iterable[Any] | Any, max_norm: float, norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> float:
    """Scale all gradients together so their joint ``norm_type``-norm is at most ``max_norm``.

    The norm is taken over every gradient as if concatenated into one vector (parameters with
    no gradient yet are skipped). When ``clip_coef = max_norm / (total + 1e-6)`` is below 1,
    each gradient is multiplied by it in place; otherwise nothing changes. Returns the total
    norm before clipping, as a float. Exploding gradients then cost one short step, not a
    diverged run. A nan anywhere makes the norm nan and, as in PyTorch, every gradient nan
    (``error_if_nonfinite=True`` raises instead): nothing is left half clipped.
    """
    if hasattr(parameters, "_prev"):  # one Value or Tensor
        parameters = [parameters]
    if not hasattr(parameters, "__iter__") or isinstance(parameters, (str, bytes, Mapping)):
        raise TypeError("clip_grad_norm_: parameters must be a Value, a Tensor or an iterable "
                        f"of them, got {type(parameters).__name__}")
    parameters = list(parameters)
    for i, p in enumerate(parameters):
        check_node(f"clip_grad_norm_: parameters[{i}]", p)
    for name, x in (("max_norm", max_norm), ("norm_type", norm_type)):
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, Real):
            raise TypeError(f"clip_grad_norm_: {name} must be a number, got "
                            f"{type(x).__name__} {x!r}")
    if not max_norm >= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm!r}")
    if not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be > 0 (or inf), got {norm_type!r}")
    params = [p for p in parameters if p.grad is not None]  # a Tensor's may be None
    norm_type = float(norm_type)
    if not params:
        return 0.0
    grads = [np.abs(np.asarray(p.grad, dtype=np.float64)) for p in params]
    if norm_type == math.inf:
        total = max(float(g.max(initial=0.0)) for g in grads)
    else:
        total = sum(float((g**norm_type).sum()) for g in grads) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"the total norm of order {norm_type} of the gradients is {total}, so they cannot "
            "be clipped; pass error_if_nonfinite=False to skip this check"
        )
    clip_coef = float(max_norm) / (total + 1e-6)
    if not clip_coef >= 1.0:  # (PyTorch clamps the coefficient at 1: a nan one stays nan)
        for p in params:
            if isinstance(p, Value):
                p.grad *= clip_coef
            else:
                p.grad *= p.grad.dtype.type(clip_coef)  # a leaf owns its grad array
    return total
