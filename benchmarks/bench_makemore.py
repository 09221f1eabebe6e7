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
    BatchNorm in one formula), every activation and gradient in a buffer allocated once."""

    def __init__(self, model: MakemoreMLP, eps: float = 1e-5, momentum: float = 0.1) -> None:
        s = model.state_dict()
        self.C, self.W1 = s["emb.weight"].copy(), s["fc1.weight"].copy()
        self.gamma, self.beta = s["bn.weight"].copy(), s["bn.bias"].copy()
        self.running_mean = s["bn.running_mean"].copy()
        self.running_var = s["bn.running_var"].copy()
        self.W2, self.b2 = s["fc2.weight"].copy(), s["fc2.bias"].copy()
        self.eps, self.momentum = eps, momentum
        f, n = np.float32, BATCH
        self.embcat = np.empty((n, BLOCK * N_EMBD), f)
        self.hpre, self.xhat, self.h = (np.empty((n, N_HIDDEN), f) for _ in range(3))
        self.dh = np.empty((n, N_HIDDEN), f)
        self.mu, self.var, self.inv = (np.empty(N_HIDDEN, f) for _ in range(3))
        self.logits = np.empty((n, VOCAB), f)
        self.dW1, self.dW2 = np.empty_like(self.W1), np.empty_like(self.W2)
        self.dembcat = np.empty((n, BLOCK * N_EMBD), f)
        self.rows = np.arange(n)

    def step(self, X: np.ndarray, Y: np.ndarray, lr: float) -> float:
        n, f = len(X), np.float32
        # forward
        np.take(self.C, X, axis=0, out=self.embcat.reshape(n, BLOCK, N_EMBD))
        np.matmul(self.embcat, self.W1.T, out=self.hpre)
        self.hpre.mean(axis=0, out=self.mu)
        xc = self.xhat
        np.subtract(self.hpre, self.mu, out=xc)
        np.einsum("ij,ij->j", xc, xc, out=self.var)
        self.var /= n
        np.add(self.var, self.eps, out=self.inv)
        np.sqrt(self.inv, out=self.inv)
        np.reciprocal(self.inv, out=self.inv)
        xc *= self.inv  # now x-hat
        m = self.momentum
        self.running_mean *= 1 - m
        self.running_mean += m * self.mu
        self.running_var *= 1 - m
        self.running_var += (m * n / (n - 1)) * self.var
        np.multiply(self.xhat, self.gamma, out=self.h)
        self.h += self.beta
        np.tanh(self.h, out=self.h)
        z = self.logits
        np.matmul(self.h, self.W2.T, out=z)
        z += self.b2
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)  # z holds the softmax numerators from here on
        s = z.sum(axis=1, keepdims=True)
        loss = float(np.log(s).mean() - np.log(z[self.rows, Y]).mean())
        # backward
        z /= s * n  # d loss / d logits = (softmax - onehot) / n
        z[self.rows, Y] -= f(1.0 / n)
        np.matmul(z.T, self.h, out=self.dW2)
        db2 = z.sum(axis=0)
        dh = self.dh
        np.matmul(z, self.W2, out=dh)
        np.square(self.h, out=self.h)
        np.subtract(1, self.h, out=self.h)
        dh *= self.h  # d loss / d (BatchNorm output)
        dbeta = dh.sum(axis=0)
        dgamma = np.einsum("ij,ij->j", dh, self.xhat)
        # dx = gamma * inv / n * (n dy - sum(dy) - xhat * sum(dy xhat))
        dh *= n
        dh -= dbeta
        self.xhat *= dgamma
        dh -= self.xhat
        dh *= (self.gamma * self.inv) / n
        np.matmul(dh.T, self.embcat, out=self.dW1)
        np.matmul(dh, self.W1, out=self.dembcat)
        dC = np.zeros_like(self.C)
        np.add.at(dC, X.ravel(), self.dembcat.reshape(-1, N_EMBD))
        # SGD
        for p, g in ((self.C, dC), (self.W1, self.dW1), (self.gamma, dgamma),
                     (self.beta, dbeta), (self.W2, self.dW2), (self.b2, db2)):
            g *= lr
            p -= g
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
