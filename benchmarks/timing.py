"""``interleave``: how the benchmarks time training steps of several implementations fairly.

Each implementation runs a block of back-to-back steps, as in a training loop, then the next
one's block, the order rotating every round, so drift in machine load hits all alike and each
follows each other equally often. Untimed steps at the start of a block (``warm``) let the
previous implementation's BLAS and OpenMP worker threads go quiet (they spin for a while after
a call) and bring this one's arrays back into the caches. No sleeps: a sleep lets every
library's worker threads fall asleep, and the next step then times their waking up.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def interleave(steps: dict[str, Callable[[], object]], blocks: int, per_block: int,
               warm: int = 0) -> dict[str, tuple[float, float]]:
    """Run ``blocks`` rounds of one block per implementation; returns name -> (median wall
    seconds, median CPU seconds) of its timed steps. Medians of single steps, not block means:
    a step slowed by the previous implementation's still-spinning threads does not count."""
    wall: dict[str, list[float]] = {name: [] for name in steps}
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    names = list(steps)
    wall_clock, cpu_clock = time.perf_counter, time.process_time
    for r in range(blocks):
        for name in names[r % len(names):] + names[: r % len(names)]:
            step, walls, cpus = steps[name], wall[name], cpu[name]
            for _ in range(warm):
                step()
            for _ in range(per_block):
                w0, c0 = wall_clock(), cpu_clock()
                step()
                walls.append(wall_clock() - w0)
                cpus.append(cpu_clock() - c0)
    return {name: (statistics.median(wall[name]), statistics.median(cpu[name])) for name in names}
