"""``gradcheck`` / ``gradgradcheck`` and the ``autograd.testing`` helpers.

A checker is only useful if it fails: every "passes" test here has a twin where a deliberately
wrong backward (a ``Function`` off by a factor, or a backward that detaches its second
derivative) must be caught with a message naming the input, the index and both values.
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import find, given
from hypothesis import strategies as st

from autograd import (
    Function,
    GradcheckError,
    Tensor,
    Value,
    gradcheck,
    gradgradcheck,
    no_grad,
)
from autograd.testing import assert_grads_close, broadcastable_shapes, tensors, values


class Cube(Function):
    """x ** 3 with a correct backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_values
        return grad * 3 * x**2


class WrongCube(Cube):
    """x ** 3 whose backward is off by a factor (2x² instead of 3x²)."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_values
        return grad * 2 * x**2


class WrongSecondInput(Function):
    """x * y whose gradient for y is wrong (returns y instead of x)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_values
        return grad * y, grad * y


def _detached_cube_back(ctx, g, out, a):
    """A right first derivative whose second derivative is lost: it uses a's raw data."""
    a_data = a.data if isinstance(a, Value) else a
    return (g * (3.0 * a_data * a_data),)


def detached_cube(x: Value) -> Value:
    """x ** 3 built through the node protocol, with a backward that is not differentiable."""
    out = Value(x.data**3)
    out._prev, out._back, out._ctx, out._op = (x,), _detached_cube_back, None, "cube"
    return out


def f64(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


# ------------------------------------------------------------------------------- passes


def test_passes_on_correct_value_functions():
    x, y = Value(0.7, label="x"), Value(-1.3, label="y")
    assert gradcheck(lambda x: x.tanh() * x, x) is True
    assert gradcheck(lambda x, y: (x * y).sin() + x / y + y.exp(), (x, y)) is True
    assert gradcheck(Cube.apply, x) is True
    assert gradcheck(lambda x, y: x**y, (Value(1.5), Value(0.5))) is True


def test_non_node_items_are_passed_through_unchecked():
    x = Value(2.0)
    assert gradcheck(lambda x, k, name: x**k, (x, 3, "unused"))


def test_several_outputs():
    x, y = Value(0.3), Value(0.9)
    assert gradcheck(lambda x, y: (x * y, x + y.tanh(), y.exp()), (x, y))
    assert gradcheck(lambda x, y: [x * y, y], (x, y))


def test_an_input_the_output_does_not_use_has_zero_gradient():
    x, unused = Value(0.5), Value(2.0)
    assert gradcheck(lambda x, u: x * 2, (x, unused))


def test_passes_on_tensor_functions():
    a = Tensor(f64(3, 4), requires_grad=True, label="a")
    b = Tensor(f64(4, seed=1), requires_grad=True)
    c = Tensor(f64(4, 2, seed=2), requires_grad=True)
    assert gradcheck(lambda a, b: (a * b).tanh(), (a, b))  # non-scalar output: a random VJP
    assert gradcheck(lambda a, c: (a @ c).sum(), (a, c))
    assert gradcheck(lambda a: a.sum(), a)
    assert gradcheck(Cube.apply, a)
    assert gradcheck(lambda s: s * s, Tensor(np.float64(1.5), requires_grad=True))  # 0-d


def test_tensors_without_requires_grad_are_constants():
    a = Tensor(f64(2, 3), requires_grad=True)
    k = Tensor(f64(2, 3, seed=1))
    assert gradcheck(lambda a, k: a * k, (a, k))


def test_works_under_no_grad():
    x = Value(0.4)
    with no_grad():
        assert gradcheck(lambda x: x.sigmoid(), x)
        assert gradgradcheck(lambda x: x.sigmoid(), x)


def test_gradgradcheck_passes_on_correct_functions():
    x, y = Value(0.5, label="x"), Value(-0.8)
    assert gradgradcheck(lambda x: x.sin() * x**3, x)
    assert gradgradcheck(lambda x, y: (x * y).tanh() + x.exp() * y**2, (x, y))
    assert gradgradcheck(lambda x: x * 2 + 1, x)  # second derivative is 0 (no graph)
    a = Tensor(f64(3, 2), requires_grad=True)
    b = Tensor(f64(2, seed=3), requires_grad=True)
    assert gradgradcheck(lambda a, b: (a * b).tanh() * a, (a, b))


# ------------------------------------------------------------------------------- failures


def test_wrong_backward_raises_with_input_label_and_values():
    x = Value(1.5, label="x")
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongCube.apply, x)
    err = info.value
    assert isinstance(err, AssertionError)
    text = str(err)
    assert "input 0" in text and "'x'" in text
    assert "analytic" in text and "numeric" in text
    assert repr(2 * 1.5**2) in text  # 4.5, what the wrong backward says
    assert err.input_index == 0 and err.label == "x"
    assert err.analytic == pytest.approx(4.5)
    assert err.numeric == pytest.approx(3 * 1.5**2, rel=1e-6)


def test_wrong_backward_returns_false_without_raising():
    assert gradcheck(WrongCube.apply, Value(1.5), raise_exception=False) is False
    assert gradcheck(Cube.apply, Value(1.5), raise_exception=False) is True


def test_names_the_wrong_input_among_several():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    with pytest.raises(GradcheckError, match=r"input 1 \(Value 'y'\)") as info:
        gradcheck(WrongSecondInput.apply, (x, y))
    assert info.value.analytic == 3.0 and info.value.numeric == pytest.approx(2.0)


def test_wrong_tensor_backward_names_the_index():
    data = np.array([[0.5, 1.0], [1.5, -2.0]])
    a = Tensor(data, requires_grad=True, label="a")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a: WrongCube.apply(a).sum(), a)  # scalar output: the plain gradient
    err = info.value
    assert "input 0 (Tensor 'a', shape (2, 2), dtype float64) at index (1, 1)" in str(err)
    assert err.index == (1, 1)  # the worst element: x = -2
    assert err.analytic == pytest.approx(2 * 4.0) and err.numeric == pytest.approx(3 * 4.0)
    assert "4 of 4 elements differ" in str(err)


def test_non_scalar_output_uses_a_random_vjp_and_says_so():
    a = Tensor(f64(3), requires_grad=True)
    with pytest.raises(GradcheckError, match="random upstream gradient"):
        gradcheck(WrongCube.apply, a)


def test_tolerances_are_respected():
    x = Value(1.0)
    # analytic 2, numeric 3: |diff| = 1 <= atol + rtol*3 only for loose tolerances
    assert not gradcheck(WrongCube.apply, x, raise_exception=False)
    assert gradcheck(WrongCube.apply, x, atol=1.0, rtol=0.0)
    assert gradcheck(WrongCube.apply, x, atol=0.0, rtol=0.34)


def _nan_back(ctx, g, out, a):
    return (math.nan,)


def _nan_grad(x: Value) -> Value:
    out = Value(x.data * 2)
    out._prev, out._back, out._ctx, out._op = (x,), _nan_back, None, "nan"
    return out


def test_nan_gradient_fails():
    x = Value(0.5)
    assert gradcheck(_nan_grad, x, raise_exception=False) is False
    with pytest.raises(GradcheckError, match="analytic .* = nan"):
        gradcheck(_nan_grad, x)


def test_gradgradcheck_catches_a_detached_second_derivative():
    x = Value(0.8, label="x")
    assert gradcheck(detached_cube, x)  # first derivative is right
    with pytest.raises(GradcheckError, match="second derivative") as info:
        gradgradcheck(detached_cube, x)
    assert "'x'" in str(info.value)
    assert info.value.analytic == 0.0
    assert info.value.numeric == pytest.approx(6 * 0.8, rel=1e-5)
    assert gradgradcheck(detached_cube, x, raise_exception=False) is False


def test_gradgradcheck_through_a_function_says_it_cannot():
    with pytest.raises(RuntimeError, match="Cube.backward"):
        gradgradcheck(Cube.apply, Value(0.5))


# ---------------------------------------------------------------------- input handling


def test_inputs_are_never_changed():
    x, y = Value(0.25, label="x"), Value(-2.0)
    x.grad, y.grad = 7.0, -1.0
    gradcheck(lambda x, y: x * y + x.exp(), (x, y))
    gradcheck(WrongCube.apply, x, raise_exception=False)
    gradgradcheck(lambda x, y: x * y * y, (x, y))
    assert (x.data, y.data, x.grad, y.grad, x.label) == (0.25, -2.0, 7.0, -1.0, "x")


def test_tensor_arrays_are_never_written():
    a = Tensor(f64(2, 3), requires_grad=True)
    array = a.data
    array.setflags(write=False)  # any write into the Tensor's own array would raise
    gradcheck(lambda a: (a * a).tanh(), a)
    gradgradcheck(lambda a: (a * a).tanh(), a)
    gradcheck(WrongCube.apply, a, raise_exception=False)
    assert a.data is array and a.grad is None
    np.testing.assert_array_equal(a.data, f64(2, 3))

    b = Tensor(f64(3), requires_grad=True)
    b.grad = np.ones(3)
    gradcheck(lambda b: b * 2, b)
    np.testing.assert_array_equal(b.grad, np.ones(3))


def test_inputs_are_restored_when_fn_raises_mid_check():
    x = Value(1e-7)  # the -eps nudge makes log's argument negative

    with pytest.raises(ValueError, match="log"):
        gradcheck(lambda x: x.log(), x)
    assert x.data == 1e-7
    t = Tensor(np.array([1.0, 1e-7]), requires_grad=True)
    array = t.data
    with pytest.raises(ValueError):
        gradcheck(lambda t: t.log() if (t.data > 0).all() else _raise(), t)
    assert t.data is array
    np.testing.assert_array_equal(array, [1.0, 1e-7])


def _raise():
    raise ValueError("log of a negative entry")


def test_float32_warns():
    a = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    with pytest.warns(UserWarning, match="float64"):
        gradcheck(lambda a: a * 2, a, atol=1e-2, rtol=1e-2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gradcheck(lambda a: a * 2, Tensor(np.ones(3), requires_grad=True))  # float64: silent


@pytest.mark.parametrize(
    "fn, inputs, error, match",
    [
        (lambda x: x, 2.0, TypeError, "inputs must be a Value, a Tensor"),
        (lambda x: x, (1.0, 2.0), ValueError, "no input"),
        (lambda x: x, Tensor([1.0]), ValueError, "no input"),
        (lambda x: 3.0, Value(1.0), TypeError, "must return a Value or a Tensor"),
        (lambda x: (), Value(1.0), TypeError, "empty"),
    ],
)
def test_bad_arguments(fn, inputs, error, match):
    with pytest.raises(error, match=match):
        gradcheck(fn, inputs)


def test_eps_must_be_positive():
    with pytest.raises(ValueError, match="eps"):
        gradcheck(lambda x: x, Value(1.0), eps=0.0)


# ----------------------------------------------------------------------- autograd.testing


def test_importing_autograd_does_not_import_hypothesis():
    code = "import sys, autograd; assert 'hypothesis' not in sys.modules, 'imported'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@given(x=values(-3.0, 3.0, exclude_zero=True, avoid=(1.0,), min_distance=0.1))
def test_values_strategy_respects_its_bounds(x):
    assert isinstance(x, Value) and x.grad == 0.0 and x._prev == ()
    assert -3.0 <= x.data <= 3.0
    assert abs(x.data) >= 0.1 and abs(x.data - 1.0) >= 0.1


@given(t=tensors(shape=(2, 3)))
def test_tensors_strategy_fixed_shape(t):
    assert isinstance(t, Tensor) and t.requires_grad
    assert t.shape == (2, 3) and t.dtype == np.float64
    assert np.all(np.abs(t.data) <= 10.0)


@given(t=tensors(dtype=np.float32, min_value=0.5, max_value=2.0, requires_grad=False))
def test_tensors_strategy_any_shape_and_float32(t):
    assert t.dtype == np.float32 and not t.requires_grad and t.ndim <= 3
    assert np.all((t.data >= 0.5) & (t.data <= 2.0))


@given(t=tensors(dtype=np.int64, min_value=-3, max_value=3),
       m=tensors(shape=(2,), dtype=np.bool_))
def test_tensors_strategy_draws_integer_and_bool_constants(t, m):
    assert t.dtype == np.int64 and not t.requires_grad
    assert np.all((t.data >= -3) & (t.data <= 3))
    assert m.dtype == np.bool_ and m.shape == (2,) and not m.requires_grad


def test_tensors_strategy_rejects_complex_dtypes():
    with pytest.raises(TypeError, match="floating, integer or bool"):
        tensors(dtype=np.complex128)


@given(shapes=broadcastable_shapes())
def test_broadcastable_shapes_broadcast(shapes):
    a, b = shapes
    np.broadcast_shapes(a, b)  # raises if they do not


def test_broadcastable_shapes_include_0d_and_size_1():
    assert find(broadcastable_shapes(), lambda s: s[0] == () and len(s[1]) >= 2)
    assert find(
        broadcastable_shapes(),
        lambda s: len(s[0]) == len(s[1]) >= 1
        and any(p == 1 and q > 1 for p, q in zip(s[0], s[1])),
    )
    assert find(broadcastable_shapes(num_shapes=3), lambda s: len({len(x) for x in s}) == 3)


@given(x=values(exclude_zero=True), y=values(0.1, 5.0))
def test_assert_grads_close_passes_on_value_ops(x, y):
    assert_grads_close(lambda x, y: 1 / x + (x * y).tanh() + y.log(), x, y, second_order=True)


@given(shapes=broadcastable_shapes(), data=st.data())
def test_assert_grads_close_passes_on_broadcast_tensor_ops(shapes, data):
    a = data.draw(tensors(shape=shapes[0]), label="a")
    b = data.draw(tensors(shape=shapes[1]), label="b")
    assert_grads_close(lambda a, b: (a + b) * a - b.sigmoid(), a, b)


def test_assert_grads_close_failure_message_names_function_and_inputs():
    x = Value(1.5, label="x")

    def my_cube(x):
        return WrongCube.apply(x)

    with pytest.raises(GradcheckError) as info:
        assert_grads_close(my_cube, x)
    text = str(info.value)
    assert "my_cube(Value(data=1.5" in text
    assert "input 0 (Value 'x')" in text and "analytic" in text and "numeric" in text
    assert info.value.input_index == 0 and info.value.analytic == pytest.approx(4.5)


def test_assert_grads_close_second_order_catches_detached_backward():
    x = Value(0.8)
    assert_grads_close(detached_cube, x)
    with pytest.raises(GradcheckError, match="second derivative"):
        assert_grads_close(detached_cube, x, second_order=True)
