"""autograd_lite: a scalar reverse-mode automatic differentiation engine for learning backprop.

`Value` builds graphs, `backward()`/`grad()` differentiate them, `nn` trains tiny MLPs and
`draw_dot` draws any graph with its values, gradients and local derivatives.
"""

from __future__ import annotations

from . import data, functional, losses, nn, optim, viz
from .engine import Value, detect_anomaly, grad, no_grad
from .gradcheck import GradcheckError, gradcheck
from .training import fit
from .viz import backward_frames, draw_dot, draw_model

__version__ = "0.1.0"

__all__ = [
    "GradcheckError",
    "Value",
    "__version__",
    "backward_frames",
    "data",
    "detect_anomaly",
    "draw_dot",
    "draw_model",
    "fit",
    "functional",
    "grad",
    "gradcheck",
    "losses",
    "nn",
    "no_grad",
    "optim",
    "viz",
]
