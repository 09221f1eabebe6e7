"""``draw_dot``: the DOT source (nodes, edges, labels, colours, legend) and collapsing.

Rendering it (SVG, PNG, files, Jupyter, a missing Graphviz) is ``test_viz_render.py``.
"""

import re

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, draw_dot
from autograd.viz import records as R


def node_line(source: str, name: str) -> str:
    """The DOT line of the record whose bold name is ``name``."""
    lines = [line for line in source.splitlines() if f"<b>{name}</b>" in line and "label=<" in line]
    assert len(lines) == 1, f"expected one node named {name!r}, got {lines}"
    return lines[0]


def node_id(source: str, name: str) -> str:
    return node_line(source, name).split()[0]


def caption(source: str) -> str:
    """The graph's own label line: title, notes and the legend, above the graph."""
    lines = [line for line in source.splitlines() if line.startswith("\tlabel=<")]
    assert len(lines) <= 1, lines
    return lines[0] if lines else ""


def edges(source: str) -> list[tuple[str, str]]:
    return re.findall(r"^\t(\w+) -> (\w+)", source, flags=re.M)


def micrograd_example():
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    f = Value(-2.0, label="f")
    L = d * f
    L.label = "L"
    return L


def test_value_graph_records_ops_and_edges():
    L = micrograd_example()
    src = draw_dot(L).source
    for name, data in [("a", "2.0000"), ("b", "-3.0000"), ("c", "10.0000"), ("L", "-8.0000")]:
        line = node_line(src, name)
        assert f"data {data}" in line and "grad 0.0000" in line
    ops = re.findall(r'^\t(\w+op) \[label="([^"]+)"', src, flags=re.M)
    assert sorted(label for _, label in ops) == ["*", "*", "+"]
    a, b, e = node_id(src, "a"), node_id(src, "b"), node_id(src, "e")
    es = edges(src)
    assert (a, e + "op") in es and (b, e + "op") in es and (e + "op", e) in es
    assert len(es) == 3 + 6  # one edge op -> result per op, one per input use


def test_colours_tell_leaves_and_output_apart_and_legend_explains_them():
    L = micrograd_example()
    src = draw_dot(L).source
    assert f'bgcolor="{R.OUTPUT.fill}"' in node_line(src, "L")
    assert f'bgcolor="{R.LEAF.fill}"' in node_line(src, "a")
    assert f'bgcolor="{R.COMPUTED.fill}"' in node_line(src, "e")
    legend = caption(src)
    assert "<b>legend</b>" in legend and "output" in legend and "input / constant" in legend
    assert "parameter" not in legend  # only the kinds the drawing has
    assert "legend" not in draw_dot(L, legend=False).source
    assert caption(draw_dot(L, legend=False).source) == ""  # no title, nothing hidden: no label
    titled = caption(draw_dot(L, legend=False, title="a <b> & c").source)
    assert "a &lt;b&gt; &amp; c" in titled  # the title is escaped for the HTML-like label


def test_grads_after_backward_and_show_grad_off():
    L = micrograd_example()
    L.backward()
    src = draw_dot(L).source
    assert "grad 6.0000" in node_line(src, "a") and "grad -4.0000" in node_line(src, "b")
    assert "grad 1.0000" in node_line(src, "L")
    assert "grad" not in node_line(draw_dot(L, show_grad=False).source, "a")


def test_reused_node_has_one_edge_per_use():
    a = Value(3.0, label="a")
    y = a + a
    y.label = "y"
    src = draw_dot(y).source
    assert edges(src).count((node_id(src, "a"), node_id(src, "y") + "op")) == 2
    z = a * a * a
    z.label = "z"
    src = draw_dot(z).source
    uses = [e for e in edges(src) if e[0] == node_id(src, "a")]
    assert len(uses) == 3


def test_number_operands_show_inside_the_op():
    x = Value(1.5, label="x")
    y = (2 * x + 1) ** 3 / 4
    src = draw_dot(y).source
    labels = re.findall(r'^\t\w+op \[label="([^"]+)"', src, flags=re.M)
    assert set(labels) == {"2 *", "+ 1", "** 3", "/ 4"}
    assert len(re.findall(r"^\tn\d+ \[label=<", src, flags=re.M)) == 5  # no node for a number


def test_same_graph_built_twice_gives_identical_source():
    assert draw_dot(micrograd_example()).source == draw_dot(micrograd_example()).source
    src = draw_dot(micrograd_example()).source
    assert re.findall(r"^\t(n\d+) \[", src, flags=re.M) == [f"n{i}" for i in range(7)]


def test_tensor_graph_shows_shape_dtype_preview_and_none_grad():
    W = Tensor([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]], requires_grad=True, label="W")
    x = Tensor([1.0, 2.0, 3.0], label="x")
    y = (W @ x).tanh().sum()
    y.label = "y"
    src = draw_dot(y).source
    w = node_line(src, "W")
    assert "(2, 3) float32" in w and "-2." in w and "grad None" in w
    assert f'bgcolor="{R.PARAMETER.fill}"' in w  # a requires_grad leaf is a parameter
    assert f'bgcolor="{R.LEAF.fill}"' in node_line(src, "x")
    assert "(3,) float32" in node_line(src, "x")
    y.backward()
    w = node_line(draw_dot(y).source, "W")
    assert "grad None" not in w and "grad" in w
    g = np.round(W.grad, 3)
    assert f"{g[0, 1]:g}" in w


def test_small_mlp_names_and_clusters_parameters():
    import random

    random.seed(0)
    model = nn.MLP(2, [3, 1])
    out = model([Value(1.0, label="x0"), Value(-1.0, label="x1")])
    src = draw_dot(out, params=model).source
    params = [line for line in src.splitlines()
              if f'bgcolor="{R.PARAMETER.fill}"' in line and line != caption(src)]
    assert len(params) == len(model.parameters()) == 13
    assert "<b>layers.0.neurons.0.w.0</b>" in src
    assert len(re.findall(r'\[label=dot ', src)) == 4  # one fused node per neuron
    boxed = draw_dot(out, params=model, cluster=True).source
    assert "subgraph cluster_layers_0" in boxed and "subgraph cluster_layers_1" in boxed
    assert "<b>neurons.0.w.0</b>" in boxed  # names inside a box drop the box's prefix


def test_tensor_model_params_and_pairs():
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2), nn.Sigmoid())
    x = Tensor(np.ones((4, 3)), label="x")
    out = model(x).mean()
    src = draw_dot(out, params=model, cluster=True).source
    assert "<b>weight</b>" in src and "<b>bias</b>" in src and "subgraph cluster_0" in src
    src = draw_dot(out, params=[("w", model[0].weight)]).source
    assert f'bgcolor="{R.PARAMETER.fill}"' in node_line(src, "w")
    assert f'bgcolor="{R.LEAF.fill}"' in node_line(src, "x")


def test_big_graph_collapses_and_says_what_was_left_out():
    x = Value(0.5, label="x")
    y = x
    for _ in range(300):
        y = (y * 0.99).tanh()
    src = draw_dot(y).source
    records = re.findall(r"^\t(n\d+) \[label=<", src, flags=re.M)
    assert len(records) == 200
    assert "… 401 more nodes not drawn" in src and "1 leaves" in src
    assert "tanh ×" in src and "raise max_nodes" in src
    assert 'hidden -> ' in src
    small = draw_dot(y, max_nodes=10).source
    assert len(re.findall(r"^\t(n\d+) \[label=<", small, flags=re.M)) == 10
    assert "<b>x</b>" not in small  # the leaf is furthest from the output
    assert "more nodes" not in draw_dot(y, max_nodes=1000).source
    with pytest.raises(ValueError, match="max_nodes"):
        draw_dot(y, max_nodes=0)


def test_long_chain_is_walked_without_recursion():
    y = Value(1.0)
    for _ in range(20000):
        y = y + 1
    src = draw_dot(y, max_nodes=5).source
    assert "… 19996 more nodes not drawn" in src


def test_bad_root_is_a_type_error():
    with pytest.raises(TypeError, match="Value or Tensor"):
        draw_dot(3.0)
