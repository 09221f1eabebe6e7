"""detect_anomaly: the first non-finite forward or backward result names the op, pass and line."""

import math

import numpy as np
import pytest

import autograd
from autograd import AnomalyError, Tensor, Value, detect_anomaly, draw_anomaly, grad
from autograd.sites import Watch


def t(*xs):
    return Tensor(np.array(xs, dtype=np.float64), requires_grad=True, label="x")


# Each case: (name, build, the op expected to be blamed, text of the line that made it).
# ``build`` runs its forward (and, for backward cases, the backward) inside detect_anomaly.
FORWARD = [
    ("log of 0", lambda: t(1.0, 0.0).log(), "log"),
    ("log of < 0", lambda: t(-1.0, 2.0).log(), "log"),
    ("sqrt of < 0", lambda: t(4.0, -1.0).sqrt(), "sqrt"),
    ("0 / 0", lambda: t(0.0, 1.0) / t(0.0, 2.0), "/"),
    ("exp overflow", lambda: t(1.0, 800.0).exp(), "exp"),
    # inf leaves (an op that makes an inf is an anomaly itself)
    ("inf - inf", lambda: t(math.inf, 1.0) - t(math.inf, 2.0), "-"),
    ("0 * inf", lambda: t(0.0, 1.0) * t(math.inf, 1.0), "*"),
    ("Value inf - inf", lambda: Value(math.inf) - Value(math.inf), "-"),
    ("Value 0 * inf", lambda: Value(0.0) * Value(math.inf), "*"),
]


@pytest.mark.parametrize("name, build, op", FORWARD, ids=[c[0] for c in FORWARD])
def test_forward_anomaly_names_op_pass_inputs_and_line(name, build, op):
    with np.errstate(all="ignore"), pytest.raises(AnomalyError) as info:
        with detect_anomaly():
            build()
    e = info.value
    assert isinstance(e, RuntimeError)
    assert (e.op, e.phase) == (op, "forward")
    assert e.site is not None and e.site.filename == __file__
    assert "build" not in e.site.code and "lambda" in e.site.code  # the case's own line
    assert f"forward pass of {op!r}" in str(e) and "input 0" in str(e)


def backward_of(build):
    """Run forward and backward of ``build()``'s sum under detect_anomaly."""
    with np.errstate(all="ignore"), detect_anomaly():
        out = build()
        out.sum().backward()


BACKWARD = [
    # sqrt(0) is 0, its slope 0.5 / sqrt(0) is inf
    ("sqrt slope at 0", lambda: t(0.0, 4.0).sqrt(), "sqrt"),
    # 0 * sqrt(x): the upstream gradient 0 times 0.5 / 0 is 0 / 0
    ("0 / 0", lambda: t(0.0, 4.0).sqrt() * 0.0, "sqrt"),
    # 0 ** 0.5 is 0, but its slope 0.5 * 0 ** -0.5 is inf (0 * inf: see "0 / 0" above)
    ("inf slope of 0 ** 0.5", lambda: t(0.0, 1.0) ** t(0.5, 1.0), "**"),
    # (-1) ** 2 is fine, but the exponent's slope has log(-1) = nan
    ("log of < 0", lambda: t(-1.0, 2.0) ** t(2.0, 1.0), "**"),
    # exp(-745) underflows to 5e-324; log's slope 1 / 5e-324 overflows to inf
    ("exp under/overflow", lambda: t(-745.0, 1.0).exp().log(), "log"),
]


@pytest.mark.parametrize("name, build, op", BACKWARD, ids=[c[0] for c in BACKWARD])
def test_backward_anomaly_names_op_pass_and_line(name, build, op):
    with pytest.raises(AnomalyError) as info:
        backward_of(build)
    e = info.value
    assert (e.op, e.phase) == (op, "backward")
    assert e.site is not None and "lambda" in e.site.code
    assert "upstream gradient" in str(e) and f"backward pass of {op!r}" in str(e)


def test_backward_anomaly_lists_the_nodes_it_poisoned_and_draws_them():
    x = t(0.0, 4.0)
    with np.errstate(all="ignore"), pytest.raises(AnomalyError) as info:
        with detect_anomaly():
            y = x.sqrt()
            z = (y * 3.0).sum()
            z.backward()
    e = info.value
    assert e.node is y
    assert any(n is x for n in e.poisoned) and not any(n is z for n in e.poisoned)
    source = e.draw().source
    assert "#ffcdd2" in source and "#fff59d" in source  # poisoned fill, origin highlight
    assert x.grad is None  # nothing was accumulated: the error came before any .grad change


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_backward_anomaly_where_a_nodes_gradients_overflow_as_they_are_summed(kind):
    """Every op's gradient is finite; only their sum at ``a`` is inf. The check looked at each
    op's result alone, so it never fired and ``a.grad`` came out inf."""
    if kind == "value":
        a, big = Value(1.0, label="a"), 1e308
    else:
        a, big = Tensor(np.array([1.0], np.float32), requires_grad=True, label="a"), 3e38
    with pytest.raises(AnomalyError, match="summed finite gradients of 'leaf' .'a'. from two "
                                           "of its uses into inf") as e, detect_anomaly():
        out = (a * big - big) + (a * big - big)  # the forward is 0
        (out if kind == "value" else out.sum()).backward()
    assert e.value.phase == "backward" and e.value.node is a
    assert (a.grad == 0.0) if kind == "value" else (a.grad is None)  # nothing was written


def test_draw_anomaly_on_a_finished_graph_highlights_the_origin():
    x = t(-1.0, 2.0)
    with np.errstate(all="ignore"):
        y = x.log()
        z = (y * 2.0).sum()
    origin, poisoned = autograd.anomaly.find_anomaly(z)
    assert origin is y and set(poisoned) == {z, z._prev[0]}
    assert "#fff59d" in draw_anomaly(z).source


def test_anomaly_inside_a_differentiable_backward_is_reported_as_backward():
    x = t(0.0, 1.0)
    with np.errstate(all="ignore"), pytest.raises(AnomalyError) as info:
        with detect_anomaly():
            (g,) = grad(x.sqrt().sum(), x, create_graph=True)
    assert info.value.phase == "backward" and info.value.op == "sqrt"


def test_finite_graphs_pass_and_the_mode_is_off_afterwards():
    x = t(1.0, 2.0)
    with detect_anomaly():
        with detect_anomaly():  # nesting is fine
            loss = (x.log() * x).sum()
        loss.backward()
    np.testing.assert_allclose(x.grad, np.log([1.0, 2.0]) + 1)
    assert not Watch.active and not Watch.anomaly and Watch.sites == {}
    with np.errstate(all="ignore"):
        (t(-1.0).log()).sum().backward()  # off: no error, NumPy's nan


def test_mode_is_off_after_an_error():
    with pytest.raises(AnomalyError), np.errstate(all="ignore"), detect_anomaly():
        t(-1.0).log()
    assert not Watch.active and not Watch.anomaly


def test_detect_anomaly_keeps_pytorchs_grad_rule_for_tensors():
    """Under detect_anomaly a Tensor backward still fills only leaves and retained nodes."""
    x = t(1.0, 2.0)
    with detect_anomaly():
        y = x * 3.0
        z = y.tanh()
        z.retain_grad()
        z.sum().backward()
    assert y.grad is None and z.grad is not None and x.grad is not None
    np.testing.assert_allclose(z.grad, [1.0, 1.0])
