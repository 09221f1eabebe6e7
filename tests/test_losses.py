"""Losses: closed forms, NumPy references, reductions, stability, validation and gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
import nn.functional as F
from autograd import Tensor, Value, gradcheck, gradgradcheck


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def reduce_np(x: np.ndarray, reduction: str) -> np.ndarray:
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](x)


def softplus_np(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


# NumPy references: name -> (function, reference(input, target), input maker, target maker)
def _probs(shape, seed):
    return rng(seed).uniform(0.05, 0.95, size=shape)


def _signs(shape, seed):
    return rng(seed).choice([-1.0, 1.0], size=shape)


REFERENCES = {
    "mse": (F.mse_loss, lambda x, y: (x - y) ** 2, rng(1).normal, rng(2).normal),
    "l1": (F.l1_loss, lambda x, y: np.abs(x - y), rng(3).normal, rng(4).normal),
    "bce": (F.binary_cross_entropy, lambda p, y: -(y * np.log(p) + (1 - y) * np.log1p(-p)),
            lambda size: _probs(size, 5), lambda size: _probs(size, 6)),
    "bce_logits": (F.binary_cross_entropy_with_logits, lambda x, y: softplus_np(x) - x * y,
                   lambda size: 3 * rng(7).normal(size=size), lambda size: _probs(size, 8)),
    "hinge": (F.hinge_loss, lambda s, y: np.maximum(0.0, 1 - y * s),
              rng(9).normal, lambda size: _signs(size, 10)),
}


@pytest.mark.parametrize("name", REFERENCES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_tensor_losses_match_numpy(name, reduction):
    fn, ref, make_x, make_y = REFERENCES[name]
    x, y = make_x(size=(4, 3)), make_y(size=(4, 3))
    out = fn(Tensor(x), Tensor(y), reduction=reduction)
    np.testing.assert_allclose(out.data, reduce_np(ref(x, y), reduction), rtol=1e-12, atol=1e-14)
    assert out.shape == ((4, 3) if reduction == "none" else ())


@pytest.mark.parametrize("name", REFERENCES)
def test_loss_gradients_match_finite_differences(name):
    fn, _, make_x, make_y = REFERENCES[name]
    x = Tensor(make_x(size=(3, 4)), requires_grad=True)
    y = make_y(size=(3, 4))
    assert gradcheck(lambda x: fn(x, y), x)
    assert gradcheck(lambda x: fn(x, y, reduction="sum"), x)
    if name in ("mse", "bce", "bce_logits"):  # smooth: second derivatives too
        assert gradgradcheck(lambda x: fn(x, y), x)


@pytest.mark.parametrize("name", REFERENCES)
def test_value_lists_give_the_tensor_losses(name):
    fn, _, make_x, make_y = REFERENCES[name]
    x, y = make_x(size=5), make_y(size=5)
    values = [Value(float(v)) for v in x]
    loss = fn(values, list(y))
    assert isinstance(loss, Value)
    assert loss.data == pytest.approx(fn(Tensor(x), Tensor(y)).item(), rel=1e-12)
    loss.backward()
    t = Tensor(x, requires_grad=True)
    fn(t, Tensor(y)).backward()
    np.testing.assert_allclose([v.grad for v in values], t.grad, rtol=1e-12, atol=1e-15)
    per_item = fn(values, list(y), reduction="none")
    assert isinstance(per_item, list) and len(per_item) == 5
    assert fn(values, list(y), reduction="sum").data == pytest.approx(sum(v.data for v in per_item))


def test_hand_checked_values():
    assert F.mse_loss(Tensor([1.0, 2.0]), Tensor([3.0, 2.0])).item() == 2.0
    assert F.mse_loss(Value(3.0), 1.0).data == 4.0
    assert F.l1_loss(Tensor([1.0, -2.0]), [0.0, 2.0], reduction="sum").item() == 5.0
    assert F.cross_entropy(Tensor([[0.0, 0.0]]), [1]).item() == pytest.approx(math.log(2))
    assert F.cross_entropy(Tensor([[1.0, 2.0, 3.0]]), [2]).item() == pytest.approx(
        -3 + math.log(math.exp(1) + math.exp(2) + math.exp(3)))
    assert F.binary_cross_entropy(Tensor([0.5]), Tensor([1.0])).item() == pytest.approx(math.log(2))
    assert F.binary_cross_entropy_with_logits(Tensor([0.0]), Tensor([0.0])).item() == pytest.approx(
        math.log(2))
    scores, labels = [Value(2.0), Value(0.5), Value(-0.5)], [1, 1, 1]
    assert F.hinge_loss(scores, labels).data == pytest.approx((0 + 0.5 + 1.5) / 3)


def test_micrograd_demo_loss_form():
    scores = [Value(0.3), Value(-1.2), Value(2.0)]
    ys = [1, -1, -1]
    expected = sum((1 + -y * s).relu() for y, s in zip(ys, scores)) * (1.0 / len(ys))
    assert F.hinge_loss(scores, ys).data == pytest.approx(expected.data)


# --------------------------------------------------------------------------- cross entropy


def log_softmax_np(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_numpy_and_its_gradient_is_softmax_minus_onehot(reduction):
    x = rng(11).normal(size=(6, 4)) * 3
    labels = np.array([0, 3, 1, 1, 2, 0])
    per = -log_softmax_np(x)[np.arange(6), labels]
    logits = Tensor(x, requires_grad=True)
    out = F.cross_entropy(logits, labels, reduction=reduction)
    np.testing.assert_allclose(out.data, reduce_np(per, reduction), rtol=1e-12)
    if reduction == "mean":
        out.backward()
        probs = np.exp(log_softmax_np(x))
        np.testing.assert_allclose(logits.grad, (probs - np.eye(4)[labels]) / 6, atol=1e-15)


def test_cross_entropy_gradients_first_and_second_order():
    x = Tensor(rng(12).normal(size=(5, 3)), requires_grad=True)
    labels = [2, 0, 1, 1, 0]
    assert gradcheck(lambda x: F.cross_entropy(x, labels), x)
    assert gradgradcheck(lambda x: F.cross_entropy(x, labels, reduction="sum"), x)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape, labels", [((5, 3), [2, 0, 1, 1, 0]), ((4,), 3), ((1, 6), [5])])
def test_cross_entropy_gradient_under_a_weighted_upstream(reduction, shape, labels):
    """The raw backward (scaled row sums for mean and sum, per-row weights for none) against
    finite differences, with an upstream gradient that is not 1 (the loss weighted, then summed)."""
    x = Tensor(rng(14).normal(size=shape) * 2, requires_grad=True)

    def weighted(x):
        out = F.cross_entropy(x, labels, reduction=reduction)
        weights = np.linspace(-1.5, 2.5, out.data.size).reshape(out.data.shape)
        return (out * Tensor(weights)).sum()

    assert gradcheck(weighted, x)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_gradient_keeps_the_logits_dtype_under_a_float64_upstream(reduction):
    x = Tensor(rng(15).normal(size=(4, 3)).astype(np.float32), requires_grad=True)
    out = F.cross_entropy(x, [0, 2, 1, 1], reduction=reduction)
    (out * Tensor(np.float64(2.0))).sum().backward()  # the float64 factor makes g float64
    assert x.grad.dtype == np.float32


def test_cross_entropy_stable_at_huge_logits():
    x = Tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, 0.0]], requires_grad=True)
    out = F.cross_entropy(x, [1, 2, 0], reduction="none")
    np.testing.assert_allclose(out.data, [2e4, math.log(3), math.log(2)], rtol=1e-6)
    out.sum().backward()
    assert np.all(np.isfinite(x.grad))
    np.testing.assert_allclose(x.grad[0], [1.0, -1.0, 0.0], atol=1e-7)


def test_cross_entropy_label_forms():
    x = rng(13).normal(size=(3, 4))
    ref = F.cross_entropy(Tensor(x), np.array([3, 0, 2])).item()
    assert F.cross_entropy(Tensor(x), [3, 0, 2]).item() == ref
    assert F.cross_entropy(Tensor(x), np.array([3, 0, 2], dtype=np.uint8)).item() == ref
    assert F.cross_entropy(Tensor(x), Tensor([3, 0, 2])).item() == ref  # an int64 Tensor
    assert F.cross_entropy(Tensor(x), Tensor(np.array([3, 0, 2], np.int32))).item() == ref
    assert F.cross_entropy(x, [3, 0, 2]).item() == ref                  # ndarray logits
    single = F.cross_entropy(Tensor(x[1]), 0)
    assert single.item() == pytest.approx(-log_softmax_np(x[1])[0])


@pytest.mark.parametrize("labels, message", [
    ([0, 4, 1], r"label 4 at index 1 is outside \[0, 4\)"),
    ([0, 1, -1], r"label -1 at index 2 is outside \[0, 4\)"),
    (np.array([0.0, 1.0, 2.0]), "must be integers, got dtype float64"),
    (np.array([True, False, True]), "must be integers, got dtype bool"),
    (Tensor([0.0, 1.5, 2.0]), "must be integers, got dtype float32"),
    (Tensor([0.0, 1.0, 2.0]), "must be integers, got dtype float32"),  # as PyTorch: not Long
    (Tensor([True, False, True]), "must be integers, got dtype bool"),
    ([0, 1], r"labels of shape \(2,\) do not match logits of shape \(3, 4\)"),
    ([[0], [1], [2]], r"labels of shape \(3, 1\)"),
])
def test_cross_entropy_label_validation(labels, message):
    with pytest.raises(ValueError, match=message):
        F.cross_entropy(Tensor(np.zeros((3, 4))), labels)


def test_cross_entropy_rejects_other_logit_ranks():
    with pytest.raises(ValueError, match=r"\(N, C\) or \(C,\), got \(2, 3, 4\)"):
        F.cross_entropy(Tensor(np.zeros((2, 3, 4))), np.zeros((2, 3), dtype=int))


# ------------------------------------------------------------------- binary cross-entropy


def test_bce_clamps_log_at_minus_100_with_finite_gradients():
    p = Tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    y = Tensor([1.0, 0.0, 0.0, 1.0])
    out = F.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_allclose(out.data, [100.0, 100.0, 0.0, 0.0])
    out.sum().backward()
    assert np.all(np.isfinite(p.grad))
    tiny = F.binary_cross_entropy(Tensor([1e-50]), Tensor([1.0]))
    assert tiny.item() == pytest.approx(100.0)
    scalar = F.binary_cross_entropy([Value(0.0), Value(0.5)], [1.0, 1.0], reduction="none")
    assert scalar[0].data == pytest.approx(100.0) and scalar[1].data == pytest.approx(math.log(2))


@pytest.mark.parametrize("p, y, slope", [
    (1.0, 0.3, 0.7e12), (0.0, 0.3, -0.3e12), (0.0, 1.0, -1e12), (1.0, 0.0, 1e12),
    (1e-20, 0.3, -0.3e12), (0.3, 0.8, (0.3 - 0.8) / (0.3 * 0.7)),
])
def test_bce_gradient_is_pytorchs_bounded_one_on_values_and_tensors(p, y, slope):
    """``(p - y) / max(p (1 - p), 1e-12)``. On Values the clamped logs had slope 0 where they
    were clamped, so p = 1, y = 0.3 got -0.3 (the wrong sign) and p = 0, y = 1 got 0."""
    v = Value(p)
    F.binary_cross_entropy([v], [y]).backward()
    t = Tensor(np.array([p]), requires_grad=True)
    F.binary_cross_entropy(t, Tensor(np.array([y]))).backward()
    assert v.grad == pytest.approx(slope, rel=1e-12)
    assert t.grad[0] == pytest.approx(slope, rel=1e-12)


@settings(max_examples=examples(100), deadline=None)
@given(st.one_of(st.sampled_from([0.0, 1.0, 1e-300, 1e-13, 1 - 1e-13, 0.5]),
                 st.floats(0.0, 1.0)),
       st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)))
def test_bce_on_values_is_the_tensor_path(p, y):
    v, target = Value(p), Value(y)
    loss = F.binary_cross_entropy([v], [target])
    loss.backward()
    t, ty = Tensor(np.array([p]), requires_grad=True), Tensor(np.array([y]), requires_grad=True)
    tl = F.binary_cross_entropy(t, ty)
    tl.backward()
    # (math.log1p and NumPy's may differ in the last bit)
    np.testing.assert_allclose([loss.data, v.grad, target.grad],
                               [tl.item(), t.grad[0], ty.grad[0]], rtol=1e-14, atol=0)


def test_numbers_against_value_targets_take_the_value_path():
    # said "cannot mix Values and Tensors in one loss", though no Tensor was involved
    targets = [Value(1.0), Value(2.5)]
    loss = F.mse_loss([1.0, 2.0], targets)
    loss.backward()
    assert loss.data == pytest.approx(0.125) and [t.grad for t in targets] == [0.0, 0.5]
    with pytest.raises(TypeError, match="cannot mix Values and Tensors"):
        F.mse_loss(Tensor([1.0, 2.0]), targets)


def test_bce_float32_clamp():
    out = F.binary_cross_entropy(Tensor(np.array([0.0, 1.0], np.float32)), Tensor([1.0, 0.0]))
    assert out.dtype == np.float32 and out.item() == pytest.approx(100.0)


def test_bce_rejects_non_probabilities():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\], got 1.5"):
        F.binary_cross_entropy(Tensor([0.5, 1.5]), Tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="got -0.1"):
        F.binary_cross_entropy([Value(-0.1)], [1.0])
    with pytest.raises(ValueError, match="got nan"):
        F.binary_cross_entropy(Tensor([math.nan]), Tensor([1.0]))


def test_bce_with_logits_stable_at_huge_logits():
    x = Tensor([1e4, -1e4, 1e4, -1e4, 0.0], requires_grad=True)
    y = Tensor([1.0, 0.0, 0.0, 1.0, 1.0])
    out = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(out.data, [0.0, 0.0, 1e4, 1e4, math.log(2)])
    out.sum().backward()
    sigmoid = np.array([1.0, 0.0, 1.0, 0.0, 0.5])
    np.testing.assert_allclose(x.grad, sigmoid - y.data)  # exact at x = 0 too (no kink)


def test_bce_with_logits_gradient_at_zero_is_sigmoid_minus_target():
    for y in (0.0, 0.3, 1.0):
        v = Value(0.0)
        F.binary_cross_entropy_with_logits(v, y).backward()
        assert v.grad == pytest.approx(0.5 - y)
    assert gradcheck(lambda x: F.binary_cross_entropy_with_logits(x, 0.2), Value(0.0))


# ------------------------------------------------------------------------------- hinge


def test_hinge_rejects_zero_one_labels():
    with pytest.raises(ValueError, match="-1 or \\+1, got 0.0"):
        F.hinge_loss([Value(1.0), Value(2.0)], [0, 1])
    with pytest.raises(ValueError, match="-1 or \\+1"):
        F.hinge_loss(Tensor([1.0]), Tensor([2.0]))


# ---------------------------------------------------------------------- validation, modules


@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss, F.binary_cross_entropy,
                                F.binary_cross_entropy_with_logits, F.hinge_loss])
def test_shape_mismatch_names_both_shapes(fn):
    with pytest.raises(ValueError, match=r"input shape \(4, 1\) and target shape \(4,\)"):
        fn(Tensor(np.full((4, 1), 0.5)), Tensor(np.ones(4)))
    with pytest.raises(ValueError, match="input has 2 items but target has 3"):
        fn([Value(0.5), Value(0.5)], [1.0, 1.0, 1.0])


@pytest.mark.parametrize("fn, args", [
    (F.mse_loss, (Tensor([1.0]), Tensor([1.0]))),
    (F.cross_entropy, (Tensor([[1.0, 0.0]]), [0])),
    (F.hinge_loss, ([Value(1.0)], [1])),
])
def test_bad_reduction_is_named(fn, args):
    with pytest.raises(ValueError, match="got 'avg'"):
        fn(*args, reduction="avg")


def test_mixing_values_and_tensors_is_refused():
    with pytest.raises(TypeError, match="mix Values and Tensors"):
        F.mse_loss(Tensor([1.0]), [Value(1.0)])


@pytest.mark.parametrize("module, fn, args", [
    (nn.MSELoss, F.mse_loss, (Tensor([1.0, 2.0]), Tensor([0.0, 0.0]))),
    (nn.L1Loss, F.l1_loss, (Tensor([1.0, -2.0]), Tensor([0.0, 0.0]))),
    (nn.CrossEntropyLoss, F.cross_entropy, (Tensor([[1.0, 2.0], [0.0, 1.0]]), [1, 0])),
    (nn.BCELoss, F.binary_cross_entropy, (Tensor([0.2, 0.9]), Tensor([0.0, 1.0]))),
    (nn.BCEWithLogitsLoss, F.binary_cross_entropy_with_logits, (Tensor([2.0, -1.0]),
                                                                Tensor([0.0, 1.0]))),
    (nn.HingeLoss, F.hinge_loss, (Tensor([0.5, -2.0]), Tensor([1.0, 1.0]))),
])
def test_loss_modules_call_their_functions(module, fn, args):
    for reduction in ("mean", "sum", "none"):
        np.testing.assert_array_equal(module(reduction=reduction)(*args).data,
                                      fn(*args, reduction=reduction).data)
    assert repr(module()) == f"{module.__name__}()"
    assert repr(module(reduction="sum")) == f"{module.__name__}(reduction='sum')"
    with pytest.raises(ValueError, match="got 'total'"):
        module(reduction="total")
