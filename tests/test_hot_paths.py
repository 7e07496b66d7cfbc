"""Every hot path (`engine.HOT_PATHS`) gives the rule table's value and partials bit for bit."""

from __future__ import annotations

import itertools
import math
import random
import struct
from collections.abc import Callable
from typing import Any

import pytest

from autograd_lite import Value, functional
from autograd_lite.engine import _MANY, HOT_PATHS
from autograd_lite.rules import RULES, FloatMath

INF, NAN = math.inf, math.nan
# Signed zeros, tiny and huge numbers, infinities, nan, the kinks of relu (0) and tanh's flat ends.
POINTS = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-300, -5e-324, 1e308, -1e308, 20.0, -20.0]
POINTS += [INF, -INF, NAN]
NUMBERS: list[Any] = [0, 2, -3, True, 0.5, -0.0, INF, NAN]  # plain operands, coerced

# op -> how each hot path is reached: (the op of the rule, a function of Values and numbers)
UNARY: dict[str, Callable[[Value], Value]] = {
    "neg": lambda a: -a,
    "tanh": Value.tanh,
    "relu": Value.relu,
}
BINARY: dict[str, Callable[[Any, Any], Value]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
}


def _bits(x: float) -> tuple[bytes, type]:
    """The exact float (sign of zero and nan included) and its type (strong zeros are kept)."""
    return struct.pack("<d", x), type(x)


def _raw(v: Value) -> tuple[float, ...]:
    """The local derivatives as recorded (`local_grads` shows strong zeros as plain 0.0)."""
    if v._b is None:
        return (v._da,)
    return tuple(v._da) if v._b is _MANY else (v._da, v._db)


def _table(op: str, xs: tuple[float, ...]) -> tuple[float, tuple[float, ...]]:
    rule = RULES[op]
    z = rule.forward(*xs)
    return z, tuple(rule.partials(FloatMath, z, *xs))


def _check(node: Value, op: str, xs: tuple[float, ...]) -> None:
    z, partials = _table(op, xs)
    assert node.op == op
    assert [p.data for p in node.parents] == pytest.approx(list(xs), nan_ok=True)
    assert _bits(node.data) == _bits(z), (op, xs, node.data, z)
    got = [_bits(d) for d in _raw(node)]
    assert got == [_bits(d) for d in partials], (op, xs, _raw(node), partials)


@pytest.mark.parametrize("op", sorted(UNARY))
def test_hot_paths_unary_ops_match_the_table(op: str) -> None:
    for x in POINTS:
        _check(UNARY[op](Value(x)), op, (x,))


@pytest.mark.parametrize("op", sorted(BINARY))
def test_hot_paths_binary_ops_match_the_table(op: str) -> None:
    make = BINARY[op]
    for x, y in itertools.product(POINTS, POINTS):
        _check(make(Value(x), Value(y)), op, (x, y))
    for x, n in itertools.product(POINTS, NUMBERS):  # a number on either side
        _check(make(Value(x), n), op, (x, float(n)))
        _check(make(n, Value(x)), op, (float(n), x))


def test_hot_paths_dot_matches_the_table() -> None:
    rng = random.Random(0)
    for _ in range(300):
        n = rng.randint(1, 6)
        ws, xs = ([rng.choice([*POINTS, rng.uniform(-3, 3)]) for _ in range(n)] for _ in "wx")
        bias = rng.choice([None, None, rng.choice(POINTS)])
        args = (*ws, *xs) if bias is None else (*ws, *xs, bias)
        wv, xv = [Value(w) for w in ws], [Value(x) for x in xs]
        bv = None if bias is None else Value(bias)
        _check(functional.dot(wv, xv, bv), "dot", args)
        fast = functional.dot_of_values(wv, xv, [x.data for x in xv], bv)  # the layers' path
        _check(fast, "dot", args)


def test_hot_paths_every_hot_path_is_checked() -> None:
    checked = {*UNARY, *BINARY, "dot"}
    assert checked == set(HOT_PATHS)
    assert set(HOT_PATHS) <= set(RULES)
