"""``MaxPool2d`` and ``AvgPool2d`` (and their ``nn.functional`` forms), as PyTorch's.

``stride`` defaults to ``kernel_size``; the output size follows the convolution formula
(``ceil_mode=False``). Max pooling pads with -inf and sends each window's gradient to its first
maximum, as PyTorch does; average pooling counts the zero padding unless
``count_include_pad=False``, or divides by ``divisor_override``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.tensor_ops import conv as ops

from ._checks import check_bool
from .conv import as_input, batched, check_output_size
from .module import Module


def _geometry(op: str, kernel_size: Any, stride: Any, padding: Any, dilation: Any = None,
              ) -> tuple[tuple[int, int], ops.ConvGeometry]:
    """The kernel and geometry; padding at most half the (dilated) kernel, as PyTorch checks.
    ``dilation=None``: average pooling, which has none."""
    kernel = ops.pair(kernel_size, "kernel_size", op, 1)
    stride = kernel if stride is None or stride == () else ops.pair(stride, "stride", op, 1)
    geo = ops.ConvGeometry(stride, ops.pair(padding, "padding", op, 0),
                           ops.pair(1 if dilation is None else dilation, "dilation", op, 1), 1)
    for a in (0, 1):
        if 2 * geo.padding[a] > geo.dilation[a] * (kernel[a] - 1) + 1:
            dilated = "" if dilation is None else f" dilated by {dilation}"
            raise ValueError(f"{op}: padding {padding} must be at most half of the kernel size "
                             f"{kernel_size}{dilated}")
    return kernel, geo


def max_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1) -> Tensor:
    """The largest value in each ``kernel_size`` window, as ``F.max_pool2d``.

    >>> import numpy as np
    >>> from autograd import Tensor
    >>> max_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2).data[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    x = as_input(input, None, "max_pool2d", (3, 4))
    kernel, geo = _geometry("max_pool2d", kernel_size, stride, padding, dilation)
    x, unbatched = batched(x)
    check_output_size("max_pool2d", x.shape, kernel, geo)
    out = ops.max_pool2d(x, kernel, geo)
    return out.reshape(*out.shape[1:]) if unbatched else out


def _counts(size: int, kernel: int, stride: int, padding: int, out: int) -> np.ndarray:
    """How many real (not padding) positions each window covers along one axis."""
    start = np.arange(out) * stride - padding
    return np.minimum(start + kernel, size) - np.maximum(start, 0)


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, *,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each ``kernel_size`` window, as ``F.avg_pool2d`` (``ceil_mode=False``).

    >>> import numpy as np
    >>> from autograd import Tensor
    >>> ones = Tensor(np.ones((1, 1, 2, 2)))
    >>> avg_pool2d(ones, 2, stride=1, padding=1).data[0, 0, 0]    # the zero padding counts
    array([0.25, 0.5 , 0.25])
    >>> avg_pool2d(ones, 2, stride=1, padding=1, count_include_pad=False).data[0, 0, 0]
    array([1., 1., 1.])
    """
    x = as_input(input, None, "avg_pool2d", (3, 4))
    check_bool("avg_pool2d", "count_include_pad", count_include_pad)
    kernel, geo = _geometry("avg_pool2d", kernel_size, stride, padding)
    if divisor_override is not None and (
        isinstance(divisor_override, bool) or not isinstance(divisor_override, (int, np.integer))
        or divisor_override < 1
    ):
        raise ValueError(f"avg_pool2d: divisor_override must be a positive int or None, "
                         f"got {divisor_override!r}")
    x, unbatched = batched(x)
    check_output_size("avg_pool2d", x.shape, kernel, geo)
    divisor = None
    if divisor_override is not None:
        divisor = float(divisor_override)
    elif not count_include_pad and geo.padding != (0, 0):
        oh, ow = (ops.output_size(x.shape[2 + a], kernel[a], geo.stride[a], geo.padding[a], 1)
                  for a in (0, 1))
        rows = _counts(x.shape[2], kernel[0], geo.stride[0], geo.padding[0], oh)
        cols = _counts(x.shape[3], kernel[1], geo.stride[1], geo.padding[1], ow)
        divisor = np.outer(rows, cols).astype(x.dtype)
    out = ops.avg_pool2d(x, kernel, geo, divisor)
    return out.reshape(*out.shape[1:]) if unbatched else out


class MaxPool2d(Module):
    """Max pooling over ``(N, C, H, W)`` inputs, as ``torch.nn.MaxPool2d``: the largest value
    of each window; ``stride`` defaults to ``kernel_size``, padding is -inf.

    >>> import numpy as np
    >>> MaxPool2d(2)(np.zeros((8, 16, 8, 8))).shape
    (8, 16, 4, 4)
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1) -> None:
        _geometry("MaxPool2d", kernel_size, stride, padding, dilation)  # checks the arguments
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.dilation = dilation

    def forward(self, x: Any) -> Tensor:
        return max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode=False")


class AvgPool2d(Module):
    """Average pooling over ``(N, C, H, W)`` inputs, as ``torch.nn.AvgPool2d``: the mean of each
    window, zero padding counted (``count_include_pad=True``) unless told otherwise.

    >>> import numpy as np
    >>> AvgPool2d(2)(np.ones((8, 16, 8, 8))).shape
    (8, 16, 4, 4)
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, *,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        _geometry("AvgPool2d", kernel_size, stride, padding)  # checks the arguments
        check_bool("AvgPool2d", "count_include_pad", count_include_pad)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, x: Any) -> Tensor:
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding,
                          count_include_pad=self.count_include_pad,
                          divisor_override=self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
