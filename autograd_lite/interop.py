"""Carry a model to PyTorch and back: `to_torch`, `from_torch` and `parameter_map`.

PyTorch is optional: it is imported only when one of these functions is called.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from . import nn
from .core import Value

__all__ = ["from_torch", "parameter_map", "to_torch"]

TORCH_VERSION = "2.13.0"  # the version the tests compare against
# PyTorch's Softplus returns x itself where beta·x > threshold. From z = 40 on, log(1 + eᶻ)
# and z are the same float64 (and its slope sigmoid(z) is 1.0), so this threshold is the same
# as none (with beta 1 bit for bit; else but for the rounding of beta·x/beta, one ulp):
# `to_torch` writes it for a softplus without one, `from_torch` reads it, and any higher one,
# as none. PyTorch's default of 20 is not: between 20 and 37 x and log(1 + eˣ) differ by up to
# 1e-10 relative, so it is kept as a setting.
SOFTPLUS_THRESHOLD = 40.0


class _Activation(NamedTuple):
    """An activation of `nn` by name, with the settings of softplus (see `nn.Neuron`)."""

    name: str
    beta: float = 1.0
    threshold: float | None = None

    def __str__(self) -> str:
        if self.beta == 1.0 and self.threshold is None:
            return self.name
        return f"{self.name}(beta={self.beta}, threshold={self.threshold})"


class _LayerSpec(NamedTuple):
    """One layer of a model: its weight rows, its biases and its activation."""

    rows: Sequence[Sequence[Value]]
    biases: Sequence[Value]
    activation: _Activation


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(
            "autograd_lite.interop needs PyTorch, which is not installed here; install it "
            f"with `pip install torch=={TORCH_VERSION}` (the CPU build is enough) and try again"
        ) from None
    return torch


def leaky_relu_slope() -> float:
    """The slope for x < 0 of `nn`'s "leaky_relu" activation, read from the activation itself."""
    act = nn.ACTIVATIONS["leaky_relu"]
    assert act is not None
    return -act(Value(-1.0)).data


def _layers(model: object, who: str = "to_torch") -> list[_LayerSpec]:
    """The layers of an `nn.MLP`, `nn.Layer` or `nn.Neuron` (or their micrograd versions)."""
    from .micrograd import nn as mg

    if isinstance(model, (nn.Neuron, nn.Layer)):
        act = _Activation(model.activation, model.softplus_beta, model.softplus_threshold)
        if isinstance(model, nn.Neuron):
            return [_LayerSpec([model.w], [model.b], act)]
        return [_LayerSpec([n.w for n in model.neurons], [n.b for n in model.neurons], act)]
    if isinstance(model, nn.MLP):
        return [spec for layer in model.layers for spec in _layers(layer, who)]
    if isinstance(model, mg.Neuron):
        return [_LayerSpec([model.w], [model.b], _Activation("relu" if model.nonlin else "linear"))]
    if isinstance(model, mg.Layer):
        acts = {"relu" if n.nonlin else "linear" for n in model.neurons}
        if len(acts) != 1:
            raise ValueError("cannot export a micrograd Layer whose neurons mix relu and linear")
        rows, biases = [n.w for n in model.neurons], [n.b for n in model.neurons]
        return [_LayerSpec(rows, biases, _Activation(acts.pop()))]
    if isinstance(model, mg.MLP):
        return [spec for layer in model.layers for spec in _layers(layer, who)]
    raise TypeError(
        f"{who} needs an autograd_lite nn.MLP, nn.Layer or nn.Neuron, got {type(model).__name__}"
    )


def _activation_module(torch: Any, act: _Activation) -> Any:
    tnn = torch.nn
    threshold = SOFTPLUS_THRESHOLD if act.threshold is None else act.threshold
    makers: dict[str, Callable[[], Any]] = {
        "linear": tnn.Identity,
        "relu": tnn.ReLU,
        "tanh": tnn.Tanh,
        "sigmoid": tnn.Sigmoid,
        "leaky_relu": lambda: tnn.LeakyReLU(negative_slope=leaky_relu_slope()),
        "softplus": lambda: tnn.Softplus(beta=act.beta, threshold=threshold),
    }
    if act.name not in makers:
        known = list(makers)
        raise ValueError(f"activation {act.name!r} has no PyTorch module here; known: {known}")
    return makers[act.name]()


def to_torch(model: object) -> Any:
    """The same model as a float64 `torch.nn.Sequential`: Linear, activation, Linear, ...

    Each layer becomes `torch.nn.Linear(nin, nout)` (row j of its weight holds neuron j's
    `w`, its bias the `b`s) followed by its activation: `ReLU`, `Tanh`, `Sigmoid`,
    `LeakyReLU(negative_slope=0.01)` (nn's slope), `Softplus(beta, threshold)` with the
    model's `softplus_beta` and `softplus_threshold` (no threshold becomes 40, from where x
    and log(1 + eˣ) are the same float64) or `Identity` for "linear", so layer i is at
    index 2i and its activation at 2i + 1. The weights are copied exactly; the returned
    module is independent of `model`. It maps a batch of shape (n, nin) to (n, nout);
    `parameter_map(model)` names the torch entry of each parameter.

    Args:
        model: an `nn.MLP`, `nn.Layer` or `nn.Neuron` (also those of `autograd_lite.micrograd`).

    Raises:
        ImportError: PyTorch is not installed (the message says how to install it).
        TypeError: `model` is not one of those types.
    """
    specs = _layers(model)
    torch = _torch()
    modules = []
    f64 = torch.float64  # every tensor, also the temporary ones: float32 would round
    with torch.no_grad():
        for rows, biases, activation in specs:
            linear = torch.nn.Linear(len(rows[0]), len(rows), dtype=f64)
            linear.weight.copy_(torch.tensor([[w.data for w in row] for row in rows], dtype=f64))
            linear.bias.copy_(torch.tensor([b.data for b in biases], dtype=f64))
            modules += [linear, _activation_module(torch, activation)]
    return torch.nn.Sequential(*modules)


def _activation_of(torch: Any, where: str, module: Any) -> _Activation | None:
    """The nn activation a PyTorch module computes, None if it is no activation at all."""
    tnn = torch.nn
    simple = {tnn.Identity: "linear", tnn.ReLU: "relu", tnn.Tanh: "tanh", tnn.Sigmoid: "sigmoid"}
    for kind, name in simple.items():
        if isinstance(module, kind):
            return _Activation(name)
    if isinstance(module, tnn.LeakyReLU):
        slope = leaky_relu_slope()
        if module.negative_slope != slope:
            raise ValueError(
                f"{where} is LeakyReLU(negative_slope={module.negative_slope}); "
                f"autograd_lite's leaky_relu has slope {slope}: use that slope"
            )
        return _Activation("leaky_relu")
    if isinstance(module, tnn.Softplus):
        return _softplus(where, module)
    return None


def _softplus(where: str, module: Any) -> _Activation:
    """nn's softplus with the settings of PyTorch's `Softplus(beta, threshold)` module."""
    beta, threshold = float(module.beta), float(module.threshold)
    described = f"{where} is Softplus(beta={module.beta}, threshold={module.threshold})"
    if not math.isfinite(beta) or beta == 0.0:
        raise ValueError(
            f"{described}; autograd_lite's softplus needs a finite beta other than 0 "
            "(log(1 + e^(beta·x))/beta divides by it)"
        )
    if threshold == -math.inf:
        raise ValueError(
            f"{described}; autograd_lite's softplus needs a finite threshold (or none: inf)"
        )
    if threshold != threshold or threshold >= SOFTPLUS_THRESHOLD:  # the same as none
        return _Activation("softplus", beta)
    return _Activation("softplus", beta, threshold)


def _module_name(index: int, name: str) -> str:
    """A child of a Sequential in a message: "module 2", or "module 'fc1'" for a named one."""
    return f"module {name}" if name == str(index) else f"module {name!r}"


class _TorchLayer(NamedTuple):
    """A Linear of a Sequential and the activation after it (linear for none)."""

    name: str  # the child's name: its tensors are f"{name}.weight" and f"{name}.bias"
    where: str  # how messages name it ("module 2", "module 'fc1'")
    linear: Any
    activation: _Activation


def _is_sequential(module: object) -> bool:
    torch = sys.modules.get("torch")  # a torch module exists only once torch is imported
    return torch is not None and isinstance(module, torch.nn.Sequential)


def _torch_layers(module: Any, who: str) -> list[_TorchLayer]:
    """Each Linear of a Sequential with its activation, checked; `who` names the caller.

    A child's name is its index ("0", "1", ...) unless the Sequential was built from a dict
    (`Sequential(OrderedDict(fc1=..., act=...))`); the names key `module.state_dict()`.
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(
            f"{who} needs a torch.nn.Sequential of Linear layers and activations, got "
            f"{type(module).__name__}; wrap a single layer as torch.nn.Sequential(layer)"
        )
    layers: list[_TorchLayer] = []
    last_linear = -2  # the position of the last Linear seen
    expected_in = None
    mapped = "Linear (with bias), ReLU, Tanh, Sigmoid, LeakyReLU, Softplus, Identity"
    # `_modules` holds the children in order under their names (also a module used twice).
    for index, (name, child) in enumerate(module._modules.items()):
        where = _module_name(index, name)
        if isinstance(child, torch.nn.Linear):
            if child.bias is None:
                raise ValueError(
                    f"{where} is {child} without a bias; autograd_lite neurons always "
                    "have one: build it with bias=True"
                )
            for what, tensor in (("weight", child.weight), ("bias", child.bias)):
                if not tensor.is_floating_point():
                    raise ValueError(
                        f"{where} ({child}) has a {tensor.dtype} {what}; only real "
                        "floating-point weights can be carried over"
                    )
            if expected_in is not None and child.in_features != expected_in:
                raise ValueError(
                    f"{where} is {child}, but the layer before it has {expected_in} outputs"
                )
            expected_in = child.out_features
            layers.append(_TorchLayer(name, where, child, _Activation("linear")))
            last_linear = index
            continue
        activation = _activation_of(torch, where, child)
        if activation is None:
            raise ValueError(
                f"{where} ({child}) has no autograd_lite equivalent; a model to carry "
                f"over holds only {mapped}"
            )
        if last_linear != index - 1:
            raise ValueError(
                f"{where} ({child}) does not follow a Linear layer directly; each "
                "Linear is followed by at most one activation"
            )
        layers[-1] = layers[-1]._replace(activation=activation)
    if not layers:
        raise ValueError("the Sequential holds no Linear layer; there is nothing to carry over")
    return layers


def from_torch(module: Any) -> nn.MLP:
    """The `nn.MLP` that computes what a `torch.nn.Sequential` of Linear layers computes.

    The Sequential holds Linear layers (with bias), each followed by at most one of `ReLU`,
    `Tanh`, `Sigmoid`, `LeakyReLU` with nn's slope 0.01, `Softplus` or `Identity`; a Linear
    with no activation after it is linear. Its children may be numbered (`Sequential(a, b)`)
    or named (`Sequential(OrderedDict(...))`). All hidden layers need the same activation
    (an `nn.MLP` has one for them and one for the output), and all softplus layers the same
    settings. Weights of any real floating type are read exactly as float64, so the MLP
    computes what `module.double()` computes. `parameter_map(module)` names the entry of
    `module.state_dict()` each parameter came from.

    `Softplus(beta, threshold)` becomes the MLP's `softplus_beta` and `softplus_threshold`,
    so that it too is x itself where beta·x > threshold (PyTorch's default `Softplus()` is
    beta 1, threshold 20). A threshold of 40 or more is none (from there on beta·x and
    log(1 + e^(beta·x)) are the same float64), as is a nan threshold (beta·x is never above
    it). Where PyTorch's log1p(exp(beta·x)) overflows (beta·x above 709.78, which only a
    threshold above that lets through), PyTorch gives inf and the MLP the finite value.

    Raises:
        ImportError: PyTorch is not installed.
        TypeError: `module` is not a Sequential.
        ValueError: naming the module that cannot be carried over (a Conv2d, a Linear
            without bias, a LeakyReLU with another slope, a Softplus with beta 0 or inf or
            threshold -inf, mismatched sizes, ...), or hidden layers with different
            activations, softplus layers with different settings, or a weight that is nan
            or inf.
    """
    layers = _torch_layers(module, "from_torch")
    hidden = {layer.activation for layer in layers[:-1]}
    if len(hidden) > 1:
        described = ", ".join(f"{layer.where}: {layer.activation}" for layer in layers[:-1])
        raise ValueError(
            f"nn.MLP has one activation for all hidden layers, this Sequential has several "
            f"({described})"
        )
    activation = hidden.pop() if hidden else _Activation("relu")
    softplus = [layer for layer in layers if layer.activation.name == "softplus"]
    if len({layer.activation for layer in softplus}) > 1:
        described = ", ".join(f"{layer.where}: {layer.activation}" for layer in softplus)
        raise ValueError(
            "nn.MLP has one beta and threshold for all its softplus layers, this "
            f"Sequential's differ ({described})"
        )
    settings = softplus[0].activation if softplus else _Activation("softplus")
    model = nn.MLP(
        layers[0].linear.in_features,
        [layer.linear.out_features for layer in layers],
        activation=activation.name,
        output_activation=layers[-1].activation.name,
        seed=0,
        softplus_beta=settings.beta,
        softplus_threshold=settings.threshold,
    )
    tensors = {}
    for layer in layers:
        tensors[f"{layer.name}.weight"] = layer.linear.weight.detach().cpu().double().tolist()
        tensors[f"{layer.name}.bias"] = layer.linear.bias.detach().cpu().double().tolist()
    state = {}
    for name, (key, position) in _mapping(_shapes(layers), "layers.{i}.neurons.{j}.").items():
        entry = tensors[key]
        state[name] = entry[position[0]][position[1]] if len(position) == 2 else entry[position[0]]
    model.load_state_dict(state)  # checks every value is finite
    return model


def parameter_map(model: object) -> dict[str, tuple[str, tuple[int, ...]]]:
    """autograd_lite parameter name → (PyTorch state-dict key, index into that tensor).

    For a model of `nn` (keys of what `to_torch` makes of it) or for a `torch.nn.Sequential`
    that `from_torch` accepts (keys of that Sequential's own `state_dict()`; names of the
    `nn.MLP` that `from_torch` makes of it). Layer i's neuron j maps as
    `layers.i.neurons.j.w.k` → (f"{m}.weight", (j, k)) and `layers.i.neurons.j.b` →
    (f"{m}.bias", (j,)), where m is the name of the layer's Linear in the Sequential: its
    index (2i in `to_torch`'s output), or its name in a Sequential built from a dict, such
    as "fc1". A `Layer` drops the `layers.i.` prefix and a `Neuron` the `neurons.j.` too.
    Every parameter maps to exactly one tensor element and back.

    >>> parameter_map(nn.Neuron(2, seed=0))
    {'w.0': ('0.weight', (0, 0)), 'w.1': ('0.weight', (0, 1)), 'b': ('0.bias', (0,))}

    Raises:
        TypeError: `model` is neither an autograd_lite model nor a `torch.nn.Sequential`.
        ValueError: the Sequential holds what `from_torch` cannot carry over.
    """
    if isinstance(model, nn.Module):
        specs = _layers(model, "parameter_map")
        shapes = [(str(2 * i), len(rows), len(rows[0])) for i, (rows, _, _) in enumerate(specs)]
        return _mapping(shapes, _prefix(model))
    if not _is_sequential(model):
        raise TypeError(
            "parameter_map needs an autograd_lite model (nn.MLP, nn.Layer, nn.Neuron or "
            "their micrograd versions) or a torch.nn.Sequential that from_torch accepts, got "
            f"{type(model).__name__}"
        )
    return _mapping(_shapes(_torch_layers(model, "parameter_map")), "layers.{i}.neurons.{j}.")


def _shapes(layers: Sequence[_TorchLayer]) -> list[tuple[str, int, int]]:
    return [(layer.name, layer.linear.out_features, layer.linear.in_features) for layer in layers]


def _mapping(
    shapes: Sequence[tuple[str, int, int]], prefix: str
) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Each parameter's entry, for layers given as (Linear's name, nout, nin)."""
    mapping: dict[str, tuple[str, tuple[int, ...]]] = {}
    for i, (m, nout, nin) in enumerate(shapes):
        for j in range(nout):
            start = prefix.format(i=i, j=j)
            for k in range(nin):
                mapping[f"{start}w.{k}"] = (f"{m}.weight", (j, k))
            mapping[f"{start}b"] = (f"{m}.bias", (j,))
    return mapping


def _prefix(model: nn.Module) -> str:
    from .micrograd import nn as mg

    if isinstance(model, (nn.Neuron, mg.Neuron)):
        return ""
    if isinstance(model, (nn.Layer, mg.Layer)):
        return "neurons.{j}."
    return "layers.{i}.neurons.{j}."
