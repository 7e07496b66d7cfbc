"""to_torch / from_torch: the same model on both sides, the same outputs and gradients."""

from __future__ import annotations

import random
import sys
from collections import OrderedDict
from typing import Any

import pytest
from helpers import compare

from autograd_lite import nn
from autograd_lite.interop import from_torch, leaky_relu_slope, parameter_map, to_torch

ACTIVATIONS = list(nn.ACTIVATIONS)


@pytest.mark.parametrize("hidden", ACTIVATIONS)
@pytest.mark.parametrize("output", ["linear", "sigmoid", "tanh"])
def test_interop_to_torch_same_outputs_and_gradients(hidden: str, output: str) -> None:
    torch = pytest.importorskip("torch")
    rng = random.Random(f"{hidden} {output}")
    model = nn.MLP(3, [6, 5, 2], activation=hidden, output_activation=output, rng=rng)
    for p in model.parameters():  # non-zero biases, so they matter
        p.data += rng.uniform(-0.2, 0.2)
    seq = to_torch(model)
    assert all(p.dtype == torch.float64 for p in seq.parameters())
    compare(torch, model, seq, 3, 2, rng)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_interop_from_torch_same_outputs_and_gradients(activation: str) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(ACTIVATIONS.index(activation))
    acts = {
        "linear": torch.nn.Identity,
        "relu": torch.nn.ReLU,
        "tanh": torch.nn.Tanh,
        "sigmoid": torch.nn.Sigmoid,
        "leaky_relu": lambda: torch.nn.LeakyReLU(0.01),
        "softplus": torch.nn.Softplus,
    }
    layers = [torch.nn.Linear(4, 7), acts[activation](), torch.nn.Linear(7, 3), acts[activation]()]
    seq = torch.nn.Sequential(*layers).double()
    model = from_torch(seq)
    assert (model.activation, model.output_activation, model.nouts) == (
        activation,
        activation,
        [7, 3],
    )
    compare(torch, model, seq, 4, 3, random.Random(5), parameter_map(seq))


def test_interop_round_trip_is_exact() -> None:
    pytest.importorskip("torch")
    model = nn.MLP(2, [4, 4, 1], activation="tanh", output_activation="sigmoid", seed=1)
    back = from_torch(to_torch(model))
    assert back.state_dict() == model.state_dict()  # the same floats, bit for bit
    assert (back.activation, back.output_activation) == ("tanh", "sigmoid")


def test_interop_layer_neuron_and_micrograd_models() -> None:
    torch = pytest.importorskip("torch")
    from autograd_lite.micrograd import nn as mg

    layer = nn.Layer(3, 2, "leaky_relu", seed=0)
    seq = to_torch(layer)
    assert [type(m).__name__ for m in seq] == ["Linear", "LeakyReLU"]
    assert seq[1].negative_slope == leaky_relu_slope() == 0.01
    compare(torch, layer, seq, 3, 2, random.Random(1))
    neuron = nn.Neuron(2, "softplus", seed=0)
    seq = to_torch(neuron)
    assert seq[1].threshold == 40.0
    compare(torch, neuron, seq, 2, 1, random.Random(2))
    random.seed(0)
    micro = mg.MLP(2, [3, 1])
    seq = to_torch(micro)
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear", "Identity"]
    compare(torch, micro, seq, 2, 1, random.Random(3))


def test_interop_parameter_map_is_one_to_one() -> None:
    torch = pytest.importorskip("torch")
    model = nn.MLP(3, [4, 2], seed=0)
    names = parameter_map(model)
    assert names["layers.1.neurons.1.w.3"] == ("2.weight", (1, 3))
    assert names["layers.0.neurons.2.b"] == ("0.bias", (2,))
    assert list(names) == list(model.state_dict())
    targets = set(names.values())
    assert len(targets) == len(names)
    elements = {
        (key, tuple(int(i) for i in idx))
        for key, tensor in to_torch(model).state_dict().items()
        for idx in torch.cartesian_prod(*(torch.arange(n) for n in tensor.shape)).reshape(
            -1, tensor.dim()
        )
    }
    assert targets == elements
    seq = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2), torch.nn.Tanh())
    assert parameter_map(seq)["layers.1.neurons.0.b"] == ("1.bias", (0,))


def _elements(torch: Any, state: dict) -> set[tuple[str, tuple[int, ...]]]:
    """Every (state-dict key, index) of a state dict: one per number it holds."""
    return {
        (key, tuple(int(i) for i in idx))
        for key, tensor in state.items()
        for idx in torch.cartesian_prod(*(torch.arange(n) for n in tensor.shape)).reshape(
            -1, tensor.dim()
        )
    }


def _sequential(torch: Any, named: bool) -> Any:
    """Linear(3, 5), Tanh, Linear(5, 4), Tanh, Linear(4, 2) in float64, named or numbered."""
    torch.manual_seed(3)
    tnn = torch.nn
    children = [
        ("fc1", tnn.Linear(3, 5)),
        ("act1", tnn.Tanh()),
        ("hidden", tnn.Linear(5, 4)),
        ("act2", tnn.Tanh()),
        ("out", tnn.Linear(4, 2)),
    ]
    if named:
        return tnn.Sequential(OrderedDict(children)).double()
    return tnn.Sequential(*(child for _, child in children)).double()


@pytest.mark.parametrize("named", [True, False], ids=["named", "numbered"])
def test_interop_parameter_map_keys_are_the_sequentials_own(named: bool) -> None:
    torch = pytest.importorskip("torch")
    seq = _sequential(torch, named)
    state = seq.state_dict()
    names = parameter_map(seq)
    want = ["fc1", "hidden", "out"] if named else ["0", "2", "4"]
    assert names["layers.0.neurons.4.w.2"] == (f"{want[0]}.weight", (4, 2))
    assert names["layers.1.neurons.3.b"] == (f"{want[1]}.bias", (3,))
    assert names["layers.2.neurons.1.w.0"] == (f"{want[2]}.weight", (1, 0))
    # one entry of the Sequential's own state dict per parameter, and every entry once
    assert len(set(names.values())) == len(names)
    assert set(names.values()) == _elements(torch, state)
    model = from_torch(seq)
    assert list(names) == list(model.state_dict())
    for name, (key, position) in names.items():
        assert model.state_dict()[name] == state[key][position].item(), name
    compare(torch, model, seq, 3, 2, random.Random(4), names)


def test_interop_parameter_map_round_trips_through_named_and_numbered() -> None:
    torch = pytest.importorskip("torch")
    named = _sequential(torch, named=True)
    model = from_torch(named)
    # to PyTorch again: to_torch numbers the layers, and parameter_map(model) says so
    numbered = to_torch(model)
    assert parameter_map(model) == parameter_map(numbered)
    assert set(parameter_map(model).values()) == _elements(torch, numbered.state_dict())
    for name, (key, position) in parameter_map(model).items():
        numbered_value = numbered.state_dict()[key][position].item()
        named_key, named_position = parameter_map(named)[name]
        assert numbered_value == named.state_dict()[named_key][named_position].item(), name
    # and back into the named Sequential: change the weights here, write them there
    rng = random.Random(6)
    for p in model.parameters():
        p.data += rng.uniform(-0.5, 0.5)
    names = parameter_map(named)
    state = named.state_dict()  # its tensors share the parameters' storage
    with torch.no_grad():
        for name, value in model.state_dict().items():
            key, position = names[name]
            state[key][position] = value
    assert from_torch(named).state_dict() == model.state_dict()
    compare(torch, model, named, 3, 2, rng, names)


def test_interop_parameter_map_rejects_what_it_cannot_map(monkeypatch: pytest.MonkeyPatch) -> None:
    message = r"parameter_map needs an autograd_lite model .* or a torch\.nn\.Sequential.*got list"
    with pytest.raises(TypeError, match=message):
        parameter_map([1, 2])
    with pytest.raises(
        TypeError, match=r"parameter_map needs an autograd_lite nn\.MLP.*got Module"
    ):
        parameter_map(nn.Module())
    monkeypatch.setitem(sys.modules, "torch", None)  # no PyTorch: a model of nn still maps
    assert parameter_map(nn.MLP(2, [3, 1], seed=0))["layers.1.neurons.0.w.2"] == (
        "2.weight",
        (0, 2),
    )
    with pytest.raises(TypeError, match="parameter_map needs an autograd_lite model"):
        parameter_map(object())


def test_interop_named_sequential_errors_name_the_module() -> None:
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    bad = tnn.Sequential(OrderedDict(fc1=tnn.Linear(2, 2), drop=tnn.Dropout()))
    with pytest.raises(ValueError, match=r"module 'drop' \(Dropout"):
        from_torch(bad)
    with pytest.raises(ValueError, match=r"module 'drop' \(Dropout"):
        parameter_map(bad)
    with pytest.raises(TypeError, match=r"parameter_map needs an autograd_lite model .*got Linear"):
        parameter_map(tnn.Linear(2, 2))
    mixed = OrderedDict(a=tnn.Linear(2, 2), r=tnn.ReLU(), b=tnn.Linear(2, 2), t=tnn.Tanh())
    mixed["c"] = tnn.Linear(2, 1)
    with pytest.raises(ValueError, match="module 'a': relu, module 'b': tanh"):
        from_torch(tnn.Sequential(mixed))


def test_interop_from_torch_reads_float32_exactly() -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    seq = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    model = from_torch(seq)
    assert model.layers[0].neurons[1].w[0].data == seq[0].weight[1, 0].item()
    x = [0.25, -0.5]
    want = seq.double()(torch.tensor([x], dtype=torch.float64))[0, 0].item()
    assert abs(model(x).data - want) <= 1e-12 * abs(want)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda t: [t.nn.Conv2d(1, 1, 3)], r"module 0 \(Conv2d.*no autograd_lite equivalent"),
        (lambda t: [t.nn.Linear(2, 2, bias=False)], "module 0 .* without a bias"),
        (lambda t: [t.nn.Linear(2, 2), t.nn.LeakyReLU(0.2)], r"negative_slope=0\.2"),
        (lambda t: [t.nn.Linear(2, 2), t.nn.Softplus(beta=0.0)], "beta=0.0.* other than 0"),
        (lambda t: [t.nn.ReLU(), t.nn.Linear(2, 2)], "module 0 .* does not follow a Linear"),
        (lambda t: [t.nn.Linear(2, 2), t.nn.ReLU(), t.nn.Tanh()], "module 2 .* does not follow"),
        (lambda t: [t.nn.Linear(2, 3), t.nn.Linear(2, 1)], "layer before it has 3 outputs"),
        (lambda t: [t.nn.Linear(2, 2), t.nn.Dropout()], r"module 1 \(Dropout"),
        (
            lambda t: [
                *(t.nn.Linear(2, 2), t.nn.ReLU(), t.nn.Linear(2, 2), t.nn.Tanh()),
                t.nn.Linear(2, 1),
            ],
            "module 0: relu, module 2: tanh",
        ),
        (lambda t: [], "holds no Linear layer"),
    ],
)
def test_interop_from_torch_rejects_what_it_cannot_map(build: Any, message: str) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=message):
        from_torch(torch.nn.Sequential(*build(torch)))


def test_interop_from_torch_rejects_non_sequential_and_nan() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=r"needs a torch\.nn\.Sequential.*got Linear"):
        from_torch(torch.nn.Linear(2, 2))
    seq = torch.nn.Sequential(torch.nn.Linear(2, 1))
    with torch.no_grad():
        seq[0].weight[0, 1] = float("nan")
    with pytest.raises(ValueError, match=r"layers\.0\.neurons\.0\.w\.1.*finite"):
        from_torch(seq)


def test_interop_to_torch_rejects_other_objects() -> None:
    with pytest.raises(TypeError, match=r"needs an autograd_lite nn\.MLP.*got list"):
        to_torch([1, 2])


def test_interop_without_torch_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(ImportError, match=r"pip install torch==2\.13\.0"):
        to_torch(nn.MLP(2, [2, 1], seed=0))
    with pytest.raises(ImportError, match="needs PyTorch"):
        from_torch(object())
