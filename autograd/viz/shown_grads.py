"""Which gradient a drawing shows on each node, without changing anyone's ``.grad``.

Why: a ``Tensor``'s ``.grad`` follows PyTorch (filled only on leaves and ``retain_grad()``
Tensors), but the point of a drawing is to show the chain rule at every node. So once a backward
has run (a leaf below the output that requires grad carries a ``.grad``), ``draw_dot`` shows
each intermediate's gradient computed on the side: one run of ``engine.propagate`` from the
drawn outputs, each seeded with 1, keeping every gradient. Before a backward it shows ``None``
there, as ``.grad`` does. Leaves and retained Tensors show their own ``.grad``; ``Value`` nodes
always do (every ``Value`` keeps its gradient, as in micrograd).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import engine
from . import records as R


def shown_grads(roots: tuple) -> Callable[[Any], Any]:
    """``grad_of(node)`` for a drawing of the graph below ``roots`` (see the module doc)."""
    if not all(R.is_tensor(r) for r in roots):
        return _own_grad
    order = engine.topological_order(roots)
    after_backward = any(not n._prev and n.requires_grad and n.grad is not None for n in order)
    scalar_outputs = all(r.requires_grad and np.size(r.data) == 1 for r in roots)
    if not (after_backward and scalar_outputs):
        return _own_grad
    seeds = [np.ones_like(r.data) for r in roots]
    side = engine.propagate(roots, seeds)  # retain=None: every node's gradient is kept

    def grad_of(node: Any) -> Any:
        if node.grad is not None or not node._prev:
            return node.grad
        return side.get(node)

    return grad_of


def _own_grad(node: Any) -> Any:
    return node.grad
