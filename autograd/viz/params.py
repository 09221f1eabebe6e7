"""Named parameters from whatever the user has: an ``nn`` module, a dict, pairs or bare nodes.

Why: ``draw_dot(..., params=model)`` and ``gradient_flow(model)`` both need "which nodes are
parameters, and what are they called". Accepting every shape a user is likely to hold keeps
their call sites short and keeps the ``nn`` package out of ``autograd``'s imports.
"""

from __future__ import annotations

from typing import Any


def named_parameters(source: Any) -> list[tuple[str, Any]]:
    """``[(name, node), ...]`` in the source's order; unnamed nodes are called ``"param{i}"``.

    ``source`` is an object with ``named_parameters()`` (an ``nn.Module``), one with only
    ``parameters()``, a dict name -> node, or an iterable of ``(name, node)`` pairs or nodes.
    A node listed twice (shared weights) keeps its first name.
    """
    if source is None:
        return []
    if hasattr(source, "named_parameters"):
        items = list(source.named_parameters())
    elif hasattr(source, "parameters"):
        items = list(source.parameters())
    elif isinstance(source, dict):
        items = list(source.items())
    elif _is_node(source):
        items = [source]
    else:
        items = list(source)
    out: list[tuple[str, Any]] = []
    seen: set = set()
    for i, item in enumerate(items):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            name, node = item
        elif _is_node(item):
            name, node = f"param{i}", item
        else:
            raise TypeError(
                "params must be a module, a dict name -> node, or an iterable of "
                f"(name, node) pairs or nodes; got an item of type {type(item).__name__}"
            )
        if not _is_node(node):
            raise TypeError(f"parameter {name!r} is a {type(node).__name__}, not a Value or Tensor")
        if node not in seen:
            seen.add(node)
            out.append((name, node))
    return out


def _is_node(x: Any) -> bool:
    return hasattr(x, "_prev") and hasattr(x, "data")


def layer_names(source: Any, named: list[tuple[str, Any]] | None = None) -> dict:
    """Node -> the layer it belongs to, for grouping (gradient-flow rows, drawing boxes).

    A Tensor parameter's layer is the module that owns it (``"0.weight"`` -> ``"0"``). A
    scalar ``Value`` parameter's layer is one module further up, so a micrograd ``MLP`` groups
    by ``Layer`` (``"layers.1.neurons.0.w.2"`` -> ``"layers.1"``) rather than by neuron. With a
    module the owners come from ``named_modules()``; with bare names, from the names alone
    (list indices like ``w.2`` and ``neurons.0`` are not modules). The root module is ``""``.
    """
    named = named_parameters(source) if named is None else named
    modules = [m for m, _ in source.named_modules()] if hasattr(source, "named_modules") else None
    out = {}
    for name, node in named:
        if modules is not None:
            owner = max((m for m in modules if not m or name.startswith(m + ".")), key=len)
            if not hasattr(node, "shape") and owner:
                parents = [m for m in modules
                           if m != owner and (not m or owner.startswith(m + "."))]
                owner = max(parents, key=len) if parents else ""
        else:
            parts = name.split(".")
            while len(parts) > 1 and parts[-1].isdigit():
                parts.pop()  # list index of a parameter list (w.2)
            parts.pop()  # the attribute
            if not hasattr(node, "shape") and len(parts) >= 2 and parts[-1].isdigit():
                parts = parts[:-2]  # a neuron in a list of neurons: its layer is one level up
            owner = ".".join(parts)
        out[node] = owner
    return out
