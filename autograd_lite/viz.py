"""Diagrams of computation graphs: values, gradients and the local derivative on every edge.

`draw_dot` draws one graph, `draw_model` a neuron or MLP with one cluster per neuron, and
`backward_frames` the reverse pass step by step (the grad table of Algorithm 6.2 filling up).
"""

from __future__ import annotations

import html
import importlib
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import graphviz

from .engine import Constant, Value, grad_table, topological_order

__all__ = [
    "BackwardFrames",
    "Diagram",
    "GraphvizNotFoundError",
    "backward_frames",
    "draw_dot",
    "draw_model",
    "save",
]

INSTALL_HINT = (
    "Graphviz's `dot` program is needed to render diagrams and was not found on PATH. "
    "Install it with: Debian/Ubuntu `sudo apt-get install graphviz`, "
    "Fedora `sudo dnf install graphviz`, macOS `brew install graphviz`, "
    "conda `conda install -c conda-forge graphviz`, "
    "Windows `winget install graphviz` (then restart the shell or notebook kernel)."
)

FONT = "Helvetica,Arial,sans-serif"
MONO = "DejaVu Sans Mono,Menlo,Consolas,monospace"

# Role → (fill, border) colours: soft fills so black text stays readable, strong borders.
ROLE_COLOURS: dict[str, tuple[str, str]] = {
    "input": ("#dbeafe", "#2563eb"),
    "parameter": ("#fef3c7", "#d97706"),
    "constant": ("#f1f5f9", "#94a3b8"),
    "intermediate": ("#ffffff", "#64748b"),
    "output": ("#dcfce7", "#16a34a"),
}
ROLE_NAMES = ("input", "parameter", "constant", "intermediate", "output")
OP_FILL, OP_BORDER = "#ede9fe", "#7c3aed"
EDGE_COLOUR, DERIV_COLOUR = "#64748b", "#7c3aed"
HIGHLIGHT = "#dc2626"
UNKNOWN = "?"

# Pretty symbols for the arithmetic ops; every other op shows its name.
OP_SYMBOLS: dict[str, str] = {
    "+": "+",
    "-": "−",
    "*": "×",
    "/": "÷",
    "**": "xʸ",
    "neg": "−x",
    "sum": "Σ",
}
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's `dot` program is missing, so a diagram cannot be rendered to an image."""


# --------------------------------------------------------------------------- text


def fmt(x: float, digits: int = 4) -> str:
    """`x` with `digits` significant digits: `fmt(2/3) == '0.6667'`, `fmt(-0.0) == '0'`.

    nan and ±inf print as `nan`, `inf` and `-inf`.
    """
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


def escape(text: str, limit: int = 40) -> str:
    """`text` made safe inside a Graphviz HTML-like label, shortened to `limit` characters.

    The HTML specials become entities, and so do the characters that mean something in DOT
    records or escString (`{ } | \\`); control characters become `�` and newlines line breaks.
    """
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    out: list[str] = []
    for line in text.splitlines() or [""]:
        safe = html.escape(line, quote=True)
        for ch, entity in (("\\", "&#92;"), ("{", "&#123;"), ("}", "&#125;"), ("|", "&#124;")):
            safe = safe.replace(ch, entity)
        # Graphviz rejects most C0 controls in labels; XML (the SVG) rejects them all.
        out.append("".join("�" if ord(c) < 32 or 0x7F <= ord(c) < 0xA0 else c for c in safe))
    return "<br/>".join(out)


def op_text(op: str) -> str:
    """How an op is written on its node: a symbol for arithmetic, its name otherwise."""
    return OP_SYMBOLS.get(op, op)


# --------------------------------------------------------------------------- rendering


def _run_dot(graph: graphviz.Digraph, fmt_: str) -> bytes:
    """Render with `dot`, turning a missing program into an error that says how to install it."""
    try:
        data: bytes = graph.pipe(format=fmt_)
    except graphviz.ExecutableNotFound as exc:
        raise GraphvizNotFoundError(INSTALL_HINT) from exc
    return data


def save(graph: graphviz.Digraph, path: str | Path, *, format: str | None = None) -> Path:
    """Render `graph` to an image file; the format comes from the suffix unless given.

    Args:
        graph: a diagram from `draw_dot` (any `graphviz.Digraph` works).
        path: where to write, e.g. `"graph.svg"`, `"graph.png"` or `"graph.pdf"`.
        format: a Graphviz output format, overriding the suffix.

    Returns:
        The path written.

    Raises:
        GraphvizNotFoundError: Graphviz's `dot` is not installed (the message says how to).
        ValueError: neither `format` nor the suffix names a format.
    """
    path = Path(path)
    fmt_ = format or path.suffix.lstrip(".").lower()
    if not fmt_:
        raise ValueError(f"cannot tell the image format of {str(path)!r}: add .svg/.png/.pdf")
    data = _run_dot(graph, fmt_)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _fallback_html(source: str) -> str:
    return (
        '<div style="font-family:sans-serif">'
        f"<p><b>Cannot draw the diagram.</b> {html.escape(INSTALL_HINT)}</p>"
        "<p>Its DOT source (paste it into any Graphviz viewer):</p>"
        f"<pre>{html.escape(source)}</pre></div>"
    )


class Diagram(graphviz.Digraph):  # type: ignore[misc]  # graphviz ships no type hints
    """A `graphviz.Digraph` that shows itself in Jupyter, or explains what is missing.

    Without Graphviz's `dot` program the notebook shows install instructions and the DOT source
    instead of a traceback. `render_to(path)` writes SVG, PNG or PDF.
    """

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        try:
            bundle: dict[str, Any] = super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            return {
                "text/html": _fallback_html(self.source),
                "text/plain": f"{INSTALL_HINT}\n\nDOT source:\n{self.source}",
            }
        return bundle

    def render_to(self, path: str | Path, format: str | None = None) -> Path:
        """Render to an image file (see `save`)."""
        return save(self, path, format=format)

    def __repr__(self) -> str:
        # Deterministic (no address), so saved notebook outputs do not change from run to run.
        nodes = sum(1 for line in self.body if "[" in line and "->" not in line)
        return f"<Diagram: {nodes} nodes; .source has the DOT text, .render_to(path) saves it>"


# --------------------------------------------------------------------------- the graph


def _parameter_class() -> type | None:
    """`autograd_lite.nn.Parameter` if the nn module defines it (imported late: viz only reads)."""
    try:
        nn = importlib.import_module(f"{__package__}.nn")
    except ImportError:
        return None
    cls = getattr(nn, "Parameter", None)
    return cls if isinstance(cls, type) else None


def _merged_order(roots: Sequence[Value]) -> list[Value]:
    """Topological order of the union of the graphs below `roots` (parents first)."""
    if len(roots) == 1:
        return topological_order(roots[0])
    order: list[Value] = []
    seen: set[Value] = set()
    for r in roots:
        for v in topological_order(r):
            if v not in seen:
                seen.add(v)
                order.append(v)
    return order


def _check_size(n: int, max_nodes: int) -> None:
    if n > max_nodes:
        raise ValueError(
            f"the graph has {n} value nodes, more than max_nodes={max_nodes}: a diagram that big "
            f"is slow to lay out and hard to read. Pass max_nodes={n} to draw it anyway, or draw "
            "a sub-graph: call draw_dot on an intermediate node, or draw a single neuron with "
            "draw_model(neuron, x)."
        )


@dataclass
class _Spec:
    """Everything one drawing needs; shared by `draw_dot`, `draw_model` and the frames."""

    order: list[Value]
    roots: Sequence[Value]
    grads: Mapping[Value, float] | None = None  # None: read `.grad`
    show_grad: bool = True
    show_local_grads: bool = True
    legend: bool = False
    rankdir: str = "LR"
    digits: int = 4
    params: Iterable[Value] = ()
    groups: Mapping[str, Iterable[Value]] | None = None
    names: Mapping[Value, str] | None = None
    highlight: Value | None = None
    show_ids: bool = False
    title: str = ""


def _role(v: Value, outputs: set[Value], params: set[Value], param_cls: type | None) -> str:
    if v in outputs:
        return "output"
    if v in params or (param_cls is not None and isinstance(v, param_cls)):
        return "parameter"
    if isinstance(v, Constant):
        return "constant"
    return "intermediate" if v.parents else "input"


def _edge_names(v: Value) -> list[str]:
    """Names of the inputs of an n-ary `dot` node (w₁.., x₁.., b), so its edges read well."""
    if v.op != "dot":
        return [""] * len(v.parents)
    n = len(v.parents) // 2
    sub = [str(i).translate(_SUBSCRIPTS) for i in range(n)]  # 0-based, like nn's w0, w1, ...
    return [f"w{s}" for s in sub] + [f"x{s}" for s in sub] + ["b"] * (len(v.parents) % 2)


def _value_label(
    v: Value, name: str, grad: float | None, role: str, spec: _Spec, idx: int, border: str
) -> str:
    cells: list[str] = []
    if spec.show_ids and not name:
        name = f"#{idx}"
        cells.append(f'<td><font color="#94a3b8">{escape(name)}</font></td>')
    elif name:
        cells.append(f"<td><b>{escape(name)}</b></td>")
    if role == "constant":  # a constant's gradient is never used: show just the number
        cells.append(f"<td>{escape(fmt(v.data, spec.digits))}</td>")
    else:
        cells.append(f"<td>data {escape(fmt(v.data, spec.digits))}</td>")
        if spec.show_grad:
            g = UNKNOWN if grad is None else fmt(grad, spec.digits)
            colour = "#94a3b8" if grad is None else "#b91c1c"
            cells.append(f'<td><font color="{colour}">grad {escape(g)}</font></td>')
    row = "<vr/>".join(cells)
    return (
        f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="4" color="{border}">'
        f"<tr>{row}</tr></table>>"
    )


def _legend_label(roles: set[str]) -> str:
    """One row of swatches for the roles present in the diagram, then ops and edges."""

    def swatch(fill: str, border: str, text: str) -> str:
        return (
            f'<td bgcolor="{fill}" color="{border}" border="1" style="rounded" width="16">'
            f'</td><td align="left">{text}</td>'
        )

    cells = [swatch(*ROLE_COLOURS[r], r) for r in ROLE_NAMES if r in roles]
    cells.append(swatch(OP_FILL, OP_BORDER, "operation"))
    cells.append(
        f'<td><font color="{DERIV_COLOUR}">1.5</font></td>'
        '<td align="left">on an edge: local derivative ∂out/∂in</td>'
    )
    return (
        '<table border="0" cellborder="0" cellspacing="4" cellpadding="2">'
        f"<tr>{''.join(cells)}</tr></table>"
    )


def _build(spec: _Spec) -> Diagram:
    order = spec.order
    index = {v: i for i, v in enumerate(order)}
    outputs = set(spec.roots)
    params = set(spec.params)
    param_cls = _parameter_class()
    names = spec.names or {}

    g = Diagram("autograd_lite")
    g.attr(rankdir=spec.rankdir, fontname=FONT, bgcolor="white", nodesep="0.25", ranksep="0.45")
    g.attr(pad="0.2")
    g.attr("node", fontname=FONT, fontsize="11", penwidth="1.2")
    g.attr("edge", fontname=FONT, fontsize="10", color=EDGE_COLOUR, arrowsize="0.7")

    # A node's cluster: the first group that lists it (nodes outside all groups stay loose).
    cluster_of: dict[Value, int] = {}
    group_names = list(spec.groups or {})
    for k, gname in enumerate(group_names):
        for v in (spec.groups or {})[gname]:
            if v in index:
                cluster_of.setdefault(v, k)
    bodies: list[list[tuple[str, dict[str, str]]]] = [[] for _ in group_names]
    loose: list[tuple[str, dict[str, str]]] = []

    roles: set[str] = set()
    for i, v in enumerate(order):
        role = _role(v, outputs, params, param_cls)
        roles.add(role)
        fill, border = ROLE_COLOURS[role]
        if spec.grads is None:
            grad: float | None = v.grad
        else:
            grad = spec.grads.get(v)
        name = names.get(v, v.label)
        attrs = {
            "label": _value_label(v, name, grad, role, spec, i, border),
            "shape": "box",
            "style": "rounded,filled" + (",dashed" if role == "constant" else ""),
            "fillcolor": fill,
            "color": border,
        }
        if role == "output":
            attrs["penwidth"] = "2"
        if v is spec.highlight:
            attrs.update(color=HIGHLIGHT, penwidth="3")
        nodes = [(f"v{i}", attrs)]
        if v.parents:
            op_attrs = {
                "label": f"<{escape(op_text(v.op))}>",
                "shape": "circle" if len(op_text(v.op)) <= 2 else "box",
                "style": "rounded,filled",
                "fillcolor": OP_FILL,
                "color": OP_BORDER,
                "fontsize": "13",
                "margin": "0.04",
                "width": "0.35",
                "height": "0.35",
            }
            nodes.append((f"o{i}", op_attrs))
        target = bodies[cluster_of[v]] if v in cluster_of else loose
        target.extend(nodes)

    # Graphviz stacks a rank's nodes in the order they are declared, which in "LR" puts the
    # last-declared on top: declare in reverse so inputs read top-down in parent order.
    for name_, attrs in reversed(loose):
        g.node(name_, **attrs)
    for k, gname in reversed(list(enumerate(group_names))):
        if not bodies[k]:
            continue
        with g.subgraph(name=f"cluster_{k}") as c:
            c.attr(
                label=f"<<b>{escape(gname)}</b>>",
                style="rounded,dashed",
                color="#a8a29e",
                fontcolor="#57534e",
                fontsize="11",
            )
            for name_, attrs in reversed(bodies[k]):
                c.node(name_, **attrs)

    for i, v in enumerate(order):
        if not v.parents:
            continue
        g.edge(f"o{i}", f"v{i}", color=OP_BORDER)
        # One edge per parent position, so a node used twice (a + a) gets two edges.
        for p, lg, ename in zip(v.parents, v.local_grads, _edge_names(v)):
            attrs = {}
            if spec.show_local_grads:
                text = f"{ename} ∂={fmt(lg, spec.digits)}" if ename else fmt(lg, spec.digits)
                attrs["label"] = f'<<font color="{DERIV_COLOUR}">{escape(text)}</font>>'
            if p is spec.highlight:
                attrs.update(color=HIGHLIGHT, penwidth="2")
            g.edge(f"v{index[p]}", f"o{i}", **attrs)

    # Title and legend go in the graph's own label, so they never disturb the layout.
    rows = []
    if spec.title:
        rows.append(
            f'<tr><td><font point-size="13">{escape(spec.title, limit=400)}</font></td></tr>'
        )
    if spec.legend:
        rows.append(f"<tr><td>{_legend_label(roles)}</td></tr>")
    if rows:
        label = f'<<table border="0" cellborder="0" cellspacing="0">{"".join(rows)}</table>>'
        g.attr(label=label, labelloc="t" if spec.title else "b", fontsize="10")
    return g


# --------------------------------------------------------------------------- public API


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    max_nodes: int = 500,
    show_grad: bool = True,
    show_local_grads: bool = True,
    legend: bool = False,
    grads: Mapping[Value, float] | None = None,
    params: Iterable[Value] = (),
    groups: Mapping[str, Iterable[Value]] | None = None,
    digits: int = 4,
    title: str = "",
) -> Diagram:
    """Draw the graph below `root`: values and grads in boxes, ops in circles, ∂ on edges.

    Each value node shows its label (when set), `data` and `grad`; each op node its op (`+ × −
    ÷ xʸ −x Σ`, or a name such as `tanh`, `dot`); each edge from an input to an op its local
    derivative ∂out/∂in (a node used twice has two edges). Colours mark roles: input, parameter
    (`nn.Parameter`, or listed in `params`), constant, intermediate and output (`root`).
    Nodes are named by topological position, so the same graph always gives the same DOT text.

    Args:
        root: the output node; everything it depends on is drawn.
        rankdir: Graphviz layout direction: "LR" (left to right) or "TB" (top to bottom).
        max_nodes: refuse graphs with more value nodes than this (`ValueError`).
        show_grad: show the gradient in each value node.
        show_local_grads: write the local derivative on each edge.
        legend: add a small legend of the roles.
        grads: gradients to show instead of `.grad`, e.g. `grad_table(root)`; nodes missing
            from it show `?`.
        params: extra nodes to style as parameters.
        groups: cluster name → nodes drawn inside a dashed box (e.g. one per neuron).
        digits: significant digits of the numbers.
        title: a caption above the diagram.

    Returns:
        A `Diagram` (a `graphviz.Digraph`): shows itself in Jupyter; `.source` is the DOT text;
        `.render_to("graph.svg")` or `save(diagram, path)` writes SVG, PNG or PDF.

    Raises:
        ValueError: the graph has more than `max_nodes` value nodes.

    >>> from autograd_lite import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> L = a * b + a
    >>> L.label = "L"
    >>> L.backward()
    >>> dot = draw_dot(L)
    >>> edges = [line.strip() for line in dot.source.splitlines() if "->" in line]
    >>> len(edges)  # a→×, b→×, ×→node, node→+, a→+, +→L
    6
    >>> edges[1]  # a is node v0; ∂(a·b)/∂a = b = -3 is written on its edge into the × node
    'v0 -> o2 [label=<<font color="#7c3aed">-3</font>>]'
    >>> "grad -2" in dot.source  # ∂L/∂a = b + 1
    True
    """
    order = topological_order(root)
    _check_size(len(order), max_nodes)
    spec = _Spec(
        order=order,
        roots=(root,),
        grads=grads,
        show_grad=show_grad,
        show_local_grads=show_local_grads,
        legend=legend,
        rankdir=rankdir,
        digits=digits,
        params=params,
        groups=groups,
        title=title,
    )
    return _build(spec)


def _as_inputs(x: Iterable[Any]) -> list[Value]:
    xs: list[Value] = []
    for i, xi in enumerate(x):
        xs.append(xi if isinstance(xi, Value) else Value(xi, label=f"x{i}"))
    return xs


def _layers(model: Any) -> list[list[Any]]:
    """The neurons of `model`, layer by layer: an MLP (`.layers`), a Layer or a Neuron."""
    if hasattr(model, "layers"):
        return [list(layer.neurons) for layer in model.layers]
    if hasattr(model, "neurons"):
        return [list(model.neurons)]
    if hasattr(model, "w"):
        return [[model]]
    raise TypeError(
        f"draw_model() needs a Neuron, Layer or MLP (with .w, .neurons or .layers), "
        f"got {type(model).__name__}"
    )


def draw_model(
    model: Any,
    x: Iterable[Any],
    *,
    backward: bool = True,
    max_nodes: int = 500,
    **kwargs: Any,
) -> Diagram:
    """Run `model` on one input `x` and draw its graph with one dashed cluster per neuron.

    The forward pass is run neuron by neuron, layer by layer (what `MLP.__call__` does), so each
    neuron's nodes are known. Weights show as `w0 w1 …` and biases as `b` unless labelled.

    Args:
        model: an `nn.Neuron`, `nn.Layer` or `nn.MLP`.
        x: one input sample (numbers or Values); numbers become inputs labelled x0, x1, ...
        backward: show ∂output/∂node (computed here; no `.grad` is changed). Needs a single
            output; with several outputs, or `backward=False`, the `.grad` fields are shown.
        max_nodes: refuse graphs with more value nodes than this (`ValueError`).
        **kwargs: passed on to `draw_dot` (`rankdir`, `legend`, `digits`, `title`, ...).

    Returns:
        The `Diagram`.
    """
    layers = _layers(model)
    xs = _as_inputs(x)
    seen: set[Value] = set(xs)
    groups: dict[str, list[Value]] = {"input": xs}
    names: dict[Value, str] = {}
    outs: list[Value] = xs
    for li, neurons in enumerate(layers):
        new_outs: list[Value] = []
        for ni, neuron in enumerate(neurons):
            out = neuron(outs)
            new_outs.append(out)
            for k, w in enumerate(neuron.w):
                names.setdefault(w, w.label or f"w{k}")
            names.setdefault(neuron.b, neuron.b.label or "b")
            # A neuron's nodes: everything its output needs that earlier neurons did not make.
            members = [v for v in topological_order(out) if v not in seen]
            seen.update(members)
            title = f"neuron {ni + 1}" if len(layers) == 1 else f"layer {li + 1}, neuron {ni + 1}"
            groups[title] = members
        outs = new_outs
    params = model.parameters() if hasattr(model, "parameters") else list(names)
    order = _merged_order(outs)
    _check_size(len(order), max_nodes)
    grads = grad_table(outs[0]) if backward and len(outs) == 1 else None
    spec = _Spec(order=order, roots=outs, grads=grads, params=params, groups=groups, names=names)
    for key, value in kwargs.items():
        if key not in {"rankdir", "show_grad", "show_local_grads", "legend", "digits", "title"}:
            raise TypeError(f"draw_model() got an unexpected keyword argument {key!r}")
        setattr(spec, key, value)
    return _build(spec)


# --------------------------------------------------------------------------- backward frames


def _factor(x: float) -> str:
    """A number inside a product: negatives in parentheses, so -2·-3 reads (-2)·(-3)."""
    text = fmt(x)
    return f"({text})" if text.startswith("-") else text


def _display_name(v: Value, index: Mapping[Value, int]) -> str:
    return v.label or f"#{index[v]}"


class BackwardFrames(Sequence[Diagram]):
    """The diagrams of one reverse pass, one per node, in reverse topological order.

    Frame k highlights `order[k]`, whose gradient has just been completed, and shows the
    gradients known so far (`?` for the rest); its caption is the grad-table entry. The last
    frame shows every gradient of `grad_table(root)`. Frames are drawn when asked for.

    In Jupyter the object shows a slider (ipywidgets); `save(directory)` writes
    `frame_000.svg`, `frame_001.svg`, ...
    """

    def __init__(self, root: Value, *, seed: float = 1.0, **draw_kwargs: Any) -> None:
        self.root = root
        topo = topological_order(root)
        _check_size(len(topo), int(draw_kwargs.pop("max_nodes", 500)))
        self._topo = topo
        self._index = {v: i for i, v in enumerate(topo)}
        #: The nodes in the order their gradients are completed: the root first.
        self.order: list[Value] = topo[::-1]
        #: The final grad table, node → ∂root/∂node · seed (no `.grad` is touched).
        self.grads: dict[Value, float] = grad_table(root, seed)
        self.seed = seed
        self._kwargs = draw_kwargs
        self._cache: dict[int, Diagram] = {}

    def __len__(self) -> int:
        return len(self.order)

    @overload
    def __getitem__(self, k: int) -> Diagram: ...

    @overload
    def __getitem__(self, k: slice) -> Sequence[Diagram]: ...

    def __getitem__(self, k: int | slice) -> Diagram | Sequence[Diagram]:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        n = len(self)
        if not -n <= k < n:
            raise IndexError(f"frame {k} out of range: there are {n} frames")
        k %= n
        if k not in self._cache:
            self._cache[k] = self._draw(k)
        return self._cache[k]

    def __iter__(self) -> Iterator[Diagram]:
        return (self[k] for k in range(len(self)))

    def table(self, k: int) -> dict[Value, float]:
        """The grad table after step `k`: the nodes `order[: k + 1]` and their gradients."""
        return {v: self.grads[v] for v in self.order[: k + 1]}

    def caption(self, k: int) -> str:
        """The grad-table entry completed at step `k`, with the sum it comes from."""
        v = self.order[k]
        name = _display_name(v, self._index)
        head = f"step {k + 1}/{len(self)}: grad[{name}]"
        if k == 0:
            return f"{head} = {fmt(self.seed)}  (the seed: ∂{name}/∂{name})"
        # Σ over every use of v: grad[consumer] · ∂consumer/∂v (consumers come later in topo).
        terms = [
            f"{_factor(self.grads[c])}·{_factor(lg)}"
            for c in self._topo[self._index[v] + 1 :]
            for p, lg in zip(c.parents, c.local_grads)
            if p is v
        ]
        shown = " + ".join(terms[:4]) + (f" + … ({len(terms)} terms)" if len(terms) > 4 else "")
        return f"{head} = Σ grad[use]·∂use/∂in = {shown} = {fmt(self.grads[v])}"

    def _draw(self, k: int) -> Diagram:
        spec = _Spec(
            order=self._topo,
            roots=(self.root,),
            grads=self.table(k),
            highlight=self.order[k],
            show_ids=True,
            title=self.caption(k),
        )
        for key, value in self._kwargs.items():
            if key not in {"rankdir", "show_local_grads", "legend", "digits", "params", "groups"}:
                raise TypeError(f"backward_frames() got an unexpected keyword argument {key!r}")
            setattr(spec, key, value)
        return _build(spec)

    def save(self, directory: str | Path, *, format: str = "svg") -> list[Path]:
        """Write every frame as `frame_000.<format>`, `frame_001.<format>`, ... in `directory`.

        Raises:
            GraphvizNotFoundError: Graphviz's `dot` is not installed.
        """
        directory = Path(directory)
        width = max(3, len(str(len(self) - 1)))
        return [
            save(frame, directory / f"frame_{k:0{width}d}.{format}") for k, frame in enumerate(self)
        ]

    def widget(self) -> Any:
        """An ipywidgets slider that steps through the frames (rendered as SVG on demand).

        Raises:
            ImportError: ipywidgets is not installed (`pip install ipywidgets`).
        """
        try:
            widgets = importlib.import_module("ipywidgets")
        except ImportError as exc:
            raise ImportError(
                "the frame slider needs ipywidgets: `pip install ipywidgets` "
                "(or `pip install 'autograd-lite[notebook]'`), then restart the kernel; "
                "meanwhile frames[k] shows one frame and frames.save(dir) writes them all"
            ) from exc
        slider = widgets.IntSlider(
            value=0, min=0, max=len(self) - 1, description="step", continuous_update=False
        )
        view = widgets.HTML(value=self._frame_html(0))

        def on_change(change: dict[str, Any]) -> None:
            view.value = self._frame_html(int(change["new"]))

        slider.observe(on_change, names="value")
        return widgets.VBox([slider, view])

    def _frame_html(self, k: int) -> str:
        try:
            return _run_dot(self[k], "svg").decode("utf-8")
        except GraphvizNotFoundError:
            return _fallback_html(self[k].source)

    def _ipython_display_(self) -> None:
        display = importlib.import_module("IPython.display")
        try:
            display.display(self.widget())
        except ImportError as exc:
            display.display(display.HTML(f"<p>{html.escape(str(exc))}</p>"))
            display.display(self[len(self) - 1])

    def __repr__(self) -> str:
        return f"<BackwardFrames: {len(self)} frames of the backward pass from {self.root!r}>"


def backward_frames(root: Value, *, seed: float = 1.0, **draw_kwargs: Any) -> BackwardFrames:
    """The backward pass below `root` as a sequence of diagrams, one per node.

    Goodfellow et al.'s Algorithm 6.2 made visible: nodes are visited in reverse topological
    order starting at `root`; frame k highlights the node whose gradient was just completed,
    shows the gradients known so far (`?` for the others) and captions the grad-table entry
    `grad[node] = Σ grad[use]·∂use/∂node`. The `.grad` of the nodes is never changed.

    Args:
        root: the output node.
        seed: ∂root/∂root, 1.0 as in `backward()`.
        **draw_kwargs: `max_nodes`, `rankdir`, `show_local_grads`, `legend`, `digits`,
            `params`, `groups` (as in `draw_dot`).

    Returns:
        A `BackwardFrames` sequence of `Diagram`s; in Jupyter it shows a slider.
    """
    return BackwardFrames(root, seed=seed, **draw_kwargs)
