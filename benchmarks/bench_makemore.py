"""The makemore MLP training step: this engine vs PyTorch vs hand-written NumPy.

    python benchmarks/bench_makemore.py            # ~1 min; --quick for a short run

One step of the course's makemore part 3 model on a minibatch of 32 contexts of
``data/names.txt``: ``Embedding(27, 10)`` -> flatten to 30 -> ``Linear(30, 200, bias=False)``
-> ``BatchNorm1d(200)`` -> ``Tanh`` -> ``Linear(200, 27)`` -> mean cross-entropy, then
``zero_grad``, backward and an SGD update (lr 0.1), float32. The three implementations start
from the same weights, and the script checks first that one step gives all three the same loss
and the same updated parameters.

They run interleaved (a block of steps of each, each block following each other kind equally
often, many times over: ``timing.interleave``), so drift in machine
load hits all alike; the figures are medians of the single steps' wall-clock and CPU time per
step. PyTorch is optional (skipped when not installed). BLAS (and PyTorch) run on one thread by
default (``--threads``): at these sizes a second thread only adds synchronization.
"""

from __future__ import annotations

import os
import sys


def set_threads_from_argv(argv: list[str]) -> str:
    """``--threads N`` (default 1, or ``default``) into the BLAS environment variables; they
    are read when NumPy is imported, so call this first."""
    n = "1"
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            n = argv[i + 1]
        elif arg.startswith("--threads="):
            n = arg.split("=", 1)[1]
    if n != "default":
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = n
    return n


THREADS = set_threads_from_argv(sys.argv)

import argparse  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
from collections.abc import Callable  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from timing import interleave  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from autograd import Tensor  # noqa: E402

try:
    import torch
except ImportError:  # PyTorch is optional: the comparison with it is skipped
    torch = None

LR = 0.1
BATCH = 32
VOCAB, BLOCK, N_EMBD, N_HIDDEN = 27, 3, 10, 200
NAMES = Path(__file__).resolve().parent.parent / "data" / "names.txt"


# ---------------------------------------------------------------------------- shared harness


def torch_threads() -> None:
    """Give PyTorch the same thread count as BLAS."""
    if torch is not None and THREADS != "default":
        torch.set_num_threads(int(THREADS))


def report(title: str, times: dict, goal: str) -> None:
    """Print the table: per-step times and each implementation's ratio to the engine."""
    print(f"\n{title}")
    print(f"{'':12s} {'wall ms':>9s} {'CPU ms':>9s} {'engine / it (wall)':>19s} "
          f"{'engine / it (CPU)':>18s}")
    ew, ec = times["engine"]
    for name, (w, c) in times.items():
        print(f"{name:12s} {w * 1e3:9.3f} {c * 1e3:9.3f} {ew / w:18.2f}x {ec / c:17.2f}x")
    print(f"goal: {goal}")


def time_and_report(what: str, steps: dict[str, Callable[[], object]], warmup: int, blocks: int,
                    per_block: int, goal: str) -> None:
    """Warm every step up, time them interleaved (``timing.interleave``) and print the table."""
    for step in steps.values():
        for _ in range(warmup):
            step()
    times = interleave(steps, blocks=blocks, per_block=per_block)
    print(environment())
    report(f"{what} ({blocks} interleaved blocks of {per_block} steps; median per step)",
           times, goal)


def environment() -> str:
    torch_version = f", PyTorch {torch.__version__}" if torch is not None else ", no PyTorch"
    return (f"Python {platform.python_version()}, NumPy {np.__version__}{torch_version}; "
            f"threads: {THREADS}; {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.1f}")


def assert_close(name: str, got: np.ndarray, want: np.ndarray, tol: float = 2e-4) -> None:
    if got.shape != want.shape or not np.allclose(got, want, rtol=tol, atol=tol):
        diff = np.abs(got - want).max() if got.shape == want.shape else "shape"
        raise AssertionError(f"{name}: implementations disagree (max difference {diff})")


# ------------------------------------------------------------------------------- the data


def batches(count: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """``count`` minibatches of (contexts ``(32, 3)``, next characters ``(32,)``) from names.txt
    (random characters when the file is missing: the timing does not depend on them)."""
    rng = np.random.default_rng(seed)
    if NAMES.exists():
        words = NAMES.read_text().splitlines()
        random.Random(42).shuffle(words)
        X, Y = [], []
        for w in words[: int(0.8 * len(words))]:
            context = [0] * BLOCK
            for ch in w + ".":
                ix = 0 if ch == "." else ord(ch) - ord("a") + 1
                X.append(context)
                Y.append(ix)
                context = context[1:] + [ix]
        X, Y = np.array(X), np.array(Y)
    else:
        X, Y = rng.integers(0, VOCAB, (10_000, BLOCK)), rng.integers(0, VOCAB, 10_000)
    picks = rng.integers(0, len(X), (count, BATCH))
    return [(X[ix], Y[ix]) for ix in picks]


# ------------------------------------------------------------------------- the engine's step


class MakemoreMLP(nn.Module):
    """Embedding -> Linear (no bias) -> BatchNorm1d -> Tanh -> Linear."""

    def __init__(self) -> None:
        self.emb = nn.Embedding(VOCAB, N_EMBD)
        self.fc1 = nn.Linear(BLOCK * N_EMBD, N_HIDDEN, bias=False)
        self.bn = nn.BatchNorm1d(N_HIDDEN)
        self.fc2 = nn.Linear(N_HIDDEN, VOCAB)

    def forward(self, X: Tensor) -> Tensor:
        x = self.emb(X).reshape(X.shape[0], -1)
        return self.fc2(self.bn(self.fc1(x)).tanh())


def engine_step(model: MakemoreMLP, optimizer: optim.SGD, X: Tensor, Y: Tensor) -> float:
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(X), Y)
    loss.backward()
    optimizer.step()
    return loss.item()


# ------------------------------------------------------------------------ the PyTorch step


def torch_model(model: MakemoreMLP):
    """The same network in PyTorch, with the engine model's initial weights."""
    tm = torch.nn.Sequential(
        torch.nn.Embedding(VOCAB, N_EMBD), torch.nn.Flatten(),
        torch.nn.Linear(BLOCK * N_EMBD, N_HIDDEN, bias=False), torch.nn.BatchNorm1d(N_HIDDEN),
        torch.nn.Tanh(), torch.nn.Linear(N_HIDDEN, VOCAB))
    tm.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in zip(
        tm.state_dict(), model.state_dict().values())})
    return tm


def torch_step(model, optimizer, X, Y) -> float:
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(X), Y)
    loss.backward()
    optimizer.step()
    return loss.item()


# -------------------------------------------------------------------- the step, by hand


class NumpyMakemore:
    """The same step in NumPy: the backward pass of notebook 10, fused (softmax - onehot,
    BatchNorm in one formula), as tight as NumPy allows: every activation, gradient and
    temporary in a buffer allocated once, ufuncs called directly (not ``ndarray.sum`` or
    ``.mean``, whose Python wrappers cost about 0.7 µs each), constants as 0-d float32 arrays
    (a Python number is converted at every call), the labels picked by flat index, and the
    parameters and their gradients in one flat array each, so SGD is two calls (as
    ``bench_tensor.NumpyMLP``)."""

    def __init__(self, model: MakemoreMLP, eps: float = 1e-5, momentum: float = 0.1) -> None:
        s = model.state_dict()
        f, n = np.float32, BATCH
        names = ["emb.weight", "fc1.weight", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias"]
        self.flat = np.concatenate([s[k].ravel() for k in names]).astype(f)
        self.flat_grads = np.empty_like(self.flat)
        views, grads, start = [], [], 0
        for k in names:
            stop = start + s[k].size
            views.append(self.flat[start:stop].reshape(s[k].shape))
            grads.append(self.flat_grads[start:stop].reshape(s[k].shape))
            start = stop
        self.C, self.W1, self.gamma, self.beta, self.W2, self.b2 = views
        self.dC, self.dW1, self.dgamma, self.dbeta, self.dW2, self.db2 = grads
        self.running_mean = s["bn.running_mean"].copy()
        self.running_var = s["bn.running_var"].copy()
        self.embcat = np.empty((n, BLOCK * N_EMBD), f)
        self.hpre, self.xhat, self.h = (np.empty((n, N_HIDDEN), f) for _ in range(3))
        self.dh = np.empty((n, N_HIDDEN), f)
        self.mu, self.var, self.inv, self.scale = (np.empty(N_HIDDEN, f) for _ in range(4))
        self.stat = np.empty(N_HIDDEN, f)
        self.logits = np.empty((n, VOCAB), f)
        self.logits_flat = self.logits.reshape(-1)
        self.dembcat = np.empty((n, BLOCK * N_EMBD), f)
        self.row_starts = np.arange(n) * VOCAB  # + label = the label's flat index
        self.picks = np.empty(n, np.int64)
        self.picked = np.empty(n, f)
        self.row_max, self.row_sum, self.row_log = (np.empty((n, 1), f) for _ in range(3))
        m = momentum
        self.c = {name: np.array(v, f) for name, v in (  # every constant, as a 0-d float32
            ("n", n), ("eps", eps), ("one", 1), ("keep", 1 - m), ("m", m),
            ("m_unbiased", m * n / (n - 1)), ("inv_n", 1.0 / n))}
        self.lr = (None, None)

    def step(self, X: np.ndarray, Y: np.ndarray, lr: float) -> float:
        n, c = len(X), self.c
        # forward
        np.take(self.C, X, axis=0, out=self.embcat.reshape(n, BLOCK, N_EMBD))
        np.matmul(self.embcat, self.W1.T, out=self.hpre)
        np.add.reduce(self.hpre, axis=0, out=self.mu)
        self.mu /= c["n"]
        xc = self.xhat
        np.subtract(self.hpre, self.mu, out=xc)
        np.einsum("ij,ij->j", xc, xc, out=self.var)
        self.var /= c["n"]
        np.add(self.var, c["eps"], out=self.inv)
        np.sqrt(self.inv, out=self.inv)
        np.reciprocal(self.inv, out=self.inv)
        xc *= self.inv  # now x-hat
        self.running_mean *= c["keep"]
        self.running_mean += np.multiply(self.mu, c["m"], out=self.stat)
        self.running_var *= c["keep"]
        self.running_var += np.multiply(self.var, c["m_unbiased"], out=self.stat)
        np.multiply(self.xhat, self.gamma, out=self.h)
        self.h += self.beta
        np.tanh(self.h, out=self.h)
        z = self.logits
        np.matmul(self.h, self.W2.T, out=z)
        z += self.b2
        z -= np.maximum.reduce(z, axis=1, keepdims=True, out=self.row_max)
        np.exp(z, out=z)  # z holds the softmax numerators from here on
        s = np.add.reduce(z, axis=1, keepdims=True, out=self.row_sum)
        picks = np.add(self.row_starts, Y, out=self.picks)
        np.log(np.take(self.logits_flat, picks, out=self.picked), out=self.picked)
        np.log(s, out=self.row_log)
        loss = float(np.add.reduce(self.row_log, axis=None) - np.add.reduce(self.picked)) / n
        # backward
        s *= c["n"]
        z /= s  # d loss / d logits = (softmax - onehot) / n
        self.logits_flat[picks] -= c["inv_n"]
        np.matmul(z.T, self.h, out=self.dW2)
        np.add.reduce(z, axis=0, out=self.db2)
        dh = self.dh
        np.matmul(z, self.W2, out=dh)
        np.square(self.h, out=self.h)
        np.subtract(c["one"], self.h, out=self.h)
        dh *= self.h  # d loss / d (BatchNorm output)
        np.add.reduce(dh, axis=0, out=self.dbeta)
        np.einsum("ij,ij->j", dh, self.xhat, out=self.dgamma)
        # dx = gamma * inv / n * (n dy - sum(dy) - xhat * sum(dy xhat))
        dh *= c["n"]
        dh -= self.dbeta
        self.xhat *= self.dgamma
        dh -= self.xhat
        np.multiply(self.gamma, self.inv, out=self.scale)
        self.scale /= c["n"]
        dh *= self.scale
        np.matmul(dh.T, self.embcat, out=self.dW1)
        np.matmul(dh, self.W1, out=self.dembcat)
        self.dC.fill(0)
        np.add.at(self.dC, X.ravel(), self.dembcat.reshape(-1, N_EMBD))
        # SGD, every parameter at once
        given, scale = self.lr
        if given != lr:
            given, scale = self.lr = lr, np.array(lr, np.float32)
        self.flat_grads *= scale
        self.flat -= self.flat_grads
        return loss

    def params(self) -> list[np.ndarray]:
        return [self.C, self.W1, self.gamma, self.beta, self.W2, self.b2]


# ------------------------------------------------------------------------------ measuring


def parse_args(description: str) -> argparse.Namespace:
    """``--threads`` (already applied by ``set_threads_from_argv``) and ``--quick``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--threads", default="1",
                        help="BLAS and PyTorch threads (default 1; 'default' leaves them)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    return parser.parse_args()


def cycling(step, batches: list):
    """``step`` as a no-argument call that takes the next batch of ``batches`` each time."""
    position = iter(range(1 << 62))
    return lambda: step(*batches[next(position) % len(batches)])


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    torch_threads()
    autograd.set_default_dtype(np.float32)
    nn.manual_seed(0)
    model = MakemoreMLP()
    hand = NumpyMakemore(model)
    tm = torch_model(model) if torch is not None else None
    optimizer = optim.SGD(model.parameters(), lr=LR)
    data = batches(64)
    engine_data = [(Tensor(X), Tensor(Y)) for X, Y in data]
    torch_data = [(torch.from_numpy(X), torch.from_numpy(Y)) for X, Y in data] if tm else None

    # the same step first: same loss, same parameters afterwards
    loss_engine = engine_step(model, optimizer, *engine_data[0])
    loss_hand = hand.step(*data[0], LR)
    assert abs(loss_engine - loss_hand) < 1e-4, (loss_engine, loss_hand)
    names = ["emb.weight", "fc1.weight", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias"]
    state = model.state_dict()
    for name, p in zip(names, hand.params()):
        assert_close(name, p, state[name])
    assert_close("bn.running_var", hand.running_var, state["bn.running_var"])
    if tm is not None:
        topt = torch.optim.SGD(tm.parameters(), lr=LR)
        loss_torch = torch_step(tm, topt, *torch_data[0])
        assert abs(loss_torch - loss_engine) < 1e-4, (loss_torch, loss_engine)
        for name, p in zip(names, hand.params()):
            key = {"emb": "0", "fc1": "2", "bn": "3", "fc2": "5"}[name.split(".")[0]]
            assert_close(name, tm.state_dict()[f"{key}.{name.split('.')[1]}"].numpy(), p)
    print("one step from the same weights: same loss and update in all implementations "
          f"(loss {loss_engine:.4f})")

    steps = {"engine": cycling(partial(engine_step, model, optimizer), engine_data),
             "NumPy": cycling(lambda X, Y: hand.step(X, Y, LR), data)}
    if tm is not None:
        steps["PyTorch"] = cycling(partial(torch_step, tm, topt), torch_data)
    time_and_report(f"makemore MLP step, batch {BATCH}, float32", steps, warmup=20,
                    blocks=30 if args.quick else 150, per_block=50,
                    goal="engine faster than PyTorch")


if __name__ == "__main__":
    main()
