"""Every Tensor op through one property-test factory (``tensor_factory.py``), plus tie cases.

Adding an op is one row in ``OPS``: a name, the op on Tensors, its NumPy reference (``None`` when
the same expression works on ndarrays) and a strategy for its inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from layer_cases import LAYER_OPS
from tensor_factory import (
    DISTINCT,
    KINKLESS,
    NONZERO,
    OFF_GRID,
    ON_GRID,
    POS,
    Op,
    R,
    axis_case,
    bcast,
    broadcast_to_case,
    check_forward_and_grads,
    check_second_order,
    chunk_case,
    clip_case,
    concatenate_case,
    embedding_case,
    expand_case,
    gather_case,
    index_case,
    matmul_case,
    pad_case,
    pad_reference,
    reduction,
    reshape_case,
    split_case,
    squeeze_case,
    stack_case,
    transpose_case,
    unsqueeze_case,
)

import autograd
from autograd import Tensor


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _elu(x, alpha):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def _transpose(x, axes, as_args):
    if axes is None:
        return x.transpose()
    return x.transpose(*axes) if as_args else x.transpose(axes)


def _reshape(x, shape, as_args):
    return x.reshape(*shape) if as_args and shape else x.reshape(shape)


def _squeeze_ref(x, dim):
    if dim is None:
        return np.squeeze(x)
    dims = tuple(d for d in np.atleast_1d(dim) if x.shape[d] == 1)  # a size-n dim stays
    return np.squeeze(x, axis=dims)


def _expand_ref(x, shape):
    lead = len(shape) - x.ndim
    return np.broadcast_to(x, shape[:lead] + tuple(
        n if k == -1 else k for n, k in zip(x.shape, shape[lead:])))


def _split_ref(x, sizes, dim, piece):
    if isinstance(sizes, int):
        cuts = list(range(sizes, x.shape[dim], sizes))
    else:
        cuts = list(np.cumsum(sizes)[:-1])
    return np.split(x, cuts, axis=dim)[piece]


def _gather_ref(x, axis, index):
    ax = axis % x.ndim
    box = tuple(slice(None) if d == ax else slice(0, n) for d, n in enumerate(index.shape))
    return np.take_along_axis(x[box], index, axis=ax)


def _softmax_ref(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _logsumexp_ref(x, axis, keepdims):
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


SLOPES = st.sampled_from([0.01, 0.2, 1.5])
EXPONENTS = st.sampled_from([-1.5, -1.0, 0.0, 0.5, 1.0, 2.0, 2.5, np.float64(3.0)])
INT_EXPONENTS = st.sampled_from([-2, -1, 0, 1, 2, 3])
BOOL = st.booleans()

OPS = [
    # arithmetic between Tensors, broadcasting both ways
    Op("add", lambda a, b: a + b, None, bcast(R, R)),
    Op("sub", lambda a, b: a - b, None, bcast(R, R)),
    Op("mul", lambda a, b: a * b, None, bcast(R, R)),
    Op("div", lambda a, b: a / b, None, bcast(R, NONZERO)),
    Op("pow_tensor", lambda a, b: a ** b, None, bcast(POS, R)),
    Op("pow_number", lambda a, p: a ** p, None, bcast(POS, p=EXPONENTS)),
    Op("pow_int_signed_base", lambda a, p: a ** p, None, bcast(NONZERO, p=INT_EXPONENTS)),
    Op("neg", lambda a: -a, None, bcast(R)),
    Op("self_mul", lambda a: a * a, None, bcast(R)),  # one input used twice
    # a number or ndarray on the left (reflected operators), an ndarray on the right
    Op("number+T", lambda a, c: c + a, None, bcast(R, c=R)),
    Op("number-T", lambda a, c: c - a, None, bcast(R, c=R)),
    Op("number*T", lambda a, c: c * a, None, bcast(R, c=R)),
    Op("number/T", lambda a, c: c / a, None, bcast(NONZERO, c=R)),
    Op("number**T", lambda a, c: c ** a, None, bcast(R, c=POS)),
    Op("int**T", lambda a, c: c ** a, None, bcast(R, c=st.integers(1, 3))),
    Op("ndarray+T", lambda a, c: c + a, None, bcast(R, const=R)),
    Op("ndarray-T", lambda a, c: c - a, None, bcast(R, const=R)),
    Op("ndarray*T", lambda a, c: c * a, None, bcast(R, const=R)),
    Op("ndarray/T", lambda a, c: c / a, None, bcast(NONZERO, const=R)),
    Op("ndarray**T", lambda a, c: c ** a, None, bcast(R, const=POS)),
    Op("T-ndarray", lambda a, c: a - c, None, bcast(R, const=R)),
    Op("T/ndarray", lambda a, c: a / c, None, bcast(R, const=NONZERO)),
    Op("T**ndarray", lambda a, c: a ** c, None, bcast(POS, const=R)),
    # matmul: 1-D, 2-D, vector-matrix, matrix-vector, batched, broadcast batch dims
    Op("matmul", lambda a, b: a @ b, None, matmul_case()),
    Op("ndarray@T", lambda a, c: c @ a, None, matmul_case(const="left")),
    Op("T@ndarray", lambda a, c: a @ c, None, matmul_case(const="right")),
    # elementwise
    Op("abs", abs, None, bcast(KINKLESS)),
    Op("exp", lambda x: x.exp(), np.exp, bcast(R)),
    Op("log", lambda x: x.log(), np.log, bcast(POS)),
    Op("sqrt", lambda x: x.sqrt(), np.sqrt, bcast(POS)),
    Op("tanh", lambda x: x.tanh(), np.tanh, bcast(R)),
    Op("sigmoid", lambda x: x.sigmoid(), _sigmoid, bcast(R)),
    Op("sin", lambda x: x.sin(), np.sin, bcast(R)),
    Op("cos", lambda x: x.cos(), np.cos, bcast(R)),
    Op("relu", lambda x: x.relu(), lambda x: np.maximum(x, 0), bcast(KINKLESS)),
    Op("leaky_relu", lambda x, s: x.leaky_relu(negative_slope=s),
       lambda x, s: np.where(x > 0, x, s * x), bcast(KINKLESS, s=SLOPES)),
    Op("leaky_relu_default", lambda x: x.leaky_relu(), lambda x: np.where(x > 0, x, 0.01 * x),
       bcast(KINKLESS)),
    Op("elu", lambda x, alpha: x.elu(alpha=alpha), _elu, bcast(KINKLESS, alpha=SLOPES)),
    Op("elu_default", lambda x: x.elu(), lambda x: _elu(x, 1.0), bcast(KINKLESS)),
    Op("clip", lambda x, lo, hi: x.clip(lo, hi), lambda x, lo, hi: np.clip(x, lo, hi), clip_case()),
    # reductions: axis None / int / negative / tuple, keepdims, ddof
    Op("sum", lambda x, **kw: x.sum(**kw), lambda x, **kw: np.sum(x, **kw), reduction(R)),
    Op("mean", lambda x, **kw: x.mean(**kw), lambda x, **kw: np.mean(x, **kw), reduction(R)),
    Op("var", lambda x, **kw: x.var(**kw), lambda x, **kw: np.var(x, **kw),
       reduction(R, ddof=True)),
    Op("max", lambda x, **kw: x.max(**kw), lambda x, **kw: np.max(x, **kw),
       reduction(DISTINCT, unique=True)),
    Op("min", lambda x, **kw: x.min(**kw), lambda x, **kw: np.min(x, **kw),
       reduction(DISTINCT, unique=True)),
    # shape
    Op("reshape", _reshape, lambda x, shape, as_args: np.reshape(x, shape), reshape_case()),
    Op("transpose", _transpose, lambda x, axes, as_args: np.transpose(x, axes), transpose_case()),
    Op(".T", lambda x: x.T, None, bcast(R)),
    Op("flatten", lambda x: x.flatten(), None, bcast(R)),
    Op("broadcast_to", lambda x, shape: x.broadcast_to(shape),
       lambda x, shape: np.broadcast_to(x, shape), broadcast_to_case()),
    Op("getitem", lambda x, index: x[index], None, index_case()),
    # functions of several Tensors
    Op("concatenate", lambda *ts, axis: autograd.concatenate(ts, axis=axis),
       lambda *xs, axis: np.concatenate(xs, axis=axis), concatenate_case()),
    Op("stack", lambda *ts, axis: autograd.stack(ts, axis=axis),
       lambda *xs, axis: np.stack(xs, axis=axis), stack_case()),
    Op("where", lambda a, b, c: autograd.where(c, a, b), lambda a, b, c: np.where(c, a, b),
       bcast(R, R, const=BOOL, const_dtype=np.bool_)),
    Op("where_tensor_cond", lambda a, b, c: autograd.where(Tensor(c), a, b),
       lambda a, b, c: np.where(c, a, b), bcast(R, R, const=BOOL, const_dtype=np.bool_)),
    Op("where_number", lambda a, c, k: autograd.where(c, a, k), lambda a, c, k: np.where(c, a, k),
       bcast(R, const=BOOL, const_dtype=np.bool_, k=R)),
    Op("maximum", lambda a, b: autograd.maximum(a, b), np.maximum, bcast(ON_GRID, OFF_GRID)),
    Op("minimum", lambda a, b: autograd.minimum(a, b), np.minimum, bcast(ON_GRID, OFF_GRID)),
    Op("maximum_number", lambda a, k: autograd.maximum(k, a), lambda a, k: np.maximum(k, a),
       bcast(OFF_GRID, k=ON_GRID)),
    Op("minimum_ndarray", lambda a, c: autograd.minimum(a, c), lambda a, c: np.minimum(a, c),
       bcast(OFF_GRID, const=ON_GRID)),
    # integer and bool Tensors as constant operands (promotion), indices and masks
    Op("T*intTensor", lambda a, c: a * Tensor(c), lambda a, c: a * c,
       bcast(R, const=st.integers(-3, 3), const_dtype=np.int64)),
    Op("intTensor-T", lambda a, c: Tensor(c) - a, lambda a, c: c - a,
       bcast(R, const=st.integers(-3, 3), const_dtype=np.int32)),
    Op("T/boolTensor+1", lambda a, c: a / (Tensor(c) + 1), lambda a, c: a / (c + 1),
       bcast(R, const=BOOL, const_dtype=np.bool_)),
    Op("where_int_branch", lambda a, c: autograd.where(Tensor(c) > 0, a, Tensor(c)),
       lambda a, c: np.where(c > 0, a, c), bcast(R, const=st.integers(-2, 2),
                                                 const_dtype=np.int64)),
    Op("embedding_lookup", lambda x, index: x[Tensor(index)], lambda x, index: x[index],
       embedding_case()),
    # PyTorch's spellings of shape ops
    Op("view", lambda x, shape, as_args: x.view(*shape) if as_args and shape else x.view(shape),
       lambda x, shape, as_args: np.reshape(x, shape), reshape_case()),
    Op("permute", lambda x, axes, as_args: x.permute(*(axes or range(x.ndim)[::-1])),
       lambda x, axes, as_args: np.transpose(x, axes), transpose_case()),
    Op("unsqueeze", lambda x, dim: x.unsqueeze(dim), lambda x, dim: np.expand_dims(x, dim),
       unsqueeze_case()),
    Op("squeeze", lambda x, dim: x.squeeze(dim), _squeeze_ref, squeeze_case()),
    Op("expand", lambda x, shape: x.expand(*shape), _expand_ref, expand_case()),
    Op("split", lambda x, sizes, dim, piece: x.split(sizes, dim)[piece], _split_ref,
       split_case()),
    Op("chunk", lambda x, chunks, dim, piece: x.chunk(chunks, dim=dim)[piece],
       lambda x, chunks, dim, piece: _split_ref(x, -(-x.shape[dim] // chunks), dim, piece),
       chunk_case()),
    Op("pad", lambda x, **kw: autograd.pad(x, **kw), pad_reference, pad_case()),
    # scans, gathers and softmaxes
    Op("cumsum", lambda x, axis: x.cumsum(axis), lambda x, axis: np.cumsum(x, axis=axis),
       axis_case()),
    Op("gather", lambda x, axis, index: x.gather(axis, Tensor(index)), _gather_ref,
       gather_case()),
    Op("softmax", lambda x, axis: x.softmax(axis), _softmax_ref, axis_case()),
    Op("logsumexp", lambda x, **kw: x.logsumexp(**kw), _logsumexp_ref,
       axis_case(keepdims=True, axes=True)),
    Op("astype_float64", lambda x: x.astype(np.float64) * 2, lambda x: x * 2, bcast(R)),
    *LAYER_OPS,  # conv2d, pooling, embedding, batch_norm, layer_norm (tests/layer_cases.py)
]


def test_table_names_are_unique():
    names = [op.name for op in OPS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
@settings(max_examples=examples(30), deadline=None)
@given(data=st.data())
def test_forward_and_gradients(op, data):
    arrays, kw = data.draw(op.case, label="case")
    check_forward_and_grads(op, arrays, kw, data.draw(st.integers(0, 2**32 - 1), label="seed"))


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
@settings(max_examples=examples(20), deadline=None)
@given(data=st.data())
def test_second_derivatives(op, data):
    arrays, kw = data.draw(op.case, label="case")
    check_second_order(op, arrays, kw, data.draw(st.integers(0, 2**32 - 1), label="seed"))


# ------------------------------------------------------------------------ ties, by hand


def _grad(f, *xs):
    ts = [Tensor(np.asarray(x, dtype=np.float64), requires_grad=True) for x in xs]
    return [g.data for g in autograd.grad(f(*ts), ts)]


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_ties_share_the_gradient_equally(op):
    x = [[3.0, 1.0, 3.0, 3.0], [2.0, 2.0, 0.0, 5.0]] if op == "max" else \
        [[-3.0, 1.0, -3.0, -3.0], [-2.0, -2.0, 0.0, -5.0]]
    (g,) = _grad(lambda t: getattr(t, op)(axis=1).sum(), x)
    np.testing.assert_allclose(g, [[1 / 3, 0, 1 / 3, 1 / 3], [0, 0, 0, 1]])
    (g,) = _grad(lambda t: getattr(t, op)(), [1.0, 1.0] if op == "max" else [-1.0, -1.0])
    np.testing.assert_allclose(g, [0.5, 0.5])
    (g,) = _grad(lambda t: getattr(t, op)(axis=0, keepdims=True).sum(), [[4.0, 4.0], [4.0, 1.0]])
    expected = [[0.5, 1.0], [0.5, 0.0]] if op == "max" else [[0.5, 0.0], [0.5, 1.0]]
    np.testing.assert_allclose(g, expected)


def test_max_tie_with_upstream_gradient_and_second_order():
    x = Tensor(np.array([2.0, 2.0, 1.0]), requires_grad=True)
    gt = Tensor(np.array(3.0), requires_grad=True)
    (gx,) = autograd.grad(x.max(), x, grad_outputs=gt, create_graph=True)
    np.testing.assert_allclose(gx.data, [1.5, 1.5, 0.0])
    (dg,) = autograd.grad((gx * np.array([1.0, 2.0, 4.0])).sum(), gt)
    np.testing.assert_allclose(dg.data, 0.5 * 1 + 0.5 * 2)


@pytest.mark.parametrize("fn", [autograd.maximum, autograd.minimum])
def test_maximum_minimum_ties_give_each_half(fn):
    ga, gb = _grad(lambda a, b: (fn(a, b) * np.array([1.0, 2.0, 4.0])).sum(),
                   [1.0, 2.0, 3.0], [1.0, 0.0, 5.0])
    picked_a = [0.5, 2.0, 0.0] if fn is autograd.maximum else [0.5, 0.0, 4.0]
    np.testing.assert_allclose(ga, picked_a)
    np.testing.assert_allclose(gb, np.array([1.0, 2.0, 4.0]) - picked_a)  # the rest goes to b


def test_maximum_tie_broadcast_sums_the_halves():
    ga, gb = _grad(lambda a, b: autograd.maximum(a, b).sum(), [[1.0, 2.0], [1.0, 0.0]], 1.0)
    np.testing.assert_allclose(ga, [[0.5, 1.0], [0.5, 0.0]])
    np.testing.assert_allclose(gb, 0.5 + 0.5 + 1.0)


def test_relu_abs_clip_at_their_kinks_follow_pytorch():
    (g,) = _grad(lambda t: t.relu().sum(), [0.0, -1.0, 2.0])
    np.testing.assert_array_equal(g, [0.0, 0.0, 1.0])
    (g,) = _grad(lambda t: abs(t).sum(), [0.0, -1.0, 2.0])
    np.testing.assert_array_equal(g, [0.0, -1.0, 1.0])
    (g,) = _grad(lambda t: t.clip(0.0, 1.0).sum(), [0.0, 1.0, 2.0, -1.0, 0.5])
    np.testing.assert_array_equal(g, [1.0, 1.0, 0.0, 0.0, 1.0])


def test_pow_zero_exponent_has_zero_gradient_at_zero():
    (g,) = _grad(lambda t: (t ** 0).sum(), [0.0, 2.0])
    np.testing.assert_array_equal(g, [0.0, 0.0])
    (g,) = _grad(lambda t: (t ** 2).sum(), [0.0, -1.0])
    np.testing.assert_array_equal(g, [0.0, -2.0])


def test_repeated_integer_indices_accumulate():
    x = Tensor(np.arange(4.0), requires_grad=True)
    y = x[np.array([0, 2, 0, 0, -1])]
    y.backward(np.array([1.0, 10.0, 100.0, 1000.0, 5.0]))
    np.testing.assert_array_equal(x.grad, [1101.0, 0.0, 10.0, 5.0])
    (g,) = _grad(lambda t: t[[[0, 0], [1, 0]], [1, 1]].sum(), np.ones((2, 2)))
    np.testing.assert_array_equal(g, [[0.0, 3.0], [0.0, 1.0]])


def test_boolean_mask_and_tensor_index():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x[np.array([[True, False, True], [False, False, True]])]
    np.testing.assert_array_equal(y.data, [0.0, 2.0, 5.0])
    y.backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.grad, [[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]])
    (g,) = _grad(lambda t: t[Tensor([1, 1])].sum(), [5.0, 6.0])  # an int Tensor indexes
    np.testing.assert_array_equal(g, [0.0, 2.0])
    (g,) = _grad(lambda t: t[Tensor([False, True])].sum(), [5.0, 6.0])  # a bool Tensor masks
    np.testing.assert_array_equal(g, [0.0, 1.0])
    with pytest.raises(IndexError, match="integer or bool, got dtype float32"):
        Tensor([5.0, 6.0])[Tensor([1.0, 1.0])]  # as PyTorch: float Tensors do not index
