"""The nn layers' ops as rows of the property-test factory (``test_tensor_ops.py`` runs them):
conv2d and pooling against naive loops, embedding, batch_norm and layer_norm against NumPy
formulas; the strategies draw small shapes, since finite differences perturb every element.
The loop references serve ``test_conv.py`` too."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from tensor_factory import DISTINCT, POS, Op, R, arrays

from autograd import Tensor
from nn import functional as F

EPS = 1e-5


def normalized(x, axes, eps=EPS):
    """``(x - mean) / sqrt(var + eps)`` over ``axes``, with the biased variance."""
    mean = x.mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)


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


def naive_max_pool_grad(x, g, kernel, stride, padding, dilation=(1, 1)):
    """Where max pooling's gradient goes, by PyTorch's kernel loop: each window starts at its
    first real (not padding) element and moves on at every larger value or NaN; a window of
    padding alone passes nothing on."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    out = np.zeros(x.shape)
    for i in range(n):
        for ch in range(c):
            for r in range(g.shape[2]):
                for col in range(g.shape[3]):
                    best, at = -np.inf, None
                    for a in range(kh):
                        for b in range(kw):
                            y, z = r * sh - ph + a * dh, col * sw - pw + b * dw
                            if not (0 <= y < h and 0 <= z < w):
                                continue
                            v = x[i, ch, y, z]
                            if at is None or v > best or np.isnan(v):
                                best, at = v, (y, z)
                    if at is not None:
                        out[i, ch, at[0], at[1]] += g[i, ch, r, col]
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


# ------------------------------------------------------------------------ factory rows


@st.composite
def embedding_case(draw):
    num, dim = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    weight = draw(arrays((num, dim), R))
    index_shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=4))
    index = draw(hnp.arrays(np.int64, index_shape, elements=st.integers(0, num - 1)))
    return (weight,), {"index": index}  # small tables: repeated indices are common


@st.composite
def batch_norm_case(draw, running=False):
    """``(N, C)`` or ``(N, C, L)`` with weight and bias; ``running``: constant running
    statistics ``mean`` and ``var`` (eval mode)."""
    shape = (draw(st.integers(2, 4)), draw(st.integers(1, 3)))
    shape += tuple(draw(st.lists(st.integers(1, 3), max_size=1)))
    x = draw(arrays(shape, R))
    kw = {}
    if running:
        kw = {"mean": draw(arrays(shape[1:2], R)), "var": draw(arrays(shape[1:2], POS))}
    return (x, draw(arrays(shape[1:2], R)), draw(arrays(shape[1:2], R))), kw


@st.composite
def layer_norm_case(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    k = draw(st.integers(1, len(shape)))
    normalized = shape[len(shape) - k:]
    x = draw(arrays(shape, R))
    return (x, draw(arrays(normalized, R)), draw(arrays(normalized, R))), {"shape": normalized}


def _bn_reference(x, w, b):
    axes = (0, *range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return normalized(x, axes) * w.reshape(shape) + b.reshape(shape)


def _bn_eval_reference(x, w, b, mean, var):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    scaled = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + EPS)
    return scaled * w.reshape(shape) + b.reshape(shape)


def _ln_reference(x, w, b, shape):
    return normalized(x, tuple(range(x.ndim - len(shape), x.ndim))) * w + b


NORM_OPS = [
    Op("embedding", lambda w, index: F.embedding(index, w), lambda w, index: w[index],
       embedding_case()),
    Op("batch_norm_train", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
       _bn_reference, batch_norm_case()),
    Op("batch_norm_eval", lambda x, w, b, mean, var: F.batch_norm(x, mean, var, w, b),
       _bn_eval_reference, batch_norm_case(running=True)),
    Op("layer_norm", lambda x, w, b, shape: F.layer_norm(x, shape, w, b), _ln_reference,
       layer_norm_case()),
]


LAYER_OPS = CONV_OPS + NORM_OPS
