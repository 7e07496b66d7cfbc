"""Training: `fit` (minibatch gradient descent with a progress line), what it measures
(`predict`, `accuracy`, the per-epoch `History`) and pictures of it (`plot`, with matplotlib).

`fit(..., compile=True)` runs each step through `autograd_lite.compiler`.
"""

from __future__ import annotations

from .evaluation import accuracy, predict
from .loop import History, fit

__all__ = ["History", "accuracy", "fit", "predict"]
