"""The digits CNN training step: this engine vs PyTorch vs hand-written NumPy.

    python benchmarks/bench_cnn.py                 # ~1 min; --quick for a short run

One step of notebook 11's network on a minibatch of 32 of scikit-learn's 8x8 digits:
``Conv2d(1, 32, 3, padding=1)`` -> ReLU -> ``MaxPool2d(2)`` -> ``Conv2d(32, 64, 3, padding=1)``
-> ReLU -> ``MaxPool2d(2)`` -> ``Flatten`` -> ``Linear(256, 10)`` -> mean cross-entropy, then
``zero_grad``, backward and an SGD update (lr 0.01; the notebook uses Adam, whose update is a
small share of the step), float32. Same weights everywhere; the script checks first that one
step gives the three implementations the same loss and the same updated parameters, then runs
them interleaved (see ``bench_makemore.py``, whose harness it shares). BLAS and PyTorch run on
one thread by default (``--threads``).
"""

from __future__ import annotations

# isort: off
from bench_makemore import (  # first: it sets the BLAS threads before NumPy is imported
    assert_close,
    cycling,
    engine_step,  # the same training step (zero_grad, cross-entropy, backward, SGD) for any model
    parse_args,
    time_and_report,
    torch,
    torch_step,
    torch_threads,
)
# isort: on

from functools import partial  # noqa: E402

import numpy as np  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from autograd import Tensor  # noqa: E402

LR = 0.01
BATCH = 32


def digits_batches(count: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """``count`` minibatches of standardized digits ``(32, 1, 8, 8)`` and their labels."""
    from sklearn.datasets import load_digits

    images, labels = load_digits(return_X_y=True)
    images = ((images - images.mean()) / images.std()).astype(np.float32).reshape(-1, 1, 8, 8)
    picks = np.random.default_rng(seed).integers(0, len(images), (count, BATCH))
    return [(images[ix], labels[ix]) for ix in picks]


def engine_model() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(256, 10))


def torch_model(model: nn.Sequential):
    tm = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(256, 10))
    tm.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in model.state_dict().items()})
    return tm


# -------------------------------------------------------------------- the step, by hand


class NumpyConv:
    """3x3 convolution, padding 1, on channels-last ``(N, H, W, C)`` activations.

    The images are tiny (8x8, 4x4), so the channels go last: every slice below then has a
    contiguous innermost run of ``W * C`` floats instead of a row of 4 or 8. The forward is one
    GEMM of the im2col rows ``(N * H * W, 9 * C)`` by the weights, kept as ``(9 * C, O)``, and
    its result is already the ``(N, H, W, O)`` output.
    """

    def __init__(self, weight: np.ndarray, bias: np.ndarray, x_shape: tuple) -> None:
        o, c = weight.shape[:2]
        self.w = np.ascontiguousarray(weight.transpose(2, 3, 1, 0).reshape(9 * c, o))
        self.b = bias.copy()
        self.dw, self.db = np.empty_like(self.w), np.empty_like(self.b)
        n, h, w, _ = x_shape
        self.padded = np.zeros((n, h + 2, w + 2, c), np.float32)  # the border stays 0
        self.dpadded = np.empty_like(self.padded)
        self.cols = np.empty((n, h, w, 3, 3, c), np.float32)
        self.out = np.empty((n, h, w, o), np.float32)
        self.shape = x_shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        n, h, w, c = self.shape
        self.padded[:, 1:-1, 1:-1] = x
        for i in range(3):
            for j in range(3):
                self.cols[:, :, :, i, j] = self.padded[:, i:i + h, j:j + w]
        out = self.out.reshape(n * h * w, -1)
        np.matmul(self.cols.reshape(n * h * w, -1), self.w, out=out)
        out += self.b
        return self.out

    def backward(self, g: np.ndarray, need_input: bool) -> np.ndarray | None:
        n, h, w, c = self.shape
        gm = g.reshape(n * h * w, -1)  # (N*H*W, O)
        np.matmul(self.cols.reshape(n * h * w, -1).T, gm, out=self.dw)
        gm.sum(axis=0, out=self.db)
        if not need_input:
            return None
        dcols = (gm @ self.w.T).reshape(n, h, w, 3, 3, c)
        dx = self.dpadded
        dx.fill(0)
        for i in range(3):
            for j in range(3):
                dx[:, i:i + h, j:j + w] += dcols[:, :, :, i, j]
        return dx[:, 1:-1, 1:-1]

    def weight_oihw(self) -> np.ndarray:
        c = self.shape[3]
        return self.w.reshape(3, 3, c, -1).transpose(3, 2, 0, 1)


OFFSETS = ((0, 0), (0, 1), (1, 0), (1, 1))


def pool_relu(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2x2 max pooling then ReLU (the same as ReLU then pooling) of ``(N, H, W, C)``: the
    output, and for each output which window offset held the maximum (the first on ties)."""
    n, h, w, c = x.shape
    r = x.reshape(n, h // 2, 2, w // 2, 2, c)
    out = r[:, :, 0, :, 0].copy()
    where = np.zeros(out.shape, np.int8)
    for k, (i, j) in enumerate(OFFSETS[1:], start=1):
        candidate = r[:, :, i, :, j]
        bigger = np.greater(candidate, out)
        np.copyto(out, candidate, where=bigger)
        np.copyto(where, k, where=bigger)
    np.maximum(out, 0, out=out)
    return out, where


def pool_relu_back(g: np.ndarray, out: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Route each output's gradient to its window's maximum (none where ReLU cut it)."""
    g = g * (out > 0)
    n, h, w, c = g.shape
    dx = np.empty((n, h, 2, w, 2, c), np.float32)
    for k, (i, j) in enumerate(OFFSETS):
        np.multiply(g, where == k, out=dx[:, :, i, :, j])
    return dx.reshape(n, 2 * h, 2 * w, c)


class NumpyCNN:
    """The digits CNN's step in NumPy, the floor for an engine on NumPy."""

    def __init__(self, model: nn.Sequential) -> None:
        s = model.state_dict()
        self.conv1 = NumpyConv(s["0.weight"], s["0.bias"], (BATCH, 8, 8, 1))
        self.conv2 = NumpyConv(s["3.weight"], s["3.bias"], (BATCH, 4, 4, 32))
        # the Linear's inputs in (H, W, C) order instead of PyTorch's flatten order (C, H, W)
        self.W = np.ascontiguousarray(
            s["7.weight"].reshape(10, 64, 2, 2).transpose(0, 2, 3, 1).reshape(10, 256))
        self.b = s["7.bias"].copy()
        self.rows = np.arange(BATCH)

    def step(self, X: np.ndarray, y: np.ndarray, lr: float) -> float:
        n = len(X)
        p1, w1 = pool_relu(self.conv1.forward(X.reshape(n, 8, 8, 1)))  # (N, 4, 4, 32)
        p2, w2 = pool_relu(self.conv2.forward(p1))                       # (N, 2, 2, 64)
        flat = p2.reshape(n, -1)
        z = flat @ self.W.T + self.b
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        s = z.sum(axis=1, keepdims=True)
        loss = float(np.log(s).mean() - np.log(z[self.rows, y]).mean())
        z /= s * n  # d loss / d logits = (softmax - onehot) / n
        z[self.rows, y] -= np.float32(1.0 / n)
        dW, db = z.T @ flat, z.sum(axis=0)
        g2 = pool_relu_back((z @ self.W).reshape(p2.shape), p2, w2)
        g1 = pool_relu_back(self.conv2.backward(g2, need_input=True), p1, w1)
        self.conv1.backward(g1, need_input=False)
        for p, g in ((self.conv1.w, self.conv1.dw), (self.conv1.b, self.conv1.db),
                     (self.conv2.w, self.conv2.dw), (self.conv2.b, self.conv2.db),
                     (self.W, dW), (self.b, db)):
            g *= lr
            p -= g
        return loss

    def params(self) -> list[np.ndarray]:
        """The parameters in PyTorch's layouts (for the comparison)."""
        W = self.W.reshape(10, 2, 2, 64).transpose(0, 3, 1, 2).reshape(10, 256)
        return [self.conv1.weight_oihw(), self.conv1.b, self.conv2.weight_oihw(), self.conv2.b,
                W, self.b]


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    torch_threads()
    autograd.set_default_dtype(np.float32)
    nn.manual_seed(0)
    model = engine_model()
    hand = NumpyCNN(model)
    tm = torch_model(model) if torch is not None else None
    optimizer = optim.SGD(model.parameters(), lr=LR)
    data = digits_batches(64)
    engine_data = [(Tensor(X), Tensor(y)) for X, y in data]

    loss_engine = engine_step(model, optimizer, *engine_data[0])
    loss_hand = hand.step(*data[0], LR)
    assert abs(loss_engine - loss_hand) < 1e-4, (loss_engine, loss_hand)
    state = model.state_dict()
    for name, p in zip(state, hand.params()):
        assert_close(name, p, state[name])
    if tm is not None:
        topt = torch.optim.SGD(tm.parameters(), lr=LR)
        torch_data = [(torch.from_numpy(X), torch.from_numpy(y)) for X, y in data]
        loss_torch = torch_step(tm, topt, *torch_data[0])
        assert abs(loss_torch - loss_engine) < 1e-4, (loss_torch, loss_engine)
        for name, p in zip(state, hand.params()):
            assert_close(name, tm.state_dict()[name].numpy(), p)
    print("one step from the same weights: same loss and update in all implementations "
          f"(loss {loss_engine:.4f})")

    steps = {"engine": cycling(partial(engine_step, model, optimizer), engine_data),
             "NumPy": cycling(lambda X, y: hand.step(X, y, LR), data)}
    if tm is not None:
        steps["PyTorch"] = cycling(partial(torch_step, tm, topt), torch_data)
    time_and_report(f"digits CNN step, batch {BATCH}, float32", steps, warmup=10,
                    blocks=20 if args.quick else 100, per_block=20, goal="engine <= 1.5x PyTorch")


if __name__ == "__main__":
    main()
