"""The DOT text of a computation graph: value boxes, op circles, a local derivative per edge.

`draw_dot` is the public entry point; `Spec` and `build` are shared with `draw_model` and the
backward frames, which ask for more (names, clusters, ordered columns, ids).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise

from ..core import Value
from ..teaching.names import graph_order
from .cells import Attrs, graph_label, op_attrs, value_label
from .checks import (
    check_digits,
    check_flag,
    check_grads,
    check_groups,
    check_max_nodes,
    check_rankdir,
    check_roots,
    check_size,
    check_text,
    check_values,
)
from .edges import edge_attrs
from .labels import EDGE_COLOUR, FONT, OP_BORDER, ROLE_COLOURS, bold, escape, role
from .render import Diagram
from .routes import highlight_of
from .spec import Spec

__all__ = ["build", "draw_dot"]

# Past this many value nodes, Graphviz's layout gets a time budget: a few passes of its
# crossing reduction and network simplex instead of running them to the end (seconds → <1 s).
LARGE_GRAPH = 150


def _chain(g: Diagram, names: Sequence[str]) -> None:
    """Invisible edges that keep `names` in order inside their rank, first at the top/left.

    Outside clusters, and with the final remincross pass off (as `build` sets for drawings
    with columns), Graphviz puts the tail of such a flat edge first; the model tests render
    drawings and check the order. (Inside a cluster the order comes out reversed, so columns
    are ordered only outside clusters.)
    """
    for a, b in pairwise(names):
        g.edge(a, b, style="invis")


def build(spec: Spec) -> Diagram:
    """The `Diagram` of `spec`: nodes named v<k> (values) and o<k> (ops) by topological index."""
    order = spec.order
    index = {v: i for i, v in enumerate(order)}
    outputs = set(spec.roots)
    params = set(spec.params)
    light = spec.highlight
    names = spec.node_names()

    # From top to bottom, labels stand beside the edges and push a rank's nodes apart: there,
    # and where asked, an edge's number goes under its fraction, and the ranks need less room.
    narrow = spec.narrow_edges or spec.rankdir in ("TB", "BT")
    ranksep = "0.3" if narrow else "0.45"

    g = Diagram("autograd_lite")
    g.attr(rankdir=spec.rankdir, fontname=FONT, bgcolor="white", nodesep="0.25", ranksep=ranksep)
    g.attr(pad="0.2")
    if spec.columns:
        # The final crossing reduction over the whole graph ignores the order within ranks.
        g.attr(remincross="false")
    if len(order) > LARGE_GRAPH:
        g.attr(nslimit="1", nslimit1="1", mclimit="0.1")
    g.attr("node", fontname=FONT, fontsize="11", penwidth="1.2")
    g.attr("edge", fontname=FONT, fontsize="10", color=EDGE_COLOUR, arrowsize="0.7")

    # A node's cluster: the first group that lists it (nodes outside all groups stay loose).
    cluster_of: dict[Value, int] = {}
    group_names = list(spec.groups)
    for k, gname in enumerate(group_names):
        for v in spec.groups[gname]:
            if v in index:
                cluster_of.setdefault(v, k)
    column_of: dict[Value, int] = {}
    for k, column in enumerate(spec.columns):
        for v in column:
            if v in index:
                column_of.setdefault(v, k)

    roles: set[str] = set()
    declared: dict[str, Attrs] = {}
    for i, v in enumerate(order):
        kind = role(v, outputs, params)
        roles.add(kind)
        fill, border = ROLE_COLOURS[kind]
        grad = v.grad if spec.grads is None else spec.grads.get(v)
        attrs = {
            "label": value_label(v, spec.box_name(v, names), grad, kind, spec, border),
            "shape": "box",
            "style": "rounded,filled" + (",dashed" if kind == "constant" else ""),
            "fillcolor": fill,
            "color": border,
        }
        if kind == "output":
            attrs["penwidth"] = "2"
        colour = light.node_colour(v)
        if colour:
            attrs.update(color=colour, penwidth="3")
        declared[f"v{i}"] = attrs
        if v.parents and not spec.ops_inside:
            declared[f"o{i}"] = op_attrs(v, light.reached(v))

    def emit(target: Diagram, members: list[Value], in_cluster: bool) -> None:
        """Declare the nodes of `members`: ordered columns first, then the rest."""
        in_columns: dict[int, list[Value]] = {}
        loose: list[str] = []
        for v in members:
            if v in column_of:
                in_columns.setdefault(column_of[v], []).append(v)
            else:
                loose.extend(f"{p}{index[v]}" for p in "vo" if f"{p}{index[v]}" in declared)
        # Graphviz stacks a rank's loose nodes in the order they are declared, which in "LR"
        # puts the last-declared on top: declare in reverse so inputs read top-down.
        for name in reversed(loose):
            target.node(name, **declared[name])
        for k in sorted(in_columns):
            column = sorted(in_columns[k], key=spec.columns[k].index)
            for prefix in "vo":
                names = [f"{prefix}{index[v]}" for v in column]
                names = [n for n in names if n in declared]
                if prefix == "v" and k in spec.headers:
                    head = f"c{k}"
                    declared[head] = {
                        "label": f"<{bold(spec.headers[k], 60)}>",
                        "shape": "plaintext",
                        "fontcolor": "#57534e",
                    }
                    names.insert(0, head)
                if not names:
                    continue
                with target.subgraph() as s:
                    s.attr(rank="same")
                    for name in names:
                        s.node(name, **declared[name])
                    if not in_cluster:
                        _chain(s, names)

    emit(g, [v for v in order if v not in cluster_of], in_cluster=False)
    for k, gname in reversed(list(enumerate(group_names))):
        members = [v for v in order if cluster_of.get(v) == k]
        if not members:
            continue
        with g.subgraph(name=f"cluster_{k}") as c:
            title = bold(gname)
            c.attr(label=f"<{title}>", style="rounded,dashed", color="#a8a29e")
            c.attr(fontcolor="#57534e", fontsize="11")
            emit(c, members, in_cluster=True)

    edge_kinds: set[str] = set()
    for i, v in enumerate(order):
        if not v.parents:
            continue
        head = f"v{i}" if spec.ops_inside else f"o{i}"
        if not spec.ops_inside:
            colour = light.reached(v)
            op_edge: Attrs = {"color": colour or OP_BORDER}
            if colour:
                op_edge["penwidth"] = "2.5"
            g.edge(f"o{i}", f"v{i}", **op_edge)
        # One edge per parent slot, so a node used twice (a + a) gets two edges.
        for slot, (p, local) in enumerate(v.edges):
            kind, edge = edge_attrs(
                p, local, names[v], names[p], spec.digits, spec.show_local_grads, narrow
            )
            edge_kinds.add(kind)
            colour = light.edge_colour(v, slot)
            if colour:
                edge.update(color=colour, penwidth="2.5")
            minlen = spec.minlen.get((v, slot))
            if minlen is not None:
                edge["minlen"] = str(minlen)
            g.edge(f"v{index[p]}", head, **edge)

    label = graph_label(spec, roles, edge_kinds)
    title = escape(spec.title, 400)
    if label:
        g.attr(label=label, labelloc="t" if title else "b", fontsize="10")
    g.counts = (len(order), 0 if spec.ops_inside else sum(1 for v in order if v.parents))
    return g


def draw_dot(
    root: Value | Sequence[Value],
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
    highlight: object = None,
) -> Diagram:
    """Draw the graph below `root`: values and grads in boxes, ops in circles, ∂ on edges.

    Each value node shows its name, `data` and `grad`: the name every teaching tool gives it
    (`node_names`: its label, else its op with a count such as `*₁` or `tanh₂`; a number
    literal shows just its number). Each op node shows its op (`+ × − ÷ xʸ −x Σ`, or a name
    such as `tanh`, `dot`). The edge from input `a` into the op that makes `c` carries the
    local derivative in the nodes' names, `∂c/∂a = 0.82` (a name longer than 8 characters is
    cut short with `…`; one that reads as an expression goes in parentheses, `∂(*₁)/∂a`). A
    node used twice has two edges. An absent edge, a branch not taken (relu below 0, the
    unused side of max or min, clamp outside its range, step), is dashed and grey and reads
    "not selected": it adds no term to any gradient. An edge from a number literal (the 2 in
    `x**2`) carries nothing. Colours mark roles: input, parameter (`nn.Parameter`, or listed
    in `params`), constant, intermediate and output (`root`). Nodes are named in the DOT text
    by topological position, so the same graph always gives the same DOT text. Any label is
    safe: line breaks break lines, characters no image can hold show as escapes such as
    `\\x00`.

    Args:
        root: the output node, or a list of several drawn together (their names are over
            the union of their graphs, so the nodes below the first keep their names);
            everything they depend on is drawn.
        rankdir: Graphviz layout direction: "LR" (left to right), "TB" (top to bottom),
            "RL" or "BT".
        max_nodes: refuse graphs with more value nodes than this (`ValueError`).
        show_grad: show the gradient in each value node.
        show_local_grads: write the local derivative (or "not selected") on each edge.
        legend: add a small legend of the roles and of what the edges say.
        grads: gradients to show instead of `.grad`, e.g. `grad_table(root)`; nodes missing
            from it show `?`.
        params: extra nodes to style as parameters.
        groups: cluster name → nodes drawn inside a dashed box (e.g. one per neuron).
        digits: significant digits of the numbers (1 to 17).
        title: a caption above the diagram.
        highlight: a node, a route of influence (anything with `.nodes` from input to output,
            such as one of `routes(output, input)`) or a list of them, drawn in colour; several
            routes get one colour each (up to eight) and a key with their products.

    Returns:
        A `Diagram` (a `graphviz.Digraph`): shows itself in Jupyter, scaled to the cell width;
        `.source` is the DOT text; `.render_to("graph.svg")` or `save(diagram, path)` writes
        SVG, PNG or PDF.

    Raises:
        TypeError: `root` is not a Value (or a list of Values), or an argument has the wrong
            type.
        ValueError: the graph has more than `max_nodes` value nodes, or an argument is out of
            range (the message names it).

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
    'v0 -> o2 [label=<<font color="#7c3aed">∂(*₁)/∂a = -3</font>>]'
    >>> "<b>*₁</b>" in dot.source and "grad -2" in dot.source  # the product's name; ∂L/∂a = b + 1
    True
    """
    fn = "draw_dot"
    roots = check_roots(root, fn)
    max_nodes = check_max_nodes(max_nodes, fn)
    spec = Spec(
        order=[],
        roots=roots,
        grads=check_grads(grads, fn),
        show_grad=check_flag(show_grad, "show_grad", fn),
        show_local_grads=check_flag(show_local_grads, "show_local_grads", fn),
        legend=check_flag(legend, "legend", fn),
        rankdir=check_rankdir(rankdir, fn),
        digits=check_digits(digits, fn),
        params=check_values(params, "params", fn),
        groups=check_groups(groups, fn),
        title=check_text(title, "title", fn),
    )
    spec.order = graph_order(roots)
    check_size(len(spec.order), max_nodes, fn)
    spec.highlight = highlight_of(highlight, spec.node_names(), fn)
    return build(spec)
