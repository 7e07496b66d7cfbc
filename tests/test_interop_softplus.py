"""PyTorch's Softplus(beta, threshold) to autograd_lite and back: the same numbers, to 1e-12."""

from __future__ import annotations

import math
import random
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
from helpers import assert_close, compare

from autograd_lite import Value, grad, nn
from autograd_lite.interop import from_torch, parameter_map, to_torch

# x from -60 to 60: both sides of every threshold below, and x·beta past 37, where
# log(1 + e^(x·beta)) and x·beta become the same float64; the floats around 20.
SWEEP = [i / 8 for i in range(-480, 481)] + [20.5, 19.999999999999996, 20.000000000000004]

SETTINGS: list[tuple[dict[str, float], tuple[float, float | None]]] = [
    ({}, (1.0, 20.0)),  # PyTorch's default: beta 1, threshold 20
    ({"threshold": 10.0}, (1.0, 10.0)),
    ({"beta": 2.0}, (2.0, 20.0)),
    ({"beta": 0.5, "threshold": 5.0}, (0.5, 5.0)),
    ({"beta": -1.5, "threshold": 3.0}, (-1.5, 3.0)),
    # from 40 on, beta·x and log(1 + e^(beta·x)) are the same float64: no threshold
    ({"beta": 2.0, "threshold": math.inf}, (2.0, None)),
    ({"beta": 0.5, "threshold": 40.0}, (0.5, None)),
    ({"threshold": 40.0}, (1.0, None)),
    ({"threshold": 100.0}, (1.0, None)),
    ({"threshold": math.inf}, (1.0, None)),
    ({"threshold": math.nan}, (1.0, None)),  # beta·x > nan never holds
]


def _unit(torch: Any, softplus: Any) -> Any:
    """softplus(x) in PyTorch: Linear(1, 1) with weight 1 and bias 0, then `softplus`."""
    seq = torch.nn.Sequential(torch.nn.Linear(1, 1), softplus).double()
    with torch.no_grad():
        seq[0].weight.fill_(1.0)
        seq[0].bias.fill_(0.0)
    return seq


def _sweep(torch: Any, model: nn.Module, seq: Any) -> None:
    """Output and slope of `model` and `seq` at every x of SWEEP, to 1e-12 relative."""
    xt = torch.tensor([[x] for x in SWEEP], dtype=torch.float64, requires_grad=True)
    out = seq(xt)
    out.sum().backward()
    want, want_slope = out[:, 0].tolist(), xt.grad[:, 0].tolist()
    got, got_slope = [], []
    for x0 in SWEEP:
        x = Value(x0)
        y = model([x])
        got.append(y.data)
        got_slope.append(grad(y, [x])[0])
    for i, x0 in enumerate(SWEEP):
        assert_close([got[i], got_slope[i]], [want[i], want_slope[i]], f"x = {x0}")


def test_interop_softplus_default_is_x_above_20_as_in_pytorch() -> None:
    torch = pytest.importorskip("torch")
    seq = _unit(torch, torch.nn.Softplus())
    model = from_torch(seq)
    assert (model.softplus_beta, model.softplus_threshold) == (1.0, 20.0)
    x = Value(20.5)
    y = model([x])
    assert (y.data, grad(y, [x])) == (20.5, [1.0])  # was 20.50000000125 and 0.99999999875
    xt = torch.tensor([[20.5]], dtype=torch.float64, requires_grad=True)
    seq(xt).sum().backward()
    assert xt.grad.item() == 1.0
    _sweep(torch, model, seq)


@pytest.mark.parametrize(("arguments", "settings"), SETTINGS)
def test_interop_softplus_settings_are_read_and_match(
    arguments: dict[str, float], settings: tuple[float, float | None]
) -> None:
    torch = pytest.importorskip("torch")
    seq = _unit(torch, torch.nn.Softplus(**arguments))
    model = from_torch(seq)
    assert (model.softplus_beta, model.softplus_threshold) == settings
    _sweep(torch, model, seq)


@pytest.mark.parametrize(("arguments", "settings"), SETTINGS[:5])
def test_interop_softplus_mlp_matches_with_inputs_past_the_threshold(
    arguments: dict[str, float], settings: tuple[float, float | None]
) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(1)
    tnn = torch.nn
    children = [tnn.Linear(3, 8), tnn.Softplus(**arguments), tnn.Linear(8, 6)]
    seq = tnn.Sequential(*children, tnn.Softplus(**arguments), tnn.Linear(6, 2)).double()
    model = from_torch(seq)
    assert (model.activation, model.output_activation) == ("softplus", "linear")
    assert [layer.softplus_threshold for layer in model.layers] == [settings[1]] * 2 + [None]
    # inputs up to ±60 put pre-activations on both sides of the thresholds
    compare(torch, model, seq, 3, 2, random.Random(7), scale=60.0)


def test_interop_softplus_round_trips() -> None:
    torch = pytest.importorskip("torch")
    # to PyTorch and back: the settings and weights come back as they were
    for beta, threshold in [(1.0, None), (1.0, 20.0), (2.0, 20.0), (0.5, None), (-1.5, 3.0)]:
        model = nn.MLP(2, [4, 1], "tanh", "softplus", seed=0, **_settings(beta, threshold))
        seq = to_torch(model)
        assert (seq[3].beta, seq[3].threshold) == (beta, 40.0 if threshold is None else threshold)
        back = from_torch(seq)
        assert (back.softplus_beta, back.softplus_threshold) == (beta, threshold)
        assert back.state_dict() == model.state_dict()
        compare(torch, model, seq, 2, 1, random.Random(8), scale=30.0)
    # from PyTorch and back: to_torch writes the module's beta and threshold again
    seq = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Softplus(beta=2.0)).double()
    again = to_torch(from_torch(seq))
    assert (again[1].beta, again[1].threshold) == (2.0, 20.0)
    assert again.state_dict().keys() == seq.state_dict().keys()
    assert all(torch.equal(again.state_dict()[k], v) for k, v in seq.state_dict().items())


def _settings(beta: float, threshold: float | None) -> dict[str, Any]:
    return {"softplus_beta": beta, "softplus_threshold": threshold}


def test_interop_softplus_settings_survive_a_model_file(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    named = OrderedDict(fc=tnn.Linear(1, 1), act=tnn.Softplus())
    seq = tnn.Sequential(named).double()
    with torch.no_grad():
        seq.fc.weight.fill_(1.0)
        seq.fc.bias.fill_(0.0)
    assert parameter_map(seq) == {
        "layers.0.neurons.0.w.0": ("fc.weight", (0, 0)),
        "layers.0.neurons.0.b": ("fc.bias", (0,)),
    }
    path = tmp_path / "softplus.json"
    from_torch(seq).save(path)
    loaded = nn.MLP.load(path)
    assert (loaded.softplus_beta, loaded.softplus_threshold) == (1.0, 20.0)
    _sweep(torch, loaded, seq)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda t: [t.nn.Softplus(beta=0.0)], r"module 1 is Softplus\(beta=0.0, .* other than 0"),
        (lambda t: [t.nn.Softplus(beta=math.inf)], r"beta=inf.*finite beta"),
        (lambda t: [t.nn.Softplus(beta=math.nan)], r"beta=nan.*finite beta"),
        (lambda t: [t.nn.Softplus(threshold=-math.inf)], r"threshold=-inf\).*finite threshold"),
        (
            lambda t: [t.nn.Softplus(), t.nn.Linear(2, 2), t.nn.Softplus(beta=2.0)],
            r"one beta and threshold for all its softplus layers.*module 0: "
            r"softplus\(beta=1.0, threshold=20.0\), module 2: softplus\(beta=2.0, threshold=20.0\)",
        ),
        (
            lambda t: [t.nn.Softplus(), t.nn.Linear(2, 2), t.nn.Softplus(10.0), t.nn.Linear(2, 1)],
            r"one activation for all hidden layers.*module 2: softplus\(beta=10.0, threshold=20",
        ),
    ],
)
def test_interop_softplus_refuses_only_what_it_cannot_match(build: Any, message: str) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=message):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), *build(torch)))
