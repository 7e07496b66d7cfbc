"""Functions of many Values: n-ary `sum` and `dot`, stable `softmax` family, `jacobian`."""

from __future__ import annotations

import builtins
import operator
from collections.abc import Iterable, Sequence

from .engine import Operand, Value, _apply, _node, apply, grad, values

_data = operator.attrgetter("data")

__all__ = [
    "dot",
    "jacobian",
    "log_softmax",
    "logsumexp",
    "maximum",
    "mean",
    "minimum",
    "softmax",
    "sum",
]


def sum(values_: Iterable[Operand]) -> Value:
    """Σ values as one n-ary node (every local derivative is 1).

    The empty sum is a leaf 0.0. Numbers are allowed and become constants.
    """
    vs = values(values_, "sum")
    if not vs:
        return Value(0.0)
    return _apply("sum", vs)


def dot(ws: Sequence[Operand], xs: Sequence[Operand], bias: Operand | None = None) -> Value:
    """Σ wᵢ·xᵢ (+ bias) as one node with parents w₁..wₙ, x₁..xₙ (, bias).

    The local derivatives are x₁..xₙ for the w's, w₁..wₙ for the x's and 1 for the bias.
    """
    if len(ws) != len(xs):
        raise ValueError(f"dot() needs sequences of equal length, got {len(ws)} and {len(xs)}")
    parents = values((*ws, *xs) if bias is None else (*ws, *xs, bias), "dot")
    if not parents:
        return Value(0.0)
    n = len(ws)
    return _dot_node(parents, n, list(map(_data, parents[n : 2 * n])))


def dot_of_values(
    ws: Sequence[Value], xs: Sequence[Value], xd: Sequence[float], bias: Value | None
) -> Value:
    """`dot` without input checks, for callers that pass Values and the data of `xs`.

    A layer calls it once per neuron with the same inputs, reading their data only once.
    """
    return _dot_node((*ws, *xs) if bias is None else (*ws, *xs, bias), len(ws), xd)


def _dot_node(parents: tuple[Value, ...], n: int, xd: Sequence[float]) -> Value:
    """The dot node of parents w₁..wₙ, x₁..xₙ (, bias), given the data of the x's."""
    wd = list(map(_data, parents[:n]))
    total = builtins.sum(map(operator.mul, wd, xd), 0.0)  # a hot path: see engine.HOT_PATHS
    if len(parents) == 2 * n:
        return _node(total, parents, (*xd, *wd), "dot")
    return _node(total + parents[-1].data, parents, (*xd, *wd, 1.0), "dot")


def mean(values_: Iterable[Operand]) -> Value:
    """The arithmetic mean: `sum(values) / n`. Raises ValueError for no values."""
    vs = values(values_, "mean")
    if not vs:
        raise ValueError("mean() of no values is undefined; pass at least one value")
    return sum(vs) / len(vs)


def maximum(a: Operand, b: Operand) -> Value:
    """The larger of a and b; at a tie each gets half the gradient (PyTorch's convention)."""
    return apply("max", (a, b))


def minimum(a: Operand, b: Operand) -> Value:
    """The smaller of a and b; at a tie each gets half the gradient (PyTorch's convention)."""
    return apply("min", (a, b))


def logsumexp(values_: Iterable[Operand]) -> Value:
    """log Σ exp(xᵢ) as one node, computed as m + log Σ exp(xᵢ - m) with m = max xᵢ."""
    vs = values(values_, "logsumexp")
    if not vs:
        raise ValueError("logsumexp() of no values is -inf by definition; pass at least one value")
    return _apply("logsumexp", vs)


def _shifted(vs: tuple[Value, ...]) -> list[Value]:
    """[xᵢ - c] with c the largest finite x (0 when there is none) as a node of zero derivatives.

    softmax and log_softmax do not change when every input moves by the same amount, so the
    shift costs no gradient (the rule `shift` has exact zero derivatives); it keeps every
    exponent ≤ 0 and the differences exact, where xᵢ - logsumexp(x) would round away log 2
    next to logits like 1e16. Being a node, the shift is recomputed when a compiled graph is
    replayed on new numbers.
    """
    c = _apply("shift", vs)
    return [v - c for v in vs]


def log_softmax(values_: Iterable[Operand]) -> list[Value]:
    """[xᵢ - logsumexp(x)]: stable for logits of any size; every output depends on every input.

    Computed as (xᵢ - c) - log Σ exp(xⱼ - c) with c = max x, a constant.
    """
    vs = values(values_, "log_softmax")
    if not vs:
        raise ValueError("log_softmax() of no values is undefined; pass at least one value")
    shifted = _shifted(vs)
    lse = _apply("logsumexp", tuple(shifted))
    return [x - lse for x in shifted]


def softmax(values_: Iterable[Operand]) -> list[Value]:
    """[exp(xᵢ) / Σ exp(xⱼ)]: the vector activation, stable for logits of any size.

    Computed as e^(xᵢ - c) / Σ e^(xⱼ - c) with c = max x, a constant, so nothing overflows and
    equal logits give equal shares exactly. Its Jacobian is ∂yᵢ/∂xₖ = yᵢ(δᵢₖ - yₖ).
    """
    vs = values(values_, "softmax")
    if not vs:
        raise ValueError("softmax() of no values is undefined; pass at least one value")
    es = [x.exp() for x in _shifted(vs)]
    total = _apply("sum", tuple(es)) if len(es) > 1 else es[0]
    return [e / total for e in es]


def jacobian(outputs: Sequence[Value], inputs: Sequence[Value]) -> list[list[float]]:
    """The matrix J[i][k] = ∂outputs[i]/∂inputs[k], one row per output (floats)."""
    return [grad(y, inputs) for y in outputs]
