"""Higher-order gradients: grad of grad, Hessian-vector products, Newton steps; ``grad`` options."""

from __future__ import annotations

import math

import numpy as np
import pytest
from budget import examples
from hypothesis import given, settings

import autograd
from autograd import Tensor, Value
from autograd.testing import assert_grads_close, tensors


def _t(x, requires_grad=True):
    return Tensor(np.asarray(x, dtype=np.float64), requires_grad=requires_grad)


def hvp(loss_fn, params, vs):
    """Hessian-vector product by double backward: d/dθ <∇L(θ), v>."""
    loss = loss_fn(*params)
    grads = autograd.grad(loss, params, create_graph=True)
    dot = sum((g * v).sum() for g, v in zip(grads, vs))
    return [h.data for h in autograd.grad(dot, params)]


# ----------------------------------------------------------------------- Hessian-vector products


def test_hvp_of_a_quadratic_form_is_the_symmetrized_matrix():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((4, 4))
    b = rng.standard_normal(4)
    H = 0.5 * (A + A.T)  # f = 0.5 xᵀAx + bᵀx  =>  H = (A + Aᵀ) / 2

    def f(x):
        return 0.5 * (x @ (A @ x)) + (b * x).sum()

    x = _t(rng.standard_normal(4))
    v = rng.standard_normal(4)
    np.testing.assert_allclose(hvp(f, [x], [v])[0], H @ v, rtol=1e-12, atol=1e-12)
    (g,) = autograd.grad(f(x), x, create_graph=True)
    np.testing.assert_allclose(g.data, H @ x.data + b, rtol=1e-12)
    full = np.stack([autograd.grad(g[i], x)[0].data for i in range(4)])  # row by row
    np.testing.assert_allclose(full, H, rtol=1e-12, atol=1e-12)
    assert x.grad is None


def _mlp_loss(X, y):
    def loss(W1, b1, W2, b2):
        h = (X @ W1 + b1).tanh()
        out = (h @ W2 + b2).sigmoid()
        return ((out - y) ** 2).mean() + 0.1 * (W1 * W1).sum()

    return loss


def test_hvp_of_a_small_mlp_matches_finite_differences_of_the_gradient():
    rng = np.random.default_rng(2)
    X, y = _t(rng.standard_normal((5, 3)), False), rng.random((5, 1))
    loss = _mlp_loss(X, y)
    shapes = [(3, 4), (4,), (4, 1), (1,)]
    theta = [rng.standard_normal(s) * 0.7 for s in shapes]
    vs = [rng.standard_normal(s) for s in shapes]
    got = hvp(loss, [_t(p) for p in theta], vs)

    def gradient(ps):
        ts = [_t(p) for p in ps]
        return [g.data for g in autograd.grad(loss(*ts), ts)]

    eps = 1e-5
    plus = gradient([p + eps * v for p, v in zip(theta, vs)])
    minus = gradient([p - eps * v for p, v in zip(theta, vs)])
    for h, gp, gm in zip(got, plus, minus):
        np.testing.assert_allclose(h, (gp - gm) / (2 * eps), rtol=1e-5, atol=1e-8)
    # symmetric: uᵀ H v == vᵀ H u
    us = [rng.standard_normal(s) for s in shapes]
    hu = hvp(loss, [_t(p) for p in theta], us)
    uhv = sum(np.sum(u * h) for u, h in zip(us, got))
    vhu = sum(np.sum(v * h) for v, h in zip(vs, hu))
    assert math.isclose(uhv, vhu, rel_tol=1e-10, abs_tol=1e-12)


def test_mlp_second_derivatives_pass_gradgradcheck():
    rng = np.random.default_rng(3)
    X, y = _t(rng.standard_normal((4, 2)), False), rng.random((4, 1))
    params = tuple(_t(rng.standard_normal(s) * 0.7) for s in [(2, 3), (3,), (3, 1), (1,)])
    assert autograd.gradcheck(_mlp_loss(X, y), params)
    assert autograd.gradgradcheck(_mlp_loss(X, y), params)


# ------------------------------------------------------------------ Newton on logistic regression


def test_newton_steps_solve_l2_regularized_logistic_regression():
    rng = np.random.default_rng(0)
    n, d, lam = 60, 3, 1e-2
    X = np.hstack([rng.standard_normal((n, d)), np.ones((n, 1))])  # last column: the bias
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ np.array([1.5, -2.0, 0.5, 0.3]))))).astype(float)
    Xt = _t(X, False)

    def loss(w):
        z = Xt @ w
        return ((1 + z.exp()).log() - y * z).mean() + 0.5 * lam * (w * w).sum()

    w = _t(np.zeros(d + 1))
    norms = []
    for _ in range(10):
        (g,) = autograd.grad(loss(w), w, create_graph=True)
        norms.append(float(np.linalg.norm(g.data)))
        if norms[-1] < 1e-8:
            break
        H = np.stack([autograd.grad(g[i], w)[0].data for i in range(d + 1)])
        w = _t(w.data - np.linalg.solve(H, g.data))
    assert norms[-1] < 1e-8, norms
    assert len(norms) <= 8, norms  # quadratic convergence: a handful of steps
    assert all(b < a for a, b in zip(norms, norms[1:]))

    # the engine's gradient and Hessian at the optimum against their closed forms
    p = 1 / (1 + np.exp(-(X @ w.data)))
    (g,) = autograd.grad(loss(w), w, create_graph=True)
    np.testing.assert_allclose(g.data, X.T @ (p - y) / n + lam * w.data, atol=1e-12)
    H = np.stack([autograd.grad(g[i], w)[0].data for i in range(d + 1)])
    H_exact = X.T @ (X * (p * (1 - p))[:, None]) / n + lam * np.eye(d + 1)
    np.testing.assert_allclose(H, H_exact, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------------- grad of grad


def test_value_grad_of_grad_of_grad():
    x = Value(2.0)
    y = x ** 3
    (d1,) = autograd.grad(y, x, create_graph=True)
    (d2,) = autograd.grad(d1, x, create_graph=True)
    (d3,) = autograd.grad(d2, x)
    assert (d1.data, d2.data, d3.data) == (12.0, 12.0, 6.0)
    assert x.grad == 0.0


def test_value_mixed_partials_are_symmetric_and_exact():
    x, y = Value(0.7), Value(-1.3)
    f = x * y ** 2 + (x * y).exp() + x.sin() * y.tanh()
    fx, fy = autograd.grad(f, [x, y], create_graph=True)
    (fxy,) = autograd.grad(fx, y)
    (fyx,) = autograd.grad(fy, x)
    a, b = x.data, y.data
    exact = 2 * b + math.exp(a * b) * (1 + a * b) + math.cos(a) * (1 - math.tanh(b) ** 2)
    assert math.isclose(fxy.data, exact, rel_tol=1e-12)
    assert math.isclose(fyx.data, exact, rel_tol=1e-12)
    (fxx,) = autograd.grad(fx, x)
    assert math.isclose(fxx.data, b * b * math.exp(a * b) - math.sin(a) * math.tanh(b),
                        rel_tol=1e-12)


def test_value_second_derivatives_pass_gradgradcheck():
    assert autograd.gradgradcheck(lambda x, y: (x * y).sigmoid() * x.log() + y ** x,
                                  (Value(1.3), Value(0.8)))


def test_tensor_grad_of_grad_of_grad():
    x = _t([-1.0, 0.5, 2.0])
    (g,) = autograd.grad((x ** 3).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.data, 3 * x.data ** 2)
    assert g.requires_grad
    (h,) = autograd.grad(g.sum(), x, create_graph=True)
    np.testing.assert_allclose(h.data, 6 * x.data)
    (k,) = autograd.grad(h.sum(), x)
    np.testing.assert_allclose(k.data, [6.0, 6.0, 6.0])
    assert x.grad is None


def test_tensor_tanh_second_and_third_derivatives():
    x = _t([-0.8, 0.1, 1.5])
    t = np.tanh(x.data)
    (d1,) = autograd.grad(x.tanh().sum(), x, create_graph=True)
    (d2,) = autograd.grad(d1.sum(), x, create_graph=True)
    (d3,) = autograd.grad(d2.sum(), x)
    np.testing.assert_allclose(d1.data, 1 - t ** 2)
    np.testing.assert_allclose(d2.data, -2 * t * (1 - t ** 2))
    np.testing.assert_allclose(d3.data, -2 * (1 - t ** 2) * (1 - 3 * t ** 2))


@settings(max_examples=examples(25), deadline=None)
@given(x=tensors(min_value=-2.0, max_value=2.0),
       w=tensors(shape=(3,), min_value=-1.0, max_value=1.0))
def test_composite_functions_pass_gradgradcheck(x, w):
    def f(x, w):
        h = (x.reshape(-1, 1) * w).tanh()  # (n, 3): an outer product through tanh
        return (h.sigmoid() * h.exp()).mean(axis=0) @ w + (x * x + 1).sum().sqrt()

    assert_grads_close(f, x, w, second_order=True)


def test_backward_through_a_gradient_graph():
    x = _t([1.0, 2.0])
    (g,) = autograd.grad((x ** 3).sum(), x, create_graph=True)
    (g * g).sum().backward()  # d/dx sum (3x²)² = 36 x³
    np.testing.assert_allclose(x.grad, 36 * x.data ** 3)


# --------------------------------------------------------------------------- autograd.grad options


def test_grad_leaves_grad_untouched_everywhere():
    x = _t([1.0, 2.0])
    h = x * 3
    y = (h * h).sum()
    autograd.grad(y, x)
    autograd.grad(y, [x, h], create_graph=True)
    assert x.grad is None and h.grad is None and y.grad is None
    v = Value(2.0)
    w = v * v
    autograd.grad(w, v)
    assert v.grad == 0.0 and w.grad == 0.0


def test_grad_outputs_weights_a_non_scalar_output():
    x = _t([1.0, 2.0, 3.0])
    y = x * x
    for go in (np.array([1.0, 0.0, 2.0]), _t([1.0, 0.0, 2.0], False)):
        (g,) = autograd.grad(y, x, grad_outputs=go)
        np.testing.assert_array_equal(g.data, [2.0, 0.0, 12.0])
    (g,) = autograd.grad(y, x, grad_outputs=[np.ones(3)])  # a list with one entry per output
    np.testing.assert_array_equal(g.data, [2.0, 4.0, 6.0])
    with pytest.raises(ValueError, match=r"\(2,\)"):
        autograd.grad(y, x, grad_outputs=np.ones(2))
    with pytest.raises(RuntimeError, match="scalar outputs"):
        autograd.grad(y, x)
    v = Value(3.0)
    (gv,) = autograd.grad(v * v, v, grad_outputs=0.5)
    assert gv.data == 3.0


def test_grad_multiple_outputs_add_and_multiple_inputs_come_back_in_order():
    x, y = _t([1.0, 2.0]), _t([3.0, 4.0])
    gx, gy = autograd.grad([(x * y).sum(), (x * x).sum()], [x, y])
    np.testing.assert_array_equal(gx.data, y.data + 2 * x.data)
    np.testing.assert_array_equal(gy.data, x.data)
    gy2, gx2 = autograd.grad((x * y, x.sum()), (y, x), grad_outputs=(np.ones(2), np.array(2.0)))
    np.testing.assert_array_equal(gy2.data, x.data)
    np.testing.assert_array_equal(gx2.data, y.data + 2.0)
    with pytest.raises(ValueError, match="grad_outputs"):
        autograd.grad([x.sum(), y.sum()], x, grad_outputs=[np.array(1.0)])
    a, b = Value(2.0), Value(5.0)
    ga, gb = autograd.grad([a * b, a + b], [a, b])
    assert (ga.data, gb.data) == (6.0, 3.0)


def test_grad_allow_unused():
    x, z = _t([1.0]), _t([2.0])
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        autograd.grad(y, [x, z])
    gx, gz = autograd.grad(y, [x, z], allow_unused=True)
    np.testing.assert_array_equal(gx.data, [2.0])
    assert gz is None
    a, b = Value(1.0), Value(2.0)
    assert autograd.grad(a * 3, [a, b], allow_unused=True)[1] is None


def test_grad_input_must_require_grad_and_be_a_node():
    x = _t([1.0], requires_grad=False)
    w = _t([1.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        autograd.grad((x * w).sum(), x)
    with pytest.raises(TypeError):
        autograd.grad((x * w).sum(), np.ones(1))
    with pytest.raises(TypeError):
        autograd.grad(1.0, w)


def test_grad_with_respect_to_intermediate_nodes_and_the_output_itself():
    x = _t([1.0, 2.0])
    h = x * 2
    y = (h * h).sum()
    gh, gx = autograd.grad(y, [h, x])
    np.testing.assert_array_equal(gh.data, 2 * h.data)
    np.testing.assert_array_equal(gx.data, 4 * h.data)
    (gy,) = autograd.grad(y, y)
    assert gy.data == 1.0


def test_create_graph_flag_decides_whether_results_are_differentiable():
    x = _t([1.0, 2.0])
    (g,) = autograd.grad((x * x).sum(), x)
    assert not g.requires_grad and g._prev == ()
    (g,) = autograd.grad((x * x).sum(), x, create_graph=True)
    assert g.requires_grad
    (g2,) = autograd.grad((x * x).sum(), x)  # the graph can be walked again
    np.testing.assert_array_equal(g2.data, [2.0, 4.0])


def test_grad_inside_no_grad_with_create_graph_still_records():
    x = _t([1.5])
    y = (x ** 3).sum()
    with autograd.no_grad():
        (g,) = autograd.grad(y, x, create_graph=True)
    (h,) = autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, [9.0])
