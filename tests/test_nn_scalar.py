"""micrograd-compatible scalar modules: Neuron, Layer, MLP on Value."""

from __future__ import annotations

import math
import random

import pytest

import nn
from autograd import Value, gradcheck
from autograd.engine import topological_order


def micrograd_weights(seed: int, nin: int, nouts: list[int]) -> list[float]:
    """What micrograd's MLP(nin, nouts) holds after random.seed(seed), in parameters() order."""
    random.seed(seed)
    sizes = [nin, *nouts]
    out = []
    for i in range(len(nouts)):
        for _ in range(sizes[i + 1]):
            out.extend(random.uniform(-1, 1) for _ in range(sizes[i]))
            out.append(0.0)
    return out


def test_initialization_and_order_match_micrograd():
    expected = micrograd_weights(1337, 2, [16, 16, 1])
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    params = model.parameters()
    assert len(params) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1 == 337
    assert [p.data for p in params] == expected
    assert all(isinstance(p, Value) for p in params)


def test_parameter_names_layer_by_layer_neuron_by_neuron():
    model = nn.MLP(3, [2, 1])
    names = [name for name, _ in model.named_parameters()]
    assert names[:5] == [
        "layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.w.2",
        "layers.0.neurons.0.b", "layers.0.neurons.1.w.0",
    ]
    assert names[-3:] == [
        "layers.1.neurons.0.w.0", "layers.1.neurons.0.w.1", "layers.1.neurons.0.b",
    ]
    n = model.layers[0].neurons[1]
    assert n.parameters() == [*n.w, n.b]
    # the fast micrograd-style parameters() agrees with the generic Module walk
    assert model.parameters() == [p for _, p in model.named_parameters()]
    assert model.layers[1].parameters() == [p for _, p in model.layers[1].named_parameters()]


def test_layer_always_returns_a_list():
    out = nn.Layer(3, 1)([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)
    assert len(nn.Layer(3, 4)([1.0, 2.0, 3.0])) == 4


def test_mlp_returns_a_single_value_for_one_output_else_a_list():
    assert isinstance(nn.MLP(2, [4, 1])([1.0, -1.0]), Value)
    out = nn.MLP(2, [4, 3])([1.0, -1.0])
    assert isinstance(out, list) and len(out) == 3


def test_neuron_computes_activation_of_w_dot_x_plus_b():
    n = nn.Neuron(3)
    for p, v in zip(n.parameters(), [0.5, -2.0, 1.0, 0.25]):
        p.data = v
    assert n([1.0, 1.0, 1.0]).data == 0.0  # relu(-0.25)
    assert n([2.0, 0.0, 1.0]).data == pytest.approx(2.25)
    lin = nn.Neuron(3, nonlin=False)
    for p, v in zip(lin.parameters(), [0.5, -2.0, 1.0, 0.25]):
        p.data = v
    assert lin([1.0, 1.0, 1.0]).data == pytest.approx(-0.25)


@pytest.mark.parametrize("activation, fn", [
    ("relu", lambda z: max(z, 0.0)),
    ("tanh", math.tanh),
    ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
    ("leaky_relu", lambda z: z if z > 0 else 0.01 * z),
    ("elu", lambda z: z if z > 0 else math.expm1(z)),
    ("linear", lambda z: z),
])
def test_mlp_activations_hidden_only_last_layer_linear(activation, fn):
    model = nn.MLP(1, [2, 1], activation=activation)
    (h0, h1), (out,) = model.layers[0].neurons, model.layers[1].neurons
    for p, v in zip(model.parameters(), [1.0, 0.0, -2.0, 0.0, 3.0, -4.0, 0.5]):
        p.data = v
    x = 0.75
    hidden = [fn(1.0 * x), fn(-2.0 * x)]
    expected = 3.0 * hidden[0] - 4.0 * hidden[1] + 0.5
    assert model([x]).data == pytest.approx(expected)
    assert repr(out).startswith("LinearNeuron")
    assert h0.activation == h1.activation == activation


def test_unknown_activation_and_bad_sizes_raise():
    with pytest.raises(ValueError, match="swish"):
        nn.MLP(2, [3, 1], activation="swish")
    with pytest.raises(ValueError, match="nin"):
        nn.Neuron(0)
    with pytest.raises(ValueError, match="nouts"):
        nn.MLP(2, [])
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        nn.Neuron(2)([1.0, 2.0, 3.0])


def test_setting_data_changes_the_model():
    model = nn.MLP(2, [3, 1])
    for p in model.parameters():
        p.data = 0.0
    model.layers[1].neurons[0].b.data = 4.5
    assert model([1.0, 2.0]).data == 4.5


def test_inputs_may_be_values_and_receive_gradients():
    random.seed(0)
    model = nn.MLP(2, [4, 1], activation="tanh")
    a, b = Value(0.3), Value(-0.7)
    out = model([a, b])
    out.backward()
    assert a.grad != 0.0 and b.grad != 0.0
    assert gradcheck(lambda a, b: model([a, b]), (Value(0.3), Value(-0.7)))


def test_gradients_equal_the_unfused_micrograd_graph():
    random.seed(3)
    model = nn.MLP(3, [5, 4, 1], activation="tanh")
    x = [0.5, -1.5, 2.0]
    model(x).backward()
    fused = [p.grad for p in model.parameters()]
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    h = x
    for layer in model.layers:  # micrograd's expression: sum((wi*xi ...), b), then the activation
        acts = [sum((wi * xi for wi, xi in zip(n.w, h)), n.b) for n in layer.neurons]
        h = [a.tanh() if n.nonlin else a for a, n in zip(acts, layer.neurons)]
    h[0].backward()
    unfused = [p.grad for p in model.parameters()]
    assert fused == pytest.approx(unfused, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("bad, kind", [
    (3.0, "number"), (None, "none"), (Value(2.0), "value"),
])
def test_a_layer_checks_its_neurons_weights_as_dot_does(bad, kind):
    """The layer's fast path (inputs lifted once) still checks weights: a number is lifted as
    dot lifts it, anything else raises the same TypeError as the checked path."""
    random.seed(0)
    layer = nn.Layer(2, 2)
    x = [0.5, -1.0]
    layer.neurons[1].w[0] = bad
    if kind == "none":
        with pytest.raises(TypeError, match="dot weights must be Values or numbers"):
            layer(x)
        return
    outs = layer(x)
    w = layer.neurons[1].w
    expected = max(0.0, float(getattr(w[0], "data", w[0])) * 0.5 - w[1].data + 0.0)
    assert outs[1].data == pytest.approx(expected)


def test_a_layer_runs_the_forward_of_a_neuron_subclass():
    class Doubled(nn.Neuron):
        def forward(self, x):
            return super().forward(x) * 2

    random.seed(0)
    layer = nn.Layer(2, 2)
    plain = layer([0.5, -1.0])[0].data
    doubled = Doubled(2)
    doubled.w, doubled.b = layer.neurons[0].w, layer.neurons[0].b
    layer.neurons[0] = doubled
    assert layer([0.5, -1.0])[0].data == 2 * plain


def test_pre_activation_is_one_dot_node():
    n = nn.Neuron(3)
    for w in n.w:
        w.data = 1.0
    out = n([Value(1.0), Value(2.0), Value(3.0)])
    (dot_node,) = out._prev
    assert dot_node._op == "dot" and len(dot_node._prev) == 2 * 3 + 1
    assert len(topological_order([out])) == 1 + 1 + 7


def test_repr_like_micrograd():
    model = nn.MLP(2, [2, 1])
    assert repr(model) == (
        "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(2)]]"
    )
    assert repr(nn.Neuron(3, activation="tanh")) == "TanhNeuron(3)"


def test_micrograd_style_training_reaches_full_accuracy():
    random.seed(1)
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    model = nn.MLP(3, [4, 4, 1], activation="tanh")
    for _ in range(60):
        loss = nn.functional.mse_loss([model(x) for x in xs], ys, reduction="sum")
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.05 * p.grad
    assert loss.data < 0.05
    assert all((model(x).data > 0) == (y > 0) for x, y in zip(xs, ys))
