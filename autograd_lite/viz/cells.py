"""The HTML-like Graphviz labels of a drawing: value boxes, op circles, legend and key.

Every piece of user text goes through `labels.escape`/`labels.bold`, so any label is safe.
"""

from __future__ import annotations

import math
import textwrap

from ..core import Value
from .edges import ABSENT, DERIVATIVE, LITERAL
from .labels import (
    ABSENT_TEXT,
    DERIV_COLOUR,
    GRAD_COLOUR,
    OP_BORDER,
    OP_FILL,
    PENDING_COLOUR,
    ROLE_COLOURS,
    ROLE_NAMES,
    UNKNOWN,
    Attrs,
    bold,
    escape,
    fmt,
    op_text,
)
from .spec import Spec

__all__ = ["Attrs", "graph_label", "op_attrs", "value_label"]


def value_label(v: Value, name: str, grad: float | None, kind: str, spec: Spec, border: str) -> str:
    """A value box: its name (if any), data and grad, in one row, stacked or one per line."""
    cells: list[str] = []
    shown = bold(name)
    if spec.ops_inside and v.parents:
        formula = escape(spec.formulas.get(v, op_text(v.op)), 60)
        shown += f' <font color="{OP_BORDER}">{formula}</font>' if formula else ""
    if shown:
        cells.append(f"<td>{shown}</td>")
    if kind == "constant":  # a constant's gradient is never used: show just the number
        cells.append(f"<td>{escape(fmt(v.data, spec.digits))}</td>")
    else:
        cells.append(f"<td>data {escape(fmt(v.data, spec.digits))}</td>")
        if spec.show_grad:
            g = UNKNOWN if grad is None else fmt(grad, spec.digits)
            colour = PENDING_COLOUR if grad is None else GRAD_COLOUR
            cells.append(f'<td><font color="{colour}">grad {escape(g)}</font></td>')
    padding = 4
    if spec.tall and len(cells) > 1:
        rows = "<hr/>".join(f"<tr>{cell}</tr>" for cell in cells)
        padding = 2
    elif spec.stacked and shown and len(cells) > 1:
        rows = f'<tr><td colspan="{len(cells) - 1}">{shown}</td></tr><hr/>'
        rows += f"<tr>{'<vr/>'.join(cells[1:])}</tr>"
        padding = 3
    else:
        rows = f"<tr>{'<vr/>'.join(cells)}</tr>"
    return (
        f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="{padding}" '
        f'color="{border}">{rows}</table>>'
    )


def _swatch(fill: str, border: str, text: str) -> str:
    return (
        f'<td bgcolor="{fill}" color="{border}" border="1" style="rounded" width="16">'
        f'</td><td align="left">{text}</td>'
    )


# What the legend says about edges: a sample of the notation, and how to read it.
DERIVATIVE_SAMPLE = "∂c/∂a = 1.5"
ABSENT_SAMPLE = "- - -"
ABSENT_NOTE = (
    "a branch not taken (relu below 0, the unused side of max or min, clamp outside its "
    "range): the edge adds no term to any gradient"
)
LITERAL_NOTE = "an edge from a number (the 2 in x**2) carries no derivative: a number gets none"


def _wrapped(text: str, width: int) -> str:
    """`text` in lines of about equal length, none much longer than `width` characters."""
    n = math.ceil(len(text) / max(width, 40))
    return "<br/>".join(textwrap.wrap(text, math.ceil(len(text) / n) + 6))


def _legend_rows(roles: set[str], edges: set[str], spec: Spec) -> list[str]:
    """The legend: one row of swatches for the roles present and the notation ∂c/∂a, then a
    line for absent edges and one for edges from numbers, when the drawing has them.

    The lines are wrapped to about the width of the swatch row: a wider row would stretch the
    swatches (Graphviz widens a nested table to fill its cell).
    """
    names = [r for r in ROLE_NAMES if r in roles]
    cells = [_swatch(*ROLE_COLOURS[r], r) for r in names]
    width = sum(len(r) + 6 for r in names)  # characters, about: a swatch is about 6
    if not spec.ops_inside:
        cells.append(_swatch(OP_FILL, OP_BORDER, "operation"))
        width += len("operation") + 6
    derivatives = spec.show_local_grads and DERIVATIVE in edges
    if derivatives:
        into = "c" if spec.ops_inside else "the op that makes c"
        text = f"on the edge from a into {into}: the local derivative"
        cells.append(
            f'<td><font color="{DERIV_COLOUR}">{DERIVATIVE_SAMPLE}</font></td>'
            f'<td align="left">{text}</td>'
        )
        width += len(DERIVATIVE_SAMPLE) + len(text) + 4
    table = (
        '<table border="0" cellborder="0" cellspacing="4" cellpadding="2">'
        f"<tr>{''.join(cells)}</tr></table>"
    )
    rows = [table]
    if ABSENT in edges:
        head = f"{ABSENT_SAMPLE}  <i>not selected</i>"
        rows.append(
            f'<font color="{ABSENT_TEXT}">{head}</font>: {_wrapped(ABSENT_NOTE, width - 10)}'
        )
    if derivatives and LITERAL in edges:
        rows.append(_wrapped(LITERAL_NOTE, width))
    return [f"<tr><td>{row}</td></tr>" for row in rows]


def graph_label(spec: Spec, roles: set[str], edges: set[str]) -> str:
    """Title, notes, the route key and the legend, as the graph's own label (off the layout)."""
    rows = []
    title = escape(spec.title, 400)
    if title:
        rows.append(f'<tr><td><font point-size="13">{title}</font></td></tr>')
    for note in spec.notes:
        text = escape(note, 200)
        if text:
            rows.append(f'<tr><td align="left">{text}</td></tr>')
    for colour, text in spec.highlight.key:
        rows.append(f'<tr><td align="left"><font color="{colour}">━━ {escape(text, 200)}</font>')
        rows[-1] += "</td></tr>"
    if spec.legend:
        rows.extend(_legend_rows(roles, edges, spec))
    if not rows:
        return ""
    return f'<<table border="0" cellborder="0" cellspacing="0">{"".join(rows)}</table>>'


def op_attrs(v: Value, colour: str | None) -> Attrs:
    text = op_text(v.op)
    attrs = {
        "label": f"<{escape(text) or '?'}>",
        "shape": "circle" if len(text) <= 2 else "box",
        "style": "rounded,filled",
        "fillcolor": OP_FILL,
        "color": OP_BORDER,
        "fontsize": "13",
        "margin": "0.04",
        "width": "0.35",
        "height": "0.35",
    }
    if colour:
        attrs.update(color=colour, penwidth="2.5")
    return attrs
