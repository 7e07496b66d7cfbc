"""Parity with PyTorch in float64 (runs where torch is installed; `make test` installs it)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from autograd_lite import Value, functional, grad

torch = pytest.importorskip("torch")
F = torch.nn.functional


def t(x: float) -> Any:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-14)


UNARY: list[tuple[str, Callable[[Value], Value], Callable[[Any], Any]]] = [
    ("exp", Value.exp, torch.exp),
    ("log", Value.log, torch.log),
    ("sqrt", Value.sqrt, torch.sqrt),
    ("tanh", Value.tanh, torch.tanh),
    ("sigmoid", Value.sigmoid, torch.sigmoid),
    ("softplus", Value.softplus, F.softplus),
    ("relu", Value.relu, torch.relu),
    ("leaky_relu", lambda v: v.leaky_relu(0.05), lambda x: F.leaky_relu(x, 0.05)),
    ("abs", Value.abs, torch.abs),
    ("hard_tanh", Value.hard_tanh, F.hardtanh),
    ("sin", Value.sin, torch.sin),
    ("cos", Value.cos, torch.cos),
    ("neg", lambda v: -v, lambda x: -x),
    ("square", lambda v: v**2, lambda x: x**2),
    ("recip", lambda v: 1 / v, lambda x: 1 / x),
    ("pow2x", lambda v: 2**v, lambda x: 2**x),
]
POINTS = [-1000.0, -30.0, -2.5, -1.0, -0.3, 0.0, 0.3, 1.0, 2.5, 30.0, 1000.0]


@pytest.mark.parametrize(("name", "ours", "theirs"), UNARY, ids=[u[0] for u in UNARY])
def test_torch_parity_unary_values_and_gradients(
    name: str, ours: Callable[[Value], Value], theirs: Callable[[Any], Any]
) -> None:
    for x in POINTS:
        v = Value(x)
        y = ours(v)
        y.backward()
        tx = t(x)
        ty = theirs(tx)
        ty.backward()
        assert same(y.data, ty.item()), (name, x, y.data, ty.item())
        assert same(v.grad, tx.grad.item()), (name, x, v.grad, tx.grad.item())


def test_torch_parity_micrograd_expression() -> None:
    def expr(a: Any, b: Any) -> Any:
        c = a + b
        d = a * b + b**3
        c = c + c + 1
        c = c + 1 + c + (-a)
        d = d + d * 2 + (b + a).relu()
        d = d + 3 * d + (b - a).relu()
        e = c - d
        f = e**2
        g = f / 2.0
        return g + 10.0 / f

    a, b = Value(-4.0), Value(2.0)
    g = expr(a, b)
    g.backward()
    ta, tb = t(-4.0), t(2.0)
    tg = expr(ta, tb)
    tg.backward()
    assert same(g.data, tg.item())
    assert same(a.grad, ta.grad.item()) and same(b.grad, tb.grad.item())


@pytest.mark.parametrize(
    ("x", "y"),
    [(2.0, 3.0), (0.5, -1.5), (0.0, 2.0), (-2.0, 3.0), (3.0, 0.0), (0.0, 0.0), (0.0, 0.5)],
)
def test_torch_parity_pow_of_two_values(x: float, y: float) -> None:
    vx, vy = Value(x), Value(y)
    z = vx**vy
    dx, dy = grad(z, [vx, vy])
    tx, ty = t(x), t(y)
    tz = tx**ty
    tdx, tdy = torch.autograd.grad(tz, [tx, ty])
    assert same(z.data, tz.item())
    assert same(dx, tdx.item()) and same(dy, tdy.item()), (x, y, dx, dy, tdx, tdy)


def test_torch_parity_maximum_minimum_with_ties() -> None:
    for a, b in [(1.0, 2.0), (2.0, 1.0), (1.5, 1.5)]:
        for ours, theirs in [
            (functional.maximum, torch.maximum),
            (functional.minimum, torch.minimum),
        ]:
            va, vb = Value(a), Value(b)
            out = ours(va, vb)
            ta, tb = t(a), t(b)
            got = grad(out, [va, vb])
            want = torch.autograd.grad(theirs(ta, tb), [ta, tb])
            assert got == [w.item() for w in want], (ours, a, b)


def test_torch_parity_softmax_family() -> None:
    logits = [0.5, -1.2, 3.0, 1000.0]
    weights = [0.3, -0.7, 1.1, 0.2]
    xs = [Value(x) for x in logits]
    tx = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    tw = torch.tensor(weights, dtype=torch.float64)
    cases = [
        (lambda: functional.logsumexp(xs), lambda: torch.logsumexp(tx, 0)),
        (
            lambda: functional.dot(functional.softmax(xs), weights),
            lambda: (torch.softmax(tx, 0) * tw).sum(),
        ),
        (
            lambda: functional.dot(functional.log_softmax(xs), weights),
            lambda: (torch.log_softmax(tx, 0) * tw).sum(),
        ),
    ]
    for ours, theirs in cases:
        out = ours()
        got = grad(out, xs)
        tout = theirs()
        (want,) = torch.autograd.grad(tout, [tx])
        assert same(out.data, tout.item())
        assert all(
            math.isclose(g, w, rel_tol=1e-10, abs_tol=1e-14) for g, w in zip(got, want.tolist())
        )


def test_torch_parity_second_and_third_derivatives() -> None:
    def f(x: Any, y: Any) -> Any:
        return (x * y).tanh() * x.exp() + (x / y).sin() + y.sigmoid() * x**3

    x, y = Value(0.7), Value(-1.3)
    tx, ty = t(0.7), t(-1.3)
    ours = grad(f(x, y), [x, y], create_graph=True)
    theirs = torch.autograd.grad(f(tx, ty), [tx, ty], create_graph=True)
    for o, th in zip(ours, theirs):
        assert math.isclose(o.data, th.item(), rel_tol=1e-12)
        o2 = grad(o, [x, y], create_graph=True)
        th2 = torch.autograd.grad(th, [tx, ty], create_graph=True, retain_graph=True)
        for a, b in zip(o2, th2):
            assert math.isclose(a.data, b.item(), rel_tol=1e-10)
            a3 = grad(a, [x, y])
            b3 = torch.autograd.grad(b, [tx, ty], allow_unused=True, retain_graph=True)
            for p, q in zip(a3, b3):
                assert math.isclose(p, 0.0 if q is None else q.item(), rel_tol=1e-9, abs_tol=1e-12)
