"""Check analytic derivatives against central finite differences (1st and 2nd order)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from ..core import Value, grad, no_grad

__all__ = ["GradcheckError", "gradcheck"]


class GradcheckError(ValueError):
    """Raised by `gradcheck` when analytic and numeric derivatives disagree."""


def _name(x: Value, i: int) -> str:
    return f"{i} ({x.label})" if x.label else str(i)


def _central(f: Callable[[], float], x: Value, eps: float) -> float:
    """(f(x + eps) - f(x - eps)) / 2eps, restoring x.data afterwards."""
    x0 = x.data
    try:
        x.data = x0 + eps
        hi = f()
        x.data = x0 - eps
        lo = f()
    finally:
        x.data = x0
    return (hi - lo) / (2 * eps)


def gradcheck(
    fn: Callable[..., Value],
    inputs: Sequence[Value],
    *,
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
    order: int = 1,
) -> bool:
    """Compare `grad` with central differences for `fn(*inputs) -> Value`.

    With `order=2` it also checks every second derivative ∂²f/∂xᵢ∂xⱼ, taken with
    `grad(..., create_graph=True)`, against central differences of the first derivatives.
    A pair passes when |analytic - numeric| <= atol + rtol·|numeric|.

    Returns:
        True when every derivative agrees.

    Raises:
        GradcheckError: with a table of the mismatches.
    """
    xs = list(inputs)
    if not all(isinstance(x, Value) for x in xs):
        raise TypeError("gradcheck() inputs must be Values (make them with Value(number))")
    if order not in (1, 2):
        raise ValueError(f"gradcheck() order must be 1 or 2, got {order!r}")

    def value() -> float:
        with no_grad():
            return fn(*xs).data

    rows: list[tuple[str, float, float]] = []
    analytic = grad(fn(*xs), xs)
    for i, x in enumerate(xs):
        rows.append((f"d/d[{_name(x, i)}]", analytic[i], _central(value, x, eps)))
    if order == 2:
        firsts = grad(fn(*xs), xs, create_graph=True)  # one graph per ∂f/∂xᵢ
        for i, dg in enumerate(firsts):

            def first(i: int = i) -> float:
                g: float = grad(fn(*xs), xs)[i]
                return g

            second = grad(dg, xs)
            for j, x in enumerate(xs):
                name = f"d2/d[{_name(xs[i], i)}]d[{_name(x, j)}]"
                rows.append((name, second[j], _central(first, x, eps)))

    bad = [
        (name, a, n)
        for name, a, n in rows
        if not (abs(a - n) <= atol + rtol * abs(n) or (math.isnan(a) and math.isnan(n)))
    ]
    if bad:
        width = max(len(name) for name, _, _ in bad)
        lines = [f"{'derivative':<{width}}  {'analytic':>14}  {'numeric':>14}  {'abs error':>10}"]
        lines += [
            f"{name:<{width}}  {a:>14.8g}  {n:>14.8g}  {abs(a - n):>10.3g}" for name, a, n in bad
        ]
        raise GradcheckError(
            f"gradcheck failed for {len(bad)} of {len(rows)} derivatives "
            f"(eps={eps}, atol={atol}, rtol={rtol}):\n" + "\n".join(lines)
        )
    return True
