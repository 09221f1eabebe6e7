"""Watching nodes as they are created: the user's source line of each node, and anomaly checks.

Why: an error about a node ("this tanh's backward is wrong", "this log made a nan") is only
useful if it says which line of *your* code made that node. The engine cannot afford to look at
the call stack for every node, so it does not: ``value._node`` and ``tensor.make`` read one
flag, ``Watch.active``, while recording a node, and only when a watcher is installed
(``recording_sites()``, ``detect_anomaly()``, gradcheck's blame) do they call ``Watch.observe``.

A site is the innermost frame outside chainrule's own packages (``autograd``, ``nn``,
``optim``): for ``loss = model(x)`` it is that line, not the line inside ``nn.Linear``.
Sites are kept in a dict from node to ``Site`` for as long as the watcher is installed, so the
nodes it saw stay alive until then: a tool for debugging a few steps, not a whole training run.
"""

from __future__ import annotations

import linecache
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LIBRARY = tuple(os.path.join(_ROOT, pkg) + os.sep for pkg in ("autograd", "nn", "optim"))


@dataclass(frozen=True)
class Site:
    """Where a node was created: file, line number, function and the line's source text."""

    filename: str
    lineno: int
    function: str
    code: str

    def __str__(self) -> str:
        text = f"{self.filename}:{self.lineno} in {self.function}"
        return f"{text}: {self.code}" if self.code else text


def caller_site() -> Site | None:
    """The innermost frame of the current stack that is not chainrule's own code."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(_LIBRARY):
            lineno = frame.f_lineno
            code = linecache.getline(filename, lineno).strip()
            return Site(filename, lineno, frame.f_code.co_name, code)
        frame = frame.f_back
    return None


class _Watch:
    """The one switch the engine reads: ``active`` is True while any observer is installed.

    Observers are called with each node recorded by ``value._node`` / ``tensor.make`` (after it
    is complete, before the op returns it); ``anomaly`` makes ``engine.propagate`` hand the
    backward pass to ``checked_propagate`` (``autograd.anomaly``). One instance with slots, so
    the engine's check ``Watch.active`` is two of CPython's fastest lookups (~8 ns of the
    ~150 ns it takes to make a Value node; ~0.1% of a scalar MLP training step).
    """

    __slots__ = ("active", "anomaly", "observers", "sites", "site_depth", "checked_propagate")

    def __init__(self) -> None:
        self.active = False
        self.anomaly = False
        self.observers: list[Callable[[Any], None]] = []
        self.sites: dict = {}  # node -> Site while sites are being recorded
        self.site_depth = 0
        self.checked_propagate: Callable[..., dict] | None = None

    def observe(self, node: Any) -> None:
        for observer in list(self.observers):
            observer(node)


Watch = _Watch()


def _record_site(node: Any) -> None:
    Watch.sites[node] = caller_site()


@contextmanager
def watching(observer: Callable[[Any], None]) -> Iterator[None]:
    """Call ``observer(node)`` for every node recorded inside the block."""
    Watch.observers.append(observer)
    Watch.active = True
    try:
        yield
    finally:
        Watch.observers.remove(observer)
        Watch.active = bool(Watch.observers)


@contextmanager
def recording_sites() -> Iterator[dict]:
    """Record the creation site of every node made inside the block; yields the node -> Site dict.

    Nested uses share one dict; it is emptied when the outermost block ends.

    >>> from autograd import Value
    >>> with recording_sites() as sites:
    ...     y = Value(2.0).tanh()
    >>> sites[y].code
    'y = Value(2.0).tanh()'
    """
    outermost = Watch.site_depth == 0
    Watch.site_depth += 1
    sites = Watch.sites
    try:
        if outermost:
            with watching(_record_site):
                yield sites
        else:
            yield sites
    finally:
        Watch.site_depth -= 1
        if outermost:
            Watch.sites = {}


def site_of(node: Any) -> Site | None:
    """The recorded creation site of ``node``, or None if it was made outside a recording."""
    return Watch.sites.get(node)
