"""Conv2d, MaxPool2d and AvgPool2d: ops against naive loop references, through the property-test
factory (forward, gradients and second derivatives vs finite differences, nothing mutated),
output shapes over stride/padding/dilation/groups, PyTorch's initialization, clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tensor_factory import (
    DISTINCT,
    Op,
    R,
    arrays,
    check_forward_and_grads,
    check_second_order,
)

import autograd
import nn
from autograd import Tensor
from nn import functional as F

# ------------------------------------------------------------ naive references (loops)


def _pad(x, ph, pw, fill=0.0):
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)


def _out(size, k, s, p, d):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def naive_conv2d(x, w, b=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    """Every output element as the sum of its window times the kernel: the definition."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = _pad(x, ph, pw)
    oh, ow = _out(h, kh, sh, ph, dh), _out(wd, kw, sw, pw, dw)
    out = np.zeros((n, o, oh, ow))
    per_group = o // groups
    for i in range(n):
        for oc in range(o):
            g = oc // per_group
            for r in range(oh):
                for col in range(ow):
                    patch = xp[i, g * cg:(g + 1) * cg,
                               r * sh:r * sh + dh * (kh - 1) + 1:dh,
                               col * sw:col * sw + dw * (kw - 1) + 1:dw]
                    out[i, oc, r, col] = np.sum(patch * w[oc]) + (0.0 if b is None else b[oc])
    return out


def naive_pool(x, kernel, stride, padding, dilation=(1, 1), kind="max"):
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    xp = _pad(x, ph, pw, -np.inf if kind == "max" else 0.0)
    oh, ow = _out(h, kh, sh, ph, dh), _out(w, kw, sw, pw, dw)
    out = np.zeros((n, c, oh, ow))
    for r in range(oh):
        for col in range(ow):
            win = xp[:, :, r * sh:r * sh + dh * (kh - 1) + 1:dh,
                     col * sw:col * sw + dw * (kw - 1) + 1:dw]
            out[:, :, r, col] = win.max(axis=(2, 3)) if kind == "max" else win.mean(axis=(2, 3))
    return out


# ------------------------------------------------------------------------ case strategies


@st.composite
def conv_geometry(draw, max_groups=2, bias=True):
    """Small shapes (finite differences perturb every element) over every option."""
    groups = draw(st.integers(1, max_groups))
    cg, og, n = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    hw = []
    for a in (0, 1):
        need = max(1, dilation[a] * (kernel[a] - 1) + 1 - 2 * padding[a])
        hw.append(draw(st.integers(need, need + 2)))
    x_shape = (n, cg * groups, *hw)
    w_shape = (og * groups, cg, *kernel)
    kw = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    return x_shape, w_shape, kw


@st.composite
def conv_case(draw, bias=True, weight_const=False):
    x_shape, w_shape, kw = draw(conv_geometry())
    x, w = draw(arrays(x_shape, R)), draw(arrays(w_shape, R))
    ins = (x,) if weight_const else (x, w)
    if weight_const:
        kw["c"] = w
    if bias:
        ins += (draw(arrays(w_shape[:1], R)),)
    return ins, kw


@st.composite
def pool_case(draw, kind):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 2), st.integers(1, 2))))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    hw = tuple(draw(st.integers(max(1, k - 2 * p), max(1, k - 2 * p) + 3))
               for k, p in zip(kernel, padding))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *hw)
    x = draw(arrays(shape, DISTINCT, unique=True) if kind == "max" else arrays(shape, R))
    return (x,), {"kernel_size": kernel, "stride": stride, "padding": padding}


def _naive_max(x, kernel_size, stride, padding):
    return naive_pool(x, kernel_size, stride or kernel_size, padding, kind="max")


def _naive_avg(x, kernel_size, stride, padding):
    return naive_pool(x, kernel_size, stride or kernel_size, padding, kind="avg")


CONV_OPS = [
    Op("conv2d", lambda x, w, b, **kw: F.conv2d(x, w, b, **kw),
       lambda x, w, b, **kw: naive_conv2d(x, w, b, **kw), conv_case()),
    Op("conv2d_no_bias", lambda x, w, **kw: F.conv2d(x, w, **kw),
       lambda x, w, **kw: naive_conv2d(x, w, **kw), conv_case(bias=False)),
    Op("conv2d_const_weight", lambda x, c, **kw: F.conv2d(x, Tensor(c), **kw),
       lambda x, c, **kw: naive_conv2d(x, c, **kw), conv_case(bias=False, weight_const=True)),
    Op("max_pool2d", lambda x, **kw: F.max_pool2d(x, **kw), _naive_max, pool_case("max")),
    Op("avg_pool2d", lambda x, **kw: F.avg_pool2d(x, **kw), _naive_avg, pool_case("avg")),
]


@pytest.mark.parametrize("op", CONV_OPS, ids=[op.name for op in CONV_OPS])
@settings(max_examples=25)
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_forward_and_gradients(op, data, seed):
    arrays_, kw = data.draw(op.case)
    check_forward_and_grads(op, arrays_, kw, seed)


@pytest.mark.parametrize("op", CONV_OPS, ids=[op.name for op in CONV_OPS])
@settings(max_examples=8)
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_second_derivatives(op, data, seed):
    arrays_, kw = data.draw(op.case)
    check_second_order(op, arrays_, kw, seed)


def test_third_derivative_of_conv_matches_finite_differences():
    """The conv family is closed under differentiation: gradcheck the second gradient too."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(1, 2, 4, 4)), requires_grad=True)
    w = Tensor(rng.normal(size=(2, 1, 2, 2)), requires_grad=True)

    def second(x, w):
        y = (F.conv2d(x, w, stride=(2, 1), padding=1, groups=2) ** 2).sum()
        gx, gw = autograd.grad(y, [x, w], create_graph=True)
        return (gx * gx).sum() + (gw * gx.sum()).sum()

    assert autograd.gradgradcheck(second, (x, w))


# ------------------------------------------------------------------------------ shapes


@settings(max_examples=60)
@given(geometry=conv_geometry(max_groups=3))
def test_conv2d_output_shape_follows_pytorchs_formula(geometry):
    x_shape, w_shape, kw = geometry
    out = F.conv2d(Tensor(np.ones(x_shape)), Tensor(np.ones(w_shape)), **kw)
    expected = tuple(_out(x_shape[2 + a], w_shape[2 + a], kw["stride"][a], kw["padding"][a],
                          kw["dilation"][a]) for a in (0, 1))
    assert out.shape == (x_shape[0], w_shape[0], *expected)


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
