"""The bad-input table: every public nn/optim entry point, each class of bad argument (wrong
type, None, wrong shape, empty, nan/inf, out of range, wrong dtype) -> the exception type and a
message fragment naming the argument; and afterwards parameters, grads and optimizer state are
exactly as before."""

from __future__ import annotations

import copy
import math
from types import SimpleNamespace

import numpy as np
import pytest

import nn
import nn.functional as F
import optim
from autograd import Tensor, Value
from nn import init
from nn.utils import clip_grad_norm_
from optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, LambdaLR, StepLR


def _world() -> SimpleNamespace:
    """A model mid-training: one optimizer step taken, fresh grads waiting for the next."""
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    values = [Value(0.5), Value(-1.0)]
    opt = optim.Adam([{"params": model.parameters()}, {"params": values}], lr=0.1)
    for _ in range(2):
        for p in model.parameters():
            p.grad = np.full(p.shape, 0.25, p.dtype)
        for v in values:
            v.grad = 0.5
        if _ == 0:
            opt.step()
    return SimpleNamespace(model=model, values=values, opt=opt, w=model[0].weight,
                           x=Tensor(np.ones((4, 3))), probs=Tensor(np.full((4,), 0.5)))


def _snapshot(world: SimpleNamespace):
    params = world.model.parameters() + world.values
    return ([np.array(p.data, copy=True) for p in params],
            [None if p.grad is None else np.array(p.grad, copy=True) for p in params],
            copy.deepcopy(world.opt.state_dict()))


def _unchanged(before, after) -> None:
    for a, b in zip(before[0] + before[1], after[0] + after[1]):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a, b)
    assert before[2]["param_groups"] == after[2]["param_groups"]
    for i, entry in before[2]["state"].items():
        for k, v in entry.items():
            np.testing.assert_array_equal(after[2]["state"][i][k], v)


NAN, INF = math.nan, math.inf

# (entry point, bad class) -> (call on the world, exception, message fragment)
CASES = {
    # ---------------------------------------------------------------- layers and modules
    ("Linear", "wrong type"): (lambda w: nn.Linear(2.5, 4), TypeError,
                               "Linear: in_features must be a non-negative int, got float"),
    ("Linear", "None"): (lambda w: nn.Linear(3, None), TypeError, "out_features"),
    ("Linear", "out of range"): (lambda w: nn.Linear(-1, 4), ValueError, "non-negative int"),
    ("Linear", "wrong dtype"): (lambda w: nn.Linear(3, 4, bias="yes"), TypeError,
                                "bias must be a bool"),
    ("Linear.forward", "wrong shape"): (lambda w: w.model[0](Tensor(np.ones((4, 5)))),
                                        ValueError, "last dimension must be 3"),
    ("Linear.forward", "None"): (lambda w: w.model[0](None), TypeError,
                                 "Linear expects a Tensor input, got NoneType"),
    ("Sequential", "wrong type"): (lambda w: nn.Sequential(nn.ReLU(), len), TypeError,
                                   "Sequential takes Modules"),
    ("ReLU", "None"): (lambda w: nn.ReLU()(None), TypeError, "ReLU expects"),
    ("ReLU", "wrong type"): (lambda w: nn.ReLU()([1.0, 2.0]), TypeError,
                             "ReLU expects a Tensor or a Value, got list"),
    ("Tanh", "None"): (lambda w: nn.Tanh()(None), TypeError, "Tanh expects"),
    ("Sigmoid", "wrong type"): (lambda w: nn.Sigmoid()("x"), TypeError, "Sigmoid expects"),
    ("LeakyReLU", "wrong type"): (lambda w: nn.LeakyReLU("0.1"), TypeError, "negative_slope"),
    ("LeakyReLU", "nan/inf"): (lambda w: nn.LeakyReLU(NAN), ValueError, "negative_slope"),
    ("ELU", "None"): (lambda w: nn.ELU(None), TypeError, "ELU: alpha must be a number"),
    ("ELU.forward", "None"): (lambda w: nn.ELU()(None), TypeError, "ELU expects"),
    ("Softmax", "wrong type"): (lambda w: nn.Softmax(1.5), TypeError, "axis must be an int"),
    ("LogSoftmax", "wrong type"): (lambda w: nn.LogSoftmax()(np.ones(3)), TypeError,
                                   "wrap arrays"),
    ("Dropout", "wrong type"): (lambda w: nn.Dropout("0.5"), TypeError, "p must be a number"),
    ("Dropout", "out of range"): (lambda w: nn.Dropout(1.5), ValueError, "between 0 and 1"),
    ("Dropout", "nan/inf"): (lambda w: nn.Dropout(NAN), ValueError, "between 0 and 1"),
    ("Dropout", "wrong generator"): (lambda w: nn.Dropout(0.5, generator=3), TypeError,
                                     "generator must be"),
    ("Dropout.forward", "None"): (lambda w: nn.Dropout()(None), TypeError, "Dropout expects"),
    ("Flatten", "wrong type"): (lambda w: nn.Flatten(start_dim="1"), TypeError, "start_dim"),
    ("Flatten.forward", "wrong shape"): (lambda w: nn.Flatten(2)(Tensor(np.ones(3))),
                                         ValueError, "does not fit"),
    ("Neuron", "wrong type"): (lambda w: nn.Neuron("3"), ValueError, "nin must be a positive"),
    ("Neuron", "out of range"): (lambda w: nn.Neuron(0), ValueError, "nin"),
    ("Neuron.forward", "wrong shape"): (lambda w: nn.Neuron(2)([1.0]), ValueError,
                                        "expects 2 inputs, got 1"),
    ("Layer", "None"): (lambda w: nn.Layer(2, None), ValueError, "nout"),
    ("MLP", "wrong type"): (lambda w: nn.MLP(2, 3), TypeError, "nouts must be a list"),
    ("MLP", "empty"): (lambda w: nn.MLP(2, []), ValueError, "at least one layer"),
    ("MLP", "bad activation"): (lambda w: nn.MLP(2, [3], activation=["relu"]), ValueError,
                                "unknown activation"),
    ("Module.train", "wrong type"): (lambda w: w.model.train("yes"), ValueError, "bool"),
    # -------------------------------------------------------------------------- state
    ("load_state_dict", "path"): (lambda w: w.model.load_state_dict("model.npz"), TypeError,
                                  "nn.load_state"),
    ("load_state_dict", "None"): (lambda w: w.model.load_state_dict(None), TypeError,
                                  "got NoneType"),
    ("load_state_dict", "wrong shape"): (
        lambda w: w.model.load_state_dict({**w.model.state_dict(), "0.bias": np.ones(5)}),
        ValueError, "shape mismatch"),
    ("load_state_dict", "wrong dtype"): (
        lambda w: w.model.load_state_dict({**w.model.state_dict(), "0.bias": np.array(["a", "b"])}),
        ValueError, "dtype <U1"),
    ("load_state_dict", "empty"): (lambda w: w.model.load_state_dict({}), KeyError,
                                   "missing key(s)"),
    ("load_state_dict", "strict"): (lambda w: w.model.load_state_dict({}, strict="no"),
                                    TypeError, "strict"),
    ("save_state", "wrong type"): (lambda w: nn.save_state([1, 2], "x.npz"), TypeError,
                                   "mapping"),
    ("save_state", "bad key"): (lambda w: nn.save_state({"../x": np.ones(1)}, "x.npz"),
                                ValueError, "not a plain state-dict key"),
    ("load_state", "None"): (lambda w: nn.load_state(None), TypeError, "an os.PathLike"),
    ("load_state", "out of range"): (lambda w: nn.load_state("x.npz", max_bytes=-5),
                                     ValueError, "max_bytes"),
    # ------------------------------------------------------------------------- losses
    ("MSELoss", "bad reduction"): (lambda w: nn.MSELoss(reduction="avg"), ValueError,
                                   "reduction must be"),
    ("mse_loss", "None"): (lambda w: F.mse_loss(None, w.probs), TypeError,
                           "mse_loss: input must be"),
    ("l1_loss", "wrong shape"): (lambda w: F.l1_loss(w.probs, Tensor(np.ones((4, 1)))),
                                 ValueError, "shape (4, 1) differ"),
    ("hinge_loss", "out of range"): (lambda w: F.hinge_loss(w.probs, Tensor(np.zeros(4))),
                                     ValueError, "-1 or +1"),
    ("binary_cross_entropy", "out of range"): (
        lambda w: F.binary_cross_entropy(w.probs, Tensor(np.full(4, 2.0))), ValueError,
        "target must be in [0, 1], got 2.0"),
    ("binary_cross_entropy", "nan/inf"): (
        lambda w: F.binary_cross_entropy(Tensor([NAN, 0.5, 0.5, 0.5]), w.probs), ValueError,
        "input must be probabilities in [0, 1], got nan"),
    ("binary_cross_entropy", "None"): (lambda w: F.binary_cross_entropy(w.probs, None),
                                       TypeError, "target must be"),
    ("cross_entropy", "out of range"): (lambda w: F.cross_entropy(w.x, [0, 1, 3, 0]),
                                        ValueError, "outside [0, 3)"),
    ("cross_entropy", "wrong dtype"): (lambda w: F.cross_entropy(w.x, np.array([0.5] * 4)),
                                       ValueError, "integers"),
    ("dropout", "wrong type"): (lambda w: F.dropout(w.x, training="yes"), TypeError,
                                "training must be a bool"),
    ("relu", "None"): (lambda w: F.relu(None), TypeError, "relu expects"),
    ("softmax", "wrong type"): (lambda w: F.softmax(w.x, axis="1"), TypeError, "axis"),
    # ----------------------------------------------------------------------------- init
    ("normal_", "out of range"): (lambda w: init.normal_(w.w, std=-1), ValueError,
                                  "std must be a finite number >= 0.0, got -1"),
    ("normal_", "nan/inf"): (lambda w: init.normal_(w.w, mean=INF), ValueError, "mean"),
    ("uniform_", "out of range"): (lambda w: init.uniform_(w.w, 1, 0), ValueError,
                                   "a=1.0 must be <= the upper bound b=0.0"),
    ("uniform_", "wrong type"): (lambda w: init.uniform_(w.w, "0", 1), TypeError,
                                 "a must be a number"),
    ("uniform_", "None"): (lambda w: init.uniform_(None), TypeError,
                           "tensor must be a Tensor or a Value, got NoneType"),
    ("zeros_", "wrong dtype"): (lambda w: init.zeros_(_int_tensor()), TypeError,
                                "must be floating, got dtype int64"),
    ("constant_", "wrong type"): (lambda w: init.constant_(w.w, "1"), TypeError, "val"),
    ("xavier_uniform_", "wrong shape"): (lambda w: init.xavier_uniform_(Tensor(np.zeros(3))),
                                         ValueError, "at least 2 dimensions"),
    ("xavier_normal_", "out of range"): (lambda w: init.xavier_normal_(w.w, gain=-1),
                                         ValueError, "gain"),
    ("kaiming_uniform_", "bad mode"): (lambda w: init.kaiming_uniform_(w.w, mode="fan_avg"),
                                       ValueError, "mode 'fan_avg'"),
    ("kaiming_normal_", "bad nonlinearity"): (
        lambda w: init.kaiming_normal_(w.w, nonlinearity="swish"), ValueError,
        "unsupported nonlinearity"),
    ("normal_", "wrong generator"): (lambda w: init.normal_(w.w, generator="seed"), TypeError,
                                     "generator must be"),
    # -------------------------------------------------------------------- clip_grad_norm_
    ("clip_grad_norm_", "None"): (lambda w: clip_grad_norm_(None, 1.0), TypeError,
                                  "parameters must be"),
    ("clip_grad_norm_", "wrong type"): (lambda w: clip_grad_norm_([w.w, 3.0], 1.0), TypeError,
                                        r"parameters[1] expects a Tensor or a Value, got float"),
    ("clip_grad_norm_", "nan/inf"): (lambda w: clip_grad_norm_([w.w], NAN), ValueError,
                                     "max_norm must be >= 0"),
    ("clip_grad_norm_", "out of range"): (lambda w: clip_grad_norm_([w.w], 1.0, norm_type=0),
                                          ValueError, "norm_type must be > 0"),
    ("clip_grad_norm_", "str"): (lambda w: clip_grad_norm_([w.w], "1"), TypeError,
                                 "max_norm must be a number"),
    # ---------------------------------------------------------------------- optimizers
    ("SGD", "None"): (lambda w: optim.SGD(w.model.parameters(), lr=None), TypeError,
                      "lr must be a number"),
    ("SGD", "out of range"): (lambda w: optim.SGD(w.model.parameters(), lr=-0.1), ValueError,
                              "Invalid learning rate"),
    ("SGD", "nesterov"): (lambda w: optim.SGD(w.model.parameters(), lr=0.1, nesterov=True),
                          ValueError, "Nesterov"),
    ("SGD", "empty"): (lambda w: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
    ("SGD", "wrong type"): (lambda w: optim.SGD(w.w, lr=0.1), TypeError, "wrap it in a list"),
    ("SGD", "wrong dtype"): (lambda w: optim.SGD([_int_tensor()], lr=0.1), TypeError,
                             "floating-point parameters, got a int64 Tensor"),
    ("Adam", "nan/inf"): (lambda w: optim.Adam(w.model.parameters(), eps=NAN), ValueError,
                          "epsilon"),
    ("Adam", "out of range"): (lambda w: optim.Adam(w.model.parameters(), betas=(0.9, 1.0)),
                               ValueError, "betas[1] must be in [0, 1)"),
    ("AdamW", "wrong type"): (lambda w: optim.AdamW(w.model.parameters(), weight_decay="0"),
                              TypeError, "weight_decay must be a number"),
    ("RMSprop", "out of range"): (lambda w: optim.RMSprop(w.model.parameters(), alpha=-1),
                                  ValueError, "alpha"),
    ("Adagrad", "out of range"): (lambda w: optim.Adagrad(w.model.parameters(), lr_decay=-1),
                                  ValueError, "lr_decay"),
    # the bad gradient is set before the snapshot (the 4th item); step must change nothing
    ("step", "wrong shape"): (lambda w: w.opt.step(), ValueError, "grad has shape (1,)",
                              lambda w: setattr(w.model[0].bias, "grad", np.ones(1))),
    ("step", "wrong dtype"): (lambda w: w.opt.step(), ValueError, "grad has dtype int64",
                              lambda w: setattr(w.w, "grad", np.ones(w.w.shape, np.int64))),
    ("step", "wrong type"): (lambda w: w.opt.step(), ValueError,
                             "param_groups[1] parameter 1 (Value): grad is str",
                             lambda w: setattr(w.values[1], "grad", "0.5")),
    ("step", "object dtype"): (lambda w: w.opt.step(), ValueError, "grad has dtype object",
                               lambda w: setattr(w.w, "grad", np.empty(w.w.shape, object))),
    ("step", "nan/inf shape"): (lambda w: w.opt.step(), ValueError, "grad is list",
                                lambda w: setattr(w.model[0].bias, "grad", [NAN, INF])),
    ("optimizer.load_state_dict", "None"): (lambda w: w.opt.load_state_dict(None), TypeError,
                                            "got NoneType"),
    ("optimizer.load_state_dict", "empty"): (lambda w: w.opt.load_state_dict({}), ValueError,
                                             "'state' and 'param_groups'"),
    ("optimizer.load_state_dict", "wrong shape"): (
        lambda w: w.opt.load_state_dict(_reshaped_state(w.opt)), ValueError, "has shape (7,)"),
    ("add_param_group", "wrong type"): (lambda w: w.opt.add_param_group([w.w]), TypeError,
                                        "must be a dict"),
    # ---------------------------------------------------------------------- schedulers
    ("StepLR", "out of range"): (lambda w: StepLR(w.opt, step_size=0), ValueError,
                                 "step_size"),
    ("StepLR", "wrong type"): (lambda w: StepLR(None, step_size=1), TypeError,
                               "is not an Optimizer"),
    ("ExponentialLR", "None"): (lambda w: ExponentialLR(w.opt, gamma=None), TypeError,
                                "gamma"),
    ("CosineAnnealingLR", "wrong type"): (lambda w: CosineAnnealingLR(w.opt, T_max=2.5),
                                          ValueError, "T_max"),
    ("LambdaLR", "wrong type"): (lambda w: LambdaLR(w.opt, lr_lambda=3), TypeError,
                                 "callable"),
    ("LambdaLR", "nan/inf"): (lambda w: LambdaLR(w.opt, lr_lambda=lambda t: NAN), ValueError,
                              "learning rate must be >= 0"),
    ("LambdaLR", "empty"): (lambda w: LambdaLR(w.opt, lr_lambda=[]), ValueError,
                            "Expected 2 lr_lambdas, but got 0"),
    ("scheduler.load_state_dict", "None"): (
        lambda w: ExponentialLR(_fresh_sgd(), 0.5).load_state_dict(None), TypeError,
        "got NoneType"),
}


def _int_tensor() -> Tensor:
    t = Tensor(np.zeros(2))
    t.data = np.zeros(2, np.int64)  # however it got there
    return t


def _reshaped_state(opt):
    sd = copy.deepcopy(opt.state_dict())
    sd["state"][0]["exp_avg"] = np.zeros(7)
    return sd


def _fresh_sgd():
    return optim.SGD([Value(0.0)], lr=0.1)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def test_bad_input_raises_clearly_and_changes_nothing(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # file entry points never touch the source tree
    call, error, fragment, *prepare = CASES[case]
    world = _world()
    for step in prepare:
        step(world)
    before = _snapshot(world)
    with pytest.raises(error) as info:
        call(world)
    assert fragment in str(info.value), str(info.value)
    _unchanged(before, _snapshot(world))
    assert not list(tmp_path.iterdir())  # no file was written, not even a temporary


def test_numpy_scalars_are_accepted_where_python_numbers_are():
    layer = nn.Linear(np.int64(3), np.int32(4))
    assert layer.weight.shape == (4, 3) and type(layer.in_features) is int
    assert nn.Dropout(np.float32(0.5)).p == 0.5
    assert nn.LeakyReLU(np.float64(0.2)).negative_slope == 0.2
    assert nn.Softmax(np.int64(0)).axis == 0
    assert len(nn.Neuron(np.int64(2)).w) == 2
    assert len(nn.MLP(np.int64(2), [np.int64(3), 1]).parameters()) == 13
    init.uniform_(layer.weight, np.float32(-1), np.int64(1))
    init.normal_(layer.bias, np.float64(0.0), np.float32(2.0))
    opt = optim.SGD(layer.parameters(), lr=np.float32(0.1), momentum=np.float64(0.5))
    StepLR(opt, step_size=np.int64(2), gamma=np.float32(0.5))
    for p in layer.parameters():
        p.grad = np.ones_like(p.data)
    assert clip_grad_norm_(layer.parameters(), np.float32(1.0)) > 1.0


def test_non_strict_load_that_matches_nothing_warns_and_reports_the_keys():
    model = nn.Linear(2, 3)
    with pytest.warns(UserWarning, match="loaded nothing into Linear"):
        result = model.load_state_dict({"other.weight": np.ones(2)}, strict=False)
    assert result.missing_keys == ["weight", "bias"]
    assert result.unexpected_keys == ["other.weight"]
    assert result == nn.IncompatibleKeys(["weight", "bias"], ["other.weight"])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_bce_is_finite_at_the_edges_and_matches_pytorch(dtype):
    p = Tensor(np.array([0.0, 1e-30, 1e-3, 1.0, 0.3], dtype), requires_grad=True)
    y = Tensor(np.array([1.0, 1.0, 1.0, 0.0, 0.0], dtype))
    loss = F.binary_cross_entropy(p, y, reduction="none")
    assert loss.dtype == dtype
    assert loss.data[0] == 100.0 and loss.data[3] == 100.0  # log clamped at -100, also float16
    loss.sum().backward()
    assert np.all(np.isfinite(p.grad)) and p.grad[0] < 0 < p.grad[3]
    if dtype != np.float16:  # PyTorch's (p - y) / max(p (1 - p), 1e-12)
        np.testing.assert_allclose(p.grad[[0, 1, 3]], [-1e12, -1e12, 1e12], rtol=1e-6)
    np.testing.assert_allclose(p.grad[4], 1 / 0.7, rtol=1e-3)
