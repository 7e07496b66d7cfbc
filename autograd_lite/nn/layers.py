"""`Neuron`, `Layer` and `MLP` on the `Module` base class.

A neuron computes act(w·x + b); its pre-activation is one n-ary `functional.dot` node.
"""

from __future__ import annotations

import itertools
import math
import random
import reprlib
from collections.abc import Sequence
from typing import Any

from ..core import Operand, Value, apply
from .activations import (
    ACTIVATIONS,
    GAIN,
    SOFTPLUS_KEYS,
    activation_field,
    activation_function,
    check_activation,
    check_softplus,
    softplus_arguments,
    softplus_config,
    softplus_fields,
)
from .arguments import as_inputs, check_bias_init, check_size, make_rng
from .model_file import (
    MAX_PARAMETERS,
    check_count,
    check_keys,
    check_parameter_count,
    field,
    size_field,
)
from .module import Module, Parameter

__all__ = ["ACTIVATIONS", "MLP", "Layer", "Neuron"]  # ACTIVATIONS: from `activations`


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
        softplus_beta, softplus_threshold: settings of the "softplus" activation, which is
            log(1 + eˣ) by default (beta 1, threshold None). Otherwise it is PyTorch's
            `Softplus(beta, threshold)`: x itself where beta·x > threshold, else
            log(1 + e^(beta·x))/beta; `from_torch` sets them (PyTorch's default threshold is
            20). Model files keep them.

    Raises:
        ValueError: `nin` + 1 is more than `MAX_PARAMETERS`, before anything is allocated;
            softplus settings on another activation, a beta of 0 or a non-finite setting.
    """

    straight_line = True  # the same graph for every input

    __slots__ = ("_act", "activation", "b", "nin", "softplus_beta", "softplus_threshold", "w")

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
        bias_init: float = 0.0,
        softplus_beta: float = 1.0,
        softplus_threshold: float | None = None,
    ) -> None:
        self.nin = check_size(nin, "nin")
        self.activation = check_activation(activation)
        bias = check_bias_init(bias_init)
        self.softplus_beta, self.softplus_threshold = check_softplus(
            softplus_beta, softplus_threshold, [activation]
        )
        check_parameter_count(nin + 1, f"Neuron({nin})")
        self._act = activation_function(activation, self.softplus_beta, self.softplus_threshold)
        gen = make_rng(seed, rng)
        scale = math.sqrt(GAIN[activation] / nin)
        self.w = [Parameter(gen.uniform(-1.0, 1.0) * scale, f"w{i}") for i in range(nin)]
        self.b = Parameter(bias, "b")

    def __call__(self, x: Sequence[Operand]) -> Value:
        """act(w·x + b) for a list of `nin` numbers or Values."""
        return self._forward(as_inputs(x, self.nin, "Neuron"))

    def _forward(self, xs: Sequence[Value]) -> Value:
        z = apply("dot", (*self.w, *xs, self.b), True)  # one node: parents w..., x..., b
        act = self._act
        return z if act is None else act(z)

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [*((f"w.{i}", w) for i, w in enumerate(self.w)), ("b", self.b)]

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def _config(self) -> dict[str, Any]:
        settings = softplus_config(self.softplus_beta, self.softplus_threshold)
        return {"type": "Neuron", "nin": self.nin, "activation": self.activation, **settings}

    @classmethod
    def _from_config(cls, arch: dict[str, Any], weights: dict[str, Any]) -> Neuron:
        check_keys(arch, {"type", "nin", "activation"}, SOFTPLUS_KEYS)
        nin, activation = size_field(arch, "nin"), activation_field(arch, "activation")
        beta, threshold = softplus_fields(arch)
        check_count(nin + 1, weights)
        return cls(nin, activation, seed=0, softplus_beta=beta, softplus_threshold=threshold)

    def __repr__(self) -> str:
        settings = softplus_arguments(self.softplus_beta, self.softplus_threshold)
        return f"Neuron({self.nin}, activation={self.activation!r}{settings})"


class Layer(Module):
    """`nout` neurons that all see the same `nin` inputs; a call returns a list, always.

    Args:
        nin: number of inputs.
        nout: number of neurons (outputs).
        activation: the activation of every neuron (see `Neuron`).
        seed: seed of the initialisation (see `Neuron`).
        rng: a `random.Random` to draw the weights from instead.
        bias_init: every bias's starting value (see `Neuron`; e.g. 0.1 for ReLUs).
        softplus_beta, softplus_threshold: settings of the "softplus" activation (see
            `Neuron`).

    Raises:
        ValueError: (`nin` + 1)·`nout` is more than `MAX_PARAMETERS`, before allocating;
            softplus settings that `Neuron` refuses.
    """

    straight_line = True  # the same graph for every input

    __slots__ = (
        "_act",
        "activation",
        "neurons",
        "nin",
        "nout",
        "softplus_beta",
        "softplus_threshold",
    )

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
        bias_init: float = 0.0,
        softplus_beta: float = 1.0,
        softplus_threshold: float | None = None,
    ) -> None:
        self.nin = check_size(nin, "nin")
        self.nout = check_size(nout, "nout")
        self.activation = check_activation(activation)
        bias = check_bias_init(bias_init)
        beta, threshold = check_softplus(softplus_beta, softplus_threshold, [activation])
        self.softplus_beta, self.softplus_threshold = beta, threshold
        check_parameter_count((nin + 1) * nout, f"Layer({nin}, {nout})")
        gen = make_rng(seed, rng)
        self.neurons = [
            Neuron(
                nin,
                activation,
                rng=gen,
                bias_init=bias,
                softplus_beta=beta,
                softplus_threshold=threshold,
            )
            for _ in range(nout)
        ]
        self._act = activation_function(activation, beta, threshold)

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        """The `nout` outputs for a list of `nin` numbers or Values."""
        return self._forward(as_inputs(x, self.nin, "Layer"))  # converted once for all

    def _forward(self, xs: Sequence[Value]) -> list[Value]:
        # Neuron._forward for every neuron: the inputs are Values already (checked once)
        act = self._act
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
        settings = softplus_config(self.softplus_beta, self.softplus_threshold)
        sizes = {"nin": self.nin, "nout": self.nout}
        return {"type": "Layer", **sizes, "activation": self.activation, **settings}

    @classmethod
    def _from_config(cls, arch: dict[str, Any], weights: dict[str, Any]) -> Layer:
        check_keys(arch, {"type", "nin", "nout", "activation"}, SOFTPLUS_KEYS)
        nin, nout = size_field(arch, "nin"), size_field(arch, "nout")
        activation = activation_field(arch, "activation")
        beta, threshold = softplus_fields(arch)
        check_count((nin + 1) * nout, weights)
        return cls(nin, nout, activation, seed=0, softplus_beta=beta, softplus_threshold=threshold)

    def __repr__(self) -> str:
        settings = softplus_arguments(self.softplus_beta, self.softplus_threshold)
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r}{settings})"


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
        softplus_beta, softplus_threshold: settings of the "softplus" activation (see
            `Neuron`), for every layer whose activation it is.

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

    __slots__ = (
        "activation",
        "layers",
        "nin",
        "nouts",
        "output_activation",
        "softplus_beta",
        "softplus_threshold",
    )

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
        softplus_beta: float = 1.0,
        softplus_threshold: float | None = None,
    ) -> None:
        self.nin = check_size(nin, "nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        self.nouts = [check_size(n, f"nouts[{i}]") for i, n in enumerate(nouts)]
        self.activation = check_activation(activation)
        self.output_activation = check_activation(output_activation)
        bias = check_bias_init(bias_init)
        acts = [activation] * (len(self.nouts) - 1) + [output_activation]
        beta, threshold = check_softplus(softplus_beta, softplus_threshold, acts)
        self.softplus_beta, self.softplus_threshold = beta, threshold
        sizes = [nin, *self.nouts]
        count = sum((a + 1) * b for a, b in itertools.pairwise(sizes))
        check_parameter_count(count, f"MLP({nin}, {reprlib.repr(self.nouts)})")
        gen = make_rng(seed, rng)
        self.layers: list[Layer] = []
        for i, act in enumerate(acts):  # the softplus settings go to softplus layers only
            b, t = (beta, threshold) if act == "softplus" else (1.0, None)
            layer = Layer(
                sizes[i],
                sizes[i + 1],
                act,
                rng=gen,
                bias_init=bias,
                softplus_beta=b,
                softplus_threshold=t,
            )
            self.layers.append(layer)

    def __call__(self, x: Sequence[Operand]) -> Any:
        """The output for a list of `nin` numbers or Values: a Value if it is one, else a list."""
        out: Sequence[Value] = as_inputs(x, self.nin, "MLP")
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
            **softplus_config(self.softplus_beta, self.softplus_threshold),
        }

    @classmethod
    def _from_config(cls, arch: dict[str, Any], weights: dict[str, Any]) -> MLP:
        expected = {"type", "nin", "nouts", "activation", "output_activation"}
        check_keys(arch, expected, SOFTPLUS_KEYS)
        nin = size_field(arch, "nin")
        nouts: list[Any] = field(arch, "nouts", list, "architecture")
        if not nouts or len(nouts) > MAX_PARAMETERS:
            raise ValueError(f"architecture 'nouts' must hold 1 to {MAX_PARAMETERS} layer sizes")
        sizes = [nin, *(size_field({f"nouts[{i}]": n}, f"nouts[{i}]") for i, n in enumerate(nouts))]
        activation = activation_field(arch, "activation")
        output_activation = activation_field(arch, "output_activation")
        beta, threshold = softplus_fields(arch)
        check_count(sum((a + 1) * b for a, b in itertools.pairwise(sizes)), weights)
        acts = (activation, output_activation)
        return cls(nin, sizes[1:], *acts, seed=0, softplus_beta=beta, softplus_threshold=threshold)

    def __repr__(self) -> str:
        settings = softplus_arguments(self.softplus_beta, self.softplus_threshold)
        return (
            f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}{settings})"
        )
