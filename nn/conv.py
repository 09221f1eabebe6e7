"""``Conv2d`` and ``nn.functional.conv2d``: 2-D convolution with PyTorch's layout, arguments and
initialization.

Input ``(N, C, H, W)`` (or unbatched ``(C, H, W)``), weight ``(out_channels, in_channels /
groups, kh, kw)``, bias ``(out_channels,)``. The op itself (im2col and one GEMM, backward as a
transposed convolution, differentiable to any order) is ``autograd.tensor_ops.conv``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, get_default_dtype
from autograd.tensor_ops import conv as ops

from . import init
from ._checks import check_bool
from .module import Module


def as_input(x: Any, dtype: Any, op: str, ndims: tuple[int, ...]) -> Tensor:
    """``x`` as a Tensor with one of ``ndims`` axes; arrays and lists get ``dtype`` (None:
    floating arrays keep theirs, anything else gets the default float dtype)."""
    if not isinstance(x, Tensor):
        if x is None or isinstance(x, (str, bytes, dict, set)):
            raise TypeError(f"{op} expects a Tensor, ndarray or list input, got "
                            f"{type(x).__name__}")
        if dtype is None and np.asarray(x).dtype.kind != "f":
            dtype = get_default_dtype()  # integer images are pooled as floats
        x = Tensor(x, dtype=dtype)
    if x.ndim not in ndims:
        wanted = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"{op}: expected a {wanted} input, got shape {x.shape}")
    return x


def batched(x: Tensor) -> tuple[Tensor, bool]:
    """A 3-D (unbatched) image as a batch of one, and whether it was one."""
    return (x.reshape(1, *x.shape), True) if x.ndim == 3 else (x, False)


def check_output_size(op: str, x_shape: tuple, kernel: tuple, geo: ops.ConvGeometry) -> None:
    sizes = [ops.output_size(x_shape[2 + a], kernel[a], geo.stride[a], geo.padding[a],
                             geo.dilation[a]) for a in (0, 1)]
    if min(sizes) < 1:
        raise ValueError(
            f"{op}: kernel {kernel} (dilation {geo.dilation}) is larger than the input "
            f"{x_shape[2:]} padded by {geo.padding}: the output would be {tuple(sizes)}"
        )


def conv2d(input: Any, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation) of ``input`` by ``weight``, as ``F.conv2d``.

    >>> import numpy as np
    >>> from autograd import Tensor
    >>> x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    >>> w = Tensor(np.ones((1, 1, 2, 2)))
    >>> conv2d(x, w, stride=2).data[0, 0]         # sums of the four 2x2 blocks
    array([[10., 18.],
           [42., 50.]])
    """
    if not isinstance(weight, Tensor) or weight.ndim != 4:
        got = weight.shape if isinstance(weight, Tensor) else type(weight).__name__
        raise ValueError(f"conv2d: weight must be a 4-D Tensor (out, in/groups, kh, kw), got {got}")
    x = as_input(input, weight.dtype, "conv2d", (3, 4))
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"conv2d: groups must be a positive int, got {groups!r}")
    stride = ops.pair(stride, "stride", "conv2d", 1)
    dilation = ops.pair(dilation, "dilation", "conv2d", 1)
    pads, crop = _padding(padding, stride, dilation, weight.shape[2:], "conv2d")
    geo = ops.ConvGeometry(stride, pads, dilation, int(groups))
    out_channels, per_group = weight.shape[:2]
    channels = x.shape[-3]
    if channels != per_group * groups:
        raise ValueError(
            f"conv2d: input of shape {x.shape} has {channels} channels, but a weight of shape "
            f"{weight.shape} with groups={groups} expects {per_group * groups}"
        )
    if out_channels % groups:
        raise ValueError(f"conv2d: weight of shape {weight.shape} has {out_channels} output "
                         f"channels, not divisible by groups={groups}")
    if bias is not None and (not isinstance(bias, Tensor) or bias.shape != (out_channels,)):
        got = bias.shape if isinstance(bias, Tensor) else type(bias).__name__
        raise ValueError(f"conv2d: bias must be a Tensor of shape ({out_channels},) for a "
                         f"weight of shape {weight.shape}, got {got}")
    x, unbatched = batched(x)
    check_output_size("conv2d", x.shape, weight.shape[2:], geo)
    out = ops.conv2d(x, weight, bias, geo)
    if crop != (0, 0):  # "same" with an even total padding: PyTorch pads the far side more
        out = out[:, :, crop[0]:, crop[1]:]
    return out.reshape(*out.shape[1:]) if unbatched else out


def _padding(padding: Any, stride: tuple, dilation: tuple, kernel: tuple,
             op: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """The symmetric padding to compute with, and how many leading output rows and columns to
    drop: ``"valid"`` is no padding; ``"same"`` keeps the input's size, padding
    ``dilation * (kernel - 1)`` in all, the extra one (when odd) after, as PyTorch does."""
    if not isinstance(padding, str):
        return ops.pair(padding, "padding", op, 0), (0, 0)
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding != "same":
        raise ValueError(f"{op}: padding string must be 'valid' or 'same', got {padding!r}")
    if stride != (1, 1):
        raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                         f"(stride={stride})")
    totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
    pads = tuple((t + 1) // 2 for t in totals)
    return pads, tuple(2 * p - t for p, t in zip(pads, totals))


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Conv2d {name} must be a positive int, got {value!r}")
    return int(value)


class Conv2d(Module):
    """Applies a 2-D convolution over ``(N, in_channels, H, W)`` inputs, as ``torch.nn.Conv2d``.

    The output is ``(N, out_channels, H_out, W_out)`` with ``H_out = floor((H + 2 padding[0] -
    dilation[0] (kernel_size[0] - 1) - 1) / stride[0]) + 1`` (``W_out`` likewise);
    ``padding`` is an int, a pair, ``"valid"`` (0) or ``"same"`` (output as large as the input).
    ``groups`` splits the channels into independent convolutions. Initialized as PyTorch does:
    ``kaiming_uniform_(weight, a=sqrt(5))`` and the bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
    ``fan_in = in_channels / groups * kh * kw``.

    >>> import numpy as np
    >>> conv = Conv2d(1, 16, 3, padding=1)
    >>> conv.weight.shape, conv(np.zeros((8, 1, 28, 28))).shape
    ((16, 1, 3, 3), (8, 16, 28, 28))
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True) -> None:
        in_channels = _positive_int(in_channels, "in_channels")
        out_channels = _positive_int(out_channels, "out_channels")
        groups = _positive_int(groups, "groups")
        check_bool("Conv2d", "bias", bias)
        if in_channels % groups:
            raise ValueError(f"Conv2d in_channels ({in_channels}) must be divisible by groups "
                             f"({groups})")
        if out_channels % groups:
            raise ValueError(f"Conv2d out_channels ({out_channels}) must be divisible by groups "
                             f"({groups})")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = ops.pair(kernel_size, "kernel_size", "Conv2d", 1)
        self.stride = ops.pair(stride, "stride", "Conv2d", 1)
        self.dilation = ops.pair(dilation, "dilation", "Conv2d", 1)
        _padding(padding, self.stride, self.dilation, self.kernel_size, "Conv2d")  # checks it
        self.padding = padding if isinstance(padding, str) else ops.pair(padding, "padding",
                                                                         "Conv2d", 0)
        dtype = get_default_dtype()
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Tensor(np.empty(shape, dtype), requires_grad=True)
        self.bias = Tensor(np.empty(out_channels, dtype), requires_grad=True) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh initial values (PyTorch's defaults) from ``nn.init``'s generator."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * self.kernel_size[0] * self.kernel_size[1]
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Any) -> Tensor:
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                      self.groups)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0, 0):
            text += f", padding={self.padding}"  # a string shows bare, as in PyTorch
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text
