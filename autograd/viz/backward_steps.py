"""``backward_steps``: the backward pass one node at a time, as a sequence of drawings.

Why: ``backward()`` fills in every gradient at once, so how the chain rule gets there stays
invisible. Here frame ``i`` shows the graph after the ``i``-th node of the engine's reverse
topological order has its gradient completed (every use of it summed): that node is
highlighted, nodes already done show their gradient, the rest show ``grad ?``. The gradients
come from ``engine.propagate`` on the side, so the user's ``.grad`` values are never touched.

In Jupyter the object shows a step bar (a slider with ``ipywidgets`` when installed, else
plain HTML and CSS, no JavaScript); ``save(dir)`` writes one SVG per step and an HTML page that
plays them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from .. import engine
from . import records as R
from .draw import GraphPlan, _op_label, check_rankdir


def backward_steps(
    root: Any,
    gradient: Any = None,
    *,
    params: Any = None,
    rankdir: str = "LR",
    max_nodes: int | None = None,
) -> BackwardSteps:
    """Step through ``root``'s backward pass: a :class:`BackwardSteps` with one frame per node.

    ``gradient`` seeds a non-scalar Tensor output, as in ``Tensor.backward(gradient)``.
    ``params``, ``rankdir`` and ``max_nodes`` are as in :func:`draw_dot`. No ``.grad`` changes.

    >>> import tempfile
    >>> from autograd import Value, backward_steps
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> loss = a * b + b
    >>> steps = backward_steps(loss)  # in Jupyter: the graph with a step bar
    >>> len(steps), steps[0].node is loss, steps[0].grad
    (4, True, 1.0)
    >>> steps[1]
    Step(2/4: grad of the '*' output = 1.0000; '*' passes it back to 2 inputs)
    >>> [p.name for p in steps.save(tempfile.mkdtemp())]   # one SVG per step and a page
    ['step_000.svg', 'step_001.svg', 'step_002.svg', 'step_003.svg', 'backward_steps.html']
    """
    return BackwardSteps(root, gradient, params=params, rankdir=rankdir, max_nodes=max_nodes)


@dataclass(frozen=True, eq=False)
class Step:
    """One frame: ``node``'s gradient ``grad`` has just been completed.

    ``grads`` maps every node completed so far (this one included) to its gradient;
    ``graph`` is the frame's drawing (a ``graphviz.Digraph``, shown as SVG in Jupyter).
    """

    index: int
    node: Any
    grad: Any
    steps: BackwardSteps = field(repr=False)

    @property
    def grads(self) -> dict:
        done = self.steps.order[: self.index + 1]
        return {n: self.steps.grads.get(n) for n in done}

    @property
    def graph(self) -> Any:
        return self.steps._draw(self.index)

    def svg(self) -> str:
        """This frame as an SVG document (a string), its caption drawn above the graph."""
        return self.graph.svg()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kw: Any) -> dict:
        return self.graph._repr_mimebundle_(include=include, exclude=exclude, **kw)

    def __repr__(self) -> str:
        return f"Step({self.index + 1}/{len(self.steps)}: {self.steps.describe(self.index)})"


class BackwardSteps:
    """The frames of one backward pass, in the engine's reverse topological order.

    Indexable (``steps[0]`` is the output, seeded with 1) and iterable; each :class:`Step`
    exposes ``node``, ``grad``, ``grads`` and ``graph``.
    """

    def __init__(
        self,
        root: Any,
        gradient: Any = None,
        *,
        params: Any = None,
        rankdir: str = "LR",
        max_nodes: int | None = None,
    ) -> None:
        if not hasattr(root, "_prev"):
            raise TypeError(f"backward_steps takes a Value or Tensor, got {type(root).__name__}")
        if not root.requires_grad:
            raise RuntimeError("backward_steps: the output does not require grad (no graph)")
        check_rankdir(rankdir, "backward_steps")
        seed = root._seed(gradient, create_graph=False)
        self.root = root
        grads = engine.propagate((root,), (seed,))
        self.grads = {node: g for node, g in grads.items() if node.requires_grad}
        self.order = list(reversed(engine.topological_order((root,))))
        self.position = {node: i for i, node in enumerate(self.order)}
        self.rankdir = rankdir
        self._plan = GraphPlan(root, params=params, max_nodes=max_nodes)
        self._sizes = {}
        for node in self._plan.nodes:
            tensor = R.is_tensor(node)
            w, h = R.text_size(R.grad_lines(self.grads.get(node), tensor))
            self._sizes[node] = (max(w, R.text_size(["grad ?"])[0]), h)

    # ------------------------------------------------------------------ sequence

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"step {i} out of range for {n} steps")
        i %= n
        node = self.order[i]
        return Step(i, node, self.grads.get(node), self)

    def __iter__(self) -> Iterator[Step]:
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        return f"BackwardSteps({len(self)} steps, output {self._name(self.root)})"

    # ------------------------------------------------------------------- drawing

    def _name(self, node: Any) -> str:
        """The node's label or parameter name, else what made it ("the tanh output")."""
        name = self._plan.name(node)
        if name:
            return name
        return f"the '{_op_label(node)}' output" if node._prev else "an unnamed leaf"

    def describe(self, i: int) -> str:
        """One line on frame ``i``: whose gradient is complete and where it goes next."""
        node = self.order[i]
        g = self.grads.get(node)
        if g is None:
            value = "None (does not require grad)"
        elif R.is_tensor(node):
            value = f"shape {tuple(g.shape)}" if np.size(g) > 1 else R.fmt_number(np.ravel(g)[0])
        else:
            value = R.fmt_number(g)
        text = f"grad of {self._name(node)} = {value}"
        if i == 0:
            text += " (the seed)"
        if node._prev and g is not None:
            k = len(node._prev)
            text += f"; '{_op_label(node)}' passes it back to {k} input{'s' * (k != 1)}"
        elif not node._prev:
            text += "; a leaf: nothing to pass on"
        if node not in self._plan.kept:
            text += " (node not drawn: raise max_nodes)"
        return text

    def _draw(self, i: int, titled: bool = True) -> Any:
        position, grads = self.position, self.grads

        def grad_of(node: Any) -> Any:
            return grads.get(node) if position[node] <= i else R.PENDING

        title = f"step {i + 1} of {len(self)}: {self.describe(i)}" if titled else None
        return self._plan.draw(
            rankdir=self.rankdir, grad_of=grad_of, highlight=self.order[i],
            grad_sizes=self._sizes, title=title,
        )

    # --------------------------------------------------------------- display, save

    def html(self, seconds_per_step: float = 1.0, max_frames: int = 100) -> str:
        """The frames as one self-contained HTML fragment: step buttons and a play button.

        Pure HTML and CSS (radio buttons select the frame, a CSS animation plays them), so it
        works in any notebook front end and as a saved page, with no JavaScript. Each frame is
        one Graphviz render, so only the first ``max_frames`` are included; index the others
        (``steps[i]``) or ``save()`` them. Each frame shrinks to the page's width when wider.
        """
        shown = self[:max_frames]
        svgs = [_frame_html(self._draw(step.index, titled=False).svg()) for step in shown]
        captions = [self.describe(step.index) for step in shown]
        note = ""
        if len(shown) < len(self):
            note = (f"showing the first {len(shown)} of {len(self)} steps; "
                    "index the rest with steps[i] or write them all with steps.save(dir)")
        return _stepper_html(svgs, captions, seconds_per_step, note)

    def _repr_html_(self) -> str:
        return self.html()

    def show(self, mode: str = "auto") -> None:
        """Display in Jupyter: ``"widget"`` (ipywidgets slider), ``"html"`` (step bar) or
        ``"frames"`` (every frame one after another); ``"auto"`` picks the widget if installed.
        """
        from IPython.display import HTML, display

        if mode == "auto":
            try:
                import ipywidgets  # noqa: F401

                mode = "widget"
            except ImportError:
                mode = "html"
        if mode == "widget":
            import ipywidgets as widgets

            def show_step(step: int) -> None:
                display(self[step - 1].graph)

            widgets.interact(show_step, step=widgets.IntSlider(1, 1, len(self), 1))
        elif mode == "html":
            display(HTML(self.html()))
        elif mode == "frames":
            for step in self:
                display(step.graph)
        else:
            raise ValueError(f"mode must be 'auto', 'widget', 'html' or 'frames', got {mode!r}")

    def save(self, directory: str | Path, html: bool = True) -> list[Path]:
        """Write ``step_000.svg``, ``step_001.svg``, ... (and ``backward_steps.html``, a page
        that steps through and plays them) into ``directory``; returns the paths written."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        svgs = []
        for step in self:
            svg = step.svg()
            svgs.append(svg)
            path = out / f"step_{step.index:03d}.svg"
            path.write_text(svg, encoding="utf-8")
            paths.append(path)
        if html:
            captions = [self.describe(i) for i in range(len(self))]
            page = _stepper_html([_frame_html(s) for s in svgs], captions, 1.0)
            path = out / "backward_steps.html"
            path.write_text(
                "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>backward pass</title>"
                f"</head><body>{page}</body></html>\n", encoding="utf-8",
            )
            paths.append(path)
        return paths


_ids = itertools.count()


def _frame_html(svg: str) -> str:
    """A frame as HTML that fits the page (see ``digraph.html_figure``)."""
    from .digraph import html_figure

    return html_figure(svg, alt="a frame of the backward pass")


def _stepper_html(svgs: list[str], captions: list[str], seconds: float, note: str = "") -> str:
    """Radio buttons + CSS: one visible frame at a time, or all of them played in a loop."""
    uid = f"crsteps{next(_ids)}"
    n = len(svgs)
    rules = [
        f"#{uid} input{{display:none}}",
        f"#{uid} .bar label{{display:inline-block;min-width:1.6em;padding:1px 4px;margin:1px;"
        "border:1px solid #bbb;border-radius:3px;text-align:center;cursor:pointer;"
        "font:12px sans-serif}",
        f"#{uid} .frames{{position:relative}}",
        f"#{uid} .frame{{display:none}}",
        f"#{uid} .frame p{{font:12px sans-serif;margin:4px 0}}",
        f"@keyframes {uid}play{{0%{{visibility:visible}}{100 / n:.4f}%{{visibility:hidden}}"
        "100%{visibility:hidden}}",
        f"#{uid} #{uid}-play:checked ~ .frames .frame{{display:block;position:absolute;top:0;"
        f"left:0;width:100%;visibility:hidden;"
        f"animation:{uid}play {n * seconds:g}s step-end infinite}}",
        f"#{uid} #{uid}-play:checked ~ .frames .f0{{position:relative}}",
        f"#{uid} #{uid}-play:checked ~ .bar label[for={uid}-play]"
        "{background:#d32f2f;color:#fff}",
    ]
    for i in range(n):
        rules.append(f"#{uid} #{uid}-s{i}:checked ~ .frames .f{i}{{display:block}}")
        rules.append(
            f"#{uid} #{uid}-s{i}:checked ~ .bar label[for={uid}-s{i}]"
            "{background:#d32f2f;color:#fff}"
        )
        rules.append(
            f"#{uid} #{uid}-play:checked ~ .frames .f{i}{{animation-delay:{i * seconds:g}s}}"
        )
    radios = f'<input type="radio" name="{uid}" id="{uid}-play">' + "".join(
        f'<input type="radio" name="{uid}" id="{uid}-s{i}"{" checked" if i == 0 else ""}>'
        for i in range(n)
    )
    bar = f'<label for="{uid}-play">&#9654; play</label>' + "".join(
        f'<label for="{uid}-s{i}">{i + 1}</label>' for i in range(n)
    )
    frames = "".join(
        f'<div class="frame f{i}"><p>{escape(captions[i])}</p>{svg}</div>'
        for i, svg in enumerate(svgs)
    )
    note = f'<p style="font:12px sans-serif">{escape(note)}</p>' if note else ""
    return (
        f'<div id="{uid}"><style>{"".join(rules)}</style>{radios}'
        f'<div class="bar">{bar}</div>{note}<div class="frames">{frames}</div></div>'
    )


