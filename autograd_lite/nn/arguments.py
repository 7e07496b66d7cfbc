"""Checks of what `Neuron`, `Layer` and `MLP` are given: sizes, generators, biases, inputs."""

from __future__ import annotations

import random
import reprlib
from collections.abc import Sequence

from ..checks import finite_real
from ..core import Constant, Operand, Value

__all__ = ["as_inputs", "check_bias_init", "check_size", "make_rng"]


def check_size(value: object, what: str) -> int:
    """`value` when it is a positive int (a size), else a clear error naming `what`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{what} must be a positive int, got {value}")
    return value


def make_rng(seed: int | None, rng: random.Random | None) -> random.Random:
    """The generator that draws the initial weights: `rng` itself, or a new one from `seed`."""
    if rng is not None:
        if seed is not None:
            raise ValueError("pass either seed or rng, not both")
        if not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
        return rng
    if seed is None:
        return random.Random()  # seeded from the OS: a different model each time
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} {seed!r}")
    return random.Random(seed)


def as_inputs(x: Sequence[Operand], nin: int, who: str) -> tuple[Value, ...]:
    """The inputs as Values, checked once per call (plain numbers become `Constant` leaves)."""
    if isinstance(x, (Value, str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(
            f"{who} needs a list of {nin} numbers or Values, got {type(x).__name__} "
            f"{reprlib.repr(x)}"
        )
    if len(x) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(x)}")
    xs = []
    for i, xi in enumerate(x):
        if isinstance(xi, Value):
            xs.append(xi)
            continue
        try:
            xs.append(Constant(xi))
        except TypeError:
            raise TypeError(
                f"{who} input {i} must be a real number or a Value, got "
                f"{type(xi).__name__} {reprlib.repr(xi)}"
            ) from None
    return tuple(xs)


def check_bias_init(value: object) -> float:
    return finite_real(value, "bias_init", "a number (every bias starts at it)")
