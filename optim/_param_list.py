"""``ParamList``: a parameter group's ``"params"``, a list that counts its own edits.

``Optimizer.step`` keeps each group's parameters sorted by kind between calls, and must notice
when the user edits ``group["params"]`` (PyTorch reads the list afresh at every step). Comparing
the list item by item costs a pass over every parameter at every step and ``zero_grad``;
instead, every method that changes a ``ParamList`` bumps ``edits``, so an unchanged list is
told in O(1). A plain list put in its place is still compared item by item.
"""

from __future__ import annotations

from typing import Any

_EDITS = ("__setitem__", "__delitem__", "__iadd__", "__imul__", "append", "extend", "insert",
          "pop", "remove", "reverse", "sort", "clear")


class ParamList(list):
    """A list whose ``edits`` counter grows at every change made through its methods.

    >>> params = ParamList(["w", "b"])
    >>> before = params.edits
    >>> params[0] = "v"
    >>> params.edits > before, params == ["v", "b"], isinstance(params, list)
    (True, True, True)
    """

    edits = 0  # a class default: unpickling appends the items before it restores the count


def _counted(name: str) -> Any:
    change = getattr(list, name)

    def method(self: ParamList, *args: Any, **kwargs: Any) -> Any:
        self.edits += 1
        return change(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = change.__doc__
    return method


for _name in _EDITS:
    setattr(ParamList, _name, _counted(_name))
