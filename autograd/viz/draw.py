"""``draw_dot``: draw a Value or Tensor graph with Graphviz, its data and gradients on every node.

Why: seeing the graph with its numbers is the quickest way to understand (and debug) the chain
rule. Each node is one record (label, data, grad), each op an ellipse between its inputs and its
result, and every use of an input is its own edge, so ``a + a`` shows two arrows (the gradient
of ``a`` is the sum over its uses). Parameters, other leaves and the output have their own
colours, explained by a legend. The walk is iterative and node ids follow the topological
order, so the same graph always gives the same DOT source. Above ``max_nodes`` the drawing keeps
the nodes nearest the output and sums up the rest in one box.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

import numpy as np

from . import records as R
from .params import layer_names, named_parameters
from .shown_grads import shown_grads

DEFAULT_MAX_NODES = 200


def draw_dot(
    root: Any,
    rankdir: str = "LR",
    show_grad: bool = True,
    max_nodes: int | None = None,
    *,
    params: Any = None,
    cluster: bool = False,
    legend: bool = True,
    title: str | None = None,
) -> Any:
    """The graph below ``root`` as a ``graphviz.Digraph`` (shown as SVG in Jupyter).

    Args:
        root: the output node (a ``Value`` or ``Tensor``), or a list of outputs.
        rankdir: Graphviz direction, ``"LR"`` (inputs left, output right) or ``"TB"``.
        show_grad: show each node's gradient. A Tensor leaf shows its ``.grad`` (``None``
            until a backward reaches it); after a backward from a one-element output, the
            intermediates show theirs, computed on the side (``.grad`` stays ``None`` on
            them, as in PyTorch; see ``autograd/viz/shown_grads.py``).
        max_nodes: most value nodes drawn (default 200); beyond it the nodes nearest the
            output are kept and one box says how many, and which, were left out.
        params: the model (``nn.Module``), a dict name -> node, or an iterable of nodes or
            ``(name, node)`` pairs. These are drawn as parameters, named when unlabelled.
            Without it, Tensor leaves with ``requires_grad=True`` count as parameters.
        cluster: draw one box per layer of ``params`` around its parameters and the ops
            that use them (off by default: boxes cannot overlap, so a deep model's drawing
            becomes a staircase).
        legend: add a small legend of the colours.
        title: a caption drawn above the graph.

    It renders (Jupyter's display, ``.svg()``, ``.pipe()``, ``.render()``) with the Graphviz
    library that pygraphviz bundles, no system install needed (see ``digraph``); without any
    Graphviz, rendering raises an error saying how to get it. ``.source`` always works.

    >>> from autograd import Value, draw_dot
    >>> a = Value(2.0, label="a")
    >>> b = a * a + 1
    >>> b.label = "b"
    >>> b.backward()
    >>> g = draw_dot(b)
    >>> "<b>a</b>" in g.source and "grad 4.0000" in g.source   # db/da = 2a, before rendering
    True
    >>> g.svg().count('class="node"')                         # a, a*a, b and their two ops
    5
    """
    check_rankdir(rankdir, "draw_dot")
    plan = GraphPlan(root, params=params, max_nodes=max_nodes, cluster=cluster)
    grad_of = shown_grads(plan.roots) if show_grad else None
    return plan.draw(rankdir=rankdir, show_grad=show_grad, legend=legend, title=title,
                     grad_of=grad_of)


RANKDIRS = ("LR", "TB", "RL", "BT")  # Graphviz's layout directions


def check_rankdir(rankdir: Any, who: str) -> None:
    """A ValueError naming ``rankdir`` unless it is one of Graphviz's directions."""
    if not isinstance(rankdir, str) or rankdir not in RANKDIRS:
        raise ValueError(f"{who}: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")


class GraphPlan:
    """What a drawing contains, decided once: node ids, kinds, names, clusters, what is hidden.

    The step-through reuses one plan for every frame, so all frames share ids and layout.
    """

    def __init__(
        self, root: Any, params: Any = None, max_nodes: int | None = None, cluster: bool = False
    ) -> None:
        self.roots = _as_roots(root)
        self.root_set = set(self.roots)  # a set: ``in`` on a tuple would call Tensor.__eq__
        if max_nodes is not None and (not isinstance(max_nodes, (int, np.integer))
                                      or isinstance(max_nodes, bool)):
            raise TypeError(f"max_nodes must be an int or None, got {type(max_nodes).__name__}: "
                            f"{max_nodes!r}")
        limit = DEFAULT_MAX_NODES if max_nodes is None else int(max_nodes)
        if limit < 1:
            raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")
        self.order = forward_order(self.roots)
        self.ids = {node: f"n{i}" for i, node in enumerate(self.order)}
        named = named_parameters(params)
        self.param_names = {node: name for name, node in named}
        self.explicit_params = params is not None
        kept = _nearest(self.roots, limit) if len(self.order) > limit else set(self.order)
        self.nodes = [n for n in self.order if n in kept]
        self.hidden = [n for n in self.order if n not in kept]
        self.kept = kept
        self.clusters = _clusters(self.order, layer_names(params, named)) if cluster else {}

    # ------------------------------------------------------------------------ kinds

    def is_param(self, node: Any) -> bool:
        if self.explicit_params:
            return node in self.param_names
        return not node._prev and R.is_tensor(node) and bool(node.requires_grad)

    def style(self, node: Any) -> R.Style:
        if node in self.root_set:
            return R.OUTPUT
        if self.is_param(node):
            return R.PARAMETER
        if not node._prev:
            return R.LEAF
        return R.COMPUTED

    def name(self, node: Any) -> str:
        """The node's label, else its parameter name (without its box's prefix, if boxed)."""
        if node.label:
            return node.label
        name = self.param_names.get(node, "")
        box = self.clusters.get(node)
        if box and name.startswith(box + "."):
            name = name[len(box) + 1 :]
        return name

    # ---------------------------------------------------------------------- drawing

    def draw(
        self,
        rankdir: str = "LR",
        show_grad: bool = True,
        legend: bool = True,
        title: str | None = None,
        grad_of: Callable[[Any], Any] | None = None,
        highlight: Any = None,
        grad_sizes: dict | None = None,
    ) -> Any:
        """A ``Drawing`` of the plan; the step-through passes ``grad_of``/``highlight``."""
        from .digraph import Drawing

        grad_of = grad_of or (lambda node: node.grad)
        g = Drawing(name="chainrule", format="svg")
        # nslimit caps the network simplex that places nodes at 3 passes per node: a node
        # used by hundreds of ops (a shared weight) took it 30-75 s; typical graphs converge
        # well before the cap (the same SVG for MLPs of 500 edges), a hub's now takes ~1 s
        g.attr(rankdir=rankdir, fontname=R.FONT, fontsize="11", nodesep="0.25", ranksep="0.35",
               newrank="true", nslimit="3")
        g.attr("node", fontname=R.FONT, fontsize="11", shape="plaintext", margin="0")
        g.attr("edge", color="#616161", arrowsize="0.6")
        groups: dict[str | None, list[tuple[str, dict]]] = {}
        edges: list[tuple[str, str, dict]] = []
        missing_inputs = []
        for node in self.nodes:
            nid = self.ids[node]
            style = R.HIGHLIGHT if node is highlight else self.style(node)
            label = R.record_label(
                node, self.name(node), style, grad_of(node), show_grad,
                (grad_sizes or {}).get(node),
            )
            where = self.clusters.get(node)
            groups.setdefault(where, []).append((nid, {"label": label}))
            if not node._prev:
                continue
            op_id = nid + "op"
            hot = node is highlight
            op_attrs = {
                "label": _op_label(node), "shape": "ellipse", "style": "filled",
                "fillcolor": R.HIGHLIGHT.fill if hot else R.OP_FILL,
                "color": R.HIGHLIGHT.border if hot else R.OP_BORDER,
                "fontsize": "10", "margin": "0.04,0.02", "height": "0.3",
            }
            if hot:
                op_attrs["penwidth"] = "2"
            groups.setdefault(where, []).append((op_id, op_attrs))
            edges.append((op_id, nid, {}))
            hidden_input = False
            for parent in node._prev:  # one edge per use: a + a has two
                if parent in self.kept:
                    hot_edge = {"color": R.HIGHLIGHT.border, "penwidth": "2"} if hot else {}
                    edges.append((self.ids[parent], op_id, hot_edge))
                else:
                    hidden_input = True
            if hidden_input:
                missing_inputs.append(op_id)
        for where, items in groups.items():
            if where is None:
                for nid, attrs in items:
                    g.node(nid, **attrs)
                continue
            with g.subgraph(name=f"cluster_{_safe(where)}") as sub:
                sub.attr(label=where, style="rounded,dashed", color="#90a4ae",
                         fontcolor="#455a64", fontsize="10")
                for nid, attrs in items:
                    sub.node(nid, **attrs)
        for tail, head, attrs in edges:
            g.edge(tail, head, **attrs)
        if self.hidden:
            g.node("hidden", label=self.hidden_summary(), shape="box",
                   style="rounded,dashed,filled", fillcolor="#fafafa", color="#9e9e9e",
                   fontcolor="#424242", margin="0.15,0.08")
            for op_id in missing_inputs:
                g.edge("hidden", op_id, style="dashed", color="#9e9e9e")
        lines = [title] if title else []
        if self.hidden:
            lines.append(f"showing the {len(self.nodes)} nodes nearest the output; "
                         f"{len(self.hidden)} more not drawn (raise max_nodes to see them)")
        kinds = None
        if legend:
            kinds = {self.style(n) for n in self.nodes}
            if highlight is not None:
                kinds.add(R.HIGHLIGHT)
        if lines or kinds:  # the caption and legend sit above the graph, out of its layout
            g.attr(label=_caption(lines, kinds, show_grad), labelloc="t", labeljust="l")
        return g

    def hidden_summary(self) -> str:
        """The text of the "… N more nodes" box: counts of leaves, parameters and ops left out."""
        leaves = [n for n in self.hidden if not n._prev]
        params = sum(1 for n in leaves if self.is_param(n))
        ops = Counter(_op_label(n) for n in self.hidden if n._prev)
        lines = [f"… {len(self.hidden)} more nodes not drawn"]
        lines.append(f"{len(leaves)} leaves ({params} parameters)")
        if ops:
            common = ", ".join(f"{op} ×{k}" for op, k in ops.most_common(4))
            more = f" + {len(ops) - 4} kinds" if len(ops) > 4 else ""
            lines.append(f"ops: {common}{more}")
        return "\n".join(lines)


def _as_roots(root: Any) -> tuple:
    if hasattr(root, "_prev"):
        return (root,)
    roots = tuple(root) if isinstance(root, Iterable) else ()
    if not roots or not all(hasattr(r, "_prev") for r in roots):
        raise TypeError(
            f"draw_dot takes a Value or Tensor (or a list of them), got {type(root).__name__}"
        )
    return roots


def forward_order(roots: tuple) -> list:
    """Every node below ``roots``, each after its inputs, first inputs first (iterative DFS).

    The engine's order visits the last input first; drawing in this order instead puts ``a``
    above ``b`` in ``a * b``, as the expression reads. Same graph, same order: ids are stable.
    """
    order: list = []
    done: set = set()
    stack: list = [(r, False) for r in reversed(roots)]
    while stack:
        node, expanded = stack.pop()
        if node in done:
            continue
        if expanded or not node._prev:
            done.add(node)
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((p, False) for p in reversed(node._prev) if p not in done)
    return order


def _nearest(roots: tuple, limit: int) -> set:
    """The ``limit`` nodes nearest the outputs (breadth-first over inputs, iterative)."""
    kept: set = set()
    queue = deque(roots)
    while queue and len(kept) < limit:
        node = queue.popleft()
        if node in kept:
            continue
        kept.add(node)
        queue.extend(p for p in node._prev if p not in kept)
    return kept


def _op_label(node: Any) -> str:
    """``describe_op`` for Values (``"* 2"`` shows the number operand), else the op's name."""
    if not R.is_tensor(node):
        from ..value import describe_op

        return describe_op(node)
    op, ctx = node._op or "op", node._ctx
    try:  # a Tensor op's settings, where they are plain numbers
        if op == "**" and isinstance(ctx, (int, float)):
            return f"** {ctx:g}"
        if op in ("sum", "mean", "max", "min"):
            axes = tuple(ctx[0])
            if len(axes) < np.ndim(node._prev[0].data):  # not a full reduction
                return f"{op} axis={axes[0] if len(axes) == 1 else axes}"
    except (TypeError, IndexError, ValueError):
        pass
    return op


def _clusters(order: list, layers: dict) -> dict:
    """Node -> layer name for parameters and the ops that use them (forward order).

    A parameter belongs to its layer (see ``params.layer_names``); a node made only from one
    layer's parameters (``W.T``) too; an op that takes such a node (``x @ W.T``, ``+ b``)
    joins that layer; and an op whose inputs all sit in one layer (the activation after it)
    stays in it. Anything mixing layers, or a layer and outside data (the loss), stays outside
    every box.
    """
    pure: dict = {}  # node -> layer, for nodes built from one layer's parameters alone
    where: dict = {}
    for node in order:
        if node in layers:
            m = layers[node]
            if m:
                pure[node] = where[node] = m
            continue
        prev = node._prev
        if not prev:
            continue
        owners = {pure.get(p) for p in prev}
        if None not in owners and len(owners) == 1:
            pure[node] = where[node] = owners.pop()
            continue
        owners.discard(None)
        if len(owners) == 1:
            where[node] = owners.pop()
            continue
        if not owners:
            homes = {where.get(p) for p in prev}
            if len(homes) == 1 and None not in homes:
                where[node] = homes.pop()
    return where


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def _caption(lines: list[str], kinds: set | None, show_grad: bool) -> str:
    """The graph's label: caption lines (title, what was left out) over a one-row legend."""
    rows = "".join(f'<tr><td align="left"><font point-size="12">{escape(line)}</font></td></tr>'
                   for line in lines)
    if kinds:
        rows += f'<tr><td align="left">{_legend(kinds, show_grad)}</td></tr>'
    return f'<<table border="0" cellspacing="0" cellpadding="2">{rows}</table>>'


def _legend(kinds: set, show_grad: bool) -> str:
    """A one-row table of the colours in use (only the kinds this drawing has)."""
    rows = [
        (R.HIGHLIGHT, "grad just completed"),
        (R.OUTPUT, "output"),
        (R.PARAMETER, "parameter"),
        (R.LEAF, "input / constant"),
        (R.COMPUTED, "computed"),
    ]
    swatch = '<td bgcolor="{}" color="{}" border="{}" width="14"></td>'
    text = '<td align="left" border="0"><font point-size="9" color="{}">{}</font></td>'
    cells = "".join(swatch.format(s.fill, s.border, s.width) + text.format(R.MUTED, name)
                    for s, name in rows if s in kinds)
    cells += swatch.format(R.OP_FILL, R.OP_BORDER, 1) + text.format(R.MUTED, "op")
    if show_grad:
        cells += text.format(R.GRAD_COLOR, "grad = d output / d node")
    return (f'<table border="0" cellborder="1" cellspacing="3" cellpadding="1">'
            f'<tr><td border="0"><font point-size="9"><b>legend</b></font></td>{cells}</tr>'
            "</table>")
