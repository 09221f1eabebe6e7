"""Every error the contract promises for ``Value``: clear type and domain errors, no half-graphs.

Each message must name the op and the offending value (never a bare "math domain error"), and
the error must come before any node is made: the operands are unchanged and no new ``Value``
survives the failed call.
"""

from __future__ import annotations

import gc
import math

import numpy as np
import pytest

from autograd import Value, dot, grad

# --------------------------------------------------------------------------- construction


@pytest.mark.parametrize(
    "data, type_name",
    [
        (True, "bool"),
        (False, "bool"),
        (np.bool_(True), "bool"),
        ("1.0", "str"),
        (b"1", "bytes"),
        (None, "NoneType"),
        ([1.0], "list"),
        ((1.0,), "tuple"),
        ({"a": 1}, "dict"),
        (np.array([1.0, 2.0]), "ndarray"),
        (1 + 2j, "complex"),
        (Value(1.0), "Value"),
    ],
)
def test_value_rejects_non_numbers_naming_the_type(data, type_name):
    with pytest.raises(TypeError, match=type_name):
        Value(data)


@pytest.mark.parametrize("data", [3, -7, 2.5, np.float64(1.5), np.int64(4), np.float32(0.5)])
def test_value_accepts_ints_and_floats_as_python_floats(data):
    v = Value(data)
    assert type(v.data) is float and v.data == float(data)
    assert v.grad == 0.0 and type(v.grad) is float


# --------------------------------------------------------------------- operand types


@pytest.mark.parametrize("other", ["2", None, [1.0], True, (1,), {}])
@pytest.mark.parametrize(
    "op",
    [
        lambda a, o: a + o, lambda a, o: o + a, lambda a, o: a - o, lambda a, o: o - a,
        lambda a, o: a * o, lambda a, o: o * a, lambda a, o: a / o, lambda a, o: o / a,
        lambda a, o: a ** o, lambda a, o: o ** a,
    ],
)
def test_binary_ops_reject_non_numbers(op, other):
    a = Value(2.0)
    with pytest.raises(TypeError):
        op(a, other)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda v: v.leaky_relu("0.1"), "leaky_relu.*str"),
        (lambda v: v.leaky_relu(None), "leaky_relu.*NoneType"),
        (lambda v: v.elu("1"), "elu.*str"),
        (lambda v: v.elu(True), "elu.*bool"),
        (lambda v: dot([v, "w"], [1.0, 2.0]), "dot.*str"),
        (lambda v: dot([v], [None]), "dot.*NoneType"),
        (lambda v: dot([v], [1.0], bias="b"), "dot.*str"),
    ],
)
def test_parameter_type_errors_name_op_and_type(call, match):
    with pytest.raises(TypeError, match=match):
        call(Value(-1.0))  # negative: leaky_relu and elu use their parameter here


def test_dot_length_mismatch():
    with pytest.raises(ValueError, match="dot: 2 weights but 3 inputs"):
        dot([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="dot: 3 weights but 2 inputs"):  # all Values, generators
        dot((Value(float(i)) for i in range(3)), (Value(1.0) for _ in range(2)))


# ---------------------------------------------------------------------------- domains


def _live_values() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is Value)


DOMAIN_ERRORS = [
    # (expression, error, pattern naming the op and the value)
    (lambda: Value(-1).log(), ValueError, r"log.*-1\.0"),
    (lambda: Value(0).log(), ValueError, r"log.*0\.0"),
    (lambda: Value(-1e-300).log(), ValueError, r"log.*-1e-300"),
    (lambda: Value(-1).sqrt(), ValueError, r"sqrt.*-1\.0"),
    (lambda: Value(-4.5).sqrt(), ValueError, r"sqrt.*-4\.5"),
    (lambda: Value(1) / 0, ZeroDivisionError, r"division.*1\.0 / 0"),
    (lambda: Value(1) / 0.0, ZeroDivisionError, r"division.*1\.0 / 0"),
    (lambda: Value(3) / Value(0), ZeroDivisionError, r"division.*3\.0 / 0"),
    (lambda: 2 / Value(0), ZeroDivisionError, r"division.*2\.0 / 0"),
    (lambda: Value(-8) ** (1 / 3), ValueError, r"pow.*-8\.0.*0\.333"),
    (lambda: Value(-8) ** 0.5, ValueError, r"pow.*negative base -8\.0 \*\* 0\.5"),
    (lambda: Value(-8) ** Value(0.5), ValueError, r"pow.*-8\.0 \*\* 0\.5"),
    (lambda: (-8) ** Value(0.5), ValueError, r"pow.*-8\.0 \*\* 0\.5"),
    (lambda: Value(0) ** -1, ZeroDivisionError, r"pow.*0\.0 \*\* -1\.0"),
    (lambda: Value(0) ** -0.5, ZeroDivisionError, r"pow.*0\.0 \*\* -0\.5"),
    (lambda: Value(0) ** Value(-2), ZeroDivisionError, r"pow.*0\.0 \*\* -2\.0"),
    (lambda: 0 ** Value(-1), ZeroDivisionError, r"pow.*0\.0 \*\* -1\.0"),
    (lambda: Value(math.inf).sin(), ValueError, r"sin.*finite.*sin\(inf\)"),
    (lambda: Value(-math.inf).sin(), ValueError, r"sin.*sin\(-inf\)"),
    (lambda: Value(math.inf).cos(), ValueError, r"cos.*cos\(inf\)"),
]  # overflow is not an error: it gives inf (test_nonfinite.py)


@pytest.mark.parametrize("expr, error, match", DOMAIN_ERRORS)
def test_domain_errors_name_op_and_value(expr, error, match):
    with pytest.raises(error, match=match) as info:
        expr()
    assert "math domain error" not in str(info.value)


NEG_EXPONENT, NEG_BASE = Value(-1.5), Value(-2.0)  # made before the counts below


@pytest.mark.parametrize(
    "method, bad",
    [
        (lambda v: v.log(), -1.0), (lambda v: v.log(), 0.0), (lambda v: v.sqrt(), -2.0),
        (lambda v: v / 0, 5.0), (lambda v: 1 / v, 0.0), (lambda v: v ** 0.5, -3.0),
        (lambda v: v ** -2, 0.0), (lambda v: 0 ** v, -1.0), (lambda v: v.sin(), math.inf),
        (lambda v: v ** NEG_EXPONENT, 0.0), (lambda v: NEG_BASE ** v, 0.5),
    ],
)
def test_domain_errors_come_before_any_node(method, bad):
    x = Value(2.0)
    y = (x * 3) - 6.0 + bad  # an operand with a graph behind it: data == bad
    assert y.data == bad
    state = (x.data, x.grad, y.data, y.grad, y._prev)
    gc.collect()
    gc.disable()  # nothing may be collected between the counts
    try:
        live = _live_values()
        with pytest.raises((ValueError, ZeroDivisionError)) as info:
            method(y)
        # info keeps the traceback alive: a node made before the raise would still be counted
        assert info.value is not None and _live_values() == live
    finally:
        gc.enable()
    assert (x.data, x.grad, y.data, y.grad, y._prev) == state
    y.backward()  # the graph is intact and still works
    assert x.grad == 3.0


def test_failed_op_does_not_break_later_gradients():
    x = Value(-1.0)
    with pytest.raises(ValueError):
        x.log()
    (g,) = grad((x * x).exp(), x)
    assert g.data == pytest.approx(-2 * 2.718281828459045)
