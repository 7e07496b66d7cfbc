"""Scoring a trained model: `predict` its raw outputs and its classification `accuracy`.

How an output becomes a class (the cut of a binary output, the argmax of several) is decided
here, from what the model outputs, never from which labels happen to appear in the data.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

from ..checks import finite_real
from ..core import Value, no_grad

__all__ = ["accuracy", "predict"]

Label: TypeAlias = Any  # a number (binary, class index or regression target) or a one-hot sequence
Output: TypeAlias = "float | list[float]"


class Model(Protocol):
    """Anything `fit` can train: called on one sample, it has `parameters()` (like `nn.MLP`)."""

    def __call__(self, x: Any, /) -> Any: ...

    def parameters(self) -> Sequence[Value]: ...


# Losses whose predictions are probabilities (cut at 0.5); every other loss scores on the real
# line (logits, margins, regression onto ±1), cut at 0.
_PROBABILITY_LOSSES = frozenset({"binary_cross_entropy", "bce"})


@dataclass(frozen=True)
class Task:
    """How an output becomes a class: a cut (binary) or the argmax (multi-class)."""

    multiclass: bool
    threshold: float = 0.0
    negative: float = -1.0  # the label predicted at or below the cut: -1 or 0


def check_threshold(threshold: object) -> float | None:
    """`threshold` as a float, or None; a clear error for anything but a finite real number."""
    if threshold is None:
        return None
    return finite_real(threshold, "threshold", "a number (the cut of a binary output) or None")


def output_cut(model: object, loss: object, threshold: float | None) -> float:
    """The cut of a binary output: `threshold`, else 0.5 for probabilities, else 0.

    The output is a probability when the model's last activation is a sigmoid (`nn.MLP`'s
    `output_activation`, a `Layer`'s or `Neuron`'s `activation`), or when the loss takes
    probabilities (`losses.binary_cross_entropy`). Anything else is a score whose sign is
    the class: logits (`bce_with_logits`), margins (`hinge`), regression onto ±1 (`mse`).
    """
    if threshold is not None:
        return threshold
    last = getattr(model, "output_activation", None)
    if last is None:
        last = getattr(model, "activation", None)
    if last == "sigmoid":
        return 0.5
    if getattr(loss, "__name__", None) in _PROBABILITY_LOSSES:
        return 0.5
    return 0.0


def _is_index(t: Any) -> bool:
    return isinstance(t, numbers.Real) and float(t).is_integer() and float(t) >= 0


def task_for(y: Sequence[Label], outputs: Sequence[Output], cut: float) -> Task | None:
    """The accuracy rule for labels `y` given example `outputs`; None for regression."""
    if any(isinstance(o, list) and len(o) > 1 for o in outputs):
        # Several outputs per sample: class indices or one-hot rows, compared by argmax.
        if all(_is_index(t) or isinstance(t, Sequence) for t in y):
            return Task(multiclass=True)
        return None
    labels: set[float] = set()
    for t in y:
        if not isinstance(t, numbers.Real):  # int, float, bool, NumPy scalars
            return None
        labels.add(float(t))
    # The positive class is 1 in both conventions; the labels only name the negative one.
    if labels <= {0.0, 1.0}:
        return Task(multiclass=False, threshold=cut, negative=0.0)
    if labels <= {-1.0, 1.0}:
        return Task(multiclass=False, threshold=cut, negative=-1.0)
    return None


def _argmax(xs: Sequence[float]) -> int:
    return max(range(len(xs)), key=xs.__getitem__)


def _classify(output: Output, task: Task) -> float:
    """The class an output stands for: an index (multi-class) or a label (binary)."""
    if isinstance(output, list):
        if task.multiclass:
            return float(_argmax(output))
        output = output[0]
    return 1.0 if output > task.threshold else task.negative


def _target_class(t: Label, task: Task) -> float:
    if task.multiclass and isinstance(t, Sequence):
        return float(_argmax([float(v) for v in t]))  # one-hot row
    return float(t)


def score(outputs: Sequence[Output], y: Sequence[Label], task: Task | None) -> float:
    """The fraction of `outputs` whose class is the label's; nan without a task."""
    if task is None:
        return math.nan
    hits = sum(_classify(o, task) == _target_class(t, task) for o, t in zip(outputs, y))
    return hits / len(y)


def floats(out: Any) -> Output:
    """A model's output (a Value or a list of Values) as plain floats."""
    if isinstance(out, Value):
        return out.data
    if isinstance(out, (list, tuple)):
        return [float(v) for v in out]
    return float(out)


def check_data(X: Sequence[Any], y: Sequence[Any], xname: str, yname: str) -> None:
    """X and y are non-empty, of the same length, and every sample has the same width."""
    for value, name in ((X, xname), (y, yname)):
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
            raise TypeError(f"{name} must be a list, got {type(value).__name__} {value!r}")
    if len(X) != len(y):
        raise ValueError(
            f"{xname} and {yname} must have one label per sample, "
            f"got {len(X)} samples and {len(y)} labels"
        )
    if len(X) == 0:
        raise ValueError(f"{xname} is empty; pass at least one sample")
    width = len(X[0])
    for i, x in enumerate(X):
        if len(x) != width:
            raise ValueError(
                f"every sample needs the same number of features: {xname}[0] has {width}, "
                f"{xname}[{i}] has {len(x)}"
            )


def predict(model: Model, X: Sequence[Sequence[float]]) -> list[Output]:
    """The model's raw outputs for every sample, as floats, computed under `no_grad()`.

    Args:
        model: a callable on one sample, e.g. `nn.MLP`.
        X: samples, one sequence of features each.

    Returns:
        One float per sample for a single-output model, else one list of floats per sample.
    """
    with no_grad():
        return [floats(model(x)) for x in X]


def accuracy(
    model: Model,
    X: Sequence[Sequence[float]],
    y: Sequence[Label],
    *,
    threshold: float | None = None,
    loss: Callable[..., Any] | None = None,
) -> float:
    """The fraction (0..1) of samples the model classifies correctly, under `no_grad()`.

    A single output is cut into two classes: output > cut is class 1, otherwise the other
    class (-1 or 0, whichever the labels use). The cut is `threshold` when given; else 0.5
    when the output is a probability (the model ends in a sigmoid, or `loss` is
    `losses.binary_cross_entropy`); else 0, the sign of a score (logits, hinge margins).
    Several outputs are scored by their argmax against class indices or one-hot rows.

    Args:
        model: a callable on one sample, e.g. `nn.MLP`.
        X: samples, one sequence of features each.
        y: one label per sample: ±1 or 0/1 for a single output, a class index (or a one-hot
            row) for several outputs.
        threshold: the cut of a binary output, overriding the rule above.
        loss: the loss the model was trained with, when it tells the output's kind.

    Raises:
        ValueError: if X and y differ in length or are empty, or the labels are not classes.
    """
    check_data(X, y, "X", "y")
    cut = output_cut(model, loss, check_threshold(threshold))
    outputs = predict(model, X)
    task = task_for(y, outputs, cut)
    if task is None:
        raise ValueError(
            "accuracy() needs class labels: ±1 or 0/1 for a single output, class indices for "
            f"several outputs; got labels like {list(y[:5])!r}"
        )
    return score(outputs, y, task)
