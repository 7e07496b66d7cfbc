"""Every derivative rule against central differences (1st and 2nd order), and the ops' fast
paths against the rule they are written from."""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable

import pytest
from helpers import same

from autograd_lite import Value, functional, grad, no_grad
from autograd_lite.core import apply as _apply
from autograd_lite.core.fast import FAST_PATHS, REFLECTED
from autograd_lite.core.rules import RULES

# Sample points for each rule, away from kinks and domain limits (those have their own tests).
SAMPLES: dict[str, list[tuple[float, ...]]] = {
    "+": [(1.5, -2.25), (0.0, 3.0)],
    "-": [(1.5, -2.25), (-4.0, 0.5)],
    "neg": [(1.5,), (-0.3,)],
    "*": [(1.5, -2.25), (0.7, 0.7)],
    "/": [(1.5, -2.25), (-0.4, 0.8)],
    # (0.7, 0.0) is y = 0, where ∂/∂x is the exact zero of the constant x**0: the mixed second
    # derivative there is 0, as in PyTorch (checked in test_edges), not 1/x.
    "**": [(1.5, 2.0), (2.5, -0.7), (0.3, 3.5), (-1.5, 3.0), (0.7, 0.5)],
    "exp": [(0.5,), (-2.0,), (3.0,)],
    "log": [(0.5,), (3.0,)],
    "sqrt": [(0.25,), (4.0,)],
    "tanh": [(0.3,), (-1.7,)],
    "sigmoid": [(0.3,), (-2.5,), (4.0,)],
    "softplus": [(0.3,), (-2.5,), (4.0,)],
    # (x, beta, threshold): below and above the threshold, beta < 1, > 1 and < 0
    "softplus_threshold": [
        (0.3, 1.0, 20.0),
        (21.0, 1.0, 20.0),
        (-2.5, 2.0, 20.0),
        (4.0, 0.5, 1.0),
        (1.5, -1.5, 3.0),
        (-3.0, -1.5, 3.0),
    ],
    "relu": [(0.8,), (-0.8,)],
    "leaky_relu": [(0.8, 0.01), (-0.8, 0.2)],
    "abs": [(0.8,), (-0.8,)],
    "step": [(0.8,), (-0.8,)],
    "sign": [(0.8,), (-0.8,)],
    "hard_tanh": [(0.4,), (-0.6,), (1.7,), (-2.0,)],
    "sin": [(0.4,), (2.5,)],
    "cos": [(0.4,), (-2.5,)],
    "max": [(0.4, 1.2), (2.0, -1.0)],
    "min": [(0.4, 1.2), (2.0, -1.0)],
    "clamp": [(0.5, 0.0, 1.0), (2.0, 0.0, 1.0), (-1.0, 0.0, 1.0), (0.5, -math.inf, math.inf)],
    "sum": [(0.4,), (0.4, 1.2, -3.0), (1.0, 2.0, 3.0, 4.0, 5.0)],
    "dot": [(0.5, -1.5, 2.0, 0.25), (0.5, -1.5, 2.0, 0.25, 3.0), (1.0, 2.0)],
    "affine": [(0.5,), (0.5, -1.5, 2.0), (3.0, 0.5, -1.5, 2.0, 0.25)],
    "logsumexp": [(0.4,), (0.4, 1.2, -3.0), (100.0, 101.0)],
    "shift": [(0.4,), (0.4, 1.2, -3.0)],
}

EPS = 1e-6


def _central(f: Callable[..., float], xs: tuple[float, ...], i: int, eps: float = EPS) -> float:
    hi = list(xs)
    lo = list(xs)
    hi[i] += eps
    lo[i] -= eps
    return (f(hi) - f(lo)) / (2 * eps)


def _close(a: float, b: float, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    both_nan = math.isnan(a) and math.isnan(b)  # e.g. d(x**y)/dy at x < 0, on both sides
    return both_nan or abs(a - b) <= atol + rtol * abs(b)


def test_rules_every_rule_has_sample_points() -> None:
    assert set(SAMPLES) == set(RULES), "add sample points for new rules (and drop stale ones)"
    assert all(SAMPLES[op] for op in SAMPLES)


# A constant by definition (a stop-gradient): its edges are absent, whatever the slope of its
# forward function; checked on their own below.
CONSTANTS = {"shift"}
DIFFERENTIABLE = sorted(set(RULES) - CONSTANTS)


def test_rules_constants_have_exact_zero_derivatives_at_every_order() -> None:
    for op in CONSTANTS:
        for xs in SAMPLES[op]:
            inputs = [Value(x) for x in xs]
            node = _apply(op, tuple(inputs))
            assert node.local_grads == (0.0,) * len(xs)
            assert all(d is None for _, d in node.edges)
            assert grad(node * math.inf, inputs) == [0.0] * len(xs)
            assert [g.data for g in grad(node, inputs, create_graph=True)] == [0.0] * len(xs)


@pytest.mark.parametrize("op", DIFFERENTIABLE)
def test_rules_first_order_matches_central_differences(op: str) -> None:
    rule = RULES[op]
    for xs in SAMPLES[op]:
        node = _apply(op, tuple(Value(x) for x in xs))
        assert node.data == pytest.approx(rule.value(xs), rel=1e-12)
        assert len(node.local_grads) == len(xs)
        assert all(type(g) is float for g in node.local_grads)  # an absent edge shows 0.0
        for i, local in enumerate(node.local_grads):
            numeric = _central(rule.value, xs, i)
            assert _close(local, numeric), (op, xs, i, local, numeric)


@pytest.mark.parametrize("op", DIFFERENTIABLE)
def test_rules_second_order_matches_central_differences(op: str) -> None:
    rule = RULES[op]

    def partial(i: int) -> Callable[..., float]:
        def f(xs: list[float]) -> float:
            d = rule.local_grads(rule.value(xs), xs)[i]
            return 0.0 if d is None else float(d)

        return f

    for xs in SAMPLES[op]:
        inputs = [Value(x) for x in xs]
        node = _apply(op, tuple(inputs))
        firsts = grad(node, inputs, create_graph=True)
        for i, first in enumerate(firsts):
            assert first.data == pytest.approx(
                node.local_grads[i], rel=1e-12, abs=1e-15, nan_ok=True
            )
            seconds = grad(first, inputs)
            for j, second in enumerate(seconds):
                numeric = _central(partial(i), xs, j)
                assert _close(second, numeric, rtol=1e-4, atol=1e-5), (op, xs, i, j)


def _method_results() -> list[tuple[str, Callable[..., Value], tuple[float, ...]]]:
    """(op, how the public API makes it, inputs) for every op that has a public form."""
    return [
        ("+", lambda a, b: a + b, (1.25, -3.5)),
        ("+", lambda a, b: 2.5 + b, (2.5, -3.5)),
        ("-", lambda a, b: a - b, (1.25, -3.5)),
        ("-", lambda a, b: 2.5 - b, (2.5, -3.5)),
        ("*", lambda a, b: a * b, (1.25, -3.5)),
        ("*", lambda a, b: 2.5 * b, (2.5, -3.5)),
        ("/", lambda a, b: a / b, (1.25, -3.5)),
        ("/", lambda a, b: 2.5 / b, (2.5, -3.5)),
        ("**", lambda a, b: a**b, (1.25, -3.5)),
        ("**", lambda a, b: 2.5**b, (2.5, -3.5)),
        ("neg", lambda a: -a, (1.25,)),
        ("exp", Value.exp, (1.25,)),
        ("log", Value.log, (1.25,)),
        ("sqrt", Value.sqrt, (1.25,)),
        ("tanh", Value.tanh, (0.75,)),
        ("tanh", Value.tanh, (-30.0,)),
        ("sigmoid", Value.sigmoid, (-0.75,)),
        ("softplus", Value.softplus, (-0.75,)),
        ("softplus", lambda a: a.softplus(1.0, None), (-0.75,)),  # beta 1, no threshold
        ("softplus_threshold", lambda a, b, c: a.softplus(b.data, c.data), (0.75, 2.0, 20.0)),
        ("softplus_threshold", lambda a, b, c: a.softplus(threshold=c.data), (21.0, 1.0, 20.0)),
        ("softplus_threshold", lambda a, b, c: a.softplus(b.data), (-0.75, 2.0, math.inf)),
        ("softplus_threshold", lambda a, b, c: a.softplus(b, c), (-0.75, 1.0, 5.0)),
        ("relu", Value.relu, (0.75,)),
        ("relu", Value.relu, (-0.75,)),
        ("relu", Value.relu, (0.0,)),
        ("relu", Value.relu, (math.nan,)),
        ("leaky_relu", lambda a, b: a.leaky_relu(b.data), (-0.75, 0.1)),
        ("abs", Value.abs, (-0.75,)),
        ("step", Value.step, (0.75,)),
        ("sign", Value.sign, (-0.75,)),
        ("clamp", lambda a, b, c: a.clamp(b, c), (0.75, 0.0, 0.5)),
        ("clamp", lambda a, b, c: a.clamp(b.data, c.data), (-0.75, 0.0, 0.5)),
        ("hard_tanh", Value.hard_tanh, (0.75,)),
        ("sin", Value.sin, (0.75,)),
        ("cos", Value.cos, (0.75,)),
        ("max", functional.maximum, (0.75, 0.25)),
        ("min", functional.minimum, (0.75, 0.25)),
        ("sum", lambda *v: functional.sum(v), (0.75, 0.25, 2.0)),
        ("dot", lambda a, b, c, d: functional.dot([a, b], [c, d]), (0.75, 0.25, 2.0, -1.0)),
        ("dot", lambda a, b, c, d, e: functional.dot([a, b], [c, d], e), (0.75, 0.25, 2.0, -1, 3)),
        ("affine", lambda *v: _apply("affine", v), (0.5, 0.75, 0.25, 2.0, -1.0)),
        ("logsumexp", lambda *v: functional.logsumexp(v), (0.75, 0.25, 2.0)),
        # the shift node under log_softmax: output 0 is (x₀ - shift) - logsumexp
        ("shift", lambda *v: functional.log_softmax(v)[0].parents[0].parents[1], (0.75, 0.2)),
    ]


@pytest.mark.parametrize(("op", "make", "xs"), _method_results())
def test_rules_public_forms_apply_their_rule(
    op: str, make: Callable[..., Value], xs: tuple[float, ...]
) -> None:
    made = make(*(Value(x) for x in xs))
    again = _apply(op, made.parents)  # the same parents, literals included: the rule itself
    assert made.op == op
    assert [p.data for p in made.parents] == [float(x) for x in xs]
    assert same(made.data, again.data)
    assert [d for _, d in made.edges] == [d for _, d in again.edges]


EDGE_POINTS = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -3.0, 1e-310, 1e308, math.inf, -math.inf, math.nan]


def _assert_same_node(fast: Value, slow: Value, case: object) -> None:
    assert fast.op == slow.op and type(fast) is type(slow), case
    assert (fast.grad, fast.label, fast._g) == (slow.grad, slow.label, slow._g), case
    assert [type(p) for p in fast.parents] == [type(p) for p in slow.parents], case
    assert all(same(p.data, q.data) for p, q in zip(fast.parents, slow.parents)), case
    assert same(fast.data, slow.data), case
    for (_, a), (_, b) in zip(fast.edges, slow.edges):
        assert (a is None and b is None) or same(a, b), (case, fast.edges, slow.edges)


SWITCHES = {"recording": contextlib.nullcontext, "no_grad": no_grad}


@pytest.mark.parametrize("switch", SWITCHES)
@pytest.mark.parametrize(("name", "op"), sorted(FAST_PATHS.items()))
def test_rules_fast_paths_are_their_rule_bit_for_bit(name: str, op: str, switch: str) -> None:
    # Each fast path is the rule's text written out as a method: the same floats, the same
    # absent edges, at every edge point and kink, as the rule applied by `apply`, with a
    # Value or a plain number (a literal) as the other operand; under `no_grad()`, the same
    # value with no parents.
    with SWITCHES[switch]():
        _check_fast_path(name, op)


def _check_fast_path(name: str, op: str) -> None:
    if RULES[op].arity == 1:
        for x in EDGE_POINTS:
            node = Value(x)
            _assert_same_node(getattr(Value, name)(node), _apply(op, [node]), (op, x))
        return
    for x in EDGE_POINTS:
        for y in [*EDGE_POINTS, 2, -3, 0]:
            a, b = Value(x), Value(y)
            _assert_same_node(getattr(a, name)(b), _apply(op, [a, b]), (op, x, y))
            _assert_same_node(getattr(a, name)(y), _apply(op, [a, y]), (op, x, y))


@pytest.mark.parametrize("switch", SWITCHES)
@pytest.mark.parametrize(("name", "op"), sorted(REFLECTED.items()))
def test_rules_reflected_fast_paths_are_their_rule_bit_for_bit(
    name: str, op: str, switch: str
) -> None:
    with SWITCHES[switch]():
        for x in [*EDGE_POINTS, 2, -3, 0]:
            for y in EDGE_POINTS:
                b = Value(y)
                _assert_same_node(getattr(b, name)(x), _apply(op, [x, b]), (x, op, y))


def test_rules_every_op_has_a_public_form_checked_against_the_table() -> None:
    covered = {op for op, _, _ in _method_results()}
    assert covered == set(RULES)


def test_rules_conventions_are_written_for_kinks() -> None:
    # Every kink and domain limit has its convention written beside its rule: a comment on the
    # rule's first line or the lines just above it.
    import inspect

    from autograd_lite.core import rules

    lines = inspect.getsource(rules).splitlines()
    for op in ("relu", "abs", "step", "hard_tanh", "max", "**", "log", "sqrt", "/", "clamp"):
        k = next(
            i for i, line in enumerate(lines) if re.match(rf' *"{re.escape(op)}": +Rule', line)
        )
        above = lines[k - 1].lstrip()
        assert "#" in lines[k] or above.startswith("#"), op


def test_rules_softplus_threshold_is_pytorchs_softplus() -> None:
    # PyTorch's Softplus(beta, threshold): x with slope exactly 1 where beta·x > threshold
    x = Value(20.5)
    y = x.softplus(threshold=20.0)
    assert (y.op, y.data, y.local_grads) == ("softplus_threshold", 20.5, (1.0, 0.0, 0.0))
    assert [d for _, d in y.edges] == [1.0, None, None]  # the settings are constants
    assert grad(y, [x]) == [1.0]
    assert x.softplus().data == 20.500000001250154  # log(1 + e^20.5) without the threshold
    # log(1 + e^(beta·x))/beta, slope sigmoid(beta·x), at and below the threshold
    for x0, beta, threshold in [(20.0, 1.0, 20.0), (3.0, 2.0, 20.0), (-4.0, 0.5, 1.0)]:
        x = Value(x0)
        y = x.softplus(beta, threshold)
        z = x0 * beta
        assert y.data == pytest.approx(math.log1p(math.exp(z)) / beta, rel=1e-15)
        assert grad(y, [x]) == [pytest.approx(1 / (1 + math.exp(-z)), rel=1e-15)]
    # a negative beta: above the threshold where beta·x is, so for x < -threshold/|beta|
    assert Value(-30.0).softplus(-1.0, 20.0).data == -30.0
    assert Value(-10.0).softplus(-1.0, 20.0).data == pytest.approx(-math.log1p(math.exp(10.0)))
    # no threshold: softplus(beta·x)/beta for every x, overflow-safe
    assert Value(1000.0).softplus(2.0).data == 1000.0
    assert Value(1.5).softplus(1.0, None).op == "softplus"
    with pytest.raises(TypeError, match=r"unsupported operand for 'softplus_threshold': str"):
        Value(1.0).softplus("2")  # type: ignore[arg-type]
