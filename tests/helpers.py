"""Helpers several test files share: bit-for-bit float comparison and random graphs."""

from __future__ import annotations

import random

from autograd_lite import Value, functional


def same(a: float, b: float) -> bool:
    """The same float, bit for bit (-0.0 is not 0.0), or both nan."""
    return a.hex() == b.hex() or (a != a and b != b)


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
