"""Hypothesis strategies and assertions for testing code built on chainrule.

Put these in your own property tests, as chainrule's tests do::

    from hypothesis import given
    from autograd.testing import values, tensors, assert_grads_close

    @given(x=values(0.1, 10.0))
    def test_my_op(x):
        assert_grads_close(lambda x: my_op(x), x)

``values`` draws ``Value`` leaves, ``tensors`` draws float64 ``Tensor`` leaves (any shape,
0-d included), ``broadcastable_shapes`` draws shapes that broadcast together, and
``assert_grads_close`` runs ``gradcheck`` (and optionally ``gradgradcheck``) with a message
pytest shows in full. ``graphs`` draws whole random computation graphs (reused nodes, diamonds,
broadcasting, reductions, indexing) whose ``repr`` is the Python that builds them
(``autograd/random_graphs.py``).

This module imports Hypothesis, a development dependency; ``import autograd`` does not, so
the engine itself never needs it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .random_graphs import Graph, graphs
from .value import Value

__all__ = ["values", "tensors", "broadcastable_shapes", "assert_grads_close", "graphs", "Graph"]


def _floats(
    min_value: float,
    max_value: float,
    exclude_zero: bool,
    avoid: Iterable[float],
    min_distance: float,
    width: int = 64,
) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value], at least ``min_distance`` from each avoided point.

    Staying away from kinks (0 for relu and abs) and poles (0 for 1/x) keeps a finite-difference
    step of ``eps`` from straddling them, where numeric and analytic gradients legitimately differ.
    """
    for name, x in (("min_value", min_value), ("max_value", max_value),
                    ("min_distance", min_distance)):
        if not isinstance(x, (int, float, np.integer, np.floating)) or isinstance(x, bool):
            raise TypeError(f"{name} must be a number, got {type(x).__name__}: {x!r}")
    if not min_value <= max_value:
        raise ValueError(f"min_value {min_value} is greater than max_value {max_value}")
    if min_distance < 0:
        raise ValueError(f"min_distance must be >= 0, got {min_distance}")
    points = tuple(float(p) for p in avoid) + ((0.0,) if exclude_zero else ())
    floats = st.floats(
        min_value, max_value, allow_nan=False, allow_infinity=False, width=width
    )
    if not points:
        return floats
    if min_distance == 0:
        return floats.filter(lambda x: x not in points)
    return floats.filter(lambda x: all(abs(x - p) >= min_distance for p in points))


def values(
    min_value: float = -10.0,
    max_value: float = 10.0,
    *,
    exclude_zero: bool = False,
    avoid: Iterable[float] = (),
    min_distance: float = 1e-3,
    label: str = "",
) -> st.SearchStrategy[Value]:
    """A strategy for ``Value`` leaves with finite data in ``[min_value, max_value]``.

    ``exclude_zero=True`` keeps ``|x| >= min_distance`` (denominators, ``log``, negative powers);
    ``avoid`` lists other points to stay ``min_distance`` away from (kinks such as relu's 0, so a
    finite-difference check does not straddle them). Each draw is a fresh leaf with ``grad == 0``.

    >>> from hypothesis import given
    >>> from autograd.testing import assert_grads_close, values
    >>> @given(x=values(exclude_zero=True))
    ... def test_reciprocal(x):
    ...     assert_grads_close(lambda x: 1 / x, x)
    >>> test_reciprocal()          # silent when every drawn x passes
    """
    floats = _floats(min_value, max_value, exclude_zero, avoid, min_distance)
    return floats.map(lambda x: Value(x, label=label))


def tensors(
    shape: Any = None,
    dtype: Any = np.float64,
    elements: st.SearchStrategy[float] | None = None,
    *,
    min_value: float = -10.0,
    max_value: float = 10.0,
    exclude_zero: bool = False,
    avoid: Iterable[float] = (),
    min_distance: float = 1e-3,
    requires_grad: bool | None = None,
) -> st.SearchStrategy[Any]:
    """A strategy for ``Tensor`` leaves.

    ``shape`` is a tuple, an int, or a strategy of shapes; by default any shape of 0 to 3 axes
    with sides 1 to 4 (0-d and size-1 axes included, where broadcasting bugs hide). ``dtype``
    is float64 by default (what ``gradcheck`` needs); an integer dtype draws whole numbers in
    ``[min_value, max_value]`` and ``bool`` draws booleans, as constants (only floating Tensors
    can require grad; ``requires_grad`` defaults to True for floats). ``elements`` is a
    strategy for the entries; without it they are finite floats in ``[min_value, max_value]``,
    kept ``min_distance`` away from 0 (``exclude_zero``) and from each point in ``avoid``.
    The Tensor class is imported when this is called, not when ``autograd.testing`` is.
    """
    from . import Tensor
    from .dtype import check_dtype

    dt = check_dtype(dtype, "tensors")
    if requires_grad is None:
        requires_grad = dt.kind == "f"
    if shape is None:
        shape = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
    elif not isinstance(shape, st.SearchStrategy):
        sides = shape if isinstance(shape, (tuple, list)) else (shape,)
        if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0
                   for n in sides):
            raise TypeError(f"tensors: shape must be a tuple of non-negative ints, an int or a "
                            f"strategy of shapes, got {shape!r}")
        shape = tuple(int(n) for n in sides)
    if elements is None and dt.kind == "b":
        elements = st.booleans()
    elif elements is None and dt.kind in "iu":
        info = np.iinfo(dt)
        lo, hi = max(math.ceil(min_value), info.min), min(math.floor(max_value), info.max)
        elements = st.integers(lo, hi).filter(lambda n: n != 0 or not exclude_zero)
    elif elements is None:
        elements = _floats(
            min_value, max_value, exclude_zero, avoid, min_distance, width=8 * dt.itemsize
        )
    arrays = hnp.arrays(dt, shape, elements=elements)
    return arrays.map(lambda a: Tensor(a, requires_grad=requires_grad))


def broadcastable_shapes(
    num_shapes: int = 2,
    *,
    base_shape: tuple[int, ...] = (),
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 4,
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """A strategy for ``num_shapes`` shapes that broadcast together under NumPy's rules.

    Draws include 0-d shapes, size-1 axes that stretch, and shapes of different lengths, e.g.
    ``((3, 1), (4,))`` or ``((), (2, 3))``. Every shape also broadcasts with ``base_shape``.

    >>> from hypothesis import given, strategies as st
    >>> from autograd.testing import assert_grads_close, broadcastable_shapes, tensors
    >>> @given(shapes=broadcastable_shapes(), data=st.data())
    ... def test_add(shapes, data):
    ...     a, b = (data.draw(tensors(shape=s)) for s in shapes)
    ...     assert_grads_close(lambda a, b: a + b, a, b)
    >>> test_add()                 # runs the property over many drawn shapes; silent if it holds
    """
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes,
        base_shape=base_shape,
        min_dims=min_dims,
        max_dims=max_dims,
        min_side=min_side,
        max_side=max_side,
    ).map(lambda b: b.input_shapes)


def assert_grads_close(
    fn: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    second_order: bool = False,
) -> None:
    """Assert that ``fn(*inputs)``'s gradients match finite differences (``gradcheck``).

    With ``second_order=True`` the second derivatives are checked too (``gradgradcheck``).
    On a mismatch it raises ``GradcheckError`` (an ``AssertionError``) whose message names the
    function and every input's value, followed by gradcheck's report: the input, the index,
    the analytic and numeric values.
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this helper's
    checks = [gradcheck, gradgradcheck] if second_order else [gradcheck]
    for check in checks:
        try:
            check(fn, inputs, eps=eps, atol=atol, rtol=rtol)
        except GradcheckError as e:
            name = getattr(fn, "__qualname__", None) or repr(fn)
            shown = ", ".join(_short(x) for x in inputs)
            raise GradcheckError(
                f"{name}({shown}):\n{e}", e.input_index, e.label, e.index, e.analytic, e.numeric,
                e.blame,
            ) from None


def _short(x: Any) -> str:
    """An input for a failure message: a Value's repr, or a Tensor's repr cut to a few lines."""
    text = repr(x)
    lines = text.splitlines()
    return text if len(lines) <= 6 else "\n".join(lines[:6]) + " ...)"
