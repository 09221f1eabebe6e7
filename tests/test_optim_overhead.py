"""The optimizer's fast paths give exactly the numbers of the plain formulas, and its cached
view of the parameter groups follows every change a user can make to them.

``step`` keeps each group's parameters split by kind between calls (``Optimizer._members``);
these tests change the groups in every way a user can (``add_param_group``, replacing, growing,
shrinking or editing a group's ``"params"`` in place, editing ``param_groups`` itself,
``load_state_dict``, a deep copy) and check that the next ``step`` updates exactly the current
parameters, and that ``zero_grad`` clears exactly them.
"""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest

import optim
from autograd import Tensor, Value

OPTIMIZERS = {
    "SGD": dict(lr=0.1),
    "SGD momentum": dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adam": dict(lr=0.1, amsgrad=True),
    "RMSprop": dict(lr=0.1, momentum=0.5, centered=True),
    "Adagrad": dict(lr=0.1),
}


def _make(name: str, params):
    return getattr(optim, name.split()[0])(params, **OPTIMIZERS[name])


def _tensors(n: int, shape=(3,)) -> list[Tensor]:
    return [Tensor(np.full(shape, float(i + 1)), requires_grad=True) for i in range(n)]


def _feed(params, scale: float = 1.0) -> None:
    for p in params:
        if isinstance(p, Value):
            p.grad = 0.5 * scale
        else:
            p.grad = np.full(p.shape, 0.5 * scale)


def _data(params):
    return [p.data if isinstance(p, Value) else p.data.copy() for p in params]


def _assert_changed_exactly(params, before, changed) -> None:
    """Each parameter moved if it is in ``changed`` and kept its value otherwise."""
    for p, old in zip(params, before):
        moved = not np.array_equal(np.asarray(p.data), np.asarray(old))
        assert moved == any(p is q for q in changed), p


# --------------------------------------------------------- the cached groups follow every edit


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_group_added_after_a_step_is_stepped_and_the_first_keeps_its_state(name):
    a, b = _tensors(2)
    v = Value(2.0)
    opt = _make(name, [a])
    _feed([a])
    opt.step()
    opt.add_param_group({"params": [b, v]})
    _feed([a, b, v])
    before = _data([a, b, v])
    opt.step()
    _assert_changed_exactly([a, b, v], before, [a, b, v])
    assert opt.state[a]["step"] == 2 and opt.state[b]["step"] == 1 and opt.state[v]["step"] == 1


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("edit", ["replace list", "assign item", "append", "pop", "insert",
                                  "reverse", "slice assign"])
def test_editing_a_groups_params_changes_what_step_and_zero_grad_touch(name, edit):
    a, b, c = _tensors(3)
    opt = _make(name, [a, b])
    _feed([a, b])
    opt.step()  # the group's members are cached now
    params = opt.param_groups[0]["params"]
    expected = {
        "replace list": lambda: [c, b],
        "assign item": lambda: [c, b],
        "append": lambda: [a, b, c],
        "pop": lambda: [a],
        "insert": lambda: [c, a, b],
        "reverse": lambda: [b, a],
        "slice assign": lambda: [a, c],
    }[edit]()
    if edit == "replace list":
        opt.param_groups[0]["params"] = [c, b]
    elif edit == "assign item":
        params[0] = c  # same list, same length: only the items tell
    elif edit == "append":
        params.append(c)
    elif edit == "pop":
        params.pop()
    elif edit == "insert":
        params.insert(0, c)
    elif edit == "reverse":
        params.reverse()
    else:
        params[1:] = [c]
    _feed([a, b, c])
    before = _data([a, b, c])
    opt.step()
    _assert_changed_exactly([a, b, c], before, expected)
    opt.zero_grad()
    for p in (a, b, c):
        assert (p.grad is None) == any(p is q for q in expected)


@pytest.mark.parametrize("kind", ["Tensors", "Values"])
def test_a_plain_list_put_in_a_group_is_followed_through_in_place_edits(kind):
    a, b, c = _tensors(3) if kind == "Tensors" else [Value(1.0), Value(2.0), Value(3.0)]
    opt = optim.SGD([a], lr=0.1)
    mine = [a, b]
    opt.param_groups[0]["params"] = mine  # the user's own list, not the optimizer's
    _feed([a, b, c])
    before = _data([a, b, c])
    opt.step()
    _assert_changed_exactly([a, b, c], before, [a, b])
    mine[0] = c  # an edit of that list, which counts no edits
    before = _data([a, b, c])
    opt.step()
    _assert_changed_exactly([a, b, c], before, [b, c])


def test_the_optimizers_params_lists_are_lists_that_copy_and_pickle():
    a, b = _tensors(2)
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    params = opt.param_groups[0]["params"]
    assert isinstance(params, list) and params == [a, b]
    _feed([a, b])
    opt.step()
    for clone in (copy.deepcopy((a, b, opt)), pickle.loads(pickle.dumps((a, b, opt)))):
        a2, b2, opt2 = clone
        assert opt2.param_groups[0]["params"] == [a2, b2]
        opt2.param_groups[0]["params"].pop()
        _feed([a2, b2])
        before = _data([a2, b2])
        opt2.step()
        _assert_changed_exactly([a2, b2], before, [a2])
        assert opt2.state[a2]["step"] == 2


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_replacing_a_value_keeps_the_others_state_and_starts_the_new_one_fresh(name):
    vs = [Value(1.0), Value(2.0), Value(3.0)]
    opt = _make(name, vs)
    for _ in range(2):
        _feed(vs)
        opt.step()
    w = Value(4.0)
    opt.param_groups[0]["params"][1] = w  # same length: the cache must notice the new item
    twin_vs = [Value(1.0), Value(3.0)]
    twin = _make(name, twin_vs)
    for _ in range(2):
        _feed(twin_vs)
        twin.step()
    fresh = Value(4.0)
    fresh_opt = _make(name, [fresh])
    _feed(vs + [w, fresh])
    _feed(twin_vs)
    before = vs[1].data
    opt.step()
    twin.step()
    fresh_opt.step()
    assert [vs[0].data, vs[2].data] == [v.data for v in twin_vs]  # third steps, state kept
    assert w.data == fresh.data  # a first step
    assert vs[1].data == before
    assert opt.state[w]["step"] == 1 and opt.state[vs[0]]["step"] == 3
    assert vs[1] not in opt.state


def test_a_group_removed_from_param_groups_is_no_longer_stepped_or_cleared():
    a, b = _tensors(2)
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    _feed([a, b])
    opt.step()
    del opt.param_groups[0]
    _feed([a, b])
    before = _data([a, b])
    opt.step()
    _assert_changed_exactly([a, b], before, [b])
    opt.zero_grad()
    assert a.grad is not None and b.grad is None


def test_a_group_dict_appended_to_param_groups_directly_is_stepped():
    a, b = _tensors(2)
    opt = optim.SGD([a], lr=0.1)
    _feed([a])
    opt.step()
    opt.param_groups.append({**opt.param_groups[0], "params": [b]})
    _feed([a, b])
    before = _data([a, b])
    opt.step()
    _assert_changed_exactly([a, b], before, [a, b])


@pytest.mark.parametrize("edit", ["same group", "other group"])
def test_an_edit_that_lists_a_parameter_twice_is_refused_before_anything_changes(edit):
    a, b = _tensors(2)
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1, momentum=0.9)
    _feed([a, b])
    opt.step()
    opt.param_groups[0]["params"].append(a if edit == "same group" else b)
    _feed([a, b])
    before = _data([a, b])
    message = "appears twice" if edit == "same group" else "already in parameter group 1"
    with pytest.raises(ValueError, match=message):
        opt.step()
    _assert_changed_exactly([a, b], before, [])
    opt.param_groups[0]["params"].pop()  # undo the edit: the next step is the second
    opt.step()
    assert opt.state[a]["step"] == 2 and opt.state[b]["step"] == 2


def test_a_non_parameter_put_into_a_group_is_refused_before_anything_changes():
    a, b = _tensors(2)
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    opt.param_groups[1]["params"].append("weight")
    _feed([a, b])
    before = _data([a, b])
    with pytest.raises(TypeError, match="got str"):
        opt.step()
    _assert_changed_exactly([a, b], before, [])


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_load_state_dict_after_steps_then_step_matches_a_twin(name):
    params = _tensors(2, (2, 2)) + [Value(1.0), Value(-1.0)]
    opt = _make(name, [{"params": params[:2]}, {"params": params[2:]}])
    for i in range(3):
        _feed(params, scale=i + 1)
        opt.step()
    saved = opt.state_dict()
    snapshot = _data(params)
    for i in range(2):  # move on, then go back to the saved point
        _feed(params, scale=-1.0 - i)
        opt.step()
    for p, x in zip(params, snapshot):
        p.data = x
    opt.load_state_dict(saved)
    twin_params = _tensors(2, (2, 2)) + [Value(1.0), Value(-1.0)]
    twin = _make(name, [{"params": twin_params[:2]}, {"params": twin_params[2:]}])
    for i in range(4):
        _feed(twin_params, scale=i + 1)
        twin.step()
    _feed(params, scale=4)
    opt.step()
    for p, q in zip(params, twin_params):
        np.testing.assert_array_equal(p.data, q.data)
    assert opt.state[params[0]]["step"] == 4 and opt.state[params[3]]["step"] == 4


def test_a_deep_copy_steps_its_own_parameters_only():
    a = Tensor(np.ones(3), requires_grad=True)
    v = Value(1.0)
    opt = optim.SGD([a, v], lr=0.1, momentum=0.9)
    _feed([a, v])
    opt.step()
    (a2, v2), opt2 = copy.deepcopy(((a, v), opt))
    _feed([a, v, a2, v2])
    before = _data([a, v])
    opt2.step()
    _assert_changed_exactly([a, v], before, [])
    assert opt2.state[a2]["step"] == 2 and opt.state[a]["step"] == 1


# ------------------------------------------------------------ SGD's plain rule: the same numbers


def _random(rng, n, dtype):
    return (rng.standard_normal(n) * 10.0 ** rng.integers(-4, 4, n)).astype(dtype)


FLOATS = [np.float16, np.float32, np.float64]


@pytest.mark.parametrize("param_dtype", FLOATS)
@pytest.mark.parametrize("grad_dtype", FLOATS)
@pytest.mark.parametrize("lr", [0.0, 1e-3, 0.01, 0.1, 0.3, 1, 3, 3.7, 1e6, 1e39, np.float64(0.01),
                                np.float32(0.01)])
def test_plain_sgd_is_bit_for_bit_param_minus_lr_times_grad(param_dtype, grad_dtype, lr):
    rng = np.random.default_rng(0)
    shapes = [(7, 5), (5,), (), (0, 3)]  # a 0-d and an empty parameter too
    tensors = [Tensor(_random(rng, int(np.prod(s)), param_dtype).reshape(s), requires_grad=True)
               for s in shapes]
    grads = [_random(rng, int(np.prod(s)), grad_dtype).reshape(s) for s in shapes]
    grads_before = [g.copy() for g in grads]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # float16 overflows, as in the formula
        expected = []
        for t, g in zip(tensors, grads):
            x = t.data.copy()
            x -= lr * g
            expected.append(x)
        for t, g in zip(tensors, grads):
            t.grad = g
        optim.SGD(tensors, lr=lr).step()
    for t, x in zip(tensors, expected):
        assert t.data.dtype == x.dtype
        np.testing.assert_array_equal(t.data, x, strict=True)
    for g, g0 in zip(grads, grads_before):
        np.testing.assert_array_equal(g, g0)  # the user's gradients are left alone


def test_plain_sgd_with_a_grad_that_is_the_parameter_array():
    t = Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    t.grad = t.data  # aliasing: the update must read the grad before writing the parameter
    optim.SGD([t], lr=0.5).step()
    np.testing.assert_array_equal(t.data, np.array([0.5, 1.0], np.float32))


def test_a_parameter_array_replaced_by_integers_is_refused_before_anything_changes():
    a, b = _tensors(2)
    opt = optim.SGD([a, b], lr=0.1)
    b.data = np.arange(3)
    _feed([a, b])
    with pytest.raises(ValueError, match=r"parameter 1 .*dtype int64, expected a floating"):
        opt.step()
    np.testing.assert_array_equal(a.data, [1.0, 1.0, 1.0])
    assert a not in opt.state


def test_plain_sgd_follows_lr_changes_and_mixed_dtypes_in_a_group():
    rng = np.random.default_rng(3)
    dtypes = [np.float32, np.float64, np.float32, np.float16]
    tensors = [Tensor(_random(rng, 6, dt), requires_grad=True) for dt in dtypes]
    opt = optim.SGD([{"params": tensors[:3]}, {"params": tensors[3:], "lr": 0.2}], lr=0.1)
    sched = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    expected = [t.data.copy() for t in tensors]
    for i in range(6):
        if i == 3:
            opt.param_groups[0]["lr"] = 0.1  # set by hand, then 0.0 and -0.0 (allowed)
        if i == 4:
            opt.param_groups[0]["lr"] = 0.0
        if i == 5:
            opt.param_groups[0]["lr"] = -0.0
        grads = [_random(rng, 6, dt) for dt in dtypes]
        for t, g, x, group in zip(tensors, grads, expected, [0, 0, 0, 1]):
            t.grad = g
            x -= opt.param_groups[group]["lr"] * g
        opt.step()
        if i < 2:
            sched.step()
        for t, x in zip(tensors, expected):
            np.testing.assert_array_equal(t.data, x, strict=True)


def test_plain_sgd_uses_a_new_lr_at_once():
    t = Tensor(np.ones(4, np.float32), requires_grad=True)
    opt = optim.SGD([t], lr=0.5)
    expected = t.data.copy()
    for lr in [0.5, 0.25, 0.25, 1, 0.0]:  # 0.25 twice: a new float object of the same value
        opt.param_groups[0]["lr"] = lr
        t.grad = np.full(4, 0.5, np.float32)
        expected -= lr * t.grad
        opt.step()
        np.testing.assert_array_equal(t.data, expected, strict=True)
