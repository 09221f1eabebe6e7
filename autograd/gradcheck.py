"""Gradient checking: the engine's derivatives against central finite differences.

``gradcheck(fn, inputs)`` runs ``fn`` once with the graph recorded and asks the engine for the
gradient of its output(s) with respect to every input; then it nudges each input element by
``±eps`` and measures how the output moves. The two must agree, element by element, within
``atol + rtol * |numeric|`` (PyTorch's rule). A custom ``Function`` with a wrong backward, a
backward that forgets a term, or a broadcast that is not summed back all show up here.

A non-scalar output is reduced with a fixed random upstream gradient ``v`` (seeded, so a run is
reproducible): the check compares the vector-Jacobian product ``vᵀJ``, which is what
``backward`` computes, and a wrong Jacobian entry changes it for almost every ``v``.

``gradgradcheck`` does the same one level up: the "function" is the first gradient (computed with
``create_graph=True``, weighted by a second random vector), so its derivative is the double
backward, and the reference is finite differences of the first gradient.

Inputs are never changed: a ``Value``'s ``data`` is restored after each nudge, and a ``Tensor``
is nudged in a private copy of its array (its own array is put back at the end), so even an
array shared with the caller's NumPy code is never written. ``.grad`` is never touched: the
analytic side uses ``autograd.grad``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .engine import grad
from .grad_mode import enable_grad, no_grad

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]

_SEED = 0  # fixed upstream gradients: the same call gives the same verdict every time


class GradcheckError(AssertionError):
    """Analytic and numeric derivatives disagree.

    The message names the input (position and label), the element index and both values;
    the same facts are attributes: ``input_index``, ``label``, ``index``, ``analytic``,
    ``numeric``. ``blame`` is the first node (in backward order) whose own backward disagrees
    with finite differences of its forward (an ``autograd.blame.Blame``: op, label, the line
    that created it, local analytic and numeric values), or None when every node's local
    derivative is right (``gradcheck`` only; see ``autograd/blame.py``).
    """

    def __init__(
        self,
        message: str,
        input_index: int = -1,
        label: str = "",
        index: tuple = (),
        analytic: float = float("nan"),
        numeric: float = float("nan"),
        blame: Any = None,
    ) -> None:
        super().__init__(message)
        self.blame = blame
        self.input_index = input_index
        self.label = label
        self.index = index
        self.analytic = analytic
        self.numeric = numeric


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check ``fn``'s gradients (as the engine computes them) against central finite differences.

    ``inputs`` is a Value, a Tensor or a tuple of them (other items in the tuple are passed to
    ``fn`` unchanged and not checked; Tensors with ``requires_grad=False`` are constants).
    ``fn(*inputs)`` returns a Value, a Tensor, or a tuple of them. Returns True when every
    element agrees within ``atol + rtol * |numeric|``; otherwise raises ``GradcheckError``
    (or returns False when ``raise_exception=False``). Use float64 Tensors: float32 cannot
    resolve a step of ``eps``, so a float32 input triggers a warning.

    >>> from autograd import Value, gradcheck
    >>> x = Value(2.0, label="x")
    >>> gradcheck(lambda x: x.tanh() * x, x)
    True
    """
    return _check(fn, inputs, eps, atol, rtol, raise_exception, order=1)


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check second derivatives: the double backward against finite differences of the gradient.

    The first gradient ``g(x) = grad(fn(x) · v, x, create_graph=True)`` (random ``v`` for a
    non-scalar output) is itself checked like ``gradcheck`` checks ``fn``: its vector-Jacobian
    product with a second random vector is the Hessian-vector product the engine computes by
    differentiating the gradient graph, and the reference is central differences of ``g``.
    Same arguments, return value and errors as ``gradcheck``.

    >>> from autograd import Value, gradgradcheck
    >>> x = Value(0.5)
    >>> gradgradcheck(lambda x: x.sin() * x ** 3, x)
    True
    """
    check_callable("gradgradcheck", "fn", fn)
    check_tolerances("gradgradcheck", eps, atol, rtol)
    args = _as_args(inputs)
    checked = _checked_positions(args, "gradgradcheck")
    upstream: list = []

    def first_gradient(*call_args: Any) -> tuple:
        """The gradient of fn's (weighted) output w.r.t. each checked input, as graph nodes."""
        with enable_grad():
            outs = _outputs(fn(*call_args), "gradgradcheck")
            if not upstream:  # fixed at the unperturbed point, reused for every nudge
                upstream.extend(_upstream(outs))
            wrt = [call_args[i] for i in checked]
            grads = grad(outs, wrt, grad_outputs=upstream, create_graph=True, allow_unused=True)
        return tuple(_as_node(g, x) for g, x in zip(grads, wrt))

    return _check(first_gradient, args, eps, atol, rtol, raise_exception, order=2)


# ---------------------------------------------------------------------------------------------


def _is_node(x: Any) -> bool:
    return hasattr(x, "_prev") and hasattr(x, "data") and hasattr(x, "requires_grad")


def _is_tensor(x: Any) -> bool:
    return _is_node(x) and isinstance(x.data, np.ndarray)


def _as_args(inputs: Any) -> tuple:
    if isinstance(inputs, (tuple, list)):
        return tuple(inputs)
    if not _is_node(inputs):
        raise TypeError(
            f"gradcheck: inputs must be a Value, a Tensor or a tuple of them, "
            f"got {type(inputs).__name__}"
        )
    return (inputs,)


def _checked_positions(args: tuple, who: str) -> list[int]:
    checked = [i for i, a in enumerate(args) if _is_node(a) and a.requires_grad]
    if not checked:
        raise ValueError(f"{who}: no input is a Value or a Tensor with requires_grad=True")
    for i in checked:
        if _is_tensor(args[i]) and args[i].data.dtype.kind != "f":
            raise TypeError(f"{who}: input {i} has dtype {args[i].data.dtype}, not floating")
    return checked


def _outputs(out: Any, who: str) -> list:
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    if not outs:
        raise TypeError(f"{who}: fn returned an empty tuple")
    for o in outs:
        if not _is_node(o):
            raise TypeError(
                f"{who}: fn must return a Value or a Tensor (or a tuple of them), "
                f"got {type(o).__name__}"
            )
    return outs


def _upstream(outs: list) -> list:
    """The weights of each output: 1 for a lone scalar output, seeded random values otherwise."""
    rng = np.random.default_rng(_SEED)
    lone_scalar = len(outs) == 1 and np.size(outs[0].data) == 1
    vs = []
    for o in outs:
        if _is_tensor(o):
            shape, dtype = o.data.shape, o.data.dtype
            v = np.ones(shape) if lone_scalar else rng.standard_normal(shape)
            vs.append(v.astype(dtype if dtype.kind == "f" else np.float64))
        else:
            vs.append(1.0 if lone_scalar else float(rng.standard_normal()))
    return vs


def _weighted_sum(outs: list, vs: list) -> float:
    """sum_k <v_k, out_k>, in float64: the scalar whose derivative is the checked VJP."""
    total = 0.0
    for o, v in zip(outs, vs):
        total += float(np.sum(np.asarray(v, np.float64) * np.asarray(o.data, np.float64)))
    return total


def _as_node(g: Any, like: Any) -> Any:
    """A gradient from ``grad(..., create_graph=True)`` as a node (zeros for an unused input)."""
    if g is None:
        g = np.zeros_like(like.data) if _is_tensor(like) else 0.0
    if _is_node(g):
        return g
    return type(like)._from_grad(g)


def _describe(i: int, x: Any) -> str:
    kind = type(x).__name__
    label = getattr(x, "label", "")
    text = f"input {i} ({kind}"
    if label:
        text += f" {label!r}"
    if _is_tensor(x):
        text += f", shape {x.data.shape}, dtype {x.data.dtype}"
    return text + ")"


def _warn_low_precision(args: tuple, checked: list[int], who: str) -> None:
    for i in checked:
        x = args[i]
        if _is_tensor(x) and x.data.dtype.itemsize < 8:
            warnings.warn(
                f"{who}: {_describe(i, x)} is {x.data.dtype}; finite differences need float64 "
                f"for a reliable check (a step of eps is lost in {x.data.dtype} rounding). "
                "Build the inputs with dtype=np.float64.",
                UserWarning,
                stacklevel=4,
            )


def _analytic(fn: Callable, args: tuple, checked: list[int]) -> tuple[list, list]:
    """The engine's VJP for each checked input (float64 arrays) and the upstream used."""
    with enable_grad():
        outs = _outputs(fn(*args), "gradcheck")
        vs = _upstream(outs)
        grads = grad(outs, [args[i] for i in checked], grad_outputs=vs, allow_unused=True)
    result = []
    for i, g in zip(checked, grads):
        shape = np.shape(args[i].data)
        if g is None:
            result.append(np.zeros(shape))
        else:
            data = g.data if _is_node(g) else g
            result.append(np.array(data, dtype=np.float64).reshape(shape))
    return result, vs


def _numeric(fn: Callable, args: tuple, i: int, vs: list, eps: float) -> np.ndarray:
    """Central differences of sum <v, fn(args)> w.r.t. every element of input ``i``."""
    x = args[i]

    def phi() -> float:
        return _weighted_sum(_outputs(fn(*args), "gradcheck"), vs)

    with no_grad():
        if not _is_tensor(x):
            original = x.data
            try:
                x.data = original + eps
                plus = phi()
                x.data = original - eps
                minus = phi()
            finally:
                x.data = original
            return np.array((plus - minus) / (2.0 * eps))
        original = x.data
        work = np.array(original, copy=True)  # never write into the caller's array
        out = np.empty(work.shape)
        try:
            x.data = work
            for idx in np.ndindex(*work.shape):
                saved = work[idx]
                work[idx] = saved + eps
                plus = phi()
                work[idx] = saved - eps
                minus = phi()
                work[idx] = saved
                out[idx] = (plus - minus) / (2.0 * eps)
        finally:
            x.data = original
        return out


def _check(
    fn: Callable,
    inputs: Any,
    eps: float,
    atol: float,
    rtol: float,
    raise_exception: bool,
    order: int,
) -> bool:
    who = "gradcheck" if order == 1 else "gradgradcheck"
    check_callable(who, "fn", fn)
    check_tolerances(who, eps, atol, rtol)
    args = _as_args(inputs)
    checked = _checked_positions(args, who)
    _warn_low_precision(args, checked, who)
    analytic, vs = _analytic(fn, args, checked)
    for i, a in zip(checked, analytic):
        n = _numeric(fn, args, i, vs, eps)
        close = np.isclose(a, n, rtol=rtol, atol=atol)
        if close.all():
            continue
        if not raise_exception:
            return False
        error = _mismatch(who, args, i, a, n, close, atol, rtol, vs)
        if order == 1:
            _add_blame(error, fn, args, eps, atol, rtol)
        raise error
    return True


def _add_blame(error: GradcheckError, fn: Callable, args: tuple, eps: float, atol: float,
               rtol: float) -> None:
    """Look for the node to blame (``autograd/blame.py``) and add it to the error."""
    from .blame import blame

    found = blame(fn, args, eps, atol, rtol, outputs=lambda out: _outputs(out, "gradcheck"))
    error.blame = found
    if found is not None:
        text = str(found)
    else:
        text = ("blame: every node's own backward matches finite differences of its forward, so "
                "the fault is in how gradients are combined, or fn is not deterministic")
    error.args = (f"{error.args[0]}\n{text}",)


def check_callable(who: str, name: str, f: Any) -> None:
    """A TypeError naming the argument ``name`` if ``f`` is not a function."""
    if not callable(f):
        raise TypeError(f"{who}: {name} must be callable, got {type(f).__name__}: {f!r}")


def check_tolerances(who: str, eps: float, atol: float, rtol: float) -> None:
    """A ValueError naming the argument if eps is not positive or a tolerance is not a finite
    number >= 0 (a nan tolerance would make every comparison fail, or pass); a TypeError if one
    is not a number at all."""
    for name, x in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        if not isinstance(x, (int, float, np.integer, np.floating)) or isinstance(x, bool):
            raise TypeError(f"{who}: {name} must be a number, got {type(x).__name__}: {x!r}")
    if not 0 < eps < np.inf:
        raise ValueError(f"{who}: eps must be positive and finite, got {eps!r}")
    for name, tol in (("atol", atol), ("rtol", rtol)):
        if not 0 <= tol < np.inf:
            raise ValueError(f"{who}: {name} must be a finite number >= 0, got {tol!r}")


def _mismatch(
    who: str, args: tuple, i: int, a: np.ndarray, n: np.ndarray, close: np.ndarray,
    atol: float, rtol: float, vs: list,
) -> GradcheckError:
    """The error for input ``i``: the worst element, both values, and how far off it is."""
    excess = np.abs(a - n) - (atol + rtol * np.abs(n))
    excess = np.where(np.isnan(excess), np.inf, excess)
    excess = np.where(close, -np.inf, excess)
    index = tuple(int(k) for k in np.unravel_index(int(np.argmax(excess)), a.shape))
    av, nv = float(a[index]), float(n[index])
    x = args[i]
    where = f" at index {index}" if _is_tensor(x) else ""
    what = "gradient" if who == "gradcheck" else "second derivative (Hessian-vector product)"
    lines = [
        f"{who}: {what} mismatch for {_describe(i, x)}{where}:",
        f"    analytic (engine)       = {av!r}",
        f"    numeric (finite diffs)  = {nv!r}",
        f"    |analytic - numeric|    = {abs(av - nv)!r} > atol + rtol * |numeric| "
        f"= {atol + rtol * abs(nv)!r}",
    ]
    bad = int((~close).sum())
    if a.size > 1:
        lines.append(f"    {bad} of {a.size} elements differ")
    upstream_is_one = all(np.all(np.asarray(v) == 1.0) for v in vs)
    if not upstream_is_one:
        lines.append(
            "    (values are vector-Jacobian products with a fixed random upstream gradient, "
            f"seed {_SEED})"
        )
    label = getattr(x, "label", "")
    return GradcheckError("\n".join(lines), i, label, index, av, nv)
