"""chainrule's autograd: scalar ``Value`` and NumPy ``Tensor`` nodes on one reverse-mode engine."""

from .engine import grad
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .value import Value, dot

__all__ = ["Value", "dot", "grad", "no_grad", "enable_grad", "is_grad_enabled"]
