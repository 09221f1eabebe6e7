"""``backward_steps``: one frame per node, in the engine's reverse topological order, with the
gradients a real ``backward()`` computes, and without touching anyone's ``.grad``."""

import re

import numpy as np
import pytest

from autograd import Tensor, Value, backward_steps
from autograd.engine import topological_order
from autograd.viz import records as R

FRAME = 'src="data:image/svg+xml;base64,'  # one frame of a stepper page


def build():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + a  # a is used twice
    c.label = "c"
    d = (c * 0.5).tanh()
    d.label = "d"
    return d, [a, b, c]


def test_one_frame_per_node_in_reverse_topological_order():
    d, _ = build()
    steps = backward_steps(d)
    order = list(reversed(topological_order((d,))))
    assert len(steps) == len(order) == 6  # a, b, a*b, +a, *0.5, tanh
    assert [step.node for step in steps] == order
    assert [step.index for step in steps] == list(range(6))
    assert steps[0].node is d and steps[0].grad == 1.0
    position = {step.node: step.index for step in steps}
    for step in steps:  # a node's frame comes after the frames of every node that uses it
        for parent in step.node._prev:
            assert position[parent] > step.index


def test_frames_have_the_grads_of_a_real_backward_and_leave_grad_alone():
    d, (a, b, c) = build()
    steps = backward_steps(d)
    assert a.grad == b.grad == c.grad == d.grad == 0.0  # untouched
    recorded = {step.node: step.grad for step in steps}
    d.backward()
    for node in topological_order((d,)):
        assert recorded[node] == pytest.approx(node.grad)
    assert recorded[a] == pytest.approx(a.grad) and a.grad != 0.0


def test_grads_so_far_grow_by_one_node_per_frame():
    d, _ = build()
    steps = backward_steps(d)
    for i, step in enumerate(steps):
        assert list(step.grads) == [s.node for s in steps[: i + 1]]
        assert step.grads[step.node] == step.grad


def test_frame_drawing_highlights_the_node_and_hides_later_grads():
    d, (a, b, c) = build()
    steps = backward_steps(d)
    src = steps[2].graph.source
    highlighted = [line for line in src.splitlines()
                   if "label=<" in line and f'color="{R.HIGHLIGHT.border}"' in line
                   and not line.startswith("\tlabel=<")]  # the legend's swatch
    assert len(highlighted) == 1 and "<b>c</b>" in highlighted[0]
    assert f"grad {R.fmt_number(steps[2].grad)}" in highlighted[0]
    assert "grad ?" in [line for line in src.splitlines() if "<b>a</b>" in line][0]
    assert "step 3 of 6" in src and "grad just completed" in src
    hot_edges = re.findall(r"-> (\w+) \[color=\"#d32f2f\"", src)
    assert len(hot_edges) == 2  # the gradient flows into c's two inputs next
    last = steps[-1].graph.source
    assert "grad ?" not in last


def test_every_frame_keeps_the_same_cell_sizes():
    d, _ = build()
    steps = backward_steps(d)
    sizes = [re.findall(r'width="\d+" height="\d+"', step.graph.source) for step in steps]
    assert all(s == sizes[0] for s in sizes) and len(sizes[0]) == 6


def test_indexing_slicing_and_errors():
    d, _ = build()
    steps = backward_steps(d)
    assert steps[-1].node is steps[len(steps) - 1].node
    assert [s.index for s in steps[1:3]] == [1, 2]
    with pytest.raises(IndexError):
        steps[6]
    assert "6 steps" in repr(steps) and "1/6" in repr(steps[0])
    with pytest.raises(TypeError):
        backward_steps(1.0)


def test_tensor_graph_steps_match_backward():
    W = Tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True, label="W")
    x = Tensor([1.0, -2.0], label="x")
    loss = ((W @ x).sigmoid() ** 2).sum()
    steps = backward_steps(loss)
    assert W.grad is None
    recorded = {step.node: step.grad for step in steps}
    assert recorded[x] is None  # x does not require grad
    loss.backward()
    np.testing.assert_allclose(recorded[W], W.grad, rtol=1e-6)
    assert "grad ?" in steps[0].graph.source
    with pytest.raises(RuntimeError, match="scalar"):
        backward_steps(W @ x)
    vec = backward_steps(W @ x, gradient=np.ones(2, dtype=np.float32))
    np.testing.assert_allclose({s.node: s.grad for s in vec}[W], [[1, -2], [1, -2]])


def test_save_writes_one_svg_per_step_and_a_playable_page(tmp_path):
    d, _ = build()
    steps = backward_steps(d)
    paths = steps.save(tmp_path / "frames")
    svgs = sorted((tmp_path / "frames").glob("step_*.svg"))
    assert [p.name for p in svgs] == [f"step_{i:03d}.svg" for i in range(6)]
    assert all(p.read_text().lstrip().startswith("<?xml") for p in svgs)
    assert R.HIGHLIGHT.border in svgs[3].read_text()
    page = (tmp_path / "frames" / "backward_steps.html").read_text()
    assert page.count(FRAME) == 6 and page.count('type="radio"') == 7  # 6 steps + play
    assert "<script" not in page and "@keyframes" in page
    assert paths[-1].name == "backward_steps.html" and len(paths) == 7


def test_jupyter_display(capsys):
    d, _ = build()
    steps = backward_steps(d)
    html = steps._repr_html_()
    assert html.count(FRAME) == 6 and "&#9654; play" in html
    short = steps.html(max_frames=2)
    assert short.count(FRAME) == 2 and "first 2 of 6 steps" in short
    bundle = steps[0]._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]
    steps.show("frames")
    steps.show("html")
    assert capsys.readouterr().out  # plain Python prints the displayed objects' text
    with pytest.raises(ValueError, match="mode"):
        steps.show("movie")
