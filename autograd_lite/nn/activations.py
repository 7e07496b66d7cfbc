"""The activations of `nn`'s neurons, by name, and the settings of the softplus activation.

A model's softplus is log(1 + eˣ) unless `softplus_beta` or `softplus_threshold` say otherwise:
then it is PyTorch's `Softplus(beta, threshold)`, rule "softplus_threshold" of the core.
"""

from __future__ import annotations

import functools
import math
import reprlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..checks import finite_real
from ..core import Value
from .model_file import field

__all__ = ["ACTIVATIONS", "SOFTPLUS_KEYS", "activation_function", "check_softplus"]


def _leaky_relu(v: Value) -> Value:
    return v.leaky_relu(0.01)


# name → the function applied to a neuron's pre-activation (None: identity, no extra node).
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "linear": None,
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "leaky_relu": _leaky_relu,  # slope 0.01 for x ≤ 0, as PyTorch's default
    "softplus": Value.softplus,  # log(1 + eˣ); see `check_softplus` for its settings
}

# Weight scale k of the uniform initialisation w ~ U(-1, 1)·sqrt(k / nin): k = 6 keeps the
# variance of a ReLU-like layer's output (He: Var w = 2/nin), k = 3 that of a layer whose
# activation is about linear near 0 (LeCun/Glorot fan-in: Var w = 1/nin).
GAIN = {
    "linear": 3.0,
    "tanh": 3.0,
    "sigmoid": 3.0,
    "relu": 6.0,
    "leaky_relu": 6.0,
    "softplus": 6.0,
}

# The settings of softplus in a model file's architecture: absent when they are the defaults,
# so the files of models without them are what they always were.
SOFTPLUS_KEYS = frozenset({"softplus_beta", "softplus_threshold"})


def check_activation(activation: object) -> str:
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        valid = ", ".join(repr(a) for a in ACTIVATIONS)
        raise ValueError(f"unknown activation {activation!r}; choose one of {valid}")
    return activation


def activation_field(arch: Mapping[str, Any], key: str) -> str:
    """An activation named in a model file's architecture, checked."""
    name: str = field(arch, key, str, "architecture")
    if name not in ACTIVATIONS:
        valid = ", ".join(repr(a) for a in ACTIVATIONS)
        raise ValueError(f"architecture {key!r}: unknown activation {name!r}; valid: {valid}")
    return name


def check_softplus(
    beta: object, threshold: object, activations: Iterable[str]
) -> tuple[float, float | None]:
    """`softplus_beta` and `softplus_threshold` checked, for a model with `activations`.

    beta is a finite number other than 0, the threshold a finite number or None (none);
    settings other than the defaults (1, None) need a "softplus" among the activations.
    """
    what = "a finite number other than 0"
    b = finite_real(beta, "softplus_beta", what)
    if b == 0.0:
        raise ValueError(f"softplus_beta must be {what}: log(1 + e^(0·x))/0 is inf for every x")
    t = None if threshold is None else finite_real(threshold, "softplus_threshold", "a number")
    names = list(dict.fromkeys(activations))
    if (b != 1.0 or t is not None) and "softplus" not in names:
        raise ValueError(
            "softplus_beta and softplus_threshold are settings of the softplus activation, and "
            f"this model has none (its activations: {', '.join(map(repr, names))}); leave them "
            "out, or use activation 'softplus'"
        )
    return b, t


def activation_function(
    activation: str, beta: float = 1.0, threshold: float | None = None
) -> Callable[[Value], Value] | None:
    """What `activation` applies to a pre-activation, with the softplus settings given."""
    if activation != "softplus" or (beta == 1.0 and threshold is None):
        return ACTIVATIONS[activation]
    return functools.partial(Value.softplus, beta=beta, threshold=threshold)


def softplus_config(beta: float, threshold: float | None) -> dict[str, float]:
    """The softplus settings other than the defaults, under their model-file keys."""
    config = {} if beta == 1.0 else {"softplus_beta": beta}
    return config if threshold is None else {**config, "softplus_threshold": threshold}


def softplus_arguments(beta: float, threshold: float | None) -> str:
    """The softplus settings other than the defaults as keyword arguments, for a repr."""
    return "".join(f", {key}={value!r}" for key, value in softplus_config(beta, threshold).items())


def softplus_fields(arch: Mapping[str, Any]) -> tuple[float, float | None]:
    """The softplus settings (beta, threshold) of a model file's architecture, checked; the
    defaults (1, None) where they are absent."""
    found: dict[str, float] = {}
    for key in sorted(SOFTPLUS_KEYS.intersection(arch)):
        value = arch[key]
        number = not isinstance(value, bool) and isinstance(value, (int, float))
        if not number or not math.isfinite(value) or (key == "softplus_beta" and value == 0):
            rule = "other than 0" if key == "softplus_beta" else "(leave it out for none)"
            raise ValueError(
                f"architecture {key!r} must be a finite number {rule}, got "
                f"{type(value).__name__} {reprlib.repr(value)}"
            )
        found[key] = float(value)
    return found.get("softplus_beta", 1.0), found.get("softplus_threshold")
