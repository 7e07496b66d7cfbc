"""check_by_hand: the first wrong step of a backward pass done by hand."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from autograd_lite import Value, check_by_hand
from autograd_lite import functional as F
from autograd_lite.core import grad_table, topological_order


def random_graph(rng: random.Random, n_ops: int = 12) -> Value:
    """A random graph with shared sub-expressions, reuse (a*a, a+a) and constants."""
    pool = [Value(rng.uniform(-1.5, 1.5), label=f"x{i}") for i in range(3)]
    for _ in range(n_ops):
        a = rng.choice(pool[-4:] if rng.random() < 0.6 else pool)
        b = rng.choice(pool)
        kind = rng.randrange(7)
        if kind == 0:
            v = a * a
        elif kind == 1:
            v = a + a
        elif kind == 2:
            v = a * b - 0.5
        elif kind == 3:
            v = (2.0 * a).tanh()
        elif kind == 4:
            v = (a * b).sigmoid() * 3
        elif kind == 5:
            v = F.dot([a, b, a], [b, 0.7, a])
        else:
            v = (a * a + 1.0).log()
        pool.append(v)
    return F.sum(pool[-3:]) * pool[-1]


def propagate(root: Value, overrides: dict[Value, float]) -> dict[Value, float]:
    """A backward pass by hand that writes `overrides[v]` in place of v's gradient."""
    table: dict[Value, float] = {}
    for v in reversed(topological_order(root)):
        g = overrides.get(v, 1.0 if v is root else table.get(v))
        if g is None:
            continue  # no term reached it: it passes nothing on
        table[v] = g
        for p, lg in v.edges:
            if lg is not None:
                table[p] = table.get(p, 0.0) + g * lg
    return table


def slip(g: float) -> float:
    return g * 1.5 + 0.25


@pytest.mark.parametrize("seed", range(30))
def test_check_by_hand_finds_a_slip_where_it_happened(seed: int) -> None:
    rng = random.Random(seed)
    root = random_graph(rng)
    true = grad_table(root)
    nodes = [v for v in topological_order(root) if v in true]  # literals get no gradient
    bad = rng.choice(nodes)
    wrong = slip(true[bad])
    # Below the slip the person writes the true gradients ...
    claims = {v: true[v] for v in nodes}
    claims[bad] = wrong
    report = check_by_hand(root, claims)
    assert not report.ok
    assert report.first_wrong is bad
    assert report.claimed == wrong
    assert math.isclose(report.expected, true[bad], rel_tol=1e-9, abs_tol=1e-12)  # type: ignore[arg-type]
    assert report.correct == true[bad]
    # ... or carries their wrong number on consistently: then only the slip is wrong.
    consistent = propagate(root, {bad: wrong})
    report = check_by_hand(root, consistent)
    assert report.first_wrong is bad
    assert [s.node for s in report.wrong] == [bad]
    # Claiming only a few nodes below the slip changes nothing.
    few = {v: consistent[v] for v in nodes if v is bad or rng.random() < 0.3}
    assert check_by_hand(root, few).first_wrong is bad


@pytest.mark.parametrize("seed", range(10))
def test_check_by_hand_all_correct_claims_are_ok(seed: int) -> None:
    rng = random.Random(100 + seed)
    root = random_graph(rng)
    true = grad_table(root)
    claims = {v: true[v] for v in topological_order(root) if v in true and rng.random() < 0.6}
    report = check_by_hand(root, claims)
    assert report.ok
    assert report.first_wrong is None and report.claimed is None
    assert report.expected is None and report.correct is None
    assert len(report.steps) == len(claims)
    assert "check out" in str(report)


def test_check_by_hand_counts_a_node_used_twice_twice() -> None:
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    report = check_by_hand(y, {"y": 1.0, "x": 3.0})  # forgot the second use of x
    assert report.first_wrong is x
    assert report.expected == 6.0 and report.correct == 6.0
    text = str(report)
    assert "∂y/∂x: you wrote 3 but your upstream numbers give" in text
    assert "(∂y/∂y: your number; the true ∂y/∂x is 6)" in text
    assert "∂y/∂y · ∂y/∂x + ∂y/∂y · ∂y/∂x" in text
    assert "(1) × 3 + (1) × 3" in text
    assert check_by_hand(y, {x: 6.0}).ok


def test_check_by_hand_visits_the_root_first() -> None:
    a = Value(2.0, label="a")
    out = a * 3
    out.label = "out"
    report = check_by_hand(out, {"out": 2.0, "a": 6.0})  # a is consistent with the bad seed
    assert report.first_wrong is out
    assert report.expected == 1.0
    assert [s.name for s in report.wrong] == ["out"]
    assert "starts from 1" in str(report)


def test_check_by_hand_steps_list_every_claimed_node_in_backward_order() -> None:
    a, b = Value(0.5, label="a"), Value(-1.0, label="b")
    h = (a * b).tanh()
    h.label = "h"
    out = h * a
    out.label = "out"
    true = grad_table(out)
    report = check_by_hand(out, {"a": true[a], "h": true[h], "out": 1.0})
    assert [s.name for s in report.steps] == ["out", "h", "a"]
    assert all(s.ok for s in report.steps)
    assert [s.correct for s in report.steps] == [1.0, true[h], true[a]]
    assert "implied" in report.table()


def test_check_by_hand_lecture_2_2_1_slip_is_named_at_z_c() -> None:
    # The course notes' 2-2-1 sigmoid network without biases, L = ½(ŷ_E − 1)².
    x_a, x_b = Value(0.23, label="x_A"), Value(0.82, label="x_B")
    w = [Value(d, label=f"w{i + 1}") for i, d in enumerate((0.1, 0.5, 0.4, 0.3, 0.2, 0.6))]
    z_c = F.dot([w[0], w[2]], [x_a, x_b])
    z_d = F.dot([w[1], w[3]], [x_a, x_b])
    y_c, y_d = z_c.sigmoid(), z_d.sigmoid()
    z_e = F.dot([w[4], w[5]], [y_c, y_d])
    y_e = z_e.sigmoid()
    loss = 0.5 * (y_e - 1) ** 2
    for v, name in ((z_c, "z_C"), (z_d, "z_D"), (y_c, "y_C"), (y_d, "y_D"), (z_e, "z_E")):
        v.label = name
    y_e.label, loss.label = "ŷ_E", "L"
    printed = {z_c: 0.351, z_d: 0.361, y_c: 0.5868, y_d: 0.5892, z_e: 0.4708, y_e: 0.6155}
    for v, d in printed.items():
        assert abs(v.data - d) < 1.5e-4, v.label
    true = grad_table(loss)
    assert round(true[y_e], 4) == -0.3844  # the slide prints −0.3845 from the rounded ŷ_E
    # The slide's slip: σ'(z_C) = (1 − y_C)·y_C evaluated with z_C in place of y_C.
    assert round((1 - z_c.data) * z_c.data * 0.23, 4) == 0.0524
    assert round((1 - y_c.data) * y_c.data * 0.23, 4) == 0.0558
    d_yc = true[y_c]
    claims = {
        "L": 1.0,
        "ŷ_E": true[y_e],
        "z_E": true[z_e],
        "y_C": d_yc,
        "z_C": d_yc * (1 - z_c.data) * z_c.data,  # the slip
        "w1": d_yc * (1 - z_c.data) * z_c.data * x_a.data,  # 0.0524 as the slide's factor
    }
    report = check_by_hand(loss, claims)
    assert report.first_wrong is z_c
    assert report.expected == pytest.approx(true[z_c], rel=1e-12)
    assert [s.node for s in report.wrong] == [z_c]  # w1 follows consistently from the slip
    assert "∂L/∂z_C: you wrote" in str(report)
    assert "∂L/∂y_C · ∂y_C/∂z_C" in str(report)
    # The slide's own rounded numbers name the same step (tolerance for 4-digit rounding).
    rounded = {"ŷ_E": -0.3845, "z_E": -0.3845 * 0.2365, "y_C": -0.3845 * 0.2365 * 0.2}
    rounded["z_C"] = rounded["y_C"] * (1 - 0.351) * 0.351
    rounded["w1"] = rounded["y_C"] * 0.0524
    assert check_by_hand(loss, rounded, rtol=1e-3).first_wrong is z_c
    # A person who writes down only ∂L/∂w1 is told at w1, from the true ∂L/∂z_C.
    only_w1 = check_by_hand(loss, {"w1": d_yc * 0.0524})
    assert only_w1.first_wrong is w[0]
    assert only_w1.expected == pytest.approx(true[z_c] * 0.23, rel=1e-12)
    assert "∂L/∂z_C: not written by you, so the true value" in str(only_w1)
    # Unclaimed numbers between two claims are what the claims above imply.
    skipped = check_by_hand(loss, {"y_C": 2 * d_yc, "w1": d_yc * 0.0524})
    assert skipped.first_wrong is y_c
    step = skipped.steps[-1]
    assert step.node is w[0] and not step.ok
    assert step.implied == pytest.approx(2 * true[z_c] * 0.23, rel=1e-12)
    text = skipped.explain(step)
    assert "∂L/∂z_C: not written by you, so what your numbers above imply" in text
    # One SGD step with ε = 0.7 gives the slide's new weights.
    new = [round(v.data - 0.7 * true[v], 4) for v in w]
    assert new == [0.1007, 0.5021, 0.4025, 0.3076, 0.2374, 0.6375]


def test_check_by_hand_non_finite_claims() -> None:
    a = Value(2.0, label="a")
    out = a * 3
    out.label = "out"
    assert check_by_hand(out, {"a": math.nan}).first_wrong is a
    assert check_by_hand(out, {"a": math.inf}).first_wrong is a
    s = Value(0.0, label="s")
    r = s.sqrt()  # d sqrt/ds at 0 is inf
    r.label = "r"
    assert check_by_hand(r, {"s": math.inf}).ok
    report = check_by_hand(r, {"r": math.nan, "s": math.nan})
    assert report.first_wrong is r  # the nan came in at r, s only carries it on
    assert [st.node for st in report.wrong] == [r]


def test_check_by_hand_huge_integer_claims_are_inf_as_in_value() -> None:
    # An int beyond the float range is ±inf, as the engine makes it: Value(10**400).data
    x = Value(3.0, label="x")
    z = x * x
    z.label = "z"
    y = z * 2.0
    y.label = "y"
    assert Value(10**400).data == math.inf and Value(-(10**400)).data == -math.inf
    report = check_by_hand(y, {"z": 10**400})
    assert (report.first_wrong, report.claimed, report.expected) == (z, math.inf, 2.0)
    assert "∂y/∂z: you wrote inf but" in str(report)
    assert "inf" in report.table().splitlines()[1]
    assert check_by_hand(y, {"z": -(10**400)}).claimed == -math.inf
    assert check_by_hand(y, {"z": Fraction(10**400, 3)}).claimed == math.inf
    # the root: its gradient is 1, whatever the claim
    assert "you wrote inf; the backward pass starts from 1" in str(check_by_hand(y, {y: 10**400}))
    # inf passed on from a slip at z: x, computed from it (inf · 3 + inf · 3), is a right step
    report = check_by_hand(y, {"z": 10**400, "x": 10**400})
    assert [(st.node, st.ok) for st in report.steps] == [(z, False), (x, True)]
    # huge tolerances are inf too: every finite claim agrees
    assert check_by_hand(y, {"z": 3.0}, rtol=10**400).ok
    assert check_by_hand(y, {"z": 3.0}, rtol=0, atol=10**400).ok
    assert not check_by_hand(y, {"z": 3.0}, rtol=0, atol=0.5).ok


def test_check_by_hand_labels_must_name_one_node() -> None:
    a, b = Value(1.0, label="w"), Value(2.0, label="w")
    out = a * b
    with pytest.raises(KeyError, match="'v'"):
        check_by_hand(out, {"v": 1.0})
    with pytest.raises(ValueError, match="'w' names 2 nodes"):
        check_by_hand(out, {"w": 1.0})
    with pytest.raises(ValueError, match="not in the graph"):
        check_by_hand(out, {Value(1.0): 1.0})
    with pytest.raises(ValueError, match="claimed twice"):
        out.label = "out"
        check_by_hand(out, {out: 1.0, "out": 1.0})


def test_check_by_hand_bad_arguments_are_clear_errors() -> None:
    a = Value(1.0, label="a")
    out = a * 2
    with pytest.raises(TypeError, match="root"):
        check_by_hand(1.0, {})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="mapping"):
        check_by_hand(out, [(a, 2.0)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="keys"):
        check_by_hand(out, {1: 2.0})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="real number"):
        check_by_hand(out, {"a": "2"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="rtol"):
        check_by_hand(out, {}, rtol=-1.0)
    assert check_by_hand(out, {}).ok
