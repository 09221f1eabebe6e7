"""``SGD``: gradient descent with optional momentum, dampening, Nesterov and L2 weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._checks import check_non_negative, check_number
from .optimizer import Optimizer

# NumPy 2 (NEP 50) multiplies an array by a Python float in the array's dtype; NumPy 1 picks the
# dtype from the float's value. Asking np.result_type at every step is slow, so only NumPy 1 does.
_WEAK_SCALARS = np.result_type(1e300, np.float32) == np.float32


class SGD(Optimizer):
    """Stochastic gradient descent with PyTorch's update rule.

    ``g = grad + weight_decay * p``; with momentum, ``b = g`` at the first step and
    ``b = momentum * b + (1 - dampening) * g`` after it, then ``g = g + momentum * b``
    (Nesterov) or ``g = b``; finally ``p = p - lr * g``.
    """

    _optional_state = ("momentum_buffer",)  # created at the first step with momentum

    def __init__(
        self,
        params: Iterable[Any],
        lr: float,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
    ) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov)
        self._scale: tuple = (None, None, None)  # (lr, dtype, lr as a 0-d array) last used
        super().__init__(params, defaults)

    def _check(self, hyper: dict[str, Any]) -> None:
        check_non_negative("lr", hyper["lr"], "learning rate")
        check_non_negative("momentum", hyper["momentum"], "momentum value")
        check_number("dampening", hyper["dampening"])
        check_non_negative("weight_decay", hyper["weight_decay"], "weight_decay value")
        if hyper["nesterov"] and (hyper["momentum"] <= 0 or hyper["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening "
                f"(got momentum={hyper['momentum']!r}, dampening={hyper['dampening']!r})"
            )

    def _init_state(self, group: dict[str, Any], like: np.ndarray) -> dict[str, np.ndarray]:
        return {}  # the momentum buffer starts as the first gradient, in _update

    def _update_tensors(self, group, params, grads, states) -> None:
        """The plain rule (no momentum, no weight decay) for all of a group's Tensors at once.

        ``param -= grad * scale`` with ``scale`` the learning rate as the 0-d array NumPy makes
        of it for ``lr * grad`` (same dtype, so the same numbers): multiplying by an array is
        cheaper than by a Python float, which NumPy converts at every call. The scale is kept
        while ``group["lr"]`` is the same object and the grads have the same dtype.
        """
        lr = group["lr"]
        if (group["momentum"] != 0 or group["weight_decay"] != 0
                or (type(lr) is not float and type(lr) is not int)):
            super()._update_tensors(group, params, grads, states)
            return
        last_lr, dtype, scale = self._scale
        for param, grad in zip(params, grads):
            if grad.dtype is not dtype or lr is not last_lr:
                last_lr, dtype = lr, grad.dtype
                scale = np.array(lr, dtype if _WEAK_SCALARS else np.result_type(lr, dtype))
                self._scale = (lr, dtype, scale)
            param -= grad * scale

    def _update(self, group, param, grad, state, step) -> None:
        lr, momentum, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
        if weight_decay != 0:
            grad = grad + weight_decay * param
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None or step == 1:
                buf = state["momentum_buffer"] = np.array(grad, dtype=param.dtype)
            else:
                buf *= momentum
                buf += (1 - group["dampening"]) * grad
            grad = grad + momentum * buf if group["nesterov"] else buf
        param -= lr * grad
