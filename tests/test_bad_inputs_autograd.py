"""The bad-input table for the public ``autograd`` surface (issue 9, item 6): for each entry point
and each class of bad argument (wrong type, None, wrong shape, empty, nan/inf, out of range,
wrong dtype) the exception type and a message fragment naming the argument and what was given;
afterwards every node's data and grad are exactly as before. The nn/optim table is
``tests/test_bad_inputs.py``.

Types follow NumPy and PyTorch: TypeError for a wrong kind, ValueError for a wrong value,
IndexError for an index or axis out of range (an axis error is NumPy's ``AxisError``, both an
IndexError and a ValueError), RuntimeError where PyTorch raises one (grad of an int Tensor, a
non-scalar backward without a gradient).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import find

import autograd as ag
from autograd import Function, Tensor, Value, functional, testing


def _world() -> SimpleNamespace:
    """Nodes mid-training: a Value and a Tensor graph, gradients already accumulated."""
    a, b = Value(2.0, label="a"), Value(-1.5, label="b")
    (a * b + a).backward()
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, dtype=np.float64)
    (x * x).sum().backward()
    y = x * 2.0  # a non-scalar output with a graph below it
    w = Tensor(np.ones((2, 3)), requires_grad=True, dtype=np.float64)  # unused by y
    return SimpleNamespace(a=a, b=b, x=x, y=y, w=w, labels=Tensor([0, 2, 1]),
                           probs=Tensor([0.2, 0.3, 0.5]))


def _snapshot(world: SimpleNamespace) -> list:
    nodes = (world.a, world.b, world.x, world.y, world.w, world.labels, world.probs)
    return [(np.array(n.data, copy=True), None if n.grad is None else np.array(n.grad, copy=True))
            for n in nodes]


def _unchanged(before: list, after: list) -> None:
    for (data0, grad0), (data1, grad1) in zip(before, after):
        np.testing.assert_array_equal(data0, data1)
        assert (grad0 is None) == (grad1 is None)
        if grad0 is not None:
            np.testing.assert_array_equal(grad0, grad1)


def _f64(*shape: int) -> Tensor:
    return Tensor(np.ones(shape), requires_grad=True, dtype=np.float64)


def _sum(t):
    return t.sum()


def _sin_back(g, a):
    return (g * np.cos(a),)


class _Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_values
        return 3 * x ** 2 * g


NAN, INF = math.nan, math.inf

# (entry point, bad class) -> (call on the world, exception, message fragment)
CASES = {
    # ------------------------------------------------------------------------------- Value
    ("Value", "wrong type"): (lambda w: Value("1.0"), TypeError,
                              "Value takes an int or float, got str: '1.0'"),
    ("Value", "None"): (lambda w: Value(None), TypeError, "got NoneType: None"),
    ("Value", "wrong dtype"): (lambda w: Value(True), TypeError, "got bool: True"),
    ("Value", "container"): (lambda w: Value([1.0]), TypeError, "got list"),
    ("Value", "ndarray"): (lambda w: Value(np.ones(2)), TypeError, "got ndarray"),
    ("Value", "label"): (lambda w: Value(1.0, label=3), TypeError,
                         "Value: label must be a str, got int: 3"),
    ("Value.+", "wrong type"): (lambda w: w.a + "1", TypeError, "'Value' and 'str'"),
    ("Value.+", "None"): (lambda w: None + w.a, TypeError, "'NoneType' and 'Value'"),
    ("Value.*", "wrong type"): (lambda w: w.a * {}, TypeError, "'Value' and 'dict'"),
    ("Value.**", "wrong type"): (lambda w: w.a ** "2", TypeError, "'Value' and 'str'"),
    ("Value./", "out of range"): (lambda w: w.a / 0, ZeroDivisionError, "2.0 / 0 divides by zero"),
    ("Value.log", "out of range"): (lambda w: (w.b).log(), ValueError, "log(-1.5)"),
    ("Value.sqrt", "out of range"): (lambda w: w.b.sqrt(), ValueError, "sqrt"),
    ("Value.sin", "nan/inf"): (lambda w: Value(INF).sin(), ValueError, "sin(inf)"),
    ("Value.leaky_relu", "wrong type"): (lambda w: w.a.leaky_relu("0.1"), TypeError,
                                         "negative_slope takes an int or float, got str"),
    ("Value.leaky_relu", "None"): (lambda w: w.b.leaky_relu(None), TypeError,
                                   "negative_slope takes an int or float, got NoneType"),
    ("Value.elu", "wrong type"): (lambda w: w.a.elu("1"), TypeError, "elu alpha takes an int or"),
    ("dot", "None"): (lambda w: ag.dot([w.a], None), TypeError,
                      "dot: inputs must be an iterable of Values or numbers, got NoneType"),
    ("dot", "wrong type"): (lambda w: ag.dot([w.a], ["x"]), TypeError,
                            "dot inputs must be Values or numbers, got str"),
    ("dot", "wrong shape"): (lambda w: ag.dot([w.a], [w.a, w.b]), ValueError,
                             "1 weights but 2 inputs"),
    # ------------------------------------------------------------------------------ Tensor
    ("Tensor", "None"): (lambda w: Tensor(None), TypeError,
                         "Tensor data must be a number, nested list or ndarray, got NoneType"),
    ("Tensor", "wrong type"): (lambda w: Tensor("1.0"), TypeError, "got str"),
    ("Tensor", "None in a list"): (lambda w: Tensor([1, None]), TypeError,
                                   "got None (NoneType) in the list"),
    ("Tensor", "wrong shape"): (lambda w: Tensor([[1.0], [1.0, 2.0]]), TypeError,
                                "rectangular nested list"),
    ("Tensor", "out of range"): (lambda w: Tensor(10 ** 400), OverflowError,
                                 "integer out of range for int64"),
    ("Tensor", "wrong dtype"): (lambda w: Tensor([1, 2], requires_grad=True), RuntimeError,
                                "only floating Tensors can require grad, got dtype int64"),
    ("Tensor", "complex"): (lambda w: Tensor(1j), TypeError, "dtype complex128"),
    ("Tensor", "dtype"): (lambda w: Tensor([1.0], dtype="banana"), TypeError,
                          "dtype must be a NumPy dtype, got 'banana'"),
    ("Tensor", "requires_grad"): (lambda w: Tensor([1.0], requires_grad="yes"), TypeError,
                                  "requires_grad must be a bool, got str"),
    ("Tensor", "label"): (lambda w: Tensor([1.0], label=None), TypeError,
                          "Tensor: label must be a str, got NoneType"),
    ("backward", "wrong type"): (lambda w: w.y.backward(gradient="a"), TypeError,
                                 "backward: gradient must be a Tensor, an ndarray or numbers, "
                                 "got str"),
    ("backward", "None in a list"): (lambda w: w.y.backward(gradient=[1.0, None]), TypeError,
                                     "backward: gradient must be"),
    ("backward", "wrong shape"): (lambda w: w.y.backward(gradient=np.ones(3)), ValueError,
                                  "gradient has shape (3,) but the output has shape (2, 3)"),
    ("backward", "None"): (lambda w: w.y.backward(), RuntimeError,
                           "grad can be implicitly created only for scalar outputs"),
    ("requires_grad_", "wrong dtype"): (lambda w: w.labels.requires_grad_(), RuntimeError,
                                        "this one has dtype int64"),
    ("requires_grad_", "wrong type"): (lambda w: w.x.requires_grad_("no"), TypeError,
                                       "requires_grad_ takes a bool, got str"),
    ("item", "wrong shape"): (lambda w: w.x.item(), ValueError, "got shape (2, 3)"),
    ("+", "wrong type"): (lambda w: w.x + "a", TypeError, "unsupported operand type for a Tensor "
                                                         "op: str"),
    ("+", "None"): (lambda w: None + w.x, TypeError, "NoneType"),
    ("+", "wrong shape"): (lambda w: w.x + Tensor(np.ones(4)), ValueError,
                           "shapes (2, 3) and (4,) cannot be broadcast"),
    ("@", "wrong shape"): (lambda w: w.x @ w.x, ValueError, "shapes (2, 3) @ (2, 3)"),
    ("reshape", "wrong shape"): (lambda w: w.x.reshape(4, 2), ValueError,
                                 "cannot reshape a Tensor of shape (2, 3) into (4, 2)"),
    ("reshape", "wrong type"): (lambda w: w.x.reshape("6"), TypeError,
                                "reshape: shape must be ints, got str"),
    ("reshape", "None"): (lambda w: w.x.reshape(None), TypeError, "got NoneType"),
    ("reshape", "float"): (lambda w: w.x.reshape(2.0, 3), TypeError, "got float in (2.0, 3)"),
    ("view", "wrong shape"): (lambda w: w.x.view(5), ValueError, "into (5,)"),
    ("permute", "out of range"): (lambda w: w.x.permute(0, 2), IndexError,
                                  "axes (0, 2) are not a permutation for shape (2, 3)"),
    ("permute", "repeated"): (lambda w: w.x.permute(0, 0), ValueError, "axes (0, 0)"),
    ("permute", "wrong type"): (lambda w: w.x.permute("a", 0), TypeError,
                                "axes must be ints, got str"),
    ("transpose", "out of range"): (lambda w: w.x.transpose(0, 5), IndexError, "axes (0, 5)"),
    ("squeeze", "out of range"): (lambda w: w.x.squeeze(5), IndexError,
                                  "squeeze: axis 5 is out of range for a Tensor with 2"),
    ("squeeze", "wrong type"): (lambda w: w.x.squeeze("a"), TypeError,
                                "axis must be an int or tuple of ints, got 'a'"),
    ("unsqueeze", "out of range"): (lambda w: w.x.unsqueeze(4), IndexError, "axis 4"),
    ("unsqueeze", "None"): (lambda w: w.x.unsqueeze(None), TypeError,
                            "unsqueeze: dim must be an int, got None"),
    ("unsqueeze", "float"): (lambda w: w.x.unsqueeze(1.0), TypeError, "got 1.0"),
    ("expand", "wrong shape"): (lambda w: w.x.expand(3, 3), ValueError,
                                "shape (2, 3) cannot be broadcast to (3, 3)"),
    ("expand", "wrong type"): (lambda w: w.x.expand("a"), TypeError,
                               "expand: shape must be ints, got str"),
    ("expand", "fewer dims"): (lambda w: w.x.expand(3), ValueError, "fewer dims"),
    ("split", "out of range"): (lambda w: w.x.split(0), ValueError,
                                "split_size must be positive, got 0"),
    ("split", "wrong type"): (lambda w: w.x.split("a"), TypeError,
                              "split_size_or_sections must be an int or a list of ints, got 'a'"),
    ("split", "axis"): (lambda w: w.x.split(1, dim=5), IndexError, "axis 5"),
    ("chunk", "out of range"): (lambda w: w.x.chunk(0), ValueError,
                                "chunks must be a positive int, got 0"),
    ("chunk", "wrong type"): (lambda w: w.x.chunk("a"), ValueError, "got 'a'"),
    ("gather", "wrong dtype"): (lambda w: w.x.gather(1, Tensor(np.zeros((2, 1)))), TypeError,
                                "gather: index must hold integers, got dtype float"),
    ("gather", "out of range"): (lambda w: w.x.gather(1, np.array([[5], [0]])), IndexError,
                                 "index 5 is out of range for axis 1 of size 3"),
    ("gather", "axis"): (lambda w: w.x.gather(5, np.zeros((2, 1), int)), IndexError, "axis 5"),
    ("gather", "None"): (lambda w: w.x.gather(1, None), TypeError, "dtype object"),
    ("gather", "wrong shape"): (lambda w: w.x.gather(1, np.zeros(2, int)), ValueError,
                                "got index of shape (2,)"),
    ("cumsum", "out of range"): (lambda w: w.x.cumsum(5), IndexError, "cumsum: axis 5"),
    ("cumsum", "None"): (lambda w: w.x.cumsum(None), TypeError, "axis must be an int, got None"),
    ("softmax", "out of range"): (lambda w: w.x.softmax(2), IndexError, "softmax: axis 2"),
    ("softmax", "wrong type"): (lambda w: w.x.softmax("a"), TypeError, "got 'a'"),
    ("logsumexp", "out of range"): (lambda w: w.x.logsumexp(-3), IndexError, "axis -3"),
    ("argmax", "out of range"): (lambda w: w.x.argmax(5), IndexError, "argmax: axis 5"),
    ("argmax", "wrong type"): (lambda w: w.x.argmax(1.0), TypeError, "got 1.0"),
    ("sum", "out of range"): (lambda w: w.x.sum(axis=2), IndexError,
                              "sum: axis 2 is out of range for a Tensor with 2 dimensions"),
    ("sum", "wrong type"): (lambda w: w.x.sum(axis="0"), TypeError, "got '0'"),
    ("sum", "keepdims"): (lambda w: w.x.sum(0, keepdims="yes"), TypeError,
                          "sum: keepdims must be a bool, got str: 'yes'"),
    ("mean", "keepdims"): (lambda w: w.x.mean(keepdims=None), TypeError,
                           "mean: keepdims must be a bool, got NoneType"),
    ("max", "keepdims"): (lambda w: w.x.max(1, keepdims=[]), TypeError, "max: keepdims must be"),
    ("sum", "repeated"): (lambda w: w.x.sum(axis=(0, 0)), ValueError, "repeated axis in (0, 0)"),
    ("mean", "out of range"): (lambda w: w.x.mean(axis=-3), IndexError, "mean: axis -3"),
    ("mean", "empty"): (lambda w: Tensor(np.zeros((0, 2))).mean(axis=0), ValueError,
                        "mean of an empty Tensor (shape (0, 2))"),
    ("max", "out of range"): (lambda w: w.x.max(axis=5), IndexError, "max: axis 5"),
    ("max", "empty"): (lambda w: Tensor(np.zeros(0)).max(), ValueError,
                       "max of an empty Tensor (shape (0,)) has no value"),
    ("var", "out of range"): (lambda w: w.x.var(axis=5), IndexError, "var: axis 5"),
    ("var", "wrong type"): (lambda w: w.x.var(ddof="1"), TypeError,
                            "var: ddof must be a number, got str: '1'"),
    ("var", "empty"): (lambda w: w.x.var(axis=0, ddof=2), ValueError,
                       "ddof=2 leaves no degrees of freedom for 2 values"),
    ("clip", "wrong type"): (lambda w: w.x.clip("0", 1), TypeError,
                             "clip: lo must be a number, got str"),
    ("clip", "out of range"): (lambda w: w.x.clip(2, 1), ValueError, "lo=2 is greater than hi=1"),
    ("clip", "None"): (lambda w: w.x.clip(None, None), ValueError, "give lo, hi or both"),
    ("leaky_relu", "wrong type"): (lambda w: w.x.leaky_relu("a"), TypeError,
                                   "leaky_relu: negative_slope must be a number, got str"),
    ("elu", "None"): (lambda w: w.x.elu(None), TypeError,
                      "elu: alpha must be a number, got NoneType"),
    ("[]", "out of range"): (lambda w: w.x[5], IndexError,
                             "index 5 is out of bounds for axis 0 with size 2"),
    ("[]", "float"): (lambda w: w.x[1.0], IndexError, "valid indices"),
    ("[]", "wrong dtype"): (lambda w: w.x[Tensor([0.0])], IndexError,
                            "Tensors used as indices must be integer or bool, got dtype float32"),
    ("[]", "wrong shape"): (lambda w: w.x[np.array([True, False, True])], IndexError,
                            "boolean mask of length 3 does not match the indexed axis 0 of "
                            "length 2"),
    ("[]", "too many"): (lambda w: w.x[0, 0, 0], IndexError, "too many indices"),
    # -------------------------------------------------------------------- module functions
    ("concatenate", "empty"): (lambda w: ag.concatenate([]), TypeError,
                               "concatenate takes a non-empty list or tuple of Tensors"),
    ("concatenate", "None"): (lambda w: ag.concatenate(None), TypeError, "non-empty list"),
    ("concatenate", "wrong type"): (lambda w: ag.concatenate(w.x), TypeError, "list or tuple"),
    ("concatenate", "wrong shape"): (
        lambda w: ag.concatenate([w.x, Tensor(np.ones((2, 2)))]), ValueError,
        "shapes (2, 3), (2, 2) differ outside axis 0"),
    ("concatenate", "out of range"): (lambda w: ag.concatenate([w.x, w.x], axis=2), IndexError,
                                      "concatenate: axis 2 is out of range for 2 dimensions"),
    ("stack", "empty"): (lambda w: ag.stack(()), TypeError, "stack takes a non-empty list"),
    ("stack", "wrong shape"): (lambda w: ag.stack([w.x, Tensor(np.ones(3))]), ValueError,
                               "same shape, got (2, 3), (3,)"),
    ("stack", "out of range"): (lambda w: ag.stack([w.x], axis=4), IndexError, "axis 4"),
    ("where", "None"): (lambda w: ag.where(None, w.x, 0.0), TypeError,
                        "where: cond must be a boolean Tensor or array, got NoneType"),
    ("where", "wrong type"): (lambda w: ag.where("yes", w.x, 0.0), TypeError, "got str"),
    ("where", "wrong shape"): (lambda w: ag.where(np.ones(4, bool), w.x, 0.0), ValueError,
                               "where: shapes (4,), (2, 3) and () cannot be broadcast"),
    ("maximum", "None"): (lambda w: ag.maximum(w.x, None), TypeError, "NoneType"),
    ("maximum", "wrong shape"): (lambda w: ag.maximum(w.x, Tensor(np.ones(4))), ValueError,
                                 "maximum: shapes (2, 3) and (4,)"),
    ("minimum", "wrong type"): (lambda w: ag.minimum("a", w.x), TypeError, "str"),
    ("pad", "None"): (lambda w: ag.pad(None, (1, 1)), TypeError,
                      "pad: x must be a Tensor, got NoneType"),
    ("pad", "wrong type"): (lambda w: ag.pad(w.x, "a"), TypeError,
                            "pad must be a tuple of ints of even length, got 'a'"),
    ("pad", "wrong shape"): (lambda w: ag.pad(w.x, (1, 1, 1, 1, 1, 1)), ValueError,
                             "3 (left, right) pairs for a Tensor of 2 dims"),
    ("pad", "mode"): (lambda w: ag.pad(w.x, (1, 1), mode="wrap"), ValueError, "got 'wrap'"),
    ("one_hot", "out of range"): (lambda w: ag.one_hot(w.labels, 2), ValueError,
                                  "label 2 is outside [0, 2) for 2 classes"),
    ("one_hot", "negative"): (lambda w: ag.one_hot(Tensor([-1]), 3), ValueError, "label -1"),
    ("one_hot", "wrong dtype"): (lambda w: ag.one_hot(w.probs, 3), TypeError,
                                 "labels must hold integers, got dtype float32"),
    ("one_hot", "wrong type"): (lambda w: ag.one_hot(w.labels, "3"), TypeError,
                                "num_classes must be an int, got '3'"),
    ("one_hot", "empty"): (lambda w: ag.one_hot(w.labels, 0), ValueError,
                           "num_classes must be positive or -1, got 0"),
    ("multinomial", "out of range"): (lambda w: ag.multinomial(Tensor([0.5, -0.1]), 1),
                                      ValueError, "probs must be finite and non-negative"),
    ("multinomial", "nan/inf"): (lambda w: ag.multinomial(Tensor([NAN, 0.5]), 1), ValueError,
                                 "finite and non-negative"),
    ("multinomial", "zero"): (lambda w: ag.multinomial(Tensor([0.0, 0.0]), 1), ValueError,
                              "positive total weight"),
    ("multinomial", "empty"): (lambda w: ag.multinomial(Tensor(np.ones(0)), 1), ValueError,
                               "probs is empty (shape (0,))"),
    ("multinomial", "None"): (lambda w: ag.multinomial(None, 1), TypeError,
                              "probs must be a Tensor, ndarray or list, got NoneType"),
    ("multinomial", "wrong shape"): (lambda w: ag.multinomial(Tensor(np.ones((1, 1, 2))), 1),
                                     ValueError, "1-D or 2-D, got shape (1, 1, 2)"),
    ("multinomial", "num_samples"): (lambda w: ag.multinomial(w.probs, 4), ValueError,
                                     "cannot draw 4 samples without replacement"),
    ("multinomial", "wrong type"): (lambda w: ag.multinomial(w.probs, "1"), ValueError,
                                    "num_samples must be a positive int, got '1'"),
    ("multinomial", "generator"): (lambda w: ag.multinomial(w.probs, 1, generator=3), TypeError,
                                   "generator must be an autograd.Generator, a "
                                   "numpy.random.Generator or None, got int"),
    ("Generator", "wrong type"): (lambda w: ag.Generator("0"), TypeError,
                                  "seed must be a non-negative int or None, got '0'"),
    ("Generator", "float"): (lambda w: ag.Generator(1.5), TypeError, "got 1.5"),
    ("zeros", "wrong type"): (lambda w: ag.zeros("3"), TypeError,
                              "zeros: sizes must be non-negative ints, got ('3',)"),
    ("zeros", "None"): (lambda w: ag.zeros(None), TypeError, "got (None,)"),
    ("zeros", "out of range"): (lambda w: ag.zeros(-1), TypeError, "got (-1,)"),
    ("ones", "wrong dtype"): (lambda w: ag.ones(2, dtype=np.int64, requires_grad=True),
                              RuntimeError, "only floating Tensors can require grad"),
    ("ones", "dtype"): (lambda w: ag.ones(2, dtype="banana"), TypeError,
                        "ones: dtype must be a NumPy dtype, got 'banana'"),
    ("full", "None"): (lambda w: ag.full(2, None), TypeError, "expected a real number, got "
                                                              "NoneType"),
    ("full", "wrong type"): (lambda w: ag.full("x", 1.0), TypeError, "got ('x',)"),
    ("zeros_like", "None"): (lambda w: ag.zeros_like(None), TypeError,
                             "zeros_like: expected a Tensor, got NoneType"),
    ("ones_like", "wrong type"): (lambda w: ag.ones_like([1.0]), TypeError, "got list"),
    ("arange", "out of range"): (lambda w: ag.arange(0, 5, 0), ValueError, "step must be nonzero"),
    ("arange", "wrong type"): (lambda w: ag.arange("5"), TypeError, "expected a real number, "
                                                                   "got str"),
    ("arange", "nan/inf"): (lambda w: ag.arange(NAN), ValueError,
                            "arange: end must be finite, got nan"),
    ("arange", "inf"): (lambda w: ag.arange(0, 1, INF), ValueError, "step must be finite, got inf"),
    ("linspace", "out of range"): (lambda w: ag.linspace(0, 1, -1), TypeError,
                                   "steps must be a non-negative int, got -1"),
    ("linspace", "wrong type"): (lambda w: ag.linspace("0", 1, 3), TypeError,
                                 "linspace: start: expected a real number, got str"),
    ("linspace", "None"): (lambda w: ag.linspace(0, None, 3), TypeError, "end: expected a real"),
    ("eye", "float"): (lambda w: ag.eye(2.5), TypeError, "eye: sizes must be non-negative ints"),
    ("rand", "generator"): (lambda w: ag.rand(2, generator="x"), TypeError,
                            "rand: generator must be an autograd.Generator"),
    ("rand", "wrong type"): (lambda w: ag.rand(2, "3"), TypeError, "got (2, '3')"),
    ("randn", "wrong dtype"): (lambda w: ag.randn(2, dtype=np.int64), TypeError,
                               "randn: dtype must be a floating dtype, got int64"),
    ("randint", "out of range"): (lambda w: ag.randint(5, 2, (3,)), ValueError,
                                  "high (2) must be greater than low (5)"),
    ("randint", "float"): (lambda w: ag.randint(0, 2.5, (3,)), TypeError,
                           "randint: high must be an int, got float: 2.5"),
    ("randint", "wrong type"): (lambda w: ag.randint(0, 2, "a"), TypeError, "got ('a',)"),
    ("set_default_dtype", "wrong type"): (lambda w: ag.set_default_dtype("banana"), TypeError,
                                          "set_default_dtype: dtype must be a NumPy floating "
                                          "dtype, got 'banana'"),
    ("set_default_dtype", "wrong dtype"): (lambda w: ag.set_default_dtype(np.int64), TypeError,
                                           "must be a floating dtype, got int64"),
    # --------------------------------------------------------------------------- graph-wide
    ("grad", "None"): (lambda w: ag.grad(None, [w.x]), TypeError,
                       "grad: outputs must be Values or Tensors, got NoneType"),
    ("grad", "inputs None"): (lambda w: ag.grad(w.y.sum(), None), TypeError,
                              "inputs must be Values or Tensors, got NoneType"),
    ("grad", "wrong shape"): (lambda w: ag.grad(w.y, [w.x], grad_outputs=np.ones(3)), ValueError,
                              "gradient has shape (3,) but the output has shape (2, 3)"),
    ("grad", "non-scalar"): (lambda w: ag.grad(w.y, [w.x]), RuntimeError,
                             "only for scalar outputs"),
    ("grad", "unused"): (lambda w: ag.grad(w.y.sum(), [w.w]), RuntimeError,
                         "was not used to compute the outputs"),
    ("grad", "wrong dtype"): (lambda w: ag.grad(w.y.sum(), [w.labels]), RuntimeError,
                              "input 0 does not require grad"),
    ("grad", "create_graph"): (lambda w: ag.grad(w.y.sum(), [w.x], create_graph="yes"),
                               TypeError, "create_graph must be a bool, got str"),
    ("grad", "grad_outputs count"): (lambda w: ag.grad(w.y, [w.x], grad_outputs=[None, None]),
                                     ValueError, "got 2 grad_outputs for 1 outputs"),
    ("no_grad", "wrong type"): (lambda w: ag.no_grad(3), TypeError,
                                "no_grad: can decorate only a function, got int"),
    ("no_grad()", "wrong type"): (lambda w: ag.no_grad()("f"), TypeError, "got str"),
    ("enable_grad", "None"): (lambda w: ag.enable_grad()(None), TypeError,
                              "enable_grad: can decorate only a function, got NoneType"),
    ("Function.apply", "None"): (lambda w: _Cube.apply(None), TypeError,
                                 "_Cube.apply needs at least one Value or Tensor argument"),
    # --------------------------------------------------------------------- gradient checks
    ("gradcheck", "nan/inf"): (lambda w: ag.gradcheck(_sum, _f64(2), atol=NAN), ValueError,
                               "gradcheck: atol must be a finite number >= 0, got nan"),
    ("gradcheck", "out of range"): (lambda w: ag.gradcheck(_sum, _f64(2), rtol=-1), ValueError,
                                    "rtol must be a finite number >= 0, got -1"),
    ("gradcheck", "eps"): (lambda w: ag.gradcheck(_sum, _f64(2), eps=0), ValueError,
                           "gradcheck: eps must be positive and finite, got 0"),
    ("gradcheck", "eps inf"): (lambda w: ag.gradcheck(_sum, _f64(2), eps=INF), ValueError,
                               "got inf"),
    ("gradcheck", "wrong type"): (lambda w: ag.gradcheck(_sum, _f64(2), eps="1e-6"), TypeError,
                                  "gradcheck: eps must be a number, got str"),
    ("gradcheck", "fn"): (lambda w: ag.gradcheck(3, _f64(2)), TypeError,
                          "gradcheck: fn must be callable, got int"),
    ("gradcheck", "None"): (lambda w: ag.gradcheck(_sum, None), TypeError,
                            "inputs must be a Value, a Tensor or a tuple of them, got NoneType"),
    ("gradcheck", "empty"): (lambda w: ag.gradcheck(_sum, ()), ValueError,
                             "no input is a Value or a Tensor with requires_grad=True"),
    ("gradgradcheck", "nan/inf"): (lambda w: ag.gradgradcheck(_sum, _f64(2), rtol=NAN),
                                   ValueError, "gradgradcheck: rtol must be a finite number"),
    ("gradgradcheck", "fn"): (lambda w: ag.gradgradcheck(None, _f64(2)), TypeError,
                              "gradgradcheck: fn must be callable, got NoneType"),
    ("check_backward", "forward"): (lambda w: ag.check_backward(3, _sin_back, np.ones(2)),
                                    TypeError, "check_backward: forward must be callable, got int"),
    ("check_backward", "backward"): (lambda w: ag.check_backward(np.sin, None, np.ones(2)),
                                     TypeError, "backward must be callable, got NoneType"),
    ("check_backward", "nan/inf"): (lambda w: ag.check_backward(np.sin, _sin_back, np.ones(2),
                                                                atol=NAN),
                                    ValueError, "check_backward: atol must be a finite number"),
    ("check_backward", "wrong type"): (lambda w: ag.check_backward(np.sin, _sin_back, "a"),
                                       TypeError, "array 0 must be numeric, got str"),
    ("check_backward", "empty"): (lambda w: ag.check_backward(np.sin, _sin_back), ValueError,
                                  "give at least one array"),
    ("check_backward", "wrong shape"): (
        lambda w: ag.check_backward(np.sin, lambda g, a: (g, g), np.ones(2)), ValueError,
        "backward returned 2 gradients for 1 arrays"),
    ("explain", "format"): (lambda w: ag.explain(w.a * 2, format="html"), ValueError,
                            "format must be 'text', 'markdown' or 'latex', got 'html'"),
    ("explain", "None"): (lambda w: ag.explain(None), TypeError,
                          "explain: root must be a Value or a Tensor, got NoneType"),
    # -------------------------------------------------------------------------- functional
    ("vjp", "func"): (lambda w: functional.vjp(None, _f64(2)), TypeError,
                      "vjp: func must be callable, got NoneType"),
    ("vjp", "wrong shape"): (lambda w: functional.vjp(lambda t: t * 2, _f64(2, 3), v=np.ones(4)),
                             ValueError, "v[0] has shape (4,) but the output[0] has shape (2, 3)"),
    ("vjp", "None"): (lambda w: functional.vjp(_sum, None), TypeError,
                      "vjp: inputs must be a Value or Tensor (or a tuple of them); item 0 is "
                      "NoneType"),
    ("jvp", "func"): (lambda w: functional.jvp(3, _f64(1)), TypeError,
                      "jvp: func must be callable, got int"),
    ("jvp", "wrong shape"): (lambda w: functional.jvp(_sum, _f64(2, 3), v=np.ones(4)), ValueError,
                             "v[0] has shape (4,) but inputs[0] has shape (2, 3)"),
    ("jacobian", "func"): (lambda w: functional.jacobian("f", _f64(2)), TypeError,
                           "jacobian: func must be callable, got str"),
    ("jacobian", "wrong type"): (lambda w: functional.jacobian(_sum, "a"), TypeError,
                                 "item 0 is str"),
    ("hessian", "wrong shape"): (lambda w: functional.hessian(lambda t: t * 2, _f64(2)),
                                 ValueError, "func must return a single one-element Value"),
    ("hvp", "wrong shape"): (lambda w: functional.hvp(_sum, _f64(2, 3), v=np.ones(4)), ValueError,
                             "hvp: v[0] has shape (4,) but inputs[0] has shape (2, 3)"),
    # ------------------------------------------------------------------------ visualization
    ("draw_dot", "rankdir"): (lambda w: ag.draw_dot(w.a * 2, rankdir="XY"), ValueError,
                              "draw_dot: rankdir must be one of LR, TB, RL, BT, got 'XY'"),
    ("draw_dot", "out of range"): (lambda w: ag.draw_dot(w.a * 2, max_nodes=0), ValueError,
                                   "max_nodes must be at least 1, got 0"),
    ("draw_dot", "wrong type"): (lambda w: ag.draw_dot(w.a * 2, max_nodes="5"), TypeError,
                                 "max_nodes must be an int or None, got str"),
    ("draw_dot", "None"): (lambda w: ag.draw_dot(None), TypeError,
                           "draw_dot takes a Value or Tensor (or a list of them), got NoneType"),
    ("backward_steps", "None"): (lambda w: ag.backward_steps(None), TypeError,
                                 "backward_steps takes a Value or Tensor, got NoneType"),
    ("backward_steps", "rankdir"): (lambda w: ag.backward_steps(w.y.sum(), rankdir=None),
                                    ValueError, "backward_steps: rankdir must be one of"),
    ("backward_steps", "wrong shape"): (lambda w: ag.backward_steps(w.y, gradient=np.ones(2)),
                                        ValueError, "gradient has shape (2,)"),
    ("gradient_flow", "None"): (lambda w: ag.gradient_flow(None), TypeError,
                                "gradient_flow: model must be a module"),
    ("gradient_flow", "wrong type"): (lambda w: ag.gradient_flow("model"), TypeError,
                                      "got an item of type str"),
    ("gradient_flow", "by"): (lambda w: ag.gradient_flow([w.x], by="node"), ValueError,
                              "by must be 'layer' or 'parameter', got 'node'"),
    # ----------------------------------------------------------------- testing strategies
    ("testing.values", "out of range"): (lambda w: testing.values(2, 1), ValueError,
                                         "min_value 2 is greater than max_value 1"),
    ("testing.values", "wrong type"): (lambda w: testing.values(min_value="0"), TypeError,
                                       "min_value must be a number, got str"),
    ("testing.values", "nan/inf"): (lambda w: testing.values(min_value=NAN), ValueError,
                                    "min_value nan is greater than max_value"),
    ("testing.tensors", "wrong type"): (lambda w: testing.tensors(shape="2"), TypeError,
                                        "tensors: shape must be a tuple of non-negative ints"),
    ("testing.tensors", "out of range"): (lambda w: testing.tensors(shape=(-1,)), TypeError,
                                          "got (-1,)"),
    ("testing.tensors", "wrong dtype"): (lambda w: testing.tensors(dtype="banana"), TypeError,
                                         "tensors: dtype must be a NumPy dtype, got 'banana'"),
    ("testing.graphs", "out of range"): (lambda w: testing.graphs(min_leaves=0), ValueError,
                                         "graphs: need 1 <= min_leaves <= max_leaves"),
    ("testing.graphs", "kind"): (lambda w: testing.graphs(kind="matrix"), ValueError,
                                 "kind must be 'value', 'tensor' or None, got 'matrix'"),
    ("testing.assert_grads_close", "fn"): (lambda w: testing.assert_grads_close(3, _f64(2)),
                                           TypeError, "fn must be callable, got int"),
}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def test_bad_input_raises_clearly_and_changes_nothing(case):
    call, error, fragment = CASES[case]
    world = _world()
    before = _snapshot(world)
    default = ag.get_default_dtype()
    with pytest.raises(error) as info:
        call(world)
    assert fragment in str(info.value), str(info.value)
    assert ag.get_default_dtype() == default and ag.is_grad_enabled()
    _unchanged(before, _snapshot(world))


def test_axis_errors_are_index_errors_and_value_errors_as_in_numpy():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(IndexError):
        x.sum(axis=2)
    with pytest.raises(ValueError):  # code written against the first version still catches it
        x.sum(axis=2)
    with pytest.raises(np.exceptions.AxisError):
        np.sum(x.data, axis=2)  # the same class NumPy raises


def test_numpy_scalars_are_accepted_where_python_numbers_are():
    i, f = np.int64, np.float32
    v = Value(f(1.5)) * i(2) + np.float64(1) - Value(i(3))
    assert type(v.data) is float and v.data == 1.0
    assert (Value(2.0) ** i(2)).data == 4.0 and (i(2) ** Value(3.0)).data == 8.0
    assert Value(-1.0).leaky_relu(f(0.5)).data == -0.5 and Value(2.0).leaky_relu(f(0.5)).data == 2
    assert ag.dot([Value(2.0)], [i(3)], bias=f(1)).data == 7.0
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert x.reshape(i(3), i(2)).shape == (3, 2) and x.view((i(6),)).shape == (6,)
    assert x.transpose(i(1), i(0)).shape == (3, 2) and x.permute(i(1), i(0)).shape == (3, 2)
    assert x.unsqueeze(i(0)).squeeze(i(0)).shape == (2, 3)
    assert x[:1].expand(i(4), i(3)).shape == (4, 3)
    assert len(x.split(i(1))) == 2 and len(x.chunk(i(2), i(1))) == 2
    assert x.gather(i(1), np.zeros((2, 1), int)).shape == (2, 1)
    for reduce in (x.sum, x.mean, x.max, x.min, x.cumsum, x.softmax, x.logsumexp, x.argmax):
        assert reduce(i(1)).shape[0] == 2
    assert x.var(i(0), ddof=i(1)).shape == (3,) and x.var(ddof=f(1.0)).shape == ()
    assert x[i(1)].shape == (3,)
    y = x.clip(f(0.5), np.float64(4)) + x.leaky_relu(f(0.1)) + x.elu(f(1.0)) + x ** i(2)
    y.backward(gradient=np.ones((2, 3), np.float32))
    assert x.grad.shape == (2, 3)
    assert ag.concatenate([x, x], axis=i(1)).shape == (2, 6)
    assert ag.stack([x, x], axis=i(-1)).shape == (2, 3, 2)
    assert ag.pad(x, (i(1), i(0))).shape == (2, 4)
    assert ag.one_hot(Tensor([0, 2]), i(3)).shape == (2, 3)
    gen = ag.Generator(i(3))
    assert ag.multinomial(Tensor([0.5, 0.5]), i(2), generator=gen).shape == (2,)
    assert ag.zeros(i(2), i(3)).shape == (2, 3) and ag.ones((i(2),)).shape == (2,)
    assert ag.full((2,), f(1.5)).tolist() == [1.5, 1.5]
    assert ag.arange(i(3)).tolist() == [0, 1, 2] and ag.arange(f(0), f(1), f(0.5)).shape == (2,)
    assert ag.linspace(f(0), i(1), i(3)).shape == (3,) and ag.eye(i(2)).shape == (2, 2)
    assert ag.rand(i(2), generator=gen).shape == (2,) and ag.randn(i(2), i(2)).shape == (2, 2)
    assert ag.randint(i(0), i(3), (i(2),), generator=gen).shape == (2,)
    t = Tensor(np.ones(2), requires_grad=True, dtype=np.float64)
    assert ag.gradcheck(_sum, t, eps=f(1e-6), atol=np.float64(1e-5), rtol=f(1e-3))
    assert ag.gradgradcheck(lambda t: (t * t).sum(), t, eps=np.float64(1e-6), atol=f(1e-4))
    ag.check_backward(np.sin, _sin_back, np.ones(2), eps=np.float64(1e-6), atol=f(1e-5))
    assert "digraph" in ag.draw_dot(Value(1.0) * 2, max_nodes=i(5)).source
    assert find(testing.values(min_value=f(0), max_value=i(1)), lambda v: True).data <= 1
    assert find(testing.tensors(shape=(i(2),)), lambda t: True).shape == (2,)
    assert ag.grad((x * x).sum(), [x], create_graph=np.bool_(True))[0].shape == (2, 3)
