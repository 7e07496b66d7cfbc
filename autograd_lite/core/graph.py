"""Graph nodes and backprop: the topological order, then the grad table filled in reverse.

The grad table is Algorithm 6.2 of Goodfellow et al.: the root's row is the seed, and the row of
every other node u is Σ grad_table[c] · ∂c/∂u over the consumers c of u. Every path of the
engine adds the terms in one order (`backward`, `grad`, `create_graph`, compiled programs,
`fit(compile=True)`), so their floats agree. The **accumulation-order contract**:

- The topological order is the post-order of a depth-first walk from the root that enters a
  node's parents from the last to the first (so the reverse order visits the subgraph of a
  node's first parent before that of its second).
- A row is 0.0 plus its terms, one per present edge into the node, taken over the consumers in
  the reverse of the topological order and, within a consumer, over its parent slots in order.
- An absent edge (a branch not taken, an edge into a number literal) adds no term. A node that
  receives no term has no row: it passes nothing on, and backward leaves its `.grad` alone.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .modes import ANOMALY, mode

MANY = object()  # `_y` of a node with three or more parents (they are a tuple in `_x`)


class _NoTerm(float):
    """The `_g` of a node the walk met that no term has reached yet: a 0.0 told apart by
    identity. Its first term makes the row 0.0 + term, a plain float, as the contract says."""

    __slots__ = ()


NO_TERM = _NoTerm(0.0)


class _Literal:
    """The `_g` of a number literal, for good: a term added to it is dropped, so the edges
    into a literal are absent without a test on the reverse pass's path."""

    def __add__(self, term: Any) -> _Literal:
        return self

    def __repr__(self) -> str:
        return "LITERAL"


LITERAL = _Literal()

Terms = Callable[[Any, Any], Iterable[tuple[Any, Any]] | None]


class Node:
    """Where a node keeps its edges: one object per node, which keeps a scalar engine fast.

    Most nodes have one or two parents, so the first is `_x` with ∂self/∂`_x` in `_dx`, the
    second `_y` with `_dy` (None when there is none); a node with more parents keeps the
    tuples of parents and derivatives in `_x` and `_dx`, and `_y` is `MANY`. A leaf has
    `_x = None`. A derivative of None is an absent edge. `_g` is the node's running sum
    during a reverse pass (None at all other times), except for a number literal, whose `_g`
    is always `LITERAL`: the edges into it are absent, whatever derivative they record.
    """

    __slots__ = ("_dx", "_dy", "_g", "_x", "_y")

    _x: Any
    _y: Any
    _dx: Any
    _dy: Any
    _g: Any

    @property
    def parents(self) -> tuple[Any, ...]:
        """The inputs of the op that made this node, in order; empty for a leaf."""
        x, y = self._x, self._y
        if y is None:
            return () if x is None else (x,)
        return x if y is MANY else (x, y)

    @property
    def edges(self) -> tuple[tuple[Any, float | None], ...]:
        """(parent, ∂self/∂parent) for each parent; the derivative is None where the edge is
        absent (a branch not taken, or a number literal, which never gets a gradient)."""
        x, y, dx = self._x, self._y, self._dx
        ds = dx if y is MANY else () if x is None else (dx,) if y is None else (dx, self._dy)
        return tuple((p, None if p._g is LITERAL else d) for p, d in zip(self.parents, ds))

    @property
    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent as floats; an absent edge shows 0.0."""
        return tuple(0.0 if d is None else d for _, d in self.edges)


# One pass at a time keeps its marks and running sums in the nodes' `_g` slots: far quicker than
# a dict, and the lock keeps them apart when threads share nodes.
_PASS = threading.Lock()


def _walk(root: Node) -> tuple[list[Node], list[Node]]:
    """The op nodes below `root` in topological order, and the leaves in the order met.

    Depth-first without recursion: a node goes back on the stack under a marker (None) before
    its parents, and is finished when the marker comes off; its last parent, pushed last, is
    walked first. Every node met gets `_g = NO_TERM` (a literal keeps its `LITERAL` and is not
    walked): call it holding `_PASS`, and set the slots back to None.
    """
    ops: list[Node] = []
    leaves: list[Node] = []
    stack: list[Node | None] = [root]
    push, pop = stack.append, stack.pop
    while stack:
        node = pop()
        if node is None:  # the marker: every parent of the node under it is finished
            ops.append(pop())  # type: ignore[arg-type]
        elif node._g is None:  # met for the first time
            node._g = NO_TERM
            x, y = node._x, node._y
            if x is None:
                leaves.append(node)
                continue
            push(node)
            push(None)
            if y is MANY:
                for p in x:
                    if p._g is None:
                        push(p)
            else:
                if x._g is None:
                    push(x)
                if y is not None and y._g is None:
                    push(y)
    return ops, leaves


def _fill(root: Node, seed: Any, ops: list[Any], terms: Terms | None) -> None:
    """Algorithm 6.2 into the `_g` slots of the nodes of `_walk(root)`.

    A node with row g adds g · d into the row of each parent, d the recorded local derivative;
    or, given `terms`, the (parent, term) pairs `terms(node, g)` gives, where it gives any
    (Values for `create_graph`; a compiled step's own). A row starts as `NO_TERM` (0.0), so
    adding a term is all there is to do; anomaly mode checks every row it changes.
    """
    check = mode() & ANOMALY
    root._g = seed
    for node in reversed(ops):
        g = node._g
        if g is NO_TERM:
            continue  # no term reached this node: it passes nothing on
        x, y = node._x, node._y
        if terms is not None and (found := terms(node, g)) is not None:
            for p, t in found:
                p._g += t
        elif y is MANY:
            for p, d in zip(x, node._dx):
                if d is not None:
                    p._g += g * d
        else:  # one or two parents, the most common nodes: written out
            d = node._dx
            if d is not None:
                x._g += g * d
            d = node._dy
            if d is not None:
                y._g += g * d
        if check:  # the rows this node has just added to
            edges = enumerate(node.edges)
            rows = [(f"input {i} the gradient", p._g) for i, (p, d) in edges if d is not None]
            where = f"backward through op {node.op!r} (upstream gradient {float(g)!r})"
            check_finite(where, [p.data for p in node.parents], rows)


def _pass(root: Node, seed: Any, terms: Terms | None, finish: Callable[[list[Node]], Any]) -> Any:
    """Walk and fill, then `finish(nodes)`, all holding the lock. `finish` reads each row and
    sets the slot back to None (`_rows`); if anything fails, every slot is set back here."""
    if root._g is LITERAL:
        return finish([])  # a literal has no row
    with _PASS:
        ops, leaves = _walk(root)
        try:
            _fill(root, seed, ops, terms)
            ops += leaves
            return finish(ops)
        except BaseException:
            for node in ops + leaves:
                node._g = None
            raise


def _rows(nodes: list[Node]) -> Iterator[tuple[Node, Any]]:
    """(node, row) for every node of `nodes` with a row; every slot is set back to None."""
    for node in nodes:
        g, node._g = node._g, None
        if g is not NO_TERM:
            yield node, g


def topological_order(root: Node, literals: bool = True) -> list[Any]:
    """Every node below `root`, each after all of its parents: the leaves in the order the walk
    meets them, then the number literals (unless `literals` is False), then the op nodes in the
    walk's order (the order the grad table is filled in reverse)."""
    if root._g is LITERAL:
        return [root]
    with _PASS:
        ops, leaves = _walk(root)
        for node in ops + leaves:
            node._g = None
    found = {p: None for node in ops for p in node.parents if p._g is LITERAL} if literals else {}
    return [*leaves, *found, *ops]


def grad_table(root: Node, seed: Any = 1.0, terms: Terms | None = None) -> dict[Any, Any]:
    """The grad table: node → seed · ∂root/∂node, for every node that received a term.

    A pure function: it touches no `.grad`. `terms`: see `_fill`.
    """
    table: dict[Any, Any] = _pass(root, seed, terms, lambda nodes: dict(_rows(nodes)))
    return table


def backward(root: Node, seed: float, terms: Terms | None = None) -> None:
    """`node.grad += grad_table(root, seed, terms)[node]` for every node with a row, without
    building the dict."""

    def add(nodes: list[Any]) -> None:
        for node in nodes:
            g, node._g = node._g, None
            if g is not NO_TERM:
                node.grad += g

    _pass(root, seed, terms, add)


def check_finite(where: str, inputs: list[float], found: list[tuple[str, Any]]) -> None:
    """Anomaly mode: raise at the first number of `found` ((what, number)) that is nan or inf."""
    for what, x in found:
        if x is not None and not math.isfinite(float(x)):
            shown = ", ".join(map(repr, inputs))
            raise FloatingPointError(
                f"{where} gave {what} {float(x)!r} at inputs ({shown}) (detect_anomaly is on)"
            )
