"""The property-test factory behind ``test_tensor_ops.py``: one table row per Tensor op.

An ``Op`` names a function of Tensors, its NumPy reference and a Hypothesis strategy that draws
one *case*: the input arrays (float64, each becomes a ``Tensor(requires_grad=True)``) and
keyword constants (axes, exponents, ndarray or number operands, indexes) passed to both.
For every case the factory checks

- the forward against NumPy (shape, dtype, values);
- every input's gradient, for a random upstream gradient ``g`` (a vector-Jacobian product),
  against central finite differences of ``<g, f(x)>`` — through ``autograd.grad`` and through
  ``backward(g)``, twice (gradients accumulate), with fresh, unaliased ``.grad`` arrays;
- second derivatives: the first gradients taken with ``create_graph=True`` are differentiated
  again (w.r.t. the inputs *and* ``g``) against finite differences of the first gradient;
- that nothing is mutated: input data, constants, ``g``; ``autograd.grad`` leaves ``.grad`` alone.

Domains are drawn so finite differences are valid: away from kinks (0 for abs/relu, the clip
bounds), positive where the op needs it (log, sqrt, pow bases), with distinct values where the
op picks one (max/min, maximum/minimum). Ties are tested by hand in ``test_tensor_ops.py``.

Written locally (not ``autograd.gradcheck``) because it needs random upstream gradients,
derivatives w.r.t. the upstream gradient and constant keyword operands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor
from autograd.testing import broadcastable_shapes

EPS = 1e-6
FD_TOL = dict(rtol=1e-5, atol=1e-6)
FORWARD_TOL = dict(rtol=1e-10, atol=1e-12)
MAX_DIMS, MAX_SIDE = 3, 3

# ------------------------------------------------------------------------------- element domains


def reals(lo: float = -3.0, hi: float = 3.0) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def away_from_zero(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Magnitudes in [lo, hi] with either sign: FD never straddles a kink at 0."""
    return st.builds(lambda m, neg: -m if neg else m, reals(lo, hi), st.booleans())


def grid(step: float, offset: float = 0.0, k: int = 12) -> st.SearchStrategy[float]:
    """Multiples of ``step`` (plus ``offset``) in [-k*step, k*step]: exact, well separated."""
    return st.integers(-k, k).map(lambda i: i * step + offset)


R = reals()                       # smooth ops: anywhere
POS = reals(0.2, 3.0)             # log, sqrt, pow bases
NONZERO = away_from_zero(0.5, 2.0)  # divisors, signed bases of integer powers
KINKLESS = away_from_zero(0.1, 3.0)  # abs, relu, leaky_relu, elu
ON_GRID = grid(0.25)              # maximum/minimum: one side on the grid ...
OFF_GRID = grid(0.25, 0.125)      # ... the other between its points (never a tie)


def arrays(shape: tuple, elements: st.SearchStrategy, unique: bool = False, dtype=np.float64):
    return hnp.arrays(dtype, shape, elements=elements, unique=unique)


def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, max_side: int = MAX_SIDE):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


# ---------------------------------------------------------------------------------- case builders
# A case is ``(tuple of input arrays, dict of keyword constants)``.


def bcast(*domains: st.SearchStrategy, const: Any = None, const_dtype: Any = np.float64,
          **params: st.SearchStrategy) -> st.SearchStrategy:
    """Inputs of mutually broadcastable shapes (0-d and size-1 axes included), one per domain.

    ``const``: the element domain of a constant ndarray operand ``c`` that joins the broadcast;
    ``params``: other keyword constants, each drawn from its strategy.
    """
    n = len(domains) + (const is not None)

    @st.composite
    def case(draw):
        shapes = draw(broadcastable_shapes(n, max_dims=MAX_DIMS, max_side=MAX_SIDE))
        ins = tuple(draw(arrays(s, d)) for s, d in zip(shapes, domains))
        kw = {k: draw(v) for k, v in params.items()}
        if const is not None:
            kw["c"] = draw(arrays(shapes[-1], const, dtype=const_dtype))
        return ins, kw

    return case()


def _axis_arg(ndim: int) -> st.SearchStrategy:
    """None, an int (maybe negative) or a tuple of distinct ints (maybe negative, maybe empty)."""
    if ndim == 0:
        return st.sampled_from([None, ()])
    one = st.integers(-ndim, ndim - 1)
    many = st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).flatmap(
        lambda axes: st.tuples(*[st.sampled_from([a, a - ndim]) for a in axes]))
    return st.one_of(st.none(), one, many)


def reduction(domain: st.SearchStrategy, unique: bool = False, ddof: bool = False):
    """One array; ``axis`` (None, int, negative, tuple) and ``keepdims``; ``ddof`` for var."""

    @st.composite
    def case(draw):
        shape = draw(shapes())
        x = draw(arrays(shape, domain, unique=unique))
        axis = draw(_axis_arg(len(shape)))
        kw = {"axis": axis, "keepdims": draw(st.booleans())}
        if ddof:
            axes = range(len(shape)) if axis is None else np.atleast_1d(axis)
            n = int(np.prod([shape[a] for a in axes]))
            kw["ddof"] = draw(st.integers(0, min(1, n - 1)))
        return (x,), kw

    return case()


DISTINCT = grid(0.25, k=20)  # with unique=True: values >= 0.25 apart, so max/min are unique

# Matmul operand layouts: letters are sizes drawn in 1..3, "1" is a size-1 (broadcast) batch axis.
MATMUL_LAYOUTS = [
    ("k", "k"), ("mk", "kn"), ("k", "kn"), ("mk", "k"),          # 1-D, 2-D, vec-mat, mat-vec
    ("bmk", "bkn"), ("bmk", "kn"), ("mk", "bkn"),                 # batched
    ("k", "bkn"), ("bmk", "k"),                                   # batched with a vector
    ("1mk", "bkn"), ("cbmk", "1kn"), ("b1mk", "ckn"),             # broadcast batch dims
]


def matmul_case(const: str | None = None):
    """``a @ b`` over every layout; ``const="left"|"right"``: that operand is a constant ``c``."""

    @st.composite
    def case(draw):
        la, lb = draw(st.sampled_from(MATMUL_LAYOUTS))
        dims = {ch: draw(st.integers(1, 3)) for ch in "bcmkn"}
        dims["1"] = 1
        a, b = (draw(arrays(tuple(dims[ch] for ch in lay), R)) for lay in (la, lb))
        if const == "left":
            return (b,), {"c": a}
        if const == "right":
            return (a,), {"c": b}
        return (a, b), {}

    return case()


def clip_case():
    """Values between grid points, bounds on the grid (either may be None): no value at a bound."""

    @st.composite
    def case(draw):
        x = draw(arrays(draw(shapes()), OFF_GRID))
        lo, hi = sorted([draw(ON_GRID), draw(ON_GRID)])
        lo, hi = draw(st.sampled_from([(lo, hi), (None, hi), (lo, None)]))
        return (x,), {"lo": lo, "hi": hi}

    return case()


def _factorizations(n: int, parts: int) -> list[tuple]:
    if parts == 0:
        return [()] if n == 1 else []
    return [(d,) + rest for d in range(1, n + 1) if n % d == 0
            for rest in _factorizations(n // d, parts - 1)]


def reshape_case():
    """A new shape with the same size (0 to 3 axes, maybe one -1), as a tuple or as arguments."""

    @st.composite
    def case(draw):
        x = draw(arrays(draw(shapes()), R))
        targets = [s for p in range(4) for s in _factorizations(x.size, p)]
        new = list(draw(st.sampled_from(targets)))
        if new and draw(st.booleans()):
            new[draw(st.integers(0, len(new) - 1))] = -1
        return (x,), {"shape": tuple(new), "as_args": draw(st.booleans())}

    return case()


def transpose_case():
    """No axes (reverse them), or a permutation with some axes negative, as a tuple or arguments."""

    @st.composite
    def case(draw):
        x = draw(arrays(draw(shapes()), R))
        axes = None
        if draw(st.booleans()):
            perm = draw(st.permutations(range(x.ndim)))
            axes = tuple(a - x.ndim if draw(st.booleans()) else a for a in perm)
        return (x,), {"axes": axes, "as_args": draw(st.booleans())}

    return case()


def broadcast_to_case():
    """A target shape: new leading axes, size-1 axes stretched."""

    @st.composite
    def case(draw):
        x = draw(arrays(draw(shapes()), R))
        lead = draw(st.lists(st.integers(1, 3), max_size=2))
        tail = [draw(st.integers(1, 3)) if n == 1 else n for n in x.shape]
        return (x,), {"shape": tuple(lead + tail)}

    return case()


def index_case():
    """Basic (ints, slices, None, ...), integer arrays (repeats), boolean masks and mixes."""

    @st.composite
    def case(draw):
        shape = draw(shapes(min_dims=1, max_side=4))
        x = draw(arrays(shape, R))
        ints = st.integers(-shape[0], shape[0] - 1)
        repeats = hnp.arrays(np.intp, st.integers(1, 6), elements=ints)  # repeated indices
        small = hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)
        kinds = [
            hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True),
            repeats,
            repeats.map(lambda a: a.tolist()),                               # a list of ints
            hnp.integer_array_indices(shape, result_shape=small),           # one array per axis
            st.integers(1, len(shape)).flatmap(                              # a boolean mask
                lambda k: hnp.arrays(np.bool_, shape[:k])),
            st.tuples(repeats, st.just(Ellipsis)),
            st.tuples(st.just(None), repeats, st.just(None), st.just(Ellipsis)),
        ]
        if len(shape) >= 2:
            cols = hnp.arrays(np.intp, st.integers(1, 4),
                              elements=st.integers(-shape[1], shape[1] - 1))
            kinds += [
                st.tuples(st.just(slice(None)), cols),                    # x[:, [j, j, k]]
                st.tuples(repeats, st.just(slice(None, None, -1))),
                st.tuples(st.integers(-shape[0], shape[0] - 1), cols),    # int and array
                hnp.arrays(np.bool_, shape[:1]).map(lambda m: (m, slice(1, None))),
            ]
        return (x,), {"index": draw(st.one_of(kinds))}

    return case()


def concatenate_case():
    """1 to 3 arrays that differ only along ``axis`` (maybe negative)."""

    @st.composite
    def case(draw):
        base = list(draw(shapes(min_dims=1)))
        axis = draw(st.integers(-len(base), len(base) - 1))
        ins = []
        for _ in range(draw(st.integers(1, 3))):
            base[axis] = draw(st.integers(1, 3))
            ins.append(draw(arrays(tuple(base), R)))
        return tuple(ins), {"axis": axis}

    return case()


def stack_case():
    """1 to 3 same-shape arrays (0-d included), a new ``axis`` anywhere (maybe negative)."""

    @st.composite
    def case(draw):
        shape = draw(shapes(max_dims=2))
        k = draw(st.integers(1, 3))
        axis = draw(st.integers(-len(shape) - 1, len(shape)))
        return tuple(draw(arrays(shape, R)) for _ in range(k)), {"axis": axis}

    return case()


def axis_case(domain: st.SearchStrategy = R, keepdims: bool = False, axes: bool = False):
    """One array of at least one dimension and one ``axis`` (maybe negative); ``axes``: also
    None or a tuple of axes; ``keepdims``: drawn too."""

    @st.composite
    def case(draw):
        x = draw(arrays(draw(shapes(min_dims=1)), domain))
        if axes:
            axis = draw(_axis_arg(x.ndim))
        else:
            axis = draw(st.integers(-x.ndim, x.ndim - 1))
        kw = {"axis": axis}
        if keepdims:
            kw["keepdims"] = draw(st.booleans())
        return (x,), kw

    return case()


def gather_case():
    """PyTorch's gather: an int64 index of the input's rank, no larger off ``axis``, repeats."""

    @st.composite
    def case(draw):
        x = draw(arrays(draw(shapes(min_dims=1)), R))
        axis = draw(st.integers(-x.ndim, x.ndim - 1))
        ax = axis % x.ndim
        shape = tuple(draw(st.integers(1, 3)) if d == ax else draw(st.integers(1, n))
                      for d, n in enumerate(x.shape))
        index = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, x.shape[ax] - 1)))
        return (x,), {"axis": axis, "index": index}

    return case()


def split_case():
    """A split size or a list of sections along ``dim``, and which piece to look at."""

    @st.composite
    def case(draw):
        x = draw(arrays(draw(shapes(min_dims=1, max_side=4)), R))
        dim = draw(st.integers(-x.ndim, x.ndim - 1))
        n = x.shape[dim]
        if draw(st.booleans()):
            sizes = draw(st.integers(1, n + 1))
            count = -(-n // sizes)
        else:
            cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
            sizes = [b - a for a, b in zip([0] + cuts, cuts + [n])]
            count = len(sizes)
        return (x,), {"sizes": sizes, "dim": dim, "piece": draw(st.integers(0, count - 1))}

    return case()


def chunk_case():
    """A number of chunks along ``dim``, and which chunk to look at."""

    @st.composite
    def case(draw):
        x = draw(arrays(draw(shapes(min_dims=1, max_side=4)), R))
        dim = draw(st.integers(-x.ndim, x.ndim - 1))
        chunks = draw(st.integers(1, 5))
        n = x.shape[dim]
        count = -(-n // -(-n // chunks))
        return (x,), {"chunks": chunks, "dim": dim, "piece": draw(st.integers(0, count - 1))}

    return case()


def pad_case():
    """PyTorch's pad tuple (last dim first) for each mode, within each mode's limits;
    constant padding may be negative (it crops) and has a fill ``value``."""

    @st.composite
    def case(draw):
        x = draw(arrays(draw(shapes(min_dims=1)), R))
        mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
        pairs = draw(st.integers(1, x.ndim))
        pad = []
        for n in x.shape[::-1][:pairs]:
            lo, hi = {"constant": (-1 if n >= 3 else 0, 2), "reflect": (0, n - 1),
                      "replicate": (0, 2), "circular": (0, n)}[mode]
            pad += [draw(st.integers(lo, hi)), draw(st.integers(lo, hi))]
        kw = {"pad": tuple(pad), "mode": mode}
        if mode == "constant":
            kw["value"] = draw(st.sampled_from([0.0, -1.5]))
        return (x,), kw

    return case()


def unsqueeze_case():
    @st.composite
    def case(draw):
        x = draw(arrays(draw(shapes()), R))
        return (x,), {"dim": draw(st.integers(-x.ndim - 1, x.ndim))}

    return case()


def squeeze_case():
    """Shapes with size-1 axes; ``dim`` None, an int (size 1 or not) or a tuple."""

    @st.composite
    def case(draw):
        shape = draw(st.lists(st.sampled_from([1, 1, 2, 3]), min_size=1, max_size=4))
        x = draw(arrays(tuple(shape), R))
        one = st.integers(-x.ndim, x.ndim - 1)
        dim = draw(st.one_of(st.none(), one, st.lists(st.integers(0, x.ndim - 1), unique=True,
                                                      min_size=1).map(tuple)))
        return (x,), {"dim": dim}

    return case()


def expand_case():
    """A target shape: new leading axes, size-1 axes stretched, ``-1`` keeping an axis."""

    @st.composite
    def case(draw):
        x = draw(arrays(draw(shapes()), R))
        lead = draw(st.lists(st.integers(1, 3), max_size=2))
        tail = [draw(st.sampled_from([-1, n] if n != 1 else [-1, 1, 2, 3])) for n in x.shape]
        return (x,), {"shape": tuple(lead + tail)}

    return case()


def embedding_case():
    """A table ``(V, D)`` looked up with an int64 index array of any shape (repeats)."""

    @st.composite
    def case(draw):
        v, d = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        table = draw(arrays((v, d), R))
        idx = draw(hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=3),
                              elements=st.integers(0, v - 1)))
        return (table,), {"index": idx}

    return case()


def pad_reference(x: np.ndarray, pad: tuple, mode: str, value: float = 0.0) -> np.ndarray:
    """NumPy's ``np.pad`` read with PyTorch's last-dim-first pad tuple (negative pads crop)."""
    pairs = [(0, 0)] * (x.ndim - len(pad) // 2)
    pairs += [(pad[i], pad[i + 1]) for i in range(len(pad) - 2, -1, -2)]
    x = x[tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(pairs, x.shape))]
    pairs = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
    if mode == "constant":
        return np.pad(x, pairs, mode="constant", constant_values=value)
    return np.pad(x, pairs, mode={"reflect": "reflect", "replicate": "edge",
                                  "circular": "wrap"}[mode])


# ------------------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Op:
    """One row of the table: ``fn(*tensors, **kw)`` against ``ref(*arrays, **kw)`` on ``case``.

    ``ref=None``: ``fn`` itself works on ndarrays (``lambda a, b: a + b``).
    """

    name: str
    fn: Callable[..., Any]
    ref: Callable[..., Any] | None
    case: st.SearchStrategy

    def reference(self, arrays: tuple, kw: dict) -> np.ndarray:
        return np.asarray((self.ref or self.fn)(*arrays, **kw))

    def __repr__(self) -> str:
        return self.name


def forward(op: Op, arrays: tuple, kw: dict) -> np.ndarray:
    """The engine's forward on constants (no graph): what finite differences perturb."""
    with autograd.no_grad():
        return op.fn(*[Tensor(a) for a in arrays], **kw).data


# ----------------------------------------------------------------------------- finite differences


def numeric_grads(f: Callable[..., Any], arrays: tuple, eps: float = EPS) -> list[np.ndarray]:
    """Central differences of the scalar ``f(*arrays)`` w.r.t. every element of every array."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]  # private copies to perturb
    out = []
    for a in arrays:
        ga = np.zeros_like(a)
        for j in np.ndindex(a.shape):
            orig = a[j]
            a[j] = orig + eps
            up = float(f(*arrays))
            a[j] = orig - eps
            down = float(f(*arrays))
            a[j] = orig
            ga[j] = (up - down) / (2 * eps)
        out.append(ga)
    return out


def numeric_vjp(op: Op, arrays: tuple, kw: dict, g: np.ndarray) -> list[np.ndarray]:
    """d<g, op(x)>/dx for every input, by finite differences."""
    return numeric_grads(lambda *xs: np.sum(g * forward(op, xs, kw)), arrays)


def analytic_vjp(op: Op, arrays: tuple, kw: dict, g: np.ndarray) -> list[np.ndarray]:
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    return [gx.data for gx in autograd.grad(op.fn(*xs, **kw), xs, grad_outputs=g)]


# ---------------------------------------------------------------------------------------- checks


def _snapshot(kw: dict) -> dict:
    return {k: np.array(v, copy=True) for k, v in kw.items() if isinstance(v, np.ndarray)}


def _read_only(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.flags.writeable = False  # an op that writes into it raises at once
    return a


def check_forward_and_grads(op: Op, arrays: tuple, kw: dict, seed: int) -> None:
    rng = np.random.default_rng(seed)
    arrays_before, kw_before = [a.copy() for a in arrays], _snapshot(kw)
    kw = {k: _read_only(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    datas = [x.data for x in xs]
    for d in datas:
        d.flags.writeable = False

    # forward against NumPy
    out = op.fn(*xs, **kw)
    expected = op.reference(arrays, kw)
    assert isinstance(out, Tensor), f"{op.name} returned {type(out).__name__}"
    assert out.shape == expected.shape, f"{op.name}: shape {out.shape}, NumPy {expected.shape}"
    assert out.dtype == np.float64, f"{op.name}: float64 inputs gave {out.dtype}"
    np.testing.assert_allclose(out.data, expected, **FORWARD_TOL, err_msg=f"{op.name} forward")
    assert out.requires_grad

    # vector-Jacobian product against finite differences, through autograd.grad
    g = np.asarray(rng.uniform(-1.0, 1.0, out.shape))
    g_before = g.copy()
    gt = Tensor(g)  # its (read-only) array reaches the op's backward uncopied
    gt.data.flags.writeable = False
    grads = autograd.grad(out, xs, grad_outputs=gt)
    numeric = numeric_vjp(op, arrays, kw, g)
    assert len(grads) == len(xs)
    for i, (x, gx, num) in enumerate(zip(xs, grads, numeric)):
        assert x.grad is None, f"{op.name}: autograd.grad wrote .grad of input {i}"
        assert isinstance(gx, Tensor) and not gx.requires_grad
        assert gx.shape == x.shape, f"{op.name}: grad {i} has shape {gx.shape}, input {x.shape}"
        assert gx.dtype == np.float64
        np.testing.assert_allclose(gx.data, num, **FD_TOL,
                                   err_msg=f"{op.name}: gradient of input {i} vs FD")

    # the same through backward(g), twice: .grad accumulates, each leaf owns its array
    for times in (1, 2):
        op.fn(*xs, **kw).backward(gt)
        for i, (x, gx) in enumerate(zip(xs, grads)):
            assert isinstance(x.grad, np.ndarray) and x.grad.dtype == np.float64
            np.testing.assert_allclose(x.grad, times * gx.data, rtol=1e-12, atol=1e-12,
                                       err_msg=f"{op.name}: .grad of input {i} after "
                                               f"{times} backward call(s)")
    owners = [x.grad for x in xs] + [g, gt.data] + datas + [out.data]
    for i, x in enumerate(xs):
        for j, other in enumerate(owners):
            if j != i:
                assert not np.shares_memory(x.grad, other), \
                    f"{op.name}: .grad of input {i} shares memory with another array"

    # an existing .grad is left alone by a forward and by autograd.grad
    held = [(x.grad, x.grad.copy()) for x in xs]
    autograd.grad(op.fn(*xs, **kw), xs, grad_outputs=gt)
    for i, (x, (arr, vals)) in enumerate(zip(xs, held)):
        assert x.grad is arr, f"{op.name}: .grad of input {i} was replaced"
        np.testing.assert_array_equal(arr, vals, err_msg=f"{op.name} changed .grad of input {i}")

    # nothing mutated
    for i, (x, d, a, b) in enumerate(zip(xs, datas, arrays, arrays_before)):
        assert x.data is d, f"{op.name}: input {i}'s data was replaced"
        np.testing.assert_array_equal(d, b, err_msg=f"{op.name} mutated input {i}")
        np.testing.assert_array_equal(a, b, err_msg=f"{op.name} mutated input array {i}")
    for k, v in kw_before.items():
        np.testing.assert_array_equal(kw[k], v, err_msg=f"{op.name} mutated constant {k}")
    np.testing.assert_array_equal(g, g_before, err_msg=f"{op.name} mutated the upstream grad")


def check_second_order(op: Op, arrays: tuple, kw: dict, seed: int) -> None:
    """Differentiate ``s = sum_i <grad_i(x, g), v_i>`` w.r.t. x and g; compare with FD of it."""
    rng = np.random.default_rng(seed)
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    out = op.fn(*xs, **kw)
    g = np.asarray(rng.uniform(-1.0, 1.0, out.shape))
    gt = Tensor(g, requires_grad=True)
    firsts = autograd.grad(out, xs, grad_outputs=gt, create_graph=True)
    plain = analytic_vjp(op, arrays, kw, g)
    vs = [np.asarray(rng.uniform(-1.0, 1.0, a.shape)) for a in arrays]
    s = Tensor(0.0, dtype=np.float64)
    for i, (f, p, v) in enumerate(zip(firsts, plain, vs)):
        assert isinstance(f, Tensor) and f.shape == arrays[i].shape
        np.testing.assert_allclose(f.data, p, rtol=1e-12, atol=1e-12,
                                   err_msg=f"{op.name}: create_graph changed gradient {i}")
        s = s + (f * v).sum()
    seconds = autograd.grad(s, xs + [gt], allow_unused=True)
    for x in xs:
        assert x.grad is None and gt.grad is None

    def first_dot_v(*xs_and_g):
        *ins, gg = xs_and_g
        return sum(np.sum(p * v) for p, v in zip(analytic_vjp(op, tuple(ins), kw, gg), vs))

    numeric = numeric_grads(first_dot_v, tuple(arrays) + (g,))
    names = [f"input {i}" for i in range(len(xs))] + ["the upstream gradient"]
    for name, sec, num, like in zip(names, seconds, numeric, list(arrays) + [g]):
        got = np.zeros_like(like) if sec is None else sec.data
        assert got.shape == like.shape
        np.testing.assert_allclose(got, num, **FD_TOL,
                                   err_msg=f"{op.name}: second derivative w.r.t. {name} vs FD")

