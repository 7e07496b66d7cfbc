"""Benchmarks: autograd_lite side by side with micrograd 0.1.0 (W1 training step, W2 deep chain,
W3 sum of products, W4 bytes per node). Writes benchmarks/results.md and benchmarks/results.json.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
AL = "autograd_lite"
MG = "micrograd"
ENGINES = (AL, MG)
MG_VERSION = "0.1.0"

# Every worker runs in a thread with a large stack, so a deep recursion that does reach the
# C stack (micrograd's recursive topological sort) fails with RecursionError, not a crash.
THREAD_STACK = 1 << 30

Sample = dict[str, Any]


# =========================================================================== workers
# Each worker runs in its own fresh process, measures one thing once, prints a JSON line.


def _engine_value(engine: str) -> Any:
    if engine == AL:
        from autograd_lite import Value
    else:
        from micrograd.engine import Value
    return Value


def _raise_recursion_limit(nodes: int) -> int:
    """Enough recursion depth for micrograd's recursive sort of a graph with `nodes` nodes."""
    limit = max(sys.getrecursionlimit(), 4 * nodes + 1000)
    sys.setrecursionlimit(limit)
    return limit


def _count_nodes(root: Any) -> int:
    """Distinct nodes below `root`, found iteratively (works for both engines)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        node = stack.pop()
        parents = node.parents if hasattr(node, "parents") else node._prev
        for p in parents:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


class GcClock:
    """Time spent in the cyclic garbage collector, read through `gc.callbacks`."""

    def __init__(self) -> None:
        self.ns = 0
        self.collections = 0
        self._start = 0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter_ns()
        else:
            self.ns += time.perf_counter_ns() - self._start
            self.collections += 1

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


# --- W1: one training step of micrograd's moons demo


def _w1_autograd_lite(n_points: int, seed: int) -> Callable[[], None]:
    from autograd_lite import data, losses, nn, optim

    X, y = data.make_moons(n_points, 0.1, seed)
    y = [2 * t - 1 for t in y]  # hinge labels are ±1
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    params = model.parameters()
    opt = optim.SGD(params, lr=0.1)

    def step() -> None:
        scores = [model(x) for x in X]
        # hinge + 1e-4·Σw²; losses.l2 is λ/2·Σw², so λ = 2e-4
        total = losses.hinge(scores, y) + losses.l2(params, 2e-4)
        accuracy = sum((yi > 0) == (s.data > 0) for yi, s in zip(y, scores)) / len(y)
        opt.zero_grad()
        total.backward()
        opt.step()
        assert math.isfinite(total.data) and 0 <= accuracy <= 1

    return step


def _w1_micrograd(n_points: int, seed: int) -> Callable[[], None]:
    import random

    from micrograd.engine import Value
    from micrograd.nn import MLP

    from autograd_lite import data  # the same points for both engines (not timed)

    X, y = data.make_moons(n_points, 0.1, seed)
    y = [2 * t - 1 for t in y]  # ±1 labels, as the notebook's y*2 - 1
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    learning_rate = 0.1

    # The loss exactly as micrograd's demo notebook builds it.
    def step() -> None:
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        model.zero_grad()
        total_loss.backward()
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        assert math.isfinite(total_loss.data) and 0 <= sum(accuracy) / len(accuracy) <= 1

    return step


def work_w1(engine: str, n: int, steps: int) -> Sample:
    make = _w1_autograd_lite if engine == AL else _w1_micrograd
    step = make(n, 42)
    if engine == MG:
        _raise_recursion_limit(10_000)  # the loss graph is a few thousand nodes deep
    for _ in range(2):  # warm up
        step()
    times = []
    with GcClock() as clock:
        for _ in range(steps):
            t0 = time.perf_counter_ns()
            step()
            times.append(time.perf_counter_ns() - t0)
    return {"step_ns": statistics.median(times), "step_ns_all": times, "gc_ns": clock.ns / steps}


# --- W2: a deep chain


def _chain(engine: str, kind: str, n: int) -> tuple[Any, Any]:
    """x → 1000·tanh(0.001·x) (`tanh`) or x → relu(1.0·x + 0.001) (`relu`), n times."""
    x = _engine_value(engine)(1.0)
    y = x
    if kind == "tanh":
        for _ in range(n):
            y = 1000.0 * (0.001 * y).tanh()
    else:
        for _ in range(n):
            y = (1.0 * y + 0.001).relu()
    return x, y


def _chain_derivative(kind: str, n: int) -> float:
    """dy/dx of the chain, by the chain rule on floats (each tanh step is slightly below 1)."""
    if kind != "tanh":
        return 1.0
    y, d = 1.0, 1.0
    for _ in range(n):
        t = math.tanh(0.001 * y)
        d *= 1.0 - t * t  # d/dy 1000·tanh(0.001·y) = 1 - tanh²(0.001·y)
        y = 1000.0 * t
    return d


# Nodes per step: two constant leaves (0.001 and 1000, or 1.0 and 0.001) and three op nodes.
CHAIN_NODES_PER_STEP = 5


def work_w2(engine: str, kind: str, n: int, raise_limit: bool) -> Sample:
    if raise_limit:
        _raise_recursion_limit(CHAIN_NODES_PER_STEP * n + 1)
    x, y = _chain(engine, kind, min(n, 100))  # warm up
    y.backward()
    del x, y
    with GcClock() as clock:
        t0 = time.perf_counter_ns()
        x, y = _chain(engine, kind, n)
        t1 = time.perf_counter_ns()
        gc_build_ns = clock.ns
        y.backward()
        t2 = time.perf_counter_ns()
    expected = _chain_derivative(kind, n)
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


# --- W3: Σ aᵢ·bᵢ


def _leaves(engine: str, n: int) -> tuple[list[Any], list[Any]]:
    value = _engine_value(engine)
    a = [value(0.5 + (i % 97) * 0.01) for i in range(n)]
    b = [value(1.5 - (i % 89) * 0.01) for i in range(n)]
    return a, b


def _sum_of_products(engine: str, variant: str, a: list[Any], b: list[Any]) -> Any:
    if variant == "dot":
        from autograd_lite import functional

        return functional.dot(a, b)
    s = a[0] * b[0]  # plain + and *: a chain of N - 1 additions
    for i in range(1, len(a)):
        s = s + a[i] * b[i]
    return s


def work_w3(engine: str, variant: str, n: int) -> Sample:
    if engine == MG:
        _raise_recursion_limit(4 * n)
    a, b = _leaves(engine, 100)  # warm up
    _sum_of_products(engine, variant, a, b).backward()
    a, b = _leaves(engine, n)  # the inputs exist before timing starts
    with GcClock() as clock:
        t0 = time.perf_counter_ns()
        s = _sum_of_products(engine, variant, a, b)
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


# --- W4: bytes per node (tracemalloc)


def work_w4(engine: str, graph: str, n: int) -> Sample:
    if engine == MG:
        _raise_recursion_limit(5 * n)
    gc.collect()
    gc.disable()  # nothing else is freed inside the measured window
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    if graph.startswith("chain"):
        _, root = _chain(engine, graph.split("_")[1], n)
    else:
        a, b = _leaves(engine, n)
        root = _sum_of_products(engine, graph, a, b)
    built = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    root.backward()
    after, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    nodes = _count_nodes(root)
    return {
        "nodes": nodes,
        "graph_bytes": built - before,
        "after_backward_bytes": after - before,
        "backward_peak_bytes": peak - built,
    }


def worker_main(spec: dict[str, Any]) -> None:
    """Run one measurement described by `spec` and print its result as one JSON line."""
    result: dict[str, Any] = {}

    def target() -> None:
        task = spec["task"]
        engine = spec["engine"]
        try:
            if task == "W1":
                result.update(work_w1(engine, spec["n"], spec["steps"]))
            elif task == "W2":
                result.update(work_w2(engine, spec["variant"], spec["n"], spec["raise_limit"]))
            elif task == "W3":
                result.update(work_w3(engine, spec["variant"], spec["n"]))
            elif task == "W4":
                result.update(work_w4(engine, spec["variant"], spec["n"]))
            else:
                raise ValueError(f"unknown task {task!r}")
        except RecursionError:
            result["error"] = f"RecursionError at recursion limit {sys.getrecursionlimit():,}"
        except Exception as e:  # reported in the table
            result["error"] = f"{type(e).__name__}: {str(e)[:160]}"

    if not spec.get("gc", True):
        gc.disable()
    threading.stack_size(THREAD_STACK)
    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    print(json.dumps(result), flush=True)
    os._exit(0)  # skip freeing large graphs at exit


# =========================================================================== driver


@dataclass
class Case:
    """One row: a workload, a variant, a size; measured for each of `engines` `repeats` times."""

    task: str
    variant: str
    n: int
    engines: tuple[str, ...]
    repeats: int
    extra: dict[str, Any] = field(default_factory=dict)
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def median(self, engine: str, key: str) -> float | None:
        values = [s[key] for s in self.samples.get(engine, []) if key in s]
        return statistics.median(values) if values else None

    def error(self, engine: str) -> str | None:
        errors = self.errors.get(engine)
        return errors[0] if errors and not self.samples.get(engine) else None


def spawn(spec: dict[str, Any], timeout: float) -> Sample:
    """Run one worker in a fresh interpreter; a crash or timeout becomes an error sample."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"worker exited with code {proc.returncode}: {tail[:160]}"}
    result: Sample = json.loads(lines[-1])
    return result


def run_case(case: Case, use_gc: bool, timeout: float) -> None:
    """Measure `case`: one fresh process per engine and repeat, alternating the engine order."""
    for r in range(case.repeats):
        order = case.engines if r % 2 == 0 else tuple(reversed(case.engines))
        for engine in order:
            if case.error(engine) is not None and r > 0:
                continue  # a failure repeats; do not spend the time again
            spec = {
                "task": case.task,
                "variant": case.variant,
                "n": case.n,
                "engine": engine,
                "gc": use_gc,
                **case.extra,
            }
            sample = spawn(spec, timeout)
            if "error" in sample:
                case.errors.setdefault(engine, []).append(sample["error"])
            else:
                case.samples.setdefault(engine, []).append(sample)
    done = ", ".join(
        f"{e}: {len(case.samples.get(e, []))} ok" + (f" ({case.error(e)})" if case.error(e) else "")
        for e in case.engines
    )
    print(f"  {case.task} {case.variant} n={case.n:,}: {done}", file=sys.stderr, flush=True)


def plan(quick: bool, big: bool) -> list[Case]:
    """The cases of one run. `quick` cuts repeats and sizes for a smoke test."""
    rep = 1 if quick else 5
    cases = [Case("W1", "step", 100, ENGINES, rep, {"steps": 3 if quick else 7})]
    for n in (10**3, 10**4, 10**5) if quick else (10**3, 10**4, 10**5, 10**6):
        reps = 1 if n >= 10**6 else (rep if n < 10**5 else max(1, rep - 2))
        cases.append(Case("W2", "tanh", n, (AL,), reps, {"raise_limit": False}))
    cases.append(Case("W2", "relu_default_limit", 10**2, (MG,), 1, {"raise_limit": False}))
    cases.append(Case("W2", "relu_default_limit", 10**3, (MG,), 1, {"raise_limit": False}))
    relu_sizes = [10**3, 10**4, 10**5] + ([10**6] if big else [])
    for n in relu_sizes:
        reps = 1 if n >= 10**6 else (rep if n < 10**5 else max(1, rep - 2))
        cases.append(Case("W2", "relu", n, ENGINES, reps, {"raise_limit": True}))
    for n in (10**4,) if quick else (10**5,):
        cases.append(Case("W3", "dot", n, (AL,), rep))
        cases.append(Case("W3", "plain", n, ENGINES, rep))
    for graph, n, engines in (
        ("chain_tanh", 20_000, (AL,)),
        ("chain_relu", 20_000, ENGINES),
        ("plain", 25_000, ENGINES),
        ("dot", 50_000, (AL,)),
    ):
        cases.append(Case("W4", graph, n, engines, 1))
    return cases


def fallback_w3(case: Case, use_gc: bool, timeout: float) -> list[Case]:
    """If micrograd cannot do W3 at N = 10⁵, measure it at the largest smaller N that works."""
    extra: list[Case] = []
    if case.task != "W3" or MG not in case.engines or case.samples.get(MG):
        return extra
    for n in (3 * 10**4, 10**4, 3 * 10**3):
        smaller = Case("W3", "plain", n, ENGINES, case.repeats)
        run_case(smaller, use_gc, timeout)
        extra.append(smaller)
        if smaller.samples.get(MG):
            break
    return extra


# =========================================================================== report


def fmt(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "n/a"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def ratio(slow: float | None, fast: float | None) -> str:
    if slow is None or fast is None or fast == 0:
        return "n/a"
    return f"{slow / fast:.1f}×"


def sized(n: int) -> str:
    exp = round(math.log10(n)) if n > 0 else 0
    return f"10{'⁰¹²³⁴⁵⁶⁷⁸⁹'[exp]}" if 10**exp == n else f"{n:,}"


def cell(case: Case, engine: str, value: float | None, digits: int = 0) -> str:
    if engine not in case.engines:
        return "—"
    return "" if case.error(engine) else fmt(value, digits)


def failed(case: Case, engine: str) -> str:
    """`fails: <reason>` when every run of `engine` failed, else an empty string."""
    err = case.error(engine)
    return f"fails: {err}" if err else ""


def total_ns(case: Case, engine: str) -> float | None:
    values = [s["build_ns"] + s["backward_ns"] for s in case.samples.get(engine, [])]
    return statistics.median(values) if values else None


def gc_share(case: Case, engine: str) -> str:
    """Median share of the total time spent in the cyclic GC."""
    shares = [
        s["gc_ns"] / (s["build_ns"] + s["backward_ns"])
        for s in case.samples.get(engine, [])
        if "gc_ns" in s
    ]
    return f"{statistics.median(shares):.0%}" if shares else ""


def spread(case: Case, engine: str, key: str, scale: float) -> str:
    values = [s[key] / scale for s in case.samples.get(engine, []) if key in s]
    return f"{min(values):,.1f}–{max(values):,.1f}" if len(values) > 1 else ""


def per(value: float | None, n: float) -> float | None:
    return None if value is None else value / n


def target_row(measured: float | None, goal: float, higher_is_better: bool = True) -> str:
    if measured is None:
        return "not measured"
    met = measured >= goal if higher_is_better else measured <= goal
    return "**met**" if met else "**missed**"


def report(cases: list[Case], meta: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The Markdown report and the summary numbers."""
    summary: dict[str, Any] = {}
    lines = [
        "# Benchmark results: autograd_lite vs micrograd " + MG_VERSION,
        "",
        f"Command: `{meta['command']}` · {meta['date']} · commit {meta['commit']} · "
        f"Python {meta['python']} · "
        f"{meta['machine']} · {meta['cpus']} CPUs · cyclic GC {meta['gc']} in the workers.",
        "",
        "Every number is a median over fresh processes (one per engine, size and repeat, engines "
        "alternating); W1 takes the median step within each process first. "
        "Speed-up = micrograd time / autograd_lite time. GC share: the part of the time "
        "spent in CPython's cyclic garbage collector (timed with `gc.callbacks`).",
        "",
    ]

    # ---- W1
    w1 = [c for c in cases if c.task == "W1"]
    if w1:
        c = w1[0]
        al, mg = c.median(AL, "step_ns"), c.median(MG, "step_ns")
        sp = None if al is None or mg is None else mg / al
        summary["W1_speedup"] = sp
        lines += [
            "## W1: one training step of micrograd's moons demo",
            "",
            "MLP(2, [16, 16, 1]), 100 points, hinge loss + 1e-4·Σw², SGD: forward, loss, "
            "zero_grad, backward, update.",
            "",
            "| engine | ms per step (median) | range over processes | GC ms per step | "
            "speed-up | target |",
            "|---|---:|---:|---:|---:|---|",
            f"| autograd_lite | {cell(c, AL, per(al, 1e6), 2)}{failed(c, AL)} | "
            f"{spread(c, AL, 'step_ns', 1e6)} | {fmt(per(c.median(AL, 'gc_ns'), 1e6), 2)} | "
            f"{ratio(mg, al)} | ≥ 25× {target_row(sp, 25)} |",
            f"| micrograd | {cell(c, MG, per(mg, 1e6), 2)}{failed(c, MG)} | "
            f"{spread(c, MG, 'step_ns', 1e6)} | {fmt(per(c.median(MG, 'gc_ns'), 1e6), 2)} | "
            "1.0× | |",
            "",
        ]

    # ---- W2
    w2 = [c for c in cases if c.task == "W2"]
    if w2:
        lines += [
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
        for c in w2:
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
                lines.append(
                    "| tanh | all | micrograd | n/a: no tanh in 0.1.0 | | | | | |",
                )
            if c.variant == "tanh" and c.n == 10**6:
                summary["W2_1e6_ok"] = bool(c.samples.get(AL))
        lines.append("")

    # ---- W3
    w3 = [c for c in cases if c.task == "W3"]
    if w3:
        lines += [
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
        mg_by_n = {c.n: total_ns(c, MG) for c in w3 if MG in c.engines}
        for c in w3:
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

    # ---- W4
    w4 = [c for c in cases if c.task == "W4"]
    if w4:
        lines += [
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
        for c in w4:
            for engine in c.engines:
                nodes = c.median(engine, "nodes")
                g = c.median(engine, "graph_bytes")
                a = c.median(engine, "after_backward_bytes")
                p = c.median(engine, "backward_peak_bytes")
                bpn = None if nodes is None or g is None else g / nodes
                goal_text = ""
                if engine == AL and c.variant in ("chain_tanh", "plain"):
                    summary[f"W4_{c.variant}_bytes_per_node"] = bpn
                    goal_text = f"≤ 200 {target_row(bpn, 200, higher_is_better=False)}"
                lines.append(
                    f"| {c.variant} | {engine} | {cell(c, engine, nodes)}{failed(c, engine)} | "
                    f"{cell(c, engine, bpn)} | "
                    f"{cell(c, engine, None if a is None or not nodes else a / nodes)} | "
                    f"{cell(c, engine, None if p is None or not nodes else p / nodes)} | "
                    f"{goal_text} |"
                )
        lines.append("")

    load = meta.get("load_average_at_start")
    load_text = "" if load is None else f" 1-minute load average at the start: {load:.2f}."
    lines += [
        f"Total benchmark wall time: {meta['wall_s']:.0f} s.{load_text}",
        "",
    ]
    return "\n".join(lines), summary


def machine_meta(use_gc: bool) -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=HERE,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "commit": commit,
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {cpu}",
        "cpus": os.cpu_count(),
        "gc": "on" if use_gc else "off",
        "load_average_at_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes")
    parser.add_argument(
        "--big", action="store_true", help="also run micrograd's relu chain at N = 10⁶ (~1 min)"
    )
    parser.add_argument(
        "--no-gc", action="store_true", help="disable the cyclic GC in the workers (diagnostic)"
    )
    parser.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W3")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results.md/.json")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per worker")
    args = parser.parse_args(None if argv is None else list(argv))

    if args.worker:
        worker_main(json.loads(args.worker))
        return 0

    use_gc = not args.no_gc
    only = {w.strip().upper() for w in args.only.split(",") if w.strip()}
    cases = [c for c in plan(args.quick, args.big) if not only or c.task in only]
    try:
        import micrograd  # noqa: F401
    except ImportError:
        print("micrograd is not installed: run `make bench`", file=sys.stderr)
        return 2

    start = time.perf_counter()
    done: list[Case] = []
    for case in cases:
        run_case(case, use_gc, args.timeout)
        done.append(case)
        done += fallback_w3(case, use_gc, args.timeout)

    argv_text = " ".join(sys.argv[1:])
    meta = machine_meta(use_gc)
    meta["command"] = f".venv/bin/python benchmarks/run.py {argv_text}".strip()
    meta["wall_s"] = time.perf_counter() - start
    markdown, summary = report(done, meta)
    raw = {
        "meta": meta,
        "summary": summary,
        "cases": [
            {
                "task": c.task,
                "variant": c.variant,
                "n": c.n,
                "engines": list(c.engines),
                "samples": c.samples,
                "errors": c.errors,
            }
            for c in done
        ],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(markdown)
    (args.out / "results.json").write_text(json.dumps(raw, indent=1) + "\n")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
