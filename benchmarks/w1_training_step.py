"""W1: one training step of micrograd's moons demo: micrograd 0.1.0, autograd_lite's dynamic
engine and, where `autograd_lite.compile` exists, the same step compiled once and replayed.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from typing import Any

from common import (
    AL,
    BASELINE,
    MG,
    Case,
    Sample,
    cell,
    charged,
    failed,
    fmt,
    per,
    raise_recursion_limit,
    ratio,
    spread,
    target_row,
    with_baselines,
)

TASK = "W1"
COMPILED = "autograd_lite compiled"


def compiler() -> Callable[[Any], Any] | None:
    """`autograd_lite.compile` (graph -> Program) when this version has it, else None."""
    try:
        import autograd_lite
    except ImportError:
        return None
    found = getattr(autograd_lite, "compile", None)
    if found is not None and not callable(found):  # the module rather than the function
        found = getattr(found, "compile", None)
    return found if callable(found) else None


def _moons(n_points: int, seed: int) -> tuple[list[list[float]], list[int]]:
    from autograd_lite import data  # the same points for every engine (not timed)

    X, y = data.make_moons(n_points, 0.1, seed)
    return X, [2 * t - 1 for t in y]  # hinge labels are ±1, as the notebook's y*2 - 1


def _autograd_lite(n_points: int, seed: int) -> tuple[Callable[[], float], dict[str, Any]]:
    from autograd_lite import losses, nn, optim

    X, y = _moons(n_points, seed)
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    params = model.parameters()
    opt = optim.SGD(params, lr=0.1)

    def step() -> float:
        scores = [model(x) for x in X]
        # hinge + 1e-4·Σw²; losses.l2 is λ/2·Σw², so λ = 2e-4
        total = losses.hinge(scores, y) + losses.l2(params, 2e-4)
        accuracy = sum((yi > 0) == (s.data > 0) for yi, s in zip(y, scores)) / len(y)
        opt.zero_grad()
        total.backward()
        opt.step()
        assert math.isfinite(total.data) and 0 <= accuracy <= 1
        return total.data

    return step, {}


def _compiled(n_points: int, seed: int) -> tuple[Callable[[], float], dict[str, Any]]:
    """The dynamic step's graph traced once, compiled, and replayed on the updated weights."""
    from autograd_lite import losses, nn, optim

    compile_graph = compiler()
    if compile_graph is None:
        raise RuntimeError("this autograd_lite has no compile()")
    X, y = _moons(n_points, seed)
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    params = model.parameters()
    opt = optim.SGD(params, lr=0.1)
    total = losses.hinge([model(x) for x in X], y) + losses.l2(params, 2e-4)
    t0 = time.perf_counter_ns()
    program = compile_graph(total)
    compile_ns = time.perf_counter_ns() - t0

    def step() -> float:
        opt.zero_grad()
        loss = program.run()
        opt.step()
        assert math.isfinite(loss)
        return float(loss)

    return step, {"compile_ns": compile_ns, "source_lines": program.source.count("\n") + 1}


def _micrograd(n_points: int, seed: int) -> tuple[Callable[[], float], dict[str, Any]]:
    import random

    from micrograd.engine import Value
    from micrograd.nn import MLP

    X, y = _moons(n_points, seed)
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    learning_rate = 0.1

    # The loss exactly as micrograd's demo notebook builds it.
    def step() -> float:
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
        return float(total_loss.data)

    return step, {}


def work(spec: dict[str, Any]) -> Sample:
    engine = spec["engine"]
    make = {AL: _autograd_lite, COMPILED: _compiled, MG: _micrograd}[engine]
    step, info = make(spec["n"], 42)
    if engine == MG:
        raise_recursion_limit(10_000)  # the loss graph is a few thousand nodes deep
    step_losses = [step() for _ in range(2)]  # warm up
    times, collector = [], []
    for _ in range(spec["steps"]):
        loss, ns, gc_ns = charged(step)  # each step charged for its own garbage only
        step_losses.append(loss)
        times.append(ns)
        collector.append(gc_ns)
    return {
        "step_ns": statistics.median(times),
        "step_ns_all": times,
        "gc_ns": statistics.median(collector),
        "losses": [x.hex() for x in step_losses],
        **info,
    }


def plan(quick: bool, big: bool) -> list[Case]:
    engines = (AL, COMPILED, MG) if compiler() is not None else (AL, MG)
    engines = with_baselines(engines, (AL, COMPILED))
    return [Case(TASK, "step", 100, engines, 1 if quick else 5, {"steps": 3 if quick else 7})]


def problems(cases: list[Case]) -> list[str]:
    """The compiled step must give the dynamic step's losses bit for bit (in each tree)."""
    found = []
    for c in cases:
        for suffix in ("", BASELINE):
            dynamic = [s["losses"] for s in c.samples.get(AL + suffix, [])]
            for s in c.samples.get(COMPILED + suffix, []):
                if dynamic and s["losses"] != dynamic[0]:
                    found.append(f"W1: the compiled step's losses differ{suffix}")
                    break
    return found


def report(cases: list[Case]) -> tuple[list[str], dict[str, Any]]:
    summary: dict[str, Any] = {}
    c = cases[0]
    al, mg = c.median(AL, "step_ns"), c.median(MG, "step_ns")
    sp = None if al is None or mg is None else mg / al
    summary["W1_speedup"] = sp
    lines = [
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
    ]
    if COMPILED in c.engines:
        co = c.median(COMPILED, "step_ns")
        over_dynamic = None if co is None or al is None else al / co
        summary["W1_compiled_speedup"] = None if co is None or mg is None else mg / co
        summary["W1_compiled_over_dynamic"] = over_dynamic
        compile_ms = per(c.median(COMPILED, "compile_ns"), 1e6)
        summary["W1_compile_ms"] = compile_ms
        lines.append(
            f"| autograd_lite compiled | {cell(c, COMPILED, per(co, 1e6), 2)}"
            f"{failed(c, COMPILED)} | {spread(c, COMPILED, 'step_ns', 1e6)} | "
            f"{fmt(per(c.median(COMPILED, 'gc_ns'), 1e6), 2)} | {ratio(mg, co)} "
            f"({ratio(al, co)} the dynamic step) | ≥ 5× dynamic "
            f"{target_row(over_dynamic, 5)} |"
        )
    lines += [
        f"| micrograd | {cell(c, MG, per(mg, 1e6), 2)}{failed(c, MG)} | "
        f"{spread(c, MG, 'step_ns', 1e6)} | {fmt(per(c.median(MG, 'gc_ns'), 1e6), 2)} | "
        "1.0× | |",
    ]
    for engine in (AL, COMPILED):
        base = engine + BASELINE
        if base not in c.engines:
            continue
        then, now = c.median(base, "step_ns"), c.median(engine, "step_ns")
        slower = None if then is None or now is None else now / then
        summary[f"W1_{'compiled_' if engine == COMPILED else ''}over_baseline"] = slower
        lines.append(
            f"| {engine}, baseline tree | {cell(c, base, per(then, 1e6), 2)}{failed(c, base)} | "
            f"{spread(c, base, 'step_ns', 1e6)} | {fmt(per(c.median(base, 'gc_ns'), 1e6), 2)} | "
            f"{ratio(mg, then)} | this tree ≤ 1.1× its time: "
            f"{'n/a' if slower is None else f'{slower:.2f}×'} "
            f"{target_row(slower, 1.1, higher_is_better=False)} |"
        )
    lines.append("")
    if COMPILED in c.engines:
        compile_ms = summary["W1_compile_ms"]
        lines += [
            "The compiled step: the step's graph is traced once and compiled with "
            "`autograd_lite.compile` (median compile time "
            f"{fmt(compile_ms, 0)} ms, target < 1000 ms "
            f"{target_row(compile_ms, 1000, higher_is_better=False)}); each step then runs "
            "`program.run()` on the current weights. Its losses are checked to equal the "
            "dynamic step's bit for bit.",
            "",
        ]
    return lines, summary
