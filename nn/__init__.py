"""chainrule's ``nn``: modules, layers, losses and initialization, PyTorch's names on our engine.

- ``Module`` (``nn.module``): parameters by attribute assignment, ``state_dict``, atomic
  ``load_state_dict``, ``save`` / ``load_state`` as plain ``.npz``.
- Scalar, micrograd-compatible (``nn.scalar``): ``Neuron``, ``Layer``, ``MLP`` on ``Value``.
- Tensor layers: ``Linear``, ``Sequential``, activations, ``Dropout``, ``Flatten``.
- Losses as modules (``MSELoss`` ...) and functions (``nn.functional``), ``nn.init``,
  ``nn.utils.clip_grad_norm_``.
"""

from . import functional, init, utils
from .activation import ELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import Sequential
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, L1Loss, MSELoss
from .module import IncompatibleKeys, Module, StateDictError
from .rng import manual_seed
from .scalar import MLP, Layer, Neuron
from .serialization import DEFAULT_MAX_BYTES, StateFileError, load_state, save_state

__all__ = [
    "Module", "StateDictError", "IncompatibleKeys",
    "Neuron", "Layer", "MLP",
    "Linear", "Sequential", "ReLU", "Tanh", "Sigmoid", "LeakyReLU", "ELU", "Softmax",
    "LogSoftmax", "Dropout", "Flatten",
    "MSELoss", "L1Loss", "CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss", "HingeLoss",
    "load_state", "save_state", "StateFileError", "DEFAULT_MAX_BYTES", "manual_seed",
    "functional", "init", "utils",
]
