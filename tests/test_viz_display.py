"""How diagrams and the player show in notebooks: SVG fitted to the cell, PNG beside it, and a
player that is a picture where no script runs and fits a laptop's screen where one does."""

from __future__ import annotations

import base64
import re
import struct
import sys
import xml.etree.ElementTree as ET

import pytest
from test_viz_frames import expression, frames_of_expression, parse, player_data

from autograd_lite import Value, backward_frames, draw_dot
from autograd_lite.viz import render
from autograd_lite.viz.labels import ROLE_COLOURS
from autograd_lite.viz.layout import FADED_FILL, FADED_TEXT

SVG = "{http://www.w3.org/2000/svg}"


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def pt(text: str | None) -> float:
    return float((text or "").removesuffix("pt"))


def wide_graph() -> Value:
    _, L = expression()
    for _ in range(6):
        L = (L * 1.5).tanh()
    return L


# --------------------------------------------------------------------------- diagrams


def test_diagram_rich_display_has_svg_png_and_text() -> None:
    _, L = expression()
    diagram = draw_dot(L)
    bundle, metadata = diagram._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}
    root = ET.fromstring(bundle["image/svg+xml"])
    assert root.tag == f"{SVG}svg"
    shown = metadata["image/png"]
    # The PNG is shown at the SVG's size and holds twice the pixels, for HiDPI screens.
    assert shown["width"] == pytest.approx(pt(root.get("width")) * 4 / 3, abs=1)
    assert shown["height"] == pytest.approx(pt(root.get("height")) * 4 / 3, abs=1)
    width, height = png_size(base64.b64decode(bundle["image/png"]))
    assert width == pytest.approx(2 * shown["width"], abs=4)
    assert height == pytest.approx(2 * shown["height"], abs=4)
    assert bundle["text/plain"] == repr(diagram)


def test_diagram_rich_display_reaches_ipython_with_the_png_size() -> None:
    formatters = pytest.importorskip("IPython.core.formatters")
    _, L = expression()
    data, metadata = formatters.DisplayFormatter().format(draw_dot(L))
    assert {"image/svg+xml", "image/png", "text/plain"} <= set(data)
    assert metadata["image/png"]["width"] > 0


def test_diagram_rich_display_honours_include_and_exclude() -> None:
    _, L = expression()
    diagram = draw_dot(L)
    only_png, _ = diagram._repr_mimebundle_(include=["image/png"])
    assert set(only_png) == {"image/png"}
    no_png, metadata = diagram._repr_mimebundle_(exclude=["image/png"])
    assert set(no_png) == {"image/svg+xml", "text/plain"} and metadata == {}


def test_diagram_wider_than_a_cell_is_scaled_to_it_in_svg_and_png() -> None:
    for diagram in (draw_dot(expression()[1]), draw_dot(wide_graph())):
        natural = ET.fromstring(diagram.pipe(format="svg"))
        assert natural.get("style") is None  # files keep their natural size
        w, h = pt(natural.get("width")), pt(natural.get("height"))
        bundle, metadata = diagram._repr_mimebundle_()
        for svg in (bundle["image/svg+xml"], diagram._repr_svg_()):
            root = ET.fromstring(svg)
            assert root.get("style") == "max-width:100%;height:auto"
            assert root.get("viewBox") == natural.get("viewBox")  # the whole drawing, scaled
            shown = pt(root.get("width"))
            assert shown == pytest.approx(min(w, render.CELL_WIDTH), abs=1)
            assert pt(root.get("height")) == pytest.approx(h * shown / w, abs=1)
        assert metadata["image/png"]["width"] <= round(render.CELL_WIDTH * 4 / 3)
    assert w > render.CELL_WIDTH  # the second one was wide


def test_png_has_a_palette_when_pillow_is_there() -> None:
    pytest.importorskip("PIL")
    _, L = expression()
    full = draw_dot(L).pipe(format="png")
    smaller = render.fewer_colours(full)
    assert len(smaller) < len(full)
    assert smaller[25] == 3  # colour type 3: palette
    assert png_size(smaller) == png_size(full)


def test_png_stays_as_it_is_without_pillow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)
    _, L = expression()
    full = draw_dot(L).pipe(format="png")
    assert render.fewer_colours(full) == full


# --------------------------------------------------------------------------- the player


def without_scripts(page: str) -> str:
    """What a sanitiser that removes scripts (and what is inside them) leaves of `page`."""
    return re.sub(r"<script\b.*?</script>", "", page, flags=re.S)


def test_player_without_scripts_is_a_picture_of_the_last_frame() -> None:
    _, frames = frames_of_expression()
    page = frames.html()
    still = without_scripts(page)
    # No SVG text to show raw and no dead buttons: the live player is built by the script.
    assert "<svg" not in still and "<button" not in still and "<input" not in still
    (url,) = re.findall(r"background-image:url\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", still)
    png = base64.b64decode(url)
    assert png == frames.picture.png
    width, height = png_size(png)
    assert width == pytest.approx(2 * frames.picture.width, abs=4)
    # The box has the picture's shape: its padding is height/width of its width.
    (ratio,) = re.findall(r"padding-bottom:([0-9.]+)%", still)
    assert float(ratio) == pytest.approx(100 * height / width, rel=0.02)
    assert "run this cell or trust the notebook" in still
    assert frames.caption(frames.still) in still  # as the picture's title


def test_player_picture_is_the_last_step_that_completes_a_gradient() -> None:
    _, frames = frames_of_expression()
    assert frames.still == len(frames) - 1  # no constants: the last step
    x = Value(-1.5, label="x")
    y = x**2 + 1.0
    y.label = "y"
    squared = backward_frames(y)
    # The literals 2 and 1.0 get no gradient, so no step: the last step completes x.
    assert all(type(v).__name__ != "Constant" for v in squared.order)
    assert squared.order[-1] is x and squared.still == len(squared) - 1
    assert "grad[x]" in squared.caption(squared.still)
    assert "grad[x]" in squared[squared.still].source
    assert png_size(squared.picture.png)[0] > 0


def test_player_rich_display_has_html_png_and_text() -> None:
    _, frames = frames_of_expression()
    bundle, metadata = frames._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    assert base64.b64decode(bundle["image/png"]) == frames.picture.png
    assert metadata == {
        "image/png": {"width": frames.picture.width, "height": frames.picture.height}
    }
    assert player_data(bundle["text/html"])["captions"] == [
        frames.caption(k) for k in range(len(frames))
    ]


def test_player_live_part_holds_one_svg_and_the_controls() -> None:
    _, frames = frames_of_expression()
    live = str(player_data(frames.html())["live"])
    assert live.count("<svg") == 1 and live.count("<title>v0</title>") == 1
    for control in ('data-act="prev"', 'data-act="play"', 'data-act="next"', 'type="range"'):
        assert control in live
    assert f'max="{len(frames) - 1}"' in live
    assert parse(live).open == []


def test_player_text_is_at_least_9_px_however_it_is_scaled() -> None:
    _, frames = frames_of_expression()
    data = player_data(frames.html())
    sizes = [float(s) for s in re.findall(r'font-size="([0-9.]+)"', str(data["live"]))]
    # The script never scales below minScale; the smallest text (pt) is then 9.5 px or more.
    assert min(sizes) * 4 / 3 * float(data["minScale"]) == pytest.approx(9.5)  # type: ignore[arg-type]
    assert 0.3 <= float(data["maxHeight"]) <= 0.7  # type: ignore[arg-type]


def _luminance(colour: str) -> float:
    """WCAG relative luminance of `#rrggbb`."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _over_white(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(alpha * c + (1 - alpha) * 255):02x}" for c in (r, g, b))


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_player_text_has_3_to_1_contrast_on_faded_and_finished_nodes() -> None:
    _, frames = frames_of_expression()
    root = ET.fromstring(frames.frame_svg(2))  # some nodes done, some pending
    checked = 0
    for g in root.iter(f"{SVG}g"):
        if "node" not in (g.get("class") or "").split():
            continue
        shape = next(e for e in g if e.tag in {f"{SVG}path", f"{SVG}polygon", f"{SVG}ellipse"})
        fill = shape.get("fill") or "#ffffff"
        if fill.startswith("#"):
            fill = _over_white(fill, float(shape.get("fill-opacity") or 1))
        for text in g.iter(f"{SVG}text"):
            colour = text.get("fill") or "#000000"
            assert contrast(colour, fill) >= 3.0, (text.text, colour, fill)
            checked += 1
    assert checked > 10
    faded = [_over_white(fill, float(FADED_FILL)) for fill, _ in ROLE_COLOURS.values()]
    assert min(contrast(FADED_TEXT, f) for f in faded) >= 3.0


def test_player_draws_narrow_boxes_to_fit_a_cell() -> None:
    nodes, L = expression()
    for rankdir in ("LR", "TB"):
        frames = backward_frames(L, rankdir=rankdir)
        wide = ET.fromstring(draw_dot(L, rankdir=rankdir).pipe(format="svg"))
        narrow = ET.fromstring(frames[0].pipe(format="svg"))
        assert pt(narrow.get("width")) < pt(wide.get("width")), rankdir
        line = next(s for s in frames[0].source.splitlines() if s.strip().startswith("v0 ["))
        # Top to bottom: name, data and grad one under the other; else name over the numbers.
        assert line.count("<tr>") == (3 if rankdir == "TB" else 2), line
        assert "<b>" in line and "data " in line and "grad ?" in line
    assert nodes["a"].grad == 0.0  # drawing frames touches no .grad


# --------------------------------------------------------------------------- graphs by hand


def test_graphviz_graphs_drawn_by_hand_get_a_png_in_ipython() -> None:
    formatters = pytest.importorskip("IPython.core.formatters")
    import graphviz

    from autograd_lite.viz.notebook import register_png

    display = formatters.DisplayFormatter()
    graph = graphviz.Digraph(graph_attr={"size": "8.5,5"})
    graph.edge("x_A", "C", label="w1: 0.1")
    before, _ = display.format(graph)
    assert "image/png" not in before  # graphviz gives SVG only
    assert register_png(display.formatters)
    data, metadata = display.format(graph)
    assert {"image/svg+xml", "image/png", "text/plain"} <= set(data)
    width, _ = png_size(base64.b64decode(data["image/png"]))
    assert width == pytest.approx(2 * metadata["image/png"]["width"], abs=4)
    # A Diagram keeps its own PNG (made once, by its rich display).
    diagram_data, _ = display.format(draw_dot(expression()[1]))
    assert set(diagram_data) >= {"image/svg+xml", "image/png"}


def test_register_png_does_nothing_outside_ipython() -> None:
    from autograd_lite.viz.notebook import register_png

    assert register_png() is False  # pytest is not an IPython shell
