"""Loss functions: each returns one Value, the mean over samples unless its name says sum.

Predictions are Values (or numbers); targets are plain numbers.
"""

from __future__ import annotations

import math
import numbers
import reprlib
from collections.abc import Iterable, Sequence
from typing import TypeAlias

from . import functional
from .core import Constant, Operand, Value

__all__ = [
    "bce_with_logits",
    "binary_cross_entropy",
    "cross_entropy",
    "hinge",
    "l2",
    "mse",
    "nll",
    "sse",
]

# One prediction, one list per sample, or a list of those; targets mirror the structure.
Predictions: TypeAlias = "Operand | Sequence[Operand] | Sequence[Sequence[Operand]]"
Targets: TypeAlias = "float | Sequence[float] | Sequence[Sequence[float]]"
Indices: TypeAlias = "int | Sequence[int]"


def _as_list(x: object) -> Sequence[object] | None:
    """`x` when it is a list-like of items (not a str), else None."""
    if type(x) is list or type(x) is tuple:  # the usual case, without the slower ABC check
        return x
    if isinstance(x, Sequence) and not isinstance(x, (str, bytes)):
        return x
    return None


def _where(*at: int) -> str:
    """Where an item is, for an error message: " 3", " [3][1]", or "" for a single item."""
    if len(at) < 2:
        return "".join(f" {i}" for i in at)
    return " " + "".join(f"[{i}]" for i in at)


def _prediction(p: object, loss: str, *at: int) -> Value:
    if isinstance(p, Value):
        return p
    if isinstance(p, numbers.Real):
        return Constant(p)
    raise TypeError(
        f"{loss}: prediction{_where(*at)} must be a Value or a number, got "
        f"{type(p).__name__} {reprlib.repr(p)}"
    )


def _target(t: object, loss: str, *at: int) -> float:
    if type(t) is float or type(t) is int:  # the usual case, without the slower ABC check
        return float(t)
    if isinstance(t, Value):
        raise TypeError(f"{loss}: target{_where(*at)} is a Value; targets are numbers (use .data)")
    if not isinstance(t, numbers.Real):
        raise TypeError(
            f"{loss}: target{_where(*at)} must be a number, got "
            f"{type(t).__name__} {reprlib.repr(t)}"
        )
    return float(t)


def _pairs(preds: object, targets: object, loss: str) -> tuple[list[Value], list[float]]:
    """Predictions and targets flattened element by element, after checking they match.

    Accepts one prediction and one target, a list of each, or a list of lists (one list of
    outputs per sample). Element-wise losses average over every element, as PyTorch does.
    """
    ps, ts = _as_list(preds), _as_list(targets)
    if ps is None:
        if ts is not None:
            raise ValueError(f"{loss}: one prediction but a list of {len(ts)} targets")
        return [_prediction(preds, loss)], [_target(targets, loss)]
    if ts is None:
        raise ValueError(f"{loss}: a list of predictions but a single target {targets!r}")
    if len(ps) != len(ts):
        raise ValueError(f"{loss}: {len(ps)} predictions but {len(ts)} targets")
    out_p: list[Value] = []
    out_t: list[float] = []
    for i, (p, t) in enumerate(zip(ps, ts)):
        row_p, row_t = _as_list(p), _as_list(t)
        if row_p is None and row_t is None:
            out_p.append(_prediction(p, loss, i))
            out_t.append(_target(t, loss, i))
            continue
        if row_p is None or row_t is None:
            raise ValueError(f"{loss}: sample {i} pairs {type(p).__name__} with {type(t).__name__}")
        if len(row_p) != len(row_t):
            raise ValueError(
                f"{loss}: sample {i} has {len(row_p)} outputs but {len(row_t)} targets"
            )
        for j, (pj, tj) in enumerate(zip(row_p, row_t)):
            out_p.append(_prediction(pj, loss, i, j))
            out_t.append(_target(tj, loss, i, j))
    if not out_p:
        raise ValueError(f"{loss}: no predictions; pass at least one")
    return out_p, out_t


def _check_unit_interval(ts: Sequence[float], loss: str) -> None:
    for i, t in enumerate(ts):
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"{loss}: targets must lie in [0, 1], target {i} is {t!r}")


def mse(preds: Predictions, targets: Targets) -> Value:
    """Mean squared error: (1/n)·Σ(ŷᵢ − yᵢ)² over every element.

    Built as one `dot` node of the differences with themselves, so ∂/∂ŷᵢ = 2(ŷᵢ − yᵢ)/n.
    """
    ps, ts = _pairs(preds, targets, "mse")
    diffs = [p - t for p, t in zip(ps, ts)]
    return functional.dot(diffs, diffs) / len(diffs)


def sse(preds: Predictions, targets: Targets) -> Value:
    """Half the sum of squared errors: ½·Σ(ŷᵢ − yᵢ)², so ∂/∂ŷᵢ = ŷᵢ − yᵢ."""
    ps, ts = _pairs(preds, targets, "sse")
    diffs = [p - t for p, t in zip(ps, ts)]
    return 0.5 * functional.dot(diffs, diffs)


def binary_cross_entropy(probs: Predictions, targets: Targets) -> Value:
    """Mean of −[y·log p + (1 − y)·log(1 − p)] for probabilities p and targets y in [0, 1].

    Probabilities outside [0, 1] raise `ValueError` (pass raw scores to `bce_with_logits`,
    which is also the stable choice: here p = 0 with y = 1 gives an infinite loss, and
    the gradient through a saturated sigmoid is nan).
    """
    ps, ts = _pairs(probs, targets, "binary_cross_entropy")
    _check_unit_interval(ts, "binary_cross_entropy")
    logs = []
    for i, (p, t) in enumerate(zip(ps, ts)):
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(
                f"binary_cross_entropy: predictions must be probabilities in [0, 1], "
                f"prediction {i} is {p.data!r}; for raw scores use bce_with_logits"
            )
        # A 0/1 target keeps only its own term, so log(0) · 0 never makes a nan.
        if t == 1.0:
            logs.append(p.log())
        elif t == 0.0:
            logs.append((1.0 - p).log())
        else:
            logs.append(t * p.log() + (1.0 - t) * (1.0 - p).log())
    return functional.sum(logs) / -len(logs)


def bce_with_logits(logits: Predictions, targets: Targets) -> Value:
    """Binary cross-entropy on raw scores x: the mean of softplus(x) − y·x.

    That is −[y·log σ(x) + (1 − y)·log(1 − σ(x))] rewritten without σ, stable for any x
    (softplus never overflows); ∂/∂xᵢ = (σ(xᵢ) − yᵢ)/n.
    """
    xs, ts = _pairs(logits, targets, "bce_with_logits")
    _check_unit_interval(ts, "bce_with_logits")
    total = functional.sum([x.softplus() for x in xs]) - functional.dot(ts, xs)
    return total / len(xs)


def hinge(scores: Predictions, labels: Targets) -> Value:
    """Mean hinge loss max(0, 1 − y·s) for labels y = ±1 (the SVM margin loss).

    0/1 labels are refused: convert them with `[2 * t - 1 for t in y]`.
    """
    ss, ys = _pairs(scores, labels, "hinge")
    terms = []
    for i, (s, y) in enumerate(zip(ss, ys)):
        # relu(1 − y·s) is relu(1 − s) for y = +1 and relu(1 + s) for y = −1.
        if y == 1.0:
            terms.append((1.0 - s).relu())
        elif y == -1.0:
            terms.append((s + 1.0).relu())
        else:
            raise ValueError(
                f"hinge: labels must be -1 or +1, label {i} is {y!r}; "
                "convert 0/1 labels with [2 * t - 1 for t in y]"
            )
    return functional.mean(terms)


def _index(t: object, k: int, loss: str, *at: int) -> int:
    if type(t) is not int and (isinstance(t, bool) or not isinstance(t, numbers.Integral)):
        raise TypeError(f"{loss}: target{_where(*at)} must be a class index (int), got {t!r}")
    if not 0 <= int(t) < k:
        where = _where(*at)
        raise ValueError(f"{loss}: target{where} is {t}, but there are {k} classes (0..{k - 1})")
    return int(t)


def _rows(rows: object, target: object, loss: str) -> list[tuple[Sequence[object], int]]:
    """(row, class index) per sample: one row with an int, or a list of rows with a list."""
    batch, targets = _as_list(rows), _as_list(target)
    if batch is None:
        raise TypeError(f"{loss}: expected a list of scores, got {type(rows).__name__}")
    pairs: list[tuple[object, object]]
    if targets is None:
        pairs = [(batch, target)]  # one sample
    else:
        if len(batch) != len(targets):
            raise ValueError(f"{loss}: {len(batch)} rows but {len(targets)} targets")
        if not batch:
            raise ValueError(f"{loss}: no samples; pass at least one")
        pairs = list(zip(batch, targets))
    out = []
    for i, (row, t) in enumerate(pairs):
        at = () if targets is None else (i,)
        r = _as_list(row)
        if r is None:
            raise ValueError(f"{loss}: sample{_where(*at)} must be a list of scores, got {row!r}")
        if not r:
            raise ValueError(f"{loss}: sample{_where(*at)} has no classes")
        out.append((r, _index(t, len(r), loss, *at)))
    return out


def nll(log_probs: Sequence[Operand] | Sequence[Sequence[Operand]], target: Indices) -> Value:
    """Negative log-likelihood −log pₜ, given log-probabilities and the class index t.

    For one sample pass its row and an int; for several, a list of rows and a list of ints
    (the mean over samples).
    """
    vs = [_prediction(row[t], "nll") for row, t in _rows(log_probs, target, "nll")]
    return -vs[0] if len(vs) == 1 else functional.sum(vs) / -len(vs)


def cross_entropy(
    logits: Sequence[Operand] | Sequence[Sequence[Operand]], target: Indices
) -> Value:
    """Softmax cross-entropy −log softmax(x)ₜ = logsumexp(x) − xₜ for raw scores x.

    Computed through `functional.log_softmax`, so it is stable for logits of any size
    (±1000 included); ∂/∂xₖ = softmax(x)ₖ − [k = t]. One row with an int, or a list of
    rows with a list of ints (the mean over samples).
    """
    rows = _rows(logits, target, "cross_entropy")
    picks = []
    for row, t in rows:
        shifted, lse = functional.log_softmax_parts(row)  # type: ignore[arg-type]
        picks.append(shifted[t] - lse)  # log_softmax(row)[t], without the entries not picked
    return -picks[0] if len(picks) == 1 else functional.sum(picks) / -len(picks)


def l2(params: Iterable[Value], lam: float) -> Value:
    """The weight-decay penalty λ/2·Σw², one `dot` node of the parameters with themselves.

    Its gradient is λ·w, the same as `weight_decay=λ` in `optim.SGD`.
    """
    ps = list(params)
    for i, p in enumerate(ps):
        if not isinstance(p, Value):
            raise TypeError(f"l2: params must be Values, item {i} is {type(p).__name__}")
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real):
        raise TypeError(f"l2: lam must be a real number, got {type(lam).__name__} {lam!r}")
    if not (math.isfinite(lam) and lam >= 0):
        raise ValueError(f"l2: lam must be finite and >= 0, got {lam!r}")
    return functional.dot(ps, ps) * (float(lam) / 2.0)
