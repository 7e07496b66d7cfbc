"""Highlighting on a diagram: nodes, and routes of influence drawn in colour.

A route is anything with `.nodes` (Values from an input up to an output). It may also have
`.parent_indices` (for each edge, the slot of the lower node in the upper node's `.parents`,
which tells apart the two edges of `a * a`), `.product` and `.local_grads`. Without
`.parent_indices` each edge is the first slot that holds the lower node.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Protocol, runtime_checkable

from ..core import Value
from .checks import describe
from .labels import HIGHLIGHT, fmt, plain

__all__ = ["ROUTE_COLOURS", "Highlight", "RouteLike", "highlight_of"]

# One colour per route, told apart also by readers with the common colour-vision deficiencies
# as far as eight colours allow; more routes than this are all drawn in HIGHLIGHT.
ROUTE_COLOURS = (
    "#dc2626",
    "#2563eb",
    "#16a34a",
    "#d97706",
    "#9333ea",
    "#0891b2",
    "#db2777",
    "#4d7c0f",
)


@runtime_checkable
class RouteLike(Protocol):
    """What `draw_dot(highlight=...)` accepts as a route: its nodes from input to output."""

    @property
    def nodes(self) -> Sequence[Value]: ...


@dataclass
class Highlight:
    """What to draw in colour: value nodes, and edges named (upper node, parent slot)."""

    nodes: dict[Value, list[str]] = field(default_factory=dict)
    edges: dict[tuple[Value, int], list[str]] = field(default_factory=dict)
    #: upper node → colour of its op's edge into it, when a highlighted edge leads there.
    into: dict[Value, str] = field(default_factory=dict)
    #: (colour, text) rows that say what each colour is, for the diagram's key.
    key: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.nodes)

    def node_colour(self, v: Value) -> str | None:
        colours = self.nodes.get(v)
        return colours[0] if colours else None

    def edge_colour(self, upper: Value, slot: int) -> str | None:
        """The edge's colour; an edge on several routes is drawn as parallel lines, one each."""
        colours = self.edges.get((upper, slot))
        return ":".join(dict.fromkeys(colours)) if colours else None

    def reached(self, upper: Value) -> str | None:
        """The colour of the op edge into `upper` when a highlighted edge leads into it."""
        return self.into.get(upper)


def _items(highlight: object, fn: str) -> list[Value | RouteLike]:
    if highlight is None:
        return []
    if isinstance(highlight, (Value, RouteLike)):
        return [highlight]
    if isinstance(highlight, Iterable) and not isinstance(highlight, (str, bytes, Mapping)):
        items = list(highlight)
        for k, item in enumerate(items):
            if not isinstance(item, (Value, RouteLike)):
                raise TypeError(
                    f"{fn}() needs highlight to hold Values or routes (with .nodes), "
                    f"item {k} is {describe(item)}"
                )
        return items
    raise TypeError(
        f"{fn}() needs highlight to be a Value, a route (anything with .nodes, e.g. from "
        f"routes(output, input)) or a list of them, got {describe(highlight)}"
    )


def _name(v: Value, names: Mapping[Value, str]) -> str:
    """`v`'s name in the drawing (see `node_names`), or what it is when it is not drawn."""
    if v in names:
        return plain(names[v], 20)
    return plain(v.label, 20) or f"an unlabelled {v.op or 'leaf'} node"


def _edges(route: RouteLike, names: Mapping[Value, str], fn: str) -> list[tuple[Value, int]]:
    """The (upper node, parent slot) edges of a route, checked against the drawn graph."""
    nodes = list(route.nodes)
    for v in nodes:
        if not isinstance(v, Value):
            raise TypeError(f"{fn}(): a highlighted route holds {describe(v)}, not a Value")
        if v not in names:
            raise ValueError(
                f"{fn}(): the highlighted route passes through {_name(v, names)!r}, which is "
                "not in the graph being drawn; draw the graph the route belongs to"
            )
    slots = getattr(route, "parent_indices", None)
    if slots is not None:
        slots = list(slots)
        if len(slots) != max(len(nodes) - 1, 0):
            raise ValueError(
                f"{fn}(): a route with {len(nodes)} nodes needs {max(len(nodes) - 1, 0)} "
                f"parent_indices, got {len(slots)}"
            )
    edges: list[tuple[Value, int]] = []
    for k, (lower, upper) in enumerate(pairwise(nodes)):
        parents = upper.parents
        if slots is None:
            slot = next((i for i, p in enumerate(parents) if p is lower), -1)
        else:
            slot = slots[k]
        if isinstance(slot, bool) or not isinstance(slot, int):
            raise TypeError(f"{fn}(): parent_indices[{k}] must be an int, got {describe(slot)}")
        if not 0 <= slot < len(parents) or parents[slot] is not lower:
            raise ValueError(
                f"{fn}(): the highlighted route goes from {_name(lower, names)!r} to "
                f"{_name(upper, names)!r}, but that is not an edge of the graph (slot {slot} of "
                f"its {len(parents)} parents)"
            )
        edges.append((upper, slot))
    return edges


def highlight_of(highlight: object, names: Mapping[Value, str], fn: str) -> Highlight:
    """Check `highlight` (a Value, a route, or a list of them) and give its colours.

    `names` maps every node of the drawing to its name: a route must stay inside it, and the
    key names the nodes of each route by it.
    """
    items = _items(highlight, fn)
    out = Highlight()
    routes = [item for item in items if not isinstance(item, Value)]
    several = 1 < len(routes) <= len(ROUTE_COLOURS)
    products: list[float] = []
    for k, route in enumerate(routes):
        colour = ROUTE_COLOURS[k] if several else HIGHLIGHT
        for upper, slot in _edges(route, names, fn):
            out.edges.setdefault((upper, slot), []).append(colour)
            out.into.setdefault(upper, colour)
        for v in route.nodes:
            out.nodes.setdefault(v, []).append(colour)
        product = getattr(route, "product", None)
        if isinstance(product, (int, float)):
            products.append(float(product))
        if len(routes) <= len(ROUTE_COLOURS):
            path = " → ".join(_name(v, names) for v in route.nodes)
            text = f"route {k + 1}: {path}" if len(routes) > 1 else f"route: {path}"
            if isinstance(product, (int, float)):
                text += f"   product of the ∂ on it = {fmt(float(product))}"
            out.key.append((colour, text))
    if len(routes) > len(ROUTE_COLOURS):
        text = f"{len(routes)} routes"
        if len(products) == len(routes):
            text += f": their products sum to {fmt(sum(products))}"
        out.key.append((HIGHLIGHT, text))
    elif len(routes) > 1 and len(products) == len(routes):
        out.key.append(("#1f2937", f"sum over the routes = {fmt(sum(products))}"))
    for item in items:
        if isinstance(item, Value):
            if item not in names:
                raise ValueError(
                    f"{fn}(): the highlighted node {_name(item, names)!r} is not in the graph"
                )
            out.nodes.setdefault(item, []).append(HIGHLIGHT)
    return out
