"""``Value``: one scalar node of the computation graph, in pure Python (micrograd-compatible).

Each op below is a method that computes the forward result and records its parents, followed
by its backward function: the chain rule for that op, ``input grad = g * d(out)/d(input)``.
Backward functions receive floats normally and ``Value`` nodes under ``create_graph=True``;
they are written so the same lines work for both (see ``engine``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Real
from typing import Any

from . import engine
from .grad_mode import _GradMode
from .sites import Watch

Number = int | float


def _to_float(x: Any, where: str) -> float:
    """``x`` as a float if it is a real number (not a bool); a TypeError naming its type if not."""
    if isinstance(x, Real) and not isinstance(x, bool) and type(x).__name__ != "bool_":
        return float(x)
    raise TypeError(f"{where} takes an int or float, got {type(x).__name__}: {x!r}")


def _constant(x: Any) -> float | None:
    """A number operand as a float (kept in the op, not made a node); None if not a number."""
    if type(x) is float:
        return x
    if type(x) is int or (
        isinstance(x, Real) and not isinstance(x, bool) and type(x).__name__ != "bool_"
    ):
        return float(x)
    return None


def _lift(x: Any) -> Value | None:
    """``x`` as a Value (numbers become constant leaves); None if it is not a number or Value."""
    if isinstance(x, Value):
        return x
    c = _constant(x)
    return None if c is None else Value(c)


_new = object.__new__


def _node(data: float, prev: tuple, back: Any, op: str, ctx: Any = None) -> Value:
    """A Value computed by an op; records its parents only while grad mode is on."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._op = op
    v._g = None
    if _GradMode.enabled:
        v._prev = prev
        v._back = back
        v._ctx = ctx
        if Watch.active:  # creation sites, anomaly checks (autograd/sites.py); off by default
            Watch.observe(v)
    else:
        v._prev = ()
        v._back = None
        v._ctx = None
    return v


def _data(x: Any) -> float:
    """The float behind a Value, or the float itself (backward functions see either)."""
    return x.data if isinstance(x, Value) else x


def _fmt(x: float) -> str:
    return repr(float(x))


class Value:
    """A scalar that remembers how it was computed, so ``backward()`` can apply the chain rule.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a ** 2
    >>> c.data
    -2.0
    >>> c.backward()
    >>> a.grad, b.grad              # (b + 2a, a)
    (1.0, 2.0)
    """

    __slots__ = ("data", "grad", "label", "_prev", "_back", "_ctx", "_op", "_g")
    requires_grad = True  # every Value takes part in backward, as in micrograd

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = data if type(data) is float else _to_float(data, "Value")
        self.grad = 0.0
        if type(label) is not str and not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}: {label!r}")
        self.label = label
        self._prev = ()
        self._back = None
        self._ctx = None
        self._op = ""
        self._g = None

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        """``float(v)`` is ``v.data``.

        >>> from autograd import Value
        >>> float(Value(2.5))
        2.5
        """
        return self.data

    def __format__(self, spec: str) -> str:
        """``f"{v:.2f}"`` formats ``v.data``; an empty spec gives ``str(v)`` (the repr).

        >>> from autograd import Value
        >>> f"{Value(3.14159):.2f} {Value(1.0)}"
        '3.14 Value(data=1.0, grad=0.0)'
        """
        return format(self.data, spec) if spec else str(self)

    # ----------------------------------------------------------------- arithmetic

    def __add__(self, other: Value | Number) -> Value:
        """``self + other`` (a Value or a number, on either side)."""
        if isinstance(other, Value):
            return _node(self.data + other.data, (self, other), _add_back, "+")
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _node(self.data + c, (self,), _identity_back, "+", c)

    def __radd__(self, other: Number) -> Value:  # c + self
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _node(c + self.data, (self,), _identity_back, "c+", c)

    def __sub__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            return _node(self.data - other.data, (self, other), _sub_back, "-")
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _node(self.data - c, (self,), _identity_back, "-", c)

    def __rsub__(self, other: Number) -> Value:  # c - self
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _node(c - self.data, (self,), _neg_back, "c-", c)

    def __mul__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            return _node(self.data * other.data, (self, other), _mul_back, "*")
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _node(self.data * c, (self,), _slope_back, "*", c)

    def __rmul__(self, other: Number) -> Value:  # c * self
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _node(c * self.data, (self,), _slope_back, "c*", c)

    def __truediv__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            if other.data == 0.0:
                raise ZeroDivisionError(f"Value division: {_fmt(self.data)} / 0.0 divides by zero")
            return _node(self.data / other.data, (self, other), _div_back, "/")
        c = _constant(other)
        if c is None:
            return NotImplemented
        if c == 0.0:
            raise ZeroDivisionError(f"Value division: {_fmt(self.data)} / 0 divides by zero")
        return _node(self.data / c, (self,), _slope_back, "/", 1.0 / c)

    def __rtruediv__(self, other: Number) -> Value:  # c / self
        c = _constant(other)
        if c is None:
            return NotImplemented
        if self.data == 0.0:
            raise ZeroDivisionError(f"Value division: {_fmt(c)} / 0.0 divides by zero")
        return _node(c / self.data, (self,), _rdiv_back, "c/", c)

    def __neg__(self) -> Value:
        return _node(-self.data, (self,), _neg_back, "neg")

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        x = self.data
        # slope 0 at the kink, as PyTorch; nan at nan (0.0 only when x == 0)
        sign = 1.0 if x > 0 else (-1.0 if x < 0 else (0.0 if x == 0 else math.nan))
        return _node(abs(x), (self,), _mask_back, "abs", sign)

    def __pow__(self, exponent: Value | Number) -> Value:
        """``self ** exponent``: a number or a Value exponent; raises for no real result."""
        if isinstance(exponent, Value):
            out = _checked_pow(self.data, exponent.data)
            return _node(out, (self, exponent), _pow_back, "**")
        p = _constant(exponent)
        if p is None:
            return NotImplemented
        out = _checked_pow(self.data, p)
        return _node(out, (self,), _pow_const_back, "**", p)

    def __rpow__(self, base: Number) -> Value:  # c ** self
        c = _constant(base)
        if c is None:
            return NotImplemented
        out = _checked_pow(c, self.data)
        return _node(out, (self,), _rpow_back, "c**", c)

    # ------------------------------------------------------------------ functions

    def exp(self) -> Value:
        """e^x; past ~709.78 it overflows to inf, as float arithmetic and PyTorch do."""
        try:
            out = math.exp(self.data)
        except OverflowError:
            out = math.inf
        return _node(out, (self,), _exp_back, "exp")

    def log(self) -> Value:
        """Natural log; ValueError for x <= 0."""
        if self.data <= 0.0:
            raise ValueError(f"log is defined for x > 0, got log({_fmt(self.data)})")
        return _node(math.log(self.data), (self,), _log_back, "log")

    def sqrt(self) -> Value:
        """Square root; ValueError for x < 0."""
        if self.data < 0.0:
            raise ValueError(f"sqrt is defined for x >= 0, got sqrt({_fmt(self.data)})")
        return _node(math.sqrt(self.data), (self,), _sqrt_back, "sqrt")

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return _node(math.tanh(self.data), (self,), _tanh_back, "tanh")

    def sigmoid(self) -> Value:
        """1 / (1 + e^-x), stable at ±1000."""
        x = self.data
        if x >= 0.0:  # two forms, so exp never overflows (stable at ±1000)
            out = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            out = e / (1.0 + e)
        return _node(out, (self,), _sigmoid_back, "sigmoid")

    def relu(self) -> Value:
        """max(x, 0); slope 0 at x = 0; nan stays nan (as PyTorch)."""
        x = self.data
        if x <= 0.0:
            return _node(0.0, (self,), _mask_back, "ReLU", 0.0)
        return _node(x, (self,), _mask_back, "ReLU", 1.0)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """x for x > 0, ``negative_slope * x`` otherwise."""
        x = self.data
        s = negative_slope if type(negative_slope) is float else _to_float(
            negative_slope, "leaky_relu negative_slope")
        slope = 1.0 if x > 0.0 else s
        return _node(x * slope, (self,), _mask_back, "LeakyReLU", slope)

    def elu(self, alpha: float = 1.0) -> Value:
        """x for x > 0, ``alpha * (e^x - 1)`` otherwise."""
        x = self.data
        alpha = _to_float(alpha, "elu alpha")
        out = x if x > 0.0 else alpha * math.expm1(x)
        return _node(out, (self,), _elu_back, "ELU", alpha)

    def sin(self) -> Value:
        """Sine; ValueError for ±inf (no value there)."""
        try:
            out = math.sin(self.data)
        except ValueError:
            raise ValueError(_trig_domain("sin", self.data)) from None
        return _node(out, (self,), _sin_back, "sin")

    def cos(self) -> Value:
        """Cosine; ValueError for ±inf (no value there)."""
        try:
            out = math.cos(self.data)
        except ValueError:
            raise ValueError(_trig_domain("cos", self.data)) from None
        return _node(out, (self,), _cos_back, "cos")

    # --------------------------------------------------------------------- engine

    def backward(self) -> None:
        """Seed ``self.grad = 1`` and add d(self)/d(node) into ``.grad`` of every node below.

        Calling it twice adds the gradients twice (micrograd's semantics); reset with
        ``zero_grad()`` on the leaves (or ``Module.zero_grad()``, ``optimizer.zero_grad()``).
        """
        engine.backward_into_grad(self)
        self.grad = 1.0

    def zero_grad(self) -> None:
        """Reset this node's gradient to 0.0."""
        self.grad = 0.0

    def _backward(self) -> None:
        """micrograd's local step: add ``self.grad`` times each local derivative into the parents.

        Only parents that are Values get a share (a number operand lives in the op); a leaf
        does nothing. ``backward()`` is these steps over the whole graph, in reverse
        topological order; calling them by hand is how micrograd's lecture shows backprop.

        >>> from autograd import Value
        >>> a, b = Value(2.0), Value(-3.0)
        >>> c = a * b
        >>> c.grad = 1.0
        >>> c._backward()
        >>> a.grad, b.grad
        (-3.0, 2.0)
        """
        back = self._back
        if back is None:
            return
        prev = self._prev
        grads = back(self._ctx, self.grad, self.data, *[p.data for p in prev])
        for parent, g in zip(prev, grads):
            if g is not None:
                parent.grad += g

    def _seed(self, g: Any, create_graph: bool) -> Any:
        g = 1.0 if g is None else g
        if create_graph:
            return g if isinstance(g, Value) else Value(_to_float(g, "grad_outputs"))
        return _data(g) if isinstance(g, Value) else _to_float(g, "grad_outputs")

    @classmethod
    def _from_grad(cls, g: float, like: Value | None = None) -> Value:
        return cls(g)


# ---------------------------------------------------------------------------------------------
# Backward functions: back(ctx, g, out, *inputs) -> one gradient per input.


def _add_back(ctx, g, out, a, b):
    return g, g


def _sub_back(ctx, g, out, a, b):
    return g, -g


def _mul_back(ctx, g, out, a, b):
    return g * b, g * a


def _div_back(ctx, g, out, a, b):  # out = a / b
    return g / b, -g * out / b


def _identity_back(ctx, g, out, a):  # a + c, a - c
    return (g,)


def _neg_back(ctx, g, out, a):  # -a, c - a
    return (-g,)


def _slope_back(slope, g, out, a):  # a * c, a / c: a constant slope
    return (g * slope,)


def _mask_back(slope, g, out, a):  # relu, leaky_relu, abs: a select, not a multiply, so ...
    if slope:  # ... a 0 slope gives 0 even for g = inf or nan
        return (g * slope,)
    return (0.0,) if type(g) is float else (_zero(g),)


def _rdiv_back(c, g, out, a):  # out = c / a
    return (-g * out / a,)


def _pow_const_back(p, g, out, a):  # out = a ** p
    if p == 0.0:  # a ** 0 is constant: slope 0 everywhere, also at a = 0 (as PyTorch)
        return (_zero(g),)
    return (g * p * _power(a, p - 1),)


def _rpow_back(c, g, out, a):  # out = c ** a
    return (_exponent_slope(g, out, c, a),)


def _pow_back(ctx, g, out, a, b):  # out = a ** b
    if _data(b) == 0.0 and _data(a) == 0.0:  # a ** 0 is flat, also at a = 0 (not 0 * inf)
        return _zero(g), _exponent_slope(g, out, a, b)
    return g * b * _power(a, b - 1), _exponent_slope(g, out, a, b)


def _exponent_slope(g, out, base, e):
    """d(base ** e)/de = out * log(base); 0 where base is 0 and e >= 0 (0 ** e is flat; PyTorch)."""
    if _data(base) == 0.0 and _data(e) >= 0.0:
        return _zero(g)
    return g * out * _log(base)


def _exp_back(ctx, g, out, a):
    return (g * out,)


def _log_back(ctx, g, out, a):
    return (_divide(g, a),)  # a > 0, except in the -inf node _log makes for the pow slope at 0


def _sqrt_back(ctx, g, out, a):
    return (_divide(g * 0.5, out),)


def _tanh_back(ctx, g, out, a):
    return (g * (1.0 - out * out),)


def _sigmoid_back(ctx, g, out, a):
    return (g * out * (1.0 - out),)


def _elu_back(alpha, g, out, a):
    return (g,) if _data(a) > 0.0 else (g * (out + alpha),)


def _sin_back(ctx, g, out, a):
    return (g * _cos(a),)


def _cos_back(ctx, g, out, a):
    return (-g * _sin(a),)


# Helpers that work on floats (fast backward) and Values (differentiable backward) alike.


def _zero(g):
    """A zero gradient that stays 0 for any upstream ``g`` (inf, nan): a select, not ``g * 0``.

    Under ``create_graph`` it is a node depending on ``g`` (its own gradient is zero again).
    """
    if isinstance(g, Value):
        return _node(0.0, (g,), _zero_back, "zero")
    return 0.0


def _zero_back(ctx, g, out, a):
    return (_zero(g),)


def _power(a, p):
    """``a ** p`` as IEEE computes it: inf where it divides by zero (the slope of x ** 0.5 at
    0) or overflows. No domain errors: this is a derivative of an op whose forward succeeded,
    and under ``create_graph`` it must give the same values as the float path."""
    if isinstance(a, Value) or isinstance(p, Value):
        a = a if isinstance(a, Value) else Value(a)
        if isinstance(p, Value):
            return _node(_ieee_pow(a.data, p.data), (a, p), _pow_back, "**")
        return _node(_ieee_pow(a.data, p), (a,), _pow_const_back, "**", p)
    return _ieee_pow(a, p)


def _ieee_pow(a: float, p: float) -> float:
    """``a ** p`` on floats that never raises: ±inf on overflow, inf for 0 ** negative."""
    try:
        out = a**p
    except ZeroDivisionError:
        return math.inf
    except OverflowError:  # negative base to an odd power: -inf
        return -math.inf if a < 0.0 and p % 2.0 == 1.0 else math.inf
    return out if type(out) is float else math.nan  # complex: a negative base ** a fraction


def _divide(a, b):
    """``a / b``; a division by zero gives ±inf (or nan for 0/0) as IEEE does, for floats and
    (as a node, under ``create_graph``) for Values alike."""
    if isinstance(a, Value) or isinstance(b, Value):
        if _data(b) != 0.0:
            return a / b
        a = a if isinstance(a, Value) else Value(a)
        b = b if isinstance(b, Value) else Value(b)
        return _node(_divide(a.data, b.data), (a, b), _ieee_div_back, "/")
    if b == 0.0:
        return math.copysign(math.inf, a) if a != 0.0 else math.nan
    return a / b


def _ieee_div_back(ctx, g, out, a, b):  # out = a / b with b = 0: the values IEEE gives
    return _divide(g, b), -_divide(g * out, b)


def _log(x):
    """Natural log for the pow exponent's slope: log(0) = -inf, nan for a negative base."""
    if isinstance(x, Value):  # under create_graph: nan for a negative base, like the float path
        return x.log() if x.data > 0.0 else _node(_log(x.data), (x,), _log_back, "log")
    return math.log(x) if x > 0.0 else (-math.inf if x == 0.0 else math.nan)


def _sin(x):
    return x.sin() if isinstance(x, Value) else math.sin(x)


def _cos(x):
    return x.cos() if isinstance(x, Value) else math.cos(x)


def _checked_pow(base: float, exponent: float) -> float:
    """``base ** exponent`` over the reals, or a clear error naming the op and the values.

    Domain errors raise; overflow gives ±inf (as ``*`` does on floats); nan propagates.
    """
    if base < 0.0 and math.isfinite(exponent) and not float(exponent).is_integer():
        raise ValueError(
            f"pow: negative base {_fmt(base)} ** {_fmt(exponent)} (non-integer exponent) "
            "has no real value"
        )
    if base == 0.0 and exponent < 0:
        raise ZeroDivisionError(f"pow: 0.0 ** {_fmt(exponent)} divides by zero")
    return _ieee_pow(base, exponent)


def _trig_domain(op: str, x: float) -> str:
    return f"{op} is defined for finite x, got {op}({_fmt(x)})"


# ---------------------------------------------------------------------------------------------
# A fused node for neurons: one node with 2n+1 parents instead of 2n nodes.


def dot(
    weights: Iterable[Value | Number],
    inputs: Iterable[Value | Number],
    bias: Value | Number | None = None,
) -> Value:
    """``sum(w * x for w, x in zip(weights, inputs)) + bias`` as one node (a neuron's input).

    The gradient is the same as the unfused expression; the graph is ~2n times smaller, so
    backward is faster and a drawing shows one ``dot`` node per neuron.
    """
    if type(weights) is list and type(inputs) is list:  # the usual case: lists of Values
        total = 0.0
        for w, x in zip(weights, inputs):  # type checks and the sum in one pass
            if type(w) is not Value or type(x) is not Value:
                break
            total += w.data * x.data
        else:
            if len(weights) == len(inputs) and type(bias) is Value:
                prev = (*weights, *inputs, bias)
                return _node(total + bias.data, prev, _dot_back, "dot", len(weights))
    return _dot_checked(weights, inputs, bias)


def dot_lifted(weights: list, inputs: list, data: list, bias: Value) -> Value:
    """``dot(weights, inputs, bias)`` for ``inputs`` already Values, of ``len(weights)``, with
    ``data`` their ``.data``: a layer lifts and reads its inputs once for all of its neurons.
    The weights and the bias are still checked (anything else takes ``dot``'s checked path)."""
    total = 0.0
    for w, x in zip(weights, data):
        if type(w) is not Value:
            break
        total += w.data * x
    else:
        if type(bias) is Value:
            prev = (*weights, *inputs, bias)
            return _node(total + bias.data, prev, _dot_back, "dot", len(weights))
    return dot(weights, inputs, bias)


def _dot_checked(weights: Any, inputs: Any, bias: Any) -> Value:
    """``dot`` for any other arguments: numbers lifted to Values, clear errors for the rest."""
    try:
        ws = list(weights)
        xs = list(inputs)
    except TypeError:  # the failure path: name the argument that is not a sequence
        for name, items in (("weights", weights), ("inputs", inputs)):
            if not isinstance(items, Iterable):
                raise TypeError(f"dot: {name} must be an iterable of Values or numbers, "
                                f"got {type(items).__name__}") from None
        raise
    ws = [w if type(w) is Value else _lift_or_raise(w, "dot weights") for w in ws]
    xs = [x if type(x) is Value else _lift_or_raise(x, "dot inputs") for x in xs]
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    total = 0.0
    for w, x in zip(ws, xs):
        total += w.data * x.data
    if bias is None:
        return _node(total, (*ws, *xs), _dot_back, "dot", len(ws))
    b = bias if type(bias) is Value else _lift_or_raise(bias, "dot bias")
    return _node(total + b.data, (*ws, *xs, b), _dot_back, "dot", len(ws))


def _dot_back(n, g, out, *args):  # args = w_1..w_n, x_1..x_n[, b]
    # w_i gets g * x_i, x_i gets g * w_i; a trailing g for the bias, if any
    return (*[g * x for x in args[n : 2 * n]], *[g * w for w in args[:n]], g)


def _dot_accumulate(n, g, prev):  # the same, added straight into the parents' _g (engine)
    for w, x in zip(prev, prev[n : 2 * n]):  # zip stops after the n weights
        w._g += g * x.data
        x._g += g * w.data
    if len(prev) > 2 * n:
        prev[2 * n]._g += g


_dot_back.accumulate = _dot_accumulate


def _lift_or_raise(x: Any, where: str) -> Value:
    v = _lift(x)
    if v is None:
        raise TypeError(f"{where} must be Values or numbers, got {type(x).__name__}")
    return v


_CONSTANT_LABELS = {
    "+": "+ {c:g}",
    "-": "- {c:g}",
    "*": "* {c:g}",
    "**": "** {c:g}",
    "c+": "{c:g} +",
    "c-": "{c:g} -",
    "c*": "{c:g} *",
    "c/": "{c:g} /",
    "c**": "{c:g} **",
}


def describe_op(node: Any) -> str:
    """A display label for the op that made ``node``: ``"* 2"`` shows the number operand."""
    op = node._op
    if len(node._prev) == 1 and op in _CONSTANT_LABELS:
        return _CONSTANT_LABELS[op].format(c=node._ctx)
    if op == "/" and len(node._prev) == 1:
        return f"/ {1.0 / node._ctx:g}"
    return op
