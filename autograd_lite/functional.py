"""Functions of many Values: n-ary `sum` and `dot`, the stable softmax family, `jacobian`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .core import Operand, Value, apply, grad

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


def sum(values: Iterable[Operand]) -> Value:
    """Σ values as one n-ary node (every local derivative is 1).

    The empty sum is a leaf 0.0. Numbers are allowed and become constants.
    """
    vs = list(values)
    return apply("sum", vs) if vs else Value(0.0)


def dot(ws: Sequence[Operand], xs: Sequence[Operand], bias: Operand | None = None) -> Value:
    """Σ wᵢ·xᵢ (+ bias) as one node with parents w₁..wₙ, x₁..xₙ (, bias).

    The local derivatives are x₁..xₙ for the w's, w₁..wₙ for the x's and 1 for the bias.
    """
    if len(ws) != len(xs):
        raise ValueError(f"dot() needs sequences of equal length, got {len(ws)} and {len(xs)}")
    parents = [*ws, *xs] if bias is None else [*ws, *xs, bias]
    return apply("dot", parents) if parents else Value(0.0)


def mean(values: Iterable[Operand]) -> Value:
    """The arithmetic mean: `sum(values) / n`. Raises ValueError for no values."""
    vs = list(values)
    if not vs:
        raise ValueError("mean() of no values is undefined; pass at least one value")
    return sum(vs) / len(vs)


def maximum(a: Operand, b: Operand) -> Value:
    """The larger of a and b. At a tie the value is a and each gets half the gradient
    (PyTorch's conventions: maximum(0.0, -0.0) is 0.0); with a nan the value is nan."""
    return apply("max", (a, b))


def minimum(a: Operand, b: Operand) -> Value:
    """The smaller of a and b. At a tie the value is a and each gets half the gradient
    (PyTorch's conventions: minimum(0.0, -0.0) is 0.0); with a nan the value is nan."""
    return apply("min", (a, b))


def logsumexp(values: Iterable[Operand]) -> Value:
    """log Σ exp(xᵢ) as one node, computed as m + log Σ exp(xᵢ - m) with m = max xᵢ."""
    vs = list(values)
    if not vs:
        raise ValueError("logsumexp() of no values is -inf by definition; pass at least one value")
    return apply("logsumexp", vs)


def _shifted(vs: list[Operand]) -> list[Value]:
    """[xᵢ - c] with c the largest finite x (0 when there is none), a node whose edges are absent.

    softmax and log_softmax do not change when every input moves by the same amount, so the
    shift costs no gradient; it keeps every exponent ≤ 0 and the differences exact, where
    xᵢ - logsumexp(x) would round away log 2 next to logits like 1e16. Being a node, the shift
    is recomputed when a compiled graph is replayed on new numbers.
    """
    c = apply("shift", vs)
    return [v - c for v in vs]  # the `-` rule, by its fast path


def log_softmax(values: Iterable[Operand]) -> list[Value]:
    """[xᵢ - logsumexp(x)]: stable for logits of any size; every output depends on every input.

    Computed as (xᵢ - c) - log Σ exp(xⱼ - c) with c = max x, a constant.
    """
    shifted, lse = log_softmax_parts(values)
    return [x - lse for x in shifted]


def log_softmax_parts(values: Iterable[Operand]) -> tuple[list[Value], Value]:
    """The shifted inputs xᵢ - c and logsumexp of them: log_softmax(x)ᵢ is their difference
    (cross-entropy makes only the one it picks)."""
    vs = list(values)
    if not vs:
        raise ValueError("log_softmax() of no values is undefined; pass at least one value")
    shifted = _shifted(vs)
    return shifted, apply("logsumexp", shifted)


def softmax(values: Iterable[Operand]) -> list[Value]:
    """[exp(xᵢ) / Σ exp(xⱼ)]: the vector activation, stable for logits of any size.

    Computed as e^(xᵢ - c) / Σ e^(xⱼ - c) with c = max x, a constant, so nothing overflows and
    equal logits give equal shares exactly. Its Jacobian is ∂yᵢ/∂xₖ = yᵢ(δᵢₖ - yₖ).
    """
    vs = list(values)
    if not vs:
        raise ValueError("softmax() of no values is undefined; pass at least one value")
    es = [x.exp() for x in _shifted(vs)]
    total = apply("sum", es) if len(es) > 1 else es[0]
    return [e / total for e in es]


def jacobian(outputs: Sequence[Value], inputs: Sequence[Value]) -> list[list[float]]:
    """The matrix J[i][k] = ∂outputs[i]/∂inputs[k], one row per output (floats)."""
    return [grad(y, inputs) for y in outputs]
