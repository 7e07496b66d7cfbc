"""One Graphviz layout of the backward pass, cut into pieces that make every frame.

`Layout` cuts the SVG of the whole graph (every gradient filled in) into pieces, so a frame is
the pieces of its state joined: a node not reached yet is faded with `grad ?`, the node just
completed is outlined. The player in the browser (`player.py`) does the same to one SVG.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .labels import FONT, GRAD_COLOUR, HIGHLIGHT

__all__ = ["FADED_FILL", "FADED_STROKE", "FADED_TEXT", "Layout", "smallest_font"]

# A node whose gradient is not known yet: its box faded, its text grey but still readable
# (4.8:1 against white, where readable text on a diagram needs 3:1).
FADED_FILL, FADED_STROKE, FADED_TEXT = "0.3", "0.4", "#6b7280"
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
_TEXT_TAG = re.compile(r"<text\b[^>]*?(?=/?>)")
_FILL = re.compile(r'\sfill="[^"]*"')
_FONT_SIZE = re.compile(r'<text\b[^>]*\sfont-size="([0-9.]+)"')
_ROOT_SIZE = re.compile(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"\s+viewBox="[^"]*"')


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


def _faded(body: str) -> str:
    """`body` with its shapes faded and all its text in `FADED_TEXT`."""
    body = _SHAPE.sub(
        lambda m: m.group(0).replace(
            " ", f' fill-opacity="{FADED_FILL}" stroke-opacity="{FADED_STROKE}" ', 1
        ),
        body,
    )
    return _TEXT_TAG.sub(lambda m: _FILL.sub("", m.group(0)) + f' fill="{FADED_TEXT}"', body)


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


def smallest_font(svg: str) -> float:
    """The smallest font size (in the SVG's units, pt for Graphviz) of any text in `svg`."""
    sizes = [float(size) for size in _FONT_SIZE.findall(svg)]
    return min(sizes, default=14.0)


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
            faded = f'<g class="node pending"><title>{kind}{i}</title>'
            if kind == "o":
                nodes.append((i, faded + _faded(body) + "</g>", done, done))
            else:
                grad = grads[i] if i < len(grads) else None
                pending = _with_grad(body, None if grad is None else "grad ?", FADED_TEXT)
                finished = _with_grad(body, None if grad is None else f"grad {grad}", GRAD_COLOUR)
                nodes.append(
                    (
                        i,
                        faded + _faded(pending) + "</g>",
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
