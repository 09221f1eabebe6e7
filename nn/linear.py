"""``Linear``: the affine layer ``y = x W^T + b`` with PyTorch's layout, names and initialization.

``weight`` has shape ``(out_features, in_features)`` and ``bias`` ``(out_features,)``, so
``state_dict()`` reads like PyTorch's and a trained model moves over with ``torch.from_numpy``
and no transposes. Parameters take autograd's default float dtype (float32 unless
``autograd.set_default_dtype`` changed it).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, get_default_dtype
from autograd.tensor_ops.matmul import linear

from . import init
from ._checks import check_bool, check_int
from .module import Module


class Linear(Module):
    """Applies ``x @ weight.T + bias`` to inputs of shape ``(..., in_features)``.

    Initialized as PyTorch does: ``kaiming_uniform_(weight, a=sqrt(5))`` (that is,
    U(-1/sqrt(in_features), 1/sqrt(in_features))) and the bias from the same range.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        in_features = check_int("Linear", "in_features", in_features, minimum=0)
        out_features = check_int("Linear", "out_features", out_features, minimum=0)
        bias = check_bool("Linear", "bias", bias)
        self.in_features = in_features
        self.out_features = out_features
        dtype = get_default_dtype()
        self.weight = Tensor(np.empty((out_features, in_features), dtype), requires_grad=True)
        self.bias = Tensor(np.empty(out_features, dtype), requires_grad=True) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh initial values (PyTorch's defaults) from ``nn.init``'s generator."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Any) -> Tensor:
        if not isinstance(x, Tensor):
            if x is None or isinstance(x, (str, bytes, dict, set)):
                raise TypeError(f"Linear expects a Tensor input, got {type(x).__name__}")
            x = Tensor(x, dtype=self.weight.dtype)
        try:
            return linear(x, self.weight, self.bias)  # one node; it checks the shapes
        except ValueError:
            raise ValueError(
                f"Linear(in_features={self.in_features}) got an input of shape {x.shape}; "
                f"its last dimension must be {self.in_features}"
            ) from None

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
