"""Shared test configuration: the Hypothesis profile every property test runs under.

The "ci" profile (loaded by default) has no per-example deadline, because timing varies on
shared CI machines and the first call of an op pays import and cache costs, and a modest
number of examples so the whole suite stays fast. Set ``HYPOTHESIS_PROFILE=thorough`` for a
longer search before a release.
"""

import os

from hypothesis import settings

settings.register_profile("ci", deadline=None, max_examples=50)
settings.register_profile("thorough", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
