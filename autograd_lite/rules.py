"""The derivative rules: for every primitive, its float forward and its local partials.

This table is the single source of truth for the engine, the reverse pass and `create_graph`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

INF = math.inf
NAN = math.nan


class StrongZero(float):
    """The exact zero of a selection: `0.0`, but its product with anything (inf, nan) is itself.

    relu'(x ≤ 0), step', the unused side of max/min and every other derivative that is zero
    because a branch was *not taken* is recorded as `ZERO`, so it contributes exactly 0 to the
    grad table even when the upstream gradient is ±inf or nan, as PyTorch's select-based
    backward passes do. An arithmetic zero (`y` in `x * y` at y = 0) stays a plain 0.0 and keeps
    IEEE-754's 0 · inf = nan.
    """

    __slots__ = ()

    def __mul__(self, other: object) -> StrongZero:
        return self

    __rmul__ = __mul__

    def __neg__(self) -> StrongZero:
        return self

    def __repr__(self) -> str:
        return "0.0"


ZERO = StrongZero(0.0)


def _is_odd_integer(y: float) -> bool:
    return math.isfinite(y) and y == math.floor(y) and math.fmod(y, 2.0) != 0.0


class FloatMath:
    """Scalar functions on floats that follow IEEE-754: they return inf/nan where `math` raises.

    With `where`, `eq`, `zero`, `max_data` and `fsum` it is also the namespace in which the
    rules' partials run on floats (see `Rule`).
    """

    zero = ZERO  # the derivative of a branch not taken

    @staticmethod
    def where(cond: bool, a: float, b: float) -> float:
        return a if cond else b

    @staticmethod
    def eq(a: float, b: float) -> bool:
        return a == b

    @staticmethod
    def max_data(xs: tuple[float, ...]) -> float:
        return _finite_max(xs)

    fsum = staticmethod(math.fsum)

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


F = FloatMath


def _finite_max(xs: Iterable[float]) -> float:
    """The largest finite number among `xs`, or 0.0 when there is none: a safe shift."""
    return max((x for x in xs if -INF < x < INF), default=0.0)


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


def _logsumexp_partials(m: Any, z: Any, *xs: Any) -> tuple[Any, ...]:
    # ∂/∂xᵢ = softmax(x)ᵢ, computed from the shifted exponentials e^(xᵢ - c) with c the
    # largest finite input, a constant (softmax does not change under a shift): exp(xᵢ - z)
    # would round xᵢ - z to 0 for logits like 1e16 and give 1 for every input. An infinite
    # input gives PyTorch's exp(xᵢ - z): 0 for the finite ones, nan for the infinite one.
    c = m.max_data(xs)
    es = [m.exp(x - c) for x in xs]
    s = m.fsum(es)
    return tuple(m.div(e, s) for e in es)


def _pow_partials(m: Any, z: Any, x: Any, y: Any) -> tuple[Any, Any]:
    # x**0 is identically 1 and 0**y (y ≥ 0) identically 0 or 1: their derivatives are
    # selected exact zeros, at every order; elsewhere y·x^(y-1) and x^y·ln x.
    dx = m.where(m.eq(y, 0.0), m.zero, y * m.pow(x, y - 1.0))
    dy = m.where(m.eq(x, 0.0) & (y >= 0.0), m.zero, z * m.log(x))
    return dx, dy


def _leaky_relu_partials(m: Any, z: Any, x: Any, alpha: Any) -> tuple[Any, Any]:
    # the slope at x = 0 (and at nan) is alpha; alpha only matters where x ≤ 0
    return m.where(x > 0.0, 1.0, alpha), m.where(x > 0.0, m.zero, x)


def _hard_tanh_partials(m: Any, z: Any, x: Any) -> tuple[Any]:
    return (m.where(x <= -1.0, m.zero, m.where(x >= 1.0, m.zero, 1.0)),)


def _clamp_partials(m: Any, z: Any, x: Any, lo: Any, hi: Any) -> tuple[Any, Any, Any]:
    # PyTorch's convention: the gradient passes at the bounds themselves (lo ≤ x ≤ hi);
    # a bound gets it where it is the output (hi also wherever hi < lo, since hi wins).
    inside = m.where(x >= lo, m.where(x <= hi, 1.0, m.zero), m.zero)
    below = m.where(x < lo, m.where(lo < hi, 1.0, m.zero), m.zero)
    above = m.where(x > hi, 1.0, m.where(hi < lo, 1.0, m.zero))
    return inside, below, above


def _clamp(x: float, lo: float, hi: float) -> float:
    if lo != lo or hi != hi:
        return NAN  # a nan bound gives nan, as in PyTorch
    y = lo if x < lo else x
    return hi if y > hi else y  # min(max(x, lo), hi): hi wins when lo > hi, as in PyTorch


def _max_partials(m: Any, z: Any, a: Any, b: Any) -> tuple[Any, Any]:
    # PyTorch's convention: a tie splits the gradient evenly; the smaller side gets an exact
    # zero; with a nan input both sides get the full gradient.
    tie = m.eq(a, b)
    return (
        m.where(a < b, m.zero, m.where(tie, 0.5, 1.0)),
        m.where(b < a, m.zero, m.where(tie, 0.5, 1.0)),
    )


def _min_partials(m: Any, z: Any, a: Any, b: Any) -> tuple[Any, Any]:
    tie = m.eq(a, b)
    return (
        m.where(a > b, m.zero, m.where(tie, 0.5, 1.0)),
        m.where(b > a, m.zero, m.where(tie, 0.5, 1.0)),
    )


@dataclass(frozen=True)
class Rule:
    """A primitive: `forward(*floats) -> float` and `partials(m, z, *xs) -> (∂z/∂x, ...)`.

    `partials` is written with `+ - * /`, the comparisons `< <= > >=`, `&` between conditions
    and the namespace `m` only (`m.where(cond, a, b)`, `m.eq`, `m.zero`, `m.exp`, ...), so the
    same text runs on floats (`m` = `FloatMath`, giving the recorded `local_grads`), on Values
    (`create_graph=True`) and on source code (the compiler). `m.zero` is the derivative of a
    branch not taken: an exact zero whatever the upstream gradient (`StrongZero`).
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
    "*": Rule(float.__mul__, lambda m, z, x, y: (y, x), 2, "a product: 0 · inf = nan (IEEE-754)"),
    "/": Rule(
        F.div,
        lambda m, z, x, y: (m.div(1.0, y), -m.div(z, y)),
        2,
        "x/0 is ±inf and 0/0 is nan (IEEE-754); the partials follow the same way",
    ),
    "**": Rule(
        F.pow,
        _pow_partials,
        2,
        "∂/∂x = y·x**(y-1), an exact 0 for y = 0 (x**0 is constant, also at x = 0); "
        "∂/∂y = x**y·ln x, an exact 0 at x = 0 with y ≥ 0, -inf at x = 0 with y < 0 and nan "
        "for x < 0, where the real power has no derivative in y (all as in PyTorch); a "
        "negative base with a non-integer exponent gives nan",
    ),
    "exp": Rule(F.exp, lambda m, z, x: (z,), 1, "exp(x) overflows to inf above about 709.78"),
    "log": Rule(F.log, lambda m, z, x: (m.div(1.0, x),), 1, "log(0) = -inf, log(x < 0) = nan"),
    "sqrt": Rule(F.sqrt, lambda m, z, x: (m.div(0.5, z),), 1, "sqrt'(0) = inf; sqrt(x<0) = nan"),
    "tanh": Rule(F.tanh, lambda m, z, x: (1.0 - z * z,), 1),
    "sigmoid": Rule(F.sigmoid, lambda m, z, x: (z * (1.0 - z),), 1),
    "softplus": Rule(F.softplus, lambda m, z, x: (m.sigmoid(x),), 1),
    "relu": Rule(
        lambda x: 0.0 if x <= 0.0 else x,  # nan passes through, as in PyTorch
        lambda m, z, x: (m.where(x <= 0.0, m.zero, 1.0),),
        1,
        "relu'(x) = 0 for x ≤ 0, so relu'(0) = 0, an exact zero; relu'(nan) = 1 (PyTorch's)",
    ),
    "leaky_relu": Rule(
        lambda x, alpha: x if x > 0 else alpha * x,
        _leaky_relu_partials,
        2,
        "the slope at 0 is alpha; the second input is alpha itself",
    ),
    "abs": Rule(
        abs,
        lambda m, z, x: (m.sign(x),),
        1,
        "abs'(0) = 0 as sign(0), a product as in PyTorch (sqrt(abs(x)) at 0 gives nan there)",
    ),
    "step": Rule(
        F.step, lambda m, z, x: (m.zero,), 1, "step(x) = 1 if x > 0 else 0; step' = 0 (exact)"
    ),
    "sign": Rule(F.sign, lambda m, z, x: (m.zero,), 1, "sign(0) = sign(nan) = 0; sign' = 0"),
    "hard_tanh": Rule(
        lambda x: -1.0 if x < -1 else (1.0 if x > 1 else x),
        _hard_tanh_partials,
        1,
        "hard_tanh' = 1 on (-1, 1), an exact 0 elsewhere, also at ±1",
    ),
    "clamp": Rule(
        _clamp,
        _clamp_partials,
        3,
        "inputs x, lo, hi; ∂/∂x = 1 for lo ≤ x ≤ hi (bounds included) else an exact 0",
    ),
    "sin": Rule(F.sin, lambda m, z, x: (m.cos(x),), 1),
    "cos": Rule(F.cos, lambda m, z, x: (-m.sin(x),), 1),
    "max": Rule(
        lambda a, b: a if a > b or a != a else b,
        _max_partials,
        2,
        "at a tie each input gets half the gradient; the smaller one an exact 0",
    ),
    "min": Rule(
        lambda a, b: a if a < b or a != a else b,
        _min_partials,
        2,
        "at a tie each input gets half the gradient; the larger one an exact 0",
    ),
    "sum": Rule(lambda *xs: sum(xs, 0.0), lambda m, z, *xs: (1.0,) * len(xs), -1),
    "dot": Rule(_dot, _dot_partials, -1, "inputs are w₁..wₙ, x₁..xₙ and an optional bias"),
    "shift": Rule(
        lambda *xs: _finite_max(xs),
        lambda m, z, *xs: (m.zero,) * len(xs),
        -1,
        "the largest finite input (0 when there is none), a constant: every derivative is an "
        "exact 0, since softmax does not change when its inputs shift together",
    ),
    "logsumexp": Rule(
        _logsumexp,
        _logsumexp_partials,
        -1,
        "computed as max + log Σ exp(x - max), so it never overflows; ∂/∂xᵢ = softmax(x)ᵢ",
    ),
}
