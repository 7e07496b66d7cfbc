"""The reverse pass's fast walk against the plain depth-first search it shortens."""

from __future__ import annotations

import random
import threading

import pytest

from autograd_lite import Value, functional
from autograd_lite.engine import _MANY, grad_table, topological_order


def _reference_order(root: Value) -> list[Value]:
    """Depth-first post-order over op nodes: a node under a marker, then its parents pushed."""
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Value | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            order.append(stack.pop())  # type: ignore[arg-type]
        elif node not in seen:
            seen.add(node)
            if not node.parents:
                continue
            stack += [node, None]
            stack += [p for p in node.parents if p.parents and p not in seen]
    return order


def _reference_table(root: Value, seed: float) -> dict[Value, float]:
    """Algorithm 6.2 in its plainest form: rows are 0.0 plus the terms, consumers in reverse."""
    table = {root: seed}
    for node in reversed(_reference_order(root)):
        for p, lg in zip(node.parents, _raw_local_grads(node)):
            table[p] = table.get(p, 0.0) + table[node] * lg
    return table


def _raw_local_grads(v: Value) -> tuple[float, ...]:
    """The recorded local derivatives as stored (strong zeros kept)."""
    if v._b is None:
        return () if v._a is None else (v._da,)
    return tuple(v._da) if v._b is _MANY else (v._da, v._db)


def _same(a: float, b: float) -> bool:
    return a.hex() == b.hex() or (a != a and b != b)


def _random_graph(rng: random.Random, size: int) -> Value:
    """Shared subexpressions, reuse (x*x), constants, unary/binary/n-ary ops, deep chains."""
    leaves = [Value(rng.uniform(-2, 2)) for _ in range(rng.randint(1, 5))]
    pool: list[Value] = list(leaves)
    for _ in range(size):
        kind = rng.random()
        a, b = rng.choice(pool), rng.choice(pool[-6:])
        if kind < 0.25:
            v = a + b
        elif kind < 0.5:
            v = a * b
        elif kind < 0.6:
            v = a * a
        elif kind < 0.7:
            v = (a * 0.5).tanh()
        elif kind < 0.78:
            v = (a - 0.25).relu()
        elif kind < 0.86:
            v = functional.sum([*rng.sample(pool, min(len(pool), rng.randint(2, 5))), a, a])
        elif kind < 0.93:
            k = min(len(pool), 3)
            v = functional.dot(rng.sample(pool, k), rng.sample(pool, k))
        else:
            v = 1.5 - a / (b * b + 1.0)
        pool.append(v)
    root = pool[-1]
    for v in rng.sample(pool, min(len(pool), 4)):
        root = root + v
    return root


@pytest.mark.parametrize("seed", range(40))
def test_engine_walk_order_matches_plain_depth_first_search(seed: int) -> None:
    rng = random.Random(seed)
    root = _random_graph(rng, rng.randint(1, 60))
    assert topological_order(root, leaves=False) == _reference_order(root)
    s = rng.choice([1.0, -0.5, 3.0, float("inf")])
    fast, plain = grad_table(root, s), _reference_table(root, s)
    assert fast.keys() == plain.keys()
    for node, g in plain.items():
        assert _same(fast[node], g), node


@pytest.mark.parametrize("seed", [1.0, 2.0, float("inf"), float("nan")])
def test_engine_n_ary_root_row_gives_strong_zeros_like_every_other_row(seed: float) -> None:
    x = Value(3.0)
    root = x.clamp(-1.0, 1.0)  # x is outside: ∂root/∂x is a selection's exact zero
    table = grad_table(root, seed)
    assert table[x] == 0.0  # not nan
    for node, g in _reference_table(root, seed).items():
        assert _same(table[node], g), node


def test_engine_walk_of_a_leaf_or_a_one_node_graph() -> None:
    x = Value(2.0)
    assert topological_order(x, leaves=False) == []
    assert grad_table(x, 3.0) == {x: 3.0}
    y = x * x
    assert topological_order(y, leaves=False) == [y]
    assert grad_table(y) == {y: 1.0, x: 4.0}


def test_engine_walk_deep_chain_needs_no_recursion() -> None:
    x = Value(1.0)
    y = x
    for _ in range(200_000):
        y = y * 1.0 + 0.0
    order = topological_order(y, leaves=False)
    assert len(order) == 400_000 and order[-1] is y
    assert grad_table(y)[x] == 1.0


def _slots_clear(root: Value) -> bool:
    return all(v._g is None for v in topological_order(root))


@pytest.mark.parametrize("seed", range(20))
def test_engine_backward_adds_exactly_the_grad_table(seed: int) -> None:
    rng = random.Random(100 + seed)
    root = _random_graph(rng, rng.randint(1, 40))
    nodes = topological_order(root)
    for v in nodes:  # start from odd gradients, inf and nan among them
        v.grad = rng.choice([0.0, -0.0, 0.1, -3.0, float("inf"), float("nan")])
    before = {v: v.grad for v in nodes}
    s = rng.choice([1.0, 0.5, -2.0])
    table = grad_table(root, s)
    root.backward(s)
    for v in nodes:
        assert _same(v.grad, before[v] + table[v]), v
    assert _slots_clear(root)


def test_engine_reverse_pass_leaves_no_state_on_the_nodes() -> None:
    x = Value(0.5)
    y = (x * x + x).tanh() * functional.sum([x, x * 2.0, 3.0])
    grad_table(y)
    y.backward()
    topological_order(y, leaves=False)
    assert _slots_clear(y)


def test_engine_backward_in_threads_sharing_parameters() -> None:

    w = [Value(0.1 * i) for i in range(20)]

    def work(out: list[float]) -> None:
        for _ in range(30):
            y = w[0]
            for v in w[1:]:
                y = y * 0.5 + v
            out.append(grad_table(y)[w[0]])
            y.backward()

    outs: list[list[float]] = [[], [], []]
    threads = [threading.Thread(target=work, args=(o,)) for o in outs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(o == [0.5**19] * 30 for o in outs)
    assert w[0].grad == 90 * 0.5**19
    assert all(v._g is None for v in w)
