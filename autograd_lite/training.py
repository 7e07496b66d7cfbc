"""A small training loop: `fit` a model with a loss and an optimiser, plus `predict`/`accuracy`.

Conventions (labels, batching, what each history entry means) are in the docstring of `fit`.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from .engine import Value, no_grad
from .functional import dot

__all__ = ["History", "accuracy", "fit", "predict"]

Label: TypeAlias = Any  # a number (binary, class index or regression target) or a one-hot sequence
Output: TypeAlias = "float | list[float]"


class Model(Protocol):
    """Anything `fit` can train: called on one sample, it has `parameters()` (like `nn.MLP`)."""

    def __call__(self, x: Any, /) -> Any: ...

    def parameters(self) -> Sequence[Value]: ...


class Optimizer(Protocol):
    """Anything with `step()` and `zero_grad()` (like `optim.SGD` and `optim.Adam`)."""

    def step(self) -> None: ...

    def zero_grad(self) -> None: ...


LossFn = Callable[[list[Any], list[Any]], Value]


@dataclass
class History:
    """What `fit` measured after every epoch, one entry per epoch.

    Attributes:
        loss: the objective (data loss + regularisation) on the whole training set.
        accuracy: the fraction (0..1) of training samples classified correctly; `nan` when the
            labels are not class labels (regression).
        val_loss: like `loss` on the validation set (empty without `validation=`).
        val_accuracy: like `accuracy` on the validation set (empty without `validation=`).

    Read it as an object (`history.loss`) or like a dict (`history["loss"]`, `as_dict()`).
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    def __getitem__(self, key: str) -> list[float]:
        if key not in self.as_dict():
            raise KeyError(f"History has no {key!r}; it has {sorted(self.as_dict())}")
        values: list[float] = getattr(self, key)
        return values

    def __len__(self) -> int:
        return len(self.loss)

    def as_dict(self) -> dict[str, list[float]]:
        """The history as a plain dict of lists (e.g. to save as JSON)."""
        return {
            "loss": self.loss,
            "accuracy": self.accuracy,
            "val_loss": self.val_loss,
            "val_accuracy": self.val_accuracy,
        }


# --------------------------------------------------------------------------- labels


@dataclass(frozen=True)
class _Task:
    """How an output becomes a class: a threshold (binary) or the argmax (multi-class)."""

    multiclass: bool
    threshold: float = 0.0
    negative: float = -1.0  # the label predicted below the threshold: -1 or 0


def _is_index(t: Any) -> bool:
    return isinstance(t, numbers.Real) and float(t).is_integer() and float(t) >= 0


def _task(
    y: Sequence[Label], outputs: Sequence[Output], loss: object, threshold: float | None
) -> _Task | None:
    """The accuracy rule for labels `y` given example `outputs`; None for regression."""
    if any(isinstance(o, list) and len(o) > 1 for o in outputs):
        # Several outputs per sample: class indices or one-hot rows, compared by argmax.
        if all(_is_index(t) or isinstance(t, Sequence) for t in y):
            return _Task(multiclass=True)
        return None
    labels: set[float] = set()
    for t in y:
        if not isinstance(t, numbers.Real):  # int, float, bool, NumPy scalars
            return None
        labels.add(float(t))
    if labels <= {0.0, 1.0} and 0.0 in labels:
        # 0/1 labels: outputs are probabilities (cut at 0.5), unless the loss takes logits.
        default = 0.0 if "logits" in getattr(loss, "__name__", "") else 0.5
        cut = default if threshold is None else threshold
        return _Task(multiclass=False, threshold=cut, negative=0.0)
    if labels <= {-1.0, 1.0}:
        return _Task(multiclass=False, threshold=0.0 if threshold is None else threshold)
    return None


def _argmax(xs: Sequence[float]) -> int:
    return max(range(len(xs)), key=xs.__getitem__)


def _classify(output: Output, task: _Task) -> float:
    """The class an output stands for: an index (multi-class) or a label (binary)."""
    if isinstance(output, list):
        if task.multiclass:
            return float(_argmax(output))
        output = output[0]
    return 1.0 if output > task.threshold else task.negative


def _target_class(t: Label, task: _Task) -> float:
    if task.multiclass and isinstance(t, Sequence):
        return float(_argmax([float(v) for v in t]))  # one-hot row
    return float(t)


def _accuracy(outputs: Sequence[Output], y: Sequence[Label], task: _Task | None) -> float:
    if task is None:
        return math.nan
    hits = sum(_classify(o, task) == _target_class(t, task) for o, t in zip(outputs, y))
    return hits / len(y)


# --------------------------------------------------------------------------- evaluation


def _floats(out: Any) -> Output:
    """A model's output (a Value or a list of Values) as plain floats."""
    if isinstance(out, Value):
        return out.data
    if isinstance(out, (list, tuple)):
        return [float(v) for v in out]
    return float(out)


def predict(model: Model, X: Sequence[Sequence[float]]) -> list[Output]:
    """The model's raw outputs for every sample, as floats, computed under `no_grad()`.

    Args:
        model: a callable on one sample, e.g. `nn.MLP`.
        X: samples, one sequence of features each.

    Returns:
        One float per sample for a single-output model, else one list of floats per sample.
    """
    with no_grad():
        return [_floats(model(x)) for x in X]


def accuracy(
    model: Model,
    X: Sequence[Sequence[float]],
    y: Sequence[Label],
    *,
    threshold: float | None = None,
) -> float:
    """The fraction (0..1) of samples the model classifies correctly, under `no_grad()`.

    Labels decide the rule (the same as in `fit`): ±1 labels compare the sign of the output,
    0/1 labels cut the output at 0.5 (a probability; pass `threshold=0.0` for logits), and a
    multi-output model is scored by the argmax against class indices or one-hot rows.

    Raises:
        ValueError: if X and y differ in length or are empty, or the labels are not classes.
    """
    _check_data(X, y, "X", "y")
    outputs = predict(model, X)
    task = _task(y, outputs, None, threshold)
    if task is None:
        raise ValueError(
            "accuracy() needs class labels: ±1 or 0/1 for a single output, class indices for "
            f"several outputs; got labels like {list(y[:5])!r}"
        )
    return _accuracy(outputs, y, task)


# --------------------------------------------------------------------------- fit


def _check_data(X: Sequence[Any], y: Sequence[Any], xname: str, yname: str) -> None:
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


def _positive_int(value: object, name: str, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")


def _objective(
    model: Model,
    X: Sequence[Sequence[float]],
    y: Sequence[Label],
    loss: LossFn,
    penalty: Callable[[], Value] | None,
) -> tuple[Value, list[Any]]:
    """loss(outputs, y) (+ penalty()) and the outputs it was computed from."""
    outputs = [model(x) for x in X]
    value = loss(outputs, list(y))
    if not isinstance(value, Value):
        raise TypeError(
            f"loss must return a Value, got {type(value).__name__} {value!r} "
            f"(loss is called as loss(predictions, targets) with one entry per sample)"
        )
    if penalty is not None:
        value = value + penalty()
    return value, outputs


def _evaluate(
    model: Model,
    X: Sequence[Sequence[float]],
    y: Sequence[Label],
    loss: LossFn,
    penalty: Callable[[], Value] | None,
    threshold: float | None,
) -> tuple[float, float]:
    """(objective, accuracy) on a data set, without building a graph."""
    with no_grad():
        value, outputs = _objective(model, X, y, loss, penalty)
    floats = [_floats(o) for o in outputs]
    return value.data, _accuracy(floats, y, _task(y, floats, loss, threshold))


def fit(
    model: Model,
    X: Sequence[Sequence[float]],
    y: Sequence[Label],
    *,
    loss: LossFn,
    optimizer: Optimizer,
    epochs: int,
    batch_size: int | None = None,
    progress: bool = True,
    seed: int | random.Random | None = 0,
    shuffle: bool = True,
    l2: float = 0.0,
    regularizer: Callable[[], Value] | None = None,
    lr_schedule: Callable[[int], float] | None = None,
    threshold: float | None = None,
    validation: tuple[Sequence[Sequence[float]], Sequence[Label]] | None = None,
) -> History:
    """Train `model` on (X, y) by minibatch gradient descent and return the per-epoch history.

    Each step zeroes the gradients, calls the model on every sample of the batch, computes
    `loss(predictions, targets)` (+ regularisation), back-propagates and calls
    `optimizer.step()`. After each epoch the model is evaluated on the whole training set
    under `no_grad()` and the objective and accuracy are recorded (and shown by the progress
    bar).

    Batching: `loss` receives two lists with one entry per sample of the batch: `predictions`
    holds the model's output for each sample (a Value for a single-output model, a list of
    Values otherwise) and `targets` the matching labels. It returns one Value, normally the
    mean over the batch, like every loss in `autograd_lite.losses` (e.g. `losses.hinge`).

    Accuracy: for a single output, ±1 labels are predicted by the sign of the output
    (output > 0 means +1); 0/1 labels by output > 0.5 (a probability), or output > 0 when the
    loss's name contains "logits" (`losses.bce_with_logits`); `threshold` overrides both cuts.
    For several outputs the predicted class is the argmax, compared with class indices
    (0..k-1) or one-hot rows. Other labels (regression) give an accuracy of `nan`.

    Args:
        model: called on one sample (a list of features), e.g. `nn.MLP`; must have
            `parameters()`.
        X: training samples, one sequence of numbers each.
        y: one label per sample.
        loss: `loss(predictions, targets) -> Value`, see Batching above.
        optimizer: has `step()` and `zero_grad()`, e.g. `optim.SGD(model.parameters(), 0.1)`.
        epochs: passes over the data (at least 1).
        batch_size: samples per step; None (the default) uses all samples in one step
            (full-batch gradient descent). The last batch of an epoch may be smaller.
        progress: show a progress bar (`tqdm.auto`: a text bar in a terminal, a widget in
            Jupyter) with the loss and accuracy; False prints nothing.
        seed: seeds the per-epoch shuffle (an int or a `random.Random`); the same seed and
            the same initial model give the same history. None shuffles unpredictably.
        shuffle: reshuffle the samples every epoch (only matters with `batch_size`).
        l2: adds `l2 / 2 · Σ w²` over `model.parameters()` to the objective (the same term as
            `losses.l2(params, l2)`).
        regularizer: a callable with no arguments returning a Value to add to the objective
            every step, e.g. `lambda: losses.l2(model.parameters(), 1e-4)`.
        lr_schedule: `lr_schedule(epoch) -> lr`, called before each epoch (0-based) to set
            `optimizer.lr`, e.g. `lambda e: 1.0 - 0.9 * e / 100`.
        threshold: the cut for binary outputs (see Accuracy).
        validation: an `(X_val, y_val)` pair evaluated after every epoch into `val_loss` and
            `val_accuracy`.

    Returns:
        A `History` with `loss` and `accuracy` (and `val_*`) lists of length `epochs`.

    Raises:
        ValueError: if X and y differ in length, X is empty or ragged, or `epochs` or
            `batch_size` is below 1, or `l2` is negative.
        TypeError: if `epochs`/`batch_size` is not an int, `loss` is not callable or does not
            return a Value, or `optimizer` lacks `step`/`zero_grad` (or `lr` with a schedule).
    """
    _check_data(X, y, "X", "y")
    if validation is not None:
        _check_data(validation[0], validation[1], "validation X", "validation y")
    _positive_int(epochs, "epochs")
    _positive_int(batch_size, "batch_size", allow_none=True)
    if not callable(loss):
        raise TypeError(f"loss must be a callable loss(predictions, targets), got {loss!r}")
    if not all(callable(getattr(optimizer, m, None)) for m in ("step", "zero_grad")):
        raise TypeError(f"optimizer needs step() and zero_grad(), got {type(optimizer).__name__}")
    if lr_schedule is not None and not hasattr(optimizer, "lr"):
        raise TypeError(f"lr_schedule sets optimizer.lr, but {type(optimizer).__name__} has none")
    if not l2 >= 0.0:
        raise ValueError(f"l2 must be a non-negative number, got {l2!r}")

    penalty = _penalty(model, l2, regularizer)
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    n = len(X)
    size = n if batch_size is None else min(batch_size, n)
    order = list(range(n))
    history = History()

    # Imported here so that importing autograd_lite stays fast.
    from tqdm.auto import tqdm

    bar = tqdm(range(epochs), desc="fit", unit="epoch", disable=not progress, leave=True)
    try:
        for epoch in bar:
            if lr_schedule is not None:
                optimizer.lr = lr_schedule(epoch)  # type: ignore[attr-defined]
            if shuffle and size < n:
                rng.shuffle(order)
            for start in range(0, n, size):
                idx = order[start : start + size]
                optimizer.zero_grad()
                value, _ = _objective(
                    model, [X[i] for i in idx], [y[i] for i in idx], loss, penalty
                )
                value.backward()
                optimizer.step()
            _record(history, model, X, y, loss, penalty, threshold, validation)
            bar.set_postfix(_postfix(history), refresh=False)
    finally:
        bar.close()
    return history


def _penalty(
    model: Model, l2: float, regularizer: Callable[[], Value] | None
) -> Callable[[], Value] | None:
    """One callable for the regularisation terms, or None when there are none."""
    terms: list[Callable[[], Value]] = []
    if l2 > 0.0:
        params = list(model.parameters())
        # λ/2 · Σw², with Σw² as one n-ary dot node: cheap to build and to differentiate.
        terms.append(lambda: (l2 / 2) * dot(params, params))
    if regularizer is not None:
        terms.append(regularizer)
    if not terms:
        return None
    if len(terms) == 1:
        return terms[0]
    first, second = terms
    return lambda: first() + second()


def _record(
    history: History,
    model: Model,
    X: Sequence[Sequence[float]],
    y: Sequence[Label],
    loss: LossFn,
    penalty: Callable[[], Value] | None,
    threshold: float | None,
    validation: tuple[Sequence[Sequence[float]], Sequence[Label]] | None,
) -> None:
    value, acc = _evaluate(model, X, y, loss, penalty, threshold)
    history.loss.append(value)
    history.accuracy.append(acc)
    if validation is not None:
        value, acc = _evaluate(model, validation[0], validation[1], loss, penalty, threshold)
        history.val_loss.append(value)
        history.val_accuracy.append(acc)


def _postfix(history: History) -> dict[str, str]:
    """The progress bar's loss/accuracy text for the last epoch."""
    shown = {"loss": f"{history.loss[-1]:.4g}"}
    if not math.isnan(history.accuracy[-1]):
        shown["acc"] = f"{history.accuracy[-1]:.1%}"
    if history.val_loss:
        shown["val_loss"] = f"{history.val_loss[-1]:.4g}"
        if not math.isnan(history.val_accuracy[-1]):
            shown["val_acc"] = f"{history.val_accuracy[-1]:.1%}"
    return shown
