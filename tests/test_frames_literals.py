"""backward_frames never steps onto a number literal: every step is a node of the grad table."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable

import pytest

from autograd_lite import Value, functional
from autograd_lite.core import Constant, grad_table, topological_order
from autograd_lite.viz import backward_frames


def lecture_network() -> tuple[Value, dict[str, Value]]:
    """Notebook 02's 2-2-1 sigmoid network (no biases), L = ½(ŷ_E − y)² with y = 1 a literal."""
    v = {
        name: Value(d, label=name)
        for name, d in (
            *(("x_A", 0.23), ("x_B", 0.82)),
            *(("w1", 0.1), ("w2", 0.5), ("w3", 0.4), ("w4", 0.3), ("w5", 0.2), ("w6", 0.6)),
        )
    }
    v["z_C"] = functional.dot([v["w1"], v["w3"]], [v["x_A"], v["x_B"]])
    v["z_D"] = functional.dot([v["w2"], v["w4"]], [v["x_A"], v["x_B"]])
    v["y_C"], v["y_D"] = v["z_C"].sigmoid(), v["z_D"].sigmoid()
    v["g1"], v["g2"] = v["w5"] * v["y_C"], v["w6"] * v["y_D"]
    v["z_E"] = v["g1"] + v["g2"]
    v["ŷ_E"] = v["z_E"].sigmoid()
    v["ŷ_E − y"] = v["ŷ_E"] - 1.0
    v["L"] = 0.5 * v["ŷ_E − y"] ** 2
    for name, node in v.items():
        node.label = name
    return v["L"], v


def _x() -> Value:
    return Value(-1.5, label="x")


# Expressions with number literals on either side, in powers, sums and kinks.
EXPRESSIONS: dict[str, Callable[[], Value]] = {
    "half square": lambda: 0.5 * (_x() - 1) ** 2,
    "literal base": lambda: 2 ** _x() + 1,
    "literal divisor": lambda: _x() / 2 - 3 * _x(),
    "relu with literals": lambda: (_x() * 2).relu() + 0.5,
    "sum with literals": lambda: functional.sum([1.0, _x(), 2.0, _x() * _x()]),
    "nan upstream of a literal": lambda: 0.5 * (_x() * math.nan) ** 2,
    "lecture 2-2-1": lambda: lecture_network()[0],
}


def player_data(html: str) -> dict[str, list[object]]:
    (blob,) = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S)
    data: dict[str, list[object]] = json.loads(blob)
    return data


@pytest.mark.parametrize("make", EXPRESSIONS.values(), ids=list(EXPRESSIONS))
def test_backward_frames_steps_skip_number_literals(make: Callable[[], Value]) -> None:
    root = make()
    topo = topological_order(root)
    literals = [v for v in topo if isinstance(v, Constant)]
    assert literals, "each expression holds number literals"
    frames = backward_frames(root)
    table = grad_table(root)
    assert not any(isinstance(v, Constant) for v in frames.order)
    assert set(frames.order) == {v for v in topo if not isinstance(v, Constant)}
    assert len(frames) == len(topo) - len(literals)
    # Every step is a row of the grad table, or a node that no term reaches (a row of 0).
    for k, v in enumerate(frames.order):
        assert v in table or "no term reaches" in frames.caption(k)
        assert v not in literals


@pytest.mark.parametrize("make", EXPRESSIONS.values(), ids=list(EXPRESSIONS))
def test_backward_frames_player_order_holds_no_literal(make: Callable[[], Value]) -> None:
    root = make()
    topo = topological_order(root)
    frames = backward_frames(root)
    data = player_data(frames.html())
    assert data["order"] == [topo.index(v) for v in frames.order]
    for i in data["order"]:
        assert isinstance(i, int) and not isinstance(topo[i], Constant)
    # Literals show no gradient and no value in the player; every stepped node shows one.
    for i, v in enumerate(topo):
        shown = data["grad"][i]
        assert (shown is None) == isinstance(v, Constant)
    assert len(data["captions"]) == len(frames)
    assert frames.still == len(frames) - 1


def test_backward_frames_lecture_network_steps() -> None:
    root, net = lecture_network()
    frames = backward_frames(root, rankdir="TB")
    names = [frames.caption(k).split("grad[")[1].split("]")[0] for k in range(len(frames))]
    # 22 nodes: 8 leaves, 11 op nodes, 3 literals (½, the 2 of the square, the target 1).
    assert len(topological_order(root)) == 22
    assert len(frames) == 19
    assert names[0] == "L" and names[-2:] == ["x_A", "x_B"]
    assert {"w1", "w2", "w3", "w4", "w5", "w6"} <= set(names)
    assert not any(re.fullmatch(r"[0-9.]+", name) for name in names)
    for k in range(len(frames)):
        assert "nan" not in frames.caption(k)
    assert frames.caption(len(frames) - 1) == (
        "step 19/19: grad[x_B] = Σ grad[use]·∂use/∂in = (-0.01321)·0.3 + (-0.004411)·0.4"
        " = -0.005727"
    )
    assert frames.order[-1] is net["x_B"]


def test_backward_frames_nan_reaches_no_literal() -> None:
    # A nan from above stops at the literal's absent edge: no step reads 0.5·nan for it.
    x = Value(2.0, label="x")
    root = 0.5 * (x * math.nan) ** 2
    frames = backward_frames(root)
    steps = [frames.caption(k) for k in range(len(frames))]
    assert len(steps) == 4  # *, **, * and x
    assert all("grad[x]" not in s for s in steps[:-1]) and "grad[x]" in steps[-1]


def test_backward_frames_literal_root_is_refused() -> None:
    literal = (Value(3.0, label="x") ** 2).parents[1]
    assert isinstance(literal, Constant)
    with pytest.raises(ValueError, match=r"number literal 2\.0"):
        backward_frames(literal)
