"""The backward pass step by step: Goodfellow et al.'s grad table filling up, one node a frame.

In a notebook `backward_frames(root)` shows a self-contained HTML player (no kernel needed);
the graph is laid out once, and the frames change only numbers and colours.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, overload

from ..core import Constant, Value, grad_table, topological_order
from ..teaching.names import node_names
from .checks import (
    check_digits,
    check_flag,
    check_groups,
    check_max_nodes,
    check_rankdir,
    check_root,
    check_seed,
    check_size,
    check_values,
)
from .dot import build
from .labels import fmt, plain
from .layout import Layout
from .player import page, player_html
from .render import (
    Diagram,
    GraphvizNotFoundError,
    Picture,
    fallback_html,
    fit_svg,
    natural_size,
    png_picture,
    rich_display,
    run_dot,
    save,
)
from .routes import highlight_of
from .spec import Spec

__all__ = ["BackwardFrames", "backward_frames"]

_HTML_SUFFIXES = (".html", ".htm")


def _factor(x: float) -> str:
    """A number inside a product: negatives in parentheses, so -2·-3 reads (-2)·(-3)."""
    text = fmt(x)
    return f"({text})" if text.startswith("-") else text


class BackwardFrames(Sequence[Diagram]):
    """The frames of one reverse pass, one per node, in reverse topological order.

    Frame k highlights `order[k]`, whose gradient has just been completed, and shows the
    gradients known so far (`?` for the rest); its caption is the grad-table entry. The last
    frame shows every gradient of `grad_table(root)`. Number literals get no frame (they get
    no gradient), and a node that no term reaches shows 0 with a caption that says why.

    In Jupyter (and in any exported page or notebook viewer) it shows an HTML player: step,
    play and a slider, all frames inside. Where no script may run (JupyterLab for a notebook it
    has not signed, notebook web pages), it shows a picture of its last step instead (the last
    that completes a gradient, see `still`); its rich display also holds that picture as PNG.
    `save("frames.html")` writes the player as a page, `save("frames/")` one SVG per frame;
    `frames[k]` is frame k as its own `Diagram`.
    """

    def __init__(self, root: Value, *, seed: float, max_nodes: int, spec: Spec) -> None:
        self.root = root
        topo = topological_order(root)
        check_size(len(topo), max_nodes, "backward_frames")
        self._topo = topo
        self._index = {v: i for i, v in enumerate(topo)}
        self._names = node_names(root)
        #: The nodes in the order their gradients are completed: the root first, literals left out.
        self.order: list[Value] = [v for v in reversed(topo) if not isinstance(v, Constant)]
        #: The final grad table, node → ∂root/∂node · seed (no `.grad` is touched).
        self.grads: dict[Value, float] = grad_table(root, seed)
        self.seed = seed
        self._spec = spec
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
        """The grad table after step `k`: the nodes `order[: k + 1]` and their gradients (0.0 for
        a node that no term reached)."""
        return {v: self.grads.get(v, 0.0) for v in self.order[: k + 1]}

    def _name(self, v: Value) -> str:
        return plain(self._names[v])

    def caption(self, k: int) -> str:
        """The grad-table entry completed at step `k`, with the sum it comes from."""
        v = self.order[k]
        name = self._name(v)
        head = f"step {k + 1}/{len(self)}: grad[{name}]"
        if k == 0:
            return f"{head} = {fmt(self.seed)}  (the seed: ∂{name}/∂{name})"
        # Σ over every use of v that carries a term: grad[consumer] · ∂consumer/∂v.
        uses = [(c, d) for c, d in self._uses.get(v, ()) if c in self.grads]
        if not uses:
            return f"{head} = 0  (no term reaches {name}: every edge from it is not selected)"
        terms = [f"{_factor(self.grads[c])}·{_factor(d)}" for c, d in uses]
        shown = " + ".join(terms[:4]) + (f" + … ({len(terms)} terms)" if len(terms) > 4 else "")
        return f"{head} = Σ grad[use]·∂use/∂in = {shown} = {fmt(self.grads[v])}"

    @cached_property
    def _uses(self) -> dict[Value, list[tuple[Value, float]]]:
        """node → (consumer, ∂consumer/∂node) for every present edge it is the parent of, in
        topological order of the consumers (absent edges carry no derivative)."""
        uses: dict[Value, list[tuple[Value, float]]] = {}
        for c in self._topo:
            for p, d in c.edges:
                if d is not None:
                    uses.setdefault(p, []).append((c, d))
        return uses

    def _spec_for(self, **changes: Any) -> Spec:
        spec = Spec(**{**vars(self._spec), "order": self._topo, "roots": (self.root,)})
        for key, value in changes.items():
            setattr(spec, key, value)
        return spec

    def _draw(self, k: int) -> Diagram:
        light = highlight_of(self.order[k], self._names, "backward_frames")
        return build(self._spec_for(grads=self.table(k), highlight=light, title=self.caption(k)))

    # ----------------------------------------------------------------- one layout, many frames

    @cached_property
    def _layout(self) -> Layout:
        """The graph laid out once, with every gradient in place (one run of `dot`)."""
        svg = run_dot(build(self._spec_for(grads=self.grads)), "svg")
        return Layout.cut(svg.decode("utf-8"), self._grad_texts())

    def _grad_texts(self) -> list[str | None]:
        """Each node's final grad as shown (None for constants, which show no gradient)."""
        digits = self._spec.digits
        grads = self.grads
        return [
            None if isinstance(v, Constant) else fmt(grads.get(v, 0.0), digits) for v in self._topo
        ]

    def frame_svg(self, k: int) -> str:
        """Frame `k` as an SVG document (from the one layout; its caption on top).

        Raises:
            GraphvizNotFoundError: Graphviz's `dot` is not installed.
        """
        k = range(len(self))[k]
        done = {self._index[v] for v in self.order[: k + 1]}
        svg = self._layout.frame(done, self._index[self.order[k]])
        return self._layout.captioned(svg, self.caption(k))

    @property
    def still(self) -> int:
        """The step a still picture shows: the last (number literals have no step)."""
        return len(self) - 1

    @cached_property
    def picture(self) -> Picture:
        """Frame `still` (its caption on top) as a PNG for a notebook cell.

        Raises:
            GraphvizNotFoundError: Graphviz's `dot` is not installed.
        """
        frame = self[self.still]
        size = natural_size(run_dot(frame, "svg").decode("utf-8"))
        width, height = size if size is not None else (self._layout.width, self._layout.height)
        return png_picture(frame, width, height)

    def html(self) -> str:
        """The player as an HTML fragment: every frame's data inside, plain JavaScript.

        Without JavaScript the fragment shows `picture`.

        Raises:
            GraphvizNotFoundError: Graphviz's `dot` is not installed.
        """
        layout = self._layout
        final = layout.frame(set(range(len(self._topo))), -1)  # every gradient in place
        data: dict[str, object] = {
            "order": [self._index[v] for v in self.order],
            "grad": self._grad_texts(),
            "values": [None if v not in self.grads else repr(self.grads[v]) for v in self._topo],
            "names": [self._name(v) for v in self._topo],
            "captions": [self.caption(k) for k in range(len(self))],
        }
        return player_html(final, data, self.caption(self.still), len(self), self.picture)

    def _repr_html_(self) -> str:
        try:
            return self.html()
        except GraphvizNotFoundError:
            return fallback_html(self[len(self) - 1].source)

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The player (HTML), its still `picture` as PNG and text: (data, metadata) for IPython."""
        try:
            bundle: dict[str, Any] = {
                "text/html": self.html(),
                "image/png": self.picture.base64(),
                "text/plain": repr(self),
            }
        except GraphvizNotFoundError:
            fallback = {"text/html": fallback_html(self[len(self) - 1].source)}
            return rich_display({**fallback, "text/plain": repr(self)}, include, exclude), {}
        return rich_display(bundle, include, exclude), self.picture.metadata()

    def save(self, path: str | Path, *, format: str = "svg") -> list[Path]:
        """Write the player as one page (`"frames.html"`) or every frame into a directory.

        A path ending in `.html` gets the standalone player page (what a notebook shows).
        Any other path is a directory that gets `frame_000.<format>`, `frame_001.<format>`, ...
        (SVG from the one layout; other formats such as "png" run `dot` for each frame).

        Returns:
            The paths written.

        Raises:
            GraphvizNotFoundError: Graphviz's `dot` is not installed.
        """
        path = Path(path)
        if path.suffix.lower() in _HTML_SUFFIXES:
            text = page(self.html(), f"Backward pass of {self._name(self.root)}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return [path]
        width = max(3, len(str(len(self) - 1)))
        names = [path / f"frame_{k:0{width}d}.{format}" for k in range(len(self))]
        if format != "svg":
            return [save(self[k], name) for k, name in enumerate(names)]
        path.mkdir(parents=True, exist_ok=True)
        for k, name in enumerate(names):
            name.write_text(self.frame_svg(k), encoding="utf-8")
        return names

    def widget(self) -> Any:
        """An ipywidgets slider over the frames (for a live kernel; the player needs none).

        Raises:
            ImportError: ipywidgets is not installed (`pip install ipywidgets`).
        """
        try:
            widgets = importlib.import_module("ipywidgets")
        except ImportError as exc:
            raise ImportError(
                "the frame slider needs ipywidgets: `pip install ipywidgets`, then restart the "
                "kernel; the player that shows by itself needs nothing"
            ) from exc
        slider = widgets.IntSlider(
            value=0, min=0, max=len(self) - 1, description="step", continuous_update=True
        )
        view = widgets.HTML(value=self._frame_html(0))

        def on_change(change: Mapping[str, Any]) -> None:
            view.value = self._frame_html(int(change["new"]))

        slider.observe(on_change, names="value")
        return widgets.VBox([slider, view])

    def _frame_html(self, k: int) -> str:
        try:
            return fit_svg(self.frame_svg(k))
        except GraphvizNotFoundError:
            return fallback_html(self[k].source)

    def __repr__(self) -> str:
        return f"<BackwardFrames: {len(self)} frames of the backward pass from {self.root!r}>"


def backward_frames(
    root: Value,
    *,
    seed: float = 1.0,
    max_nodes: int = 500,
    rankdir: str = "LR",
    show_local_grads: bool = True,
    legend: bool = False,
    digits: int = 4,
    params: Iterable[Value] = (),
    groups: Mapping[str, Iterable[Value]] | None = None,
) -> BackwardFrames:
    """The backward pass below `root` as frames, one per node, shown by an HTML player.

    Goodfellow et al.'s Algorithm 6.2 made visible: nodes are visited in reverse topological
    order starting at `root`; frame k outlines the node whose gradient was just completed,
    shows the gradients known so far (`?` and faded for the others) and captions the grad-table
    entry `grad[node] = Σ grad[use]·∂use/∂node`. The `.grad` of the nodes is never changed.

    Args:
        root: the output node.
        seed: ∂root/∂root, 1.0 as in `backward()`.
        max_nodes: refuse graphs with more value nodes than this (`ValueError`).
        rankdir, show_local_grads, legend, digits, params, groups: as in `draw_dot`.

    Returns:
        A `BackwardFrames` sequence of `Diagram`s. In Jupyter, and in saved or exported
        notebooks, it shows a player (step, play/pause, slider) that needs no kernel.

    Raises:
        TypeError, ValueError: a bad argument (the message names it), a graph larger than
            `max_nodes`, or a root that is a number literal (it has no row to show).
    """
    fn = "backward_frames"
    check_root(root, fn)
    if isinstance(root, Constant):
        raise ValueError(
            f"backward_frames() needs a root that has a row in the grad table, got the number "
            f"literal {root.data!r} (a number met in an expression gets no gradient, so the "
            "backward pass has no step to show): pass the output node of the graph"
        )
    spec = Spec(
        order=[],
        roots=(root,),
        show_local_grads=check_flag(show_local_grads, "show_local_grads", fn),
        legend=check_flag(legend, "legend", fn),
        rankdir=check_rankdir(rankdir, fn),
        digits=check_digits(digits, fn),
        params=check_values(params, "params", fn),
        groups=check_groups(groups, fn),
    )
    # Narrow boxes, so that the player fits a notebook cell with its text still readable:
    # name over numbers from left to right, one line each from top to bottom.
    spec.stacked = spec.rankdir in ("LR", "RL")
    spec.tall = not spec.stacked
    spec.narrow_edges = True
    return BackwardFrames(
        root, seed=check_seed(seed, fn), max_nodes=check_max_nodes(max_nodes, fn), spec=spec
    )
