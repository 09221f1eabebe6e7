"""Non-finite numbers and the edges where values used to be silently wrong.

1. ``Value``'s one policy (README, "Semantics worth knowing"): domain errors raise a clear
   ``ValueError``/``ZeroDivisionError`` naming the op and the value; overflow gives ±inf (never
   an ``OverflowError``); nan propagates; backward never raises, and ``create_graph=True``
   gives the same values as the plain backward. Checked op by op over extreme inputs.
2. Masked backwards are selects: where the slope is 0 the gradient is exactly 0, even for an
   infinite or nan upstream gradient (Value and Tensor).
3. Power at base 0 takes the analytic limits (Value and Tensor).
4. max/min over data holding nan route the gradient to the nan elements (as PyTorch); a boolean
   mask of the wrong length raises ``IndexError`` naming both lengths.
"""

from __future__ import annotations

import math
import operator
import re
import warnings
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor, Value, grad

INF, NAN = math.inf, math.nan


def same(a: float, b: float) -> bool:
    """Equal, both nan, or close (the create_graph path may round in a different order)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or math.isclose(a, b, rel_tol=1e-12)


# ------------------------------------------------------------------ 1. Value's policy

OVERFLOWS = [
    ("exp", lambda: Value(1000.0).exp(), INF),
    ("v ** n", lambda: Value(10.0) ** 400, INF),
    ("v ** n (odd, negative base)", lambda: Value(-10.0) ** 401, -INF),
    ("v ** v", lambda: Value(10.0) ** Value(400.0), INF),
    ("n ** v", lambda: 10 ** Value(400.0), INF),
    ("v ** negative", lambda: Value(1e-300) ** -2, INF),
    ("*", lambda: Value(1e308) * 10, INF),
    ("+", lambda: Value(1e308) + Value(1e308), INF),
    ("/", lambda: Value(1e308) / 1e-10, INF),
    ("c /", lambda: 1.0 / Value(1e-320), INF),
]


@pytest.mark.parametrize("name, expr, expected", OVERFLOWS, ids=[o[0] for o in OVERFLOWS])
def test_overflow_gives_inf_as_floats_do(name, expr, expected):
    out = expr()
    assert out.data == expected
    out.backward()  # and the backward of an overflowed node does not raise either


@pytest.mark.parametrize(
    "expr",
    [lambda: Value(1e-300) ** -0.5, lambda: Value(1e-300) ** Value(-0.5),
     lambda: Value(1e-200) ** -1.5, lambda: Value(800.0).exp()],
)
def test_no_error_from_inside_backward(expr):
    out = expr()
    (plain,) = grad(out, out._prev[0])
    (graph,) = grad(out, out._prev[0], create_graph=True)
    assert math.isinf(plain.data) and same(plain.data, graph.data)


def test_value_nan_relu_is_nan():
    out = Value(NAN).relu()
    assert math.isnan(out.data)
    out.backward()  # nan's slope is 1, as PyTorch (relu's gradient is 0 only for x <= 0)


UNARY: list[tuple[str, Callable[[Value], Value]]] = [
    ("neg", operator.neg), ("abs", abs), ("exp", Value.exp), ("log", Value.log),
    ("sqrt", Value.sqrt), ("tanh", Value.tanh), ("sigmoid", Value.sigmoid),
    ("relu", Value.relu), ("leaky_relu", Value.leaky_relu),
    ("leaky_relu(0)", lambda v: v.leaky_relu(0.0)), ("elu", Value.elu), ("sin", Value.sin),
    ("cos", Value.cos), ("v + 1", lambda v: v + 1), ("1 - v", lambda v: 1 - v),
    ("v * 3", lambda v: v * 3), ("v / 3", lambda v: v / 3), ("3 / v", lambda v: 3 / v),
    ("v ** 2", lambda v: v**2), ("v ** 3", lambda v: v**3), ("v ** 0.5", lambda v: v**0.5),
    ("v ** -1.5", lambda v: v**-1.5), ("v ** 0", lambda v: v**0), ("2 ** v", lambda v: 2**v),
    ("0 ** v", lambda v: 0**v), ("v * v", lambda v: v * v), ("v / v", lambda v: v / v),
    ("v ** v", lambda v: v**v), ("dot", lambda v: autograd.dot([v, v], [v, 2.0], v)),
]

BINARY: list[tuple[str, Callable[[Value, Value], Value]]] = [
    ("+", operator.add), ("-", operator.sub), ("*", operator.mul), ("/", operator.truediv),
    ("**", operator.pow),
]

EXTREMES = [0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 1e-300, -1e-300, 5e-324, 1e300, -1e300, 709.0,
            710.0, -745.0, 1e154, INF, -INF, NAN]
DOMAIN_OPS = ("log", "sqrt", "division", "pow", "sin", "cos")
EXTREME = st.one_of(st.sampled_from(EXTREMES), st.floats(allow_nan=True, allow_infinity=True))


def check_policy(make: Callable[..., Value], xs: list[float]) -> None:
    """Forward: a result, or a domain error naming the op and value. Then backward never
    raises, create_graph matches it, and differentiating that again does not raise either."""
    leaves = [Value(x) for x in xs]
    try:
        out = make(*leaves)
    except (ValueError, ZeroDivisionError) as err:  # a domain error: clear, never bare math's
        message = str(err)
        assert "math domain error" not in message, message
        assert any(op in message for op in DOMAIN_OPS), message  # names the op ...
        assert re.search(r"\d|inf|nan", message), message  # ... and the value
        return
    assert isinstance(out.data, float)  # (nan too: inf - inf after an overflow is IEEE's nan)
    plain = grad(out, leaves)
    graph = grad(out, leaves, create_graph=True)
    for p, gv in zip(plain, graph):
        assert isinstance(gv, Value) and same(p.data, gv.data), (xs, p, gv)
    total = graph[0]
    for gv in graph[1:]:
        total = total + gv
    grad(total, leaves, allow_unused=True)  # the second order: no error either


@pytest.mark.parametrize("name, make", UNARY, ids=[u[0] for u in UNARY])
@given(x=EXTREME)
def test_unary_policy_over_extreme_inputs(name, make, x):
    check_policy(make, [x])


@pytest.mark.parametrize("name, make", BINARY, ids=[b[0] for b in BINARY])
@given(x=EXTREME, y=EXTREME)
def test_binary_policy_over_extreme_inputs(name, make, x, y):
    check_policy(make, [x, y])


@pytest.mark.parametrize(
    "make, x",
    [(Value.log, NAN), (Value.sqrt, NAN), (Value.exp, NAN), (Value.sin, NAN),
     (lambda v: v ** 0.5, NAN), (lambda v: 1 / v, NAN), (lambda v: v / v, NAN),
     (lambda v: Value(-2.0) ** v, NAN), (Value.relu, NAN), (abs, NAN)],
)
def test_nan_propagates_without_raising(make, x):
    assert math.isnan(make(Value(x)).data)


@pytest.mark.parametrize(
    "expr, expected",
    [(lambda: Value(INF).exp(), INF), (lambda: Value(-INF).exp(), 0.0),
     (lambda: Value(INF).log(), INF), (lambda: Value(INF).sqrt(), INF),
     (lambda: Value(INF).tanh(), 1.0), (lambda: Value(-INF).sigmoid(), 0.0),
     (lambda: Value(INF).sigmoid(), 1.0), (lambda: Value(-INF).elu(), -1.0),
     (lambda: Value(-INF).relu(), 0.0), (lambda: Value(INF) - Value(1e308), INF)],
)
def test_infinite_inputs_give_ieee_results(expr, expected):
    assert expr().data == expected


@pytest.mark.parametrize(
    "make",
    [lambda v: v.sqrt(), lambda v: v ** 0.5, lambda v: v ** 1.5, lambda v: v ** Value(0.5),
     lambda v: v ** Value(1.0), lambda v: v ** Value(0.0), lambda v: 0 ** v, lambda v: abs(v),
     lambda v: v.relu()],
)
def test_create_graph_at_zero_matches_plain_backward(make):
    """sqrt and fractional powers at 0: the plain gradient is inf; create_graph used to raise."""
    x = Value(0.0)
    (plain,) = grad(make(x), x)
    (graph,) = grad(make(x), x, create_graph=True)
    assert same(plain.data, graph.data)
    grad(graph, x, allow_unused=True)


# ----------------------------------------------------- 2. masked backwards are selects

UPSTREAM = st.sampled_from([INF, -INF, NAN, 1e308, -2.5])


@pytest.mark.parametrize(
    "make, zero_slope, slope",
    [
        (Value.relu, st.floats(-1e6, 0.0), lambda x: 0.0),
        (Value.relu, st.floats(1e-6, 1e6), lambda x: 1.0),
        (lambda v: v.leaky_relu(0.0), st.floats(-1e6, 0.0), lambda x: 0.0),
        (lambda v: v.leaky_relu(0.1), st.floats(-1e6, 0.0), lambda x: 0.1),
        (abs, st.just(0.0), lambda x: 0.0),
        (abs, st.floats(1e-6, 1e6), lambda x: 1.0),
        (lambda v: v ** 0, st.floats(-1e3, 1e3), lambda x: 0.0),
    ],
)
@given(data=st.data())
def test_value_zero_slopes_give_zero_for_any_upstream(make, zero_slope, slope, data):
    x, g = data.draw(zero_slope, label="x"), data.draw(UPSTREAM, label="g")
    expected = 0.0 if slope(x) == 0.0 else g * slope(x)
    for create_graph in (False, True):
        v = Value(x)
        (got,) = grad(make(v), v, grad_outputs=g, create_graph=create_graph)
        assert same(got.data, expected), (x, g, got)


def inf_upstream(shape: tuple) -> st.SearchStrategy[np.ndarray]:
    values = st.sampled_from([INF, -INF, NAN, 1.0, -3.0])
    return hnp.arrays(np.float64, shape, elements=values)


def grid_arrays(shape: tuple) -> st.SearchStrategy[np.ndarray]:
    """Data on a coarse grid: zeros, ties and both sides of the kinks and bounds turn up."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-4, 4).map(lambda i: i * 0.5))


TENSOR_MASKED = [
    # (name, fn, local slope as a function of the data (elementwise ops))
    ("relu", lambda t: t.relu(), lambda d: (d > 0) * 1.0),
    ("leaky_relu(0)", lambda t: t.leaky_relu(0.0), lambda d: (d > 0) * 1.0),
    ("leaky_relu", lambda t: t.leaky_relu(0.1), lambda d: np.where(d > 0, 1.0, 0.1)),
    ("abs", lambda t: abs(t), np.sign),
    ("clip", lambda t: t.clip(-1.0, 1.0), lambda d: ((d >= -1) & (d <= 1)) * 1.0),
    ("clip(lo)", lambda t: t.clip(0.5, None), lambda d: (d >= 0.5) * 1.0),
    ("maximum", lambda t: autograd.maximum(t, 0.5),
     lambda d: np.where(d > 0.5, 1.0, np.where(d == 0.5, 0.5, 0.0))),
    ("minimum", lambda t: autograd.minimum(t, 0.5),
     lambda d: np.where(d < 0.5, 1.0, np.where(d == 0.5, 0.5, 0.0))),
    ("** 0", lambda t: t**0, lambda d: d * 0.0),
    ("where", lambda t: autograd.where(t.data > 0, t, 0.0), lambda d: (d > 0) * 1.0),
]


def expected_select(g: np.ndarray, slope: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(slope == 0, 0.0, g * slope)


@pytest.mark.parametrize("name, fn, slope", TENSOR_MASKED, ids=[m[0] for m in TENSOR_MASKED])
@pytest.mark.filterwarnings("ignore:invalid value encountered in reduce:RuntimeWarning")
@given(data=st.data())  # (the warning: the constant operand's gradient sums inf and -inf)
def test_tensor_zero_slopes_give_zero_for_infinite_upstream(name, fn, slope, data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=4), label="shape")
    d = data.draw(grid_arrays(shape), label="x")
    g = data.draw(inf_upstream(shape), label="g")
    expected = expected_select(g, slope(d))
    for create_graph in (False, True):
        x = Tensor(d, requires_grad=True)
        (got,) = autograd.grad(fn(x), x, grad_outputs=Tensor(g), create_graph=create_graph)
        np.testing.assert_array_equal(got.data, expected)


@pytest.mark.parametrize("op", ["max", "min"])
@given(data=st.data())
def test_tensor_max_min_non_extreme_elements_get_zero_for_infinite_upstream(op, data):
    d = data.draw(grid_arrays((3, 4)), label="x")
    axis = data.draw(st.sampled_from([None, 0, 1]), label="axis")
    out_shape = np.max(d, axis=axis).shape
    g = data.draw(inf_upstream(out_shape), label="g")
    x = Tensor(d, requires_grad=True)
    (got,) = autograd.grad(getattr(x, op)(axis=axis), x, grad_outputs=Tensor(g))
    hit = d == getattr(np, op)(d, axis=axis, keepdims=True)
    assert np.all(got.data[~hit] == 0.0)  # not nan: the non-extreme elements are selected out
    share = hit / hit.sum(axis=axis, keepdims=True)
    gk = g if axis is None else np.expand_dims(g, axis)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(got.data[hit], (gk * share)[hit])


# ------------------------------------------------------------------ 3. power at base 0


def limit_d_base(b: float) -> float:
    """d/da a ** b at a = 0, for b >= 0: the analytic (one-sided, a -> 0+) limit."""
    if b == 0 or b > 1:
        return 0.0
    return 1.0 if b == 1 else INF


EXPONENTS = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0]),
                      st.floats(0.0, 10.0))


@given(b=EXPONENTS)
def test_value_power_at_base_zero_takes_the_limits(b):
    for create_graph in (False, True):
        a, e = Value(0.0), Value(b)
        ga, ge = grad(a**e, [a, e], create_graph=create_graph)
        assert same(ga.data, limit_d_base(b)) and ge.data == 0.0, (b, ga, ge)
        c = Value(0.0)
        (gc,) = grad(c**b, c, create_graph=create_graph)
        assert same(gc.data, limit_d_base(b))
        if b > 0:
            x = Value(b)
            (gx,) = grad(0.0**x, x, create_graph=create_graph)  # 0 ** x is flat for x > 0
            assert gx.data == 0.0


def tensor_base_zero_case() -> st.SearchStrategy:
    shape = hnp.array_shapes(min_dims=1, max_dims=2, max_side=4)
    return shape.flatmap(lambda s: st.tuples(
        hnp.arrays(np.float64, s, elements=st.sampled_from([0.0, 0.0, 0.5, 2.0])),
        hnp.arrays(np.float64, s, elements=EXPONENTS),
    ))


@given(case=tensor_base_zero_case())
def test_tensor_power_at_base_zero_takes_the_limits(case):
    da, db = case
    with np.errstate(divide="ignore", invalid="ignore"):
        expect_a = np.where(da == 0, np.vectorize(limit_d_base)(db), db * da ** (db - 1))
        expect_b = np.where(da == 0, 0.0, da**db * np.log(np.where(da == 0, 1.0, da)))
    for create_graph in (False, True):
        a, b = Tensor(da, requires_grad=True), Tensor(db, requires_grad=True)
        g = Tensor(np.ones_like(da))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # 0 ** negative inside: inf, as due
            ga, gb = autograd.grad(a**b, [a, b], grad_outputs=g, create_graph=create_graph)
        np.testing.assert_allclose(ga.data, expect_a, rtol=1e-12)
        np.testing.assert_allclose(gb.data, expect_b, rtol=1e-12, atol=1e-300)
    x = Tensor(db, requires_grad=True)
    (gx,) = autograd.grad((0.0**x).sum(), x)  # d/dx 0 ** x: 0 for x > 0 (and at 0, as PyTorch)
    np.testing.assert_array_equal(gx.data, np.zeros_like(db))


def test_tensor_power_zero_exponent_is_flat_for_infinite_upstream():
    x = Tensor(np.array([0.0, 2.0, -1.0]), requires_grad=True)
    (gx,) = autograd.grad(x**0, x, grad_outputs=Tensor(np.array([INF, NAN, -INF])))
    np.testing.assert_array_equal(gx.data, [0.0, 0.0, 0.0])


# ------------------------------------------------- 4. max/min with nan; boolean masks


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_route_the_gradient_to_the_nan_element(op):
    x = Tensor(np.array([1.0, NAN, 3.0]), requires_grad=True)
    getattr(x, op)().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0])

    x = Tensor(np.array([NAN, 2.0, NAN, 2.0]), requires_grad=True)
    getattr(x, op)().backward()
    np.testing.assert_array_equal(x.grad, [0.5, 0.0, 0.5, 0.0])  # the nans share it

    x = Tensor(np.array([[1.0, NAN], [2.0, 3.0]]), requires_grad=True)
    getattr(x, op)(axis=1).sum().backward()
    expected = [[0.0, 1.0], [1.0, 0.0]] if op == "min" else [[0.0, 1.0], [0.0, 1.0]]
    np.testing.assert_array_equal(x.grad, expected)


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_ties_still_share_equally(op):
    x = Tensor(np.array([3.0, -3.0, 3.0, -3.0]), requires_grad=True)
    getattr(x, op)().backward()
    np.testing.assert_array_equal(x.grad, [0.5, 0.0, 0.5, 0.0] if op == "max" else
                                  [0.0, 0.5, 0.0, 0.5])


@pytest.mark.parametrize(
    "index, match",
    [
        (np.array([True, False]), r"length 2 .*axis 0 of length 3"),
        (np.array([True, False, True, True]), r"length 4 .*axis 0 of length 3"),
        ((slice(None), np.array([True, False])), r"length 2 .*axis 1 of length 4"),
        ((Ellipsis, np.array([True] * 3)), r"length 3 .*axis 1 of length 4"),
        ((0, np.array([True] * 5)), r"length 5 .*axis 1 of length 4"),
        (np.ones((3, 3), bool), r"shape \(3, 3\) .*axes 0-1 of shape \(3, 4\)"),
        ([True, False], r"length 2 .*axis 0 of length 3"),
    ],
)
def test_boolean_mask_of_the_wrong_length_raises_naming_both(index, match):
    x = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    with pytest.raises(IndexError, match=match):
        x[index]


@pytest.mark.parametrize(
    "index",
    [np.array([True, False, True]), (slice(None), np.array([True, False, True, False])),
     (Ellipsis, np.array([False, True, True, False])), np.arange(12).reshape(3, 4) > 4,
     (None, np.array([True, False, True])), (np.array([True, True, False]), slice(1, 3))],
)
def test_boolean_masks_of_the_right_shape_select_as_numpy(index):
    d = np.arange(12.0).reshape(3, 4)
    x = Tensor(d, requires_grad=True)
    out = x[index]
    np.testing.assert_array_equal(out.data, d[index])
    out.sum().backward()
    expected = np.zeros_like(d)
    expected[index] = 1.0
    np.testing.assert_array_equal(x.grad, expected)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("retain", [False, True], ids=["relu overwrites its gradient", "retained"])
def test_tensor_relu_is_a_select_for_infinite_gradients_and_nan_inputs(dtype, retain):
    """relu -> linear: the relu's incoming gradient is a fresh array the engine lets it
    overwrite (unless retained). Where x <= 0 the slope is 0 even for an infinite upstream
    gradient (was ``inf * 0 = nan`` on the overwriting path); a nan input passes it on."""
    from autograd.tensor_ops.matmul import linear

    x = Tensor(np.array([[-1.0, 2.0, np.nan, 0.0]], dtype), requires_grad=True)
    w2 = Tensor(np.array([[np.inf, 1.0, 3.0, np.inf]], dtype), requires_grad=True)
    r = (x * 1.0).relu()
    if retain:
        r.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        linear(r, w2).sum().backward()
    expected = np.array([[0.0, 1.0, 3.0, 0.0]], dtype)  # relu's slope times [inf, 1, 3, inf]
    np.testing.assert_array_equal(x.grad, expected)
    assert x.grad.dtype == dtype
