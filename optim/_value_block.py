"""``ValueBlock``: the scalar ``Value`` parameters of one group, updated as one float64 array.

A Value model can have thousands of parameters. Rather than a Python loop doing a dozen float
operations and dict lookups per Value, each step gathers every ``.grad`` and ``.data`` into an
array, runs the optimizer's vectorized update and writes ``.data`` back: three lean list passes.
The per-Value state (moments, step counts) lives in arrays aligned with ``params``.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from operator import attrgetter
from typing import Any

import numpy as np

_grad = attrgetter("grad")
_data = attrgetter("data")


class BadGradient(ValueError):
    """A Value's grad that cannot be used; ``position`` is its index in the block."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(message)
        self.position = position

# update(param, grad, state, step) and init_state(like) of the optimizer, bound to a group.
Update = Callable[[np.ndarray, np.ndarray, dict, int], None]
InitState = Callable[[np.ndarray], dict]


class ValueBlock:
    """The Values of one parameter group with their optimizer state as flat float64 arrays."""

    __slots__ = ("params", "state", "steps", "uniform", "_positions")

    def __init__(self, params: list[Any]) -> None:
        self.params = params
        self.state: dict[str, np.ndarray] | None = None  # created at the first step
        self.steps = np.zeros(len(params), dtype=np.int64)  # per-Value step counts
        self.uniform = True  # every Value has taken the same number of steps
        self._positions: dict[Any, int] | None = None

    def gather(self) -> tuple[np.ndarray, np.ndarray]:
        """``(data, grad)`` of every Value as float64 arrays (a None grad becomes nan), checked
        first: a grad that is not a real number raises ``BadGradient`` naming its position.
        Changes nothing, so the optimizer can check every group before updating any."""
        params = self.params
        raw = list(map(_grad, params))
        try:
            grad = np.array(raw)  # float64 when every grad is a float: no per-item check needed
        except (TypeError, ValueError):  # sequences among the grads
            grad = None
        if grad is None or grad.dtype != np.float64 or grad.ndim != 1:  # ints, None, or wrong
            for i, g in enumerate(raw):
                if g is not None and (isinstance(g, (bool, np.bool_)) or not isinstance(g, Real)):
                    raise BadGradient(i, f"grad is {type(g).__name__} {g!r}, expected a float")
            grad = np.array(raw, dtype=np.float64)  # a None grad becomes nan
        data = np.array(list(map(_data, params)), dtype=np.float64)
        return data, grad

    def step(self, init_state: InitState, update: Update,
             gathered: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """One optimizer step for every Value whose grad is not None (``gathered``: what
        ``gather()`` returned, if the caller already checked it)."""
        params = self.params
        data, grad = self.gather() if gathered is None else gathered
        if self.state is None:
            self.state = init_state(data)
        if self.uniform and not np.isnan(grad).any():  # the usual case: one update for all
            self.steps += 1
            update(data, grad, self.state, int(self.steps[0]))
        else:
            self._step_in_parts(data, grad, update)
        for p, x in zip(params, data.tolist()):
            p.data = x

    def _step_in_parts(self, data: np.ndarray, grad: np.ndarray, update: Update) -> None:
        """Skip Values whose grad is None; update the rest in parts of equal step count."""
        has_grad = np.fromiter((p.grad is not None for p in self.params), bool, len(self.params))
        steps, state = self.steps, self.state
        steps[has_grad] += 1
        for step in np.unique(steps[has_grad]).tolist():
            idx = np.flatnonzero(has_grad & (steps == step))
            part = {name: array[idx] for name, array in state.items()}
            part_data = data[idx]
            update(part_data, grad[idx], part, step)
            data[idx] = part_data
            for name, array in part.items():
                state.setdefault(name, np.zeros_like(data))[idx] = array
        self.uniform = bool((steps == steps[0]).all())

    def zero_grad(self) -> None:
        """Every Value's grad back to 0.0 (Values have no "None" gradient)."""
        for p in self.params:
            p.grad = 0.0

    def position(self, param: Any) -> int | None:
        """Where ``param`` sits in this block, or None."""
        if self._positions is None:
            self._positions = {p: i for i, p in enumerate(self.params)}  # Values hash by identity
        return self._positions.get(param)

    def export(self, i: int) -> dict[str, Any] | None:
        """The i-th Value's state as ``{"step": int, name: float}``; None before its first step."""
        if self.state is None or self.steps[i] == 0:
            return None
        entry: dict[str, Any] = {"step": int(self.steps[i])}
        entry.update((name, float(array[i])) for name, array in self.state.items())
        return entry

    def load(self, entries: list[dict[str, Any] | None], init_state: InitState) -> None:
        """Replace the state with ``entries``: per Value, a dict as ``export`` gives, or None."""
        n = len(self.params)
        self._positions = None
        if all(entry is None for entry in entries):
            self.state, self.steps, self.uniform = None, np.zeros(n, dtype=np.int64), True
            return
        state = init_state(np.zeros(n))  # the starting values for Values without an entry
        steps = np.zeros(n, dtype=np.int64)
        for i, entry in enumerate(entries):
            if entry is None:
                continue
            steps[i] = entry["step"]
            for name, value in entry.items():
                if name != "step":
                    state.setdefault(name, np.zeros(n))[i] = value
        self.state, self.steps = state, steps
        self.uniform = bool((steps == steps[0]).all())

