"""Integer and boolean Tensors: PyTorch's dtype rules, type promotion, comparisons, and int/bool
Tensors as indices, masks and class labels. Gradients of the float ops they join are checked
in the op factory (``test_tensor_ops.py``: the ``intTensor``, ``embedding_lookup`` rows)."""

from __future__ import annotations

import operator
import re

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor

I64, I32, B = np.int64, np.int32, np.bool_
F32, F64 = np.float32, np.float64


def i64(*xs):
    return Tensor(np.array(xs, dtype=I64))


# ------------------------------------------------------------------------ promotion, as PyTorch

PROMOTION = [
    # (description, thunk, dtype PyTorch gives)
    ("int64 + int", lambda: i64(1, 2) + 1, I64),
    ("int + int64", lambda: 1 + i64(1, 2), I64),
    ("int32 + int", lambda: Tensor(np.array([1, 2], I32)) + 1, I32),
    ("int64 + float", lambda: i64(1, 2) + 0.5, F32),
    ("float - int64", lambda: 0.5 - i64(1, 2), F32),
    ("bool + int", lambda: Tensor([True, False]) + 1, I64),
    ("bool * float", lambda: Tensor([True, False]) * 1.5, F32),
    ("bool + bool Tensor", lambda: Tensor([True, False]) + Tensor([True, True]), B),
    ("int64 + float32 Tensor", lambda: i64(1, 2) + Tensor([1.0, 2.0]), F32),
    ("float32 Tensor * int64", lambda: Tensor([1.0, 2.0]) * i64(1, 2), F32),
    ("int64 + float64 Tensor", lambda: i64(1, 2) + Tensor(np.ones(2)), F64),
    ("int32 + int64 Tensor", lambda: Tensor(np.array([1, 2], I32)) + i64(1, 2), I64),
    ("bool + int32 Tensor", lambda: Tensor([True, False]) + Tensor(np.array([1, 2], I32)), I32),
    ("float32 + int ndarray", lambda: Tensor([1.0, 2.0]) + np.arange(2), F32),
    ("int64 / int64", lambda: i64(1, 2) / i64(2, 2), F32),
    ("int64 / int", lambda: i64(1, 2) / 2, F32),
    ("int / int64", lambda: 2 / i64(1, 2), F32),
    ("int64 ** 2", lambda: i64(1, 2) ** 2, I64),
    ("int64 ** 0.5", lambda: i64(1, 2) ** 0.5, F32),
    ("int64 ** -1", lambda: i64(1, 2) ** -1, F32),
    ("-int64", lambda: -i64(1, 2), I64),
    ("abs(int64)", lambda: abs(i64(-1, 2)), I64),
    ("relu(int64)", lambda: i64(-1, 2).relu(), I64),
    ("exp(int64)", lambda: i64(1, 2).exp(), F32),
    ("tanh(bool)", lambda: Tensor([True, False]).tanh(), F32),
    ("log(int32)", lambda: Tensor(np.array([1, 2], I32)).log(), F32),
    ("sum(bool)", lambda: Tensor([True, False, True]).sum(), I64),
    ("sum(int32)", lambda: Tensor(np.array([1, 2], I32)).sum(), I64),
    ("mean(bool)", lambda: Tensor([True, False]).mean(), F32),
    ("max(int64)", lambda: i64(3, 1).max(), I64),
    ("cumsum(bool)", lambda: Tensor([True, True]).cumsum(0), I64),
    ("softmax(int64)", lambda: i64(1, 2).softmax(), F32),
    ("int64 @ int64", lambda: i64(1, 2) @ i64(3, 4), I64),
    ("int64 @ float32", lambda: i64(1, 2) @ Tensor([3.0, 4.0]), F32),
    ("where(int64, float32)", lambda: autograd.where([True, False], i64(1, 2),
                                                     Tensor([0.5, 0.5])), F32),
    ("where(int, int)", lambda: autograd.where(Tensor([True, False]), 1, 0), I64),
    ("concatenate(int64, float32)", lambda: autograd.concatenate([i64(1), Tensor([0.5])]), F32),
    ("stack(bool, int64)", lambda: autograd.stack([Tensor([True]), i64(2)]), I64),
    ("maximum(int64, float)", lambda: autograd.maximum(i64(1, 2), 1.5), F32),
    ("int64 == float", lambda: i64(1, 2) == 1.0, B),
    # a 0-d Tensor beside one with dimensions is weak within its category (was NumPy's widening)
    ("float32 * 0-d float64", lambda: Tensor([1.0, 2.0]) * Tensor(np.array(2.0)), F32),
    ("0-d float64 - float32", lambda: Tensor(np.array(2.0)) - Tensor([1.0, 2.0]), F32),
    ("float16 + 0-d float64", lambda: Tensor(np.ones(2, np.float16)) + Tensor(np.array(2.0)),
     np.float16),
    ("int8 + 0-d int64", lambda: Tensor(np.ones(2, np.int8)) + i64(1).reshape(()), np.int8),
    ("uint8 * 0-d int64", lambda: Tensor(np.ones(2, np.uint8)) * i64(3).reshape(()), np.uint8),
    ("maximum(float32, 0-d float64)",
     lambda: autograd.maximum(Tensor([1.0]), Tensor(np.array(2.0))), F32),
    ("float32 > 0-d float64", lambda: Tensor([1.0]) > Tensor(np.array(0.5)), B),
    ("0-d float32 + 0-d float64", lambda: Tensor(np.float32(1)) + Tensor(np.array(2.0)), F64),
    ("int32 + 0-d float64", lambda: Tensor(np.array([1], I32)) + Tensor(np.array(0.5)), F64),
    ("bool + 0-d int64", lambda: Tensor([True]) + i64(2).reshape(()), I64),
    ("sum(uint8)", lambda: Tensor(np.array([200, 100], np.uint8)).sum(), I64),  # was uint64
    ("bool ** 2", lambda: Tensor([True, False]) ** 2, I64),  # was int8
    ("bool ** True", lambda: Tensor([True, False]) ** True, B),
    ("bool ** 0.5", lambda: Tensor([True, False]) ** 0.5, F32),
]


@pytest.mark.parametrize("thunk, dtype", [p[1:] for p in PROMOTION], ids=[p[0] for p in PROMOTION])
def test_type_promotion_follows_pytorch(thunk, dtype):
    assert thunk().dtype == dtype


def test_promotion_values_are_the_exact_ones():
    np.testing.assert_array_equal((i64(1, 2) + Tensor([0.5, 0.25])).data, [1.5, 2.25])
    np.testing.assert_array_equal((i64(1, 3) / 2).data, [0.5, 1.5])
    np.testing.assert_array_equal((i64(3, 4) ** 2).data, [9, 16])
    np.testing.assert_array_equal((Tensor([True, True]) + 1).data, [2, 2])


def test_python_floats_with_int_tensors_take_the_default_float(float64_default):
    assert (i64(1, 2) + 0.5).dtype == F64 and i64(1, 2).exp().dtype == F64


def test_division_takes_the_float_operands_dtype_before_the_default(float64_default):
    # the int was cast to the (float64) default first, which then widened the float32 one
    assert (Tensor(np.ones(2, F32)) / i64(1, 2)).dtype == F32
    assert (i64(1, 2) / Tensor(np.ones(2, F32))).dtype == F32
    assert (i64(1, 2) / i64(2, 2)).dtype == F64  # two ints: the default float


def test_a_0d_operand_that_requires_grad_gets_its_gradient_in_its_own_dtype():
    scale = Tensor(np.array(2.0), requires_grad=True)  # float64
    x = Tensor(np.array([1.0, 3.0], F32), requires_grad=True)
    out = x * scale
    assert out.dtype == F32
    out.sum().backward()
    assert scale.grad.dtype == F64 and scale.grad == 4.0
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_integer_tensors_to_negative_integer_powers_say_so():
    # was "**: shapes (2,) and (2,) cannot be broadcast together"
    with pytest.raises(ValueError, match=r"\*\*: Integers to negative integer powers"):
        i64(2, 3) ** i64(-1, 2)
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(3,\) cannot be broadcast"):
        i64(2, 3) ** i64(1, 2, 3)


@pytest.fixture
def float64_default():
    before = autograd.get_default_dtype()
    autograd.set_default_dtype(np.float64)
    yield
    autograd.set_default_dtype(before)


def test_float_gradients_flow_past_int_operands():
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    counts = i64(2, 0, 5)
    (w * counts + counts).sum().backward()
    assert w.grad.dtype == F32
    np.testing.assert_array_equal(w.grad, [2.0, 0.0, 5.0])
    assert counts.grad is None and not counts.requires_grad


def test_ops_on_int_tensors_do_not_change_them():
    t = i64(1, 2, 3)
    before = t.data.copy()
    for out in (t.exp(), t / 2, t + 0.5, t.mean(), t.softmax(), t ** 0.5):
        assert out.dtype.kind == "f"
    np.testing.assert_array_equal(t.data, before)
    assert t.dtype == I64


# ------------------------------------------------------------------------- only floats need grad


@pytest.mark.parametrize("data", [[1, 2], np.arange(3), True, [True, False], 7])
def test_requires_grad_on_integer_or_bool_data_raises(data):
    with pytest.raises(RuntimeError, match="only floating Tensors can require grad, got dtype"):
        Tensor(data, requires_grad=True)


def test_requires_grad_with_a_non_float_dtype_raises_and_a_float_dtype_works():
    with pytest.raises(RuntimeError, match="int32"):
        Tensor([1.0, 2.0], dtype=np.int32, requires_grad=True)
    t = Tensor([1, 2], dtype=np.float32, requires_grad=True)
    assert t.requires_grad and t.dtype == F32


def test_int_results_of_ops_on_grad_tensors_do_not_require_grad():
    x = Tensor([[1.0, 3.0], [2.0, 0.0]], requires_grad=True)
    for out in (x.argmax(axis=1), x > 1, x == x, x.long(), x.bool(),
                autograd.one_hot(x.argmax(axis=1), 2)):
        assert out.dtype.kind in "ib" and not out.requires_grad and out._prev == ()


# --------------------------------------------------------------------------------- construction


def test_clear_errors_for_out_of_range_ints_and_none():
    with pytest.raises(OverflowError, match="integer out of range for int64"):
        Tensor(10**400)
    with pytest.raises(OverflowError, match="integer out of range for int64.*9223372036854775808"):
        Tensor([1, 2**63])
    with pytest.raises(TypeError, match=r"got None \(NoneType\)") as err:
        Tensor([1, None])
    assert "object" not in str(err.value)
    with pytest.raises(TypeError, match=r"got 'a' \(str\)"):
        Tensor([[1.0, 2.0], [3.0, "a"]])
    assert Tensor([2**63 - 1, -(2**63)]).dtype == I64  # the extremes still fit
    with pytest.raises(TypeError, match=r"cannot hold Tensors: use autograd.stack"):
        Tensor([Tensor(1.0), Tensor(2.0)])


def test_repr_shows_a_dtype_only_when_the_data_does_not_give_it():
    assert repr(i64(1, 2)) == "Tensor([1, 2])"
    assert repr(Tensor([True, False])) == "Tensor([ True, False])"
    assert repr(Tensor(np.array([1, 2], I32))) == "Tensor([1, 2], dtype=int32)"


def test_item_int_index_float_and_tolist():
    t = Tensor(3)
    assert t.item() == 3 and type(t.item()) is int and int(t) == 3 and float(t) == 3.0
    assert ["a", "b", "c", "d"][Tensor(2)] == "c" and list(range(Tensor(2))) == [0, 1]
    assert int(Tensor(-2.7)) == -2  # truncates toward zero, as PyTorch
    with pytest.raises(TypeError, match="only integer Tensors of one element"):
        [1, 2][Tensor(1.0)]
    assert Tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert Tensor([True]).tolist() == [True] and Tensor(2.5).tolist() == 2.5
    assert type(Tensor([1.5]).tolist()[0]) is float


def test_astype_and_its_pytorch_shorthands():
    x = Tensor([1.7, -1.7, 0.0], requires_grad=True)
    assert x.long().tolist() == [1, -1, 0] and x.long().dtype == I64
    assert x.bool().tolist() == [True, True, False]
    assert i64(1, 2).float().dtype == F32 and i64(1, 2).double().dtype == F64
    y = x.double()
    assert y.dtype == F64 and y.requires_grad
    (y * 2).sum().backward()
    assert x.grad.dtype == F32
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])
    with pytest.raises(TypeError, match="astype: dtype must be floating, integer or bool"):
        x.astype(np.complex64)


# --------------------------------------------------------------------------------- comparisons

COMPARISONS = [(operator.lt, np.less), (operator.le, np.less_equal),
               (operator.gt, np.greater), (operator.ge, np.greater_equal),
               (operator.eq, np.equal), (operator.ne, np.not_equal)]


@pytest.mark.parametrize("op, ref", COMPARISONS, ids=[c[0].__name__ for c in COMPARISONS])
def test_comparisons_give_bool_tensors_without_grad(op, ref):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([2.0, 2.0, 2.0])
    x = Tensor(a, requires_grad=True)
    for other in (Tensor(b), b, 2, i64(2, 2, 2), 2.0, [2, 2, 2]):
        out = op(x, other)
        assert isinstance(out, Tensor) and out.dtype == B and not out.requires_grad
        np.testing.assert_array_equal(out.data, ref(a, 2))
    np.testing.assert_array_equal(op(2, x).data, ref(2, a))  # the reflected comparison
    flipped = op(b, x)  # an ndarray on the left defers to the Tensor
    assert isinstance(flipped, Tensor)
    np.testing.assert_array_equal(flipped.data, ref(b, a))


def test_comparison_shape_errors_name_both_shapes():
    with pytest.raises(ValueError, match=re.escape("<: shapes (2,) and (3,)")):
        operator.lt(Tensor([1.0, 2.0]), Tensor([1.0, 2.0, 3.0]))


def test_equality_with_non_numbers_is_python_identity():
    t = Tensor([1.0])
    assert (t == None) is False and (t != "a") is True  # noqa: E711
    with pytest.raises(TypeError):
        operator.lt(t, "a")


def test_hashing_stays_identity_based():
    a, b = Tensor([1.0, 2.0]), Tensor([1.0, 2.0])
    assert hash(a) != hash(b) and len({a, b}) == 2 and {a: 1}[a] == 1 and a in {a}
    assert Tensor.__hash__ is object.__hash__


def test_engine_keeps_equal_valued_nodes_apart():
    # equal data everywhere: an engine comparing nodes with == would merge or crash
    a = Tensor([1.0, 1.0], requires_grad=True)
    b = Tensor([1.0, 1.0], requires_grad=True)
    c = a * b + a * 3 + b
    ga, gb = autograd.grad(c.sum(), [a, b])
    np.testing.assert_array_equal(ga.data, [4.0, 4.0])
    np.testing.assert_array_equal(gb.data, [2.0, 2.0])
    (ga2, gb2) = autograd.grad(c.sum(), [b, a])
    np.testing.assert_array_equal(ga2.data, [2.0, 2.0])
    c.sum().backward()
    np.testing.assert_array_equal(a.grad, [4.0, 4.0])


# -------------------------------------------------------------------- indices, masks, labels


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_embedding_lookup_with_an_int_tensor_scatter_adds(dtype):
    C = Tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    X = Tensor(np.array([[0, 1, 1], [3, 0, 0]], dtype=dtype))  # (batch 2, context 3)
    emb = C[X]
    assert emb.shape == (2, 3, 3)
    np.testing.assert_array_equal(emb.data, C.data[X.data])
    emb.sum().backward()
    np.testing.assert_array_equal(C.grad, np.array([3, 2, 0, 1])[:, None] * np.ones((4, 3)))


def test_zero_d_int_tensor_and_bool_tensor_as_index():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert x[Tensor(1)].tolist() == [3.0, 4.0, 5.0]
    picked = x[x > 2.5]
    assert picked.tolist() == [3.0, 4.0, 5.0]
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 0, 0], [1, 1, 1]])
    assert x[:, Tensor([True, False, True])].shape == (2, 2)


def test_mask_from_a_comparison_in_where():
    x = Tensor([-1.0, 2.0, -3.0], requires_grad=True)
    y = autograd.where(x > 0, x, 0.0)
    y.sum().backward()
    np.testing.assert_array_equal(y.data, [0.0, 2.0, 0.0])
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0])


def test_accuracy_from_argmax_and_eq():
    logits = Tensor([[0.1, 2.0], [3.0, 0.0], [0.0, 1.0]])
    y = Tensor([1, 0, 0])
    acc = (logits.argmax(axis=1) == y).float().mean()
    assert acc.dtype == F32 and acc.item() == pytest.approx(2 / 3)
    assert (logits.argmax(axis=1) == y).mean().item() == pytest.approx(2 / 3)


def test_int_tensor_class_labels_in_cross_entropy():
    logits = Tensor(np.array([[1.0, 2.0, 0.5], [0.0, 0.0, 3.0]]), requires_grad=True)
    a = F.cross_entropy(logits, Tensor([1, 2]))
    b = F.cross_entropy(logits, [1, 2])
    assert a.item() == b.item()
    a.backward()
    assert logits.grad.shape == (2, 3)
    with pytest.raises(ValueError, match=r"label 3 at index 1 is outside \[0, 3\)"):
        F.cross_entropy(logits, Tensor([1, 3]))


# ------------------------------------------------------------------------- argmax and argmin


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_match_numpy(name):
    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, size=(3, 4, 2)).astype(np.float64)  # many ties: the first wins
    t = Tensor(a, requires_grad=True)
    ref = getattr(np, name)
    for axis in (None, 0, 1, -1):
        for keepdims in (False, True):
            out = getattr(t, name)(axis=axis, keepdims=keepdims)
            assert out.dtype == I64 and not out.requires_grad
            np.testing.assert_array_equal(out.data, ref(a, axis=axis, keepdims=keepdims))
    assert getattr(Tensor(5.0), name)().item() == 0


def test_argmax_errors():
    with pytest.raises(ValueError, match="empty"):
        Tensor(np.zeros((0, 2))).argmax()
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        Tensor(np.zeros((2, 2))).argmax(axis=2)
    with pytest.raises(TypeError, match="axis must be an int"):
        Tensor(np.zeros((2, 2))).argmax(axis=(0, 1))


def test_gradcheck_takes_int_tensors_as_constant_inputs():
    x = Tensor(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), requires_grad=True)
    rows = Tensor([2, 0, 2])
    assert autograd.gradcheck(lambda t, i: (t[i] * t[i]).sum(), (x, rows))
    assert autograd.gradgradcheck(lambda t, i: (t[i] ** 3).sum(), (x, rows))
