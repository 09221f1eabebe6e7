"""Tensor layers: Linear, Sequential, activations, Softmax, Dropout, Flatten, clip_grad_norm_."""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, Value, get_default_dtype, gradcheck, set_default_dtype


@pytest.fixture
def float64():
    """Make new parameters float64 for gradient checks; restore the default afterwards."""
    saved = get_default_dtype()
    set_default_dtype(np.float64)
    yield
    set_default_dtype(saved)


def randn(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape)


# ---------------------------------------------------------------------------------- Linear


def test_linear_layout_names_and_default_dtype():
    lin = nn.Linear(5, 3)
    assert lin.weight.shape == (3, 5) and lin.bias.shape == (3,)
    assert lin.weight.dtype == np.float32 and lin.bias.dtype == np.float32
    assert lin.weight.requires_grad and lin.bias.requires_grad
    assert list(lin.state_dict()) == ["weight", "bias"]
    assert repr(lin) == "Linear(in_features=5, out_features=3, bias=True)"
    no_bias = nn.Linear(5, 3, bias=False)
    assert no_bias.bias is None and list(no_bias.state_dict()) == ["weight"]


def test_linear_follows_the_default_dtype(float64):
    assert nn.Linear(2, 2).weight.dtype == np.float64


def test_linear_init_is_pytorchs():
    nn.init.manual_seed(0)
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for t in (lin.weight.data, lin.bias.data):
        assert np.abs(t).max() <= bound
    assert np.abs(lin.weight.data).max() > 0.98 * bound
    assert lin.weight.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    nn.init.manual_seed(0)
    np.testing.assert_array_equal(nn.Linear(400, 300).weight.data, lin.weight.data)


def test_linear_forward_matches_numpy_for_1d_2d_3d_inputs(float64):
    lin = nn.Linear(4, 3)
    w, b = lin.weight.data, lin.bias.data
    for shape in [(4,), (6, 4), (2, 5, 4)]:
        x = randn(*shape)
        np.testing.assert_allclose(lin(Tensor(x)).data, x @ w.T + b, rtol=1e-12)
    np.testing.assert_allclose(lin(randn(6, 4)).data, randn(6, 4) @ w.T + b)  # ndarray input
    no_bias = nn.Linear(4, 3, bias=False)
    x = randn(2, 4)
    np.testing.assert_allclose(no_bias(Tensor(x)).data, x @ no_bias.weight.data.T)


def test_linear_gradients(float64):
    lin = nn.Linear(4, 3)
    x = Tensor(randn(5, 4), requires_grad=True)
    assert gradcheck(lambda x, w, b: ((x @ w.T + b).tanh()).sum(), (x, lin.weight, lin.bias))
    assert gradcheck(lambda x: lin(x).tanh().sum(), x)
    lin(x).sum().backward()
    np.testing.assert_allclose(lin.weight.grad, np.ones((3, 5)) @ x.data)
    np.testing.assert_allclose(lin.bias.grad, np.full(3, 5.0))


def test_linear_rejects_wrong_input_width():
    with pytest.raises(ValueError, match=r"in_features=4.*shape \(2, 3\)"):
        nn.Linear(4, 2)(Tensor(np.ones((2, 3))))
    with pytest.raises(ValueError, match="non-negative int"):
        nn.Linear(-1, 2)


# ------------------------------------------------------------------------------ Sequential


def test_sequential_indexing_len_iteration_append():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and list(seq) == layers
    assert seq[0] is layers[0] and seq[-1] is layers[2]
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and list(head) == layers[:2]
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and [n for n, _ in seq.named_children()][-1] == "3"
    with pytest.raises(TypeError, match="Modules"):
        nn.Sequential(nn.ReLU(), lambda x: x)


def test_sequential_forward_follows_every_change_to_its_modules(float64):
    """Sequential keeps its module list between forwards; every way of changing it counts."""
    seq = nn.Sequential(nn.Tanh(), nn.ReLU())
    x = Tensor(np.array([-1.0, 0.5]))
    np.testing.assert_allclose(seq(x).data, [0.0, np.tanh(0.5)])
    seq.append(nn.Sigmoid())  # a module added
    np.testing.assert_allclose(seq(x).data, 1 / (1 + np.exp(-np.array([0.0, np.tanh(0.5)]))))
    setattr(seq, "1", nn.LeakyReLU(0.5))  # a module replaced
    assert seq[1].negative_slope == 0.5
    delattr(seq, "2")  # a module removed
    np.testing.assert_allclose(seq(x).data, [0.5 * np.tanh(-1.0), np.tanh(0.5)])
    seq.register_buffer("1", np.zeros(1))  # a buffer taking a module's name
    np.testing.assert_allclose(seq(x).data, np.tanh([-1.0, 0.5]))
    assert len(seq) == 1


def test_sequential_from_ordered_dict_and_forward(float64):
    seq = nn.Sequential(OrderedDict(fc=nn.Linear(2, 2), act=nn.Tanh()))
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"]
    x = randn(3, 2)
    np.testing.assert_allclose(seq(Tensor(x)).data, np.tanh(seq.fc(Tensor(x)).data))


# ----------------------------------------------------------------------------- activations


@pytest.mark.parametrize("module, reference", [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.Tanh(), np.tanh),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.LeakyReLU(), lambda x: np.where(x > 0, x, 0.01 * x)),
    (nn.ELU(0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x))),
])
def test_activation_modules_match_numpy_on_tensors_and_values(module, reference):
    x = randn(4, 3)
    np.testing.assert_allclose(module(Tensor(x)).data, reference(x), rtol=1e-12)
    assert module(Value(-0.5)).data == pytest.approx(float(reference(np.array(-0.5))))


def test_softmax_and_log_softmax_match_numpy_and_are_stable():
    x = randn(3, 5)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    ref = e / e.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(F.softmax(Tensor(x)).data, ref, rtol=1e-12)
    np.testing.assert_allclose(nn.LogSoftmax()(Tensor(x)).data, np.log(ref), rtol=1e-12)
    np.testing.assert_allclose(nn.Softmax(axis=0)(Tensor(x)).data.sum(axis=0), np.ones(5))
    np.testing.assert_allclose(nn.Softmax(dim=0)(Tensor(x)).data, F.softmax(Tensor(x), axis=0).data)
    big = Tensor([[1e4, -1e4, 0.0], [1e4, 1e4, 1e4]])
    np.testing.assert_allclose(F.softmax(big).data, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-7)
    np.testing.assert_allclose(F.log_softmax(big).data[0], [0.0, -2e4, -1e4])
    assert repr(nn.Softmax(axis=1)) == "Softmax(axis=1)"


def test_softmax_gradients_first_and_second_order():
    from autograd import gradgradcheck

    x = Tensor(randn(3, 4), requires_grad=True)
    w = randn(3, 4, seed=1)
    assert gradcheck(lambda x: (F.softmax(x, axis=1) * w).sum(), x)
    assert gradcheck(lambda x: (F.log_softmax(x, axis=0) * w).sum(), x)
    assert gradgradcheck(lambda x: (F.log_softmax(x) * w).sum(), x)


# --------------------------------------------------------------------------------- Dropout


def test_dropout_is_the_identity_in_eval_mode():
    drop = nn.Dropout(0.7)
    x = Tensor(randn(10, 10))
    assert drop.eval()(x) is x
    assert nn.Dropout(0.0)(x) is x


def test_dropout_train_scaling_statistics():
    nn.init.manual_seed(1)
    p = 0.3
    x = Tensor(np.ones((200, 500)), requires_grad=True)
    y = nn.Dropout(p)(x)
    kept = y.data != 0
    assert kept.mean() == pytest.approx(1 - p, abs=0.005)
    np.testing.assert_allclose(y.data[kept], 1 / (1 - p))
    assert y.data.mean() == pytest.approx(1.0, abs=0.01)  # inverted dropout keeps the mean
    y.sum().backward()
    np.testing.assert_allclose(x.grad, y.data)            # the gradient is the scaled mask
    assert y.dtype == x.dtype


def test_dropout_reproducible_extremes_and_validation():
    x = Tensor(np.ones(1000))
    nn.init.manual_seed(5)
    a = nn.Dropout(0.5)(x).data
    nn.init.manual_seed(5)
    np.testing.assert_array_equal(nn.Dropout(0.5)(x).data, a)
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).data, np.zeros(1000))
    gen = np.random.default_rng(2)
    assert nn.Dropout(0.5, generator=gen)(x).data.sum() > 0
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.Dropout(bad)
    for bad in ("0.5", True):
        with pytest.raises(TypeError, match="p must be a number"):
            nn.Dropout(bad)
    assert repr(nn.Dropout(0.25)) == "Dropout(p=0.25)"


# --------------------------------------------------------------------------------- Flatten


def test_flatten_merges_all_but_batch_and_passes_gradients():
    x = Tensor(randn(2, 3, 4, 5), requires_grad=True)
    y = nn.Flatten()(x)
    assert y.shape == (2, 60)
    np.testing.assert_array_equal(y.data, x.data.reshape(2, 60))
    assert nn.Flatten(0)(x).shape == (120,)
    assert nn.Flatten(1, 2)(x).shape == (2, 12, 5)
    assert nn.Flatten(-2)(x).shape == (2, 3, 20)
    (y * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((2, 3, 4, 5), 2.0))
    with pytest.raises(ValueError, match="does not fit"):
        nn.Flatten(3, 1)(x)


# -------------------------------------------------------------------------- clip_grad_norm_


def test_clip_grad_norm_tensors_pytorch_formula():
    a = Tensor(np.zeros(3), requires_grad=True)
    b = Tensor(np.zeros((2, 2)), requires_grad=True)
    unused = Tensor(np.zeros(2), requires_grad=True)
    a.grad = np.array([3.0, 0.0, 0.0])
    b.grad = np.array([[0.0, 4.0], [0.0, 0.0]])
    total = nn.utils.clip_grad_norm_([a, b, unused], max_norm=1.0)
    assert total == pytest.approx(5.0)
    coef = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(a.grad, [3 * coef, 0, 0])
    np.testing.assert_allclose(b.grad, [[0, 4 * coef], [0, 0]])
    assert unused.grad is None
    assert nn.utils.clip_grad_norm_([a, b], max_norm=10.0) == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(a.grad, [3 * coef, 0, 0])  # below max_norm: unchanged


def test_clip_grad_norm_values_and_other_norms():
    ps = [Value(0.0), Value(0.0)]
    ps[0].grad, ps[1].grad = -6.0, 8.0
    assert nn.utils.clip_grad_norm_(ps, 5.0) == pytest.approx(10.0)
    assert [p.grad for p in ps] == pytest.approx([-3.0, 4.0], rel=1e-6)
    ps[0].grad, ps[1].grad = -6.0, 8.0
    assert nn.utils.clip_grad_norm_(ps, 4.0, norm_type=math.inf) == 8.0
    assert [p.grad for p in ps] == pytest.approx([-3.0, 4.0], rel=1e-6)
    ps[0].grad, ps[1].grad = -6.0, 8.0
    assert nn.utils.clip_grad_norm_(ps, 100.0, norm_type=1) == pytest.approx(14.0)
    single = Value(0.0)
    single.grad = 2.0
    assert nn.utils.clip_grad_norm_(single, 1.0) == 2.0 and single.grad == pytest.approx(1.0)
    single.grad = math.nan
    with pytest.raises(RuntimeError, match="nan"):
        nn.utils.clip_grad_norm_(single, 1.0, error_if_nonfinite=True)


def test_clip_grad_norm_with_a_nan_makes_every_gradient_nan_as_pytorch():
    # it left every gradient as it was (nan < 1 is False), the others unclipped and silent
    p = Tensor(np.zeros(2), requires_grad=True)
    q = Tensor(np.zeros(2), requires_grad=True)
    p.grad, q.grad = np.array([math.nan, 1.0]), np.array([3.0, 4.0])
    assert math.isnan(nn.utils.clip_grad_norm_([p, q], 1.0))
    assert np.isnan(p.grad).all() and np.isnan(q.grad).all()  # PyTorch 2.13: the same
    v, w = Value(0.0), Value(0.0)
    v.grad, w.grad = math.nan, 2.0
    nn.utils.clip_grad_norm_([v, w], 1.0)
    assert math.isnan(v.grad) and math.isnan(w.grad)


def test_clip_grad_norm_on_a_model_after_backward():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    (model(Tensor(randn(8, 3) * 100)) * 1000.0).sum().backward()
    total = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    assert total > 1.0
    after = math.sqrt(sum(float((p.grad.astype(np.float64) ** 2).sum())
                          for p in model.parameters()))
    assert after == pytest.approx(1.0, rel=1e-4)


# --------------------------------------------------------------------------------- training


def test_small_classifier_trains(float64):
    nn.init.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # XOR-like quadrants
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    loss_fn = nn.CrossEntropyLoss()
    first = None
    for _ in range(300):
        loss = loss_fn(model(Tensor(x)), y)
        first = first if first is not None else loss.item()
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad
    assert loss.item() < 0.25 * first
    model.eval()
    assert (model(Tensor(x)).data.argmax(axis=1) == y).mean() > 0.9
