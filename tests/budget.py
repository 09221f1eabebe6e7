"""How many examples a property test draws: its own count, times the profile's factor.

A test that sets ``max_examples`` itself is not deepened by a profile's ``max_examples``
(Hypothesis lets the explicit value win), so such tests ask ``examples(n)`` instead: ``n`` under
the "ci" and "explore" profiles, 20 times ``n`` under "thorough" (``tests/conftest.py``).
Budgets that are the point of a test (a mutant must be caught within 200 examples) stay fixed.
"""

from __future__ import annotations

import os

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
FACTOR = 20 if PROFILE == "thorough" else 1


def examples(n: int) -> int:
    """``n`` examples, scaled by the profile (``thorough``: 20x)."""
    return n * FACTOR
