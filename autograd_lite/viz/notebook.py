"""In IPython, graphviz graphs drawn by hand get a PNG beside their SVG, as `Diagram`s do.

JupyterLab shows no SVG of a notebook it has not signed, and some notebook viewers show only
images: with a PNG too, a `graphviz.Digraph` made in a notebook that imports autograd_lite
shows everywhere. Nothing happens outside IPython, and IPython is never imported here.
"""

from __future__ import annotations

import sys
from typing import Any

import graphviz

from .render import GraphvizNotFoundError, natural_size, png_picture, run_dot

__all__ = ["graph_png", "register_png"]


def graph_png(graph: Any) -> tuple[str, dict[str, int]] | None:
    """`graph` as base64 PNG and its display size, for IPython's PNG formatter (None: no dot)."""
    try:
        size = natural_size(run_dot(graph, "svg").decode("utf-8"))
        if size is None:
            return None
        picture = png_picture(graph, *size)
    except GraphvizNotFoundError:
        return None
    return picture.base64(), picture.metadata()["image/png"]


def register_png(formatters: Any = None) -> bool:
    """Give graphviz graphs a PNG in `formatters` (default: the running IPython's).

    Returns whether it did (False outside IPython).
    """
    if formatters is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
        if shell is None:
            return False
        formatters = shell.display_formatter.formatters
    png = formatters["image/png"]
    for kind in (graphviz.Digraph, graphviz.Graph):
        png.for_type(kind, graph_png)
    return True
