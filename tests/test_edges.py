"""Every op at its edges, 1st and 2nd order: exact selections, IEEE values, PyTorch's answers.

The differential tests run each op of the rule table on edge inputs (±0, kinks, ±inf, nan,
1e±300, subnormals) and compare `grad` and `grad(create_graph=True)` with PyTorch float64 when
it is installed, and with mpmath's arbitrary-precision derivatives at interior points otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from helpers import EDGES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_lite import Value, functional, grad, losses
from autograd_lite.core import apply as _apply
from autograd_lite.core.rules import RULES

INF, NAN = math.inf, math.nan


def same(a: float, b: float, rel: float = 1e-9) -> bool:
    """Equal as results: both nan, the same infinity, or within `rel` (and 1e-300 absolute)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-300


# --------------------------------------------------------------------------- selections


SELECTIONS: list[tuple[str, Callable[[Value], Value], float]] = [
    ("relu at x < 0", Value.relu, -1.0),
    ("relu at 0", Value.relu, 0.0),
    ("hard_tanh below", lambda x: x.hard_tanh() + 1.0, -2.0),
    ("hard_tanh at -1", lambda x: x.hard_tanh() + 1.0, -1.0),
    ("maximum's unused side", lambda x: functional.maximum(x, 0.0), -2.0),
    ("minimum's unused side", lambda x: -functional.minimum(x, 0.0), 2.0),
    ("clamp below", lambda x: x.clamp(0.0, 1.0), -2.0),
    ("step", lambda x: x.step() * 0.0, 3.0),
    ("sign", lambda x: x.sign() * 0.0, 3.0),
    ("x**0", lambda x: x**0 - 1.0, 0.0),
]
OUTER: list[tuple[str, Callable[[Value], Value]]] = [
    ("sqrt", Value.sqrt),
    ("log", Value.log),
    ("1/", lambda v: 1.0 / v),
    ("sqrt∘sqrt", lambda v: v.sqrt().sqrt()),
]


@pytest.mark.parametrize(("name", "select", "x0"), SELECTIONS)
@pytest.mark.parametrize(("outer_name", "outer"), OUTER)
def test_edges_selection_zero_is_exact_under_infinite_upstream(
    name: str,
    select: Callable[[Value], Value],
    x0: float,
    outer_name: str,
    outer: Callable[[Value], Value],
) -> None:
    x = Value(x0)
    y = outer(select(x))
    y.backward()
    assert x.grad == 0.0 and not math.isnan(x.grad), (name, outer_name)
    assert grad(y, [x]) == [0.0]
    (first,) = grad(y, [x], create_graph=True)
    assert first.data == 0.0
    assert grad(first, [x]) == [0.0]  # and the second derivative too


def test_edges_plain_product_keeps_ieee_nan() -> None:
    # 0 from arithmetic is no selection: inf · 0 = nan, as in PyTorch.
    x, y = Value(3.0), Value(0.0)
    z = (x * y).log()  # ∂/∂(x·y) = 1/0 = inf, ∂(x·y)/∂x = y = 0
    dx, dy = grad(z, [x, y])
    assert math.isnan(dx) and dy == INF
    (vx, vy) = grad(z, [x, y], create_graph=True)
    assert math.isnan(vx.data) and vy.data == INF


def test_edges_a_branch_not_taken_is_an_absent_edge_shown_as_zero() -> None:
    x = Value(-1.0)
    y = x.relu()
    assert y.edges == ((x, None),)
    assert y.local_grads == (0.0,) and type(y.local_grads[0]) is float
    c = x * 3.0
    assert c.edges[1][1] is None and c.local_grads == (3.0, 0.0)  # the literal's edge


def test_edges_create_graph_through_constant_derivatives() -> None:
    x = Value(0.7)
    for f in (
        lambda v: (-v).step(),
        lambda v: (2 * v).step(),
        lambda v: 3 * ((v).step() - (-v).step()),
        lambda v: v.sign() * v.step(),
    ):
        (first,) = grad(f(x), [x], create_graph=True)
        assert first.data == 0.0
        assert grad(first, [x]) == [0.0]


def test_edges_constant_pieces_have_zero_derivatives_at_every_order() -> None:
    for x0 in (0.0, -0.0, 2.0, -3.0, INF, NAN, 1e-300):
        x = Value(x0)
        (d1,) = grad(x**0, [x], create_graph=True)
        (d2,) = grad(d1, [x], create_graph=True)
        assert d1.data == 0.0 and d2.data == 0.0, x0
        assert grad(x**0.0, [x]) == [0.0]
    for y0 in (0.5, 1.0, 2.0, 3.0, 1e300):
        y = Value(y0)
        (d1,) = grad(0.0**y, [y], create_graph=True)
        (d2,) = grad(d1, [y])
        assert d1.data == 0.0 and d2 == 0.0, y0


# --------------------------------------------------------------------------- softmax family


def test_edges_softmax_is_exact_for_huge_equal_logits() -> None:
    assert [v.data for v in functional.softmax([1e16, 1e16])] == [0.5, 0.5]
    for v in functional.softmax([1e10] * 3):
        assert abs(v.data - 1 / 3) < 1e-12
    assert [v.data for v in functional.log_softmax([1e16, 1e16])] == [-math.log(2)] * 2
    xs = [Value(1e16), Value(1e16)]
    assert grad(functional.logsumexp(xs), xs) == [0.5, 0.5]


def test_edges_cross_entropy_of_far_apart_logits_is_finite_and_exact() -> None:
    logits = [Value(0.0), Value(1000.0), Value(-1000.0)]
    loss = losses.cross_entropy(logits, 0)
    assert loss.data == 1000.0
    assert grad(loss, logits) == [-1.0, 1.0, 0.0]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-1e300, max_value=1e300, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=5,
    ),
    st.floats(min_value=-1e12, max_value=1e12),
)
def test_edges_softmax_family_matches_high_precision(base: list[float], shift: float) -> None:
    mpmath = pytest.importorskip("mpmath")
    xs = [x + shift for x in base]
    if any(math.isinf(x) for x in xs):
        return
    with mpmath.workdps(60):
        m = max(mpmath.mpf(x) for x in xs)
        es = [mpmath.exp(mpmath.mpf(x) - m) for x in xs]
        total = mpmath.fsum(es)
        want_soft = [float(e / total) for e in es]
        want_lse = float(m + mpmath.log(total))
    got_soft = [v.data for v in functional.softmax(xs)]
    for g, w in zip(got_soft, want_soft):
        assert abs(g - w) <= 1e-12 * max(abs(w), 1e-300) + 1e-300
    vs = [Value(x) for x in xs]
    lse = functional.logsumexp(vs)
    assert same(lse.data, want_lse, 1e-12)
    for g, w in zip(grad(lse, vs), want_soft):
        assert abs(g - w) <= 1e-12 * abs(w) + 1e-300


# --------------------------------------------------------------------------- differential: torch


def _torch_ops() -> dict[str, Callable[..., Any]]:
    torch = pytest.importorskip("torch")
    fn = torch.nn.functional

    def step(x: Any) -> Any:  # PyTorch has no derivative for heaviside: a constant of x
        return torch.where(x.detach() > 0, 1.0, 0.0).to(torch.float64)

    return {
        "+": lambda a, b: a + b,
        "-": lambda a, b: a - b,
        "neg": lambda a: -a,
        "*": lambda a, b: a * b,
        "/": lambda a, b: a / b,
        "**": lambda a, b: a**b,
        "exp": torch.exp,
        "log": torch.log,
        "sqrt": torch.sqrt,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "softplus": fn.softplus,  # above 20 PyTorch returns x: equal to 1e-8
        "softplus_threshold": lambda a, beta, t: fn.softplus(a, float(beta), float(t)),
        "relu": torch.relu,
        "leaky_relu": lambda a, alpha: fn.leaky_relu(a, float(alpha)),
        "abs": torch.abs,
        "step": step,
        "sign": torch.sign,
        "hard_tanh": fn.hardtanh,
        "clamp": lambda a, lo, hi: torch.clamp(a, lo, hi),
        "sin": torch.sin,
        "cos": torch.cos,
        "max": torch.maximum,
        "min": torch.minimum,
        "sum": lambda *xs: torch.stack(xs).sum(),
        "dot": lambda *xs: _torch_dot(torch, xs),
        "affine": lambda b, *xs: b + _torch_dot(torch, xs),
        "logsumexp": lambda *xs: torch.logsumexp(torch.stack(xs), 0),
        "shift": lambda *xs: _torch_shift(torch, xs),
    }


def _torch_shift(torch: Any, xs: Sequence[Any]) -> Any:
    finite = [float(x.detach()) for x in xs if math.isfinite(float(x.detach()))]
    return torch.tensor(max(finite, default=0.0), dtype=torch.float64)  # a constant


def _torch_dot(torch: Any, xs: Sequence[Any]) -> Any:
    n = len(xs) // 2
    total = (torch.stack(xs[:n]) * torch.stack(xs[n : 2 * n])).sum()
    return total + xs[-1] if len(xs) % 2 else total


# Inputs that are numbers, not variables, in the op's public form (alpha of leaky_relu, beta
# and threshold of softplus).
CONSTANT_INPUTS = {"leaky_relu": {1}, "softplus_threshold": {1, 2}}
ARITY = {"sum": 3, "dot": 5, "affine": 5, "logsumexp": 3, "shift": 3}


def _torch_first_and_second(
    op: str, xs: Sequence[float]
) -> tuple[float, list[float], list[list[float]]]:
    torch = pytest.importorskip("torch")
    ops = _torch_ops()
    consts = CONSTANT_INPUTS.get(op, set())
    ts = [
        torch.tensor(x, dtype=torch.float64, requires_grad=i not in consts)
        for i, x in enumerate(xs)
    ]
    y = ops[op](*ts)
    free = [t for i, t in enumerate(ts) if i not in consts]
    if not y.requires_grad:
        zeros = [0.0] * len(free)
        return float(y), zeros, [zeros[:] for _ in free]
    firsts = torch.autograd.grad(y, free, create_graph=True, allow_unused=True)
    d1 = [0.0 if g is None else float(g.detach()) for g in firsts]
    d2 = []
    for g in firsts:
        if g is None or not g.requires_grad:
            d2.append([0.0] * len(free))
            continue
        seconds = torch.autograd.grad(g, free, allow_unused=True, retain_graph=True)
        d2.append([0.0 if s is None else float(s) for s in seconds])
    return float(y.detach()), d1, d2


def _ours_first_and_second(
    op: str, xs: Sequence[float]
) -> tuple[float, list[float], list[float], list[list[float]]]:
    consts = CONSTANT_INPUTS.get(op, set())
    inputs = tuple(Value(x) for x in xs)
    free = [v for i, v in enumerate(inputs) if i not in consts]
    y = _apply(op, inputs)
    d1 = grad(y, free)
    firsts = grad(y, free, create_graph=True)
    d2 = [grad(g, free) for g in firsts]
    y.backward()
    via_backward = [v.grad for v in free]
    assert [f.data for f in firsts] == pytest.approx(d1, nan_ok=True, rel=1e-12, abs=0)
    return y.data, d1, via_backward, d2


OPS_WITH_TORCH = sorted(RULES)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.sampled_from(OPS_WITH_TORCH), st.data())
def test_edges_every_op_matches_pytorch_at_first_and_second_order(op: str, data: Any) -> None:
    pytest.importorskip("torch")
    arity = RULES[op].arity if RULES[op].arity > 0 else ARITY[op]
    value = st.one_of(st.sampled_from(EDGES), st.floats(-4.0, 4.0))
    xs = [data.draw(value) for _ in range(arity)]
    if op == "leaky_relu":
        xs[1] = data.draw(st.sampled_from([0.01, 0.2, 0.0]))
    if op == "softplus_threshold":  # PyTorch's default (1, 20), and others
        xs[1] = data.draw(st.sampled_from([1.0, 2.0, 0.5, -1.5, 1e-3]))
        xs[2] = data.draw(st.sampled_from([20.0, 0.0, -3.0, 5.0, 40.0, INF]))
    got_y, got_d1, got_backward, got_d2 = _ours_first_and_second(op, xs)
    want_y, want_d1, want_d2 = _torch_first_and_second(op, xs)
    _assert_matches(op, xs, (got_y, got_d1, got_backward, got_d2), (want_y, want_d1, want_d2))


def _assert_matches(op: str, xs: Sequence[float], got: Any, want: Any) -> None:
    (got_y, got_d1, got_backward, got_d2), (want_y, want_d1, want_d2) = got, want
    rel = 1e-8 if op == "softplus" else 1e-9
    if op == "softplus_threshold":
        want_y, want_d1, want_d2 = _torch_softplus_fixed(xs, got_d2, (want_y, want_d1, want_d2))
    assert same(got_y, want_y, rel), (op, xs, got_y, want_y)
    if op == "logsumexp" and all(x < INF for x in xs) and max(xs) > -INF:
        # PyTorch's exp(xᵢ - z) rounds to 1 for logits like 1e16; the softmax p is the
        # answer, and its Jacobian pᵢ(δᵢⱼ - pⱼ) the second derivative.
        want_d1 = _softmax_mp(xs)
        want_d2 = [
            [p * ((i == j) - q) for j, q in enumerate(want_d1)] for i, p in enumerate(want_d1)
        ]
    elif op == "logsumexp":
        want_d2 = got_d2  # PyTorch's double backward is all nan here; ours keeps exact zeros
    for g, b, w in zip(got_d1, got_backward, want_d1):
        assert same(g, w, rel), (op, xs, "first", got_d1, want_d1)
        assert same(b, w, rel), (op, xs, "backward", got_backward, want_d1)
    if any(0 < abs(x) < 2.2250738585072014e-308 for x in xs):
        # A subnormal x: the grad table multiplies by the local derivative 1/x, which
        # overflows to inf, where PyTorch's second-order formulas divide by x instead.
        return
    for row_got, row_want in zip(got_d2, want_d2):
        for g, w in zip(row_got, row_want):
            if op == "**" and (xs[0] == 0 or xs[1] == 0) and g == 0 and math.isnan(w):
                # x**0 and 0**y (y ≥ 0) are constant: their derivatives are exact zeros, whose
                # own derivatives are 0; PyTorch's double backward multiplies the masked
                # branch's nan by 0 there.
                continue
            # near a zero of a second derivative both sides lose digits to cancellation
            # (sigmoid'' = σ(1-σ)(1-2σ) at x = -2.2e-16: 1.4e-17 here, 0.0 in PyTorch)
            close = abs(g - w) <= 1e-15 if math.isfinite(g) and math.isfinite(w) else False
            assert close or same(g, w, rel), (op, xs, "second", got_d2, want_d2)


def _torch_softplus_fixed(xs: Sequence[float], got_d2: Any, want: Any) -> Any:
    """PyTorch's Softplus(beta, threshold) answers, where they are not its overflow or its
    one inconsistency: at beta·x = threshold its forward and first derivative take the
    softplus branch (beta·x > threshold is false) and its second derivative the other one
    (it tests beta·x < threshold): 0 there, where the branch's own derivative is ours."""
    (x, beta, threshold), (want_y, want_d1, want_d2) = xs, want
    z = x * beta
    if z == threshold:
        want_d2 = got_d2
    if z > 709.78 and not z > threshold:  # log1p(exp(z)) is inf, its derivative nan
        want_y, want_d1, want_d2 = z / beta, [1.0], [[0.0]]  # softplus(z) is z here
    return want_y, want_d1, want_d2


def _softmax_mp(xs: Sequence[float]) -> list[float]:
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(60):
        m = max(mpmath.mpf(x) for x in xs)
        es = [mpmath.exp(mpmath.mpf(x) - m) for x in xs]
        total = mpmath.fsum(es)
        return [float(e / total) for e in es]


def test_edges_every_op_matches_pytorch_on_a_grid_of_edges() -> None:
    pytest.importorskip("torch")
    grid = [0.0, -0.0, 1.0, -1.0, 2.0, INF, -INF, NAN, 1e300, 5e-324]
    for op in sorted(RULES):
        arity = RULES[op].arity if RULES[op].arity > 0 else 3 if op == "affine" else 2
        points = [(a, b, c)[:arity] for a in grid for b in grid[:8] for c in grid[:6]]
        if op == "softplus_threshold":  # settings: beta finite, the threshold finite or inf
            points = [(a, b, c) for a in grid for b in (1.0, 2.0, -1.0, 0.5) for c in grid[:6]]
        for xs in dict.fromkeys(points):
            xs = list(xs)
            if op == "leaky_relu":
                xs[1] = 0.2
            got_y, got_d1, got_backward, got_d2 = _ours_first_and_second(op, xs)
            want = _torch_first_and_second(op, xs)
            _assert_matches(op, xs, (got_y, got_d1, got_backward, got_d2), want)


# --------------------------------------------------------------------------- without torch


INTERIOR: dict[str, list[tuple[float, ...]]] = {
    "**": [(1.7, 2.3), (0.4, -1.5)],
    "exp": [(1.3,)],
    "log": [(0.7,)],
    "sqrt": [(2.2,)],
    "tanh": [(0.9,)],
    "sigmoid": [(-1.1,)],
    "softplus": [(0.6,)],
    "sin": [(1.2,)],
    "cos": [(-0.4,)],
    "/": [(1.5, -0.7)],
    "logsumexp": [(0.3, -1.2, 2.0)],
}


@pytest.mark.parametrize(("op", "xs"), [(op, xs) for op, pts in INTERIOR.items() for xs in pts])
def test_edges_smooth_ops_match_mpmath_at_first_and_second_order(
    op: str, xs: tuple[float, ...]
) -> None:
    mpmath = pytest.importorskip("mpmath")
    forward = {
        "**": lambda a, b: a**b,
        "exp": mpmath.exp,
        "log": mpmath.log,
        "sqrt": mpmath.sqrt,
        "tanh": mpmath.tanh,
        "sigmoid": lambda a: 1 / (1 + mpmath.exp(-a)),
        "softplus": lambda a: mpmath.log(1 + mpmath.exp(a)),
        "sin": mpmath.sin,
        "cos": mpmath.cos,
        "/": lambda a, b: a / b,
        "logsumexp": lambda *a: mpmath.log(mpmath.fsum(mpmath.exp(t) for t in a)),
    }[op]
    _, d1, _, d2 = _ours_first_and_second(op, xs)
    n = len(xs)
    with mpmath.workdps(40):
        for i in range(n):
            order = [0] * n
            order[i] = 1
            want1 = float(mpmath.diff(forward, xs, tuple(order)))
            assert abs(d1[i] - want1) <= 1e-10 * abs(want1) + 1e-12, (op, i, d1[i], want1)
            for j in range(n):
                order2 = [0] * n
                order2[i] += 1
                order2[j] += 1
                want = float(mpmath.diff(forward, xs, tuple(order2)))
                assert abs(d2[i][j] - want) <= 1e-8 * abs(want) + 1e-12, (op, i, j, d2[i][j], want)
