"""W3: Σ aᵢ·bᵢ over N = 10⁵ existing leaves, with plain `+`/`*` and with `functional.dot`,
built then backward.
"""

from __future__ import annotations

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
    run_case,
    sized,
    target_row,
    total_ns,
)

TASK = "W3"


def leaves(engine: str, n: int) -> tuple[list[Any], list[Any]]:
    """2n leaves with data spread over [0.5, 1.5]."""
    value = engine_value(engine)
    a = [value(0.5 + (i % 97) * 0.01) for i in range(n)]
    b = [value(1.5 - (i % 89) * 0.01) for i in range(n)]
    return a, b


def sum_of_products(engine: str, variant: str, a: list[Any], b: list[Any]) -> Any:
    if variant == "dot":
        from autograd_lite import functional

        return functional.dot(a, b)
    s = a[0] * b[0]  # plain + and *: a chain of N - 1 additions
    for i in range(1, len(a)):
        s = s + a[i] * b[i]
    return s


def work(spec: dict[str, Any]) -> Sample:
    engine, variant, n = spec["engine"], spec["variant"], spec["n"]
    if engine == MG:
        raise_recursion_limit(4 * n)
    a, b = leaves(engine, 100)  # warm up
    sum_of_products(engine, variant, a, b).backward()
    a, b = leaves(engine, n)  # the inputs exist before timing starts
    with GcClock() as clock:
        t0 = time.perf_counter_ns()
        s = sum_of_products(engine, variant, a, b)
        t1 = time.perf_counter_ns()
        gc_build_ns = clock.ns
        s.backward()
        t2 = time.perf_counter_ns()
    assert a[-1].grad == b[-1].data and b[0].grad == a[0].data
    nodes = 2 * n + 1 if variant == "dot" else 4 * n - 1
    return {
        "build_ns": t1 - t0,
        "backward_ns": t2 - t1,
        "nodes": nodes,
        "gc_build_ns": gc_build_ns,
        "gc_ns": clock.ns,
        "gc_collections": clock.collections,
    }


def plan(quick: bool, big: bool) -> list[Case]:
    rep = 1 if quick else 5
    cases = []
    for n in (10**4,) if quick else (10**5,):
        cases.append(Case(TASK, "dot", n, (AL,), rep))
        cases.append(Case(TASK, "plain", n, ENGINES, rep))
    return cases


def after(case: Case, use_gc: bool, timeout: float) -> list[Case]:
    """If micrograd cannot do W3 at N = 10⁵, measure it at the largest smaller N that works."""
    extra: list[Case] = []
    if MG not in case.engines or case.samples.get(MG):
        return extra
    for n in (3 * 10**4, 10**4, 3 * 10**3):
        smaller = Case(TASK, "plain", n, ENGINES, case.repeats)
        run_case(smaller, use_gc, timeout)
        extra.append(smaller)
        if smaller.samples.get(MG):
            break
    return extra


def report(cases: list[Case]) -> tuple[list[str], dict[str, Any]]:
    summary: dict[str, Any] = {}
    lines = [
        "## W3: Σ aᵢ·bᵢ, built then backward",
        "",
        "The 2N leaves exist before timing. `plain`: `s = a₀·b₀; s = s + aᵢ·bᵢ …` "
        "(4N − 1 nodes); `dot`: `functional.dot(a, b)` (2N leaves + 1 node). micrograd runs "
        "`plain` with a raised recursion limit in a thread with a 1 GiB stack. "
        "Speed-up is against micrograd `plain` at the same N.",
        "",
        "| build | N | engine | build ns/term | backward ns/term | total ns/term | "
        "ns/node | GC share | speed-up | target |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    mg_by_n = {c.n: total_ns(c, MG) for c in cases if MG in c.engines}
    for c in cases:
        mg_total = mg_by_n.get(c.n)
        for engine in c.engines:
            b = per(c.median(engine, "build_ns"), c.n)
            k = per(c.median(engine, "backward_ns"), c.n)
            t = total_ns(c, engine)
            nodes = 2 * c.n + 1 if c.variant == "dot" else 4 * c.n - 1
            goal_text = ""
            if engine == AL and mg_total is not None and t is not None:
                goal = 20 if c.variant == "dot" else 3
                summary[f"W3_{c.variant}_{c.n}_speedup"] = mg_total / t
                goal_text = f"≥ {goal}× {target_row(mg_total / t, goal)}"
            sp = ratio(mg_total, t) if engine == AL else "—"
            lines.append(
                f"| {c.variant} | {sized(c.n)} | {engine} | "
                f"{cell(c, engine, b)}{failed(c, engine)} | "
                f"{cell(c, engine, k)} | {cell(c, engine, per(t, c.n))} | "
                f"{cell(c, engine, per(t, nodes))} | {gc_share(c, engine)} | {sp} | "
                f"{goal_text} |"
            )
    lines.append("")
    return lines, summary
