"""nn.init: PyTorch's formulas, in place, seedable; statistics within tolerance."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from autograd import Tensor, Value

init = nn.init


def weight(*shape: int, dtype=np.float32) -> Tensor:
    return Tensor(np.zeros(shape, dtype=dtype), requires_grad=True)


def test_calculate_gain_table():
    assert init.calculate_gain("linear") == 1.0
    assert init.calculate_gain("conv2d") == 1.0
    assert init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="swish"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="negative_slope"):
        init.calculate_gain("leaky_relu", "a")


def test_fills_in_place_keep_dtype_and_return_the_tensor():
    t = weight(3, 4)
    array = t.data
    assert init.ones_(t) is t and t.data is array and t.dtype == np.float32
    np.testing.assert_array_equal(t.data, np.ones((3, 4)))
    assert init.zeros_(t) is t and not t.data.any()
    assert init.constant_(t, 2.5) is t and np.all(t.data == 2.5)
    assert t.grad is None and t._prev == ()  # no graph, no gradient touched


def test_uniform_and_normal_statistics():
    init.manual_seed(0)
    t = weight(200, 500, dtype=np.float64)
    init.uniform_(t, -2.0, 3.0)
    assert t.data.min() >= -2.0 and t.data.max() <= 3.0
    assert t.data.mean() == pytest.approx(0.5, abs=0.02)
    assert t.data.std() == pytest.approx(5 / math.sqrt(12), rel=0.01)
    init.normal_(t, mean=1.0, std=0.5)
    assert t.data.mean() == pytest.approx(1.0, abs=0.005)
    assert t.data.std() == pytest.approx(0.5, rel=0.01)
    init.uniform_(t)
    assert t.data.min() >= 0.0 and t.data.max() <= 1.0


def test_xavier():
    init.manual_seed(1)
    t = weight(300, 200)
    bound = math.sqrt(6 / 500)
    init.xavier_uniform_(t)
    assert np.abs(t.data).max() <= bound and np.abs(t.data).max() > 0.99 * bound
    assert t.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    init.xavier_uniform_(t, gain=2.0)
    assert np.abs(t.data).max() <= 2 * bound and np.abs(t.data).max() > 1.98 * bound
    init.xavier_normal_(t, gain=init.calculate_gain("tanh"))
    assert t.data.std() == pytest.approx(5 / 3 * math.sqrt(2 / 500), rel=0.01)


def test_kaiming():
    init.manual_seed(2)
    t = weight(300, 200)
    init.kaiming_uniform_(t)  # a=0, leaky_relu: gain sqrt(2), bound sqrt(6 / fan_in)
    bound = math.sqrt(2.0) * math.sqrt(3 / 200)
    assert np.abs(t.data).max() <= bound and np.abs(t.data).max() > 0.99 * bound
    init.kaiming_uniform_(t, a=math.sqrt(5))  # what Linear uses: bound 1 / sqrt(fan_in)
    assert np.abs(t.data).max() <= 1 / math.sqrt(200)
    assert np.abs(t.data).max() > 0.99 / math.sqrt(200)
    init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu")
    assert np.abs(t.data).max() <= math.sqrt(6 / 300)
    assert np.abs(t.data).max() > 0.99 * math.sqrt(6 / 300)
    init.kaiming_normal_(t, nonlinearity="relu")
    assert t.data.std() == pytest.approx(math.sqrt(2 / 200), rel=0.01)
    init.kaiming_normal_(t, mode="fan_out", nonlinearity="tanh")
    assert t.data.std() == pytest.approx(5 / 3 / math.sqrt(300), rel=0.01)


def test_fans_of_conv_shaped_weights():
    init.manual_seed(3)
    t = weight(64, 32, 3, 3)  # fan_in = 32 * 9, fan_out = 64 * 9
    init.xavier_uniform_(t)
    bound = math.sqrt(6 / (32 * 9 + 64 * 9))
    assert np.abs(t.data).max() <= bound and np.abs(t.data).max() > 0.99 * bound


def test_errors():
    with pytest.raises(ValueError, match=r"shape \(5,\).*2 dimensions"):
        init.xavier_uniform_(weight(5))
    with pytest.raises(ValueError, match="fan_avg"):
        init.kaiming_uniform_(weight(2, 2), mode="fan_avg")
    with pytest.raises(ValueError, match="fewer|2 dimensions"):
        init.kaiming_normal_(Value(1.0))


def test_zero_element_tensors_are_left_alone():
    t = weight(0, 3)
    assert init.kaiming_uniform_(t) is t and init.xavier_normal_(t) is t


def test_manual_seed_and_generator_make_draws_reproducible():
    a, b = weight(4, 4), weight(4, 4)
    init.manual_seed(7)
    init.normal_(a)
    init.manual_seed(7)
    init.normal_(b)
    np.testing.assert_array_equal(a.data, b.data)
    assert nn.manual_seed is init.manual_seed
    init.uniform_(a, generator=np.random.default_rng(9))
    init.uniform_(b, generator=np.random.default_rng(9))
    np.testing.assert_array_equal(a.data, b.data)
    nn.init.manual_seed(11)
    first = nn.Linear(3, 2).state_dict()
    nn.init.manual_seed(11)
    second = nn.Linear(3, 2).state_dict()
    for k in first:
        np.testing.assert_array_equal(first[k], second[k])


def test_values_can_be_filled():
    v = Value(0.0)
    assert init.uniform_(v, 2.0, 3.0) is v and 2.0 <= v.data <= 3.0
    assert isinstance(v.data, float)
    assert init.ones_(v).data == 1.0
