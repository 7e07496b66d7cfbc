"""Any label renders to valid DOT and SVG; bad arguments fail at the call; Diagram's repr."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from autograd_lite import Value, backward_frames, draw_dot, draw_model, nn
from autograd_lite.viz import labels, save

SVG = "{http://www.w3.org/2000/svg}"

# Every kind of text that once broke a diagram: nothing, only line breaks, characters XML or
# UTF-8 cannot hold, control characters.
HOSTILE_LABELS = {
    "empty": "",
    "newline": "\n",
    "crlf": "\r\n",
    "cr": "\r",
    "line separator": "\u2028",
    "vertical tab": "\x0b",
    "breaks around text": "\n\na\r\nb\u2028",
    "U+FFFF": "\uffff",
    "U+FFFE": "x\ufffe",
    "lone surrogate": "\ud800",
    "low surrogate and text": "a\udfffb",
    "NUL": "\x00",
    "C0 controls": "".join(map(chr, range(32))),
    "DEL": "\x7f",
    "C1 control": "\x9b",
    "markup": "<b></b>&amp;</td>]]>",
    "blank": "   ",
}


def render(tmp_path: Path, graph: Any) -> ET.Element:
    path = save(graph, tmp_path / "graph.svg")  # dot must accept the DOT text
    return ET.parse(path).getroot()  # and the SVG must be well-formed XML


def svg_text(root: ET.Element) -> str:
    return " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("text", HOSTILE_LABELS.values(), ids=HOSTILE_LABELS.keys())
def test_draw_dot_any_label_renders_to_valid_svg(tmp_path: Path, text: str) -> None:
    a = Value(1.0, label=text)
    y = a * 2.0
    y.label = text + "y"
    diagram = draw_dot(y, title=text, groups={text: [a]}, legend=True)
    diagram.source.encode("utf-8")  # no UnicodeEncodeError
    root = render(tmp_path, diagram)
    assert root.tag == f"{SVG}svg"
    assert "data 2" in svg_text(root)


def test_draw_dot_empty_group_name_renders(tmp_path: Path) -> None:
    a = Value(1.0, label="a")
    root = render(tmp_path, draw_dot(a + 1.0, groups={"": [a], "\n": []}))
    assert sum(g.get("class") == "cluster" for g in root.iter(f"{SVG}g")) == 1


def test_draw_dot_unshowable_characters_become_visible_escapes(tmp_path: Path) -> None:
    a = Value(1.0, label="a\x00b\ud800c\uffffd\x7f")
    text = svg_text(render(tmp_path, draw_dot(a * 2.0)))
    assert "a\\x00b\\ud800c\\uffffd\\x7f" in text


def test_draw_dot_line_breaks_split_lines(tmp_path: Path) -> None:
    a = Value(1.0, label="top\r\nmiddle\u2028bottom")
    texts = [t.text for t in render(tmp_path, draw_dot(a * 2.0)).iter(f"{SVG}text")]
    assert {"top", "middle", "bottom"} <= set(texts)


def test_visible_and_lines() -> None:
    assert labels.visible("plain text") == "plain text"
    assert labels.visible("\x00\x1f\x7f\x85") == "\\x00\\x1f\\x7f\\x85"
    assert labels.visible("\ud800\ufffe\U0001ffff") == "\\ud800\\ufffe\\U0001ffff"
    assert labels.lines("\n\na\r\n\rb\n\n") == ["a", "", "b"]
    assert labels.lines("\n\r\n\u2028") == []
    assert labels.escape("\n") == "" and labels.bold("\n") == ""
    assert labels.plain("a\nb", limit=40) == "a b"


def test_escape_shortens_over_all_lines() -> None:
    assert labels.escape("abcdef\nghijkl", limit=10) == "abcdef<br/>gh…"


# --------------------------------------------------------------------------- bad arguments

X = Value(2.0, label="x")
Y = X * X
MODEL = nn.MLP(2, [2, 1], seed=0)

BAD_CALLS: list[tuple[str, Any, type[Exception], str]] = [
    ("draw_dot float", lambda: draw_dot(3.0), TypeError, "got float 3.0"),
    ("draw_dot None", lambda: draw_dot(None), TypeError, "got NoneType None"),
    ("draw_dot str", lambda: draw_dot("y"), TypeError, "got str 'y'"),
    ("digits -1", lambda: draw_dot(Y, digits=-1), ValueError, "digits .* got -1"),
    ("digits 0", lambda: draw_dot(Y, digits=0), ValueError, "digits"),
    ("digits 2.5", lambda: draw_dot(Y, digits=2.5), TypeError, "digits .* got float 2.5"),
    ("digits True", lambda: draw_dot(Y, digits=True), TypeError, "digits"),
    ("digits 18", lambda: draw_dot(Y, digits=18), ValueError, "from 1 to 17"),
    ("rankdir", lambda: draw_dot(Y, rankdir="up"), ValueError, "rankdir .* 'LR'.*'up'"),
    ("max_nodes 0", lambda: draw_dot(Y, max_nodes=0), ValueError, "max_nodes .* got 0"),
    ("max_nodes str", lambda: draw_dot(Y, max_nodes="9"), TypeError, "max_nodes"),
    ("unknown kw", lambda: draw_dot(Y, colour="red"), TypeError, "colour"),
    ("show_grad", lambda: draw_dot(Y, show_grad="no"), TypeError, "show_grad"),
    ("grads", lambda: draw_dot(Y, grads=[1.0]), TypeError, "grads"),
    ("params", lambda: draw_dot(Y, params=[1.0]), TypeError, "params"),
    ("groups", lambda: draw_dot(Y, groups={"g": [1]}), TypeError, "groups"),
    ("title", lambda: draw_dot(Y, title=None), TypeError, "title"),
    ("highlight", lambda: draw_dot(Y, highlight=3), TypeError, "highlight"),
    ("frames root", lambda: backward_frames(None), TypeError, "backward_frames.*NoneType"),
    ("frames digits", lambda: backward_frames(Y, digits=-1), ValueError, "digits"),
    ("frames kw", lambda: backward_frames(Y, colour="red"), TypeError, "colour"),
    ("frames rankdir", lambda: backward_frames(Y, rankdir=1), ValueError, "rankdir"),
    ("frames max_nodes", lambda: backward_frames(Y, max_nodes=-5), ValueError, "max_nodes"),
    ("frames seed", lambda: backward_frames(Y, seed="1"), TypeError, "seed"),
    ("model digits", lambda: draw_model(MODEL, [1, 2], digits=-1), ValueError, "digits"),
    ("model kw", lambda: draw_model(MODEL, [1, 2], colour="red"), TypeError, "colour"),
    ("model rankdir", lambda: draw_model(MODEL, [1, 2], rankdir="XY"), ValueError, "rankdir"),
    ("model max_nodes", lambda: draw_model(MODEL, [1, 2], max_nodes=0), ValueError, "max_nodes"),
    ("model x length", lambda: draw_model(MODEL, [1, 2, 3]), ValueError, "2 inputs, x has 3"),
    ("model x type", lambda: draw_model(MODEL, 1.0), TypeError, "x to be one input"),
    ("model object", lambda: draw_model(object(), [1]), TypeError, "Neuron, Layer or MLP"),
]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [case[1:] for case in BAD_CALLS],
    ids=[case[0] for case in BAD_CALLS],
)
def test_drawing_functions_refuse_bad_arguments_at_the_call(
    call: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        call()


def test_draw_model_size_guard_runs_before_the_model() -> None:
    calls = []

    class Huge:
        """Claims 1000 neurons of 1000 weights: 1000 + 1000 · (1000 + 3) nodes."""

        def __init__(self) -> None:
            neuron = type("N", (), {"w": [Value(0.0)] * 1000, "b": Value(0.0)})()
            neuron.__class__.__call__ = lambda self, x: calls.append(x)  # type: ignore[attr-defined]
            self.layers = [type("L", (), {"neurons": [neuron] * 1000})()]

    with pytest.raises(ValueError, match=r"1004000 value nodes, more than max_nodes=500"):
        draw_model(Huge(), [0.0] * 1000)
    assert calls == []


# --------------------------------------------------------------------------- repr


def test_diagram_repr_counts_value_and_op_nodes() -> None:
    assert repr(draw_dot(Value(1.0))).startswith("<Diagram: 1 value node, 0 op nodes;")
    a = Value(1.0)
    assert repr(draw_dot(a * a + 1.0)).startswith("<Diagram: 4 value nodes, 2 op nodes;")


def test_diagram_repr_of_a_hand_made_diagram_counts_its_node_statements() -> None:
    from autograd_lite.viz import Diagram

    d = Diagram("g")
    d.attr(rankdir="LR")
    d.attr("node", shape="box")
    d.node("a")
    d.edge("a", "b")
    assert repr(d).startswith("<Diagram: 1 node;")
