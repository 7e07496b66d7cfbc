"""A neuron, layer or MLP drawn like the lectures' network picture.

Inputs on the left, then each layer in a dashed box, its neurons from top to bottom; every node
is named for what it is: inputs x₁…, weights w⁽ˡ⁾ᵢⱼ, biases b⁽ˡ⁾ᵢ, pre-activations z⁽ˡ⁾ᵢ,
activations h⁽ˡ⁾ᵢ and the output ŷ.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core import Value, grad_table
from ..teaching.names import graph_order
from .checks import (
    check_digits,
    check_flag,
    check_max_nodes,
    check_rankdir,
    check_size,
    check_text,
    describe,
)
from .dot import build
from .labels import sub, sup
from .render import Diagram
from .spec import Spec

__all__ = ["draw_model"]

FN = "draw_model"
_DEFAULT_LABEL = re.compile(r"^(w\d+|b)$")  # what nn gives its parameters: w0, w1, ..., b


def _layers(model: Any) -> list[list[Any]]:
    """The neurons of `model`, layer by layer: an MLP (`.layers`), a Layer or a Neuron."""
    if hasattr(model, "layers"):
        return [list(layer.neurons) for layer in model.layers]
    if hasattr(model, "neurons"):
        return [list(model.neurons)]
    if hasattr(model, "w") and hasattr(model, "b"):
        return [[model]]
    raise TypeError(
        f"draw_model() needs a Neuron, Layer or MLP (with .w, .neurons or .layers), "
        f"got {describe(model)}"
    )


def _least_nodes(layers: list[list[Any]], nin: int) -> int:
    """A lower bound on the value nodes of one forward pass, known before running it."""
    total = nin
    for neurons in layers:
        for neuron in neurons:
            linear = getattr(neuron, "activation", "") == "linear"
            total += len(neuron.w) + 1 + 1 + (0 if linear else 1)  # weights, bias, z, h
    return total


@dataclass
class _Names:
    """How nodes are called: the scheme depends on what is drawn (MLP, Layer or Neuron)."""

    layers: int
    mlp: bool
    outputs: int
    names: dict[Value, str] = field(default_factory=dict)
    formulas: dict[Value, str] = field(default_factory=dict)

    def _layer(self, letter: str, li: int) -> str:
        return f"{letter}⁽{sup(li + 1)}⁾" if self.mlp else letter

    def _pair(self, i: int, j: int) -> str:
        sep = "," if i >= 9 or j >= 9 else ""  # w₁₂,₃ needs the comma; w₂₁ reads without
        return f"{sub(i + 1)}{sep}{sub(j + 1)}"

    def name(self, v: Value, text: str, keep_default: bool = False) -> None:
        """Call `v` `text`, unless the user labelled it (nn's own w0/b labels do not count)."""
        if v.label and not (keep_default or _DEFAULT_LABEL.match(v.label)):
            text = v.label
        self.names.setdefault(v, text)

    def weight(self, w: Value, li: int, i: int, j: int, single: bool) -> None:
        self.name(w, f"w{sub(j + 1)}" if single else self._layer("w", li) + self._pair(i, j))

    def bias(self, b: Value, li: int, i: int, single: bool) -> None:
        self.name(b, "b" if single else self._layer("b", li) + sub(i + 1))

    def unit(self, z: Value, h: Value, li: int, i: int, single: bool) -> None:
        """The pre-activation z and activation h of neuron i (the output's h is ŷ)."""
        index = "" if single else sub(i + 1)
        last = li == self.layers - 1
        h_name = ("ŷ" + (sub(i + 1) if self.outputs > 1 else "")) if last else None
        z_name = self._layer("z", li) + index
        if h is not z:
            self.name(z, z_name)
            self.formulas[h] = f"= {h.op}({self.names[z]})"
        self.name(h, h_name or self._layer("h", li) + index)
        if z.op == "dot":
            below = "x" if li == 0 else "h"
            self.formulas[z] = f"= Σ w·{below} + b"

    def notes(self, single: bool, backward: bool, derivatives: bool) -> list[str]:
        if single:
            lines = [
                "xⱼ input j,  wⱼ its weight,  b the bias,  z = Σⱼ wⱼ·xⱼ + b,  ŷ = f(z) the output"
            ]
        else:
            lyr = "⁽ˡ⁾" if self.mlp else ""
            prev = "h⁽ˡ⁻¹⁾ⱼ (h⁽⁰⁾ = x)" if self.mlp else "xⱼ"
            where = " of layer l" if self.mlp else ""
            lines = [
                f"xⱼ input j;  w{lyr}ᵢⱼ weight into neuron i{where} from {prev};  "
                f"b{lyr}ᵢ bias of neuron i",
                f"z{lyr}ᵢ = Σⱼ w{lyr}ᵢⱼ·{prev.split(' ')[0]} + b{lyr}ᵢ (pre-activation);  "
                + (f"h{lyr}ᵢ = f(z{lyr}ᵢ) (activation);  " if self.mlp else "")
                + "ŷ the output",
            ]
        if backward:
            lines.append("grad: ∂ŷ/∂node for this one input")
        if derivatives:
            lines.append("on the edge from a into c: ∂c/∂a, the local derivative")
        return lines


def _inputs(x: object, nin: int) -> list[Value]:
    if isinstance(x, (str, bytes, Value)) or not isinstance(x, Iterable):
        raise TypeError(f"draw_model() needs x to be one input sample (a list), got {describe(x)}")
    items = list(x)
    if len(items) != nin:
        raise ValueError(f"draw_model(): the model takes {nin} inputs, x has {len(items)}")
    return [
        xi if isinstance(xi, Value) else Value(xi, label=f"x{sub(k + 1)}")
        for k, xi in enumerate(items)
    ]


def draw_model(
    model: Any,
    x: Iterable[Any],
    *,
    backward: bool = True,
    max_nodes: int = 500,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local_grads: bool = False,
    legend: bool = False,
    digits: int = 4,
    title: str = "",
    caption: bool = True,
) -> Diagram:
    """Run `model` on one input `x` and draw its graph like a network picture.

    Inputs x₁… stand on the left; each layer follows in its own dashed box, its neurons in
    order from top to bottom, and the parameters of each neuron next to it. Names say what a
    node is (the scheme of the lecture notes, written under the drawing when `caption`):
    w⁽ˡ⁾ᵢⱼ is the weight into neuron i of layer l from input j of that layer (h⁽ˡ⁻¹⁾ⱼ, with
    h⁽⁰⁾ = x), b⁽ˡ⁾ᵢ its bias, z⁽ˡ⁾ᵢ = Σⱼ w⁽ˡ⁾ᵢⱼ·h⁽ˡ⁻¹⁾ⱼ + b⁽ˡ⁾ᵢ the pre-activation,
    h⁽ˡ⁾ᵢ = f(z⁽ˡ⁾ᵢ) the activation and ŷ the output (ŷ₁, ŷ₂, … for several). A Layer drops
    the layer index, a Neuron also the neuron index. Labels a user set are kept.

    Args:
        model: an `nn.Neuron`, `nn.Layer` or `nn.MLP`.
        x: one input sample (numbers or Values); numbers become inputs labelled x₁, x₂, ...
        backward: show ∂output/∂node (computed here; no `.grad` is changed). Needs a single
            output; with several outputs, or `backward=False`, the `.grad` fields are shown.
        max_nodes: refuse graphs with more value nodes than this (`ValueError`), checked
            before the model runs.
        rankdir, show_grad, show_local_grads, legend, digits, title: as in `draw_dot`.
        caption: write what the names mean under the drawing.

    Returns:
        The `Diagram`.

    Raises:
        TypeError: `model` is not a Neuron, Layer or MLP, or an argument has the wrong type.
        ValueError: `x` has the wrong length, the graph is larger than `max_nodes`, or an
            argument is out of range.
    """
    backward = check_flag(backward, "backward", FN)
    max_nodes = check_max_nodes(max_nodes, FN)
    spec = Spec(
        order=[],
        roots=(),
        rankdir=check_rankdir(rankdir, FN),
        show_grad=check_flag(show_grad, "show_grad", FN),
        show_local_grads=check_flag(show_local_grads, "show_local_grads", FN),
        legend=check_flag(legend, "legend", FN),
        digits=check_digits(digits, FN),
        title=check_text(title, "title", FN),
        stacked=True,
        ops_inside=True,
    )
    check_flag(caption, "caption", FN)
    layers = _layers(model)
    nin = len(layers[0][0].w)
    # The size guard runs before the model does: a lower bound from the shapes alone.
    check_size(_least_nodes(layers, nin), max_nodes, FN)
    xs = _inputs(x, nin)

    mlp = hasattr(model, "layers")
    single = not mlp and not hasattr(model, "neurons")
    names = _Names(layers=len(layers), mlp=mlp, outputs=len(layers[-1]))
    for xv in xs:
        names.name(xv, xv.label, keep_default=True)
    columns: list[list[Value]] = [list(xs)]
    headers: dict[int, str] = {}
    outs: list[Value] = xs
    for li, neurons in enumerate(layers):
        params: list[list[Value]] = []
        zs: list[Value] = []
        new_outs: list[Value] = []
        for i, neuron in enumerate(neurons):
            h = neuron(outs)
            z = h.parents[0] if len(h.parents) == 1 else h  # the node under the activation
            for j, w in enumerate(neuron.w):
                names.weight(w, li, i, j, single)
            names.bias(neuron.b, li, i, single)
            names.unit(z, h, li, i, single)
            params.append([*neuron.w, neuron.b])
            zs.append(z)
            new_outs.append(h)
        # The layer's inputs stand in the middle of its parameters, in one column: then edges
        # cross only where every input meets every neuron, which the structure forces.
        half = len(params) // 2
        inputs = columns.pop()
        columns.append([*_flat(params[:half]), *inputs, *_flat(params[half:])])
        kind = getattr(neurons[0], "activation", "")
        where = "output" if li == len(layers) - 1 else "hidden"
        if mlp:
            headers[len(columns)] = f"layer {li + 1} ({where}{', ' + kind if kind else ''})"
        columns.append(zs)
        if any(h is not z for h, z in zip(new_outs, zs)):
            columns.append(new_outs)
        outs = new_outs

    order = graph_order(outs)
    check_size(len(order), max_nodes, FN)
    spec.order = order
    spec.roots = outs
    spec.grads = grad_table(outs[0]) if backward and len(outs) == 1 else None
    spec.params = _params(layers)
    spec.names = names.names
    spec.formulas = names.formulas
    spec.columns = columns
    spec.headers = headers
    if caption:
        # The legend, when drawn, explains the edges; the notes do not say it twice.
        derivatives = spec.show_local_grads and not spec.legend
        spec.notes = names.notes(single, backward and len(outs) == 1, derivatives)
    return build(spec)


def _flat(groups: Sequence[Sequence[Value]]) -> list[Value]:
    return [v for group in groups for v in group]


def _params(layers: Sequence[Sequence[Any]]) -> list[Value]:
    return [p for neurons in layers for n in neurons for p in (*n.w, n.b)]
