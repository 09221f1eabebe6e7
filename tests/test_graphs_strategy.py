"""autograd.testing.graphs: random graphs catch engine mutants and shrink them to small programs.

Each mutant is a plausible engine bug, put in by monkeypatching for one test:

- ``topological order broken``: nodes are visited in depth-first *pre*-order (a node on its first
  visit), so a node used on two paths of different lengths passes its gradient on too early;
  for Tensors, whose backward runs nodes in decreasing creation number (``_seq``), the numbers
  count down instead, with the same effect on retained nodes;
- ``overwrite instead of accumulate``: ``grads[parent] = g`` instead of ``+= g`` (micrograd's
  classic bug: a node used twice keeps only its last contribution);
- ``dropped unbroadcast sum``: a gradient is not summed over the axes broadcasting stretched
  (the first slice is kept instead);
- ``grads not reset``: the engine keeps its gradient table from the previous backward, so the
  second backward after ``zero_grad`` adds stale gradients;
- ``slots not reset``: ``Value.backward``'s walk leaves each node's ``_g`` scratch slot set, so
  the next walk takes those nodes for visited and skips them.

``Value.backward`` sums in slots rather than through ``engine.propagate``; the mutants of
``propagate`` route it through ``propagate`` so that they reach Values too.

The property: after ``zero_grad`` twice in a row, ``backward`` gives each leaf the gradient that
central finite differences give.
"""


import itertools

import numpy as np
import pytest
from budget import examples
from hypothesis import HealthCheck, find, given, settings

import autograd.tensor as tensor
import autograd.tensor_ops.arithmetic as arithmetic
from autograd import engine, no_grad
from autograd.testing import Graph, graphs

EPS = 1e-6


def numeric_grads(graph: Graph) -> list:
    """Central differences of the graph's output with respect to every leaf element."""
    base = graph.leaves
    grads = []
    for i, leaf in enumerate(base):
        a = np.array(leaf, dtype=np.float64)
        out = np.zeros(a.shape)
        for idx in np.ndindex(*a.shape):
            total = 0.0
            for sign in (1, -1):
                b = a.copy()
                b[idx] += sign * EPS
                leaves = list(graph.inputs())
                if graph.kind == "value":
                    leaves[i].data = float(b)
                else:
                    leaves[i].data = b
                with no_grad():
                    total += sign * float(np.sum(graph(*leaves).data))
            out[idx] = total / (2 * EPS)
        grads.append(out)
    return grads


def backward_matches_finite_differences(graph: Graph) -> bool:
    """Twice, after zero_grad: every leaf's .grad equals finite differences (False on any error).

    For Tensors the second time every intermediate node calls ``retain_grad()`` first: a
    retained gradient stays in the walk's table, so this pass also shows a node that ran its
    backward before all its users had added theirs (a released one would be run again later).
    """
    expected = numeric_grads(graph)
    leaves = graph.inputs()
    try:
        for attempt in range(2):
            for leaf in leaves:
                leaf.zero_grad()
            out = graph(*leaves)
            if attempt == 1 and graph.kind == "tensor":
                for node in engine.topological_order((out,)):
                    if node._back is not None:
                        node.retain_grad()
            out.backward()
            for leaf, want in zip(leaves, expected):
                got = np.zeros(want.shape) if leaf.grad is None else np.asarray(leaf.grad)
                if got.shape != want.shape or not np.allclose(got, want, rtol=1e-4, atol=1e-6):
                    return False
    except (ValueError, IndexError, TypeError):  # a mutant may break shapes outright
        return False
    return True


# ------------------------------------------------------------------------------------- mutants


def preorder(roots):
    """Depth-first pre-order, reversed: each node placed on its first visit (the mutant)."""
    order, seen, stack = [], set(), list(roots)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        stack.extend(node._prev)
    return order[::-1]


def make_propagate(accumulate: bool = True, keep_table: bool = False):
    """A plain chain-rule walk (the engine's, without its fast paths), optionally mutated."""
    table: dict = {}

    def propagate(roots, seeds, create_graph=False, retain=None):
        grads = table if keep_table else {}
        for root, seed in zip(roots, seeds):
            grads[root] = grads[root] + seed if root in grads else seed
        with no_grad():
            for node in reversed(engine.topological_order(roots)):
                g = grads.get(node)
                if node._back is None or g is None:
                    continue
                inputs = [p.data for p in node._prev]
                for parent, pg in zip(node._prev, node._back(node._ctx, g, node.data, *inputs)):
                    if pg is None:
                        continue
                    old = grads.get(parent)
                    grads[parent] = pg if (old is None or not accumulate) else old + pg
        if retain is not None:  # Tensor.backward: only leaves and retained nodes keep theirs
            return {n: g for n, g in grads.items() if n._back is None or retain(n)}
        return grads

    return propagate


def unbroadcast_without_stretched_sum(g, shape):
    """Sums the axes broadcasting added, but keeps only the first slice of a stretched one."""
    if g.shape == tuple(shape):
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    keep = tuple(slice(0, 1) if n == 1 and m != 1 else slice(None) for n, m in zip(shape, g.shape))
    return g[keep].reshape(shape)


def preorder_marking(root):
    """``Value.backward``'s visit (``engine._mark_order``) in pre-order: the same mutant."""
    order = preorder((root,))
    for node in order:
        node._g = engine.UNREACHED
    return order


def backward_via_propagate(root):
    """``Value.backward`` through ``engine.propagate`` (its dict walk), so a mutated
    ``propagate`` reaches Values too."""
    for node, g in engine.propagate((root,), (1.0,)).items():
        node.grad += g


def move_slots_without_reset(order):
    """``Value.backward``'s last step, leaving each ``_g`` set (the slot walk's "not reset")."""
    for node in order:
        if node._g is not engine.UNREACHED:
            node.grad += node._g


def _broken_order(mp):
    mp.setattr(engine, "topological_order", preorder)
    mp.setattr(engine, "_mark_order", preorder_marking)
    mp.setattr(tensor, "_next_seq", itertools.count(-1, -1).__next__)  # parents outrank users


def _mutated_propagate(**mutation):
    def install(mp):
        mp.setattr(engine, "propagate", make_propagate(**mutation))
        mp.setattr(engine, "backward_into_grad", backward_via_propagate)
    return install


MUTANTS = {
    "topological order broken": _broken_order,
    "overwrite instead of accumulate": _mutated_propagate(accumulate=False),
    "dropped unbroadcast sum": lambda mp: mp.setattr(
        arithmetic, "unbroadcast", unbroadcast_without_stretched_sum),
    "grads not reset": _mutated_propagate(keep_table=True),
    "slots not reset": lambda mp: mp.setattr(
        engine, "_move_slots_into_grad", move_slots_without_reset),
}
CASES = [
    ("topological order broken", "value"),
    ("topological order broken", "tensor"),
    ("overwrite instead of accumulate", "value"),
    ("overwrite instead of accumulate", "tensor"),
    ("dropped unbroadcast sum", "tensor"),
    ("grads not reset", "value"),
    ("grads not reset", "tensor"),
    ("slots not reset", "value"),
]
MEASURED: dict = {}  # (mutant, kind) -> (examples until the first failure, shrunk size)


@pytest.mark.parametrize("mutant, kind", CASES, ids=[f"{m} ({k})" for m, k in CASES])
def test_mutant_is_caught_within_200_examples_and_shrinks_to_6_nodes(mutant, kind, monkeypatch):
    tried = []

    def fails(graph: Graph) -> bool:
        bad = not backward_matches_finite_differences(graph)
        if bad and not any(tried):
            tried.append(True)  # the first failure: how many examples it took
        elif not any(tried):
            tried.append(False)
        return bad

    MUTANTS[mutant](monkeypatch)
    shrunk = find(graphs(kind=kind), fails, settings=settings(
        max_examples=200, database=None, derandomize=True, deadline=None,
        suppress_health_check=list(HealthCheck)))
    needed = len(tried)
    MEASURED[(mutant, kind)] = (needed, shrunk.size)
    print(f"\n{mutant} ({kind}): caught after {needed} examples, shrunk to {shrunk.size} "
          f"nodes:\n{shrunk!r}")
    assert needed <= 200
    assert shrunk.size <= 6
    monkeypatch.undo()
    assert backward_matches_finite_differences(shrunk)  # the real engine gets it right


def test_the_reference_walk_used_by_the_mutants_is_right_unmutated(monkeypatch):
    monkeypatch.setattr(engine, "propagate", make_propagate())

    @settings(max_examples=100, database=None)
    @given(graphs())
    def run(graph):
        assert backward_matches_finite_differences(graph)

    run()


@settings(max_examples=examples(2000), deadline=None)
@given(graphs(kind="value"))
def test_real_engine_passes_2000_value_graphs(graph):
    assert backward_matches_finite_differences(graph), repr(graph)


@settings(max_examples=examples(1000), deadline=None)
@given(graphs(kind="tensor"))
def test_real_engine_passes_1000_tensor_graphs(graph):
    assert backward_matches_finite_differences(graph), repr(graph)


def test_repr_is_a_runnable_script_that_builds_the_same_graph():
    graph = find(graphs(kind="tensor"), lambda g: len(g.steps) >= 3 and g.kind == "tensor",
                 settings=settings(database=None, derandomize=True))
    namespace: dict = {}
    exec(repr(graph), namespace)  # noqa: S102 - the point of the test
    leaves = graph.inputs()
    expected = graph(*leaves)
    np.testing.assert_array_equal(namespace["out"].data, expected.data)
    assert namespace["x0"].grad is not None  # the script ran backward too


def test_graphs_draw_reuse_diamonds_broadcasting_reductions_and_indexing():
    seen: set = set()

    @settings(max_examples=200, database=None)
    @given(graphs(kind="tensor"))
    def run(graph):
        args = [a for _, a in graph.steps]
        used = [k for a in args for k in a]
        if len(used) != len(set(used)):
            seen.add("reuse")
        for op, _args in graph.steps:
            if op in ("sum", "sum_last", "mean_first"):
                seen.add("reduction")
            if op in ("row", "column", "repeat_rows", "repeat_columns"):
                seen.add("indexing")
        shapes = {np.shape(x) for x in graph.leaves}
        if len(shapes) > 1:
            seen.add("broadcasting")

    run()
    assert seen == {"reuse", "reduction", "indexing", "broadcasting"}


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="kind must be"):
        find(graphs(kind="matrix"), lambda g: True)
    with pytest.raises(ValueError, match="unknown ops"):
        find(graphs(kind="value", ops=("sum",)), lambda g: True)


