"""The backward-pass player: one Graphviz layout, frames that change only numbers and colours.

`Layout` cuts the SVG of the whole graph (every gradient filled in) into pieces, so a frame is
the pieces of its state joined: a node not reached yet is faded with `grad ?`, the node just
completed is outlined. `player_html` is the same in the browser: all frames' data as JSON and a
little plain JavaScript (step, play/pause, slider), with no external resource.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .labels import FONT, GRAD_COLOUR, HIGHLIGHT, PENDING_COLOUR
from .render import fit_svg

__all__ = ["Layout", "page", "player_html"]

FADED = "0.35"  # opacity of the nodes whose gradient is not known yet
CAPTION_BAND = 26.0  # height (pt) of the caption above a saved frame

_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_NODE = re.compile(
    r'<g id="node\d+" class="node">\s*<title>([vo])(\d+)</title>(.*?)</g>', re.S
)  # Graphviz writes no nested <g> inside a node without URLs or tooltips
_SHAPE = re.compile(r"<(?:path|polygon|ellipse)\b[^>]*>")
_STROKE = re.compile(r'\sstroke="[^"]*"')
_STROKE_WIDTH = re.compile(r'\sstroke-width="[^"]*"')
_TEXT = re.compile(r"(<text\b[^>]*?)\sfill=\"[^\"]*\"([^>]*>)(.*?)(</text>)", re.S)
_ROOT_SIZE = re.compile(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"\s+viewBox="[^"]*"')

_ids = itertools.count(1)


def _outline(body: str) -> str:
    """`body` with its node's shape drawn in the highlight colour, thick."""
    shape = _SHAPE.search(body)
    if shape is None:
        return body
    tag = _STROKE_WIDTH.sub("", _STROKE.sub("", shape.group(0)))
    tag = tag.replace(" d=", f' stroke="{HIGHLIGHT}" stroke-width="3" d=', 1)
    if "stroke=" not in tag:  # shapes without a path `d` (ellipse, polygon)
        tag = tag[: -2 if tag.endswith("/>") else -1] + f' stroke="{HIGHLIGHT}" stroke-width="3"/>'
    return body[: shape.start()] + tag + body[shape.end() :]


def _with_grad(body: str, text: str | None, colour: str) -> str:
    """`body` with its last text (the grad cell) reading `text` in `colour`."""
    if text is None:
        return body
    matches = list(_TEXT.finditer(body))
    if not matches:
        return body
    last = matches[-1]
    start, fill, content, end = last.group(1), last.group(2), html.escape(text), last.group(4)
    return (
        body[: last.start()] + f'{start} fill="{colour}"{fill}{content}{end}' + body[last.end() :]
    )


@dataclass
class Layout:
    """The frames' SVG as pieces: static text, and three versions of every value node."""

    static: list[str]
    #: per piece between static texts: (node index, pending text, done text, current text)
    nodes: list[tuple[int, str, str, str]]
    width: float
    height: float

    @classmethod
    def cut(cls, svg: str, grads: Sequence[str | None]) -> Layout:
        """Cut Graphviz's SVG of the whole graph; `grads[i]` is node v<i>'s grad text or None."""
        svg = _XMLNS.sub("", _PROLOG.sub("", svg, count=1))
        static: list[str] = []
        nodes: list[tuple[int, str, str, str]] = []
        pos = 0
        for match in _NODE.finditer(svg):
            kind, i, body = match.group(1), int(match.group(2)), match.group(3)
            head = f'<g class="node"><title>{kind}{i}</title>'
            static.append(svg[pos : match.start()])
            done = head + body + "</g>"
            faded = f'<g class="node" opacity="{FADED}"><title>{kind}{i}</title>'
            if kind == "o":
                nodes.append((i, faded + body + "</g>", done, done))
            else:
                grad = grads[i] if i < len(grads) else None
                pending = _with_grad(body, None if grad is None else "grad ?", PENDING_COLOUR)
                finished = _with_grad(body, None if grad is None else f"grad {grad}", GRAD_COLOUR)
                nodes.append(
                    (
                        i,
                        faded + pending + "</g>",
                        head + finished + "</g>",
                        head + _outline(finished) + "</g>",
                    )
                )
            pos = match.end()
        static.append(svg[pos:])
        size = _ROOT_SIZE.search(svg)
        width, height = (float(size.group(1)), float(size.group(2))) if size else (0.0, 0.0)
        return cls(static, nodes, width, height)

    def frame(self, done: set[int], current: int) -> str:
        """The SVG of one frame: nodes in `done` finished, `current` outlined, others faded."""
        parts = [self.static[0]]
        for (i, pending, finished, outlined), text in zip(self.nodes, self.static[1:]):
            parts.append(outlined if i == current else finished if i in done else pending)
            parts.append(text)
        return "".join(parts)

    def captioned(self, svg: str, caption: str) -> str:
        """`svg` (a frame) with `caption` written in a band above the graph."""
        band = CAPTION_BAND
        text_width = 7.0 * len(caption) + 16.0  # 13 pt text is at most about 7 pt a character
        extra = max(text_width - self.width, 0.0) / 2
        width, height = self.width + 2 * extra, self.height + band
        root = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.2f}pt" '
            f'height="{height:.2f}pt" viewBox="{-extra:.2f} {-band:.2f} {width:.2f} {height:.2f}"'
        )
        top = (
            f'<rect x="{-extra:.2f}" y="{-band:.2f}" width="{width:.2f}" height="{band:.2f}" '
            f'fill="white"/><text text-anchor="middle" x="{self.width / 2:.2f}" '
            f'y="{-band / 2 + 4:.2f}" font-family="{FONT}" font-size="13.00">'
            f"{html.escape(caption)}</text>"
        )
        head, sep, rest = _ROOT_SIZE.sub(root, svg, count=1).partition(">")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + head + sep + top + rest


# The player's behaviour: plain JavaScript, scoped to its own element, no libraries.
_SCRIPT = """(function () {
  var root = document.getElementById(%(id)s);
  if (!root || root.getAttribute("data-ready")) { return; }
  root.setAttribute("data-ready", "1");
  var data = JSON.parse(root.querySelector("script.agl-data").textContent);
  var n = data.order.length, k = 0, timer = null;
  var groups = {};
  root.querySelectorAll("g.node").forEach(function (g) {
    var t = g.querySelector("title");
    if (t) { groups[t.textContent] = g; }
  });
  var rank = [];
  data.order.forEach(function (node, step) { rank[node] = step; });
  var items = data.grad.map(function (grad, i) {
    var g = groups["v" + i] || null, shape = g && g.querySelector("path, polygon, ellipse");
    var texts = g ? g.querySelectorAll("text") : [];
    return {
      g: g, op: groups["o" + i] || null, shape: shape, grad: grad,
      stroke: shape && shape.getAttribute("stroke"),
      width: shape && (shape.getAttribute("stroke-width") || "1"),
      text: grad === null || !texts.length ? null : texts[texts.length - 1]
    };
  });
  var slider = root.querySelector("input.agl-slider");
  var step = root.querySelector(".agl-step"), caption = root.querySelector(".agl-caption");
  var play = root.querySelector("button[data-act=play]");
  function fade(g, done) {
    if (!g) { return; }
    if (done) { g.removeAttribute("opacity"); } else { g.setAttribute("opacity", data.faded); }
  }
  function show(target) {
    k = Math.max(0, Math.min(n - 1, target));
    items.forEach(function (it, i) {
      var done = rank[i] <= k, current = rank[i] === k;
      fade(it.g, done);
      fade(it.op, done);
      if (it.shape) {
        it.shape.setAttribute("stroke", current ? data.highlight : it.stroke);
        it.shape.setAttribute("stroke-width", current ? "3" : it.width);
      }
      if (it.text) {
        it.text.textContent = "grad " + (done ? it.grad : "?");
        it.text.setAttribute("fill", done ? data.gradColour : data.pendingColour);
      }
    });
    slider.value = String(k);
    step.textContent = "step " + (k + 1) + "/" + n;
    caption.textContent = data.captions[k];
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = "\\u25b6 play";
  }
  function start() {
    if (k >= n - 1) { show(0); }
    play.textContent = "\\u23f8 pause";
    timer = setInterval(function () {
      if (k >= n - 1) { stop(); } else { show(k + 1); }
    }, data.interval);
  }
  var actions = {
    first: function () { stop(); show(0); },
    prev: function () { stop(); show(k - 1); },
    play: function () { if (timer === null) { start(); } else { stop(); } },
    next: function () { stop(); show(k + 1); },
    last: function () { stop(); show(n - 1); }
  };
  root.querySelectorAll("button[data-act]").forEach(function (b) {
    b.addEventListener("click", actions[b.getAttribute("data-act")]);
  });
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  root.addEventListener("keydown", function (e) {
    if (e.key === "ArrowLeft") { actions.prev(); e.preventDefault(); }
    if (e.key === "ArrowRight") { actions.next(); e.preventDefault(); }
  });
  show(0);
})();"""

_STYLE = (
    "font-family:" + FONT + ";font-size:14px;color:#1f2937;"
    "border:1px solid #e5e7eb;border-radius:6px;padding:8px;max-width:100%;box-sizing:border-box"
)
_BUTTON = (
    "font:inherit;font-size:13px;padding:2px 8px;margin-right:4px;border:1px solid #cbd5e1;"
    "border-radius:4px;background:#f8fafc;cursor:pointer"
)


def _json(data: object) -> str:
    """JSON that is safe inside <script>: no `<`, `>` or `&`, ASCII only."""
    text = json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def player_html(svg: str, data: dict[str, object], caption: str, steps: int) -> str:
    """The player as an HTML fragment for a notebook; `svg` shows the last frame without JS.

    `data` holds `order` (node index completed at each step), `grad` (each node's final grad
    text, or None), `captions` (one per step) and anything the tests want to read back.
    """
    pid = f"agl-frames-{next(_ids)}"
    payload = dict(
        data,
        faded=FADED,
        highlight=HIGHLIGHT,
        gradColour=GRAD_COLOUR,
        pendingColour=PENDING_COLOUR,
        interval=700,
    )
    buttons = "".join(
        f'<button type="button" data-act="{act}" title="{tip}" style="{_BUTTON}">{text}</button>'
        for act, tip, text in (
            ("first", "first step", "|\u25c0"),
            ("prev", "step back (←)", "\u25c0 back"),
            ("play", "play / pause", "\u25b6 play"),
            ("next", "step forward (→)", "forward \u25b6"),
            ("last", "last step", "\u25b6|"),
        )
    )
    last = steps - 1
    return (
        f'<div id="{pid}" class="agl-player" tabindex="0" style="{_STYLE}">'
        '<div style="display:flex;flex-wrap:wrap;align-items:center;gap:6px">'
        f"{buttons}"
        f'<input class="agl-slider" type="range" min="0" max="{last}" value="{last}" step="1" '
        'aria-label="step" style="flex:1 1 160px;min-width:120px">'
        f'<span class="agl-step" style="font-variant-numeric:tabular-nums">step {steps}/{steps}'
        "</span></div>"
        '<div class="agl-caption" style="margin:6px 0;font-size:14px;min-height:1.4em">'
        f"{html.escape(caption)}</div>"
        f'<div class="agl-svg" style="overflow-x:auto">{fit_svg(svg)}</div>'
        f'<script type="application/json" class="agl-data">{_json(payload)}</script>'
        f"</div><script>{_SCRIPT % {'id': json.dumps(pid)}}</script>"
    )


def page(fragment: str, title: str) -> str:
    """A standalone HTML page around a player fragment."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n"
        f'<body style="margin:16px">\n{fragment}\n</body>\n</html>\n'
    )
