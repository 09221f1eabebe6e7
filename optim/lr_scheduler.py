"""Learning-rate schedulers with PyTorch's semantics: call ``step()`` once per epoch.

Each scheduler writes the new rate into every parameter group's ``"lr"``. Constructing one
sets each group's ``"initial_lr"`` (the base rate) and performs step 0, which leaves the rates
unchanged; ``last_epoch`` counts the steps since. The recursive updates below are PyTorch's,
so the numbers match it to the last bit, and ``state_dict`` holds everything but the optimizer.
"""

from __future__ import annotations

import math
import types
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np

from ._checks import check_number
from .optimizer import Optimizer

_MISSING = object()  # a group without "initial_lr", for the constructor's rollback

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR"]


class LRScheduler(ABC):
    """Base class: keeps ``base_lrs``, ``last_epoch`` and the rates of the last step."""

    _counts: tuple[str, ...] = ()  # integer settings that must stay >= 1 (checked on load)

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}(optimizer): {type(optimizer).__name__} "
                            "is not an Optimizer")
        if (isinstance(last_epoch, (bool, np.bool_)) or not isinstance(last_epoch, Integral)
                or last_epoch < -1):
            raise ValueError(f"{type(self).__name__}(last_epoch) must be an int >= -1, "
                             f"got {last_epoch!r}")
        if last_epoch != -1:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                        "a scheduler with last_epoch >= 0: load the optimizer's state first"
                    )
        groups = optimizer.param_groups
        saved = [(group["lr"], group.get("initial_lr", _MISSING)) for group in groups]
        self.optimizer = optimizer
        try:
            if last_epoch == -1:
                for group in optimizer.param_groups:
                    group.setdefault("initial_lr", group["lr"])
            self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
            self.last_epoch = int(last_epoch)
            self._step_count = 0
            self._is_initial = True  # the constructor's step keeps the current rates
            self.step()
            self._is_initial = False
        except BaseException:  # a failed constructor leaves the optimizer as it was
            for group, (lr, initial) in zip(optimizer.param_groups, saved):
                group["lr"] = lr
                if initial is _MISSING:
                    group.pop("initial_lr", None)
                else:
                    group["initial_lr"] = initial
            raise

    @abstractmethod
    def get_lr(self) -> list[float]:
        """The rates for the epoch ``last_epoch`` just reached, one per parameter group."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and write the new rates into the optimizer's groups."""
        self.last_epoch += 1
        try:
            lrs = list(self.get_lr())
            self._check_lrs(lrs)
        except BaseException:  # nothing changes: not the epoch count, not the rates
            self.last_epoch -= 1
            raise
        self._step_count += 1
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _check_lrs(self, lrs: list[Any]) -> None:
        """Every new rate must be a number >= 0, one per group, before any is written."""
        groups = self.optimizer.param_groups
        if len(lrs) != len(groups):
            raise ValueError(f"{type(self).__name__} computed {len(lrs)} rates for "
                             f"{len(groups)} parameter groups")
        for i, lr in enumerate(lrs):
            if isinstance(lr, (bool, np.bool_)) or not isinstance(lr, Real):
                raise TypeError(f"{type(self).__name__} computed a rate for param_groups[{i}] "
                                f"that is not a number: {type(lr).__name__} {lr!r}")
            if not lr >= 0:
                raise ValueError(f"{type(self).__name__} computed the rate {lr!r} for "
                                 f"param_groups[{i}]; a learning rate must be >= 0")

    def get_last_lr(self) -> list[float]:
        """The rates set by the last ``step()`` (or the constructor), one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything in the scheduler but the optimizer (save the optimizer's state too)."""
        return {k: _copied(v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned: all or nothing, every field checked first
        (the same keys as this scheduler's, each of the same kind; rate lists one per group)."""
        self.__dict__.update(self._checked_state(state_dict, skip=()))

    def _checked_state(self, state_dict: Any, skip: tuple[str, ...]) -> dict[str, Any]:
        name = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{name}.load_state_dict expects the dict from state_dict(), "
                            f"got {type(state_dict).__name__}")
        own = {k: v for k, v in self.__dict__.items() if k != "optimizer" and k not in skip}
        given = {k: v for k, v in state_dict.items() if k not in skip}
        missing = sorted(set(own) - set(given))
        unknown = sorted(set(given) - set(own), key=repr)
        if missing or unknown:
            raise ValueError(f"{name} state: missing {missing}, unexpected {unknown}")
        groups = len(self.optimizer.param_groups)
        for key, value in given.items():
            problem = _kind_problem(own[key], value, groups)
            if problem:
                raise ValueError(f"{name} state {key!r}: {problem}")
        if given["last_epoch"] < -1:
            raise ValueError(f"{name} state 'last_epoch' must be >= -1, got {given['last_epoch']}")
        for key in self._counts:
            if given[key] < 1:
                raise ValueError(f"{name} state {key!r} must be >= 1, got {given[key]}")
        return {k: _copied(v) for k, v in given.items()}

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, last_lr={self._last_lr})"


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs: ``base * gamma**(t // size)``."""

    _counts = ("step_size",)

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        if not isinstance(step_size, Integral) or isinstance(step_size, bool) or step_size < 1:
            raise ValueError(f"step_size must be an integer >= 1, got {step_size!r}")
        check_number("gamma", gamma)
        self.step_size = int(step_size)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch: ``base * gamma ** t``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        check_number("gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]


class CosineAnnealingLR(LRScheduler):
    """Anneal from the base rate to ``eta_min`` along half a cosine over ``T_max`` epochs.

    ``eta_min + (base - eta_min) * (1 + cos(pi * t / T_max)) / 2``, computed with PyTorch's
    recursive form; past ``T_max`` the rate climbs back, as PyTorch's does (no restarts).
    """

    _counts = ("T_max",)

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        if not isinstance(T_max, Integral) or isinstance(T_max, bool) or T_max < 1:
            raise ValueError(f"T_max must be an integer >= 1, got {T_max!r}")
        check_number("eta_min", eta_min)
        self.T_max = int(T_max)
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        groups, t = self.optimizer.param_groups, self.last_epoch
        t_max, eta_min = self.T_max, self.eta_min
        if (t - 1 - t_max) % (2 * t_max) == 0:  # leaving the minimum: the ratio below is 0/0
            return [
                group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                for base_lr, group in zip(self.base_lrs, groups)
            ]
        return [
            (1 + math.cos(math.pi * t / t_max))
            / (1 + math.cos(math.pi * (t - 1) / t_max))
            * (group["lr"] - eta_min)
            + eta_min
            for group in groups
        ]


class LambdaLR(LRScheduler):
    """Rate = base rate times ``lr_lambda(epoch)`` (one function, or a list with one per group).

    ``state_dict`` cannot save plain functions; for a callable object it saves its ``__dict__``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        groups = optimizer.param_groups if isinstance(optimizer, Optimizer) else []
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(groups):
                raise ValueError(f"Expected {len(groups)} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(groups)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda must be callable, got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        lrs = []
        for i, (fn, base_lr) in enumerate(zip(self.lr_lambdas, self.base_lrs)):
            factor = fn(t)
            if not _is_number(factor):
                raise TypeError(f"LambdaLR: lr_lambda for param_groups[{i}] returned "
                                f"{type(factor).__name__} {factor!r} at epoch {t}, not a number")
            lrs.append(base_lr * factor)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        skip = ("optimizer", "lr_lambdas")
        state = {k: _copied(v) for k, v in self.__dict__.items() if k not in skip}
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else dict(vars(fn)) for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        checked = self._checked_state(state_dict, skip=("lr_lambdas",))
        saved = state_dict.get("lr_lambdas", [None] * len(self.lr_lambdas))
        if (not isinstance(saved, (list, tuple)) or len(saved) != len(self.lr_lambdas)
                or not all(attrs is None or isinstance(attrs, Mapping) for attrs in saved)):
            raise ValueError(f"LambdaLR state 'lr_lambdas' must list {len(self.lr_lambdas)} "
                             f"dicts or None, got {saved!r}")
        for fn, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None and not hasattr(fn, "__dict__"):
                raise ValueError(f"LambdaLR state 'lr_lambdas' has attributes for {fn!r}, "
                                 "which cannot take them")
        self.__dict__.update(checked)
        for fn, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                vars(fn).update(attrs)


def _copied(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _is_number(x: Any) -> bool:
    return isinstance(x, Real) and not isinstance(x, (bool, np.bool_))


def _kind_problem(current: Any, value: Any, groups: int) -> str:
    """Why ``value`` cannot replace the scheduler field ``current`` ("" if it can)."""
    if isinstance(current, bool):
        ok = isinstance(value, (bool, np.bool_))
    elif isinstance(current, Integral):
        ok = isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))
    elif _is_number(current):
        ok = _is_number(value)
    elif isinstance(current, list):
        if not isinstance(value, (list, tuple)) or len(value) != groups:
            return f"expected a list of {groups} numbers (one per group), got {value!r}"
        ok = all(_is_number(v) for v in value)
    else:
        ok = True
    return "" if ok else f"expected {type(current).__name__}, got {type(value).__name__} {value!r}"
