"""The new ops' PyTorch semantics and errors, by hand (their values and gradients of every order
are in the op factory, ``test_tensor_ops.py``): one_hot, gather, split/chunk, pad, squeeze,
unsqueeze, expand, permute, cumsum, softmax/logsumexp stability, all/any."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor, one_hot, pad


def test_one_hot_as_pytorch():
    out = one_hot(Tensor([[0, 2], [1, 1]]), num_classes=4)
    assert out.dtype == np.int64 and out.shape == (2, 2, 4) and not out.requires_grad
    np.testing.assert_array_equal(out.data, np.eye(4, dtype=np.int64)[[[0, 2], [1, 1]]])
    assert one_hot(np.array([3, 0])).shape == (2, 4)  # -1: one more than the largest label
    assert one_hot([1], 2).tolist() == [[0, 1]]


@pytest.mark.parametrize("labels, kw, error, message", [
    ([0, 3], {"num_classes": 3}, ValueError, r"label 3 is outside \[0, 3\)"),
    ([-1, 0], {}, ValueError, r"label -1 is outside"),
    (Tensor([0.0, 1.0]), {}, TypeError, "one_hot: labels must hold integers, got dtype float32"),
    ([0, 1], {"num_classes": 2.0}, TypeError, "num_classes must be an int"),
    ([], {}, ValueError, "cannot infer num_classes"),
])
def test_one_hot_errors(labels, kw, error, message):
    with pytest.raises(error, match=message):
        one_hot(labels, **kw)


def test_gather_matches_pytorchs_documented_example():
    t = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = t.gather(1, Tensor([[0, 0], [1, 0]]))  # torch.gather's docstring example
    assert out.tolist() == [[1.0, 1.0], [4.0, 3.0]]
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [[2.0, 0.0], [1.0, 1.0]])  # repeats add up
    picked = t.gather(0, np.array([[1]]))  # an index smaller than the input off the axis
    assert picked.tolist() == [[3.0]]
    assert t.gather(0, [[1], [0], [1]]).tolist() == [[3.0], [1.0], [3.0]]  # any size on axis


@pytest.mark.parametrize("axis, index, error, message", [
    (1, [[0, 2]], IndexError, "index 2 is out of range for axis 1 of size 2"),
    (1, [[-1, 0]], IndexError, "index -1 is out of range"),
    (1, [0, 1], ValueError, "as many dimensions as the input"),
    (1, [[0], [1], [0]], ValueError, "larger than the input"),
    (2, [[0]], ValueError, "axis 2 is out of range"),
    (1, [[0.0]], TypeError, "gather: index must hold integers"),
])
def test_gather_errors(axis, index, error, message):
    with pytest.raises(error, match=message):
        Tensor([[1.0, 2.0], [3.0, 4.0]]).gather(axis, np.array(index))


def test_split_and_chunk_as_pytorch():
    x = Tensor(np.arange(10.0).reshape(5, 2), requires_grad=True)
    assert [p.shape for p in x.split(2)] == [(2, 2), (2, 2), (1, 2)]
    assert [p.shape for p in x.split([1, 4])] == [(1, 2), (4, 2)]
    assert [p.shape for p in x.split(1, dim=1)] == [(5, 1), (5, 1)]
    assert [p.shape for p in x.chunk(2)] == [(3, 2), (2, 2)]
    assert len(Tensor(np.arange(6)).chunk(4)) == 3  # ceil(6/4) = 2 per chunk: only 3 chunks
    a, b = x.chunk(2)
    (a.sum() * 2 + b.sum()).backward()
    np.testing.assert_array_equal(x.grad, [[2, 2], [2, 2], [2, 2], [1, 1], [1, 1]])
    with pytest.raises(ValueError, match="add up to 5"):
        x.split([1, 2])
    with pytest.raises(ValueError, match="split_size must be positive"):
        x.split(0)
    with pytest.raises(ValueError, match="chunks must be a positive int"):
        x.chunk(0)


def test_split_and_chunk_of_an_empty_dim_as_pytorch():
    # chunk gave one piece (so ``a, b = x.chunk(2)`` failed on an empty batch); split(0) raised
    x = Tensor(np.zeros((3, 0)), requires_grad=True)
    assert [p.shape for p in x.chunk(2, 1)] == [(3, 0), (3, 0)]
    assert [p.shape for p in Tensor(np.zeros(0)).chunk(3)] == [(0,), (0,), (0,)]
    assert [p.shape for p in Tensor(np.zeros(0)).split(0)] == [(0,)]
    assert [p.shape for p in Tensor(np.zeros(0)).split(2)] == [(0,)]
    a, b = x.chunk(2, 1)
    (a.sum() + b.sum()).backward()
    assert x.grad.shape == (3, 0)
    with pytest.raises(ValueError, match="split_size must be positive, got 0"):
        Tensor(np.zeros(5)).split(0)


def test_pad_follows_the_last_dim_first_convention():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    out = pad(x, (1, 2))  # last dim only
    assert out.shape == (2, 6)
    np.testing.assert_array_equal(out.data[:, 1:4], x.data)
    assert pad(x, (0, 0, 1, 0), value=-1.0).tolist()[0] == [-1.0, -1.0, -1.0]
    assert pad(x, (-1, 0)).tolist() == [[1.0, 2.0], [4.0, 5.0]]  # a negative pad crops
    r = pad(x, (2, 2), mode="replicate")
    assert r.tolist()[0] == [0.0, 0.0, 0.0, 1.0, 2.0, 2.0, 2.0]
    r.sum().backward()  # each border value was copied three times
    np.testing.assert_array_equal(x.grad, [[3.0, 1.0, 3.0], [3.0, 1.0, 3.0]])
    assert pad(x, (1, 1), mode="circular").tolist()[0] == [2.0, 0.0, 1.0, 2.0, 0.0]


@pytest.mark.parametrize("args, kw, error, message", [
    ((1, 2, 3), {}, TypeError, "even length"),
    ((1, 1, 1, 1, 1, 1), {}, ValueError, "3 .left, right. pairs for a Tensor of 2 dims"),
    ((3, 0), {"mode": "reflect"}, ValueError, "must be at most 2"),
    ((1, 1), {"mode": "mirror"}, ValueError, "mode must be"),
    ((-1, 0), {"mode": "replicate"}, ValueError, "negative padding"),
    ((-2, -2), {}, ValueError, r"cropping \(-2, -2\) from dim 1 of size 3 leaves a negative"),
    ((1, -5), {}, ValueError, r"cropping \(1, -5\) from dim 1"),  # was [[0, x0]]: wrapped
    ((-4, 2), {}, ValueError, r"cropping \(-4, 2\) from dim 1"),  # was silently [[0, 0]]
    ((0, 0, -3, 0), {}, ValueError, r"cropping \(-3, 0\) from dim 0 of size 2"),
])
def test_pad_errors(args, kw, error, message):
    with pytest.raises(error, match=message):
        pad(Tensor(np.zeros((2, 3))), args, **kw)


def test_replicate_pads_any_amount_as_pytorch():
    # was refused ("at most 1") for a pad wider than the dim; PyTorch copies the edge any number
    # of times. Circular still wraps at most once, reflect stays below the size.
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    r = pad(x, (3, 1, 2, 0), mode="replicate")
    assert r.tolist() == [[1.0, 1.0, 1.0, 1.0, 2.0, 2.0]] * 3
    r.sum().backward()
    np.testing.assert_array_equal(x.grad, [[12.0, 6.0]])  # 3 rows x (1 + 3) and 3 x (1 + 1)
    assert pad(Tensor([5.0]), (0, 4), mode="replicate").tolist() == [5.0] * 5
    with pytest.raises(ValueError, match=r"circular padding of \(0, 3\) on dim 1 of size 2 "
                                         "must be at most 2"):
        pad(x, (0, 3), mode="circular")
    with pytest.raises(ValueError, match="replicate padding of .1, 0. on dim 1 needs a "
                                         "non-empty dim, got size 0"):
        pad(Tensor(np.zeros((2, 0))), (1, 0), mode="replicate")


def test_pad_may_crop_a_dim_to_nothing_as_pytorch():
    assert pad(Tensor(np.ones((2, 3))), (-2, -1)).shape == (2, 0)
    assert pad(Tensor(np.ones((2, 3))), (-3, 1), value=7.0).tolist() == [[7.0], [7.0]]


def test_squeeze_unsqueeze_expand_permute_view_as_pytorch():
    x = Tensor(np.zeros((2, 1, 3, 1)))
    assert x.squeeze().shape == (2, 3)
    assert x.squeeze(1).shape == (2, 3, 1) and x.squeeze(0).shape == (2, 1, 3, 1)  # no-op
    assert x.squeeze((1, 3)).shape == (2, 3)
    assert Tensor(5.0).squeeze().shape == () and Tensor([5.0]).squeeze(0).shape == ()
    assert x.unsqueeze(0).shape == (1, 2, 1, 3, 1) and x.unsqueeze(4).shape == (2, 1, 3, 1, 1)
    with pytest.raises(ValueError, match=r"unsqueeze: axis 6 is out of range"):
        x.unsqueeze(6)
    y = Tensor([[1.0], [2.0]], requires_grad=True)
    e = y.expand(3, -1, 4)
    assert e.shape == (3, 2, 4)
    e.sum().backward()
    np.testing.assert_array_equal(y.grad, [[12.0], [12.0]])
    with pytest.raises(ValueError, match="cannot be broadcast"):
        y.expand(3, 3)
    with pytest.raises(ValueError, match="-1 is not allowed for a new leading dim"):
        y.expand(-1, 2, 1)
    assert x.permute(3, 2, 1, 0).shape == (1, 3, 1, 2)
    with pytest.raises(ValueError, match="permute: got 2 dims"):
        x.permute(1, 0)
    assert x.view(-1).shape == (6,) and x.view(3, 2).shape == (3, 2)


def test_cumsum_of_ints_and_its_axis_check():
    assert Tensor([[1, 2], [3, 4]]).cumsum(0).tolist() == [[1, 2], [4, 6]]
    assert Tensor([True, False, True]).cumsum(0).tolist() == [1, 1, 2]
    with pytest.raises(ValueError, match="cumsum: axis 2 is out of range"):
        Tensor([[1, 2]]).cumsum(2)


def test_softmax_and_logsumexp_are_stable():
    x = Tensor(np.array([[1e4, -1e4, 0.0], [-np.inf, 0.0, -np.inf]]), requires_grad=True)
    p = x.softmax(axis=1)
    np.testing.assert_allclose(p.data, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    lse = x.logsumexp(axis=1)
    np.testing.assert_allclose(lse.data, [1e4, 0.0])
    lse.sum().backward()
    np.testing.assert_allclose(x.grad, p.data)  # the gradient of logsumexp is the softmax
    all_neg_inf = Tensor(np.array([-np.inf, -np.inf])).logsumexp(axis=0)
    assert all_neg_inf.item() == -np.inf
    assert Tensor(np.ones((2, 3))).logsumexp(axis=(0, 1), keepdims=True).shape == (1, 1)
    with pytest.raises(ValueError, match="softmax needs at least one dimension"):
        Tensor(1.0).softmax()
    with pytest.raises(ValueError, match="softmax: axis 2 is out of range"):
        Tensor([1.0]).softmax(axis=2)


def test_softmax_method_matches_nn_functional():
    import nn.functional as F

    x = Tensor(np.random.default_rng(0).normal(size=(4, 5)))
    np.testing.assert_allclose(x.softmax(axis=-1).data, F.softmax(x, axis=-1).data, rtol=1e-6)
    np.testing.assert_allclose(x.logsumexp(axis=1).data,
                               (x - F.log_softmax(x, axis=1)).data[:, 0], rtol=1e-6)


def test_all_and_any():
    m = Tensor([[True, False], [True, True]])
    assert m.all().item() is False and m.any().item() is True
    assert m.all(axis=1).tolist() == [False, True] and m.any(axis=0, keepdims=True).shape == (1, 2)
    assert (Tensor([1.0, 2.0]) > 0).all().item() is True


def test_module_level_names_are_exported():
    for name in ("one_hot", "pad", "gather", "multinomial", "Generator", "zeros", "arange",
                 "randn", "manual_seed"):
        assert name in autograd.__all__ and hasattr(autograd, name)
    t = Tensor([[1.0, 2.0]])
    assert autograd.gather(t, 1, [[1]]).tolist() == [[2.0]]
