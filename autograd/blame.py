"""Blame: which node's local derivative is wrong, when a gradient check fails end to end.

Why: "the gradient of input 1 does not match" says a derivative is wrong somewhere between the
input and the output. Each op's backward is a small function ``back(ctx, g, out, *inputs)``,
so each can be checked on its own: at the values recorded in the forward pass, its
vector-Jacobian product with a random ``g`` must equal central finite differences of the op's
own forward. The first node (in backward order) that fails is the one to fix.

How the op's forward is re-run without knowing the op: ``fn`` is called again with one input of
the node nudged by ``±eps``. Nodes are identified by the order in which they are created (the
same ``fn`` on the same inputs builds the same graph), so the nudge is applied to the parent's
data the moment the parent is created (``sites.Watch``), the node's other inputs are reset to
their recorded values when they are created (they may depend on the nudged one), and the run
stops as soon as the node under test exists. That works for every op, built-in or a user
``Function``, Value or Tensor.
Parents that are leaves are nudged in place (and restored) when the same leaf object is used on
every call (the inputs, a model's parameters); constants made fresh inside ``fn`` are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engine import topological_order
from .grad_mode import enable_grad, no_grad
from .sites import Site, recording_sites, watching

__all__ = ["Blame", "blame"]

_SEED = 1


@dataclass
class Blame:
    """The first node (in backward order) whose backward disagrees with finite differences.

    ``op``, ``label``, ``site`` (where your code created it), ``input_index`` (which of the
    node's inputs gets the wrong gradient), ``index`` (the worst element of that input),
    ``analytic`` and ``numeric`` (the local vector-Jacobian products there, for a random
    upstream ``g``), and ``node`` itself.

    ``reason`` says how sure that is: ``"wrong"``; ``"kink"`` (the input lies within ``eps``
    of a point where the op is not differentiable: the slopes on its two sides differ, its
    backward gives one of them, and the end-to-end check failed for that reason, not for a
    bug); ``"imprecise"`` (float16/32 data, whose finite differences cannot tell).
    """

    op: str
    label: str
    site: Site | None
    input_index: int
    index: tuple
    analytic: float
    numeric: float
    node: Any
    reason: str = "wrong"
    sides: tuple = ()  # (left, right) one-sided slopes, for a kink

    def __str__(self) -> str:
        label = f" ({self.label!r})" if self.label else ""
        where = f"\n    created at {self.site}" if self.site else ""
        at = f" at index {self.index}" if self.index else ""
        if self.reason == "kink":
            return (
                f"blame: no op's backward is wrong; input {self.input_index}{at} of "
                f"{self.op!r}{label} lies within eps of a point where it is not "
                f"differentiable{where}\n"
                f"    one-sided slopes (its forward) = {self.sides[0]!r} and {self.sides[1]!r}\n"
                f"    local analytic (its backward)  = {self.analytic!r}\n"
                "    check at inputs away from the kink, or with a smaller eps"
            )
        verdict = "is wrong" if self.reason == "wrong" else (
            "disagrees with finite differences (float16/32 data cannot resolve them: check "
            "in float64 before you trust this)")
        return (
            f"blame: the backward of {self.op!r}{label} {verdict} for its input "
            f"{self.input_index}{at}{where}\n"
            f"    local analytic (its backward)  = {self.analytic!r}\n"
            f"    local numeric (its forward)    = {self.numeric!r}"
        )


class _Stop(Exception):
    """Raised inside a re-run once the node under test exists: the rest of ``fn`` is not needed."""


def blame(fn: Callable[..., Any], args: tuple, eps: float = 1e-6, atol: float = 1e-5,
          rtol: float = 1e-3, outputs: Callable[[Any], list] | None = None) -> Blame | None:
    """Check every node's local backward under ``fn(*args)``; the first wrong one, or None.

    ``outputs`` turns ``fn``'s result into a list of output nodes (default: the result, or the
    items of a tuple). None means every local derivative matches, or ``fn`` does not build the
    same graph twice (then nothing can be re-run).

    >>> from autograd import Value
    >>> print(blame(lambda x: x.tanh() * x, (Value(0.5),)))
    None
    """
    outputs = outputs or (lambda out: list(out) if isinstance(out, (tuple, list)) else [out])
    created: list = []
    with enable_grad(), recording_sites() as sites, watching(created.append):
        outs = outputs(fn(*args))
    seq = {node: i for i, node in enumerate(created)}
    with enable_grad():
        again = outputs(fn(*args))
    persistent = {n for n in topological_order(again) if not n._prev} & set(
        n for n in topological_order(outs) if not n._prev
    )
    rng = np.random.default_rng(_SEED)
    doubtful = None  # the first kink or low-precision mismatch, if no node is plainly wrong
    for node in reversed(topological_order(outs)):
        if node._back is None or node not in seq:
            continue
        found = _check_node(fn, args, node, seq, persistent, rng, eps, atol, rtol)
        if found is not None:
            position, index, a, n, reason, sides = found
            verdict = Blame(node._op, node.label, sites.get(node), position, index, a, n, node,
                            reason, sides)
            if reason == "wrong":
                return verdict
            doubtful = doubtful or verdict
    return doubtful


def _is_array(x: Any) -> bool:
    return isinstance(x, np.ndarray)


def _check_node(fn: Callable, args: tuple, node: Any, seq: dict, persistent: set,
                rng: np.random.Generator, eps: float, atol: float, rtol: float) -> tuple | None:
    """(input position, index, analytic, numeric, reason, one-sided slopes) of the node's worst
    wrong input, or None."""
    out = node.data
    # A random upstream direction with |g| in [1, 2): never smaller than a unit seed, so the
    # absolute tolerance that flagged the end-to-end mismatch also flags the local one.
    shape_out = np.shape(out)
    g = rng.choice([-1.0, 1.0], size=shape_out) * rng.uniform(1.0, 2.0, size=shape_out)
    g = g.astype(out.dtype) if _is_array(out) else float(g)
    prev = node._prev
    with no_grad(), np.errstate(all="ignore"):
        local = node._back(node._ctx, g, out, *[p.data for p in prev])
    done: set = set()
    for position, parent in enumerate(prev):
        if parent in done or not parent.requires_grad:
            continue
        done.add(parent)
        if parent not in seq and parent not in persistent:
            continue  # a constant made fresh inside fn: it cannot be nudged
        shape = np.shape(parent.data)
        analytic = np.zeros(shape)
        for q, pg in zip(prev, local):  # the same node used twice: its gradients add up
            if q is parent and pg is not None:
                analytic = analytic + np.asarray(pg, np.float64).reshape(shape)
        numeric = np.empty(shape)
        left, right = np.empty(shape), np.empty(shape)  # one-sided differences, for kinks
        g64, out64 = np.asarray(g, np.float64), np.asarray(out, np.float64)
        for idx in np.ndindex(*shape):
            plus = _nudged_output(fn, args, node, parent, seq, idx, eps)
            minus = _nudged_output(fn, args, node, parent, seq, idx, -eps)
            if plus is None or minus is None:
                return None  # fn built a different graph: nothing to compare against
            plus, minus = np.asarray(plus, np.float64), np.asarray(minus, np.float64)
            numeric[idx] = float(np.sum(g64 * (plus - minus))) / (2 * eps)
            left[idx] = float(np.sum(g64 * (out64 - minus))) / eps
            right[idx] = float(np.sum(g64 * (plus - out64))) / eps
        close = np.isclose(analytic, numeric, rtol=rtol, atol=atol)
        if not close.all():
            excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
            excess = np.where(np.isnan(excess), np.inf, np.where(close, -np.inf, excess))
            worst = tuple(int(k) for k in np.unravel_index(int(np.argmax(excess)), shape))
            a, l_, r = analytic[worst], left[worst], right[worst]
            reason = "wrong"
            if not np.isclose(l_, r, rtol=rtol, atol=atol) and (
                    np.isclose(a, l_, rtol=rtol, atol=atol)
                    or np.isclose(a, r, rtol=rtol, atol=atol)):
                reason = "kink"  # the two sides disagree, and the backward gives one of them
            elif any(_low_precision(x) for x in (out, parent.data)):
                reason = "imprecise"
            return (position, worst, float(a), float(numeric[worst]), reason,
                    (float(l_), float(r)))
    return None


def _low_precision(x: Any) -> bool:
    """Float data narrower than float64 (its finite differences cannot be trusted at eps)."""
    return _is_array(x) and x.dtype.kind == "f" and x.dtype.itemsize < 8


def _nudge(node: Any, idx: tuple, delta: float) -> None:
    """Add ``delta`` to one element of ``node.data`` (a fresh copy for arrays: views are shared)."""
    if _is_array(node.data):
        data = np.array(node.data, copy=True)
        data[idx] += delta
        node.data = data
    else:
        node.data = node.data + delta


def _nudged_output(fn: Callable, args: tuple, target: Any, parent: Any, seq: dict, idx: tuple,
                   delta: float) -> Any:
    """``target``'s data when ``fn`` is re-run with ``parent``'s element ``idx`` moved by delta."""
    target_at = seq[target]
    parent_at = seq.get(parent)
    # The target's other inputs keep their recorded values, even where they depend on the
    # nudged one: a local derivative moves one input and holds the others still.
    others = {seq[q]: q for q in target._prev if q is not parent and q in seq}
    count = [0]
    result: list = []

    def observe(node: Any) -> None:
        i = count[0]
        count[0] += 1
        if i == parent_at:
            _nudge(node, idx, delta)
        elif i in others:
            node.data = others[i].data
        if i == target_at:
            if node._op != target._op:
                raise _Stop
            result.append(np.array(node.data, copy=True) if _is_array(node.data) else node.data)
            raise _Stop

    saved = parent.data
    try:
        if parent_at is None:  # a leaf used on every call: nudge it where it is
            _nudge(parent, idx, delta)
        with enable_grad(), watching(observe), np.errstate(all="ignore"):
            fn(*args)
    except _Stop:
        pass
    except (ArithmeticError, ValueError):
        return None  # the nudge left the op's domain
    finally:
        if parent_at is None:
            parent.data = saved
    return result[0] if result else None
