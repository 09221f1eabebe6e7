"""The fused Tensor ops (one node each, for speed): same values and gradients as their
compositions, gradients of every order, stable at extreme logits."""

import numpy as np
import pytest

from autograd import Tensor, grad, gradcheck, gradgradcheck
from autograd.tensor_ops.matmul import linear
from autograd.tensor_ops.softmax import cross_entropy, log_softmax

rng = np.random.default_rng(0)


def randn(*shape, requires_grad=True):
    return Tensor(rng.standard_normal(shape), requires_grad=requires_grad)


@pytest.mark.parametrize("x_shape", [(5, 3), (3,), (2, 4, 3)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_matches_composition(x_shape, with_bias):
    x, w = randn(*x_shape), randn(4, 3)
    b = randn(4) if with_bias else None
    fused = linear(x, w, b)
    plain = x @ w.T + b if with_bias else x @ w.T
    assert fused.shape == plain.shape
    np.testing.assert_allclose(fused.data, plain.data, rtol=1e-12)
    inputs = [x, w, b] if with_bias else [x, w]
    for a, c in zip(grad((fused * fused).sum(), inputs), grad((plain * plain).sum(), inputs)):
        np.testing.assert_allclose(a.data, c.data, rtol=1e-12)


def test_linear_gradients_of_every_order():
    x, w, b = randn(4, 3), randn(2, 3), randn(2)
    assert gradcheck(lambda x, w, b: (linear(x, w, b) ** 2).sum(), (x, w, b))
    assert gradgradcheck(lambda x, w, b: (linear(x, w, b) ** 2).sum(), (x, w, b))


def test_linear_keeps_float32_and_skips_constant_inputs():
    x = Tensor(rng.standard_normal((3, 2)).astype(np.float32))  # a data batch: no grad
    w = Tensor(rng.standard_normal((4, 2)).astype(np.float32), requires_grad=True)
    out = linear(x, w, Tensor(np.zeros(4, np.float32), requires_grad=True))
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad is None and w.grad.dtype == np.float32 and w.grad.flags.c_contiguous


def test_linear_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"\(5, 3\)"):
        linear(randn(5, 3), randn(4, 2))
    with pytest.raises(ValueError, match="bias"):
        linear(randn(5, 3), randn(4, 3), randn(3))


@pytest.mark.parametrize("axis", [-1, 0])
def test_log_softmax_matches_composition_and_differentiates_twice(axis):
    x, weights = randn(4, 5), randn(4, 5, requires_grad=False)
    z = x - Tensor(x.data.max(axis=axis, keepdims=True))
    plain = z - z.exp().sum(axis=axis, keepdims=True).log()
    np.testing.assert_array_equal(log_softmax(x, axis).data, plain.data)
    assert gradcheck(lambda x: (log_softmax(x, axis) * weights).sum(), (x,))
    assert gradgradcheck(lambda x: (log_softmax(x, axis) * weights).sum(), (x,))


def test_log_softmax_is_stable_at_huge_logits():
    out = log_softmax(Tensor([[1e4, -1e4, 0.0]]))
    np.testing.assert_array_equal(out.data, [[0.0, -2e4, -1e4]])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("batched", [True, False])
def test_cross_entropy_matches_log_softmax_and_pick(reduction, batched):
    x = randn(6, 4) if batched else randn(4)
    labels = rng.integers(0, 4, 6) if batched else np.int64(2)
    fused = cross_entropy(x, labels, reduction)
    picked = -(log_softmax(x)[np.arange(6), labels] if batched else log_softmax(x)[2])
    plain = {"mean": picked.mean(), "sum": picked.sum(), "none": picked}[reduction]
    np.testing.assert_allclose(fused.data, plain.data, rtol=1e-12)
    weights = Tensor(rng.standard_normal(fused.shape))
    assert gradcheck(lambda x: (cross_entropy(x, labels, reduction) * weights).sum(), (x,))
    assert gradgradcheck(lambda x: (cross_entropy(x, labels, reduction) * weights).sum(), (x,))


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    x = Tensor([[1e4, -1e4, 0.0], [0.0, 0.0, 0.0]], requires_grad=True)
    loss = cross_entropy(x, np.array([1, 0]), "sum")
    loss.backward()
    assert loss.item() == pytest.approx(2e4 + np.log(3))
    np.testing.assert_allclose(x.grad, [[1, -1, 0], [1 / 3 - 1, 1 / 3, 1 / 3]], atol=1e-15)
