"""Graph walks and the reverse pass: topological order and the grad table (Algorithm 6.2).

`grad_table` is pure: it returns node → ∂root/∂node and touches no `.grad`; `backward()` adds
the same rows into `.grad` (`add_grads`).
"""

from __future__ import annotations

import gc
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import repeat
from operator import mul

from .engine import _MANY, Constant, Value, _inputs_text
from .modes import ANOMALY, mode

__all__ = ["add_grads", "grad_table", "topological_order"]


def topological_order(root: Value, *, leaves: bool = True) -> list[Value]:
    """Every node of the graph below `root`, each after all of its parents (`root` is last).

    With `leaves=False` only the nodes that have parents are listed (what a reverse pass needs).
    Iterative depth-first search (no recursion, so any depth works): a node is pushed back
    under a marker before its parents, and is finished when the marker comes off the stack.
    In a DAG a parent already seen is already finished, so the order is topological.
    """
    if not leaves:
        return _op_order(root) if root._a is not None else []
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Value | None] = [root]
    push, pop, mark = stack.append, stack.pop, seen.add
    while stack:
        node = pop()
        if node is None:  # the marker: the node under it has all its parents finished
            order.append(pop())  # type: ignore[arg-type]
        elif node not in seen:
            mark(node)
            if node._a is None:  # a leaf
                order.append(node)
                continue
            push(node)
            push(None)
            b = node._b
            for p in node._a if b is _MANY else (node._a,) if b is None else (node._a, b):
                if p not in seen:
                    push(p)
    return order


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector around a graph walk.

    A walk allocates many small objects but never a reference cycle, so the collector has
    nothing to find; left on, it re-scans the whole graph again and again (in CPython 3.11
    that more than doubles the time of a large backward pass).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# One reverse pass at a time keeps its running sums in the nodes' `_g` slots (a node's slot is
# None outside a pass): a slot is far quicker to add into than a dict, and the lock makes the
# slots safe when threads share nodes. `_g` also marks the nodes the walk has seen.
_PASS = threading.Lock()


def _walk(root: Value, marked: list[Value]) -> list[Value]:
    """`topological_order(root, leaves=False)` for a root with parents; call holding `_PASS`.

    A depth-first search without recursion: a node goes onto the stack under a marker (None)
    before its parents, and is finished when the marker comes off. It skips the stack work it
    can: a node whose parents are leaves or seen is finished at once, and the last parent
    pushed is entered at once. Every node met (leaves too) gets `_g = 0.0` and goes into
    `marked`, in the order met.
    """
    order: list[Value] = []
    stack: list[Value | None] = []
    push, pop, finish, note = stack.append, stack.pop, order.append, marked.append
    node = root
    while True:
        node._g = 0.0  # enter `node`, an op node not seen before
        note(node)
        a, b = node._a, node._b
        if b is None:  # one parent
            if a._g is None:
                if a._a is None:
                    a._g = 0.0
                    note(a)
                else:
                    push(node)
                    push(None)
                    node = a
                    continue
        elif b is not _MANY:  # two parents: b would come off the stack first
            if a._g is None and a._a is None:
                a._g = 0.0
                note(a)
            if b._g is None:
                if b._a is None:
                    b._g = 0.0
                    note(b)
                else:
                    push(node)
                    push(None)
                    if a._g is None:
                        push(a)
                    node = b
                    continue
            if a._g is None:
                push(node)
                push(None)
                node = a
                continue
        else:
            under, last = len(stack), None
            for p in a:
                if p._g is None:
                    if p._a is None:
                        p._g = 0.0
                        note(p)
                    else:
                        if last is not None:
                            push(last)
                        last = p
            if last is not None:  # the node and its marker go under the parents pushed
                stack.insert(under, node)
                stack.insert(under + 1, None)
                node = last
                continue
        finish(node)  # all its parents are leaves or finished
        while stack:  # the next node to enter; finish the nodes whose markers come off
            top = pop()
            if top is None:
                finish(pop())  # type: ignore[arg-type]
            elif top._g is None:
                node = top
                break
        else:
            return order


def _op_order(root: Value) -> list[Value]:
    """`topological_order(root, leaves=False)` for a root with parents; the slots left clear."""
    marked: list[Value] = []
    with _PASS:
        try:
            return _walk(root, marked)
        finally:
            for node in marked:
                node._g = None


def _fill(root: Value, seed: float, marked: list[Value]) -> None:
    """The reverse pass into the slots: then each node of `marked` holds its row in `_g`.

    A row is 0.0 plus the terms g · ∂c/∂node of the node's consumers c, added in the order the
    consumers come in the reverse of `topological_order(root, leaves=False)`. Call it holding
    `_PASS`, for a root with parents, and clear the slots of `marked` afterwards.
    """
    nodes = reversed(_walk(root, marked))
    root._g = seed
    if root._b is _MANY and len(set(root._a)) == len(root._a):
        # The root's parents are distinct: their rows are stored without the 0.0 + (in C,
        # twice as fast as the loop).
        next(nodes)
        lgs = root._da if seed == 1.0 else map(mul, repeat(seed), root._da)
        for p, lg in zip(root._a, lgs):
            p._g = lg
    for node in nodes:
        g = node._g
        a, b = node._a, node._b
        if b is None:  # one parent
            a._g += g * node._da
        elif b is not _MANY:  # two parents
            a._g += g * node._da
            b._g += g * node._db
        elif g == 1.0:  # many parents, and g · lg = lg (always so at the root)
            for p, lg in zip(a, node._da):
                p._g += lg
        else:  # many parents
            for p, lg in zip(a, node._da):
                p._g += g * lg


def grad_table(root: Value, seed: float = 1.0) -> dict[Value, float]:
    """The grad table of Goodfellow et al., Algorithm 6.2: node → seed · ∂root/∂node.

    A pure function: it reads `local_grads` in reverse topological order and touches no `.grad`.
    Each row is 0.0 plus the terms g · ∂c/∂node of the node's consumers c, added in the order
    the consumers come in the reverse of `topological_order(root, leaves=False)`.
    """
    seed = float(seed)
    if mode() & ANOMALY:
        order = topological_order(root, leaves=False)
        with _gc_paused():
            return _grad_table_checked(order, {root: seed})
    if root._a is None:  # a leaf: nothing to walk
        return {root: seed}
    marked: list[Value] = []
    table: dict[Value, float] = {}
    with _PASS, _gc_paused():
        try:
            _fill(root, seed, marked)
            for node in marked:
                table[node] = node._g
                node._g = None
            marked.clear()
        finally:
            for node in marked:  # only after an error: leave every slot clear
                node._g = None
    return table


def add_grads(root: Value, seed: float) -> None:
    """`node.grad += grad_table(root, seed)[node]` for every node, without building the table."""
    if mode() & ANOMALY or root._a is None:
        for node, g in grad_table(root, seed).items():
            node.grad += g
        return
    marked: list[Value] = []
    with _PASS, _gc_paused():
        try:
            _fill(root, seed, marked)
            for node in marked:
                node.grad += node._g
                node._g = None
            marked.clear()
        finally:
            for node in marked:  # only after an error: leave every slot clear
                node._g = None


def _grad_table_checked(order: list[Value], table: dict[Value, float]) -> dict[Value, float]:
    for node in reversed(order):
        g = table[node]
        for i, (p, lg) in enumerate(zip(node.parents, node.local_grads)):
            total = table.get(p, 0.0) + g * lg
            if not math.isfinite(total) and type(p) is not Constant:
                raise FloatingPointError(
                    f"backward through op {node.op!r} gave gradient {total!r} for input {i} "
                    f"(upstream gradient {g!r}, local derivative {lg!r}, "
                    f"inputs ({_inputs_text(node.parents)})); (detect_anomaly is on)"
                )
            table[p] = total
    return table
