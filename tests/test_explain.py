"""explain: the chain rule as applied; every op has a template; the terms add up to .grad."""

import re
from pathlib import Path

import numpy as np
import pytest
from budget import examples
from hypothesis import given, settings

import autograd
import nn.functional as F
from autograd import Tensor, Value, explain, grad
from autograd.explain import NO_GRADIENT_OPS, TEMPLATES, template_for
from autograd.tensor_ops.matmul import linear
from autograd.tensor_ops.softmax import cross_entropy, log_softmax
from autograd.testing import graphs

ROOT = Path(autograd.__file__).parent


def ops_in_source() -> set:
    """Every op name the engine's sources give a node: value.py and tensor_ops/*.py."""
    names = set()
    for path in [ROOT / "value.py", *sorted((ROOT / "tensor_ops").glob("*.py"))]:
        text = path.read_text()
        names |= set(re.findall(r'_back\w*, "([^"]+)"', text))  # make(..., _x_back, "op")
        names |= set(re.findall(r'_(?:extreme|pairwise)\([^)]*"(\w+)"', text))  # op by argument
    return names


def t(*shape, seed=0, positive=False):
    a = np.random.default_rng(seed).uniform(0.5, 2.0, shape)
    return Tensor(a if positive else a - 1.25, requires_grad=True)


def v(x):
    return Value(x)


# One small graph per op (a node made by each op), Value and Tensor.
BUILDERS = {
    "value": [
        lambda: v(1.5) + v(2.0), lambda: v(1.5) + 2, lambda: 2 + v(1.5),
        lambda: v(1.5) - v(2.0), lambda: v(1.5) - 2, lambda: 2 - v(1.5),
        lambda: v(1.5) * v(2.0), lambda: v(1.5) * 2, lambda: 2 * v(1.5),
        lambda: v(1.5) / v(2.0), lambda: v(1.5) / 2, lambda: 2 / v(1.5),
        lambda: v(1.5) ** v(2.0), lambda: v(1.5) ** 2, lambda: 2 ** v(1.5),
        lambda: -v(1.5), lambda: abs(v(-1.5)), lambda: v(1.5).exp(), lambda: v(1.5).log(),
        lambda: v(1.5).sqrt(), lambda: v(1.5).tanh(), lambda: v(1.5).sigmoid(),
        lambda: v(1.5).relu(), lambda: v(-1.5).leaky_relu(), lambda: v(-1.5).elu(),
        lambda: v(1.5).sin(), lambda: v(1.5).cos(),
        lambda: autograd.dot([v(1.0), v(2.0)], [v(3.0), v(-1.0)], v(0.5)),
        lambda: _zero_slope(),
    ],
    "tensor": [
        lambda: (t(2, 3) + t(3, seed=1)).sum(), lambda: (t(2, 3) - t(3, seed=1)).sum(),
        lambda: (t(2, 3) * t(3, seed=1)).sum(),
        lambda: (t(2, 3) / t(3, seed=1, positive=True)).sum(),
        lambda: (t(3, positive=True) ** 2).sum(),
        lambda: (t(3, positive=True) ** t(3, seed=1)).sum(),
        lambda: (t(2, 3) @ t(3, 2, seed=1)).sum(), lambda: (-t(3)).sum(),
        lambda: t(3).exp().sum(), lambda: t(3, positive=True).log().sum(),
        lambda: t(3, positive=True).sqrt().sum(), lambda: t(3).tanh().sum(),
        lambda: t(3).sigmoid().sum(), lambda: t(3).relu().sum(),
        lambda: t(3).leaky_relu().sum(), lambda: t(3).elu().sum(), lambda: t(3).sin().sum(),
        lambda: t(3).cos().sum(), lambda: abs(t(3)).sum(), lambda: t(3).clip(-0.5, 0.5).sum(),
        lambda: t(2, 3).mean(), lambda: t(2, 3).max(), lambda: t(2, 3).min(),
        lambda: t(2, 3).var(), lambda: t(2, 3).reshape(3, 2).sum(),
        lambda: t(2, 3).transpose().sum(), lambda: t(3).broadcast_to(2, 3).sum(),
        lambda: t(2, 3)[[1, 1]].sum(),
        lambda: autograd.concatenate([t(2), t(3, seed=1)]).sum(),
        lambda: autograd.stack([t(2), t(2, seed=1)]).sum(),
        lambda: autograd.where(np.array([True, False, True]), t(3), t(3, seed=1)).sum(),
        lambda: autograd.maximum(t(3), t(3, seed=1)).sum(),
        lambda: autograd.minimum(t(3), t(3, seed=1)).sum(),
        lambda: linear(t(2, 3), t(4, 3, seed=1), t(4, seed=2)).sum(),
        lambda: log_softmax(t(2, 3)).sum(),
        lambda: cross_entropy(t(2, 3), np.array([0, 2])),
        lambda: _index_add(),
        lambda: (t(2, 3).softmax(1) * t(2, 3, seed=1)).sum(),
        lambda: t(2, 3).logsumexp(1).sum(),
        lambda: (t(2, 3).cumsum(1) * t(2, 3, seed=1)).sum(),
        lambda: t(2, 3).gather(1, Tensor(np.array([[0, 0], [2, 1]]))).sum(),
        lambda: autograd.pad(t(2, 3), (1, 2)).sum(),
        lambda: (t(3).astype(np.float32) * 2.0).sum(),
        lambda: F.max_pool2d(t(1, 1, 2, 2), 2).sum(),
        lambda: F.conv2d(t(1, 1, 3, 3), t(1, 1, 2, 2, seed=1), t(1, seed=2)).sum(),
        lambda: _conv_double_backward(),
        lambda: _pick_double_backward(),
        lambda: (F.layer_norm(t(2, 3), (3,), t(3, seed=1), t(3, seed=2))
                 * t(2, 3, seed=3)).sum(),
    ],
}


def _index_add():
    """index_add only appears in a differentiable backward: the gradient graph of indexing."""
    x = t(2, 3)
    (g,) = grad((x[[1, 1]] ** 2).sum(), x, create_graph=True)
    return (g * g).sum()


def _conv_double_backward():
    """conv2d's gradients, taken with create_graph: conv2d_input_grad and _weight_grad nodes."""
    x, w = t(1, 1, 3, 3), t(1, 1, 2, 2, seed=1)
    gx, gw = grad((F.conv2d(x, w) * t(1, 1, 2, 2, seed=2)).sum(), (x, w), create_graph=True)
    return (gx * gx).sum() + (gw * gw).sum()


def _pick_double_backward():
    """max_pool2d's gradient with create_graph: a put_add node."""
    x = t(1, 1, 2, 2)
    (gx,) = grad((F.max_pool2d(x, 2) ** 2).sum(), x, create_graph=True)
    return (gx * gx).sum()


def _zero_slope():
    """relu's slope below 0 under create_graph: a 'zero' node."""
    x = v(-1.5)
    (gx,) = grad(x.relu() * x, x, create_graph=True)
    return gx * x


def all_built():
    for kind, builders in BUILDERS.items():
        for build in builders:
            yield kind, build()


def test_every_op_in_the_source_is_built_here_and_has_a_template():
    """Every op the sources define is built above and has a template (an op added without
    one fails here; at run time it would fall back to d(op)/d(input))."""
    seen = set()
    for _, root in all_built():
        seen |= {n._op for n in autograd.engine.topological_order([root]) if n._prev}
    source = ops_in_source()
    assert set(TEMPLATES) <= source  # the scan finds every templated op
    untemplated = {op for op in seen if op not in TEMPLATES}
    assert untemplated == set(), f"ops without a derivative template: {untemplated}"
    assert source - seen - NO_GRADIENT_OPS == set(), "ops in the source not built above"
    assert not NO_GRADIENT_OPS & set(TEMPLATES)


def test_templated_ops_listed():
    """The ops with a template today (others added later fall back to d(op)/d(input))."""
    expected = {
        "+", "-", "*", "/", "**", "neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid",
        "ReLU", "LeakyReLU", "ELU", "sin", "cos", "clip", "c+", "c-", "c*", "c/", "c**", "dot",
        "@", "linear", "sum", "mean", "max", "min", "reshape", "transpose", "broadcast",
        "index", "index_add", "concat", "stack", "where", "maximum", "minimum", "log_softmax",
        "cross_entropy", "softmax", "logsumexp", "cumsum", "gather", "pick", "put_add", "pad",
        "astype", "conv2d", "conv2d_input_grad", "conv2d_weight_grad", "normalize", "zero",
    }
    assert set(TEMPLATES) == expected


def test_an_op_without_a_template_gets_the_generic_fallback():
    class Node:
        _op, _prev, _ctx = "my_op", (object(),), None

    assert template_for(Node(), 0, ["x"]) == "dmy_op/dx"


@pytest.mark.parametrize("case", range(len(BUILDERS["value"]) + len(BUILDERS["tensor"])))
def test_no_builtin_op_uses_the_fallback_and_terms_add_up(case):
    kind, root = list(all_built())[case]
    assert str(explain(root)).startswith("dL/dL = ")
    for step in explain(root).steps:
        for term in step.terms:
            assert not term.template.startswith("d" + term.child._op + "/")
    check_sums(root)


def check_sums(root):
    """Each node's terms add up to its gradient, and the gradient equals what backward gives."""
    exp = explain(root)
    leaves_only = not isinstance(root, Value)  # a Tensor keeps .grad on leaves only
    root.backward()
    for step in exp.steps:
        if not step.terms:
            continue
        total = step.terms[0].contribution
        for term in step.terms[1:]:
            total = total + term.contribution
        np.testing.assert_allclose(np.asarray(total, np.float64), np.asarray(step.grad, np.float64),
                                   rtol=0, atol=1e-12)
        node = step.node
        if leaves_only and (node._prev or not node.requires_grad):
            continue
        np.testing.assert_allclose(np.asarray(total, np.float64), np.asarray(node.grad, np.float64),
                                   rtol=0, atol=1e-12)


@settings(max_examples=examples(100), deadline=None)
@given(graphs(kind="value"))
def test_value_terms_sum_to_grad_and_the_printed_total_is_the_grad(graph):
    root = graph(*graph.inputs())
    exp = explain(root)
    check_sums(root)  # runs root.backward()
    for step, line in zip(exp.steps, exp.lines()):
        assert line.endswith(repr(float(step.node.grad))) or line.endswith("(the seed)")


@settings(max_examples=examples(50), deadline=None)
@given(graphs(kind="tensor"))
def test_tensor_terms_sum_to_leaf_grads(graph):
    check_sums(graph(*graph.inputs()))


def test_a_node_used_twice_is_the_sum_of_its_two_contributions():
    a = Value(0.5, label="a")
    b = a.tanh()
    b.label = "b"
    L = b * a
    L.label = "L"
    text = str(explain(L)).splitlines()
    assert text[0] == "dL/dL = 1.0  (the seed)"
    assert text[1] == ("dL/db = dL/dL * dL/db = 1.0 * a = 1.0 * 0.5 = 0.5")
    assert text[2].startswith("dL/da = dL/dL * dL/da + dL/db * db/da = 1.0 * b + 0.5 * "
                              "(1 - tanh(a)^2) = ")
    L.backward()
    assert text[2].endswith(f" = {a.grad!r}")


def test_the_issue_format():
    c = Value(0.3, label="c")
    d = c.tanh()
    d.label = "d"
    L = d * 1.0
    L.label = "L"
    line = str(explain(L)).splitlines()[2]
    assert line.startswith("dL/dc = dL/dd * dd/dc = 1.0 * (1 - tanh(c)^2) = 1.0 * 0.9")


def test_markdown_and_latex_render_in_jupyter():
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True, label="x")
    L = (x * x).tanh().sum()
    md, tex, txt = explain(L, "markdown"), explain(L, "latex"), explain(L)
    assert md._repr_markdown_().startswith("- $\\frac{\\partial L}{\\partial L}")
    assert md._repr_latex_() is None and tex._repr_markdown_() is None
    latex = tex._repr_latex_()
    assert latex.startswith("$$\\begin{aligned}") and latex.endswith("\\end{aligned}$$")
    assert latex.count("{") == latex.count("}")
    assert "\\operatorname{tanh}" in latex
    assert str(md) == str(txt)  # str() is always the text


def test_bad_arguments():
    with pytest.raises(ValueError, match="format must be"):
        explain(Value(1.0), format="html")
    with pytest.raises(TypeError, match="root must be a Value or a Tensor"):
        explain(3.0)
    with pytest.raises(ValueError, match="one element"):
        explain(Tensor(np.ones(3), requires_grad=True) * 2)


def test_digits_rounds_the_printed_numbers_only():
    c = Value(0.3, label="c")
    L = c.tanh() * c
    L.label = "L"
    short, exact = explain(L, digits=3), explain(L)
    t = np.tanh(0.3)
    assert str(short).splitlines()[-1].endswith(f"= {t + 0.3 * (1 - t**2):.3g}")
    assert [s.grad for s in short.steps] == [s.grad for s in exact.steps]
