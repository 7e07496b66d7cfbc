"""Networks of scalar Values: `Neuron`, `Layer` and `MLP` on the `Module` base class, and the
model files they are saved to.

A neuron computes act(w·x + b), its pre-activation one n-ary `dot` node; a layer is neurons that
see the same inputs; an MLP is layers in a row. `Module` gives every model its parameters,
`zero_grad`, state dicts and atomic, checked JSON files (`model_file`, `files`).
"""

from __future__ import annotations

from .activations import ACTIVATIONS
from .layers import MLP, Layer, Neuron
from .model_file import MAX_PARAMETERS
from .module import Module, Parameter

__all__ = ["ACTIVATIONS", "MAX_PARAMETERS", "MLP", "Layer", "Module", "Neuron", "Parameter"]
