"""micrograd's `Module`, `Neuron`, `Layer` and `MLP`, on autograd_lite's fast n-ary nodes.

Same constructors, same initialisation (the global `random` module, in micrograd's order),
same floats; each neuron's b + w₁x₁ + … is one `affine` node (its sums in micrograd's order)
instead of micrograd's chain of + and * nodes.
"""

from __future__ import annotations

import random
import reprlib
from collections.abc import Iterable, Sequence
from typing import Any

from .. import nn as _nn
from ..core import Value as _EngineValue
from ..core import apply
from ..nn.arguments import check_size
from .engine import Parameter, Value, _lift

__all__ = ["MLP", "Layer", "Module", "Neuron"]


class Module(_nn.Module):
    """micrograd's base class: `parameters()` (none by default) and `zero_grad()`.

    It is also an `autograd_lite.nn.Module`: `named_parameters()`, `state_dict()` and
    `load_state_dict()` work on it and on any subclass that defines `parameters()`.
    """

    def parameters(self) -> list[_EngineValue]:
        """The trainable Values (micrograd's default: none)."""
        return []

    def named_parameters(self) -> list[tuple[str, _EngineValue]]:
        """(name, parameter) pairs; a subclass that only defines `parameters()` gets "0", "1"..."""
        return [(str(i), p) for i, p in enumerate(self.parameters())]

    def zero_grad(self) -> None:
        """Set `.grad` of every parameter to 0 (`backward()` adds into it)."""
        for p in self.parameters():
            p.grad = 0.0


def _inputs(x: Iterable[Any], nin: int, who: str) -> tuple[list[_EngineValue], list[float]]:
    """The inputs as nodes (numbers become constant leaves, as in micrograd) and their data.

    micrograd zips inputs with weights and silently drops extras; here a wrong count is an error.
    """
    if isinstance(x, (_EngineValue, str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(
            f"{who} needs a list of {nin} numbers or Values, got {type(x).__name__} "
            f"{reprlib.repr(x)}"
        )
    xs = [_lift(v, who) for v in x]
    if len(xs) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(xs)}")
    return xs, [v.data for v in xs]


class Neuron(Module):
    """micrograd's `Neuron(nin, nonlin=True)`: relu(w·x + b), or w·x + b when `nonlin` is False.

    Weights are drawn with `random.uniform(-1, 1)` from the global `random` module (so
    `random.seed` fixes them, as in micrograd) and the bias starts at 0. The pre-activation
    is one `dot` node whose value is summed in micrograd's order (b, then each wᵢ·xᵢ), so
    outputs are the same floats micrograd computes.
    """

    straight_line = True  # the same graph for every input

    def __init__(self, nin: int, nonlin: bool = True) -> None:
        self.nin = check_size(nin, "nin")
        self.w = [Parameter(random.uniform(-1, 1), label=f"w{i}") for i in range(nin)]
        self.b = Parameter(0.0, label="b")
        self.nonlin = nonlin

    def __call__(self, x: Iterable[Any]) -> Value:
        """The neuron's output for `nin` numbers or Values."""
        xs, xd = _inputs(x, self.nin, "Neuron")
        return self._forward(xs, xd)

    def _forward(self, xs: Sequence[_EngineValue], xd: list[float]) -> Value:
        # micrograd adds b + w₀x₀ + w₁x₁ + … from left to right: one `affine` node does the
        # same additions in that order, with parents b, w…, x…
        z = apply("affine", (self.b, *self.w, *xs))
        z.__class__ = Value
        return z.relu() if self.nonlin else z  # type: ignore[return-value]

    def parameters(self) -> list[_EngineValue]:
        return [*self.w, self.b]

    def named_parameters(self) -> list[tuple[str, _EngineValue]]:
        """The names of `autograd_lite.nn.Neuron`: w.0, w.1, …, b."""
        return [*((f"w.{i}", w) for i, w in enumerate(self.w)), ("b", self.b)]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """micrograd's `Layer(nin, nout, **kwargs)`: `nout` neurons, each `Neuron(nin, **kwargs)`.

    A call returns the list of outputs, or the Value itself when `nout` is 1 (micrograd's rule).
    """

    straight_line = True  # the same graph for every input

    def __init__(self, nin: int, nout: int, **kwargs: Any) -> None:
        self.nin = check_size(nin, "nin")
        self.neurons = [Neuron(nin, **kwargs) for _ in range(check_size(nout, "nout"))]

    def __call__(self, x: Iterable[Any]) -> Value | list[Value]:
        xs, xd = _inputs(x, self.nin, "Layer")
        out = self._forward(xs, xd)
        return out[0] if len(out) == 1 else out

    def _forward(self, xs: Sequence[_EngineValue], xd: list[float]) -> list[Value]:
        return [n._forward(xs, xd) for n in self.neurons]

    def parameters(self) -> list[_EngineValue]:
        return [p for n in self.neurons for p in n.parameters()]

    def named_parameters(self) -> list[tuple[str, _EngineValue]]:
        """The names of `autograd_lite.nn.Layer`: neurons.0.w.0, …, neurons.0.b, …"""
        return [
            (f"neurons.{i}.{name}", p)
            for i, n in enumerate(self.neurons)
            for name, p in n.named_parameters()
        ]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """micrograd's `MLP(nin, nouts)`: relu hidden layers and a linear last layer.

    The weights are drawn layer by layer, neuron by neuron, from the global `random` module,
    exactly as micrograd draws them, so after the same `random.seed` both libraries hold the
    same model. The same as `autograd_lite.nn.MLP(nin, nouts)` in architecture and parameter
    names (`state_dict()` fits either), but not in initialisation. Unlike micrograd, a hidden
    layer of size 1 works (micrograd passes its single Value on where a list is needed).

    >>> random.seed(0)
    >>> model = MLP(2, [3, 1])
    >>> model
    MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(3)]]
    >>> len(model.parameters())
    13
    >>> model([1.0, -2.0])._op  # the last layer's b + Σ wᵢxᵢ: one node, which micrograd ends in +
    '+'
    """

    straight_line = True  # the same graph for every input

    def __init__(self, nin: int, nouts: list[int]) -> None:
        self.nin = check_size(nin, "nin")
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))
        ]

    def __call__(self, x: Iterable[Any]) -> Value | list[Value]:
        xs: Sequence[_EngineValue]
        xs, xd = _inputs(x, self.nin, "MLP")
        out: list[Value] = []
        for layer in self.layers:
            out = layer._forward(xs, xd)
            xs, xd = out, [v.data for v in out]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[_EngineValue]:
        return [p for layer in self.layers for p in layer.parameters()]

    def named_parameters(self) -> list[tuple[str, _EngineValue]]:
        """The names of `autograd_lite.nn.MLP`: layers.0.neurons.0.w.0, …"""
        return [
            (f"layers.{i}.{name}", p)
            for i, layer in enumerate(self.layers)
            for name, p in layer.named_parameters()
        ]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
