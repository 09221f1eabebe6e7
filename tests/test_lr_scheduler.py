"""Learning-rate schedulers: PyTorch's semantics, values against the closed forms, state_dict."""

from __future__ import annotations

import math

import numpy as np
import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import optim
from autograd import Tensor, Value
from optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, LambdaLR, StepLR

EPOCHS = 40


def two_group_sgd(lrs=(0.1, 0.03)):
    return optim.SGD([{"params": [Value(0.0)], "lr": lrs[0]},
                      {"params": [Value(0.0)], "lr": lrs[1]}], lr=1.0)


def schedule(scheduler, epochs=EPOCHS):
    """The rates of every epoch, from the constructor's (epoch 0) to ``epochs``."""
    out = [scheduler.get_last_lr()]
    for _ in range(epochs):
        scheduler.optimizer.step()
        scheduler.step()
        out.append(scheduler.get_last_lr())
        assert out[-1] == [g["lr"] for g in scheduler.optimizer.param_groups]
    return np.array(out)


def closed_form(fn, base_lrs, epochs=EPOCHS):
    return np.array([[fn(base, t) for base in base_lrs] for t in range(epochs + 1)])


# ------------------------------------------------------------------------- the four schedules


@settings(max_examples=examples(40), deadline=None)
@given(st.integers(1, 10), st.floats(0.05, 1.5))
def test_step_lr_matches_its_closed_form(step_size, gamma):
    opt = two_group_sgd()
    got = schedule(StepLR(opt, step_size=step_size, gamma=gamma))
    want = closed_form(lambda b, t: b * gamma ** (t // step_size), [0.1, 0.03])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_step_lr_by_hand():
    opt = optim.SGD([Value(0.0)], lr=1.0)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    assert sched.last_epoch == 0 and sched.get_last_lr() == [1.0]
    assert schedule(sched, 6)[:, 0].tolist() == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    assert sched.last_epoch == 6


@settings(max_examples=examples(40), deadline=None)
@given(st.floats(0.5, 1.2))
def test_exponential_lr_matches_its_closed_form(gamma):
    got = schedule(ExponentialLR(two_group_sgd(), gamma=gamma))
    want = closed_form(lambda b, t: b * gamma**t, [0.1, 0.03])
    np.testing.assert_allclose(got, want, rtol=1e-12)


@settings(max_examples=examples(40), deadline=None)
@given(st.integers(1, 15), st.sampled_from([0.0, 1e-3, 0.01]))
def test_cosine_annealing_matches_its_closed_form_through_several_periods(t_max, eta_min):
    epochs = 4 * t_max + 3  # past T_max the rate climbs back, as in PyTorch (no restarts)
    got = schedule(CosineAnnealingLR(two_group_sgd(), T_max=t_max, eta_min=eta_min), epochs)
    want = closed_form(
        lambda b, t: eta_min + (b - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2,
        [0.1, 0.03], epochs)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)


def test_cosine_annealing_reaches_eta_min_at_t_max_and_the_base_at_two_t_max():
    opt = optim.SGD([Value(0.0)], lr=0.5)
    lrs = schedule(CosineAnnealingLR(opt, T_max=10, eta_min=0.05), 20)[:, 0]
    assert lrs[0] == 0.5
    assert lrs[5] == pytest.approx(0.275, rel=1e-12)
    assert lrs[10] == pytest.approx(0.05, rel=1e-12)
    assert lrs[20] == pytest.approx(0.5, rel=1e-12)
    assert all(np.diff(lrs[:11]) < 0) and all(np.diff(lrs[10:]) > 0)


def test_lambda_lr_with_one_function_and_with_one_per_group():
    got = schedule(LambdaLR(two_group_sgd(), lr_lambda=lambda t: 1 / (t + 1)))
    np.testing.assert_allclose(got, closed_form(lambda b, t: b / (t + 1), [0.1, 0.03]), rtol=1e-15)
    both = LambdaLR(two_group_sgd(), lr_lambda=[lambda t: 0.9**t, lambda t: t + 1.0])
    got = schedule(both, 5)
    np.testing.assert_allclose(got[:, 0], [0.1 * 0.9**t for t in range(6)], rtol=1e-15)
    np.testing.assert_allclose(got[:, 1], [0.03 * (t + 1) for t in range(6)], rtol=1e-15)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        LambdaLR(two_group_sgd(), lr_lambda=[lambda t: 1.0])


# ------------------------------------------------------------------------ PyTorch semantics


def test_the_optimizer_steps_with_the_scheduled_rate():
    w = Tensor(np.array([1.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    sched = StepLR(opt, step_size=1, gamma=0.5)
    for expected in (0.1, 0.05, 0.025):
        assert opt.param_groups[0]["lr"] == expected
        before = w.data[0]
        w.grad = np.array([1.0])
        opt.step()
        assert before - w.data[0] == pytest.approx(expected, rel=1e-12)
        sched.step()


def test_construction_records_initial_lr_and_keeps_the_rate():
    opt = two_group_sgd()
    sched = ExponentialLR(opt, gamma=0.5)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.03] == sched.base_lrs
    assert sched.get_last_lr() == [0.1, 0.03] and sched.last_epoch == 0


def test_a_second_scheduler_keeps_the_first_ones_initial_lr():
    opt = optim.SGD([Value(0.0)], lr=0.1)
    first = StepLR(opt, step_size=1, gamma=0.5)
    first.step()
    first.step()
    second = ExponentialLR(opt, gamma=0.9)
    assert second.base_lrs == [0.1] and opt.param_groups[0]["initial_lr"] == 0.1
    assert second.get_last_lr() == [0.025]


def test_resuming_with_last_epoch_needs_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(two_group_sgd(), step_size=2, last_epoch=3)


def test_get_last_lr_is_a_copy():
    opt = optim.SGD([Value(0.0)], lr=0.1)
    sched = StepLR(opt, step_size=1)
    sched.get_last_lr()[0] = 99.0
    assert sched.get_last_lr() == [0.1]


@pytest.mark.parametrize("make", [
    lambda opt: StepLR(opt, step_size=3, gamma=0.5),
    lambda opt: ExponentialLR(opt, gamma=0.9),
    lambda opt: CosineAnnealingLR(opt, T_max=7, eta_min=0.001),
    lambda opt: LambdaLR(opt, lr_lambda=lambda t: 1 / (1 + t)),
], ids=["StepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR"])
def test_state_dict_round_trip_continues_the_schedule(make):
    opt = two_group_sgd()
    sched = make(opt)
    schedule(sched, 5)
    saved_opt, saved_sched = opt.state_dict(), sched.state_dict()
    assert "optimizer" not in saved_sched and saved_sched["last_epoch"] == 5
    rest = schedule(sched, 12)
    fresh = two_group_sgd(lrs=(7.0, 7.0))
    resumed = make(fresh)  # build the scheduler first, then load both (PyTorch's recipe)
    fresh.load_state_dict(saved_opt)
    resumed.load_state_dict(saved_sched)
    assert resumed.last_epoch == 5 and resumed.base_lrs == [0.1, 0.03]
    np.testing.assert_array_equal(schedule(resumed, 12), rest)


def test_lambda_lr_state_dict_saves_callable_objects_but_not_functions():
    class Warmup:
        def __init__(self, epochs):
            self.epochs = epochs

        def __call__(self, t):
            return min(1.0, (t + 1) / self.epochs)

    opt = two_group_sgd()
    sched = LambdaLR(opt, lr_lambda=[Warmup(4), lambda t: 1.0])
    saved = sched.state_dict()
    assert saved["lr_lambdas"] == [{"epochs": 4}, None]
    other = LambdaLR(two_group_sgd(), lr_lambda=[Warmup(10), lambda t: 1.0])
    other.load_state_dict(saved)
    assert other.lr_lambdas[0].epochs == 4


@pytest.mark.parametrize(("make", "error", "word"), [
    (lambda opt: StepLR(opt, step_size=0), ValueError, "step_size"),
    (lambda opt: StepLR(opt, step_size=1.5), ValueError, "step_size"),
    (lambda opt: StepLR(opt, step_size=2, gamma="0.1"), TypeError, "gamma"),
    (lambda opt: ExponentialLR(opt, gamma=None), TypeError, "gamma"),
    (lambda opt: CosineAnnealingLR(opt, T_max=0), ValueError, "T_max"),
    (lambda opt: LambdaLR(opt, lr_lambda=3), TypeError, "callable"),
    (lambda opt: StepLR(object(), step_size=1), TypeError, "not an Optimizer"),
])
def test_bad_arguments_raise(make, error, word):
    opt = optim.SGD([Value(0.0)], lr=0.1)
    with pytest.raises(error, match=word):
        make(opt)
    assert opt.param_groups[0]["lr"] == 0.1


def test_schedulers_are_exported():
    assert optim.lr_scheduler.StepLR is StepLR
    for name in ("StepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR"):
        assert name in optim.lr_scheduler.__all__
