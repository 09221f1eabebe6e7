"""``gradient_flow``: per-layer gradient norms of a model after ``backward()``.

Why: a network whose early layers receive gradients a thousand times smaller than its last
layer's barely trains them (vanishing gradients: deep sigmoid stacks are the classic case); one
whose gradients grow layer by layer diverges (exploding). Both are invisible in the loss curve
until too late, and obvious in one table or one log-scale bar chart of ``||grad||`` per layer.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np

from .params import layer_names, named_parameters
from .records import fmt_number


@dataclass(frozen=True)
class LayerGrad:
    """One row of the report: a layer (or parameter) and its norms.

    ``grad_norm`` is the 2-norm of all its parameters' gradients together (None when none of
    them has a gradient yet); ``ratio`` is ``grad_norm / param_norm``, roughly the relative
    change one SGD step of learning rate 1 would make (None when undefined).
    """

    name: str
    grad_norm: float | None
    param_norm: float
    ratio: float | None
    size: int


def gradient_flow(model: Any, by: str = "layer") -> GradientFlow:
    """The gradient norms of ``model``'s parameters, one row per layer, in forward order.

    ``model`` is an ``nn`` module, a dict name -> parameter, or an iterable of
    ``(name, parameter)`` pairs (or bare parameters). ``by="layer"`` sums a layer's weight and
    bias (a micrograd ``MLP`` groups its scalar parameters by ``Layer``);
    ``by="parameter"`` gives one row per named parameter. Call it after ``backward()``.

    >>> import numpy as np
    >>> import nn
    >>> from autograd import Tensor, gradient_flow
    >>> _ = nn.manual_seed(0)      # the initial weights (it returns the generator)
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    >>> loss = (model(Tensor(np.ones((5, 4)))) ** 2).mean()
    >>> loss.backward()
    >>> report = gradient_flow(model)
    >>> [(layer.name, layer.size) for layer in report.layers]   # Linear 0 and Linear 2
    [('0', 40), ('2', 9)]
    >>> print(report)    # doctest: +ELLIPSIS
    layer  params  grad norm  param norm  grad/param
    -----  ------  ---------  ----------  ----------
    0          40  ...
    2           9  ...
    healthy: first/last layer gradient ratio ...
    >>> ax = report.plot()       # log-scale bars (matplotlib): vanishing shows as a slope
    """
    if model is None:
        raise TypeError("gradient_flow: model must be a module, a dict name -> parameter or an "
                        "iterable of parameters, got None")
    if by not in ("layer", "parameter"):
        raise ValueError(f"by must be 'layer' or 'parameter', got {by!r}")
    named = named_parameters(model)
    if not named:
        raise ValueError("gradient_flow: the model has no parameters")
    if by == "parameter":
        groups = {name: [node] for name, node in named}
    else:
        layers = layer_names(model, named)
        groups: dict[str, list] = {}
        for _, node in named:
            groups.setdefault(layers[node] or "(model)", []).append(node)
    rows = []
    for name, nodes in groups.items():
        grads = [np.asarray(n.grad, dtype=np.float64) for n in nodes if n.grad is not None]
        grad_norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads)) if grads else None
        param_norm = math.sqrt(
            sum(float(np.sum(np.asarray(n.data, dtype=np.float64) ** 2)) for n in nodes)
        )
        ratio = grad_norm / param_norm if grad_norm is not None and param_norm > 0 else None
        size = sum(int(np.size(n.data)) for n in nodes)
        rows.append(LayerGrad(name, grad_norm, param_norm, ratio, size))
    return GradientFlow(rows)


class GradientFlow:
    """The per-layer report: iterate or index its :class:`LayerGrad` rows (by position or
    name), ``print`` it for a table, show it in Jupyter, or ``plot()`` it."""

    def __init__(self, layers: list[LayerGrad]) -> None:
        self.layers = list(layers)

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[LayerGrad]:
        return iter(self.layers)

    def __getitem__(self, key: int | str) -> LayerGrad:
        if isinstance(key, str):
            for row in self.layers:
                if row.name == key:
                    return row
            raise KeyError(f"no layer {key!r}; layers are {[r.name for r in self.layers]}")
        return self.layers[key]

    @property
    def grad_norms(self) -> list[float | None]:
        return [row.grad_norm for row in self.layers]

    def first_to_last(self) -> float | None:
        """First layer's grad norm over the last layer's: << 1 vanishing, >> 1 exploding."""
        first, last = self.layers[0].grad_norm, self.layers[-1].grad_norm
        if first is None or last is None or last == 0.0 or len(self.layers) < 2:
            return None
        return first / last

    def verdict(self) -> str:
        """One line reading the numbers: vanishing, exploding, non-finite, missing or healthy."""
        bad = [r.name for r in self.layers
               if r.grad_norm is not None and not math.isfinite(r.grad_norm)]
        if bad:
            return f"non-finite gradients (nan/inf) in {', '.join(bad)}"
        missing = [r.name for r in self.layers if r.grad_norm is None]
        zero = [r.name for r in self.layers if r.grad_norm == 0.0]
        notes = []
        if missing:
            notes.append(f"no gradient yet in {', '.join(missing)} (call backward() first?)")
        if zero:
            notes.append(f"zero gradient in {', '.join(zero)} (dead units or unused layer?)")
        r = self.first_to_last()
        if r is not None and r > 0:
            orders = math.log10(r)
            if orders <= -2:
                notes.append(f"vanishing: the first layer's gradient is {r:.1e} times the last's "
                             f"({-orders:.1f} orders of magnitude smaller)")
            elif orders >= 2:
                notes.append(f"exploding: the first layer's gradient is {r:.1e} times the last's")
            else:
                notes.append(f"healthy: first/last layer gradient ratio {r:.2g}")
        return "; ".join(notes) or "single layer: nothing to compare"

    def _table(self) -> list[list[str]]:
        rows = [["layer", "params", "grad norm", "param norm", "grad/param"]]
        for r in self.layers:
            rows.append([
                r.name, str(r.size),
                "None" if r.grad_norm is None else fmt_number(r.grad_norm),
                fmt_number(r.param_norm),
                "-" if r.ratio is None else fmt_number(r.ratio),
            ])
        return rows

    def __str__(self) -> str:
        rows = self._table()
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = [
            "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                      for i, (c, w) in enumerate(zip(row, widths)))
            for row in rows
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines + [self.verdict()])

    def __repr__(self) -> str:
        return f"GradientFlow({len(self)} layers: {self.verdict()})"

    def _repr_html_(self) -> str:
        rows = self._table()
        logs = [math.log10(r.grad_norm) for r in self.layers
                if r.grad_norm and math.isfinite(r.grad_norm)]
        lo, hi = (min(logs), max(logs)) if logs else (0.0, 0.0)
        head = "".join(f"<th>{escape(c)}</th>" for c in rows[0]) + "<th>log10 grad norm</th>"
        body = []
        for r, cells in zip(self.layers, rows[1:]):
            tds = "".join(
                f'<td style="text-align:{"left" if i == 0 else "right"}">{escape(c)}</td>'
                for i, c in enumerate(cells)
            )
            width = 0
            if r.grad_norm and math.isfinite(r.grad_norm):
                width = 10 + 90 * (math.log10(r.grad_norm) - lo) / (hi - lo) if hi > lo else 100
            tds += (f'<td><div style="background:#1976d2;height:10px;width:{width:.0f}px">'
                    "</div></td>")
            body.append(f"<tr>{tds}</tr>")
        return (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
                f"<p>{escape(self.verdict())}</p>")

    def plot(self, ax: Any = None, title: str | None = None) -> Any:
        """A log-scale bar chart of each layer's grad norm (bars) and grad/param ratio (dots),
        first layer on the left; returns the matplotlib ``Axes``."""
        import matplotlib.pyplot as plt

        if ax is None:  # constrained layout: a saved figure keeps its labels and legend whole
            _, ax = plt.subplots(figsize=(max(4.0, 0.6 * len(self) + 2), 3.2), layout="constrained")
        names = [r.name for r in self.layers]
        x = np.arange(len(self))

        def positive(v: float | None) -> float:
            return v if v is not None and math.isfinite(v) and v > 0 else np.nan

        grads = [positive(r.grad_norm) for r in self.layers]
        ratios = [positive(r.ratio) for r in self.layers]
        ax.bar(x, grads, color="#1976d2", label="grad norm")
        ax.plot(x, ratios, "o", color="#e65100", label="grad / param norm")
        ax.set_yscale("log")
        shown = [v for v in grads + ratios if not np.isnan(v)]
        if shown:  # at least four decades, so a flat profile looks flat and a slope looks steep
            lo, hi = math.log10(min(shown)), math.log10(max(shown))
            pad = max(0.0, 4.0 - (hi - lo)) / 2 + 0.3
            ax.set_ylim(10 ** (lo - pad), 10 ** (hi + pad))
        ax.set_xticks(x)
        crowded = sum(len(name) + 2 for name in names) > 50
        ax.set_xticklabels(names, rotation=40 if crowded else 0,
                           ha="right" if crowded else "center")
        ax.set_xlabel("layer (input → output)")
        ax.set_ylabel("norm (log scale)")
        ax.set_title(title or "gradient flow", fontsize=11, pad=20)
        ax.grid(axis="y", which="major", alpha=0.3)
        ax.legend(fontsize=8, ncol=2, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                  frameon=False, borderaxespad=0.2)
        for i, r in enumerate(self.layers):
            if np.isnan(grads[i]):
                ax.annotate("no grad" if r.grad_norm is None else "0", (i, 0),
                            xycoords=("data", "axes fraction"), ha="center", va="bottom",
                            fontsize=8, color="#b71c1c")
        return ax
