"""The engine's mode, per thread and per asyncio task (a `ContextVar`): one small int that every
op reads once, 0 on the fast path (graph recording, no checks). `switches` turns it on and off.
"""

from __future__ import annotations

from contextvars import ContextVar

NO_GRAD = 1  # nodes record no parents
ANOMALY = 2  # check every value and gradient for nan/inf

MODE: ContextVar[int] = ContextVar("autograd_lite_mode", default=0)

mode = MODE.get
"""The current mode bits (`NO_GRAD | ANOMALY`), 0 on the fast path."""


def is_grad_enabled() -> bool:
    """Whether new nodes record their parents in this thread or task (False in `no_grad()`)."""
    return not MODE.get() & NO_GRAD
