"""Diagrams of computation graphs: values, gradients and the local derivative on every edge.

`draw_dot` draws one graph, `draw_model` a neuron or MLP like a network picture, and
`backward_frames` the reverse pass step by step (the grad table of Algorithm 6.2 filling up).

Every node goes by its `node_names` name (its label, else its op with a count such as `*₁`),
and the edge from a into the op that makes c reads `∂c/∂a = 0.82` in those names; an absent
edge (a branch not taken) is dashed and "not selected".

The parts: `labels` (text, numbers, colours, roles), `checks` (arguments), `spec` (what a
drawing asks for), `cells` (node and legend labels), `edges` (what an edge says and how it
looks), `dot` (the DOT text), `render` (running Graphviz, fitting SVG to a notebook, PNG beside
it), `notebook` (a PNG for graphviz graphs drawn by hand, in IPython), `routes` (highlighting),
`frames`, `layout` and `player` (the backward pass), `model` (network pictures).
"""

from __future__ import annotations

from .dot import draw_dot
from .frames import BackwardFrames, backward_frames
from .labels import HIGHLIGHT, ROLE_COLOURS, escape, fmt, op_text
from .model import draw_model
from .notebook import register_png
from .render import INSTALL_HINT, Diagram, GraphvizNotFoundError, fit_svg, save
from .routes import ROUTE_COLOURS, RouteLike

register_png()  # in IPython only: plain graphviz graphs show a PNG too

__all__ = [
    "HIGHLIGHT",
    "INSTALL_HINT",
    "ROLE_COLOURS",
    "ROUTE_COLOURS",
    "BackwardFrames",
    "Diagram",
    "GraphvizNotFoundError",
    "RouteLike",
    "backward_frames",
    "draw_dot",
    "draw_model",
    "escape",
    "fit_svg",
    "fmt",
    "op_text",
    "save",
]
