"""fit(..., compile=True): the traced and replayed step gives the dynamic fit's history exactly."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

import autograd_lite.training.loop as fit_module
from autograd_lite import Value, fit, losses, nn, optim
from autograd_lite.compiler import CompiledStep
from autograd_lite.data import make_blobs, make_moons


def _same_history(a: dict[str, list[float]], b: dict[str, list[float]]) -> bool:
    def key(xs: list[float]) -> list[object]:
        return ["nan" if x != x else x for x in xs]

    return a.keys() == b.keys() and all(key(a[k]) == key(b[k]) for k in a)


class _Counting(CompiledStep):
    made: ClassVar[list[CompiledStep]] = []

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        _Counting.made.append(self)


def _both(
    make_model: Callable[[], nn.MLP],
    make_opt: Callable[[list[Value]], Any],
    X: list[list[float]],
    y: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    regularize: bool = False,
    **kw: Any,
) -> CompiledStep:
    """Fit twice from the same start, dynamic and compiled; histories and weights must agree."""
    dynamic, compiled = make_model(), make_model()
    if regularize:  # a regularizer per model: λ/2·Σw² again, on top of l2=
        kw["regularizer"] = lambda: losses.l2(dynamic.parameters(), 3e-3)
    h1 = fit(dynamic, X, y, optimizer=make_opt(dynamic.parameters()), progress=False, **kw)
    if regularize:
        kw["regularizer"] = lambda: losses.l2(compiled.parameters(), 3e-3)
    _Counting.made = []
    monkeypatch.setattr(fit_module, "CompiledStep", _Counting)
    h2 = fit(
        compiled,
        X,
        y,
        optimizer=make_opt(compiled.parameters()),
        progress=False,
        compile=True,
        **kw,
    )
    monkeypatch.undo()
    assert _same_history(h1.as_dict(), h2.as_dict()), (h1, h2)
    assert dynamic.state_dict() == compiled.state_dict()
    (step,) = _Counting.made
    return step


def _moons(n: int = 24) -> tuple[list[list[float]], list[int]]:
    return make_moons(n, 0.1, 7)


def test_fit_compiled_hinge_l2_sgd_full_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = _moons()
    labels = [2 * t - 1 for t in y]
    step = _both(
        lambda: nn.MLP(2, [8, 8, 1], seed=1),
        lambda ps: optim.SGD(ps, lr=0.1),
        X,
        labels,
        monkeypatch,
        loss=losses.hinge,
        epochs=6,
        l2=1e-3,
        regularize=True,
    )
    assert step.traces == 1 and step.replays == 3  # dynamic three times, then replayed


def test_fit_compiled_minibatches_with_a_short_last_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    X, _ = _moons(23)
    target = [x[0] * 0.5 - x[1] for x in X]  # regression
    step = _both(
        lambda: nn.MLP(2, [6, 1], activation="tanh", seed=2),
        lambda ps: optim.Adam(ps, lr=0.01),
        X,
        target,
        monkeypatch,
        loss=losses.mse,
        epochs=5,
        batch_size=10,
        shuffle=False,
    )
    assert step.traces == 3  # batches of 10, 10 and 3
    assert step.replays == 3 * 2


@pytest.mark.parametrize(
    ("loss", "activation", "output"),
    [
        (losses.binary_cross_entropy, "relu", "sigmoid"),
        (losses.bce_with_logits, "leaky_relu", "linear"),
        (losses.sse, "softplus", "linear"),
        (losses.mse, "sigmoid", "tanh"),
    ],
)
def test_fit_compiled_binary_losses_and_activations(
    loss: Any, activation: str, output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = _moons(16)
    step = _both(
        lambda: nn.MLP(2, [5, 1], activation=activation, output_activation=output, seed=3),
        lambda ps: optim.SGD(ps, lr=0.2, momentum=0.9, weight_decay=1e-3),
        X,
        [float(t) for t in y],
        monkeypatch,
        loss=loss,
        epochs=4,
        regularize=True,
    )
    assert step.replays == 1


@pytest.mark.parametrize("loss", [losses.cross_entropy, losses.nll])
def test_fit_compiled_multiclass(loss: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = make_blobs(18, 3, seed=4)
    step = _both(
        lambda: nn.MLP(2, [6, 3], seed=5),
        lambda ps: optim.AdamW(ps, lr=0.05),
        X,
        y,
        monkeypatch,
        loss=loss,
        epochs=4,
        l2=1e-3,
    )
    # log_softmax's shift is a node of the graph, recomputed on replay: compiled too
    assert step.replays == 1


def test_fit_compiled_shuffled_minibatches_stay_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = _moons(20)
    _both(
        lambda: nn.MLP(2, [4, 1], seed=6),
        lambda ps: optim.SGD(ps, lr=0.1),
        X,
        [2 * t - 1 for t in y],
        monkeypatch,
        loss=losses.hinge,
        epochs=3,
        batch_size=4,
        seed=11,
    )


def test_compiled_step_replays_with_the_batch_features() -> None:
    # Two batches with the same labels share one program; each replay reads its own rows.
    X = [[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0], [0.0, -0.0]]
    model = nn.MLP(2, [3, 1], seed=8)

    def objective(rows: list[Any], labels: list[Any]) -> Value:
        return losses.hinge([model(r) for r in rows], labels)

    step = CompiledStep(objective, X)
    for idx in ([0, 1], [2, 3], [0, 1], [2, 3], [1, 2], [3, 0]):
        model.zero_grad()
        got = step(idx, [1, -1])
        grads = [p.grad for p in model.parameters()]
        model.zero_grad()
        want = objective([X[i] for i in idx], [1, -1])
        want.backward()
        assert got == want.data
        assert grads == [p.grad for p in model.parameters()]
    assert step.traces == 1 and step.replays == 3
    # log_softmax shifts by the largest logit through a node of the graph: replayed, exactly.
    ce = CompiledStep(lambda rows, t: losses.cross_entropy([[r[0], r[1]] for r in rows], t), X)
    for idx in ([0, 1], [2, 3], [0, 1], [2, 3], [0, 1]):
        got = ce(idx, [0, 1])
        want = losses.cross_entropy([[X[i][0], X[i][1]] for i in idx], [0, 1])
        assert got == want.data
    assert ce.traces == 1 and ce.replays == 2


def test_compiled_step_falls_back_for_nan_labels_and_odd_features() -> None:
    model = nn.MLP(1, [1], seed=9)

    def objective(rows: list[Any], labels: list[Any]) -> Value:
        return losses.mse([model(r) for r in rows], labels)

    step = CompiledStep(objective, [[1.0], [2.0]])
    for _ in range(3):
        assert math.isnan(step([0, 1], [math.nan, 1.0]))
    assert step.traces == 0
    odd = CompiledStep(objective, [[Value(1.0)], [2.0]])  # a Value as a feature: dynamic
    for _ in range(3):
        odd([0, 1], [1.0, 2.0])
    assert odd.traces == 0
