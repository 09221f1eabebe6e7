"""``Drawing``: a ``graphviz.Digraph`` rendered by the Graphviz library ``pip install`` brings.

Why: the ``graphviz`` Python package only writes DOT text and runs a separate ``dot`` program
to draw it, so a fresh machine fails with "failed to execute PosixPath('dot')" until a system
package is installed. ``pygraphviz`` (a dependency) ships wheels with the Graphviz library
inside, so here every render (Jupyter's inline SVG, ``pipe``, ``render``, ``view``, ``svg``)
runs in-process through it; the ``dot`` program is used only when ``pygraphviz`` cannot be
imported (or ``CHAINRULE_GRAPHVIZ=dot`` asks for it). With neither, rendering raises
:class:`GraphvizNotFoundError`, whose message says how to get one. ``.source`` needs neither.

In Jupyter and in exported HTML a wide drawing shrinks to the cell's width (to half its size at
most; beyond that it scrolls, starting at the right end, where a left-to-right graph has its
output), instead of running off the page. The SVG travels as an ``<img>`` data URI, which
notebook viewers that strip inline SVG (GitHub's) still show.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from pathlib import Path
from typing import Any

import graphviz

INSTALL_HELP = (
    "Rendering this drawing needs Graphviz, and neither the pygraphviz package nor the 'dot' "
    "program was found. Install it with 'pip install pygraphviz' (its wheels bundle Graphviz "
    "itself: nothing else to install), or install the Graphviz program: "
    "'apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS), "
    "'conda install -c conda-forge graphviz' (conda), or 'winget install graphviz' / "
    "https://graphviz.org/download/ (Windows); then restart the kernel. "
    "The DOT text is still available as '.source'."
)

MIN_SCALE = 0.5  # a drawing shrinks to fit the page down to this scale, then it scrolls
BACKEND_ENV = "CHAINRULE_GRAPHVIZ"  # "pygraphviz" or "dot": force one way of rendering
_lock = threading.Lock()  # the Graphviz library keeps global state: one render at a time


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Neither ``pygraphviz`` nor the ``dot`` program is available; the message says how to
    install one."""

    def __init__(self, args: Any = None) -> None:
        RuntimeError.__init__(self, INSTALL_HELP)

    def __str__(self) -> str:
        return INSTALL_HELP


def _pygraphviz() -> Any:
    """The ``pygraphviz`` module, or None when it is not installed (or cannot load)."""
    try:
        import pygraphviz
    except (ImportError, OSError):
        return None
    return pygraphviz


def backend() -> str:
    """How drawings are rendered here: ``"pygraphviz"`` (the bundled library, in-process)
    or ``"dot"`` (the program on PATH). Raises :class:`GraphvizNotFoundError` with neither.

    >>> from autograd.viz.digraph import backend
    >>> backend() in ("pygraphviz", "dot")
    True
    """
    wanted = os.environ.get(BACKEND_ENV, "").strip().lower()
    if wanted not in ("", "pygraphviz", "dot"):
        raise ValueError(f"{BACKEND_ENV} must be 'pygraphviz' or 'dot', got {wanted!r}")
    if wanted != "dot" and _pygraphviz() is not None:
        return "pygraphviz"
    if wanted != "pygraphviz" and shutil.which("dot"):
        return "dot"
    raise GraphvizNotFoundError()


def render_bytes(source: str, format: str = "svg", engine: str = "dot") -> bytes:
    """Lay out and render DOT ``source`` with the bundled library (``format`` may carry a
    renderer, as in ``"png:cairo"``)."""
    pgv = _pygraphviz()
    if pgv is None:
        raise GraphvizNotFoundError()
    with _lock, _graphviz_messages() as messages:
        graph = pgv.AGraph(string=source)
        data = graph.draw(format=format, prog=engine)
    errors = [line for line in messages if line.startswith("Error")]
    if errors:  # the dot program exits with an error here; the library just draws less
        raise ValueError("Graphviz could not render this drawing: " + " ".join(errors))
    return data


@contextmanager
def _graphviz_messages() -> Iterator[list[str]]:
    """Collect what the Graphviz library writes to file descriptor 2 (in Jupyter it would
    show under the cell) into the yielded list; pass it on to ``sys.stderr``, except the
    bundled fontconfig's harmless complaints about a newer system font configuration."""
    messages: list[str] = []
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as captured:
            os.dup2(captured.fileno(), 2)
            try:
                yield messages
            finally:
                os.dup2(saved, 2)
                captured.seek(0)
                text = captured.read().decode("utf-8", "replace")
    finally:
        os.close(saved)
    messages += [line for line in text.splitlines() if not line.startswith("Fontconfig ")]
    if messages:
        sys.stderr.write("\n".join(messages) + "\n")


def fit_to_width(svg: str) -> str:
    """The SVG made to shrink to its container's width (never grow past its own size).

    The ``width``/``height`` attributes stay (an ``<img>`` needs them for its natural size);
    a style caps the width at 100% and lets the height follow the ``viewBox``.
    """
    return re.sub(r"<svg\b", '<svg style="max-width:100%;height:auto"', svg, count=1)


def html_figure(svg: str, alt: str = "graph") -> str:
    """``svg`` as HTML that fits the page: an ``<img>`` at its own size when that fits, else
    shrunk to the page's width (down to ``MIN_SCALE``), else in a box that scrolls sideways
    and starts at its right end."""
    found = re.search(r'<svg\b[^>]*?\bwidth="([\d.]+)pt"', svg)
    floor = f"min-width:{MIN_SCALE * float(found.group(1)):.0f}pt;" if found else ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        '<div style="overflow-x:auto;direction:rtl;text-align:left">'
        f'<img style="max-width:100%;{floor}height:auto;direction:ltr" alt="{escape(alt)}" '
        f'src="data:image/svg+xml;base64,{data}"></div>'
    )


def _explained(call: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``call``; a missing Graphviz program becomes a :class:`GraphvizNotFoundError`."""
    try:
        return call(*args, **kwargs)
    except GraphvizNotFoundError:
        raise
    except graphviz.ExecutableNotFound as e:
        raise GraphvizNotFoundError() from e


class Drawing(graphviz.Digraph):
    """A Digraph that renders with the bundled Graphviz library and fits a notebook cell.

    ``pipe`` and ``render`` keep ``graphviz``'s signatures (Jupyter's display calls
    ``pipe``; ``view`` calls ``render``); ``svg()`` is the drawing as an SVG string.
    """

    def pipe(
        self,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: Any = None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
    ) -> Any:
        if backend() == "dot":
            return _explained(
                super().pipe, format, renderer=renderer, formatter=formatter,
                neato_no_op=neato_no_op, quiet=quiet, engine=engine, encoding=encoding,
            )
        spec = ":".join(p for p in (format or self.format, renderer, formatter) if p)
        data = render_bytes(self.source, spec, engine or self.engine)
        return data.decode(encoding) if encoding else data

    def render(
        self,
        filename: str | os.PathLike | None = None,
        directory: str | os.PathLike | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: Any = None,
        quiet: bool = False,
        quiet_view: bool = False,
        *,
        outfile: str | os.PathLike | None = None,
        engine: str | None = None,
        raise_if_result_exists: bool = False,
        overwrite_source: bool = False,
    ) -> str:
        """Save the DOT source to ``filename`` and render it next to it (``filename.svg``),
        or to ``outfile``; returns the rendered file's path, as ``graphviz`` does."""
        if backend() == "dot":
            return _explained(
                super().render, filename, directory=directory, view=view, cleanup=cleanup,
                format=format, renderer=renderer, formatter=formatter, neato_no_op=neato_no_op,
                quiet=quiet, quiet_view=quiet_view, outfile=outfile, engine=engine,
                raise_if_result_exists=raise_if_result_exists, overwrite_source=overwrite_source,
            )
        if outfile is not None:
            out = Path(outfile)
            format = format or out.suffix.lstrip(".") or self.format
            if filename is None:  # the source goes next to the output, as graphviz does
                filename = out.with_suffix(".gv")
            out = Path(directory if directory is not None else self.directory) / out
        format = format or self.format
        source_path = self.save(filename, directory=directory)
        rendered = str(out) if outfile is not None else f"{source_path}.{format}"
        if raise_if_result_exists and os.path.exists(rendered):
            raise graphviz.FileExistsError(f"output file exists: {rendered!r}")
        if os.path.abspath(rendered) == os.path.abspath(source_path) and not overwrite_source:
            raise ValueError(f"outfile {rendered!r} is the source file: pass overwrite_source")
        data = self.pipe(format, renderer=renderer, formatter=formatter, engine=engine)
        Path(rendered).write_bytes(data)
        if cleanup:
            os.remove(source_path)
        if view or quiet_view:
            self._view(rendered, format=format, quiet=quiet_view)
        return rendered

    def unflatten(self, stagger: int | None = None, fanout: bool = False,
                  chain: int | None = None) -> Any:
        """``graphviz``'s ``unflatten`` (a better aspect ratio for wide, shallow graphs), run
        by the ``unflatten`` program ``pygraphviz``'s wheels bundle, else the one on PATH."""
        pgv = _pygraphviz()
        if pgv is None or os.environ.get(BACKEND_ENV, "").strip().lower() == "dot":
            return _explained(super().unflatten, stagger, fanout, chain)
        if fanout and stagger is None:
            raise graphviz.RequiredArgumentError("fanout given without stagger")
        args = [f"-l {stagger}" if stagger is not None else "", "-f" if fanout else "",
                f"-c {chain}" if chain is not None else ""]
        with _lock:
            out = pgv.AGraph(string=self.source).unflatten(" ".join(a for a in args if a))
        return graphviz.Source(str(out), format=self.format, engine=self.engine)

    def svg(self) -> str:
        """The drawing as an SVG document (a string)."""
        return self.pipe(format="svg", encoding="utf-8")

    def _repr_image_svg_xml(self) -> str:
        """Jupyter's inline SVG: the drawing, shrunk to fit the cell when it is wider."""
        return fit_to_width(self.svg())

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kw: Any) -> dict:
        """The SVG, and (what notebooks and exported HTML show first) the same SVG as HTML
        that fits the page; ``include``/``exclude`` pick mimetypes as in ``graphviz``."""
        bundle = super()._repr_mimebundle_(include=include, exclude=exclude, **kw)
        wanted = include is None or "text/html" in include
        if wanted and "text/html" not in (exclude or ()):
            svg = bundle.get("image/svg+xml") or self.svg()
            bundle["text/html"] = html_figure(svg, alt=f"drawing {self.name}")
        return bundle
