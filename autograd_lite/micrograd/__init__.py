"""micrograd 0.1.0's API on autograd_lite's engine: change `micrograd` to
`autograd_lite.micrograd` in the imports and the same code gives the same numbers.

`engine.Value` and `nn.{Module, Neuron, Layer, MLP}` keep micrograd's signatures, names
(`_prev`, `_op`), reprs and random initialisation; their nodes are real `autograd_lite.Value`s.
"""

from __future__ import annotations

from . import engine, nn
from .engine import Value
from .nn import MLP, Layer, Module, Neuron

__all__ = ["MLP", "Layer", "Module", "Neuron", "Value", "engine", "nn"]
