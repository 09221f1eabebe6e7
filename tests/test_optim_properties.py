"""Behavioural properties of the optimizers, with Hypothesis, on convex quadratics.

``f(x) = 1/2 * sum(a * (x - c)**2)`` with curvatures ``a`` in [0.5, 2]: every optimizer makes
progress with a small enough learning rate; plain SGD with a rate beyond ``2 / max(a)``
diverges (the classic warning about rates that are too high); a ``state_dict`` round trip in
the middle of training continues bit for bit; and Values follow the same trajectory as a
float64 Tensor. Gradients come from the engine's own ``backward``.
"""

from __future__ import annotations

import numpy as np
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import optim
from autograd import Tensor, Value

SETTINGS = settings(max_examples=examples(30), deadline=None)


@st.composite
def quadratics(draw, max_size=6):
    """Curvatures ``a``, centre ``c``, and a start ``x0`` at least 0.5 from ``c`` everywhere."""
    n = draw(st.integers(1, max_size))
    floats = st.floats(0.5, 2.0)
    a = np.array(draw(st.lists(floats, min_size=n, max_size=n)))
    c = np.array(draw(st.lists(st.floats(-2, 2), min_size=n, max_size=n)))
    offset = np.array(draw(st.lists(st.floats(0.5, 3.0), min_size=n, max_size=n)))
    sign = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n)))
    return a, c, c + sign * offset


@st.composite
def optimizers(draw):
    """An optimizer class and options (no weight decay: it changes the objective)."""
    name = draw(st.sampled_from(["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]))
    if name == "SGD":
        momentum = draw(st.sampled_from([0.0, 0.5, 0.9]))
        nesterov = momentum > 0 and draw(st.booleans())
        return name, dict(momentum=momentum, nesterov=nesterov)
    if name in ("Adam", "AdamW"):
        return name, dict(amsgrad=draw(st.booleans()), weight_decay=0.0)
    if name == "RMSprop":
        return name, dict(momentum=draw(st.sampled_from([0.0, 0.5])), centered=draw(st.booleans()))
    return name, dict(lr_decay=draw(st.sampled_from([0.0, 0.1])))


def quadratic_loss(x: Tensor, a: np.ndarray, c: np.ndarray) -> Tensor:
    return ((x - c) * (x - c) * a).sum() * 0.5


def value_loss(xs: list[Value], a: np.ndarray, c: np.ndarray) -> Value:
    return sum(((x - float(ci)) ** 2 * float(ai) for x, ai, ci in zip(xs, a, c)), Value(0.0)) * 0.5


def train_tensor(opt, x, a, c, steps):
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = quadratic_loss(x, a, c)
        loss.backward()
        losses.append(loss.item())
        opt.step()
    return losses + [quadratic_loss(x, a, c).item()]


@SETTINGS
@given(quadratics(), optimizers())
def test_every_optimizer_decreases_a_convex_quadratic_with_a_small_lr(problem, choice):
    a, c, x0 = problem
    name, options = choice
    # small enough that no optimizer can move a coordinate by 0.5 in 10 steps (RMSprop's first
    # steps are ~lr / sqrt(1 - alpha) = 10 lr, times 10 with momentum)
    x = Tensor(x0.copy(), requires_grad=True)
    opt = getattr(optim, name)([x], lr=1e-4, **options)
    losses = train_tensor(opt, x, a, c, steps=10)
    assert losses[-1] < losses[0]
    if name == "SGD" and options["momentum"] == 0:
        assert all(later < earlier for earlier, later in zip(losses, losses[1:]))


@SETTINGS
@given(quadratics(max_size=4), optimizers())
def test_values_decrease_the_same_quadratic(problem, choice):
    a, c, x0 = problem
    name, options = choice
    xs = [Value(float(v)) for v in x0]
    opt = getattr(optim, name)(xs, lr=1e-4, **options)
    first = value_loss(xs, a, c).data
    for _ in range(10):
        opt.zero_grad()
        value_loss(xs, a, c).backward()
        opt.step()
    assert value_loss(xs, a, c).data < first


@SETTINGS
@given(quadratics(), st.floats(0.05, 1.9))
def test_sgd_below_two_over_the_curvature_converges(problem, fraction):
    a, c, x0 = problem
    x = Tensor(x0.copy(), requires_grad=True)
    opt = optim.SGD([x], lr=fraction / a.max())  # |1 - lr * a| < 1 in every coordinate
    losses = train_tensor(opt, x, a, c, steps=400)
    assert losses[-1] < 1e-3 * losses[0]


@SETTINGS
@given(quadratics(), st.floats(2.5, 5.0))
def test_sgd_with_too_large_a_learning_rate_diverges(problem, factor):
    a, c, x0 = problem
    x = Tensor(x0.copy(), requires_grad=True)
    opt = optim.SGD([x], lr=factor / a.max())  # |1 - lr * a| >= 1.5 on the stiffest coordinate
    losses = train_tensor(opt, x, a, c, steps=30)
    assert losses[-1] > 1e6 * losses[0]
    stiff = int(np.argmax(a))
    assert abs(x.data[stiff] - c[stiff]) > 1e4 * abs(x0[stiff] - c[stiff])


@SETTINGS
@given(quadratics(), optimizers(), st.integers(1, 8), st.integers(1, 8),
       st.sampled_from(["tensor", "values"]))
def test_state_dict_round_trip_mid_training_continues_identically(problem, choice, before, after,
                                                                  kind):
    a, c, x0 = problem
    name, options = choice

    def make(lr):
        if kind == "tensor":
            params = [Tensor(x0.copy(), requires_grad=True)]
        else:
            params = [Value(float(v)) for v in x0]
        return params, getattr(optim, name)(params, lr=lr, **options)

    def run(params, opt, steps, start):
        rng = np.random.default_rng(start)  # the same gradient noise for both runs
        for _ in range(steps):
            noise = rng.normal(size=len(x0))
            if kind == "tensor":
                (x,) = params
                x.grad = a * (x.data - c) + noise
            else:
                for p, ai, ci, e in zip(params, a, c, noise):
                    p.grad = float(ai * (p.data - ci) + e)
            opt.step()

    def data(params):
        return np.concatenate([np.ravel(p.data) for p in params])

    params, opt = make(lr=0.01)
    run(params, opt, before, start=0)
    saved = opt.state_dict()
    restored_params, restored = make(lr=5.0)  # the wrong rate: load_state_dict restores it
    for p, q in zip(restored_params, params):
        p.data = q.data.copy() if kind == "tensor" else q.data
    restored.load_state_dict(saved)
    run(params, opt, after, start=1)
    run(restored_params, restored, after, start=1)
    np.testing.assert_array_equal(data(restored_params), data(params))
    assert restored.state_dict()["param_groups"] == opt.state_dict()["param_groups"]


@SETTINGS
@given(quadratics(), optimizers(), st.integers(1, 20))
def test_values_follow_exactly_the_float64_tensor_trajectory(problem, choice, steps):
    a, c, x0 = problem
    name, options = choice
    x = Tensor(x0.copy(), requires_grad=True)
    xs = [Value(float(v)) for v in x0]
    opt_t = getattr(optim, name)([x], lr=0.05, **options)
    opt_v = getattr(optim, name)(xs, lr=0.05, **options)
    for _ in range(steps):
        x.grad = a * (x.data - c)
        for p, ai, ci in zip(xs, a, c):
            p.grad = float(ai * (p.data - ci))
        opt_t.step()
        opt_v.step()
    np.testing.assert_array_equal(np.array([p.data for p in xs]), x.data)


@SETTINGS
@given(quadratics(), optimizers(), st.integers(1, 10))
def test_a_zero_learning_rate_changes_nothing(problem, choice, steps):
    a, c, x0 = problem
    name, options = choice
    x = Tensor(x0.copy(), requires_grad=True)
    opt = getattr(optim, name)([x], lr=0.0, **options)
    for _ in range(steps):
        x.grad = a * (x.data - c)
        opt.step()
    np.testing.assert_array_equal(x.data, x0)
