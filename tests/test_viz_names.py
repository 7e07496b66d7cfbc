"""Diagrams name every node as node_names does, and edges read ∂c/∂a = number in those names."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import random_graph

from autograd_lite import Value, backward_frames, draw_dot, draw_model, nn, routes
from autograd_lite import functional as F
from autograd_lite.core import Constant, topological_order
from autograd_lite.teaching import node_names
from autograd_lite.teaching.names import graph_order
from autograd_lite.viz import ROLE_COLOURS, fmt, save
from autograd_lite.viz.edges import NAME_LIMIT, edge_name
from autograd_lite.viz.labels import ABSENT_COLOUR, escape

SVG = "{http://www.w3.org/2000/svg}"
EDGE = re.compile(r"^v(\d+) -> ([ov])(\d+)(?: \[(.*)\])?$")


def value_lines(src: str) -> dict[int, str]:
    """Value node index → its DOT statement."""
    out = {}
    for line in src.splitlines():
        match = re.match(r"^\s*v(\d+) \[", line)
        if match:
            out[int(match.group(1))] = line.strip()
    return out


def edges_into(src: str, head: str) -> list[str]:
    """The attributes of every edge from a value node into `head` (o<k> or v<k>), in order."""
    out = []
    for line in src.splitlines():
        match = EDGE.match(line.strip())
        if match and f"{match.group(2)}{match.group(3)}" == head:
            out.append(match.group(4) or "")
    return out


def expected_label(v: Value, slot: int, names: dict[Value, str]) -> str | None:
    """What the edge from v.parents[slot] into v should say (None: no label)."""
    p, local = v.edges[slot]
    if isinstance(p, Constant):
        return None
    if local is None:
        return "not selected"
    return f"∂{edge_name(names[v])}/∂{edge_name(names[p])} = {fmt(local)}"


def unlabelled_graph() -> tuple[Value, Value, Value]:
    """y = tanh(x·3)·x + u·0.5 with x labelled, u and every op unlabelled."""
    x = Value(2.0, label="x")
    u = Value(5.0)
    y = (x * 3).tanh() * x + u * 0.5
    return x, u, y


# --------------------------------------------------------------------------- node names


def test_draw_dot_boxes_show_node_names_literals_their_number() -> None:
    _, u, y = unlabelled_graph()
    names = node_names(y)
    lines = value_lines(draw_dot(y).source)
    for i, v in enumerate(topological_order(y)):
        if isinstance(v, Constant):
            assert "<b>" not in lines[i]  # a literal's name is its number, shown once
            assert f"<td>{fmt(v.data)}</td>" in lines[i]
        else:
            assert f"<td><b>{escape(names[v])}</b></td>" in lines[i], names[v]
    assert "<b>leaf₁</b>" in lines[topological_order(y).index(u)]
    assert "<b>tanh₁</b>" in draw_dot(y).source and "<b>+₁</b>" in draw_dot(y).source


def test_draw_dot_names_a_labelled_literal() -> None:
    c = Constant(2.0)
    c.label = "two"
    x = Value(1.0, label="x")
    src = draw_dot(x * c).source
    assert "<b>two</b>" in src


def test_draw_dot_of_two_roots_names_their_union_stably() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    shared = a * b
    r1 = shared.tanh()
    r2 = (shared * a).sigmoid() + b * b
    src = draw_dot([r1, r2]).source
    order = graph_order([r1, r2])
    lines = value_lines(src)
    assert len(lines) == len(order) == len(set(order))  # every node drawn once
    names = node_names(r1, r2)
    for i, v in enumerate(order):
        assert f"<b>{names[v]}</b>" in lines[i]
    assert all(names[v] == name for v, name in node_names(r1).items())  # r1's names stay
    output_fill = ROLE_COLOURS["output"][0]
    assert all(f'fillcolor="{output_fill}"' in lines[order.index(r)] for r in (r1, r2))
    assert draw_dot((r1, r1)).source == draw_dot(r1).source  # a root listed twice counts once
    src_r1 = draw_dot(r1).source
    assert all(f"<b>{node_names(r1)[v]}</b>" in src_r1 for v in topological_order(r1))


def test_draw_dot_refuses_bad_roots() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match="or a list of Values"):
        draw_dot([])
    with pytest.raises(TypeError, match="item 1 is float"):
        draw_dot([x, 1.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="needs a Value as root"):
        draw_dot("x")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- edge labels


def test_edge_name_short_and_bracketed() -> None:
    assert edge_name("w3") == "w3" and edge_name("tanh₁") == "tanh₁"
    assert edge_name("w⁽¹⁾₁₂") == "w⁽¹⁾₁₂"
    assert edge_name("ŷ_E − y") == "(ŷ_E − y)"
    assert edge_name("*₁") == "(*₁)" and edge_name("a+b") == "(a+b)"
    assert edge_name("a_very_long_name") == "a_very_…"
    assert len(edge_name("a_very_long_name")) == NAME_LIMIT
    assert edge_name("a\nb") == "(a b)"  # one line
    assert edge_name("two\nlines") == "(two lin…)"


def test_draw_dot_edges_read_in_the_nodes_names_on_random_graphs() -> None:
    rng = random.Random(11)
    for _ in range(15):
        root = random_graph(rng, rng.randint(3, 20))
        names = node_names(root)
        src = draw_dot(root, max_nodes=5000).source
        for i, v in enumerate(topological_order(root)):
            if not v.parents:
                continue
            edges = edges_into(src, f"o{i}")
            assert len(edges) == len(v.parents)  # one edge per parent slot
            for slot, attrs in enumerate(edges):
                want = expected_label(v, slot, names)
                if want is None:
                    assert "label" not in attrs
                else:
                    assert f">{escape(want, 80)}</" in attrs, (want, attrs)
        assert "∂=" not in src  # no slot names (w₀ ∂=…) any more


def test_draw_dot_edge_from_w3_into_z_c_reads_its_names() -> None:
    w1, w3 = Value(0.1, label="w1"), Value(0.4, label="w3")
    x_a, x_b = Value(0.23, label="x_A"), Value(0.82, label="x_B")
    z_c = F.dot([w1, w3], [x_a, x_b])
    z_c.label = "z_C"
    src = draw_dot(z_c).source
    assert "∂z_C/∂w3 = 0.82</font>" in src and "∂z_C/∂w1 = 0.23</font>" in src
    assert "∂z_C/∂x_A = 0.1</font>" in src and "∂z_C/∂x_B = 0.4</font>" in src


def test_draw_dot_from_top_to_bottom_puts_the_number_under_the_fraction() -> None:
    w3, x_b = Value(0.4, label="w3"), Value(0.82, label="x_B")
    z_c = w3 * x_b
    z_c.label = "z_C"
    for rankdir in ("TB", "BT"):
        src = draw_dot(z_c, rankdir=rankdir).source
        assert "∂z_C/∂w3<br/>= 0.82</font>" in src  # narrow: ranks stay close together
    assert "∂z_C/∂w3 = 0.82</font>" in draw_dot(z_c, rankdir="RL").source
    assert "ranksep=0.3" in src and "ranksep=0.45" in draw_dot(z_c).source  # ranks closer
    frame = backward_frames(z_c)[0].source  # the player keeps narrow in every direction
    assert "∂z_C/∂w3<br/>= 0.82</font>" in frame


def test_draw_dot_long_names_are_cut_on_edges_not_in_boxes() -> None:
    x = Value(1.0, label="learning_signal")
    y = x * 2.0
    y.label = "ŷ − y"
    src = draw_dot(y).source
    assert "<b>learning_signal</b>" in src
    assert "∂(ŷ − y)/∂learnin… = 2</font>" in src


# --------------------------------------------------------------------------- absent edges


def absent_cases() -> list[tuple[str, Value, Value, int]]:
    """(what, parent, consumer, slot) for an absent edge of each kind."""
    a, b = Value(-1.0, label="a"), Value(2.0, label="b")
    relu = a.relu()
    biggest = F.maximum(a, b)
    clamped = b.clamp(-0.5, 0.5)
    step = b.step()
    return [
        ("relu below 0", a, relu, 0),
        ("the unused side of max", a, biggest, 0),
        ("clamp outside", b, clamped, 0),
        ("step", b, step, 0),
    ]


@pytest.mark.parametrize("case", absent_cases(), ids=lambda c: c[0])
def test_draw_dot_absent_edges_are_dashed_and_not_selected(
    case: tuple[str, Value, Value, int],
) -> None:
    _, parent, consumer, slot = case
    assert consumer.edges[slot] == (parent, None)
    root = consumer * 1.0 + 0.0
    order = topological_order(root)
    src = draw_dot(root).source
    attrs = edges_into(src, f"o{order.index(consumer)}")[slot]
    assert "style=dashed" in attrs and f'color="{ABSENT_COLOUR}"' in attrs
    assert "<i>not selected</i>" in attrs and "∂" not in attrs
    assert not any("dashed" in a for a in edges_into(src, f"o{order.index(root)}"))
    hidden = draw_dot(root, show_local_grads=False).source
    attrs = edges_into(hidden, f"o{order.index(consumer)}")[slot]
    assert "style=dashed" in attrs and "label" not in attrs  # still drawn as absent


def test_draw_dot_max_draws_its_taken_side_with_a_derivative() -> None:
    a, b = Value(-1.0, label="a"), Value(2.0, label="b")
    m = F.maximum(a, b)
    m.label = "m"
    first, second = edges_into(draw_dot(m).source, "o2")
    assert "not selected" in first and "∂m/∂b = 1</font>" in second


def test_absent_edge_renders_dashed(tmp_path: Path) -> None:
    a = Value(-1.0, label="a")
    r = a.relu()
    r.label = "r"
    svg = ET.parse(save(draw_dot(r, legend=True), tmp_path / "g.svg")).getroot()
    edges = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "edge"]
    (edge,) = [g for g in edges if (g.findtext(f"{SVG}title") or "").startswith("v0")]
    (path,) = edge.iter(f"{SVG}path")
    assert path.get("stroke-dasharray") and path.get("stroke") == ABSENT_COLOUR
    texts = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    assert "not selected" in texts and "adds no term" in texts


# --------------------------------------------------------------------------- legend


def test_legend_explains_the_edges_once_and_only_what_is_drawn() -> None:
    x = Value(1.5, label="x")
    plain = draw_dot(x * x, legend=True).source
    assert plain.count("∂c/∂a = 1.5") == 1
    assert "on the edge from a into the op that makes c: the local derivative" in plain
    assert "not selected" not in plain and "from a number" not in plain
    with_literal = draw_dot(x**2, legend=True).source
    assert "an edge from a number (the 2 in x**2) carries no derivative" in with_literal
    kinked = draw_dot((-x).relu() + x, legend=True).source
    assert kinked.count("<i>not selected</i>") == 2  # on the edge, and once in the legend
    assert "the edge adds no term to any gradient" in kinked
    quiet = draw_dot((-x).relu() + x, legend=True, show_local_grads=False).source
    assert "∂c/∂a" not in quiet  # no derivative on any edge, so none explained
    assert "the edge adds no term" in quiet.replace("<br/>", " ")  # the dashes still are
    assert "∂c/∂a" not in draw_dot(x * x).source  # no legend, no explanation


# --------------------------------------------------------------------------- other pictures


def test_route_key_names_unlabelled_nodes_as_routes_print_them() -> None:
    s = Value(0.5, label="s")
    y = (2 * s).tanh() * (s * s)
    rs = routes(y, s)
    src = draw_dot(y, highlight=rs).source
    for k, r in enumerate(rs, 1):
        path = str(r).split(":")[0]
        assert f"route {k}: {path}   product" in src
    assert "#" not in re.sub(r'(color|fillcolor|bgcolor)="[^"]*"', "", src).replace("&#", "")


def test_backward_frames_name_boxes_and_captions_as_node_names() -> None:
    _, _, y = unlabelled_graph()
    names = node_names(y)
    frames = backward_frames(y)
    order = topological_order(y)
    for k in range(len(frames)):
        src = frames[k].source
        for v in order:
            if not isinstance(v, Constant):
                assert f"<b>{escape(names[v])}</b>" in src
        assert f"grad[{names[frames.order[k]]}]" in frames.caption(k)
        assert not re.search(r">#\d+<", src)  # no topological indices as names
    svg = frames.frame_svg(2)
    assert all(f">{escape(names[v])}<" in svg for v in order if not isinstance(v, Constant))


def test_backward_frames_caption_names_a_node_no_term_reaches() -> None:
    a = Value(-1.0, label="a")
    out = (a * 2.0).relu() + a
    frames = backward_frames(out)
    names = node_names(out)
    product = out.parents[0].parents[0]
    k = frames.order.index(product)
    assert frames.caption(k).endswith(
        f"grad[{names[product]}] = 0  (no term reaches {names[product]}: every edge from it is "
        "not selected)"
    )
    assert "<i>not selected</i>" in frames[k].source


def test_draw_model_of_a_layer_names_unlabelled_inputs_over_both_outputs() -> None:
    layer = nn.Layer(2, 2, activation="linear", seed=0)
    xs = [Value(0.5), Value(-1.0)]
    src = draw_model(layer, xs, show_local_grads=True).source
    assert "<b>leaf₁</b>" in src and "<b>leaf₂</b>" in src
    assert "∂ŷ₁/∂leaf₁ = " in src and "∂ŷ₂/∂leaf₂ = " in src  # the picture's names on edges
    assert "∂ŷ₁/∂w₁₁ = 0.5</font>" in src  # ∂ŷ₁/∂w₁₁ = x₁
    assert not re.search(r"\b(w0|w1|dot₁)\b", src)  # nn's labels and op names do not show


def test_two_two_one_network_labels_stay_short() -> None:
    model = nn.MLP(2, [2, 1], activation="tanh", seed=0)
    src = draw_model(model, [0.5, -1.0], show_local_grads=True).source
    labels = re.findall(r'label=<<font color="#7c3aed">([^<]*)</font>>', src)
    assert len(labels) == 2 * 5 + 2 + 5  # into z: w, w, x, x, b; into h: z; into ŷ: w, w, h, h, b
    assert max(len(text) for text in labels) <= 2 * NAME_LIMIT + 16  # ∂c/∂a = number
