"""Tests for `autograd_lite.training`: fit, its history, batching, determinism and accuracy."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pytest

from autograd_lite import Value, data, losses, nn, optim
from autograd_lite.core import is_grad_enabled
from autograd_lite.functional import mean
from autograd_lite.training import History, accuracy, fit, predict


def _pm1(y: Sequence[Any]) -> list[float]:
    """Labels as ±1 (hinge loss), whatever convention the data set uses."""
    return [1.0 if float(t) == 1.0 else -1.0 for t in y]


def _mse(preds: list[Value], targets: list[float]) -> Value:
    return mean([(p - t) ** 2 for p, t in zip(preds, targets)])


class Linear:
    """y = w·x[0]: one parameter, so the expected numbers are easy to compute by hand."""

    def __init__(self, w: float) -> None:
        self.w = Value(w)

    def __call__(self, x: Sequence[float]) -> Value:
        return self.w * x[0]

    def parameters(self) -> list[Value]:
        return [self.w]


class Recorder:
    """An optimiser that changes nothing and records the gradient and lr at every step."""

    def __init__(self, params: list[Value]) -> None:
        self.params = params
        self.lr = 0.0
        self.grads: list[list[float]] = []
        self.lrs: list[float] = []

    def step(self) -> None:
        self.grads.append([p.grad for p in self.params])
        self.lrs.append(self.lr)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0


class Identity:
    """Returns its input features as outputs: one Value, or a list for several features."""

    def __call__(self, x: Sequence[float]) -> Value | list[Value]:
        return Value(x[0]) if len(x) == 1 else [Value(v) for v in x]

    def parameters(self) -> list[Value]:
        return []


def _moons_fit(batch_seed: int, epochs: int = 3) -> tuple[History, dict[str, float]]:
    X, y = data.make_moons(24, noise=0.1, seed=3)
    model = nn.MLP(2, [4, 1], seed=7)
    opt = optim.SGD(model.parameters(), lr=0.1)
    history = fit(
        model,
        X,
        _pm1(y),
        loss=losses.hinge,
        optimizer=opt,
        epochs=epochs,
        batch_size=5,
        seed=batch_seed,
        progress=False,
    )
    return history, model.state_dict()


# --------------------------------------------------------------------------- training works


def test_fit_xor_reaches_full_accuracy() -> None:
    X, y = data.make_xor()
    y = _pm1(y)
    model = nn.MLP(2, [8, 8, 1], seed=0)
    opt = optim.SGD(model.parameters(), lr=0.05)
    history = fit(model, X, y, loss=losses.hinge, optimizer=opt, epochs=100, progress=False)
    assert history.accuracy[-1] == 1.0
    assert accuracy(model, X, y) == 1.0
    assert history.loss[-1] < 0.5 * history.loss[0]


def test_fit_xor_relu_recipe_with_positive_biases_solves_almost_every_seed() -> None:
    # The notebooks' XOR recipe: small positive initial biases keep the ReLUs alive.
    X, y = data.make_xor()
    y = [2 * t - 1 for t in y]  # ±1 labels for the hinge loss
    solved = []
    for seed in range(20):
        model = nn.MLP(2, [4, 1], bias_init=0.1, seed=seed)
        opt = optim.Adam(model.parameters(), lr=0.1)
        history = fit(model, X, y, loss=losses.hinge, optimizer=opt, epochs=100, progress=False)
        solved.append(history.accuracy[-1] == 1.0)
    assert sum(solved) >= 19, [seed for seed, ok in enumerate(solved) if not ok]


def test_fit_history_has_one_entry_per_epoch() -> None:
    X, y = data.make_moons(20, noise=0.1, seed=0)
    Xv, yv = data.make_moons(10, noise=0.1, seed=1)
    model = nn.MLP(2, [4, 1], seed=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    history = fit(
        model,
        X,
        _pm1(y),
        loss=losses.hinge,
        optimizer=opt,
        epochs=4,
        validation=(Xv, _pm1(yv)),
        progress=False,
    )
    assert len(history) == 4
    assert {k: len(v) for k, v in history.as_dict().items()} == {
        "loss": 4,
        "accuracy": 4,
        "val_loss": 4,
        "val_accuracy": 4,
    }
    assert history["loss"] is history.loss
    # Accuracy is a fraction of the 20 (or 10) samples.
    assert all(round(a * 20) == a * 20 and 0.0 <= a <= 1.0 for a in history.accuracy)
    assert all(round(a * 10) == a * 10 for a in history.val_accuracy)
    with pytest.raises(KeyError, match="'acc'"):
        history["acc"]


def test_fit_history_loss_is_the_objective_after_each_epoch() -> None:
    # Full batch, lr 0: the model never changes, so every epoch records the same objective:
    # mean((w·x − t)²) + l2/2 · w² with w = 2, x = [1, 2], t = [1, 3] → (1 + 1)/2 + 0.25 · 4.
    model = Linear(2.0)
    history = fit(
        model,
        [[1.0], [2.0]],
        [1.0, 3.0],
        loss=_mse,
        optimizer=Recorder(model.parameters()),
        epochs=2,
        l2=0.5,
        progress=False,
    )
    assert history.loss == [2.0, 2.0]
    assert all(math.isnan(a) for a in history.accuracy)  # regression targets


def test_fit_l2_adds_lambda_w_to_the_gradient() -> None:
    model = Linear(2.0)
    opt = Recorder(model.parameters())
    fit(model, [[1.0]], [0.0], loss=_mse, optimizer=opt, epochs=1, l2=0.5, progress=False)
    # d/dw [(w·1 − 0)² + 0.5/2 · w²] = 2w + 0.5w = 5 at w = 2.
    assert opt.grads == [[5.0]]


def test_fit_regularizer_callable_is_added_every_step() -> None:
    model = Linear(2.0)
    opt = Recorder(model.parameters())
    fit(
        model,
        [[1.0]],
        [0.0],
        loss=_mse,
        optimizer=opt,
        epochs=2,
        regularizer=lambda: model.w**4,
        progress=False,
    )
    # d/dw [w² + w⁴] = 2w + 4w³ = 36 at w = 2, once per epoch.
    assert opt.grads == [[36.0], [36.0]]


def test_fit_lr_schedule_sets_optimizer_lr_per_epoch() -> None:
    model = Linear(1.0)
    opt = Recorder(model.parameters())
    fit(
        model,
        [[1.0], [2.0], [3.0]],
        [1.0, 2.0, 3.0],
        loss=_mse,
        optimizer=opt,
        epochs=3,
        batch_size=2,
        lr_schedule=lambda e: 1.0 / (e + 1),
        progress=False,
    )
    assert opt.lrs == [1.0, 1.0, 0.5, 0.5, 1 / 3, 1 / 3]


# --------------------------------------------------------------------------- batching


def test_fit_batches_cover_every_sample_once_per_epoch() -> None:
    seen: list[list[float]] = []

    def loss(preds: list[Value], targets: list[float]) -> Value:
        if is_grad_enabled():  # the training steps, not the evaluation
            seen.append(targets)
        return _mse(preds, targets)

    model = Linear(0.0)
    y = [float(i) for i in range(10)]
    X = [[t] for t in y]
    fit(
        model,
        X,
        y,
        loss=loss,
        optimizer=Recorder([model.w]),
        epochs=2,
        batch_size=4,
        progress=False,
    )
    assert [len(b) for b in seen] == [4, 4, 2, 4, 4, 2]
    assert sorted(t for b in seen[:3] for t in b) == y
    assert sorted(t for b in seen[3:] for t in b) == y
    assert seen[:3] != seen[3:]  # reshuffled between epochs


def test_fit_full_batch_is_one_step_per_epoch_and_evaluates_under_no_grad() -> None:
    modes: list[bool] = []

    def loss(preds: list[Value], targets: list[float]) -> Value:
        modes.append(is_grad_enabled())
        assert len(preds) == len(targets) == 3
        return _mse(preds, targets)

    model = Linear(0.5)
    opt = Recorder(model.parameters())
    fit(
        model,
        [[1.0], [2.0], [3.0]],
        [1.0, 2.0, 3.0],
        loss=loss,
        optimizer=opt,
        epochs=2,
        progress=False,
    )
    assert len(opt.grads) == 2
    assert modes == [True, False, True, False]  # a step, then the evaluation, per epoch


def test_fit_same_seed_gives_the_same_history_and_weights() -> None:
    first, weights = _moons_fit(batch_seed=11)
    again, weights_again = _moons_fit(batch_seed=11)
    other, weights_other = _moons_fit(batch_seed=12)
    assert first == again
    assert weights == weights_again
    assert weights_other != weights  # the shuffle order matters with minibatches
    assert other.loss != first.loss


# --------------------------------------------------------------------------- progress


def test_fit_progress_false_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    model = Linear(0.5)
    fit(model, [[1.0]], [1.0], loss=_mse, optimizer=Recorder([model.w]), epochs=3, progress=False)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_fit_progress_shows_loss_and_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    model = Linear(0.5)
    fit(model, [[1.0], [-1.0]], [1, -1], loss=_mse, optimizer=Recorder([model.w]), epochs=3)
    err = capsys.readouterr().err
    assert "3/3" in err
    assert "loss=0.25" in err  # mean((0.5 − 1)², (−0.5 + 1)²)
    assert "acc=100.0%" in err


def _fake_notebook(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Pretend to run in a Jupyter kernel; returns display id → what the cell shows now."""
    IPython = pytest.importorskip("IPython")
    from IPython import display as ipd

    class Kernel:
        kernel = object()  # what a ZMQ kernel's shell has and a terminal's lacks

    class Handle:
        display_id = "progress-1"

    shown: dict[str, Any] = {}

    def display(obj: Any, *, raw: bool = False, display_id: Any = None) -> Handle:
        assert raw and display_id is True  # raw text/plain, updatable in place
        shown[Handle.display_id] = obj
        return Handle()

    def update_display(obj: Any, *, raw: bool = False, display_id: Any = None) -> None:
        assert raw and display_id in shown  # only ever replaces the one output
        shown[display_id] = obj

    monkeypatch.setattr(IPython, "get_ipython", lambda: Kernel())
    monkeypatch.setattr(ipd, "display", display)
    monkeypatch.setattr(ipd, "update_display", update_display)
    return shown


def test_fit_progress_in_a_notebook_leaves_one_plain_final_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = _fake_notebook(monkeypatch)
    model = Linear(0.5)
    fit(model, [[1.0], [-1.0]], [1, -1], loss=_mse, optimizer=Recorder([model.w]), epochs=50)
    assert shown == {"progress-1": {"text/plain": "fit: epoch 50/50 · loss 0.25 · acc 100.0%"}}
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""  # no tqdm bar, no IProgress warning


def test_fit_progress_in_a_notebook_shows_validation_and_stops_silently_when_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown = _fake_notebook(monkeypatch)
    model = Linear(0.5)
    args: dict[str, Any] = {"loss": _mse, "optimizer": Recorder([model.w]), "epochs": 2}
    fit(model, [[1.0]], [1], progress=False, **args)
    assert shown == {}
    fit(model, [[1.0]], [1], validation=([[2.0]], [3.0]), **args)
    line = shown["progress-1"]["text/plain"]
    # mean((0.5 − 1)²) = 0.25; validation (1 − 3)² = 4, a regression target: no accuracy.
    assert line == "fit: epoch 2/2 · loss 0.25 · acc 100.0% · val_loss 4"


def test_progress_detects_no_notebook_in_a_terminal() -> None:
    from autograd_lite.training.progress import in_notebook

    assert not in_notebook()


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"y": [1.0, -1.0, 1.0]}, ValueError, "got 2 samples and 3 labels"),
        ({"X": [], "y": []}, ValueError, "X is empty"),
        ({"X": [[1.0], [1.0, 2.0]]}, ValueError, r"X\[1\] has 2"),
        ({"epochs": 0}, ValueError, "epochs must be at least 1, got 0"),
        ({"epochs": -5}, ValueError, "epochs must be at least 1, got -5"),
        ({"epochs": 2.0}, TypeError, "epochs must be an int, got float"),
        ({"batch_size": 0}, ValueError, "batch_size must be at least 1"),
        ({"l2": -1e-4}, ValueError, "l2 must be a finite number >= 0"),
        ({"loss": "hinge"}, TypeError, "loss must be a callable"),
        ({"loss": lambda p, t: 0.5}, TypeError, "loss must return a Value, got float"),
        ({"optimizer": object()}, TypeError, r"optimizer needs step\(\) and zero_grad\(\)"),
        ({"validation": ([[1.0]], [])}, ValueError, "validation X and validation y"),
    ],
)
def test_fit_bad_input_raises_clear_error(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    model = Linear(1.0)
    args: dict[str, Any] = {
        "X": [[1.0], [2.0]],
        "y": [1.0, -1.0],
        "loss": _mse,
        "optimizer": Recorder([model.w]),
        "epochs": 1,
        "progress": False,
    }
    args.update(kwargs)
    with pytest.raises(error, match=message):
        fit(model, args.pop("X"), args.pop("y"), **args)


def test_fit_lr_schedule_needs_an_lr_attribute() -> None:
    class NoLr:
        def step(self) -> None: ...

        def zero_grad(self) -> None: ...

    with pytest.raises(TypeError, match="NoLr has none"):
        fit(
            Linear(1.0),
            [[1.0]],
            [1.0],
            loss=_mse,
            optimizer=NoLr(),
            epochs=1,
            lr_schedule=lambda e: 0.1,
            progress=False,
        )


# --------------------------------------------------------------------------- accuracy rules


def test_accuracy_uses_the_sign_for_plus_minus_one_labels() -> None:
    X = [[-2.0], [-0.1], [0.3], [5.0]]
    assert accuracy(Identity(), X, [-1, 1, 1, 1]) == 0.75


def test_accuracy_cuts_probabilities_at_one_half_for_zero_one_labels() -> None:
    X = [[0.2], [0.6], [0.4], [0.9]]
    assert accuracy(Identity(), X, [0, 1, 1, 1]) == 0.75
    assert accuracy(Identity(), X, [0, 1, 1, 1], threshold=0.3) == 1.0


def test_fit_cuts_at_one_half_only_for_a_probability_loss() -> None:
    def bce_with_logits(preds: list[Value], targets: list[float]) -> Value:
        return _mse(preds, targets)  # only the name matters here

    def binary_cross_entropy(preds: list[Value], targets: list[float]) -> Value:
        return _mse(preds, targets)

    model = Linear(1.0)
    X = [[-1.0], [0.3], [0.7]]  # outputs −1, 0.3, 0.7: a 0.5 cut misses the 0.3
    args: dict[str, Any] = {"optimizer": Recorder([model.w]), "epochs": 1, "progress": False}
    assert fit(model, X, [0, 1, 1], loss=bce_with_logits, **args).accuracy == [1.0]
    assert fit(model, X, [0, 1, 1], loss=_mse, **args).accuracy == [1.0]  # a score: sign
    assert fit(model, X, [0, 1, 1], loss=binary_cross_entropy, **args).accuracy == [2 / 3]
    assert fit(model, X, [0, 1, 1], loss=_mse, threshold=0.5, **args).accuracy == [2 / 3]
    assert fit(model, X, [-1, 1, 1], loss=losses.hinge, **args).accuracy == [1.0]


def test_accuracy_never_reads_the_cut_from_the_labels() -> None:
    # A sigmoid output is a probability: 0.3 is class 0 whatever labels the data holds.
    model = nn.MLP(1, [1], output_activation="sigmoid", seed=0)
    model.layers[0].neurons[0].w[0].data = 0.0
    model.layers[0].neurons[0].b.data = math.log(0.3 / 0.7)  # σ(b) = 0.3
    X = [[1.0], [2.0]]
    assert predict(model, X) == pytest.approx([0.3, 0.3])
    assert accuracy(model, X, [1, 1]) == 0.0
    assert accuracy(model, X, [0, 0]) == 1.0
    assert accuracy(model, X, [-1, -1]) == 1.0  # below the cut: the labels' negative class
    assert accuracy(model, X, [1, 1], threshold=0.25) == 1.0
    # The same numbers from a linear model are scores: 0.3 > 0 is class 1.
    scores = nn.MLP(1, [1], seed=0)
    scores.layers[0].neurons[0].w[0].data = 0.0
    scores.layers[0].neurons[0].b.data = 0.3
    assert accuracy(scores, X, [1, 1]) == 1.0
    assert accuracy(scores, X, [0, 0]) == 0.0
    assert accuracy(scores, X, [1, 1], loss=losses.binary_cross_entropy) == 0.0  # probabilities


@pytest.mark.parametrize(
    ("make", "cut"),
    [
        (lambda: nn.Neuron(1, "sigmoid", seed=0), 0.5),
        (lambda: nn.Layer(1, 1, "sigmoid", seed=0), 0.5),
        (lambda: nn.MLP(1, [2, 1], activation="sigmoid", seed=0), 0.0),  # hidden only
        (lambda: nn.MLP(1, [2, 1], output_activation="tanh", seed=0), 0.0),
    ],
)
def test_accuracy_cut_follows_the_output_activation(make: Any, cut: float) -> None:
    from autograd_lite.training.evaluation import output_cut

    assert output_cut(make(), None, None) == cut
    assert output_cut(make(), None, 0.7) == 0.7  # an explicit threshold wins


def test_fit_and_accuracy_refuse_a_bad_threshold() -> None:
    with pytest.raises(ValueError, match="threshold must be finite, got nan"):
        accuracy(Identity(), [[0.1]], [1], threshold=math.nan)
    with pytest.raises(TypeError, match="threshold must be a number"):
        accuracy(Identity(), [[0.1]], [1], threshold="0.5")  # type: ignore[arg-type]


def test_accuracy_uses_the_argmax_for_several_outputs() -> None:
    X = [[1.0, 0.0, 0.0], [0.0, 2.0, 1.0], [0.0, 1.0, 3.0]]
    assert accuracy(Identity(), X, [0, 2, 2]) == pytest.approx(2 / 3)
    one_hot = [[1, 0, 0], [0, 0, 1], [0, 0, 1]]
    assert accuracy(Identity(), X, one_hot) == pytest.approx(2 / 3)


def test_accuracy_rejects_regression_targets_and_bad_lengths() -> None:
    with pytest.raises(ValueError, match="needs class labels"):
        accuracy(Identity(), [[0.1], [0.2]], [0.5, 2.5])
    with pytest.raises(ValueError, match="got 2 samples and 1 labels"):
        accuracy(Identity(), [[0.1], [0.2]], [1])


def test_predict_returns_plain_floats() -> None:
    model = nn.MLP(2, [3, 2], seed=0)
    outputs = predict(model, [[0.5, -1.0], [1.0, 2.0]])
    assert len(outputs) == 2
    for out, x in zip(outputs, [[0.5, -1.0], [1.0, 2.0]]):
        assert isinstance(out, list)
        assert out == [v.data for v in model(x)]
    single = predict(nn.MLP(2, [3, 1], seed=0), [[0.5, -1.0]])
    assert isinstance(single[0], float)
