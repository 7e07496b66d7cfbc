"""fit(..., compile=True): the model compiled per sample gives the dynamic fit's history exactly.

Every comparison here is bit for bit: histories (objective and accuracy per epoch, validation
too) and the final weights, against the same training run without `compile`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

import autograd_lite.training.loop as fit_module
from autograd_lite import Value, detect_anomaly, fit, functional, losses, nn, no_grad, optim
from autograd_lite import micrograd as mg
from autograd_lite.compiler import CompiledStep
from autograd_lite.data import make_blobs, make_moons


def _same(a: list[float], b: list[float]) -> bool:
    """Equal floats, bit for bit (nan equal to nan, 0.0 apart from -0.0)."""
    return len(a) == len(b) and all(
        (x != x and y != y) or (x == y and math.copysign(1.0, x) == math.copysign(1.0, y))
        for x, y in zip(a, b)
    )


class _Counting(CompiledStep):
    made: ClassVar[list[CompiledStep]] = []

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        _Counting.made.append(self)


def _both(
    make_model: Callable[[], Any],
    make_opt: Callable[[list[Value]], Any],
    X: list[list[float]],
    y: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    regularize: bool = False,
    **kw: Any,
) -> CompiledStep:
    """Fit twice from the same start, as written and compiled; histories and weights agree."""
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
    a, b = h1.as_dict(), h2.as_dict()
    assert a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a), (a, b)
    assert _same([p.data for p in dynamic.parameters()], [p.data for p in compiled.parameters()])
    (step,) = _Counting.made
    return step


def _moons(n: int = 24) -> tuple[list[list[float]], list[int]]:
    return make_moons(n, 0.1, 7)


OPTIMIZERS: list[Callable[[list[Value]], Any]] = [
    lambda ps: optim.SGD(ps, lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-3),
    lambda ps: optim.Adam(ps, lr=0.02),
    lambda ps: optim.AdamW(ps, lr=0.02, weight_decay=0.01),
]


@pytest.mark.parametrize("activation", sorted(nn.ACTIVATIONS))
@pytest.mark.parametrize("opt", range(len(OPTIMIZERS)))
def test_fit_compiled_every_activation_and_optimizer(
    activation: str, opt: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = _moons(22)
    step = _both(
        lambda: nn.MLP(2, [5, 4, 1], activation=activation, seed=opt),
        OPTIMIZERS[opt],
        X,
        [2 * t - 1 for t in y],
        monkeypatch,
        loss=losses.hinge,
        epochs=4,
        batch_size=5,  # 22 = 4 · 5 + 2: a short last batch, shuffled
    )
    assert step.compiled == 4 * 5 and step.as_written == 0


@pytest.mark.parametrize(
    ("loss", "output", "labels"),
    [
        (losses.mse, "linear", "pm"),
        (losses.sse, "tanh", "pm"),
        (losses.hinge, "linear", "pm"),
        (losses.binary_cross_entropy, "sigmoid", "01"),
        (losses.bce_with_logits, "linear", "01"),
    ],
)
@pytest.mark.parametrize("shuffle", [True, False])
def test_fit_compiled_binary_losses(
    loss: Any, output: str, labels: str, shuffle: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = _moons(21)
    ys = [float(2 * t - 1) if labels == "pm" else float(t) for t in y]
    step = _both(
        lambda: nn.MLP(2, [6, 1], output_activation=output, seed=3),
        lambda ps: optim.Adam(ps, lr=0.05),
        X,
        ys,
        monkeypatch,
        loss=loss,
        epochs=5,
        batch_size=4,
        shuffle=shuffle,
        validation=(X[:7], ys[:7]),
    )
    assert step.compiled == 5 * 6 and step.as_written == 0


@pytest.mark.parametrize("loss", [losses.cross_entropy, losses.nll])
@pytest.mark.parametrize("batch_size", [None, 7])
def test_fit_compiled_multiclass(
    loss: Any, batch_size: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = make_blobs(30, 3, seed=4)
    step = _both(
        lambda: nn.MLP(2, [6, 3], seed=5),
        lambda ps: optim.AdamW(ps, lr=0.05),
        X,
        y,
        monkeypatch,
        loss=loss,
        epochs=4,
        batch_size=batch_size,
        l2=1e-3,  # a penalty on the parameters, between the samples' terms in the walk
        regularize=True,
    )
    assert step.compiled > 0 and step.as_written == 0


def test_fit_compiled_regression_with_one_hot_rows_and_schedule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    X, y = make_blobs(17, 3, seed=6)
    one_hot = [[1.0 if k == t else 0.0 for k in range(3)] for t in y]
    step = _both(
        lambda: nn.MLP(2, [5, 3], activation="tanh", output_activation="sigmoid", seed=7),
        lambda ps: optim.SGD(ps, lr=0.3, momentum=0.5),
        X,
        one_hot,
        monkeypatch,
        loss=losses.mse,
        epochs=5,
        batch_size=6,
        lr_schedule=lambda epoch: 0.3 / (1 + epoch),
    )
    assert step.compiled == 5 * 3


def test_fit_compiled_layer_neuron_and_micrograd_models(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = _moons(18)
    pm = [2 * t - 1 for t in y]
    for make_model in (
        lambda: nn.Neuron(2, "tanh", seed=1),
        lambda: nn.Layer(2, 2, "relu", seed=2),
        lambda: (random.seed(3), mg.nn.MLP(2, [6, 6, 1]))[1],
    ):
        loss = losses.hinge if not isinstance(make_model(), nn.Layer) else losses.mse
        ys: list[Any] = pm if loss is losses.hinge else [[t, -t] for t in pm]
        step = _both(
            make_model,
            lambda ps: optim.SGD(ps, lr=0.05),
            X,
            ys,
            monkeypatch,
            loss=loss,
            epochs=3,
            batch_size=5,
            l2=1e-4,
        )
        assert step.compiled == 3 * 4 and step.as_written == 0


def _huber(preds: list[Value], targets: list[float]) -> Value:
    """A loss that branches on each prediction's value: a replay of its graph would be stale."""
    terms = []
    for p, t in zip(preds, targets):
        d = p - t
        terms.append(0.5 * d * d if abs(d.data) <= 1.0 else abs(d) - 0.5)
    return functional.mean(terms)


def test_fit_compiled_loss_that_branches_on_predictions(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = _moons(20)
    step = _both(
        lambda: nn.MLP(2, [8, 1], seed=8),
        lambda ps: optim.SGD(ps, lr=0.5),
        X,
        [3.0 * (2 * t - 1) for t in y],  # far targets: both branches are taken
        monkeypatch,
        loss=_huber,
        epochs=6,
        batch_size=4,
    )
    assert step.compiled == 6 * 5


class _Branchy(nn.MLP):
    """A subclass that decides on an input's value: its graph differs from input to input."""

    def __call__(self, x: Any) -> Any:
        out = super().__call__(x)
        return out * 2.0 if float(x[0]) > 0 else out


def test_fit_compile_runs_as_written_where_the_model_is_not_straight_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    X, y = _moons(16)
    step = _both(
        lambda: _Branchy(2, [4, 1], seed=9),
        lambda ps: optim.SGD(ps, lr=0.1),
        X,
        [2 * t - 1 for t in y],
        monkeypatch,
        loss=losses.hinge,
        epochs=3,
        batch_size=4,
    )
    assert step.compiled == 0 and step.as_written == 3 * 4


def _step_and_model(
    model: Any, X: list[list[float]], loss: Any = losses.mse
) -> tuple[CompiledStep, Callable[[list[int], list[Any]], Value]]:
    def dynamic(idx: list[int], labels: list[Any]) -> Value:
        return loss([model(X[i]) for i in idx], labels)

    return CompiledStep(model, lambda outs, ys: loss(outs, ys), X), dynamic


def _grads_agree(model: Any, step: CompiledStep, dynamic: Any, idx: list[int], ys: Any) -> None:
    """The step adds the same floats into `.grad` as backward() on the graph does."""
    ps = model.parameters()
    start = [p.grad for p in ps]
    got = step(idx, ys)
    compiled = [p.grad for p in ps]
    for p, g in zip(ps, start):
        p.grad = g
    value = dynamic(idx, ys)
    value.backward()
    assert _same([got], [value.data])
    assert _same(compiled, [p.grad for p in ps])


def test_compiled_step_matches_backward_on_random_models_and_kinks() -> None:
    rng = random.Random(10)
    acts = sorted(nn.ACTIVATIONS)
    for trial in range(25):
        sizes = [rng.randint(1, 5) for _ in range(rng.randint(1, 3))]
        model = nn.MLP(3, sizes, activation=rng.choice(acts), seed=trial)
        for p in model.parameters():  # some exact zeros: relu's kink, ties
            if rng.random() < 0.2:
                p.data = 0.0
        X = [[rng.choice([0.0, -0.0, 1.0, rng.uniform(-2, 2)]) for _ in range(3)] for _ in range(9)]
        step, dynamic = _step_and_model(model, X)
        for _ in range(3):
            idx = rng.sample(range(9), rng.randint(1, 9))
            ys = [[rng.uniform(-1, 1) for _ in sizes[-1:] for _ in range(sizes[-1])] for _ in idx]
            ys = [y if sizes[-1] > 1 else y[0] for y in ys]
            _grads_agree(model, step, dynamic, idx, ys)
        assert step.compiled == 3


def test_compiled_step_order_of_outputs_is_the_walks() -> None:
    # A loss that takes each sample's outputs first to last, and one that mixes samples.
    X = [[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0]]
    model = nn.MLP(2, [4, 3], seed=11)

    def forwards(outs: list[list[Value]], ys: list[int]) -> Value:
        return functional.sum([functional.sum(row[::-1]) * 0.5 for row in outs])

    def interleaved(outs: list[list[Value]], ys: list[int]) -> Value:
        firsts = functional.sum([row[0] for row in outs])
        return firsts * functional.sum([row[2] for row in outs]) + outs[0][1]

    for loss, runs_compiled in ((forwards, True), (interleaved, False)):
        step = CompiledStep(model, loss, X)

        def dynamic(idx: list[int], ys: list[int], loss: Any = loss) -> Value:
            return loss([model(X[i]) for i in idx], ys)  # type: ignore[no-any-return]

        for _ in range(3):
            _grads_agree(model, step, dynamic, [0, 1, 2], [0, 1, 2])
        # the first batch meets the outputs in another order: it runs as written, and the
        # program for that order serves the next ones
        assert (step.compiled == 2) == runs_compiled
        assert step.as_written == (1 if runs_compiled else 3)


def test_compiled_step_runs_as_written_where_a_zero_row_could_differ() -> None:
    X = [[1.0, math.inf], [0.5, -0.25]]
    model = nn.MLP(2, [2, 1], seed=12)
    model.layers[0].neurons[0].w[1].data = 0.0  # 0 · inf: a nan the engine may not make
    step, dynamic = _step_and_model(model, X)
    _grads_agree(model, step, dynamic, [0, 1], [1.0, -1.0])
    # a .grad of -0.0, which a 0.0 row would turn into 0.0
    model2 = nn.MLP(1, [2, 1], seed=13)
    for n in model2.layers[0].neurons:  # both hidden relus dead: their weights get no term
        n.w[0].data, n.b.data = -1.0, -1.0
    step2, dynamic2 = _step_and_model(model2, [[1.0], [2.0]])
    for p in model2.parameters():
        p.grad = -0.0
    _grads_agree(model2, step2, dynamic2, [0, 1], [0.5, 0.25])
    assert step2.as_written == 1


def test_compiled_step_runs_as_written_under_modes_and_odd_features() -> None:
    model = nn.MLP(1, [2, 1], seed=14)
    step, dynamic = _step_and_model(model, [[1.0], [2.0]])
    with detect_anomaly():
        _grads_agree(model, step, dynamic, [0, 1], [1.0, 0.0])
    assert step.as_written == 1 and step.compiled == 0
    for X in ([[Value(1.0)], [2.0]], [["a"], [2.0]], [[1.0], [2.0, 3.0]]):
        odd = CompiledStep(model, lambda outs, ys: losses.mse(outs, ys), X)
        assert odd.outputs([[1.0]]) is None
    with no_grad():
        value = step([0, 1], [1.0, 0.0])
    assert value == losses.mse([model([1.0]), model([2.0])], [1.0, 0.0]).data


def test_compiled_step_outputs_are_the_models() -> None:
    for model in (nn.MLP(2, [3, 2], seed=15), nn.MLP(2, [3, 1], seed=16), nn.Layer(2, 1, seed=17)):
        X = [[0.3, -0.7], [0.0, 1.5], [-2.0, -0.0]]
        step = CompiledStep(model, lambda outs, ys: losses.mse(outs, ys), X)
        got = step.outputs(X)
        assert got is not None
        with no_grad():
            want = [model(x) for x in X]
        for g, w in zip(got, want):
            if isinstance(w, list):
                assert [v.data for v in g] == [v.data for v in w]
            else:
                assert type(g) is type(w) and g.data == w.data


def test_compiled_step_after_outputs_uses_the_current_weights() -> None:
    # outputs(X) runs every sample forward; a step on the same weights may take those runs, and
    # one after any weight has changed (to another float, or to an equal one) must not.
    X = [[0.3, -0.7], [0.0, 1.5], [-2.0, -0.0], [1.0, 1.0]]
    ys = [0.5, -1.0, 0.25, 2.0]
    model = nn.MLP(2, [4, 1], seed=18)
    step, dynamic = _step_and_model(model, X)
    ps = model.parameters()
    for change in (None, lambda p: p.data + 0.5, lambda p: float(repr(p.data)), lambda p: 0.0):
        assert step.outputs(X) is not None
        if change is not None:
            ps[3].data = change(ps[3])
        for p in ps:
            p.grad = 0.0
        _grads_agree(model, step, dynamic, [2, 0, 3], [ys[2], ys[0], ys[3]])
    assert step.compiled == 4
