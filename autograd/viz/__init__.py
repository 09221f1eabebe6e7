"""Seeing backprop: draw a graph, step through its backward pass, read a model's gradient flow.

- ``draw_dot(root, ...)``: the graph as a ``graphviz.Digraph`` with data and grad on each node.
- ``backward_steps(root, ...)``: a :class:`BackwardSteps`, one frame per node of the backward pass.
- ``gradient_flow(model)``: a :class:`GradientFlow`, per-layer gradient norms with a table and plot.

Nothing here imports ``graphviz`` or ``matplotlib`` until a drawing or a plot is made, and
nothing loads Graphviz itself (pygraphviz's bundled library) until one is rendered.
"""

from .backward_steps import BackwardSteps, Step, backward_steps
from .draw import draw_dot
from .gradient_flow import GradientFlow, LayerGrad, gradient_flow

__all__ = [
    "draw_dot", "backward_steps", "BackwardSteps", "Step",
    "gradient_flow", "GradientFlow", "LayerGrad",
]
