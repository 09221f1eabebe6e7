"""The Tensor path on real data: an MLP classifies scikit-learn's handwritten digits (8x8 images).

    python examples/digits.py           # ~3 s; prints test accuracy and a confusion matrix

``Sequential(Linear(64, 128), ReLU(), Linear(128, 64), ReLU(), Linear(64, 10))`` in float32,
trained with Adam on minibatches of 32 and softmax cross-entropy, on the 80% training split of
the 1,797 bundled images (``load_digits``, no download), standardized with the training
statistics. It must reach 97% accuracy on the held-out 20% (exit status 1 if not).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tqdm import tqdm

import nn
import optim
from autograd import Tensor, no_grad

EPOCHS = 30
BATCH = 32
LR = 1e-3
TARGET = 0.97


def load_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train/test split (80/20, ``random_state=0``), standardized with the training statistics."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0  # pixels that are always blank in training
    X_train = ((X_train - mean) / std).astype(np.float32)
    X_test = ((X_test - mean) / std).astype(np.float32)
    return X_train, X_test, y_train, y_test


def make_model() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10),
    )


def predict(model: nn.Module, X: np.ndarray) -> np.ndarray:
    with no_grad():
        return model(Tensor(X)).data.argmax(axis=1)


def train(model: nn.Module, X: np.ndarray, y: np.ndarray, epochs: int, seed: int) -> None:
    optimizer = optim.Adam(model.parameters(), lr=LR)
    rng = np.random.default_rng(seed)
    n = len(X)
    bar = tqdm(range(epochs), desc="training", unit="epoch")
    for _ in bar:
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, BATCH):
            idx = order[start:start + BATCH]
            logits = model(Tensor(X[idx]))
            loss = nn.functional.cross_entropy(logits, y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        accuracy = (predict(model, X) == y).mean()
        bar.set_postfix(loss=f"{total / n:.4f}", train_acc=f"{accuracy:.1%}")


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray, classes: int = 10) -> np.ndarray:
    """``m[i, j]``: how many images of digit ``i`` were predicted as ``j``."""
    m = np.zeros((classes, classes), dtype=int)
    np.add.at(m, (truth, predicted), 1)
    return m


def print_confusion(m: np.ndarray) -> None:
    print("confusion matrix (rows: true digit, columns: predicted)")
    print("      " + "".join(f"{j:>4}" for j in range(len(m))))
    for i, row in enumerate(m):
        print(f"  {i:>2}  " + "".join(f"{v:>4}" if v else "   ." for v in row))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seed", type=int, default=0, help="initialization and shuffling seed")
    args = parser.parse_args()

    start, start_cpu = time.perf_counter(), time.process_time()
    X_train, X_test, y_train, y_test = load_data()
    print(f"digits: {len(X_train)} training and {len(X_test)} test images of 8x8 pixels")
    nn.manual_seed(args.seed)  # Linear's initialization
    model = make_model()
    print(model)

    train(model, X_train, y_train, args.epochs, args.seed)

    predicted = predict(model, X_test)
    accuracy = (predicted == y_test).mean()
    print_confusion(confusion_matrix(y_test, predicted))
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(f"test accuracy {accuracy:.2%} ({(predicted == y_test).sum()}/{len(y_test)}); "
          f"took {wall:.1f} s ({cpu:.1f} s of CPU)")
    if accuracy < TARGET:
        print(f"error: test accuracy {accuracy:.2%} is below {TARGET:.0%}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
