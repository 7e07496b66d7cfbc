"""Pictures of training: loss/accuracy curves and a 2-D decision boundary (matplotlib).

matplotlib is the optional extra `plot` (`pip install 'autograd-lite[plot]'`), imported lazily.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from .evaluation import (
    Label,
    Model,
    _target_class,
    check_threshold,
    output_cut,
    predict,
    task_for,
)
from .loop import History

__all__ = ["plot_decision_boundary", "plot_history"]

_INSTALL_HINT = "plotting needs matplotlib; install it with: pip install 'autograd-lite[plot]'"


def _figure(width: float, height: float) -> Any:
    """A matplotlib Figure drawn by the Agg backend, independent of pyplot's global state.

    Agg needs no display, so saving works headless; not going through pyplot means the figure
    is never shown twice in Jupyter nor kept alive by pyplot's figure list.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    if "ipykernel" in sys.modules:
        # In a notebook, importing pyplot installs the inline hook that displays Figures.
        import matplotlib.pyplot  # noqa: F401
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Any, path: str | os.PathLike[str] | None) -> None:
    if path is not None:
        fig.savefig(os.fspath(path), dpi=100)


def plot_history(
    history: History | Mapping[str, Sequence[float]],
    *,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
    loss_name: str | None = None,
) -> Any:
    """Loss and accuracy per epoch, side by side (accuracy only when it was measured).

    Args:
        history: what `fit` returned, or a dict with a `loss` list and optionally
            `accuracy`, `val_loss`, `val_accuracy` lists.
        path: if given, the figure is also saved there (the format follows the suffix).
        title: a title over both panels.
        loss_name: what the loss is, for the y axis (e.g. "binary cross-entropy"); by default
            the history's `loss_name` when it has one, else the name is "loss".

    Returns:
        The matplotlib `Figure` (it displays inline in Jupyter).

    Raises:
        ValueError: if the history has no loss values.
        ImportError: if matplotlib is not installed.
    """
    data = history.as_dict() if isinstance(history, History) else dict(history)
    name = _loss_name(history, loss_name)
    loss = list(data.get("loss", []))
    if not loss:
        raise ValueError("plot_history() needs a history with at least one 'loss' value")
    acc = [a for a in data.get("accuracy", []) if not math.isnan(a)]
    panels = 2 if acc else 1
    fig = _figure(5.0 * panels, 3.6)
    axes = fig.subplots(1, panels, squeeze=False)[0]
    epochs = range(1, len(loss) + 1)

    ax = axes[0]
    ax.plot(epochs, loss, label="train")
    if data.get("val_loss"):
        ax.plot(epochs, data["val_loss"], label="validation")
        ax.legend()
    # A loss that spans decades reads better on a log axis (only possible when positive).
    if min(loss) > 0 and max(loss) / min(loss) > 100:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel=name, title="loss" if name == "loss" else f"loss: {name}")
    ax.grid(alpha=0.3)

    if acc:
        ax = axes[1]
        ax.plot(epochs, [100 * a for a in data["accuracy"]], label="train", color="tab:green")
        val_acc = data.get("val_accuracy", [])
        if val_acc and not all(math.isnan(a) for a in val_acc):
            ax.plot(epochs, [100 * a for a in val_acc], label="validation", color="tab:red")
            ax.legend()
        ax.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy", ylim=(0, 101))
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    _save(fig, path)
    return fig


def plot_decision_boundary(
    model: Model,
    X: Sequence[Sequence[float]],
    y: Sequence[Label],
    *,
    resolution: int = 60,
    margin: float = 0.5,
    threshold: float | None = None,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
    class_names: Sequence[str] | None = None,
) -> Any:
    """The classes a model predicts over the plane, with the data points on top.

    The model is evaluated under `no_grad()` on a `resolution` × `resolution` grid spanning
    the data plus `margin` on every side (60 × 60 = 3600 forward passes: about a second for
    micrograd's MLP). Classes follow the rules of `training.fit` (sign for ±1 labels, 0.5 for
    0/1 labels or `threshold`, argmax for several outputs); for other labels the raw output
    is shaded instead.

    Args:
        model: a trained model taking two features.
        X: samples with exactly two features each.
        y: their labels (colour the points and choose the rule above).
        resolution: grid points per axis (2..400).
        margin: extra room around the data, in data units.
        threshold: the cut for a binary output (default as in `fit`).
        path: if given, the figure is also saved there.
        title: the axes title.
        class_names: names for the legend, one per class (index order; for two classes the
            negative class first); by default "class -1"/"class 1", "class 0", ...

    Each class has one colour (matplotlib's C0, C1, ...): its points and the region where the
    model predicts it, shaded lighter; the legend names the classes and the boundary line.

    Returns:
        The matplotlib `Figure`.

    Raises:
        ValueError: if X does not have two features, X and y differ in length, or the
            resolution is out of range.
        ImportError: if matplotlib is not installed.
    """
    if len(X) == 0 or len(X) != len(y):
        raise ValueError(f"need one label per sample, got {len(X)} samples and {len(y)} labels")
    if any(len(x) != 2 for x in X):
        raise ValueError("plot_decision_boundary() needs samples with exactly 2 features")
    if not 2 <= resolution <= 400:
        raise ValueError(f"resolution must be between 2 and 400, got {resolution}")
    fig = _figure(5.0, 4.4)
    ax = fig.subplots()

    xs = _linspace(min(p[0] for p in X) - margin, max(p[0] for p in X) + margin, resolution)
    ys = _linspace(min(p[1] for p in X) - margin, max(p[1] for p in X) + margin, resolution)
    grid = [[gx, gy] for gy in ys for gx in xs]
    outputs = predict(model, grid)
    task = task_for(y, outputs[:1], output_cut(model, None, check_threshold(threshold)))

    points: dict[str, Any] = {"s": 22, "edgecolors": "k", "linewidths": 0.6, "zorder": 3}
    px, py = [p[0] for p in X], [p[1] for p in X]
    if task is None:
        # Regression: shade the raw output value.
        zs = [o if isinstance(o, float) else o[0] for o in outputs]
        image = ax.contourf(xs, ys, _rows(zs, resolution), levels=20, cmap="RdBu_r", alpha=0.7)
        fig.colorbar(image, ax=ax, label="output")
        ax.scatter(px, py, c=[float(t) for t in y], cmap="RdBu_r", **points)
    else:
        if task.multiclass:
            rows = [o if isinstance(o, list) else [o] for o in outputs]
            k = len(rows[0])
            # Class c wins where its margin z_c − max_{j≠c} z_j is positive; contouring each
            # margin gives smooth boundaries, with no false strips of a middle class between.
            margins = [
                [r[c] - max(r[j] for j in range(k) if j != c) for r in rows] for c in range(k)
            ]
            classes = [int(_target_class(t, task)) % k for t in y]
        else:
            k = 2
            # Binary: the score output − threshold changes sign at the boundary; contouring the
            # continuous score (not the 0/1 classes) gives a smooth line. Class 1 is positive.
            scores = [(o if isinstance(o, float) else o[0]) - task.threshold for o in outputs]
            margins = [[-v for v in scores], scores]
            classes = [1 if float(_target_class(t, task)) == 1.0 else 0 for t in y]
        if class_names is not None and len(class_names) != k:
            raise ValueError(f"class_names needs {k} names, one per class, got {len(class_names)}")
        boundary = False
        for c in range(k):
            margin_c = margins[c]
            if max(margin_c) > 0.0:
                z = _rows(margin_c, resolution)
                top = max(margin_c) + 1.0
                ax.contourf(xs, ys, z, levels=[0.0, top], colors=[_colour(c)], alpha=0.25)
                if min(margin_c) < 0.0 and (task.multiclass or c == 1):  # one line each
                    ax.contour(xs, ys, z, levels=[0.0], colors="k", linewidths=1.0)
                    boundary = True
        for c in range(k):
            idx = [i for i, cls in enumerate(classes) if cls == c]
            label = _class_name(c, task, class_names)
            ax.scatter(
                [px[i] for i in idx], [py[i] for i in idx], color=_colour(c), label=label, **points
            )
        handles, names = ax.get_legend_handles_labels()
        if boundary:
            from matplotlib.lines import Line2D

            handles.append(Line2D([], [], color="k", linewidth=1.0))
            names.append("decision boundary")
        ax.legend(handles, names, loc="best", fontsize="small", framealpha=0.85)
    ax.set(xlabel="x₁", ylabel="x₂", title=title or "decision boundary")
    _save(fig, path)
    return fig


def _loss_name(history: object, loss_name: object) -> str:
    """The loss's name: the argument, else the history's own (an attribute or a dict key)."""
    if loss_name is None:
        if isinstance(history, Mapping):
            loss_name = history.get("loss_name")
        else:
            loss_name = getattr(history, "loss_name", None)
        if callable(loss_name) or loss_name is None:
            return "loss"
    if not isinstance(loss_name, str):
        raise TypeError(f"loss_name must be a str, got {type(loss_name).__name__} {loss_name!r}")
    return loss_name.replace("_", " ") or "loss"


def _class_name(c: int, task: Any, class_names: Sequence[str] | None) -> str:
    if class_names is not None:
        return str(class_names[c])
    if not task.multiclass:
        return f"class {1 if c == 1 else int(task.negative)}"
    return f"class {c}"


def _linspace(lo: float, hi: float, n: int) -> list[float]:
    step = (hi - lo) / (n - 1)
    return [lo + i * step for i in range(n)]


def _colour(c: int) -> str:
    """Class c's colour, the same for its points and its region."""
    return f"C{c % 10}"


def _rows(flat: Sequence[float], n: int) -> list[list[float]]:
    """A row-major n × n grid from a flat list (rows are y, columns are x)."""
    return [list(flat[i * n : (i + 1) * n]) for i in range(n)]
