"""W2: a deep chain (up to 10⁶ steps), built then backward; micrograd's recursive backward
next to it with a raised recursion limit, and once with the default limit.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

from common import (
    AL,
    ENGINES,
    MG,
    Case,
    GcClock,
    Sample,
    cell,
    engine_value,
    failed,
    gc_share,
    per,
    raise_recursion_limit,
    ratio,
    sized,
    total_ns,
)

TASK = "W2"

# Nodes per step: two constant leaves (0.001 and 1000, or 1.0 and 0.001) and three op nodes.
CHAIN_NODES_PER_STEP = 5


def chain(engine: str, kind: str, n: int) -> tuple[Any, Any]:
    """x → 1000·tanh(0.001·x) (`tanh`) or x → relu(1.0·x + 0.001) (`relu`), n times."""
    x = engine_value(engine)(1.0)
    y = x
    if kind == "tanh":
        for _ in range(n):
            y = 1000.0 * (0.001 * y).tanh()
    else:
        for _ in range(n):
            y = (1.0 * y + 0.001).relu()
    return x, y


def chain_derivative(kind: str, n: int) -> float:
    """dy/dx of the chain, by the chain rule on floats (each tanh step is slightly below 1)."""
    if kind != "tanh":
        return 1.0
    y, d = 1.0, 1.0
    for _ in range(n):
        t = math.tanh(0.001 * y)
        d *= 1.0 - t * t  # d/dy 1000·tanh(0.001·y) = 1 - tanh²(0.001·y)
        y = 1000.0 * t
    return d


def work(spec: dict[str, Any]) -> Sample:
    engine, kind, n = spec["engine"], spec["variant"], spec["n"]
    kind = kind.replace("_default_limit", "")
    if spec["raise_limit"]:
        raise_recursion_limit(CHAIN_NODES_PER_STEP * n + 1)
    x, y = chain(engine, kind, min(n, 100))  # warm up
    y.backward()
    del x, y
    with GcClock() as clock:
        t0 = time.perf_counter_ns()
        x, y = chain(engine, kind, n)
        t1 = time.perf_counter_ns()
        gc_build_ns = clock.ns
        y.backward()
        t2 = time.perf_counter_ns()
    expected = chain_derivative(kind, n)
    assert abs(x.grad - expected) <= 1e-9 * abs(expected), (x.grad, expected)
    return {
        "build_ns": t1 - t0,
        "backward_ns": t2 - t1,
        "nodes": CHAIN_NODES_PER_STEP * n + 1,
        "recursion_limit": sys.getrecursionlimit(),
        "gc_build_ns": gc_build_ns,
        "gc_ns": clock.ns,
        "gc_collections": clock.collections,
    }


def plan(quick: bool, big: bool) -> list[Case]:
    rep = 1 if quick else 5
    cases = []
    for n in (10**3, 10**4, 10**5) if quick else (10**3, 10**4, 10**5, 10**6):
        reps = 1 if n >= 10**6 else (rep if n < 10**5 else max(1, rep - 2))
        cases.append(Case(TASK, "tanh", n, (AL,), reps, {"raise_limit": False}))
    cases.append(Case(TASK, "relu_default_limit", 10**2, (MG,), 1, {"raise_limit": False}))
    cases.append(Case(TASK, "relu_default_limit", 10**3, (MG,), 1, {"raise_limit": False}))
    relu_sizes = [10**3, 10**4, 10**5] + ([10**6] if big else [])
    for n in relu_sizes:
        reps = 1 if n >= 10**6 else (rep if n < 10**5 else max(1, rep - 2))
        cases.append(Case(TASK, "relu", n, ENGINES, reps, {"raise_limit": True}))
    return cases


def report(cases: list[Case]) -> tuple[list[str], dict[str, Any]]:
    summary: dict[str, Any] = {}
    lines = [
        "## W2: a deep chain, built then backward",
        "",
        "`tanh`: x → 1000·tanh(0.001·x); `relu`: x → relu(1.0·x + 0.001). Each step makes "
        f"{CHAIN_NODES_PER_STEP} nodes: 3 op nodes and 2 constant leaves (numbers in an "
        "expression become leaf nodes), plus the input x: nodes = 5N + 1. "
        "micrograd 0.1.0 has no tanh, so the tanh chain is n/a for it; its backward is "
        "recursive, so it runs the relu chain with `sys.setrecursionlimit(4·nodes + 1000)` "
        "in a thread with a 1 GiB stack (`relu`), and once with the default limit "
        "(`relu, default limit`) to show where it stops.",
        "",
        "| chain | N | engine | build ns/step | backward ns/step | total ns/step | "
        "ns/node | GC share | speed-up |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cases:
        mg_total = total_ns(c, MG)
        for engine in c.engines:
            b = per(c.median(engine, "build_ns"), c.n)
            k = per(c.median(engine, "backward_ns"), c.n)
            t = total_ns(c, engine)
            nodes = CHAIN_NODES_PER_STEP * c.n + 1
            sp = ratio(mg_total, t) if engine == AL else "—"
            name = c.variant.replace("_default_limit", ", default limit")
            lines.append(
                f"| {name} | {sized(c.n)} | {engine} | "
                f"{cell(c, engine, b)}{failed(c, engine)} | "
                f"{cell(c, engine, k)} | {cell(c, engine, per(t, c.n))} | "
                f"{cell(c, engine, per(t, nodes))} | {gc_share(c, engine)} | {sp} |"
            )
        if c.variant == "tanh" and c.n == 10**3:
            lines.append("| tanh | all | micrograd | n/a: no tanh in 0.1.0 | | | | | |")
        if c.variant == "tanh" and c.n == 10**6:
            summary["W2_1e6_ok"] = bool(c.samples.get(AL))
    lines.append("")
    return lines, summary
