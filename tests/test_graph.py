"""The walk and the grad table against Algorithm 6.2 written plainly, absent edges included."""

from __future__ import annotations

import functools
import gc
import math
import random
import sys

import pytest
from helpers import in_threads, random_graph, same

from autograd_lite import Value, detect_anomaly, functional, grad
from autograd_lite.core import grad_table, topological_order


def _reference_order(root: Value) -> list[Value]:
    """Depth-first post-order over op nodes, entering a node's parents from the last."""
    order: list[Value] = []
    seen: set[Value] = set()

    def visit(node: Value) -> None:  # recursive: the definition the engine's walk unrolls
        seen.add(node)
        for p in reversed(node.parents):
            if p.parents and p not in seen:
                visit(p)
        order.append(node)

    if root.parents:
        visit(root)
    return order


def _reference_table(root: Value, seed: float) -> dict[Value, float]:
    """Algorithm 6.2 plainly: a row is 0.0 plus its present terms, consumers in reverse order;
    a node that no term reaches has no row and passes nothing on."""
    table = {root: seed}
    for node in reversed(_reference_order(root)):
        if node not in table:
            continue
        for p, d in node.edges:
            if d is not None:
                table[p] = table.get(p, 0.0) + table[node] * d
    return table


@pytest.mark.parametrize("seed", range(60))
def test_graph_grad_table_is_algorithm_6_2(seed: int) -> None:
    rng = random.Random(seed)
    old = sys.getrecursionlimit()
    root = random_graph(rng, rng.randint(1, 60))
    sys.setrecursionlimit(max(old, 10_000))
    try:
        order = _reference_order(root)
        s = rng.choice([1.0, -0.5, 3.0, math.inf, math.nan, 0.0])
        want = _reference_table(root, s)
    finally:
        sys.setrecursionlimit(old)
    assert [n for n in topological_order(root) if n.parents] == order
    got = grad_table(root, s)
    assert got.keys() == want.keys()
    for node, g in want.items():
        assert same(got[node], g), node


def test_graph_topological_order_lists_every_node_after_its_parents() -> None:
    x, y = Value(1.0, "x"), Value(2.0, "y")
    z = (x * y + x).tanh() * 3.0
    order = topological_order(z)
    assert order[-1] is z and len(order) == len(set(order)) == 7
    position = {n: k for k, n in enumerate(order)}
    assert all(position[p] < position[n] for n in order for p in n.parents)


def test_graph_of_a_leaf_and_of_one_node() -> None:
    x = Value(2.0)
    assert topological_order(x) == [x]
    assert grad_table(x, 3.0) == {x: 3.0}
    y = x * x
    assert topological_order(y) == [x, y]
    assert grad_table(y) == {y: 1.0, x: 4.0}


def test_graph_deep_chain_needs_no_recursion() -> None:
    x = Value(1.0)
    y = x
    for _ in range(200_000):
        y = y * 1.0 + 0.5
    order = topological_order(y)
    assert (
        len(order) == 1 + 4 * 200_000 and order[-1] is y
    )  # x, and two ops and two literals a step
    assert grad_table(y)[x] == 1.0


def test_graph_rows_add_in_the_contract_order() -> None:
    # x feeds three consumers; the row 0.0 + 1e16·1 + 1·1 + (-1e16)·1 depends on the order.
    x = Value(0.0, "x")
    a, b, c = x * 1e16, x * 1.0, x * -1e16
    root = functional.sum([a, b, c])  # reverse order visits a's subgraph, then b's, then c's
    assert grad_table(root)[x] == ((0.0 + 1e16) + 1.0) + -1e16 == 0.0
    root = functional.sum([c, b, a])
    assert grad_table(root)[x] == ((0.0 + -1e16) + 1.0) + 1e16 == 0.0
    root = functional.sum([b, a, c])
    assert grad_table(root)[x] == ((0.0 + 1.0) + 1e16) + -1e16 == 0.0
    root = functional.sum([a, c, b])
    assert grad_table(root)[x] == 1.0


def test_graph_absence_carries_on() -> None:
    # log(w) at w = 0 is -inf and clamp takes its lower bound: ∂/∂w is never computed as
    # 0 · (1/0) = nan, because the clamp's edge is absent and log(w) then receives no term.
    w = Value(0.0, "w")
    y = w.log().clamp(0.0, 1.0)
    table = grad_table(y)
    assert w not in table and grad(y, [w]) == [0.0]
    (d,) = grad(y, [w], create_graph=True)
    assert d.data == 0.0
    y.backward()
    assert w.grad == 0.0 and not math.isnan(w.grad)


def test_graph_an_arithmetic_zero_keeps_ieee() -> None:
    w, c = Value(0.0, "w"), Value(0.0, "c")
    y = w.log() * c  # ∂y/∂log(w) = c = 0, a number: 0 · inf = nan
    assert math.isnan(grad(y, [w])[0])


def test_graph_backward_leaves_nodes_without_a_row_alone() -> None:
    x = Value(2.0, "x")
    y = x.relu().step()  # step's edge is absent: nothing reaches relu or x
    x.grad = -0.0
    y.backward()
    assert math.copysign(1.0, x.grad) < 0 and y.grad == 1.0
    assert grad_table(y) == {y: 1.0}


@pytest.mark.parametrize("seed", range(20))
def test_graph_backward_adds_exactly_the_grad_table(seed: int) -> None:
    rng = random.Random(100 + seed)
    root = random_graph(rng, rng.randint(1, 40))
    nodes = topological_order(root)
    for v in nodes:  # start from odd gradients, inf and nan among them
        v.grad = rng.choice([0.0, -0.0, 0.1, -3.0, math.inf, math.nan])
    before = {v: v.grad for v in nodes}
    s = rng.choice([1.0, 0.5, -2.0])
    table = grad_table(root, s)
    root.backward(s)
    for v in nodes:
        assert same(v.grad, before[v] + table[v] if v in table else before[v]), v


def test_graph_a_pass_leaves_no_state_behind_even_when_it_fails() -> None:
    x = Value(0.5)
    y = (x * x + x).tanh() * functional.sum([x, x * 2.0, 3.0])
    y.backward()
    grad(y, [x], create_graph=True)
    z = y * 1e10
    with pytest.raises(FloatingPointError, match="backward through op"), detect_anomaly():
        z.backward(1e300)  # 1e300 · 1e10 overflows: the pass stops in the middle
    # the nodes of both graphs walk again and give the same table: no mark was left
    assert grad_table(y) == grad_table(y)
    assert grad(z, [x]) == grad(z, [x])


def test_graph_passes_in_threads_sharing_parameters_are_exact() -> None:
    w = [Value(0.1 * i) for i in range(20)]
    gc_states: list[bool] = []

    def work(out: list[float]) -> None:
        for _ in range(30):
            y = w[0]
            for v in w[1:]:
                y = y * 0.5 + v
            out.append(grad_table(y)[w[0]])
            y.backward()
            gc_states.append(gc.isenabled())

    outs: list[list[float]] = [[], [], []]
    in_threads(*(functools.partial(work, o) for o in outs))
    assert all(o == [0.5**19] * 30 for o in outs)
    assert w[0].grad == 90 * 0.5**19
    assert all(gc_states) and gc.isenabled()


def test_graph_no_call_changes_the_garbage_collector() -> None:
    x = Value(1.5)
    y = (x * x).tanh() + x.relu()
    gc.disable()
    try:
        y.backward()
        grad(y, [x], create_graph=True)
        topological_order(y)
        assert not gc.isenabled()
    finally:
        gc.enable()
    y.backward()
    assert gc.isenabled()
