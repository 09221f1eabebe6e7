"""2-D convolution and pooling on NCHW arrays: im2col views and one batched GEMM, no pixel loops.

Three bilinear ops form a family closed under differentiation, so gradients of every order
come from the same NumPy kernels:

- ``conv2d(x, w)``: the convolution (PyTorch's cross-correlation);
- ``conv2d_input_grad(g, w)``: its adjoint in ``x`` (a transposed convolution);
- ``conv2d_weight_grad(x, g)``: its adjoint in ``w``.

Each one's backward is made of the other two. Max pooling picks one element per window (the
first maximum, as PyTorch routes it) with ``pick`` (``tensor_ops/pick.py``), which scatters
back with ``np.add.at``; average pooling is a convolution with a constant kernel.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..tensor import Tensor, floating, make, promote
from .pick import picked


class ConvGeometry(NamedTuple):
    """Stride, padding and dilation as ``(rows, cols)`` pairs, and the number of groups."""

    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    groups: int


def pair(value: Any, name: str, op: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints (each ``>= minimum``) as a pair, for ``kernel_size``, ``stride``...
    """
    items = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2 or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items
    ):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if any(v < minimum for v in items):
        raise ValueError(f"{op}: {name} must be at least {minimum}, got {value!r}")
    return int(items[0]), int(items[1])


def output_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """PyTorch's formula: ``floor((size + 2 padding - dilation (kernel - 1) - 1) / stride) + 1``."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


# ------------------------------------------------------------------------ NumPy kernels


def _padded(x: np.ndarray, padding: tuple[int, int], fill: float = 0.0) -> np.ndarray:
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    n, c, h, w = x.shape
    xp = np.full((n, c, h + 2 * ph, w + 2 * pw), fill, dtype=x.dtype)
    xp[:, :, ph:ph + h, pw:pw + w] = x
    return xp


def _windows(xp: np.ndarray, kernel: tuple, out_hw: tuple, geo: ConvGeometry) -> np.ndarray:
    """A read-only view ``(kh, kw, N, C, out_h, out_w)`` of every window of the padded input,
    kernel offsets first."""
    sn, sc, sh, sw = xp.strides
    (dh, dw), (th, tw) = geo.dilation, geo.stride
    shape = (*kernel, xp.shape[0], xp.shape[1], *out_hw)
    return as_strided(xp, shape, (sh * dh, sw * dw, sn, sc, sh * th, sw * tw), writeable=False)


def _batch_last(x: np.ndarray, padding: tuple[int, int]) -> np.ndarray:
    """``(N, C, H, W)`` as a zero-padded ``(C, H + 2 ph, W + 2 pw, N)`` array.

    Convolutions work in this layout: a window's row is then ``out_w * N`` contiguous numbers
    instead of ``out_w``, and NumPy copies short runs slowly (small images made the NCHW im2col
    and col2im several times slower than the GEMM itself).
    """
    n, c, h, w = x.shape
    ph, pw = padding
    xp = np.zeros((c, h + 2 * ph, w + 2 * pw, n), dtype=x.dtype)
    xp[:, ph:ph + h, pw:pw + w] = x.transpose(1, 2, 3, 0)
    return xp


def _im2col(x: np.ndarray, kernel: tuple, out_hw: tuple, geo: ConvGeometry) -> np.ndarray:
    """The windows as GEMM columns, ``(groups, C/groups * kh * kw, out_h * out_w * N)``."""
    xp = _batch_last(x, geo.padding)
    sc, sh, sw, sn = xp.strides
    (dh, dw), (th, tw) = geo.dilation, geo.stride
    shape = (xp.shape[0], *kernel, *out_hw, xp.shape[3])
    win = as_strided(xp, shape, (sc, sh * dh, sw * dw, sh * th, sw * tw, sn), writeable=False)
    k = xp.shape[0] // geo.groups * kernel[0] * kernel[1]
    return win.reshape(geo.groups, k, out_hw[0] * out_hw[1] * xp.shape[3])


def _col2im(cols: np.ndarray, x_shape: tuple, kernel: tuple, geo: ConvGeometry) -> np.ndarray:
    """Add the columns ``(C, kh, kw, out_h, out_w, N)`` back onto the input's positions, as
    ``(N, C, H, W)``. One strided slice-add per kernel offset: overlapping windows accumulate,
    no ``np.add.at``."""
    n, c, h, w = x_shape
    (ph, pw), (th, tw), (dh, dw) = geo.padding, geo.stride, geo.dilation
    oh, ow = cols.shape[3:5]
    xp = np.zeros((c, h + 2 * ph, w + 2 * pw, n), dtype=cols.dtype)
    for i in range(kernel[0]):
        rows = slice(i * dh, i * dh + th * (oh - 1) + 1, th)
        for j in range(kernel[1]):
            xp[:, rows, j * dw:j * dw + tw * (ow - 1) + 1:tw] += cols[:, i, j]
    return xp[:, ph:ph + h, pw:pw + w].transpose(3, 0, 1, 2)


def _conv_out_hw(x_shape: tuple, kernel: tuple, geo: ConvGeometry) -> tuple[int, int]:
    return tuple(
        output_size(x_shape[2 + a], kernel[a], geo.stride[a], geo.padding[a], geo.dilation[a])
        for a in (0, 1)
    )


def _forward(x: np.ndarray, w: np.ndarray, geo: ConvGeometry) -> tuple[np.ndarray, np.ndarray]:
    """The convolution and its im2col columns (kept for the weight gradient)."""
    o, _, kh, kw = w.shape
    oh, ow = _conv_out_hw(x.shape, (kh, kw), geo)
    cols = _im2col(x, (kh, kw), (oh, ow), geo)
    out = w.reshape(geo.groups, o // geo.groups, -1) @ cols  # (G, O/G, oh * ow * N)
    out = out.reshape(o, oh, ow, x.shape[0]).transpose(3, 0, 1, 2)
    return np.ascontiguousarray(out), cols


def _rows(g: np.ndarray, groups: int) -> np.ndarray:
    """The output gradient ``(N, O, oh, ow)`` as GEMM rows ``(groups, O/groups, oh * ow * N)``."""
    n, o, oh, ow = g.shape
    return g.transpose(1, 2, 3, 0).reshape(groups, o // groups, oh * ow * n)


def _input_grad(g: np.ndarray, w: np.ndarray, x_shape: tuple, geo: ConvGeometry,
                rows: np.ndarray | None = None) -> np.ndarray:
    """d<g, conv(x, w)>/dx: the transposed convolution of ``g`` with ``w``."""
    groups, kernel, (oh, ow) = geo.groups, w.shape[2:], g.shape[2:]
    rows = _rows(g, groups) if rows is None else rows
    wm = w.reshape(groups, w.shape[0] // groups, -1).swapaxes(1, 2)  # (G, C/G * kh * kw, O/G)
    cols = (wm @ rows).reshape(x_shape[1], *kernel, oh, ow, x_shape[0])
    return _col2im(cols, x_shape, kernel, geo)


def _weight_grad(cols: np.ndarray, g: np.ndarray, w_shape: tuple, groups: int,
                 rows: np.ndarray | None = None) -> np.ndarray:
    """d<g, conv(x, w)>/dw from the input's im2col columns."""
    rows = _rows(g, groups) if rows is None else rows
    return (rows @ cols.swapaxes(1, 2)).reshape(w_shape)


# --------------------------------------------------------------------- the three ops


def _node(a: Any) -> Tensor:
    return a if isinstance(a, Tensor) else Tensor._leaf(np.asarray(a))


def _differentiable(*items: Any) -> bool:
    """Whether a backward runs under ``create_graph`` (it is then handed nodes, not arrays)."""
    return any(isinstance(a, Tensor) for a in items)


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None, geo: ConvGeometry) -> Tensor:
    """The convolution of ``(N, C, H, W)`` by ``(O, C/groups, kh, kw)``, plus ``bias`` ``(O,)``.

    Shapes are not checked here (``nn.functional.conv2d`` does that). Integer and bool images
    are convolved as floats: the weight's dtype, else the default one.
    """
    x, weight = promote(x, weight)
    x, weight = floating(x), floating(weight)
    out, cols = _forward(x.data, weight.data, geo)
    if bias is None:
        prev = (x, weight)
    else:
        out += bias.data.reshape(-1, 1, 1)
        prev = (x, weight, bias)
    needs = tuple(p.requires_grad for p in prev)
    cols = cols if needs[1] else None  # only the weight's gradient reads them
    return make(out, prev, _conv2d_back, "conv2d", (geo, needs, cols))


def _conv2d_back(ctx, g, out, x, w, b=None):
    geo, needs, cols = ctx
    if _differentiable(g, x, w):
        gx = conv2d_input_grad(g, w, x.shape, geo) if needs[0] else None
        gw = conv2d_weight_grad(x, g, w.shape, geo) if needs[1] else None
        gb = g.sum(axis=(0, 2, 3)) if b is not None and needs[2] else None
        return gx, gw, gb
    rows = _rows(g, geo.groups)  # shared by both products
    gx = _input_grad(g, w, x.shape, geo, rows) if needs[0] else None
    gw = _weight_grad(cols, g, w.shape, geo.groups, rows) if needs[1] else None
    gb = g.sum(axis=(0, 2, 3)) if b is not None and needs[2] else None
    return gx, gw, gb


def conv2d_input_grad(g: Any, weight: Any, x_shape: tuple, geo: ConvGeometry) -> Tensor:
    """The transposed convolution: ``conv2d``'s gradient with respect to its input, as a node."""
    g, weight = _node(g), _node(weight)
    out = _input_grad(g.data, weight.data, x_shape, geo)
    needs = (g.requires_grad, weight.requires_grad)
    return make(out, (g, weight), _input_grad_back, "conv2d_input_grad", (geo, needs))


def _input_grad_back(ctx, h, out, g, w):
    # <h, input_grad(g, w)> = <conv(h, w), g>: so d/dg = conv(h, w), d/dw = weight_grad(h, g)
    geo, needs = ctx
    if _differentiable(h, g, w):
        gg = conv2d(_node(h), w, None, geo) if needs[0] else None
        gw = conv2d_weight_grad(h, g, w.shape, geo) if needs[1] else None
        return gg, gw
    gg = _forward(h, w, geo)[0] if needs[0] else None
    gw = None
    if needs[1]:
        cols = _im2col(h, w.shape[2:], g.shape[2:], geo)
        gw = _weight_grad(cols, g, w.shape, geo.groups)
    return gg, gw


def conv2d_weight_grad(x: Any, g: Any, w_shape: tuple, geo: ConvGeometry) -> Tensor:
    """``conv2d``'s gradient with respect to its weight, as a node."""
    x, g = _node(x), _node(g)
    cols = _im2col(x.data, w_shape[2:], g.shape[2:], geo)
    out = _weight_grad(cols, g.data, w_shape, geo.groups)
    needs = (x.requires_grad, g.requires_grad)
    return make(out, (x, g), _weight_grad_back, "conv2d_weight_grad", (geo, needs))


def _weight_grad_back(ctx, k, out, x, g):
    # <k, weight_grad(x, g)> = <conv(x, k), g>: so d/dx = input_grad(g, k), d/dg = conv(x, k)
    geo, needs = ctx
    if _differentiable(k, x, g):
        gx = conv2d_input_grad(g, k, x.shape, geo) if needs[0] else None
        gg = conv2d(x, _node(k), None, geo) if needs[1] else None
        return gx, gg
    gx = _input_grad(g, k, x.shape, geo) if needs[0] else None
    gg = _forward(x, k, geo)[0] if needs[1] else None
    return gx, gg


# ------------------------------------------------------------------------------ pooling


def avg_pool2d(x: Tensor, kernel: tuple, geo: ConvGeometry, divisor: Any = None) -> Tensor:
    """The mean of each window (zero padding counted), as a convolution of every channel with a
    constant ``1 / (kh * kw)`` kernel; ``divisor`` (a number or an array of the output's
    shape) replaces ``kh * kw``. Integer and bool images are averaged in the default float
    dtype (an integer kernel would hold ``1 / (kh * kw)`` as 0)."""
    x = floating(x)
    n, c, h, w = x.shape
    scale = 1.0 if divisor is not None else 1.0 / (kernel[0] * kernel[1])
    kern = Tensor._leaf(np.full((1, 1, *kernel), scale, dtype=x.dtype))
    out = conv2d(x.reshape(n * c, 1, h, w), kern, None, geo)
    out = out.reshape(n, c, *out.shape[2:])
    return out if divisor is None else out / divisor


def _lowest(dtype: np.dtype) -> Any:
    """The padding max pooling never picks: -inf, the integer minimum, or False."""
    if dtype.kind == "f":
        return -np.inf
    return False if dtype.kind == "b" else np.iinfo(dtype).min


def max_pool2d(x: Tensor, kernel: tuple, geo: ConvGeometry) -> Tensor:
    """The largest element of each window (padding is -inf). The gradient goes to one element
    per window, the first maximum in row-major window order among the window's real (not
    padding) elements, as PyTorch routes it; a window of padding alone (possible with dilation)
    is -inf and passes no gradient on."""
    d = x.data
    n, c, h, w = d.shape
    (kh, kw), (th, tw), (ph, pw), (dh, dw) = kernel, geo.stride, geo.padding, geo.dilation
    oh, ow = _conv_out_hw(d.shape, kernel, geo)
    win = _windows(_padded(d, geo.padding, _lowest(d.dtype)), kernel, (oh, ow), geo)
    # Each kernel offset's values copied into one contiguous block, so the scan below runs
    # NumPy's loops at full speed (on the strided view they pay for every inner run of out_w
    # elements), and with the longer of C and out_w innermost: a CNN's 8x8 and 4x4 poolings
    # took 2-3x as long on the view. Only when the copy is no larger than the input: windows
    # that overlap (stride below the kernel) would copy their shared elements again and again.
    channels_last = c > ow
    if channels_last:
        win = win.transpose(0, 1, 2, 4, 5, 3)  # (kh, kw, N, out_h, out_w, C)
    cols = np.ascontiguousarray(win) if kh * kw * oh * ow <= h * w else win
    best = cols[0, 0].copy()
    where = np.zeros(best.shape, np.uint8 if kh * kw <= 256 else np.intp)  # kernel offset
    empty = None
    if ph or pw:  # start each window at its first real element: padding must never be picked
        first, empty = _first_real_offsets(h, w, kernel, (oh, ow), geo)
        where[...] = first[..., None] if channels_last else first  # (a real -inf stays there)
    for k in range(1, kh * kw):  # a scan over kernel offsets, as PyTorch's
        v = cols[k // kw, k % kw]
        # Strictly larger, so the first maximum wins ties; a NaN always takes over, as in
        # PyTorch's kernel (``val > max || isnan(val)``), and np.maximum carries it along.
        np.putmask(where, (v > best) | np.isnan(v), k)
        np.maximum(best, v, out=best)
    if channels_last:  # back to (N, C, out_h, out_w)
        best, where = (np.ascontiguousarray(a.transpose(0, 3, 1, 2)) for a in (best, where))
    offsets = (np.arange(kh) * (dh * w)).reshape(-1, 1) + np.arange(kw) * dw
    corners = (np.arange(oh) * th - ph).reshape(-1, 1) * w + (np.arange(ow) * tw - pw)
    flat = offsets.reshape(-1).take(where)  # flat positions in x of each window's maximum
    flat += corners
    flat += (np.arange(n * c) * (h * w)).reshape(n, c, 1, 1)
    if empty is not None and empty.any():
        return picked(x, best, flat, keep=np.broadcast_to(~empty, best.shape))
    return picked(x, best, flat)


def _first_real_offsets(h: int, w: int, kernel: tuple, out_hw: tuple,
                        geo: ConvGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Per window ``(out_h, out_w)``: the kernel offset ``i * kw + j`` of its first element
    inside the input (row-major), and whether it has none (padding alone).

    Rows and columns are independent, so the first real element is the first real row's first
    real column.
    """
    (kh, kw), (th, tw), (ph, pw), (dh, dw) = kernel, geo.stride, geo.padding, geo.dilation
    rows = np.arange(out_hw[0]) * th - ph + (np.arange(kh) * dh)[:, None]  # (kh, out_h)
    cols = np.arange(out_hw[1]) * tw - pw + (np.arange(kw) * dw)[:, None]  # (kw, out_w)
    real_rows, real_cols = (rows >= 0) & (rows < h), (cols >= 0) & (cols < w)
    first = real_rows.argmax(0)[:, None] * kw + real_cols.argmax(0)
    empty = ~real_rows.any(0)[:, None] | ~real_cols.any(0)
    return first, empty
