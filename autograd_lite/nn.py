"""Neural networks of scalar Values: `Neuron`, `Layer`, `MLP`, and model files.

A neuron computes act(w·x + b); its pre-activation is one n-ary `functional.dot` node.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import numbers
import os
import random
import reprlib
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from . import functional
from .engine import Constant, Operand, Value

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "Layer",
    "Module",
    "Neuron",
    "Parameter",
]

# The tag and version written into every model file; `load` refuses anything else.
FORMAT = "autograd_lite.model"
VERSION = 1
# Limits for reading files from untrusted places: a scalar engine never needs more.
MAX_FILE_BYTES = 128 * 1024 * 1024
MAX_PARAMETERS = 1_000_000

M = TypeVar("M", bound="Module")


class Parameter(Value):
    """A trainable Value made by a module (diagrams show it as a parameter).

    It behaves exactly like a `Value`; only its type tells its role.
    """

    __slots__ = ()


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


def _check_size(value: object, what: str) -> int:
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


def _check_weight(name: str, value: object) -> float:
    """`value` as a float when it is a finite real number (not a bool), else a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"parameter {name!r} must be a real number, got {type(value).__name__} "
            f"{reprlib.repr(value)}"
        )
    f = float(value)
    if not math.isfinite(f):
        raise ValueError(f"parameter {name!r} must be finite, got {f!r}")
    return f


def _names_text(names: Iterable[str]) -> str:
    listed = sorted(names)
    shown = ", ".join(repr(n) for n in listed[:5])
    return shown + (f" and {len(listed) - 5} more" if len(listed) > 5 else "")


class Module:
    """Base class of models: parameters, gradients, state dicts and model files.

    Subclasses define `named_parameters()` and, to be saved, `_config()`.
    """

    __slots__ = ()

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, parameter) pairs in micrograd's order, each parameter once."""
        raise NotImplementedError(f"{type(self).__name__} does not define named_parameters()")

    def parameters(self) -> list[Value]:
        """The parameters in micrograd's order: layer by layer, neuron by neuron, w then b."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set `.grad` of every parameter to 0.0 (`backward()` adds into it)."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """Parameter name → its float value (the float itself, so bit-exact), in order."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Set every parameter from `state` (as made by `state_dict`).

        Everything is checked first: the names must be exactly this model's, and each value
        a finite real number (not a bool). On any error this raises (`ValueError` for names
        and non-finite values, `TypeError` for wrong types) and the model is unchanged.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict needs a mapping name → float, got {type(state)}")
        named = self.named_parameters()
        expected = {name for name, _ in named}
        missing = expected.difference(state)
        unexpected = set(state).difference(expected)
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing {_names_text(missing)}")
            if unexpected:
                parts.append(f"unexpected {_names_text(map(str, unexpected))}")
            raise ValueError(
                f"state does not match this {type(self).__name__} ({len(named)} parameters, "
                f"state has {len(state)}): " + "; ".join(parts)
            )
        new = [(p, _check_weight(name, state[name])) for name, p in named]
        for p, f in new:  # only now, when every value is known to be good
            p.data = f

    def _config(self) -> dict[str, Any]:
        """The architecture as JSON-ready data; `_build` makes the same model from it."""
        raise NotImplementedError(f"{type(self).__name__} cannot be saved to a model file")

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the architecture and every weight to `path` as JSON, atomically.

        Floats are written with Python's shortest round-trip repr, so `load` gives back the
        same bits. The text goes to a temporary file in the same folder that then replaces
        `path` in one step (`os.replace`): a reader sees the old file or the new one, never
        half of one, and a failed save leaves the old file as it was.

        Raises:
            ValueError: a parameter is nan or inf (a model file holds finite numbers only).
        """
        state = self.state_dict()
        for name, value in state.items():
            if not math.isfinite(value):
                raise ValueError(
                    f"cannot save: parameter {name!r} is {value!r}; "
                    "a model file holds finite numbers only"
                )
        document = {
            "format": FORMAT,
            "version": VERSION,
            "architecture": self._config(),
            "parameters": state,
        }
        text = json.dumps(document, indent=1, allow_nan=False) + "\n"
        target = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(target))
        fd, tmp = tempfile.mkstemp(
            prefix="." + os.path.basename(target) + ".", suffix=".tmp", dir=folder
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())  # the bytes are on disk before the rename makes them live
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; a model file is an ordinary file
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    @classmethod
    def load(cls: type[M], path: str | os.PathLike[str]) -> M:
        """The model saved in `path` by `save`.

        The file is only parsed as JSON and checked field by field: nothing is executed.
        `Module.load` returns whatever model the file holds; `MLP.load` etc. insist on it.

        Raises:
            ValueError: naming the problem, for a file that is not a valid model file
                (bad JSON, wrong format or types, unknown activation, sizes out of range,
                missing or extra weights, non-finite numbers).
            OSError: the file cannot be read.
        """
        where = os.fspath(path)
        try:
            document = _read_json(where)
            model = _build(document)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{where}: not a valid model file: {e}") from None
        if not isinstance(model, cls):
            raise ValueError(
                f"{where} holds a {type(model).__name__}, not a {cls.__name__}; "
                f"use {type(model).__name__}.load or Module.load"
            )
        return model


class Neuron(Module):
    """One unit: act(w·x + b) with `nin` weights `.w` and a bias `.b`.

    Initialisation: each weight is drawn as U(-1, 1)·sqrt(k / nin) with k = 6 for relu,
    leaky_relu and softplus (He) and k = 3 for linear, tanh and sigmoid (LeCun/Glorot
    fan-in); the bias starts at 0. Draws come from `rng` (a `random.Random`), or from
    `random.Random(seed)`; with neither the weights are not reproducible.

    Args:
        nin: number of inputs.
        activation: one of `ACTIVATIONS` ("linear", "relu", "tanh", "sigmoid",
            "leaky_relu", "softplus").
        seed: seed for a new `random.Random` that draws the weights.
        rng: a generator to draw from instead (models built from one rng in turn differ).
    """

    __slots__ = ("_act", "activation", "b", "nin", "w")

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.nin = _check_size(nin, "nin")
        self.activation = _check_activation(activation)
        self._act = ACTIVATIONS[activation]
        gen = _make_rng(seed, rng)
        scale = math.sqrt(_GAIN[activation] / nin)
        self.w = [Parameter(gen.uniform(-1.0, 1.0) * scale, f"w{i}") for i in range(nin)]
        self.b = Parameter(0.0, "b")

    def __call__(self, x: Sequence[Operand]) -> Value:
        """act(w·x + b) for a list of `nin` numbers or Values."""
        return self._forward(_as_inputs(x, self.nin, "Neuron"))

    def _forward(self, xs: Sequence[Value]) -> Value:
        z = functional.dot(self.w, xs, self.b)  # one node with parents w..., x..., b
        act = self._act
        return z if act is None else act(z)

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [*((f"w.{i}", w) for i, w in enumerate(self.w)), ("b", self.b)]

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def _config(self) -> dict[str, Any]:
        return {"type": "Neuron", "nin": self.nin, "activation": self.activation}

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
    """

    __slots__ = ("activation", "neurons", "nin", "nout")

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.nin = _check_size(nin, "nin")
        self.nout = _check_size(nout, "nout")
        self.activation = _check_activation(activation)
        gen = _make_rng(seed, rng)
        self.neurons = [Neuron(nin, activation, rng=gen) for _ in range(nout)]

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        """The `nout` outputs for a list of `nin` numbers or Values."""
        return self._forward(_as_inputs(x, self.nin, "Layer"))  # converted once for all

    def _forward(self, xs: Sequence[Value]) -> list[Value]:
        # Neuron._forward inlined: this loop is the hot path of training. The inputs are
        # Values already (checked once by the caller), so their data is read once for all.
        dot = functional.dot_of_values
        xd = [x.data for x in xs]
        act = ACTIVATIONS[self.activation]
        if act is None:
            return [dot(n.w, xs, xd, n.b) for n in self.neurons]
        return [act(dot(n.w, xs, xd, n.b)) for n in self.neurons]

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
    ) -> None:
        self.nin = _check_size(nin, "nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        self.nouts = [_check_size(n, f"nouts[{i}]") for i, n in enumerate(nouts)]
        self.activation = _check_activation(activation)
        self.output_activation = _check_activation(output_activation)
        gen = _make_rng(seed, rng)
        sizes = [nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation, rng=gen)
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

    def __repr__(self) -> str:
        return (
            f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )


# ----------------------------------------------------------------------------- model files


def _reject_constant(name: str) -> float:
    raise ValueError(f"bad JSON: {name} is not a number a model file may hold")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"bad JSON: key {key!r} appears twice in one object")
        out[key] = value
    return out


def _read_json(path: str) -> dict[str, Any]:
    """The top-level object of the JSON file `path`, refusing oversized and odd files."""
    with open(path, "rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"file is larger than {MAX_FILE_BYTES} bytes")
    try:
        document = json.loads(
            raw.decode("utf-8"),
            parse_constant=_reject_constant,  # NaN, Infinity, -Infinity
            object_pairs_hook=_unique_keys,
        )
    except RecursionError:
        raise ValueError("bad JSON: nested too deeply") from None
    except ValueError as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        message = str(e)
        raise ValueError(message if message.startswith("bad JSON") else f"bad JSON: {e}") from None
    if not isinstance(document, dict):
        raise ValueError(f"expected a JSON object at the top, got {type(document).__name__}")
    return document


def _field(obj: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in obj:
        raise ValueError(f"{where} has no {key!r}")
    value = obj[key]
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        raise ValueError(
            f"{where} {key!r} must be a {kind.__name__}, got {type(value).__name__} "
            f"{reprlib.repr(value)}"
        )
    return value


def _size_field(arch: Mapping[str, Any], key: str) -> int:
    n: int = _field(arch, key, int, "architecture")
    if not 1 <= n <= MAX_PARAMETERS:
        raise ValueError(f"architecture {key!r} must be between 1 and {MAX_PARAMETERS}, got {n}")
    return n


def _activation_field(arch: Mapping[str, Any], key: str) -> str:
    name: str = _field(arch, key, str, "architecture")
    if name not in ACTIVATIONS:
        valid = ", ".join(repr(a) for a in ACTIVATIONS)
        raise ValueError(f"architecture {key!r}: unknown activation {name!r}; valid: {valid}")
    return name


_ARCH_KEYS = {
    "Neuron": {"type", "nin", "activation"},
    "Layer": {"type", "nin", "nout", "activation"},
    "MLP": {"type", "nin", "nouts", "activation", "output_activation"},
}


def _build(document: Mapping[str, Any]) -> Module:
    """The model a parsed model file describes, with its weights, after checking every field."""
    extra = set(document).difference({"format", "version", "architecture", "parameters"})
    if extra:
        raise ValueError(f"unexpected top-level keys {_names_text(extra)}")
    if document.get("format") != FORMAT:
        raise ValueError(f"'format' must be {FORMAT!r}, got {reprlib.repr(document.get('format'))}")
    version = _field(document, "version", int, "the file")
    if version != VERSION:
        raise ValueError(f"unsupported version {version} (this library reads version {VERSION})")
    arch = _field(document, "architecture", dict, "the file")
    weights = _field(document, "parameters", dict, "the file")

    kind = _field(arch, "type", str, "architecture")
    if kind not in _ARCH_KEYS:
        raise ValueError(f"unknown model type {kind!r}; valid: {', '.join(_ARCH_KEYS)}")
    keys = set(arch)
    if keys != _ARCH_KEYS[kind]:
        wrong = _names_text(keys ^ _ARCH_KEYS[kind])
        raise ValueError(f"architecture of a {kind} has missing or unexpected keys: {wrong}")

    # Count the weights before building anything, so a hostile size allocates nothing.
    nin = _size_field(arch, "nin")
    model: Module
    if kind == "Neuron":
        activation = _activation_field(arch, "activation")
        _check_count(nin + 1, weights)
        model = Neuron(nin, activation, seed=0)
    elif kind == "Layer":
        nout = _size_field(arch, "nout")
        activation = _activation_field(arch, "activation")
        _check_count((nin + 1) * nout, weights)
        model = Layer(nin, nout, activation, seed=0)
    else:
        nouts: list[Any] = _field(arch, "nouts", list, "architecture")
        if not nouts or len(nouts) > MAX_PARAMETERS:
            raise ValueError(f"architecture 'nouts' must hold 1 to {MAX_PARAMETERS} layer sizes")
        sizes = [nin]
        for i, n in enumerate(nouts):
            sizes.append(_size_field({f"nouts[{i}]": n}, f"nouts[{i}]"))
        activation = _activation_field(arch, "activation")
        output_activation = _activation_field(arch, "output_activation")
        _check_count(sum((a + 1) * b for a, b in itertools.pairwise(sizes)), weights)
        model = MLP(nin, sizes[1:], activation, output_activation, seed=0)
    model.load_state_dict(weights)
    return model


def _check_count(count: int, weights: Mapping[str, Any]) -> None:
    if count > MAX_PARAMETERS:
        raise ValueError(f"the architecture has {count} parameters, more than {MAX_PARAMETERS}")
    if len(weights) != count:
        raise ValueError(f"the architecture has {count} parameters but the file has {len(weights)}")
