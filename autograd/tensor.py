"""``Tensor``: a NumPy-backed node on the same engine as ``Value``.

The class holds the data, the graph links and the public surface; each op lives in
``autograd/tensor_ops/`` with its forward and backward side by side.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Any

import numpy as np

from . import engine
from .dtype import get_default_dtype, to_array
from .grad_mode import _GradMode

_new = object.__new__


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

    >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> loss = (x * x).sum()
    >>> loss.backward()
    >>> x.grad                      # 2x
    array([[2., 4.], [6., 8.]], dtype=float32)
    """

    __slots__ = (
        "data", "grad", "requires_grad", "label", "_prev", "_back", "_ctx", "_op", "_retains_grad"
    )
    __array_ufunc__ = None  # make ``ndarray + Tensor`` call Tensor.__radd__, not broadcast

    def __init__(
        self, data: Any, requires_grad: bool = False, dtype: Any = None, label: str = ""
    ) -> None:
        if isinstance(data, Tensor):
            data = data.data
        self.data = to_array(data, dtype)
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"requires_grad must be a bool, got {type(requires_grad).__name__}")
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self.label = label
        self._prev = ()
        self._back = None
        self._ctx = None
        self._op = ""
        self._retains_grad = False

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
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", threshold=50)
        extra = ""
        if self.data.dtype != get_default_dtype():
            extra += f", dtype={self.data.dtype}"
        if self.requires_grad:
            extra += ", requires_grad=True"
        if self.label:
            extra += f", label={self.label!r}"
        return f"Tensor({body}{extra})"

    # --------------------------------------------------------------------- methods

    def item(self) -> float:
        """The value of a one-element Tensor as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a Tensor with one element, got shape {self.data.shape}")
        return float(self.data.reshape(()))

    def __float__(self) -> float:
        """``float(t)`` for a one-element Tensor, as PyTorch allows (same as ``item()``)."""
        return self.item()

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
        grads = engine.propagate((self,), (seed,), retain=_retains_grad)
        # Arrays a leaf may keep without a copy: fresh ones that no other node also holds.
        held = {id(g) for node, g in grads.items() if node._back is not None}
        held.add(id(seed))  # the caller's gradient array is never taken over
        for node, g in grads.items():
            if node.requires_grad:  # constants (e.g. the input batch) get no .grad
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
            g = to_array(g, self.data.dtype)
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
        return t


def _retains_grad(node: Tensor) -> bool:
    """Whether ``backward()`` keeps this node's gradient (``retain_grad()`` was called)."""
    return getattr(node, "_retains_grad", False)  # tolerant of a Tensor built without make()


def make(data: np.ndarray, prev: tuple, back: Any, op: str, ctx: Any = None) -> Tensor:
    """The result of an op: records its parents if grad mode is on and any of them needs grad."""
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
                return t
    t.requires_grad = False
    t._prev = ()
    t._back = None
    t._ctx = None
    return t


def as_operand(x: Any, like: Tensor) -> Tensor:
    """The other operand of a binary op as a Tensor.

    Numbers and integer/bool arrays take ``like``'s dtype (``x32 * 2`` stays float32);
    floating arrays keep theirs and NumPy's promotion decides the result.
    """
    if isinstance(x, Tensor):
        return x
    from .value import Value

    if isinstance(x, Value):
        raise TypeError(
            "cannot mix a Value and a Tensor in one op: use Tensor(value.data) or keep to Values"
        )
    if isinstance(x, (int, float, np.number)) and not isinstance(x, np.complexfloating):
        return Tensor._leaf(np.asarray(x, dtype=like.data.dtype))  # weak scalar, as NumPy 2
    if isinstance(x, np.bool_):
        return Tensor._leaf(np.asarray(x, dtype=like.data.dtype))
    if isinstance(x, np.ndarray):
        if x.dtype.kind == "f":
            return Tensor._leaf(x)
        return Tensor(x, dtype=like.data.dtype)
    if isinstance(x, (list, tuple)):
        return Tensor(x, dtype=like.data.dtype)
    raise TypeError(f"unsupported operand type for a Tensor op: {type(x).__name__}")
