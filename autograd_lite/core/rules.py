"""The derivative rules: for every primitive, its output and the local derivative on each edge.

This table is the one place a derivative is written. The engine's ops are made from it,
`grad(create_graph=True)` evaluates it on Values, and the compiler writes it into programs.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

INF, NAN = math.inf, math.nan


def _odd(y: float) -> bool:
    return math.isfinite(y) and y == math.floor(y) and math.fmod(y, 2.0) != 0.0


def _div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:  # x/0 is ±inf; 0/0 and nan/0 are nan
        return NAN if a != a or a == 0 else math.copysign(INF, a) * math.copysign(1.0, b)


def _pow(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except OverflowError:  # negative only for x < 0 and an odd integer y
        return -INF if x < 0 and _odd(y) else INF
    except ValueError:  # 0 ** negative is inf (-0.0 ** odd is -inf); (x < 0) ** 0.5 is nan
        if x == 0:
            return -INF if math.copysign(1.0, x) < 0 and _odd(y) else INF
        return NAN


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def _sigmoid(x: float) -> float:
    e = _exp(-abs(x))  # exponentiate only a number ≤ 0: nothing overflows
    return 1.0 / (1.0 + e) if x >= 0 else e / (1.0 + e)


def _clamp(x: float, lo: float, hi: float) -> float:
    if lo != lo or hi != hi:
        return NAN  # a nan bound gives nan, as in PyTorch
    y = lo if x < lo else x
    return hi if y > hi else y  # min(max(x, lo), hi): hi wins when lo > hi, as in PyTorch


def _max_data(xs: Sequence[float]) -> float:  # the largest finite x, 0.0 if none: a safe shift
    return max((x for x in xs if -INF < x < INF), default=0.0)


# The functions rules use, on floats. They follow IEEE-754: where Python's `math` raises they
# give inf or nan, so no op ever raises on a number. `eq` is equality as a function, since a
# Value's `==` is identity. `total` adds from 0.0, left to right, as the rule "sum" does on
# Values (an exactly rounded sum, math.fsum, would differ from it in the last bit).
# fmt: off
FloatMath = SimpleNamespace(
    eq=operator.eq, div=_div, pow=_pow, exp=_exp, tanh=math.tanh, sigmoid=_sigmoid, abs=abs,
    log=lambda x: math.log(x) if x > 0 else (-INF if x == 0 else NAN),
    sqrt=lambda x: math.sqrt(x) if x >= 0 else NAN,
    sin=lambda x: math.sin(x) if math.isfinite(x) else NAN,
    cos=lambda x: math.cos(x) if math.isfinite(x) else NAN,
    softplus=lambda x: (x if x > 0 else 0.0) + math.log1p(_exp(-abs(x))),  # log(1 + e^x)
    step=lambda x: 1.0 if x > 0 else 0.0,
    sign=lambda x: 1.0 if x > 0 else (-1.0 if x < 0 else 0.0),
    clamp=_clamp, total=lambda xs: sum(xs, 0.0), max_data=_max_data,
)
# fmt: on


def namespace(m: Any) -> dict[str, Any]:
    """The functions a rule may call, by name, in namespace `m` (Values and code have them too)."""
    return {name: getattr(m, name) for name in vars(FloatMath)}


FLOATS = namespace(FloatMath)


class Rule:
    """A primitive: its output `out` and ∂out/∂input for each input.

    A rule of fixed arity is Python expressions: `inputs` names the inputs, `forward` gives
    `out` from them and `partials` one expression per input for ∂out/∂input, which may read
    `out`. `None` is the derivative of a branch not taken: that edge is *absent* and adds no
    term to any gradient. Expressions use `+ - * /`, comparisons, `a if cond else b`,
    `and`/`or` and the functions of `FloatMath` (`eq` for equality); the same text runs on floats,
    on Values (`create_graph`) and written into compiled programs. An n-ary rule (sum, dot)
    gives `forward(xs)` and `partials(m, out, xs)`, functions of the list of inputs written with
    a namespace `m` of those functions. `value(xs)` and `local_grads(out, xs)` are on floats.
    """

    def __init__(self, inputs: str, forward: Any, *partials: Any) -> None:
        self.inputs = None if inputs == "*" else tuple(inputs.split())
        self.forward, self.partials = forward, partials if self.inputs else partials[0]
        self.arity = len(self.inputs) if self.inputs else -1
        if self.inputs is None:
            self.value, self.local_grads = forward, functools.partial(partials[0], FloatMath)
            return
        names, ds = ", ".join(self.inputs), ", ".join(partials)
        self.value = eval(f"lambda xs: (lambda {names}: {forward})(*xs)", FLOATS)
        self.local_grads = eval(f"lambda out, xs: (lambda {names}: ({ds},))(*xs)", FLOATS)
        self._code = compile(f"({ds},)", "<rule>", "eval")

    def partials_in(self, m: Any, env: dict[str, Any], out: Any, *xs: Any) -> tuple[Any, ...]:
        """∂out/∂input for each input, evaluated in namespace `m` (`env` = `namespace(m)`)."""
        if self.inputs is None:
            return self.partials(m, out, xs)  # type: ignore[no-any-return,operator]
        return eval(self._code, env, {"out": out, **dict(zip(self.inputs, xs))})  # type: ignore[no-any-return]


def _dot(xs: Sequence[float]) -> float:  # w₁x₁ + … + wₙxₙ (+ b), added from 0.0
    n = len(xs) // 2
    total = sum(map(operator.mul, xs, xs[n : 2 * n]), 0.0)  # (map stops after the n w's)
    return total + xs[-1] if len(xs) % 2 else total


def _affine(xs: Sequence[float]) -> float:  # b + w₁x₁ + … + wₙxₙ, added from b (micrograd's)
    n, total = len(xs) // 2, xs[0]
    for w, x in zip(xs[1 : n + 1], xs[n + 1 :]):
        total = total + w * x
    return total


def _logsumexp(xs: Sequence[float]) -> float:  # max + log Σ exp(x - max): never overflows
    m = max(xs)
    if any(x != x for x in xs) or math.isinf(m):
        return NAN if any(x != x for x in xs) else m  # all -inf gives -inf, a +inf gives +inf
    return m + math.log(math.fsum(math.exp(x - m) for x in xs))


def _softmax(m: Any, out: Any, xs: Sequence[Any]) -> tuple[Any, ...]:
    # ∂logsumexp/∂xᵢ = softmax(x)ᵢ from e^(xᵢ - c), c the largest finite input (not `out`,
    # which would round xᵢ - out to 0 for logits like 1e16). An infinite input gives
    # PyTorch's exp(xᵢ - out): 0 for the finite inputs, nan for the infinite one.
    c = m.max_data(xs)
    es = [m.exp(x - c) for x in xs]
    total = m.total(es)
    return tuple(m.div(e, total) for e in es)


def _dot_partials(m: Any, out: Any, xs: Sequence[Any]) -> tuple[Any, ...]:
    n = len(xs) // 2  # ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1
    return (*xs[n : 2 * n], *xs[:n], 1.0) if len(xs) % 2 else (*xs[n:], *xs[:n])


def _affine_partials(m: Any, out: Any, xs: Sequence[Any]) -> tuple[Any, ...]:
    n = len(xs) // 2  # inputs b, w₁..wₙ, x₁..xₙ
    return (1.0, *xs[n + 1 :], *xs[1 : n + 1])


# Every convention at a kink or a domain limit is written beside its rule, PyTorch's unless said.
# fmt: off
RULES: dict[str, Rule] = {
    #            inputs  output                    ∂out/∂ each input (None: the edge is absent)
    "+":    Rule("x y",  "x + y",                  "1.0", "1.0"),
    "-":    Rule("x y",  "x - y",                  "1.0", "-1.0"),
    "neg":  Rule("x",    "-x",                     "-1.0"),
    "*":    Rule("x y",  "x * y",                  "y", "x"),  # a product: 0 · inf = nan
    "/":    Rule("x y",  "div(x, y)",              "div(1.0, y)", "-div(out, y)"),  # x/0 = ±inf
    # x**0 and 0**y (y ≥ 0) are constants: those edges are absent, also at x = 0. ∂/∂y is
    # -inf at 0**negative and nan for x < 0, where the real power has no derivative in y.
    "**":   Rule("x y",  "pow(x, y)",              "None if eq(y, 0.0) else y * pow(x, y - 1.0)",
                 "None if eq(x, 0.0) and y >= 0.0 else out * log(x)"),
    "exp":  Rule("x",    "exp(x)",                 "out"),  # overflows to inf above 709.78
    "log":  Rule("x",    "log(x)",                 "div(1.0, x)"),  # log(0) = -inf, log(-1) = nan
    "sqrt": Rule("x",    "sqrt(x)",                "div(0.5, out)"),  # sqrt'(0) = inf
    "tanh": Rule("x",    "tanh(x)",                "1.0 - out * out"),
    "sigmoid": Rule("x", "sigmoid(x)",             "out * (1.0 - out)"),  # out: the sigmoid
    "softplus": Rule("x", "softplus(x)",           "sigmoid(x)"),  # log(1 + e^x), no overflow
    # PyTorch's Softplus(beta, threshold): x itself where beta·x > threshold (slope 1), else
    # log(1 + e^(beta·x))/beta. The threshold's edge is absent: the output jumps there but has
    # no slope in it. At beta·x = threshold the softplus branch holds at every order (PyTorch's
    # second derivative is 0 there). softplus never overflows (PyTorch's log1p(exp) does).
    "softplus_threshold": Rule("x beta threshold",
        "x if x * beta > threshold else div(softplus(x * beta), beta)",
        "1.0 if x * beta > threshold else sigmoid(x * beta)",
        "None if x * beta > threshold else div(x * sigmoid(x * beta) - out, beta)", "None"),
    # relu'(x) is absent for x ≤ 0, so relu'(0) = 0; relu(nan) = nan with derivative 1
    "relu": Rule("x",    "0.0 if x <= 0.0 else x", "None if x <= 0.0 else 1.0"),
    # the slope at 0 is alpha, the second input (a number: its edge is absent)
    "leaky_relu": Rule("x alpha", "x if x > 0.0 else alpha * x",
                       "1.0 if x > 0.0 else alpha", "None if x > 0.0 else x"),
    "abs":  Rule("x",    "abs(x)",                 "sign(x)"),  # abs'(0) = sign(0) = 0
    "step": Rule("x",    "step(x)",                "None"),  # 1 for x > 0, else 0: step(0) = 0
    "sign": Rule("x",    "sign(x)",                "None"),  # sign(0) = sign(nan) = 0
    # hard_tanh' = 1 on (-1, 1), absent elsewhere, also at ±1
    "hard_tanh": Rule("x", "-1.0 if x < -1.0 else (1.0 if x > 1.0 else x)",
                      "None if x <= -1.0 or x >= 1.0 else 1.0"),
    # min(max(x, lo), hi): ∂/∂x = 1 for lo ≤ x ≤ hi (the bounds included), absent outside; a
    # bound gets the gradient where it is the output (hi also wherever hi < lo, since hi wins)
    "clamp": Rule("x lo hi", "clamp(x, lo, hi)",   "1.0 if x >= lo and x <= hi else None",
                  "1.0 if x < lo and lo < hi else None", "1.0 if x > hi or hi < lo else None"),
    "sin":  Rule("x",    "sin(x)",                 "cos(x)"),  # sin(±inf) = nan
    "cos":  Rule("x",    "cos(x)",                 "-sin(x)"),
    # a tie gives each input half, and its value is x (PyTorch's: max(0.0, -0.0) = 0.0); the
    # other side's edge is absent; nan: both get all of it
    "max":  Rule("x y",  "y if y > x or y != y else x",
                 "None if x < y else (0.5 if eq(x, y) else 1.0)",
                 "None if y < x else (0.5 if eq(x, y) else 1.0)"),
    "min":  Rule("x y",  "y if y < x or y != y else x",
                 "None if x > y else (0.5 if eq(x, y) else 1.0)",
                 "None if y > x else (0.5 if eq(x, y) else 1.0)"),
    "sum":  Rule("*", lambda xs: sum(xs, 0.0), lambda m, out, xs: (1.0,) * len(xs)),
    "dot":  Rule("*", _dot, _dot_partials),  # inputs w₁..wₙ, x₁..xₙ and an optional bias
    "affine": Rule("*", _affine, _affine_partials),  # inputs b, w₁..wₙ, x₁..xₙ
    # the largest finite input (0 when none), held constant: its edges are absent, since
    # softmax does not change when all its inputs move together
    "shift": Rule("*", _max_data, lambda m, out, xs: (None,) * len(xs)),
    "logsumexp": Rule("*", _logsumexp, _softmax),
}
# fmt: on
