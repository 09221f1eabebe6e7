"""Integration: the merged features used together, as a user would (issues 9, 10, 12).

Each test here failed before its fix: integer and boolean Tensors through the fused ops and the
layers (PyTorch's promotion: an int input meets float32 weights as float32), pooling on
integer and boolean images, and ``nn.functional.pad``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

INTS = np.array([[1, 2, 3], [4, 5, 6]])


def _f32_weight(*shape: int) -> Tensor:
    return Tensor(np.ones(shape, np.float32), requires_grad=True)


# ----------------------------------------------- int inputs meet float32 weights as float32


def test_linear_int_input_gives_the_weights_dtype():
    x = Tensor(INTS)
    w, b = _f32_weight(2, 3), _f32_weight(2)
    out = F.linear(x, w, b)
    assert out.dtype == np.float32  # as ``x @ w.T + b`` (NumPy alone makes float64)
    assert out.dtype == (x @ w.T + b).dtype
    np.testing.assert_array_equal(out.data, [[7, 7], [16, 16]])
    out.sum().backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad, [[5, 7, 9], [5, 7, 9]])


def test_linear_module_on_an_int_tensor_is_float32():
    assert nn.Linear(3, 2)(Tensor(INTS)).dtype == np.float32
    assert nn.Linear(3, 2)(Tensor(INTS.astype(np.int32))).dtype == np.float32


def test_conv2d_int_image_gives_the_weights_dtype():
    conv = nn.Conv2d(1, 2, 3)
    image = np.arange(50).reshape(2, 1, 5, 5)
    out = conv(Tensor(image))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, conv(Tensor(image.astype(np.float32))).data)


@pytest.mark.parametrize("layer", [nn.LayerNorm(3), nn.BatchNorm1d(3)],
                         ids=["LayerNorm", "BatchNorm1d"])
def test_normalization_of_an_int_tensor_is_float32(layer):
    out = layer(Tensor(INTS))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, layer(Tensor(INTS.astype(np.float32))).data, atol=1e-6)


def test_batch_norm_running_stats_stay_float32_after_an_int_batch():
    bn = nn.BatchNorm1d(3)
    bn(Tensor(INTS))
    assert bn.running_mean.dtype == np.float32 and bn.running_var.dtype == np.float32
    np.testing.assert_allclose(bn.running_mean, 0.1 * INTS.mean(axis=0), rtol=1e-6)


def test_cross_entropy_on_int_logits_is_the_default_float():
    loss = F.cross_entropy(Tensor(INTS), [0, 2])
    assert loss.dtype == np.float32
    np.testing.assert_allclose(loss.item(), F.cross_entropy(Tensor(INTS.astype(np.float32)),
                                                            [0, 2]).item(), rtol=1e-6)


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax, lambda t: t.softmax(),
                                lambda t: autograd.tensor_ops.softmax.log_softmax(t)],
                         ids=["F.softmax", "F.log_softmax", "Tensor.softmax", "fused log_softmax"])
@pytest.mark.parametrize("data", [INTS, INTS > 2], ids=["int", "bool"])
def test_softmax_family_on_int_and_bool_tensors(fn, data):
    out = fn(Tensor(data))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, fn(Tensor(data.astype(np.float32))).data, rtol=1e-6)


@pytest.mark.parametrize("module", [nn.Softmax(-1), nn.LogSoftmax(-1)],
                         ids=["Softmax", "LogSoftmax"])
def test_softmax_modules_on_bool_tensors(module):
    assert module(Tensor(INTS > 2)).dtype == np.float32


# ------------------------------------------------------------ pooling integer and bool images


def test_avg_pool_of_an_int_tensor_is_the_mean_not_zero():
    image = np.arange(16).reshape(1, 1, 4, 4)
    out = nn.AvgPool2d(2)(Tensor(image))
    assert out.dtype == np.float32  # as for an int ndarray or list
    np.testing.assert_array_equal(out.data, [[[[2.5, 4.5], [10.5, 12.5]]]])
    np.testing.assert_array_equal(F.avg_pool2d(Tensor(image), 2).data, out.data)


def test_max_pool_padding_of_a_bool_image_never_wins():
    out = F.max_pool2d(Tensor(np.zeros((1, 1, 2, 2), bool)), 2, stride=1, padding=1)
    assert out.dtype == np.bool_
    assert not out.data.any()  # the padding is the smallest value (False), as -inf for floats


def test_max_pool_padding_of_an_int_image_is_silent_and_never_wins():
    image = -np.ones((1, 1, 2, 2), np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value encountered in cast" from -inf
        out = F.max_pool2d(Tensor(image), 2, stride=1, padding=1)
    np.testing.assert_array_equal(out.data, -np.ones((1, 1, 3, 3)))


# -------------------------------------------------------------------- nn.functional.pad


def test_functional_pad_and_one_hot_are_autograd_s():
    assert F.pad is autograd.pad and F.one_hot is autograd.one_hot
    x = Tensor(np.ones((1, 2)), requires_grad=True)
    out = F.pad(x, (1, 2), value=5.0)
    np.testing.assert_array_equal(out.data, [[5, 1, 1, 5, 5]])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [[1, 1]])


# ------------------------------------------------------------------ int and bool targets


@pytest.mark.parametrize("target", [Tensor([1, 0]), Tensor([True, False]), [1, 0]],
                         ids=["int Tensor", "bool Tensor", "list"])
def test_binary_cross_entropy_keeps_float32_with_int_and_bool_targets(target):
    p = Tensor(np.array([0.25, 0.5], np.float32), requires_grad=True)
    loss = F.binary_cross_entropy(p, target)
    assert loss.dtype == np.float32
    np.testing.assert_allclose(loss.item(), -(np.log(0.25) + np.log(0.5)) / 2, rtol=1e-6)
    loss.backward()
    assert p.grad.dtype == np.float32


def test_binary_cross_entropy_of_int_probabilities_is_the_default_float():
    assert F.binary_cross_entropy(Tensor([1, 0]), Tensor([1, 0])).dtype == np.float32


def test_dropout_of_an_int_tensor_scales_by_the_exact_factor():
    out = F.dropout(Tensor(np.full(1000, 7)), p=0.3, generator=np.random.default_rng(0))
    assert out.dtype == np.float32
    kept = out.data[out.data != 0]
    np.testing.assert_allclose(kept, 7 / 0.7, rtol=1e-6)  # not 7 * int(1 / 0.7) = 7


# ----------------------------------------------------- buffers: saved, loaded, never trained


class _Masked(nn.Module):
    """A PyTorch-style module: a Tensor buffer (a causal mask) beside a BatchNorm's arrays."""

    def __init__(self):
        self.lin = nn.Linear(3, 3)
        self.bn = nn.BatchNorm1d(3)
        self.register_buffer("tril", Tensor(np.tril(np.ones((3, 3), bool))))

    def forward(self, x):
        return self.bn(autograd.where(self.tril, self.lin(x), 0.0).sum(axis=1))


def test_tensor_buffer_is_saved_loaded_and_never_a_parameter(tmp_path):
    m = _Masked()
    assert isinstance(m.tril, Tensor)
    assert all(p is not m.tril for p in m.parameters())
    assert list(m.state_dict()) == ["tril", "lin.weight", "lin.bias", "bn.weight", "bn.bias",
                                    "bn.running_mean", "bn.running_var",
                                    "bn.num_batches_tracked"]  # PyTorch's order
    m(Tensor(np.arange(18).reshape(2, 3, 3)))  # int input, a training step of the BatchNorm
    path = m.save(tmp_path / "m.npz")
    state = nn.load_state(path)
    assert state["tril"].dtype == np.bool_ and state["bn.num_batches_tracked"].dtype == np.int64
    other = _Masked()
    other.tril.data[...] = False
    other.load_state_dict(state)
    np.testing.assert_array_equal(other.tril.data, np.tril(np.ones((3, 3), bool)))
    assert other.bn.num_batches_tracked == 1
    np.testing.assert_array_equal(other.bn.running_mean, m.bn.running_mean)
    m.tril = Tensor(np.ones((3, 3), bool))  # assigning a Tensor keeps it a buffer
    assert "tril" in m.state_dict()


# --------------------------------------------------------------- clip bounds are weak scalars


def test_clip_of_an_int_tensor_with_float_bounds_is_the_default_float():
    out = Tensor([1, 5, 9]).clip(2.5, 6.5)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, [2.5, 5.0, 6.5])
    assert Tensor([1, 5, 9]).clip(2, 6).dtype == np.int64  # integer bounds keep it integer


def test_clip_of_float32_with_numpy_float64_bounds_stays_float32():
    x = Tensor(np.array([1.0, 5.0], np.float32), requires_grad=True)
    out = x.clip(np.float64(2.0), np.float64(3.0))
    assert out.dtype == np.float32
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])


# ------------------------------------------------- normalization hyper-parameters checked early


@pytest.mark.parametrize("make, error, words", [
    (lambda: nn.BatchNorm1d(3, momentum=Tensor(0.1)), TypeError, "BatchNorm1d: momentum must be"),
    (lambda: nn.BatchNorm1d(3, momentum="a"), TypeError, "BatchNorm1d: momentum must be a number"),
    (lambda: nn.BatchNorm1d(3, eps="a"), TypeError, "BatchNorm1d: eps must be a number"),
    (lambda: nn.BatchNorm1d(3, affine="yes"), TypeError, "BatchNorm1d: affine must be a bool"),
    (lambda: nn.BatchNorm1d(3, track_running_stats=None), TypeError, "track_running_stats"),
    (lambda: nn.LayerNorm(3, eps="a"), TypeError, "LayerNorm: eps must be a number"),
    (lambda: nn.LayerNorm(3, elementwise_affine="no"), TypeError, "elementwise_affine must be"),
])
def test_normalization_layers_refuse_bad_hyper_parameters_at_construction(make, error, words):
    with pytest.raises(error, match=words):
        make()


def test_normalization_layers_take_numpy_scalars():
    bn = nn.BatchNorm1d(2, eps=np.float32(1e-5), momentum=np.float64(0.5))
    bn(Tensor(np.array([[1.0, 2.0], [3.0, 6.0]])))
    np.testing.assert_allclose(bn.running_mean, [1.0, 2.0])


@pytest.mark.parametrize("call, words", [
    (lambda: nn.Conv2d(1, 2, 3, bias="no"), "Conv2d: bias must be a bool"),
    (lambda: nn.AvgPool2d(2, count_include_pad="no"), "AvgPool2d: count_include_pad must be"),
    (lambda: F.avg_pool2d(np.ones((1, 1, 2, 2)), 2, count_include_pad=None),
     "avg_pool2d: count_include_pad must be a bool"),
    (lambda: nn.Conv2d(1, 2, 3)(None),
     "conv2d expects a Tensor, ndarray or list input, got NoneType"),
    (lambda: nn.MaxPool2d(2)(None), "max_pool2d expects a Tensor"),
])
def test_conv_and_pool_arguments_are_named_in_errors(call, words):
    with pytest.raises(TypeError, match=words):
        call()


# ----------------------------------------------------------------- state_dict keys as PyTorch's


def test_a_slice_of_a_sequential_keeps_the_names_as_pytorch():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 1))
    tail = model[1:]
    assert list(tail.state_dict()) == [  # torch.nn.Sequential gives these keys
        "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
        "3.weight", "3.bias"]
    assert tail[0] is model[1] and len(tail) == 3
    assert repr(tail).splitlines()[1].startswith("  (1): BatchNorm1d(3")
    skipped = tail.load_state_dict(model.state_dict(), strict=False)  # keys as the whole's
    assert skipped.missing_keys == [] and skipped.unexpected_keys == ["0.weight", "0.bias"]


def test_buffers_lists_what_named_buffers_names():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert [b is model[1].running_mean for b in model.buffers()] == [True, False, False]
    assert len(list(model.buffers())) == len(list(model.named_buffers())) == 3


def test_batchnorm_checkpoint_through_the_bounded_loader_strict_and_not(tmp_path):
    model = nn.Sequential(nn.Embedding(5, 2), nn.Flatten(), nn.Linear(4, 3), nn.BatchNorm1d(3))
    model(Tensor([[0, 1], [2, 3], [4, 4]]))  # one training step: num_batches_tracked is 1
    path = model.save(tmp_path / "bn.npz")
    with pytest.raises(nn.serialization.StateFileError, match="over the limit"):
        nn.load_state(path, max_bytes=64)
    state = nn.load_state(path)
    del state["3.num_batches_tracked"]
    other = nn.Sequential(nn.Embedding(5, 2), nn.Flatten(), nn.Linear(4, 3), nn.BatchNorm1d(3))
    with pytest.raises(nn.module.StateDictError, match="missing key"):
        other.load_state_dict(state)
    assert other[3].num_batches_tracked == 0  # all or nothing: unchanged
    skipped = other.load_state_dict(state, strict=False)
    assert skipped.missing_keys == ["3.num_batches_tracked"]
    np.testing.assert_array_equal(other[3].running_var, model[3].running_var)
    assert all(p is not other[3].running_mean for p in other.parameters())
