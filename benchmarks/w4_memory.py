"""W4: bytes per node of a 10⁵-node graph (tracemalloc): while building, after backward,
and the extra peak during backward.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

from common import (
    AL,
    ENGINES,
    MG,
    Case,
    Sample,
    cell,
    count_nodes,
    engine_value,
    failed,
    raise_recursion_limit,
)
from common import target_row as target
from w2_chain import chain
from w3_dot import leaves, sum_of_products

TASK = "W4"


def work(spec: dict[str, Any]) -> Sample:
    engine, graph, n = spec["engine"], spec["variant"], spec["n"]
    if engine == MG:
        raise_recursion_limit(5 * n)
    engine_value(engine)  # import the engine first: its import is no part of the graph
    if graph == "dot":
        import autograd_lite.functional  # noqa: F401
    gc.collect()
    gc.disable()  # nothing else is freed inside the measured window
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    if graph.startswith("chain"):
        _, root = chain(engine, graph.split("_")[1], n)
    else:
        a, b = leaves(engine, n)
        root = sum_of_products(engine, graph, a, b)
    built = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    root.backward()
    after, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "nodes": count_nodes(root),
        "graph_bytes": built - before,
        "after_backward_bytes": after - before,
        "backward_peak_bytes": peak - built,
    }


def plan(quick: bool, big: bool) -> list[Case]:
    return [
        Case(TASK, graph, n, engines, 1)
        for graph, n, engines in (
            ("chain_tanh", 20_000, (AL,)),
            ("chain_relu", 20_000, ENGINES),
            ("plain", 25_000, ENGINES),
            ("dot", 50_000, (AL,)),
        )
    ]


def report(cases: list[Case]) -> tuple[list[str], dict[str, Any]]:
    summary: dict[str, Any] = {}
    lines = [
        "## W4: memory per node (tracemalloc)",
        "",
        "Bytes allocated while building the graph (leaves included) divided by its node "
        "count (counted by walking the graph); then what stays after `backward()` (the "
        "graph plus the stored `.grad` floats) and the extra peak during `backward()` "
        "(the topological order and the grad table).",
        "",
        "| graph | engine | nodes | bytes/node (graph) | bytes/node after backward | "
        "backward peak extra bytes/node | target |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for c in cases:
        for engine in c.engines:
            nodes = c.median(engine, "nodes")
            g = c.median(engine, "graph_bytes")
            a = c.median(engine, "after_backward_bytes")
            p = c.median(engine, "backward_peak_bytes")
            bpn = None if nodes is None or g is None else g / nodes
            goal_text = ""
            if engine == AL and c.variant in ("chain_tanh", "plain"):
                summary[f"W4_{c.variant}_bytes_per_node"] = bpn
                goal_text = f"≤ 200 {target(bpn, 200, higher_is_better=False)}"
            lines.append(
                f"| {c.variant} | {engine} | {cell(c, engine, nodes)}{failed(c, engine)} | "
                f"{cell(c, engine, bpn)} | "
                f"{cell(c, engine, None if a is None or not nodes else a / nodes)} | "
                f"{cell(c, engine, None if p is None or not nodes else p / nodes)} | "
                f"{goal_text} |"
            )
    lines.append("")
    return lines, summary
