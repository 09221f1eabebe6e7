"""Random computation graphs for property tests, each one printable as the Python that builds it.

Why: an engine bug hides in the *structure* of a graph (a node used twice, a diamond whose two
paths have different lengths, a broadcast, a reduction, an index that repeats an element), not
in any one op. ``graphs()`` (exported by ``autograd.testing``) draws small programs with all of
these: leaves, then steps, each step one op applied to earlier nodes, any of which may be used
again. Hypothesis shrinks a failing program to a few steps, and the failure report shows
``repr(graph)``: a script you can paste and run.

A ``Graph`` is plain data (the leaves' values and the steps); its function ``f`` is compiled from
its own source, so what runs is exactly what is printed. Ops are smooth everywhere (no kinks,
poles or domain limits), so finite differences are a fair reference at every drawn point.
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from hypothesis import strategies as st

__all__ = ["Graph", "graphs", "VALUE_OPS", "TENSOR_OPS"]


def _same(shape: tuple) -> tuple:
    return shape


def _reduce_last(shape: tuple) -> tuple | None:
    return shape[:-1] + (1,) if shape else None


def _reduce_first(shape: tuple) -> tuple | None:
    return (1,) + shape[1:] if shape else None


def _on(required: tuple, result: tuple) -> Callable[[tuple], tuple | None]:
    return lambda shape: result if shape == required else None


def _last_is_3(shape: tuple) -> tuple | None:
    return shape if shape and shape[-1] == 3 else None


# name -> (source template, shape rule: input shape -> output shape or None if not applicable)
UNARY: dict[str, tuple[str, Callable]] = {
    "tanh": ("{a}.tanh()", _same),
    "sigmoid": ("{a}.sigmoid()", _same),
    "sin": ("{a}.sin()", _same),
    "cos": ("{a}.cos()", _same),
    "square": ("{a} ** 2", _same),
    "scale": ("{a} * -1.5", _same),
    "shift": ("{a} + 0.5", _same),
    "rsub": ("2.0 - {a}", _same),
    "neg": ("-{a}", _same),
}
BINARY: dict[str, str] = {"add": "{a} + {b}", "sub": "{a} - {b}", "mul": "{a} * {b}"}
TENSOR_ONLY: dict[str, tuple[str, Callable]] = {
    "sum": ("{a}.sum()", lambda s: ()),
    "sum_last": ("{a}.sum(axis=-1, keepdims=True)", _reduce_last),
    "mean_first": ("{a}.mean(axis=0, keepdims=True)", _reduce_first),
    "row": ("{a}[1]", _on((2, 3), (3,))),
    "column": ("{a}[:, 1:2]", _on((2, 3), (2, 1))),
    "repeat_rows": ("{a}[[1, 1]]", _on((2, 3), (2, 3))),
    "repeat_columns": ("{a}[..., [2, 0, 2]]", _last_is_3),
}
VALUE_OPS = ("add", "sub", "mul", *UNARY)
TENSOR_OPS = (*VALUE_OPS, *TENSOR_ONLY)

# Every shape here broadcasts to (2, 3), so any two of them broadcast together.
LEAF_SHAPES = ((), (3,), (2, 1), (1, 3), (2, 3))

_counter = itertools.count()


@dataclass(frozen=True)
class Graph:
    """A random program: ``leaves`` (floats, or nested lists for Tensors) and ``steps``.

    Each step is ``(op, args)`` with ``args`` indexes into the nodes so far (leaves first). The
    last step is the output (a Tensor output is summed to a scalar). ``inputs()`` gives fresh
    leaves, ``f(*leaves)`` builds the graph, ``repr`` is a runnable script, ``size`` counts the
    nodes (leaves and steps).
    """

    kind: str
    leaves: tuple
    steps: tuple
    f: Callable[..., Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        filename = f"<random graph {next(_counter)}>"
        source = self.function_source()
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace: dict = {}
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own generated code
        object.__setattr__(self, "f", namespace["f"])

    @property
    def size(self) -> int:
        return len(self.leaves) + len(self.steps)

    def names(self) -> list[str]:
        return [f"x{i}" for i in range(len(self.leaves))] + [
            f"n{len(self.leaves) + i}" for i in range(len(self.steps))
        ]

    def function_source(self) -> str:
        names = self.names()
        lines = [f"def f({', '.join(names[: len(self.leaves)])}):"]
        for i, (op, args) in enumerate(self.steps):
            template = BINARY.get(op) or (UNARY.get(op) or TENSOR_ONLY[op])[0]
            expr = template.format(**dict(zip("ab", (names[k] for k in args))))
            lines.append(f"    {names[len(self.leaves) + i]} = {expr}")
        last = names[-1]
        if self.kind == "tensor":
            lines.append(f"    return {last} if {last}.size == 1 else {last}.sum()")
        else:
            lines.append(f"    return {last}")
        return "\n".join(lines) + "\n"

    def leaf_source(self, i: int) -> str:
        if self.kind == "value":
            return f"Value({self.leaves[i]!r})"
        return f"Tensor(np.array({self.leaves[i]!r}), requires_grad=True)"

    def inputs(self) -> tuple:
        """Fresh leaves (Values, or float64 Tensors that require grad) with the drawn data."""
        if self.kind == "value":
            from .value import Value

            return tuple(Value(x) for x in self.leaves)
        from .tensor import Tensor

        return tuple(Tensor(np.array(x, dtype=np.float64), requires_grad=True)
                     for x in self.leaves)

    def __call__(self, *leaves: Any) -> Any:
        return self.f(*leaves)

    def __repr__(self) -> str:
        cls = "Value" if self.kind == "value" else "Tensor"
        header = ["import numpy as np", ""] if self.kind == "tensor" else []
        names = self.names()[: len(self.leaves)]
        return "\n".join([
            f"# random graph: {len(self.leaves)} leaves, {len(self.steps)} ops",
            *header,
            f"from autograd import {cls}",
            "",
            self.function_source(),
            *(f"{n} = {self.leaf_source(i)}" for i, n in enumerate(names)),
            f"out = f({', '.join(names)})",
            "out.backward()",
        ])


@cache
def _integers(lo: int, hi: int) -> st.SearchStrategy[int]:
    """Strategies are built once and reused: building one costs more than drawing from it."""
    return st.integers(lo, hi)


@cache
def _newest_or_any(last: int) -> st.SearchStrategy[int]:
    return st.one_of(st.just(last), st.integers(0, last))  # shrinks to the newest node


@cache
def _one_of(items: tuple) -> st.SearchStrategy[Any]:
    return st.sampled_from(items)


def graphs(
    kind: str | None = None,
    min_leaves: int = 1,
    max_leaves: int = 3,
    max_steps: int = 8,
    ops: Sequence[str] | None = None,
    elements: st.SearchStrategy[float] | None = None,
) -> st.SearchStrategy[Graph]:
    """A strategy for random ``Graph`` programs (``kind`` "value", "tensor", or either).

    ``ops`` limits the ops drawn (default: all of ``VALUE_OPS`` / ``TENSOR_OPS``); ``elements``
    draws the leaves' values (default floats in [-2, 2]). Tensor leaves have shapes that all
    broadcast together (``()``, ``(3,)``, ``(2, 1)``, ``(1, 3)``, ``(2, 3)``), and the ops
    include reductions and indexing with repeated indices. Bad arguments raise at once.

    >>> from hypothesis import given
    >>> from autograd import gradcheck
    >>> @given(graphs(kind="value"))
    ... def test_engine(g):
    ...     assert gradcheck(g, g.inputs())
    >>> test_engine()
    """
    if kind not in ("value", "tensor", None):
        raise ValueError(f"graphs: kind must be 'value', 'tensor' or None, got {kind!r}")
    if not 1 <= min_leaves <= max_leaves or max_steps < 1:
        raise ValueError("graphs: need 1 <= min_leaves <= max_leaves and max_steps >= 1, got "
                         f"{min_leaves}, {max_leaves}, {max_steps}")
    kinds = (kind,) if kind else ("value", "tensor")
    allowed = {}
    for k in kinds:
        known = VALUE_OPS if k == "value" else TENSOR_OPS
        unknown = set(ops or ()) - set(known)
        if unknown:
            raise ValueError(f"graphs: unknown ops for {k} graphs: {sorted(unknown)}")
        allowed[k] = st.sampled_from(tuple(ops) if ops else known)
    elements = elements if elements is not None else st.floats(-2.0, 2.0)
    arrays = {shape: st.lists(elements, min_size=int(np.prod(shape)),
                              max_size=int(np.prod(shape))) for shape in LEAF_SHAPES}
    return _graphs(st.sampled_from(kinds), allowed, _integers(min_leaves, max_leaves),
                   _integers(1, max_steps), elements, arrays)


@st.composite
def _graphs(draw: Any, kinds: Any, allowed: dict, n_leaves: Any, n_steps: Any, elements: Any,
            arrays: dict) -> Graph:
    """The drawing behind ``graphs``: leaves, then steps, each an op on earlier nodes."""
    kind = draw(kinds)
    leaves, shapes = [], []
    for _ in range(draw(n_leaves)):
        if kind == "value":
            leaves.append(float(draw(elements)))
            shapes.append(())
            continue
        shape = draw(_one_of(LEAF_SHAPES))
        leaves.append(np.array(draw(arrays[shape]), dtype=np.float64).reshape(shape).tolist())
        shapes.append(shape)
    steps = []
    for _ in range(draw(n_steps)):
        op = draw(allowed[kind])
        last = len(shapes) - 1
        if op in BINARY:  # often the newest node with any other: long and short paths meet
            a = draw(_newest_or_any(last))
            b = draw(_integers(0, last))
            out = np.broadcast_shapes(shapes[a], shapes[b])
            args = (a, b)
        else:
            rule = (UNARY.get(op) or TENSOR_ONLY[op])[1]
            fits = tuple(k for k, s in enumerate(shapes) if rule(s) is not None)
            if not fits:
                continue  # no node this op applies to yet (e.g. a row of a (2, 3) Tensor)
            a = draw(_one_of(fits[::-1]))  # newest first: chains, then diamonds
            out, args = rule(shapes[a]), (a,)
        steps.append((op, args))
        shapes.append(tuple(out))
    if not steps:  # every drawn op needed a shape that was not there: one safe op
        steps.append(("tanh", (len(shapes) - 1,)))
    return Graph(kind, tuple(leaves), tuple(steps))
