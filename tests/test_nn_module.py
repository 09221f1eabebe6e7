"""Module: registration, walking, train/eval, state_dict, atomic load_state_dict, .npz files."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, Value


class Block(nn.Module):
    """Own parameters (a Value and a Tensor) assigned after a sub-module."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.scale = Value(2.0)
        self.shift = Tensor(np.zeros(2), requires_grad=True)
        self.constant = Tensor(np.ones(2))  # requires_grad=False: not a parameter
        self.name = "block"

    def forward(self, x):
        return self.fc(x) * self.scale.data + self.shift


class Net(nn.Module):
    def __init__(self) -> None:  # no super().__init__(): allowed
        self.body = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Dropout(0.5))
        self.head = Block()
        self.extras = [Value(1.0), [Value(2.0), Value(3.0)]]

    def forward(self, x):
        return self.head(self.body(x))


def snapshot(model: nn.Module) -> dict:
    return {k: v.copy() for k, v in model.state_dict().items()}


def assert_same_state(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
        assert a[k].dtype == b[k].dtype


# ----------------------------------------------------------------------------- registration


def test_named_parameters_pytorch_order_and_names():
    names = [name for name, _ in Net().named_parameters()]
    assert names == [
        "extras.0", "extras.1.0", "extras.1.1",  # the module's own parameters first
        "body.0.weight", "body.0.bias",
        "head.scale", "head.shift", "head.fc.weight", "head.fc.bias",
    ]
    assert [n for n, _ in nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
            .named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_what_counts_as_a_parameter():
    m = nn.Module()
    m.a = Value(1.0)
    m.t = Tensor([1.0, 2.0], requires_grad=True)
    m.const = Tensor([1.0])                       # no grad: a constant
    m.computed = m.a * 2                           # a graph result: a cache, not a parameter
    m.mixed = [Value(1.0), 3.0]                   # not all members: a plain attribute
    m.number = 3.0
    assert [n for n, _ in m.named_parameters()] == ["a", "t"]
    m.t.requires_grad = False                      # frozen, still a parameter (as PyTorch)
    assert [n for n, _ in m.named_parameters()] == ["a", "t"]
    m.a = 5.0                                      # re-assigned to a non-member: unregistered
    del m.t
    assert m.parameters() == []


def test_reassignment_keeps_position_and_lists_are_live():
    m = nn.Module()
    m.first = Value(1.0)
    m.second = Value(2.0)
    new = Value(3.0)
    m.first = new
    assert m.parameters() == [new, m.second]
    m.layers = []
    m.layers.append(nn.Linear(1, 1))               # lists are read when walked
    assert [n for n, _ in m.named_parameters()][-2:] == ["layers.0.weight", "layers.0.bias"]


def test_shared_parameters_and_modules_appear_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(seq.parameters()) == 2
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(seq.modules())) == 3


def test_children_and_modules():
    net = Net()
    assert [n for n, _ in net.named_children()] == ["body", "head"]
    assert list(net.children()) == [net.body, net.head]
    names = [n for n, _ in net.named_modules()]
    assert names == ["", "body", "body.0", "body.1", "body.2", "head", "head.fc"]
    assert next(iter(net.modules())) is net


def test_apply_visits_children_before_parents():
    net = Net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "ReLU", "Dropout", "Sequential", "Linear", "Block", "Net"]
    net.apply(lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Linear) else None)
    assert not net.body[0].weight.data.any() and not net.head.fc.weight.data.any()


def test_call_runs_forward_and_base_forward_is_abstract():
    net = Net()
    out = net(Tensor(np.ones((5, 4))))
    assert out.shape == (5, 2)
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        nn.Module()(1.0)


# ------------------------------------------------------------------------- training state


def test_zero_grad_value_to_zero_tensor_to_none():
    net = Net()
    net.eval()
    out = net(Tensor(np.ones((2, 4)))).sum()
    out.backward()
    net.extras[0].grad = 5.0
    assert net.head.fc.weight.grad is not None
    net.zero_grad()
    assert net.extras[0].grad == 0.0 and net.head.scale.grad == 0.0
    assert all(p.grad is None for p in net.parameters() if isinstance(p, Tensor))
    net.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(net.head.fc.weight.grad, np.zeros((2, 3)))


def test_train_eval_recurse_and_return_self():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    assert net.train() is net
    assert all(m.training for m in net.modules())
    net.body.eval()
    assert net.training and not net.body[2].training
    with pytest.raises(ValueError, match="bool"):
        net.train("no")


# ---------------------------------------------------------------------------------- state


def test_state_dict_holds_copies_value_as_0d_array():
    net = Net()
    state = net.state_dict()
    assert state["head.scale"].shape == () and state["head.scale"].dtype == np.float64
    assert state["body.0.weight"].dtype == np.float32 and state["body.0.weight"].shape == (3, 4)
    state["body.0.weight"][...] = 99.0
    assert not np.any(net.body[0].weight.data == 99.0)


def test_round_trip_into_a_fresh_model():
    a, b = Net(), Net()
    a.head.scale.data = 7.0
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert_same_state(a.state_dict(), b.state_dict())
    assert b.head.scale.data == 7.0
    x = Tensor(np.random.default_rng(0).normal(size=(3, 4)))
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_scalar_mlp_round_trip():
    a, b = nn.MLP(2, [3, 1]), nn.MLP(2, [3, 1])
    b.load_state_dict(a.state_dict())
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert all(isinstance(p.data, float) for p in b.parameters())


def test_load_keeps_parameter_dtype_and_identity():
    net = nn.Linear(2, 2)
    weight_array = net.weight.data
    net.load_state_dict({"weight": np.ones((2, 2)), "bias": np.array([1, 2])})  # f64, int
    assert net.weight.data is weight_array and net.weight.dtype == np.float32
    np.testing.assert_array_equal(net.bias.data, [1.0, 2.0])


@pytest.mark.parametrize("break_state, message", [
    (lambda s: s.pop("head.fc.bias"), "missing key.*'head.fc.bias'"),
    (lambda s: s.update(extra=np.zeros(1)), "unexpected key.*'extra'"),
    (lambda s: s.update({"body.0.weight": np.zeros((4, 3))}),
     r"'body.0.weight'.*checkpoint has \(4, 3\), model has \(3, 4\)"),
    (lambda s: s.update({"head.scale": np.zeros(1)}), r"'head.scale'.*\(1,\).*\(\)"),
    (lambda s: s.update({"head.shift": np.array(["a", "b"])}), "'head.shift': dtype <U1"),
])
def test_failed_load_changes_nothing(break_state, message):
    source, target = Net(), Net()
    source.head.scale.data = -1.0
    before = snapshot(target)
    state = source.state_dict()
    break_state(state)
    with pytest.raises(RuntimeError, match=message) as info:
        target.load_state_dict(state)
    assert isinstance(info.value, (KeyError, ValueError))
    assert_same_state(before, target.state_dict())  # not even the valid keys were copied


def test_error_lists_every_problem():
    state = Net().state_dict()
    state.pop("head.shift")
    state["body.0.bias"] = np.zeros(7)
    state["bogus"] = np.zeros(1)
    with pytest.raises(nn.StateDictError) as info:
        Net().load_state_dict(state)
    text = str(info.value)
    assert "'head.shift'" in text and "'bogus'" in text and "(7,)" in text


def test_non_strict_skips_keys_but_not_shapes():
    net = Net()
    state = Net().state_dict()
    state.pop("head.scale")
    state["extra"] = np.zeros(1)
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["head.scale"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(net.body[0].weight.data, state["body.0.weight"])
    state["body.0.bias"] = np.zeros(7)
    with pytest.raises(ValueError, match="shape mismatch"):
        net.load_state_dict(state, strict=False)


# ------------------------------------------------------------------------------ npz files


def test_save_writes_plain_npz_that_loads_without_pickle(tmp_path):
    net = Net()
    path = tmp_path / "net.weights"  # no .npz suffix is appended
    assert net.save(path) == path
    assert path.exists() and not (tmp_path / "net.weights.npz").exists()
    with np.load(path, allow_pickle=False) as archive:
        assert archive.files == list(net.state_dict())
        np.testing.assert_array_equal(archive["head.fc.weight"], net.head.fc.weight.data)
    state = nn.load_state(str(path))
    assert_same_state(state, net.state_dict())
    fresh = Net()
    fresh.load_state_dict(nn.load_state(path))
    assert_same_state(fresh.state_dict(), net.state_dict())


def test_scalar_model_save_load(tmp_path):
    a, b = nn.MLP(2, [4, 1]), nn.MLP(2, [4, 1])
    a.save(tmp_path / "mlp.npz")
    b.load_state_dict(nn.load_state(tmp_path / "mlp.npz"))
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


def test_load_state_never_unpickles(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, payload=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        nn.load_state(path)


def test_save_refuses_object_arrays_and_allows_any_key(tmp_path):
    with pytest.raises(TypeError, match="object"):
        nn.save_state({"w": np.array([None])}, tmp_path / "x.npz")
    nn.save_state({"file": np.ones(2), "allow_pickle": np.zeros(1)}, tmp_path / "k.npz")
    assert list(nn.load_state(tmp_path / "k.npz")) == ["file", "allow_pickle"]


# ---------------------------------------------------------------------------------- repr


def test_repr_nested_like_pytorch():
    assert repr(Net()) == (
        "Net(\n"
        "  (body): Sequential(\n"
        "    (0): Linear(in_features=4, out_features=3, bias=True)\n"
        "    (1): ReLU()\n"
        "    (2): Dropout(p=0.5)\n"
        "  )\n"
        "  (head): Block(\n"
        "    (fc): Linear(in_features=3, out_features=2, bias=True)\n"
        "  )\n"
        ")"
    )
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
