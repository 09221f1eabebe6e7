"""``gradient_flow``: per-layer gradient norms that make vanishing gradients visible."""

import math
import random

import matplotlib
import numpy as np
import pytest

import nn
from autograd import Tensor, Value, gradient_flow

matplotlib.use("Agg")


def deep_tensor_net(activation, depth=10, he_init=False):
    nn.manual_seed(0)
    layers = []
    for _ in range(depth):
        layers += [nn.Linear(16, 16), activation()]
    model = nn.Sequential(*layers, nn.Linear(16, 1))
    if he_init:
        for m in model.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
    x = Tensor(np.random.default_rng(0).normal(size=(32, 16)))
    loss = (model(x) ** 2).mean()
    loss.backward()
    return model


def test_deep_sigmoid_net_vanishes_and_relu_net_much_less():
    sigmoid = gradient_flow(deep_tensor_net(nn.Sigmoid))
    assert [r.name for r in sigmoid] == [str(i) for i in range(0, 21, 2)]  # the Linear layers
    first, last = sigmoid[0].grad_norm, sigmoid[-1].grad_norm
    assert first < last * 1e-6  # many orders of magnitude
    assert "vanishing" in sigmoid.verdict()
    relu = gradient_flow(deep_tensor_net(nn.ReLU, he_init=True))
    assert relu.first_to_last() > 1e-2
    assert relu.first_to_last() > 1e4 * sigmoid.first_to_last()
    assert "healthy" in relu.verdict()


def test_value_mlp_groups_neurons_by_layer():
    random.seed(0)
    model = nn.MLP(4, [8] * 6 + [1], activation="sigmoid")
    model([0.5, -1.0, 0.3, 0.8]).backward()
    report = gradient_flow(model)
    assert [r.name for r in report] == [f"layers.{i}" for i in range(7)]
    assert report["layers.0"].size == 8 * 5
    layer0 = [p for name, p in model.named_parameters() if name.startswith("layers.0.")]
    expected = math.sqrt(sum(p.grad**2 for p in layer0))
    assert report[0].grad_norm == pytest.approx(expected)
    assert report[0].param_norm == pytest.approx(math.sqrt(sum(p.data**2 for p in layer0)))
    assert report[0].ratio == pytest.approx(report[0].grad_norm / report[0].param_norm)
    assert report[0].grad_norm < report[-1].grad_norm * 1e-2


def test_by_parameter_pairs_and_dicts():
    model = deep_tensor_net(nn.Sigmoid, depth=2)
    rows = gradient_flow(model, by="parameter")
    assert [r.name for r in rows] == [name for name, _ in model.named_parameters()]
    w = model[0].weight
    assert rows["0.weight"].grad_norm == pytest.approx(float(np.linalg.norm(w.grad)), rel=1e-5)
    pairs = gradient_flow(list(model.named_parameters()))
    assert [r.grad_norm for r in pairs] == [r.grad_norm for r in gradient_flow(model)]
    assert len(gradient_flow(dict(model.named_parameters()), by="parameter")) == 6
    with pytest.raises(ValueError, match="by"):
        gradient_flow(model, by="neuron")
    with pytest.raises(ValueError, match="no parameters"):
        gradient_flow([])
    with pytest.raises(KeyError):
        rows["nope"]


def test_before_backward_and_zero_grads_are_reported():
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    report = gradient_flow(model)
    assert report[0].grad_norm is None and report[0].ratio is None
    assert "call backward() first" in report.verdict()
    a, b = Value(1.0), Value(2.0)
    (a * 3).backward()
    report = gradient_flow([("a", a), ("b", b)], by="parameter")
    assert report["b"].grad_norm == 0.0 and "zero gradient in b" in report.verdict()


def test_text_table_and_html():
    report = gradient_flow(deep_tensor_net(nn.Sigmoid, depth=3))
    text = str(report)
    header = text.splitlines()[0].split()
    assert header == ["layer", "params", "grad", "norm", "param", "norm", "grad/param"]
    assert len(text.splitlines()) == 2 + 4 + 1  # header, rule, 4 layers, verdict
    assert "vanishing" in text.splitlines()[-1] or "healthy" in text.splitlines()[-1]
    html = report._repr_html_()
    assert html.count("<tr>") == 5 and "<table>" in html
    assert "GradientFlow(4 layers" in repr(report)


def test_plot_is_log_scale_bars_per_layer():
    report = gradient_flow(deep_tensor_net(nn.Sigmoid, depth=4))
    ax = report.plot()
    assert ax.get_yscale() == "log"
    assert len(ax.patches) == len(report) == 5
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([r.grad_norm for r in report])
    assert [t.get_text() for t in ax.get_xticklabels()] == [r.name for r in report]
    lo, hi = ax.get_ylim()
    assert lo <= min(heights) and hi >= max(heights)
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
