"""backward_frames: the grad table step by step, and its self-contained HTML player."""

from __future__ import annotations

import json
import math
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograd_lite import Value
from autograd_lite.core import grad_table, topological_order
from autograd_lite.viz import HIGHLIGHT, BackwardFrames, backward_frames, fmt

SVG = "{http://www.w3.org/2000/svg}"
VOID = {"meta", "input", "br", "hr", "img", "link"}


def expression() -> tuple[dict[str, Value], Value]:
    """micrograd's example: L = (a*b + c) * f, all nodes labelled."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}, L


def frames_of_expression() -> tuple[Value, BackwardFrames]:
    _, L = expression()
    for v in topological_order(L):
        v.grad = 123.0  # sentinel: frames must not read or write .grad
    return L, backward_frames(L)


def node_line(source: str, v: Value, root: Value) -> str:
    i = topological_order(root).index(v)
    (line,) = [s.strip() for s in source.splitlines() if s.strip().startswith(f"v{i} [")]
    return line


class Page(HTMLParser):
    """Parses an HTML page, checking that tags nest and collecting what the tests look at."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data_json: list[str] = []
        self.scripts: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)
        if tag == "script":
            self._in = "json" if dict(attrs).get("type") == "application/json" else "js"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "json":
            self.data_json.append(data)
        elif self._in == "js":
            self.scripts.append(data)


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


# --------------------------------------------------------------------------- the frames


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
        assert list(frames.table(k)) == frames.order[: k + 1]
        src = frames[k].source
        assert src.count("grad ?") == len(frames) - (k + 1)
        line = node_line(src, frames.order[k], L)  # the node completed at step k, and only it
        assert f'color="{HIGHLIGHT}"' in line and "penwidth=3" in line
        assert src.count("penwidth=3") == 1


def test_backward_frames_caption_shows_grad_table_entry() -> None:
    nodes, L = expression()
    frames = backward_frames(L)
    assert frames.caption(0) == "step 1/7: grad[L] = 1  (the seed: ∂L/∂L)"
    k = frames.order.index(nodes["a"])
    assert frames.caption(k).endswith("= (-2)·(-3) = 6")  # grad[e] · ∂e/∂a
    assert "grad[a]" in frames[k].source


def test_backward_frames_reused_node_sums_contributions() -> None:
    a = Value(3.0, label="a")
    y = a * a + a
    frames = backward_frames(y)
    assert frames.caption(frames.order.index(a)).endswith("= 1·3 + 1·3 + 1·1 = 7")


def test_backward_frames_do_not_touch_user_grads() -> None:
    L, frames = frames_of_expression()
    frames.html()
    assert all(v.grad == 123.0 for v in topological_order(L))


def test_backward_frames_size_guard() -> None:
    y = Value(1.0)
    for _ in range(20):
        y = y * 2.0
    with pytest.raises(ValueError, match="max_nodes=10"):
        backward_frames(y, max_nodes=10)


# --------------------------------------------------------------------------- the player


def player_data(page: str) -> dict[str, object]:
    (blob,) = parse(page).data_json
    data: dict[str, object] = json.loads(blob)
    return data


def test_player_html_holds_every_frame_and_the_final_grads() -> None:
    L, frames = frames_of_expression()
    page = frames._repr_html_()
    data = player_data(page)
    topo = topological_order(L)
    assert data["captions"] == [frames.caption(k) for k in range(len(frames))]
    assert data["order"] == [topo.index(v) for v in frames.order]
    # The last frame shows every gradient, and they are backward()'s.
    for v in topo:
        v.grad = 0.0
    L.backward()
    assert [float(s) for s in data["values"]] == [v.grad for v in topo]  # type: ignore[union-attr]
    assert data["grad"] == [fmt(v.grad) for v in topo]


def test_player_html_parses_and_has_no_external_resources() -> None:
    _, frames = frames_of_expression()
    page = frames.html()
    parsed = parse(page)
    assert parsed.open == []
    data_urls = re.sub(r"url\(data:image/png;base64,[A-Za-z0-9+/=]+\)", "", page)
    assert "http" not in page and "//" not in re.sub(
        r"<script>.*?</script>", "", data_urls, flags=re.S
    )
    for tag, attrs in parsed.tags:
        assert tag not in {"link", "img", "iframe", "object", "embed"}
        assert "src" not in attrs and "href" not in attrs and "xlink:href" not in attrs
    (script,) = parsed.scripts
    assert "ipywidgets" not in page and "require(" not in script and "import" not in script
    live = str(player_data(page)["live"])
    assert "http" not in live.replace("http://www.w3.org/", "") and "href" not in live


def test_player_json_cannot_end_its_script() -> None:
    a = Value(1.0, label="</script><b>")
    page = backward_frames(a * 2.0).html()
    (blob,) = parse(page).data_json
    assert "</script" not in blob and "<" not in blob
    assert "</script><b>" in json.loads(blob)["names"]


def test_player_save_html_writes_the_same_page_standalone(tmp_path: Path) -> None:
    _, frames = frames_of_expression()
    (path,) = frames.save(tmp_path / "out" / "frames.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in text
    assert parse(text).open == []
    assert player_data(text)["captions"] == player_data(frames.html())["captions"]


def test_backward_frames_save_directory_writes_numbered_svgs(tmp_path: Path) -> None:
    L, frames = frames_of_expression()
    paths = frames.save(tmp_path / "frames")
    assert [p.name for p in paths] == [f"frame_{k:03d}.svg" for k in range(len(frames))]
    for k, path in enumerate(paths):
        root = ET.parse(path).getroot()
        texts = [t.text or "" for t in root.iter(f"{SVG}text")]
        assert frames.caption(k) in texts
        assert sum(t == "grad ?" for t in texts) == len(frames) - (k + 1)
    last = [t.text for t in ET.parse(paths[-1]).getroot().iter(f"{SVG}text")]
    for g in grad_table(L).values():
        assert f"grad {fmt(g)}" in last


def test_backward_frames_save_png_runs_dot_per_frame(tmp_path: Path) -> None:
    a = Value(2.0, label="a")
    paths = backward_frames(a * a).save(tmp_path, format="png")
    assert len(paths) == 2 and all(p.read_bytes().startswith(b"\x89PNG") for p in paths)


def test_player_frames_fade_pending_nodes_and_outline_the_current_one() -> None:
    L, frames = frames_of_expression()
    svg = frames.frame_svg(2)
    root = ET.fromstring(svg)
    faded = [
        g.findtext(f"{SVG}title") for g in root.iter(f"{SVG}g") if g.get("class") == "node pending"
    ]
    topo = topological_order(L)
    pending = {f"v{topo.index(v)}" for v in frames.order[3:]}
    assert pending <= set(faded) and not any(f"v{topo.index(v)}" in faded for v in frames.order[:3])
    assert svg.count(f'stroke="{HIGHLIGHT}"') == 1


def test_player_without_dot_shows_instructions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    _, frames = frames_of_expression()
    page = frames._repr_html_()
    assert "apt-get install graphviz" in page and "digraph autograd_lite" in page


def test_backward_frames_widget_steps_through_frames() -> None:
    pytest.importorskip("ipywidgets")
    _, frames = frames_of_expression()
    slider, view = frames.widget().children
    assert (slider.min, slider.max) == (0, len(frames) - 1)
    assert "step 1/7" in view.value
    slider.value = 3
    assert "step 4/7" in view.value and 'style="max-width:100%' in view.value


def test_backward_frames_widget_without_ipywidgets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    _, frames = frames_of_expression()
    with pytest.raises(ImportError, match="pip install ipywidgets"):
        frames.widget()


def test_backward_frames_constants_show_no_gradient() -> None:
    x = Value(-1.5, label="x")
    y = x**2
    data = player_data(backward_frames(y).html())
    topo = topological_order(y)
    (k,) = [i for i, v in enumerate(topo) if type(v).__name__ == "Constant"]
    assert data["grad"][k] is None  # type: ignore[index]
    assert not math.isnan(float(data["values"][topo.index(x)]))  # type: ignore[index]
