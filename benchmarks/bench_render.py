"""How long a drawing takes to render: the bundled Graphviz library vs the ``dot`` program.

    python benchmarks/bench_render.py              # ~1 min with dot installed; --repeats 3

Two workloads, each timed both ways (interleaved, median over repeats, wall clock):

- ``draw_dot`` of a 200-node Value graph (the default ``max_nodes``) to SVG and to PNG;
- ``backward_steps(...).html()`` of a graph with 50 nodes: 50 frames, one render each.

"bundled" is pygraphviz's in-process library (the default); "dot" runs the program on PATH
(``CHAINRULE_GRAPHVIZ=dot``), one subprocess per render. Without a ``dot`` program only the
bundled column is measured.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograd import Value, backward_steps, draw_dot  # noqa: E402
from autograd.viz.digraph import BACKEND_ENV  # noqa: E402
from autograd.viz.draw import forward_order  # noqa: E402


def graph_of(nodes: int) -> Value:
    """A sum of ``tanh(a_i * b_i)`` terms with exactly ``nodes`` value nodes."""
    total = Value(0.0, label="0")
    i = 0
    while len(forward_order((total,))) + 5 <= nodes:
        a, b = Value(0.1 * i, label=f"a{i}"), Value(1.0 - 0.05 * i, label=f"b{i}")
        total = total + (a * b).tanh()
        i += 1
    while len(forward_order((total,))) < nodes:
        total = total * 1.01
    total.backward()
    return total


def timed(fn, backend: str) -> float:
    os.environ[BACKEND_ENV] = backend
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    big, small = graph_of(200), graph_of(50)
    assert len(forward_order((big,))) == 200 and len(forward_order((small,))) == 50
    steps = backward_steps(small)
    assert len(steps) == 50
    workloads = {
        "200-node graph -> SVG": lambda: draw_dot(big).svg(),
        "200-node graph -> PNG": lambda: draw_dot(big).pipe(format="png"),
        "50-frame stepper -> HTML": steps.html,
    }
    backends = ["pygraphviz"] + (["dot"] if shutil.which("dot") else [])
    print(f"backends: {', '.join(backends)}; median of {args.repeats} (first run discarded)")
    for name, fn in workloads.items():
        times = {b: [] for b in backends}
        for b in backends:
            timed(fn, b)  # warm-up: imports, fonts, the first layout
        for _ in range(args.repeats):
            for b in backends:
                times[b].append(timed(fn, b))
        cells = [f"{b} {statistics.median(t) * 1000:7.0f} ms" for b, t in times.items()]
        ratio = ""
        if len(backends) == 2:
            slower = statistics.median(times["dot"]) / statistics.median(times["pygraphviz"])
            ratio = f"  (dot / bundled = {slower:.2f}x)"
        print(f"{name:26s} " + "   ".join(cells) + ratio)
    os.environ.pop(BACKEND_ENV, None)


if __name__ == "__main__":
    main()
