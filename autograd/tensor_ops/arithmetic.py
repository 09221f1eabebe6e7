"""``+ - * / **`` and negation with NumPy broadcasting; gradients summed back to each shape."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, as_operand, floating, make, promote
from ._poly import broadcast_error, data_of, log, unbroadcast, where


def _binary(fn: Any, a: Tensor, b: Tensor, back: Any, op: str, ctx: Any = None) -> Tensor:
    if a.data.dtype is not b.data.dtype:  # a float operand wins over an int/bool one
        a, b = promote(a, b)
    try:
        data = fn(a.data, b.data)
    except ValueError as e:
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise broadcast_error(op, a, b) from None
        raise ValueError(f"{op}: {e}") from None  # (ints to negative int powers, say)
    return make(data, (a, b), back, op, ctx)


def add(a: Tensor, b: Any) -> Tensor:
    """``a + b`` with broadcasting; each gradient is summed back to its input's shape."""
    return _binary(np.add, a, as_operand(b, a), _add_back, "+")


def _add_back(ctx, g, out, a, b):
    return unbroadcast(g, a.shape), unbroadcast(g, b.shape)


def sub(a: Tensor, b: Any) -> Tensor:
    return _binary(np.subtract, a, as_operand(b, a), _sub_back, "-")


def _sub_back(ctx, g, out, a, b):
    return unbroadcast(g, a.shape), unbroadcast(-g, b.shape)


def mul(a: Tensor, b: Any) -> Tensor:
    return _binary(np.multiply, a, as_operand(b, a), _mul_back, "*")


def _mul_back(ctx, g, out, a, b):
    return unbroadcast(g * b, a.shape), unbroadcast(g * a, b.shape)


def div(a: Tensor, b: Any) -> Tensor:
    """``a / b``: true division, so integers give the default float (as PyTorch); an integer
    beside a float Tensor takes that float's dtype first."""
    b = as_operand(b, a)
    if a.data.dtype is not b.data.dtype:
        a, b = promote(a, b)
    return _binary(np.divide, floating(a), floating(b), _div_back, "/")


def _div_back(ctx, g, out, a, b):  # out = a / b
    return unbroadcast(g / b, a.shape), unbroadcast(-g * out / b, b.shape)


def neg(a: Tensor) -> Tensor:
    return make(np.negative(a.data), (a,), _neg_back, "neg")


def _neg_back(ctx, g, out, a):
    return (-g,)


def pow(a: Tensor, exponent: Any) -> Tensor:
    """``a ** exponent``; a number exponent is a constant, a Tensor exponent gets a gradient too."""
    if isinstance(exponent, (int, float, np.number)) or (
        isinstance(exponent, np.ndarray) and exponent.ndim == 0
    ):  # anything else (a Value, a str) goes to as_operand, which says what is wrong
        p = float(exponent)
        if a.data.dtype.kind == "b" and isinstance(exponent, (int, np.integer)) and (
                isinstance(exponent, (bool, np.bool_)) or exponent >= 0):
            # int64 as PyTorch (NumPy: int8); a bool exponent keeps bools
            out = np.power(a.data.astype(np.int64), int(exponent))
            out = out.astype(bool) if isinstance(exponent, (bool, np.bool_)) else out
            return make(out, (), None, "**")  # (a bool Tensor never requires grad)
        if not (isinstance(exponent, (int, np.integer)) and exponent >= 0):
            a = floating(a)  # int ** 2 stays int; int ** 0.5 and int ** -1 are floats
        return make(np.power(a.data, a.data.dtype.type(p)), (a,), _pow_const_back, "**", p)
    b = as_operand(exponent, a)
    return _binary(np.power, a, b, _pow_back, "**", (a.requires_grad, b.requires_grad))


def rpow(a: Tensor, base: Any) -> Tensor:  # base ** a
    return pow(as_operand(base, a), a)


def _pow_const_back(p, g, out, a):  # out = a ** p
    if p == 0:  # constant 1: slope 0 everywhere, also at a = 0 (where p * a**-1 is 0 * inf)
        return (where(False, g, 0.0),)  # a select: 0 even where g is inf or nan
    with np.errstate(divide="ignore", invalid="ignore"):
        return (g * p * a ** (p - 1),)


def _pow_back(needs, g, out, a, b):  # out = a ** b
    """At base 0 the slopes take their limits (as PyTorch): d/da of a ** 0 is 0 (not 0 * inf),
    d/db of 0 ** b is 0 for b >= 0 (not 0 * log 0); elsewhere the formulas give inf as due."""
    da, db = data_of(a), data_of(b)
    ga = gb = None
    with np.errstate(divide="ignore", invalid="ignore"):
        if needs[0]:
            ga = unbroadcast(where((da == 0) & (db == 0), 0.0, g * b * a ** (b - 1)), a.shape)
        if needs[1]:
            gb = unbroadcast(where((da == 0) & (db >= 0), 0.0, g * out * log(a)), b.shape)
    return ga, gb
