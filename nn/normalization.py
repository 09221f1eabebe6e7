"""``BatchNorm1d`` and ``LayerNorm`` (and their ``nn.functional`` forms), as PyTorch's.

Both normalize with the biased variance, ``(x - mean) / sqrt(var + eps)``, then scale by
``weight`` and shift by ``bias``, as one node (``autograd.tensor_ops.norm``, differentiable to
any order). BatchNorm averages over the batch (and length) axes per channel and keeps running
statistics for evaluation: ``running = (1 - momentum) running + momentum batch`` with the
*unbiased* batch variance, or the cumulative average when ``momentum`` is None.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, get_default_dtype
from autograd.tensor_ops.norm import normalize
from autograd.tensor_ops.reduce import normalize_axes

from ._checks import check_bool, check_real
from .module import Module


def _as_tensor(input: Any, op: str) -> Tensor:
    if isinstance(input, Tensor):
        return input
    if isinstance(input, (np.ndarray, list, tuple)):
        floating = np.asarray(input).dtype.kind == "f"
        return Tensor(input, dtype=None if floating else get_default_dtype())
    raise TypeError(f"{op}: input must be a Tensor, ndarray or list, got {type(input).__name__}")


def _check_vector(op: str, name: str, v: Any, channels: int, x_shape: tuple) -> None:
    if v is None:
        return
    shape = getattr(v, "shape", None)
    if shape != (channels,):
        raise ValueError(f"{op}: {name} must have shape ({channels},) for an input of shape "
                         f"{x_shape}, got {shape if shape is not None else type(v).__name__}")


def _update(running: Any, batch: np.ndarray, momentum: float) -> None:
    """``running <- (1 - momentum) running + momentum batch``, in place (its array is kept)."""
    arr = running.data if isinstance(running, Tensor) else running
    arr *= 1 - momentum
    arr += momentum * batch.astype(arr.dtype, copy=False)


def batch_norm(input: Any, running_mean: Any, running_var: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Batch normalization over axis 1 of ``(N, C, ...)``, as ``F.batch_norm``.

    Training: normalize by this batch's mean and biased variance, and (when the running arrays
    are given) update them in place with ``momentum``. Otherwise: normalize by the running ones.

    >>> import numpy as np
    >>> from autograd import Tensor
    >>> mean, var = np.zeros(2), np.ones(2)
    >>> y = batch_norm(Tensor([[1.0, 10.0], [3.0, 30.0]]), mean, var, training=True)
    >>> np.round(y.data, 3), mean, var    # unbiased variance in the running estimate
    (array([[-1., -1.],
           [ 1.,  1.]], dtype=float32), array([0.2, 2. ]), array([ 1.1, 20.9]))
    """
    x = _as_tensor(input, "batch_norm")
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C, ...), got {x.shape}")
    channels = x.shape[1]
    for name, v in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_vector("batch_norm", name, v, channels, x.shape)
    axes = (0, *range(2, x.ndim))
    shape = (1, channels) + (1,) * (x.ndim - 2)
    if training:
        n = x.size // channels if channels else 0
        if n <= 1:
            raise ValueError("batch_norm: expected more than 1 value per channel when training, "
                             f"got an input of shape {x.shape}")
        y, mean, var = normalize(x, weight, bias, axes, eps, shape)  # one node
        if running_mean is not None:
            _update(running_mean, mean.reshape(-1), momentum)
        if running_var is not None:
            _update(running_var, var.reshape(-1) * (n / (n - 1)), momentum)
        return y
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are needed when not "
                         "training")
    mean, var = ((v.data if isinstance(v, Tensor) else np.asarray(v)).reshape(shape)
                 for v in (running_mean, running_var))
    y = (x - mean) * (1.0 / np.sqrt(var + eps))  # constants: no graph for them
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def _check_count(num_features: Any) -> int:
    if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)) \
            or num_features < 1:
        raise ValueError(f"BatchNorm1d num_features must be a positive int, got {num_features!r}")
    return int(num_features)


class BatchNorm1d(Module):
    """Batch normalization of ``(N, C)`` or ``(N, C, L)`` inputs, as ``torch.nn.BatchNorm1d``.

    Parameters ``weight`` (ones) and ``bias`` (zeros, unless ``bias=False``) when ``affine``;
    buffers ``running_mean`` (zeros), ``running_var`` (ones) and ``num_batches_tracked`` (int64
    0) when ``track_running_stats``, saved in ``state_dict`` under PyTorch's names. In training
    mode it normalizes by the batch statistics and updates the running ones; in eval mode it
    uses the running ones (the batch's when not tracking). ``momentum=None``: a cumulative
    average.

    >>> bn = BatchNorm1d(3)
    >>> list(bn.state_dict())
    ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, *,
                 bias: bool = True) -> None:
        self.num_features = _check_count(num_features)
        eps = check_real("BatchNorm1d", "eps", eps)  # a number: TypeError naming it otherwise
        if momentum is not None:
            momentum = check_real("BatchNorm1d", "momentum", momentum)
        for flag, value in (("affine", affine), ("track_running_stats", track_running_stats),
                            ("bias", bias)):
            check_bool("BatchNorm1d", flag, value)
        if not eps > 0:
            raise ValueError(f"BatchNorm1d eps must be positive, got {eps!r}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"BatchNorm1d momentum must be in [0, 1] or None, got {momentum!r}")
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        dtype = get_default_dtype()
        self.weight = Tensor(np.ones(num_features, dtype), requires_grad=True) if affine else None
        self.bias = Tensor(np.zeros(num_features, dtype), requires_grad=True) \
            if affine and bias else None
        tracked = self.track_running_stats
        self.register_buffer("running_mean", np.zeros(num_features, dtype) if tracked else None)
        self.register_buffer("running_var", np.ones(num_features, dtype) if tracked else None)
        self.register_buffer("num_batches_tracked",
                             np.zeros((), np.int64) if tracked else None)

    def reset_running_stats(self) -> None:
        """Running mean 0, variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean[...] = 0
            self.running_var[...] = 1
            self.num_batches_tracked[...] = 0

    def reset_parameters(self) -> None:
        """Running statistics reset, weight 1, bias 0."""
        self.reset_running_stats()
        if self.weight is not None:
            self.weight.data[...] = 1
        if self.bias is not None:
            self.bias.data[...] = 0

    def forward(self, x: Any) -> Tensor:
        x = _as_tensor(x, "BatchNorm1d")
        if x.ndim not in (2, 3):
            raise ValueError(f"BatchNorm1d: expected a 2-D (N, C) or 3-D (N, C, L) input, got "
                             f"shape {x.shape}")
        if x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d({self.num_features}): input of shape {x.shape} has "
                             f"{x.shape[1]} channels on axis 1")
        use_batch = self.training or self.running_mean is None
        if use_batch and x.size // self.num_features <= 1:
            raise ValueError("BatchNorm1d: expected more than 1 value per channel when "
                             f"training, got an input of shape {x.shape}")
        momentum = 0.0 if self.momentum is None else self.momentum
        update = self.training and self.track_running_stats
        if update:
            self.num_batches_tracked += 1
            if self.momentum is None:  # cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked)
        if update or not use_batch:
            running = (self.running_mean, self.running_var)
        else:
            running = (None, None)
        return batch_norm(x, *running, self.weight, self.bias, use_batch, momentum, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


def _normalized_shape(shape: Any, op: str) -> tuple[int, ...]:
    items = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if not items or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool)
                            and n >= 1 for n in items):
        raise ValueError(f"{op}: normalized_shape must be a positive int or a non-empty tuple of "
                         f"them, got {shape!r}")
    return tuple(int(n) for n in items)


def layer_norm(input: Any, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize over the last ``len(normalized_shape)`` axes, as ``F.layer_norm``.

    >>> import numpy as np
    >>> from autograd import Tensor
    >>> np.round(layer_norm(Tensor([[1.0, 2.0, 3.0]]), 3).data, 3)
    array([[-1.225,  0.   ,  1.225]], dtype=float32)
    """
    x = _as_tensor(input, "layer_norm")
    shape = _normalized_shape(normalized_shape, "layer_norm")
    k = len(shape)
    if x.ndim < k or x.shape[x.ndim - k:] != shape:
        raise ValueError(f"layer_norm: input of shape {x.shape} does not end in normalized_shape "
                         f"{shape}")
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None and getattr(v, "shape", None) != shape:
            raise ValueError(f"layer_norm: {name} must have shape {shape}, got "
                             f"{getattr(v, 'shape', type(v).__name__)}")
    axes = normalize_axes(tuple(range(-k, 0)), x.ndim, "layer_norm")
    return normalize(x, weight, bias, axes, eps, shape)[0]  # one node


class LayerNorm(Module):
    """Normalizes each sample over its last ``len(normalized_shape)`` axes, as
    ``torch.nn.LayerNorm``; then ``weight`` (ones) and ``bias`` (zeros) of shape
    ``normalized_shape`` when ``elementwise_affine`` (``bias=False`` drops the bias).

    >>> ln = LayerNorm(4)
    >>> ln.weight.shape, list(ln.state_dict())
    ((4,), ['weight', 'bias'])
    """

    def __init__(self, normalized_shape: Any, eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True) -> None:
        self.normalized_shape = _normalized_shape(normalized_shape, "LayerNorm")
        eps = check_real("LayerNorm", "eps", eps)
        check_bool("LayerNorm", "elementwise_affine", elementwise_affine)
        check_bool("LayerNorm", "bias", bias)
        if not eps > 0:
            raise ValueError(f"LayerNorm eps must be positive, got {eps!r}")
        self.eps, self.elementwise_affine = eps, bool(elementwise_affine)
        dtype = get_default_dtype()
        shape = self.normalized_shape
        self.weight = Tensor(np.ones(shape, dtype), requires_grad=True) \
            if elementwise_affine else None
        self.bias = Tensor(np.zeros(shape, dtype), requires_grad=True) \
            if elementwise_affine and bias else None

    def forward(self, x: Any) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")
