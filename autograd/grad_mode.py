"""Whether operations record a graph: ``no_grad`` and ``enable_grad``, per thread, as in PyTorch."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from threading import get_ident
from typing import Any


class _ThreadGradMode(threading.local):
    """The grad-mode switch every op reads (``_GradMode.enabled``) before it records a node.

    A ``threading.local``: each thread sees its own ``enabled``, starting from the class
    default ``True``, so one thread's ``no_grad`` (or a backward running in it) never changes
    another thread's mode.
    """

    enabled = True


_GradMode = _ThreadGradMode()


def is_grad_enabled() -> bool:
    """True when new operations in this thread record the graph needed for ``backward``.

    >>> from autograd import is_grad_enabled, no_grad
    >>> with no_grad():
    ...     is_grad_enabled()
    False
    >>> is_grad_enabled()
    True
    """
    return _GradMode.enabled


class _SetGradMode:
    """Context manager and decorator that sets this thread's grad mode and restores it on exit.

    As a decorator it works on plain functions and on generator functions: for a generator the
    mode applies while its body runs and the caller's mode is back between yields (as
    PyTorch's ``_DecoratorContextManager``).
    """

    _mode = True

    def __new__(cls, func: Callable | None = None) -> Any:
        """``no_grad()`` is a manager; ``@no_grad`` without parentheses decorates (as PyTorch)."""
        if func is None:
            return super().__new__(cls)
        return cls()(func)

    def __init__(self) -> None:
        # thread -> the modes its active entries replaced: one instance may be entered from
        # several threads, and re-entered in one (a dict: a threading.local costs ~2 µs to make)
        self._saved: dict[int, list[bool]] = {}

    def __enter__(self) -> None:
        self._saved.setdefault(get_ident(), []).append(_GradMode.enabled)
        _GradMode.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        me = get_ident()
        stack = self._saved[me]
        _GradMode.enabled = stack.pop()
        if not stack:
            del self._saved[me]

    def __call__(self, func: Callable) -> Callable:
        """Decorate ``func`` so that it runs in this mode (a fresh manager per call)."""
        if not callable(func):
            raise TypeError(f"{type(self).__name__}: can decorate only a function, "
                            f"got {type(func).__name__}")
        make = type(self)
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(make, func)

        @functools.wraps(func)
        def run_in_mode(*args: Any, **kwargs: Any) -> Any:
            with make():
                return func(*args, **kwargs)

        return run_in_mode


def _wrap_generator(make: Callable[[], _SetGradMode], func: Callable) -> Callable:
    """``func`` (a generator function) whose body runs in ``make()``'s mode at every step."""

    @functools.wraps(func)
    def generator_in_mode(*args: Any, **kwargs: Any) -> Any:
        gen = func(*args, **kwargs)
        try:
            with make():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with make():
                        gen.close()
                    raise
                except BaseException as exc:  # thrown in by the caller: pass it on, in mode
                    with make():
                        response = gen.throw(exc)
                else:
                    with make():
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value

    return generator_in_mode


class no_grad(_SetGradMode):
    """Ops inside record no graph: results are leaves. Use for evaluation and updates.

    Affects only the calling thread. Also a decorator (``@no_grad()`` or ``@no_grad``), of
    functions and of generator functions.

    >>> from autograd import Value, no_grad
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * 2          # y has no parents: backward stops here
    >>> y._prev
    ()
    """

    _mode = False


class enable_grad(_SetGradMode):
    """Turns graph recording back on (in the calling thread) inside a ``no_grad`` block.

    >>> from autograd import Value, enable_grad, no_grad
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     with enable_grad():
    ...         y = x * 2
    >>> len(y._prev)
    1
    """

    _mode = True
