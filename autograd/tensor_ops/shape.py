"""Shape ops: reshape, transpose, broadcast_to, their PyTorch spellings (view, permute, expand,
unsqueeze, squeeze), split/chunk and indexing. Backward undoes the move."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, make
from ._poly import unbroadcast
from .reduce import normalize_axes


def _shape_arg(shape: tuple) -> tuple:
    """Accept ``f(2, 3)`` and ``f((2, 3))`` alike, as NumPy and PyTorch do."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(shape)


def _check_ints(items: tuple, op: str, name: str) -> None:
    """A TypeError naming ``name`` when an item of ``items`` is not an int (the failure path)."""
    bad = next((n for n in items if not isinstance(n, (int, np.integer)) or isinstance(n, bool)),
               None)
    if bad is not None or None in items:
        raise TypeError(f"{op}: {name} must be ints, got {type(bad).__name__} in {items}")


def reshape(x: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``, -1 too."""
    shape = _shape_arg(shape)
    try:
        data = x.data.reshape(shape)
    except (ValueError, TypeError):
        _check_ints(shape, "reshape", "shape")
        raise ValueError(
            f"reshape: cannot reshape a Tensor of shape {x.shape} into {shape}"
        ) from None
    return make(data, (x,), _reshape_back, "reshape")


def _reshape_back(ctx, g, out, x):
    return (g.reshape(x.shape),)


def flatten(x: Tensor) -> Tensor:
    """All elements in one axis (row-major), as ``ndarray.flatten``."""
    return reshape(x, -1)


def transpose(x: Tensor, *axes: Any) -> Tensor:
    """Permute axes as ``ndarray.transpose``: no argument reverses them."""
    axes = _shape_arg(axes) or tuple(range(x.ndim))[::-1]
    try:
        data = x.data.transpose(axes)
    except (ValueError, TypeError):
        _check_ints(axes, "transpose", "axes")
        out_of_range = any(not -x.ndim <= a < x.ndim for a in axes)
        error = np.exceptions.AxisError if out_of_range else ValueError  # AxisError: IndexError too
        raise error(f"transpose: axes {axes} are not a permutation for shape {x.shape}") from None
    axes = [a % x.ndim for a in axes]  # negative axes count from the end
    inverse = tuple(axes.index(i) for i in range(x.ndim))  # where each axis went
    return make(data, (x,), _transpose_back, "transpose", inverse)


def _transpose_back(inverse, g, out, x):
    return (g.transpose(inverse),)


def broadcast_to(x: Tensor, *shape: Any) -> Tensor:
    """This Tensor repeated along broadcast axes to ``shape``; the gradient sums back."""
    shape = _shape_arg(shape)
    try:
        data = np.broadcast_to(x.data, shape)
    except ValueError:
        raise ValueError(f"broadcast_to: shape {x.shape} cannot be broadcast to {shape}") from None
    return make(data, (x,), _broadcast_back, "broadcast")


def _broadcast_back(ctx, g, out, x):
    return (unbroadcast(g, x.shape),)


def view(x: Tensor, *shape: Any) -> Tensor:
    """PyTorch's ``view``: the same as ``reshape`` here (NumPy reshapes without copying when
    it can), ``t.view(2, -1)`` or ``t.view((2, -1))``."""
    return reshape(x, *shape)


def permute(x: Tensor, *dims: Any) -> Tensor:
    """PyTorch's ``permute``: axes in a new order; every axis must be named once.

    >>> from autograd import Tensor
    >>> Tensor([[[1, 2, 3]]]).permute(2, 0, 1).shape
    (3, 1, 1)
    """
    dims = _shape_arg(dims)
    if len(dims) != x.ndim:
        raise ValueError(f"permute: got {len(dims)} dims {dims} for a Tensor of {x.ndim} dims")
    return transpose(x, dims)


def one_axis(dim: Any, ndim: int, op: str, name: str = "dim") -> int:
    """``dim`` (one int, maybe negative) as a non-negative axis of an ``ndim``-d Tensor;
    ``name`` is what the op calls its argument, for the error."""
    if isinstance(dim, (tuple, list)) or dim is None:
        raise TypeError(f"{op}: {name} must be an int, got {dim!r}")
    return normalize_axes(dim, ndim, op)[0]


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """A new axis of size 1 at ``dim`` (in ``[-ndim - 1, ndim]``), as PyTorch.

    >>> from autograd import Tensor
    >>> Tensor([1.0, 2.0]).unsqueeze(-1).shape
    (2, 1)
    """
    d = one_axis(dim, x.ndim + 1, "unsqueeze")
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    """Drop axes of size 1: all of them, or only ``dim`` (an int or tuple), as PyTorch: a
    named axis whose size is not 1 stays.

    >>> from autograd import Tensor
    >>> Tensor([[[1.0], [2.0]]]).squeeze().shape, Tensor([[1.0, 2.0]]).squeeze(1).shape
    ((2,), (1, 2))
    """
    if dim is None:
        drop = {i for i, n in enumerate(x.shape) if n == 1}
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        drop = {d for d in (one_axis(d, max(x.ndim, 1), "squeeze") for d in dims)
                if x.ndim and x.shape[d] == 1}
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in drop))


def expand(x: Tensor, *shape: Any) -> Tensor:
    """PyTorch's ``expand``: size-1 axes repeated (without copying) to ``shape``; ``-1`` keeps
    an axis, new axes go in front. The gradient sums back over the repeats.

    >>> from autograd import Tensor
    >>> Tensor([[1.0], [2.0]]).expand(2, 3)
    Tensor([[1., 1., 1.],
            [2., 2., 2.]])
    """
    shape = _shape_arg(shape)
    _check_ints(shape, "expand", "shape")
    lead = len(shape) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: shape {shape} has fewer dims than the Tensor's {x.shape}")
    if any(n == -1 for n in shape[:lead]):
        raise ValueError(f"expand: -1 is not allowed for a new leading dim, got {shape}")
    full = shape[:lead] + tuple(x.shape[i] if n == -1 else n for i, n in
                                enumerate(shape[lead:]))
    return broadcast_to(x, full)


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """PyTorch's ``split``: pieces of ``split_size`` along ``dim`` (the last may be smaller),
    or of the sizes in a list (they must add up to the axis). Each piece is a slice node.

    >>> from autograd import Tensor
    >>> [p.tolist() for p in Tensor([1, 2, 3, 4, 5]).split(2)]
    [[1, 2], [3, 4], [5]]
    """
    if x.ndim == 0:
        raise ValueError("split needs at least one dimension, got a 0-d Tensor")
    d = one_axis(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)) and not isinstance(
            split_size_or_sections, bool):
        size = int(split_size_or_sections)
        if size < 0 or (size == 0 and n):  # (0 splits an empty dim, as PyTorch)
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [min(size, n - start) for start in range(0, n, size)] if n else [0]
    elif isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(k) for k in split_size_or_sections]
        if any(k < 0 for k in sizes) or sum(sizes) != n:
            raise ValueError(f"split: sections {sizes} must be non-negative and add up to "
                             f"{n}, the size of dim {dim}")
    else:
        raise TypeError("split: split_size_or_sections must be an int or a list of ints, got "
                        f"{split_size_or_sections!r}")
    lead = (slice(None),) * d
    starts = np.cumsum([0] + sizes)
    return tuple(x[lead + (slice(int(a), int(b)),)] for a, b in zip(starts[:-1], starts[1:]))


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple:
    """PyTorch's ``chunk``: ``chunks`` pieces of ``ceil(n / chunks)`` along ``dim`` (fewer when
    they run out).

    >>> from autograd import Tensor
    >>> [p.shape for p in Tensor([1, 2, 3, 4, 5]).chunk(3)]
    [(2,), (2,), (1,)]
    """
    if not isinstance(chunks, (int, np.integer)) or isinstance(chunks, bool) or chunks <= 0:
        raise ValueError(f"chunk: chunks must be a positive int, got {chunks!r}")
    if x.ndim == 0:
        raise ValueError("chunk needs at least one dimension, got a 0-d Tensor")
    n = x.shape[one_axis(dim, x.ndim, "chunk")]
    if n == 0:  # ``chunks`` empty pieces, as PyTorch (``a, b = x.chunk(2)`` of an empty batch)
        return split(x, [0] * int(chunks), dim)
    return split(x, -(-n // int(chunks)), dim)


# ----------------------------------------------------------------------------------- indexing


def _index_part(i: Any) -> Any:
    if isinstance(i, Tensor):  # integer Tensors index, bool Tensors mask (as PyTorch)
        if i.data.dtype.kind not in "iub":
            raise IndexError(
                f"Tensors used as indices must be integer or bool, got dtype {i.data.dtype} "
                "(convert with .long())"
            )
        return i.data
    if isinstance(i, list):
        return np.asarray(i)
    return i


def _check_masks(parts: list, shape: tuple) -> None:
    """Each boolean mask must have the shape of the axes it covers: an IndexError naming both
    (as NumPy and PyTorch), not a silent selection by position once it is made integers."""

    def width(i: Any) -> int:  # how many of the Tensor's axes an index part consumes
        if i is None or i is Ellipsis or isinstance(i, (bool, np.bool_)):
            return 0
        return i.ndim if isinstance(i, np.ndarray) and i.dtype == bool else 1

    axis = 0
    for pos, i in enumerate(parts):
        if i is Ellipsis:
            axis = len(shape) - sum(width(j) for j in parts[pos + 1 :])
        elif isinstance(i, np.ndarray) and i.dtype == bool and i.ndim:
            covered = shape[axis : axis + i.ndim]
            if i.shape != covered:
                what = f"length {i.shape[0]}" if i.ndim == 1 else f"shape {i.shape}"
                size = f"length {covered[0]}" if len(covered) == 1 else f"shape {covered}"
                place = f"axis {axis}" if i.ndim == 1 else f"axes {axis}-{axis + i.ndim - 1}"
                raise IndexError(
                    f"boolean mask of {what} does not match the indexed {place} of {size} "
                    f"(Tensor shape {shape})"
                )
        axis += width(i)


def normalize_index(index: Any, shape: tuple | None = None) -> tuple[tuple, bool]:
    """The index as a tuple with bool masks turned into integer arrays, and whether it is basic.

    Basic indexes (ints, slices, None, ...) never repeat an element; advanced ones (arrays,
    and a bool, which NumPy counts as one) may, so their backward must add repeated positions
    up. With ``shape``, masks are checked against it.
    """
    parts = index if isinstance(index, tuple) else (index,)
    parts = [_index_part(i) for i in parts]
    if shape is not None:
        _check_masks(parts, shape)
    out: list = []
    basic = True
    for i in parts:
        if isinstance(i, np.ndarray):
            basic = False
            if i.dtype == bool:
                out.extend(np.nonzero(i))
                continue
        elif i is True or i is False or isinstance(i, np.bool_):
            basic = False  # NumPy counts a bool as an advanced index (it adds an axis)
        out.append(i)
    return tuple(out), basic


def getitem(x: Tensor, index: Any) -> Tensor:
    """``t[index]`` with ints, slices, None, ..., integer arrays or boolean masks (ndarrays).

    PyTorch's rule where it differs from NumPy's: ints are applied first, as basic indexing,
    so only the arrays count as advanced indices. ``t[0, :, [0, 2]]`` of a (2, 3, 4) Tensor is
    (3, 2), as in PyTorch (NumPy counts the 0 as an advanced index too, separated from the
    array by the slice, and moves the result's axis to the front: (2, 3)).

    >>> from autograd import Tensor
    >>> import numpy as np
    >>> Tensor(np.zeros((2, 3, 4)))[0, :, [0, 2]].shape
    (3, 2)
    """
    idx, basic = normalize_index(index, x.shape)
    if not basic:
        split = _ints_first(idx)
        if split is not None:
            first, rest = split
            narrowed = _index(x, first, True)
            return _index(narrowed, rest, False) if rest else narrowed
    return _index(x, idx, basic)


def _index(x: Tensor, idx: tuple, basic: bool) -> Tensor:
    return make(x.data[idx], (x,), _getitem_back, "index", (idx, basic, x.shape))


def _ints_first(idx: tuple) -> tuple[tuple, tuple] | None:
    """``idx`` (normalized, with an advanced part) as two indexes applied one after the other:
    its ints (and 0-d integer arrays, as PyTorch reads them) first, then the rest; None if it
    has no int. Pass one keeps ``...`` and puts a full slice for every other part that consumes
    an axis, so both passes see the same axes."""
    first: list = []
    rest: list = []
    found = False
    for i in idx:
        if (isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_))) or (
                isinstance(i, np.ndarray) and i.ndim == 0 and i.dtype.kind in "iu"):
            first.append(int(i))
            found = True
            continue
        if i is Ellipsis:
            first.append(i)
        elif i is not None and not isinstance(i, (bool, np.bool_)):  # (None, a bool add axes)
            first.append(slice(None))
        rest.append(i)
    return (tuple(first), tuple(rest)) if found else None


def _getitem_back(ctx, g, out, x):
    return (index_add(g, ctx),)


def index_add(g: Any, ctx: tuple) -> Any:
    """Zeros of the indexed Tensor's shape with ``g`` added at the index (repeats accumulate)."""
    if isinstance(g, Tensor):
        return make(_scatter(g.data, ctx), (g,), _index_add_back, "index_add", ctx)
    return _scatter(g, ctx)


def _scatter(g: np.ndarray, ctx: tuple) -> np.ndarray:
    idx, basic, shape = ctx
    z = np.zeros(shape, dtype=g.dtype)
    if basic:
        z[idx] = g
    elif len(idx) == 1 and isinstance(idx[0], np.ndarray) and idx[0].dtype.kind in "iu":
        _add_rows(z, idx[0], g)
    else:
        np.add.at(z, idx, g)
    return z


def _add_rows(z: np.ndarray, rows: np.ndarray, g: np.ndarray) -> None:
    """``np.add.at(z, rows, g)`` for whole rows (an embedding lookup's backward), as a 1-D
    ``add.at`` on flat positions: NumPy's 2-D ``add.at`` is 3-5x slower (a (32, 3) batch into
    a (27, 10) table: 43 us against 15 us)."""
    width = z[0].size if z.ndim and len(z) else 0
    starts = (rows.reshape(-1) % max(len(z), 1)) * width  # negative indices count from the end
    flat = (starts[:, None] + np.arange(width)).reshape(-1)
    np.add.at(z.reshape(-1), flat, g.reshape(-1))


def _index_add_back(ctx, g, out, x):
    return (g[ctx[0]],)
