"""micrograd's idioms on ``Value``: the lecture's manual backprop with ``_backward()``, its
hand-built topological loop, ``float``/``format``, and the demo's training-loop habits."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_value_ops import OPS, call

import nn
from autograd import Function, Value, dot, grad


def lecture_neuron():
    """The lecture's tanh neuron, labelled as in the lecture."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return {v.label: v for v in (x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o)}


LECTURE_GRADS = {
    "o": 1.0, "n": 0.5, "b": 0.5, "x1*w1 + x2*w2": 0.5, "x1*w1": 0.5, "x2*w2": 0.5,
    "x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0,
}


def assert_lecture_grads(nodes: dict) -> None:
    for label, expected in LECTURE_GRADS.items():
        assert nodes[label].grad == pytest.approx(expected, abs=1e-12), label


def test_lecture_manual_backprop_with_underscore_backward():
    v = lecture_neuron()
    assert v["o"].data == pytest.approx(math.sqrt(0.5), abs=1e-12)
    v["o"].grad = 1.0
    v["o"]._backward()
    assert v["n"].grad == pytest.approx(0.5) and v["x1"].grad == 0.0  # one local step only
    for label in ("n", "b", "x1*w1 + x2*w2", "x2*w2", "x1*w1"):  # the lecture's order
        v[label]._backward()
    assert_lecture_grads(v)


def test_underscore_backward_of_a_leaf_does_nothing():
    leaf = Value(3.0)
    leaf.grad = 2.0
    leaf._backward()
    assert (leaf.data, leaf.grad) == (3.0, 2.0)


def test_lecture_topological_loop_matches_backward():
    v = lecture_neuron()
    topo, visited = [], set()

    def build_topo(node):  # the lecture's recursive version, on _prev
        if node not in visited:
            visited.add(node)
            for child in node._prev:
                build_topo(child)
            topo.append(node)

    build_topo(v["o"])
    v["o"].grad = 1.0
    for node in reversed(topo):
        node._backward()
    assert_lecture_grads(v)
    w = lecture_neuron()
    w["o"].backward()
    assert [w[k].grad for k in LECTURE_GRADS] == [v[k].grad for k in LECTURE_GRADS]


def test_lecture_tanh_from_exp_gives_the_same_gradients():
    v = lecture_neuron()
    n = v["n"]
    e = (2 * n).exp()
    o = (e - 1) / (e + 1)
    o.backward()
    for label in ("x1", "w1", "x2", "w2", "b"):
        assert v[label].grad == pytest.approx(LECTURE_GRADS[label], abs=1e-12)


def test_lecture_reused_node_accumulates_in_underscore_backward():
    a = Value(3.0, label="a")
    b = a + a  # the lecture's bug: both contributions must be added
    b.grad = 1.0
    b._backward()
    assert a.grad == 2.0
    c, d = Value(-2.0), Value(3.0)
    e = c * d
    f = c + d
    g = e * f
    g.grad = 1.0
    for node in (g, f, e):
        node._backward()
    assert (c.grad, d.grad) == (3.0 * 1.0 + -6.0, -2.0 * 1.0 + -6.0)  # (d·f + e, c·f + e)


def test_underscore_backward_gives_nothing_to_number_operands_and_works_for_dot():
    x = Value(2.0)
    y = 3.0 * x - 1
    y.grad = 1.0
    y._backward()
    assert y._prev[0].grad == 1.0 and len(y._prev) == 1  # the number 1 is in the op, not a node
    w, u, bias = Value(0.5), Value(-1.0), Value(0.25)
    out = dot([w, u, 2.0], [x, 4.0, u], bias)
    out.grad = 2.0
    out._backward()
    assert (w.grad, u.grad, x.grad, bias.grad) == (2 * 2.0, 2 * (4.0 + 2.0), 2 * 0.5, 2.0)


def test_underscore_backward_of_a_custom_function():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_values
            return 2 * x * g

    x = Value(3.0)
    y = Square.apply(x)
    y.grad = 0.5
    y._backward()
    assert x.grad == 3.0


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
@given(data=st.data())
def test_manual_underscore_backward_loop_matches_grad_for_every_op(op, data):
    xs = [data.draw(dom, label=f"x{i}") for i, dom in enumerate(op.domains)]
    out, nodes = call(op, xs)
    expected = [g.data for g in grad(out, nodes)]
    order, seen = [], set()
    stack = [(out, False)]
    while stack:  # iterative post-order over _prev
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in node._prev)
    out.grad = 1.0
    for node in reversed(order):
        node._backward()
    np.testing.assert_allclose([n.grad for n in nodes], expected, rtol=1e-12, equal_nan=True)


# --------------------------------------------------------------------- float and format


def test_float_and_format():
    v = Value(3.14159, label="pi")
    assert float(v) == 3.14159 and type(float(v)) is float
    assert f"{v:.2f}" == "3.14" and format(v, ">8.3f") == "   3.142" and f"{v:e}" == "3.141590e+00"
    assert f"{v}" == str(v) == repr(v)
    assert math.isclose(math.sin(v), math.sin(3.14159))  # math functions take it via __float__
    assert np.float64(v) == 3.14159


# ------------------------------------------------------------------ the demo's habits


def test_micrograd_demo_training_loop_habits():
    """The demo's loop: numpy inputs and ±1 int labels, hinge loss, L2, manual SGD."""
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 2))
    y = np.where(X[:, 0] > 0, 1, -1)  # int64 labels, as sklearn's make_moons(...) * 2 - 1
    first = None
    for k in range(5):
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        first = total_loss.data if first is None else first
        assert isinstance(total_loss, Value) and len(accuracy) == 8
        assert f"step {k} loss {total_loss.data}, accuracy {sum(accuracy) / len(accuracy) * 100}%"
    assert total_loss.data < first  # it trains
    assert len(model.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1
    assert all(p._op == "" and p._prev == () for p in model.parameters())
