"""Grad mode is per thread, as in PyTorch: one thread's ``no_grad`` (or backward) never changes
another's. Every interleaving below is forced with ``threading.Event`` handoffs, so each test
runs the same schedule every time; every wait has a timeout, so a broken handoff fails, not hangs.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

import numpy as np

import nn
from autograd import Function, Tensor, Value, enable_grad, is_grad_enabled, no_grad

TIMEOUT = 10.0


def wait(event: threading.Event) -> None:
    assert event.wait(TIMEOUT), "handoff timed out"


def run_threads(*targets: Callable[[], object]) -> list:
    """Run each target in its own thread; return their results, re-raising the first error."""
    results: list = [None] * len(targets)
    errors: list = []

    def runner(i: int, fn: Callable[[], object]) -> None:
        try:
            results[i] = fn()
        except BaseException as exc:  # re-raised in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive(), "thread did not finish"
    if errors:
        raise errors[0]
    return results


# --------------------------------------------------------------- evaluation beside training


def value_gradients(between: Callable[[], None] = lambda: None) -> list[float]:
    """One micrograd-style training step; ``between`` runs halfway through the forward."""
    random.seed(0)
    model = nn.MLP(3, [4, 1], activation="tanh")
    xs = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
    first = model(xs[0])
    between()
    loss = (first - 1.0) ** 2 + (model(xs[1]) + 1.0) ** 2
    loss.backward()
    return [p.grad for p in model.parameters()]


def tensor_gradients(between: Callable[[], None] = lambda: None) -> list[np.ndarray]:
    """One Tensor training step of a Linear layer; ``between`` runs halfway through."""
    layer = nn.Linear(3, 2)
    layer.weight.data[...] = np.arange(6.0).reshape(2, 3) / 10
    layer.bias.data[...] = [0.5, -0.5]
    x = Tensor(np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0]], np.float32))
    h = layer(x).tanh()
    between()
    (h * h).sum().backward()
    return [layer.weight.grad.copy(), layer.bias.grad.copy()]


def train_beside_eval(train: Callable) -> tuple[object, list[bool]]:
    """``train`` runs while another thread sits inside ``no_grad`` across its whole forward."""
    eval_entered, train_done = threading.Event(), threading.Event()
    modes: list[bool] = []

    def evaluate() -> None:
        with no_grad():
            random.seed(1)
            model = nn.MLP(3, [4, 1])
            out = model([1.0, 2.0, 3.0])
            modes.append(out._prev == ())  # this thread records nothing
            eval_entered.set()
            wait(train_done)
        modes.append(is_grad_enabled())

    def trainer() -> object:
        wait(eval_entered)  # the evaluation is inside no_grad from here until train_done
        try:
            return train(lambda: modes.append(is_grad_enabled()))
        finally:
            train_done.set()

    _, result = run_threads(evaluate, trainer)
    return result, modes


def test_value_training_beside_no_grad_evaluation_gets_single_thread_gradients():
    expected = value_gradients()
    got, modes = train_beside_eval(value_gradients)
    assert got == expected and any(g != 0.0 for g in got)
    assert modes == [True, True, True]  # eval recorded nothing; trainer on; eval restored
    assert is_grad_enabled()


def test_tensor_training_beside_no_grad_evaluation_gets_single_thread_gradients():
    expected = tensor_gradients()
    got, modes = train_beside_eval(tensor_gradients)
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)
    assert modes == [True, True, True]
    assert is_grad_enabled()


# ------------------------------------------------------------------- interleaved blocks


def test_interleaved_no_grad_blocks_leave_grad_mode_on_in_every_thread():
    """A enters, B enters, A exits, B exits: a process-wide flag would end up off."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a() -> list[bool]:
        with no_grad():
            a_in.set()
            wait(b_in)
            inside = is_grad_enabled()
        a_out.set()
        return [inside, is_grad_enabled(), len((Value(1.0) * 2)._prev) == 1]

    def b() -> list[bool]:
        wait(a_in)
        with no_grad():
            b_in.set()
            wait(a_out)
            inside = is_grad_enabled()
        return [inside, is_grad_enabled(), len((Value(1.0) * 2)._prev) == 1]

    assert run_threads(a, b) == [[False, True, True], [False, True, True]]
    assert is_grad_enabled()


def test_one_no_grad_instance_shared_by_two_threads_restores_each_threads_mode():
    """Thread B is already inside ``no_grad`` when it enters the shared block; A is not."""
    shared = no_grad()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a() -> bool:
        with shared:
            a_in.set()
            wait(b_in)
        a_out.set()
        return is_grad_enabled()

    def b() -> list[bool]:
        with no_grad():
            wait(a_in)
            with shared:
                b_in.set()
                wait(a_out)
            still_off = is_grad_enabled()
        return [still_off, is_grad_enabled()]

    assert run_threads(a, b) == [True, [False, True]]


def test_enable_grad_in_one_thread_does_not_reach_another_threads_no_grad():
    b_off, a_on, b_checked = threading.Event(), threading.Event(), threading.Event()

    def a() -> None:
        wait(b_off)  # B is inside no_grad before A turns grad mode on
        with enable_grad():
            a_on.set()
            wait(b_checked)

    def b() -> bool:
        with no_grad():
            b_off.set()
            wait(a_on)
            recorded = (Value(2.0) * 3)._prev
            b_checked.set()
        return recorded == ()

    assert run_threads(a, b)[1] is True


def test_a_backward_running_in_one_thread_does_not_turn_off_recording_in_another():
    """``backward`` runs under no_grad; a forward in another thread meanwhile still records."""
    in_backward, forward_done = threading.Event(), threading.Event()

    class Pause(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            in_backward.set()
            wait(forward_done)  # the other thread's forward runs while this backward is live
            return grad

    def trainer() -> float:
        x = Value(3.0)
        (Pause.apply(x) * x).backward()
        return x.grad

    def other() -> tuple[bool, float]:
        wait(in_backward)
        try:
            w = Value(2.0)
            y = w * w + w
            recorded = len(y._prev) == 2
            y.backward()
            return recorded, w.grad
        finally:
            forward_done.set()

    assert run_threads(trainer, other) == [6.0, (True, 5.0)]
    assert is_grad_enabled()


def test_new_threads_start_with_grad_mode_on_even_when_the_starter_is_in_no_grad():
    with no_grad():
        (mode,) = run_threads(is_grad_enabled)
        assert not is_grad_enabled()
    assert mode is True


# --------------------------------------------------------------- decorated generators


def test_no_grad_decorator_applies_inside_a_generator_and_not_between_yields():
    @no_grad()
    def gen(n):
        for i in range(n):
            seen = yield (i, is_grad_enabled(), (Value(1.0) * 2)._prev == ())
            assert seen is None or seen == "sent"
        return "done"

    outside = []
    steps = []
    g = gen(3)
    for step in g:
        steps.append(step)
        outside.append(is_grad_enabled())
    assert steps == [(0, False, True), (1, False, True), (2, False, True)]
    assert outside == [True, True, True]
    assert gen.__name__ == "gen"


def test_enable_grad_decorated_generator_records_inside_a_callers_no_grad():
    @enable_grad()
    def gen():
        x = Value(2.0)
        yield is_grad_enabled(), len((x * x)._prev)
        yield is_grad_enabled(), len((x * x)._prev)

    with no_grad():
        got = [(step, is_grad_enabled()) for step in gen()]
    assert got == [((True, 2), False), ((True, 2), False)]


def test_decorated_generator_send_throw_close_and_return_value():
    @no_grad()
    def echo():
        modes = []
        try:
            while True:
                received = yield is_grad_enabled()
                modes.append((received, is_grad_enabled()))
        except KeyError:
            yield ("caught", is_grad_enabled())
        finally:
            modes.append(("closing", is_grad_enabled()))
            log.extend(modes)

    log: list = []
    g = echo()
    assert next(g) is False
    assert g.send("a") is False and is_grad_enabled()
    assert g.throw(KeyError("k")) == ("caught", False)
    g.close()
    assert log == [("a", False), ("closing", False)]
    assert is_grad_enabled()

    @no_grad()
    def returns():
        yield 1
        return 42

    r = returns()
    next(r)
    try:
        next(r)
    except StopIteration as stop:
        assert stop.value == 42
    else:
        raise AssertionError("the generator should have finished")


def test_decorated_plain_function_keeps_name_and_mode():
    @no_grad()
    def f(x):
        """Doubles."""
        return x * 2, is_grad_enabled()

    y, mode = f(Value(1.0))
    assert (y._prev, mode, f.__name__, f.__doc__) == ((), False, "f", "Doubles.")
    assert is_grad_enabled()


def test_decorators_without_parentheses_as_pytorch():
    @no_grad
    def off():
        return is_grad_enabled()

    @enable_grad
    def on():
        yield is_grad_enabled()

    with no_grad():
        assert (off(), list(on()), is_grad_enabled()) == (False, [True], False)
    assert off() is False and is_grad_enabled()
