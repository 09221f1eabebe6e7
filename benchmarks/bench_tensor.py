"""How close is the Tensor engine to hand-written NumPy? One training step of an MLP.

    python benchmarks/bench_tensor.py              # ~1 min; --quick for a short run

A step is ``zero_grad``, forward, mean softmax cross-entropy, backward and an SGD update, on
``Sequential(Linear, ReLU, ..., Linear)`` with ``nn.functional.cross_entropy`` and
``optim.SGD``, exactly as a user writes it (the input batch is wrapped in a new ``Tensor`` each
step). It runs interleaved with the same step written by hand in NumPy the way a skilled
programmer would (buffers preallocated, in-place updates): the limit for a NumPy-backed engine.
Both start from the same weights, and the script checks they give the same loss and update.

Workloads: the digits MLP 64-128-64-10 (float32) at batch 32, 256 and 1797 on the real digits
data, and a 784-512-256-10 MLP at batch 1024 in float32 and float64 on random data. Ratios are
medians over many interleaved repeats of the CPU time of this process. BLAS runs on one thread
by default (``--threads``), so a busy machine disturbs the figures less.
"""

from __future__ import annotations

import argparse
import os
import sys


def _threads_from_argv() -> None:
    """BLAS reads its thread count when NumPy is imported, so set it before that."""
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            n = sys.argv[i + 1]
            break
        if arg.startswith("--threads="):
            n = arg.split("=", 1)[1]
            break
    else:
        n = "1"
    if n != "default":
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = n


_threads_from_argv()

import gc  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from autograd import Tensor  # noqa: E402

LR = 0.01


# ------------------------------------------------------------------------- the engine's step


def make_model(sizes: list[int], dtype, seed: int = 0) -> nn.Sequential:
    autograd.set_default_dtype(dtype)
    nn.manual_seed(seed)
    layers: list = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])  # no ReLU after the last layer


def engine_step(model: nn.Module, optimizer: optim.SGD, X: np.ndarray, y: np.ndarray) -> float:
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(Tensor(X)), y)
    loss.backward()
    optimizer.step()
    return loss.item()


# ------------------------------------------------------------------ the same step, by hand


class NumpyMLP:
    """The same MLP written directly in NumPy: ReLU hidden layers, softmax cross-entropy, SGD.

    Activations, gradients and the softmax live in buffers allocated once for the batch size;
    every operation writes into them (``out=``, in place), as a careful NumPy programmer does.
    """

    def __init__(self, params: list[Tensor], batch: int) -> None:
        self.weights = [p.data.copy() for p in params]  # W1, b1, W2, b2, ... (PyTorch layout)
        self.grads = [np.empty_like(w) for w in self.weights]
        dtype = self.weights[0].dtype
        widths = [w.shape[0] for w in self.weights[::2]]
        self.acts = [np.empty((batch, n), dtype) for n in widths]  # post-ReLU; logits last
        self.deltas = [np.empty((batch, n), dtype) for n in widths]  # d loss / d pre-activation
        self.rows = np.arange(batch)

    def step(self, X: np.ndarray, y: np.ndarray, lr: float) -> float:
        Ws, bs = self.weights[::2], self.weights[1::2]
        gWs, gbs = self.grads[::2], self.grads[1::2]
        last = len(Ws) - 1
        n = len(X)
        a = X
        for i, (W, b, h) in enumerate(zip(Ws, bs, self.acts)):  # forward
            np.matmul(a, W.T, out=h)
            h += b
            if i < last:
                np.maximum(h, 0, out=h)
            a = h
        z = a  # logits, shifted in place for a stable softmax
        z -= z.max(axis=1, keepdims=True)
        p = self.deltas[last]
        np.exp(z, out=p)
        s = p.sum(axis=1, keepdims=True)
        loss = float(np.log(s).mean() - z[self.rows, y].mean())
        p /= s * n  # d loss / d logits = (softmax - onehot) / n
        p[self.rows, y] -= 1.0 / n
        for i in range(last, -1, -1):  # backward
            d = self.deltas[i]
            a_in = X if i == 0 else self.acts[i - 1]
            np.matmul(d.T, a_in, out=gWs[i])
            d.sum(axis=0, out=gbs[i])
            if i > 0:
                d_in = self.deltas[i - 1]
                np.matmul(d, Ws[i], out=d_in)
                d_in *= a_in > 0  # through the ReLU
        for w, g in zip(self.weights, self.grads):  # SGD
            g *= lr
            w -= g
        return loss


# ------------------------------------------------------------------------------ measuring


def check_same_step(model, optimizer, hand: NumpyMLP, X, y) -> None:
    loss_engine = engine_step(model, optimizer, X, y)
    loss_hand = hand.step(X, y, LR)
    tol = 1e-4 if X.dtype == np.float32 else 1e-10
    assert abs(loss_engine - loss_hand) <= tol * max(1.0, abs(loss_hand)), (loss_engine, loss_hand)
    for p, w in zip(model.parameters(), hand.weights):
        assert np.allclose(p.data, w, rtol=tol, atol=tol), "engine and NumPy updates differ"


def measure(name: str, sizes: list[int], batch: int, dtype, X_all, y_all, repeats: int) -> dict:
    dtype = np.dtype(dtype)
    model = make_model(sizes, dtype)
    optimizer = optim.SGD(model.parameters(), lr=LR)
    hand = NumpyMLP(model.parameters(), batch)
    rng = np.random.default_rng(0)
    idx = rng.choice(len(X_all), batch, replace=False)
    X, y = X_all[idx].astype(dtype), y_all[idx]
    check_same_step(model, optimizer, hand, X, y)
    for _ in range(3):  # warm up
        engine_step(model, optimizer, X, y)
        hand.step(X, y, LR)
    clock = time.process_time
    engine_t, hand_t = [], []
    for _ in range(repeats):  # interleaved, so drift in machine load hits both alike
        t0 = clock()
        engine_step(model, optimizer, X, y)
        t1 = clock()
        hand.step(X, y, LR)
        t2 = clock()
        engine_t.append(t1 - t0)
        hand_t.append(t2 - t1)
    growth = memory_growth(model, optimizer, X, y)
    e, h = statistics.median(engine_t), statistics.median(hand_t)
    return {"name": name, "batch": batch, "dtype": dtype.name, "engine": e, "hand": h,
            "ratio": e / h, "growth": growth}


def memory_growth(model, optimizer, X, y, steps: int = 100) -> int:
    """Bytes still allocated after ``steps`` more steps than after a few (0: nothing leaks)."""
    gc.collect()
    tracemalloc.start()
    for _ in range(5):
        engine_step(model, optimizer, X, y)
    first = tracemalloc.get_traced_memory()[0]
    for _ in range(steps):
        engine_step(model, optimizer, X, y)
    last = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return last - first


GOALS = {("digits", 32): 1.5, ("digits", 256): 1.15, ("digits", 1797): 1.05,
         ("784-512-256-10", 1024): 1.05}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1",
                        help="BLAS threads (default 1; 'default' leaves the environment's)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    scale = 0.2 if args.quick else 1.0

    from sklearn.datasets import load_digits

    X_digits, y_digits = load_digits(return_X_y=True)
    X_digits = (X_digits - X_digits.mean(0)) / np.where(X_digits.std(0) > 0, X_digits.std(0), 1)
    rng = np.random.default_rng(1)
    X_big, y_big = rng.standard_normal((1024, 784)), rng.integers(0, 10, 1024)

    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"BLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}; "
          "median CPU time per step, engine / hand-written NumPy")
    runs = [
        ("digits", [64, 128, 64, 10], 32, np.float32, X_digits, y_digits, 2000),
        ("digits", [64, 128, 64, 10], 256, np.float32, X_digits, y_digits, 1000),
        ("digits", [64, 128, 64, 10], 1797, np.float32, X_digits, y_digits, 300),
        ("784-512-256-10", [784, 512, 256, 10], 1024, np.float32, X_big, y_big, 40),
        ("784-512-256-10", [784, 512, 256, 10], 1024, np.float64, X_big, y_big, 30),
    ]
    print(f"{'model':16s} {'batch':>5s} {'dtype':8s} {'engine':>10s} {'NumPy':>10s} "
          f"{'ratio':>6s} {'goal':>6s}  memory growth over 100 steps")
    for name, sizes, batch, dtype, X, y, repeats in runs:
        r = measure(name, sizes, batch, dtype, X, y, max(10, int(repeats * scale)))
        goal = GOALS[(name, batch)]
        print(f"{name:16s} {batch:5d} {r['dtype']:8s} {r['engine'] * 1e3:8.3f}ms "
              f"{r['hand'] * 1e3:8.3f}ms {r['ratio']:5.2f}x {goal:5.2f}x  "
              f"{r['growth'] / 1024:+.1f} KiB", flush=True)
    autograd.set_default_dtype(np.float32)


if __name__ == "__main__":
    main()
