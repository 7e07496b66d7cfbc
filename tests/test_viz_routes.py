"""draw_dot(highlight=...): nodes and routes of influence drawn in colour."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograd_lite import Value, draw_dot
from autograd_lite.core import topological_order
from autograd_lite.viz import HIGHLIGHT, ROUTE_COLOURS, save

SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class FakeRoute:
    """The route protocol: nodes from input to output, and the parent slot of each edge."""

    nodes: tuple[Value, ...]
    parent_indices: tuple[int, ...] | None = None
    product: float | None = None


@dataclass
class NodesOnly:
    nodes: tuple[Value, ...]


def edge_lines(src: str, parent: Value, op_of: Value, root: Value) -> list[str]:
    order = topological_order(root)
    head = f"v{order.index(parent)} -> o{order.index(op_of)}"
    return [s.strip() for s in src.splitlines() if s.strip().startswith(head)]


def test_highlight_two_routes_of_a_square_colours_each_edge() -> None:
    a = Value(3.0, label="a")
    y = a * a
    routes = [FakeRoute((a, y), (0,), 3.0), FakeRoute((a, y), (1,), 3.0)]
    src = draw_dot(y, highlight=routes).source
    first, second = edge_lines(src, a, y, y)
    assert f'color="{ROUTE_COLOURS[0]}"' in first and f'color="{ROUTE_COLOURS[1]}"' in second
    assert "route 1: a → *₁" in src and "route 2: a → *₁" in src  # the product's name
    assert "sum over the routes = 6" in src  # ∂(a·a)/∂a = 2a


def test_highlight_one_route_uses_the_highlight_colour_and_shows_its_product() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    e = a * b
    e.label = "e"
    L = e + a
    L.label = "L"
    src = draw_dot(L, highlight=FakeRoute((a, e, L), (0, 0), -3.0)).source
    (into_e,) = edge_lines(src, a, e, L)
    (into_L,) = [s for s in edge_lines(src, e, L, L)]
    assert f'color="{HIGHLIGHT}"' in into_e and f'color="{HIGHLIGHT}"' in into_L
    (direct,) = edge_lines(src, a, L, L)  # the other route from a is not highlighted
    assert HIGHLIGHT not in direct
    (b_edge,) = edge_lines(src, b, e, L)
    assert HIGHLIGHT not in b_edge
    assert "route: a → e → L" in src and "product of the ∂ on it = -3" in src


def test_highlight_an_edge_on_two_routes_is_drawn_in_both_colours() -> None:
    x = Value(0.5, label="x")
    s = x.sin()
    c = x.cos()
    y = s * c
    r1 = FakeRoute((x, s, y))
    r2 = FakeRoute((x, c, y))
    r3 = FakeRoute((x, s, y))  # the same route twice: its edges are on two routes
    src = draw_dot(y, highlight=[r1, r2, r3]).source
    (edge,) = edge_lines(src, x, s, y)
    assert f'color="{ROUTE_COLOURS[0]}:{ROUTE_COLOURS[2]}"' in edge


def test_highlight_without_parent_indices_takes_the_first_slot() -> None:
    a = Value(3.0, label="a")
    y = a * a
    src = draw_dot(y, highlight=NodesOnly((a, y))).source
    first, second = edge_lines(src, a, y, y)
    assert HIGHLIGHT in first and HIGHLIGHT not in second


def test_highlight_many_routes_share_one_colour_and_sum(tmp_path: Path) -> None:
    a = Value(1.0, label="a")
    y = a
    for _ in range(4):
        y = y * y  # 2⁴ = 16 routes from a
    from autograd_lite import routes

    found = routes(y, a)
    assert len(found) == 16 > len(ROUTE_COLOURS)
    diagram = draw_dot(y, highlight=found)
    src = diagram.source
    assert "16 routes: their products sum to 16" in src
    coloured = [line for line in src.splitlines() if "->" in line and "penwidth" in line]
    assert len(coloured) == 4 * 2 + 4  # every edge of the squares, and the ops' edges
    assert all(f'color="{HIGHLIGHT}"' in line for line in coloured)
    root = ET.parse(save(diagram, tmp_path / "r.svg")).getroot()
    assert root.tag == f"{SVG}svg"


def test_highlight_real_routes_of_a_square_are_two_distinct_edges() -> None:
    from autograd_lite import routes

    a = Value(3.0, label="a")
    y = a * a
    first, second = edge_lines(draw_dot(y, highlight=routes(y, a)).source, a, y, y)
    assert ROUTE_COLOURS[0] in first and ROUTE_COLOURS[1] in second


def test_highlight_a_node() -> None:
    a = Value(3.0, label="a")
    y = a + 1.0
    src = draw_dot(y, highlight=a).source
    k = topological_order(y).index(a)
    (line,) = [s for s in src.splitlines() if s.strip().startswith(f"v{k} [")]
    assert HIGHLIGHT in line and "penwidth=3" in line


def test_highlight_refuses_routes_that_are_not_in_the_graph() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    y = a * 2.0
    with pytest.raises(ValueError, match="'b', which is not in the graph"):
        draw_dot(y, highlight=FakeRoute((b, y)))
    with pytest.raises(ValueError, match="not an edge of the graph"):
        draw_dot(y, highlight=FakeRoute((a, y), (1,)))
    with pytest.raises(ValueError, match="needs 1 parent_indices, got 2"):
        draw_dot(y, highlight=FakeRoute((a, y), (0, 0)))
    with pytest.raises(TypeError, match="item 1 is int 5"):
        draw_dot(y, highlight=[a, 5])
    with pytest.raises(TypeError, match="not a Value"):
        draw_dot(y, highlight=NodesOnly((a, "y")))  # type: ignore[arg-type]
