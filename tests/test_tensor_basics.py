"""Tensor outside the op table: constructor, attributes, methods, backward, dtypes, errors."""

from __future__ import annotations

import re

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value
from nn import functional as F


@pytest.fixture
def float64_default():
    """``set_default_dtype(np.float64)`` for one test, restored afterwards even on failure."""
    before = autograd.get_default_dtype()
    autograd.set_default_dtype(np.float64)
    yield
    autograd.set_default_dtype(before)


# ---------------------------------------------------------------------------------- constructor


@pytest.mark.parametrize("data", [2.5, [[1.0, 2.0]], [1, 2.5], [True, 0.5]])
def test_python_floats_and_lists_holding_one_become_float32(data):
    t = Tensor(data)
    assert t.dtype == np.float32
    assert isinstance(t.data, np.ndarray)
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float32))


@pytest.mark.parametrize("data, dtype", [
    (3, np.int64), ([1, 2], np.int64), ([[1], [2]], np.int64), ([True, 1], np.int64),
    (True, np.bool_), ([True, False], np.bool_), (np.arange(3), np.arange(3).dtype),
    (np.arange(3, dtype=np.int32), np.int32), (np.arange(3, dtype=np.uint8), np.uint8),
    (np.array([True, False]), np.bool_), (np.int16(4), np.int16),
])
def test_integer_and_bool_data_keep_an_integer_or_bool_dtype(data, dtype):
    t = Tensor(data)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.data, np.asarray(data))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_floating_arrays_keep_their_dtype(dtype):
    assert Tensor(np.ones((2, 3), dtype=dtype)).dtype == dtype
    assert Tensor(np.ones((), dtype=dtype)).dtype == dtype
    assert Tensor(dtype(1.5)).dtype == dtype  # a NumPy float scalar


def test_set_default_dtype_changes_python_floats_only(float64_default):
    assert autograd.get_default_dtype() == np.float64
    for data in (1.0, [1.0, 2], [[0.5]]):
        assert Tensor(data).dtype == np.float64
    assert Tensor(np.ones(2, np.float32)).dtype == np.float32  # floating arrays still keep theirs
    assert Tensor([1, 2]).dtype == np.int64 and Tensor(np.arange(2)).dtype == np.arange(2).dtype


def test_default_dtype_is_float32_again_after_the_fixture():
    assert autograd.get_default_dtype() == np.float32
    assert Tensor(1.0).dtype == np.float32


@pytest.mark.parametrize("dtype", [np.int64, np.bool_, np.complex128, object, "U3"])
def test_set_default_dtype_must_be_floating(dtype):
    with pytest.raises(TypeError, match="floating"):
        autograd.set_default_dtype(dtype)
    assert autograd.get_default_dtype() == np.float32


@pytest.mark.parametrize("data", [
    np.array([1, None], dtype=object), np.array(["a", "b"]), "abc", b"abc", None,
    np.array([1 + 2j]), [1j, 2.0], 1 + 1j, [[1.0, 2.0], [3.0]], {"a": 1},
])
def test_object_str_complex_and_ragged_data_raise_type_error(data):
    with pytest.raises(TypeError):
        Tensor(data)


def test_dtype_argument_converts_to_real_dtypes_only():
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert Tensor(np.ones(2, np.float64), dtype=np.float32).dtype == np.float32
    assert Tensor(np.ones(2, np.float32), dtype="float64").dtype == np.float64
    assert Tensor([1.7, -1.7], dtype=np.int32).tolist() == [1, -1]  # truncates, as PyTorch
    assert Tensor([0, 2], dtype=bool).tolist() == [False, True]
    for bad in (np.complex64, object, "U3"):
        with pytest.raises(TypeError, match="floating, integer or bool"):
            Tensor([1.0], dtype=bad)


def test_constructor_copies_its_data():
    a = np.ones(3)
    t = Tensor(a)
    a[0] = 5.0
    assert t.data[0] == 1.0


def test_value_as_tensor_data_is_a_type_error_naming_value():
    with pytest.raises(TypeError, match="Value"):
        Tensor(Value(1.0))


def test_requires_grad_must_be_a_bool():
    with pytest.raises(TypeError):
        Tensor([1.0], requires_grad="yes")
    assert Tensor([1.0], requires_grad=np.bool_(True)).requires_grad is True


# ----------------------------------------------------------------------------------- attributes


def test_attributes():
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, label="w")
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and t.dtype == np.float64
    assert t.label == "w" and t.requires_grad is True and t.grad is None
    assert t.T.shape == (3, 2)
    np.testing.assert_array_equal(t.T.data, t.data.T)
    assert Tensor(1.0).shape == () and Tensor(1.0).ndim == 0 and Tensor(1.0).size == 1
    assert Tensor([1.0, 2.0]).T.shape == (2,) and Tensor(1.0).T.shape == ()
    assert Tensor([1.0]).requires_grad is False and Tensor([1.0]).label == ""
    assert len(t) == 2
    with pytest.raises(TypeError):
        len(Tensor(1.0))


def test_iteration_gives_differentiable_rows_and_refuses_0d():
    x = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    rows = list(x)
    assert len(rows) == 3 and all(r.shape == (2,) for r in rows)
    sum(r.sum() * i for i, r in enumerate(rows)).backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    with pytest.raises(TypeError, match="0-d"):
        list(Tensor(1.0))


def test_results_of_ops_have_ndarray_data_even_when_0d():
    x = Tensor(np.array(2.0), requires_grad=True)
    for y in (x * 2, x.exp(), x.sum(), x.sin(), x + x, Tensor(np.ones(3)).sum(),
              Tensor(np.ones(3)) @ Tensor(np.ones(3)), Tensor(np.ones(3)).max()):
        assert type(y.data) is np.ndarray and y.shape == ()
    (g,) = autograd.grad(x.sin() * 3, x)
    assert type(g.data) is np.ndarray
    y = x.sin() * 2
    y.backward()
    assert type(x.grad) is np.ndarray and x.grad.shape == ()


def test_repr_shows_data_and_flags():
    r = repr(Tensor([1.0, 2.0], requires_grad=True, label="w"))
    assert "Tensor(" in r and "requires_grad=True" in r and "'w'" in r
    assert "float64" in repr(Tensor(np.ones(2)))


# -------------------------------------------------------------------------------------- methods


def test_item():
    assert Tensor([[2.5]]).item() == 2.5 and isinstance(Tensor(3.0).item(), float)
    assert Tensor(3).item() == 3 and isinstance(Tensor(3).item(), int)  # by dtype, as PyTorch
    assert Tensor([True]).item() is True
    with pytest.raises(ValueError, match=re.escape("(2,)")):
        Tensor([1.0, 2.0]).item()


def test_numpy_shares_the_data():
    t = Tensor([1.0, 2.0])
    assert t.numpy() is t.data


def test_detach_shares_data_and_cuts_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    d = y.detach()
    assert d.requires_grad is False and np.shares_memory(d.data, y.data)
    np.testing.assert_array_equal(d.data, [3.0, 6.0])
    z = (d * x).sum()  # d is a constant: x's gradient is d, not d + 3x
    z.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 6.0])


def test_zero_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert x.grad is not None
    x.zero_grad()
    assert x.grad is None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


# ------------------------------------------------------------------------------------- backward


def test_scalar_backward_needs_no_gradient():
    for shape in [(), (1,), (1, 1)]:
        x = Tensor(np.full(shape, 3.0), requires_grad=True)
        (x * x).backward()
        np.testing.assert_array_equal(x.grad, np.full(shape, 6.0))


PYTORCH_MESSAGE = "grad can be implicitly created only for scalar outputs"


def test_non_scalar_backward_without_gradient_is_pytorchs_runtime_error():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=PYTORCH_MESSAGE):
        y.backward()
    with pytest.raises(RuntimeError, match=PYTORCH_MESSAGE):
        autograd.grad(y, y._prev[0])


def test_backward_gradient_of_wrong_shape_names_both_shapes():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError) as e:
        (x * 2).backward(np.ones((3, 2)))
    assert "(3, 2)" in str(e.value) and "(2, 3)" in str(e.value)
    assert x.grad is None  # nothing half-done


def test_backward_gradient_as_list_tensor_or_ndarray():
    for gradient in ([1.0, 2.0], Tensor([1.0, 2.0]), np.array([1.0, 2.0])):
        x = Tensor([3.0, 4.0], requires_grad=True)
        (x * x).backward(gradient)
        np.testing.assert_array_equal(x.grad, [6.0, 16.0])


def test_backward_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError):
        (Tensor([1.0]) * 2).sum().backward()


def test_gradients_accumulate_over_two_backward_calls():
    x = Tensor([1.0, -2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(x.grad, [4.0, -8.0])
    (x * 10).sum().backward()
    np.testing.assert_array_equal(x.grad, [14.0, 2.0])


def test_a_tensor_used_twice_sums_both_paths():
    x = Tensor([2.0], requires_grad=True)
    (x * x + x.exp() * x).sum().backward()
    np.testing.assert_allclose(x.grad, [2 * 2 + np.exp(2) * 3], rtol=1e-6)


def test_leaf_grads_are_not_aliased():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    seed = np.array([1.0, 1.0])
    (a + b).backward(seed)
    assert not np.shares_memory(a.grad, b.grad) and not np.shares_memory(a.grad, seed)
    a.grad += 100.0  # in place, as optimizers do
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    np.testing.assert_array_equal(seed, [1.0, 1.0])
    c = Tensor(np.ones((2, 2)), requires_grad=True)
    d = Tensor(np.ones((2, 2)), requires_grad=True)
    (c.reshape(4) + d.flatten()).sum().backward()
    c.grad *= 0
    np.testing.assert_array_equal(d.grad, np.ones((2, 2)))


def test_leaf_grad_is_writable_after_broadcast_backward():
    b = Tensor(np.zeros(3), requires_grad=True)
    (b.broadcast_to((4, 3)) * 2).sum().backward()
    b.grad -= 1.0  # would fail on a read-only broadcast view
    np.testing.assert_array_equal(b.grad, [7.0, 7.0, 7.0])


# ----------------------------------------------------------------------------------- dtypes


def test_grads_are_in_the_dtype_of_their_input():
    x = Tensor([1.0, 2.0], requires_grad=True)  # float32
    y = Tensor(np.array([3.0, 4.0]), requires_grad=True)  # float64
    out = x * np.array([2.0, 2.0]) + x * y  # float64 result
    assert out.dtype == np.float64
    out.sum().backward()
    assert x.grad.dtype == np.float32 and y.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [5.0, 6.0])


def test_float32_stays_float32_with_numbers_and_int_arrays():
    x = Tensor([1.0, 2.0], requires_grad=True)
    for y in (x * 2, 2.5 - x, x / 3, x ** 2, 2 ** x, x + np.arange(2), x @ np.arange(2),
              np.arange(2) * x, x.exp().sum(), autograd.maximum(x, 1), autograd.where(True, x, 0)):
        assert y.dtype == np.float32, y
    (x ** 2 + 2 ** x).sum().backward()
    assert x.grad.dtype == np.float32


def test_float32_second_order_grads_stay_float32():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (g,) = autograd.grad((x ** 3).sum(), x, create_graph=True)
    (h,) = autograd.grad(g.sum(), x)
    assert g.dtype == np.float32 and h.dtype == np.float32
    np.testing.assert_allclose(h.data, [6.0, 12.0])


# ---------------------------------------------------------------------------- graph recording


def test_no_grad_records_nothing():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with autograd.no_grad():
        y = (x * 2).exp().sum()
        z = autograd.stack([x, x])[0]
    for t in (y, z):
        assert t.requires_grad is False and t._prev == () and t._back is None
    with pytest.raises(RuntimeError):
        y.backward()
    assert x.grad is None
    assert autograd.is_grad_enabled()


def test_no_grad_as_decorator_and_enable_grad_inside():
    x = Tensor([1.0], requires_grad=True)

    @autograd.no_grad()
    def f(t):
        with autograd.enable_grad():
            inner = t * 2
        return inner, t * 3

    inner, outer = f(x)
    assert inner.requires_grad and not outer.requires_grad
    assert autograd.is_grad_enabled()


def test_requires_grad_propagation():
    a = Tensor([1.0, 2.0])
    b = Tensor([3.0, 4.0], requires_grad=True)
    assert not (a * 2).requires_grad and not (a + a).exp().requires_grad
    assert (a * b).requires_grad and (b.sum() + 1).requires_grad
    assert autograd.concatenate([a, b]).requires_grad
    assert not autograd.concatenate([a, a]).requires_grad
    (a * b).sum().backward()
    assert a.grad is None  # constants get no gradient
    np.testing.assert_array_equal(b.grad, [1.0, 2.0])


# ------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize("op", [
    lambda t, v: t + v, lambda t, v: v + t, lambda t, v: t - v, lambda t, v: v - t,
    lambda t, v: t * v, lambda t, v: v * t, lambda t, v: t / v, lambda t, v: v / t,
    lambda t, v: t ** v, lambda t, v: v ** t, lambda t, v: t @ v, lambda t, v: v @ t,
    lambda t, v: autograd.where(True, t, v), lambda t, v: autograd.maximum(t, v),
    lambda t, v: autograd.minimum(v, t), lambda t, v: autograd.concatenate([t, v]),
    lambda t, v: autograd.stack([v, t]),
])
def test_a_value_in_a_tensor_op_is_a_type_error_that_says_so(op):
    with pytest.raises(TypeError, match="Value") as e:
        op(Tensor([1.0]), Value(2.0))
    assert "Tensor" in str(e.value)


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ValueError) as e:
        Tensor(np.ones((3, 4))) @ Tensor(np.ones((5, 2)))
    assert "(3, 4)" in str(e.value) and "(5, 2)" in str(e.value)
    with pytest.raises(ValueError) as e:
        Tensor(np.ones(3)) @ np.ones((2, 2, 4))
    assert "(3,)" in str(e.value) and "(2, 2, 4)" in str(e.value)
    with pytest.raises(ValueError, match=re.escape("()")):
        Tensor(2.0) @ Tensor(np.ones(2))


@pytest.mark.parametrize("op", [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
    lambda a, b: a ** b, lambda a, b: b.data + a, lambda a, b: autograd.maximum(a, b),
    lambda a, b: autograd.minimum(a, b), lambda a, b: autograd.where(True, a, b),
])
def test_broadcasting_errors_name_both_shapes(op):
    with pytest.raises(ValueError) as e:
        op(Tensor(np.ones((3, 4))), Tensor(np.ones((5, 2))))
    assert "(3, 4)" in str(e.value) and "(5, 2)" in str(e.value)


def test_concatenate_and_stack_mismatches_name_the_shapes():
    with pytest.raises(ValueError) as e:
        autograd.concatenate([Tensor(np.ones((2, 3))), Tensor(np.ones((4, 4)))], axis=0)
    assert "(2, 3)" in str(e.value) and "(4, 4)" in str(e.value)
    with pytest.raises(ValueError) as e:
        autograd.concatenate([Tensor(np.ones((2, 3))), Tensor(np.ones(3))])
    assert "(2, 3)" in str(e.value) and "(3,)" in str(e.value)
    with pytest.raises(ValueError) as e:
        autograd.stack([Tensor(np.ones((2, 3))), Tensor(np.ones((3, 2)))])
    assert "(2, 3)" in str(e.value) and "(3, 2)" in str(e.value)
    with pytest.raises(ValueError):
        autograd.concatenate([Tensor(1.0), Tensor(2.0)])
    with pytest.raises(ValueError, match="axis"):
        autograd.stack([Tensor(np.ones(2))], axis=3)
    with pytest.raises(TypeError):
        autograd.concatenate([])


def test_shape_op_errors_name_the_shapes():
    with pytest.raises(ValueError) as e:
        Tensor(np.ones((2, 3))).reshape(4, 2)
    assert "(2, 3)" in str(e.value) and "(4, 2)" in str(e.value)
    with pytest.raises(ValueError) as e:
        Tensor(np.ones((2, 3))).broadcast_to((3, 3))
    assert "(2, 3)" in str(e.value) and "(3, 3)" in str(e.value)
    with pytest.raises(ValueError, match=re.escape("(2, 3)")):
        Tensor(np.ones((2, 3))).transpose(0, 0)


@pytest.mark.parametrize("reduce", ["sum", "mean", "max", "min", "var"])
def test_reduction_axis_errors(reduce):
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="out of range"):
        getattr(x, reduce)(axis=2)
    with pytest.raises(ValueError, match="repeated"):
        getattr(x, reduce)(axis=(0, -2))
    with pytest.raises(TypeError):
        getattr(x, reduce)(axis=1.0)


def test_var_ddof_and_empty_reductions():
    x = Tensor(np.array([1.0, 2.0, 4.0]), requires_grad=True)
    np.testing.assert_allclose(x.var(ddof=1).item(), np.var([1.0, 2.0, 4.0], ddof=1))
    x.var(ddof=1).backward()
    np.testing.assert_allclose(x.grad, 2 * (x.data - x.data.mean()) / 2)
    with pytest.raises(ValueError, match="ddof"):
        x.var(ddof=3)
    with pytest.raises(ValueError):
        Tensor(np.ones((0, 2))).max()
    with pytest.raises(ValueError):
        Tensor(np.ones((0, 2))).mean(axis=0)
    e = Tensor(np.ones((0, 2)), requires_grad=True)  # reducing the non-empty axis is fine
    assert e.max(axis=1).shape == (0,) and e.mean(axis=1).shape == (0,)
    (e * 2).sum().backward()
    assert e.grad.shape == (0, 2)


@pytest.mark.parametrize("shape, axis", [((0, 3), -1), ((3, 0), -1), ((0, 3), 0)])
def test_softmax_and_argmax_of_empty_tensors_are_empty_as_pytorch(shape, axis):
    # softmax leaked NumPy's "zero-size array to reduction operation maximum" error
    x = Tensor(np.zeros(shape), requires_grad=True)
    y, z = x.softmax(axis=axis), F.log_softmax(x, axis)
    assert y.shape == z.shape == shape
    (y.sum() + z.sum()).backward()
    assert x.grad.shape == shape
    if shape[axis] == 0:
        with pytest.raises(ValueError, match="argmax of an empty Tensor"):
            x.argmax(axis=axis)
    else:  # a non-empty axis of an empty Tensor: an empty result (was refused)
        assert x.argmax(axis=axis).shape == (0,) and x.argmin(axis=axis).dtype == np.int64


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min", "var", "logsumexp"])
@pytest.mark.parametrize("axis", [0, -1, (0,)])
def test_a_0d_tensor_reduces_over_axis_0_as_pytorch(op, axis):
    x = Tensor(np.array(3.0), requires_grad=True)  # its one position is axis 0 (was refused)
    out = getattr(x, op)(axis=axis)
    assert out.shape == () and out.item() == (0.0 if op == "var" else 3.0)
    out.backward()
    assert x.grad == (0.0 if op == "var" else 1.0)
    with pytest.raises(np.exceptions.AxisError, match="axis 1 is out of range"):
        getattr(x, op)(axis=1)


def test_index_errors_are_index_errors():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(IndexError):
        x[5]
    with pytest.raises(IndexError):
        x[np.array([0, 3])]
    with pytest.raises(IndexError):
        x[Tensor([0.5])]


# (key, the result's shape in PyTorch 2.13, the same selection written as two NumPy steps)
_X4 = np.arange(120.0).reshape(2, 3, 4, 5)
_I = np.array([0, 2])
_J = np.array([1, 0])
_INTS_FIRST = [
    ((0, slice(None), _I), (3, 2, 5), lambda a: a[0][:, _I]),  # NumPy alone: (2, 3, 5)
    ((0, Ellipsis, _I), (3, 4, 2), lambda a: a[0][..., _I]),  # NumPy alone: (2, 3, 4)
    ((slice(None), 0, slice(None), _I), (2, 4, 2), lambda a: a[:, 0][:, :, _I]),
    ((0, None, slice(None), _I), (1, 3, 2, 5), lambda a: a[0][None, :, _I]),
    ((0, slice(None), 1, _I), (3, 2), lambda a: a[0][:, 1][:, _I]),
    ((0, slice(None), True), (3, 1, 4, 5), lambda a: a[0][:, None]),
    ((Tensor(np.array(1)), slice(None), _I), (3, 2, 5), lambda a: a[1][:, _I]),
    ((_J, slice(None), 0), (2, 3, 5), lambda a: a[_J, :, 0]),  # NumPy and PyTorch agree
    ((_J, 0, _J), (2, 5), lambda a: a[_J, 0, _J]),
    ((_J, slice(None), 1, _I), (2, 3), lambda a: a[_J, :, 1, _I]),
]


@pytest.mark.parametrize("key, shape, expected", _INTS_FIRST)
def test_ints_index_before_arrays_as_in_pytorch(key, shape, expected):
    """NumPy counts an int beside an index array as advanced, and when a slice separates them
    moves the result's axis to the front: a silent transpose against PyTorch, which applies the
    ints first (shapes from PyTorch 2.13)."""
    x = Tensor(_X4, requires_grad=True)
    out = x[key]
    assert out.shape == shape
    np.testing.assert_array_equal(out.data, expected(_X4))
    g = np.random.default_rng(0).standard_normal(shape)
    out.backward(g)
    want = np.zeros_like(_X4)
    positions = expected(np.arange(_X4.size).reshape(_X4.shape))  # of the selected elements
    np.add.at(want, np.unravel_index(positions, _X4.shape), g)
    np.testing.assert_array_equal(x.grad, want)


def test_clip_arguments():
    with pytest.raises(ValueError):
        Tensor([1.0]).clip()
    with pytest.raises(ValueError):
        Tensor([1.0]).clip(2.0, 1.0)


def test_leaf_grad_never_aliases_the_callers_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    upstream = Tensor([3.0, 4.0], dtype=np.float64)
    x.backward(upstream)  # the output is the leaf itself: its grad is the caller's gradient
    x.grad *= 2  # optimizers and clip_grad_norm_ change grads in place
    assert upstream.data.tolist() == [3.0, 4.0]
    assert x.grad.tolist() == [6.0, 8.0]


def test_leaf_grad_is_not_an_array_a_function_kept():
    from autograd import Function

    kept = np.array([5.0, 6.0])

    class ReturnsKept(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, g):
            return kept  # an array the Function holds on to

    x = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    ReturnsKept.apply(x).sum().backward()
    x.grad *= 0
    assert kept.tolist() == [5.0, 6.0]


def test_leaf_takes_a_fresh_gradient_without_aliasing_the_output_grad():
    w = Tensor([[1.0, 2.0]], requires_grad=True, dtype=np.float64)
    x = Tensor([[3.0], [4.0]], dtype=np.float64)
    out = x @ w  # (2, 2)
    out.retain_grad()
    out.backward(np.ones((2, 2)))
    assert w.grad.tolist() == [[7.0, 7.0]]
    assert not np.shares_memory(w.grad, out.grad)
    w.grad *= 0
    assert out.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_float_of_a_one_element_tensor():
    assert float(Tensor([[2.5]])) == 2.5
    with pytest.raises(ValueError, match=r"one element.*\(2,\)"):
        float(Tensor([1.0, 2.0]))
