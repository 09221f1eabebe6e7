"""Activation layers: each wraps the function of the same name in ``nn.functional``.

They hold no parameters; they exist so activations can sit inside a ``Sequential``. ``ReLU``,
``Tanh``, ``Sigmoid``, ``LeakyReLU`` and ``ELU`` work on a ``Value`` as well as a ``Tensor``.
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from . import functional as F
from ._checks import check_int, check_node, check_real
from .module import Module


class ReLU(Module):
    """max(x, 0)."""

    def forward(self, x: Any) -> Any:
        if type(x) is Tensor:  # the common case, straight to the op (two checks fewer)
            return x.relu()
        check_node("ReLU", x)
        return F.relu(x)


class Tanh(Module):
    """Hyperbolic tangent."""

    def forward(self, x: Any) -> Any:
        check_node("Tanh", x)
        return F.tanh(x)


class Sigmoid(Module):
    """1 / (1 + e^-x)."""

    def forward(self, x: Any) -> Any:
        check_node("Sigmoid", x)
        return F.sigmoid(x)


class LeakyReLU(Module):
    """x for x > 0, ``negative_slope * x`` otherwise."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = check_real("LeakyReLU", "negative_slope", negative_slope)

    def forward(self, x: Any) -> Any:
        check_node("LeakyReLU", x)
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """x for x > 0, ``alpha * (e^x - 1)`` otherwise."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = check_real("ELU", "alpha", alpha)

    def forward(self, x: Any) -> Any:
        check_node("ELU", x)
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Softmax(Module):
    """Softmax along ``axis`` (``dim=`` is accepted too, for PyTorch habits)."""

    def __init__(self, axis: int = -1, *, dim: int | None = None) -> None:
        self.axis = check_int("Softmax", "axis", axis if dim is None else dim)

    def forward(self, x: Any) -> Any:
        check_node("Softmax", x, values=False)
        return F.softmax(x, axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Module):
    """Log of the softmax along ``axis``, computed stably (``dim=`` accepted too)."""

    def __init__(self, axis: int = -1, *, dim: int | None = None) -> None:
        self.axis = check_int("LogSoftmax", "axis", axis if dim is None else dim)

    def forward(self, x: Any) -> Any:
        check_node("LogSoftmax", x, values=False)
        return F.log_softmax(x, axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"
