"""``interleave``: how the benchmarks time training steps of several implementations fairly.

Each implementation runs a block of back-to-back steps, as in a training loop, then another
one's block. The blocks follow ``balanced_order``: each implementation's block comes after
every other implementation's equally often, so neither drift in machine load nor what the
previous block leaves behind (another library's worker threads still spinning, caches holding
its arrays) favours one of them. Untimed steps at the start of a block (``warm``) let those
threads go quiet and bring this one's arrays back into the caches. No sleeps: a sleep lets
every library's worker threads fall asleep, and the next step then times their waking up.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable


def balanced_order(names: list[str]) -> list[str]:
    """One cycle of blocks in which each name follows each other name exactly once.

    That is a closed walk using every ordered pair once (an Eulerian circuit of the complete
    directed graph on the names; Hierholzer's algorithm). Simply rotating the order each
    round does not do it for three or more: in ``ABC BCA CAB ABC ...`` A follows C twice for
    every once it follows B.

    >>> balanced_order(["A", "B", "C"])
    ['A', 'C', 'B', 'C', 'A', 'B']
    """
    if len(names) < 3:
        return list(names)  # A B A B ...: each follows the other every time
    unused = {i: [j for j in range(len(names)) if j != i] for i in range(len(names))}
    stack, circuit = [0], []
    while stack:
        if unused[stack[-1]]:
            stack.append(unused[stack[-1]].pop())
        else:
            circuit.append(stack.pop())
    return [names[i] for i in reversed(circuit[1:])]  # (the walk ends where it starts)


def interleave(steps: dict[str, Callable[[], object]], blocks: int, per_block: int,
               warm: int = 0) -> dict[str, tuple[float, float]]:
    """Run ``blocks`` blocks per implementation in ``balanced_order``; returns name -> (median
    wall seconds, median CPU seconds) of its timed steps. Medians of single steps, not block
    means: a step slowed by the previous implementation's still-spinning threads does not
    count."""
    wall: dict[str, list[float]] = {name: [] for name in steps}
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    order = itertools.islice(itertools.cycle(balanced_order(list(steps))), blocks * len(steps))
    wall_clock, cpu_clock = time.perf_counter, time.process_time
    for name in order:
        step, walls, cpus = steps[name], wall[name], cpu[name]
        for _ in range(warm):
            step()
        for _ in range(per_block):
            w0, c0 = wall_clock(), cpu_clock()
            step()
            walls.append(wall_clock() - w0)
            cpus.append(cpu_clock() - c0)
    return {name: (statistics.median(wall[name]), statistics.median(cpu[name])) for name in steps}
