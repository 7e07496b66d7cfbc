"""One name for every node of a graph: what diagrams, captions, routes and checks all call it.

A node's label; a number literal's value; otherwise its op with a subscript that counts the
unlabelled nodes of that op in topological order (`*₁`, `tanh₂`), or `leaf₁` for a leaf.
"""

from __future__ import annotations

import reprlib
from collections.abc import Sequence

from ..core import Constant, Value, topological_order

__all__ = ["graph_order", "node_name", "node_names"]

_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def graph_order(roots: Sequence[Value]) -> list[Value]:
    """Topological order of the union of the graphs below `roots` (parents first).

    The graph below the first root comes in its own order, then each further root adds the
    nodes not seen yet, in its order: so adding a root never moves a node that was there.
    """
    if len(roots) == 1:
        return topological_order(roots[0])
    order: list[Value] = []
    seen: set[Value] = set()
    for r in roots:
        for v in topological_order(r):
            if v not in seen:
                seen.add(v)
                order.append(v)
    return order


def node_names(root: Value, *more: Value) -> dict[Value, str]:
    """One name for every node of the graph below `root` (and below `more` roots, if given).

    A node's label; a number literal's value (`0.5`); otherwise its op with a subscript that
    counts the unlabelled nodes of that op in topological order (`*₁`, `*₂`, `tanh₁`), or
    `leaf₁`, `leaf₂`, … for unlabelled leaves. The same graph always gets the same names. With
    several roots the names are over their union (`graph_order`): the nodes below `root` keep
    the names they have in its graph alone, and the counts go on over the rest.

    >>> from autograd_lite import Value
    >>> x = Value(2.0, label="x")
    >>> y = (x * 3).tanh() * x
    >>> list(node_names(y).values())
    ['x', '3', '*₁', 'tanh₁', '*₂']
    """
    roots = (root, *more)
    for k, r in enumerate(roots):
        if not isinstance(r, Value):
            raise TypeError(
                f"node_names() needs Values as roots, root {k} is {type(r).__name__} "
                f"{reprlib.repr(r)}"
            )
    names: dict[Value, str] = {}
    counts: dict[str, int] = {}
    for v in graph_order(roots):
        if v.label:
            names[v] = v.label
        elif isinstance(v, Constant):
            names[v] = f"{v.data:g}"
        else:
            kind = v.op or "leaf"
            counts[kind] = counts.get(kind, 0) + 1
            names[v] = kind + str(counts[kind]).translate(_SUBSCRIPT)
    return names


def node_name(v: Value, root: Value | None = None) -> str:
    """`v`'s name in the graph below `root` (see `node_names`); without a root, below `v`."""
    return node_names(v if root is None else root)[v]
