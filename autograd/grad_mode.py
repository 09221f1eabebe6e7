"""Whether operations record a graph: ``no_grad`` and ``enable_grad``, as in PyTorch."""

from __future__ import annotations

import contextlib


class _GradMode:
    """Process-wide switch read by every op before it records a node."""

    enabled = True


def is_grad_enabled() -> bool:
    """True when new operations record the graph needed for ``backward``."""
    return _GradMode.enabled


class _SetGradMode(contextlib.ContextDecorator):
    """Context manager and decorator that sets grad mode and restores it on exit."""

    _mode = True

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def __enter__(self) -> None:
        self._saved.append(_GradMode.enabled)
        _GradMode.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self._saved.pop()

    def _recreate_cm(self):  # a fresh instance per decorated call, so recursion is safe
        return type(self)()


class no_grad(_SetGradMode):
    """Ops inside record no graph: results are leaves. Use for evaluation and updates.

    >>> from autograd import Value, no_grad
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * 2          # y has no parents, backward stops here
    >>> y.data, y._prev
    (6.0, ())
    """

    _mode = False


class enable_grad(_SetGradMode):
    """Turns graph recording back on inside a ``no_grad`` block."""

    _mode = True
