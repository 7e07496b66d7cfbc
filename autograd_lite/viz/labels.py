"""Text and looks of diagram nodes: numbers, label text made safe, op symbols, colours, roles.

Every piece of user text on a diagram goes through `escape` (HTML-like Graphviz labels) or
`plain` (captions), so any string renders: line breaks become line breaks, and characters that
cannot be shown or encoded become visible escapes such as `\\x00` or `\\ud800`.
"""

from __future__ import annotations

import html
import math

from ..core import Constant, Parameter, Value

FONT = "Helvetica,Arial,sans-serif"

Attrs = dict[str, str]  # Graphviz attributes of one node or edge

# Role → (fill, border) colours: soft fills so black text stays readable, strong borders.
ROLE_COLOURS: dict[str, tuple[str, str]] = {
    "input": ("#dbeafe", "#2563eb"),
    "parameter": ("#fef3c7", "#d97706"),
    "constant": ("#f1f5f9", "#94a3b8"),
    "intermediate": ("#ffffff", "#64748b"),
    "output": ("#dcfce7", "#16a34a"),
}
ROLE_NAMES = ("input", "parameter", "constant", "intermediate", "output")
OP_FILL, OP_BORDER = "#ede9fe", "#7c3aed"
EDGE_COLOUR, DERIV_COLOUR = "#64748b", "#7c3aed"
# An absent edge (a branch not taken): a light line, its text still 4.8:1 against white.
ABSENT_COLOUR, ABSENT_TEXT = "#a8a29e", "#78716c"
GRAD_COLOUR, PENDING_COLOUR = "#b91c1c", "#64748b"  # text at least 3:1 against the fills
HIGHLIGHT = "#dc2626"
UNKNOWN = "?"

# Pretty symbols for the arithmetic ops; every other op shows its name.
OP_SYMBOLS: dict[str, str] = {
    "+": "+",
    "-": "−",
    "*": "×",
    "/": "÷",
    "**": "xʸ",
    "neg": "−x",
    "sum": "Σ",
}
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

# Characters that mean something in DOT records or escString, written as entities.
_DOT_SPECIALS = (("\\", "&#92;"), ("{", "&#123;"), ("}", "&#125;"), ("|", "&#124;"))


# --------------------------------------------------------------------------- numbers


def fmt(x: float, digits: int = 4) -> str:
    """`x` with `digits` significant digits: `fmt(2/3) == '0.6667'`, `fmt(-0.0) == '0'`.

    nan and ±inf print as `nan`, `inf` and `-inf`.
    """
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


def sub(n: int) -> str:
    """`n` in subscript digits: `sub(12) == '₁₂'`."""
    return str(n).translate(_SUBSCRIPTS)


def sup(n: int) -> str:
    """`n` in superscript digits: `sup(2) == '²'`."""
    return str(n).translate(_SUPERSCRIPTS)


# --------------------------------------------------------------------------- text


def _shown(ch: str) -> str:
    """`ch` itself if a diagram can show it, else a visible Python-style escape."""
    code = ord(ch)
    unsafe = (
        code < 0x20  # C0 controls (line breaks are split off before this is asked)
        or 0x7F <= code < 0xA0  # DEL and the C1 controls
        or 0xD800 <= code < 0xE000  # lone surrogates: no encoding can write them
        or 0xFDD0 <= code <= 0xFDEF  # non-characters ...
        or code & 0xFFFE == 0xFFFE  # ... including U+FFFE and U+FFFF of every plane
    )
    if not unsafe:
        return ch
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str) -> str:
    """`text` with every character a diagram cannot show or encode written as an escape.

    >>> visible("a\\x00b\\ud800")
    'a\\\\x00b\\\\ud800'
    """
    if text.isprintable():  # the common case: nothing to replace
        return text
    return "".join(_shown(ch) for ch in text)


def lines(text: object) -> list[str]:
    """The visible lines of a label: split at any line break, blank lines at either end dropped.

    `"\\n"`, `"\\r\\n"`, `"\\r"`, `"\\v"`, `"\\u2028"` ... all break a line; a label of only line
    breaks has no lines.
    """
    parts = [visible(line) for line in str(text).splitlines()]
    while parts and not parts[-1].strip():
        parts.pop()
    while parts and not parts[0].strip():
        parts.pop(0)
    return parts


def _shorten(parts: list[str], limit: int) -> list[str]:
    """At most `limit` characters over all lines (a line break counts as one), then `…`."""
    out: list[str] = []
    left = limit
    for line in parts:
        if len(line) > left:
            out.append(line[: max(left - 1, 0)] + "…")
            break
        out.append(line)
        left -= len(line) + 1
        if left <= 0:
            break
    return out


def plain(text: object, limit: int = 40) -> str:
    """A label as one line of plain text (captions, player data): lines joined by spaces."""
    return " ".join(_shorten(lines(text), limit))


def escape(text: object, limit: int = 40) -> str:
    """`text` made safe inside a Graphviz HTML-like label, shortened to `limit` characters.

    The HTML specials become entities, and so do the characters that mean something in DOT
    records or escString (`{ } | \\`); line breaks become `<br/>`, and characters no diagram
    can hold become visible escapes (`visible`). Empty or blank text gives "".
    """
    out: list[str] = []
    for line in _shorten(lines(text), limit):
        safe = html.escape(line, quote=True)
        for ch, entity in _DOT_SPECIALS:
            safe = safe.replace(ch, entity)
        out.append(safe)
    return "<br/>".join(out)


def bold(text: object, limit: int = 40) -> str:
    """`<b>text</b>` for a label, or "" for blank text (Graphviz rejects an empty `<b></b>`)."""
    safe = escape(text, limit)
    return f"<b>{safe}</b>" if safe else ""


def op_text(op: str) -> str:
    """How an op is written on its node: a symbol for arithmetic, its name otherwise."""
    return OP_SYMBOLS.get(op, op)


# --------------------------------------------------------------------------- the graph


def role(v: Value, outputs: set[Value], params: set[Value]) -> str:
    """What a node is for the reader: output, parameter, constant, input or intermediate."""
    if v in outputs:
        return "output"
    if v in params or isinstance(v, Parameter):
        return "parameter"
    if isinstance(v, Constant):
        return "constant"
    return "intermediate" if v.parents else "input"
