"""``Dropout``: randomly zeroes activations while training, to regularize; off in eval mode."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import functional as F
from ._checks import check_generator, check_node
from .module import Module


class Dropout(Module):
    """Zeroes each element with probability ``p`` in training mode and scales the survivors by
    1/(1-p) (inverted dropout, PyTorch's), so the expected output equals the input and
    ``model.eval()`` turns it into the identity. Masks come from ``nn.init``'s seedable
    generator unless a ``generator`` is given.
    """

    def __init__(self, p: float = 0.5, generator: np.random.Generator | None = None) -> None:
        self.p = F._check_probability(p, "Dropout")
        check_generator("Dropout", generator)
        self.generator = generator

    def forward(self, x: Any) -> Any:
        check_node("Dropout", x, values=False)
        return F.dropout(x, self.p, self.training, self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}"
