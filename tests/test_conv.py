"""Conv2d, MaxPool2d and AvgPool2d beyond the property-test factory (their rows are in
``layer_cases.py``): larger cases against the loops, third derivatives, output shapes over
stride/padding/dilation/groups, PyTorch's initialization and reprs, ties, clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from layer_cases import _out, conv_geometry, naive_conv2d, naive_max_pool_grad, naive_pool
from tensor_factory import numeric_grads

import autograd
import nn
from autograd import Tensor
from nn import functional as F


@pytest.mark.parametrize("x_shape, w_shape, kw", [
    ((3, 6, 11, 9), (9, 2, 3, 4), dict(stride=(3, 2), padding=(2, 1), dilation=(1, 2), groups=3)),
    ((2, 4, 16, 16), (8, 4, 5, 5), dict(stride=1, padding=2)),
    ((4, 2, 7, 13), (2, 1, 1, 3), dict(stride=(1, 4), groups=2)),
])
def test_larger_convolutions_match_the_loops_forward_and_backward(x_shape, w_shape, kw):
    rng = np.random.default_rng(5)
    x = Tensor(rng.normal(size=x_shape), requires_grad=True)
    w = Tensor(rng.normal(size=w_shape), requires_grad=True)
    out = F.conv2d(x, w, **kw)
    geo = {k: (v, v) if isinstance(v, int) and k != "groups" else v for k, v in kw.items()}
    np.testing.assert_allclose(out.data, naive_conv2d(x.data, w.data, **geo), rtol=1e-10,
                               atol=1e-10)
    g = rng.normal(size=out.shape)
    out.backward(g)
    eps = 1e-6
    for t in (x, w):  # a few directional finite differences (the factory does every element)
        for _ in range(3):
            d = rng.normal(size=t.shape)
            t.data += eps * d
            up = np.sum(g * naive_conv2d(x.data, w.data, **geo))
            t.data -= 2 * eps * d
            down = np.sum(g * naive_conv2d(x.data, w.data, **geo))
            t.data += eps * d
            assert np.sum(t.grad * d) == pytest.approx((up - down) / (2 * eps), rel=1e-6)


@pytest.mark.parametrize("layer", [
    lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, groups=2),
    lambda x, w, b: F.conv2d(x, w, b, dilation=(1, 2), padding=(0, 1), groups=2),
    lambda x, w, b: F.max_pool2d(F.conv2d(x, w, b, padding=1, groups=2), 2, stride=1),
    lambda x, w, b: F.avg_pool2d(F.conv2d(x, w, b, groups=2), 2, padding=1),
], ids=["conv2d", "conv2d_dilated", "max_pool2d", "avg_pool2d"])
def test_third_derivatives_match_finite_differences(layer):
    """The conv family is closed under differentiation: a function of the first gradients,
    differentiated with ``create_graph=True`` again, runs the differentiable branch of every
    op's backward (the factory's second-order check runs the plain ones)."""
    rng = np.random.default_rng(0)
    arrays = (rng.normal(size=(1, 2, 4, 4)), rng.normal(size=(2, 1, 2, 2)), rng.normal(size=2))

    def second(x, w, b):
        y = (layer(x, w, b) ** 2).sum()
        gx, gw, gb = autograd.grad(y, [x, w, b], create_graph=True)
        return (gx * gx).sum() + (gw * gx.sum()).sum() + (gb * gw.sum()).sum()

    def leaves(*arrs):
        return [Tensor(a, requires_grad=True) for a in arrs]

    xs = leaves(*arrays)
    analytic = autograd.grad(second(*xs), xs, create_graph=True)
    numeric = numeric_grads(lambda *arrs: second(*leaves(*arrs)).item(), arrays)
    for a, n in zip(analytic, numeric):
        np.testing.assert_allclose(a.data, n, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------------------ shapes


@settings(max_examples=examples(60))
@given(geometry=conv_geometry(max_groups=3))
def test_conv2d_output_shape_follows_pytorchs_formula(geometry):
    x_shape, w_shape, kw = geometry
    out = F.conv2d(Tensor(np.ones(x_shape)), Tensor(np.ones(w_shape)), **kw)
    expected = tuple(_out(x_shape[2 + a], w_shape[2 + a], kw["stride"][a], kw["padding"][a],
                          kw["dilation"][a]) for a in (0, 1))
    assert out.shape == (x_shape[0], w_shape[0], *expected)


@pytest.mark.parametrize("kernel, dilation", [((3, 3), 1), ((4, 2), 1), ((2, 5), (2, 1))])
def test_padding_same_keeps_the_size_with_the_extra_zero_after(kernel, dilation):
    rng = np.random.default_rng(6)
    x, w = rng.normal(size=(2, 2, 7, 6)), rng.normal(size=(3, 2, *kernel))
    out = F.conv2d(Tensor(x), Tensor(w), padding="same", dilation=dilation)
    assert out.shape == (2, 3, 7, 6)
    d = (dilation, dilation) if isinstance(dilation, int) else dilation
    totals = [di * (k - 1) for di, k in zip(d, kernel)]  # PyTorch: floor(total / 2) before
    before = [t // 2 for t in totals]
    xp = np.pad(x, ((0, 0), (0, 0), (before[0], totals[0] - before[0]),
                    (before[1], totals[1] - before[1])))
    np.testing.assert_allclose(out.data, naive_conv2d(xp, w, dilation=d), rtol=1e-10)
    valid = F.conv2d(Tensor(x), Tensor(w), padding="valid", dilation=dilation)
    np.testing.assert_allclose(valid.data, naive_conv2d(x, w, dilation=d), rtol=1e-10)
    assert repr(nn.Conv2d(1, 2, 4, padding="same")) == \
        "Conv2d(1, 2, kernel_size=(4, 4), stride=(1, 1), padding=same)"


def test_conv2d_module_shapes_and_unbatched_input():
    conv = nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)
    assert conv.weight.shape == (6, 2, 3, 2) and conv.bias.shape == (6,)
    assert conv(np.zeros((5, 4, 9, 7))).shape == (5, 6, 5, 5)
    x = np.random.default_rng(1).normal(size=(4, 9, 7))
    one = conv(Tensor(x, dtype=np.float32))
    assert one.shape == (6, 5, 5)
    np.testing.assert_allclose(one.data, conv(Tensor(x[None], dtype=np.float32)).data[0])


def test_conv2d_module_is_pytorchs_init_names_and_repr():
    nn.manual_seed(0)
    conv = nn.Conv2d(8, 32, 5)
    fan_in = 8 * 5 * 5
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) gives exactly this bound
    assert np.abs(conv.weight.data).max() <= bound
    assert np.abs(conv.weight.data).max() > 0.99 * bound  # 6400 draws fill the range
    np.testing.assert_allclose(conv.weight.data.std(), bound / math.sqrt(3), rtol=0.05)
    assert np.abs(conv.bias.data).max() <= bound
    assert conv.weight.dtype == np.float32
    assert list(conv.state_dict()) == ["weight", "bias"]
    assert [name for name, _ in nn.Conv2d(1, 2, 3, bias=False).named_parameters()] == ["weight"]
    assert repr(nn.Conv2d(1, 16, 3, padding=1)) == \
        "Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert repr(nn.Conv2d(4, 4, 3, dilation=2, groups=2, bias=False)) == \
        "Conv2d(4, 4, kernel_size=(3, 3), stride=(1, 1), dilation=(2, 2), groups=2, bias=False)"


def test_pool_modules_defaults_and_repr():
    x = Tensor(np.arange(2 * 3 * 6 * 6, dtype=np.float64).reshape(2, 3, 6, 6))
    assert nn.MaxPool2d(2)(x).shape == (2, 3, 3, 3)       # stride defaults to kernel_size
    assert nn.AvgPool2d(3, stride=1, padding=1)(x).shape == (2, 3, 6, 6)
    assert repr(nn.MaxPool2d(2)) == \
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool2d(2)) == "AvgPool2d(kernel_size=2, stride=2, padding=0)"
    assert nn.MaxPool2d(2).parameters() == [] and nn.MaxPool2d(2).state_dict() == {}


# --------------------------------------------------------------------------- behaviour


def test_max_pool_routes_a_tie_to_the_first_maximum_as_pytorch():
    x = Tensor(np.array([[[[1.0, 3.0], [3.0, 3.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [[[[0.0, 1.0], [0.0, 0.0]]]])


def test_max_pool_a_nan_is_the_maximum_as_in_pytorch():
    x = Tensor(np.array([[[[1.0, np.nan], [5.0, np.nan]]]]), requires_grad=True)
    out = F.max_pool2d(x, 2)
    assert np.isnan(out.data).all()
    out.backward(np.ones((1, 1, 1, 1)))
    np.testing.assert_array_equal(x.grad, [[[[0.0, 0.0], [0.0, 1.0]]]])  # the last NaN


@pytest.mark.parametrize("kernel, stride, padding", [(2, 2, 0), (3, 1, 1), (2, 1, 0)])
def test_max_pool_routes_alike_with_channels_innermost_or_not(kernel, stride, padding):
    """With more channels than output columns the scan runs channels-last; pooling each channel
    alone runs it as NCHW. Ties (a ReLU's zeros) and NaNs must go to the same elements."""
    rng = np.random.default_rng(0)
    data = np.maximum(rng.standard_normal((3, 16, 4, 4)), 0)
    data[0, 1, 0, 0] = data[1, 2, 1, 1] = data[1, 2, 0, 1] = np.nan
    g = rng.standard_normal(F.max_pool2d(Tensor(data), kernel, stride, padding).shape)
    x = Tensor(data, requires_grad=True)
    out = F.max_pool2d(x, kernel, stride, padding)
    out.backward(g)
    for ch in range(16):
        xc = Tensor(data[:, ch:ch + 1], requires_grad=True)
        oc = F.max_pool2d(xc, kernel, stride, padding)
        oc.backward(g[:, ch:ch + 1])
        np.testing.assert_array_equal(out.data[:, ch:ch + 1], oc.data)
        np.testing.assert_array_equal(x.grad[:, ch:ch + 1], xc.grad)


def test_max_pool_never_routes_a_gradient_into_the_padding():
    """A window whose real elements are all -inf picked its first padding cell, whose flat
    index is another element's (here the other image's): that image got 4 + 1 + 1 + 1."""
    data = np.stack([np.full((1, 2, 2), -np.inf), np.zeros((1, 2, 2))])
    x = Tensor(data, requires_grad=True)
    F.max_pool2d(x, 3, stride=1, padding=1).sum().backward()
    np.testing.assert_array_equal(x.grad.reshape(2, 4), [[4, 0, 0, 0], [4, 0, 0, 0]])  # PyTorch
    # dilated windows of padding alone: -inf, and no gradient (was an IndexError at batch 1)
    x = Tensor(np.ones((1, 1, 1, 3)), requires_grad=True)
    out = F.max_pool2d(x, 2, padding=1, dilation=2)
    assert np.isneginf(out.data).all()
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros((1, 1, 1, 3)))


@st.composite
def _pool_case(draw):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple(draw(st.integers(0, (d * (k - 1) + 1) // 2)) for k, d in zip(kernel, dilation))
    hw = [draw(st.integers(need, need + 3)) for need in
          (max(1, d * (k - 1) + 1 - 2 * p) for k, d, p in zip(kernel, dilation, padding))]
    shape = (draw(st.integers(1, 2)), draw(st.sampled_from([1, 5])), *hw)  # both scan layouts
    values = st.sampled_from([-np.inf, -np.inf, -1.0, 0.0, 0.0, 2.0, np.nan])  # ties, -inf runs
    x = draw(hnp.arrays(np.float64, shape, elements=values))
    return x, kernel, stride, padding, dilation


@settings(max_examples=examples(200), deadline=None)
@given(_pool_case(), st.integers(0, 2**32 - 1))
def test_max_pool_routes_the_gradient_as_pytorch_kernel_loop(case, seed):
    data, kernel, stride, padding, dilation = case
    x = Tensor(data, requires_grad=True)
    out = F.max_pool2d(x, kernel, stride, padding, dilation)
    g = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(g)
    np.testing.assert_array_equal(
        x.grad, naive_max_pool_grad(data, g, kernel, stride, padding, dilation))


def test_max_pool_overlapping_windows_accumulate():
    x = Tensor(np.array([[[[0.0, 0.0, 0.0], [0.0, 9.0, 0.0], [0.0, 0.0, 0.0]]]]),
               requires_grad=True)
    out = F.max_pool2d(x, 2, stride=1)               # the 9 is the maximum of all 4 windows
    np.testing.assert_array_equal(out.data, np.full((1, 1, 2, 2), 9.0))
    out.sum().backward()
    assert x.grad[0, 0, 1, 1] == 4.0 and x.grad.sum() == 4.0


def test_max_pool_padding_is_minus_infinity_and_dilation():
    x = -np.arange(1.0, 17.0).reshape(1, 1, 4, 4)     # all negative: zero padding would win
    out = F.max_pool2d(Tensor(x), 3, stride=2, padding=1)
    np.testing.assert_array_equal(out.data, naive_pool(x, (3, 3), (2, 2), (1, 1)))
    assert out.data.max() < 0
    out = F.max_pool2d(Tensor(x), 2, stride=1, dilation=2)
    np.testing.assert_array_equal(out.data, naive_pool(x, (2, 2), (1, 1), (0, 0), (2, 2)))
    pool = nn.MaxPool2d(3, stride=1, padding=2, dilation=2)  # at most half of the dilated 5
    np.testing.assert_array_equal(pool(Tensor(x)).data,
                                  naive_pool(x, (3, 3), (1, 1), (2, 2), (2, 2)))


def test_avg_pool_counts_padding_unless_told_not_to():
    x = np.ones((1, 1, 3, 3))
    with_pad = F.avg_pool2d(Tensor(x), 3, stride=1, padding=1).data[0, 0]
    assert with_pad[0, 0] == pytest.approx(4 / 9) and with_pad[1, 1] == 1.0
    without = F.avg_pool2d(Tensor(x), 3, stride=1, padding=1, count_include_pad=False)
    np.testing.assert_allclose(without.data, np.ones((1, 1, 3, 3)))
    fixed = F.avg_pool2d(Tensor(x), 3, stride=1, padding=1, divisor_override=2).data[0, 0]
    assert fixed[0, 0] == 2.0 and fixed[1, 1] == 4.5


def test_avg_pool_without_padding_count_is_differentiable():
    rng = np.random.default_rng(2)
    x = Tensor(rng.normal(size=(1, 2, 5, 4)), requires_grad=True)
    assert autograd.gradgradcheck(
        lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False) ** 2, (x,))


def test_an_empty_batch_gives_empty_outputs_and_zero_gradients():
    model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, groups=2), nn.MaxPool2d(2),
                          nn.AvgPool2d(2))
    x = Tensor(np.zeros((0, 2, 8, 8), np.float32), requires_grad=True)
    out = model(x)
    assert out.shape == (0, 4, 2, 2)
    out.sum().backward()
    assert x.grad.shape == (0, 2, 8, 8)
    np.testing.assert_array_equal(model[0].weight.grad, np.zeros((4, 1, 3, 3)))


def test_float32_stays_float32():
    conv = nn.Conv2d(1, 2, 3)
    out = nn.MaxPool2d(2)(nn.AvgPool2d(1)(conv(np.zeros((1, 1, 6, 6)))))
    assert out.dtype == np.float32


# ------------------------------------------------------------------------------- errors


@pytest.mark.parametrize("make_call, message", [
    (lambda: F.conv2d(Tensor(np.ones((1, 3, 5, 5))), Tensor(np.ones((2, 2, 3, 3)))),
     "has 3 channels"),
    (lambda: F.conv2d(Tensor(np.ones((1, 4, 5, 5))), Tensor(np.ones((3, 2, 3, 3))), groups=2),
     "not divisible by groups=2"),
    (lambda: F.conv2d(Tensor(np.ones((5, 5))), Tensor(np.ones((2, 1, 3, 3)))),
     r"expected a 3-D or 4-D input, got shape \(5, 5\)"),
    (lambda: F.conv2d(Tensor(np.ones((1, 1, 5, 5))), Tensor(np.ones((2, 3, 3)))),
     "weight must be a 4-D Tensor"),
    (lambda: F.conv2d(Tensor(np.ones((1, 1, 2, 2))), Tensor(np.ones((1, 1, 3, 3)))),
     "larger than the input"),
    (lambda: F.conv2d(Tensor(np.ones((1, 1, 5, 5))), Tensor(np.ones((2, 1, 3, 3))),
                      Tensor(np.ones(3))), r"bias must be a Tensor of shape \(2,\)"),
    (lambda: F.conv2d(Tensor(np.ones((1, 1, 5, 5))), Tensor(np.ones((1, 1, 3, 3))), stride=0),
     "stride must be at least 1"),
    (lambda: nn.Conv2d(3, 4, 3, groups=2), r"in_channels \(3\) must be divisible by groups"),
    (lambda: nn.Conv2d(1, 1, 3, stride=2, padding="same"), "not supported for strided"),
    (lambda: nn.Conv2d(1, 1, 3, padding="full"), "must be 'valid' or 'same', got 'full'"),
    (lambda: nn.Conv2d(4, 3, 3, groups=2), r"out_channels \(3\) must be divisible by groups"),
    (lambda: nn.Conv2d(0, 3, 3), "in_channels must be a positive int"),
    (lambda: nn.MaxPool2d(2, padding=2), "at most half of the kernel size"),
    (lambda: nn.AvgPool2d(3, padding=2), "at most half of the kernel size"),
    (lambda: F.max_pool2d(Tensor(np.ones((4, 4))), 2), "expected a 3-D or 4-D input"),
    (lambda: F.avg_pool2d(Tensor(np.ones((1, 1, 4, 4))), 2, divisor_override=0),
     "divisor_override must be a positive int"),
])
def test_bad_arguments_raise_clearly(make_call, message):
    with pytest.raises(ValueError, match=message):
        make_call()


def test_kernel_size_of_the_wrong_kind_raises_type_error():
    with pytest.raises(TypeError, match=r"kernel_size must be an int or a pair of ints, got 2.5"):
        nn.Conv2d(1, 1, 2.5)
