"""Every ``Value`` op, driven by one property-test factory over a table of ops.

For each op, Hypothesis draws inputs over the op's domain (edges near 0, large magnitudes,
negative bases where defined, away from kinks and poles) and the test checks

1. the forward value against the same formula in ``math``;
2. the gradient w.r.t. every Value input against central finite differences of that formula;
3. every second derivative (``grad`` of the ``create_graph=True`` gradient) against central
   finite differences of the engine's own gradient.

Adding an op is one ``Op(...)`` line in ``OPS``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, dot, grad
from autograd.testing import values


@dataclass(frozen=True)
class Op:
    """One row: how to call the op on Values, the same formula on floats, and each input's domain.

    ``consts`` are positions passed as plain numbers (``a * 2``, ``2 ** a``); the rest are Values.
    ``wrt`` limits the derivative checks to some Value positions (``None``: all of them).
    ``products``: the op sums products of its inputs, so it rounds at their magnitude (the
    squares of the inputs'), not at the inputs' own, which sets the finite-difference noise.
    """

    name: str
    fn: Callable[..., Value]
    ref: Callable[..., float]
    domains: tuple[st.SearchStrategy[float], ...]
    consts: tuple[int, ...] = ()
    wrt: tuple[int, ...] | None = None
    products: bool = False


def real(lo: float, hi: float, *, avoid: tuple[float, ...] = (), edges=(), gap: float = 1e-9):
    """Floats in [lo, hi] (via ``autograd.testing.values``) plus hand-picked edge values."""
    picks = {0.0, 1e-8, -1e-8, 1e-3, -1e-3, 1.0, -1.0, 1e3, -1e3, *edges}
    picks = sorted(p for p in picks if lo <= p <= hi and all(abs(p - a) >= gap for a in avoid))
    drawn = values(lo, hi, avoid=avoid, min_distance=gap).map(lambda v: v.data)
    return st.one_of(st.sampled_from(picks), drawn) if picks else drawn


def integer(lo: int, hi: int, *, avoid: tuple[int, ...] = ()):
    """Small integers, as floats (exponents of a negative base)."""
    return st.integers(lo, hi).filter(lambda k: k not in avoid).map(float)


def number(lo: float, hi: float, *, avoid: tuple[float, ...] = ()):
    """A number operand: sometimes a Python int, sometimes a float."""
    ints = st.integers(math.ceil(lo), math.floor(hi)).filter(lambda k: k not in avoid)
    return st.one_of(ints, real(lo, hi, avoid=avoid, gap=1e-3))


BIG = real(-1e6, 1e6)
R = real(-1e3, 1e3)
NONZERO = real(-1e3, 1e3, avoid=(0.0,), gap=1e-3)
KINKED = real(-1e3, 1e3, avoid=(0.0,), gap=1e-9)  # away from the kink at 0: 1e-9 ≫ the step
POSITIVE = real(1e-8, 1e6)
BASE = real(1e-3, 10.0)
NEG_BASE = real(-10.0, -1e-3)
EXPONENT = real(-3.0, 3.0)
INT_EXPONENT = integer(-3, 3)
UNIT = real(0.01, 3.0)


def pow_ref(a: float, p: float) -> float:
    return a**p


OPS = [
    Op("v + v", operator.add, operator.add, (BIG, BIG)),
    Op("v + n", operator.add, operator.add, (BIG, number(-1e6, 1e6)), consts=(1,)),
    Op("n + v", operator.add, operator.add, (number(-1e6, 1e6), BIG), consts=(0,)),
    Op("v - v", operator.sub, operator.sub, (BIG, BIG)),
    Op("v - n", operator.sub, operator.sub, (BIG, number(-1e6, 1e6)), consts=(1,)),
    Op("n - v", operator.sub, operator.sub, (number(-1e6, 1e6), BIG), consts=(0,)),
    Op("v * v", operator.mul, operator.mul, (BIG, BIG)),
    Op("v * n", operator.mul, operator.mul, (BIG, number(-1e3, 1e3)), consts=(1,)),
    Op("n * v", operator.mul, operator.mul, (number(-1e3, 1e3), BIG), consts=(0,)),
    Op("v / v", operator.truediv, operator.truediv, (BIG, NONZERO)),
    Op("v / n", operator.truediv, operator.truediv, (BIG, number(-1e3, 1e3, avoid=(0,))),
       consts=(1,)),
    Op("n / v", operator.truediv, operator.truediv, (number(-1e3, 1e3), NONZERO), consts=(0,)),
    Op("v ** int", operator.pow, pow_ref, (NONZERO, st.integers(-3, 4)), consts=(1,)),
    Op("v ** float", operator.pow, pow_ref, (BASE, EXPONENT), consts=(1,)),
    Op("v ** v", operator.pow, pow_ref, (BASE, EXPONENT)),
    Op("-v ** v (int)", operator.pow, pow_ref, (NEG_BASE, INT_EXPONENT), wrt=(0,)),
    Op("n ** v", operator.pow, pow_ref, (real(0.1, 10.0), real(-10.0, 10.0)), consts=(0,)),
    Op("neg", operator.neg, operator.neg, (BIG,)),
    Op("abs", abs, abs, (KINKED,)),
    Op("exp", Value.exp, math.exp, (real(-700.0, 700.0),)),
    Op("log", Value.log, math.log, (POSITIVE,)),
    Op("sqrt", Value.sqrt, math.sqrt, (POSITIVE,)),
    Op("tanh", Value.tanh, math.tanh, (R,)),
    Op("sigmoid", Value.sigmoid, lambda x: 0.5 * (1.0 + math.tanh(0.5 * x)), (R,)),
    Op("relu", Value.relu, lambda x: max(x, 0.0), (KINKED,)),
    Op("leaky_relu", Value.leaky_relu, lambda x: x if x > 0 else 0.01 * x, (KINKED,)),
    Op("leaky_relu(s)", Value.leaky_relu, lambda x, s: x if x > 0 else s * x, (KINKED, UNIT),
       consts=(1,)),
    Op("elu", Value.elu, lambda x: x if x > 0 else math.expm1(x), (KINKED,)),
    Op("elu(alpha)", Value.elu, lambda x, a: x if x > 0 else a * math.expm1(x), (KINKED, UNIT),
       consts=(1,)),
    Op("sin", Value.sin, math.sin, (real(-100.0, 100.0),)),
    Op("cos", Value.cos, math.cos, (real(-100.0, 100.0),)),
    Op("dot + bias", lambda *a: dot(a[0:3], a[3:6], a[6]),
       lambda *a: sum(w * x for w, x in zip(a[0:3], a[3:6])) + a[6], (R,) * 7, products=True),
    Op("dot", lambda *a: dot(a[0:2], a[2:4]),
       lambda *a: sum(w * x for w, x in zip(a[0:2], a[2:4])), (R,) * 4, products=True),
    Op("dot (numbers)", lambda *a: dot(a[0:2], a[2:4], a[4]),
       lambda *a: sum(w * x for w, x in zip(a[0:2], a[2:4])) + a[4], (R,) * 5,
       consts=(0, 3), products=True),
]


# ------------------------------------------------------------------------------ the factory

ROUNDOFF = 2e-15  # a few ulps of the values involved, over the step: the FD noise floor


def step(x: float) -> float:
    """A central-difference step: ~cbrt(machine eps) relative to x (never 0, never subnormal)."""
    return 6e-6 * max(abs(x), 1e-6)


def central_difference(
    f: Callable[[float], float], x: float, scale: float
) -> tuple[float, float]:
    """(f'(x) by central differences, the noise to expect from rounding).

    ``scale`` is the largest magnitude the computation rounds at (its inputs and outputs):
    a few ulps of it, divided by the step, is what rounding alone can change the quotient by.
    """
    h = step(x)
    hi, lo = x + h, x - h  # the step actually taken is hi - lo, after rounding
    f_hi, f_lo = f(hi), f(lo)
    noise = ROUNDOFF * max(abs(f_hi), abs(f_lo), scale) / (hi - lo)
    return (f_hi - f_lo) / (hi - lo), noise


def assert_close(analytic: float, numeric: float, noise: float, what: str) -> None:
    tol = 1e-9 + 1e-5 * abs(numeric) + noise
    assert abs(analytic - numeric) <= tol, (
        f"{what}: analytic {analytic!r} vs numeric {numeric!r} (tolerance {tol:.3g})"
    )


def call(op: Op, xs: list[float]) -> tuple[Value, list[Value]]:
    """Run the op with Values at the non-constant positions; return (output, those Values)."""
    args = [x if i in op.consts else Value(x) for i, x in enumerate(xs)]
    nodes = [a for a in args if isinstance(a, Value)]
    return op.fn(*args), nodes


def nudged(xs: list[float], i: int, x: float) -> list[float]:
    ys = list(xs)
    ys[i] = x
    return ys


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
@given(data=st.data())
def test_value_op(op: Op, data: st.DataObject) -> None:
    xs = [data.draw(dom, label=f"x{i}") for i, dom in enumerate(op.domains)]
    positions = [i for i in range(len(xs)) if i not in op.consts]
    wrt = positions if op.wrt is None else list(op.wrt)

    # 1. forward against math
    out, nodes = call(op, xs)
    expected = op.ref(*xs)
    assert isinstance(out, Value)
    assert math.isclose(out.data, expected, rel_tol=1e-12, abs_tol=1e-15), (out.data, expected)
    scale = max(abs(x) for x in xs)
    if op.products:
        scale = max(scale, scale * scale)

    # 2. gradient against central differences of the math formula
    node_of = dict(zip(positions, nodes))
    first = grad(out, [node_of[i] for i in wrt])
    for i, g in zip(wrt, first):
        f = lambda t, i=i: op.ref(*nudged(xs, i, t))  # noqa: E731
        numeric, noise = central_difference(f, xs[i], scale)
        assert_close(g.data, numeric, noise, f"{op.name}: d/dx{i} at {xs}")

    # 3. second derivatives against central differences of the engine's gradient
    out, nodes = call(op, xs)
    node_of = dict(zip(positions, nodes))
    wrt_nodes = [node_of[i] for i in wrt]
    first = grad(out, wrt_nodes, create_graph=True)
    for i, gi in zip(wrt, first):
        assert isinstance(gi, Value)
        assert math.isclose(gi.data, grad(out, node_of[i])[0].data, rel_tol=1e-12, abs_tol=0)
        second = grad(gi, wrt_nodes, allow_unused=True)
        for j, hij in zip(wrt, second):
            analytic = 0.0 if hij is None else hij.data

            def gradient_i(t: float, i: int = i, j: int = j) -> float:
                o, ns = call(op, nudged(xs, j, t))
                return grad(o, dict(zip(positions, ns))[i])[0].data

            numeric, noise = central_difference(gradient_i, xs[j], scale)
            assert_close(analytic, numeric, noise, f"{op.name}: d²/dx{i}dx{j} at {xs}")
