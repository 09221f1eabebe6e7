"""micrograd's demo on chainrule: a 2-16-16-1 MLP of scalar Values learns the two moons.

    python examples/moons.py            # ~10 s; writes out/moons_boundary.png, out/neuron.svg

Every weight is a ``Value``; each step builds the graph of the whole batch (100 points, ~8,000
nodes), backpropagates through it and takes an SGD step, exactly as micrograd's
``demo.ipynb`` does: max-margin (hinge) loss plus L2 regularization, learning rate decayed
linearly from 1.0 to 0.1. It must reach 100% training accuracy (exit status 1 if not).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

import nn
import optim
from autograd import Value, draw_dot, no_grad
from autograd.viz.digraph import GraphvizNotFoundError

STEPS = 100
ALPHA = 1e-4  # L2 strength, as in micrograd's demo


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's ``make_moons``, in NumPy): points ``(n, 2)``
    and labels ``(n,)`` in {-1, +1}, the form the hinge loss wants."""
    rng = np.random.default_rng(seed)
    n_top = n // 2
    t_top = np.linspace(0, np.pi, n_top)
    t_bottom = np.linspace(0, np.pi, n - n_top)
    top = np.column_stack([np.cos(t_top), np.sin(t_top)])
    bottom = np.column_stack([1 - np.cos(t_bottom), 0.5 - np.sin(t_bottom)])
    X = np.vstack([top, bottom]) + rng.normal(scale=noise, size=(n, 2))
    y = np.concatenate([-np.ones(n_top), np.ones(n - n_top)])
    order = rng.permutation(n)
    return X[order], y[order]


def train(model: nn.MLP, X: np.ndarray, y: np.ndarray, steps: int = STEPS) -> float:
    """Full-batch training; returns the final training accuracy."""
    inputs = [[Value(a), Value(b)] for a, b in X.tolist()]  # leaves, made once
    labels = y.tolist()
    params = model.parameters()
    optimizer = optim.SGD(params, lr=1.0)
    # micrograd's schedule: lr = 1.0 - 0.9 * k / steps
    schedule = optim.lr_scheduler.LambdaLR(optimizer, lambda k: 1.0 - 0.9 * k / steps)
    accuracy = 0.0
    bar = tqdm(range(steps), desc="training", unit="step")
    for _ in bar:
        scores = [model(x) for x in inputs]
        data_loss = nn.functional.hinge_loss(scores, labels)  # mean of relu(1 - y * score)
        reg_loss = ALPHA * sum(p * p for p in params)
        loss = data_loss + reg_loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        accuracy = sum((s.data > 0) == (t > 0) for s, t in zip(scores, labels)) / len(labels)
        bar.set_postfix(loss=f"{loss.data:.4f}", acc=f"{accuracy:.0%}")
    return accuracy


def plot_boundary(model: nn.MLP, X: np.ndarray, y: np.ndarray, path: Path) -> None:
    """The data over the model's decision regions (the model evaluated on a grid)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    h = 0.05
    xx, yy = np.meshgrid(np.arange(X[:, 0].min() - 1, X[:, 0].max() + 1, h),
                         np.arange(X[:, 1].min() - 1, X[:, 1].max() + 1, h))
    with no_grad():  # evaluation only: no graph recorded
        scores = [model(p).data for p in np.c_[xx.ravel(), yy.ravel()].tolist()]
    Z = (np.array(scores) > 0).reshape(xx.shape)
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.contourf(xx, yy, Z, cmap=plt.cm.Spectral, alpha=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap=plt.cm.Spectral, edgecolors="k")
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_title("MLP(2, [16, 16, 1]) on two moons: decision boundary")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def draw_neuron(model: nn.MLP, X: np.ndarray, path: Path) -> Path:
    """The computation graph of the first neuron, backpropagated, as SVG: on the first point
    where its ReLU is active (elsewhere every gradient in the drawing would be 0)."""
    neuron = model.layers[0].neurons[0]
    with no_grad():
        point = next((p for p in X.tolist() if neuron(p).data > 0), X[0].tolist())
    a, b = Value(point[0], label="x0"), Value(point[1], label="x1")
    out = neuron([a, b])
    out.label = "out"
    neuron.zero_grad()  # drop the last training step's gradients: show this point's alone
    out.backward()
    params = {f"w{i}": w for i, w in enumerate(neuron.w)} | {"b": neuron.b}
    graph = draw_dot(out, params=params, title="one neuron: relu(w0*x0 + w1*x1 + b)")
    rendered = graph.render(path.with_suffix(""), format="svg", cleanup=True)
    return Path(rendered)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"), help="output directory")
    parser.add_argument("--steps", type=int, default=STEPS, help="training steps")
    args = parser.parse_args()

    start, start_cpu = time.perf_counter(), time.process_time()
    X, y = make_moons(n=100, noise=0.1, seed=0)
    random.seed(1337)  # nn.MLP draws its initial weights from Python's random, as micrograd
    model = nn.MLP(2, [16, 16, 1])
    n_params = len(model.parameters())
    print(f"MLP(2, [16, 16, 1]), {n_params} parameters; 100 points; {args.steps} steps")

    accuracy = train(model, X, y, args.steps)

    args.out.mkdir(parents=True, exist_ok=True)
    boundary = args.out / "moons_boundary.png"
    plot_boundary(model, X, y, boundary)
    print(f"decision boundary: {boundary}")
    try:
        svg = draw_neuron(model, X, args.out / "neuron.svg")
        print(f"graph of one neuron: {svg}")
    except GraphvizNotFoundError as e:  # no Graphviz at all: the message says how to get it
        print(f"graph of one neuron not drawn: {e}", file=sys.stderr)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(f"training accuracy {accuracy:.0%}; took {wall:.1f} s ({cpu:.1f} s of CPU)")
    if accuracy < 1.0:
        print(f"error: training accuracy {accuracy:.0%} is below 100%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
