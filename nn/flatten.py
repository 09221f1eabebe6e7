"""``Flatten``: merges dimensions ``start_dim..end_dim`` into one, e.g. images into vectors."""

from __future__ import annotations

import math
from typing import Any

from ._checks import check_int, check_node
from .module import Module


class Flatten(Module):
    """Reshapes ``(N, d1, d2, ...)`` to ``(N, d1 * d2 * ...)``: by default every dimension but
    the first (the batch) is merged, as in PyTorch."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        self.start_dim = check_int("Flatten", "start_dim", start_dim)
        self.end_dim = check_int("Flatten", "end_dim", end_dim)

    def forward(self, x: Any) -> Any:
        check_node("Flatten", x, values=False)
        shape = tuple(x.shape)
        ndim = max(len(shape), 1)
        start = self.start_dim + ndim if self.start_dim < 0 else self.start_dim
        end = self.end_dim + ndim if self.end_dim < 0 else self.end_dim
        if not 0 <= start <= end < ndim:
            raise ValueError(
                f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim}) does not fit an "
                f"input of shape {shape}"
            )
        if not shape:
            return x.reshape(1)
        merged = math.prod(shape[start:end + 1])
        return x.reshape(*shape[:start], merged, *shape[end + 1:])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
