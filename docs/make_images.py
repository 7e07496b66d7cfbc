"""Regenerate the diagrams shown in the README: `python docs/make_images.py`.

Needs Graphviz's `dot` program (Debian/Ubuntu: `sudo apt-get install graphviz`).
"""

from __future__ import annotations

from pathlib import Path

from autograd_lite import Value, nn, routes
from autograd_lite.viz import draw_dot, draw_model, save

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


def influence() -> tuple[Value, Value]:
    """The lectures' influence diagram: z = k(x, y) with x = g(s) = s², y = h(s) = sin s."""
    s = Value(0.5, label="s")
    x = s**2
    x.label = "x"
    y = s.sin()
    y.label = "y"
    z = x * y
    z.label = "z"
    z.backward()
    return z, s


def main() -> None:
    written = [save(draw_dot(expression(), legend=True), IMAGES / "expression.svg")]
    z, s = influence()
    written.append(save(draw_dot(z, highlight=routes(z, s)), IMAGES / "routes.svg"))
    model = nn.MLP(2, [2, 1], activation="tanh", seed=0)
    written.append(save(draw_model(model, [0.5, -1.0]), IMAGES / "network.svg"))
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
