"""routes: every path of influence, whose products sum to the gradient."""

from __future__ import annotations

import dataclasses
import math
import random

import pytest

from autograd_lite import Value, grad
from autograd_lite import functional as F
from autograd_lite.teaching import Route, count_routes, routes


def random_graph(rng: random.Random, n_ops: int = 12) -> tuple[list[Value], Value]:
    """Leaves and an output of a random graph with shared sub-expressions, reuse and constants."""
    leaves = [Value(rng.uniform(-1.5, 1.5), label=f"x{i}") for i in range(3)]
    pool = list(leaves)
    for _ in range(n_ops):
        a = rng.choice(pool[-4:] if rng.random() < 0.6 else pool)
        b = rng.choice(pool)
        kind = rng.randrange(9)
        if kind == 0:
            v = a * a
        elif kind == 1:
            v = a + a
        elif kind == 2:
            v = a * b
        elif kind == 3:
            v = a - b + 0.5
        elif kind == 4:
            v = (2.0 * a).tanh()
        elif kind == 5:
            v = (a * b).sigmoid() * 3
        elif kind == 6:
            v = F.dot([a, b, a], [b, 0.7, a])
        elif kind == 7:
            v = F.sum([a, a, b]) / 2.0
        else:
            v = (a * a + 1.0).log()
        pool.append(v)
    return leaves, F.sum(pool[-3:]) * pool[-1]


def test_routes_square_gives_one_route_per_parent_slot() -> None:
    a = Value(3.0, label="a")
    out = a * a
    rs = routes(out, a)
    assert [r.parent_indices for r in rs] == [(0,), (1,)]
    assert [r.nodes for r in rs] == [(a, out), (a, out)]
    assert [r.product for r in rs] == [3.0, 3.0]
    assert sum(r.product for r in rs) == grad(out, [a])[0] == 6.0


def test_routes_double_gives_two_routes_of_one() -> None:
    a = Value(3.0, label="a")
    rs = routes(a + a, a)
    assert len(rs) == 2
    assert [r.local_grads for r in rs] == [(1.0,), (1.0,)]


def test_routes_chain_str_names_labels_and_factors() -> None:
    x = Value(2.0, label="x")
    g = x * 1.5
    g.label = "g"
    f = g * 2.0
    f.label = "f"
    (r,) = routes(f, x)
    assert r.nodes == (x, g, f)
    assert r.local_grads == (1.5, 2.0)
    assert r.product == 3.0
    assert str(r) == "x → g → f: 1.5 × 2 = 3"
    assert repr(r) == "Route(x → g → f: 1.5 × 2 = 3)"
    (r,) = routes(-x, x)
    assert str(r) == "x → neg₁: (-1) = -1"


def test_routes_influence_diagram_sums_both_routes() -> None:
    # z = k(x, y) with x = g(s), y = h(s): dz/ds = dz/dx·dx/ds + dz/dy·dy/ds.
    s = Value(0.5, label="s")
    x = s * s  # dx/ds = 2s = 1
    y = (3 * s).sin()  # dy/ds = 3cos(3s)
    z = x * y
    rs = routes(z, s)
    assert len(rs) == 3  # s*s contributes two slots
    hand = y.data * 2 * s.data + x.data * 3 * math.cos(1.5)
    assert math.isclose(sum(r.product for r in rs), hand, rel_tol=1e-14)


def test_routes_product_is_the_recorded_local_grads_along_the_route() -> None:
    rng = random.Random(1)
    leaves, out = random_graph(rng)
    for r in routes(out, leaves[0], max_routes=1_000_000):
        assert r.nodes[0] is leaves[0] and r.nodes[-1] is out
        for k, (i, lg) in enumerate(zip(r.parent_indices, r.local_grads)):
            assert r.nodes[k + 1].parents[i] is r.nodes[k]
            assert r.nodes[k + 1].local_grads[i] == lg
        assert r.product == math.prod(reversed(r.local_grads))


@pytest.mark.parametrize("seed", range(25))
def test_routes_products_sum_to_grad_on_random_graphs(seed: int) -> None:
    rng = random.Random(seed)
    leaves, out = random_graph(rng)
    for x in leaves:
        n = count_routes(out, x)
        rs = routes(out, x, max_routes=20_000)
        assert len(rs) == n
        assert len({tuple(map(id, r.nodes)) + r.parent_indices for r in rs}) == n  # distinct
        products = [r.product for r in rs]
        total = math.fsum(products)
        scale = math.fsum(abs(p) for p in products)
        assert abs(total - grad(out, [x])[0]) <= 1e-12 * scale


def test_routes_input_not_reachable_gives_no_routes() -> None:
    a, b = Value(1.0), Value(2.0)
    assert routes(a * 2, b) == []
    out = a * b
    assert routes(a, out) == []  # the output is below the input
    assert count_routes(a * 2, b) == 0


def test_routes_output_is_input_gives_one_empty_route() -> None:
    a = Value(1.0, label="a")
    (r,) = routes(a, a)
    assert r.nodes == (a,) and r.local_grads == () and r.parent_indices == ()
    assert r.product == 1.0
    assert str(r) == "a: (no edges) = 1"


def test_routes_reach_constants_and_interior_nodes() -> None:
    x = Value(2.0)
    c = Value(3.0)
    inner = x * c
    out = inner.tanh() + inner
    assert math.isclose(sum(r.product for r in routes(out, c)), grad(out, [c])[0])
    assert len(routes(out, inner)) == 2


def test_routes_too_many_raise_before_listing_with_the_count() -> None:
    v = x = Value(1.0)
    for _ in range(200):
        v = v + v  # every level doubles the routes
    assert count_routes(v, x) == 2**200
    with pytest.raises(ValueError, match=r"about 1\.61e60 routes") as err:
        routes(v, x)
    assert "max_routes" in str(err.value)
    for _ in range(14_800):  # 2**15000 routes: far more digits than Python writes out
        v = v + v
    with pytest.raises(ValueError, match=r"about 2\.82e4515 routes .* max_routes=10000"):
        routes(v, x)
    w = y = Value(1.0)
    for _ in range(4):
        w = w * w
    assert len(routes(w, y, max_routes=16)) == 16
    with pytest.raises(ValueError, match="16 routes"):
        routes(w, y, max_routes=15)


def test_routes_long_chain_needs_no_recursion() -> None:
    x = v = Value(0.5)
    for _ in range(5000):
        v = v * 1.0001
    (r,) = routes(v, x)
    assert len(r.local_grads) == 5000
    assert r.product == grad(v, [x])[0]


def test_routes_bad_arguments_are_clear_errors() -> None:
    a = Value(1.0)
    with pytest.raises(TypeError, match="output"):
        routes(1.0, a)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="input"):
        routes(a, "a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_routes"):
        routes(a, a, max_routes=0)
    with pytest.raises(TypeError, match="max_routes"):
        routes(a, a, max_routes=2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="max_routes"):
        routes(a, a, max_routes=True)


def test_route_is_frozen() -> None:
    a = Value(1.0)
    (r,) = routes(a, a)
    assert isinstance(r, Route)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.nodes = ()  # type: ignore[misc]
