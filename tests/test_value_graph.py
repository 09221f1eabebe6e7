"""The scalar engine on graph shapes that break naive engines, and its graph-wide behaviour.

Reused nodes, diamonds and fan-out need gradients summed over every use in the right order;
backward twice must accumulate exactly twice; deep chains must not recurse; finished graphs
must be freed by reference counting alone; ``grad`` must leave ``.grad`` alone; grad mode
must nest and survive recursion.
"""

from __future__ import annotations

import gc
import math
import sys
import tracemalloc

import pytest

from autograd import Value, dot, enable_grad, grad, is_grad_enabled, no_grad

# ------------------------------------------------------------------------- graph shapes


def test_a_plus_a_counts_both_uses():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert b.data == 6.0
    assert a.grad == 2.0


def test_a_times_a_counts_both_uses():
    a = Value(-3.0)
    b = a * a
    b.backward()
    assert b.data == 9.0
    assert a.grad == -6.0


def test_diamond():
    # a feeds b and c, both feed d: d = (2a) * (a + 3), dd/da = 2(a + 3) + 2a = 4a + 6
    a = Value(1.5)
    b = a * 2
    c = a + 3
    d = b * c
    d.backward()
    assert d.data == 13.5
    assert a.grad == 12.0
    assert b.grad == 4.5  # c
    assert c.grad == 3.0  # b


def test_nested_diamonds_reuse_intermediates():
    # y = e * e with e = (x + x) * x: intermediates used twice at two levels
    x = Value(0.5)
    e = (x + x) * x  # 2x²
    y = e * e  # 4x⁴
    y.backward()
    assert math.isclose(y.data, 4 * 0.5**4)
    assert math.isclose(x.grad, 16 * 0.5**3)
    assert math.isclose(e.grad, 2 * e.data)


def test_a_node_used_by_ten_parents():
    a = Value(2.0)
    parents = [a * k for k in range(1, 11)]
    total = parents[0]
    for p in parents[1:]:
        total = total + p
    total.backward()
    assert total.data == 2.0 * 55
    assert a.grad == 55.0
    assert all(p.grad == 1.0 for p in parents)


def test_wide_fan_in_through_dot():
    ws = [Value(float(k)) for k in range(10)]
    x = Value(0.5)
    y = dot(ws, [x] * 10, 1.0)  # the same input in every slot
    y.backward()
    assert y.data == 0.5 * 45 + 1.0
    assert x.grad == 45.0
    assert all(w.grad == 0.5 for w in ws)


def test_constants_on_both_sides():
    a = Value(2.0)
    y = 2 * a + a * 3 - 1 + (5 - a) / 2 + 8 / a + a / 4 + 2**a + a**2 - (1 + a) + (a - 1)
    # value and derivative of the same expression on floats
    f = lambda t: 2 * t + t * 3 - 1 + (5 - t) / 2 + 8 / t + t / 4 + 2**t + t**2 - (1 + t) + (t - 1)  # noqa: E731
    df = 2 + 3 - 0.5 - 8 / 4 + 0.25 + 4 * math.log(2) + 4 - 1 + 1
    y.backward()
    assert math.isclose(y.data, f(2.0))
    assert math.isclose(a.grad, df)


def test_integer_constants_and_integer_data():
    a = Value(3)
    assert type(a.data) is float
    y = a * 2 + 1
    y.backward()
    assert (y.data, a.grad) == (7.0, 2.0)


def test_output_is_a_leaf():
    a = Value(4.0)
    a.backward()
    assert a.grad == 1.0


def test_negative_base_with_value_exponent():
    # (-2) ** 3 is defined; d/d(exponent) = out * log(base) is not (nan, as in PyTorch)
    x, p = Value(-2.0), Value(3.0)
    y = x**p
    y.backward()
    assert y.data == -8.0
    assert x.grad == 12.0
    assert math.isnan(p.grad)
    # the same holds with create_graph=True: no domain error from inside the backward
    dx, dp = grad(x**p, (x, p), create_graph=True)
    assert dx.data == 12.0 and math.isnan(dp.data)
    (d2x,) = grad(dx, x)
    assert d2x.data == -12.0  # 6x


def test_zero_base_and_zero_exponent_have_zero_slope():
    # 0 ** p is flat in p for p > 0, and x ** 0 is flat in x: slope 0, not nan (PyTorch agrees)
    p = Value(2.0)
    (dp,) = grad(0**p, p)
    assert dp.data == 0.0
    x = Value(0.0)
    (dx,) = grad(x**0, x)
    assert dx.data == 0.0
    (dx,) = grad(x**0, x, create_graph=True)
    assert dx.data == 0.0
    (dp,) = grad(x**p, p)
    assert dp.data == 0.0


# ------------------------------------------------------------------ backward semantics


def test_backward_twice_accumulates_leaf_grads_exactly():
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a.tanh()
    c.backward()
    ga, gb = a.grad, b.grad
    c.backward()
    assert a.grad == 2 * ga
    assert b.grad == 2 * gb
    assert c.grad == 1.0  # the root is seeded, not accumulated (micrograd)


def test_zero_grad_resets():
    a = Value(2.0)
    y = a * a
    y.backward()
    assert a.grad == 4.0
    a.zero_grad()
    assert a.grad == 0.0
    y.backward()
    assert a.grad == 4.0


def test_backward_does_not_touch_unrelated_nodes():
    a, other = Value(1.0), Value(5.0)
    other.grad = 7.0
    (a * 3).backward()
    assert other.grad == 7.0


# ----------------------------------------------------------------------------- grad mode


def test_no_grad_records_nothing():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 3).exp() + x
    assert is_grad_enabled()
    assert y._prev == () and y._back is None
    y.backward()
    assert x.grad == 0.0
    with pytest.raises(RuntimeError, match="not used"):
        grad(y, x)


def test_enable_grad_inside_no_grad():
    x = Value(2.0)
    with no_grad():
        with enable_grad():
            assert is_grad_enabled()
            y = x * 3
        assert not is_grad_enabled()
        z = x * 3
    y.backward()
    assert x.grad == 3.0
    assert z._prev == ()


def test_grad_mode_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            Value(1.0) / 0
    assert is_grad_enabled()


def test_no_grad_as_a_decorator_including_recursion():
    seen = []

    @no_grad()
    def descend(v: Value, depth: int) -> Value:
        seen.append(is_grad_enabled())
        out = v * 2
        return out if depth == 0 else descend(out, depth - 1)

    x = Value(1.0)
    y = descend(x, 5)
    assert seen == [False] * 6
    assert is_grad_enabled()  # restored after the outermost call, not after the innermost
    assert y.data == 64.0 and y._prev == ()
    z = x * 2
    assert z._prev == (x,)


def test_enable_grad_as_a_decorator_inside_no_grad():
    @enable_grad()
    def record(v: Value) -> Value:
        return v * v

    x = Value(3.0)
    with no_grad():
        y = record(x)
        assert not is_grad_enabled()
    y.backward()
    assert x.grad == 6.0


# ---------------------------------------------------------------------------- deep graphs


def test_million_step_chain_at_the_default_recursion_limit():
    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # Python's default: backward must not recurse
    try:
        x0 = Value(1.0)
        x = x0
        for _ in range(1_000_000):
            x = x * 1.0001 + 0.0
        x.backward()
        assert math.isclose(x0.grad, 1.0001**1e6, rel_tol=1e-9)
        assert math.isclose(x.data, 1.0001**1e6, rel_tol=1e-9)
        del x  # freeing a 2,000,000-node chain must not overflow the C stack either
    finally:
        sys.setrecursionlimit(saved)


# ------------------------------------------------------------------- freed by refcount


def _live_values() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is Value)


def _training_step(params: list[Value]) -> None:
    """A small graph (a 3-input neuron with a squared loss), backward, and an update."""
    w1, w2, w3, b = params
    xs = [(0.5, -1.0, 2.0, 1.0), (-0.3, 0.8, 0.1, -1.0)]
    loss = Value(0.0)
    for x1, x2, x3, target in xs:
        out = dot([w1, w2, w3], [x1, x2, x3], b).tanh()
        loss = loss + (out - target) ** 2 + (w1 * x1 + w2 * x2).sigmoid() * 0.0
    for p in params:
        p.zero_grad()
    loss.backward()
    for p in params:
        p.data -= 0.01 * p.grad


def test_graphs_are_freed_by_refcount_alone():
    params = [Value(0.1), Value(-0.2), Value(0.3), Value(0.0)]
    gc.collect()
    gc.disable()  # anything caught in a reference cycle would now stay alive
    try:
        for _ in range(10):  # warm up caches
            _training_step(params)
        live = _live_values()
        refs = [sys.getrefcount(p) for p in params]
        tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(1000):
            _training_step(params)
        after, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert after - before < 50_000, f"memory grew by {after - before} bytes over 1000 graphs"
        assert _live_values() == live
        assert [sys.getrefcount(p) for p in params] == refs
    finally:
        gc.enable()


def test_dropping_the_output_frees_intermediates():
    gc.collect()
    gc.disable()
    try:
        x = Value(1.0)
        base = _live_values()
        y = ((x * 2).exp() + x.sin()) * x
        assert _live_values() > base
        (gx,) = grad(y, x, create_graph=True)
        del y, gx
        assert _live_values() == base
    finally:
        gc.enable()


# ------------------------------------------------------------------------- autograd.grad


def test_grad_returns_a_tuple_per_input_and_leaves_dot_grad_alone():
    x, y = Value(2.0), Value(3.0)
    x.grad = 5.0
    mid = x * y
    z = mid + y
    gx, gy = grad(z, [x, y])
    assert isinstance(gx, Value) and isinstance(gy, Value)
    assert (gx.data, gy.data) == (3.0, 3.0)
    assert (x.grad, y.grad, mid.grad, z.grad) == (5.0, 0.0, 0.0, 0.0)
    single = grad(z, x)
    assert isinstance(single, tuple) and len(single) == 1


def test_grad_results_are_new_leaves_unless_create_graph():
    x = Value(2.0)
    (g,) = grad(x**3, x)
    assert g._prev == () and g.data == 12.0
    (g2,) = grad(x**3, x, create_graph=True)
    assert g2._prev != () and g2.data == 12.0


def test_grad_outputs_weight_each_output():
    x = Value(2.0)
    y1, y2 = x * x, x * 10
    (g,) = grad(y1, x, grad_outputs=3.0)
    assert g.data == 12.0
    (g,) = grad([y1, y2], x, grad_outputs=[1.0, 0.5])
    assert g.data == 4.0 + 5.0
    (g,) = grad([y1, y2], x)  # default: 1 per scalar output
    assert g.data == 14.0
    (g,) = grad(y1, x, grad_outputs=Value(2.0))
    assert g.data == 8.0


def test_grad_of_an_output_with_respect_to_itself():
    x = Value(2.0)
    y = x * 3
    gy, gx = grad(y, [y, x])
    assert (gy.data, gx.data) == (1.0, 3.0)


def test_grad_allow_unused():
    x, unused = Value(1.0), Value(2.0, label="u")
    y = x * 2
    with pytest.raises(RuntimeError, match=r"input 1 .*not used.*allow_unused=True"):
        grad(y, [x, unused])
    gx, gu = grad(y, [x, unused], allow_unused=True)
    assert gx.data == 2.0 and gu is None


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda x, y: grad(2.0, x), TypeError, "outputs must be Values or Tensors, got float"),
        (lambda x, y: grad(y, 2.0), TypeError, "inputs must be Values or Tensors, got float"),
        (lambda x, y: grad(y, [x, "x"]), TypeError, "got str"),
        (lambda x, y: grad(y, x, grad_outputs=[1.0, 2.0]), ValueError, "2 grad_outputs for 1"),
        (lambda x, y: grad(y, x, grad_outputs="1"), TypeError, "str"),
        (lambda x, y: grad(y, x, grad_outputs=True), TypeError, "bool"),
    ],
)
def test_grad_errors(call, error, match):
    x = Value(1.0)
    y = x * 2
    with pytest.raises(error, match=match):
        call(x, y)
    assert x.grad == 0.0


# ------------------------------------------------------------------------- higher order


def test_newton_minimizes_a_quartic_in_a_few_steps():
    # f(x) = x⁴/4 + x²/2 - 3x is strictly convex; its minimum solves x³ + x - 3 = 0
    def f(x):
        return x**4 / 4 + x**2 / 2 - 3 * x

    lo, hi = 0.0, 2.0  # the reference root, by bisection on floats
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mid**3 + mid - 3 < 0 else (lo, mid)
    root = (lo + hi) / 2

    x = Value(1.0)
    errors = []
    for _ in range(5):
        (d1,) = grad(f(x), x, create_graph=True)
        (d2,) = grad(d1, x)
        x = Value(x.data - d1.data / d2.data)
        errors.append(abs(x.data - root))
    assert errors[-1] < 1e-12
    (d1,) = grad(f(x), x)
    assert abs(d1.data) < 1e-12
    assert all(e1 < e0**2 for e0, e1 in zip(errors[:3], errors[1:4]))  # quadratic convergence


def test_third_derivative_and_mixed_hessian():
    x = Value(1.5)
    (d1,) = grad(x**4, x, create_graph=True)
    (d2,) = grad(d1, x, create_graph=True)
    (d3,) = grad(d2, x)
    assert (d1.data, d2.data, d3.data) == (4 * 1.5**3, 12 * 1.5**2, 24 * 1.5)

    # f = x²y + y³: H = [[2y, 2x], [2x, 6y]]
    x, y = Value(2.0), Value(-1.0)
    gx, gy = grad(x * x * y + y**3, [x, y], create_graph=True)
    assert [h.data for h in grad(gx, [x, y])] == [-2.0, 4.0]
    assert [h.data for h in grad(gy, [x, y])] == [4.0, -6.0]
    # Hessian-vector product through one extra backward: H @ (1, 2)
    hv = grad(gx * 1.0 + gy * 2.0, [x, y])
    assert [h.data for h in hv] == [-2.0 + 8.0, 4.0 - 12.0]


# ---------------------------------------------------------------- numerics and identity


@pytest.mark.parametrize("x", [1000.0, -1000.0, 710.0, -710.0])
def test_sigmoid_and_tanh_are_stable_at_large_inputs(x):
    v = Value(x)
    s, t = v.sigmoid(), v.tanh()  # no OverflowError from exp(-x)
    expected = 1 / (1 + math.exp(-x)) if x > 0 else math.exp(x) / (1 + math.exp(x))
    assert math.isclose(s.data, expected, rel_tol=1e-12)
    assert t.data == math.copysign(1.0, x)
    gs, gt = grad(s, v)[0].data, grad(t, v)[0].data
    assert math.isclose(gs, expected * (1 - expected), rel_tol=1e-12) and gt == 0.0
    (g2,) = grad(grad(s, v, create_graph=True)[0], v)
    assert math.isfinite(g2.data)


def test_sigmoid_is_accurate_in_the_tails():
    assert math.isclose(Value(-30.0).sigmoid().data, math.exp(-30.0) / (1 + math.exp(-30.0)))
    assert math.isclose(Value(30.0).sigmoid().data, 1 / (1 + math.exp(-30.0)))


def test_repr_shows_data_and_grad():
    a = Value(2.5, label="a")
    (a * 2).backward()
    text = repr(a)
    assert "2.5" in text and "2.0" in text and "'a'" in text
    assert repr(Value(-1)) == "Value(data=-1.0, grad=0.0)"


def test_hash_and_eq_are_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b and not (a == b)
    assert a == a
    assert len({a, b}) == 2
    grads = {a: "a", b: "b"}
    assert grads[a] == "a" and grads[b] == "b"
    a.data = 9.0  # changing data changes neither hash nor identity
    assert a in grads and a in {a}


def test_value_has_slots():
    with pytest.raises(AttributeError):
        Value(1.0).anything = 1
