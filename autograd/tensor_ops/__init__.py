"""Tensor ops, one family per file, each forward beside its backward; attached to Tensor here."""

from __future__ import annotations

import functools

import numpy as np

from ..tensor import Tensor, floating
from . import arithmetic, compare, elementwise, index, matmul, reduce, scan, shape, softmax
from .combine import concatenate, maximum, minimum, stack, where
from .index import gather, one_hot
from .pad import pad


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


def _on_floats(fn, unary: bool):
    """``fn`` as a method that only makes sense on reals: integer and bool Tensors become the
    default float first (``Tensor([1, 2]).exp()`` is float32, as in PyTorch). A one-argument
    wrapper for the unary ops: ``*args`` would double the cost of a small ``tanh``."""
    if unary:
        def method(self):
            if self.data.dtype.kind != "f":
                self = floating(self)
            return fn(self)
    else:
        def method(self, *args, **kwargs):
            if self.data.dtype.kind != "f":
                self = floating(self)
            return fn(self, *args, **kwargs)

    return functools.wraps(fn)(method)


Tensor.__lt__ = compare.lt
Tensor.__le__ = compare.le
Tensor.__gt__ = compare.gt
Tensor.__ge__ = compare.ge
Tensor.__eq__ = compare.eq
Tensor.__ne__ = compare.ne
Tensor.all = compare.all
Tensor.any = compare.any

for _name in ("exp", "log", "sqrt", "tanh", "sigmoid", "sin", "cos", "leaky_relu", "elu"):
    setattr(Tensor, _name, _on_floats(getattr(elementwise, _name), _name not in ("leaky_relu",
                                                                                  "elu")))
for _name in ("relu", "abs"):  # these keep an integer dtype, as in PyTorch
    setattr(Tensor, _name, getattr(elementwise, _name))


# ``clip`` with PyTorch's promotion: bounds are weak scalars, so a float32 Tensor stays float32,
# an integer one stays integer with integer bounds and becomes the default float with a float
# bound (NumPy alone gives float64 for both).
def _clip(self, lo=None, hi=None):
    floats = [b for b in (lo, hi) if isinstance(b, (float, np.floating))]
    if floats and self.data.dtype.kind != "f":
        self = floating(self)
    if floats:
        lo, hi = (float(b) if isinstance(b, np.floating) else b for b in (lo, hi))
    return elementwise.clip(self, lo, hi)


Tensor.clip = functools.wraps(elementwise.clip)(_clip)
for _name in ("sum", "mean", "max", "min", "var"):
    setattr(Tensor, _name, getattr(reduce, _name))
for _name in ("reshape", "transpose", "flatten", "broadcast_to", "view", "permute", "unsqueeze",
              "squeeze", "expand", "split", "chunk"):
    setattr(Tensor, _name, getattr(shape, _name))
for _name in ("argmax", "argmin", "gather"):
    setattr(Tensor, _name, getattr(index, _name))
Tensor.cumsum = scan.cumsum
Tensor.softmax = softmax.softmax
Tensor.logsumexp = softmax.logsumexp

__all__ = ["concatenate", "stack", "where", "maximum", "minimum", "gather", "one_hot", "pad"]
