"""User-defined ops with a hand-written backward, in PyTorch's ``autograd.Function`` shape.

>>> class Cube(Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 3
...     @staticmethod
...     def backward(ctx, grad):
...         (x,) = ctx.saved_values
...         return grad * 3 * x ** 2
>>> y = Cube.apply(Value(2.0))      # works on Tensors too

``forward`` and ``backward`` see plain floats (for Values) or ndarrays (for Tensors).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import value as _value
from .grad_mode import no_grad
from .tensor import Tensor, make
from .value import Value


class FunctionCtx:
    """What ``forward`` leaves for ``backward``: saved values and which inputs need a gradient."""

    def __init__(
        self, fn: type, node_positions: tuple[int, ...], needs_input_grad: tuple[bool, ...]
    ):
        self.fn = fn
        self.node_positions = node_positions
        self.needs_input_grad = needs_input_grad
        self.saved_values: tuple = ()

    def save_for_backward(self, *values: Any) -> None:
        """Keep values (inputs, outputs, intermediates) for ``backward`` in ``ctx.saved_values``."""
        self.saved_values = values


class Function:
    """A user-defined op: subclass with static ``forward(ctx, *args)`` and ``backward(ctx, grad)``,
    then call ``apply``."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionCtx, grad: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *args: Any) -> Value | Tensor:
        """Run ``forward`` on the raw data of the Values or Tensors in ``args`` and record the node.

        Other arguments (numbers, strings, arrays) are passed through unchanged.
        """
        positions = tuple(i for i, a in enumerate(args) if isinstance(a, (Value, Tensor)))
        nodes = tuple(args[i] for i in positions)
        if not nodes:
            raise TypeError(f"{cls.__name__}.apply needs at least one Value or Tensor argument")
        kinds = {type(n) for n in nodes}
        if len(kinds) > 1:
            raise TypeError(f"{cls.__name__}.apply cannot mix Values and Tensors")
        is_tensor = isinstance(nodes[0], Tensor)
        needs = tuple(isinstance(a, (Value, Tensor)) and a.requires_grad for a in args)
        ctx = FunctionCtx(cls, positions, needs)
        raw = [a.data if isinstance(a, (Value, Tensor)) else a for a in args]
        with no_grad():
            out = cls.forward(ctx, *raw)
        if is_tensor:
            dtype = nodes[0].data.dtype
            out = (
                out
                if isinstance(out, np.ndarray) and out.dtype.kind == "f"
                else np.asarray(out, dtype)
            )
            return make(out, nodes, _function_back, cls.__name__, ctx)
        if isinstance(out, (Value, Tensor)):
            raise TypeError(f"{cls.__name__}.forward must return a float, got {type(out).__name__}")
        out = _value._to_float(out, f"{cls.__name__}.forward's result")
        return _value._node(out, nodes, _function_back, cls.__name__, ctx)


def _function_back(ctx: FunctionCtx, g: Any, out: Any, *inputs: Any) -> tuple:
    name = ctx.fn.__name__
    if isinstance(g, (Value, Tensor)):
        raise RuntimeError(
            f"{name}.backward works on raw floats/ndarrays, so grad(create_graph=True) cannot "
            "differentiate through it a second time; build the op from built-in ops for that"
        )
    grads = ctx.fn.backward(ctx, g)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) == len(ctx.needs_input_grad):
        grads = tuple(grads[i] for i in ctx.node_positions)
    elif len(grads) != len(inputs):
        raise ValueError(
            f"{name}.backward returned {len(grads)} gradients; forward took "
            f"{len(ctx.needs_input_grad)} arguments ({len(inputs)} of them Values/Tensors)"
        )
    checked = []
    for i, (x, gx) in enumerate(zip(inputs, grads)):
        if gx is None:
            checked.append(None)
        elif isinstance(x, np.ndarray):
            gx = np.array(gx, dtype=x.dtype)  # a copy: the caller may keep what it returned
            if gx.shape != x.shape:
                raise ValueError(
                    f"{name}.backward returned a gradient of shape {gx.shape} for input {i} "
                    f"of shape {x.shape}"
                )
            checked.append(gx)
        else:
            checked.append(_value._to_float(gx, f"{name}.backward's gradient {i}"))
    return tuple(checked)
