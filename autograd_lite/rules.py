"""The derivative rules: for every primitive, its float forward and its local partials.

This table is the single source of truth for the engine, the reverse pass and `create_graph`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

INF = math.inf
NAN = math.nan


def _is_odd_integer(y: float) -> bool:
    return math.isfinite(y) and y == math.floor(y) and math.fmod(y, 2.0) != 0.0


class FloatMath:
    """Scalar functions on floats that follow IEEE-754: they return inf/nan where `math` raises."""

    @staticmethod
    def div(a: float, b: float) -> float:
        try:
            return a / b
        except ZeroDivisionError:
            if a != a or a == 0:  # 0/0 and nan/0 are nan
                return NAN
            return math.copysign(INF, a) * math.copysign(1.0, b)

    @staticmethod
    def pow(x: float, y: float) -> float:
        try:
            return math.pow(x, y)
        except OverflowError:  # |x|**y too large: negative only for x < 0 and an odd integer y
            return -INF if x < 0 and _is_odd_integer(y) else INF
        except ValueError:
            if x == 0:  # 0 ** negative; -0.0 ** odd negative is -inf
                return -INF if math.copysign(1.0, x) < 0 and _is_odd_integer(y) else INF
            return NAN  # negative base with a non-integer exponent has no real value

    @staticmethod
    def exp(x: float) -> float:
        try:
            return math.exp(x)
        except OverflowError:
            return INF

    @staticmethod
    def log(x: float) -> float:
        if x > 0:
            return math.log(x)
        return -INF if x == 0 else NAN

    @staticmethod
    def sqrt(x: float) -> float:
        return math.sqrt(x) if x >= 0 else NAN

    @staticmethod
    def sin(x: float) -> float:
        return math.sin(x) if math.isfinite(x) else NAN

    @staticmethod
    def cos(x: float) -> float:
        return math.cos(x) if math.isfinite(x) else NAN

    @staticmethod
    def tanh(x: float) -> float:
        return math.tanh(x)

    @staticmethod
    def sigmoid(x: float) -> float:
        # Only ever exponentiate a non-positive number, so nothing overflows.
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        e = FloatMath.exp(x)
        return e / (1.0 + e)

    @staticmethod
    def softplus(x: float) -> float:
        # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): the exponent is never positive.
        return (x if x > 0 else 0.0) + math.log1p(FloatMath.exp(-abs(x)))

    @staticmethod
    def abs(x: float) -> float:
        return abs(x)

    @staticmethod
    def step(x: float) -> float:
        return 1.0 if x > 0 else 0.0

    @staticmethod
    def sign(x: float) -> float:
        return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)

    @staticmethod
    def mul0(a: float, b: float) -> float:
        return 0.0 if a == 0 else a * b


F = FloatMath


def _logsumexp(*xs: float) -> float:
    m = max(xs)
    if any(x != x for x in xs):
        return NAN
    if math.isinf(m):  # all -inf gives -inf; any +inf gives +inf
        return m
    return m + math.log(math.fsum(math.exp(x - m) for x in xs))


def _dot(*args: float) -> float:
    n = len(args) // 2
    total = sum(map(operator.mul, args[:n], args[n : 2 * n]), 0.0)
    return total + args[-1] if len(args) % 2 else total


def _dot_partials(m: Any, z: Any, *args: Any) -> tuple[Any, ...]:
    # dot(w, x [, b]) = Σ wᵢxᵢ (+ b): ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1.
    n = len(args) // 2
    return (*args[n : 2 * n], *args[:n]) + ((1.0,) if len(args) % 2 else ())


def _leaky_relu_partials(m: Any, z: Any, x: Any, alpha: Any) -> tuple[Any, Any]:
    s = m.step(x)  # convention: the slope at x = 0 is alpha, as for relu'(0) = 0
    return s + alpha * (1 - s), x * (1 - s)


def _max_partials(m: Any, z: Any, a: Any, b: Any) -> tuple[Any, Any]:
    s = m.sign(a - b)  # convention (PyTorch's): a tie splits the gradient evenly
    return (1 + s) * 0.5, (1 - s) * 0.5


def _min_partials(m: Any, z: Any, a: Any, b: Any) -> tuple[Any, Any]:
    s = m.sign(a - b)
    return (1 - s) * 0.5, (1 + s) * 0.5


@dataclass(frozen=True)
class Rule:
    """A primitive: `forward(*floats) -> float` and `partials(m, z, *xs) -> (∂z/∂x, ...)`.

    `partials` is written with `+ - * /` and the namespace `m` only, so it runs on floats
    (`m` = `FloatMath`, giving the recorded `local_grads`) and on Values (`create_graph=True`).
    `z` is the output, passed so rules like exp and tanh can reuse it.
    """

    forward: Callable[..., float]
    partials: Callable[..., tuple[Any, ...]]
    arity: int  # number of inputs; -1 for n-ary
    convention: str = ""


RULES: dict[str, Rule] = {
    "+": Rule(float.__add__, lambda m, z, x, y: (1.0, 1.0), 2),
    "-": Rule(float.__sub__, lambda m, z, x, y: (1.0, -1.0), 2),
    "neg": Rule(float.__neg__, lambda m, z, x: (-1.0,), 1),
    "*": Rule(float.__mul__, lambda m, z, x, y: (y, x), 2),
    "/": Rule(
        F.div,
        lambda m, z, x, y: (m.div(1.0, y), -m.div(z, y)),
        2,
        "x/0 is ±inf and 0/0 is nan (IEEE-754); the partials follow the same way",
    ),
    "**": Rule(
        F.pow,
        lambda m, z, x, y: (
            m.mul0(y, m.pow(x, y - 1)),  # y·x^(y-1), and 0 for y = 0 even at x = 0
            m.mul0(m.abs(m.sign(x)), z * m.log(x)),  # x^y·ln x, and 0 at x = 0
        ),
        2,
        "∂/∂x = y·x**(y-1), taken as 0 for y = 0 (also at x = 0); ∂/∂y = x**y·ln x, taken as 0 "
        "at x = 0 and nan for x < 0, where the real power has no derivative in y (as in "
        "PyTorch, except that PyTorch gives -inf at x = 0, y < 0); a negative base with a "
        "non-integer exponent gives nan",
    ),
    "exp": Rule(F.exp, lambda m, z, x: (z,), 1, "exp(x) overflows to inf above about 709.78"),
    "log": Rule(F.log, lambda m, z, x: (m.div(1.0, x),), 1, "log(0) = -inf, log(x < 0) = nan"),
    "sqrt": Rule(F.sqrt, lambda m, z, x: (m.div(0.5, z),), 1, "sqrt'(0) = inf; sqrt(x<0) = nan"),
    "tanh": Rule(F.tanh, lambda m, z, x: (1.0 - z * z,), 1),
    "sigmoid": Rule(F.sigmoid, lambda m, z, x: (z * (1.0 - z),), 1),
    "softplus": Rule(F.softplus, lambda m, z, x: (m.sigmoid(x),), 1),
    "relu": Rule(
        lambda x: 0.0 if x <= 0 else x,  # nan passes through, as in PyTorch
        lambda m, z, x: (m.step(x),),
        1,
        "relu'(0) = 0",
    ),
    "leaky_relu": Rule(
        lambda x, alpha: x if x > 0 else alpha * x,
        _leaky_relu_partials,
        2,
        "the slope at 0 is alpha; the second input is alpha itself",
    ),
    "abs": Rule(abs, lambda m, z, x: (m.sign(x),), 1, "abs'(0) = 0"),
    "step": Rule(F.step, lambda m, z, x: (0.0,), 1, "step(x) = 1 if x > 0 else 0; step' = 0"),
    "sign": Rule(F.sign, lambda m, z, x: (0.0,), 1, "sign(0) = 0; sign' = 0"),
    "hard_tanh": Rule(
        lambda x: -1.0 if x < -1 else (1.0 if x > 1 else x),
        lambda m, z, x: (m.step(x + 1.0) * m.step(1.0 - x),),
        1,
        "hard_tanh' = 1 on (-1, 1), 0 elsewhere, also at ±1",
    ),
    "sin": Rule(F.sin, lambda m, z, x: (m.cos(x),), 1),
    "cos": Rule(F.cos, lambda m, z, x: (-m.sin(x),), 1),
    "max": Rule(
        lambda a, b: a if a > b or a != a else b,
        _max_partials,
        2,
        "at a tie each input gets half the gradient",
    ),
    "min": Rule(
        lambda a, b: a if a < b or a != a else b,
        _min_partials,
        2,
        "at a tie each input gets half the gradient",
    ),
    "mul0": Rule(
        F.mul0,
        lambda m, z, a, b: (b, a),
        2,
        "a·b, but 0 wherever a = 0, even when b is inf or nan (a masked product)",
    ),
    "sum": Rule(lambda *xs: sum(xs, 0.0), lambda m, z, *xs: (1.0,) * len(xs), -1),
    "dot": Rule(_dot, _dot_partials, -1, "inputs are w₁..wₙ, x₁..xₙ and an optional bias"),
    "logsumexp": Rule(
        _logsumexp,
        lambda m, z, *xs: tuple(m.exp(x - z) for x in xs),
        -1,
        "computed as max + log Σ exp(x - max), so it never overflows",
    ),
}
