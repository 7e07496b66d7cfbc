"""nn: Neuron, Layer, MLP, parameters in micrograd's order, initialisation, state dicts."""

from __future__ import annotations

import math
import random

import pytest

from autograd_lite import Value, functional, gradcheck
from autograd_lite.core import Constant, topological_order
from autograd_lite.nn import ACTIVATIONS, MLP, Layer, Neuron, Parameter


def test_mlp_parameter_counts() -> None:
    assert len(MLP(10, [10, 5, 1], seed=0).parameters()) == 171
    assert len(MLP(2, [16, 16, 1], seed=0).parameters()) == 337
    assert len(Layer(3, 4, seed=0).parameters()) == 16
    assert len(Neuron(5, seed=0).parameters()) == 6


def test_mlp_parameters_follow_micrograd_order() -> None:
    model = MLP(3, [4, 2], seed=1)
    expected = [p for layer in model.layers for n in layer.neurons for p in (*n.w, n.b)]
    got = model.parameters()
    assert len(got) == len(expected) == 4 * 4 + 2 * 5
    assert all(a is b for a, b in zip(got, expected))
    assert len(set(got)) == len(got)  # no duplicates


def test_mlp_named_parameters_have_dotted_names_in_order() -> None:
    model = MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert names[-1] == "layers.1.neurons.0.b"
    assert "layers.1.neurons.0.w.2" in names
    assert [p for _, p in model.named_parameters()] == model.parameters()
    assert (
        model.layers[0].neurons[2].w[1] is dict(model.named_parameters())["layers.0.neurons.2.w.1"]
    )


def test_neuron_parameters_are_labelled_parameter_leaves() -> None:
    n = Neuron(3, seed=0)
    assert [w.label for w in n.w] == ["w0", "w1", "w2"]
    assert n.b.label == "b"
    assert all(type(p) is Parameter for p in n.parameters())
    assert isinstance(n.b, Value) and n.b.parents == () and n.b.data == 0.0


def test_neuron_preactivation_is_one_dot_node() -> None:
    n = Neuron(4, activation="linear", seed=0)
    x = [Value(1.0), Value(-2.0), Value(0.5), Value(3.0)]
    out = n(x)
    assert out.op == "dot"
    assert out.parents == (*n.w, *x, n.b)
    expected = math.fsum(w.data * xi.data for w, xi in zip(n.w, x)) + n.b.data
    assert out.data == expected
    # act(dot): 4 weights + 4 inputs + bias + the dot node + the relu node
    relu_out = Neuron(4, seed=0)(x)
    assert relu_out.op == "relu" and relu_out.parents[0].op == "dot"
    assert len(topological_order(relu_out)) == 11


def test_neuron_numbers_become_constants() -> None:
    n = Neuron(2, activation="linear", seed=0)
    out = n([1.5, 2])
    consts = out.parents[2:4]
    assert all(type(c) is Constant for c in consts)
    assert [c.data for c in consts] == [1.5, 2.0]


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_neuron_activations_match_value_methods(activation: str) -> None:
    n = Neuron(2, activation=activation, seed=3)
    n.b.data = -0.3
    x = [0.7, -1.1]
    z = n.w[0].data * 0.7 + n.w[1].data * -1.1 - 0.3
    expected = {
        "linear": z,
        "relu": max(z, 0.0),
        "tanh": math.tanh(z),
        "sigmoid": 1.0 / (1.0 + math.exp(-z)),
        "leaky_relu": z if z > 0 else 0.01 * z,
        "softplus": math.log1p(math.exp(z)),
    }[activation]
    assert n(x).data == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_mlp_gradients_pass_gradcheck(activation: str) -> None:
    model = MLP(3, [4, 2], activation=activation, output_activation="tanh", seed=5)
    for p in model.parameters():
        p.data += 0.05  # biases off 0, so no relu sits on its kink
    # gradcheck perturbs the parameters' data, which the model reads on every call.
    assert gradcheck(lambda *ps: functional.sum(model([0.3, -0.8, 1.2])), model.parameters())


def test_mlp_backward_matches_hand_derivation() -> None:
    model = MLP(2, [2, 1], seed=0)
    h = model.layers[0].neurons
    o = model.layers[1].neurons[0]
    for n, (w, b) in zip(h, [([1.0, -2.0], 0.5), ([-1.0, 1.0], 0.25)]):
        n.w[0].data, n.w[1].data, n.b.data = w[0], w[1], b
    o.w[0].data, o.w[1].data, o.b.data = 3.0, -4.0, 0.1
    x = [2.0, 0.5]
    # hidden: relu(2 - 1 + 0.5) = 1.5, relu(-2 + 0.5 + 0.25) = 0 (inactive)
    y = model(x)
    assert y.data == 3.0 * 1.5 + 0.1
    y.backward()
    assert o.w[0].grad == 1.5 and o.w[1].grad == 0.0 and o.b.grad == 1.0
    assert [h[0].w[0].grad, h[0].w[1].grad, h[0].b.grad] == [6.0, 1.5, 3.0]
    assert [h[1].w[0].grad, h[1].w[1].grad, h[1].b.grad] == [0.0, 0.0, 0.0]


def test_layer_returns_list_even_for_one_output() -> None:
    out = Layer(2, 1, seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)
    assert len(Layer(2, 3, seed=0)([1.0, 2.0])) == 3


def test_layer_converts_numbers_once_for_all_neurons() -> None:
    layer = Layer(2, 3, activation="linear", seed=0)
    outs = layer([1.0, 2.0])
    first = outs[0].parents[2:4]
    assert all(type(c) is Constant for c in first)
    for out in outs[1:]:
        assert out.parents[2] is first[0] and out.parents[3] is first[1]


def test_mlp_returns_value_for_one_output_else_list() -> None:
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2


def test_mlp_default_activations_are_micrograds() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert model.activation == "relu" and model.output_activation == "linear"
    assert model([0.3, 0.4]).op == "dot"
    custom = MLP(2, [3, 3, 2], activation="tanh", output_activation="sigmoid", seed=0)
    assert [layer.activation for layer in custom.layers] == ["tanh", "tanh", "sigmoid"]


def test_mlp_initialisation_is_deterministic_per_seed() -> None:
    a = MLP(3, [5, 2], seed=42).state_dict()
    b = MLP(3, [5, 2], seed=42).state_dict()
    c = MLP(3, [5, 2], seed=43).state_dict()
    assert a == b and a != c
    d = MLP(3, [5, 2], rng=random.Random(42)).state_dict()
    assert d == a  # seed=s is rng=random.Random(s)


def test_mlp_initialisation_follows_documented_scheme() -> None:
    # w = U(-1, 1)·sqrt(k/nin), drawn in parameter order, k = 6 (ReLU) or 3 (linear).
    model = MLP(4, [3, 2], seed=7)
    rng = random.Random(7)
    for layer in model.layers:
        k = 6.0 if layer.activation == "relu" else 3.0
        for n in layer.neurons:
            expected = [rng.uniform(-1.0, 1.0) * math.sqrt(k / layer.nin) for _ in n.w]
            assert [w.data for w in n.w] == expected
            assert n.b.data == 0.0


def test_mlp_initialisation_scale_by_activation() -> None:
    big = MLP(50, [200], activation="relu", output_activation="relu", seed=0)
    small = MLP(50, [200], activation="tanh", output_activation="tanh", seed=0)
    var_big = sum(p.data**2 for p in big.parameters()) / (50 * 200)
    var_small = sum(p.data**2 for p in small.parameters()) / (50 * 200)
    assert var_big == pytest.approx(2.0 / 50, rel=0.05)  # He
    assert var_small == pytest.approx(1.0 / 50, rel=0.05)  # LeCun


def test_module_rng_is_shared_and_advanced() -> None:
    rng = random.Random(0)
    a, b = Neuron(3, rng=rng), Neuron(3, rng=rng)
    assert [w.data for w in a.w] != [w.data for w in b.w]


def test_module_rejects_seed_and_rng_together_and_bad_types() -> None:
    with pytest.raises(ValueError, match="seed or rng, not both"):
        Neuron(2, seed=1, rng=random.Random(1))
    with pytest.raises(TypeError, match="seed must be an int"):
        Neuron(2, seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"rng must be a random\.Random"):
        Neuron(2, rng=42)  # type: ignore[arg-type]


def test_module_unknown_activation_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown activation 'gelu'.*'relu'.*'softplus'"):
        MLP(2, [3, 1], activation="gelu")
    with pytest.raises(ValueError, match="unknown activation"):
        Layer(2, 2, "ReLU")
    with pytest.raises(ValueError, match="unknown activation"):
        MLP(2, [3, 1], output_activation="softmax")


def test_module_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError, match="nin must be a positive int, got 0"):
        Neuron(0)
    with pytest.raises(TypeError, match="nin must be a positive int"):
        Neuron(2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-empty list"):
        MLP(2, [])
    with pytest.raises(ValueError, match=r"nouts\[1\] must be a positive int"):
        MLP(2, [3, -1])
    with pytest.raises(TypeError, match="nout must be a positive int"):
        Layer(2, True)


def test_module_call_checks_inputs() -> None:
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="MLP expects 2 inputs, got 3"):
        model([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="input 1 must be a real number or a Value, got str"):
        model([1.0, "2"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="needs a list of 2 numbers"):
        model(1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Layer expects 2 inputs"):
        Layer(2, 2, seed=0)([1.0])
    with pytest.raises(ValueError, match="Neuron expects 2 inputs"):
        Neuron(2, seed=0)([1.0])


def test_module_zero_grad_resets_every_parameter() -> None:
    model = MLP(2, [3, 1], seed=0)
    model([1.0, -1.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_module_state_dict_is_bit_exact_and_ordered() -> None:
    model = MLP(2, [3, 1], seed=0)
    state = model.state_dict()
    assert list(state) == [name for name, _ in model.named_parameters()]
    assert list(state.values()) == [p.data for p in model.parameters()]
    assert all(type(v) is float for v in state.values())


def test_module_load_state_dict_round_trip() -> None:
    a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()
    assert b([0.25, -0.5]).data == a([0.25, -0.5]).data


def test_module_load_state_dict_accepts_ints() -> None:
    n = Neuron(2, seed=0)
    n.load_state_dict({"w.0": 1, "w.1": -2, "b": 3})
    assert [p.data for p in n.parameters()] == [1.0, -2.0, 3.0]
    assert all(type(p.data) is float for p in n.parameters())


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda s: s.pop("b"), ValueError, "missing 'b'"),
        (lambda s: s.update(c=1.0), ValueError, "unexpected 'c'"),
        (lambda s: s.update({"w.1": math.nan}), ValueError, "'w.1' must be finite, got nan"),
        (lambda s: s.update({"w.1": math.inf}), ValueError, "must be finite, got inf"),
        (lambda s: s.update({"b": -math.inf}), ValueError, "must be finite"),
        (lambda s: s.update({"b": True}), TypeError, "'b' must be a real number, got bool"),
        (lambda s: s.update({"b": "0.5"}), TypeError, "must be a real number, got str"),
        (lambda s: s.update({"b": None}), TypeError, "got NoneType"),
        (lambda s: s.update({"b": 1j}), TypeError, "got complex"),
        (lambda s: s.update({"b": Value(1.0)}), TypeError, "got Value"),
    ],
)
def test_module_load_state_dict_rejects_bad_state_and_changes_nothing(
    change: object, error: type[Exception], match: str
) -> None:
    model = Neuron(2, seed=0)
    before = model.state_dict()
    state = {name: 0.5 for name in before}  # every other value is good
    change(state)  # type: ignore[operator]
    with pytest.raises(error, match=match):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_module_load_state_dict_rejects_non_mapping() -> None:
    n = Neuron(2, seed=0)
    before = n.state_dict()
    with pytest.raises(TypeError, match="mapping"):
        n.load_state_dict([("w.0", 1.0)])  # type: ignore[arg-type]
    assert n.state_dict() == before


def test_module_repr_names_the_architecture() -> None:
    assert repr(MLP(2, [16, 16, 1])) == (
        "MLP(2, [16, 16, 1], activation='relu', output_activation='linear')"
    )
    assert repr(Layer(2, 3, "tanh")) == "Layer(2, 3, activation='tanh')"
    assert repr(Neuron(4)) == "Neuron(4, activation='relu')"


def test_module_bias_init_sets_every_bias_and_leaves_weights_alone() -> None:
    model = MLP(2, [4, 3, 1], bias_init=0.1, seed=3)
    biases = [n.b.data for layer in model.layers for n in layer.neurons]
    assert biases == [0.1] * 8
    plain = MLP(2, [4, 3, 1], seed=3)  # the same draws: bias_init changes no weight
    weights = [w.data for layer in model.layers for n in layer.neurons for w in n.w]
    assert weights == [w.data for layer in plain.layers for n in layer.neurons for w in n.w]
    assert all(n.b.data == 0.0 for layer in plain.layers for n in layer.neurons)
    assert [n.b.data for n in Layer(2, 3, bias_init=-2, seed=0).neurons] == [-2.0] * 3
    assert Neuron(2, bias_init=0.25, seed=0).b.data == 0.25
    assert type(Neuron(2, bias_init=1, seed=0).b.data) is float


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ("0.1", TypeError, "bias_init must be a number .* got str '0.1'"),
        (None, TypeError, "bias_init must be a number .* got NoneType"),
        (True, TypeError, "bias_init must be a number .* got bool"),
        (math.nan, ValueError, "bias_init must be finite, got nan"),
        (-math.inf, ValueError, "bias_init must be finite, got -inf"),
    ],
)
def test_module_bias_init_is_checked(value: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        Neuron(2, bias_init=value)  # type: ignore[arg-type]
    with pytest.raises(error, match=match):
        Layer(2, 2, bias_init=value)  # type: ignore[arg-type]
    with pytest.raises(error, match=match):
        MLP(2, [2, 1], bias_init=value)  # type: ignore[arg-type]
