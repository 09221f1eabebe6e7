"""Rendering drawings: SVG and PNG from the Graphviz library pygraphviz bundles (no ``dot``
program needed), files, Jupyter's fitted SVG, the ``dot`` program when present, and the
error that says how to get Graphviz when neither is there."""

import base64
import html
import os
import re
import shutil
import struct
import sys
from pathlib import Path

import graphviz
import pytest

from autograd import Value, backward_steps, draw_dot
from autograd.viz import digraph
from autograd.viz.digraph import BACKEND_ENV, GraphvizNotFoundError, backend


def neuron_after_backward():
    """micrograd's example: ``L = (a * b + c) * f`` with its gradients filled in."""
    a, b, c, f = (Value(x, label=n) for x, n in [(2.0, "a"), (-3.0, "b"), (10.0, "c"),
                                                  (-2.0, "f")])
    L = (a * b + c) * f
    L.label = "L"
    L.backward()
    return L


def svg_size_pt(svg: str) -> tuple[float, float]:
    w, h = re.search(r'<svg[^>]* width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    return float(w), float(h)


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


@pytest.fixture
def bundled(monkeypatch):
    """The bundled library, whatever is on PATH."""
    monkeypatch.setenv(BACKEND_ENV, "pygraphviz")
    assert backend() == "pygraphviz"


def test_bundled_library_is_the_default_and_needs_no_dot_program(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dot program
    monkeypatch.delenv(BACKEND_ENV, raising=False)
    assert shutil.which("dot") is None and backend() == "pygraphviz"
    svg = draw_dot(neuron_after_backward()).svg()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_svg_has_labels_data_and_grads(bundled):
    svg = html.unescape(draw_dot(neuron_after_backward()).svg())  # Graphviz writes - as &#45;
    for text in ("data 2.0000", "grad 6.0000",  # leaf a: dL/da = b * f = 6
                 "data -3.0000", "grad -4.0000", "data -8.0000", "grad 1.0000"):
        assert f">{text}</text>" in svg, text
    assert re.search(r">L</text>", svg) and "legend" in svg
    assert svg.count('class="node"') == 7 + 3  # seven records, three ops


def test_a_leaf_shared_by_hundreds_of_ops_is_laid_out(bundled):
    """A weight used by every step of a 1000-op chain: Graphviz's node placement ran 30-75 s
    on it (a hang in Jupyter) until the drawing capped it (``nslimit``); the cap leaves the
    usual graphs' layout as it was. (No timing asserted: that is the benchmarks' job.)"""
    v = Value(0.5, label="v")
    s = v
    for i in range(1000):
        s = (s * 0.999 + 0.001 * v).tanh() if i % 2 else (s * 0.999).tanh()
    drawing = draw_dot(s)
    assert "nslimit=3" in drawing.source
    svg = drawing.svg()
    assert svg.count('class="node"') > 100 and ">v</text>" in svg


def test_png_is_the_same_drawing_at_96_dpi(bundled):
    g = draw_dot(neuron_after_backward())
    w_pt, h_pt = svg_size_pt(g.svg())
    w, h = png_size(g.pipe(format="png"))
    assert abs(w - w_pt * 96 / 72) <= 2 and abs(h - h_pt * 96 / 72) <= 2
    bigger = draw_dot(neuron_after_backward(), title="a caption on top")
    assert png_size(bigger.pipe(format="png"))[1] > h  # the PNG really is this graph


def test_pipe_and_render_keep_graphvizs_surface(bundled, tmp_path):
    g = draw_dot(neuron_after_backward())
    assert isinstance(g, graphviz.Digraph) and "digraph" in g.source
    assert g.pipe(format="svg", encoding="utf-8") == g.svg()
    assert g.pipe(format="svg").startswith(b"<?xml")  # bytes without an encoding
    out = g.render(tmp_path / "graph", format="png", cleanup=True)
    assert out == str(tmp_path / "graph.png") and png_size((tmp_path / "graph.png").read_bytes())
    assert not (tmp_path / "graph").exists()  # cleanup removed the DOT source
    out = g.render(outfile=tmp_path / "sub.svg")
    assert out == str(tmp_path / "sub.svg") and "grad 6.0000" in (tmp_path / "sub.svg").read_text()
    assert "digraph" in (tmp_path / "sub.gv").read_text()
    with pytest.raises(graphviz.FileExistsError):
        g.render(outfile=tmp_path / "sub.svg", raise_if_result_exists=True)


def shown_svgs(html_text: str) -> list[str]:
    """The SVG documents inside HTML's ``<img src="data:image/svg+xml;base64,...">``."""
    found = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html_text)
    return [base64.b64decode(data).decode("utf-8") for data in found]


def test_jupyter_shows_html_that_fits_the_cell_and_the_svg(bundled):
    g = draw_dot(neuron_after_backward())
    bundle = g._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/svg+xml"}
    tag = re.search(r"<svg[^>]*>", bundle["image/svg+xml"]).group()
    assert 'style="max-width:100%;height:auto"' in tag
    assert 'viewBox="' in tag and re.search(r'width="[\d.]+pt"', tag)  # natural size kept
    assert bundle["image/svg+xml"].replace(' style="max-width:100%;height:auto"', "", 1) == g.svg()
    html_text = bundle["text/html"]
    width = svg_size_pt(g.svg())[0]
    assert "overflow-x:auto" in html_text and "max-width:100%" in html_text
    assert f"min-width:{width / 2:.0f}pt" in html_text  # shrinks to half, then scrolls
    assert shown_svgs(html_text) == [bundle["image/svg+xml"]]
    assert list(g._repr_mimebundle_(include=["image/png"])) == ["image/png"]
    assert "text/html" not in g._repr_mimebundle_(exclude=["text/html"])


def test_stepper_frames_fit_the_page(bundled):
    steps = backward_steps(neuron_after_backward())
    page = steps.html()
    frames = shown_svgs(page)
    assert len(frames) == len(steps) and page.count("max-width:100%") == len(steps)
    assert not any("step 1 of" in f for f in frames)  # the caption is HTML above each frame
    assert "grad 6.0000" in html.unescape(frames[-1])  # the last frame has every gradient
    assert "step 1 of" in steps[0].svg()  # a frame on its own carries its caption


def test_unflatten_runs_without_a_program_on_path(bundled, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    flat = draw_dot(neuron_after_backward()).unflatten(stagger=3)
    assert isinstance(flat, graphviz.Source) and "<b>L</b>" in flat.source


def test_the_dot_program_when_present_else_the_bundled_library(monkeypatch, tmp_path):
    """With ``dot`` on PATH, ``CHAINRULE_GRAPHVIZ=dot`` renders through it and draws the
    same graph; without it (as on CI), asking for it is the clear error, and the default
    choice stays the bundled library."""
    g = draw_dot(neuron_after_backward())
    monkeypatch.setenv(BACKEND_ENV, "dot")
    if shutil.which("dot"):
        assert backend() == "dot"
        svg = html.unescape(g.pipe(format="svg", encoding="utf-8"))
        assert "grad 6.0000" in svg and "data -8.0000" in svg and ">L</text>" in svg
        assert g._repr_mimebundle_()["image/svg+xml"].startswith("<?xml")
        out = g.render(tmp_path / "graph", format="svg")
        assert "grad 6.0000" in Path(out).read_text()
    else:
        with pytest.raises(GraphvizNotFoundError):
            backend()
        with pytest.raises(GraphvizNotFoundError):
            g.svg()
        monkeypatch.delenv(BACKEND_ENV)
        assert backend() == "pygraphviz"
        assert "grad 6.0000" in g.svg()
    monkeypatch.setenv(BACKEND_ENV, "cairo")
    with pytest.raises(ValueError, match=BACKEND_ENV):
        backend()


def test_without_graphviz_the_error_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # import pygraphviz fails
    monkeypatch.setenv("PATH", str(tmp_path))  # and no dot program
    monkeypatch.delenv(BACKEND_ENV, raising=False)
    assert digraph._pygraphviz() is None
    g = draw_dot(neuron_after_backward())
    assert "digraph" in g.source and "<b>L</b>" in g.source  # the DOT text needs nothing
    steps = backward_steps(neuron_after_backward())
    for attempt in (g._repr_mimebundle_, lambda: g.pipe(format="svg"), g.svg,
                    lambda: g.render(tmp_path / "graph"), steps.html):
        with pytest.raises(GraphvizNotFoundError) as err:
            attempt()
        message = str(err.value)
        assert message.index("pip install pygraphviz") < message.index("apt-get install graphviz")
        assert "brew install graphviz" in message and "conda" in message and ".source" in message
        assert isinstance(err.value, graphviz.ExecutableNotFound)
    assert repr(Value(1.0))  # reprs never need Graphviz
    assert not hasattr(Value(1.0), "_repr_svg_") and not hasattr(Value(1.0), "_repr_mimebundle_")


def test_graphviz_errors_raise_and_fontconfig_noise_is_dropped(bundled, capfd):
    g = draw_dot(neuron_after_backward())
    g.node("broken", label="<<table><tr><td>no closing tag</td></tr>>")
    with pytest.raises(ValueError, match="Graphviz could not render.*mismatched tag"):
        g.svg()
    capfd.readouterr()
    with digraph._graphviz_messages() as messages:
        os.write(2, b'Fontconfig warning: "05-reset-dirs-sample.conf": unknown element\n')
        os.write(2, b"Warning: node too small for its label\n")
    assert messages == ["Warning: node too small for its label"]
    err = capfd.readouterr().err
    assert "node too small" in err and "Fontconfig" not in err
