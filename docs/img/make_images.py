"""Regenerate the README pictures of "Seeing backprop": ``python docs/img/make_images.py``.

Needs the Graphviz ``dot`` program and matplotlib. Every graph is seeded, so the pictures only
change when the drawing code does.
"""

import random
from pathlib import Path

import matplotlib
import numpy as np

import nn
from autograd import Tensor, Value, backward_steps, draw_dot, gradient_flow

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OUT = Path(__file__).resolve().parent


def png(graph, name: str) -> None:
    graph.attr(dpi="72")
    (OUT / f"{name}.png").write_bytes(graph.pipe(format="png"))


def micrograd_example() -> Value:
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    f = Value(-2.0, label="f")
    L = d * f
    L.label = "L"
    return L


def neuron() -> Value:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [w1, w2, b]


def main() -> None:
    L = micrograd_example()
    png(draw_dot(L), "value_graph_before")
    L.backward()
    png(draw_dot(L), "value_graph_after")

    o, params = neuron()
    steps = backward_steps(o, params=params)
    png(steps[3].graph, "backward_step")

    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))
    x = Tensor(np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32), label="x")
    y = Tensor(np.ones((4, 1), dtype=np.float32), label="y")
    loss = ((model(x) - y) ** 2).mean()
    loss.label = "loss"
    loss.backward()
    png(draw_dot(loss, params=model, rankdir="TB"), "tensor_graph")

    random.seed(0)
    mlp = nn.MLP(3, [4, 4, 1], activation="tanh")
    out = mlp([Value(1.0, label="x0"), Value(-2.0, label="x1"), Value(0.5, label="x2")])
    mlp_loss = (out - 1.0) ** 2
    mlp_loss.label = "loss"
    mlp_loss.backward()
    png(draw_dot(mlp_loss, params=mlp, max_nodes=12), "collapsed_graph")

    fig, axes = plt.subplots(1, 2, figsize=(8.5, 3.3))
    for ax, act, he in [(axes[0], nn.Sigmoid, False), (axes[1], nn.ReLU, True)]:
        nn.manual_seed(0)
        layers = []
        for _ in range(8):
            layers += [nn.Linear(16, 16), act()]
        deep = nn.Sequential(*layers, nn.Linear(16, 1))
        if he:
            for m in deep.modules():
                if isinstance(m, nn.Linear):
                    nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        xb = Tensor(np.random.default_rng(0).normal(size=(32, 16)))
        (deep(xb) ** 2).mean().backward()
        title = "8 × (Linear + Sigmoid)" if not he else "8 × (Linear + ReLU), He init"
        gradient_flow(deep).plot(ax=ax, title=title)
    lo = min(ax.get_ylim()[0] for ax in axes)
    hi = max(ax.get_ylim()[1] for ax in axes)
    for ax in axes:
        ax.set_ylim(lo, hi)
    fig.tight_layout()
    fig.savefig(OUT / "gradient_flow.png", dpi=90)


if __name__ == "__main__":
    main()
