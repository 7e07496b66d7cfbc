"""functional: n-ary sum and dot, mean, maximum/minimum, the softmax family, jacobian."""

from __future__ import annotations

import math

import pytest
from helpers import same

from autograd_lite import Value, functional, grad, gradcheck
from autograd_lite.core import Constant, topological_order


def test_sum_is_one_nary_node() -> None:
    xs = [Value(float(i)) for i in range(5)]
    s = functional.sum(xs)
    assert s.op == "sum" and s.parents == tuple(xs) and s.local_grads == (1.0,) * 5
    assert s.data == 10.0
    assert len(topological_order(s)) == 6
    s.backward()
    assert [x.grad for x in xs] == [1.0] * 5


def test_sum_accepts_numbers_and_empty() -> None:
    x = Value(2.0)
    s = functional.sum([x, 3, x])
    assert s.data == 7.0
    assert isinstance(s.parents[1], Constant)
    s.backward()
    assert x.grad == 2.0
    assert functional.sum([]).data == 0.0


def test_dot_is_one_nary_node_with_optional_bias() -> None:
    w = [Value(1.0), Value(-2.0), Value(0.5)]
    x = [Value(3.0), Value(4.0), Value(-2.0)]
    b = Value(0.25)
    d = functional.dot(w, x, b)
    assert d.op == "dot"
    assert d.parents == (*w, *x, b)
    assert d.local_grads == (3.0, 4.0, -2.0, 1.0, -2.0, 0.5, 1.0)
    assert d.data == 3.0 - 8.0 - 1.0 + 0.25
    d.backward()
    assert [v.grad for v in w] == [3.0, 4.0, -2.0]
    assert [v.grad for v in x] == [1.0, -2.0, 0.5]
    assert b.grad == 1.0
    assert functional.dot(w, x).data == -6.0


def test_dot_with_numbers_and_shared_inputs() -> None:
    w = [Value(2.0), Value(3.0)]
    d = functional.dot(w, [1.0, 2.0])
    assert d.data == 8.0
    d2 = functional.dot(w, w)  # Σ w² : gradient 2w
    d2.backward()
    assert [v.grad for v in w] == [4.0, 6.0]


def test_dot_rejects_unequal_lengths() -> None:
    with pytest.raises(ValueError, match="equal length, got 2 and 3"):
        functional.dot([Value(1.0)] * 2, [Value(1.0)] * 3)


def test_mean_values_and_errors() -> None:
    xs = [Value(1.0), Value(2.0), Value(6.0)]
    m = functional.mean(xs)
    assert m.data == 3.0
    m.backward()
    assert [x.grad for x in xs] == [pytest.approx(1 / 3)] * 3
    with pytest.raises(ValueError, match="at least one"):
        functional.mean([])


def test_maximum_minimum_and_tie_convention() -> None:
    a, b = Value(2.0), Value(5.0)
    assert functional.maximum(a, b).data == 5.0
    assert functional.minimum(a, b).data == 2.0
    assert functional.maximum(a, b).local_grads == (0.0, 1.0)
    assert functional.minimum(a, b).local_grads == (1.0, 0.0)
    t, u = Value(3.0), Value(3.0)
    assert functional.maximum(t, u).local_grads == (0.5, 0.5)
    assert functional.minimum(t, u).local_grads == (0.5, 0.5)
    assert functional.maximum(t, 3.0).local_grads == (0.5, 0.0)  # a literal gets no gradient
    assert functional.maximum(1.0, b).data == 5.0


def test_maximum_minimum_tie_value_is_the_first_input() -> None:
    # ±0.0 tie: the value is the first input's zero, as torch.maximum/minimum give
    for f in (functional.maximum, functional.minimum):
        assert same(f(Value(0.0), Value(-0.0)).data, 0.0)
        assert same(f(Value(-0.0), Value(0.0)).data, -0.0)
        assert same(f(-0.0, Value(0.0)).data, -0.0)
        assert math.isnan(f(Value(math.nan), Value(1.0)).data)
        assert math.isnan(f(Value(1.0), Value(math.nan)).data)


def test_logsumexp_is_stable_and_exact() -> None:
    xs = [Value(1000.0), Value(1000.0)]
    lse = functional.logsumexp(xs)
    assert lse.data == pytest.approx(1000.0 + math.log(2.0))
    assert lse.local_grads == (pytest.approx(0.5), pytest.approx(0.5))
    small = functional.logsumexp([Value(-1000.0), Value(-1001.0)])
    assert small.data == pytest.approx(-1000.0 + math.log1p(math.exp(-1.0)))
    assert functional.logsumexp([Value(-math.inf), Value(-math.inf)]).data == -math.inf
    assert functional.logsumexp([Value(math.inf), Value(0.0)]).data == math.inf
    with pytest.raises(ValueError, match="at least one"):
        functional.logsumexp([])


def test_softmax_sums_to_one_and_is_stable() -> None:
    for logits in ([1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0], [-1000.0, -1000.0]):
        ys = functional.softmax([Value(x) for x in logits])
        m = max(logits)
        z = sum(math.exp(x - m) for x in logits)
        assert [y.data for y in ys] == [pytest.approx(math.exp(x - m) / z) for x in logits]
        assert sum(y.data for y in ys) == pytest.approx(1.0)
        assert all(math.isfinite(y.data) for y in ys)


def test_log_softmax_values_at_extreme_logits() -> None:
    out = functional.log_softmax([Value(1000.0), Value(0.0)])
    assert out[0].data == pytest.approx(0.0, abs=1e-12)
    assert out[1].data == pytest.approx(-1000.0)


def test_softmax_jacobian_is_y_delta_minus_y() -> None:
    xs = [Value(0.5), Value(-1.0), Value(2.0)]
    ys = functional.softmax(xs)
    jac = functional.jacobian(ys, xs)
    y = [v.data for v in ys]
    for i in range(3):
        for k in range(3):
            expected = y[i] * ((1.0 if i == k else 0.0) - y[k])
            assert jac[i][k] == pytest.approx(expected, abs=1e-12)


def test_functional_second_order_gradcheck() -> None:
    def f(a: Value, b: Value, c: Value) -> Value:
        ys = functional.softmax([a, b, c])
        lse = functional.logsumexp([a * b, c])
        return functional.dot(ys, [a, b, c], lse) + functional.maximum(a, c) * b

    assert gradcheck(f, [Value(0.3), Value(-0.8), Value(1.1)], order=2)


def test_sum_and_dot_follow_ieee_and_never_raise() -> None:
    assert math.isnan(functional.sum([Value(math.inf), Value(-math.inf)]).data)
    assert functional.sum([Value(1e308), Value(1e308)]).data == math.inf
    assert functional.dot([Value(1e308)], [Value(10.0)]).data == math.inf
    assert math.isnan(functional.dot([Value(math.inf)], [Value(0.0)]).data)


def test_nary_root_with_seed_and_repeated_parents() -> None:
    x, y, z = Value(1.0), Value(2.0), Value(3.0)
    s = functional.sum([x, y, z])
    s.backward(grad=0.5)
    assert (x.grad, y.grad, z.grad, s.grad) == (0.5, 0.5, 0.5, 0.5)
    r = functional.sum([x, x, y, x])  # a parent used three times gets three contributions
    assert grad(r, [x, y]) == [3.0, 1.0]
    d = functional.dot([x, y, x], [z, z, y])  # x·z + y·z + x·y
    assert grad(d, [x, y, z]) == [3.0 + 2.0, 3.0 + 1.0, 1.0 + 2.0]


def test_dot_with_a_zero_number_bias_keeps_it() -> None:
    w, x = [Value(2.0)], [Value(3.0)]
    d = functional.dot(w, x, 0)
    assert d.data == 6.0 and len(d.parents) == 3 and d.parents[-1].data == 0.0
