"""``Value.backward`` sums gradients in each node's ``_g`` slot instead of a dict (for speed).

What that must not change: the gradients (bit for bit the dict walk's, which ``grad()``, the
drawings and ``detect_anomaly`` still use), the rule that an error part way leaves every
``.grad`` as it was, and correct results when two walks overlap (two threads, or a backward
called from inside a custom Function's backward). After every walk, every slot is None again.
"""

from __future__ import annotations

import math
import threading

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Function, Value, dot, enable_grad, engine, grad
from autograd.testing import graphs

TIMEOUT = 10.0


def nodes_below(root: Value) -> list:
    return engine.topological_order((root,))


def dict_walk_grads(root: Value) -> dict:
    """Every node's gradient from the dict walk (``engine.propagate``), as ``grad()`` gets it."""
    return engine.propagate((root,), (1.0,))


def same_float(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@settings(max_examples=examples(300), deadline=None)
@given(graphs(kind="value"))
def test_slot_walk_gives_the_dict_walks_gradients_bit_for_bit(graph):
    leaves = graph.inputs()
    out = graph(*leaves)
    expected = dict_walk_grads(out)
    out.backward()
    for node in nodes_below(out):
        want = 1.0 if node is out else expected.get(node, 0.0)
        assert same_float(node.grad, 0.0 + want), (node, want)
        assert node._g is None


finite = st.floats(-3, 3, allow_nan=False)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(finite, min_size=1, max_size=6), st.data())
def test_dot_with_repeated_operands_matches_the_unfused_sum(values, data):
    """``dot``'s in-slot backward against the same sum written with ``*`` and ``+``, with the
    same nodes used several times as weights, inputs and bias."""
    pool = [Value(v) for v in values]
    pick = st.integers(0, len(pool) - 1)
    n = data.draw(st.integers(1, 5))
    wi = [data.draw(pick) for _ in range(n)]
    xi = [data.draw(pick) for _ in range(n)]
    bi = data.draw(pick)
    fused = dot([pool[i] for i in wi], [pool[i] for i in xi], pool[bi]).tanh()
    fused.backward()
    got = [p.grad for p in pool]
    for p in pool:
        p.zero_grad()
    unfused = pool[bi]
    for i, j in zip(wi, xi):
        unfused = unfused + pool[i] * pool[j]
    unfused.tanh().backward()
    for a, b in zip(got, [p.grad for p in pool]):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12)


class Fails(Function):
    """Identity forward; backward raises (a user's bug)."""

    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, g):
        raise ArithmeticError("user backward failed")


def test_an_error_part_way_changes_no_grad_and_leaves_no_slot_set():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    c.grad = 5.0  # an earlier gradient that must survive
    a.grad = 7.0
    out = Fails.apply(c) + c * a  # c * a's backward runs before Fails' (reverse order)
    with pytest.raises(ArithmeticError, match="user backward failed"):
        out.backward()
    assert (a.grad, b.grad, c.grad, out.grad) == (7.0, 0.0, 5.0, 0.0)
    assert all(node._g is None for node in nodes_below(out))
    d = c * a  # the same nodes in a new graph: walked from scratch
    d.backward()
    assert (a.grad, b.grad) == (7.0 + 2 * a.data * b.data, a.data**2)


def test_a_visit_that_fails_on_a_foreign_parent_undoes_its_marks():
    a = Value(1.0)
    b = a * 2.0
    c = b + a
    c._prev = (b, object())  # a corrupted graph: the visit raises on the second parent
    with pytest.raises(AttributeError):
        c.backward()
    assert a._g is None and b._g is None and c._g is None
    (b * a).backward()  # the slots are free for the next walk
    assert a.grad == 4.0


def test_a_backward_inside_a_backward_takes_the_dict_walk_and_both_are_right():
    inner_grads = []

    class Nested(Function):
        """Identity; its backward runs a backward of its own over an overlapping graph."""

        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            with enable_grad():  # backward runs under no_grad: record this graph
                y = shared * shared  # shared is also in the outer graph
            y.backward()
            inner_grads.append(shared.grad)
            return g

    shared = Value(3.0)
    out = Nested.apply(shared * 2.0) + shared
    out.backward()
    assert inner_grads == [6.0]  # d(shared²)/d(shared), summed before the outer walk wrote
    assert shared.grad == 6.0 + 3.0  # inner 6, outer 2 + 1
    assert all(node._g is None for node in nodes_below(out))


def test_two_threads_walking_one_graph_at_once_both_get_the_right_gradients():
    """Thread A is paused inside its backward (holding the slots); thread B walks the same graph."""
    a_inside, b_done = threading.Event(), threading.Event()

    class Pause(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            if threading.current_thread().name == "A":
                a_inside.set()
                assert b_done.wait(TIMEOUT), "handoff timed out"
            return g

    x = Value(1.5)
    shared = x * x  # both threads' graphs go through this node
    results: dict = {}
    errors: list = []

    def run(name: str) -> None:
        try:
            if name == "B":
                assert a_inside.wait(TIMEOUT), "handoff timed out"
            out = Pause.apply(shared).tanh()
            (gx,) = grad(out, x) if name == "ref" else (None,)
            out.backward()
            results[name] = (out, gx)
        except BaseException as exc:
            errors.append(exc)
        finally:
            if name == "B":
                b_done.set()

    threads = [threading.Thread(target=run, args=(n,), name=n) for n in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive()
    assert not errors, errors
    expected = 2 * (1 - math.tanh(1.5**2) ** 2) * 2 * 1.5  # two backward passes into x
    assert x.grad == pytest.approx(expected, rel=1e-12)
    for out, _ in results.values():
        assert all(node._g is None for node in nodes_below(out))


def test_each_node_gets_micrograd_gradients_and_the_root_gets_one():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    d.backward()
    assert (d.grad, c.grad, a.grad, b.grad) == (1.0, 1.0, b.data + 1.0, a.data)
    d.backward()  # adds again (micrograd), the root is set to 1
    assert (d.grad, c.grad, a.grad, b.grad) == (1.0, 2.0, 2 * (b.data + 1.0), 2 * a.data)


def test_a_node_no_gradient_reached_is_skipped_not_walked_with_zero():
    """A Function returning None for an input: that input (and what is below it) gets nothing,
    as in the dict walk; walking it with 0.0 would give 0 * inf = nan below a sqrt at 0."""

    class FirstOnly(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g * 2.0, None

    a, b = Value(2.0), Value(0.0)
    s = b.sqrt()  # its local slope at 0 is inf
    out = FirstOnly.apply(a, s)
    assert s not in dict_walk_grads(out)
    out.backward()
    assert (a.grad, s.grad, b.grad) == (2.0, 0.0, 0.0)
