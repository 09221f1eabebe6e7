"""chainrule's ``nn``: modules, layers, losses and initialization, PyTorch's names on our engine.

- ``Module`` (``nn.module``): parameters by attribute assignment, ``state_dict``, atomic
  ``load_state_dict``, ``save`` / ``load_state`` as plain ``.npz``.
- Scalar, micrograd-compatible (``nn.scalar``): ``Neuron``, ``Layer``, ``MLP`` on ``Value``.
- Tensor layers: ``Linear``, ``Sequential``, activations, ``Dropout``, ``Flatten``;
  ``Embedding``, ``BatchNorm1d``, ``LayerNorm``, ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``.
- Losses as modules (``MSELoss`` ...) and functions (``nn.functional``), ``nn.init``,
  ``nn.utils.clip_grad_norm_``.
"""

from . import functional, init, utils
from .activation import ELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import Sequential
from .conv import Conv2d
from .dropout import Dropout
from .embedding import Embedding
from .flatten import Flatten
from .linear import Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, L1Loss, MSELoss
from .module import IncompatibleKeys, Module, StateDictError
from .normalization import BatchNorm1d, LayerNorm
from .pooling import AvgPool2d, MaxPool2d
from .rng import manual_seed
from .scalar import MLP, Layer, Neuron
from .serialization import load_state, save_state

__all__ = [
    "Module", "StateDictError", "IncompatibleKeys",
    "Neuron", "Layer", "MLP",
    "Linear", "Sequential", "ReLU", "Tanh", "Sigmoid", "LeakyReLU", "ELU", "Softmax",
    "LogSoftmax", "Dropout", "Flatten",
    "Embedding", "BatchNorm1d", "LayerNorm", "Conv2d", "MaxPool2d", "AvgPool2d",
    "MSELoss", "L1Loss", "CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss", "HingeLoss",
    "load_state", "save_state", "manual_seed",
    "functional", "init", "utils",
]
