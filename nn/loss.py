"""Loss modules: each holds a ``reduction`` and calls the function of the same name in
``nn.functional`` (``MSELoss()(input, target)`` equals ``F.mse_loss(input, target)``)."""

from __future__ import annotations

from typing import Any

from . import functional as F
from .module import Module


class _Loss(Module):
    """A loss with a ``reduction`` ("mean", "sum" or "none"), checked at construction;
    subclasses name their function as ``_fn``."""

    def __init__(self, reduction: str = "mean") -> None:
        F._check_reduction(reduction)
        self.reduction = reduction

    def forward(self, input: Any, target: Any) -> Any:
        return self._fn(input, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


class MSELoss(_Loss):
    """Mean squared error (``F.mse_loss``)."""

    _fn = staticmethod(F.mse_loss)


class L1Loss(_Loss):
    """Mean absolute error (``F.l1_loss``)."""

    _fn = staticmethod(F.l1_loss)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy on logits and integer class labels (``F.cross_entropy``)."""

    _fn = staticmethod(F.cross_entropy)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities (``F.binary_cross_entropy``)."""

    _fn = staticmethod(F.binary_cross_entropy)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits, stable (``F.binary_cross_entropy_with_logits``)."""

    _fn = staticmethod(F.binary_cross_entropy_with_logits)


class HingeLoss(_Loss):
    """micrograd's max-margin loss relu(1 - y * score), y in {-1, +1} (``F.hinge_loss``)."""

    _fn = staticmethod(F.hinge_loss)
