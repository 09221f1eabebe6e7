"""``autograd.Generator`` and ``autograd.multinomial``: seeded, reproducible draws with the
right frequencies, PyTorch's shapes and rules (no repeats without replacement), clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Generator, Tensor, multinomial


def test_generator_seeds_like_pytorch():
    g = Generator().manual_seed(2147483647)  # makemore's idiom
    assert isinstance(g, Generator) and g.initial_seed() == 2147483647
    assert repr(g) == "Generator(seed=2147483647)"
    a = multinomial(Tensor([0.2, 0.3, 0.5]), 20, replacement=True, generator=g)
    b = multinomial(Tensor([0.2, 0.3, 0.5]), 20, replacement=True,
                    generator=Generator(2147483647))
    np.testing.assert_array_equal(a.data, b.data)
    c = multinomial(Tensor([0.2, 0.3, 0.5]), 20, replacement=True, generator=g)
    assert not np.array_equal(a.data, c.data)  # the stream moved on


def test_frequencies_follow_the_weights_unnormalized():
    w = np.array([1.0, 0.0, 3.0, 6.0])  # sums to 10, not 1
    draws = multinomial(Tensor(w), 20000, replacement=True, generator=Generator(0))
    assert draws.dtype == np.int64 and draws.shape == (20000,) and not draws.requires_grad
    freq = np.bincount(draws.data, minlength=4) / 20000
    np.testing.assert_allclose(freq, w / w.sum(), atol=0.015)
    assert freq[1] == 0.0  # a zero weight is never drawn


def test_rows_are_independent_distributions():
    probs = Tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    out = multinomial(probs, 5, replacement=True, generator=Generator(1))
    assert out.shape == (2, 5)
    np.testing.assert_array_equal(out.data, [[1] * 5, [0] * 5])


def test_without_replacement_each_category_at_most_once():
    g = Generator(5)
    for _ in range(20):
        out = multinomial(Tensor([[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]]), 4, generator=g)
        for row in out.tolist():
            assert sorted(row) == [0, 1, 2, 3]
    firsts = [multinomial(Tensor([0.05, 0.95]), 1, generator=g).item() for _ in range(400)]
    assert 0.9 < np.mean(firsts) < 0.99  # the first draw still follows the weights


def test_a_sampled_index_works_as_a_python_index():
    itos = {0: ".", 1: "a", 2: "b"}
    ix = multinomial(Tensor([0.0, 0.0, 1.0]), num_samples=1, replacement=True,
                     generator=Generator(0)).item()
    assert type(ix) is int and itos[ix] == "b"


def test_numpy_generator_and_arrays_are_accepted():
    rng = np.random.default_rng(3)
    out = multinomial(np.array([0.5, 0.5]), 3, replacement=True, generator=rng)
    assert out.shape == (3,) and set(out.tolist()) <= {0, 1}


@pytest.mark.parametrize("probs, n, replacement, message", [
    ([0.5, -0.5], 1, True, "finite and non-negative"),
    ([0.5, np.nan], 1, True, "finite and non-negative"),
    ([0.0, 0.0], 1, True, "positive total weight"),
    ([[[0.5]]], 1, True, "1-D or 2-D"),
    ([0.5, 0.5, 0.0], 3, False, "without replacement"),
    ([0.5, 0.5], 0, True, "num_samples must be a positive int"),
])
def test_bad_inputs_raise_clearly(probs, n, replacement, message):
    with pytest.raises(ValueError, match=message):
        multinomial(Tensor(probs), n, replacement=replacement, generator=Generator(0))


def test_bad_generator_is_named():
    with pytest.raises(TypeError, match="multinomial: generator must be"):
        multinomial(Tensor([1.0]), 1, generator=42)


def test_makemore_bigram_trains_and_samples_as_in_the_lecture():
    """makemore part 1's neural bigram, line for line in this engine's spelling."""
    from autograd import arange, one_hot, randn

    words = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "ella"]
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    V = len(stoi)
    xs, ys = [], []
    for w in words:
        cs = ["."] + list(w) + ["."]
        for a, b in zip(cs, cs[1:]):
            xs.append(stoi[a])
            ys.append(stoi[b])
    xs, ys = Tensor(xs), Tensor(ys)
    assert xs.dtype == np.int64
    g = Generator().manual_seed(2147483647)
    W = randn(V, V, generator=g, requires_grad=True)
    losses = []
    for _ in range(30):
        xenc = one_hot(xs, num_classes=V).float()
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[arange(len(xs)), ys].log().mean() + 0.01 * (W ** 2).mean()
        losses.append(loss.item())
        W.grad = None
        loss.backward()
        W.data += -10 * W.grad
    assert losses[-1] < 0.6 * losses[0]
    names = []
    for _ in range(5):
        out, ix = [], 0
        while True:
            p = (one_hot(Tensor([ix]), num_classes=V).float() @ W).softmax(axis=1)
            ix = multinomial(p, num_samples=1, replacement=True, generator=g).item()
            if ix == 0 or len(out) > 20:
                break
            out.append(itos[ix])
        names.append("".join(out))
    assert all(set(n) <= set(chars) for n in names) and any(names)
