"""No two gradients share memory, and no user array (seed, data) is ever written.

``propagate`` adds a node's uses in place into sums it made itself, and a leaf takes over a
fresh gradient array without copying: both are safe only if nobody else holds those arrays.
These tests build the graphs where that could go wrong (``a + b`` hands one array to two
inputs, fan-out after fan-out, retained intermediates, user seeds) and check every gradient
is right, owned by one node, and that changing it in place changes nothing else.
"""

import itertools

import numpy as np
import pytest

import optim
from autograd import Tensor, grad


def leaf(values, requires_grad=True):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=requires_grad)


def assert_no_shared_memory(arrays: dict) -> None:
    for (name_a, a), (name_b, b) in itertools.combinations(arrays.items(), 2):
        assert not np.shares_memory(a, b), f"{name_a} and {name_b} share memory"


def graphs():
    """(name, build) pairs; build() -> (leaves dict, retained dict, loss)."""

    def add_passes_one_array_to_both():  # a + b: both inputs receive the same g
        a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
        s = a + b
        return {"a": a, "b": b}, {"s": s}, (s * s).sum()

    def fan_out_of_a_sum():  # s used three times: its gradient is summed in place
        a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
        s = a + b
        return {"a": a, "b": b}, {"s": s}, (s * s).sum() + s.sum() + s.exp().sum()

    def owned_sum_handed_to_an_add():  # the in-place sum for m reaches x, which is used again
        x, w = leaf([0.5, -1.0]), leaf([2.0, 1.0])
        m = x + w
        k = x * 3.0
        return {"x": x, "w": w}, {"m": m, "k": k}, (m * m).sum() + m.sum() + (k * m).sum()

    def sum_passed_to_a_node_and_its_input():  # m's summed gradient reaches k, then x again
        x = leaf([0.5, -1.0])
        k = x * 3.0
        m = x + k
        return {"x": x}, {"k": k, "m": m}, (m * m).sum() + m.sum()

    def shared_gradient_then_summed():  # s hands one array to a and b; a gets more, then b
        x = leaf([0.5, -1.0])
        a, b = x * 2.0, x * 3.0
        s = a + b
        return {"x": x}, {"a": a, "b": b, "s": s}, (
            (s * s).sum() + (a * a).sum() + (b * b).sum()
        )

    def one_leaf_used_by_every_op():
        x = leaf([0.3, 0.7])
        y = x * x + x - x.tanh() + x / (x + 2.0)
        return {"x": x}, {"y": y}, (y * x).sum()

    def broadcast_bias():
        x = leaf([[1.0, 2.0], [3.0, 4.0]], requires_grad=False)
        w, b = leaf([[0.5, -0.5], [1.0, 2.0]]), leaf([0.1, 0.2])
        h = x @ w + b
        return {"w": w, "b": b}, {"h": h}, (h.relu() + h).sum()

    return [f for f in locals().values() if callable(f)]


BUILDS = graphs()


@pytest.mark.parametrize("build", BUILDS, ids=[b.__name__ for b in BUILDS])
@pytest.mark.parametrize("retain", [False, True], ids=["released", "retained"])
def test_gradients_are_right_and_owned_by_one_node(build, retain):
    leaves, inner, loss = build()
    # The reference: create_graph=True sums nodes with ``+`` and never writes into an array.
    expected = grad(loss, tuple(leaves.values()) + tuple(inner.values()), create_graph=True)
    if retain:
        for t in inner.values():
            t.retain_grad()
    loss.backward()
    grads = {name: t.grad for name, t in leaves.items()}
    if retain:
        grads.update({name: t.grad for name, t in inner.items()})
    else:
        assert all(t.grad is None for t in inner.values())
    for g, e in zip(grads.values(), expected):
        np.testing.assert_allclose(g, e.data, rtol=1e-12)
    data = {f"{name}.data": t.data for name, t in {**leaves, **inner}.items()}
    assert_no_shared_memory({**grads, **data})
    for name, g in grads.items():  # writing one gradient changes no other
        before = {k: v.copy() for k, v in grads.items() if k != name}
        g *= 0.0
        for k, v in before.items():
            np.testing.assert_array_equal(grads[k], v, err_msg=f"zeroing {name} changed {k}")


@pytest.mark.parametrize("build", BUILDS, ids=[b.__name__ for b in BUILDS])
def test_backward_twice_adds_exactly_twice(build):
    leaves, _, loss = build()
    loss.backward()
    once = {name: t.grad.copy() for name, t in leaves.items()}
    loss.backward()
    for name, t in leaves.items():
        np.testing.assert_allclose(t.grad, 2 * once[name], rtol=1e-12)


def test_a_user_seed_is_never_taken_over_or_written():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    out = a + b  # both gradients would be the seed itself
    seed = np.array([1.0, 1.0])
    out.backward(seed)
    assert not np.shares_memory(a.grad, seed) and not np.shares_memory(b.grad, seed)
    optim.SGD([a, b], lr=0.1).step()
    a.grad *= 5.0
    out.backward(seed)  # accumulating into a.grad leaves the seed alone
    assert seed.tolist() == [1.0, 1.0]


def test_a_seed_used_twice_is_summed_into_a_new_array():
    x = leaf([1.0, 2.0])
    y = x * 1.0
    seed = np.array([1.0, 1.0])
    gx, = grad([y, y], x, grad_outputs=[seed, seed])
    assert gx.data.tolist() == [2.0, 2.0] and seed.tolist() == [1.0, 1.0]


def test_input_data_and_weights_are_never_written_by_backward():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 3))
    W = leaf(rng.standard_normal((2, 3)))
    x = Tensor(X)
    saved = X.copy(), W.data.copy()
    loss = ((x @ W.T).tanh() + x.sum(axis=1, keepdims=True)).sum()
    loss.backward()
    loss.backward()
    np.testing.assert_array_equal(X, saved[0])
    np.testing.assert_array_equal(W.data, saved[1])
    assert not np.shares_memory(W.grad, W.data) and not np.shares_memory(W.grad, X)


def test_grad_results_are_not_the_seed():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    seed = np.array([2.0, 3.0])
    ga, gb = grad(a + b, (a, b), grad_outputs=seed)
    assert ga.data.tolist() == gb.data.tolist() == [2.0, 3.0]
    ga.data *= 0.0  # the caller may change what grad() returned
    assert seed.tolist() == [2.0, 3.0]


def mlp_graph():
    """linear -> relu -> linear -> cross-entropy: the ops whose gradients the engine may reuse."""
    from autograd.tensor_ops.matmul import linear
    from autograd.tensor_ops.softmax import cross_entropy

    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((5, 4)))
    w1, b1 = leaf(rng.standard_normal((3, 4))), leaf(rng.standard_normal(3))
    w2 = leaf(rng.standard_normal((2, 3)))
    h = linear(x, w1, b1)
    r = h.relu()
    logits = linear(r, w2)
    loss = cross_entropy(logits, np.array([0, 1, 1, 0, 1])) + (r * r).sum() * 0.1
    return {"w1": w1, "b1": b1, "w2": w2}, {"h": h, "r": r, "logits": logits}, loss


@pytest.mark.parametrize("retained", [(), ("r",), ("h",), ("h", "r", "logits")])
def test_gradients_written_in_place_match_the_untouched_ones(retained):
    params, inner, loss = mlp_graph()
    names = list(params) + list(inner)
    reference = grad(loss, [*params.values(), *inner.values()], create_graph=True)
    expected = dict(zip(names, reference))  # the differentiable path: no in-place writes
    for name in retained:
        inner[name].retain_grad()
    loss.backward()
    got = {**{n: p.grad for n, p in params.items()}, **{n: inner[n].grad for n in retained}}
    for name, g in got.items():
        np.testing.assert_allclose(g, expected[name].data, rtol=1e-12, err_msg=name)
    assert_no_shared_memory(got)
    for name in set(inner) - set(retained):
        assert inner[name].grad is None


def test_relu_never_overwrites_a_user_seed():
    x = leaf([[-1.0, 2.0], [3.0, -4.0]])
    r = x.relu()
    seed = np.ones((2, 2))
    r.backward(seed)
    assert seed.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert x.grad.tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_the_in_place_relu_backward_runs_only_on_a_released_owned_gradient(monkeypatch):
    from autograd.tensor_ops import elementwise

    calls = []
    into = elementwise._relu_back.into
    monkeypatch.setattr(elementwise._relu_back, "into", lambda *a: calls.append(1) or into(*a))
    _, _, loss = mlp_graph()
    loss.backward()
    assert calls == [1]  # relu's gradient came fresh from linear and was released
    _, inner, loss = mlp_graph()
    inner["r"].retain_grad()
    loss.backward()
    assert calls == [1]  # retained: the copy the user sees is never written


# ------------------------------------------------------------------ random graphs (Hypothesis)

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from autograd.tensor_ops.matmul import linear  # noqa: E402

UNARY = {
    "relu": lambda a: a.relu(),
    "tanh": lambda a: a.tanh(),
    "neg": lambda a: -a,
    "scale": lambda a: a * 0.5,
    "reshape": lambda a: a.reshape(3, 2).reshape(2, 3),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "linear": lambda a, b: linear(linear(a, b).relu(), b.T),  # (2, 3) -> (2, 2) -> (2, 3)
}


@st.composite
def random_graphs(draw):
    """A recipe: ops over (2, 3) leaves, each reading earlier nodes (so fan-out is common)."""
    n_ops = draw(st.integers(1, 8))
    ops = []
    for i in range(n_ops):
        available = 3 + i  # three leaves, then one node per op
        if draw(st.booleans()):
            ops.append((draw(st.sampled_from(sorted(UNARY))), draw(st.integers(0, available - 1))))
        else:
            ops.append((draw(st.sampled_from(sorted(BINARY))),
                        draw(st.integers(0, available - 1)), draw(st.integers(0, available - 1))))
    retained = draw(st.sets(st.integers(0, n_ops - 1)))
    weights = draw(st.lists(st.integers(0, 2), min_size=n_ops, max_size=n_ops))
    return ops, retained, weights


def build_random(recipe):
    ops, _, weights = recipe
    rng = np.random.default_rng(0)
    nodes = [leaf(rng.uniform(-1, 1, (2, 3))) for _ in range(3)]
    for op in ops:
        name, *args = op
        fn = UNARY.get(name) or BINARY[name]
        nodes.append(fn(*[nodes[i] for i in args]))
    terms = [(n * n).sum() * float(w + 1) for n, w in zip(nodes[3:], weights)]
    start = (nodes[0] + nodes[1] * nodes[2]).sum()  # every leaf is used
    return nodes[:3], nodes[3:], sum(terms, start=start)


@given(random_graphs())
def test_random_graphs_in_place_reuse_matches_the_differentiable_path(recipe):
    leaves, inner, loss = build_random(recipe)
    # Reference: create_graph=True sums nodes with ``+`` and never writes into an array.
    reference = [g.data for g in grad(loss, leaves + inner, create_graph=True)]
    for i in recipe[1]:
        inner[i].retain_grad()
    loss.backward()
    got = {f"leaf{i}": t.grad for i, t in enumerate(leaves)}
    got.update({f"node{i}": inner[i].grad for i in recipe[1]})
    for i, t in enumerate(leaves):
        np.testing.assert_allclose(t.grad, reference[i], rtol=1e-10, atol=1e-12)
    for i in recipe[1]:
        np.testing.assert_allclose(inner[i].grad, reference[3 + i], rtol=1e-10, atol=1e-12)
    assert_no_shared_memory(got)
    assert all(t.grad is None for i, t in enumerate(inner) if i not in recipe[1])
