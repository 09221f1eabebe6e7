"""The text inside a drawn node: numbers, Tensor previews and the HTML-like record label.

Why: a drawing is only as useful as its numbers are readable. Scalars get four decimals (or
scientific notation when tiny or huge, so a vanishing gradient never shows as ``0.0000``);
Tensors get their shape, dtype and a few corner values, never a wall of digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np

PENDING = object()  # a gradient the backward pass has not reached yet (step-through frames)


@dataclass(frozen=True)
class Style:
    """Colours of one kind of node: fill, border and the border's width."""

    fill: str
    border: str
    width: int = 1


OUTPUT = Style("#ffe0b2", "#e65100", 2)
PARAMETER = Style("#c8e6c9", "#2e7d32")
LEAF = Style("#e3f2fd", "#1565c0")
COMPUTED = Style("#ffffff", "#757575")
HIGHLIGHT = Style("#fff59d", "#d32f2f", 3)
OP_FILL, OP_BORDER = "#eeeeee", "#9e9e9e"
GRAD_COLOR, PENDING_COLOR, MUTED = "#b71c1c", "#bdbdbd", "#616161"
FONT = "Helvetica"


def fmt_number(x: Any) -> str:
    """One scalar: ``2.0000``, ``-0.0312``, ``1.234e-07``, ``nan``."""
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0.0 or 1e-2 <= abs(x) < 1e4:
        return f"{x:.4f}"
    return f"{x:.3e}"


def fmt_array(a: np.ndarray, max_lines: int = 4) -> list[str]:
    """A short preview of an array: a 0-d array as one number, else a few corner values."""
    a = np.asarray(a)
    if (a.ndim == 0 or a.size == 1) and a.dtype.kind in "biu":  # an index or a flag: as is
        return [str(a.reshape(()).item())]
    if a.ndim == 0 or a.size == 1:
        return [fmt_number(a.reshape(()))]
    if a.dtype.kind not in "fiub":
        return [f"<{a.dtype}>"]
    text = np.array2string(
        a, precision=3, threshold=6, edgeitems=2, max_line_width=36, separator=" ",
        suppress_small=True, floatmode="maxprec",
    )
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > max_lines:  # first rows, an ellipsis, the last row
        lines = lines[: max_lines - 2] + [" ..."] + lines[-1:]
    return lines


def is_tensor(node: Any) -> bool:
    """A Tensor-like node (has a shape), as opposed to a scalar ``Value``."""
    return hasattr(node, "shape")


def text_lines(value: Any, tensor: bool) -> list[str]:
    """``data``/``grad`` of a node as lines of text; a missing Tensor grad shows ``None``."""
    if value is None:
        return ["None"]
    if tensor:
        return fmt_array(value)
    return [fmt_number(value)]


def _cell(
    lines: list[str], color: str | None = None, bold: bool = False, bg: str | None = None,
    size: tuple[int, int] | None = None,
) -> str:
    body = '<br align="left"/>'.join(escape(line) for line in lines)
    if len(lines) > 1:
        body += '<br align="left"/>'
    if bold:
        body = f"<b>{body}</b>"
    if color:
        body = f'<font color="{color}">{body}</font>'
    attrs = ""
    if bg:
        attrs += f' bgcolor="{bg}"'
    if size:
        attrs += f' width="{size[0]}" height="{size[1]}"'
    return f"<td{attrs}>{body}</td>"


def text_size(lines: list[str], fontsize: float = 11.0) -> tuple[int, int]:
    """A generous estimate of the points ``lines`` take, to keep a cell's size fixed."""
    chars = max((len(line) for line in lines), default=0)
    return int(chars * fontsize * 0.62 + 10), int(len(lines) * fontsize * 1.25 + 6)


def record_label(
    node: Any,
    name: str,
    style: Style,
    grad: Any,
    show_grad: bool,
    horizontal: bool,
    grad_size: tuple[int, int] | None = None,
) -> str:
    """The HTML-like Graphviz label of one node: name, data and grad in one table.

    A Value is one row (``name | data | grad``; one column when ``horizontal`` is False). A
    Tensor is a header (name, shape, dtype) over its data and grad previews side by side.
    ``grad`` is the value to show (``PENDING``: not reached yet); ``grad_size`` reserves the
    grad cell's final size, so step-through frames keep one layout.
    """
    tensor = is_tensor(node)
    grad_cell = None
    if show_grad:
        if grad is PENDING:
            grad_cell = _cell(["grad ?"], color=PENDING_COLOR, size=grad_size)
        else:
            grad_cell = _cell(grad_lines(grad, tensor), color=GRAD_COLOR, size=grad_size)
    if tensor:
        data_lines = fmt_array(node.data)
        data_cell = _cell(
            ["data"] + data_lines if len(data_lines) > 1 else [f"data {data_lines[0]}"]
        )
        shape = np.shape(node.data)
        dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
        head = f'<font color="{MUTED}">({dims}) {np.asarray(node.data).dtype}</font>'
        if name:
            head = f"<b>{escape(name)}</b>  {head}"
        span = 2 if grad_cell else 1
        rows = f'<tr><td colspan="{span}">{head}</td></tr><tr>{data_cell}{grad_cell or ""}</tr>'
    else:
        cells = [_cell([name], bold=True)] if name else []
        cells.append(_cell([f"data {fmt_number(node.data)}"]))
        if grad_cell:
            cells.append(grad_cell)
        if horizontal:
            rows = "<tr>" + "".join(cells) + "</tr>"
        else:
            rows = "".join(f"<tr>{c}</tr>" for c in cells)
    return (
        f'<<table border="{style.width}" cellborder="1" cellspacing="0" cellpadding="4" '
        f'bgcolor="{style.fill}" color="{style.border}">{rows}</table>>'
    )


def grad_lines(grad: Any, tensor: bool) -> list[str]:
    """The grad cell's lines exactly as :func:`record_label` writes them (for sizing)."""
    lines = text_lines(grad, tensor)
    return ["grad"] + lines if len(lines) > 1 else [f"grad {lines[0]}"]
