"""Jacobians, Hessians and their products, with ``torch.autograd.functional``'s conventions.

Every function takes ``func`` and ``inputs`` (a Value or Tensor, or a tuple of them) and works
on fresh copies of the inputs, so the caller's graph and ``.grad`` are never touched. Results
come back shaped like the inputs: a single input gives a single result, a tuple gives a tuple.
All are built on ``autograd.grad``, with ``create_graph=True`` where a second derivative is
needed (so every built-in op works; a user ``Function`` only where first derivatives suffice).

- ``vjp(func, inputs, v)`` -> ``(func(inputs), vᵀJ)``: one backward pass.
- ``jvp(func, inputs, v)`` -> ``(func(inputs), J v)``: by the double-vjp trick (the vjp is
  linear in its upstream ``u``, so differentiating it with respect to ``u`` gives ``J v``).
- ``jacobian(func, inputs)``: ``J[i..., j...] = d out[i...] / d in[j...]``, one backward per
  output element.
- ``hessian(func, inputs)``: the Jacobian of the gradient of a scalar ``func``.
- ``hvp(func, inputs, v)`` -> ``(func(inputs), H v)``: gradient, then one more backward.

With ``create_graph=True`` the results are nodes of a graph that reaches the original inputs,
so they can be differentiated again; otherwise they are constants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .engine import grad
from .grad_mode import enable_grad
from .gradcheck import check_callable

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp"]


def _is_node(x: Any) -> bool:
    return hasattr(x, "_prev") and hasattr(x, "requires_grad")


def _is_tensor(x: Any) -> bool:
    return _is_node(x) and isinstance(x.data, np.ndarray)


def _as_tuple(x: Any, what: str, who: str) -> tuple[bool, tuple]:
    """(was it a tuple, the items as a tuple); each item must be a Value or a Tensor."""
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for i, item in enumerate(items):
        if not _is_node(item):
            raise TypeError(
                f"{who}: {what} must be a Value or Tensor (or a tuple of them); "
                f"item {i} is {type(item).__name__}"
            )
    return is_tuple, items


def _fresh(x: Any, create_graph: bool) -> Any:
    """The input to differentiate at: a new leaf with x's data (x itself under create_graph, so
    the results stay connected to the caller's graph)."""
    if create_graph and x.requires_grad:
        return x
    if _is_tensor(x):
        if x.data.dtype.kind != "f":
            raise TypeError(f"inputs must be floating Tensors, got dtype {x.data.dtype}")
        return type(x)(x.data.copy(), requires_grad=True)
    return type(x)(x.data)


def _prepare(inputs: Any, create_graph: bool, who: str) -> tuple[bool, tuple]:
    is_tuple, items = _as_tuple(inputs, "inputs", who)
    return is_tuple, tuple(_fresh(x, create_graph) for x in items)


def _call(func: Callable, xs: tuple, who: str) -> tuple[bool, tuple]:
    with enable_grad():
        out = func(*xs)
    return _as_tuple(out, "func's output", who)


def _zeros_like(x: Any) -> Any:
    return type(x)._from_grad(np.zeros_like(x.data) if _is_tensor(x) else 0.0, x)


def _finish(g: Any, like: Any, create_graph: bool) -> Any:
    """A gradient from ``grad`` as a result: zeros for an unused input, a constant unless
    ``create_graph``."""
    if g is None:
        return _zeros_like(like)
    if create_graph:
        return g
    data = g.data if _is_node(g) else g
    return type(like)._from_grad(data, like)


def _detach(out: Any, create_graph: bool) -> Any:
    if create_graph:
        return out
    if _is_tensor(out):
        return out.detach()
    return type(out)(out.data)


def _vectors(v: Any, like: tuple, what: str, who: str) -> tuple:
    """``v`` as one vector per item of ``like``, checked for count and shape; None means ones
    for a single one-element item (as PyTorch)."""
    if v is None:
        if len(like) != 1 or np.size(like[0].data) != 1:
            raise ValueError(
                f"{who}: v can be left out only when {what} is a single one-element Value or "
                f"Tensor; give v with the shape of {what}"
            )
        return (np.ones_like(like[0].data) if _is_tensor(like[0]) else 1.0,)
    items = tuple(v) if isinstance(v, (tuple, list)) and len(like) > 1 else (v,)
    if len(items) != len(like):
        raise ValueError(f"{who}: got {len(items)} vectors in v for {len(like)} {what}")
    result = []
    for i, (vi, x) in enumerate(zip(items, like)):
        data = vi.data if _is_node(vi) else vi
        if np.shape(data) != np.shape(x.data):
            raise ValueError(
                f"{who}: v[{i}] has shape {np.shape(data)} but {what}[{i}] has shape "
                f"{np.shape(x.data)}"
            )
        result.append(np.asarray(data, dtype=x.data.dtype) if _is_tensor(x) else float(data))
    return tuple(result)


def _shape_like(items: tuple, is_tuple: bool) -> Any:
    return items if is_tuple else items[0]


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False
        ) -> tuple[Any, Any]:
    """``(func(*inputs), vᵀ J)``: the vector-Jacobian product, i.e. what backward computes.

    ``v`` has the output's shape (a tuple for a tuple of outputs); it may be left out for a
    one-element output.

    >>> from autograd import Value
    >>> out, g = vjp(lambda x: x ** 3, Value(2.0))
    >>> out.data, g.data
    (8.0, 12.0)
    """
    check_callable("vjp", "func", func)
    in_tuple, xs = _prepare(inputs, create_graph, "vjp")
    out_tuple, outs = _call(func, xs, "vjp")
    vs = _vectors(v, outs, "the output", "vjp")
    grads = grad(outs, xs, grad_outputs=list(vs), create_graph=create_graph, allow_unused=True)
    result = tuple(_finish(g, x, create_graph) for g, x in zip(grads, xs))
    outs = tuple(_detach(o, create_graph) for o in outs)
    return _shape_like(outs, out_tuple), _shape_like(result, in_tuple)


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False
        ) -> tuple[Any, Any]:
    """``(func(*inputs), J v)``: the Jacobian-vector product (a directional derivative).

    ``v`` has the inputs' shape; it may be left out for a single one-element input.

    >>> import numpy as np
    >>> from autograd import Tensor
    >>> x = Tensor(np.array([1.0, 2.0]))
    >>> out, d = jvp(lambda x: x * x, x, Tensor(np.array([1.0, 0.0])))
    >>> d.data
    array([2., 0.])
    """
    check_callable("jvp", "func", func)
    in_tuple, xs = _prepare(inputs, create_graph, "jvp")
    vs = _vectors(v, xs, "inputs", "jvp")
    out_tuple, outs = _call(func, xs, "jvp")
    us = tuple(_dummy(o) for o in outs)  # the vjp is linear in u; d(vjp · v)/du = J v
    with enable_grad():
        grads = grad(outs, xs, grad_outputs=list(us), create_graph=True, allow_unused=True)
    jv = _grad_of_dot(grads, vs, us, create_graph)
    result = tuple(_finish(g, o, create_graph) for g, o in zip(jv, outs))
    outs = tuple(_detach(o, create_graph) for o in outs)
    return _shape_like(outs, out_tuple), _shape_like(result, out_tuple)


def _dummy(out: Any) -> Any:
    """A leaf of the output's shape standing for the upstream gradient (its value is irrelevant)."""
    if _is_tensor(out):
        return type(out)(np.zeros_like(out.data), requires_grad=True)
    return type(out)(0.0)


def _grad_of_dot(grads: tuple, vs: tuple, wrt: tuple, create_graph: bool) -> tuple:
    """d(sum_k <grads_k, vs_k>) / d(wrt): the second backward of jvp and hvp (None if unused)."""
    with enable_grad():
        pairs = [(g, v) for g, v in zip(grads, vs) if _is_node(g)]
        if not pairs:
            return (None,) * len(wrt)
        total = sum((_dot(g, v) for g, v in pairs[1:]), _dot(*pairs[0]))
        return grad(total, wrt, create_graph=create_graph, allow_unused=True)


def _dot(g: Any, v: Any) -> Any:
    """sum(g * v) as a node."""
    if _is_tensor(g):
        return (g * v).sum()
    return g * v


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False) -> Any:
    """The Jacobian of ``func`` at ``inputs``: for output ``o`` and input ``x``, an array of shape
    ``o.shape + x.shape`` (a Tensor; a Value for a scalar ``o`` and a Value ``x``).

    Nested as PyTorch: a tuple over inputs if ``inputs`` is a tuple, a tuple over outputs if
    ``func`` returns one (each holding the per-input results).

    >>> import numpy as np
    >>> from autograd import Tensor
    >>> jacobian(lambda x: x ** 2, Tensor(np.array([1.0, 3.0]))).data
    array([[2., 0.],
           [0., 6.]])
    """
    check_callable("jacobian", "func", func)
    in_tuple, xs = _prepare(inputs, create_graph, "jacobian")
    out_tuple, outs = _call(func, xs, "jacobian")
    rows = tuple(
        _shape_like(_jacobian_of(o, xs, create_graph), in_tuple) for o in outs
    )
    return _shape_like(rows, out_tuple)


def _jacobian_of(out: Any, xs: tuple, create_graph: bool) -> tuple:
    """d out / d x for each x: one backward per element of ``out``."""
    out_shape = np.shape(out.data)
    per_input: list[list] = [[] for _ in xs]
    for idx in np.ndindex(*out_shape):
        if _is_tensor(out):
            e = np.zeros(out_shape, dtype=out.data.dtype)
            e[idx] = 1
        else:
            e = 1.0
        grads = grad(out, xs, grad_outputs=e, create_graph=create_graph, allow_unused=True)
        for k, (g, x) in enumerate(zip(grads, xs)):
            per_input[k].append(_finish(g, x, create_graph))
    return tuple(_assemble(parts, out, x, create_graph) for parts, x in zip(per_input, xs))


def _assemble(parts: list, out: Any, x: Any, create_graph: bool) -> Any:
    """Rows d out[i] / d x, one per output element, as one node of shape out.shape + x.shape."""
    if not _is_tensor(out) and not _is_tensor(x):
        return parts[0]
    shape = np.shape(out.data) + np.shape(x.data)  # both Tensors: ops never mix the two kinds
    if create_graph:
        from .tensor_ops import stack

        return stack(parts, axis=0).reshape(shape)
    return type(x)(np.stack([p.data for p in parts]).reshape(shape))


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False) -> Any:
    """The Hessian of a scalar ``func``: for inputs ``x`` and ``y``, ``H[x][y]`` has shape
    ``x.shape + y.shape`` (a tuple of tuples when ``inputs`` is a tuple).

    >>> from autograd import Value
    >>> hessian(lambda x, y: x * x * y, (Value(1.0), Value(2.0)))[0][1].data   # d²/dxdy = 2x
    2.0
    """
    check_callable("hessian", "func", func)
    in_tuple, xs = _prepare(inputs, create_graph, "hessian")

    def gradient(*ys: Any) -> tuple:
        out_tuple, outs = _call(func, ys, "hessian")
        if out_tuple or np.size(outs[0].data) != 1:
            raise ValueError("hessian: func must return a single one-element Value or Tensor")
        grads = grad(outs[0], ys, create_graph=True, allow_unused=True)
        return tuple(_finish_node(g, y) for g, y in zip(grads, ys))

    rows = _jacobian_rows(gradient, xs, create_graph)
    rows = tuple(_shape_like(r, in_tuple) for r in rows)
    return _shape_like(rows, in_tuple)


def _finish_node(g: Any, like: Any) -> Any:
    """A first gradient as a node (zeros that depend on nothing for an unused input)."""
    if g is None or not _is_node(g):
        data = 0.0 if g is None else g
        if _is_tensor(like):
            return type(like)(np.zeros_like(like.data) + data)
        return type(like)(float(data))
    return g


def _jacobian_rows(gradient: Callable, xs: tuple, create_graph: bool) -> tuple:
    with enable_grad():
        gs = gradient(*xs)
    return tuple(_jacobian_of(g, xs, create_graph) for g in gs)


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False
        ) -> tuple[Any, Any]:
    """``(func(*inputs), H v)``: the Hessian-vector product of a scalar ``func``, without the
    Hessian (two backward passes).

    >>> from autograd import Value
    >>> out, hv = hvp(lambda x: x ** 3, Value(2.0), Value(1.0))   # 6x * 1
    >>> hv.data
    12.0
    """
    check_callable("hvp", "func", func)
    in_tuple, xs = _prepare(inputs, create_graph, "hvp")
    vs = _vectors(v, xs, "inputs", "hvp")
    out_tuple, outs = _call(func, xs, "hvp")
    if out_tuple or np.size(outs[0].data) != 1:
        raise ValueError("hvp: func must return a single one-element Value or Tensor")
    with enable_grad():
        grads = grad(outs[0], xs, create_graph=True, allow_unused=True)
    hv = _grad_of_dot(grads, vs, xs, create_graph)
    result = tuple(_finish(g, x, create_graph) for g, x in zip(hv, xs))
    return _detach(outs[0], create_graph), _shape_like(result, in_tuple)
