"""micrograd's ``Neuron``, ``Layer`` and ``MLP`` on scalar ``Value`` nodes, as ``Module``s.

Drop-in compatible with micrograd's ``nn.py``: the same attribute names (``w``, ``b``,
``nonlin``, ``neurons``, ``layers``), the same initialization drawn from Python's ``random``
module (so ``random.seed(n)`` gives micrograd's exact weights), the same parameter order and the
same ``repr``. Differences, all deliberate: ``Layer`` always returns a list (micrograd unwraps
one output, which breaks code that indexes it), ``MLP`` takes an ``activation``, and a neuron's
pre-activation ``w·x + b`` is one fused ``dot`` node instead of ``2n`` nodes (same value and
gradient, a smaller graph; see ``autograd.dot``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from numbers import Integral
from typing import Any

import numpy as np

from autograd import Value, dot
from autograd.value import dot_lifted

from .module import Module

# activation name -> (Value method or None for the identity, repr prefix)
ACTIVATIONS: dict[str, tuple[Callable[[Value], Value] | None, str]] = {
    "relu": (Value.relu, "ReLU"),
    "tanh": (Value.tanh, "Tanh"),
    "sigmoid": (Value.sigmoid, "Sigmoid"),
    "leaky_relu": (Value.leaky_relu, "LeakyReLU"),
    "elu": (Value.elu, "ELU"),
    "linear": (None, "Linear"),
}


def _check_activation(activation: str) -> None:
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}; expected one of {', '.join(ACTIVATIONS)}"
        )


def _check_count(n: Any, what: str) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, Integral) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return int(n)


class Neuron(Module):
    """``act(w·x + b)``: ``nin`` weights drawn uniformly from [-1, 1], a bias of 0.

    ``nonlin=False`` makes it linear (micrograd's switch); ``activation`` picks the
    nonlinearity (default ``"relu"``, micrograd's only one).
    """

    def __init__(self, nin: int, nonlin: bool = True, activation: str = "relu") -> None:
        nin = _check_count(nin, "Neuron nin")
        _check_activation(activation)
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin
        self.activation = activation if nonlin else "linear"
        self._act = ACTIVATIONS[self.activation][0]

    def forward(self, x: Sequence[Value | float]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"{self!r} expects {len(self.w)} inputs, got {len(x)}")
        act = dot(self.w, x, self.b)
        return act if self._act is None else self._act(act)

    def _forward_lifted(self, x: list[Value], data: list[float]) -> Value:
        """``forward`` for inputs a ``Layer`` made Values, with ``data`` their ``.data``."""
        if len(x) != len(self.w):
            raise ValueError(f"{self!r} expects {len(self.w)} inputs, got {len(x)}")
        act = dot_lifted(self.w, x, data, self.b)
        return act if self._act is None else self._act(act)

    def parameters(self) -> list[Value]:
        # micrograd's own code: same order as the generic Module walk, ~20x faster
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{ACTIVATIONS[self.activation][1]}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons that each see all ``nin`` inputs; ``kwargs`` go to every ``Neuron``.

    Always returns a list of ``nout`` Values, even when ``nout == 1``.
    """

    def __init__(self, nin: int, nout: int, **kwargs: Any) -> None:
        nout = _check_count(nout, "Layer nout")
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        # numbers become Values once here, shared by all neurons (else each dot lifts its own)
        x = [xi if isinstance(xi, Value) else Value(xi) for xi in x]
        data = [xi.data for xi in x]  # read once here, not once per neuron
        # not n(x): Module.__call__'s *args costs ~0.4 µs a neuron (7% of a step); a neuron
        # that is not exactly a Neuron (a subclass, another Module) runs its own forward
        return [n._forward_lifted(x, data) if type(n) is Neuron else n.forward(x)
                for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A stack of ``Layer``s with sizes ``nin -> nouts[0] -> ... -> nouts[-1]``.

    Hidden layers use ``activation`` (relu, tanh, sigmoid, leaky_relu, elu or linear); the last
    layer is linear, as in micrograd. Returns a single Value when the last layer has one output,
    else a list.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu") -> None:
        _check_activation(activation)
        if isinstance(nouts, (str, bytes)) or not hasattr(nouts, "__iter__"):
            raise TypeError(f"MLP nouts must be a list of layer sizes, got {type(nouts).__name__}")
        nouts = list(nouts)
        if not nouts:
            raise ValueError("MLP nouts must list at least one layer size")
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != last, activation=activation)
            for i in range(len(nouts))
        ]

    def forward(self, x: Sequence[Value | float]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer.forward(x)  # not layer(x): see Layer.forward
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
