"""What every benchmark workload shares: fresh-process workers, engine alternation, medians,
the garbage-collector clock, and the small formatting helpers of the report.
"""

from __future__ import annotations

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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "run.py"  # a worker is `python run.py --worker '<spec as JSON>'`
AL = "autograd_lite"
MG = "micrograd"
ENGINES = (AL, MG)
MG_VERSION = "0.1.0"

BASELINE = " @ baseline"  # an engine name ending in this runs from the --baseline tree
BASELINE_TREE: str | None = None  # set by run.py's --baseline: another checkout to compare with

# Every worker runs in a thread with a large stack, so a deep recursion that does reach the
# C stack (micrograd's recursive topological sort) fails with RecursionError, not a crash.
THREAD_STACK = 1 << 30

Sample = dict[str, Any]


# =========================================================================== inside a worker


def engine_value(engine: str) -> Any:
    """The `Value` class of `engine`."""
    if engine == AL:
        from autograd_lite import Value
    else:
        from micrograd.engine import Value
    return Value


def raise_recursion_limit(nodes: int) -> int:
    """Enough recursion depth for micrograd's recursive sort of a graph with `nodes` nodes."""
    limit = max(sys.getrecursionlimit(), 4 * nodes + 1000)
    sys.setrecursionlimit(limit)
    return limit


def parents_of(node: Any) -> Any:
    """A node's inputs in any of the engines measured here."""
    for name in ("parents", "_prev", "_children"):
        if hasattr(node, name):
            return getattr(node, name)
    raise TypeError(f"no parents attribute on {type(node).__name__}")


def count_nodes(root: Any) -> int:
    """Distinct nodes below `root`, found iteratively (works for every engine)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for p in parents_of(stack.pop()):
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


def charged(run: Callable[[], Any]) -> tuple[Any, int, int]:
    """`run()`, its time in ns charged for its own garbage only, and the collector's share.

    The collector is run (untimed) first, so no earlier garbage is left; then the timer covers
    the run and a collection right after it (freeing what the run left, cycles included),
    less a second collection right after that, which frees nothing and so measures the walk
    over live objects that every collection makes, whoever's garbage it is. The collector's
    share is the collections during the run plus the first one after it, less the second.
    """
    gc.collect()
    with GcClock() as during:
        t0 = time.perf_counter_ns()
        out = run()
        t1 = time.perf_counter_ns()
    gc.collect()
    t2 = time.perf_counter_ns()
    gc.collect()
    t3 = time.perf_counter_ns()
    walk = t3 - t2
    return out, (t2 - t0) - walk, during.ns + max((t2 - t1) - walk, 0)


def with_baselines(engines: tuple[str, ...], of: tuple[str, ...]) -> tuple[str, ...]:
    """`engines`, then the baseline tree's run of each engine in `of` (with --baseline)."""
    if BASELINE_TREE is None:
        return engines
    return (*engines, *(e + BASELINE for e in of))


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


def worker_main(spec: dict[str, Any], work: Callable[[dict[str, Any]], Sample]) -> None:
    """Run `work(spec)` once in a big-stack thread and print its result as one JSON line."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result.update(work(spec))
        except RecursionError:
            result["error"] = f"RecursionError at recursion limit {sys.getrecursionlimit():,}"
        except Exception as e:  # reported in the table
            result["error"] = f"{type(e).__name__}: {str(e)[:160]}"

    if spec.get("tree"):  # the baseline: its autograd_lite before this checkout's
        sys.path.insert(0, spec["tree"])
        import autograd_lite

        assert Path(autograd_lite.__file__).is_relative_to(spec["tree"]), autograd_lite.__file__
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
    cmd = [sys.executable, str(RUNNER), "--worker", json.dumps(spec)]
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
                "engine": engine.removesuffix(BASELINE),
                "gc": use_gc,
                **case.extra,
            }
            if engine.endswith(BASELINE):
                spec["tree"] = BASELINE_TREE
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


# =========================================================================== report helpers


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
