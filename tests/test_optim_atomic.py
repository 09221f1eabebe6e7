"""Optimizer and scheduler calls are all or nothing: a bad gradient, state or constructor
argument raises, naming what is wrong, before any parameter, state, rate or count changes."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import optim
from autograd import Tensor, Value
from optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, LambdaLR, StepLR

OPTIMIZERS = {
    "SGD": dict(lr=0.1, momentum=0.9),
    "Adam": dict(lr=0.1),
    "AdamW": dict(lr=0.1, amsgrad=True),
    "RMSprop": dict(lr=0.1, momentum=0.5, centered=True),
    "Adagrad": dict(lr=0.1),
}


def _setup(name: str):
    """Two groups: Tensors (one float32) in the first, Values in the second."""
    a = Tensor(np.arange(3.0), requires_grad=True)
    b = Tensor(np.ones((2, 2), np.float32), requires_grad=True)
    vs = [Value(1.0), Value(-2.0), Value(0.5)]
    opt = getattr(optim, name)([{"params": [a, b]}, {"params": vs}], **OPTIMIZERS[name])
    return [a, b], vs, opt


def _feed(tensors, values, scale=1.0):
    for t in tensors:
        t.grad = np.full(t.shape, 0.3 * scale, t.dtype)
    for i, v in enumerate(values):
        v.grad = 0.1 * (i + 1) * scale


def _snapshot(tensors, values, opt):
    return ([t.data.copy() for t in tensors], [v.data for v in values],
            copy.deepcopy(opt.state_dict()))


def _assert_same(before, after):
    for x, y in zip(before[0], after[0]):
        np.testing.assert_array_equal(x, y)
    assert before[1] == after[1]
    sd0, sd1 = before[2], after[2]
    assert sd0["param_groups"] == sd1["param_groups"]
    assert sd0["state"].keys() == sd1["state"].keys()
    for i, entry in sd0["state"].items():
        assert entry.keys() == sd1["state"][i].keys()
        for k, v in entry.items():
            np.testing.assert_array_equal(sd1["state"][i][k], v)


BAD_TENSOR_GRADS = {
    "broadcastable shape": (lambda t: np.ones(t.shape[-1:] if t.ndim > 1 else (1,)), "shape"),
    "transposed shape": (lambda t: np.ones((t.size, 1)), "shape"),
    "object array": (lambda t: np.array([None] * t.size, dtype=object).reshape(t.shape), "dtype"),
    "integer dtype": (lambda t: np.ones(t.shape, np.int64), "dtype"),
    "list": (lambda t: np.ones(t.shape).tolist(), "list"),
    "Tensor": (lambda t: Tensor(np.ones(t.shape)), "Tensor"),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("bad", BAD_TENSOR_GRADS)
def test_a_bad_tensor_grad_changes_nothing_and_does_not_count_the_step(name, bad):
    tensors, values, opt = _setup(name)
    _feed(tensors, values)
    opt.step()  # one good step first, so there is state to keep
    _feed(tensors, values)
    make, word = BAD_TENSOR_GRADS[bad]
    tensors[1].grad = make(tensors[1])  # the last Tensor of group 0: group 1 comes after
    before = _snapshot(tensors, values, opt)
    with pytest.raises(ValueError, match=rf"param_groups\[0\] parameter 1 .*{word}"):
        opt.step()
    _assert_same(before, _snapshot(tensors, values, opt))
    # the step was not counted: fixing the grad gives exactly a twin's second step
    twin_tensors, twin_values, twin = _setup(name)
    for run_tensors, run_values, run in ((tensors, values, opt),
                                         (twin_tensors, twin_values, twin)):
        if run is twin:
            _feed(run_tensors, run_values)
            run.step()
        _feed(run_tensors, run_values)
        run.step()
    for x, y in zip(tensors + values, twin_tensors + twin_values):
        np.testing.assert_array_equal(x.data, y.data)


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("grad", ["0.5", [0.5], np.array([0.5, 0.5]), Value(0.5), 1j])
def test_a_bad_value_grad_changes_nothing(name, grad):
    tensors, values, opt = _setup(name)
    _feed(tensors, values)
    opt.step()
    _feed(tensors, values)
    values[2].grad = grad
    before = _snapshot(tensors, values, opt)
    with pytest.raises(ValueError, match=r"param_groups\[1\] parameter 2 \(Value\): grad is "):
        opt.step()
    _assert_same(before, _snapshot(tensors, values, opt))


def test_numpy_and_int_value_grads_are_accepted():
    vs = [Value(1.0), Value(2.0), Value(3.0)]
    opt = optim.SGD(vs, lr=0.5)
    vs[0].grad, vs[1].grad, vs[2].grad = np.float32(1.0), 2, np.int64(1)
    opt.step()
    assert [v.data for v in vs] == [0.5, 1.0, 2.5]


def test_a_read_only_parameter_or_a_reshaped_one_is_refused_before_the_update():
    a = Tensor(np.zeros(2), requires_grad=True)
    b = Tensor(np.zeros(2), requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = b.grad = np.ones(2)
    opt.step()
    b.data = np.zeros(3)
    a.grad, b.grad = np.ones(2), np.ones(3)
    before = a.data.copy()
    with pytest.raises(ValueError, match=r"parameter 1 .*now has shape \(3,\).*'exp_avg' has "
                                         r"shape \(2,\)"):
        opt.step()
    np.testing.assert_array_equal(a.data, before)
    b.data = np.zeros(2)
    b.data.flags.writeable = False
    b.grad = np.ones(2)
    with pytest.raises(ValueError, match="read-only"):
        opt.step()
    np.testing.assert_array_equal(a.data, before)


# ------------------------------------------------------------------------- load_state_dict


def _bad_states():
    def drop(sd, key):
        del sd["state"][0][key]

    return {
        "missing exp_avg_sq": (lambda sd: drop(sd, "exp_avg_sq"), "missing 'exp_avg_sq'"),
        "missing step": (lambda sd: drop(sd, "step"), "missing 'step'"),
        "unknown entry": (lambda sd: sd["state"][3].update(bogus=1.0), "unexpected 'bogus'"),
        "string moment": (lambda sd: sd["state"][0].update(exp_avg="abc"), "real numbers"),
        "string step": (lambda sd: sd["state"][0].update(step="3"), "step must be a count"),
        "bool step": (lambda sd: sd["state"][4].update(step=True), "step must be a count"),
        "entry not a dict": (lambda sd: sd["state"].update({1: [1, 2]}), "must be a dict"),
        "group not a dict": (lambda sd: sd["param_groups"].__setitem__(0, [0, 1]), "'params'"),
        "index twice": (lambda sd: sd["param_groups"][1].update(params=[0, 3, 4]), "twice"),
        "state not a dict": (lambda sd: sd.update(state=[]), "'state' a dict"),
        "bad lr": (lambda sd: sd["param_groups"][1].update(lr=-1.0), "learning rate"),
    }


@pytest.mark.parametrize("case", _bad_states())
def test_a_bad_optimizer_state_is_refused_whole(case):
    tensors, values, opt = _setup("Adam")
    _feed(tensors, values)
    opt.step()
    sd = copy.deepcopy(opt.state_dict())
    mutate, word = _bad_states()[case]
    mutate(sd)
    _feed(tensors, values, scale=2.0)
    opt.step()
    before = _snapshot(tensors, values, opt)
    with pytest.raises(ValueError, match=word):
        opt.load_state_dict(sd)
    _assert_same(before, _snapshot(tensors, values, opt))


def test_load_state_dict_names_a_wrong_argument_type():
    _, _, opt = _setup("SGD")
    for bad in (None, "optimizer.pt", [1, 2]):
        with pytest.raises(TypeError, match=r"expects the dict from optimizer.state_dict\(\), "
                                            f"got {type(bad).__name__}"):
            opt.load_state_dict(bad)


def test_sgd_without_a_momentum_buffer_still_loads():
    t = Tensor(np.zeros(2), requires_grad=True)
    opt = optim.SGD([t], lr=0.1, momentum=0.9)
    groups = opt.state_dict()["param_groups"]
    opt.load_state_dict({"state": {0: {"step": 0}}, "param_groups": groups})
    t.grad = np.ones(2)
    opt.step()
    np.testing.assert_allclose(t.data, [-0.1, -0.1])


# ------------------------------------------------------------------------------- schedulers


def _sgd():
    return optim.SGD([{"params": [Value(0.0)]}, {"params": [Value(1.0)], "lr": 0.5}], lr=0.1)


def _groups(opt):
    return [dict((k, v) for k, v in g.items() if k != "params") for g in opt.param_groups]


def _raises_at(t):
    if t == 0:
        raise ZeroDivisionError("boom")
    return 1.0


@pytest.mark.parametrize(("make", "error"), [
    (lambda opt: LambdaLR(opt, lr_lambda=_raises_at), ZeroDivisionError),
    (lambda opt: LambdaLR(opt, lr_lambda=lambda t: "fast"), TypeError),
    (lambda opt: LambdaLR(opt, lr_lambda=lambda t: float("nan")), ValueError),
    (lambda opt: LambdaLR(opt, lr_lambda=lambda t: -1.0), ValueError),
    (lambda opt: StepLR(opt, step_size=2, last_epoch=-2), ValueError),
    (lambda opt: StepLR(opt, step_size=2, last_epoch=3), KeyError),
])
def test_a_failed_scheduler_constructor_leaves_the_optimizer_as_it_was(make, error):
    opt = _sgd()
    before = _groups(opt)
    with pytest.raises(error):
        make(opt)
    assert _groups(opt) == before and all("initial_lr" not in g for g in opt.param_groups)


def test_a_failed_scheduler_step_changes_no_rate_and_no_count():
    opt = _sgd()
    sched = LambdaLR(opt, lr_lambda=lambda t: 1.0 if t < 2 else None)
    sched.step()
    before, epoch = _groups(opt), sched.last_epoch
    with pytest.raises(TypeError, match=r"lr_lambda for param_groups\[0\] returned NoneType"):
        sched.step()
    assert _groups(opt) == before and sched.last_epoch == epoch and sched._step_count == 2


@pytest.mark.parametrize(("mutate", "word"), [
    (lambda sd: sd.update(last_epoch="5"), "last_epoch"),
    (lambda sd: sd.update(last_epoch=-7), "last_epoch"),
    (lambda sd: sd.update(base_lrs=[0.1]), "base_lrs"),
    (lambda sd: sd.update(base_lrs=[0.1, "x"]), "base_lrs"),
    (lambda sd: sd.update(gamma=None), "gamma"),
    (lambda sd: sd.update(step_size=2.5), "step_size"),
    (lambda sd: sd.update(step_size=0), "'step_size' must be >= 1"),
    (lambda sd: sd.update(bogus=1), "bogus"),
    (lambda sd: sd.pop("_last_lr"), "_last_lr"),
])
def test_a_bad_scheduler_state_is_refused_whole(mutate, word):
    sched = StepLR(_sgd(), step_size=3, gamma=0.5)
    for _ in range(4):
        sched.step()
    sd = sched.state_dict()
    mutate(sd)
    before = sched.state_dict()
    with pytest.raises(ValueError, match=word):
        sched.load_state_dict(sd)
    assert sched.state_dict() == before
    with pytest.raises(TypeError, match="got NoneType"):
        sched.load_state_dict(None)


@pytest.mark.parametrize("make", [
    lambda opt: ExponentialLR(opt, gamma=0.9),
    lambda opt: CosineAnnealingLR(opt, T_max=5),
    lambda opt: LambdaLR(opt, lr_lambda=lambda t: 0.9**t),
])
def test_scheduler_states_still_round_trip(make):
    sched = make(_sgd())
    for _ in range(3):
        sched.step()
    other = make(_sgd())
    other.load_state_dict(sched.state_dict())
    assert other.last_epoch == 3 and other.get_last_lr() == sched.get_last_lr()
    with pytest.raises(ValueError, match="unexpected"):
        other.load_state_dict({**sched.state_dict(), "T_max" if "gamma" in vars(sched)
                               else "gamma": 1})
