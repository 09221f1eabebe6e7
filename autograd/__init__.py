"""chainrule's autograd: scalar ``Value`` and NumPy ``Tensor`` nodes on one reverse-mode engine."""

from . import functional  # autograd.functional: vjp, jvp, jacobian, hessian, hvp
from .anomaly import AnomalyError, detect_anomaly, draw_anomaly
from .check_backward import BackwardReport, check_backward
from .dtype import get_default_dtype, set_default_dtype
from .engine import grad
from .explain import explain
from .factories import (
    arange,
    eye,
    from_numpy,
    full,
    linspace,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    zeros,
    zeros_like,
)
from .function import Function, FunctionCtx
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .random import Generator, manual_seed, multinomial
from .tensor import Tensor
from .tensor_ops import concatenate, gather, maximum, minimum, one_hot, pad, stack, where
from .value import Value, dot
from .viz import backward_steps, draw_dot, gradient_flow

__all__ = [
    "Value",
    "dot",
    "grad",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "Tensor",
    "Function",
    "FunctionCtx",
    "set_default_dtype",
    "get_default_dtype",
    "concatenate",
    "stack",
    "where",
    "maximum",
    "minimum",
    "gather",
    "one_hot",
    "pad",
    "zeros",
    "ones",
    "full",
    "from_numpy",
    "zeros_like",
    "ones_like",
    "arange",
    "linspace",
    "eye",
    "rand",
    "randn",
    "randint",
    "Generator",
    "manual_seed",
    "multinomial",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "draw_dot",
    "backward_steps",
    "gradient_flow",
    "detect_anomaly",
    "AnomalyError",
    "draw_anomaly",
    "explain",
    "check_backward",
    "BackwardReport",
    "functional",
]
