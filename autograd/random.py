"""Seedable randomness for sampling and the random factories: ``Generator`` and ``multinomial``.

``Generator(seed)`` wraps NumPy's PCG64 stream; ``Generator().manual_seed(n)`` reads like
PyTorch's (makemore's ``g = torch.Generator().manual_seed(2147483647)``). Wherever a generator
is taken, a ``numpy.random.Generator`` works too, and ``None`` means the shared default one
(reset by ``autograd.manual_seed``). The streams are NumPy's, so the numbers differ from
PyTorch's for the same seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Tensor, make


class Generator:
    """A seedable random stream (NumPy's PCG64), as ``torch.Generator``.

    >>> from autograd import Generator, rand
    >>> a = rand(3, generator=Generator(42)); b = rand(3, generator=Generator().manual_seed(42))
    >>> (a == b).all().item()
    True
    """

    def __init__(self, seed: int | None = None) -> None:
        self.manual_seed(seed)

    def manual_seed(self, seed: int | None) -> Generator:
        """Restart the stream from ``seed`` (None: fresh entropy); returns the generator."""
        if seed is not None and (not isinstance(seed, (int, np.integer)) or
                                 isinstance(seed, bool) or seed < 0):
            raise TypeError(f"Generator: seed must be a non-negative int or None, got {seed!r}")
        self._seed = None if seed is None else int(seed)
        self.rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def initial_seed(self) -> int | None:
        """The seed the stream last started from (None if it came from fresh entropy)."""
        return self._seed

    def __repr__(self) -> str:
        return f"Generator(seed={self._seed})"


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Reset the default generator (what ``generator=None`` draws from) to ``seed``."""
    return default_generator.manual_seed(seed)


def numpy_rng(generator: Any, who: str) -> np.random.Generator:
    """The ``numpy.random.Generator`` behind ``generator`` (a Generator, a NumPy one or None)."""
    if generator is None:
        return default_generator.rng
    if isinstance(generator, Generator):
        return generator.rng
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"{who}: generator must be an autograd.Generator, a numpy.random.Generator "
                    f"or None, got {type(generator).__name__}")


def multinomial(probs: Any, num_samples: int, replacement: bool = False,
                generator: Any = None) -> Tensor:
    """Category indices (int64) drawn with probability proportional to ``probs``, as PyTorch.

    ``probs`` is 1-D (one distribution: shape ``(num_samples,)`` back) or 2-D (one per row:
    ``(rows, num_samples)``), non-negative and finite, not necessarily normalized. Without
    ``replacement`` a category is drawn at most once per row, so ``num_samples`` may not exceed
    the number of non-zero weights.

    >>> from autograd import Generator, Tensor, multinomial
    >>> multinomial(Tensor([0.0, 1.0, 0.0]), 4, replacement=True, generator=Generator(0))
    Tensor([1, 1, 1, 1])
    """
    rng = numpy_rng(generator, "multinomial")
    if not isinstance(probs, (Tensor, np.ndarray, list, tuple)):
        raise TypeError(f"multinomial: probs must be a Tensor, ndarray or list, "
                        f"got {type(probs).__name__}")
    p = np.asarray(probs.data if isinstance(probs, Tensor) else probs, dtype=np.float64)
    if p.ndim not in (1, 2):
        raise ValueError(f"multinomial: probs must be 1-D or 2-D, got shape {p.shape}")
    if not isinstance(num_samples, (int, np.integer)) or isinstance(num_samples, bool) or \
            num_samples <= 0:
        raise ValueError(f"multinomial: num_samples must be a positive int, got {num_samples!r}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("multinomial: probs must be finite and non-negative")
    if p.size == 0:
        raise ValueError(f"multinomial: probs is empty (shape {p.shape}): nothing to draw from")
    rows = p.reshape(-1, p.shape[-1])
    totals = rows.sum(axis=1)
    if p.shape[-1] == 0 or np.any(totals <= 0):
        raise ValueError("multinomial: each distribution needs a positive total weight")
    if not replacement and np.any((rows > 0).sum(axis=1) < num_samples):
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement "
                         "from fewer non-zero categories")
    out = np.empty((len(rows), num_samples), dtype=np.int64)
    for r, (w, total) in enumerate(zip(rows, totals)):
        if replacement:  # inverse CDF: one uniform per sample
            cdf = np.cumsum(w / total)
            u = rng.random(num_samples) * cdf[-1]
            out[r] = np.minimum(np.searchsorted(cdf, u, side="right"), len(w) - 1)
        else:
            out[r] = rng.choice(len(w), size=num_samples, replace=False, p=w / total)
    return make(out.reshape(p.shape[:-1] + (num_samples,)), (), None, "multinomial")
