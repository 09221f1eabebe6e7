"""Tensor ops, one family per file, each forward beside its backward; attached to Tensor here."""

from __future__ import annotations

from ..tensor import Tensor
from . import arithmetic, elementwise, matmul, reduce, shape
from .combine import concatenate, maximum, minimum, stack, where


def _swap(fn):
    """The reflected operator: ``other OP self`` from ``fn(self, other)``'s counterpart."""

    def reflected(self, other):
        from ..tensor import as_operand

        return fn(as_operand(other, self), self)

    reflected.__name__ = f"r{fn.__name__}"
    return reflected


Tensor.__add__ = arithmetic.add
Tensor.__radd__ = _swap(arithmetic.add)
Tensor.__sub__ = arithmetic.sub
Tensor.__rsub__ = _swap(arithmetic.sub)
Tensor.__mul__ = arithmetic.mul
Tensor.__rmul__ = _swap(arithmetic.mul)
Tensor.__truediv__ = arithmetic.div
Tensor.__rtruediv__ = _swap(arithmetic.div)
Tensor.__pow__ = arithmetic.pow
Tensor.__rpow__ = arithmetic.rpow
Tensor.__matmul__ = matmul.matmul
Tensor.__rmatmul__ = _swap(matmul.matmul)
Tensor.__neg__ = arithmetic.neg
Tensor.__abs__ = elementwise.abs
Tensor.__getitem__ = shape.getitem

for _name in (
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sigmoid",
    "relu",
    "leaky_relu",
    "elu",
    "sin",
    "cos",
    "abs",
    "clip",
):
    setattr(Tensor, _name, getattr(elementwise, _name))
for _name in ("sum", "mean", "max", "min", "var"):
    setattr(Tensor, _name, getattr(reduce, _name))
for _name in ("reshape", "transpose", "flatten", "broadcast_to"):
    setattr(Tensor, _name, getattr(shape, _name))

__all__ = ["concatenate", "stack", "where", "maximum", "minimum"]
