"""``select`` is ``np.where`` bit for bit (value, dtype, shape, nan payloads, signed zeros),
for every broadcasting of mask and operands, whichever path it takes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd.tensor_ops import _select
from autograd.tensor_ops._select import select

FLOATS = [np.float16, np.float32, np.float64]
SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.5, -2.0]


def operand(data, shape, dtype):
    """An array of ``shape``, a Python float or a NumPy scalar, with infs, nans and signed zeros."""
    kind = data.draw(st.sampled_from(["array", "python", "numpy"]))
    if kind == "python":
        return data.draw(st.sampled_from(SPECIAL))
    if kind == "numpy":
        return dtype(data.draw(st.sampled_from(SPECIAL)))
    elements = st.one_of(st.sampled_from(SPECIAL), st.floats(width=np.dtype(dtype).itemsize * 8))
    return data.draw(hnp.arrays(dtype, shape, elements=elements))


def same_bits(got, want) -> bool:
    if got.dtype != want.dtype or got.shape != want.shape:
        return False
    unsigned = np.dtype(f"u{want.dtype.itemsize}")
    return np.array_equal(np.asarray(got).view(unsigned), np.asarray(want).view(unsigned))


@pytest.mark.parametrize("threshold", [0, _select._SMALL], ids=["bit path", "as shipped"])
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # (the same threshold
@given(data=st.data(), dtype_a=st.sampled_from(FLOATS), dtype_b=st.sampled_from(FLOATS),
       shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=4))
def test_select_is_np_where_bit_for_bit(threshold, data, dtype_a, dtype_b, shapes, monkeypatch):
    monkeypatch.setattr(_select, "_SMALL", threshold)  # for every example: the fixture is fine)
    mask_shape, a_shape, b_shape = shapes.input_shapes
    mask = data.draw(hnp.arrays(np.bool_, mask_shape))
    a = operand(data, a_shape, dtype_a)
    b = operand(data, b_shape, dtype_b)
    want = np.where(mask, a, b)
    got = select(mask, a, b)
    assert same_bits(got, want), (mask, a, b, got, want)


def test_large_random_masks_take_the_bit_path_and_match():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 60)).astype(np.float32)
    a[::7] = np.inf
    mask = rng.standard_normal((300, 60)) > 0
    assert a.size >= _select._SMALL  # large enough for the bit path
    for b in (0.0, -0.0, np.float32(2.5), rng.standard_normal((300, 60)), rng.standard_normal(60)):
        assert same_bits(select(mask, a, b), np.where(mask, a, b))


def test_other_masks_and_dtypes_fall_back_to_np_where():
    ints = np.arange(20000)
    mask = ints % 3 == 0
    assert np.array_equal(select(mask, ints, -ints), np.where(mask, ints, -ints))
    assert np.array_equal(select(ints % 2, 1.0, 0.0), np.where(ints % 2, 1.0, 0.0))  # int mask
