"""autograd_lite: a scalar reverse-mode automatic differentiation engine for learning backprop."""

from __future__ import annotations

from typing import Any

from . import functional
from .engine import Value, detect_anomaly, grad, no_grad
from .gradcheck import GradcheckError, gradcheck

__version__ = "0.1.0"

__all__ = [
    "GradcheckError",
    "Value",
    "__version__",
    "detect_anomaly",
    "draw_dot",
    "functional",
    "grad",
    "gradcheck",
    "no_grad",
]


def draw_dot(root: Any, **kwargs: Any) -> Any:
    """Draw the graph below `root` as a `graphviz.Digraph` (see `autograd_lite.viz.draw_dot`)."""
    from .viz import draw_dot as _draw_dot  # type: ignore[import-not-found, unused-ignore]

    return _draw_dot(root, **kwargs)
