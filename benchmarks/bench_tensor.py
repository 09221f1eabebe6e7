"""How close is the Tensor engine to hand-written NumPy and to PyTorch? One MLP training step.

    python benchmarks/bench_tensor.py              # ~1-2 min; --quick for a short run

A step is ``zero_grad``, forward, mean softmax cross-entropy, backward and an SGD update, on
``Sequential(Linear, ReLU, ..., Linear)`` with ``nn.functional.cross_entropy`` and
``optim.SGD``, exactly as a user writes it (the input batch is wrapped each step with
``autograd.from_numpy``, which shares its memory as ``torch.from_numpy`` does in the PyTorch
step; ``Tensor(X)`` would copy it: 6.4 MB a step for the float64 batch). It runs interleaved
with the same step written by hand in NumPy as tightly as NumPy allows (buffers preallocated,
in-place updates, ``out=``, no Python-level wrappers, one flat array for all parameters:
``NumpyMLP``): the limit for a NumPy-backed engine; and with the same step in PyTorch when it
is installed (optional, never a dependency). All start from the same weights; the script
checks they give the same loss and update.

Workloads: the digits MLP 64-128-64-10 (float32) at batch 32, 256 and 1797 on the real digits
data, and a 784-512-256-10 MLP at batch 1024 in float32 and float64 on random data.

Two figures per workload, each the median step time over interleaved blocks of 10 steps (3
untimed first; each library's block follows each other library's equally often:
``timing.interleave``, shared with the other benchmarks), so drift in machine load hits all
alike:

- **wall clock** with BLAS (and PyTorch) at their default thread counts: what users see in a
  training loop (each library runs blocks of back-to-back steps, a few untimed ones first, so
  one library's spinning worker threads do not slow down the next library's step);
- **CPU time of this process with BLAS on one thread** (via ``threadpoolctl``, PyTorch with
  ``torch.set_num_threads(1)``): steadier on a busy machine.

Then the peak memory (tracemalloc: NumPy's allocations) of one batch-1797 step: the engine's,
and the hand-written step's (its preallocated buffers plus its temporaries).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import platform
import tracemalloc

import numpy as np
from timing import interleave

import autograd
import nn
import optim
from autograd import Tensor

try:  # optional: the reference, never a dependency
    import torch
except ImportError:  # pragma: no cover - depends on the machine
    torch = None

LR = 0.01
BLOCK, WARM = 10, 3  # timed and untimed steps per block (see timing.interleave)


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
    loss = nn.functional.cross_entropy(model(autograd.from_numpy(X)), y)
    loss.backward()
    optimizer.step()
    return loss.item()


# ------------------------------------------------------------------ the same step, by hand


class NumpyMLP:
    """The same MLP written directly in NumPy: ReLU hidden layers, softmax cross-entropy, SGD.

    As tight as NumPy allows, so that the ratio is not flattered:

    - every array lives in a buffer allocated once for the batch size (activations, gradients,
      ReLU masks, the softmax, the loss's row-sized temporaries) and every operation writes into
      one (``out=``, in place);
    - all weights share one flat array, and all their gradients another, so the SGD update is
      two calls, not two per parameter (the engine, whose parameters are separate arrays as in
      PyTorch, cannot do this: about 3 µs of a batch-32 step);
    - ufuncs are called directly (``np.add.reduce``, not ``ndarray.sum``, whose Python wrapper
      costs about 0.7 µs), with zeros and the learning rate as 0-d arrays of the data's dtype
      (a Python number is converted at every call), and the labels are picked by flat index
      (one ``take``), not by a pair of index arrays.
    """

    def __init__(self, params: list[Tensor], batch: int) -> None:
        flat = np.concatenate([p.data.ravel() for p in params])  # W1, b1, W2, b2, ... (PyTorch)
        self.flat_weights, self.flat_grads = flat, np.empty_like(flat)
        self.weights, self.grads, start = [], [], 0
        for p in params:  # views into the two flat arrays
            stop = start + p.data.size
            self.weights.append(flat[start:stop].reshape(p.data.shape))
            self.grads.append(self.flat_grads[start:stop].reshape(p.data.shape))
            start = stop
        self.layers = list(zip(self.weights[::2], self.weights[1::2],
                               self.grads[::2], self.grads[1::2]))  # (W, b, dW, db)
        dtype = flat.dtype
        widths = [w.shape[0] for w in self.weights[::2]]
        self.acts = [np.empty((batch, n), dtype) for n in widths]  # post-ReLU; logits last
        self.deltas = [np.empty((batch, n), dtype) for n in widths]  # d loss / d pre-activation
        self.masks = [np.empty((batch, n), bool) for n in widths[:-1]]  # ReLU's active units
        classes = widths[-1]
        self.row_starts = np.arange(batch) * classes  # + label = the label's flat index
        self.picks = np.empty(batch, np.int64)
        self.logits_flat = self.acts[-1].reshape(-1)  # views, made once
        self.delta_flat = self.deltas[-1].reshape(-1)
        self.picked = np.empty(batch, dtype)
        self.row_max = np.empty((batch, 1), dtype)
        self.row_sum = np.empty((batch, 1), dtype)
        self.row_log = np.empty((batch, 1), dtype)
        self.zero = np.zeros((), dtype)
        self.lr = (None, None)  # (lr as given, as a 0-d array)

    def buffer_bytes(self) -> int:
        buffers = [self.flat_grads, *self.acts, *self.deltas, *self.masks, self.row_starts,
                   self.picks, self.picked, self.row_max, self.row_sum, self.row_log]
        return sum(b.nbytes for b in buffers)

    def step(self, X: np.ndarray, y: np.ndarray, lr: float) -> float:
        zero, acts, masks, deltas = self.zero, self.acts, self.masks, self.deltas
        last = len(self.layers) - 1
        n = len(X)
        a = X
        for i, (W, b, _, _) in enumerate(self.layers):  # forward
            h = acts[i]
            np.matmul(a, W.T, out=h)
            h += b
            if i < last:
                np.greater(h, zero, out=masks[i])
                np.maximum(h, zero, out=h)
            a = h
        z = a  # logits, shifted in place for a stable softmax
        np.maximum.reduce(z, axis=1, keepdims=True, out=self.row_max)
        z -= self.row_max
        p = deltas[last]
        np.exp(z, out=p)
        s = np.add.reduce(p, axis=1, keepdims=True, out=self.row_sum)
        picks = np.add(self.row_starts, y, out=self.picks)  # each row's label, as a flat index
        np.take(self.logits_flat, picks, out=self.picked)
        np.log(s, out=self.row_log)
        loss = float(np.add.reduce(self.row_log, axis=None) - np.add.reduce(self.picked)) / n
        s *= n
        p /= s  # d loss / d logits = (softmax - onehot) / n
        self.delta_flat[picks] -= 1.0 / n
        for i in range(last, -1, -1):  # backward
            W, _, dW, db = self.layers[i]
            d = deltas[i]
            np.matmul(d.T, X if i == 0 else acts[i - 1], out=dW)
            np.add.reduce(d, axis=0, out=db)
            if i > 0:
                d_in = deltas[i - 1]
                np.matmul(d, W, out=d_in)
                d_in *= masks[i - 1]  # through the ReLU
        given, scale = self.lr
        if given != lr:
            given, scale = self.lr = lr, np.array(lr, self.flat_weights.dtype)
        self.flat_grads *= scale  # SGD, every parameter at once
        self.flat_weights -= self.flat_grads
        return loss


# ------------------------------------------------------------------- the same step, in PyTorch


class TorchMLP:
    """The same step in PyTorch (``torch.nn.Linear``, ``F.cross_entropy``, ``torch.optim.SGD``),
    as its users write it: ``torch.from_numpy`` on the batch each step."""

    def __init__(self, params: list[Tensor]) -> None:
        weights = [torch.from_numpy(p.data.copy()) for p in params]
        layers: list = []
        for W, b in zip(weights[::2], weights[1::2]):
            linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=W.dtype)
            with torch.no_grad():
                linear.weight.copy_(W)
                linear.bias.copy_(b)
            layers += [linear, torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1])
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LR)

    def step(self, X: np.ndarray, y_t) -> float:
        self.optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(self.model(torch.from_numpy(X)), y_t)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def weights(self) -> list[np.ndarray]:
        return [p.detach().numpy() for p in self.model.parameters()]


# ------------------------------------------------------------------------------ measuring


@contextlib.contextmanager
def one_thread():
    """BLAS and PyTorch on one thread inside the block (needs ``threadpoolctl``)."""
    from threadpoolctl import threadpool_limits

    torch_threads = torch.get_num_threads() if torch is not None else None
    with threadpool_limits(limits=1):
        if torch is not None:
            torch.set_num_threads(1)
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(torch_threads)


def check_same_step(model, optimizer, hand: NumpyMLP, ref, X, y, y_t) -> None:
    loss_engine = engine_step(model, optimizer, X, y)
    loss_hand = hand.step(X, y, LR)
    tol = 1e-4 if X.dtype == np.float32 else 1e-10
    assert abs(loss_engine - loss_hand) <= tol * max(1.0, abs(loss_hand)), (loss_engine, loss_hand)
    for p, w in zip(model.parameters(), hand.weights):
        assert np.allclose(p.data, w, rtol=tol, atol=tol), "engine and NumPy updates differ"
    if ref is not None:
        loss_ref = ref.step(X, y_t)
        assert abs(loss_ref - loss_hand) <= tol * max(1.0, abs(loss_hand)), (loss_ref, loss_hand)
        for w_ref, w in zip(ref.weights(), hand.weights):
            assert np.allclose(w_ref, w, rtol=tol, atol=tol), "PyTorch and NumPy updates differ"


def measure(name: str, sizes: list[int], batch: int, dtype, X_all, y_all, repeats: int,
            clocks: tuple = ("wall", "cpu1")) -> dict:
    dtype = np.dtype(dtype)
    model = make_model(sizes, dtype)
    optimizer = optim.SGD(model.parameters(), lr=LR)
    hand = NumpyMLP(model.parameters(), batch)
    ref = TorchMLP(model.parameters()) if torch is not None else None
    rng = np.random.default_rng(0)
    idx = rng.choice(len(X_all), batch, replace=False)
    X, y = X_all[idx].astype(dtype), y_all[idx]
    y_t = torch.from_numpy(y.astype(np.int64)) if torch is not None else None
    check_same_step(model, optimizer, hand, ref, X, y, y_t)
    steps = {"engine": lambda: engine_step(model, optimizer, X, y),
             "NumPy": lambda: hand.step(X, y, LR)}
    if ref is not None:
        steps["PyTorch"] = lambda: ref.step(X, y_t)
    for fn in list(steps.values()) * 3:  # warm up
        fn()
    result = {"name": name, "batch": batch, "dtype": dtype.name}
    blocks = -(-repeats // BLOCK)  # repeats timed steps each, in blocks of BLOCK
    if "wall" in clocks:
        times = interleave(steps, blocks, BLOCK, warm=WARM)
        result["wall"] = [wall for wall, _ in times.values()]  # engine, NumPy[, PyTorch]
    if "cpu1" in clocks:
        with one_thread():
            times = interleave(steps, blocks, BLOCK, warm=WARM)
        result["cpu1"] = [cpu for _, cpu in times.values()]
    result["growth"] = memory_growth(model, optimizer, X, y)
    return result


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


def step_peak_memory(sizes: list[int], X: np.ndarray, y: np.ndarray) -> tuple[int, int]:
    """Peak bytes one step needs beyond the parameters: (engine, hand-written NumPy).

    The engine's: tracemalloc's peak during a step (gradients set to None first, so they
    count). The hand-written step's: its preallocated buffers plus its temporaries' peak.
    """
    model = make_model(sizes, X.dtype)
    optimizer = optim.SGD(model.parameters(), lr=LR)
    hand = NumpyMLP(model.parameters(), len(X))
    engine_step(model, optimizer, X, y)
    hand.step(X, y, LR)
    gc.collect()
    peaks = []
    for fn in (lambda: engine_step(model, optimizer, X, y), lambda: hand.step(X, y, LR)):
        optimizer.zero_grad()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        peaks.append(tracemalloc.get_traced_memory()[1] - base)
        tracemalloc.stop()
    return peaks[0], peaks[1] + hand.buffer_bytes()


GOALS = {("digits", 32): 1.3, ("digits", 256): 1.1, ("digits", 1797): 1.05,
         ("784-512-256-10", 1024): 1.05}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--only", choices=("wall", "cpu1"), help="one of the two figures")
    args = parser.parse_args()
    clocks = (args.only,) if args.only else ("wall", "cpu1")
    scale = 0.2 if args.quick else 1.0

    from sklearn.datasets import load_digits

    X_digits, y_digits = load_digits(return_X_y=True)
    X_digits = (X_digits - X_digits.mean(0)) / np.where(X_digits.std(0) > 0, X_digits.std(0), 1)
    rng = np.random.default_rng(1)
    X_big, y_big = rng.standard_normal((1024, 784)), rng.integers(0, 10, 1024)

    from threadpoolctl import threadpool_info

    blas = ", ".join(f"{i['internal_api']} {i['version']} ({i['num_threads']} threads)"
                     for i in threadpool_info())
    ref = "no PyTorch"
    if torch is not None:
        ref = f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads)"
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, {blas}, {ref}; "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print("median per step: wall clock at default threads | CPU time on one thread; "
          "ratios engine / hand-written NumPy and engine / PyTorch")
    runs = [
        ("digits", [64, 128, 64, 10], 32, np.float32, X_digits, y_digits, 1000),
        ("digits", [64, 128, 64, 10], 256, np.float32, X_digits, y_digits, 500),
        ("digits", [64, 128, 64, 10], 1797, np.float32, X_digits, y_digits, 150),
        ("784-512-256-10", [784, 512, 256, 10], 1024, np.float32, X_big, y_big, 50),
        ("784-512-256-10", [784, 512, 256, 10], 1024, np.float64, X_big, y_big, 40),
    ]
    print(f"{'model':15s} {'batch':>5s} {'dtype':7s} | {'engine':>8s} {'NumPy':>8s} {'torch':>8s} "
          f"{'/NumPy':>6s} {'/torch':>6s} {'goal':>5s} | {'engine':>8s} {'/NumPy':>6s} "
          f"{'/torch':>6s} | leak/100 steps")
    for name, sizes, batch, dtype, X, y, repeats in runs:
        r = measure(name, sizes, batch, dtype, X, y, max(10, int(repeats * scale)), clocks)
        goal = GOALS[(name, batch)]
        cells = []
        for key, full in (("wall", True), ("cpu1", False)):
            if key not in r:
                cells.append("-")
                continue
            t = r[key]
            vs_torch = f"{t[0] / t[2]:5.2f}x" if len(t) > 2 else "    -"
            if full:
                torch_ms = f"{t[2] * 1e3:6.3f}ms" if len(t) > 2 else "       -"
                cells.append(f"{t[0] * 1e3:6.3f}ms {t[1] * 1e3:6.3f}ms {torch_ms} "
                             f"{t[0] / t[1]:5.2f}x {vs_torch} {goal:4.2f}x")
            else:
                cells.append(f"{t[0] * 1e3:6.3f}ms {t[0] / t[1]:5.2f}x {vs_torch}")
        print(f"{name:15s} {batch:5d} {r['dtype']:7s} | {cells[0]} | {cells[1]} | "
              f"{r['growth'] / 1024:+.1f} KiB", flush=True)
    X = X_digits.astype(np.float32)
    engine_peak, hand_peak = step_peak_memory([64, 128, 64, 10], X, y_digits)
    print(f"peak memory of one batch-1797 step (tracemalloc, beyond the parameters): engine "
          f"{engine_peak / 2**20:.2f} MiB, hand-written {hand_peak / 2**20:.2f} MiB "
          f"(buffers + temporaries): {engine_peak / hand_peak:.2f}x   [goal <= 1.5x]")
    autograd.set_default_dtype(np.float32)


if __name__ == "__main__":
    main()
