"""The text and look of an edge: `∂c/∂a = 0.82` in the nodes' own names, or "not selected".

An edge from input `a` into the op that makes `c` carries ∂c/∂a, written with the names the
boxes show. An absent edge (a branch not taken) is drawn dashed and grey with no derivative; an
edge from a number literal (the 2 in `x**2`) carries no label at all.
"""

from __future__ import annotations

from ..core import Constant, Value
from .labels import ABSENT_COLOUR, ABSENT_TEXT, DERIV_COLOUR, Attrs, escape, fmt, plain

__all__ = ["ABSENT", "DERIVATIVE", "LITERAL", "NAME_LIMIT", "edge_attrs", "edge_name"]

#: Longest name written inside ∂c/∂a (characters); a longer one is cut, ending in `…`.
NAME_LIMIT = 8
# A name holding one of these reads as an expression, so it goes in parentheses: ∂(ŷ − y)/∂ŷ.
_COMPOUND = frozenset("+-−*/÷×·^=<>,")

# The kinds of edge a drawing can hold, for its legend.
DERIVATIVE, ABSENT, LITERAL = "derivative", "absent", "literal"


def edge_name(name: str) -> str:
    """`name` as written inside ∂c/∂a: one line, at most `NAME_LIMIT` characters (`…` where it
    is cut), in parentheses when it reads as an expression (`ŷ_E − y`, or `*₁`)."""
    short = plain(name, NAME_LIMIT)
    if any(ch in _COMPOUND or ch.isspace() for ch in short):
        return f"({short})"
    return short


def edge_attrs(
    parent: Value,
    local: float | None,
    consumer: str,
    name: str,
    digits: int,
    show: bool,
    narrow: bool = False,
) -> tuple[str, Attrs]:
    """The kind of the edge from `parent` (called `name`) into `consumer`, and its attributes.

    `local` is the edge's ∂consumer/∂parent, None when the edge is absent; `show` writes the
    derivative (or "not selected") on the edge; `narrow` puts the number under the fraction
    (for drawings from top to bottom, where a label's width pushes the nodes of a rank apart).
    """
    if isinstance(parent, Constant):
        return LITERAL, {}  # nobody differentiates with respect to a number literal
    if local is None:
        attrs = {"style": "dashed", "color": ABSENT_COLOUR}
        if show:
            attrs["label"] = f'<<font color="{ABSENT_TEXT}"><i>not selected</i></font>>'
        return ABSENT, attrs
    if not show:
        return DERIVATIVE, {}
    fraction = f"∂{edge_name(consumer)}/∂{edge_name(name)}"
    text = f"{fraction}\n= {fmt(local, digits)}" if narrow else f"{fraction} = {fmt(local, digits)}"
    return DERIVATIVE, {"label": f'<<font color="{DERIV_COLOUR}">{escape(text, 80)}</font>>'}
