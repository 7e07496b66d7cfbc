"""What the notebook check measures on a page: pictures, players and formulas.

The same measurements run on a notebook in JupyterLab and on its HTML export: both put each
output in a `.jp-OutputArea-output` element. Each check returns a list of problems (empty when
all is well), in words a person can act on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page

MIN_TEXT_PX = 9.0  # smallest text on a player's diagram, on screen
MIN_CONTRAST = 3.0  # WCAG's least contrast for text that must be readable in a diagram


@dataclass
class Expected:
    """What a notebook's own JSON says it shows."""

    pictures: int  # outputs with an image (PNG or SVG); players count too
    players: int
    formulas: bool  # its Markdown has `$`
    svg_only: int = 0  # pictures without PNG: an untrusted notebook in JupyterLab shows text


def expected(notebook: Path) -> Expected:
    data = json.loads(notebook.read_text(encoding="utf-8"))
    pictures = players = svg_only = 0
    formulas = False
    for cell in data["cells"]:
        if cell["cell_type"] == "markdown":
            formulas = formulas or "$" in "".join(cell["source"])
        for output in cell.get("outputs", []):
            bundle = output.get("data", {})
            if {"image/png", "image/svg+xml"} & set(bundle):
                pictures += 1
                svg_only += "image/png" not in bundle
            if 'class="agl-player"' in "".join(bundle.get("text/html", "")):
                players += 1
    return Expected(pictures, players, formulas, svg_only)


# For each output that shows a picture: is it drawn, how wide, is it cut or scrolled sideways.
_PICTURES_JS = """async () => {
  const found = [];
  for (const out of document.querySelectorAll('.jp-OutputArea-output')) {
    const player = out.querySelector('.agl-player');
    const img = out.matches('.jp-RenderedImage, .jp-RenderedSVG') ? out.querySelector('img') : null;
    const svg = out.matches('.jp-RenderedSVG') ? out.querySelector('svg') : null;
    if (!player && !img && !svg) { continue; }
    let shown = false, live = false, box = null, detail = '';
    if (player) {
      const liveSvg = player.querySelector('.agl-svg svg');
      const still = player.querySelector('.agl-picture');
      if (liveSvg) {
        live = true; box = liveSvg.getBoundingClientRect(); shown = box.height > 0;
      } else if (still) {
        box = still.getBoundingClientRect();
        const m = getComputedStyle(still).backgroundImage.match(/url\\("?(data:[^")]+)"?\\)/);
        if (!m) { detail = 'its picture was removed (no CSS background)'; }
        else {
          const im = new Image(); im.src = m[1];
          try { await im.decode(); shown = im.naturalWidth > 0 && box.height > 20; }
          catch (e) { detail = 'its picture does not decode'; }
        }
      } else { detail = 'neither the live player nor its picture is there'; }
    } else if (img) {
      try { await img.decode(); } catch (e) { detail = 'the image does not decode'; }
      box = img.getBoundingClientRect(); shown = img.naturalWidth > 0 && box.height > 0;
    } else { box = svg.getBoundingClientRect(); shown = box.height > 0; }
    const area = out.getBoundingClientRect();
    box = box || {width: 0, left: area.left, right: area.left};
    const sideways = [out, ...out.querySelectorAll('div')].some(e =>
      e.scrollWidth > e.clientWidth + 1 && /auto|scroll/.test(getComputedStyle(e).overflowX));
    found.push({
      kind: player ? (live ? 'player' : 'player picture') : 'image', shown, detail,
      width: Math.round(box.width), area: Math.round(out.clientWidth),
      cut: sideways || box.right > area.right + 1 || box.left < area.left - 1,
      trusted: out.classList.contains('jp-mod-trusted'),
      text: player && !live ? player.innerText.trim() : ''
    });
  }
  return found;
}"""


def pictures(page: Page) -> list[dict[str, Any]]:
    """Every picture output on the page, in order, measured (see `_PICTURES_JS`)."""
    found: list[dict[str, Any]] = page.evaluate(_PICTURES_JS)
    return found


def check_pictures(
    found: list[dict[str, Any]], want: Expected, *, live_players: bool, trusted: bool | None
) -> list[str]:
    """Problems with the pictures measured on a page, against what the notebook holds."""
    problems = []
    shown = [p for p in found if p["shown"]]
    if len(shown) != want.pictures:
        why = f" ({want.svg_only} have SVG but no PNG)" if want.svg_only else ""
        problems.append(
            f"{len(shown)} of the notebook's {want.pictures} picture outputs show as pictures{why}"
        )
    for k, p in enumerate(found):
        what = f"picture {k + 1} ({p['kind']})"
        if not p["shown"]:
            problems.append(f"{what} does not show: {p['detail'] or 'empty'}")
        if p["cut"]:
            problems.append(f"{what} is cut: {p['width']} px wide in a {p['area']} px output area")
        if trusted is not None and p["trusted"] != trusted:
            problems.append(f"{what} is rendered {'un' if trusted else ''}trusted")
        if p["kind"] == "player picture" and len(p["text"]) > 200:
            problems.append(f"{what} shows raw text without scripts: {p['text'][:60]!r}")
    players = sum(p["kind"] == ("player" if live_players else "player picture") for p in found)
    if players != want.players:
        kind = "live players" if live_players else "player pictures"
        problems.append(f"{players} {kind}, the notebook has {want.players} players")
    return problems


# The diagram of a live player: its smallest text on screen and its lowest text contrast.
_LEGIBILITY_JS = """(player) => {
  const svg = player.querySelector('.agl-svg svg');
  const rgba = c => { const m = /rgba?\\(([^)]+)\\)/.exec(c || '');
    if (!m) { return null; } const v = m[1].split(',').map(Number);
    return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
  const lum = c => c.slice(0, 3).map(x => { x /= 255;
    return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); })
    .reduce((s, x, i) => s + x * [0.2126, 0.7152, 0.0722][i], 0);
  const over = (fg, alpha, bg) => fg.slice(0, 3).map((c, i) => alpha * c + (1 - alpha) * bg[i]);
  const opacity = el => { let o = 1;
    for (let e = el; e && e !== player; e = e.parentElement) { o *= +getComputedStyle(e).opacity; }
    return o; };
  const alpha = (el, colour, which) =>
    colour[3] * +getComputedStyle(el)[which] * opacity(el);
  let minPx = Infinity, minContrast = Infinity, smallest = '', palest = '', count = 0;
  for (const t of svg.querySelectorAll('text')) {
    if (!t.textContent.trim()) { continue; }
    count += 1;
    const style = getComputedStyle(t);
    const px = parseFloat(style.fontSize) * t.getScreenCTM().a;
    let bg = [255, 255, 255];
    const node = t.closest('g.node'), shape = node && node.querySelector('path, polygon, ellipse');
    const fill = shape && rgba(getComputedStyle(shape).fill);
    if (fill) { bg = over(fill, alpha(shape, fill, 'fillOpacity'), bg); }
    const ink = rgba(style.fill) || [0, 0, 0, 1];
    const fg = over(ink, alpha(t, ink, 'fillOpacity'), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (px < minPx) { minPx = px; smallest = t.textContent; }
    if (ratio < minContrast) { minContrast = ratio; palest = t.textContent; }
  }
  return {minPx, minContrast, smallest, palest, count};
}"""

# Are the buttons and the node just completed both on screen (inside every clipping box)?
_TOGETHER_JS = """(player) => {
  const data = JSON.parse(player.querySelector('script.agl-data').textContent);
  const k = parseInt(player.querySelector('.agl-step').textContent.split(' ')[1], 10) - 1;
  const node = Array.from(player.querySelectorAll('.agl-svg g.node'))
    .find(g => g.querySelector('title').textContent === 'v' + data.order[k]);
  const clip = el => {  // the box that hides the most of `el`, or '' if all of it shows
    const r = el.getBoundingClientRect();
    if (r.top < -1 || r.bottom > window.innerHeight + 1) { return 'the window'; }
    for (let e = el.parentElement; e; e = e.parentElement) {
      if (/auto|scroll/.test(getComputedStyle(e).overflowY)) {
        const c = e.getBoundingClientRect();
        if (r.top < c.top - 1 || r.bottom > c.bottom + 1) { return e.className || e.tagName; }
      }
    }
    return '';
  };
  return {step: k + 1, node: node ? clip(node) : 'missing',
          controls: clip(player.querySelector('button[data-act=next]'))};
}"""


# Scroll the page's own scroll box (not a hidden-overflow one, as scrollIntoView may) so that
# an element stands at the top of it, or in its middle.
_SCROLL_TO_JS = """(el, where) => {
  let box = el.parentElement;
  while (box && !(/auto|scroll/.test(getComputedStyle(box).overflowY)
                  && box.scrollHeight > box.clientHeight)) { box = box.parentElement; }
  box = box || document.scrollingElement;
  const r = el.getBoundingClientRect(), b = box === document.scrollingElement
    ? {top: 0, height: window.innerHeight} : box.getBoundingClientRect();
  const gap = where === 'top' ? 8 : (b.height - r.height) / 2;
  box.scrollTop += r.top - b.top - Math.max(gap, 8);
}"""


def scroll_to(element: Locator, where: str = "top") -> None:
    """Scroll the page so that `element` is at the top (or, with "middle", in the middle)."""
    element.evaluate(_SCROLL_TO_JS, where)


def _step(player: Locator) -> str:
    return player.locator(".agl-step").inner_text()


def _press(player: Locator, act: str, expect: str) -> None:
    player.locator(f"button[data-act={act}]").click()
    player.locator(".agl-step", has_text=re.compile(f"^{re.escape(expect)}$")).wait_for(
        timeout=5000
    )


def check_player(player: Locator, shots: Path, name: str) -> list[str]:
    """Step a live player forward and back and through every step; check what it shows."""
    problems = []
    scroll_to(player)
    steps = int(_step(player).split("/")[1])
    box = player.locator(".agl-svg")
    for when in ("at step 1", "at the last step"):
        if when == "at the last step":
            _press(player, "last", f"step {steps}/{steps}")
        seen = player.evaluate(_LEGIBILITY_JS)
        if seen["count"] == 0:
            problems.append(f"player {name}: its diagram has no text")
        elif seen["minPx"] < MIN_TEXT_PX:
            problems.append(
                f"player {name} {when}: text {seen['smallest']!r} is {seen['minPx']:.1f} px "
                f"on screen, less than {MIN_TEXT_PX:g}"
            )
        if seen["minContrast"] < MIN_CONTRAST:
            problems.append(
                f"player {name} {when}: text {seen['palest']!r} has contrast "
                f"{seen['minContrast']:.2f}:1, less than {MIN_CONTRAST:g}:1"
            )
    _press(player, "first", f"step 1/{steps}")
    scroll_to(player)
    first = box.screenshot()
    if steps > 1:
        _press(player, "next", f"step 2/{steps}")
        forward = box.screenshot(path=str(shots / f"{name}-step2.png"))
        if forward == first:
            problems.append(f"player {name}: 'forward' did not change the picture")
        _press(player, "prev", f"step 1/{steps}")
        if box.screenshot() == forward:
            problems.append(f"player {name}: 'back' did not change the picture")
    for k in range(1, steps + 1):
        if k > 1:
            _press(player, "next", f"step {k}/{steps}")
        where = player.evaluate(_TOGETHER_JS)
        for what in ("node", "controls"):
            if where[what]:
                shown = "the node just completed is" if what == "node" else "the buttons are"
                problems.append(f"player {name} at step {k}: {shown} hidden by {where[what]}")
        if where["node"] or where["controls"]:
            player.page.screenshot(path=str(shots / f"{name}-hidden-at-step{k}.png"))
            break
    return problems


# Formulas in an exported page: wait for MathJax, then count what it made and what it left.
_MATH_JS = """async () => {
  if (!window.MathJax || !window.MathJax.Hub) { return {loaded: false}; }
  await new Promise(done => window.MathJax.Hub.Queue(done));
  let raw = 0, example = '';
  for (const md of document.querySelectorAll('.jp-RenderedMarkdown, .jp-MarkdownOutput')) {
    const walk = document.createTreeWalker(md, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (n.parentElement.closest('code, pre, script, .MathJax_Preview')) { continue; }
      if (n.textContent.includes('$')) { raw += 1; example = example || n.textContent.trim(); }
    }
  }
  return {loaded: true, raw, example: example.slice(0, 80),
          typeset: document.querySelectorAll('script[type^="math/tex"]').length,
          shown: document.querySelectorAll('.MathJax, .MathJax_Display').length,
          errors: document.querySelectorAll('.MathJax_Error, merror').length};
}"""


def check_math(page: Page, want: Expected) -> tuple[list[str], int]:
    """Problems with the formulas of an exported page, and how many were typeset."""
    seen = page.evaluate(_MATH_JS)
    if not seen["loaded"]:
        return ["MathJax did not load: formulas show as raw TeX"], 0
    problems = []
    if want.formulas and (seen["typeset"] == 0 or seen["shown"] == 0):
        problems.append("no formula was typeset")
    if seen["raw"]:
        problems.append(f"{seen['raw']} texts still show raw TeX, e.g. {seen['example']!r}")
    if seen["errors"]:
        problems.append(f"{seen['errors']} formulas failed to typeset")
    typeset: int = seen["typeset"]
    return problems, typeset


def screenshot_pictures(page: Page, folder: Path) -> None:
    """One window-sized screenshot per picture output, scrolled to it, into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    outputs = page.locator(
        ".jp-OutputArea-output:is(.jp-RenderedImage, .jp-RenderedSVG), "
        ".jp-OutputArea-output:has(.agl-player)"
    )
    for k in range(outputs.count()):
        scroll_to(outputs.nth(k), "middle")
        page.wait_for_timeout(100)
        page.screenshot(path=str(folder / f"picture-{k + 1:02d}.png"))
