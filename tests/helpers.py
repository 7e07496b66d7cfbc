"""Helpers several test files share: bit-for-bit float comparison, random graphs, and models
compared with PyTorch."""

from __future__ import annotations

import itertools
import math
import random
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd_lite import Value, functional, grad
from autograd_lite.nn import Module


def same(a: float, b: float) -> bool:
    """The same float, bit for bit (-0.0 is not 0.0), or both nan."""
    return a.hex() == b.hex() or (a != a and b != b)


def in_threads(*works: Callable[[], None]) -> None:
    """Run each of `works` in its own thread, all at once, switching between threads as often as
    Python allows (so a race, if there is one, shows)."""
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work) for work in works]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(switch)


def random_graph(rng: random.Random, size: int, leaves: list[Value] | None = None) -> Value:
    """A random expression: shared subexpressions, reuse (x*x), constants on either side,
    unary, binary and n-ary ops, kinks and absent edges (relu, clamp, max, step)."""
    pool: list[Value] = leaves or [Value(rng.uniform(-2, 2)) for _ in range(rng.randint(1, 5))]
    pool = list(pool)
    for _ in range(size):
        kind = rng.random()
        a, b = rng.choice(pool), rng.choice(pool[-6:])
        if kind < 0.2:
            v = a + b
        elif kind < 0.4:
            v = a * b
        elif kind < 0.47:
            v = a * a
        elif kind < 0.55:
            v = (a * 0.5).tanh()
        elif kind < 0.63:
            v = (a - 0.25).relu()
        elif kind < 0.68:
            v = a.clamp(-0.5, 0.5) + b.step()
        elif kind < 0.73:
            v = functional.maximum(a, b) - functional.minimum(b, 0.0)
        elif kind < 0.8:
            v = functional.sum([*rng.sample(pool, min(len(pool), rng.randint(2, 5))), a, a])
        elif kind < 0.87:
            k = min(len(pool), 3)
            v = functional.dot(rng.sample(pool, k), rng.sample(pool, k))
        elif kind < 0.93:
            v = 1.5 - a / (b * b + 1.0)
        else:
            v = (a * a + 0.1).log() + (2.0 ** b.tanh())
        pool.append(v)
    root = pool[-1]
    for v in rng.sample(pool, min(len(pool), 4)):
        root = root + v
    return root


# --------------------------------------------------------------------------- against PyTorch

RTOL = 1e-12  # the promise of autograd_lite.interop: the same numbers as PyTorch, to 1e-12


def assert_close(got: list[float], want: list[float], what: str) -> None:
    """Each entry within 1e-12 relative (of the largest entry, for entries that cancel to ~0)."""
    assert len(got) == len(want), what
    scale = max((abs(w) for w in want), default=0.0)
    for i, (g, w) in enumerate(zip(got, want)):
        assert abs(g - w) <= RTOL * max(abs(w), scale * 1e-3, 1e-300), f"{what}[{i}]: {g} != {w}"


def ours(model: Module, x: list[float], c: list[float]) -> tuple[list[float], list[float], dict]:
    """Outputs, ∂(c·outputs)/∂x and ∂(c·outputs)/∂parameter by name, with autograd_lite."""
    xs = [Value(v) for v in x]
    out = model(xs)  # type: ignore[operator]
    outs = out if isinstance(out, list) else [out]
    total = sum((ci * o for ci, o in zip(c, outs)), Value(0.0))
    named = model.named_parameters()
    grads = grad(total, xs + [p for _, p in named])
    params = {name: g for (name, _), g in zip(named, grads[len(xs) :])}
    return [o.data for o in outs], grads[: len(xs)], params


def theirs(
    torch: Any, seq: Any, x: list[float], c: list[float], names: dict
) -> tuple[list[float], list[float], dict]:
    """The same three with PyTorch, parameters read through `names` (a `parameter_map`)."""
    seq.zero_grad()
    xt = torch.tensor([x], dtype=torch.float64, requires_grad=True)
    out = seq(xt)[0]
    (out * torch.tensor(c, dtype=torch.float64)).sum().backward()
    tensors = dict(seq.named_parameters())
    params = {name: tensors[key].grad[pos].item() for name, (key, pos) in names.items()}
    return out.tolist(), xt.grad[0].tolist(), params


def compare(
    torch: Any,
    model: Module,
    seq: Any,
    nin: int,
    nout: int,
    rng: random.Random,
    names: dict | None = None,
    scale: float = 1.0,
) -> None:
    """Outputs and gradients of `model` and `seq` agree to 1e-12 at five inputs drawn from
    (-scale, scale); `names` (by default `parameter_map(model)`) says which entry of `seq`
    each parameter of `model` is."""
    from autograd_lite.interop import parameter_map

    names = parameter_map(model) if names is None else names
    # Inputs in (-1, 1) and small weights keep tanh and sigmoid out of saturation, where
    # 1 - y² cancels and the one-ulp difference of the two libraries' tanh exceeds 1e-12.
    for _ in range(5):
        x = [rng.uniform(-scale, scale) for _ in range(nin)]
        c = [rng.uniform(-1.0, 1.0) for _ in range(nout)]
        out, gx, gp = ours(model, x, c)
        tout, tgx, tgp = theirs(torch, seq, x, c, names)
        assert_close(out, tout, "outputs")
        assert_close(gx, tgx, "input gradients")
        assert set(gp) == set(tgp)
        assert_close([gp[k] for k in gp], [tgp[k] for k in gp], "parameter gradients")


# --------------------------------------------------------------------------- every rule's forms

INF, NAN = float("inf"), float("nan")
# The edge points of test_edges: ±0, kinks, ties, ±inf, nan, huge, tiny and subnormal numbers,
# and where exp overflows or sigmoid's tail is subnormal.
EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -3.0, INF, -INF, NAN, 1e300, -1e300, 1e-300]
EDGES += [5e-324, -5e-324, 1e16, 709.0, 710.0, -745.0, 3.0]
FEW = [0.0, -0.0, 1.0, -1.0, 2.0, INF, -INF, NAN, 1e300, 5e-324]  # for forms of 3+ inputs


@dataclass(frozen=True)
class RuleForm:
    """A public form of a rule: `make(*args)` builds the node from Values and, at the positions
    `numbers`, plain numbers; `points` are the inputs it is tried at."""

    name: str
    rule: str
    make: Callable[..., Any]
    points: tuple[tuple[float, ...], ...]
    numbers: frozenset[int] = frozenset()


def _grid(values: Sequence[float], n: int) -> tuple[tuple[float, ...], ...]:
    return tuple(itertools.product(values, repeat=n))


def _neuron(b: Value, w0: Value, w1: Value, x0: Value, x1: Value) -> Value:
    """micrograd's Neuron(2, nonlin=False) (one `affine` node) with these leaves in it."""
    from autograd_lite.micrograd.nn import Neuron

    neuron = Neuron(2, nonlin=False)
    neuron.b, neuron.w = b, [w0, w1]  # type: ignore[assignment]
    out: Value = neuron([x0, x1])
    return out


_METHODS = ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "step", "sign", "hard_tanh"]
_METHODS += ["sin", "cos", "softplus"]


def _rule_forms() -> list[RuleForm]:
    one = _grid([*EDGES, 0.3, -0.7], 1)  # and two ordinary points
    two, three = _grid(EDGES, 2), _grid(FEW, 3)
    forms = [RuleForm(rule, rule, getattr(Value, rule), one) for rule in _METHODS]
    forms += [
        RuleForm("-x", "neg", lambda a: -a, one),
        RuleForm("abs(x)", "abs", abs, one),
        RuleForm("x.abs()", "abs", Value.abs, one),
    ]
    for op in ("+", "-", "*", "/", "**"):
        f = eval(f"lambda a, b: a {op} b")  # the operator itself
        forms += [
            RuleForm(f"Value {op} Value", op, f, two),
            RuleForm(f"Value {op} number", op, f, two, frozenset({1})),
            RuleForm(f"number {op} Value", op, f, two, frozenset({0})),
        ]
    for rule, f in (("max", functional.maximum), ("min", functional.minimum)):
        forms += [
            RuleForm(f.__name__, rule, f, two),
            RuleForm(f"{f.__name__}(Value, number)", rule, f, two, frozenset({1})),
            RuleForm(f"{f.__name__}(number, Value)", rule, f, two, frozenset({0})),
        ]
    for alpha in (0.01, 0.0, -0.5):
        forms.append(
            RuleForm(
                f"leaky_relu({alpha})", "leaky_relu", lambda a, al=alpha: a.leaky_relu(al), one
            )
        )
    for beta, threshold in ((1.0, 20.0), (2.0, 20.0), (-1.5, 3.0), (0.5, None)):
        softplus = lambda a, b=beta, t=threshold: a.softplus(b, t)  # noqa: E731
        points = one
        if threshold is not None:  # at the threshold and just past it
            at = threshold / beta
            points = (*one, (at,), (math.nextafter(at, INF),))
        name = f"softplus({beta}, {threshold})"
        forms.append(RuleForm(name, "softplus_threshold", softplus, points))
    forms.append(
        RuleForm("softplus(Value, Value)", "softplus_threshold", Value.softplus, _grid(FEW, 3))
    )
    for lo, hi in ((-1.0, 1.0), (0.0, 0.0), (0.5, -0.5), (NAN, 1.0)):
        clamp = lambda a, lo=lo, hi=hi: a.clamp(lo, hi)  # noqa: E731
        forms.append(RuleForm(f"clamp({lo}, {hi})", "clamp", clamp, (*one, (lo,), (hi,))))
    forms += [
        RuleForm("clamp(min=Value)", "clamp", lambda a, lo: a.clamp(min=lo), two),
        RuleForm("clamp(max=Value)", "clamp", lambda a, hi: a.clamp(max=hi), two),
        RuleForm("clamp(Value, Value)", "clamp", Value.clamp, three),
        RuleForm("sum", "sum", lambda *vs: functional.sum(vs), three),
        RuleForm("sum with a number", "sum", lambda *vs: functional.sum(vs), three, frozenset({1})),
        RuleForm(
            "dot", "dot", lambda a, b, c, d: functional.dot([a, b], [c, d]), _grid(FEW[:7], 4)
        ),
        RuleForm(
            "dot with a bias",
            "dot",
            lambda a, b, c, d, e: functional.dot([a, b], [c, d], e),
            _grid(FEW[:5], 5),
        ),
        RuleForm("Neuron(2, nonlin=False)", "affine", _neuron, _grid(FEW[:5], 5)),
        RuleForm("logsumexp", "logsumexp", lambda *vs: functional.logsumexp(vs), three),
        RuleForm("log_softmax", "shift", lambda *vs: _weighted(functional.log_softmax(vs)), three),
        RuleForm("softmax", "shift", lambda *vs: _weighted(functional.softmax(vs)), three),
    ]
    return forms


def _weighted(outputs: list[Value]) -> Value:
    """One root from the outputs of a vector function: 1·o₀ - 2·o₁ + 0.5·o₂."""
    return functional.dot(outputs, [1.0, -2.0, 0.5])


RULE_FORMS = _rule_forms()


def forms_of(rule: str) -> list[RuleForm]:
    """The public forms of `rule` (at least one for every rule of the table)."""
    found = [form for form in RULE_FORMS if form.rule == rule]
    assert found, f"rule {rule!r} has no public form in tests/helpers.py"
    return found


def build(form: RuleForm, xs: Sequence[float]) -> tuple[Value, list[Value]]:
    """The form's node at `xs`, and its leaves (the inputs that are not numbers)."""
    leaves = [Value(x) for i, x in enumerate(xs) if i not in form.numbers]
    it = iter(leaves)
    args = [x if i in form.numbers else next(it) for i, x in enumerate(xs)]
    out: Value = form.make(*args)
    return out, leaves


def around(out: Value, leaves: list[Value], variant: str) -> tuple[Value, list[Value]]:
    """A root made around the op's node `out`, and the leaves with any new ones:

    - "op": `out` itself;
    - "gated": (out · u).relu() + w.relu(), u = 1 and w = -1: w's edge is absent, and where
      out ≤ 0 nothing reaches `out` (its leaves receive no term);
    - "flipped": the same with u = -1;
    - "inf": out · u with u = inf, an infinite upstream gradient;
    - "unused": `out`, with an extra leaf the root does not depend on.
    """
    if variant == "op":
        return out, leaves
    if variant in ("gated", "flipped"):
        u, w = Value(1.0 if variant == "gated" else -1.0), Value(-1.0)
        return (out * u).relu() + w.relu(), [*leaves, u, w]
    if variant == "inf":
        u = Value(INF)
        return out * u, [*leaves, u]
    assert variant == "unused", variant
    return out, [*leaves, Value(2.0)]


VARIANTS = ("op", "gated", "flipped", "inf", "unused")
