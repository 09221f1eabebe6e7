"""``Tensor``: a NumPy-backed node on the same engine as ``Value``.

The class holds the data, the graph links and the public surface; each op lives in
``autograd/tensor_ops/`` with its forward and backward side by side.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import sys
from typing import Any

import numpy as np

from . import engine
from .dtype import check_can_require_grad, get_default_dtype, to_array
from .grad_mode import _GradMode
from .sites import Watch

_new = object.__new__
_next_seq = itertools.count(1).__next__  # a recorded node's ``_seq``: made after its parents


def _keep_freed_memory() -> None:
    """Ask glibc to keep freed memory for reuse instead of handing it back to the OS at once.

    A training step frees and reallocates the same large arrays every time. By default glibc
    returns big freed blocks to the OS, so the next step page-faults fresh zeroed pages: that
    made a batch-1797 digits step 2.6x and a float64 784-512-256-10 step 1.3x slower than
    hand-written NumPy, which preallocates (see ``benchmarks/``). jemalloc and tcmalloc keep
    such memory by default; this makes glibc do the same, for blocks below 32 MiB and up to
    256 MiB kept. No effect on other C libraries. Set ``CHAINRULE_KEEP_MEMORY=0`` to skip it.
    """
    if not sys.platform.startswith("linux") or os.environ.get("CHAINRULE_KEEP_MEMORY") == "0":
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process runs on
    except (OSError, AttributeError):
        return
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    mallopt(M_MMAP_THRESHOLD, 32 << 20)  # arrays under 32 MiB come from the heap...
    mallopt(M_TRIM_THRESHOLD, 256 << 20)  # ...which keeps up to 256 MiB free for reuse


_keep_freed_memory()


class Tensor:
    """An n-dimensional array that records how it was computed, for reverse-mode autodiff.

    >>> from autograd import Tensor
    >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)   # lists become float32
    >>> loss = (x * x).sum()
    >>> loss.backward()
    >>> x.grad                      # 2x
    array([[2., 4.],
           [6., 8.]], dtype=float32)
    """

    __slots__ = (
        "data", "grad", "requires_grad", "label", "_prev", "_back", "_ctx", "_op", "_retains_grad",
        "_seq",
    )
    __array_ufunc__ = None  # make ``ndarray + Tensor`` call Tensor.__radd__, not broadcast
    __hash__ = object.__hash__  # ``==`` gives a bool Tensor; nodes still go into dicts and sets

    def __init__(
        self, data: Any, requires_grad: bool = False, dtype: Any = None, label: str = ""
    ) -> None:
        if isinstance(data, Tensor):
            data = data.data
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"requires_grad must be a bool, got {type(requires_grad).__name__}")
        if not isinstance(label, str):
            raise TypeError(f"Tensor: label must be a str, got {type(label).__name__}: {label!r}")
        self.data = to_array(data, dtype)
        if requires_grad:
            check_can_require_grad(self.data.dtype)
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self.label = label
        self._prev = ()
        self._back = None
        self._ctx = None
        self._op = ""
        self._retains_grad = False
        self._seq = 0  # (leaves: the backward orders only recorded nodes, by this number)

    def __setstate__(self, state: tuple) -> None:
        """Unpickling and ``copy``: the saved slots, and a new sequence number for a recorded
        node. Its saved number came from another process or an earlier point, so a node made
        from it now could get a smaller one; pickle and ``deepcopy`` restore parents before
        children, so new numbers keep every node after its parents (``engine._propagate_arrays``
        relies on that)."""
        for part in state if isinstance(state, tuple) else (state,):  # (None, {slot: value})
            for name, value in (part or {}).items():
                object.__setattr__(self, name, value)
        self._seq = _next_seq() if self._back is not None else 0

    # ------------------------------------------------------------------ attributes

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def T(self) -> Tensor:
        """The transpose (all axes reversed), as ``ndarray.T``."""
        return self.transpose()

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d Tensor")
        return len(self.data)

    def __iter__(self) -> Any:
        """The sub-Tensors along the first axis (each an indexing node, as ``x[i]``)."""
        if self.data.ndim == 0:  # without this, Python's fallback iterates a 0-d Tensor as empty
            raise TypeError("iteration over a 0-d Tensor")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self) -> bool:
        return bool(self.data)

    def __repr__(self) -> str:
        """As PyTorch's: the dtype is shown unless the data alone gives it back (default float,
        int64, bool)."""
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", threshold=50)
        extra = ""
        if self.data.dtype not in (get_default_dtype(), np.int64, np.bool_):
            extra += f", dtype={self.data.dtype}"
        if self.requires_grad:
            extra += ", requires_grad=True"
        if self.label:
            extra += f", label={self.label!r}"
        return f"Tensor({body}{extra})"

    # --------------------------------------------------------------------- methods

    def item(self) -> float | int | bool:
        """The value of a one-element Tensor as a Python number: float, int or bool by dtype."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a Tensor with one element, got shape {self.data.shape}")
        return self.data.item()  # (ndarray.item takes any one-element shape)

    def __float__(self) -> float:
        """``float(t)`` for a one-element Tensor, as PyTorch allows."""
        return float(self.item())

    def __int__(self) -> int:
        """``int(t)`` for a one-element Tensor (a float is truncated toward zero, as PyTorch)."""
        return int(self.item())

    def __index__(self) -> int:
        """A one-element integer Tensor as a list index (``names[t]``, ``range(t)``)."""
        if self.data.dtype.kind not in "iu":
            raise TypeError(
                f"only integer Tensors of one element can be used as an index, got {self.dtype}"
            )
        return int(self.item())

    def tolist(self) -> Any:
        """The data as (nested lists of) Python numbers; a 0-d Tensor gives one number.

        >>> from autograd import Tensor
        >>> Tensor([[1, 2], [3, 4]]).tolist()
        [[1, 2], [3, 4]]
        """
        return self.data.tolist()

    def astype(self, dtype: Any) -> Tensor:
        """This Tensor converted to ``dtype``; float to float keeps the gradient flowing.

        >>> import numpy as np
        >>> from autograd import Tensor
        >>> Tensor([1.7, -1.7]).astype(np.int64)
        Tensor([ 1, -1])
        """
        from .tensor_ops.cast import astype

        return astype(self, dtype)

    def float(self) -> Tensor:
        """As the default floating dtype (``float32`` unless changed), as PyTorch's ``.float()``."""
        return self.astype(get_default_dtype())

    def double(self) -> Tensor:
        """As ``float64``."""
        return self.astype(np.float64)

    def long(self) -> Tensor:
        """As ``int64`` (floats truncate toward zero), as PyTorch's ``.long()``; no gradient."""
        return self.astype(np.int64)

    def bool(self) -> Tensor:
        """As ``bool`` (nonzero is True); no gradient."""
        return self.astype(np.bool_)

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied)."""
        return self.data

    def detach(self) -> Tensor:
        """A new leaf sharing this data, cut from the graph (requires_grad=False)."""
        return Tensor._leaf(self.data)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``.grad`` becomes None)."""
        self.grad = None

    @property
    def is_leaf(self) -> bool:
        """True for a Tensor no op recorded (made by the user, or with no grad-requiring input).

        As in PyTorch, ``backward()`` fills ``.grad`` of leaves (and of ``retain_grad()`` ones).
        """
        return self._back is None

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf whose ``.grad`` ``backward()`` fills (after ``retain_grad()``)."""
        return _retains_grad(self)

    def retain_grad(self) -> None:
        """Make ``backward()`` fill this non-leaf's ``.grad`` too (a leaf gets it anyway).

        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> y = x * 3
        >>> y.retain_grad()
        >>> (y * y).sum().backward()
        >>> y.grad                      # 2y
        array([ 6., 12.], dtype=float32)
        """
        if not self.requires_grad:
            raise RuntimeError("retain_grad() on a Tensor that does not require grad")
        if self._back is not None:
            self._retains_grad = True

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Set ``requires_grad`` in place on a leaf and return the Tensor, as in PyTorch.

        Only floating Tensors can require grad, and only a leaf's flag can change: a computed
        Tensor's follows its inputs (``detach()`` it for a constant copy).

        >>> w = Tensor([0.5, -1.0]).requires_grad_()
        >>> w.requires_grad
        True
        """
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"requires_grad_ takes a bool, got {type(flag).__name__}")
        flag = bool(flag)
        if flag and self.data.dtype.kind != "f":
            raise RuntimeError(
                "requires_grad_: only floating Tensors can require grad, "
                f"this one has dtype {self.data.dtype}"
            )
        if self._back is not None and not flag:
            raise RuntimeError(
                "requires_grad_: only a leaf's requires_grad can change; "
                "use detach() for a constant copy of a computed Tensor"
            )
        self.requires_grad = flag
        return self

    def backward(self, gradient: Any = None) -> None:
        """Add d(self)/d(leaf) (times ``gradient``) into ``.grad`` of every leaf below.

        PyTorch's semantics: leaves that require grad get ``.grad``; a non-leaf only after
        ``retain_grad()``. Every other gradient is released as soon as the backward has passed
        it on, so a step's peak memory stays low. A scalar (one-element) output needs no
        ``gradient``; a larger one does, as in PyTorch.

        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> y = x * x
        >>> y.sum().backward()
        >>> x.grad, y.grad              # y is an intermediate: no retain_grad(), no .grad
        (array([2., 4.], dtype=float32), None)
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a Tensor that does not require grad (no graph to walk)"
            )
        seed = self._seed(gradient, create_graph=False)
        # held: arrays a leaf must copy (the seed, retained gradients); it keeps any other
        done, held = engine.backward_arrays(self, seed, _retains_grad)
        for node, g in done:  # leaves that require grad, and retain_grad() nodes
            node._accumulate(g, held)

    def _accumulate(self, g: np.ndarray, held: set) -> None:
        """Add a finished gradient into ``.grad``, in this Tensor's dtype.

        A leaf owns its ``.grad`` (optimizers and ``clip_grad_norm_`` change it in place), so it
        copies any array that is a view or that another node holds too; a retained non-leaf
        gets a fresh array too (never an alias of another gradient).
        """
        dtype = self.data.dtype
        if g.dtype is not dtype and g.dtype != dtype:  # ``is``: the cheap common case
            g = g.astype(dtype)
        if self.grad is None:
            if type(g) is np.ndarray and g.base is None and id(g) not in held:
                self.grad = g
                held.add(id(g))  # one owner: a second node given the same array copies it
            else:
                self.grad = np.array(g)
        else:
            self.grad += g

    def _seed(self, g: Any, create_graph: bool) -> Any:
        if g is None:
            if self.data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs "
                    f"(this output has shape {self.data.shape}); pass a gradient of that shape"
                )
            g = np.array(1, dtype=self.data.dtype)  # 15x quicker than ones_like for a 0-d output
            if self.data.ndim:
                g = g.reshape(self.data.shape)
        elif isinstance(g, Tensor):
            g = g if create_graph else g.data
        else:
            try:
                g = to_array(g, self.data.dtype)
            except TypeError as e:  # name the argument, not "Tensor data"
                raise TypeError(f"backward: gradient must be a Tensor, an ndarray or numbers, "
                                f"got {type(g).__name__}: {g!r} ({e})") from None
        if g.shape != self.data.shape:
            raise ValueError(
                f"gradient has shape {g.shape} but the output has shape {self.data.shape}"
            )
        if create_graph and not isinstance(g, Tensor):
            g = Tensor._leaf(g)
        return g

    @classmethod
    def _from_grad(cls, g: np.ndarray, like: Tensor | None = None) -> Tensor:
        """A finished gradient as a leaf in the dtype of ``like`` (it may arrive as a scalar)."""
        g = np.asarray(g)
        if like is not None and g.dtype != like.data.dtype:
            g = g.astype(like.data.dtype)
        return cls._leaf(g)

    @classmethod
    def _leaf(cls, data: np.ndarray) -> Tensor:
        """A constant leaf around an existing ndarray (no copy, no checks)."""
        t = _new(cls)
        t.data = data
        t.grad = None
        t.requires_grad = False
        t.label = ""
        t._prev = ()
        t._back = None
        t._ctx = None
        t._op = ""
        t._retains_grad = False
        t._seq = 0
        return t


def _retains_grad(node: Tensor) -> bool:
    """Whether ``backward()`` keeps this node's gradient (``retain_grad()`` was called)."""
    return getattr(node, "_retains_grad", False)  # tolerant of a Tensor built without make()


def make(data: np.ndarray, prev: tuple, back: Any, op: str, ctx: Any = None) -> Tensor:
    """The result of an op: records its parents if grad mode is on and any of them needs grad.

    A recorded node gets the next sequence number ``_seq``: larger than its parents', so the
    backward can run nodes in decreasing ``_seq`` without searching the graph first.
    """
    t = _new(Tensor)
    t.data = data if type(data) is np.ndarray else np.asarray(data)  # NumPy gives 0-d as scalars
    t.grad = None
    t.label = ""
    t._op = op
    t._retains_grad = False
    if _GradMode.enabled:
        for p in prev:
            if p.requires_grad:
                t.requires_grad = True
                t._prev = prev
                t._back = back
                t._ctx = ctx
                t._seq = _next_seq()
                if Watch.active:  # creation sites, anomaly checks (autograd/sites.py)
                    Watch.observe(t)
                return t
    t.requires_grad = False
    t._prev = ()
    t._back = None
    t._ctx = None
    t._seq = 0
    return t


def as_operand(x: Any, like: Tensor) -> Tensor:
    """The other operand of a binary op as a Tensor, by PyTorch's promotion rules.

    Python numbers are "weak" (they decide only the category, not the width): a number of
    ``like``'s category or below takes ``like``'s dtype (``x32 * 2`` stays float32,
    ``int_t + 1`` stays integer), an int with a bool Tensor is int64, a float with an integer
    or bool Tensor is the default float. Arrays and lists become Tensors of their own dtype;
    ``promote`` then settles Tensor against Tensor.
    """
    if isinstance(x, Tensor):
        return x
    from .value import Value

    if isinstance(x, Value):
        raise TypeError(
            "cannot mix a Value and a Tensor in one op: use Tensor(value.data) or keep to Values"
        )
    dtype = like.data.dtype
    if isinstance(x, (bool, np.bool_)):
        return Tensor._leaf(np.asarray(x, dtype=dtype))
    if isinstance(x, (int, np.integer)):
        return Tensor._leaf(np.asarray(x, dtype=dtype if dtype.kind != "b" else np.int64))
    if isinstance(x, (float, np.floating)):  # weak scalar, as NumPy 2 and PyTorch
        float_dtype = dtype if dtype.kind == "f" else get_default_dtype()
        return Tensor._leaf(np.asarray(x, dtype=float_dtype))
    if isinstance(x, np.ndarray) and x.dtype.kind in "fiub":
        return Tensor._leaf(x)
    if isinstance(x, (list, tuple, np.ndarray)):
        return Tensor(x)
    raise TypeError(f"unsupported operand type for a Tensor op: {type(x).__name__}")


def promote(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """Two operands in a common category, PyTorch's rule: a floating operand wins, and the
    integer or bool one becomes its dtype (NumPy alone would make ``int64 + float32`` float64).
    Integer and bool Tensors never require grad, so the converted copy is a constant.

    Within one category a 0-d Tensor beside one with dimensions is weak, as a Python number
    is: ``x32 * Tensor(np.float64(2))`` stays float32, ``int8_t + Tensor(np.int64(1))`` int8
    (NumPy alone would widen both).

    >>> import numpy as np
    >>> (Tensor(np.ones(2, np.float32)) * Tensor(np.array(2.0))).dtype
    dtype('float32')
    """
    da, db = a.data, b.data
    ka, kb = da.dtype.kind, db.dtype.kind
    if ka == kb or (ka in "iu" and kb in "iu"):  # one category
        if (da.ndim == 0) != (db.ndim == 0) and da.dtype != db.dtype:
            if da.ndim == 0:
                return _as_dtype(a, db.dtype), b
            return a, _as_dtype(b, da.dtype)
        return a, b
    if ka != "f" and kb != "f":
        return a, b  # int with bool: NumPy's promotion is PyTorch's
    if ka == "f":
        return a, Tensor._leaf(db.astype(da.dtype))
    return Tensor._leaf(da.astype(db.dtype)), b


def _as_dtype(t: Tensor, dtype: np.dtype) -> Tensor:
    """``t`` in ``dtype``: a constant copy, or a recorded cast when gradients flow through it."""
    if t.requires_grad:
        from .tensor_ops.cast import astype

        return astype(t, dtype)
    return Tensor._leaf(t.data.astype(dtype))


def floating(t: Tensor) -> Tensor:
    """``t`` itself if floating, else a constant copy in the default float dtype (for ops that
    only make sense on reals: ``exp``, true division, ``mean``...)."""
    if t.data.dtype.kind == "f":
        return t
    return Tensor._leaf(t.data.astype(get_default_dtype()))


def common(ts: tuple) -> tuple:
    """Several Tensors in one category by ``promote``'s rule (for concatenate and stack): with
    any floating Tensor, the integer and bool ones become the floats' common dtype."""
    floats = [t.data.dtype for t in ts if t.data.dtype.kind == "f"]
    if not floats or len(floats) == len(ts):
        return ts
    dtype = np.result_type(*floats)
    return tuple(t if t.data.dtype.kind == "f" else Tensor._leaf(t.data.astype(dtype)) for t in ts)
