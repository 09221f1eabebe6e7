"""Blame in gradcheck: a deliberately broken op's backward is found in random graphs.

Mutants (each monkeypatches one op's backward function for one test):

- ``wrong factor``: every input gradient of the op multiplied by 1.5;
- ``shifted``: 0.25 added to the op's first input gradient.

They are applied to Value ``*``, ``-``, ``tanh``, ``sin``, ``** 2`` and Tensor ``*``, ``tanh``,
``sigmoid``, ``sum(axis)`` and indexing with repeated indices, in random graphs that use the op.
Where gradcheck fails end to end, its ``GradcheckError.blame`` must name that op and the graph's
line that created the node. On correct graphs blame finds nothing.
"""

from collections import Counter

import numpy as np
import pytest
from budget import examples
from hypothesis import HealthCheck, given, settings

import autograd.tensor_ops.arithmetic as arithmetic
import autograd.tensor_ops.elementwise as elementwise
import autograd.tensor_ops.reduce as reduce
import autograd.tensor_ops.shape as shape_ops
import autograd.value as value
from autograd import Function, GradcheckError, Tensor, Value, gradcheck
from autograd.blame import blame
from autograd.testing import graphs

# graph op -> (kind, module, backward function name, the node's _op, text in the source line)
TARGETS = {
    "value *": ("value", value, "_mul_back", "mul", "*", " * "),
    "value -": ("value", value, "_sub_back", "sub", "-", " - "),
    "value tanh": ("value", value, "_tanh_back", "tanh", "tanh", ".tanh()"),
    "value sin": ("value", value, "_sin_back", "sin", "sin", ".sin()"),
    "value ** 2": ("value", value, "_pow_const_back", "square", "**", " ** 2"),
    "tensor *": ("tensor", arithmetic, "_mul_back", "mul", "*", " * "),
    "tensor tanh": ("tensor", elementwise, "_tanh_back", "tanh", "tanh", ".tanh()"),
    "tensor sigmoid": ("tensor", elementwise, "_sigmoid_back", "sigmoid", "sigmoid", ".sigmoid()"),
    # every sum shares this backward: the output's own .sum() may be the first one blamed
    "tensor sum(axis)": ("tensor", reduce, "_sum_back", "sum_last", "sum", ".sum("),
    "tensor repeated index": ("tensor", shape_ops, "_getitem_back", "repeat_rows", "index",
                              "[[1, 1]]"),
}


def wrong_factor(back):
    def mutant(ctx, g, out, *inputs):
        return tuple(None if pg is None else pg * 1.5 for pg in back(ctx, g, out, *inputs))
    return mutant


def shifted(back):
    def mutant(ctx, g, out, *inputs):
        grads = back(ctx, g, out, *inputs)
        return (grads[0] + 0.25, *grads[1:])
    return mutant


MUTATIONS = {"wrong factor": wrong_factor, "shifted": shifted}


def uses_on_output_path(graph, op_name: str) -> bool:
    """Whether a step with ``op_name`` is an ancestor of the output (not dead code)."""
    n_leaves = len(graph.leaves)
    live = {n_leaves + len(graph.steps) - 1}
    for k in range(len(graph.steps) - 1, -1, -1):
        if n_leaves + k in live:
            live.update(graph.steps[k][1])
            if graph.steps[k][0] == op_name:
                return True
    return False
RESULTS: Counter = Counter()


@pytest.mark.parametrize("mutation", MUTATIONS)
@pytest.mark.parametrize("target", TARGETS)
def test_blame_names_the_broken_op_and_its_line(target, mutation, monkeypatch):
    kind, module, name, graph_op, node_op, code = TARGETS[target]
    monkeypatch.setattr(module, name, MUTATIONS[mutation](getattr(module, name)))
    others = ("add", "mul", "tanh", "sin") if kind == "value" else ("add", "mul", "tanh", "sum")
    stats: Counter = Counter()

    @settings(max_examples=examples(60), database=None, deadline=None,  # (15 drew 4 hits once)
              suppress_health_check=[HealthCheck.filter_too_much])  # the op must be used
    @given(graphs(kind=kind, ops=(graph_op, *others), max_steps=5).filter(
        lambda g: uses_on_output_path(g, graph_op)))
    def run(graph):
        try:
            gradcheck(graph, graph.inputs())
        except GradcheckError as e:
            stats["detected"] += 1
            b = e.blame
            if b is not None and b.op == node_op and code in b.site.code:
                stats["blamed"] += 1
            else:
                stats["missed"] += 1
                print(f"\nmissed {target} / {mutation}: blame {b}\n{graph!r}")
        else:
            stats["passed"] += 1  # the broken op did not change the output's gradient here

    run()
    RESULTS.update({f"{k}": v for k, v in stats.items()})
    print(f"\n{target} / {mutation}: {dict(stats)}")
    assert stats["detected"] >= 5
    assert stats["blamed"] >= 0.9 * stats["detected"]


@settings(max_examples=examples(40), deadline=None)
@given(graphs(max_steps=5))
def test_blame_finds_nothing_in_correct_graphs(graph):
    assert blame(graph, graph.inputs()) is None


class BadCube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_values
        return grad * 3 * x  # should be 3 * x ** 2


def test_blame_finds_a_wrong_user_function_on_values_and_tensors():
    def f(x):
        h = x.tanh()
        c = BadCube.apply(h)  # the line blame must point at
        return c * x + h

    for x in (Value(0.7, label="x"), Tensor(np.array([0.3, -0.8]), requires_grad=True,
                                            dtype=np.float64)):
        loss = (lambda x: f(x)) if isinstance(x, Value) else (lambda x: f(x).sum())
        with pytest.raises(GradcheckError) as info:
            gradcheck(loss, x)
        b = info.value.blame
        assert b.op == "BadCube" and b.input_index == 0
        assert b.site.code == "c = BadCube.apply(h)  # the line blame must point at"
        assert b.site.filename == __file__
        assert "blame: the backward of 'BadCube'" in str(info.value)
        assert abs(b.analytic - b.numeric) > 1e-3


@pytest.mark.parametrize("make", [
    lambda: (lambda t: (t - 0.5 + 1e-7).relu().sum(),
             Tensor(np.array([0.5, -1.0]), requires_grad=True, dtype=np.float64)),
    lambda: (lambda v: abs(v - 1e-7) * 2.0, Value(0.0)),
])
def test_a_kink_within_eps_is_not_blamed_on_a_correct_op(make):
    """The check fails end to end (one-sided slopes differ there), but ReLU's and abs's
    backward are right: blame said "the backward of 'ReLU' is wrong"."""
    fn, x = make()
    with pytest.raises(GradcheckError) as info:
        gradcheck(fn, x)
    b = info.value.blame
    assert b.reason == "kink" and b.op in ("ReLU", "abs") and "backward of" not in str(b)
    assert "no op's backward is wrong" in str(info.value)
    assert b.analytic in (pytest.approx(b.sides[0]), pytest.approx(b.sides[1]))


def test_a_wrong_op_is_blamed_even_beside_a_kink():
    def f(x):
        c = BadCube.apply(x.tanh())
        return c + (x - 0.7 + 1e-7).relu()  # a kink too, in a correct op

    with pytest.raises(GradcheckError) as info:
        gradcheck(f, Value(0.7))
    assert (info.value.blame.op, info.value.blame.reason) == ("BadCube", "wrong")


def test_float32_mismatches_are_not_called_wrong():
    x = Tensor(np.array([0.3, 0.7], np.float32), requires_grad=True)
    with pytest.warns(UserWarning), pytest.raises(GradcheckError) as info:
        gradcheck(lambda t: (t.tanh() * t).sum(), x)
    b = info.value.blame
    assert b.reason == "imprecise" and "check in float64" in str(b) and "is wrong" not in str(b)


def test_blame_reports_label_and_local_values():
    def f(a, b):
        p = a * b
        p.label = "p"
        return p.tanh()

    a, b = Value(0.5), Value(-1.2)
    original = value._mul_back
    value._mul_back = lambda ctx, g, out, x, y: (g * y, g * y)  # d/db should be g * a
    try:
        with pytest.raises(GradcheckError) as info:
            gradcheck(f, (a, b))
    finally:
        value._mul_back = original
    blamed = info.value.blame
    assert (blamed.op, blamed.label, blamed.input_index) == ("*", "p", 1)
    g = blamed.analytic / -1.2  # the random upstream used
    assert blamed.numeric == pytest.approx(g * 0.5, rel=1e-6)


def test_no_blame_when_the_engine_not_an_op_is_wrong(monkeypatch):
    """Every op's local derivative is right, so blame says so: the fault is elsewhere."""
    import autograd.engine as engine

    real = engine.propagate

    def halved(roots, seeds, create_graph=False, retain=None):
        return {k: v * 0.5 for k, v in real(roots, seeds, create_graph, retain).items()}

    monkeypatch.setattr(engine, "propagate", halved)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: x.tanh() * x, Value(0.4))
    assert info.value.blame is None
    assert "every node's own backward matches" in str(info.value)


def test_nan_tolerances_are_rejected_naming_the_argument():
    for kw in ({"atol": float("nan")}, {"rtol": float("nan")}, {"atol": -1.0}):
        with pytest.raises(ValueError, match=next(iter(kw))):
            gradcheck(lambda x: x * 2, Value(1.0), **kw)
