"""The engine shared by ``Value`` and ``Tensor``: reverse topological order and the chain rule.

Every node, scalar or tensor, carries the same few attributes:

- ``data``: the forward result (a float for ``Value``, an ndarray for ``Tensor``);
- ``grad``: the gradient that ``backward()`` accumulated into it (every ``Value``; a
  ``Tensor`` leaf, or a non-leaf after ``retain_grad()``, as in PyTorch);
- ``requires_grad``: whether gradients flow into it;
- ``_prev``: the tuple of nodes it was computed from (empty for a leaf);
- ``_back``: the op's backward function ``back(ctx, g, out, *inputs) -> input grads``
  (``None`` for a leaf), always a plain module-level function;
- ``_ctx``: constants that backward needs (an axis, a shape, a slope), or ``None``;
- ``_op``: the op's short name, for ``repr`` and ``draw_dot``.

``Value`` has one more slot, ``_g``: scratch space for ``Value.backward``'s walk (below), None
outside it. ``Tensor`` has ``_seq``: the order in which recorded nodes were made (0 on leaves),
which orders a Tensor backward without a graph search (``_propagate_arrays``).

Because ``_back`` is never a closure over the output node and ``_ctx`` never holds it, a
finished graph has no reference cycles and is freed by reference counting alone.

One backward function serves two modes. Normally it receives raw data (floats or ndarrays) and
returns raw gradients: fast. With ``create_graph=True`` it receives the nodes themselves, so its
arithmetic records new nodes and the gradients it returns can be differentiated again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from heapq import heapify, heappop, heappush
from typing import Any

import numpy as np

from .grad_mode import _GradMode, no_grad
from .sites import Watch


def topological_order(roots: Iterable[Any]) -> list:
    """All nodes the roots depend on, each after its parents (iterative depth-first search).

    No recursion: a chain of millions of nodes works at Python's default recursion limit.
    A node is pushed, then a ``None`` marker, then its unvisited parents; when the marker comes
    back off the stack, all of the node's parents are placed and the node itself follows.
    """
    order: list = []
    visited: set = set()
    stack = list(roots)[::-1]
    pop, push = stack.pop, stack.append
    place, mark = order.append, visited.add
    while stack:
        node = pop()
        if node is None:  # the marker: every parent of the node beneath it is placed
            place(pop())
            continue
        if node in visited:
            continue
        mark(node)
        prev = node._prev
        if prev:
            push(node)
            push(None)
            for parent in prev:  # only unvisited ones (shared parents are the common case)
                if parent not in visited:
                    push(parent)
        else:
            place(node)
    return order


def propagate(
    roots: Sequence[Any],
    seeds: Sequence[Any],
    create_graph: bool = False,
    retain: Callable[[Any], bool] | None = None,
) -> dict:
    """The chain rule over the graph below ``roots``: a dict node -> d(sum of seeds·roots)/d(node).

    Walks the nodes in reverse topological order (Tensors on ndarrays: by creation number), so
    a node's gradient is complete (every use of it summed) before it is passed on to its
    parents. Constant leaves (``requires_grad`` False) may get an entry too; callers ignore
    those.

    ``retain=None`` keeps every node's gradient in the result (``Value.backward``, ``grad``,
    the drawings). Otherwise a non-leaf's gradient is dropped from the dict as soon as its
    backward has passed it on, unless ``retain(node)`` is true, so it can be freed at once
    (``Tensor.backward``: PyTorch's semantics, and a lower peak memory). Leaves always keep theirs.
    """
    if Watch.anomaly:  # detect_anomaly(): the same walk, checking every gradient (anomaly.py)
        return Watch.checked_propagate(roots, seeds, create_graph, retain)
    grads: dict = {}
    for root, seed in zip(roots, seeds):
        grads[root] = seed if root not in grads else grads[root] + seed
    mode = _GradMode  # on while a create_graph backward records, off otherwise (this thread's)
    was, mode.enabled = mode.enabled, bool(create_graph)
    try:
        if create_graph:
            _propagate_summing(topological_order(roots), grads, retain, differentiable=True)
        elif all(type(root.data) is np.ndarray for root in roots):  # Tensors
            _propagate_arrays(grads, retain)
        else:
            _propagate_summing(topological_order(roots), grads, retain)
    finally:
        mode.enabled = was
    return grads


def _propagate_summing(
    order: list, grads: dict, retain: Callable[[Any], bool] | None, differentiable: bool = False
) -> None:
    """The chain rule summing with ``+``: on floats (immutable: nothing to reuse), or with
    ``differentiable=True`` on the nodes themselves, so the backward records a new graph."""
    get = grads.get
    release = retain is not None
    for node in reversed(order):
        back = node._back
        if back is None:
            continue
        g = get(node)
        if g is None:
            continue
        if release and not retain(node):
            del grads[node]
        prev = node._prev
        if differentiable:  # the backward sees (and records onto) the nodes
            input_grads = back(node._ctx, g, node, *prev)
        elif len(prev) == 1:  # the commonest case, the loop below unrolled (30% faster)
            parent = prev[0]
            (pg,) = back(node._ctx, g, node.data, parent.data)
            if pg is not None:
                old = get(parent)
                grads[parent] = pg if old is None else old + pg
            continue
        elif len(prev) == 2:
            input_grads = back(node._ctx, g, node.data, prev[0].data, prev[1].data)
        else:
            input_grads = back(node._ctx, g, node.data, *[p.data for p in prev])
        for parent, pg in zip(prev, input_grads):
            if pg is None:
                continue
            old = get(parent)
            grads[parent] = pg if old is None else old + pg


def _propagate_arrays(grads: dict, retain: Callable[[Any], bool] | None) -> None:
    """The chain rule on ndarrays from the seeded roots in ``grads``, in creation order reversed,
    writing into gradient arrays where that is provably safe.

    Order: every recorded Tensor has a sequence number ``_seq`` (``tensor.make``), larger than
    its parents' since it was made after them. So the node with the largest ``_seq`` among those
    holding a gradient has received every contribution it will get: all its users came later
    and ran already. A heap of the nodes holding a gradient gives that node each time, with no
    graph search first (PyTorch's engine numbers its nodes the same way). A node enters the
    heap once, when its first gradient arrives; leaves never do.

    Ownership: ``owned`` holds (by id) the gradient arrays that only ``grads`` refers to: sums
    this loop made (``old + pg``), and results of backward functions marked ``back.fresh = True``
    (every array they return is new and referenced by nothing else). Later uses of a node are
    added into an owned array in place. When a node's own backward runs, its gradient stops
    being owned (the backward may return it, or views of it: ``a + b`` passes ``g`` to both
    inputs), except that a backward with an in-place variant ``back.into`` may overwrite an
    owned gradient that is released right after (not retained): nobody else can see it. Seeds
    and arrays from unmarked backward functions are never written.
    """
    heap = [(-node._seq, node) for node in grads if node._back is not None]  # the roots
    heapify(heap)
    pop, push = heappop, heappush
    get = grads.get
    release = retain is not None
    owned: set = set()
    while heap:
        node = pop(heap)[1]
        back = node._back
        g = grads[node]
        mine = False
        if owned and id(g) in owned:
            owned.discard(id(g))
            mine = True
        if release and not retain(node):
            del grads[node]
        else:
            mine = False  # kept in the result: never overwritten
        fresh = getattr(back, "fresh", False)
        if mine:
            into = getattr(back, "into", None)
            if into is not None and g.flags.writeable:
                back = into  # may overwrite g; its results are fresh or g itself: ours too
                fresh = True
        prev = node._prev
        n = len(prev)
        if n == 1:
            input_grads = back(node._ctx, g, node.data, prev[0].data)
        elif n == 2:
            input_grads = back(node._ctx, g, node.data, prev[0].data, prev[1].data)
        elif n == 3:  # (a Linear with its bias)
            input_grads = back(node._ctx, g, node.data, prev[0].data, prev[1].data,
                               prev[2].data)
        else:
            input_grads = back(node._ctx, g, node.data, *[p.data for p in prev])
        for parent, pg in zip(prev, input_grads):
            if pg is None:
                continue
            old = get(parent)
            if old is None:
                grads[parent] = pg
                if parent._back is not None:
                    push(heap, (-parent._seq, parent))
                if fresh and type(pg) is np.ndarray:
                    owned.add(id(pg))
            elif id(old) in owned and old.shape == pg.shape and old.dtype == pg.dtype:
                old += pg  # an array only ``grads`` holds: add into it
            else:
                owned.discard(id(old))  # replaced: its id may come back on another array
                total = old + pg
                grads[parent] = total
                if type(total) is np.ndarray:  # (a 0-d sum comes back as a NumPy scalar)
                    owned.add(id(total))


def backward_arrays(root: Any, seed: np.ndarray, retain: Callable[[Any], bool]) -> tuple[list, set]:
    """``Tensor.backward``'s walk: ``propagate`` with PyTorch's semantics, ``.grad`` untouched.

    Returns ``[(node, g), ...]``, the finished gradients of the leaves that require grad and of
    the nodes ``retain`` keeps (those that called ``retain_grad()``; every other gradient was
    dropped as soon as its backward had passed it on), and the ids of the arrays a leaf must
    copy rather than keep: the seed and the retained gradients, which their backward may have
    passed on as they are.
    """
    grads = propagate((root,), (seed,), retain=retain)
    held = {id(seed)}
    done = []
    for node, g in grads.items():
        if node._back is not None:  # a retained non-leaf
            held.add(id(g))
        if node.requires_grad:  # (constant leaves, such as the input batch, get no .grad)
            done.append((node, g))
    return done, held


class _Unreached(float):
    """The ``_g`` of a node the walk has visited but no gradient has reached yet.

    It is 0.0 in arithmetic (``UNREACHED + g`` is a plain float ``g``, at C speed), and
    ``is UNREACHED`` tells it apart from a real 0.0 gradient: a node nothing reached is skipped,
    exactly as ``propagate`` skips a node with no entry in its dict.
    """


UNREACHED = _Unreached(0.0)
_slots_in_use = threading.Lock()  # one walk at a time uses the _g slots; others use the dict


def backward_into_grad(root: Any) -> None:
    """``Value.backward``: add d(root)/d(node) into ``.grad`` of every node below ``root``.

    The same chain rule as ``propagate`` on floats, but each gradient is summed in the node's own
    ``_g`` slot instead of a dict (an attribute store costs less than a dict lookup and store,
    and the visit mark is the same slot: no ``visited`` set), and ops with many parents
    (``dot``) add into those slots directly through ``back.accumulate``. ``.grad`` is written
    only once the whole walk succeeded, so an error part way changes nothing.

    A walk already running (another thread, or a backward called from inside a backward) keeps
    the slots; this one then takes the dict path, as does ``detect_anomaly``.
    """
    if Watch.anomaly or not _slots_in_use.acquire(blocking=False):
        for node, g in propagate((root,), (1.0,)).items():
            node.grad += g
        return
    try:
        order = _mark_order(root)
        try:
            root._g = 1.0
            with no_grad():
                _chain_into_slots(order)
        except BaseException:
            for node in order:
                node._g = None
            raise
        _move_slots_into_grad(order)
    finally:
        _slots_in_use.release()


def _move_slots_into_grad(order: list) -> None:
    """Add each reached node's ``_g`` into its ``.grad``; every slot is None again after."""
    for node in order:
        g = node._g
        node._g = None
        if g is not UNREACHED:
            node.grad += g


def _mark_order(root: Any) -> list:
    """``topological_order((root,))`` with ``_g = UNREACHED`` as the visit mark (no set).

    If it fails part way (a parent that is not a Value), the marks it made are undone.
    """
    order: list = []
    stack = [root]
    pop, push, place = stack.pop, stack.append, order.append
    try:
        while stack:
            node = pop()
            if node is None:  # the marker: every parent of the node beneath it is placed
                place(pop())
                continue
            if node._g is not None:
                continue
            node._g = UNREACHED
            prev = node._prev
            if prev:
                push(node)
                push(None)
                for parent in prev:
                    if parent._g is None:
                        push(parent)
            else:
                place(node)
    except BaseException:
        for node in (*order, *stack):
            if node is not None and getattr(node, "_g", None) is UNREACHED:
                node._g = None
        raise
    return order


def _chain_into_slots(order: list) -> None:
    """The chain rule in reverse topological order, summing each gradient into ``_g``."""
    for node in reversed(order):
        back = node._back
        if back is None:
            continue
        g = node._g
        if g is UNREACHED:
            continue
        prev = node._prev
        if len(prev) == 1:  # the commonest cases unrolled
            parent = prev[0]
            (pg,) = back(node._ctx, g, node.data, parent.data)
            if pg is not None:
                parent._g += pg
        elif len(prev) == 2:
            a, b = prev
            ga, gb = back(node._ctx, g, node.data, a.data, b.data)
            if ga is not None:
                a._g += ga
            if gb is not None:
                b._g += gb
        else:
            accumulate = getattr(back, "accumulate", None)
            if accumulate is not None:
                accumulate(node._ctx, g, prev)
                continue
            for parent, pg in zip(prev, back(node._ctx, g, node.data, *[p.data for p in prev])):
                if pg is not None:
                    parent._g += pg


def _as_tuple(nodes: Any, what: str) -> tuple:
    if isinstance(nodes, (list, tuple)):
        nodes = tuple(nodes)
    else:
        nodes = (nodes,)
    for node in nodes:
        if not hasattr(node, "_prev"):
            raise TypeError(f"grad: {what} must be Values or Tensors, got {type(node).__name__}")
    return nodes


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """Gradients of ``outputs`` with respect to ``inputs``, one per input; ``.grad`` is untouched.

    ``grad_outputs`` weights each output (default 1 for scalar outputs). With
    ``create_graph=True`` the returned gradients are nodes of a new graph, so they can be
    differentiated again (grad of grad, Hessian-vector products, Newton steps).

    >>> from autograd import Value, grad
    >>> x = Value(3.0)
    >>> y = x ** 3
    >>> dy, = grad(y, x, create_graph=True)   # 3x² = 27, a Value with a graph of its own
    >>> d2y, = grad(dy, x)                     # 6x = 18
    >>> dy.data, d2y.data
    (27.0, 18.0)
    """
    outputs = _as_tuple(outputs, "outputs")
    inputs = _as_tuple(inputs, "inputs")
    if create_graph not in (True, False):
        raise TypeError(f"grad: create_graph must be a bool, got {type(create_graph).__name__}")
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = (grad_outputs,)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    seeds = [out._seed(g, create_graph) for out, g in zip(outputs, grad_outputs)]
    grads = propagate(outputs, seeds, create_graph, retain=set(inputs).__contains__)
    result = []
    for i, x in enumerate(inputs):
        g = grads.get(x)
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} ({x!r}) was not used to compute the outputs; "
                    "pass allow_unused=True to get None for it"
                )
            result.append(None)
        elif create_graph:
            result.append(g)
        else:
            result.append(type(x)._from_grad(g, x))
    return tuple(result)
