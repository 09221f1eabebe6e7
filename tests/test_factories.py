"""The PyTorch-style factories: values, shapes, dtypes (PyTorch's inference rules),
``requires_grad`` leaves, generators and argument errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import (
    Generator,
    Tensor,
    arange,
    eye,
    full,
    linspace,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    zeros,
    zeros_like,
)

F32, F64, I64 = np.float32, np.float64, np.int64


@pytest.mark.parametrize("make, fill", [(zeros, 0.0), (ones, 1.0)])
def test_zeros_ones_sizes_as_ints_or_one_tuple(make, fill):
    for size, shape in (((2, 3), (2, 3)), (((2, 3),), (2, 3)), (([4],), (4,)), ((), ())):
        t = make(*size)
        assert t.shape == shape and t.dtype == F32 and not t.requires_grad
        assert np.all(t.data == fill)
    assert make(2, dtype=np.int64).dtype == I64
    assert make(2, dtype=np.float64).dtype == F64


def test_full_infers_its_dtype_from_the_fill_value():
    assert full((2, 2), 7).dtype == I64 and full((2, 2), 7).tolist() == [[7, 7], [7, 7]]
    assert full((2,), 0.5).dtype == F32 and full((2,), True).dtype == np.bool_
    assert full(3, 1.5, dtype=np.float64).dtype == F64 and full(3, 1.5).shape == (3,)
    with pytest.raises(TypeError, match="full: expected a real number, got str"):
        full((2,), "a")


def test_like_factories_keep_shape_and_dtype():
    x = Tensor(np.arange(6, dtype=np.int32).reshape(2, 3))
    for make, fill in ((zeros_like, 0), (ones_like, 1)):
        t = make(x)
        assert t.shape == (2, 3) and t.dtype == np.int32 and np.all(t.data == fill)
        assert t.data is not x.data
        assert make(x, dtype=np.float64).dtype == F64
    assert zeros_like(Tensor([1.0]), requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="zeros_like: expected a Tensor, got list"):
        zeros_like([1, 2])


def test_arange_follows_pytorch_dtypes_and_lengths():
    assert arange(5).tolist() == [0, 1, 2, 3, 4] and arange(5).dtype == I64
    assert arange(2, 8, 3).tolist() == [2, 5] and arange(5, 0, -2).tolist() == [5, 3, 1]
    t = arange(0.0, 1.0, 0.1)
    assert t.dtype == F32 and t.shape == (10,)  # PyTorch's length, 0.0 .. 0.9
    np.testing.assert_allclose(t.data, np.arange(10) / 10, atol=1e-6)
    assert arange(1, 2.5).tolist() == [1.0, 2.0] and arange(1, 2.5).dtype == F32
    assert arange(3, dtype=np.float64).dtype == F64 and arange(0).shape == (0,)
    with pytest.raises(ValueError, match="step must be nonzero"):
        arange(0, 3, 0)


def test_linspace_and_eye():
    t = linspace(0, 1, 5)
    assert t.dtype == F32 and t.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert linspace(-1, 1, 3, dtype=np.float64).dtype == F64
    np.testing.assert_array_equal(eye(3).data, np.eye(3))
    assert eye(2, 3).shape == (2, 3) and eye(2, dtype=np.int64).dtype == I64
    with pytest.raises(TypeError, match="linspace: steps must be a non-negative int"):
        linspace(0, 1, 2.5)


def test_requires_grad_makes_trainable_float_leaves_only():
    for t in (zeros(2, requires_grad=True), ones(2, 2, requires_grad=True),
              full((2,), 0.5, requires_grad=True), arange(0.0, 3.0, requires_grad=True),
              linspace(0, 1, 3, requires_grad=True), eye(2, requires_grad=True),
              rand(2, requires_grad=True), randn(2, requires_grad=True)):
        assert t.requires_grad and t._back is None and t.dtype == F32
        (t * t).sum().backward()
        np.testing.assert_allclose(t.grad, 2 * t.data)
    with pytest.raises(RuntimeError, match="only floating Tensors can require grad"):
        arange(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="zeros: only floating Tensors"):
        zeros(2, dtype=np.int64, requires_grad=True)


def test_random_factories_are_reproducible_with_a_generator():
    a = randn(3, 4, generator=Generator(7))
    b = randn((3, 4), generator=Generator(7))
    np.testing.assert_array_equal(a.data, b.data)
    assert a.dtype == F32 and a.shape == (3, 4)
    c = randn(3, 4, generator=np.random.default_rng(7))  # a NumPy generator works too
    np.testing.assert_array_equal(
        c.data, np.random.Generator(np.random.PCG64(7)).standard_normal((3, 4)).astype(F32))
    u = rand(1000, generator=Generator(1))
    assert u.dtype == F32 and 0.0 <= u.data.min() and u.data.max() < 1.0
    assert 0.45 < u.data.mean() < 0.55
    g = Generator(3)
    first, second = rand(2, generator=g), rand(2, generator=g)  # one stream, moving on
    assert not np.array_equal(first.data, second.data)
    assert rand(2, dtype=np.float64, generator=Generator(0)).dtype == F64


def test_default_generator_is_reset_by_manual_seed():
    autograd.manual_seed(11)
    a = randn(5)
    autograd.manual_seed(11)
    np.testing.assert_array_equal(a.data, randn(5).data)


def test_randint_draws_int64_in_range():
    t = randint(0, 5, (200,), generator=Generator(0))
    assert t.dtype == I64 and t.shape == (200,) and set(t.tolist()) == {0, 1, 2, 3, 4}
    assert randint(3, (2, 2), generator=Generator(0)).shape == (2, 2)  # randint(high, size)
    with pytest.raises(ValueError, match="high"):
        randint(3, 3, (2,))


@pytest.mark.parametrize("call, message", [
    (lambda: zeros(-1), "zeros: sizes must be non-negative ints"),
    (lambda: ones(2.5), "ones: sizes must be non-negative ints"),
    (lambda: zeros(2, dtype=np.complex64), "dtype must be floating, integer or bool"),
    (lambda: randn(2, generator=3), "randn: generator must be an autograd.Generator"),
    (lambda: Generator(-1), "seed must be a non-negative int"),
    (lambda: zeros(2, requires_grad=1), "requires_grad must be a bool"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises(TypeError, match=message):
        call()


# ------------------------------------------------------------------------------ from_numpy


@pytest.mark.parametrize("dtype", [np.float16, F32, F64, np.int8, I64, np.uint8, np.bool_])
def test_from_numpy_shares_memory_and_keeps_the_dtype(dtype):
    a = np.arange(6).reshape(2, 3).astype(dtype)
    t = autograd.from_numpy(a)
    assert t.data is a and t.dtype == dtype and not t.requires_grad and t.is_leaf
    a[0, 0] = 1
    assert t.data[0, 0] == 1  # a write to the array shows in the Tensor, as in PyTorch


def test_from_numpy_shares_a_memmap_and_a_non_contiguous_view(tmp_path):
    m = np.memmap(tmp_path / "x.dat", dtype=F32, mode="w+", shape=(4, 3))
    t = autograd.from_numpy(m)
    assert type(t.data) is np.ndarray and np.shares_memory(t.data, m)
    view = np.arange(12.0).reshape(3, 4)[:, ::2]
    assert np.shares_memory(autograd.from_numpy(view).data, view)


@pytest.mark.parametrize("bad, message", [
    ([1.0, 2.0], "got list"),
    (np.array(["a"]), "dtype <U1"),
    (np.array([1 + 2j]), "dtype complex128"),
    (np.array([None]), "dtype object"),
    (np.ma.masked_array([1.0, 2.0], mask=[0, 1]), "mask would be dropped"),
])
def test_from_numpy_refuses_what_is_not_a_real_ndarray(bad, message):
    with pytest.raises(TypeError, match=message):
        autograd.from_numpy(bad)


def test_from_numpy_input_trains_like_a_copied_one():
    rng = np.random.default_rng(0)
    X, w0 = rng.standard_normal((5, 3)), rng.standard_normal(3)
    grads = []
    for wrap in (Tensor, autograd.from_numpy):
        w = Tensor(w0, requires_grad=True)
        ((wrap(X) @ w) ** 2).sum().backward()
        grads.append(w.grad)
    np.testing.assert_array_equal(grads[0], grads[1])
    assert autograd.from_numpy(X).requires_grad_().requires_grad
