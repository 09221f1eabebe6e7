"""check_backward: hand-written NumPy backward passes against finite differences and autodiff."""

import numpy as np
import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import BackwardReport, GradcheckError, check_backward

RNG = np.random.default_rng(0)
X, W, B = RNG.standard_normal((5, 3)), RNG.standard_normal((3, 2)), RNG.standard_normal(2)


def dense(x, w, b):
    """A dense tanh layer: written with operators, so it runs on ndarrays and on Tensors."""
    return (x @ w + b).tanh() if hasattr(x, "tanh") else np.tanh(x @ w + b)


def dense_backward(g, x, w, b):
    gz = g * (1 - np.tanh(x @ w + b) ** 2)
    return gz @ w.T, x.T @ gz, gz.sum(axis=0)


def test_a_correct_backward_passes_with_a_table():
    report = check_backward(dense, dense_backward, X, W, B)
    assert isinstance(report, BackwardReport) and report.ok
    assert [r.verdict for r in report.rows] == ["exact", "exact", "exact"]  # same NumPy ops
    assert all(r.autodiff_diff == 0 and r.max_abs_diff < 1e-8 for r in report.rows)
    text = str(report)
    assert "max |hand - numeric|" in text and "worst index" in text
    assert len(text.splitlines()) == 2 + 3
    assert "| array |" in report._repr_markdown_()


def test_exact_only_when_equal_to_the_engine_bit_for_bit():
    x, w = np.array([[1.0, 2.0]]), np.array([[0.5], [-1.0]])
    report = check_backward(lambda x, w: x @ w, lambda g, x, w: (g @ w.T, x.T @ g), x, w)
    assert [r.verdict for r in report.rows] == ["exact", "exact"]
    nudged = check_backward(lambda x, w: x @ w,
                            lambda g, x, w: (g @ w.T * (1 + 1e-9), x.T @ g), x, w)
    assert [r.verdict for r in nudged.rows] == ["close", "exact"]


def test_a_wrong_factor_is_caught_naming_array_index_and_values():
    def backward(g, x, w, b):
        gx, gw, gb = dense_backward(g, x, w, b)
        return gx, 2 * gw, gb  # the weight's gradient doubled

    with pytest.raises(GradcheckError) as info:
        check_backward(dense, backward, X, W, B)
    e = info.value
    assert e.input_index == 1 and len(e.index) == 2
    assert abs(e.analytic - 2 * e.numeric) < 1e-6
    assert "array 1 (shape (3, 2))" in str(e) and "hand-written" in str(e)
    assert [r.verdict for r in e.report.rows] == ["exact", "WRONG", "exact"]


def test_a_transposed_gradient_is_caught():
    sq = RNG.standard_normal((3, 3))

    def forward(x, w):
        return x @ w

    def backward(g, x, w):
        return g @ w.T, (x.T @ g).T  # the weight's gradient transposed (same shape: square)

    with pytest.raises(GradcheckError) as info:
        check_backward(forward, backward, RNG.standard_normal((4, 3)), sq)
    assert info.value.input_index == 1


def test_a_missing_sum_over_the_batch_is_caught_naming_both_shapes():
    def backward(g, x, w, b):
        gz = g * (1 - np.tanh(x @ w + b) ** 2)
        return gz @ w.T, x.T @ gz, gz  # the bias gradient not summed over the batch

    with pytest.raises(GradcheckError, match=r"shape \(5, 2\) for array 2 of shape \(2,\)"):
        check_backward(dense, backward, X, W, B)


def test_a_numpy_only_forward_is_compared_with_finite_differences():
    def forward(x):
        return np.maximum(x, 0.0) ** 2  # np.maximum does not take a Tensor

    report = check_backward(forward, lambda g, x: g * 2 * np.maximum(x, 0.0),
                            np.array([[0.5, -1.0], [2.0, 0.3]]))
    assert not report.autodiff and report.rows[0].autodiff_diff is None
    assert "plain NumPy" in str(report)


def test_the_arrays_are_not_changed():
    x, w, b = X.copy(), W.copy(), B.copy()

    def backward(g, x, w, b):
        out = dense_backward(g, x, w, b)
        x += 1.0  # a careless backward that writes into its input
        return out

    check_backward(dense, backward, x, w, b)
    np.testing.assert_array_equal(x, X)


@settings(max_examples=examples(25), deadline=None)
@given(n=st.integers(1, 4), d=st.integers(1, 4), scale=st.sampled_from([1.0, 1.01, -1.0]))
def test_any_scaled_softmax_backward_is_judged_right(n, d, scale):
    """softmax's backward: g·s - s·sum(g·s); any factor other than 1 must be caught."""
    z = np.random.default_rng(n * 10 + d).standard_normal((n, d))

    def forward(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def backward(g, z):
        s = forward(z)
        return scale * (g * s - s * (g * s).sum(axis=1, keepdims=True))

    if d == 1 or scale == 1.0:  # softmax of one class is constant: its gradient is 0
        assert check_backward(forward, backward, z).ok
    else:
        with pytest.raises(GradcheckError):
            check_backward(forward, backward, z)


def test_bad_arguments_name_what_is_wrong():
    with pytest.raises(ValueError, match="backward returned 1 gradients for 2 arrays"):
        check_backward(lambda x, y: x * y, lambda g, x, y: g * y, np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="atol"):
        check_backward(lambda x: x, lambda g, x: g, np.ones(2), atol=float("nan"))
    with pytest.raises(ValueError, match="at least one array"):
        check_backward(lambda: 1.0, lambda g: ())
    with pytest.raises(TypeError, match="array 0 must be numeric"):
        check_backward(lambda x: x, lambda g, x: g, "abc")
