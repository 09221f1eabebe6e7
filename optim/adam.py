"""``Adam``: adaptive moment estimation, with PyTorch's bias correction, L2 decay and AMSGrad."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._checks import check_betas, check_non_negative
from ._ops import add_product_, add_quotient_, lerp_
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam with PyTorch's update rule.

    ``g = grad + weight_decay * p`` (AdamW instead shrinks ``p`` by ``1 - lr * weight_decay``);
    ``m = beta1 * m + (1 - beta1) * g``, ``v = beta2 * v + (1 - beta2) * g * g``
    (AMSGrad: ``v_max = max(v_max, v)`` is used for ``v``);
    ``p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``.
    """

    _decoupled_weight_decay = False  # AdamW sets True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, defaults)

    def _check(self, hyper: dict[str, Any]) -> None:
        check_non_negative("lr", hyper["lr"], "learning rate")
        check_non_negative("eps", hyper["eps"], "epsilon value")
        check_betas(hyper["betas"])
        check_non_negative("weight_decay", hyper["weight_decay"], "weight_decay value")

    def _init_state(self, group: dict[str, Any], like: np.ndarray) -> dict[str, np.ndarray]:
        state = {"exp_avg": np.zeros_like(like), "exp_avg_sq": np.zeros_like(like)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(like)
        return state

    def _update(self, group, param, grad, state, step) -> None:
        lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
        if weight_decay != 0:
            if self._decoupled_weight_decay:
                param *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * param
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        add_product_(exp_avg_sq, 1 - beta2, grad, grad)
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            exp_avg_sq = state["max_exp_avg_sq"]
        step_size = lr / (1 - beta1**step)
        denom = np.sqrt(exp_avg_sq)
        denom /= (1 - beta2**step) ** 0.5
        denom += group["eps"]
        add_quotient_(param, -step_size, exp_avg, denom)
