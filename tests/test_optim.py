"""Optimizers against independent references, parameter groups, zero_grad, state_dict, checks.

The references below are PyTorch's documented algorithms written out for one scalar at a time
in plain Python floats (no NumPy, no code from ``optim``). Each optimizer and option
combination runs 50 steps on a fixed gradient sequence, on float64 Tensors of several shapes
and on lists of Values, and must agree with its reference within 1e-12.
"""

from __future__ import annotations

import copy
import itertools
import math

import numpy as np
import pytest

import optim
from autograd import Tensor, Value

STEPS = 50
SHAPES = [(3,), (2, 3), (4, 1, 2)]
TOL = dict(rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------------ references


def ref_sgd(x, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """PyTorch's SGD algorithm (docs), one scalar. ``None`` in ``grads`` is a skipped step."""
    buf = None
    for g in grads:
        if g is None:
            continue
        if weight_decay:
            g = g + weight_decay * x
        if momentum:
            buf = g if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        x = x - lr * g
    return x


def ref_adam(x, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
             decoupled=False):
    """PyTorch's Adam (``decoupled=False``) or AdamW algorithm (docs), one scalar."""
    beta1, beta2 = betas
    m = v = v_max = 0.0
    t = 0
    for g in grads:
        if g is None:
            continue
        t += 1
        if decoupled:
            x = x - lr * weight_decay * x
        elif weight_decay:
            g = g + weight_decay * x
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        if amsgrad:
            v_max = max(v_max, v)
            v_hat = v_max / (1 - beta2**t)
        else:
            v_hat = v / (1 - beta2**t)
        x = x - lr * m_hat / (math.sqrt(v_hat) + eps)
    return x


def ref_adamw(x, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
    return ref_adam(x, grads, lr, betas, eps, weight_decay, amsgrad, decoupled=True)


def ref_rmsprop(x, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                centered=False):
    """PyTorch's RMSprop algorithm (docs), one scalar."""
    v = g_avg = buf = 0.0
    for g in grads:
        if g is None:
            continue
        if weight_decay:
            g = g + weight_decay * x
        v = alpha * v + (1 - alpha) * g * g
        v_tilde = v
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g
            v_tilde = v_tilde - g_avg * g_avg
        if momentum > 0:
            buf = momentum * buf + g / (math.sqrt(v_tilde) + eps)
            x = x - lr * buf
        else:
            x = x - lr * g / (math.sqrt(v_tilde) + eps)
    return x


def ref_adagrad(x, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                eps=1e-10):
    """PyTorch's Adagrad algorithm (docs), one scalar."""
    state_sum = initial_accumulator_value
    t = 0
    for g in grads:
        if g is None:
            continue
        t += 1
        lr_t = lr / (1 + (t - 1) * lr_decay)
        if weight_decay:
            g = g + weight_decay * x
        state_sum = state_sum + g * g
        x = x - lr_t * g / (math.sqrt(state_sum) + eps)
    return x


REFERENCES = {"SGD": ref_sgd, "Adam": ref_adam, "AdamW": ref_adamw, "RMSprop": ref_rmsprop,
              "Adagrad": ref_adagrad}


def _configs():
    """Every option combination worth telling apart, per optimizer."""
    for m, d, wd, nesterov in itertools.product([0.0, 0.9], [0.0, 0.3], [0.0, 0.1], [False, True]):
        if not (nesterov and (m == 0 or d != 0)):
            yield "SGD", dict(lr=0.05, momentum=m, dampening=d, weight_decay=wd, nesterov=nesterov)
    for name in ("Adam", "AdamW"):
        for betas, eps, wd, ams in itertools.product(
            [(0.9, 0.999), (0.3, 0.6)], [1e-8, 0.1], [0.0, 0.1], [False, True]
        ):
            yield name, dict(lr=0.02, betas=betas, eps=eps, weight_decay=wd, amsgrad=ams)
    for alpha, wd, m, centered in itertools.product([0.99, 0.4], [0.0, 0.1], [0.0, 0.5],
                                                     [False, True]):
        yield "RMSprop", dict(lr=0.01, alpha=alpha, eps=1e-6, weight_decay=wd, momentum=m,
                              centered=centered)
    for decay, wd, init in itertools.product([0.0, 0.05], [0.0, 0.1], [0.0, 0.5]):
        yield "Adagrad", dict(lr=0.1, lr_decay=decay, weight_decay=wd,
                              initial_accumulator_value=init)


CONFIGS = list(_configs())
CONFIG_IDS = [f"{name}-" + "-".join(f"{k}={v}" for k, v in cfg.items()) for name, cfg in CONFIGS]


def grad_sequence(shape, seed):
    """A fixed sequence of gradients, with a few exact zeros mixed in."""
    rng = np.random.default_rng(seed)
    grads = [rng.normal(size=shape) for _ in range(STEPS)]
    grads[7] = np.zeros(shape)
    return grads


def reference_run(name, cfg, x0, grads):
    """The reference applied element by element: the expected parameter after all steps."""
    ref = REFERENCES[name]
    flat = [ref(float(x), [float(g.ravel()[i]) for g in grads], **cfg)
            for i, x in enumerate(x0.ravel())]
    return np.array(flat).reshape(x0.shape)


# ------------------------------------------------------------------- agreement with references


@pytest.mark.parametrize(("name", "cfg"), CONFIGS, ids=CONFIG_IDS)
def test_tensor_parameters_follow_the_reference(name, cfg):
    rng = np.random.default_rng(0)
    x0s = [rng.normal(size=s) for s in SHAPES]
    grads = [grad_sequence(s, seed=i + 1) for i, s in enumerate(SHAPES)]
    params = [Tensor(x.copy(), requires_grad=True) for x in x0s]
    arrays = [p.data for p in params]
    opt = getattr(optim, name)(params, **cfg)
    for step in range(STEPS):
        for p, gs in zip(params, grads):
            p.grad = gs[step].copy()
        opt.step()
        for p, gs in zip(params, grads):
            np.testing.assert_array_equal(p.grad, gs[step])  # the rule never writes into grad
    for p, array, x0, gs in zip(params, arrays, x0s, grads):
        assert p.data is array and p.data.dtype == np.float64  # updated in place
        np.testing.assert_allclose(p.data, reference_run(name, cfg, x0, gs), **TOL)
        assert all(s.dtype == np.float64 for s in opt.state[p].values() if hasattr(s, "dtype"))
        assert opt.state[p]["step"] == STEPS


@pytest.mark.parametrize(("name", "cfg"), CONFIGS, ids=CONFIG_IDS)
def test_value_parameters_follow_the_reference(name, cfg):
    x0 = np.random.default_rng(1).normal(size=7)
    grads = grad_sequence((7,), seed=2)
    params = [Value(float(x)) for x in x0]
    opt = getattr(optim, name)(params, **cfg)
    for step in range(STEPS):
        for p, g in zip(params, grads[step]):
            p.grad = float(g)
        opt.step()
    got = np.array([p.data for p in params])
    assert all(type(p.data) is float for p in params)
    np.testing.assert_allclose(got, reference_run(name, cfg, x0, grads), **TOL)
    assert opt.state[params[0]]["step"] == STEPS


@pytest.mark.parametrize("name", REFERENCES)
def test_float32_tensors_keep_their_dtype_and_state_dtype(name):
    x0 = np.random.default_rng(3).normal(size=(3, 2))
    grads = grad_sequence((3, 2), seed=4)
    cfg = dict(lr=0.01, momentum=0.5) if name == "SGD" else dict(lr=0.01)
    p = Tensor(x0.astype(np.float32), requires_grad=True)
    opt = getattr(optim, name)([p], **cfg)
    for g in grads:
        p.grad = g.astype(np.float32)
        opt.step()
    assert p.data.dtype == np.float32
    assert all(s.dtype == np.float32 for k, s in opt.state[p].items() if k != "step")
    expected = reference_run(name, cfg, x0.astype(np.float32).astype(np.float64),
                             [g.astype(np.float32).astype(np.float64) for g in grads])
    np.testing.assert_allclose(p.data, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("name", "cfg", "key"), [
    ("Adam", dict(betas=(0.0, 0.9)), "exp_avg"),
    ("RMSprop", dict(alpha=0.0, centered=True), "grad_avg"),
])
def test_a_running_average_with_no_memory_is_exactly_the_gradient(name, cfg, key):
    # PyTorch's lerp switches formulas for weights >= 0.5 so a weight of 1 lands exactly on
    # the gradient; the plain ``m + w * (g - m)`` can miss it by a rounding error
    rng = np.random.default_rng(11)
    p = Tensor(rng.normal(size=200), requires_grad=True)
    opt = getattr(optim, name)([p], **cfg)
    for _ in range(3):
        p.grad = rng.normal(size=200) * 10.0 ** rng.integers(-3, 3, size=200)
        opt.step()
        np.testing.assert_array_equal(opt.state[p][key], p.grad)


# ------------------------------------------------------------- skipped parameters and groups


@pytest.mark.parametrize(("name", "cfg"), [
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.2)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1)),
])
def test_a_parameter_whose_grad_is_none_is_skipped_and_keeps_its_own_step_count(name, cfg):
    rng = np.random.default_rng(5)
    x0 = rng.normal(size=6)
    grads = rng.normal(size=(30, 6)).tolist()
    skip = rng.random(size=(30, 6)) < np.linspace(0.05, 0.6, 6)  # a different rate per parameter
    seqs = [[None if skip[t, i] else grads[t][i] for t in range(30)] for i in range(6)]
    values = [Value(float(x)) for x in x0]
    tensors = [Tensor(np.array([x]), requires_grad=True) for x in x0]
    opt_v = getattr(optim, name)(values, **cfg)
    opt_t = getattr(optim, name)(tensors, **cfg)
    for t in range(30):
        for i in range(6):
            values[i].grad = seqs[i][t]
            tensors[i].grad = None if seqs[i][t] is None else np.array([seqs[i][t]])
        before = [v.data for v in values]
        opt_v.step()
        opt_t.step()
        for i in range(6):
            if seqs[i][t] is None:
                assert values[i].data == before[i]
    for i in range(6):
        expected = REFERENCES[name](float(x0[i]), seqs[i], **cfg)
        assert values[i].data == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert tensors[i].data[0] == pytest.approx(expected, rel=1e-12, abs=1e-12)
        steps = sum(g is not None for g in seqs[i])
        assert opt_v.state[values[i]]["step"] == steps == opt_t.state[tensors[i]]["step"]


def test_a_tensor_never_given_a_grad_is_untouched_and_has_no_state():
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = np.ones(3)
    opt.step()
    np.testing.assert_array_equal(b.data, np.ones(3))
    assert a in opt.state and b not in opt.state
    with pytest.raises(KeyError):
        opt.state[b]


def test_parameter_groups_have_their_own_hyper_parameters():
    x0 = np.random.default_rng(6).normal(size=(2, 4))
    grads = grad_sequence((2, 4), seed=7)
    fast = Tensor(x0[0].copy(), requires_grad=True)
    slow = [Value(float(x)) for x in x0[1]]
    opt = optim.SGD([{"params": [fast]}, {"params": slow, "lr": 0.01, "momentum": 0.5}],
                    lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0.9
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["momentum"] == 0.5
    assert opt.param_groups[1]["nesterov"] is False  # missing keys come from the defaults
    for g in grads:
        fast.grad = g[0].copy()
        for v, gi in zip(slow, g[1]):
            v.grad = float(gi)
        opt.step()
    np.testing.assert_allclose(
        fast.data, [ref_sgd(float(x), [float(g[0][i]) for g in grads], 0.1, 0.9)
                    for i, x in enumerate(x0[0])], **TOL)
    np.testing.assert_allclose(
        [v.data for v in slow], [ref_sgd(float(x), [float(g[1][i]) for g in grads], 0.01, 0.5)
                                 for i, x in enumerate(x0[1])], **TOL)


def test_add_param_group_and_changing_lr_mid_training():
    a, b = Value(1.0), Value(1.0)
    opt = optim.SGD([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.5})  # a single parameter is accepted
    a.grad = b.grad = 1.0
    opt.step()
    assert a.data == pytest.approx(0.9) and b.data == pytest.approx(0.5)
    opt.param_groups[0]["lr"] = 0.2
    opt.step()
    assert a.data == pytest.approx(0.7) and b.data == pytest.approx(0.0)


def test_values_and_tensors_can_share_a_group_and_a_generator_works():
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    v = Value(3.0)
    opt = optim.SGD((p for p in [t, v]), lr=0.5)
    (t * t).sum().backward()
    (v * v).backward()
    opt.step()
    np.testing.assert_allclose(t.data, [0.0, 0.0])
    assert v.data == 0.0
    assert len(opt.param_groups) == 1 and len(opt.param_groups[0]["params"]) == 2


def test_step_with_a_closure_returns_its_loss():
    v = Value(2.0)
    opt = optim.SGD([v], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = v * v
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.data == 4.0 and v.data == 1.0


def test_groups_whose_params_list_is_replaced_keep_the_values_state():
    a, b = Value(1.0), Value(2.0)
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    a.grad = 1.0
    opt.step()
    opt.param_groups[0]["params"].append(b)  # PyTorch users sometimes grow a group in place
    a.grad, b.grad = 1.0, 1.0
    opt.step()
    assert a.data == pytest.approx(ref_sgd(1.0, [1.0, 1.0], 0.1, 0.9), abs=1e-15)
    assert b.data == pytest.approx(ref_sgd(2.0, [1.0], 0.1, 0.9), abs=1e-15)


# --------------------------------------------------------------------------------- zero_grad


def test_zero_grad_resets_values_to_zero_and_tensors_to_none():
    v = Value(1.0)
    t = Tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([v, t], lr=0.1)
    (v * 3).backward()
    (t * 2).sum().backward()
    assert v.grad == 3.0 and t.grad is not None
    opt.zero_grad()
    assert v.grad == 0.0 and type(v.grad) is float and t.grad is None


def test_zero_grad_without_set_to_none_fills_zeros_in_place():
    v = Value(1.0)
    t = Tensor(np.ones(2), requires_grad=True)
    u = Tensor(np.ones(2), requires_grad=True)  # never given a grad: stays None
    opt = optim.SGD([v, t, u], lr=0.1)
    v.grad, t.grad = 5.0, np.array([1.0, 2.0])
    grad_array = t.grad
    opt.zero_grad(set_to_none=False)
    assert v.grad == 0.0
    assert t.grad is grad_array
    np.testing.assert_array_equal(t.grad, [0.0, 0.0])
    assert u.grad is None


def test_zero_grad_then_backward_gives_fresh_gradients():
    v = Value(2.0)
    opt = optim.SGD([v], lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        (v * v).backward()
        assert v.grad == pytest.approx(2 * v.data)
        opt.step()


# -------------------------------------------------------------------------------- state_dict


def _mixed_setup(name, cfg, seed=8):
    rng = np.random.default_rng(seed)
    tensors = [Tensor(rng.normal(size=s), requires_grad=True) for s in [(2, 3), (4,)]]
    values = [Value(float(x)) for x in rng.normal(size=5)]
    opt = getattr(optim, name)(
        [{"params": tensors}, {"params": values, "lr": cfg["lr"] / 2}], **cfg)
    return tensors, values, opt


def _feed(tensors, values, rng):
    for t in tensors:
        t.grad = rng.normal(size=t.shape)
    for v in values:
        v.grad = float(rng.normal())


STATEFUL = [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
]


@pytest.mark.parametrize(("name", "cfg"), STATEFUL)
def test_state_dict_round_trip_mid_training_continues_exactly(name, cfg):
    tensors, values, opt = _mixed_setup(name, cfg)
    rng = np.random.default_rng(9)
    for _ in range(5):
        _feed(tensors, values, rng)
        opt.step()
    saved = opt.state_dict()
    # a fresh optimizer over copies of the parameters, built with other hyper-parameters
    tensors2 = [Tensor(t.data.copy(), requires_grad=True) for t in tensors]
    values2 = [Value(v.data) for v in values]
    opt2 = getattr(optim, name)([{"params": tensors2}, {"params": values2}], lr=123.0)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[1]["lr"] == cfg["lr"] / 2
    for _ in range(10):
        state = rng.bit_generator.state
        _feed(tensors, values, rng)
        rng.bit_generator.state = state
        _feed(tensors2, values2, rng)
        opt.step()
        opt2.step()
    for a, b in zip(tensors, tensors2):
        np.testing.assert_array_equal(a.data, b.data)
    assert [v.data for v in values] == [v.data for v in values2]


def test_a_deep_copy_of_parameters_and_optimizer_continues_identically():
    tensors, values, opt = _mixed_setup("Adam", dict(lr=0.01, amsgrad=True))
    rng = np.random.default_rng(12)
    for _ in range(3):
        _feed(tensors, values, rng)
        opt.step()
    tensors2, values2, opt2 = copy.deepcopy((tensors, values, opt))
    for _ in range(3):
        state = rng.bit_generator.state
        _feed(tensors, values, rng)
        rng.bit_generator.state = state
        _feed(tensors2, values2, rng)
        opt.step()
        opt2.step()
    assert [v.data for v in values] == [v.data for v in values2]
    for a, b in zip(tensors, tensors2):
        np.testing.assert_array_equal(a.data, b.data)
    assert opt2.state[values2[0]]["step"] == 6 and opt2.state[tensors2[0]]["step"] == 6


def test_state_dict_layout_is_pytorchs_and_a_copy():
    tensors, values, opt = _mixed_setup("Adam", dict(lr=0.01))
    tensors[1].grad = np.ones(4)
    values[0].grad = 1.0
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2, 3, 4, 5, 6]]
    assert sd["param_groups"][1]["lr"] == 0.005 and sd["param_groups"][0]["betas"] == (0.9, 0.999)
    # only parameters that were stepped have state; Values' state holds floats
    assert set(sd["state"]) == {1, 2, 3, 4, 5, 6}  # Values always have a grad (0.0 counts)
    assert set(sd["state"][1]) == {"step", "exp_avg", "exp_avg_sq"}
    assert sd["state"][1]["step"] == 1 and sd["state"][1]["exp_avg"].shape == (4,)
    assert isinstance(sd["state"][2]["exp_avg"], float)
    np.testing.assert_allclose(sd["state"][1]["exp_avg"], 0.1 * np.ones(4))
    assert sd["state"][2]["exp_avg"] == pytest.approx(0.1)
    sd["state"][1]["exp_avg"][:] = 99.0  # changing the saved dict leaves the optimizer alone
    sd["param_groups"][0]["lr"] = 99.0
    assert opt.state[tensors[1]]["exp_avg"][0] == pytest.approx(0.1)
    assert opt.param_groups[0]["lr"] == 0.01


def test_load_state_dict_casts_to_the_parameter_dtype_and_copies():
    t64 = Tensor(np.zeros(3), requires_grad=True)
    opt = optim.SGD([t64], lr=0.1, momentum=0.9)
    t64.grad = np.ones(3)
    opt.step()
    sd = opt.state_dict()
    t32 = Tensor(np.zeros(3, dtype=np.float32), requires_grad=True)
    opt32 = optim.SGD([t32], lr=0.1, momentum=0.9)
    opt32.load_state_dict(sd)
    buf = opt32.state[t32]["momentum_buffer"]
    assert buf.dtype == np.float32
    sd["state"][0]["momentum_buffer"][:] = 5.0
    assert buf[0] == 1.0


@pytest.mark.parametrize("mutate", ["groups", "sizes", "shape", "value_shape", "index", "step",
                                    "lr", "missing"])
def test_a_bad_state_dict_raises_and_changes_nothing(mutate):
    tensors, values, opt = _mixed_setup("Adam", dict(lr=0.01))
    _feed(tensors, values, np.random.default_rng(10))
    opt.step()
    before = opt.state_dict()
    sd = opt.state_dict()
    if mutate == "groups":
        sd["param_groups"].pop()
    elif mutate == "sizes":
        sd["param_groups"][1]["params"].pop()
    elif mutate == "shape":
        sd["state"][0]["exp_avg"] = np.zeros((3, 2))
    elif mutate == "value_shape":
        sd["state"][6]["exp_avg"] = np.zeros(2)
    elif mutate == "index":
        sd["state"][42] = sd["state"].pop(0)
    elif mutate == "step":
        sd["state"][3]["step"] = -1
    elif mutate == "lr":
        sd["param_groups"][0]["lr"] = -1.0
        sd["state"][0]["exp_avg"] = np.full((2, 3), 7.0)
    else:
        del sd["state"]
    with pytest.raises(ValueError):
        opt.load_state_dict(sd)
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for i, entry in before["state"].items():
        for k, v in entry.items():
            np.testing.assert_array_equal(after["state"][i][k], v)


def test_state_view_is_live_for_tensors_and_a_copy_for_values():
    t = Tensor(np.zeros(2), requires_grad=True)
    v = Value(0.0)
    opt = optim.Adam([t, v], lr=0.1)
    t.grad, v.grad = np.ones(2), 1.0
    opt.step()
    assert set(opt.state[t]) == {"step", "exp_avg", "exp_avg_sq"}
    assert opt.state[v]["exp_avg"] == pytest.approx(0.1)
    assert len(opt.state) == 2 and list(opt.state) == [t, v]
    assert opt.state[t] is opt.state[t]
    with pytest.raises(KeyError):
        opt.state[Value(0.0)]


# ---------------------------------------------------------------------------------- repr


def test_repr_lists_each_group_and_its_parameters():
    t = Tensor(np.zeros(2), requires_grad=True)
    opt = optim.SGD([t, Value(1.0), Value(2.0)], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": [Value(0.0)], "lr": 0.01})
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0\n") and text.endswith(")")
    assert "    lr: 0.1\n" in text and "    momentum: 0.9\n" in text
    assert "    params: 1 Tensor, 2 Values\n" in text
    assert "Parameter Group 1\n" in text and "    lr: 0.01\n" in text
    assert "    params: 1 Value\n" in text


# ------------------------------------------------------------------------------- validation


BAD_HYPERS = [  # optimizer, arguments, what the message must contain
    ("SGD", dict(lr=-0.1), "lr", "-0.1"),
    ("SGD", dict(lr=float("nan")), "lr", "nan"),
    ("SGD", dict(lr=0.1, momentum=-0.5), "momentum", "-0.5"),
    ("SGD", dict(lr=0.1, weight_decay=-1e-4), "weight_decay", "-0.0001"),
    ("SGD", dict(lr=0.1, nesterov=True), "Nesterov", "momentum=0"),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov", "dampening=0.1"),
    ("Adam", dict(lr=-1e-3), "lr", "-0.001"),
    ("Adam", dict(eps=-1e-8), "eps", "-1e-08"),
    ("Adam", dict(weight_decay=-0.1), "weight_decay", "-0.1"),
    ("Adam", dict(betas=(1.0, 0.999)), "betas[0]", "1.0"),
    ("Adam", dict(betas=(-0.1, 0.999)), "betas[0]", "-0.1"),
    ("Adam", dict(betas=(0.9, 1.5)), "betas[1]", "1.5"),
    ("Adam", dict(betas=(0.9, -0.01)), "betas[1]", "-0.01"),
    ("Adam", dict(betas=(0.9,)), "pair", "(0.9,)"),
    ("AdamW", dict(lr=-1e-3), "lr", "-0.001"),
    ("AdamW", dict(eps=-1.0), "eps", "-1.0"),
    ("AdamW", dict(weight_decay=-0.01), "weight_decay", "-0.01"),
    ("AdamW", dict(betas=(0.9, 1.0)), "betas[1]", "1.0"),
    ("RMSprop", dict(lr=-0.01), "lr", "-0.01"),
    ("RMSprop", dict(alpha=-0.99), "alpha", "-0.99"),
    ("RMSprop", dict(eps=-1e-8), "eps", "-1e-08"),
    ("RMSprop", dict(momentum=-0.9), "momentum", "-0.9"),
    ("RMSprop", dict(weight_decay=-0.1), "weight_decay", "-0.1"),
    ("Adagrad", dict(lr=-0.01), "lr", "-0.01"),
    ("Adagrad", dict(lr_decay=-0.1), "lr_decay", "-0.1"),
    ("Adagrad", dict(weight_decay=-0.1), "weight_decay", "-0.1"),
    ("Adagrad", dict(initial_accumulator_value=-1.0), "initial_accumulator_value", "-1.0"),
    ("Adagrad", dict(eps=-1e-10), "eps", "-1e-10"),
]


@pytest.mark.parametrize(("name", "kwargs", "word", "value"), BAD_HYPERS)
def test_bad_hyper_parameters_raise_value_error_naming_them(name, kwargs, word, value):
    with pytest.raises(ValueError) as info:
        getattr(optim, name)([Value(1.0)], **kwargs)
    assert word in str(info.value) and value in str(info.value)


@pytest.mark.parametrize(("name", "kwargs", "word", "value"), BAD_HYPERS)
def test_bad_hyper_parameters_in_a_group_raise_too(name, kwargs, word, value):
    lr = {"lr": 0.1} if name == "SGD" else {}
    opt = getattr(optim, name)([Value(1.0)], **lr)
    with pytest.raises(ValueError) as info:
        opt.add_param_group({"params": [Value(2.0)], **kwargs})
    assert word in str(info.value) and value in str(info.value)
    assert len(opt.param_groups) == 1


def test_the_boundaries_are_accepted():
    p = [Value(1.0)]
    optim.SGD(p, lr=0.0, momentum=0.0, weight_decay=0.0)
    optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)
    optim.Adam(p, lr=0.0, betas=(0.0, 0.0), eps=0.0)
    optim.RMSprop(p, alpha=0.0, momentum=0.0, eps=0.0)
    optim.Adagrad(p, lr_decay=0.0, initial_accumulator_value=0.0, eps=0.0)


@pytest.mark.parametrize("empty", [[], (), iter([]), (p for p in [])])
def test_an_empty_parameter_list_raises(empty):
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam(empty)


def test_the_same_parameter_in_two_groups_raises():
    v = Value(1.0)
    t = Tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(ValueError, match="only one group"):
        optim.SGD([{"params": [v, t]}, {"params": [t]}], lr=0.1)
    opt = optim.SGD([v], lr=0.1)
    with pytest.raises(ValueError, match="group 0"):
        opt.add_param_group({"params": [Value(2.0), v]})
    assert len(opt.param_groups) == 1
    with pytest.raises(ValueError, match="twice"):
        optim.SGD([v, v], lr=0.1)


def _int_tensor():
    t = Tensor(np.zeros(2))
    t.data = np.arange(2, dtype=np.int64)
    return t


@pytest.mark.parametrize(("params", "error", "word"), [
    (Value(1.0), TypeError, "single Value"),
    ({Value(1.0)}, TypeError, "set"),
    ([1.0, 2.0], TypeError, "float"),
    ([_int_tensor()], TypeError, "int64"),
    (5, TypeError, "int"),
    ([{"lr": 0.1}], ValueError, "params"),
])
def test_params_that_are_not_parameters_raise(params, error, word):
    with pytest.raises(error, match=word):
        optim.SGD(params, lr=0.1)


def test_hyper_parameters_must_be_numbers():
    with pytest.raises(TypeError, match="lr"):
        optim.SGD([Value(1.0)], lr="0.1")
    with pytest.raises(TypeError, match="lr"):
        optim.Adam([Value(1.0)], lr=None)
