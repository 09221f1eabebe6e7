"""``detect_anomaly()``: stop at the first op whose forward or backward result is nan or inf.

Why: a nan in the loss tells you nothing about where it began; by the time you see it, every
node downstream (and every gradient upstream) is nan too. Inside ``detect_anomaly()`` each op's
result is checked as it is made, and each gradient as the backward pass computes it; the first
non-finite one raises ``AnomalyError`` naming the op, the pass, the op's input values and the
line of your code that created the node. Off by default, and free when off: the engine reads
one flag per recorded node (``sites.Watch.active``) and one per backward call.

``AnomalyError.draw()`` (and ``draw_anomaly(root)`` for a finished graph whose output is
already nan) draw the graph with the origin highlighted and the nodes it poisoned in red.

Only recorded nodes are checked (grad mode on, an input requiring grad). Sites are known for
nodes made inside the ``with`` block, so run the forward under it too, as in PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from .engine import topological_order
from .grad_mode import enable_grad, no_grad
from .sites import Site, Watch, recording_sites, site_of, watching

__all__ = ["AnomalyError", "detect_anomaly", "draw_anomaly", "find_anomaly"]


class AnomalyError(RuntimeError):
    """The first op whose result was nan or inf, found by ``detect_anomaly()``.

    Attributes: ``op`` (the op's name), ``phase`` (``"forward"`` or ``"backward"``), ``node``
    (the op's result), ``inputs`` (its input nodes), ``site`` (the ``Site`` that created the
    node, or None), ``poisoned`` (for a backward anomaly: the nodes whose gradient became
    non-finite from it), ``roots`` (the outputs backward started from).
    """

    def __init__(
        self, message: str, op: str, phase: str, node: Any, inputs: tuple, site: Site | None,
        poisoned: tuple = (), roots: tuple = (), grads: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.op = op
        self.phase = phase
        self.node = node
        self.inputs = inputs
        self.site = site
        self.poisoned = poisoned
        self.roots = roots or (node,)
        self.grads = grads or {}

    def draw(self, **kwargs: Any) -> Any:
        """The graph with the origin highlighted and the nodes it poisoned in red (a Digraph)."""
        grads = self.grads
        return _draw(self.roots, self.node, set(self.poisoned),
                     (lambda n: grads.get(n)) if grads else None, **kwargs)


class _State:
    depth = 0
    backward_of: Any = None  # the node whose backward is running (create_graph records nodes)


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise ``AnomalyError`` at the first op whose forward or backward gives nan or inf.

    >>> import numpy as np
    >>> from autograd import Tensor, detect_anomaly
    >>> x = Tensor(np.array([1.0, -1.0]), requires_grad=True)
    >>> with np.errstate(invalid="ignore"), detect_anomaly():   # (NumPy would also warn)
    ...     y = x.log()
    Traceback (most recent call last):
    ...
    autograd.anomaly.AnomalyError: detect_anomaly: the forward pass of 'log' produced nan ...
    """
    outermost = _State.depth == 0
    _State.depth += 1
    try:
        if outermost:
            with recording_sites(), watching(_check_forward):
                Watch.anomaly = True
                try:
                    yield
                finally:
                    Watch.anomaly = False
        else:
            yield
    finally:
        _State.depth -= 1


def _nonfinite(x: Any) -> bool:
    data = x.data if hasattr(x, "_prev") else x
    if isinstance(data, float):
        return not math.isfinite(data)
    a = np.asarray(data)
    return a.dtype.kind in "fc" and not bool(np.isfinite(a).all())


def _what(x: Any) -> str:
    """'nan', 'inf', '-inf' or a list of them, for the message."""
    data = x.data if hasattr(x, "_prev") else x
    a = np.asarray(data, dtype=np.float64)
    kinds = []
    if np.isnan(a).any():
        kinds.append("nan")
    if np.isposinf(a).any():
        kinds.append("inf")
    if np.isneginf(a).any():
        kinds.append("-inf")
    where = ""
    if a.ndim:
        first = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
        where = f" (first at index {first}, {int((~np.isfinite(a)).sum())} of {a.size} elements)"
    return " and ".join(kinds) + where


def _show(x: Any) -> str:
    data = x.data if hasattr(x, "_prev") else x
    if isinstance(data, np.ndarray):
        return np.array2string(data, threshold=8, edgeitems=3, precision=4, separator=", ")
    return repr(data)


def _name(node: Any, i: int) -> str:
    label = getattr(node, "label", "")
    return f"input {i}" + (f" ({label!r})" if label else "")


def _message(phase: str, node: Any, bad: Any, inputs: tuple, site: Site | None,
             g: Any = None) -> str:
    from .value import describe_op

    op = describe_op(node) if not isinstance(node.data, np.ndarray) else node._op
    label = f" ({node.label!r})" if node.label else ""
    lines = [f"detect_anomaly: the {phase} pass of {op!r}{label} produced {_what(bad)}"]
    lines.append(f"    created at {site}" if site else
                 "    created outside detect_anomaly() (run the forward inside it to see the line)")
    for i, x in enumerate(inputs):
        lines.append(f"    {_name(x, i)} = {_show(x)}")
    if g is not None:
        lines.append(f"    upstream gradient = {_show(g)}")
    return "\n".join(lines)


def _check_forward(node: Any) -> None:
    if not _nonfinite(node):
        return
    inputs = node._prev
    owner = _State.backward_of
    if owner is not None:  # a node recorded by a differentiable backward (create_graph=True)
        site = site_of(owner)
        msg = _message("backward", owner, node, owner._prev, site)
        raise AnomalyError(msg, owner._op, "backward", owner, owner._prev, site)
    site = site_of(node) or _current_site()
    raise AnomalyError(_message("forward", node, node, inputs, site), node._op, "forward",
                       node, inputs, site)


def _current_site() -> Site | None:
    from .sites import caller_site

    return caller_site()


def checked_propagate(roots: Sequence[Any], seeds: Sequence[Any], create_graph: bool = False,
                      retain: Callable[[Any], bool] | None = None) -> dict:
    """``engine.propagate`` that checks every gradient it computes (used by detect_anomaly).

    The same walk (reverse topological order, each gradient summed over a node's uses before it
    is passed on); the first op whose backward returns a non-finite gradient is the origin. The
    walk is finished first, to know which nodes it poisoned, and then ``AnomalyError`` is raised.
    ``retain`` is ``engine.propagate``'s: without an anomaly, only leaves and the nodes it keeps
    are returned (``Tensor.backward``'s rule).
    """
    grads: dict = {}
    for root, seed in zip(roots, seeds):
        grads[root] = seed if root not in grads else grads[root] + seed
    origin = None
    with enable_grad() if create_graph else no_grad():
        for node in reversed(topological_order(roots)):
            g = grads.get(node)
            if node._back is None or g is None:
                continue
            prev = node._prev
            args = prev if create_graph else [p.data for p in prev]
            _State.backward_of = node
            try:
                with np.errstate(all="ignore"):
                    input_grads = node._back(node._ctx, g, node if create_graph else node.data,
                                             *args)
            finally:
                _State.backward_of = None
            for parent, pg in zip(prev, input_grads):
                if pg is None:
                    continue
                if origin is None and _nonfinite(pg) and not _nonfinite(g):
                    origin = (node, pg, g, None)
                old = grads.get(parent)
                if old is None:
                    grads[parent] = pg
                    continue
                with np.errstate(all="ignore"):
                    total = grads[parent] = old + pg
                if (origin is None and _nonfinite(total) and not _nonfinite(old)
                        and not _nonfinite(pg)):  # finite parts whose sum overflows
                    origin = (parent, total, None, (old, pg))
    if origin is None:
        if retain is None:
            return grads
        return {n: gn for n, gn in grads.items() if n._back is None or retain(n)}
    node, bad, g, parts = origin
    poisoned = tuple(n for n, gn in grads.items() if n is not node and _nonfinite(gn))
    site = site_of(node)
    if parts is None:
        msg = _message("backward", node, bad, node._prev, site, g)
    else:
        msg = _sum_message(node, bad, parts, site)
    raise AnomalyError(msg, node._op, "backward", node, node._prev, site, poisoned,
                       tuple(roots), grads)


def _sum_message(node: Any, bad: Any, parts: tuple, site: Site | None) -> str:
    """The message for a node whose gradient overflowed as its uses' shares were added up."""
    from .value import describe_op

    what = (describe_op(node) if not isinstance(node.data, np.ndarray) else node._op) or "leaf"
    label = f" ({node.label!r})" if node.label else ""
    return "\n".join([
        f"detect_anomaly: the backward pass summed finite gradients of {what!r}{label} from two "
        f"of its uses into {_what(bad)}",
        f"    created at {site}" if site else "    created outside detect_anomaly()",
        f"    summed so far = {_show(parts[0])}",
        f"    next use's gradient = {_show(parts[1])}",
    ])


Watch.checked_propagate = checked_propagate


def find_anomaly(root: Any) -> tuple[Any, tuple]:
    """In a finished graph: the first node (forward order) whose data is non-finite though all its
    inputs are finite, and every node below ``root`` whose data it poisoned. ``(None, ())`` if
    all data is finite."""
    order = topological_order([root])
    bad = {n for n in order if _nonfinite(n)}
    origin = next((n for n in order if n in bad and not any(p in bad for p in n._prev)), None)
    if origin is None:
        return None, ()
    poisoned: set = {origin}
    for n in order:
        if any(p in poisoned for p in n._prev) and n in bad:
            poisoned.add(n)
    poisoned.discard(origin)
    return origin, tuple(n for n in order if n in poisoned)


def draw_anomaly(root: Any, **kwargs: Any) -> Any:
    """``draw_dot(root)`` with the first non-finite node highlighted and what it poisoned in red.

    For a graph already computed (outside ``detect_anomaly``) whose output came out nan or inf.
    Keyword arguments go to the drawing (``rankdir``, ``show_grad``, ``max_nodes``, ...).
    """
    origin, poisoned = find_anomaly(root)
    return _draw((root,), origin, set(poisoned), None, **kwargs)


def _draw(roots: tuple, origin: Any, poisoned: set, grad_of: Any, rankdir: str = "LR",
          show_grad: bool = True, max_nodes: int | None = None, **plan_kwargs: Any) -> Any:
    from .viz import records as R
    from .viz.draw import GraphPlan

    poison = R.Style("#ffcdd2", "#c62828", 2)

    class AnomalyPlan(GraphPlan):
        def style(self, node: Any) -> Any:
            return poison if node in poisoned else super().style(node)

    plan = AnomalyPlan(list(roots), max_nodes=max_nodes, **plan_kwargs)
    return plan.draw(rankdir=rankdir, show_grad=show_grad, grad_of=grad_of, highlight=origin,
                     legend=False,  # the viz legend's words are the step-through's
                     title="anomaly: the origin in yellow, the nodes it poisoned in red")
