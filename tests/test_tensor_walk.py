"""``Tensor.backward``'s walk: nodes run in decreasing creation number, each backward once.

Every recorded Tensor gets a sequence number ``_seq`` larger than its parents' (``tensor.make``),
and the walk (``engine._propagate_arrays``) always takes the node with the largest one among
those holding a gradient, so a node runs only once every user of it has passed its gradient on.
"""

import copy
import itertools
import pickle
import sys
import threading

import numpy as np
from budget import examples
from hypothesis import given, settings

import autograd.tensor as tensor
from autograd import Function, Tensor, engine, grad
from autograd.testing import graphs


class Counted(Function):
    """The identity, counting its backward calls in ``Counted.calls`` (by label)."""

    calls: list = []

    @staticmethod
    def forward(ctx, x, label):
        ctx.save_for_backward(label)
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        Counted.calls.append(ctx.saved_values[0])
        return g


def counted(x, label):
    return Counted.apply(x, label)


def run_backward(out):
    Counted.calls = []
    out.backward()
    return sorted(Counted.calls)


def test_a_node_runs_once_after_its_latest_user():
    """``a`` feeds a ten-op chain and, much later, the output itself: one run, the full sum."""
    x = Tensor([1.0, -2.0], requires_grad=True, dtype=np.float64)
    a = counted(x * 3, "a")
    y = a
    for _ in range(10):
        y = y * 0.5
    out = counted(y + a, "out").sum()
    assert run_backward(out) == ["a", "out"]
    np.testing.assert_allclose(x.grad, 3 * (0.5 ** 10 + 1) * np.ones(2))


def test_diamonds_of_unequal_paths_run_each_node_once():
    x = Tensor(np.linspace(-1, 1, 6), requires_grad=True, dtype=np.float64)
    a = counted(x.tanh(), "a")
    b = counted(a * a, "b")  # a's users: b, c, d (made in that order)
    c = counted(b.exp() + a, "c")
    d = counted(c * b + a, "d")
    out = d.sum()
    assert run_backward(out) == ["a", "b", "c", "d"]
    t = np.tanh(x.data)
    # d = (e^(t²) + t) t² + t, differentiated by hand
    dd_dt = (2 * t * np.exp(t ** 2) + 1) * t ** 2 + (np.exp(t ** 2) + t) * 2 * t + 1
    np.testing.assert_allclose(x.grad, dd_dt * (1 - t ** 2))


def test_a_retained_node_gets_every_contribution_and_passes_them_all_on():
    x = Tensor([0.5, 2.0], requires_grad=True, dtype=np.float64)
    a = counted(x * 2, "a")
    a.retain_grad()
    out = (a * a + a.exp() + a).sum()
    assert run_backward(out) == ["a"]
    want_a = 2 * a.data + np.exp(a.data) + 1
    np.testing.assert_allclose(a.grad, want_a)
    np.testing.assert_allclose(x.grad, 2 * want_a)


def chain(x, steps):
    y = x
    for _ in range(steps):
        y = (y * 0.99).sin()
    return y


def chains_in_two_threads(x, steps):
    """Two chains from ``x``, each made in its own thread at once; with their numbers."""
    ends, start = {}, threading.Barrier(2)

    def build(name):
        start.wait()
        ends[name] = counted(chain(x, steps), name)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so the two chains' numbers interleave
    try:
        threads = [threading.Thread(target=build, args=(name,)) for name in ("left", "right")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    seqs = {name: [n._seq for n in engine.topological_order((end,)) if n._back is not None]
            for name, end in ends.items()}
    return ends, seqs


def test_nodes_made_in_two_threads_interleave_their_numbers_and_stay_ordered():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True, dtype=np.float64)
    for _ in range(5):  # (a thread that ran its whole chain in one turn shows nothing: again)
        ends, seqs = chains_in_two_threads(x, 500)
        left, right = seqs["left"], seqs["right"]
        if min(left) < max(right) and min(right) < max(left):
            break
    else:
        raise AssertionError("the two threads' numbers never interleaved in 5 tries")
    out = counted(ends["left"] * ends["right"], "out").sum()
    assert run_backward(out) == ["left", "out", "right"]
    x_ref = Tensor(x.data, requires_grad=True, dtype=np.float64)
    (chain(x_ref, 500) * chain(x_ref, 500)).sum().backward()  # the same, made in one thread
    np.testing.assert_allclose(x.grad, x_ref.grad, rtol=1e-12)


def test_several_roots_where_one_depends_on_another():
    x = Tensor([1.0, 3.0], requires_grad=True, dtype=np.float64)
    y = counted(x * x, "y").sum()
    z = counted(y * 2 + x.sum(), "z")
    Counted.calls = []
    gx, = grad([y, z], x)  # d(y + z)/dx = 2x + 2·2x + 1
    assert sorted(Counted.calls) == ["y", "z"]
    np.testing.assert_allclose(gx.data, 6 * x.data + 1)


@settings(max_examples=examples(200), deadline=None)
@given(graphs(kind="tensor"))
def test_every_recorded_node_is_numbered_after_its_parents(graph):
    out = graph(*graph.inputs())
    for node in engine.topological_order((out,)):
        for parent in node._prev:
            if parent._back is not None:
                assert node._seq > parent._seq > 0
            else:
                assert parent._seq == 0


def test_copies_of_recorded_nodes_get_numbers_of_their_own():
    """A copy keeps its parents' order but not its original's number: the two meet in one
    graph, and equal numbers would make the walk compare the Tensors themselves."""
    x = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    y = counted(x * 2, "y")
    shallow, deep, loaded = copy.copy(y), copy.deepcopy(y), pickle.loads(pickle.dumps(y))
    assert len({y._seq, shallow._seq, deep._seq, loaded._seq}) == 4
    assert shallow._prev[0] is y._prev[0]  # the same parents; deep and loaded copy theirs
    out = (y * 3 + shallow * 7 + deep * 5 + loaded * 11).sum()
    assert run_backward(out) == ["y", "y", "y", "y"]  # (each copy's Counted ctx says "y")
    np.testing.assert_allclose(x.grad, [20.0, 20.0])  # 2·3 + 2·7: deep and loaded own their x


def test_a_graph_saved_by_a_process_further_along_is_renumbered(monkeypatch):
    """Numbers from another process (its counter far ahead) would put the loaded node after
    the nodes made from it here: a retained one would then pass on only part of its gradient."""
    monkeypatch.setattr(tensor, "_next_seq", itertools.count(10 ** 9).__next__)
    x = Tensor([0.5, 2.0], requires_grad=True, dtype=np.float64)
    saved = pickle.dumps((x, counted(x * 2, "a")))
    monkeypatch.undo()
    x, a = pickle.loads(saved)
    a.retain_grad()
    out = counted(a * a + a, "out").sum()
    assert a._seq < out._seq
    assert run_backward(out) == ["a", "out"]
    np.testing.assert_allclose(a.grad, 2 * a.data + 1)
    np.testing.assert_allclose(x.grad, 2 * (2 * a.data + 1))
