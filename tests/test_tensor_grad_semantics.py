"""PyTorch's ``.grad`` rule for Tensors: leaves get it, non-leaves only after ``retain_grad()``.

``Value`` keeps micrograd's rule (every node's ``.grad`` filled); ``grad()`` is unchanged; the
drawings still show intermediate gradients, computed on the side, without touching ``.grad``.
"""

import tracemalloc

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, backward_steps, draw_dot, grad, no_grad
from autograd.viz import gradient_flow


def small_graph():
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True, dtype=np.float64, label="x")
    c = Tensor([0.5, 0.5, 0.5], dtype=np.float64, label="c")  # a constant leaf
    h = (x * c).tanh()
    h.label = "h"
    loss = (h * h).sum()
    loss.label = "loss"
    return x, c, h, loss


def test_backward_fills_leaves_only():
    x, c, h, loss = small_graph()
    loss.backward()
    t = np.tanh(x.data * 0.5)
    np.testing.assert_allclose(x.grad, 2 * t * (1 - t * t) * 0.5)
    assert h.grad is None and loss.grad is None  # intermediates and the output: None
    assert c.grad is None  # a constant gets no gradient


def test_retain_grad_fills_a_non_leaf_and_accumulates():
    x, c, h, loss = small_graph()
    h.retain_grad()
    assert h.retains_grad and not x.retains_grad
    loss.backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)
    assert loss.grad is None
    loss.backward()  # a second backward adds, as for leaves
    np.testing.assert_allclose(h.grad, 4 * h.data)


def test_retain_grad_on_the_output_gives_the_seed():
    x, _, _, loss = small_graph()
    loss.retain_grad()
    loss.backward()
    assert loss.grad.tolist() == 1.0


def test_retain_grad_on_a_leaf_changes_nothing_and_on_a_constant_raises():
    x, c, _, loss = small_graph()
    x.retain_grad()
    assert not x.retains_grad  # a leaf gets its grad anyway
    loss.backward()
    assert x.grad is not None
    with pytest.raises(RuntimeError, match="does not require grad"):
        c.retain_grad()


def test_is_leaf_as_in_pytorch():
    x = Tensor([1.0], requires_grad=True)
    c = Tensor([2.0])
    assert x.is_leaf and c.is_leaf
    assert not (x * 2).is_leaf
    assert (c * 2).is_leaf  # nothing below requires grad: no graph recorded
    with no_grad():
        assert (x * 2).is_leaf


def test_requires_grad_in_place_on_leaves():
    w = Tensor([0.5, -1.0])
    assert w.requires_grad_() is w and w.requires_grad
    (w * w).sum().backward()
    assert w.grad.tolist() == [1.0, -2.0]
    assert w.requires_grad_(False) is w and not w.requires_grad
    with pytest.raises(TypeError, match="bool.*str"):
        w.requires_grad_("yes")


def test_requires_grad_cannot_be_turned_off_on_a_non_leaf():
    y = Tensor([1.0], requires_grad=True) * 2
    y.requires_grad_(True)  # already true: fine
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)
    assert y.requires_grad


def test_requires_grad_on_a_non_floating_tensor_raises():
    labels = Tensor._leaf(np.arange(3))  # an integer Tensor
    with pytest.raises(RuntimeError, match="floating.*int64"):
        labels.requires_grad_()
    assert not labels.requires_grad
    labels.requires_grad_(False)  # turning it off is always allowed


def test_value_keeps_every_gradient():
    a, b = Value(2.0), Value(-3.0)
    e = a * b
    d = e + 1.0
    d.backward()
    assert (e.grad, a.grad, b.grad, d.grad) == (1.0, -3.0, 2.0, 1.0)


def test_grad_still_returns_non_leaf_gradients_and_leaves_grad_alone():
    x, _, h, loss = small_graph()
    dh, dx = grad(loss, (h, x))
    np.testing.assert_allclose(dh.data, 2 * h.data)
    assert x.grad is None and h.grad is None
    (dx2,) = grad(loss, x, create_graph=True)  # the differentiable path agrees
    np.testing.assert_allclose(dx2.data, dx.data)


def test_intermediate_gradients_are_released_during_backward():
    """A 30-op chain of 800 kB arrays: backward's peak stays a few arrays, not 30."""
    n = 100_000
    x = Tensor(np.linspace(-1, 1, n), requires_grad=True, dtype=np.float64)
    y = x
    for _ in range(30):
        y = (y * 0.9).tanh()
    loss = y.sum()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    loss.backward()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    assert peak < 8 * x.data.nbytes, f"backward peaked at {peak / x.data.nbytes:.1f} arrays"


def test_draw_dot_shows_intermediate_grads_after_backward_without_setting_them():
    x, _, h, loss = small_graph()
    src = draw_dot(loss).source
    assert src.count("grad None") >= 3  # before a backward: x, h, loss have no gradient
    loss.backward()
    src = draw_dot(loss).source
    h_line = next(line for line in src.splitlines() if "<b>h</b>" in line)
    assert "grad None" not in h_line and f"{2 * h.data[0]:.4f}"[:5] in h_line
    assert h.grad is None and loss.grad is None  # the drawing changed no .grad
    assert "grad None" in next(line for line in src.splitlines() if "<b>c</b>" in line)


def test_draw_dot_prefers_a_retained_grad():
    x, _, h, loss = small_graph()
    h.retain_grad()
    loss.backward()
    h.grad[:] = 7.0  # the user's retained grad is what the drawing shows
    h_line = next(line for line in draw_dot(loss).source.splitlines() if "<b>h</b>" in line)
    assert "7." in h_line


def test_backward_steps_show_intermediate_grads():
    x, _, h, loss = small_graph()
    recorded = {step.node: step.grad for step in backward_steps(loss)}
    np.testing.assert_allclose(recorded[h], 2 * h.data)
    loss.backward()
    np.testing.assert_allclose(recorded[x], x.grad)
    assert h.grad is None


def test_gradient_flow_after_a_tensor_backward():
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    out = model(Tensor(np.ones((5, 3), dtype=np.float32))).sum()
    out.backward()
    report = gradient_flow(model)
    assert all(norm is not None and norm > 0 for norm in report.grad_norms)


def test_draw_dot_of_a_non_scalar_output_shows_only_the_grads_it_has():
    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    y = x * 3
    y.label = "y"
    z = y * y
    z.label = "z"
    z.backward(np.ones(2, dtype=np.float32))  # no implicit seed for a (2,) output: no side run
    src = draw_dot(z).source
    assert "grad None" in next(line for line in src.splitlines() if "<b>y</b>" in line)
    assert "grad None" not in next(line for line in src.splitlines() if "<b>x</b>" in line)
