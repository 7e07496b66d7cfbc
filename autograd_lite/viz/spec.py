"""What one drawing asks for: the nodes, what to show, names, groups, order and highlights.

`draw_dot`, `draw_model` and the backward frames fill a `Spec`; `dot.build` turns it into DOT.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..core import Constant, Value
from ..teaching.names import node_names
from .routes import Highlight

__all__ = ["Spec"]


@dataclass
class Spec:
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
    groups: Mapping[str, Sequence[Value]] = field(default_factory=dict)
    #: What to call nodes (a network picture's w⁽ˡ⁾ᵢⱼ …); every other node, and any given "",
    #: goes by its name from `node_names` over the roots.
    names: Mapping[Value, str] = field(default_factory=dict)
    highlight: Highlight = field(default_factory=Highlight)
    title: str = ""
    #: Lines of text under the diagram (e.g. what the names of a model drawing mean).
    notes: Sequence[str] = ()
    #: Nodes drawn in one column (one rank), in this order from the top (LR) or left (TB).
    columns: Sequence[Sequence[Value]] = ()
    #: (upper node, parent slot) → the least number of ranks that edge spans.
    minlen: Mapping[tuple[Value, int], int] = field(default_factory=dict)
    #: Column index → a heading drawn at the top of that column.
    headers: Mapping[int, str] = field(default_factory=dict)
    #: Write a node's name above its numbers (narrower boxes for wide drawings).
    stacked: bool = False
    #: Write a node's name, data and grad each on its own line (the narrowest boxes, for
    #: drawings from top to bottom).
    tall: bool = False
    #: Write an edge's number under its fraction (∂c/∂a over = 0.5), for narrow drawings; a
    #: drawing from top to bottom always does.
    narrow_edges: bool = False
    #: Draw each op inside the node it makes, after its name (no op circles): `formulas[v]`
    #: if given, else the op's symbol.
    ops_inside: bool = False
    formulas: Mapping[Value, str] = field(default_factory=dict)

    def node_names(self) -> dict[Value, str]:
        """Every node's name: `names` where given (and not ""), else its `node_names` name over
        the roots (the one name routes, captions and `check_by_hand` use)."""
        out = node_names(*self.roots) if self.roots else {}
        out.update((v, name) for v, name in self.names.items() if name)
        return out

    def box_name(self, v: Value, names: Mapping[Value, str]) -> str:
        """The name written in `v`'s box: none for an unlabelled number literal, whose name is
        the number the box shows anyway."""
        if isinstance(v, Constant) and not v.label and not self.names.get(v):
            return ""
        return names.get(v, "")
