"""Carry a model to PyTorch and back: `to_torch`, `from_torch` and `parameter_map`.

PyTorch is optional: it is imported only when one of these functions is called.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import nn
from .core import Value

__all__ = ["from_torch", "parameter_map", "to_torch"]

TORCH_VERSION = "2.13.0"  # the version the tests compare against
# PyTorch's Softplus returns x itself above `threshold`; from 40 on, log(1 + eˣ) and x are the
# same float64, so this threshold changes nothing (PyTorch's default of 20 changes the result
# by up to 1e-10 relative between 20 and 37).
SOFTPLUS_THRESHOLD = 40.0
_MIN_SOFTPLUS_THRESHOLD = 20.0

# One layer of a model: its weight rows, its biases and its activation's name.
_LayerSpec = tuple[Sequence[Sequence[Value]], Sequence[Value], str]


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


def _layers(model: object) -> list[_LayerSpec]:
    """The layers of an `nn.MLP`, `nn.Layer` or `nn.Neuron` (or their micrograd versions)."""
    from .micrograd import nn as mg

    if isinstance(model, nn.Neuron):
        return [([model.w], [model.b], model.activation)]
    if isinstance(model, nn.Layer):
        return [([n.w for n in model.neurons], [n.b for n in model.neurons], model.activation)]
    if isinstance(model, nn.MLP):
        return [spec for layer in model.layers for spec in _layers(layer)]
    if isinstance(model, mg.Neuron):
        return [([model.w], [model.b], "relu" if model.nonlin else "linear")]
    if isinstance(model, mg.Layer):
        acts = {"relu" if n.nonlin else "linear" for n in model.neurons}
        if len(acts) != 1:
            raise ValueError("cannot export a micrograd Layer whose neurons mix relu and linear")
        return [([n.w for n in model.neurons], [n.b for n in model.neurons], acts.pop())]
    if isinstance(model, mg.MLP):
        return [spec for layer in model.layers for spec in _layers(layer)]
    raise TypeError(
        f"to_torch needs an autograd_lite nn.MLP, nn.Layer or nn.Neuron, got {type(model).__name__}"
    )


def _activation_module(torch: Any, name: str) -> Any:
    tnn = torch.nn
    makers: dict[str, Callable[[], Any]] = {
        "linear": tnn.Identity,
        "relu": tnn.ReLU,
        "tanh": tnn.Tanh,
        "sigmoid": tnn.Sigmoid,
        "leaky_relu": lambda: tnn.LeakyReLU(negative_slope=leaky_relu_slope()),
        "softplus": lambda: tnn.Softplus(beta=1.0, threshold=SOFTPLUS_THRESHOLD),
    }
    if name not in makers:
        raise ValueError(f"activation {name!r} has no PyTorch module here; known: {list(makers)}")
    return makers[name]()


def to_torch(model: object) -> Any:
    """The same model as a float64 `torch.nn.Sequential`: Linear, activation, Linear, ...

    Each layer becomes `torch.nn.Linear(nin, nout)` (row j of its weight holds neuron j's
    `w`, its bias the `b`s) followed by its activation: `ReLU`, `Tanh`, `Sigmoid`,
    `LeakyReLU(negative_slope=0.01)` (nn's slope), `Softplus(beta=1, threshold=40)` (the
    threshold at which it equals x in float64) or `Identity` for "linear", so layer i is
    at index 2i and its activation at 2i + 1. The weights are copied exactly; the returned
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


def _activation_name(torch: Any, index: int, module: Any) -> str | None:
    """The nn activation a PyTorch module computes, None if it is no activation at all."""
    tnn = torch.nn
    if isinstance(module, tnn.Identity):
        return "linear"
    if isinstance(module, tnn.ReLU):
        return "relu"
    if isinstance(module, tnn.Tanh):
        return "tanh"
    if isinstance(module, tnn.Sigmoid):
        return "sigmoid"
    if isinstance(module, tnn.LeakyReLU):
        slope = leaky_relu_slope()
        if module.negative_slope != slope:
            raise ValueError(
                f"module {index} is LeakyReLU(negative_slope={module.negative_slope}); "
                f"autograd_lite's leaky_relu has slope {slope}: use that slope"
            )
        return "leaky_relu"
    if isinstance(module, tnn.Softplus):
        if module.beta != 1 or module.threshold < _MIN_SOFTPLUS_THRESHOLD:
            raise ValueError(
                f"module {index} is Softplus(beta={module.beta}, threshold={module.threshold}); "
                "autograd_lite's softplus is log(1 + eˣ): use beta=1 and a threshold of at "
                f"least {_MIN_SOFTPLUS_THRESHOLD:g}"
            )
        return "softplus"
    return None


def _torch_layers(module: Any) -> list[tuple[int, Any, str]]:
    """(index, Linear, activation) for each Linear of a Sequential, checked."""
    torch = _torch()
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(
            f"from_torch needs a torch.nn.Sequential of Linear layers and activations, got "
            f"{type(module).__name__}; wrap a single layer as torch.nn.Sequential(layer)"
        )
    layers: list[tuple[int, Any, str]] = []
    expected_in = None
    mapped = "Linear (with bias), ReLU, Tanh, Sigmoid, LeakyReLU, Softplus, Identity"
    for index, child in enumerate(module):
        if isinstance(child, torch.nn.Linear):
            if child.bias is None:
                raise ValueError(
                    f"module {index} is {child} without a bias; autograd_lite neurons always "
                    "have one: build it with bias=True"
                )
            for what, tensor in (("weight", child.weight), ("bias", child.bias)):
                if not tensor.is_floating_point():
                    raise ValueError(
                        f"module {index} ({child}) has a {tensor.dtype} {what}; only real "
                        "floating-point weights can be carried over"
                    )
            if expected_in is not None and child.in_features != expected_in:
                raise ValueError(
                    f"module {index} is {child}, but the layer before it has {expected_in} outputs"
                )
            expected_in = child.out_features
            layers.append((index, child, "linear"))
            continue
        activation = _activation_name(torch, index, child)
        if activation is None:
            raise ValueError(
                f"module {index} ({child}) has no autograd_lite equivalent; a model to carry "
                f"over holds only {mapped}"
            )
        if not layers or layers[-1][2] != "linear" or layers[-1][0] != index - 1:
            raise ValueError(
                f"module {index} ({child}) does not follow a Linear layer directly; each "
                "Linear is followed by at most one activation"
            )
        last_index, last_linear, _ = layers[-1]
        layers[-1] = (last_index, last_linear, activation)
    if not layers:
        raise ValueError("the Sequential holds no Linear layer; there is nothing to carry over")
    return layers


def from_torch(module: Any) -> nn.MLP:
    """The `nn.MLP` that computes what a `torch.nn.Sequential` of Linear layers computes.

    The Sequential holds Linear layers (with bias), each followed by at most one of `ReLU`,
    `Tanh`, `Sigmoid`, `LeakyReLU` with nn's slope 0.01, `Softplus` (beta 1, threshold
    at least 20) or `Identity`; a Linear with no activation after it is linear. All hidden
    layers need the same activation (an `nn.MLP` has one for them and one for the output).
    Weights of any real floating type are read exactly as float64, so the MLP computes what
    `module.double()` computes. `parameter_map(module)` names the entry of each parameter.

    Raises:
        ImportError: PyTorch is not installed.
        TypeError: `module` is not a Sequential.
        ValueError: naming the module that cannot be carried over (a Conv2d, a Linear
            without bias, a LeakyReLU with another slope, mismatched sizes, ...), or hidden
            layers with different activations, or a weight that is nan or inf.
    """
    layers = _torch_layers(module)
    hidden = {act for _, _, act in layers[:-1]}
    if len(hidden) > 1:
        described = ", ".join(f"module {i}: {act}" for i, _, act in layers[:-1])
        raise ValueError(
            f"nn.MLP has one activation for all hidden layers, this Sequential has several "
            f"({described})"
        )
    first = layers[0][1]
    model = nn.MLP(
        first.in_features,
        [linear.out_features for _, linear, _ in layers],
        activation=hidden.pop() if hidden else "relu",
        output_activation=layers[-1][2],
        seed=0,
    )
    tensors = {}
    for index, linear, _ in layers:
        tensors[f"{index}.weight"] = linear.weight.detach().cpu().double().tolist()
        tensors[f"{index}.bias"] = linear.bias.detach().cpu().double().tolist()
    state = {}
    for name, (key, position) in parameter_map(module).items():
        entry = tensors[key]
        state[name] = entry[position[0]][position[1]] if len(position) == 2 else entry[position[0]]
    model.load_state_dict(state)  # checks every value is finite
    return model


def parameter_map(model: object) -> dict[str, tuple[str, tuple[int, ...]]]:
    """autograd_lite parameter name → (PyTorch state-dict key, index into that tensor).

    For a model of `nn` (what `to_torch` makes of it) or a Sequential (what `from_torch`
    makes of it). Layer i's neuron j maps as
    `layers.i.neurons.j.w.k` → (f"{m}.weight", (j, k)) and `layers.i.neurons.j.b` →
    (f"{m}.bias", (j,)), where m is the index of the layer's Linear in the Sequential
    (2i for `to_torch`'s output). A `Layer` drops the `layers.i.` prefix and a `Neuron` the
    `neurons.j.` too. Every parameter maps to exactly one tensor element and back.

    >>> parameter_map(nn.Neuron(2, seed=0))
    {'w.0': ('0.weight', (0, 0)), 'w.1': ('0.weight', (0, 1)), 'b': ('0.bias', (0,))}
    """
    if isinstance(model, nn.Module):
        specs = _layers(model)
        indices = [2 * i for i in range(len(specs))]
        shapes = [(len(rows), len(rows[0])) for rows, _, _ in specs]
        prefix = _prefix(model)
    else:
        layers = _torch_layers(model)
        indices = [index for index, _, _ in layers]
        shapes = [(linear.out_features, linear.in_features) for _, linear, _ in layers]
        prefix = "layers.{i}.neurons.{j}."
    mapping: dict[str, tuple[str, tuple[int, ...]]] = {}
    for i, (m, (nout, nin)) in enumerate(zip(indices, shapes)):
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
