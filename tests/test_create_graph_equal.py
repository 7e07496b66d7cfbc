"""One gradient by every path: `grad`, `grad(create_graph=True)`, compiled programs, `backward`.

For every rule through its public forms at every edge point of test_edges (±0, kinks, ties,
±inf, nan, huge, tiny and subnormal numbers), inside graphs where edges are absent or nothing
reaches the op, and for random graphs of every rule at such points, the four give the same
floats bit for bit (float.hex; nan equals nan): `grad(out, xs)`, the `.data` of
`grad(out, xs, create_graph=True)`, a compiled program's gradients (compiled at another point
of the same graph and replayed at this one) and `.grad` after `backward()`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from helpers import (
    EDGES,
    RULE_FORMS,
    VARIANTS,
    RuleForm,
    around,
    build,
    forms_of,
    same,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd_lite
from autograd_lite import Value, functional
from autograd_lite.core.rules import RULES


def eager(root: Value, leaves: list[Value]) -> tuple[list[float], list[float], list[float]]:
    """The gradients by `grad`, by `grad(create_graph=True)` and by `backward()`."""
    plain = autograd_lite.grad(root, leaves)
    made = [g.data for g in autograd_lite.grad(root, leaves, create_graph=True)]
    for v in leaves:
        v.grad = 0.0
    root.backward()
    return plain, made, [v.grad for v in leaves]


def assert_same(got: Sequence[float], want: Sequence[float], what: str) -> None:
    assert len(got) == len(want), what
    for i, (g, w) in enumerate(zip(got, want)):
        assert same(g, w), f"{what}: input {i}: {g!r} ({g.hex()}) != {w!r} ({w.hex()})"


class Replay:
    """A program compiled from one graph, run at the data of another graph of the same shape."""

    def __init__(self, root: Value, leaves: list[Value]) -> None:
        self.program = autograd_lite.compile(root)
        self.leaves = leaves

    def grads(self, leaves: list[Value]) -> list[float]:
        for mine, theirs in zip(self.leaves, leaves):
            mine.data, mine.grad = theirs.data, 0.0
        self.program.run()
        return [v.grad for v in self.leaves]


def _groups(form: RuleForm) -> list[list[tuple[float, ...]]]:
    """The form's points by the numbers in them (the graph's constants): one graph shape each."""
    groups: dict[tuple[str, ...], list[tuple[float, ...]]] = {}
    for xs in form.points:
        key = tuple(x.hex() for i, x in enumerate(xs) if i in form.numbers)
        groups.setdefault(key, []).append(xs)
    return list(groups.values())


def check_form(form: RuleForm, variant: str, points: Sequence[tuple[float, ...]]) -> int:
    """All four paths agree at every point of `points` (one graph shape); returns the count."""
    programs = [Replay(*around(*build(form, points[k]), variant)) for k in {0, len(points) // 2}]
    for xs in points:
        root, leaves = around(*build(form, xs), variant)
        plain, made, backward = eager(root, leaves)
        where = f"{form.name} at {xs} ({variant})"
        assert_same(made, plain, f"{where}: create_graph against grad")
        assert_same(backward, plain, f"{where}: backward against grad")
        for program in programs:
            assert_same(program.grads(leaves), plain, f"{where}: compiled against grad")
    return len(points)


def _sampled(points: list[tuple[float, ...]], count: int, seed: str) -> list[tuple[float, ...]]:
    return points if len(points) <= count else random.Random(seed).sample(points, count)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_create_graph_equal_every_rule_at_every_edge_point(rule: str) -> None:
    checked = 0
    for form in forms_of(rule):
        for group in _groups(form):
            # every point of forms of one or two inputs; of more inputs, a seeded sample
            points = group if len(group[0]) <= 2 else _sampled(group, 400, form.name)
            for variant in VARIANTS:
                checked += check_form(form, variant, points)
    assert checked > 0


# --------------------------------------------------------------------------- random graphs


def random_rule_graph(rng: random.Random, leaves: list[Value], size: int) -> Value:
    """A random graph of public forms of every rule over `leaves`: each op's inputs are
    earlier nodes (reuse and shared subexpressions included), and its numbers edge points."""
    pool: list[Value] = list(leaves)
    for _ in range(size):
        form = rng.choice(RULE_FORMS)
        n = len(form.points[0])
        args = [rng.choice(EDGES) if i in form.numbers else rng.choice(pool) for i in range(n)]
        pool.append(form.make(*args))
    picked = rng.sample(pool[len(leaves) :], min(size, 3))
    return picked[0] if len(picked) == 1 else functional.sum(picked)


VALUES = st.one_of(st.sampled_from(EDGES), st.floats(-3.0, 3.0))


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    seed=st.integers(0, 2**32 - 1),
    first=st.lists(VALUES, min_size=1, max_size=4),
    second=st.lists(VALUES, min_size=4, max_size=4),
    size=st.integers(1, 8),
)
def test_create_graph_equal_random_graphs_of_every_rule(
    seed: int, first: list[float], second: list[float], size: int
) -> None:
    """A graph at `first`, and the same graph at `second` run by the first one's program."""
    graphs = []
    for data in (first, second[: len(first)]):
        leaves = [Value(x) for x in data]
        graphs.append((random_rule_graph(random.Random(seed), leaves, size), leaves))
    replay = Replay(*graphs[0])
    for root, leaves in graphs:
        plain, made, backward = eager(root, leaves)
        where = f"seed {seed}, size {size}, at {[v.data for v in leaves]}"
        assert_same(made, plain, f"{where}: create_graph against grad")
        assert_same(backward, plain, f"{where}: backward against grad")
        assert_same(replay.grads(leaves), plain, f"{where}: compiled against grad")
