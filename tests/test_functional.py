"""autograd.functional (vjp, jvp, jacobian, hessian, hvp) vs closed forms and finite diffs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Tensor, Value
from autograd.functional import hessian, hvp, jacobian, jvp, vjp

EPS = 1e-6


def numeric_jacobian(f, x: np.ndarray) -> np.ndarray:
    """Central differences of an ndarray -> ndarray function: shape f(x).shape + x.shape."""
    out = np.asarray(f(x))
    J = np.empty(out.shape + x.shape)
    for idx in np.ndindex(*x.shape):
        d = np.zeros_like(x)
        d[idx] = EPS
        J[(...,) + idx] = (np.asarray(f(x + d)) - np.asarray(f(x - d))) / (2 * EPS)
    return J


# --------------------------------------------------------------- random polynomials (closed form)

coefficients = st.lists(st.floats(-2, 2), min_size=16, max_size=16).map(
    lambda c: np.array(c).reshape(4, 4)
)
points = st.floats(-1.5, 1.5)


def poly(c, x, y):
    """sum_ij c_ij x^i y^j, on Values or floats."""
    total = 0.0 * x
    for i in range(4):
        for j in range(4):
            total = total + c[i, j] * x**i * y**j
    return total


def dpoly(c, x, y, dx, dy):
    """The closed-form mixed partial d^(dx+dy) / dx^dx dy^dy of the polynomial."""
    total = 0.0
    for i in range(dx, 4):
        for j in range(dy, 4):
            fi = np.prod(range(i - dx + 1, i + 1))
            fj = np.prod(range(j - dy + 1, j + 1))
            total += c[i, j] * fi * fj * x ** (i - dx) * y ** (j - dy)
    return total


@given(c=coefficients, x=points, y=points)
def test_value_polynomial_hessian_and_jacobian_equal_closed_forms(c, x, y):
    H = hessian(lambda a, b: poly(c, a, b), (Value(x), Value(y)))
    expected = [[dpoly(c, x, y, 2, 0), dpoly(c, x, y, 1, 1)],
                [dpoly(c, x, y, 1, 1), dpoly(c, x, y, 0, 2)]]
    got = [[H[i][j].data for j in range(2)] for i in range(2)]
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)
    J = jacobian(lambda a, b: poly(c, a, b), (Value(x), Value(y)))
    np.testing.assert_allclose([J[0].data, J[1].data],
                               [dpoly(c, x, y, 1, 0), dpoly(c, x, y, 0, 1)], rtol=1e-9, atol=1e-9)
    out, hv = hvp(lambda a, b: poly(c, a, b), (Value(x), Value(y)), (Value(1.0), Value(-2.0)))
    np.testing.assert_allclose(out.data, poly(c, x, y), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose([hv[0].data, hv[1].data],
                               np.array(expected) @ np.array([1.0, -2.0]), rtol=1e-9, atol=1e-9)


@given(data=st.data(), n=st.integers(1, 4))
def test_tensor_polynomial_gradient_and_hessian_equal_closed_forms(data, n):
    """f(x) = xᵀAx + sum_k c_k x_k^3: grad = (A + Aᵀ)x + 3c x², H = A + Aᵀ + diag(6c x)."""
    floats = st.floats(-2, 2)
    A = np.array(data.draw(st.lists(floats, min_size=n * n, max_size=n * n))).reshape(n, n)
    c = np.array(data.draw(st.lists(floats, min_size=n, max_size=n)))
    x = np.array(data.draw(st.lists(floats, min_size=n, max_size=n)))

    def f(t):
        return (t * (t @ Tensor(A.T))).sum() + (Tensor(c) * t**3).sum()

    H = hessian(f, Tensor(x))
    np.testing.assert_allclose(H.data, A + A.T + np.diag(6 * c * x), rtol=1e-9, atol=1e-9)
    out, g = vjp(f, Tensor(x))
    np.testing.assert_allclose(g.data, (A + A.T) @ x + 3 * c * x**2, rtol=1e-9, atol=1e-9)
    v = np.arange(1.0, n + 1)
    _, hv = hvp(f, Tensor(x), Tensor(v))
    np.testing.assert_allclose(hv.data, H.data @ v, rtol=1e-9, atol=1e-9)
    _, jv = jvp(f, Tensor(x), Tensor(v))
    np.testing.assert_allclose(jv.data, g.data @ v, rtol=1e-9, atol=1e-9)


# ----------------------------------------------------------------------- small MLPs (finite diffs)


def mlp_params(seed: int, sizes=(3, 5, 2)):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((o, i)), rng.standard_normal(o)) for i, o in zip(sizes, sizes[1:])]


def mlp_tensor(params, x):
    for k, (W, b) in enumerate(params):
        x = x @ Tensor(W.T) + Tensor(b)
        if k < len(params) - 1:
            x = x.tanh()
    return x


def mlp_numpy(params, x):
    for k, (W, b) in enumerate(params):
        x = x @ W.T + b
        if k < len(params) - 1:
            x = np.tanh(x)
    return x


@pytest.mark.parametrize("seed", range(4))
def test_mlp_jacobian_vjp_jvp_equal_finite_differences(seed):
    params = mlp_params(seed)
    x = np.random.default_rng(100 + seed).standard_normal(3)
    J_num = numeric_jacobian(lambda a: mlp_numpy(params, a), x)
    J = jacobian(lambda t: mlp_tensor(params, t), Tensor(x))
    assert J.shape == (2, 3)
    np.testing.assert_allclose(J.data, J_num, rtol=1e-6, atol=1e-7)
    u, v = np.array([0.5, -1.5]), np.array([1.0, 2.0, -1.0])
    out, uJ = vjp(lambda t: mlp_tensor(params, t), Tensor(x), Tensor(u))
    np.testing.assert_allclose(out.data, mlp_numpy(params, x), rtol=1e-12)
    np.testing.assert_allclose(uJ.data, u @ J_num, rtol=1e-6, atol=1e-7)
    _, Jv = jvp(lambda t: mlp_tensor(params, t), Tensor(x), Tensor(v))
    np.testing.assert_allclose(Jv.data, J_num @ v, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("seed", range(4))
def test_mlp_hessian_and_hvp_equal_finite_differences_of_the_gradient(seed):
    params = mlp_params(seed, sizes=(3, 4, 1))

    def loss(t):
        return (mlp_tensor(params, t) ** 2).sum()

    def gradient(a):
        return vjp(loss, Tensor(a))[1].data

    x = np.random.default_rng(200 + seed).standard_normal(3)
    H_num = numeric_jacobian(gradient, x)
    H = hessian(loss, Tensor(x))
    np.testing.assert_allclose(H.data, H_num, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(H.data, H.data.T, rtol=1e-10, atol=1e-12)  # symmetric
    v = np.array([0.3, -0.2, 1.0])
    _, hv = hvp(loss, Tensor(x), Tensor(v))
    np.testing.assert_allclose(hv.data, H_num @ v, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------------- conventions


def test_return_structure_follows_torch_functional():
    x, y = Tensor(np.ones(2)), Tensor(np.ones(3))
    J = jacobian(lambda a, b: (a.sum() * b, a * 2), (x, y))
    assert [[j.shape for j in row] for row in J] == [[(3, 2), (3, 3)], [(2, 2), (2, 3)]]
    H = hessian(lambda a, b: (a * a).sum() * b.sum(), (x, y))
    assert [[h.shape for h in row] for row in H] == [[(2, 2), (2, 3)], [(3, 2), (3, 3)]]
    assert jacobian(lambda a: a * 3, x).shape == (2, 2)
    out, g = vjp(lambda a: (a * a).sum(), x)  # v may be left out for a scalar output
    assert out.shape == () and g.shape == (2,)


def test_unused_input_gets_zeros_and_inputs_are_untouched():
    x, y = Tensor(np.array([1.0, 2.0]), requires_grad=True), Tensor(np.array([3.0]))
    J = jacobian(lambda a, b: a * 2, (x, y))
    np.testing.assert_array_equal(J[1].data, np.zeros((2, 1)))
    assert x.grad is None and x.data.tolist() == [1.0, 2.0]
    assert not J[0].requires_grad  # a constant unless create_graph


def test_create_graph_results_are_differentiable():
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    _, hv = hvp(lambda t: (t**3).sum(), x, Tensor(np.array([1.0, 1.0])), create_graph=True)
    hv.sum().backward()  # d/dx sum(6x * 1) = 6
    np.testing.assert_allclose(x.grad, [6.0, 6.0])
    a = Value(2.0)
    (ja,) = (jacobian(lambda t: t**3, (a,), create_graph=True),)
    ja[0].backward()  # d/da 3a² = 6a
    assert a.grad == pytest.approx(12.0)


def test_bad_arguments_name_what_is_wrong():
    x = Tensor(np.ones(3))
    with pytest.raises(ValueError, match="v can be left out only"):
        vjp(lambda t: t * 2, x)
    with pytest.raises(ValueError, match=r"v\[0\] has shape \(2,\)"):
        jvp(lambda t: t * 2, x, Tensor(np.ones(2)))
    with pytest.raises(TypeError, match="inputs must be a Value or Tensor"):
        jacobian(lambda t: t, [1.0])
    with pytest.raises(ValueError, match="single one-element"):
        hessian(lambda t: t * 2, x)
