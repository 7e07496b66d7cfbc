"""Value, backward, grad: golden values, graph structure, modes, edge cases and bad input."""

from __future__ import annotations

import gc
import math
import operator
import weakref
from collections.abc import Callable
from fractions import Fraction

import pytest

from autograd_lite import Value, detect_anomaly, grad, no_grad
from autograd_lite.core import Constant, grad_table, topological_order


def micrograd_readme_expression() -> tuple[Value, Value, Value]:
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return a, b, g


def test_value_micrograd_readme_golden_values() -> None:
    a, b, g = micrograd_readme_expression()
    g.backward()
    assert g.data == pytest.approx(24.7041, abs=1e-4)
    assert a.grad == pytest.approx(138.8338, abs=1e-4)
    assert b.grad == pytest.approx(645.5773, abs=1e-4)


def test_value_stores_floats_and_starts_with_zero_grad() -> None:
    for x in (3, 2.5, True, Fraction(1, 4)):
        v = Value(x)
        assert type(v.data) is float
        assert v.data == float(x)
        assert v.grad == 0.0
        assert v.op == ""
        assert v.parents == ()
        assert v.local_grads == ()


def test_value_accepts_numpy_real_scalars() -> None:
    np = pytest.importorskip("numpy")
    for x in (np.float64(1.5), np.float32(1.5), np.int64(3), np.bool_(True), np.array(2.0)):
        assert Value(x).data == float(x)


def test_value_rejects_numpy_dates_and_durations() -> None:
    np = pytest.importorskip("numpy")
    for bad in (np.datetime64("2026-01-01"), np.timedelta64(5, "s"), np.array(np.timedelta64(1))):
        with pytest.raises(TypeError, match="real number"):
            Value(bad)
        with pytest.raises(TypeError):
            Value(1.0) + bad


@pytest.mark.parametrize("bad", ["3", None, 1 + 2j, [1.0], (1.0,), {"a": 1}])
def test_value_rejects_non_real_numbers_naming_the_type(bad: object) -> None:
    with pytest.raises(TypeError, match=type(bad).__name__) as info:
        Value(bad)
    assert "real number" in str(info.value)


def test_value_rejects_a_value_with_a_hint() -> None:
    with pytest.raises(TypeError, match=r"Value.*detach"):
        Value(Value(1.0))


def test_value_error_message_shows_the_offending_string() -> None:
    with pytest.raises(TypeError, match=r"got str '3'"):
        Value("3")


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv, pow])
def test_value_arithmetic_with_non_number_raises_type_error(op: Callable[..., object]) -> None:
    with pytest.raises(TypeError, match=r"str 'x'.*real number"):
        op(Value(1.0), "x")
    with pytest.raises(TypeError, match="str"):
        op("x", Value(1.0))


def test_value_comparisons_use_data_and_equality_is_identity() -> None:
    a, b = Value(1.0), Value(2.0)
    assert a < b and a <= b and b > a and b >= a
    assert a < 1.5 and a <= 1 and a > 0.5 and a >= 1
    c = Value(1.0)
    assert a != c and a == a
    assert len({a, c}) == 2
    assert {a: 1}[a] == 1
    with pytest.raises(TypeError, match="compare"):
        _ = a < "x"  # type: ignore[operator]


def test_value_float_repr_and_format() -> None:
    v = Value(2.5, label="w")
    assert float(v) == 2.5
    assert repr(v) == "Value(data=2.5, grad=0.0, label='w')"
    assert f"{v:.2f}" == "2.50"


def test_value_parents_keep_order_and_duplicates() -> None:
    a, b = Value(1.0), Value(2.0)
    assert (a + a).parents == (a, a)
    assert (b - a).parents == (b, a)
    assert (a * b).local_grads == (2.0, 1.0)


def test_value_constants_on_either_side() -> None:
    x = Value(3.0)
    for expr, value, slope in [
        (lambda: x + 2, 5.0, 1.0),
        (lambda: 2 + x, 5.0, 1.0),
        (lambda: x - 2, 1.0, 1.0),
        (lambda: 2 - x, -1.0, -1.0),
        (lambda: x * 2, 6.0, 2.0),
        (lambda: 2 * x, 6.0, 2.0),
        (lambda: x / 2, 1.5, 0.5),
        (lambda: 6 / x, 2.0, -6 / 9),
        (lambda: x**2, 9.0, 6.0),
        (lambda: 2**x, 8.0, 8.0 * math.log(2)),
    ]:
        y = expr()
        assert y.data == pytest.approx(value)
        assert grad(y, [x])[0] == pytest.approx(slope)
        assert any(isinstance(p, Constant) for p in y.parents)


def test_value_pow_value_is_differentiable_in_both_arguments() -> None:
    x, y = Value(2.0), Value(3.0)
    z = x**y
    dx, dy = grad(z, [x, y])
    assert z.data == 8.0
    assert dx == pytest.approx(3 * 4.0)
    assert dy == pytest.approx(8.0 * math.log(2.0))


def test_value_reuse_adds_gradients() -> None:
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    w = Value(-2.0)
    y = w * w * w + w  # 3w² + 1 = 13
    y.backward()
    assert w.grad == 13.0


def test_value_backward_twice_gives_exactly_twice_the_gradients() -> None:
    a, b, g = micrograd_readme_expression()
    g.backward()
    first = (a.grad, b.grad, g.grad)
    g.backward()
    assert (a.grad, b.grad, g.grad) == tuple(2 * x for x in first)


def test_value_zero_grad_style_reset() -> None:
    a, _, g = micrograd_readme_expression()
    g.backward()
    expected = a.grad
    for node in topological_order(g):
        node.grad = 0.0
    g.backward()
    assert a.grad == expected


def test_value_backward_with_seed_scales() -> None:
    x = Value(2.0)
    (x * x).backward(grad=0.5)
    assert x.grad == 2.0
    with pytest.raises(TypeError, match="real number"):
        (x * x).backward(grad="1")  # type: ignore[arg-type]


def test_grad_returns_table_without_touching_grad() -> None:
    a, b, g = micrograd_readme_expression()
    unused = Value(7.0)
    da, db, du = grad(g, [a, b, unused])
    assert (da, db, du) == (pytest.approx(138.8338, abs=1e-4), pytest.approx(645.5773, abs=1e-4), 0)
    assert a.grad == 0.0 and b.grad == 0.0 and g.grad == 0.0
    assert grad(g, a) == [da]


def test_grad_rejects_bad_arguments() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match="output"):
        grad(1.0, [x])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="input 1"):
        grad(x * 2, [x, 3.0])  # type: ignore[list-item]


def test_grad_table_matches_backward() -> None:
    a, b, g = micrograd_readme_expression()
    table = grad_table(g)
    g.backward()
    assert table[a] == a.grad and table[b] == b.grad and table[g] == 1.0
    nodes = topological_order(g)
    literals = {v for v in nodes if isinstance(v, Constant)}
    # (b + a).relu() at b + a = -2: no term reaches b + a, so it has no row
    dead = {v.parents[0] for v in nodes if v.op == "relu" and v.parents[0].data < 0}
    assert len(dead) == 1 and set(nodes) - set(table) == literals | dead


def test_grad_create_graph_gives_second_and_third_derivatives() -> None:
    x = Value(0.7)
    y = x.sin() * x.exp()  # y' = e^x(sin + cos), y'' = 2e^x cos, y''' = 2e^x(cos - sin)
    (d1,) = grad(y, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x], create_graph=True)
    e, s, c = math.exp(0.7), math.sin(0.7), math.cos(0.7)
    assert d1.data == pytest.approx(e * (s + c))
    assert d2.data == pytest.approx(2 * e * c)
    assert d3.data == pytest.approx(2 * e * (c - s))
    assert isinstance(d3, Value)


def test_grad_create_graph_mixed_partials_and_unused_inputs() -> None:
    x, y, z = Value(1.5), Value(-0.5), Value(2.0)
    f = x * x * y + y.tanh()
    dx, dy, dz = grad(f, [x, y, z], create_graph=True)
    assert isinstance(dz, Value) and dz.data == 0.0
    assert grad(dx, [x, y]) == [pytest.approx(2 * -0.5), pytest.approx(2 * 1.5)]
    assert grad(dy, [y])[0] == pytest.approx(-2 * math.tanh(-0.5) * (1 - math.tanh(-0.5) ** 2))


def test_grad_create_graph_starts_a_row_at_zero_as_grad_does() -> None:
    # ∂(x·y)/∂x = 0.0 + 1·y: at y = -0.0 that is 0.0, under create_graph too
    x, y = Value(0.0), Value(-0.0)
    z = x * y
    assert [g.hex() for g in grad(z, [x, y])] == ["0x0.0p+0", "0x0.0p+0"]
    made = grad(z, [x, y], create_graph=True)
    assert [g.data.hex() for g in made] == ["0x0.0p+0", "0x0.0p+0"]
    assert made[0] is not y and grad(made[0], [y]) == [1.0]  # the row is 0.0 + y, a graph
    # an inner node's row too: ∂/∂x of (x·y)·3 is (0.0 + 3·y)... and then 0.0 + that · 1
    w = (x * y) * 3.0
    assert grad(w, [x], create_graph=True)[0].data.hex() == grad(w, [x])[0].hex() == "0x0.0p+0"


def test_grad_create_graph_of_logsumexp_is_grad_bit_for_bit() -> None:
    from autograd_lite import functional

    for logits in ([2.0, -0.0, 5e-324], [0.1, 0.2, 0.3, 0.4, 0.5], [1e16, 1.0, -3.0]):
        xs = [Value(x) for x in logits]
        y = functional.logsumexp(xs)
        want = [g.hex() for g in grad(y, xs)]
        assert [g.data.hex() for g in grad(y, xs, create_graph=True)] == want, logits


def test_topological_order_puts_parents_first() -> None:
    _, _, g = micrograd_readme_expression()
    order = topological_order(g)
    position = {node: i for i, node in enumerate(order)}
    assert order[-1] is g
    assert len(order) == len(set(order))
    for node in order:
        for p in node.parents:
            assert position[p] < position[node]


def test_value_deep_chain_of_a_million_nodes() -> None:
    x = Value(1.0)
    y = x
    for _ in range(500_000):
        y = y + 1.0  # two nodes per step: a constant and a sum
    assert len(topological_order(y)) == 1_000_001
    y.backward()
    assert y.data == 500_001.0
    assert x.grad == 1.0


def test_value_deep_graph_of_200k_nodes_with_reuse() -> None:
    x = Value(0.5)
    y = x
    for _ in range(200_000):
        y = y + x  # y = (n + 1)·x, so dy/dx = n + 1
    assert len(topological_order(y)) == 200_001
    (dx,) = grad(y, [x])
    assert dx == 200_001.0


def test_value_deep_chain_create_graph() -> None:
    x = Value(0.1)
    y = x
    for _ in range(20_000):
        y = y * 1.0 + x * x
    (dx,) = grad(y, [x], create_graph=True)
    (dxx,) = grad(dx, [x])
    assert dx.data == pytest.approx(1 + 20_000 * 0.2)  # y = x + n·x²
    assert dxx == pytest.approx(20_000 * 2.0)


def test_value_graph_is_freed_by_reference_counting_alone() -> None:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        x = Value(1.0)
        y = (x * 2 + 1).tanh() * x
        y.backward()
        grad(y, [x], create_graph=True)
        inner = weakref.ref(y.parents[0])
        root = weakref.ref(y)
        del y
        assert root() is None
        assert inner() is None
        assert x.grad != 0.0
    finally:
        if was_enabled:
            gc.enable()


def test_value_has_slots_and_no_dict() -> None:
    v = Value(1.0)
    assert not hasattr(v, "__dict__")
    with pytest.raises(AttributeError):
        v.anything = 1  # type: ignore[attr-defined]


def test_no_grad_records_no_parents_and_restores() -> None:
    x = Value(2.0)
    with no_grad():
        y = (x * x).exp() + 1
        assert y.parents == () and y.op == ""
    z = x * x
    assert z.parents == (x, x)
    y.backward()
    assert x.grad == 0.0

    @no_grad()
    def f(v: Value) -> Value:
        return v * 3

    assert f(x).parents == ()
    assert (x * 3).parents[0] is x


def test_detach_makes_a_leaf_with_the_same_data() -> None:
    x = Value(2.0, label="x")
    y = (x * 3).detach()
    assert y.data == 6.0 and y.parents == () and y.op == ""
    (y * x).backward()
    assert x.grad == 6.0 and y.grad == 2.0


def test_ieee_edge_cases_never_raise() -> None:
    assert Value(0.0).log().data == -math.inf
    assert math.isnan(Value(-1.0).log().data)
    assert Value(1000.0).exp().data == math.inf
    assert Value(-1000.0).exp().data == 0.0
    assert (Value(1.0) / 0).data == math.inf
    assert (Value(-1.0) / 0).data == -math.inf
    assert math.isnan((Value(0.0) / 0).data)
    assert math.isnan((Value(-8.0) ** (1 / 3)).data)
    assert (Value(0.0) ** -1).data == math.inf
    assert (Value(10.0) ** 400).data == math.inf
    assert (Value(-10.0) ** 401).data == -math.inf
    assert math.isnan(Value(-1.0).sqrt().data)
    assert math.isnan(Value(math.inf).sin().data)
    assert Value(0.0).sqrt().local_grads == (math.inf,)
    assert Value(0.0).log().local_grads == (math.inf,)


def test_overflow_safe_sigmoid_softplus_tanh() -> None:
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(-1000.0).sigmoid().local_grads == (0.0,)
    assert Value(-40.0).sigmoid().data == pytest.approx(math.exp(-40.0), rel=1e-12)
    assert Value(1000.0).softplus().data == 1000.0
    assert Value(-1000.0).softplus().data == 0.0
    assert Value(-40.0).softplus().data == pytest.approx(math.exp(-40.0), rel=1e-12)
    assert Value(1000.0).tanh().data == 1.0 and Value(-1000.0).tanh().local_grads == (0.0,)


def test_conventions_at_kinks() -> None:
    assert Value(0.0).relu().local_grads == (0.0,)
    assert Value(0.0).abs().local_grads == (0.0,)
    assert Value(0.0).step().data == 0.0 and Value(0.0).step().local_grads == (0.0,)
    assert Value(5.0).step().local_grads == (0.0,)
    assert Value(1.0).hard_tanh().local_grads == (0.0,)
    assert Value(-1.0).hard_tanh().local_grads == (0.0,)
    assert Value(0.999).hard_tanh().local_grads == (1.0,)
    assert Value(0.0).leaky_relu(0.1).local_grads[0] == 0.1
    assert Value(-2.0).leaky_relu(0.1).data == pytest.approx(-0.2)


def test_pow_conventions_for_non_positive_base() -> None:
    # Exponent derivative: 0 where x**y = 0 (x = 0, y > 0); nan for a negative base.
    x, y = Value(0.0), Value(2.0)
    assert grad(x**y, [x, y]) == [0.0, 0.0]
    x, y = Value(-2.0), Value(3.0)
    dx, dy = grad(x**y, [x, y])
    assert dx == 12.0 and math.isnan(dy)
    # With a constant exponent the nan stays on the constant's edge and reaches no input.
    x = Value(-3.0)
    (x**2).backward()
    assert x.grad == -6.0
    # 0 ** 0 = 1 with both derivatives 0 (as in PyTorch), so x ** 0 at x = 0 is no nan.
    x, y = Value(0.0), Value(0.0)
    assert (x**y).data == 1.0 and grad(x**y, [x, y]) == [0.0, 0.0]
    x = Value(0.0)
    assert grad(x**0, [x]) == [0.0]
    (d2,) = grad(grad(x**1, [x], create_graph=True)[0], [x])
    assert d2 == 0.0  # d²x/dx² at 0, through 1·x**0
    # At x = 0 with y < 0 the value is inf; the exponent derivative is inf·ln 0 = -inf,
    # as in PyTorch.
    x, y = Value(0.0), Value(-1.0)
    assert grad(x**y, [x, y]) == [-math.inf, -math.inf]


def test_detect_anomaly_names_the_op_and_its_inputs() -> None:
    x = Value(0.0)
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"'log'.*0\.0"):
        x.log()
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"'sqrt'.*local derivative"):
        x.sqrt()
    x.log()  # outside the context manager nothing is checked


def test_detect_anomaly_checks_gradients_in_backward() -> None:
    big = Value(1e200)
    y = big * big * 0.0  # forward is fine only if nothing overflows: 1e400 = inf
    assert math.isinf((big * big).data)
    w = Value(1e300)
    z = (w * 1e-300) * 1e300  # forward 1e300, finite; gradient to w is 1e-300·1e300 = 1
    with detect_anomaly():
        z.backward()
    assert w.grad == pytest.approx(1.0)
    v = Value(1e300)
    out = v.sin()
    with detect_anomaly():
        out.backward(grad=1e300)  # 1e300 · cos(1e300) is finite
        s = Value(1e-200)
        t = s.sqrt()  # local 0.5/1e-100 = 5e99 is finite
        with pytest.raises(FloatingPointError, match=r"backward through op 'sqrt'"):
            t.backward(grad=1e300)  # 1e300 · 5e99 overflows to inf
    del y


def test_detect_anomaly_allows_constant_exponent_of_negative_base() -> None:
    x = Value(-3.0)
    with detect_anomaly():
        y = x**2
        y.backward()
    assert x.grad == -6.0


def test_value_huge_int_becomes_inf_and_abs_works() -> None:
    assert Value(10**400).data == math.inf
    assert Value(-(10**400)).data == -math.inf
    x = Value(-2.0)
    assert abs(x).data == 2.0 and abs(x).op == "abs"


def test_detect_anomaly_also_checks_under_no_grad() -> None:
    with no_grad(), detect_anomaly(), pytest.raises(FloatingPointError, match=r"'exp'.*1000"):
        Value(1000.0).exp()


def test_grad_table_accepts_an_int_seed() -> None:
    from autograd_lite import functional

    x, y = Value(2.0), Value(3.0)
    table = grad_table(functional.sum([x, y, x * y]), 2)
    assert (table[x], table[y]) == (2.0 * (1 + 3.0), 2.0 * (1 + 2.0))
