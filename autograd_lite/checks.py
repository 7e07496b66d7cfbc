"""Checks of arguments shared by the modules: a clear error naming the argument."""

from __future__ import annotations

import math
import numbers
import reprlib


def finite_real(value: object, name: str, what: str = "a real number") -> float:
    """`value` as a float when it is a finite real number (not a bool).

    Raises:
        TypeError: "<name> must be <what>, got <type> <value>" for anything but a real number.
        ValueError: "<name> must be finite, got <value>" for inf and nan.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__} {reprlib.repr(value)}")
    f = float(value)
    if not math.isfinite(f):
        raise ValueError(f"{name} must be finite, got {f!r}")
    return f
