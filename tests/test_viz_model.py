"""draw_model: a network picture with named nodes, inputs left, neurons in order."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd_lite import Value, draw_model, nn
from autograd_lite.core import grad_table
from autograd_lite.viz import ROLE_COLOURS, save

SVG = "{http://www.w3.org/2000/svg}"


def positions(tmp_path: Path, diagram: object) -> dict[str, tuple[float, float]]:
    """Node name → (x, y) of its name text in the rendered SVG (y grows downwards)."""
    root = ET.parse(save(diagram, tmp_path / "model.svg")).getroot()  # type: ignore[arg-type]
    out: dict[str, tuple[float, float]] = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        texts = list(g.iter(f"{SVG}text"))
        if texts and texts[0].text:
            out[texts[0].text.strip()] = (float(texts[0].get("x", 0)), float(texts[0].get("y", 0)))
    return out


def top_to_bottom(pos: dict[str, tuple[float, float]], names: list[str]) -> bool:
    ys = [pos[n][1] for n in names]
    return ys == sorted(ys) and len(set(ys)) == len(ys)


def left_to_right(pos: dict[str, tuple[float, float]], names: list[str]) -> bool:
    xs = [pos[n][0] for n in names]
    return xs == sorted(xs)


def test_draw_model_names_every_node_like_the_lectures() -> None:
    model = nn.MLP(2, [2, 1], activation="tanh", seed=0)
    src = draw_model(model, [0.5, -1.0]).source
    for name in ("x₁", "x₂", "w⁽¹⁾₁₁", "w⁽¹⁾₁₂", "w⁽¹⁾₂₁", "b⁽¹⁾₂", "z⁽¹⁾₁", "h⁽¹⁾₂"):
        assert f"<b>{name}</b>" in src
    assert "<b>w⁽²⁾₁₂</b>" in src and "<b>b⁽²⁾₁</b>" in src and "<b>ŷ</b>" in src
    assert "= tanh(z⁽¹⁾₁)" in src and "= Σ w·x + b" in src and "= Σ w·h + b" in src
    assert "w⁽ˡ⁾ᵢⱼ weight into neuron i of layer l from h⁽ˡ⁻¹⁾ⱼ (h⁽⁰⁾ = x)" in src
    assert "layer 1 (hidden, tanh)" in src and "layer 2 (output, linear)" in src


def test_draw_model_2_2_1_layout_reads_left_to_right_and_top_to_bottom(tmp_path: Path) -> None:
    model = nn.MLP(2, [2, 1], activation="tanh", seed=0)
    pos = positions(tmp_path, draw_model(model, [0.5, -1.0]))
    assert left_to_right(pos, ["x₁", "z⁽¹⁾₁", "h⁽¹⁾₁", "ŷ"])
    first = ["w⁽¹⁾₁₁", "w⁽¹⁾₁₂", "b⁽¹⁾₁", "x₁", "x₂", "w⁽¹⁾₂₁", "w⁽¹⁾₂₂", "b⁽¹⁾₂"]
    assert top_to_bottom(pos, first)  # the inputs between the two neurons' parameters
    assert top_to_bottom(pos, ["z⁽¹⁾₁", "z⁽¹⁾₂"]) and top_to_bottom(pos, ["h⁽¹⁾₁", "h⁽¹⁾₂"])
    assert top_to_bottom(pos, ["h⁽¹⁾₁", "h⁽¹⁾₂", "w⁽²⁾₁₁", "w⁽²⁾₁₂", "b⁽²⁾₁"])
    assert pos["x₁"][0] == pytest.approx(pos["w⁽¹⁾₁₁"][0], abs=40)  # one column


def test_draw_model_2_4_4_1_keeps_every_layer_in_order(tmp_path: Path) -> None:
    model = nn.MLP(2, [4, 4, 1], activation="tanh", seed=0)
    pos = positions(tmp_path, draw_model(model, [0.5, -1.0]))
    for layer in (1, 2):
        sup = "⁽¹⁾" if layer == 1 else "⁽²⁾"
        assert top_to_bottom(pos, [f"z{sup}{s}" for s in "₁₂₃₄"])
        assert top_to_bottom(pos, [f"h{sup}{s}" for s in "₁₂₃₄"])
        assert left_to_right(pos, [f"z{sup}₁", f"h{sup}₁"])
    params2 = [f"w⁽²⁾{i}{j}" for i in "₁₂" for j in "₁₂₃₄"]
    assert top_to_bottom(pos, [*params2[:4], "b⁽²⁾₁", *params2[4:], "b⁽²⁾₂", "h⁽¹⁾₁"])
    assert left_to_right(pos, ["x₁", "z⁽¹⁾₁", "h⁽¹⁾₁", "z⁽²⁾₁", "h⁽²⁾₁", "ŷ"])


def test_draw_model_shows_gradients_without_writing_them() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    before = [p.grad for p in model.parameters()]
    src = draw_model(model, [0.5, -1.0], legend=True).source
    assert src.count(f'fillcolor="{ROLE_COLOURS["parameter"][0]}"') == len(model.parameters())
    assert [p.grad for p in model.parameters()] == before
    y = model([0.5, -1.0])
    table = grad_table(y)
    b = model.layers[0].neurons[2].b
    assert f"grad {table[b]:.4g}<" in src  # ∂ŷ/∂b⁽¹⁾₃
    assert "subgraph cluster" not in src and "label=<dot>" not in src  # ops sit in the nodes


def test_draw_model_single_neuron_and_layer_drop_the_indices_they_do_not_need() -> None:
    neuron = nn.Neuron(3, activation="tanh", seed=1)
    src = draw_model(neuron, [1.0, 2.0, 3.0], rankdir="TB").source
    for name in ("w₁", "w₃", "b", "z", "ŷ", "x₃"):
        assert f"<b>{name}</b>" in src
    assert "rankdir=TB" in src
    layer = nn.Layer(2, 2, activation="sigmoid", seed=1)
    src = draw_model(layer, [1.0, 2.0]).source
    for name in ("w₂₁", "b₂", "z₁", "ŷ₁", "ŷ₂"):
        assert f"<b>{name}</b>" in src
    assert "⁽" not in src.split('label=<<table border="0" cellborder="0" cellspacing="0">')[0]


def test_draw_model_keeps_labels_the_user_set() -> None:
    model = nn.MLP(2, [2, 1], activation="sigmoid", seed=0)
    model.layers[0].neurons[0].w[0].label = "w1 (A→C)"
    xa = Value(0.23, label="x_A")
    src = draw_model(model, [xa, 0.82]).source
    assert "<b>w1 (A→C)</b>" in src and "<b>x_A</b>" in src and "<b>x₂</b>" in src


def test_draw_model_local_derivatives_on_request() -> None:
    model = nn.MLP(2, [2, 1], seed=0)

    def labelled_edges(src: str) -> int:
        return sum("->" in line and "label=" in line for line in src.splitlines())

    assert labelled_edges(draw_model(model, [1.0, 2.0]).source) == 0
    src = draw_model(model, [1.0, 2.0], show_local_grads=True).source
    assert labelled_edges(src) == 2 * 5 + 2 + 5  # into z: 2 w, 2 x, b; into h: z; into ŷ: 5
    assert "on the edge from a into c: ∂c/∂a, the local derivative" in src  # said once
    assert ">∂z⁽¹⁾₁/∂w⁽¹⁾₁₂ = 2</font>" in src  # the picture's own names: ∂z/∂w = x₂
    assert ">∂ŷ/∂h⁽¹⁾₂ = " in src
    legend = draw_model(model, [1.0, 2.0], show_local_grads=True, legend=True).source
    assert "∂c/∂a, the local derivative" not in legend  # the legend says it instead
    assert "on the edge from a into c: the local derivative" in legend
