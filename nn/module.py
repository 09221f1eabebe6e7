"""``Module``: the base class of every layer and model, on ``Value`` or ``Tensor`` parameters.

A module finds its parameters as PyTorch's does, by attribute assignment, so a model is plain
Python: ``self.fc = Linear(2, 3)`` registers a sub-module and
``self.w = Tensor(..., requires_grad=True)`` a parameter. One addition serves the
micrograd-style classes: a list or tuple of parameters or modules is registered too
(``Neuron.w``, ``Layer.neurons``), its items named by their index
(``"layers.0.neurons.1.w.0"``), so no ``ModuleList`` is needed.

What counts as a parameter is decided when the attribute is assigned: a leaf ``Value`` (every
``Value`` takes part in backward) or a leaf ``Tensor`` with ``requires_grad=True``. Turning
``requires_grad`` off later freezes the parameter but keeps it in ``parameters()`` and
``state_dict()``, as in PyTorch. Computed nodes (a cached output) are not parameters.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor, Value

Parameter = Value | Tensor


class StateDictError(RuntimeError, KeyError, ValueError):
    """``load_state_dict`` refused a state: missing or unexpected keys, wrong shapes or dtypes.

    A ``RuntimeError`` as in PyTorch, and also a ``KeyError`` and ``ValueError`` so code that
    catches the natural exception for a bad key or a bad shape catches it too.
    """

    def __str__(self) -> str:  # KeyError would show the message as a quoted repr
        return str(self.args[0]) if self.args else ""


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped: parameters not set, keys ignored."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _is_parameter(x: Any) -> bool:
    """A leaf Value, or a leaf Tensor that requires grad: what assignment registers."""
    if isinstance(x, Value):
        return not x._prev
    return isinstance(x, Tensor) and x.requires_grad and not x._prev


def _is_member(x: Any) -> bool:
    """Whether assigning ``x`` to an attribute registers it: a module, a parameter, or a list
    or tuple of those (nested lists too)."""
    if isinstance(x, Module) or _is_parameter(x):
        return True
    if isinstance(x, (list, tuple)):
        return all(_is_member(item) for item in x)
    return False


def _flatten_into(found: list, name: str, value: Any) -> None:
    """Append ``(dotted name, item)`` for a member; lists expand to ``name.0``, ``name.1``..."""
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _flatten_into(found, f"{name}.{i}", item)
    elif isinstance(value, (Module, Value, Tensor)):
        found.append((name, value))


class Module:
    """Base class for layers and models: subclass it, assign parameters and sub-modules as
    attributes in ``__init__``, and write ``forward``; call the module to run it.

    >>> class Affine(Module):
    ...     def __init__(self):
    ...         self.w = Value(2.0)
    ...         self.b = Value(1.0)
    ...     def forward(self, x):
    ...         return self.w * x + self.b
    >>> Affine()(3.0).data
    7.0

    Calling ``super().__init__()`` is allowed but not required.
    """

    training: bool = True  # class default; train()/eval() set it on each instance

    def __init__(self) -> None:
        self.__dict__.setdefault("_member_names", {})

    # ------------------------------------------------------------------ registration

    def __setattr__(self, name: str, value: Any) -> None:
        members = self.__dict__.get("_member_names")
        if members is None:
            members = self.__dict__["_member_names"] = {}  # an ordered set of attribute names
        if name in self.__dict__.get("_buffer_names", ()):  # a buffer stays one
            if value is not None and not isinstance(value, (np.ndarray, Tensor)):
                raise TypeError(f"cannot assign {type(value).__name__} to buffer {name!r} "
                                "(an ndarray, a Tensor or None expected)")
        elif _is_member(value):
            members[name] = None  # re-assignment keeps the original position, as in PyTorch
        else:
            members.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self.__dict__.get("_member_names", {}).pop(name, None)
        self.__dict__.get("_buffer_names", {}).pop(name, None)
        object.__delattr__(self, name)

    def _members(self) -> list[tuple[str, Any]]:
        """The registered parameters and sub-modules of this module alone, lists expanded."""
        found: list = []
        attributes = self.__dict__
        for name in attributes.get("_member_names", ()):
            _flatten_into(found, name, attributes[name])
        return found

    def _walk(self, prefix: str = "") -> list[tuple[str, Module, list]]:
        """``(name, module, its members)`` for this module and every module below it, depth
        first, each once. Iterative, so deep models cannot hit the recursion limit; a list,
        since training loops call it every step (through ``parameters`` and ``zero_grad``)."""
        found: list = []
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            members = module._members()
            found.append((name, module, members))
            kids = [(f"{name}.{n}" if name else n, m) for n, m in members if isinstance(m, Module)]
            stack.extend(reversed(kids))
        return found

    # ------------------------------------------------------------------------- running

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; every subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    # ------------------------------------------------------------------------ walking

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for each direct sub-module, in assignment order."""
        seen: set[int] = set()
        for name, value in self._members():
            if isinstance(value, Module) and id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def children(self) -> Iterator[Module]:
        """The direct sub-modules, in assignment order."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``, "" by default) and every module below it, depth first,
        each once."""
        for name, module, _ in self._walk(prefix):
            yield name, module

    def modules(self) -> Iterator[Module]:
        """This module and every module below it, depth first, each once."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` for every parameter, each once (a shared one under its
        first name): module by module, each module's own parameters in assignment order.

        The names are the ``state_dict`` keys: ``"0.weight"`` in a ``Sequential``,
        ``"layers.1.neurons.0.b"`` in an ``MLP``.
        """
        seen: set[int] = set()
        for module_name, _, members in self._walk(prefix):
            for name, value in members:
                if isinstance(value, Module) or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{module_name}.{name}" if module_name else name), value

    def parameters(self) -> list[Parameter]:
        """Every parameter, in ``named_parameters`` order (micrograd returns a list too)."""
        params: list = []
        seen: set[int] = set()
        for _, _, members in self._walk():
            for _, value in members:
                if not isinstance(value, Module) and id(value) not in seen:
                    seen.add(id(value))
                    params.append(value)
        return params

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every module below this one and then on this one (PyTorch's order);
        returns self. The usual way to run a custom init: ``model.apply(init_weights)``."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------- training state

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: a Value's to 0.0, a Tensor's to None (or zeros
        with ``set_to_none=False``), before the next ``backward``."""
        for p in self.parameters():
            if isinstance(p, Value):
                p.grad = 0.0
            else:
                p.grad = None if set_to_none else np.zeros_like(p.data)

    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and all below it (Dropout acts only in training)."""
        if not isinstance(mode, bool):
            raise ValueError(f"train(mode) expects a bool, got {mode!r}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Set evaluation mode on this module and all below it: ``train(False)``."""
        return self.train(False)

    # --------------------------------------------------------------------------- state

    def register_buffer(self, name: str, array: np.ndarray | Tensor | None,
                        persistent: bool = True) -> None:
        """Keep ``array`` as state that is saved and loaded but not trained (BatchNorm's running
        statistics), as attribute ``name``: in ``state_dict()`` after the module's own
        parameters (unless ``persistent=False``), never in ``parameters()``. ``None`` registers
        a slot that is not saved. A Tensor (PyTorch's habit: a mask, a ``tril``) stays one;
        loading writes into its data."""
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"buffer name must be a non-empty string without '.', got {name!r}")
        if array is not None and not isinstance(array, (np.ndarray, Tensor)):
            raise TypeError(f"buffer {name!r} must be an ndarray, a Tensor or None, "
                            f"got {type(array).__name__}")
        self.__dict__.setdefault("_buffer_names", {})[name] = bool(persistent)
        self.__dict__.get("_member_names", {}).pop(name, None)
        object.__setattr__(self, name, array)

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """``(dotted name, array)`` for every buffer that is not None, module by module."""
        for module_name, module, _ in self._walk(prefix):
            for name in module.__dict__.get("_buffer_names", ()):
                array = module.__dict__.get(name)
                if array is not None:
                    yield (f"{module_name}.{name}" if module_name else name), array

    def buffers(self) -> Iterator[np.ndarray | Tensor]:
        """Every buffer that is not None, in ``named_buffers`` order (PyTorch's ``buffers()``)."""
        for _, array in self.named_buffers():
            yield array

    def _named_state(self) -> list[tuple[str, Any]]:
        """The ``state_dict`` entries before copying: module by module, each one's parameters
        (a shared one under its first name) and then its buffers, PyTorch's key order."""
        found: list = []
        seen: set[int] = set()
        for module_name, module, members in self._walk():
            prefix = f"{module_name}." if module_name else ""
            for name, value in members:
                if not isinstance(value, Module) and id(value) not in seen:
                    seen.add(id(value))
                    found.append((prefix + name, value))
            for name, persistent in module.__dict__.get("_buffer_names", {}).items():
                array = module.__dict__.get(name)
                if array is not None and persistent:
                    found.append((prefix + name, array))
        return found

    def state_dict(self) -> dict[str, np.ndarray]:
        """Every parameter and buffer as ``name -> ndarray copy`` (a Value as a 0-d float64
        array)."""
        return {name: np.array(_array_of(p), copy=True) for name, p in self._named_state()}

    def load_state_dict(
        self, state: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy ``state`` (as from ``state_dict`` or ``nn.load_state``) into parameters and buffers.

        All or nothing: every key, shape and dtype is checked before any parameter changes,
        and one ``StateDictError`` lists every problem. Missing and unexpected keys are errors
        when ``strict`` (else skipped and returned); a shape mismatch or a non-real dtype is
        always an error. Floating data is cast to each parameter's dtype.
        """
        _check_state_argument(state, strict)
        params = dict(self._named_state())
        missing = [name for name in params if name not in state]
        unexpected = [name for name in state if name not in params]
        problems = []
        if strict and missing:
            problems.append("missing key(s): " + ", ".join(repr(k) for k in missing))
        if strict and unexpected:
            problems.append("unexpected key(s): " + ", ".join(repr(k) for k in unexpected))
        arrays = {}
        for name, p in params.items():
            if name in state:
                arr, problem = _checked_array(name, state[name], p)
                if problem:
                    problems.append(problem)
                arrays[name] = arr
        if problems:
            raise StateDictError(
                f"Error(s) in loading state_dict for {type(self).__name__}; no parameter was "
                "changed:\n  " + "\n  ".join(problems)
            )
        for name, arr in arrays.items():
            p = params[name]
            if isinstance(p, Value):
                p.data = float(arr)
            else:  # a Tensor parameter or a buffer (an ndarray)
                np.copyto(_array_of(p), arr, casting="same_kind")
        if not arrays and params:  # only strict=False gets here with nothing matched
            warnings.warn(
                f"load_state_dict(strict=False) loaded nothing into {type(self).__name__}: none "
                f"of the {len(state)} key(s) matches a parameter (missing: {missing[:3]}..., "
                f"unexpected: {unexpected[:3]}...)",
                stacklevel=2,
            )
        return IncompatibleKeys(missing, unexpected)

    def save(self, path: Any) -> Any:
        """Write ``state_dict()`` to ``path`` as a plain ``.npz`` (no pickle); returns ``path``.

        Read it back with ``model.load_state_dict(nn.load_state(path))``.
        """
        from .serialization import save_state

        return save_state(self.state_dict(), path)

    # ---------------------------------------------------------------------------- repr

    def extra_repr(self) -> str:
        """The text inside this module's parentheses in its repr (its settings)."""
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): {_indent(repr(child))}" for name, child in self.named_children()]
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        if extra:
            lines.insert(0, extra)
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _check_state_argument(state: Any, strict: Any) -> None:
    """TypeError for a ``state`` that is not a mapping of names (a path gets a pointer to
    ``nn.load_state``) or a ``strict`` that is not a bool, before anything is read."""
    if isinstance(state, (str, bytes, os.PathLike)):
        raise TypeError(
            f"load_state_dict(state) expects a dict of name -> array, got the path {state!r}; "
            "read the file first: model.load_state_dict(nn.load_state(path))"
        )
    if not isinstance(state, Mapping):
        raise TypeError(
            "load_state_dict(state) expects a dict of name -> array (from state_dict() or "
            f"nn.load_state), got {type(state).__name__}"
        )
    if not isinstance(strict, (bool, np.bool_)):
        raise TypeError(f"load_state_dict(strict) expects a bool, got {type(strict).__name__}")


def _indent(text: str) -> str:
    return text.replace("\n", "\n  ")


def _array_of(p: Parameter | np.ndarray) -> Any:
    """The data of a parameter, or a buffer (which is its own ndarray)."""
    return p if isinstance(p, np.ndarray) else p.data


def _checked_array(name: str, value: Any, p: Parameter) -> tuple[np.ndarray | None, str]:
    """``value`` as an ndarray fit for parameter ``p``, or an explanation of why it is not."""
    if isinstance(value, (Value, Tensor)):
        value = value.data
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as e:
        return None, f"{name!r}: cannot be read as an array ({e})"
    target = np.asarray(_array_of(p))
    if arr.dtype.kind not in "biuf" or not np.can_cast(arr.dtype, target.dtype, "same_kind"):
        return None, f"{name!r}: dtype {arr.dtype} cannot be loaded into {target.dtype}"
    if arr.shape != target.shape:
        return None, (
            f"{name!r}: shape mismatch, checkpoint has {arr.shape}, model has {target.shape}"
        )
    if not isinstance(p, Value) and not target.flags.writeable:
        return None, f"{name!r}: the parameter's array is read-only"
    return arr, ""
