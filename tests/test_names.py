"""node_names: one name for every node, the same in routes, check_by_hand and every diagram."""

from __future__ import annotations

import random

import pytest
from helpers import random_graph

from autograd_lite import Value, check_by_hand, routes
from autograd_lite import functional as F
from autograd_lite.core import topological_order
from autograd_lite.teaching import node_name, node_names
from autograd_lite.teaching.names import graph_order

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def test_node_names_label_literal_or_op_with_a_count_in_topological_order() -> None:
    x = Value(2.0, label="x")
    u = Value(5.0)
    t, w = x * 3, u * 0.5
    y = t.tanh() * x + w
    names = node_names(y)
    assert list(names) == topological_order(y)
    assert names[x] == "x" and names[u] == "leaf₁"
    assert {names[p] for p in (*t.parents, *w.parents)} == {"x", "3", "leaf₁", "0.5"}
    assert names[y.parents[0].parents[0]] == "tanh₁"  # tanh(x·3)
    assert names[y] == "+₁"
    # The * nodes are counted in topological order: *₁ comes before *₂ before *₃.
    stars = [v for v in topological_order(y) if v.op == "*"]
    assert [names[v] for v in stars] == ["*₁", "*₂", "*₃"]


def test_node_names_count_each_op_on_its_own_and_past_nine() -> None:
    x = Value(1.0, label="x")
    v = x
    for _ in range(11):
        v = v.tanh()
    names = node_names(v)
    assert names[v] == "tanh₁₁"
    expected = ["x", *(f"tanh{str(k).translate(SUBSCRIPTS)}" for k in range(1, 12))]
    assert sorted(names.values()) == sorted(expected)


def test_node_names_of_random_graphs_are_stable_and_tell_nodes_apart() -> None:
    rng = random.Random(3)
    for _ in range(20):
        root = random_graph(rng, rng.randint(3, 25))
        names = node_names(root)
        assert set(names) == set(topological_order(root))
        unlabelled = [names[v] for v in names if not v.label and v.op]
        assert len(set(unlabelled)) == len(unlabelled)  # a name says which node
        assert node_names(root) == names  # the same graph, the same names


def test_node_names_over_several_roots_keep_the_first_graphs_names() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    shared = a * b
    r1 = shared.tanh()
    m = shared * a
    bb = b * b
    r2 = m.sigmoid() + bb
    alone = node_names(r1)
    both = node_names(r1, r2)
    assert set(both) == set(graph_order([r1, r2])) == set(alone) | set(node_names(r2))
    assert all(both[v] == name for v, name in alone.items())  # stable: r1's names stay
    assert graph_order([r1, r2])[: len(alone)] == topological_order(r1)
    assert both[shared] == "*₁" and both[r1] == "tanh₁"
    assert {both[m], both[bb]} == {"*₂", "*₃"}  # the counts go on over r2's new nodes
    assert both[r2] == "+₁" and both[r2.parents[0]] == "sigmoid₁"


def test_node_name_and_bad_roots() -> None:
    x = Value(1.0)
    y = x + 1.0
    assert node_name(y) == "+₁" and node_name(x, y) == "leaf₁"
    with pytest.raises(TypeError, match="root 1 is float"):
        node_names(y, 2.0)  # type: ignore[arg-type]


def test_routes_and_check_by_hand_use_the_same_names() -> None:
    s = Value(0.5, label="s")
    doubled, square = 2 * s, s * s
    y = doubled.tanh() * square
    names = node_names(y)
    rs = routes(y, s)
    assert [str(r).split(":")[0] for r in rs] == [" → ".join(names[v] for v in r.nodes) for r in rs]
    assert str(rs[0]).startswith(f"s → {names[doubled]} → tanh₁ → {names[y]}:")
    report = check_by_hand(y, {names[square]: 1.0})  # the true value is tanh(1)
    assert report.first_wrong is square
    assert f"∂{names[y]}/∂{names[square]}: you wrote 1" in str(report)
    assert [step.name for step in report.steps] == [names[square]]


def test_check_by_hand_takes_names_of_unlabelled_nodes_labels_first() -> None:
    a = Value(2.0, label="a")
    p = a * 3.0
    q = p.tanh()
    out = q * a
    out.label = "*₁"  # a label that reads like p's name: the label wins
    assert node_names(out)[p] == "*₁"
    assert [s.node for s in check_by_hand(out, {"*₁": 1.0}).steps] == [out]
    assert check_by_hand(out, {"tanh₁": a.data}).ok  # ∂out/∂q = a
    assert check_by_hand(out, {"tanh₁": 1.0}).first_wrong is q
    with pytest.raises(KeyError, match="such as"):
        check_by_hand(out, {"tanh₂": 1.0})
    twice = Value(1.0) * 1.0 + a * 1.0  # two number literals, both named 1
    with pytest.raises(ValueError, match="name '1' names 2 nodes"):
        check_by_hand(twice, {"1": 0.0})
    d = F.dot([a, a], [Value(1.0), Value(3.0)])
    assert check_by_hand(d, {"leaf₁": 2.0, "leaf₂": 2.0}).ok  # ∂d/∂xᵢ = a
