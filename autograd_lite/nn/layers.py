"""`Neuron`, `Layer` and `MLP` on the `Module` base class.

A neuron computes act(w·x + b); its pre-activation is one n-ary `functional.dot` node.
"""

from __future__ import annotations

import itertools
import math
import random
import reprlib
from collections.abc import Callable, Sequence
from typing import Any

from ..checks import finite_real
from ..core import Constant, Operand, Value, apply
from .model_file import (
    MAX_PARAMETERS,
    check_count,
    check_keys,
    check_parameter_count,
    field,
    size_field,
)
from .module import Module, Parameter

__all__ = ["ACTIVATIONS", "MLP", "Layer", "Neuron"]


def _leaky_relu(v: Value) -> Value:
    return v.leaky_relu(0.01)


# name → the function applied to a neuron's pre-activation (None: identity, no extra node).
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "linear": None,
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "leaky_relu": _leaky_relu,  # slope 0.01 for x ≤ 0, as PyTorch's default
    "softplus": Value.softplus,
}

# Weight scale k of the uniform initialisation w ~ U(-1, 1)·sqrt(k / nin): k = 6 keeps the
# variance of a ReLU-like layer's output (He: Var w = 2/nin), k = 3 that of a layer whose
# activation is about linear near 0 (LeCun/Glorot fan-in: Var w = 1/nin).
_GAIN = {
    "linear": 3.0,
    "tanh": 3.0,
    "sigmoid": 3.0,
    "relu": 6.0,
    "leaky_relu": 6.0,
    "softplus": 6.0,
}


def _check_activation(activation: object) -> str:
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        valid = ", ".join(repr(a) for a in ACTIVATIONS)
        raise ValueError(f"unknown activation {activation!r}; choose one of {valid}")
    return activation


def check_size(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{what} must be a positive int, got {value}")
    return value


def _make_rng(seed: int | None, rng: random.Random | None) -> random.Random:
    """The generator that draws the initial weights: `rng` itself, or a new one from `seed`."""
    if rng is not None:
        if seed is not None:
            raise ValueError("pass either seed or rng, not both")
        if not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
        return rng
    if seed is None:
        return random.Random()  # seeded from the OS: a different model each time
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} {seed!r}")
    return random.Random(seed)


def _as_inputs(x: Sequence[Operand], nin: int, who: str) -> tuple[Value, ...]:
    """The inputs as Values, checked once per call (plain numbers become `Constant` leaves)."""
    if isinstance(x, (Value, str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(
            f"{who} needs a list of {nin} numbers or Values, got {type(x).__name__} "
            f"{reprlib.repr(x)}"
        )
    if len(x) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(x)}")
    xs = []
    for i, xi in enumerate(x):
        if isinstance(xi, Value):
            xs.append(xi)
            continue
        try:
            xs.append(Constant(xi))
        except TypeError:
            raise TypeError(
                f"{who} input {i} must be a real number or a Value, got "
                f"{type(xi).__name__} {reprlib.repr(xi)}"
            ) from None
    return tuple(xs)


def _activation_field(arch: dict[str, Any], key: str) -> str:
    """An activation named in a model file's architecture, checked."""
    name: str = field(arch, key, str, "architecture")
    if name not in ACTIVATIONS:
        valid = ", ".join(repr(a) for a in ACTIVATIONS)
        raise ValueError(f"architecture {key!r}: unknown activation {name!r}; valid: {valid}")
    return name


def _check_bias_init(value: object) -> float:
    return finite_real(value, "bias_init", "a number (every bias starts at it)")


class Neuron(Module):
    """One unit: act(w·x + b) with `nin` weights `.w` and a bias `.b`.

    Initialisation: each weight is drawn as U(-1, 1)·sqrt(k / nin) with k = 6 for relu,
    leaky_relu and softplus (He) and k = 3 for linear, tanh and sigmoid (LeCun/Glorot
    fan-in); the bias starts at `bias_init` (0 by default). Draws come from `rng` (a
    `random.Random`), or from `random.Random(seed)`; with neither the weights are not
    reproducible.

    Args:
        nin: number of inputs.
        activation: one of `ACTIVATIONS` ("linear", "relu", "tanh", "sigmoid",
            "leaky_relu", "softplus").
        seed: seed for a new `random.Random` that draws the weights.
        rng: a generator to draw from instead (models built from one rng in turn differ).
        bias_init: the bias's starting value, a finite number. Small positive biases, e.g.
            0.1, keep ReLUs alive: each unit starts active on more inputs, so fewer die.

    Raises:
        ValueError: `nin` + 1 is more than `MAX_PARAMETERS`, before anything is allocated.
    """

    straight_line = True  # the same graph for every input

    __slots__ = ("_act", "activation", "b", "nin", "w")

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
        bias_init: float = 0.0,
    ) -> None:
        self.nin = check_size(nin, "nin")
        self.activation = _check_activation(activation)
        bias = _check_bias_init(bias_init)
        check_parameter_count(nin + 1, f"Neuron({nin})")
        self._act = ACTIVATIONS[activation]
        gen = _make_rng(seed, rng)
        scale = math.sqrt(_GAIN[activation] / nin)
        self.w = [Parameter(gen.uniform(-1.0, 1.0) * scale, f"w{i}") for i in range(nin)]
        self.b = Parameter(bias, "b")

    def __call__(self, x: Sequence[Operand]) -> Value:
        """act(w·x + b) for a list of `nin` numbers or Values."""
        return self._forward(_as_inputs(x, self.nin, "Neuron"))

    def _forward(self, xs: Sequence[Value]) -> Value:
        z = apply("dot", (*self.w, *xs, self.b), True)  # one node: parents w..., x..., b
        act = self._act
        return z if act is None else act(z)

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [*((f"w.{i}", w) for i, w in enumerate(self.w)), ("b", self.b)]

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def _config(self) -> dict[str, Any]:
        return {"type": "Neuron", "nin": self.nin, "activation": self.activation}

    @classmethod
    def _from_config(cls, arch: dict[str, Any], weights: dict[str, Any]) -> Neuron:
        check_keys(arch, {"type", "nin", "activation"})
        nin, activation = size_field(arch, "nin"), _activation_field(arch, "activation")
        check_count(nin + 1, weights)
        return cls(nin, activation, seed=0)

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """`nout` neurons that all see the same `nin` inputs; a call returns a list, always.

    Args:
        nin: number of inputs.
        nout: number of neurons (outputs).
        activation: the activation of every neuron (see `Neuron`).
        seed: seed of the initialisation (see `Neuron`).
        rng: a `random.Random` to draw the weights from instead.
        bias_init: every bias's starting value (see `Neuron`; e.g. 0.1 for ReLUs).

    Raises:
        ValueError: (`nin` + 1)·`nout` is more than `MAX_PARAMETERS`, before allocating.
    """

    straight_line = True  # the same graph for every input

    __slots__ = ("activation", "neurons", "nin", "nout")

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
        bias_init: float = 0.0,
    ) -> None:
        self.nin = check_size(nin, "nin")
        self.nout = check_size(nout, "nout")
        self.activation = _check_activation(activation)
        bias = _check_bias_init(bias_init)
        check_parameter_count((nin + 1) * nout, f"Layer({nin}, {nout})")
        gen = _make_rng(seed, rng)
        self.neurons = [Neuron(nin, activation, rng=gen, bias_init=bias) for _ in range(nout)]

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        """The `nout` outputs for a list of `nin` numbers or Values."""
        return self._forward(_as_inputs(x, self.nin, "Layer"))  # converted once for all

    def _forward(self, xs: Sequence[Value]) -> list[Value]:
        # Neuron._forward for every neuron: the inputs are Values already (checked once)
        act = ACTIVATIONS[self.activation]
        zs = [apply("dot", (*n.w, *xs, n.b), True) for n in self.neurons]
        return zs if act is None else [act(z) for z in zs]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"neurons.{i}.{name}", p)
            for i, n in enumerate(self.neurons)
            for name, p in n.named_parameters()
        ]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in (*n.w, n.b)]

    def _config(self) -> dict[str, Any]:
        return {"type": "Layer", "nin": self.nin, "nout": self.nout, "activation": self.activation}

    @classmethod
    def _from_config(cls, arch: dict[str, Any], weights: dict[str, Any]) -> Layer:
        check_keys(arch, {"type", "nin", "nout", "activation"})
        nin, nout = size_field(arch, "nin"), size_field(arch, "nout")
        activation = _activation_field(arch, "activation")
        check_count((nin + 1) * nout, weights)
        return cls(nin, nout, activation, seed=0)

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: layers of sizes `nouts`, each fed by the one before.

    Hidden layers use `activation`, the last layer `output_activation`, so the defaults
    `MLP(2, [16, 16, 1])` give micrograd's model (ReLU hidden layers, linear output).
    A call returns a Value when the last layer has one output, else a list of Values.
    Initialisation is that of `Neuron`, drawn layer by layer from one generator.

    Args:
        nin: number of inputs.
        nouts: the size of each layer, the last one being the number of outputs.
        activation: activation of the hidden layers (see `ACTIVATIONS`).
        output_activation: activation of the last layer.
        seed: seed of the initialisation: the same seed gives the same weights.
        rng: a `random.Random` to draw the weights from instead.
        bias_init: every bias's starting value (see `Neuron`); small positive biases such
            as 0.1 keep ReLUs alive.

    Raises:
        ValueError: the model would have more than `MAX_PARAMETERS` parameters (checked
            before anything is allocated), or a size or activation is invalid.

    >>> model = MLP(2, [16, 16, 1], seed=0)
    >>> len(model.parameters())  # (2 + 1)·16 + (16 + 1)·16 + (16 + 1)·1
    337
    >>> model.named_parameters()[0][0], model.named_parameters()[-1][0]
    ('layers.0.neurons.0.w.0', 'layers.2.neurons.0.b')
    >>> y = model([0.5, -1.0])
    >>> y.op  # linear output: the dot node itself
    'dot'
    >>> y.backward()
    >>> model.layers[2].neurons[0].b.grad  # ∂y/∂b of a linear output unit
    1.0
    """

    straight_line = True  # the same graph for every input

    __slots__ = ("activation", "layers", "nin", "nouts", "output_activation")

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
        bias_init: float = 0.0,
    ) -> None:
        self.nin = check_size(nin, "nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        self.nouts = [check_size(n, f"nouts[{i}]") for i, n in enumerate(nouts)]
        self.activation = _check_activation(activation)
        self.output_activation = _check_activation(output_activation)
        bias = _check_bias_init(bias_init)
        sizes = [nin, *self.nouts]
        count = sum((a + 1) * b for a, b in itertools.pairwise(sizes))
        check_parameter_count(count, f"MLP({nin}, {reprlib.repr(self.nouts)})")
        gen = _make_rng(seed, rng)
        last = len(self.nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                output_activation if i == last else activation,
                rng=gen,
                bias_init=bias,
            )
            for i in range(len(self.nouts))
        ]

    def __call__(self, x: Sequence[Operand]) -> Any:
        """The output for a list of `nin` numbers or Values: a Value if it is one, else a list."""
        out: Sequence[Value] = _as_inputs(x, self.nin, "MLP")
        for layer in self.layers:
            out = layer._forward(out)  # a layer's outputs are already Values
        return out[0] if len(out) == 1 else out

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"layers.{i}.{name}", p)
            for i, layer in enumerate(self.layers)
            for name, p in layer.named_parameters()
        ]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for n in layer.neurons for p in (*n.w, n.b)]

    def _config(self) -> dict[str, Any]:
        return {
            "type": "MLP",
            "nin": self.nin,
            "nouts": list(self.nouts),
            "activation": self.activation,
            "output_activation": self.output_activation,
        }

    @classmethod
    def _from_config(cls, arch: dict[str, Any], weights: dict[str, Any]) -> MLP:
        check_keys(arch, {"type", "nin", "nouts", "activation", "output_activation"})
        nin = size_field(arch, "nin")
        nouts: list[Any] = field(arch, "nouts", list, "architecture")
        if not nouts or len(nouts) > MAX_PARAMETERS:
            raise ValueError(f"architecture 'nouts' must hold 1 to {MAX_PARAMETERS} layer sizes")
        sizes = [nin, *(size_field({f"nouts[{i}]": n}, f"nouts[{i}]") for i, n in enumerate(nouts))]
        activation = _activation_field(arch, "activation")
        output_activation = _activation_field(arch, "output_activation")
        check_count(sum((a + 1) * b for a, b in itertools.pairwise(sizes)), weights)
        return cls(nin, sizes[1:], activation, output_activation, seed=0)

    def __repr__(self) -> str:
        return (
            f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )
