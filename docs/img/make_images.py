"""Regenerate the README's pictures: ``python docs/img/make_images.py``.

The pictures of "Seeing backprop" come from the README's own code: its Python blocks run in
order, as ``tests/test_readme.py`` runs them, up to the end of that section, and the objects
they leave (``L``, ``steps``, ``model``, ``loss``, the gradient-flow plot) are drawn. The
notebook pictures (``nb01.png`` ...) are the stored outputs of the executed notebooks, so
re-execute a notebook first (``jupyter nbconvert --execute --inplace``); ``nb02.png`` is the
neuron's graph, drawn by running that notebook's cells up to its first ``draw_dot``.
``nb07.png`` is left as it is (notebook 07 is maintained separately).

Needs only the package's own dependencies (drawings render with pygraphviz's bundled
Graphviz) and matplotlib. Everything is seeded, so a picture changes only when its code does.
Prints what the README's blocks print.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import nn  # noqa: E402
from autograd import draw_dot  # noqa: E402

OUT = Path(__file__).resolve().parent
ROOT = OUT.parents[1]
DPI = 96  # PNG pixels per inch for the drawings (Graphviz's points are 1/72 inch)

# picture -> (notebook, a string from the code cell whose image output it is)
NOTEBOOK_FIGURES = {
    "nb01": ("01_gradient_descent", "Gradient descent on f(x, y) = ½x² + 5y²"),
    "nb03": ("03_optimizers", "paths from just off the ridge"),
    "nb04": ("04_vanishing_gradients", "Gradient norm per layer at initialization"),
    "nb05": ("05_moons_scalar_mlp", "decision boundary (score = 0)"),
    "nb06": ("06_digits_tensor_mlp", "misclassified test digits"),
}


def png(graph, name: str) -> None:
    graph.attr(dpi=str(DPI))
    (OUT / f"{name}.png").write_bytes(graph.pipe(format="png"))


def readme_namespace(last_section: str = "Seeing backprop") -> dict:
    """Run the README's Python blocks in order, through the end of ``last_section``, in a
    scratch directory (they write files); return the names they define."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    end = re.search(rf"^## {re.escape(last_section)}\n.*?(?=^## )", text, flags=re.S | re.M).end()
    blocks = re.findall(r"```python\n(.*?)```", text[:end], flags=re.S)
    nn.manual_seed(0)  # the README's models are not seeded: the pictures are
    random.seed(0)
    namespace: dict = {}
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        try:
            for i, block in enumerate(b for b in blocks if not b.startswith(" ")):
                exec(compile(block, f"README block {i}", "exec"), namespace)
        finally:
            os.chdir(here)
    return namespace


def readme_pictures() -> None:
    ns = readme_namespace()
    png(draw_dot(ns["L"]), "value_graph_after")
    png(draw_dot(ns["loss"], params=ns["model"]), "tensor_graph")
    png(draw_dot(ns["loss"], params=ns["model"], max_nodes=6), "collapsed_graph")
    png(ns["steps"][3].graph, "backward_step")
    plt.gcf().savefig(OUT / "gradient_flow.png", dpi=90)  # the README's last plot: the deep net
    plt.close("all")


def stored_figure(notebook: str, marker: str) -> bytes:
    """The PNG output of the notebook's code cell that contains ``marker``."""
    cells = json.loads((ROOT / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    for cell in cells["cells"]:
        if cell["cell_type"] == "code" and marker in "".join(cell["source"]):
            for output in cell.get("outputs", []):
                if "image/png" in output.get("data", {}):
                    return base64.b64decode(output["data"]["image/png"])
            raise ValueError(f"{notebook}: the cell with {marker!r} has no stored image")
    raise ValueError(f"{notebook}: no code cell contains {marker!r}")


def neuron_graph() -> None:
    """Notebook 02's neuron after ``o.backward()``, drawn as the notebook draws it: its code
    cells run up to the first ``draw_dot`` (the graph is built by then)."""
    cells = json.loads((ROOT / "notebooks" / "02_backprop_by_hand.ipynb").read_text("utf-8"))
    namespace: dict = {}
    for cell in cells["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "code":
            continue
        if source.startswith("draw_dot("):
            break
        code = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
        exec(compile(code, "notebook 02", "exec"), namespace)
    o = namespace["o"]
    o.backward()
    png(draw_dot(o, params=[namespace[n] for n in ("w1", "w2", "b")]), "nb02")
    plt.close("all")


def main() -> None:
    readme_pictures()
    neuron_graph()
    for name, (notebook, marker) in NOTEBOOK_FIGURES.items():
        (OUT / f"{name}.png").write_bytes(stored_figure(notebook, marker))


if __name__ == "__main__":
    main()
