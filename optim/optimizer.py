"""``Optimizer``: what every optimizer shares, so each subclass writes only its checks and its rule.

Parameter groups are PyTorch's: a list of dicts, each with its ``"params"`` and its own
hyper-parameters (missing ones come from the optimizer's defaults). Tensor parameters are
updated one by one, in place on ``p.data``; the ``Value`` parameters of a group are updated
together as one array (see ``_value_block``). ``state_dict`` uses PyTorch's layout, with
parameters referred to by their index across all groups.
"""

from __future__ import annotations

import copy
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from numbers import Real
from operator import is_
from typing import Any

import numpy as np

from autograd import Value, enable_grad

from ._param_list import ParamList
from ._value_block import BadGradient, ValueBlock


class Optimizer(ABC):
    """Base class of the optimizers: parameter groups, per-parameter state, step and zero_grad.

    A subclass implements three methods: ``_check(hyper)`` raises on bad hyper-parameters,
    ``_init_state(group, like)`` returns the fresh state arrays for a parameter shaped like
    ``like``, and ``_update(group, param, grad, state, step)`` applies one step in place on the
    ``param`` array (never writing into ``grad``). The same rule serves Tensors and Values.
    A subclass may also override ``_update_tensors`` to update a group's Tensors in one call
    (SGD does, for its plain rule).
    """

    _optional_state: tuple[str, ...] = ()  # state a rule creates lazily (SGD's momentum buffer)

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self._check(defaults)
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self._tensor_state: dict[Any, dict[str, Any]] = {}  # tensor -> its state
        self._members_of: dict[int, _Members] = {}  # id(group) -> its parameters, split by kind
        for group in _as_groups(params):
            self.add_param_group(group)

    # ------------------------------------------------------------------ subclass rule

    @abstractmethod
    def _check(self, hyper: dict[str, Any]) -> None:
        """Raise ValueError (naming the bad value) if a hyper-parameter in ``hyper`` is invalid."""
        raise NotImplementedError

    @abstractmethod
    def _init_state(self, group: dict[str, Any], like: np.ndarray) -> dict[str, np.ndarray]:
        """The state arrays a parameter starts with, shaped and typed like ``like``."""
        raise NotImplementedError

    @abstractmethod
    def _update(
        self, group: dict[str, Any], param: np.ndarray, grad: np.ndarray,
        state: dict[str, Any], step: int,
    ) -> None:
        """One update of ``param`` (in place) from ``grad``; ``step`` counts from 1."""
        raise NotImplementedError

    def _update_tensors(
        self, group: dict[str, Any], params: list[np.ndarray], grads: list[np.ndarray],
        states: list[dict[str, Any]],
    ) -> None:
        """``_update`` for each Tensor of ``group`` that has a gradient (steps already counted)."""
        update = self._update
        for param, grad, state in zip(params, grads, states):
            update(group, param, grad, state, state["step"])

    # ------------------------------------------------------------------------ public

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters (missing ones: the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"a parameter group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("a parameter group needs a 'params' entry")
        params = ParamList(_as_param_list(param_group["params"]))
        group = {"params": params, **self.defaults}
        group.update((k, v) for k, v in param_group.items() if k != "params")
        self._check(group)
        self._split(group, None)  # checks every parameter's type and that none is repeated
        self.param_groups.append(group)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter whose grad is not None; returns ``closure()`` if given.

        All or nothing: every gradient is checked first (a Tensor's must be a floating ndarray
        of the parameter's shape, for a writable floating parameter array; a Value's a real
        number), and a bad one raises a ValueError naming its group and position before any
        parameter, state or step count changes. Editing ``param_groups`` between steps (adding
        a group, replacing or editing a group's ``"params"`` list) is seen by the next step.

        >>> import numpy as np
        >>> import optim
        >>> from autograd import Tensor
        >>> w = Tensor(np.zeros(3), requires_grad=True)
        >>> opt = optim.SGD([w], lr=0.1)
        >>> w.grad = np.ones(1)  # would broadcast, but it is not w's gradient
        >>> opt.step()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: param_groups[0] parameter 0 (Tensor of shape (3,)): grad has shape (1,), ...
        >>> w.data
        array([0., 0., 0.])
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        plan = [self._checked_group(gi, group) for gi, group in enumerate(self.param_groups)]
        tensor_state = self._tensor_state
        for group, members, tensors, datas, grads, states, gathered in plan:
            if tensors:
                for i, state in enumerate(states):
                    if state is None:  # the first step of this Tensor
                        state = {"step": 0, **self._init_state(group, datas[i])}
                        states[i] = tensor_state[tensors[i]] = state
                    state["step"] += 1
                self._update_tensors(group, datas, grads, states)
            if gathered is not None:
                members.block.step(partial(self._init_state, group),
                                   partial(self._update, group), gathered)
        return loss

    def _checked_group(self, gi: int, group: dict[str, Any]) -> tuple:
        """What ``step`` will do for group ``gi``, after checking every gradient in it; changes
        nothing. ``(group, members, tensors, their data arrays, their grads, their states (None
        before the first step), (data, grad) of the Values or None)``, for the Tensors with a
        gradient."""
        members = self._members(group)
        tensors, datas, grads, states = [], [], [], []
        get_state = self._tensor_state.get
        for p in members.tensors:
            grad = p.grad
            if grad is None:
                continue
            data = p.data
            if (not isinstance(grad, np.ndarray) or grad.shape != data.shape
                    or grad.dtype.kind != "f" or data.dtype.kind != "f"
                    or not data.flags.writeable):
                raise ValueError(_bad_tensor_grad(gi, group, p))
            state = get_state(p)
            if state is not None and len(state) > 1:  # p.data may have been replaced
                for name, array in state.items():
                    if type(array) is np.ndarray and array.shape != data.shape:
                        raise ValueError(_bad_state_shape(gi, group, p, name, array))
            tensors.append(p)
            datas.append(data)
            grads.append(grad)
            states.append(state)
        gathered = None
        if members.block is not None:
            try:
                gathered = members.block.gather()
            except BadGradient as e:
                v = members.block.params[e.position]
                raise ValueError(f"{_where(gi, group, v)}: {e}; nothing was updated") from None
        return group, members, tensors, datas, grads, states, gathered

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset gradients: a Value's to 0.0; a Tensor's to None, or to zeros in place."""
        for group in self.param_groups:
            members = self._members(group)
            if members.block is not None:
                members.block.zero_grad()
            if set_to_none:
                for p in members.tensors:
                    p.grad = None
                continue
            for p in members.tensors:
                grad = p.grad
                if grad is None:
                    continue
                if grad.flags.writeable:
                    grad.fill(0)
                else:
                    p.grad = np.zeros_like(grad)

    @property
    def state(self) -> Mapping[Any, dict[str, Any]]:
        """Parameter -> its state (``"step"`` and the rule's arrays), for parameters stepped so far.

        A Tensor's entry is the live dict; a Value's is a copy (Values keep their state packed
        in their group's arrays, for speed).
        """
        return _StateView(self)

    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [index, ...]}]}``, copied.

        Indices number the parameters across all groups in order, as in PyTorch, so the dict
        loads into a new optimizer built over the same parameters in the same order.
        """
        state: dict[int, dict[str, Any]] = {}
        groups = []
        index = 0
        for group in self.param_groups:
            members = self._members(group)
            saved = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            saved["params"] = list(range(index, index + len(group["params"])))
            groups.append(saved)
            for p in group["params"]:
                entry = self._state_of(p, members, copy_arrays=True)
                if entry is not None:
                    state[index] = entry
                index += 1
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore hyper-parameters and state from ``state_dict()`` output: all or nothing.

        Everything is checked before anything changes (group count and sizes, state shapes,
        hyper-parameters); the arrays are copied and cast to each parameter's dtype.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                "load_state_dict(state_dict) expects the dict from optimizer.state_dict(), "
                f"got {type(state_dict).__name__}"
            )
        try:
            saved_groups, saved_state = state_dict["param_groups"], state_dict["state"]
        except KeyError:
            raise ValueError("a state dict needs 'state' and 'param_groups' entries") from None
        if not isinstance(saved_groups, (list, tuple)) or not isinstance(saved_state, Mapping):
            raise ValueError(
                "a state dict's 'param_groups' must be a list and its 'state' a dict, got "
                f"{type(saved_groups).__name__} and {type(saved_state).__name__}"
            )
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, "
                f"this optimizer has {len(self.param_groups)}"
            )
        by_index: dict[Any, tuple[Any, dict[str, Any]]] = {}
        merged_groups = []
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            indices = saved.get("params") if isinstance(saved, Mapping) else None
            if not isinstance(indices, (list, tuple)):
                raise ValueError(f"loaded parameter group {i} must be a dict with a 'params' list")
            if len(indices) != len(group["params"]):
                raise ValueError(
                    f"loaded parameter group {i} has {len(indices)} parameters, "
                    f"this optimizer's has {len(group['params'])}"
                )
            merged = {**group, **{k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}}
            self._check(merged)
            self._members(group)  # checks the parameters before anything changes
            merged_groups.append(merged)
            for index, p in zip(indices, group["params"]):
                if index in by_index:
                    raise ValueError(f"loaded parameter index {index!r} is listed twice")
                by_index[index] = (p, merged)
        tensor_state: dict[Any, dict[str, Any]] = {}
        value_entries: dict[Any, dict[str, Any]] = {}
        for index, entry in saved_state.items():
            if index not in by_index:
                raise ValueError(f"loaded state for parameter {index!r}, which no group lists")
            p, merged = by_index[index]
            like = np.zeros(()) if isinstance(p, Value) else p.data
            self._check_entry_keys(index, entry, merged, like)
            if isinstance(p, Value):
                value_entries[p] = _checked_value_entry(index, entry)
            else:
                tensor_state[p] = _checked_tensor_entry(index, entry, p.data)
        for group, merged in zip(self.param_groups, merged_groups):
            group.update(merged)
        self._tensor_state = tensor_state
        for group in self.param_groups:
            block = self._members(group).block
            if block is not None:
                entries = [value_entries.get(v) for v in block.params]
                block.load(entries, partial(self._init_state, group))

    def _check_entry_keys(
        self, index: Any, entry: Any, group: dict[str, Any], like: np.ndarray
    ) -> None:
        """ValueError unless ``entry`` holds exactly the state this rule uses for ``group``."""
        if not isinstance(entry, Mapping):
            raise ValueError(
                f"state of parameter {index!r} must be a dict, got {type(entry).__name__}"
            )
        required = {"step", *self._init_state(group, like)}
        missing = sorted(required - set(entry))
        unknown = sorted(set(entry) - required - set(self._optional_state), key=repr)
        if missing or unknown:
            raise ValueError(
                f"state of parameter {index!r} for {type(self).__name__}: "
                + "; ".join(
                    part for part in (
                        missing and "missing " + ", ".join(map(repr, missing)),
                        unknown and "unexpected " + ", ".join(map(repr, unknown)),
                    ) if part
                )
            )

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {group[k]!r}" for k in sorted(group) if k != "params")
            lines.append(f"    params: {_describe(self._members(group))}")
        lines.append(")")
        return "\n".join(lines)

    # ---------------------------------------------------------------------- internals

    def _members(self, group: dict[str, Any]) -> _Members:
        """The group's parameters by kind, cached; re-split when ``group["params"]`` no longer
        holds the same parameters in the same order (replaced, grown, shrunk or edited)."""
        members = self._members_of.get(id(group))
        if members is None or members.group is not group:  # a new group, or a copy's (new ids)
            self._members_of = {id(m.group): m for m in self._members_of.values()}
            members = self._members_of.get(id(group))
            if members is None:
                return self._split(group, None)
        params = group["params"]
        if params is members.source and type(params) is ParamList and params.edits == members.edits:
            return members  # the same ParamList, unchanged since the split
        order = members.order
        if len(params) != len(order) or not all(map(is_, params, order)):
            return self._split(group, members)
        members.source, members.edits = params, _edits(params)  # a new list, the same params
        return members

    def _split(self, group: dict[str, Any], old: _Members | None) -> _Members:
        """Sort ``group["params"]`` into Tensors and a block of Values, checking their types and
        that no parameter is listed twice (here or in another group); the Values keep the state
        they had in ``old``."""
        self._check_unique(group)
        tensors, values = [], []
        for p in group["params"]:
            (values if _is_value(p) else tensors).append(p)
        block = ValueBlock(values) if values else None
        if block is not None and old is not None and old.block is not None:
            positions = [old.block.position(v) for v in values]  # carry the Values' state over
            entries = [None if i is None else old.block.export(i) for i in positions]
            block.load(entries, partial(self._init_state, group))
        members = _Members(group, tensors, block)
        live = {id(g) for g in self.param_groups}  # forget groups removed from param_groups
        self._members_of = {k: m for k, m in self._members_of.items() if k in live}
        self._members_of[id(group)] = members
        return members

    def _check_unique(self, group: dict[str, Any]) -> None:
        """ValueError if a parameter of ``group`` appears twice in it or in another group."""
        seen: set[int] = set()
        for i, p in enumerate(group["params"]):
            if id(p) in seen:
                raise ValueError(f"parameter {i} ({_name(p)}) appears twice in one parameter group")
            seen.add(id(p))
        for j, other in enumerate(self.param_groups):
            if other is group:
                continue
            for p in other["params"]:
                if id(p) in seen:
                    raise ValueError(
                        f"{_name(p)} is already in parameter group {j}: "
                        "a parameter can belong to only one group"
                    )

    def _state_of(
        self, p: Any, members: _Members, copy_arrays: bool = False
    ) -> dict[str, Any] | None:
        """``p``'s state: a Value's as a fresh dict, a Tensor's live (or copied), None if none."""
        if isinstance(p, Value):
            i = members.block.position(p) if members.block is not None else None
            return None if i is None else members.block.export(i)
        state = self._tensor_state.get(p)
        if state is None or not copy_arrays:
            return state
        return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in state.items()}

    def _find(self, p: Any) -> _Members | None:
        for group in self.param_groups:
            members = self._members(group)
            if any(q is p for q in group["params"]):
                return members
        return None


class _Members:
    """A group's parameters split by kind: Tensors one by one, Values as one block.

    ``source`` is the ``group["params"]`` list they were split from, ``edits`` its edit count
    then (a ``ParamList``'s; None for a plain list) and ``order`` a copy of it, to notice when
    the list is replaced or edited in place.
    """

    __slots__ = ("group", "source", "edits", "order", "tensors", "block")

    def __init__(self, group: dict[str, Any], tensors: list[Any], block: ValueBlock | None):
        self.group = group
        self.source = group["params"]
        self.edits = _edits(self.source)
        self.order = list(self.source)
        self.tensors = tensors
        self.block = block


class _StateView(Mapping):
    """``optimizer.state``: a read view, parameter -> state, looked up by identity."""

    def __init__(self, optimizer: Optimizer) -> None:
        self._optimizer = optimizer

    def __getitem__(self, param: Any) -> dict[str, Any]:
        members = self._optimizer._find(param)
        state = None if members is None else self._optimizer._state_of(param, members)
        if state is None:
            raise KeyError(f"no optimizer state for {_name(param)}")
        return state

    def __iter__(self) -> Iterator[Any]:
        for group in self._optimizer.param_groups:
            members = self._optimizer._members(group)
            for p in group["params"]:
                if self._optimizer._state_of(p, members) is not None:
                    yield p

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, param: object) -> bool:
        try:
            self[param]
        except KeyError:
            return False
        return True


# -------------------------------------------------------------------------------------------
# Parameter lists and state entries.


def _edits(params: Any) -> int | None:
    """A ParamList's edit count; None for any other list (compared item by item instead)."""
    return params.edits if type(params) is ParamList else None


def _is_value(p: Any) -> bool:
    """True for a Value, False for a floating Tensor; TypeError for anything else."""
    if isinstance(p, Value):
        return True
    data = getattr(p, "data", None)
    if isinstance(data, np.ndarray) and hasattr(p, "grad"):
        if not np.issubdtype(data.dtype, np.floating):
            raise TypeError(f"optimizers need floating-point parameters, got a {data.dtype} Tensor")
        return False
    raise TypeError(f"optimizers take Values and Tensors, got {type(p).__name__}")


def _is_param(x: Any) -> bool:
    return isinstance(x, Value) or isinstance(getattr(x, "data", None), np.ndarray)


def _as_groups(params: Any) -> list[dict[str, Any]]:
    """The constructor's ``params`` as a list of group dicts (a generator works too)."""
    if _is_param(params):
        raise TypeError(
            "params must be an iterable of Values or Tensors (or of parameter-group dicts), "
            f"got a single {type(params).__name__}; wrap it in a list"
        )
    if isinstance(params, dict):
        return [params]
    items = _as_param_list(params)
    if not items:
        raise ValueError("optimizer got an empty parameter list")
    if all(isinstance(item, dict) for item in items):
        return items
    return [{"params": items}]


def _as_param_list(params: Any) -> list[Any]:
    if _is_param(params):
        return [params]
    if isinstance(params, (set, frozenset)):
        raise TypeError("params must be an ordered iterable such as a list, not a set")
    try:
        return list(params)
    except TypeError:
        raise TypeError(
            f"params must be an iterable of Values or Tensors, got {type(params).__name__}"
        ) from None


def _checked_step(index: Any, entry: Mapping[str, Any]) -> int:
    step = entry["step"]
    value = step.item() if isinstance(step, np.ndarray) and step.ndim == 0 else step
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, Real)
            or not math.isfinite(value) or value < 0 or value != int(value)):
        raise ValueError(f"state of parameter {index!r}: step must be a count >= 0, got {step!r}")
    return int(value)


def _real_array(index: Any, name: str, value: Any, dtype: Any) -> np.ndarray:
    """A copy of ``value`` as a ``dtype`` array, if it holds real numbers; else ValueError."""
    raw = np.asarray(value.data if hasattr(value, "_prev") else value)
    if raw.dtype.kind not in "biuf":
        raise ValueError(
            f"state {name!r} of parameter {index!r} must hold real numbers, got dtype {raw.dtype}"
        )
    return np.array(raw, dtype=dtype)


def _checked_value_entry(index: Any, entry: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"step": _checked_step(index, entry)}
    for name, value in entry.items():
        if name == "step":
            continue
        array = _real_array(index, name, value, np.float64)
        if array.ndim != 0:
            raise ValueError(
                f"state {name!r} of parameter {index!r} (a Value) must be a number, "
                f"got shape {array.shape}"
            )
        out[name] = float(array)
    return out


def _checked_tensor_entry(index: Any, entry: Mapping[str, Any], like: np.ndarray) -> dict[str, Any]:
    out: dict[str, Any] = {"step": _checked_step(index, entry)}
    for name, value in entry.items():
        if name == "step":
            continue
        array = _real_array(index, name, value, like.dtype)  # a copy in the parameter's dtype
        if array.shape != like.shape:
            raise ValueError(
                f"state {name!r} of parameter {index!r} has shape {array.shape}, "
                f"the parameter has shape {like.shape}"
            )
        out[name] = array
    return out


def _where(gi: int, group: dict[str, Any], p: Any) -> str:
    """``param_groups[0] parameter 2 (Tensor of shape (4, 3))``: where ``p`` is, for errors."""
    i = next(i for i, q in enumerate(group["params"]) if q is p)
    return f"param_groups[{gi}] parameter {i} ({_name(p)})"


def _bad_tensor_grad(gi: int, group: dict[str, Any], p: Any) -> str:
    grad, data = p.grad, p.data
    if not isinstance(grad, np.ndarray):
        problem = f"grad is {type(grad).__name__}, expected a numpy.ndarray"
    elif grad.dtype.kind != "f":
        problem = f"grad has dtype {grad.dtype}, expected a floating dtype"
    elif grad.shape != data.shape:
        problem = f"grad has shape {grad.shape}, the parameter has shape {data.shape}"
    elif data.dtype.kind != "f":
        problem = f"the parameter's array has dtype {data.dtype}, expected a floating dtype"
    else:
        problem = "the parameter's array is read-only"
    return f"{_where(gi, group, p)}: {problem}; nothing was updated"


def _bad_state_shape(gi: int, group: dict[str, Any], p: Any, name: str, array: Any) -> str:
    return (f"{_where(gi, group, p)}: its data now has shape {p.data.shape} but its optimizer "
            f"state {name!r} has shape {array.shape}; nothing was updated")


def _name(p: Any) -> str:
    label = getattr(p, "label", "")
    shape = getattr(p, "shape", None)
    kind = type(p).__name__ + (f" of shape {tuple(shape)}" if shape is not None else "")
    return f"{kind} {label!r}" if label else kind


def _describe(members: _Members) -> str:
    parts = []
    if members.tensors:
        n = len(members.tensors)
        parts.append(f"{n} Tensor{'s' if n != 1 else ''}")
    if members.block is not None:
        n = len(members.block.params)
        parts.append(f"{n} Value{'s' if n != 1 else ''}")
    return ", ".join(parts) or "none"
