"""gradcheck: passes on correct rules, points at the wrong derivative otherwise."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from autograd_lite import GradcheckError, Value, gradcheck
from autograd_lite.core import make


def test_gradcheck_passes_first_and_second_order() -> None:
    def f(x: Value, y: Value) -> Value:
        return (x * y).tanh() + x.exp() / (1 + y * y) + (x**y).log()

    xs = [Value(1.3), Value(0.6)]
    assert gradcheck(f, xs)
    assert gradcheck(f, xs, order=2)
    assert [x.data for x in xs] == [1.3, 0.6]  # inputs are restored


def _wrong_square(x: Value) -> Value:
    # x² with a deliberately wrong local derivative (x instead of 2x).
    return make(x.data * x.data, "square", (x,), (x.data,))


def test_gradcheck_reports_the_mismatching_input_in_a_table() -> None:
    a, b = Value(1.5, label="a"), Value(-0.5, label="b")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: _wrong_square(a) + b * 3, [a, b])
    message = str(info.value)
    assert "1 of 2" in message
    assert "d/d[0 (a)]" in message and "d/d[1 (b)]" not in message
    assert "1.5" in message and "3" in message
    assert isinstance(info.value, ValueError)


def test_gradcheck_second_order_needs_ops_from_the_rule_table() -> None:
    def square(x: Value) -> Value:
        return make(x.data * x.data, "square", (x,), (2 * x.data,))

    assert gradcheck(square, [Value(0.7)])
    with pytest.raises(ValueError, match=r"'square'.*no rule"):
        gradcheck(square, [Value(0.7)], order=2)


def test_gradcheck_rejects_bad_arguments() -> None:
    with pytest.raises(TypeError, match="Values"):
        gradcheck(lambda x: x, [1.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="order"):
        gradcheck(lambda x: x, [Value(1.0)], order=3)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: (2 * x).step(),
        lambda x: 3 * (x.step() - (-x).step()),
        lambda x: x.relu().sqrt() + x * x,
        lambda x: (x.hard_tanh() + 1.0).sqrt() * x,
        lambda x: x.clamp(-0.5, 0.5) * x.sign(),
    ],
)
def test_gradcheck_second_order_through_selections(fn: Callable[[Value], Value]) -> None:
    for x0 in (-0.3, 0.3, 1.7, -2.2):
        assert gradcheck(fn, [Value(x0)], order=2)
