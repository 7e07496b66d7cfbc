"""Tests of draw_dot: the DOT text, real rendering, the size guard, Graphviz missing."""

from __future__ import annotations

import math
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest

import autograd_lite
from autograd_lite import Value, nn, viz
from autograd_lite import functional as F
from autograd_lite.core import grad_table, topological_order
from autograd_lite.viz import (
    ROLE_COLOURS,
    Diagram,
    GraphvizNotFoundError,
    draw_dot,
    fmt,
    labels,
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
        ("d", "L", "-2"),
        ("f", "L", "4"),
    ]:
        target = nodes[child] if child != "L" else L
        (edge,) = edges_into_op(src, nodes[parent], target, L)
        assert f">∂{child}/∂{parent} = {deriv}</font>" in edge


def test_draw_dot_op_symbols() -> None:
    x = Value(1.5, label="x")
    y = ((x * 2 - x) / x) ** 2 + (-x).tanh()
    src = draw_dot(y).source
    for symbol in ("label=<×>", "label=<−>", "label=<÷>", "label=<xʸ>", "label=<−x>", "tanh"):
        assert symbol in src


def test_draw_dot_number_literal_edges_show_no_derivative() -> None:
    x = Value(-1.5, label="x")
    y = x**2 * 3.0
    src = draw_dot(y).source
    order = topological_order(y)
    consts = [v for v in order if type(v).__name__ == "Constant"]
    assert len(consts) == 2
    for c in consts:
        (edge,) = [s for s in src.splitlines() if s.strip().startswith(f"v{order.index(c)} ->")]
        assert "label" not in edge  # no ∂ with respect to the 2 in x**2 (nan there) or the 3
    assert "nan" not in src
    (edge,) = edges_into_op(src, x, y.parents[0], y)
    assert ">∂(**₁)/∂x = -3</font>" in edge  # ∂(x²)/∂x = 2x is still written


def test_draw_dot_reused_node_gets_two_edges() -> None:
    a = Value(3.0, label="a")
    s = a + a
    src = draw_dot(s).source
    assert len(edges_into_op(src, a, s, s)) == 2
    square = a * a
    (e1, e2) = edges_into_op(draw_dot(square).source, a, square, square)
    assert ">∂(*₁)/∂a = 3</font>" in e1 and ">∂(*₁)/∂a = 3</font>" in e2  # a along each edge


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


def test_draw_dot_marks_parameters_by_class() -> None:
    # viz reads the core's Parameter class (nn's is the same one): no import of nn
    w = nn.Parameter(0.5, label="w")
    assert nn.Parameter is autograd_lite.core.Parameter
    assert labels.role(w, set(), set()) == "parameter"
    assert labels.role(Value(1.0), set(), set()) == "input"


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
    assert ">∂dot₁/∂w1 = 3</font>" in edge  # ∂z/∂w1 = x1, in the nodes' own names
    (edge,) = edges_into_op(src, x[0], z, s)
    assert ">∂dot₁/∂x0 = 0.5</font>" in edge  # ∂z/∂x0 = w0
    (edge,) = edges_into_op(src, b, z, s)
    assert ">∂dot₁/∂b = 1</font>" in edge
    (edge,) = edges_into_op(src, z, s, s)
    assert ">∂sum₁/∂dot₁ = 1</font>" in edge


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
    assert ">∂c/∂a = 1.5</font>" in src
    assert "on the edge from a into the op that makes c: the local derivative" in src
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
    bundle, metadata = g._repr_mimebundle_()
    assert "image/png" not in bundle and "image/svg+xml" not in bundle and metadata == {}
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
