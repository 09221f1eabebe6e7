"""``Embedding`` and ``nn.functional.embedding``: a lookup table of learned vectors, one row per
index, as PyTorch's.

The indices may have any shape; the result has that shape plus ``embedding_dim``. Repeated
indices accumulate their gradients into the same row (one ``np.add.at``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, get_default_dtype, where
from autograd.tensor_ops.pick import pick

from . import init
from ._checks import any_outside
from .module import Module


def embedding_indices(input: Any, num_embeddings: int) -> np.ndarray:
    """``input`` (an int ndarray, a list of ints, or a Tensor of whole numbers) as an intp
    array of valid row indices; anything else raises, naming what was given."""
    from_tensor = isinstance(input, Tensor)
    data = input.data if from_tensor else np.asarray(input)
    if from_tensor and data.dtype.kind == "f":  # a Tensor made from ints may hold floats
        if not np.all(np.isfinite(data) & (data == np.round(data))):
            raise TypeError("embedding: a floating Tensor of indices must hold whole numbers")
    elif data.dtype.kind not in "iu" and not (data.size == 0 and data.dtype.kind == "f"):
        raise TypeError(f"embedding: indices must be integers, got dtype {data.dtype}")
    data = data.astype(np.intp, copy=False)
    if any_outside(data, num_embeddings):
        bad = np.flatnonzero((data < 0) | (data >= num_embeddings))
        i = int(bad[0])
        raise IndexError(f"embedding: index {data.flat[i]} (at flat position {i}) is out of "
                         f"range for {num_embeddings} embeddings")
    return data


def _padding_index(padding_idx: Any, num_embeddings: int, op: str) -> int | None:
    """``padding_idx`` as a row in ``[0, num_embeddings)`` (negative counts from the end)."""
    if padding_idx is None:
        return None
    if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)) or \
            not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"{op}: padding_idx must be an int in [-{num_embeddings}, "
                         f"{num_embeddings}), got {padding_idx!r}")
    return int(padding_idx) % num_embeddings


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` ``(num_embeddings, embedding_dim)`` at the integer ``input``, as
    ``F.embedding``: the result has shape ``input.shape + (embedding_dim,)``. The row
    ``padding_idx`` (if given) gets no gradient.

    >>> from autograd import Tensor
    >>> table = Tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    >>> embedding([[2, 0], [1, 1]], table).shape
    (2, 2, 2)
    """
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        got = weight.shape if isinstance(weight, Tensor) else type(weight).__name__
        raise ValueError(f"embedding: weight must be a 2-D Tensor, got {got}")
    rows = embedding_indices(input, weight.shape[0])
    padding_idx = _padding_index(padding_idx, weight.shape[0], "embedding")
    dim = weight.shape[1]
    flat = rows[..., None] * dim + np.arange(dim)  # the flat position of every element
    out = pick(weight, flat)
    if padding_idx is None:
        return out
    padded = (rows == padding_idx)[..., None]  # there the row is a constant: no gradient
    return where(padded, weight.data[padding_idx], out)


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``; indexing it by integers
    of any shape gives their vectors. ``weight`` is initialized N(0, 1), as in PyTorch; the
    ``padding_idx`` row (if given) starts at zeros and is never trained.

    >>> emb = Embedding(27, 2)
    >>> emb.weight.shape, emb([[1, 2, 3], [0, 0, 5]]).shape
    ((27, 2), (2, 3, 2))
    """

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 padding_idx: int | None = None) -> None:
        for name, n in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
                raise ValueError(f"Embedding {name} must be a non-negative int, got {n!r}")
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        self.padding_idx = _padding_index(padding_idx, self.num_embeddings, "Embedding")
        shape = (self.num_embeddings, self.embedding_dim)
        self.weight = Tensor(np.empty(shape, get_default_dtype()), requires_grad=True)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh N(0, 1) rows from ``nn.init``'s generator (PyTorch's default); the
        ``padding_idx`` row is zeros."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input: Any) -> Tensor:
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text if self.padding_idx is None else f"{text}, padding_idx={self.padding_idx}"
