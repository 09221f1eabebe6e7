"""How close is the scalar engine to the limit of pure Python? One training step of the demo.

    python benchmarks/bench_scalar.py              # ~1 min; --repeats 20 for a quick look

The workload is ``examples/moons.py``'s step: ``nn.MLP(2, [16, 16, 1])`` over 100 points,
hinge loss + L2, ``zero_grad``, ``backward``, ``optim.SGD`` update. It runs interleaved with
the same step written by hand on Python floats (lists, no graph objects, the full backward
every step) twice: the straightforward way, and as tight as pure Python gets (the floor the goal
is measured against: ``tight_float_step``). Both start from the same
weights, and the script checks they compute the same loss and the same update.

Printed: the time ratio (median over repeats, collector on as users run it, and off), nodes
and edges per step, the memory of one step's graph (tracemalloc), the optimizer's share of the
step, and, in a fresh subprocess, the 1,000,000-step chain ``x = x * 1.0001 + 0.0``.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from operator import mul
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for examples.moons

import nn  # noqa: E402
import optim  # noqa: E402
from autograd import Value, engine  # noqa: E402
from examples.moons import ALPHA, make_moons  # noqa: E402

LR = 0.01  # small and constant: the benchmark measures speed, not training

GOALS = {"ratio": 5.0, "graph_mb": 11.0, "chain_s": 5.0, "chain_gib": 1.5}


# ------------------------------------------------------------------------- the engine's step


def make_model(seed: int = 1337) -> nn.MLP:
    random.seed(seed)
    return nn.MLP(2, [16, 16, 1])


def forward_loss(model: nn.MLP, inputs: list, labels: list, params: list) -> Value:
    scores = [model(x) for x in inputs]
    return nn.functional.hinge_loss(scores, labels) + ALPHA * sum(p * p for p in params)


def engine_step(model, inputs, labels, params, optimizer) -> float:
    loss = forward_loss(model, inputs, labels, params)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.data


# ------------------------------------------------------------------ the same step, by hand


def float_weights(model: nn.MLP) -> list:
    """The model's weights as [(rows of weights, biases)] per layer, plain floats."""
    return [([[w.data for w in n.w] for n in layer.neurons], [n.b.data for n in layer.neurons])
            for layer in model.layers]


def float_step(layers: list, X: list, Y: list, lr: float, alpha: float = ALPHA) -> float:
    """Forward, hinge loss + L2, backward and SGD on floats: relu hidden layers, linear output.

    No graph: the forward keeps each layer's pre-activations, the backward walks them in
    reverse for every point (also where the hinge is flat and the gradient is zero, as the
    engine does).
    """
    grads = [([[0.0] * len(W[0]) for _ in W], [0.0] * len(B)) for W, B in layers]  # zero_grad
    n = len(X)
    last = len(layers) - 1
    total = 0.0
    for x, y in zip(X, Y):
        acts, zs, a = [x], [], x
        for i, (W, B) in enumerate(layers):
            z = [sum(map(mul, w, a)) + b for w, b in zip(W, B)]
            zs.append(z)
            a = z if i == last else [v if v > 0.0 else 0.0 for v in z]
            acts.append(a)
        margin = 1.0 - y * a[0]
        total += margin if margin > 0.0 else 0.0
        g = [-y / n if margin > 0.0 else 0.0]  # d loss / d score
        for i in range(last, -1, -1):
            W = layers[i][0]
            gW, gB = grads[i]
            if i != last:
                g = [gj if z > 0.0 else 0.0 for gj, z in zip(g, zs[i])]  # through relu
            a = acts[i]
            for j, gj in enumerate(g):
                gW[j] = [p + gj * v for p, v in zip(gW[j], a)]
                gB[j] += gj
            if i:
                g_in = [0.0] * len(a)
                for j, gj in enumerate(g):
                    g_in = [p + gj * w for p, w in zip(g_in, W[j])]
                g = g_in
    reg = 0.0
    for (W, B), (gW, gB) in zip(layers, grads):  # L2 term, its gradient 2 alpha p, SGD
        for j, (w, gw) in enumerate(zip(W, gW)):
            reg += sum(map(mul, w, w))
            W[j] = [p - lr * (gp + 2.0 * alpha * p) for p, gp in zip(w, gw)]
        reg += sum(map(mul, B, B))
        B[:] = [b - lr * (gb + 2.0 * alpha * b) for b, gb in zip(B, gB)]
    return total / n + alpha * reg


def tight_float_step(layers: list, X: list, Y: list, lr: float, alpha: float = ALPHA) -> float:
    """The same step as :func:`float_step`, as tight as pure Python gets (the real floor).

    Same math, full backward every step, but no list is rebuilt per output unit: each layer's
    weights are transposed once per step, each hidden unit's input gradient is one
    ``sum(map(mul, column, delta))``, and the weight gradients are summed over the batch at the
    end, one ``sum(map(mul, ...))`` per weight over the columns of the saved deltas and inputs.
    """
    n = len(X)
    last = len(layers) - 1
    columns = [[list(col) for col in zip(*W)] for W, _ in layers]  # Wᵀ, once per step
    inputs: list[list] = [[] for _ in layers]  # per layer: its input for every point
    deltas: list[list] = [[] for _ in layers]  # per layer: d loss / d pre-activation per point
    total = 0.0
    for x, y in zip(X, Y):
        a = x
        for i, (W, B) in enumerate(layers):
            inputs[i].append(a)
            z = [sum(map(mul, w, a)) + b for w, b in zip(W, B)]
            a = z if i == last else [v if v > 0.0 else 0.0 for v in z]
        margin = 1.0 - y * a[0]
        total += margin if margin > 0.0 else 0.0
        g = [-y / n if margin > 0.0 else 0.0]
        for i in range(last, -1, -1):
            deltas[i].append(g)
            if i:  # through W (one dot product per input unit), then relu (a > 0 iff z > 0)
                g = [sum(map(mul, col, g)) if v > 0.0 else 0.0
                     for col, v in zip(columns[i], inputs[i][-1])]
    reg = 0.0
    for i, (W, B) in enumerate(layers):  # weight gradients over the batch, L2 term, SGD
        d_cols = [list(col) for col in zip(*deltas[i])]
        a_cols = [list(col) for col in zip(*inputs[i])]
        for j, (w, d) in enumerate(zip(W, d_cols)):
            reg += sum(map(mul, w, w))
            W[j] = [p - lr * (sum(map(mul, d, a)) + 2.0 * alpha * p) for p, a in zip(w, a_cols)]
        reg += sum(map(mul, B, B))
        B[:] = [b - lr * (sum(d) + 2.0 * alpha * b) for b, d in zip(B, d_cols)]
    return total / n + alpha * reg


# ------------------------------------------------------------------------------ measuring


def setup():
    X, y = make_moons(n=100, noise=0.1, seed=0)
    model = make_model()
    params = model.parameters()
    inputs = [[Value(a), Value(b)] for a, b in X.tolist()]
    return model, params, inputs, X.tolist(), y.tolist()


def check_same_step() -> float:
    """One step each from the same weights: the losses and the updated weights must agree."""
    model, params, inputs, X, labels = setup()
    layers = float_weights(model)
    loss_engine = engine_step(model, inputs, labels, params, optim.SGD(params, lr=LR))
    loss_float = float_step(layers, X, labels, LR)
    diff = max(abs(a - b) for a, b in zip(
        [p.data for p in params],
        [v for W, B in layers for row, b in zip(W, B) for v in (*row, b)]))
    assert abs(loss_engine - loss_float) < 1e-12 and diff < 1e-12, (loss_engine, loss_float, diff)
    tight = float_weights(make_model())
    loss_tight = tight_float_step(tight, X, labels, LR)
    diff_tight = max(abs(a - b) for a, b in zip(
        [v for W, B in layers for row, b in zip(W, B) for v in (*row, b)],
        [v for W, B in tight for row, b in zip(W, B) for v in (*row, b)]))
    assert abs(loss_tight - loss_float) < 1e-12 and diff_tight < 1e-12, (loss_tight, diff_tight)
    return diff


def time_steps(repeats: int, collector: bool) -> dict:
    """Engine and float steps interleaved (drift hits both alike); medians in seconds."""
    model, params, inputs, X, labels = setup()
    layers = float_weights(model)
    tight = float_weights(model)
    optimizer = optim.SGD(params, lr=LR)
    clock = time.perf_counter
    engine_t, float_t, tight_t, update_t = [], [], [], []
    was_enabled = gc.isenabled()
    (gc.enable if collector else gc.disable)()
    try:
        for _ in range(3):  # warm up
            engine_step(model, inputs, labels, params, optimizer)
            float_step(layers, X, labels, LR)
            tight_float_step(tight, X, labels, LR)
        for _ in range(repeats):
            t0 = clock()
            loss = forward_loss(model, inputs, labels, params)
            optimizer.zero_grad()
            loss.backward()
            t1 = clock()
            optimizer.step()
            t2 = clock()
            del loss  # the graph is freed here, inside the timed step as in a training loop
            t3 = clock()
            float_step(layers, X, labels, LR)
            t4 = clock()
            tight_float_step(tight, X, labels, LR)
            t5 = clock()
            engine_t.append(t3 - t0)
            update_t.append(t2 - t1)
            float_t.append(t4 - t3)
            tight_t.append(t5 - t4)
    finally:
        (gc.enable if was_enabled else gc.disable)()
    return {"engine": statistics.median(engine_t), "float": statistics.median(float_t),
            "tight": statistics.median(tight_t), "update": statistics.median(update_t),
            "ratio": statistics.median(e / f for e, f in zip(engine_t, float_t)),
            "ratio_tight": statistics.median(e / f for e, f in zip(engine_t, tight_t))}


def graph_size_and_memory() -> dict:
    """Nodes and edges of one step's graph, and the memory it holds (tracemalloc peak)."""
    model, params, inputs, X, labels = setup()
    optimizer = optim.SGD(params, lr=LR)
    engine_step(model, inputs, labels, params, optimizer)  # warm up (optimizer state etc.)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    loss = forward_loss(model, inputs, labels, params)
    optimizer.zero_grad()
    loss.backward()
    alive, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    order = engine.topological_order((loss,))
    return {"nodes": len(order), "edges": sum(len(n._prev) for n in order),
            "graph_bytes": alive - before, "peak_bytes": peak - before}


CHAIN_STEPS = 1_000_000


def chain_child() -> None:
    """Run in a fresh process: the chain's time and the process's peak memory, as JSON."""
    start = time.perf_counter()
    cpu = time.process_time()
    x = Value(1.0)
    for _ in range(CHAIN_STEPS):
        x = x * 1.0001 + 0.0
    built = time.perf_counter()
    x.backward()
    done = time.perf_counter()
    leaf = x
    while leaf._prev:
        leaf = leaf._prev[0]
    print(json.dumps({
        "forward_s": built - start, "backward_s": done - built, "total_s": done - start,
        "cpu_s": time.process_time() - cpu, "leaf_grad": leaf.grad,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def run_chain() -> dict:
    out = subprocess.run([sys.executable, __file__, "--chain-child"], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=60, help="timed steps per setting")
    parser.add_argument("--no-chain", action="store_true", help="skip the 1,000,000-step chain")
    parser.add_argument("--chain-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.chain_child:
        chain_child()
        return

    print(f"Python {platform.python_version()} on {platform.machine()}; "
          f"demo step: MLP(2, [16, 16, 1]), 100 points, hinge + L2, SGD")
    check_same_step()
    print("check: engine and hand-written float step agree on the loss and the update")

    size = graph_size_and_memory()
    mb = size["graph_bytes"] / 1e6
    print(f"graph per step: {size['nodes']:,} nodes, {size['edges']:,} edges; "
          f"{mb:.2f} MB alive after backward ({size['graph_bytes'] / size['nodes']:.0f} B/node), "
          f"peak {size['peak_bytes'] / 1e6:.2f} MB   [goal <= {GOALS['graph_mb']:g} MB]")

    for collector in (True, False):
        r = time_steps(args.repeats, collector)
        label = "gc on " if collector else "gc off"
        goal = f"   [goal <= {GOALS['ratio']:g}x]" if collector else "   (reference)"
        print(f"{label}: engine {r['engine'] * 1e3:6.1f} ms/step; tight float step "
              f"{r['tight'] * 1e3:5.1f} ms, ratio {r['ratio_tight']:.2f}x{goal}; "
              f"simple float step {r['float'] * 1e3:5.1f} ms, ratio {r['ratio']:.2f}x; "
              f"optimizer update {r['update'] / r['engine']:.1%} of the step")

    if not args.no_chain:
        c = run_chain()
        assert abs(c["leaf_grad"] - 1.0001 ** CHAIN_STEPS) < 1e-6 * 1.0001 ** CHAIN_STEPS
        print(f"chain of {CHAIN_STEPS:,} steps (x = x * 1.0001 + 0.0, 2,000,001 nodes), "
              f"fresh process, gc on: forward {c['forward_s']:.2f} s + backward "
              f"{c['backward_s']:.2f} s = {c['total_s']:.2f} s ({c['cpu_s']:.2f} s CPU), "
              f"peak RSS {c['peak_rss_mib'] / 1024:.2f} GiB   "
              f"[goal <= {GOALS['chain_s']:g} s, <= {GOALS['chain_gib']:g} GiB]")


if __name__ == "__main__":
    main()
