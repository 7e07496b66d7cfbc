"""autograd_lite: a scalar reverse-mode automatic differentiation engine for learning backprop.

`Value` builds graphs, `backward()`/`grad()` differentiate them, `nn` trains tiny MLPs and
`draw_dot` draws any graph with its values, gradients and local derivatives.

The parts, each a subpackage, from the bottom up: `core` (the rule table, `Value`, the grad
table, modes); `functional`, `losses`, `optim`, `data`, `nn` and `training` (networks and
training them); `teaching` and `viz` (routes, checks by hand, diagrams); `compiler` (graphs as
straight-line Python); `micrograd` and `interop` (the doors to micrograd and PyTorch).
"""

from __future__ import annotations

from . import data, functional, interop, losses, nn, optim, viz

# `compile` is reached as autograd_lite.compile; it stays out of __all__ so that
# `from autograd_lite import *` does not shadow the builtin.
from .compiler import compile  # noqa: F401
from .core import Value, detect_anomaly, grad, no_grad
from .teaching import GradcheckError, check_by_hand, gradcheck, routes
from .training import fit
from .viz import backward_frames, draw_dot, draw_model

__version__ = "0.1.0"

__all__ = [
    "GradcheckError",
    "Value",
    "__version__",
    "backward_frames",
    "check_by_hand",
    "data",
    "detect_anomaly",
    "draw_dot",
    "draw_model",
    "fit",
    "functional",
    "grad",
    "gradcheck",
    "interop",
    "losses",
    "nn",
    "no_grad",
    "optim",
    "routes",
    "viz",
]
