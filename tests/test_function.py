"""``autograd.Function``: user-defined ops with a hand-written backward, on Values and Tensors."""

from __future__ import annotations

import numpy as np
import pytest
from budget import examples
from hypothesis import given, settings

import autograd
from autograd import Function, Tensor, Value
from autograd.testing import assert_grads_close, tensors, values


class Cube(Function):  # the contract's example
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_values
        return grad * 3 * x ** 2


class MulAdd(Function):
    """x * y + z: three inputs, three gradients."""

    @staticmethod
    def forward(ctx, x, y, z):
        ctx.save_for_backward(x, y)
        return x * y + z

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_values
        return grad * y, grad * x, grad


class Scale(Function):
    """x * factor; ``factor`` and ``tag`` are passed through, not nodes."""

    @staticmethod
    def forward(ctx, x, factor, tag):
        assert tag == "keep me"
        ctx.factor = factor
        return x * factor

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.factor, None, None  # one entry per forward argument


class ScaleNodesOnly(Scale):
    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.factor  # one entry per Value/Tensor argument


class FirstOnly(Function):
    """x + y, but declares no gradient for y."""

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class Seen(Function):
    """Records what forward and backward receive."""

    log: list = []

    @staticmethod
    def forward(ctx, x):
        Seen.log.append(("forward", type(x)))
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        Seen.log.append(("backward", type(grad)))
        return grad * 2


def _tensor(x, requires_grad=True):
    return Tensor(np.asarray(x, dtype=np.float64), requires_grad=requires_grad)


def test_cube_on_a_value():
    x = Value(2.0)
    y = Cube.apply(x)
    assert isinstance(y, Value) and y.data == 8.0 and y._op == "Cube"
    y.backward()
    assert x.grad == 12.0


def test_cube_on_a_tensor_inside_a_bigger_graph():
    x = _tensor([[1.0, -2.0], [0.5, 3.0]])
    y = (Cube.apply(x) * np.array([1.0, 2.0])).sum()
    y.backward()
    np.testing.assert_allclose(x.grad, 3 * x.data ** 2 * np.array([1.0, 2.0]))
    (g,) = autograd.grad((Cube.apply(x) * np.array([1.0, 2.0])).sum(), x)
    np.testing.assert_allclose(g.data, x.grad)


def test_cube_matches_finite_differences():
    x0 = np.array([0.3, -1.2, 2.0])
    w = np.array([0.5, -1.0, 2.0])
    x = _tensor(x0)
    (Cube.apply(x).tanh() * w).sum().backward()
    eps = 1e-6
    for i in range(3):
        d = np.zeros(3)
        d[i] = eps
        fd = (np.sum(np.tanh((x0 + d) ** 3) * w) - np.sum(np.tanh((x0 - d) ** 3) * w)) / (2 * eps)
        np.testing.assert_allclose(x.grad[i], fd, rtol=1e-6, atol=1e-8)


@settings(max_examples=examples(25), deadline=None)
@given(x=tensors(min_value=-2.0, max_value=2.0), y=tensors(min_value=-2.0, max_value=2.0),
       v=values(-2.0, 2.0))
def test_functions_pass_gradcheck(x, y, v):
    assert_grads_close(lambda t: Cube.apply(t).tanh(), x)
    assert_grads_close(lambda a, b: MulAdd.apply(a, a.tanh() + b.sum(), a), x, y)
    assert_grads_close(lambda a: Cube.apply(a) * a, v)


def test_forward_sees_floats_for_values_and_ndarrays_for_tensors():
    Seen.log = []
    Seen.apply(Value(1.0)).backward()
    Seen.apply(_tensor([1.0, 2.0])).sum().backward()
    assert Seen.log == [("forward", float), ("backward", float),
                        ("forward", np.ndarray), ("backward", np.ndarray)]


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_multiple_inputs(kind):
    if kind == "value":
        x, y, z = Value(2.0), Value(-3.0), Value(0.5)
        out = MulAdd.apply(x, y, z)
        assert out.data == -5.5
        out.backward()
        assert (x.grad, y.grad, z.grad) == (-3.0, 2.0, 1.0)
    else:
        x, y, z = _tensor([1.0, 2.0]), _tensor([3.0, 4.0]), _tensor([5.0, 6.0])
        out = MulAdd.apply(x, y, z)
        np.testing.assert_array_equal(out.data, [8.0, 14.0])
        out.backward(np.array([1.0, 10.0]))
        np.testing.assert_array_equal(x.grad, [3.0, 40.0])
        np.testing.assert_array_equal(y.grad, [1.0, 20.0])
        np.testing.assert_array_equal(z.grad, [1.0, 10.0])


def test_the_same_node_twice_gets_both_gradients():
    x = _tensor([2.0, 3.0])
    MulAdd.apply(x, x, x).sum().backward()  # x² + x
    np.testing.assert_array_equal(x.grad, [5.0, 7.0])
    v = Value(3.0)
    MulAdd.apply(v, v, v).backward()
    assert v.grad == 7.0


@pytest.mark.parametrize("fn", [Scale, ScaleNodesOnly])
def test_non_node_arguments_pass_through(fn):
    v = Value(2.0)
    out = fn.apply(v, 2.5, "keep me")
    assert out.data == 5.0
    out.backward()
    assert v.grad == 2.5
    t = _tensor([1.0, 2.0])
    fn.apply(t, np.array([2.0, 3.0]), "keep me").sum().backward()
    np.testing.assert_array_equal(t.grad, [2.0, 3.0])


def test_needs_input_grad_and_saved_values():
    seen = {}

    class Peek(Function):
        @staticmethod
        def forward(ctx, x, y, k):
            ctx.save_for_backward(x, k)
            seen["needs"] = ctx.needs_input_grad
            return x * y * k

        @staticmethod
        def backward(ctx, grad):
            seen["saved"] = ctx.saved_values
            return grad, grad, None

    x, y = _tensor([1.0]), _tensor([2.0], requires_grad=False)
    Peek.apply(x, y, 3.0).sum().backward()
    assert seen["needs"] == (True, False, False)
    np.testing.assert_array_equal(seen["saved"][0], [1.0])
    assert seen["saved"][1] == 3.0
    assert y.grad is None


def test_none_gradient_for_an_input():
    x, y = _tensor([1.0, 2.0]), _tensor([3.0, 4.0])
    FirstOnly.apply(x, y).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])
    assert y.grad is None
    a, b = Value(1.0), Value(2.0)
    FirstOnly.apply(a, b).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)
    with pytest.raises(RuntimeError, match="allow_unused"):
        autograd.grad(FirstOnly.apply(x, y).sum(), [x, y])
    gx, gy = autograd.grad(FirstOnly.apply(x, y).sum(), [x, y], allow_unused=True)
    np.testing.assert_array_equal(gx.data, [1.0, 1.0])
    assert gy is None


def test_wrong_gradient_shape_is_a_clear_error():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad.sum(axis=0)

    x = _tensor(np.ones((2, 3)))
    with pytest.raises(ValueError) as e:
        Bad.apply(x).sum().backward()
    assert "Bad" in str(e.value) and "(3,)" in str(e.value) and "(2, 3)" in str(e.value)
    assert x.grad is None


def test_wrong_number_of_gradients_is_a_clear_error():
    class TooMany(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, grad):
            return grad, grad, grad

    with pytest.raises(ValueError, match="TooMany.backward returned 3 gradients"):
        TooMany.apply(_tensor([1.0]), _tensor([2.0])).sum().backward()


def test_mixing_values_and_tensors_is_a_type_error():
    with pytest.raises(TypeError, match="mix"):
        MulAdd.apply(Value(1.0), _tensor([1.0]), Value(2.0))


def test_apply_needs_a_node():
    with pytest.raises(TypeError, match="Cube"):
        Cube.apply(2.0)
    with pytest.raises(TypeError, match="Cube"):
        Cube.apply(np.ones(2))


def test_value_forward_must_return_a_number():
    class ReturnsValue(Function):
        @staticmethod
        def forward(ctx, x):
            return Value(x)

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(TypeError, match="ReturnsValue"):
        ReturnsValue.apply(Value(1.0))


@pytest.mark.parametrize("node", [Value(1.5), Tensor(np.array([1.5, -0.5]), requires_grad=True)])
def test_create_graph_through_a_function_is_a_clear_runtime_error(node):
    out = Cube.apply(node)
    out = out if isinstance(out, Value) else out.sum()
    with pytest.raises(RuntimeError, match="create_graph") as e:
        autograd.grad(out, node, create_graph=True)
    assert "Cube" in str(e.value)
    (g,) = autograd.grad(out, node)  # without create_graph it works
    np.testing.assert_allclose(np.asarray(g.data), 3 * np.asarray(node.data) ** 2)


def test_function_under_no_grad_records_nothing():
    x = _tensor([1.0, 2.0])
    with autograd.no_grad():
        y = Cube.apply(x)
    assert not y.requires_grad and y._prev == ()
    np.testing.assert_array_equal(y.data, [1.0, 8.0])
    assert not Cube.apply(_tensor([1.0], requires_grad=False)).requires_grad


def test_function_dtypes_follow_the_input():
    x = Tensor([1.0, 2.0], requires_grad=True)  # float32

    class ToFloat64(Function):
        @staticmethod
        def forward(ctx, x):
            return float(x.sum())  # a Python float: becomes a 0-d array in x's dtype

        @staticmethod
        def backward(ctx, grad):
            return np.ones(2, dtype=np.float64) * grad  # float64: cast back to x's dtype

    y = ToFloat64.apply(x)
    assert y.shape == () and y.dtype == np.float32 and isinstance(y.data, np.ndarray)
    y.backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])
