"""From DOT text to pictures: run Graphviz's `dot`, save files, fit SVG to a notebook cell.

Without the `dot` program every entry point says how to install it, and a notebook shows the
DOT source instead of a traceback.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import graphviz

INSTALL_HINT = (
    "Graphviz's `dot` program is needed to render diagrams and was not found on PATH. "
    "Install it with: Debian/Ubuntu `sudo apt-get install graphviz`, "
    "Fedora `sudo dnf install graphviz`, macOS `brew install graphviz`, "
    "conda `conda install -c conda-forge graphviz`, "
    "Windows `winget install graphviz` (then restart the shell or notebook kernel)."
)

# A diagram wider than its cell is scaled down to fit, but never below this fraction of its
# natural size: the smallest text (10 pt edge labels) stays at 6 pt (8 px) or more, and a wider
# diagram scrolls sideways in its output area instead.
MIN_SCALE = 0.6
# The width (pt) a diagram is given up front: 800 px, what a notebook cell shows in most
# front ends. It matters where the SVG is shown as an <img> (JupyterLab, exported HTML), which
# takes its size from the SVG's width and height, not from its style.
CELL_WIDTH = 600.0

_SVG_TAG = re.compile(r"<svg\b[^>]*>")
_SIZE = re.compile(r'\swidth="([0-9.]+)pt"\s+height="([0-9.]+)pt"')


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's `dot` program is missing, so a diagram cannot be rendered to an image."""


def run_dot(graph: graphviz.Digraph, format: str) -> bytes:
    """Render with `dot`, turning a missing program into an error that says how to install it."""
    try:
        data: bytes = graph.pipe(format=format)
    except graphviz.ExecutableNotFound as exc:
        raise GraphvizNotFoundError(INSTALL_HINT) from exc
    return data


def save(graph: graphviz.Digraph, path: str | Path, *, format: str | None = None) -> Path:
    """Render `graph` to an image file; the format comes from the suffix unless given.

    Args:
        graph: a diagram from `draw_dot` (any `graphviz.Digraph` works).
        path: where to write, e.g. `"graph.svg"`, `"graph.png"` or `"graph.pdf"`.
        format: a Graphviz output format, overriding the suffix.

    Returns:
        The path written.

    Raises:
        GraphvizNotFoundError: Graphviz's `dot` is not installed (the message says how to).
        ValueError: neither `format` nor the suffix names a format.
    """
    path = Path(path)
    fmt_ = format or path.suffix.lstrip(".").lower()
    if not fmt_:
        raise ValueError(f"cannot tell the image format of {str(path)!r}: add .svg/.png/.pdf")
    data = run_dot(graph, fmt_)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def fit_svg(svg: str) -> str:
    """`svg` made to shrink to the width of its container (a notebook cell), keeping its shape.

    Shown inline, the root element's `max-width:100%;height:auto` lets a browser scale a wide
    diagram down to the cell, and `min-width` stops it at `MIN_SCALE` of its natural size, so
    text stays legible (a wider diagram scrolls). Shown as an image, the width and height say
    the size: a diagram wider than `CELL_WIDTH` gets that width, or `MIN_SCALE` of its own if
    that is more (the viewBox keeps the drawing whole). Small diagrams keep their size.
    """
    match = _SVG_TAG.search(svg)
    if match is None:
        return svg
    tag = match.group(0)
    style = "max-width:100%;height:auto"
    size = _SIZE.search(tag)
    if size is not None:
        width, height = float(size.group(1)), float(size.group(2))
        least = width * MIN_SCALE
        shown = width if width <= CELL_WIDTH else max(CELL_WIDTH, least)
        style += f";min-width:{least:.0f}pt"
        scaled = f' width="{shown:.0f}pt" height="{height * shown / width:.0f}pt"'
        tag = tag[: size.start()] + scaled + tag[size.end() :]
    fitted = tag[:-1].rstrip() + f' style="{style}">'
    return svg[: match.start()] + fitted + svg[match.end() :]


def fallback_html(source: str) -> str:
    """What a notebook shows instead of a diagram when `dot` is missing."""
    return (
        '<div style="font-family:sans-serif">'
        f"<p><b>Cannot draw the diagram.</b> {html.escape(INSTALL_HINT)}</p>"
        "<p>Its DOT source (paste it into any Graphviz viewer):</p>"
        f"<pre>{html.escape(source)}</pre></div>"
    )


_NOT_NODES = ("graph", "node", "edge", "subgraph", "{", "}", "rank")


def _node_statements(body: list[str]) -> int:
    """How many statements of a DOT body declare a node (not an edge, attribute or brace)."""
    count = 0
    for line in body:
        head = line.strip().split("[", 1)[0]
        if head and "->" not in head and "--" not in head and "=" not in head:
            count += not head.startswith(_NOT_NODES)
    return count


class Diagram(graphviz.Digraph):  # type: ignore[misc]  # graphviz ships no type hints
    """A `graphviz.Digraph` that shows itself in Jupyter, or explains what is missing.

    In a notebook the SVG scales down to the width of the cell (see `fit_svg`). Without
    Graphviz's `dot` program the notebook shows install instructions and the DOT source instead
    of a traceback. `render_to(path)` writes SVG, PNG or PDF.
    """

    #: (value nodes, op nodes) when the drawing functions made it; None: count the DOT text.
    counts: tuple[int, int] | None = None

    def _repr_image_svg_xml(self) -> str:
        svg: str = super()._repr_image_svg_xml()
        return fit_svg(svg)

    def _repr_svg_(self) -> str:
        return self._repr_image_svg_xml()

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        try:
            bundle: dict[str, Any] = super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            return {
                "text/html": fallback_html(self.source),
                "text/plain": f"{INSTALL_HINT}\n\nDOT source:\n{self.source}",
            }
        return bundle

    def render_to(self, path: str | Path, format: str | None = None) -> Path:
        """Render to an image file (see `save`)."""
        return save(self, path, format=format)

    def __repr__(self) -> str:
        # Deterministic (no address), so saved notebook outputs do not change from run to run.
        if self.counts is None:
            what = _plural(_node_statements(self.body), "node")
        else:
            values, ops = self.counts
            what = f"{_plural(values, 'value node')}, {_plural(ops, 'op node')}"
        return f"<Diagram: {what}; .source has the DOT text, .render_to(path) saves it>"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
