"""The chain rule as routes of influence: every path from an input up to an output.

∂output/∂input is the sum over routes of the product of the local derivatives along each route.
An absent edge (a branch not taken, an edge into a number literal) is no route.
"""

from __future__ import annotations

import math
import reprlib
from dataclasses import dataclass

from ..core import Value, topological_order
from .names import node_name, node_names

__all__ = ["Route", "count_routes", "node_name", "node_names", "routes"]


def _num(x: float) -> str:
    text = f"{x:.4g}"  # four significant digits; the exact numbers are the attributes
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class Route:
    """One route of influence from an input up to an output.

    Attributes:
        nodes: the Values along the route, from the input to the output.
        local_grads: one per edge: the recorded ∂nodes[k+1]/∂nodes[k], i.e.
            `nodes[k+1].local_grads[parent_indices[k]]`.
        parent_indices: one per edge: the slot of `nodes[k]` in `nodes[k+1].parents` (a node
            used twice, as in `a * a`, gives one route per slot).
    """

    nodes: tuple[Value, ...]
    local_grads: tuple[float, ...]
    parent_indices: tuple[int, ...]

    @property
    def product(self) -> float:
        """The product of the local derivatives, multiplied from the output end down.

        That is (…((1 · gₙ) · gₙ₋₁) …) · g₁, the order in which the reverse pass multiplies,
        so a graph with a single route gives bit-for-bit the gradient of `grad()`. A route
        with no edges (the input is the output) has product 1.0.
        """
        p = 1.0
        for lg in reversed(self.local_grads):
            p = p * lg
        return p

    def __str__(self) -> str:
        names = node_names(self.nodes[-1])
        path = " → ".join(names[v] for v in self.nodes)
        if not self.local_grads:
            return f"{path}: (no edges) = 1"
        factors = " × ".join(f"({t})" if t[0] == "-" else t for t in map(_num, self.local_grads))
        return f"{path}: {factors} = {_num(self.product)}"

    def __repr__(self) -> str:
        return f"Route({self})"


def _check_value(x: object, what: str) -> Value:
    if not isinstance(x, Value):
        raise TypeError(
            f"routes() needs a Value as {what}, got {type(x).__name__} {reprlib.repr(x)}"
        )
    return x


def count_routes(output: Value, input: Value) -> int:
    """How many routes lead from `input` up to `output` (an exact int, however large).

    Dynamic programming over the topological order: the number of routes from `input` to a
    node is the sum of the numbers for its parents, one term per present edge.
    """
    _check_value(output, "output")
    _check_value(input, "input")
    return _counts(output, input).get(output, 0)


def _counts(output: Value, input: Value) -> dict[Value, int]:
    """node → number of routes from `input` to it, for the nodes that `input` reaches."""
    counts: dict[Value, int] = {}
    for v in topological_order(output):
        if v is input:
            counts[v] = 1
            continue
        n = sum(counts.get(p, 0) for p, d in v.edges if d is not None)
        if n:
            counts[v] = n
    return counts


def routes(output: Value, input: Value, *, max_routes: int = 10_000) -> list[Route]:
    """Every route from `input` up to `output` in the graph below `output`.

    The products of the routes sum to `grad(output, [input])[0]`. A node used twice by
    the same op (`a * a`, `a + a`) gives two edges and so two routes. `input` not in the graph
    below `output` gives `[]`; `input is output` gives one route without edges (product 1.0).
    Routes come in a fixed order: by parent slot, starting from the output.

    The routes are counted first (`count_routes`, linear in the size of the graph); more than
    `max_routes` raises `ValueError` before any is built, since their number can grow
    exponentially with the depth of the graph while `grad()` stays linear.

    >>> from autograd_lite import Value
    >>> a = Value(3.0, label="a")
    >>> for r in routes(a * a, a):
    ...     print(r)
    a → *₁: 3 = 3
    a → *₁: 3 = 3
    """
    _check_value(output, "output")
    _check_value(input, "input")
    if isinstance(max_routes, bool) or not isinstance(max_routes, int):
        raise TypeError(
            f"routes() max_routes must be a positive int, got {type(max_routes).__name__} "
            f"{reprlib.repr(max_routes)}"
        )
    if max_routes < 1:
        raise ValueError(f"routes() max_routes must be a positive int, got {max_routes}")
    counts = _counts(output, input)
    total = counts.get(output, 0)
    if total > max_routes:
        raise ValueError(
            f"the graph has {_count_text(total)} routes from the input to the output, more than "
            f"max_routes={max_routes}; pass a larger max_routes to list them all, or use "
            "grad() (the grad table sums them without listing them)"
        )
    found: list[Route] = []
    if total == 0:
        return found
    # Depth-first walk down from the output through parents that reach `input`, without
    # recursion: `path` holds (node, next parent slot to try), `slots` the slots taken.
    path: list[tuple[Value, int]] = [(output, 0)]
    slots: list[int] = []
    while path:
        node, k = path[-1]
        if node is input:
            nodes = tuple(v for v, _ in reversed(path))
            idx = tuple(reversed(slots))
            lgs = tuple(nodes[j + 1].local_grads[i] for j, i in enumerate(idx))  # all present
            found.append(Route(nodes, lgs, idx))
            k = len(node.parents)  # a route ends at the input: go back up
        edges = node.edges
        parents = node.parents
        while k < len(parents) and (parents[k] not in counts or edges[k][1] is None):
            k += 1
        if k < len(parents):
            path[-1] = (node, k + 1)
            path.append((parents[k], 0))
            slots.append(k)
        else:
            path.pop()
            if slots:
                slots.pop()
    return found


def _count_text(n: int) -> str:
    """An exact count, or for a huge one its scientific form (about 1.2e4515)."""
    if n < 10**15:
        return f"{n:,}"
    shift = max(n.bit_length() - 60, 0)  # log10 without writing n out in decimal
    log = math.log10(n >> shift) + shift * math.log10(2)
    exponent = math.floor(log)
    return f"about {10 ** (log - exponent):.2f}e{exponent}"
