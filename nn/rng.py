"""The random generator behind ``nn.init`` and ``Dropout``, seedable in one call.

``nn.init.manual_seed(0)`` (also ``nn.manual_seed``) makes ``Linear``'s initialization and
dropout masks reproducible. Every init function and ``Dropout`` also accept their own
``numpy.random.Generator``. The scalar classes (``Neuron``) draw from Python's ``random``
instead, as micrograd does: seed those with ``random.seed(n)``.
"""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reset the shared generator to ``seed``; returns it."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def generator() -> np.random.Generator:
    """The shared generator (replaced by each ``manual_seed``, so fetch it on every use)."""
    return _generator
