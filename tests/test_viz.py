"""Tests of the graph diagrams: DOT text, real rendering, the size guard and backward frames."""

from __future__ import annotations

import math
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest

from autograd_lite import Value, viz
from autograd_lite import functional as F
from autograd_lite.engine import grad_table, topological_order
from autograd_lite.viz import (
    ROLE_COLOURS,
    BackwardFrames,
    Diagram,
    GraphvizNotFoundError,
    backward_frames,
    draw_dot,
    draw_model,
    fmt,
    save,
)

SVG = "{http://www.w3.org/2000/svg}"
# Rendering tests need Graphviz's `dot`, which `make test` installs; they fail without it.
HOSTILE = "x<y>&\"'{a}|b\\c\nnext</td></tr>]]>\x00"


def expression() -> tuple[dict[str, Value], Value]:
    """micrograd's example: L = (a*b + c) * f, all nodes labelled, after backward."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}, L


def node_line(source: str, v: Value, root: Value) -> str:
    """The DOT statement of the value node `v` (named by its topological index)."""
    i = topological_order(root).index(v)
    (line,) = [s.strip() for s in source.splitlines() if s.strip().startswith(f"v{i} [")]
    return line


def edges_into_op(source: str, parent: Value, child: Value, root: Value) -> list[str]:
    order = topological_order(root)
    head = f"v{order.index(parent)} -> o{order.index(child)}"
    return [s.strip() for s in source.splitlines() if s.strip().startswith(head)]


def render_svg(graph: graphviz.Digraph, tmp_path: Path) -> ET.Element:
    path = save(graph, tmp_path / "graph.svg")
    return ET.parse(path).getroot()


def svg_text(root: ET.Element) -> str:
    return " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


# --------------------------------------------------------------------------- numbers and text


def test_fmt_four_significant_digits_and_specials() -> None:
    assert fmt(2 / 3) == "0.6667"
    assert fmt(2.0) == "2"
    assert fmt(-0.0) == "0"
    assert fmt(123456.0) == "1.235e+05"
    assert fmt(math.nan) == "nan"
    assert fmt(math.inf) == "inf"
    assert fmt(-math.inf) == "-inf"
    assert fmt(math.pi, digits=2) == "3.1"


def test_escape_makes_hostile_text_inert() -> None:
    text = viz.escape(HOSTILE, limit=100)
    for raw in ("<", ">", '"', "'", "{", "}", "|", "\\", "\n", "\x00"):
        assert raw not in text.replace("<br/>", "")
    assert "&lt;y&gt;&amp;" in text
    assert text.count("<br/>") == 1


def test_escape_shortens_long_labels() -> None:
    assert viz.escape("x" * 100, limit=10) == "x" * 9 + "…"


# --------------------------------------------------------------------------- DOT source


def test_draw_dot_shows_labels_data_and_grads() -> None:
    nodes, L = expression()
    src = draw_dot(L).source
    expected = {
        "a": (2, 6),
        "b": (-3, -4),
        "c": (10, -2),
        "e": (-6, -2),
        "d": (4, -2),
        "f": (-2, 4),
    }
    for name, (data, grad) in expected.items():
        line = node_line(src, nodes[name], L)
        assert f"<b>{name}</b>" in line
        assert f"data {data}<" in line
        assert f"grad {grad}<" in line
    assert "grad 1<" in node_line(src, L, L)


def test_draw_dot_writes_local_derivative_on_each_edge() -> None:
    nodes, L = expression()
    src = draw_dot(L).source
    # ∂(a·b)/∂a = b = -3, ∂(a·b)/∂b = a = 2, ∂(e+c)/∂e = 1, ∂(d·f)/∂d = f = -2, ∂(d·f)/∂f = d = 4
    for parent, child, deriv in [
        ("a", "e", "-3"),
        ("b", "e", "2"),
        ("e", "d", "1"),
        ("c", "d", "1"),
        ("d", None, "-2"),
        ("f", None, "4"),
    ]:
        target = nodes[child] if child else L
        (edge,) = edges_into_op(src, nodes[parent], target, L)
        assert f">{deriv}</font>" in edge


def test_draw_dot_op_symbols() -> None:
    x = Value(1.5, label="x")
    y = ((x * 2 - x) / x) ** 2 + (-x).tanh()
    src = draw_dot(y).source
    for symbol in ("label=<×>", "label=<−>", "label=<÷>", "label=<xʸ>", "label=<−x>", "tanh"):
        assert symbol in src


def test_draw_dot_reused_node_gets_two_edges() -> None:
    a = Value(3.0, label="a")
    s = a + a
    src = draw_dot(s).source
    assert len(edges_into_op(src, a, s, s)) == 2
    square = a * a
    (e1, e2) = edges_into_op(draw_dot(square).source, a, square, square)
    assert ">3</font>" in e1 and ">3</font>" in e2  # ∂(a·a)/∂a = a along each edge


def test_draw_dot_roles_have_distinct_styles() -> None:
    from autograd_lite.nn import Parameter

    x = Value(1.0, label="x")
    w = Parameter(0.5, "w")
    extra = Value(0.25, label="extra")
    h = w * x + 3.0
    out = h * extra
    src = draw_dot(out, params=[extra]).source

    def fill(v: Value) -> str:
        match = re.search(r'fillcolor="(#\w+)"', node_line(src, v, out))
        assert match is not None
        return match.group(1)

    (const,) = [p for p in h.parents if type(p).__name__ == "Constant"]
    assert fill(x) == ROLE_COLOURS["input"][0]
    assert fill(w) == ROLE_COLOURS["parameter"][0]
    assert fill(extra) == ROLE_COLOURS["parameter"][0]
    assert fill(const) == ROLE_COLOURS["constant"][0]
    assert fill(h) == ROLE_COLOURS["intermediate"][0]
    assert fill(out) == ROLE_COLOURS["output"][0]
    assert len({fill_ for fill_, _ in ROLE_COLOURS.values()}) == len(ROLE_COLOURS)
    assert "dashed" in node_line(src, const, out)
    assert "grad" not in node_line(src, const, out)  # a constant's gradient is never used


def test_draw_dot_without_nn_module_still_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "autograd_lite.nn", None)  # import now raises ImportError
    assert viz._parameter_class() is None
    x = Value(1.0, label="x")
    assert "data 2" in draw_dot(x * 2).source


def test_draw_dot_is_deterministic() -> None:
    sources = []
    for _ in range(2):
        _, L = expression()
        sources.append(draw_dot(L, legend=True).source)
    assert sources[0] == sources[1]
    assert "0x" not in sources[0]  # no id() or repr addresses leak into node names


def test_draw_dot_escapes_hostile_labels() -> None:
    a = Value(1.0, label=HOSTILE)
    y = a * 2
    y.label = "{y}|<z>"
    src = draw_dot(y, title=HOSTILE).source
    assert "&lt;y&gt;&amp;&quot;&#x27;&#123;a&#125;&#124;b&#92;c<br/>next&lt;/td&gt;" in src
    assert "</td></tr>]]>" not in src
    assert "\x00" not in src
    assert "&#123;y&#125;&#124;&lt;z&gt;" in src


def test_draw_dot_sum_and_dot_read_well() -> None:
    w = [Value(0.5, label="w0"), Value(-1.0, label="w1")]
    x = [Value(2.0, label="x0"), Value(3.0, label="x1")]
    b = Value(0.1, label="b")
    z = F.dot(w, x, b)
    s = F.sum([z, w[0], 1.0])
    src = draw_dot(s).source
    assert "label=<Σ>" in src
    assert "label=<dot>" in src
    (edge,) = edges_into_op(src, w[1], z, s)
    assert ">w₁ ∂=3</font>" in edge  # ∂dot/∂w₁ = x₁
    (edge,) = edges_into_op(src, x[0], z, s)
    assert ">x₀ ∂=0.5</font>" in edge  # ∂dot/∂x₀ = w₀
    (edge,) = edges_into_op(src, b, z, s)
    assert ">b ∂=1</font>" in edge


def test_draw_dot_options_hide_grads_and_derivatives() -> None:
    _, L = expression()
    src = draw_dot(L, show_grad=False, show_local_grads=False).source
    assert "grad " not in src
    assert "</font>>]" not in src  # no edge labels
    assert "data -8" in src


def test_draw_dot_grads_mapping_shows_table_without_touching_grad() -> None:
    x = Value(3.0, label="x")
    y = x * x
    src = draw_dot(y, grads=grad_table(y)).source
    assert "grad 6<" in node_line(src, x, y)
    assert x.grad == 0.0
    assert "grad ?" in draw_dot(y, grads={y: 1.0}).source


def test_draw_dot_nan_and_inf_are_readable() -> None:
    z = Value(0.0, label="z")
    y = z.log() + (z - 1.0).log()
    y.backward()
    src = draw_dot(y).source
    assert "data -inf" in src
    assert "data nan" in src


def test_draw_dot_legend_lists_the_roles_present() -> None:
    _, L = expression()
    src = draw_dot(L, legend=True).source
    for role in ("input", "intermediate", "output", "operation"):
        assert f">{role}</td>" in src
    assert "local derivative ∂out/∂in" in src
    assert ">parameter</td>" not in src and ">constant</td>" not in src  # none in this graph
    assert ">operation</td>" not in draw_dot(L).source
    assert ">constant</td>" in draw_dot(L * 2, legend=True).source


def test_draw_dot_groups_make_clusters() -> None:
    nodes, L = expression()
    src = draw_dot(L, groups={"first <product>": [nodes["a"], nodes["b"], nodes["e"]]}).source
    cluster = src[src.index("subgraph cluster_0") :]
    assert "first &lt;product&gt;" in cluster
    assert cluster.count("<b>a</b>") == 1 and "<b>L</b>" not in cluster


def test_draw_dot_size_guard() -> None:
    x = Value(1.0)
    y = x
    for _ in range(600):
        y = y + 1.0
    n = len(topological_order(y))
    with pytest.raises(ValueError, match=rf"{n} value nodes.*max_nodes=500.*max_nodes={n}") as e:
        draw_dot(y)
    assert "sub-graph" in str(e.value) and "neuron" in str(e.value)
    assert isinstance(draw_dot(y, max_nodes=n), Diagram)


def test_draw_dot_returns_digraph_with_repr_for_jupyter() -> None:
    _, L = expression()
    g = draw_dot(L)
    assert isinstance(g, graphviz.Digraph)
    assert hasattr(g, "_repr_mimebundle_")


# --------------------------------------------------------------------------- rendering


def test_save_renders_valid_svg(tmp_path: Path) -> None:
    _, L = expression()
    svg = render_svg(draw_dot(L), tmp_path)
    groups = [g for g in svg.iter(f"{SVG}g") if g.get("class") in ("node", "edge")]
    n_values, n_ops = len(topological_order(L)), 3
    assert sum(g.get("class") == "node" for g in groups) == n_values + n_ops
    assert sum(g.get("class") == "edge" for g in groups) == 2 * 3 + n_ops
    text = svg_text(svg)
    assert "grad 6" in text and "data -8" in text


def test_save_renders_hostile_labels_to_valid_svg(tmp_path: Path) -> None:
    a = Value(1.0, label=HOSTILE)
    y = (a + a) * 3
    svg = render_svg(draw_dot(y, legend=True, title=HOSTILE), tmp_path)
    assert "x<y>&\"'{a}|b\\c" in svg_text(svg)


@pytest.mark.parametrize(("suffix", "magic"), [("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_save_png_and_pdf(tmp_path: Path, suffix: str, magic: bytes) -> None:
    _, L = expression()
    path = draw_dot(L).render_to(tmp_path / "sub" / f"graph.{suffix}")
    assert path.read_bytes().startswith(magic)


def test_save_needs_a_format(tmp_path: Path) -> None:
    _, L = expression()
    with pytest.raises(ValueError, match="format"):
        save(draw_dot(L), tmp_path / "graph")


def test_diagram_repr_mimebundle_is_svg() -> None:
    _, L = expression()
    bundle = draw_dot(L)._repr_mimebundle_()
    assert ET.fromstring(bundle["image/svg+xml"]).tag == f"{SVG}svg"


def hide_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None


def test_diagram_without_dot_shows_instructions_and_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    hide_dot(monkeypatch, tmp_path)
    a = Value(1.0, label="<a>")
    g = draw_dot(a * 2)
    bundle = g._repr_mimebundle_()
    page = bundle["text/html"]
    assert "sudo apt-get install graphviz" in page and "brew install graphviz" in page
    assert "conda" in page
    assert "digraph autograd_lite" in page
    assert "<a>" not in page and "&amp;lt;a&amp;gt;" in page  # the source is escaped again
    assert g.source in bundle["text/plain"]


def test_save_without_dot_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    hide_dot(monkeypatch, tmp_path)
    _, L = expression()
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz"):
        save(draw_dot(L), tmp_path / "graph.svg")
    assert not (tmp_path / "graph.svg").exists()


# --------------------------------------------------------------------------- models


def test_draw_model_clusters_each_neuron_and_marks_parameters() -> None:
    from autograd_lite.nn import MLP

    model = MLP(2, [3, 1], seed=0)
    before = [p.grad for p in model.parameters()]
    src = draw_model(model, [0.5, -1.0], legend=True).source
    assert src.count("subgraph cluster_") == 1 + 3 + 1  # the input, 3 + 1 neurons
    for title in ("layer 1, neuron 1", "layer 1, neuron 3", "layer 2, neuron 1"):
        assert title in src
    assert src.count(f'fillcolor="{ROLE_COLOURS["parameter"][0]}"') == len(model.parameters())
    assert "<b>x0</b>" in src and "<b>x1</b>" in src
    assert [p.grad for p in model.parameters()] == before  # grads are shown, not written
    assert "grad 1<" in src  # the output's seed


def test_draw_model_single_neuron() -> None:
    from autograd_lite.nn import Neuron

    neuron = Neuron(3, activation="tanh", seed=1)
    src = draw_model(neuron, [1.0, 2.0, 3.0], rankdir="TB").source
    assert "neuron 1" in src and "rankdir=TB" in src
    assert "tanh" in src and "label=<dot>" in src


def test_draw_model_rejects_other_objects() -> None:
    with pytest.raises(TypeError, match="Neuron, Layer or MLP"):
        draw_model(object(), [1.0])


# --------------------------------------------------------------------------- backward frames


def frames_of_expression() -> tuple[Value, BackwardFrames]:
    _, L = expression()
    for v in topological_order(L):
        v.grad = 123.0  # sentinel: frames must not read or write .grad
    return L, backward_frames(L)


def test_backward_frames_one_per_node_in_reverse_topological_order() -> None:
    L, frames = frames_of_expression()
    order = topological_order(L)
    assert len(frames) == len(order) == len(list(frames))
    assert frames.order == order[::-1]
    assert frames.order[0] is L


def test_backward_frames_last_frame_equals_grad_table() -> None:
    L, frames = frames_of_expression()
    table = grad_table(L)
    assert frames.table(len(frames) - 1) == table
    src = frames[-1].source
    assert "grad ?" not in src
    for v, g in table.items():
        assert f"grad {fmt(g)}<" in node_line(src, v, L)


def test_backward_frames_fill_the_table_step_by_step() -> None:
    L, frames = frames_of_expression()
    for k in range(len(frames)):
        table = frames.table(k)
        assert list(table) == frames.order[: k + 1]
        src = frames[k].source
        assert src.count("grad ?") == len(frames) - (k + 1)
        # the node completed at step k is highlighted, and only it
        line = node_line(src, frames.order[k], L)
        assert f'> color="{viz.HIGHLIGHT}"' in line and "penwidth=3" in line
        assert src.count("penwidth=3") == 1


def test_backward_frames_caption_shows_grad_table_entry() -> None:
    nodes, L = expression()
    frames = backward_frames(L)
    assert frames.caption(0) == "step 1/7: grad[L] = 1  (the seed: ∂L/∂L)"
    k = frames.order.index(nodes["a"])
    # grad[a] = grad[e] · ∂e/∂a = -2 · -3 = 6
    assert frames.caption(k).endswith("= (-2)·(-3) = 6")
    assert "step " in frames[k].source and "grad[a]" in frames[k].source


def test_backward_frames_do_not_touch_user_grads() -> None:
    L, frames = frames_of_expression()
    for frame in frames:
        assert "digraph" in frame.source
    assert all(v.grad == 123.0 for v in topological_order(L))


def test_backward_frames_reused_node_sums_contributions() -> None:
    a = Value(3.0, label="a")
    y = a * a + a
    y.label = "y"
    frames = backward_frames(y)
    caption = frames.caption(frames.order.index(a))
    assert caption.endswith("= 1·3 + 1·3 + 1·1 = 7")


def test_backward_frames_size_guard() -> None:
    y = Value(1.0)
    for _ in range(20):
        y = y * 2.0
    with pytest.raises(ValueError, match="max_nodes=10"):
        backward_frames(y, max_nodes=10)


def test_backward_frames_reject_unknown_options() -> None:
    _, L = expression()
    with pytest.raises(TypeError, match="colour"):
        backward_frames(L, colour="red")[0]


def test_backward_frames_save_numbered_svgs(tmp_path: Path) -> None:
    _, frames = frames_of_expression()
    paths = frames.save(tmp_path / "frames")
    assert [p.name for p in paths] == [f"frame_{k:03d}.svg" for k in range(len(frames))]
    for path in paths:
        assert ET.parse(path).getroot().tag == f"{SVG}svg"
    assert "grad[L]" in svg_text(ET.parse(paths[0]).getroot())


def test_backward_frames_widget_steps_through_frames() -> None:
    _, frames = frames_of_expression()
    box = frames.widget()
    slider, view = box.children
    assert (slider.min, slider.max) == (0, len(frames) - 1)
    assert "step 1/7" in view.value
    slider.value = 3
    assert "step 4/7" in view.value


def test_backward_frames_widget_without_ipywidgets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    _, frames = frames_of_expression()
    with pytest.raises(ImportError, match="pip install ipywidgets"):
        frames.widget()


def test_backward_frames_in_notebook_without_ipywidgets_shows_message_and_last_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import IPython.display

    shown: list[object] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    _, frames = frames_of_expression()
    frames._ipython_display_()
    message, frame = shown
    assert isinstance(message, IPython.display.HTML)
    assert "pip install ipywidgets" in message.data
    assert frame is frames[-1]
