"""``explain(root)``: the chain rule exactly as the engine applies it, node by node.

Why: ``backward()`` is a loop over a graph, and what it does is easy to state but hard to see.
``explain`` replays that loop (reverse topological order, the same backward functions, the same
sums) and writes each step down::

    dL/dc = dL/dd * dd/dc = 1.0 * (1 - tanh(c)^2) = 1.0 * 0.42 = 0.42

A node used twice gets one term per use, added up, as the engine adds them. Each op has a
template for its local derivative (``TEMPLATES``; ops added later fall back to a generic
``d(op)/d(input)``). The numbers are the engine's own: each node's terms add up to the gradient
``backward()`` puts in its ``.grad``. ``.grad`` itself is never touched.

``format="text"`` prints plain lines, ``"markdown"`` and ``"latex"`` render as formulas in
Jupyter (the returned ``Explanation`` has ``_repr_markdown_`` / ``_repr_latex_``); ``str()`` is
always the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .engine import topological_order
from .grad_mode import no_grad

__all__ = [
    "explain", "Explanation", "ExplainStep", "Term", "TEMPLATES", "NO_GRADIENT_OPS", "template_for",
]

# Local derivatives d(out)/d(input), one per input position, in terms of the inputs' names
# ({a}, {b}), the result ({out}) and the op's constant ({c}). A template with {g} is a whole
# vector-Jacobian product (for ops that are not elementwise); the others multiply dL/d(out).
_Template = tuple[str, ...] | Callable[[Any, int, list], str]


def _dot_template(node: Any, k: int, names: list) -> str:
    n = node._ctx
    if k < n:
        return names[n + k]  # d(sum w_i x_i + b)/dw_k = x_k
    if k < 2 * n:
        return names[k - n]
    return "1"


TEMPLATES: dict[str, _Template] = {
    # elementwise, Value and Tensor
    "+": ("1", "1"),
    "-": ("1", "-1"),
    "*": ("{b}", "{a}"),
    "/": ("1/{b}", "-{a}/{b}^2"),
    "**": ("{b} * {a}^({b} - 1)", "{a}^{b} * log({a})"),
    "neg": ("-1",),
    "abs": ("sign({a})",),
    "exp": ("exp({a})",),
    "log": ("1/{a}",),
    "sqrt": ("1/(2 sqrt({a}))",),
    "tanh": ("(1 - tanh({a})^2)",),
    "sigmoid": ("sigmoid({a}) * (1 - sigmoid({a}))",),
    "ReLU": ("[{a} > 0]",),
    "LeakyReLU": ("(1 if {a} > 0 else slope)",),
    "ELU": ("(1 if {a} > 0 else alpha * exp({a}))",),
    "sin": ("cos({a})",),
    "cos": ("-sin({a})",),
    "clip": ("[lo <= {a} <= hi]",),
    # a number on the left of a Value op: c + a, c - a, c * a, c / a, c ** a
    "c+": ("1",),
    "c-": ("-1",),
    "c*": ("{c}",),
    "c/": ("-{c}/{a}^2",),
    "c**": ("{c}^{a} * log({c})",),
    "dot": _dot_template,
    # Tensor ops that are not elementwise: the whole vector-Jacobian product
    "@": ("{g} @ {b}^T", "{a}^T @ {g}"),
    "linear": ("{g} @ {b}", "{g}^T @ {a}", "sum of {g} over the batch"),
    "sum": ("{g} broadcast to the shape of {a}",),
    "mean": ("{g} / n broadcast to the shape of {a}",),
    "max": ("{g} at the maxima of {a} (shared at ties)",),
    "min": ("{g} at the minima of {a} (shared at ties)",),
    "reshape": ("{g} reshaped to the shape of {a}",),
    "transpose": ("{g} with the axes put back",),
    "broadcast": ("{g} summed to the shape of {a}",),
    "index": ("zeros with {g} added at the index (repeats add up)",),
    "index_add": ("{g} at the index",),
    "concat": ("the slice of {g} that came from {a}",),
    "stack": ("the slice of {g} that came from {a}",),
    "where": ("{g} where cond", "{g} where not cond"),
    "maximum": ("{g} where {a} > {b} (half at ties)", "{g} where {b} > {a} (half at ties)"),
    "minimum": ("{g} where {a} < {b} (half at ties)", "{g} where {b} < {a} (half at ties)"),
    "log_softmax": ("{g} - softmax({a}) * sum({g})",),
    "cross_entropy": ("{g} * (softmax({a}) - onehot(labels)) (/ N for the mean)",),
    "softmax": ("softmax({a}) * ({g} - sum({g} * softmax({a})))",),
    "logsumexp": ("{g} * softmax({a}) over the reduced axes",),
    "cumsum": ("reversed cumulative sum of {g} along the axis",),
    "gather": ("zeros with {g} added at the gathered index (repeats add up)",),
    "pick": ("zeros with {g} added at the picked positions (repeats add up)",),
    "put_add": ("{g} at the positions added into",),
    "pad": ("{g} with the padding cut off",),
    "astype": ("{g} cast back to the dtype of {a}",),
    "conv2d": ("transposed convolution of {g} with {b}", "convolution of {a} with {g}",
               "{g} summed over batch, height and width"),
    "conv2d_input_grad": ("convolution of {g}' with {b}", "convolution of {g}' with {a}"),
    "conv2d_weight_grad": ("transposed convolution of {b} with {g}'",
                           "convolution of {a} with {g}'"),
    "normalize": ("(weight * invstd) * ({g} - mean({g}) - xhat * mean({g} * xhat))",
                  "sum of {g} * xhat over the normalized axes", "sum of {g} over those axes"),
    "zero": ("0",),  # a zero slope recorded under create_graph (relu, abs at a kink)
}

# Ops whose results are integer or boolean: they never record a node, so need no template.
NO_GRADIENT_OPS = frozenset({"argmax", "argmin"})

# Value ops with a number operand have one parent and the number in ctx: a + c, a * c, a ** c.
_ONE_PARENT = {
    "+": ("1",),
    "-": ("1",),
    "*": ("{c}",),
    "/": ("{c}",),  # ctx holds the slope 1/c
    "**": ("{c} * {a}^({c} - 1)",),
}


def template_for(node: Any, k: int, names: list) -> str:
    """The local-derivative template of ``node``'s op for its input ``k``, names filled in.

    Ops without a template (added later, or a user ``Function``) get ``d(op)/d(input)``.
    """
    op = node._op
    template = _ONE_PARENT.get(op) if len(node._prev) == 1 else None
    template = template or TEMPLATES.get(op)
    if template is None:
        return f"d{op}/d{names[k]}"
    if callable(template):
        return template(node, k, names)
    text = template[min(k, len(template) - 1)]
    c = node._ctx
    fields = {"a": names[0], "b": names[1] if len(names) > 1 else "",
              "c": _num(c) if isinstance(c, (int, float)) else "c", "g": "{g}"}
    if k > 0 and op in ("concat", "stack"):
        fields["a"] = names[k]
    return text.format(**fields)


def _num(x: Any) -> str:
    """A number as Python prints it (shortest exact form), so printed terms add up exactly."""
    return repr(float(x))


def _show(x: Any, digits: int | None = None) -> str:
    """A scalar exactly (or to ``digits`` significant digits); an array to 4 (or ``digits``)
    digits: its exact values are in the ``Term``."""
    if isinstance(x, np.ndarray) and x.ndim > 0:
        return np.array2string(x, precision=digits or 4, threshold=6, edgeitems=2,
                               separator=", ", suppress_small=True).replace("\n", "")
    scalar = float(np.asarray(x).reshape(()))
    return _num(scalar) if digits is None else f"{scalar:.{digits}g}"


@dataclass
class Term:
    """One use of a node: ``dL/d(child) * d(child)/d(node)`` and its value (the engine's)."""

    child: Any
    upstream: Any  # dL/d(child)
    template: str  # the local derivative (or the whole vjp, with {g})
    local: Any  # d(child)/d(node) as a number, for scalars; None otherwise
    contribution: Any  # what the engine adds into dL/d(node) for this use


@dataclass
class ExplainStep:
    """One node in backward order: its name, its terms, and their sum (its gradient)."""

    node: Any
    name: str
    terms: list = field(default_factory=list)
    grad: Any = None


class Explanation:
    """The chain rule as applied, one ``ExplainStep`` per node (``.steps``, backward order).

    ``str()`` gives the text; in Jupyter it renders as Markdown or LaTeX when asked for.
    """

    def __init__(self, steps: list, root_name: str, names: dict, fmt: str,
                 digits: int | None = None) -> None:
        self.steps = steps
        self.root_name = root_name
        self.names = names
        self.format = fmt
        self.digits = digits

    def _show(self, x: Any) -> str:
        return _show(x, self.digits)

    def _tex_number(self, x: Any) -> str:
        return _tex_exponents(self._show(x))

    def lines(self) -> list[str]:
        return [self._line(step) for step in self.steps]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str | None:
        if self.format != "markdown":
            return None
        return "\n".join(f"- ${self._latex_line(s)}$" for s in self.steps)

    def _repr_latex_(self) -> str | None:
        if self.format != "latex":
            return None
        rows = " \\\\\n".join(self._latex_line(s, align=True) for s in self.steps)
        return f"$$\\begin{{aligned}}\n{rows}\n\\end{{aligned}}$$"

    def markdown(self) -> str:
        return "\n".join(f"- ${self._latex_line(s)}$" for s in self.steps)

    def latex(self) -> str:
        rows = " \\\\\n".join(self._latex_line(s, align=True) for s in self.steps)
        return f"\\begin{{aligned}}\n{rows}\n\\end{{aligned}}"

    # ------------------------------------------------------------------------------ text

    def _d(self, name: str) -> str:
        return f"d{self.root_name}/d{name}"

    def _line(self, step: ExplainStep) -> str:
        left = self._d(step.name)
        if not step.terms:
            return f"{left} = {self._show(step.grad)}  (the seed)"
        symbolic = " + ".join(
            f"{self._d(self.names[t.child])} * d{self.names[t.child]}/d{step.name}"
            for t in step.terms
        )
        scalar = all(t.local is not None for t in step.terms)
        if scalar:
            show = self._show
            with_g = " + ".join(_apply(t.template, show(t.upstream)) for t in step.terms)
            numbers = " + ".join(f"{show(t.upstream)} * {show(t.local)}" for t in step.terms)
            if len(step.terms) > 1:  # each use's contribution, then their sum
                numbers += " = " + " + ".join(self._show(t.contribution) for t in step.terms)
            return f"{left} = {symbolic} = {with_g} = {numbers} = {self._show(step.grad)}"
        with_g = " + ".join(_apply(t.template, self._d(self.names[t.child]))
                            for t in step.terms)
        return f"{left} = {symbolic} = {with_g} = {self._show(step.grad)}"

    # ----------------------------------------------------------------------------- LaTeX

    def _ld(self, name: str) -> str:
        return f"\\frac{{\\partial {_tex_name(self.root_name)}}}{{\\partial {_tex_name(name)}}}"

    def _latex_line(self, step: ExplainStep, align: bool = False) -> str:
        eq = "&=" if align else "="
        left = self._ld(step.name)
        if not step.terms:
            return f"{left} {eq} {self._tex_number(step.grad)} \\quad \\text{{(the seed)}}"
        symbolic = " + ".join(
            f"{self._ld(self.names[t.child])} \\cdot \\frac{{\\partial "
            f"{_tex_name(self.names[t.child])}}}{{\\partial {_tex_name(step.name)}}}"
            for t in step.terms
        )
        scalar = all(t.local is not None for t in step.terms)
        if scalar:
            with_g = " + ".join(_tex(_apply(t.template, self._show(t.upstream)))
                                for t in step.terms)
            return (f"{left} {eq} {symbolic} = {with_g} = "
                    f"{self._tex_number(step.grad)}")
        with_g = " + ".join(_tex(_apply(t.template, "G_{" + _tex_name(self.names[t.child]) + "}"))
                            for t in step.terms)
        return f"{left} {eq} {symbolic} = {with_g}"


def _apply(template: str, g: str) -> str:
    """The term as written: ``g * (local)``, or the template itself when it is a whole vjp."""
    if "{g}" in template:
        return template.replace("{g}", g)
    return f"{g} * {template}"


_FUNCS = ("tanh", "exp", "log", "sin", "cos", "sigmoid", "sign", "softmax", "sqrt")


def _tex_name(name: str) -> str:
    m = re.fullmatch(r"([A-Za-z])(\d+)", name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    if len(name) == 1:
        return name
    return "\\mathrm{" + name.replace("_", "\\_") + "}"


def _tex_exponents(text: str) -> str:
    """2.5e-05 as 2.5 \\times 10^{-5}."""
    return re.sub(r"(\d)e([+-])0*(\d+)",
                  lambda m: f"{m.group(1)} \\times 10^{{{m.group(2).strip('+')}{m.group(3)}}}",
                  text)


def _tex(text: str) -> str:
    """A template as LaTeX: functions, powers, products, transposes; words as text."""
    out = re.sub(r"sqrt\(([^()]*)\)", r"\\sqrt{\1}", _tex_exponents(text))
    out = re.sub(r"\^\(([^()]*)\)", r"^{\1}", out)
    out = out.replace("^T", "^{\\top}").replace("*", "\\cdot ").replace("@", "\\,")
    for f in _FUNCS:
        out = re.sub(rf"\b{f}\(", rf"\\operatorname{{{f}}}(", out)
    out = re.sub(r"\b([A-Za-z]{3,}(?: [A-Za-z]{2,})+)\b",
                 lambda m: f"\\text{{ {m.group(1)} }}", out)  # runs of words
    return re.sub(r"\b([A-Za-z])(\d+)\b", r"\1_{\2}", out)  # v12 as v_{12}, as in the fractions


def explain(root: Any, format: str = "text", digits: int | None = None) -> Explanation:
    """The chain rule as the engine applies it from ``root``, one line per node, backward order.

    ``format``: ``"text"``, ``"markdown"`` or ``"latex"`` (how it shows in Jupyter; ``str()``
    is always text). Nodes are named by their ``label``, else ``v1, v2, ...`` (``t1, ...`` for
    Tensors) in the order they were created; the output is ``L`` unless labelled. Numbers are
    printed exactly (Python's shortest repr, so the printed terms add up to ``.grad``), or to
    ``digits`` significant digits when given; arrays to 4 digits.

    >>> from autograd import Value, explain
    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> c = a * b; c.label = "c"
    >>> L = c + a; L.label = "L"
    >>> print(explain(L))  # doctest: +NORMALIZE_WHITESPACE
    dL/dL = 1.0  (the seed)
    dL/dc = dL/dL * dL/dc = 1.0 * 1 = 1.0 * 1.0 = 1.0
    dL/db = dL/dc * dc/db = 1.0 * a = 1.0 * 2.0 = 2.0
    dL/da = dL/dL * dL/da + dL/dc * dc/da = 1.0 * 1 + 1.0 * b
          = 1.0 * 1.0 + 1.0 * -3.0 = 1.0 + -3.0 = -2.0
    """
    if format not in ("text", "markdown", "latex"):
        raise ValueError(f"explain: format must be 'text', 'markdown' or 'latex', got {format!r}")
    if not hasattr(root, "_prev"):
        raise TypeError(f"explain: root must be a Value or a Tensor, got {type(root).__name__}")
    is_tensor = isinstance(root.data, np.ndarray)
    if is_tensor and root.data.size != 1:
        raise ValueError(f"explain: root must have one element, got shape {root.data.shape}")
    order = topological_order([root])
    names = _names(order, root)
    seed = np.ones_like(root.data) if is_tensor else 1.0
    grads: dict = {root: seed}
    steps: dict = {root: ExplainStep(root, names[root], [], seed)}
    walk = [root]
    with no_grad(), np.errstate(all="ignore"):
        for node in reversed(order):
            g = grads.get(node)
            if node._back is None or g is None:
                continue
            inputs = [p.data for p in node._prev]
            pgs = node._back(node._ctx, g, node.data, *inputs)
            locals_ = None
            if not is_tensor:
                locals_ = node._back(node._ctx, 1.0, node.data, *inputs)
            parent_names = [names[p] for p in node._prev]
            for k, (parent, pg) in enumerate(zip(node._prev, pgs)):
                if pg is None or not parent.requires_grad:
                    continue
                old = grads.get(parent)
                grads[parent] = pg if old is None else old + pg
                if parent not in steps:
                    steps[parent] = ExplainStep(parent, names[parent])
                    walk.append(parent)
                local = locals_[k] if locals_ is not None else None
                steps[parent].terms.append(
                    Term(node, g, template_for(node, k, parent_names), local, pg))
    for node, step in steps.items():
        step.grad = grads[node]
    ranked = {n: i for i, n in enumerate(reversed(order))}
    ordered = sorted(steps.values(), key=lambda s: ranked[s.node])
    return Explanation(ordered, names[root], names, format, digits)


def _names(order: list, root: Any) -> dict:
    """label, else a constant's value, else v1, v2, ... (t1, ... for Tensors) in forward order."""
    names: dict = {}
    count = 0
    for node in order:
        if node.label:
            names[node] = node.label
        elif node is root:
            names[node] = "L"
        elif not node._prev and not node.requires_grad and np.size(node.data) == 1:
            names[node] = _num(np.asarray(node.data).reshape(()))
        else:
            count += 1
            names[node] = ("t" if isinstance(node.data, np.ndarray) else "v") + str(count)
    return names
