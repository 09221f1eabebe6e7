"""``RMSprop``: steps scaled by a running root-mean-square of the gradient (centered optional)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._checks import check_non_negative
from ._ops import add_product_, add_quotient_, lerp_
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop with PyTorch's update rule.

    ``g = grad + weight_decay * p``; ``v = alpha * v + (1 - alpha) * g * g``; the divisor is
    ``sqrt(v) + eps``, or ``sqrt(v - a * a) + eps`` when centered, with ``a`` the running mean of
    ``g``; ``p = p - lr * g / divisor``, or with momentum ``b = momentum * b + g / divisor`` and
    ``p = p - lr * b``.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
    ) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered)
        super().__init__(params, defaults)

    def _check(self, hyper: dict[str, Any]) -> None:
        check_non_negative("lr", hyper["lr"], "learning rate")
        check_non_negative("eps", hyper["eps"], "epsilon value")
        check_non_negative("momentum", hyper["momentum"], "momentum value")
        check_non_negative("weight_decay", hyper["weight_decay"], "weight_decay value")
        check_non_negative("alpha", hyper["alpha"], "alpha value")

    def _init_state(self, group: dict[str, Any], like: np.ndarray) -> dict[str, np.ndarray]:
        state = {"square_avg": np.zeros_like(like)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(like)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(like)
        return state

    def _update(self, group, param, grad, state, step) -> None:
        lr, alpha, weight_decay = group["lr"], group["alpha"], group["weight_decay"]
        if weight_decay != 0:
            grad = grad + weight_decay * param
        square_avg = state["square_avg"]
        square_avg *= alpha
        add_product_(square_avg, 1 - alpha, grad, grad)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            lerp_(grad_avg, grad, 1 - alpha)
            avg = square_avg - grad_avg * grad_avg
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(square_avg)
        avg += group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            add_quotient_(buf, 1.0, grad, avg)
            param -= lr * buf
        else:
            add_quotient_(param, -lr, grad, avg)
