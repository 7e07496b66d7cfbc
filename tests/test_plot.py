"""plot: curves and decision boundaries for binary, multi-class and regression outputs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from autograd_lite import data, fit, losses, nn, optim
from autograd_lite.training.plot import plot_decision_boundary, plot_history

PNG = b"\x89PNG\r\n\x1a\n"


class Linear:
    """A fixed model: score = x₀ − x₁ (binary), or one output per class, or a regression."""

    def __init__(self, outputs: int = 1) -> None:
        self.outputs = outputs

    def __call__(self, x: list[float]) -> object:
        from autograd_lite import Value

        if self.outputs == 1:
            return Value(x[0]) - x[1]
        return [Value(x[0]) * (c - 1) + x[1] * c for c in range(self.outputs)]


def test_plot_history_draws_loss_and_accuracy(tmp_path: Path) -> None:
    X, y = data.make_xor()
    model = nn.MLP(2, [4, 1], activation="tanh", seed=3)
    history = fit(
        model,
        X,
        y,
        loss=losses.bce_with_logits,
        optimizer=optim.Adam(model.parameters(), lr=0.1),
        epochs=5,
        progress=False,
    )
    fig = plot_history(history, path=tmp_path / "h.png", title="xor")
    assert len(fig.axes) == 2
    assert list(fig.axes[0].lines[0].get_ydata()) == pytest.approx(history.loss)
    assert (tmp_path / "h.png").read_bytes().startswith(PNG)
    with pytest.raises(ValueError, match="at least one"):
        plot_history({"loss": []})


def boundary_lines(ax: Any) -> list[Any]:
    from matplotlib.contour import ContourSet

    return [c for c in ax.collections if isinstance(c, ContourSet) and not c.filled]


def region_colours(ax: Any) -> list[tuple[float, ...]]:
    """The colour of each shaded region, in drawing order."""
    from matplotlib.contour import ContourSet

    return [
        tuple(c.get_facecolor()[0][:3])
        for c in ax.collections
        if isinstance(c, ContourSet) and c.filled
    ]


def point_colours(ax: Any) -> dict[str, tuple[float, ...]]:
    """Legend label → the colour of that class's points."""
    from matplotlib.collections import PathCollection

    return {
        c.get_label(): tuple(c.get_facecolor()[0][:3])
        for c in ax.collections
        if isinstance(c, PathCollection)
    }


def test_plot_decision_boundary_binary_places_the_boundary(tmp_path: Path) -> None:
    X = [[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1]]
    y = [-1, 1, -1, 1]
    fig = plot_decision_boundary(Linear(), X, y, resolution=21, path=tmp_path / "b.png")
    ax = fig.axes[0]
    assert (tmp_path / "b.png").read_bytes().startswith(PNG)
    # The zero contour of x₀ − x₁ is the diagonal: every vertex has x₀ ≈ x₁.
    (line,) = boundary_lines(ax)
    vertices = [v for path in line.get_paths() for v in path.vertices]
    assert vertices and all(abs(a - b) < 1e-9 for a, b in vertices)


def test_plot_decision_boundary_multiclass_and_regression() -> None:
    X = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]
    fig = plot_decision_boundary(Linear(3), X, [0, 1, 2], resolution=15)
    assert fig.axes[0].get_title() == "decision boundary"
    fig = plot_decision_boundary(Linear(), X, [0.3, 1.7, -2.5], resolution=15)
    assert len(fig.axes) == 2  # the shaded output and its colour bar


def test_plot_decision_boundary_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="one label per sample"):
        plot_decision_boundary(Linear(), [[0.0, 1.0]], [1, -1])
    with pytest.raises(ValueError, match="exactly 2 features"):
        plot_decision_boundary(Linear(), [[0.0, 1.0, 2.0]], [1])
    with pytest.raises(ValueError, match="resolution"):
        plot_decision_boundary(Linear(), [[0.0, 1.0]], [1], resolution=1)


def test_plot_without_matplotlib_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"autograd-lite\[plot\]"):
        plot_history({"loss": [1.0], "accuracy": [0.5]})


def test_plot_decision_boundary_class_colours_agree_and_legend_names_them() -> None:
    X = [[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1]]
    ax = plot_decision_boundary(Linear(), X, [-1, 1, -1, 1], resolution=21).axes[0]
    points = point_colours(ax)
    assert list(points) == ["class -1", "class 1"]
    # Region of class -1 (score < 0) first, then class 1: same hues as their points.
    assert region_colours(ax) == [points["class -1"], points["class 1"]]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["class -1", "class 1", "decision boundary"]
    ax = plot_decision_boundary(Linear(), X, [0, 1, 0, 1], resolution=9, class_names=["no", "yes"])
    labels = [t.get_text() for t in ax.axes[0].get_legend().get_texts()]
    assert labels[:2] == ["no", "yes"]


def test_plot_decision_boundary_multiclass_colours_agree() -> None:
    X = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.1, 0.8]]
    ax = plot_decision_boundary(Linear(3), X, [0, 1, 2, 0], resolution=15).axes[0]
    points = point_colours(ax)
    regions = region_colours(ax)
    assert set(regions) <= set(points.values()) and len(regions) >= 2
    assert list(points) == ["class 0", "class 1", "class 2"]


def test_plot_history_names_the_loss() -> None:
    fig = plot_history({"loss": [1.0, 0.5]}, loss_name="binary cross-entropy")
    assert fig.axes[0].get_ylabel() == "binary cross-entropy"
    assert plot_history({"loss": [1.0], "loss_name": "mse"}).axes[0].get_ylabel() == "mse"
    assert plot_history({"loss": [1.0]}).axes[0].get_ylabel() == "loss"
    with pytest.raises(TypeError, match="loss_name"):
        plot_history({"loss": [1.0]}, loss_name=3)  # type: ignore[arg-type]
