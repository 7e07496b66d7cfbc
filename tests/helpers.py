"""Helpers several test files share: bit-for-bit float comparison, random graphs, and models
compared with PyTorch."""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Callable
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
