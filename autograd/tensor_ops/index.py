"""Index-valued ops: ``argmax``/``argmin`` (int64, no gradient), ``gather`` and ``one_hot``.

``gather`` is indexing with one coordinate array per axis, so its backward is the indexing
backward (scatter-add, repeated indices accumulate) and it is differentiable to any order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, make
from .shape import _getitem_back, one_axis


def _arg_extreme(x: Tensor, axis: Any, keepdims: bool, op: str, fn: Any) -> Tensor:
    if x.data.size == 0 and (axis is None or x.shape[
            one_axis(axis, max(x.ndim, 1), op, "axis")] == 0):  # (other axes may be empty)
        raise ValueError(f"{op} of an empty Tensor (shape {x.shape}) has no index")
    if axis is None:
        out = np.asarray(fn(x.data))
        if keepdims:
            out = out.reshape((1,) * x.ndim)
    else:
        a = one_axis(axis, max(x.ndim, 1), op, "axis")  # a 0-d Tensor has one position, 0
        out = fn(x.data.reshape(x.shape or (1,)), axis=a, keepdims=keepdims)
        if x.ndim == 0:
            out = out.reshape(())
    return make(np.asarray(out, dtype=np.int64), (), None, op)


def argmax(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Index of the largest value over ``axis`` (None: of the flattened Tensor), int64;
    the first one at ties, as NumPy and PyTorch.

    >>> from autograd import Tensor
    >>> Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]]).argmax(axis=1)
    Tensor([1, 0])
    """
    return _arg_extreme(x, axis, keepdims, "argmax", np.argmax)


def argmin(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Index of the smallest value over ``axis`` (None: of the flattened Tensor), int64."""
    return _arg_extreme(x, axis, keepdims, "argmin", np.argmin)


def integer_array(index: Any, who: str) -> np.ndarray:
    """An integer index given as an int Tensor, int ndarray or nested list of ints."""
    arr = index.data if isinstance(index, Tensor) else np.asarray(index)
    if arr.size == 0 and isinstance(index, (list, tuple)):
        arr = arr.astype(np.int64)  # ``[]`` holds no floats
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{who} must hold integers, got dtype {arr.dtype}")
    return arr


def gather(x: Tensor, axis: int, index: Any) -> Tensor:
    """PyTorch's ``gather``: ``out[i][j] = x[index[i][j]][j]`` for ``axis=0`` (and so on).

    ``index`` has as many dimensions as ``x`` and is no larger than ``x`` along the other axes;
    the result has ``index``'s shape. The gradient scatter-adds back (repeats accumulate).

    >>> from autograd import Tensor
    >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).gather(1, Tensor([[0, 0], [1, 0]]))
    Tensor([[1., 1.],
            [4., 3.]])
    """
    idx = integer_array(index, "gather: index")
    if x.ndim == 0:
        raise ValueError("gather needs at least one dimension, got a 0-d Tensor")
    if idx.ndim != x.ndim:
        raise ValueError(
            f"gather: index must have as many dimensions as the input ({x.ndim}), "
            f"got index of shape {idx.shape}"
        )
    ax = one_axis(axis, x.ndim, "gather", "axis")
    for d, (n, m) in enumerate(zip(idx.shape, x.shape)):
        if d != ax and n > m:
            raise ValueError(
                f"gather: index of shape {idx.shape} is larger than the input {x.shape} "
                f"along axis {d}"
            )
    if idx.size and (idx.min() < 0 or idx.max() >= x.shape[ax]):
        bad = idx[(idx < 0) | (idx >= x.shape[ax])].flat[0]
        raise IndexError(f"gather: index {bad} is out of range for axis {ax} of size {x.shape[ax]}")
    coords = list(np.indices(idx.shape, sparse=True))  # open grids: x[i, j] for each cell
    coords[ax] = idx
    coords = tuple(coords)
    return make(x.data[coords], (x,), _getitem_back, "gather", (coords, False, x.shape))


def one_hot(labels: Any, num_classes: int = -1) -> Tensor:
    """Integer class labels as one-hot rows, int64, of shape ``labels.shape + (num_classes,)``
    (PyTorch's ``F.one_hot``; ``-1``: one more than the largest label).

    >>> from autograd import one_hot
    >>> one_hot([0, 2], num_classes=3)
    Tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    arr = integer_array(labels, "one_hot: labels")
    if not isinstance(num_classes, (int, np.integer)) or isinstance(num_classes, bool):
        raise TypeError(f"one_hot: num_classes must be an int, got {num_classes!r}")
    if num_classes == -1:
        if arr.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from empty labels; pass it")
        num_classes = int(arr.max()) + 1
    if num_classes < 1 and not (num_classes == 0 and arr.size == 0):
        raise ValueError(f"one_hot: num_classes must be positive or -1, got {num_classes}")
    bad = arr[(arr < 0) | (arr >= num_classes)]
    if bad.size:
        raise ValueError(
            f"one_hot: label {bad.flat[0]} is outside [0, {num_classes}) for "
            f"{num_classes} classes"
        )
    out = (arr[..., None] == np.arange(num_classes)).astype(np.int64)
    return make(out, (), None, "one_hot")
