"""The HTML-like Graphviz labels of a drawing: value boxes, op circles, legend and key.

Every piece of user text goes through `labels.escape`/`labels.bold`, so any label is safe.
"""

from __future__ import annotations

from ..core import Value
from .labels import (
    DERIV_COLOUR,
    GRAD_COLOUR,
    OP_BORDER,
    OP_FILL,
    PENDING_COLOUR,
    ROLE_COLOURS,
    ROLE_NAMES,
    UNKNOWN,
    bold,
    escape,
    fmt,
    op_text,
)
from .spec import Spec

__all__ = ["Attrs", "graph_label", "op_attrs", "value_label"]

Attrs = dict[str, str]


def value_label(
    v: Value, name: str, grad: float | None, kind: str, spec: Spec, idx: int, border: str
) -> str:
    cells: list[str] = []
    shown = bold(name)
    if spec.ops_inside and v.parents:
        formula = escape(spec.formulas.get(v, op_text(v.op)), 60)
        shown += f' <font color="{OP_BORDER}">{formula}</font>' if formula else ""
    if shown:
        cells.append(f"<td>{shown}</td>")
    elif spec.show_ids:
        cells.append(f'<td><font color="{PENDING_COLOUR}">#{idx}</font></td>')
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


def _legend_label(roles: set[str]) -> str:
    """One row of swatches for the roles present in the diagram, then ops and edges."""
    cells = [_swatch(*ROLE_COLOURS[r], r) for r in ROLE_NAMES if r in roles]
    cells.append(_swatch(OP_FILL, OP_BORDER, "operation"))
    cells.append(
        f'<td><font color="{DERIV_COLOUR}">1.5</font></td>'
        '<td align="left">on an edge: local derivative ∂out/∂in</td>'
    )
    return (
        '<table border="0" cellborder="0" cellspacing="4" cellpadding="2">'
        f"<tr>{''.join(cells)}</tr></table>"
    )


def graph_label(spec: Spec, roles: set[str]) -> str:
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
        rows.append(f"<tr><td>{_legend_label(roles)}</td></tr>")
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
