"""Regenerate the diagrams shown in the README: `python docs/make_images.py`.

Needs Graphviz's `dot` program (Debian/Ubuntu: `sudo apt-get install graphviz`).
"""

from __future__ import annotations

from pathlib import Path

from autograd_lite import Value
from autograd_lite.viz import draw_dot, save

IMAGES = Path(__file__).resolve().parent / "images"


def expression() -> Value:
    """micrograd's first example, L = (a·b + c)·f, after a backward pass."""
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    f = Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    return L


def main() -> None:
    path = save(draw_dot(expression(), legend=True), IMAGES / "expression.svg")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
