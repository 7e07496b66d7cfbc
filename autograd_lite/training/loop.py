"""A small training loop: `fit` a model with a loss and an optimiser (`predict`/`accuracy` too).

Conventions (labels, batching, what each history entry means) are in the docstring of `fit`.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..compiler import CompiledStep
from ..core import Value, no_grad
from ..functional import dot
from .evaluation import (
    Label,
    Model,
    accuracy,
    check_data,
    check_threshold,
    floats,
    output_cut,
    predict,
    score,
    task_for,
)
from .progress import progress_for

__all__ = ["History", "accuracy", "fit", "predict"]


class Optimizer(Protocol):
    """Anything with `step()` and `zero_grad()` (like `optim.SGD` and `optim.Adam`)."""

    def step(self) -> None: ...

    def zero_grad(self) -> None: ...


LossFn = Callable[[list[Any], list[Any]], Value]
Penalty = Callable[[], Value]
Dataset = tuple[Sequence[Sequence[float]], Sequence[Label]]


@dataclass
class History:
    """What `fit` measured after every epoch, one entry per epoch.

    Attributes:
        loss: the objective (data loss + regularisation) on the whole training set.
        accuracy: the fraction (0..1) of training samples classified correctly; `nan` when the
            labels are not class labels (regression).
        val_loss: like `loss` on the validation set (empty without `validation=`).
        val_accuracy: like `accuracy` on the validation set (empty without `validation=`).
        loss_name: the name of the loss function (`"hinge"`, ...), for plots.

    Read it as an object (`history.loss`) or like a dict (`history["loss"]`, `as_dict()`).
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    loss_name: str = ""

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


# --------------------------------------------------------------------------- one step


def _objective(
    outputs: list[Any], y: Sequence[Label], loss: LossFn, penalty: Penalty | None
) -> Value:
    """loss(outputs, y) (+ penalty()): the objective, from the model's outputs."""
    value = loss(outputs, list(y))
    if not isinstance(value, Value):
        raise TypeError(
            f"loss must return a Value, got {type(value).__name__} {value!r} "
            f"(loss is called as loss(predictions, targets) with one entry per sample)"
        )
    if penalty is not None:
        value = value + penalty()
    return value


def _step(
    model: Model,
    X: Sequence[Sequence[float]],
    y: Sequence[Label],
    loss: LossFn,
    penalty: Penalty | None,
    optimizer: Optimizer,
) -> None:
    """One gradient step on a batch: zero the gradients, build the objective, back-propagate,
    update the parameters."""
    optimizer.zero_grad()
    _objective([model(x) for x in X], y, loss, penalty).backward()
    optimizer.step()


def _evaluate(
    model: Model,
    data: Dataset,
    loss: LossFn,
    penalty: Penalty | None,
    cut: float,
    step: CompiledStep | None,
) -> tuple[float, float]:
    """(objective, accuracy) on a data set, without building a graph (the outputs from the
    compiled model where there is one)."""
    X, y = data
    outputs = None if step is None else step.outputs(X)
    with no_grad():
        if outputs is None:
            outputs = [model(x) for x in X]
        value = _objective(outputs, y, loss, penalty)
    outs = [floats(o) for o in outputs]
    return value.data, score(outs, y, task_for(y, outs, cut))


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
    regularizer: Penalty | None = None,
    lr_schedule: Callable[[int], float] | None = None,
    threshold: float | None = None,
    validation: Dataset | None = None,
    compile: bool = False,
) -> History:
    """Train `model` on (X, y) by minibatch gradient descent and return the per-epoch history.

    Each step zeroes the gradients, calls the model on every sample of the batch, computes
    `loss(predictions, targets)` (+ regularisation), back-propagates and calls
    `optimizer.step()`. After each epoch the model is evaluated on the whole training set
    under `no_grad()` and the objective and accuracy are recorded (and shown as progress).
    Every argument is checked before the first step.

    Batching: `loss` receives two lists with one entry per sample of the batch: `predictions`
    holds the model's output for each sample (a Value for a single-output model, a list of
    Values otherwise) and `targets` the matching labels. It returns one Value, normally the
    mean over the batch, like every loss in `autograd_lite.losses` (e.g. `losses.hinge`).

    Accuracy: a single output is class 1 when it is above a cut, else the other class (-1 or
    0, whichever the labels use). The cut is `threshold` when given; else 0.5 when the output
    is a probability (the model ends in a sigmoid, or `loss` is
    `losses.binary_cross_entropy`); else 0, the sign of a score (`bce_with_logits`, `hinge`,
    `mse` onto ±1 ...). For several outputs the predicted class is the argmax, compared with
    class indices (0..k-1) or one-hot rows. Other labels (regression) give an accuracy of nan.

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
        progress: show progress with the loss and accuracy: a tqdm bar in a terminal, one
            plain-text line updated in place in a notebook (its saved output keeps the final
            line); False prints nothing.
        seed: seeds the per-epoch shuffle (an int or a `random.Random`); the same seed and
            the same initial model give the same history. None shuffles unpredictably.
        shuffle: reshuffle the samples every epoch (only matters with `batch_size`).
        l2: adds `l2 / 2 · Σ w²` over `model.parameters()` to the objective (the same term as
            `losses.l2(params, l2)`); a finite number >= 0.
        regularizer: a callable with no arguments returning a Value to add to the objective
            every step, e.g. `lambda: losses.l2(model.parameters(), 1e-4)`.
        lr_schedule: `lr_schedule(epoch) -> lr`, called before each epoch (0-based) to set
            `optimizer.lr`, e.g. `lambda e: 1.0 - 0.9 * e / 100`; must return a number > 0.
        threshold: the cut for binary outputs (see Accuracy).
        validation: an `(X_val, y_val)` pair evaluated after every epoch into `val_loss` and
            `val_accuracy`.
        compile: run the model's pass over a sample (forward and backward) as straight-line
            Python, written once and reused for every sample, batch size and order; the loss
            is built as usual each step, so one that branches on a label or a prediction is
            never stale. The same history, bit for bit, several times faster. Models whose
            class says `straight_line = True` are compiled (`nn`'s Neuron, Layer and MLP,
            and the micrograd-compatible ones); any other model trains as written (see
            `autograd_lite.compiler.CompiledStep`).

    Returns:
        A `History` with `loss` and `accuracy` (and `val_*`) lists of length `epochs`.

    Raises:
        ValueError: a bad value, named: X and y differ in length, X is empty or ragged,
            `epochs` or `batch_size` below 1, `l2` negative or not finite, `threshold` not
            finite, `validation` samples of another width, `lr_schedule` giving lr <= 0.
        TypeError: an argument of the wrong type, named (`epochs`, `batch_size`, `l2`,
            `seed`, `threshold`, `validation`, `loss`, `regularizer`, `lr_schedule`,
            `optimizer` ...), or `loss`/`regularizer` not returning a Value.
    """
    check_data(X, y, "X", "y")
    cut = output_cut(model, loss, check_threshold(threshold))
    _check_validation(validation, len(X[0]))
    _positive_int(epochs, "epochs")
    _positive_int(batch_size, "batch_size", allow_none=True)
    _check_flag(progress, "progress")
    _check_flag(shuffle, "shuffle")
    _check_flag(compile, "compile")
    rng = _check_seed(seed)
    l2 = _check_l2(l2)
    if not callable(loss):
        raise TypeError(f"loss must be a callable loss(predictions, targets), got {loss!r}")
    if not all(callable(getattr(optimizer, m, None)) for m in ("step", "zero_grad")):
        raise TypeError(f"optimizer needs step() and zero_grad(), got {type(optimizer).__name__}")
    _check_callable(regularizer, "regularizer", "with no arguments returning a Value")
    _check_callable(lr_schedule, "lr_schedule", "lr_schedule(epoch) -> learning rate")
    if lr_schedule is not None:
        if not hasattr(optimizer, "lr"):
            raise TypeError(
                f"lr_schedule sets optimizer.lr, but {type(optimizer).__name__} has none"
            )
        _scheduled_lr(lr_schedule, 0)  # a bad schedule fails now, not after an epoch

    penalty = _penalty(model, l2, regularizer)
    step = None
    if compile:  # the model's pass over a sample written once as straight-line Python
        step = CompiledStep(model, lambda outs, ys: _objective(outs, ys, loss, penalty), X)
    n = len(X)
    size = n if batch_size is None else min(batch_size, n)
    order = list(range(n))
    history = History(loss_name=getattr(loss, "__name__", ""))
    shown = progress_for(epochs, progress)
    try:
        for epoch in range(epochs):
            if lr_schedule is not None:
                optimizer.lr = _scheduled_lr(lr_schedule, epoch)  # type: ignore[attr-defined]
            if shuffle and size < n:
                rng.shuffle(order)
            for start in range(0, n, size):
                batch = order[start : start + size]
                if step is not None:
                    optimizer.zero_grad()
                    step(batch, [y[i] for i in batch])
                    optimizer.step()
                    continue
                _step(model, [X[i] for i in batch], [y[i] for i in batch], loss, penalty, optimizer)
            _record(history, model, (X, y), validation, loss, penalty, cut, step)
            shown.update(epoch + 1, history)
    finally:
        shown.close()
    return history


# --------------------------------------------------------------------------- argument checks


def _positive_int(value: object, name: str, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        kind = "an int or None" if allow_none else "an int"
        raise TypeError(f"{name} must be {kind}, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")


def _check_flag(value: object, name: str) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")


def _check_seed(seed: object) -> random.Random:
    """The shuffle's generator: `seed` itself when it is a `random.Random`, else a new one."""
    if isinstance(seed, random.Random):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(
            f"seed must be an int, a random.Random or None, got {type(seed).__name__} {seed!r}"
        )
    return random.Random(seed)


def _check_l2(l2: object) -> float:
    if isinstance(l2, bool) or not isinstance(l2, numbers.Real):
        raise TypeError(
            f"l2 must be a number >= 0 (the weight of l2/2 · Σw²; 0 for none), got "
            f"{type(l2).__name__} {l2!r}"
        )
    value = float(l2)
    if not math.isfinite(value) or value < 0.0:
        raise ValueError(f"l2 must be a finite number >= 0 (0 for none), got {value!r}")
    return value


def _check_callable(fn: object, name: str, what: str) -> None:
    if fn is not None and not callable(fn):
        raise TypeError(
            f"{name} must be a callable ({what}) or None, got {type(fn).__name__} {fn!r}"
        )


def _check_validation(validation: object, width: int) -> None:
    if validation is None:
        return
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        size = f" of {len(validation)} items" if isinstance(validation, (tuple, list)) else ""
        raise TypeError(
            f"validation must be a pair (X_val, y_val), got {type(validation).__name__}{size}"
        )
    X_val, y_val = validation
    check_data(X_val, y_val, "validation X", "validation y")
    if len(X_val[0]) != width:
        raise ValueError(
            f"validation samples must have {width} features like X, got {len(X_val[0])}"
        )


def _scheduled_lr(lr_schedule: Callable[[int], float], epoch: int) -> float:
    lr = lr_schedule(epoch)
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0.0 < float(lr) < math.inf:
        raise ValueError(
            f"lr_schedule({epoch}) returned {lr!r}; it must return a finite learning rate > 0"
        )
    return float(lr)


# --------------------------------------------------------------------------- bookkeeping


def _penalty(model: Model, l2: float, regularizer: Penalty | None) -> Penalty | None:
    """One callable for the regularisation terms, or None when there are none."""
    terms: list[Penalty] = []
    if l2 > 0.0:
        params = list(model.parameters())
        # λ/2 · Σw², with Σw² as one n-ary dot node: cheap to build and to differentiate.
        terms.append(lambda: (l2 / 2) * dot(params, params))
    if regularizer is not None:
        terms.append(lambda: _checked_term(regularizer))
    if not terms:
        return None
    if len(terms) == 1:
        return terms[0]
    first, second = terms
    return lambda: first() + second()


def _checked_term(regularizer: Penalty) -> Value:
    value = regularizer()
    if not isinstance(value, Value):
        raise TypeError(f"regularizer must return a Value, got {type(value).__name__} {value!r}")
    return value


def _record(
    history: History,
    model: Model,
    train: Dataset,
    validation: Dataset | None,
    loss: LossFn,
    penalty: Penalty | None,
    cut: float,
    step: CompiledStep | None,
) -> None:
    value, acc = _evaluate(model, train, loss, penalty, cut, step)
    history.loss.append(value)
    history.accuracy.append(acc)
    if validation is not None:
        value, acc = _evaluate(model, validation, loss, penalty, cut, step)
        history.val_loss.append(value)
        history.val_accuracy.append(acc)
