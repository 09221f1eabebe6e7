"""``AdamW``: Adam with decoupled weight decay (``p *= 1 - lr * weight_decay`` before the step)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .adam import Adam


class AdamW(Adam):
    """Adam whose weight decay shrinks the parameter directly instead of adding to the gradient.

    Same rule as ``Adam`` otherwise (bias correction, ``eps`` outside the square root, AMSGrad);
    the default ``weight_decay`` is 1e-2, as in PyTorch.
    """

    _decoupled_weight_decay = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)
