"""The softplus activation's settings (PyTorch's beta and threshold) in models and model files."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from autograd_lite import Value, grad
from autograd_lite.nn import MLP, Layer, Module, Neuron


def _unit(**settings: Any) -> Neuron:
    """softplus(x): a neuron with weight 1 and bias 0."""
    neuron = Neuron(1, "softplus", seed=0, **settings)
    neuron.load_state_dict({"w.0": 1.0, "b": 0.0})
    return neuron


def _value_and_slope(model: Module, x0: float) -> tuple[float, float]:
    x = Value(x0)
    y = model([x])
    out = y[0] if isinstance(y, list) else y
    (slope,) = grad(out, [x])
    return out.data, slope


def test_softplus_settings_threshold_gives_x_and_slope_one_above_it() -> None:
    # PyTorch's default Softplus() is beta 1, threshold 20: x itself above 20
    assert _value_and_slope(_unit(softplus_threshold=20.0), 20.5) == (20.5, 1.0)
    assert _value_and_slope(_unit(), 20.5) == (20.500000001250154, 0.9999999987498471)
    # at and below the threshold: log(1 + e^x), slope sigmoid(x)
    for x in (20.0, 19.5, -3.0):
        got, slope = _value_and_slope(_unit(softplus_threshold=20.0), x)
        assert got == pytest.approx(math.log1p(math.exp(x)), rel=1e-15)
        assert slope == pytest.approx(1 / (1 + math.exp(-x)), rel=1e-15)
    # beta: log(1 + e^(beta·x))/beta, and x where beta·x > threshold
    assert _value_and_slope(_unit(softplus_beta=2.0, softplus_threshold=20.0), 10.5) == (10.5, 1.0)
    got, slope = _value_and_slope(_unit(softplus_beta=2.0, softplus_threshold=20.0), 1.5)
    assert got == pytest.approx(math.log1p(math.exp(3.0)) / 2.0, rel=1e-15)
    assert slope == pytest.approx(1 / (1 + math.exp(-3.0)), rel=1e-15)


def test_softplus_settings_reach_every_softplus_layer_and_only_those() -> None:
    mlp = MLP(2, [3, 1], activation="relu", output_activation="softplus", softplus_threshold=20.0)
    assert [layer.softplus_threshold for layer in mlp.layers] == [None, 20.0]
    assert mlp.layers[1].neurons[0].softplus_threshold == 20.0
    layer = Layer(2, 3, "softplus", seed=0, softplus_beta=0.5)
    assert {(n.softplus_beta, n.softplus_threshold) for n in layer.neurons} == {(0.5, None)}
    assert layer([40.0, -3.0])[0].op == "softplus_threshold"
    assert Layer(2, 3, "softplus", seed=0)([40.0, -3.0])[0].op == "softplus"  # the defaults
    assert repr(mlp) == (
        "MLP(2, [3, 1], activation='relu', output_activation='softplus', softplus_threshold=20.0)"
    )
    assert repr(layer) == "Layer(2, 3, activation='softplus', softplus_beta=0.5)"


@pytest.mark.parametrize(
    ("settings", "error", "match"),
    [
        ({"softplus_beta": 0.0}, ValueError, "softplus_beta must be a finite number other than 0"),
        ({"softplus_beta": math.inf}, ValueError, "softplus_beta must be finite, got inf"),
        ({"softplus_beta": True}, TypeError, "softplus_beta must be .* got bool"),
        ({"softplus_threshold": math.nan}, ValueError, "softplus_threshold must be finite"),
        ({"softplus_threshold": "20"}, TypeError, "softplus_threshold must be a number, got str"),
    ],
)
def test_softplus_settings_refuse_bad_values(
    settings: dict[str, Any], error: type[Exception], match: str
) -> None:
    for make in (
        lambda: Neuron(2, "softplus", **settings),
        lambda: Layer(2, 2, "softplus", **settings),
        lambda: MLP(2, [2, 1], "softplus", **settings),
    ):
        with pytest.raises(error, match=match):
            make()


def test_softplus_settings_need_a_softplus_activation() -> None:
    message = (
        r"softplus_beta and softplus_threshold are settings of the softplus activation.*'relu'"
    )
    with pytest.raises(ValueError, match=message):
        Neuron(2, "relu", softplus_threshold=20.0)
    with pytest.raises(ValueError, match=r"activations: 'tanh', 'linear'"):
        MLP(2, [3, 3, 1], activation="tanh", softplus_beta=2.0)
    MLP(2, [3, 1], activation="relu", softplus_beta=1.0, softplus_threshold=None)  # defaults


# --------------------------------------------------------------------------- model files


def _document(model: Module) -> dict[str, Any]:
    return {
        "format": "autograd_lite.model",
        "version": 1,
        "architecture": model._config(),
        "parameters": model.state_dict(),
    }


def test_softplus_settings_leave_files_without_them_as_they_were(tmp_path: Path) -> None:
    model = MLP(2, [3, 1], activation="softplus", seed=0)
    assert model._config() == {
        "type": "MLP",
        "nin": 2,
        "nouts": [3, 1],
        "activation": "softplus",
        "output_activation": "linear",
    }
    path = tmp_path / "old.json"  # a file as written before the settings existed
    path.write_text(json.dumps(_document(model)), encoding="utf-8")
    loaded = MLP.load(path)
    assert (loaded.softplus_beta, loaded.softplus_threshold) == (1.0, None)
    assert loaded([30.0, 1.0]).data == model([30.0, 1.0]).data


@pytest.mark.parametrize(
    "model",
    [
        Neuron(1, "softplus", seed=1, softplus_threshold=20.0),
        Layer(1, 3, "softplus", seed=2, softplus_beta=2.0, softplus_threshold=15.0),
        MLP(1, [4, 1], activation="softplus", seed=3, softplus_threshold=20.0),
        MLP(1, [4, 2], activation="tanh", output_activation="softplus", softplus_beta=-0.5),
    ],
    ids=["Neuron", "Layer", "MLP hidden", "MLP output"],
)
def test_softplus_settings_round_trip_through_files(tmp_path: Path, model: Module) -> None:
    for p in model.parameters():  # large weights, so that inputs cross the thresholds
        p.data *= 20.0
    path = tmp_path / "m.json"
    model.save(path)
    settings = json.loads(path.read_text(encoding="utf-8"))["architecture"]
    assert {k: v for k, v in settings.items() if k.startswith("softplus")} == {
        k: getattr(model, k)
        for k in ("softplus_beta", "softplus_threshold")
        if getattr(model, k) not in (1.0, None)
    }
    loaded = Module.load(path)
    assert repr(loaded) == repr(model)
    assert loaded._config() == model._config()
    assert loaded.state_dict() == model.state_dict()
    for x0 in (-2.0, 0.3, 0.9, 1.1, 3.0):
        assert _value_and_slope(loaded, x0) == _value_and_slope(model, x0)


@pytest.mark.parametrize(
    ("key", "value", "match"),
    [
        ("softplus_threshold", "20", "'softplus_threshold' must be a finite number .* got str"),
        ("softplus_threshold", None, "'softplus_threshold' must be .* got NoneType"),
        ("softplus_threshold", True, "'softplus_threshold' must be .* got bool"),
        ("softplus_threshold", [20.0], "'softplus_threshold' must be .* got list"),
        ("softplus_beta", 0, "'softplus_beta' must be a finite number other than 0, got int 0"),
        ("softplus_beta", {"beta": 2}, "'softplus_beta' must be .* got dict"),
        ("softplus_alpha", 1.0, "missing or unexpected keys: 'softplus_alpha'"),
    ],
)
def test_softplus_settings_in_files_are_checked(
    tmp_path: Path, key: str, value: object, match: str
) -> None:
    document = _document(MLP(2, [3, 1], activation="softplus", seed=0))
    document["architecture"][key] = value
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValueError, match="not a valid model file: .*" + match):
        Module.load(path)


def test_softplus_settings_in_files_are_finite_and_for_softplus(tmp_path: Path) -> None:
    document = _document(Neuron(2, "softplus", seed=0))
    architecture = json.dumps(document["architecture"])[:-1] + ', "softplus_threshold": 1e400}'
    text = json.dumps({**document, "architecture": "A"}).replace('"A"', architecture)
    path = tmp_path / "inf.json"
    path.write_text(text, encoding="utf-8")  # 1e400 is JSON that parses to inf
    with pytest.raises(
        ValueError, match=r"'softplus_threshold' must be a finite number .*got float inf"
    ):
        Module.load(path)
    document = _document(Neuron(2, "relu", seed=0))
    document["architecture"]["softplus_threshold"] = 20.0
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValueError, match=r"settings of the softplus activation.*'relu'"):
        Neuron.load(path)
