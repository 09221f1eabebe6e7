"""``Adagrad``: per-coordinate steps shrinking with the sum of all squared gradients so far."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._checks import check_non_negative
from ._ops import add_product_, add_quotient_
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad with PyTorch's update rule.

    ``g = grad + weight_decay * p``; ``lr_t = lr / (1 + (t - 1) * lr_decay)``;
    ``s = s + g * g`` (``s`` starts at ``initial_accumulator_value``);
    ``p = p - lr_t * g / (sqrt(s) + eps)``.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
    ) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, defaults)

    def _check(self, hyper: dict[str, Any]) -> None:
        check_non_negative("lr", hyper["lr"], "learning rate")
        check_non_negative("lr_decay", hyper["lr_decay"], "lr_decay value")
        check_non_negative("weight_decay", hyper["weight_decay"], "weight_decay value")
        check_non_negative("initial_accumulator_value", hyper["initial_accumulator_value"],
                           "initial_accumulator_value")
        check_non_negative("eps", hyper["eps"], "epsilon value")

    def _init_state(self, group: dict[str, Any], like: np.ndarray) -> dict[str, np.ndarray]:
        return {"sum": np.full_like(like, group["initial_accumulator_value"])}

    def _update(self, group, param, grad, state, step) -> None:
        weight_decay = group["weight_decay"]
        if weight_decay != 0:
            grad = grad + weight_decay * param
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        add_product_(state["sum"], 1.0, grad, grad)
        std = np.sqrt(state["sum"])
        std += group["eps"]
        add_quotient_(param, -clr, grad, std)
