"""The backward-pass player in the browser: one SVG whose numbers and colours change.

`player_html` holds all frames' data as JSON and a little plain JavaScript (step, play/pause,
slider), with no external resource. The script builds the player; where no script may run (an
untrusted notebook in JupyterLab, a notebook on a web page), the player is a picture of its
last step and its caption.
"""

from __future__ import annotations

import html
import itertools
import json

from .labels import FONT, GRAD_COLOUR, HIGHLIGHT
from .layout import FADED_FILL, FADED_STROKE, FADED_TEXT, smallest_font
from .render import PX_PER_PT, Picture, fit_svg, natural_size

__all__ = ["page", "player_html"]

# The player shows the graph with text no smaller than this (px), scrolling if it must; and,
# when that allows, no taller than this fraction of the window, so that the buttons, the
# caption and the node just completed are on a laptop's screen together.
MIN_TEXT_PX = 9.5
MAX_HEIGHT = 0.55

_ids = itertools.count(1)


# The player's behaviour: plain JavaScript, scoped to its own element, no libraries. It puts
# the live player (buttons, caption, SVG) in place of the picture shown without scripts.
_SCRIPT = """(function () {
  var root = document.getElementById(%(id)s);
  if (!root || root.getAttribute("data-ready")) { return; }
  root.setAttribute("data-ready", "1");
  var data = JSON.parse(root.querySelector("script.agl-data").textContent);
  var still = root.querySelector(".agl-static");
  if (still) { still.parentNode.removeChild(still); }
  root.insertAdjacentHTML("afterbegin", data.live);
  var box = root.querySelector(".agl-svg"), svg = box.querySelector("svg");
  var n = data.order.length, k = 0, timer = null;
  var groups = {};
  root.querySelectorAll("g.node").forEach(function (g) {
    var t = g.querySelector("title");
    if (t) { groups[t.textContent] = g; }
  });
  function parts(g) {
    if (!g) { return null; }
    var texts = Array.prototype.slice.call(g.querySelectorAll("text"));
    return {
      g: g, shapes: g.querySelectorAll("path, polygon, ellipse"), texts: texts,
      fills: texts.map(function (t) { return t.getAttribute("fill"); })
    };
  }
  var rank = [];
  data.order.forEach(function (node, step) { rank[node] = step; });
  var items = data.grad.map(function (grad, i) {
    var it = parts(groups["v" + i]), shape = it && it.shapes[0];
    return {
      value: it, op: parts(groups["o" + i]), shape: shape, grad: grad,
      stroke: shape && shape.getAttribute("stroke"),
      width: shape && (shape.getAttribute("stroke-width") || "1"),
      text: grad === null || !it || !it.texts.length ? null : it.texts[it.texts.length - 1]
    };
  });
  var slider = root.querySelector("input.agl-slider");
  var step = root.querySelector(".agl-step"), caption = root.querySelector(".agl-caption");
  var play = root.querySelector("button[data-act=play]");
  function fade(it, done) {
    if (!it) { return; }
    it.g.classList.toggle("pending", !done);
    Array.prototype.forEach.call(it.shapes, function (s) {
      if (done) {
        s.removeAttribute("fill-opacity"); s.removeAttribute("stroke-opacity");
      } else {
        s.setAttribute("fill-opacity", data.fadedFill);
        s.setAttribute("stroke-opacity", data.fadedStroke);
      }
    });
    it.texts.forEach(function (t, j) {
      var fill = done ? it.fills[j] : data.fadedText;
      if (fill) { t.setAttribute("fill", fill); } else { t.removeAttribute("fill"); }
    });
  }
  function fit() {
    // Scale to the cell's width; then, if the text stays readable, to a part of the window.
    var wide = box.clientWidth || data.width;
    var scale = Math.min(1, wide / data.width);
    var tall = Math.max(240, window.innerHeight * data.maxHeight);
    scale = Math.min(scale, Math.max(tall / data.height, data.minScale));
    svg.style.width = (data.width * scale) + "px";
    svg.style.height = (data.height * scale) + "px";
    svg.style.maxWidth = "none";
    svg.style.display = "block";
    svg.style.margin = "0 auto";
    box.style.maxHeight = tall + "px";
  }
  function follow(it) {
    // Keep the node just completed in view when the graph is taller than its box.
    if (!it || box.scrollHeight <= box.clientHeight) { return; }
    var r = it.g.getBoundingClientRect(), b = box.getBoundingClientRect();
    if (r.top < b.top || r.bottom > b.bottom) {
      box.scrollTop += (r.top + r.bottom) / 2 - (b.top + b.bottom) / 2;
    }
  }
  function show(target) {
    k = Math.max(0, Math.min(n - 1, target));
    items.forEach(function (it, i) {
      var done = rank[i] <= k, current = rank[i] === k;
      if (it.text) { it.text.textContent = "grad " + (done ? it.grad : "?"); }
      fade(it.value, done);
      fade(it.op, done);
      if (it.shape) {
        it.shape.setAttribute("stroke", current ? data.highlight : it.stroke);
        it.shape.setAttribute("stroke-width", current ? "3" : it.width);
      }
    });
    slider.value = String(k);
    step.textContent = "step " + (k + 1) + "/" + n;
    caption.textContent = data.captions[k];
    follow(items[data.order[k]].value);
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
  fit();
  if (window.ResizeObserver) { new ResizeObserver(fit).observe(root); }
  window.addEventListener("resize", fit);
  show(0);
})();"""

_STYLE = (
    "font-family:" + FONT + ";font-size:14px;color:#1f2937;"
    "border:1px solid #e5e7eb;border-radius:6px;padding:8px;max-width:100%;box-sizing:border-box"
)
_CAPTION = "font-size:14px;min-height:1.4em"
_BUTTON = (
    "font:inherit;font-size:13px;padding:2px 8px;margin-right:4px;border:1px solid #cbd5e1;"
    "border-radius:4px;background:#f8fafc;cursor:pointer"
)


def _json(data: object) -> str:
    """JSON that is safe inside <script>: no `<`, `>` or `&`, ASCII only."""
    text = json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _controls(steps: int) -> str:
    """The buttons, the slider and the step counter."""
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
    return (
        '<div style="display:flex;flex-wrap:wrap;align-items:center;gap:6px">'
        f"{buttons}"
        f'<input class="agl-slider" type="range" min="0" max="{steps - 1}" value="0" step="1" '
        'aria-label="step" style="flex:1 1 160px;min-width:120px">'
        f'<span class="agl-step" style="font-variant-numeric:tabular-nums">step 1/{steps}'
        "</span></div>"
    )


def _still(picture: Picture, caption: str) -> str:
    """What shows where no script runs: a picture of a frame (with its caption).

    Sanitised HTML (JupyterLab's for an untrusted notebook) drops SVG and `<img>` with data
    URLs but keeps a CSS background, so the picture is the background of a box of its shape.
    """
    ratio = 100.0 * picture.height / max(picture.width, 1)
    return (
        '<div class="agl-static">'
        f'<div class="agl-picture" title="{html.escape(caption)}" '
        f'style="width:{picture.width}px;max-width:100%;background-image:'
        f"url(data:image/png;base64,{picture.base64()});background-size:contain;"
        f'background-repeat:no-repeat"><div style="padding-bottom:{ratio:.2f}%"></div></div>'
        '<div style="margin-top:6px;font-size:13px;color:#4b5563">The backward pass at its '
        "last step. To step through it, run this cell or trust the notebook: the player "
        "needs JavaScript.</div></div>"
    )


def player_html(
    svg: str, data: dict[str, object], caption: str, steps: int, picture: Picture
) -> str:
    """The player as an HTML fragment for a notebook; `picture` shows without JavaScript.

    `svg` is Graphviz's drawing with every gradient filled in; `data` holds `order` (node index
    completed at each step), `grad` (each node's final grad text, or None), `captions` (one per
    step) and anything the tests want to read back. `caption` goes with `picture`.
    """
    pid = f"agl-frames-{next(_ids)}"
    live = (
        _controls(steps)
        + f'<div class="agl-caption" style="margin:6px 0;{_CAPTION}"></div>'
        + '<div class="agl-svg" style="overflow:auto;max-width:100%">'
        + fit_svg(svg)
        + "</div>"
    )
    width, height = _natural_px(svg)
    payload = dict(
        data,
        live=live,
        width=width,
        height=height,
        minScale=MIN_TEXT_PX / (smallest_font(svg) * PX_PER_PT),
        maxHeight=MAX_HEIGHT,
        fadedFill=FADED_FILL,
        fadedStroke=FADED_STROKE,
        fadedText=FADED_TEXT,
        highlight=HIGHLIGHT,
        gradColour=GRAD_COLOUR,
        interval=700,
    )
    return (
        f'<div id="{pid}" class="agl-player" tabindex="0" style="{_STYLE}">'
        f"{_still(picture, caption)}"
        f'<script type="application/json" class="agl-data">{_json(payload)}</script>'
        f"</div><script>{_SCRIPT % {'id': json.dumps(pid)}}</script>"
    )


def _natural_px(svg: str) -> tuple[float, float]:
    """The size (CSS px) Graphviz gave `svg`."""
    size = natural_size(svg) or (400.0, 300.0)
    return size[0] * PX_PER_PT, size[1] * PX_PER_PT


def page(fragment: str, title: str) -> str:
    """A standalone HTML page around a player fragment."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n"
        f'<body style="margin:16px">\n{fragment}\n</body>\n</html>\n'
    )
