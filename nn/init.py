"""Parameter initialization with PyTorch's signatures and formulas (``torch.nn.init``).

Each function fills ``t.data`` in place, keeping its dtype, and returns ``t``; it records no
graph. ``t`` is a ``Tensor`` (a ``Value`` works for the functions that need no fan, as a 0-d
tensor). Randomness comes from the generator in ``nn.rng``: ``nn.init.manual_seed(0)`` makes
it reproducible, or pass ``generator=np.random.default_rng(...)`` to one call.

Fans follow PyTorch: for a weight of shape ``(out, in, *kernel)``, ``fan_in = in * prod(kernel)``
and ``fan_out = out * prod(kernel)``; fewer than 2 dimensions has no fan (ValueError).
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np

from autograd import Tensor, Value

from . import rng
from ._checks import check_generator, check_real
from .rng import manual_seed

__all__ = [
    "calculate_gain", "constant_", "zeros_", "ones_", "uniform_", "normal_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "manual_seed",
]

Generator = np.random.Generator | None


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's table).

    linear, conv*, sigmoid: 1; tanh: 5/3; relu: sqrt(2); leaky_relu: sqrt(2 / (1 + slope²)) with
    slope ``param`` (default 0.01); selu: 3/4.
    """
    linear_fns = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d")
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, Real) and not isinstance(param, (bool, np.bool_)):
            slope = float(param)
        else:
            raise ValueError(f"negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


def _check_target(who: str, t: Any) -> None:
    """TypeError unless ``t`` is a Value or a floating, writable Tensor."""
    if isinstance(t, Value):
        return
    if not isinstance(t, Tensor):
        raise TypeError(f"nn.init.{who}: tensor must be a Tensor or a Value, "
                        f"got {type(t).__name__}")
    if t.data.dtype.kind != "f":
        raise TypeError(f"nn.init.{who}: tensor must be floating, got dtype {t.data.dtype}")
    if not t.data.flags.writeable:
        raise ValueError(f"nn.init.{who}: the tensor's array is read-only")


def _fill(t: Any, values: np.ndarray | float) -> Any:
    """Write ``values`` into ``t`` in place (a Value takes a float), keeping its dtype."""
    if isinstance(t, Value):
        t.data = float(np.asarray(values).reshape(()))
    else:
        t.data[...] = values
    return t


def _shape(t: Any) -> tuple:
    return () if isinstance(t, Value) else tuple(t.data.shape)


def _gen(generator: Generator, who: str = "init") -> np.random.Generator:
    check_generator(f"nn.init.{who}", generator)
    return rng.generator() if generator is None else generator


def _fans(t: Any) -> tuple[int, int]:
    shape = _shape(t)
    if len(shape) < 2:
        raise ValueError(
            f"fan in and fan out cannot be computed for a tensor of shape {shape} "
            "(it needs at least 2 dimensions)"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan(t: Any, mode: str) -> int:
    if not isinstance(mode, str) or mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode!r} is not supported, use 'fan_in' or 'fan_out'")
    fan_in, fan_out = _fans(t)
    return fan_in if mode == "fan_in" else fan_out


def constant_(t: Any, val: float) -> Any:
    """Fill with ``val``."""
    _check_target("constant_", t)
    if isinstance(val, (bool, np.bool_)) or not isinstance(val, Real):
        raise TypeError(f"nn.init.constant_: val must be a number, got {type(val).__name__}")
    return _fill(t, val)


def zeros_(t: Any) -> Any:
    """Fill with 0."""
    _check_target("zeros_", t)
    return _fill(t, 0.0)


def ones_(t: Any) -> Any:
    """Fill with 1."""
    _check_target("ones_", t)
    return _fill(t, 1.0)


def uniform_(t: Any, a: float = 0.0, b: float = 1.0, generator: Generator = None) -> Any:
    """Fill with draws from U(a, b); ``a <= b``, both finite."""
    _check_target("uniform_", t)
    a, b = check_real("nn.init.uniform_", "a", a), check_real("nn.init.uniform_", "b", b)
    if a > b:
        raise ValueError(f"nn.init.uniform_: the lower bound a={a} must be <= the upper bound "
                         f"b={b}")
    return _fill(t, _gen(generator, "uniform_").uniform(a, b, size=_shape(t)))


def normal_(t: Any, mean: float = 0.0, std: float = 1.0, generator: Generator = None) -> Any:
    """Fill with draws from N(mean, std²); ``std >= 0``, both finite."""
    _check_target("normal_", t)
    mean = check_real("nn.init.normal_", "mean", mean)
    std = check_real("nn.init.normal_", "std", std, low=0.0)
    return _fill(t, _gen(generator, "normal_").normal(mean, std, size=_shape(t)))


def xavier_uniform_(t: Any, gain: float = 1.0, generator: Generator = None) -> Any:
    """Glorot & Bengio (2010): U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``."""
    _check_target("xavier_uniform_", t)
    gain = check_real("nn.init.xavier_uniform_", "gain", gain, low=0.0)
    fan_in, fan_out = _fans(t)
    if fan_in * fan_out == 0:  # a zero-element tensor: nothing to fill (PyTorch warns)
        return t
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(t, -a, a, generator)


def xavier_normal_(t: Any, gain: float = 1.0, generator: Generator = None) -> Any:
    """Glorot & Bengio (2010): N(0, std²) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    _check_target("xavier_normal_", t)
    gain = check_real("nn.init.xavier_normal_", "gain", gain, low=0.0)
    fan_in, fan_out = _fans(t)
    if fan_in * fan_out == 0:
        return t
    return normal_(t, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(
    t: Any, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
    generator: Generator = None,
) -> Any:
    """He et al. (2015): U(-bound, bound), ``bound = gain * sqrt(3 / fan)``, gain from
    ``calculate_gain(nonlinearity, a)``. ``Linear`` uses ``a=sqrt(5)``: bound = 1/sqrt(fan_in)."""
    _check_target("kaiming_uniform_", t)
    gain = calculate_gain(nonlinearity, a)
    fan = _fan(t, mode)
    if fan == 0:
        return t
    bound = gain * math.sqrt(3.0 / fan)
    return uniform_(t, -bound, bound, generator)


def kaiming_normal_(
    t: Any, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
    generator: Generator = None,
) -> Any:
    """He et al. (2015): N(0, std²), ``std = gain / sqrt(fan)``."""
    _check_target("kaiming_normal_", t)
    gain = calculate_gain(nonlinearity, a)
    fan = _fan(t, mode)
    if fan == 0:
        return t
    return normal_(t, 0.0, gain / math.sqrt(fan), generator)
