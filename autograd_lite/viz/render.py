"""From DOT text to pictures: run Graphviz's `dot`, save files, fit SVG to a notebook cell.

Without the `dot` program every entry point says how to install it, and a notebook shows the
DOT source instead of a traceback.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
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

# The width (pt) a diagram is given up front: 800 px, what a notebook cell shows in most front
# ends (848 px in JupyterLab on a 1280 px laptop screen with the file browser open). A wider
# diagram is scaled down to it, so it is never cut off or scrolled; a narrower one keeps its
# size. It matters where the SVG is shown as an <img> (JupyterLab, exported HTML), which takes
# its size from the SVG's width and height, not from its style.
CELL_WIDTH = 600.0
# CSS pixels per point: Graphviz sizes drawings in points, browsers in pixels of 1/96 inch.
PX_PER_PT = 96.0 / 72.0
# Pixels of the PNG for each pixel it is shown at: sharp on a laptop's HiDPI screen, and a
# diagram shown 800 px wide is a 1600 px image of some 50 kB.
PNG_DENSITY = 2.0
PALETTE = 64  # colours of a diagram's PNG (see fewer_colours)

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


def natural_size(svg: str) -> tuple[float, float] | None:
    """The width and height (pt) that Graphviz gave an SVG drawing, or None if it gave none."""
    match = _SVG_TAG.search(svg)
    size = _SIZE.search(match.group(0)) if match else None
    if size is None:
        return None
    return float(size.group(1)), float(size.group(2))


def shown_size(width: float, height: float) -> tuple[float, float]:
    """The size (pt) a drawing of `width` × `height` pt is shown at in a notebook cell.

    A drawing wider than `CELL_WIDTH` is scaled down to that width, keeping its shape.
    """
    scale = CELL_WIDTH / width if width > CELL_WIDTH else 1.0
    return width * scale, height * scale


def fit_svg(svg: str) -> str:
    """`svg` made to shrink to the width of its container (a notebook cell), keeping its shape.

    Shown inline, the root element's `max-width:100%;height:auto` lets a browser scale a wide
    diagram down to the cell. Shown as an image, the width and height say the size: a diagram
    wider than `CELL_WIDTH` gets that width (the viewBox keeps the drawing whole). Small
    diagrams keep their size.
    """
    match = _SVG_TAG.search(svg)
    if match is None:
        return svg
    tag = match.group(0)
    size = _SIZE.search(tag)
    if size is not None:
        width, height = shown_size(float(size.group(1)), float(size.group(2)))
        scaled = f' width="{width:.0f}pt" height="{height:.0f}pt"'
        tag = tag[: size.start()] + scaled + tag[size.end() :]
    fitted = tag[:-1].rstrip() + ' style="max-width:100%;height:auto">'
    return svg[: match.start()] + fitted + svg[match.end() :]


@dataclass(frozen=True)
class Picture:
    """A raster picture and the size (CSS px) to show it at."""

    png: bytes
    width: int
    height: int

    def base64(self) -> str:
        return base64.b64encode(self.png).decode("ascii")

    def metadata(self) -> dict[str, dict[str, int]]:
        """What a notebook output says about the PNG's size (Jupyter's image metadata)."""
        return {"image/png": {"width": self.width, "height": self.height}}


def png_picture(graph: graphviz.Digraph, width: float, height: float) -> Picture:
    """`graph` (drawn `width` × `height` pt by Graphviz) as a PNG for a notebook cell.

    The picture is shown at `shown_size` and holds `PNG_DENSITY` pixels for each pixel shown.

    Raises:
        GraphvizNotFoundError: Graphviz's `dot` is not installed.
    """
    shown_w, shown_h = shown_size(width, height)
    sharp = graph.copy()
    # Graphviz draws a point as dpi/72 pixels.
    sharp.attr(dpi=f"{72.0 * PX_PER_PT * PNG_DENSITY * shown_w / width:.2f}")
    png = fewer_colours(run_dot(sharp, "png"))
    return Picture(png, round(shown_w * PX_PER_PT), round(shown_h * PX_PER_PT))


def fewer_colours(png: bytes) -> bytes:
    """`png` with a palette of `PALETTE` colours when Pillow is installed, else as it is.

    A diagram has a few flat colours and their anti-aliased edges, so a palette keeps it
    looking the same at about a third of the size (Pillow comes with matplotlib).
    """
    try:
        from PIL import Image
    except ImportError:
        return png
    with Image.open(io.BytesIO(png)) as image:
        rgba = image.convert("RGBA")
    flat = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    out = io.BytesIO()
    flat.quantize(PALETTE, method=Image.Quantize.FASTOCTREE).save(out, "PNG")
    return out.getvalue() if out.tell() < len(png) else png


def rich_display(
    bundle: dict[str, Any], include: Iterable[str] | None, exclude: Iterable[str] | None
) -> dict[str, Any]:
    """`bundle` without the MIME types that `include`/`exclude` leave out (IPython's rules)."""
    keep = set(bundle) if include is None else set(include)
    keep -= set(exclude or ())
    return {mime: data for mime, data in bundle.items() if mime in keep}


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
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """SVG scaled to the cell, the same as PNG, and text: (data, metadata) for IPython.

        The PNG is what a front end that shows no untrusted SVG displays: JupyterLab for a
        notebook it has not signed, and web pages of notebooks that show only images.
        """
        try:
            svg = run_dot(self, "svg").decode("utf-8")
        except GraphvizNotFoundError:
            fallback = {
                "text/html": fallback_html(self.source),
                "text/plain": f"{INSTALL_HINT}\n\nDOT source:\n{self.source}",
            }
            return rich_display(fallback, include, exclude), {}
        bundle: dict[str, Any] = {"image/svg+xml": fit_svg(svg), "text/plain": repr(self)}
        metadata: dict[str, Any] = {}
        size = natural_size(svg)
        wanted = rich_display({"image/png": None}, include, exclude)
        if size is not None and wanted:
            picture = png_picture(self, *size)
            bundle["image/png"] = picture.base64()
            metadata = picture.metadata()
        return rich_display(bundle, include, exclude), metadata

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
