"""Embedding, BatchNorm1d and LayerNorm: PyTorch's documented behaviour as formulas (running
statistics, momentum None, eval mode, state_dict keys), buffers in Module, clear errors. Their
gradients of every order are checked by the property-test factory (rows in
``layer_cases.py``)."""

from __future__ import annotations

import numpy as np
import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from layer_cases import EPS
from layer_cases import normalized as _normalized

import autograd
import nn
from autograd import Tensor
from autograd.tensor_ops.norm import _mean
from nn import functional as F

# --------------------------------------------------------------------------- Embedding


def test_embedding_looks_up_rows_for_any_index_shape_and_kind():
    emb = nn.Embedding(5, 3)
    w = emb.weight.data
    assert emb(3).shape == (3,)
    np.testing.assert_array_equal(emb(3).data, w[3])
    idx = np.array([[4, 0, 0], [1, 2, 4]])
    for index in (idx, idx.tolist(), Tensor(idx.astype(np.float64)), idx.astype(np.int32)):
        np.testing.assert_array_equal(emb(index).data, w[idx])
    assert emb(idx).dtype == np.float32


def test_embedding_repeated_indices_accumulate_gradients():
    emb = nn.Embedding(4, 2)
    idx = np.array([[1, 1, 3], [1, 0, 3]])
    g = np.arange(12.0).reshape(2, 3, 2)
    emb(idx).backward(g)
    expected = np.zeros((4, 2))
    np.add.at(expected, idx, g)
    np.testing.assert_allclose(emb.weight.grad, expected)
    assert emb.weight.grad[2].tolist() == [0.0, 0.0]


def test_embedding_padding_idx_row_starts_at_zero_and_gets_no_gradient():
    emb = nn.Embedding(4, 2, padding_idx=-1)  # negative counts from the end, as in PyTorch
    assert emb.padding_idx == 3 and repr(emb) == "Embedding(4, 2, padding_idx=3)"
    np.testing.assert_array_equal(emb.weight.data[3], [0.0, 0.0])
    emb.weight.data[3] = [5.0, 6.0]  # a user may set it; it is still looked up as it is
    idx = np.array([[3, 1], [3, 3]])
    out = emb(idx)
    np.testing.assert_array_equal(out.data, emb.weight.data[idx])
    out.backward(np.ones((2, 2, 2)))
    np.testing.assert_array_equal(emb.weight.grad[3], [0.0, 0.0])
    np.testing.assert_array_equal(emb.weight.grad[1], [1.0, 1.0])
    with pytest.raises(ValueError, match=r"padding_idx must be an int in \[-4, 4\), got 4"):
        nn.Embedding(4, 2, padding_idx=4)


def test_embedding_init_is_standard_normal_and_keys_match_pytorch():
    nn.manual_seed(0)
    emb = nn.Embedding(200, 50)
    assert emb.weight.shape == (200, 50)
    assert abs(emb.weight.data.mean()) < 0.03 and abs(emb.weight.data.std() - 1) < 0.03
    assert list(emb.state_dict()) == ["weight"]
    assert repr(emb) == "Embedding(200, 50)"


@pytest.mark.parametrize("index, error, message", [
    ([0, 5], IndexError, "index 5 .* out of range for 5 embeddings"),
    ([-1], IndexError, "index -1"),
    (np.array([0.0, 1.0]), TypeError, "indices must be integers, got dtype float64"),
    (Tensor([0.5]), TypeError, "whole numbers"),
    ([True, False], TypeError, "got dtype bool"),
])
def test_embedding_bad_indices_raise_clearly(index, error, message):
    with pytest.raises(error, match=message):
        nn.Embedding(5, 2)(index)


# ------------------------------------------------------------------------- BatchNorm1d


def test_batchnorm_parameters_buffers_and_state_dict_keys_are_pytorchs():
    bn = nn.BatchNorm1d(3)
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]
    np.testing.assert_array_equal(bn.weight.data, np.ones(3))
    np.testing.assert_array_equal(bn.bias.data, np.zeros(3))
    state = bn.state_dict()
    assert list(state) == ["weight", "bias", "running_mean", "running_var",
                           "num_batches_tracked"]
    assert state["num_batches_tracked"].dtype == np.int64 and state["num_batches_tracked"] == 0
    np.testing.assert_array_equal(state["running_var"], np.ones(3))
    assert len(bn.parameters()) == 2  # buffers are not trained
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias",
                                        "1.running_mean", "1.running_var",
                                        "1.num_batches_tracked"]
    assert [name for name, _ in model.named_buffers()] == [
        "1.running_mean", "1.running_var", "1.num_batches_tracked"]
    assert repr(bn) == ("BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, "
                        "track_running_stats=True)")


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
def test_batchnorm_training_normalizes_by_the_batch_and_updates_running_stats(shape):
    rng = np.random.default_rng(0)
    autograd.set_default_dtype(np.float64)
    try:
        bn = nn.BatchNorm1d(3, momentum=0.3)
    finally:
        autograd.set_default_dtype(np.float32)
    bn.weight.data[:] = [1.0, 2.0, -1.0]
    bn.bias.data[:] = [0.0, 0.5, 3.0]
    axes = (0, 2) if len(shape) == 3 else (0,)
    mean, var = np.zeros(3), np.ones(3)
    for step in range(1, 4):
        x = rng.normal(2.0, 3.0, size=shape)
        out = bn(Tensor(x))
        b = (1, 3, 1) if len(shape) == 3 else (1, 3)
        expected = _normalized(x, axes) * bn.weight.data.reshape(b) + bn.bias.data.reshape(b)
        np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
        n = x.size // 3
        mean = 0.7 * mean + 0.3 * x.mean(axis=axes)
        var = 0.7 * var + 0.3 * x.var(axis=axes) * n / (n - 1)  # the unbiased variance
        np.testing.assert_allclose(bn.running_mean, mean, rtol=1e-12)
        np.testing.assert_allclose(bn.running_var, var, rtol=1e-12)
        assert bn.num_batches_tracked == step


@settings(max_examples=examples(200), deadline=None)
@given(st.sampled_from([np.float16, np.float32, np.float64]),
       hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=7), st.data())
def test_normalization_means_are_numpys_mean_bit_for_bit(dtype, shape, data):
    """``norm._mean`` skips ``ndarray.mean``'s Python wrapper; its bits are ``mean``'s."""
    a = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-1e3, 1e3, width=16)))
    axes = tuple(sorted(data.draw(st.sets(st.integers(0, len(shape) - 1), min_size=1))))
    got, want = _mean(a, axes), a.mean(axis=axes, keepdims=True)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))


def test_batchnorm_momentum_none_is_the_cumulative_average():
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm1d(2, momentum=None)
    batches = [rng.normal(size=(5, 2)) for _ in range(4)]
    for x in batches:
        bn(Tensor(x))
    np.testing.assert_allclose(bn.running_mean, np.mean([x.mean(0) for x in batches], 0),
                               rtol=1e-5)
    np.testing.assert_allclose(bn.running_var, np.mean([x.var(0, ddof=1) for x in batches], 0),
                               rtol=1e-5)


def test_batchnorm_eval_uses_the_running_statistics_and_leaves_them_alone():
    bn = nn.BatchNorm1d(2)
    bn.running_mean[:] = [1.0, -2.0]
    bn.running_var[:] = [4.0, 0.25]
    bn.weight.data[:] = [2.0, 1.0]
    bn.bias.data[:] = [0.0, 1.0]
    bn.eval()
    x = np.array([[3.0, -2.0], [1.0, -1.5]], dtype=np.float32)
    out = bn(Tensor(x, requires_grad=True))
    expected = (x - [1.0, -2.0]) / np.sqrt(np.array([4.0, 0.25]) + EPS) * [2.0, 1.0] + [0, 1]
    np.testing.assert_allclose(out.data, expected, rtol=1e-6)
    single = bn(Tensor(x[:1]))  # batch size 1 is fine in eval mode
    np.testing.assert_allclose(single.data, expected[:1], rtol=1e-6)
    np.testing.assert_array_equal(bn.running_mean, [1.0, -2.0])
    assert bn.num_batches_tracked == 0
    out.sum().backward()
    np.testing.assert_allclose(bn.weight.grad, ((x - [1.0, -2.0]) /
                                                np.sqrt(np.array([4.0, 0.25]) + EPS)).sum(0),
                               rtol=1e-6)


def test_batchnorm_without_running_stats_always_uses_the_batch():
    bn = nn.BatchNorm1d(2, affine=False, track_running_stats=False)
    assert bn.parameters() == [] and bn.state_dict() == {}
    assert bn.running_mean is None
    x = np.random.default_rng(2).normal(size=(4, 2))
    bn.eval()
    np.testing.assert_allclose(bn(Tensor(x)).data, _normalized(x, (0,)), rtol=1e-5, atol=1e-6)


def test_batchnorm_training_with_one_value_per_channel_raises_and_changes_nothing():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"more than 1 value per channel .* shape \(1, 3\)"):
        bn(Tensor(np.ones((1, 3))))
    assert bn.num_batches_tracked == 0
    np.testing.assert_array_equal(bn.running_mean, np.zeros(3))
    assert bn(Tensor(np.arange(6.0).reshape(1, 3, 2))).shape == (1, 3, 2)  # N*L = 2 is enough


def test_batchnorm_state_dict_round_trip_and_atomic_load(tmp_path):
    rng = np.random.default_rng(3)
    a = nn.BatchNorm1d(3)
    for _ in range(2):
        a(Tensor(rng.normal(size=(8, 3))))
    a.weight.data[:] = [1.0, 2.0, 3.0]
    b = nn.BatchNorm1d(3)
    b.load_state_dict(a.state_dict())
    for key, value in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[key], value)
    assert b.num_batches_tracked.dtype == np.int64 and b.num_batches_tracked == 2
    c = nn.BatchNorm1d(3)
    c.load_state_dict(nn.load_state(a.save(tmp_path / "bn.npz")))
    np.testing.assert_array_equal(c.running_var, a.running_var)
    bad = dict(a.state_dict(), running_var=np.ones(4))
    fresh = nn.BatchNorm1d(3)
    with pytest.raises(nn.StateDictError, match="running_var"):
        fresh.load_state_dict(bad)
    np.testing.assert_array_equal(fresh.running_mean, np.zeros(3))  # nothing was loaded
    np.testing.assert_array_equal(fresh.weight.data, np.ones(3))
    with pytest.raises(nn.StateDictError, match="missing key.*num_batches_tracked"):
        fresh.load_state_dict({k: v for k, v in a.state_dict().items()
                               if k != "num_batches_tracked"})
    with pytest.raises(nn.StateDictError, match="num_batches_tracked.*cannot be loaded"):
        fresh.load_state_dict(dict(a.state_dict(), num_batches_tracked=np.array(2.5)))
    assert fresh.num_batches_tracked == 0


@pytest.mark.parametrize("call, message", [
    (lambda bn: bn(Tensor(np.ones((4, 3, 2, 2)))), r"2-D \(N, C\) or 3-D \(N, C, L\)"),
    (lambda bn: bn(Tensor(np.ones((4, 2)))), r"input of shape \(4, 2\) has 2 channels"),
    (lambda bn: F.batch_norm(Tensor(np.ones((4, 3))), np.zeros(2), np.ones(3)),
     r"running_mean must have shape \(3,\)"),
    (lambda bn: F.batch_norm(Tensor(np.ones((4, 3))), None, None), "needed when not training"),
    (lambda bn: nn.BatchNorm1d(0), "num_features must be a positive int"),
    (lambda bn: nn.BatchNorm1d(3, momentum=2.0), "momentum must be in"),
])
def test_batchnorm_bad_input_raises_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call(nn.BatchNorm1d(3))


# --------------------------------------------------------------------------- LayerNorm


def test_layernorm_normalizes_the_last_axes_with_affine_parameters():
    rng = np.random.default_rng(4)
    ln = nn.LayerNorm((3, 4))
    assert ln.weight.shape == (3, 4) and list(ln.state_dict()) == ["weight", "bias"]
    ln.weight.data[:] = rng.normal(size=(3, 4))
    x = rng.normal(size=(2, 3, 4)).astype(np.float32)
    expected = _normalized(x, (1, 2)) * ln.weight.data + ln.bias.data
    np.testing.assert_allclose(ln(Tensor(x)).data, expected, rtol=1e-5, atol=1e-6)
    plain = nn.LayerNorm(4, elementwise_affine=False)
    assert plain.parameters() == [] and plain.weight is None
    np.testing.assert_allclose(plain(Tensor(x)).data, _normalized(x, (2,)), rtol=1e-5,
                               atol=1e-6)
    assert nn.LayerNorm(4, bias=False).bias is None
    assert repr(nn.LayerNorm(4)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"


@pytest.mark.parametrize("call, message", [
    (lambda: nn.LayerNorm(4)(Tensor(np.ones((2, 3)))),
     r"input of shape \(2, 3\) does not end in normalized_shape \(4,\)"),
    (lambda: nn.LayerNorm(0), "normalized_shape must be a positive int"),
    (lambda: F.layer_norm(Tensor(np.ones((2, 3))), 3, Tensor(np.ones(2))),
     r"weight must have shape \(3,\)"),
])
def test_layernorm_bad_input_raises_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------------------ Module buffers


def test_register_buffer_is_state_but_not_a_parameter():
    class Counter(nn.Module):
        def __init__(self):
            self.scale = Tensor(np.ones(2), requires_grad=True)
            self.register_buffer("seen", np.zeros(2))
            self.register_buffer("unused", None)
            self.register_buffer("scratch", np.zeros(3), persistent=False)

    m = Counter()
    assert m.parameters() == [m.scale]
    assert list(m.state_dict()) == ["scale", "seen"]  # None and non-persistent: not saved
    assert [name for name, _ in m.named_buffers()] == ["seen", "scratch"]
    m.seen = np.full(2, 5.0)  # assigning an array replaces the buffer
    np.testing.assert_array_equal(m.state_dict()["seen"], [5.0, 5.0])
    with pytest.raises(TypeError, match="buffer 'seen'"):
        m.seen = [1.0, 2.0]
    with pytest.raises(TypeError, match="must be an ndarray, a Tensor or None, got list"):
        m.register_buffer("other", [1.0])
    with pytest.raises(KeyError, match="without '.'"):
        m.register_buffer("a.b", np.zeros(1))
    del m.seen
    assert list(m.state_dict()) == ["scale"]
