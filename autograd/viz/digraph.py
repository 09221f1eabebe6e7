"""``Drawing``: a ``graphviz.Digraph`` whose rendering errors say how to install Graphviz.

Why: the ``graphviz`` Python package only writes DOT text; drawing it needs the separate ``dot``
program. Without it the package fails with a terse "failed to execute PosixPath('dot')". Every
path that runs ``dot`` (Jupyter's inline SVG, ``pipe``, ``render``, ``view``, ``unflatten``) goes
through the overrides below and raises :class:`GraphvizNotFoundError` instead, whose message
names the install command for each platform. ``.source`` never needs the program.
"""

from __future__ import annotations

from typing import Any

import graphviz

INSTALL_HELP = (
    "The Graphviz 'dot' program is needed to render this drawing but was not found on PATH. "
    "Install Graphviz (the program, not only the Python package): "
    "'apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS), "
    "'conda install -c conda-forge graphviz' (conda), or 'winget install graphviz' / "
    "https://graphviz.org/download/ (Windows), then restart the kernel. "
    "The DOT text is still available as '.source'."
)


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """The ``dot`` program is missing; the message says how to install it."""

    def __init__(self, args: Any = None) -> None:
        RuntimeError.__init__(self, INSTALL_HELP)

    def __str__(self) -> str:
        return INSTALL_HELP


def _explained(call: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``call``; a missing Graphviz program becomes a :class:`GraphvizNotFoundError`."""
    try:
        return call(*args, **kwargs)
    except GraphvizNotFoundError:
        raise
    except graphviz.ExecutableNotFound as e:
        raise GraphvizNotFoundError() from e


class Drawing(graphviz.Digraph):
    """A Digraph that shows itself as SVG in Jupyter and explains a missing ``dot`` program.

    Jupyter's inline display calls ``pipe``; ``view`` calls ``render``: both are covered.
    """

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        return _explained(super().pipe, *args, **kwargs)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        return _explained(super().render, *args, **kwargs)

    def unflatten(self, *args: Any, **kwargs: Any) -> Any:
        return _explained(super().unflatten, *args, **kwargs)

    def svg(self) -> str:
        """The drawing as an SVG string (runs ``dot``)."""
        return self.pipe(format="svg", encoding="utf-8")
