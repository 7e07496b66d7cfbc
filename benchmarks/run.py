"""Benchmarks: autograd_lite side by side with micrograd 0.1.0 and a minimal Value class.

W1 training step, W2 deep chain, W3 sum of products, W4 bytes per node, W5 microgpt-shaped
step, W6 whole trainings with fit; one module per workload. Writes benchmarks/results.md
and benchmarks/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import w1_training_step
import w2_chain
import w3_dot
import w4_memory
import w5_microgpt
import w6_fit
from common import HERE, MG_VERSION, Case, machine_meta, run_case, worker_main

WORKLOADS: dict[str, ModuleType] = {
    m.TASK: m for m in (w1_training_step, w2_chain, w3_dot, w4_memory, w5_microgpt, w6_fit)
}


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
        "Speed-up = the other engine's time / autograd_lite's time. "
        "W1, W5 and W6 charge each engine for its own garbage only: a collection (untimed) "
        "before each timed step; the step is timed with a collection right after it, less a "
        "second collection right after that (the walk over live objects every collection "
        "makes). Their GC column is the collector's part of that: the collections during the "
        "step and the one right after it, less the second. W2 and W3 time the collections "
        "during the work with `gc.callbacks` (GC share).",
        "",
    ]
    if "baseline" in meta:
        lines += [f"Baseline tree (rows marked baseline): {meta['baseline']}.", ""]
    for task, module in WORKLOADS.items():
        mine = [c for c in cases if c.task == task]
        if mine:
            text, numbers = module.report(mine)
            lines += text
            summary.update(numbers)
    load = meta.get("load_average_at_start")
    load_text = "" if load is None else f" 1-minute load average at the start: {load:.2f}."
    lines += [f"Total benchmark wall time: {meta['wall_s']:.0f} s.{load_text}", ""]
    return "\n".join(lines), summary


def _command(args: argparse.Namespace) -> str:
    """The command that gives these results, run from the checkout's root (a baseline's path
    relative to it)."""
    parts = [".venv/bin/python benchmarks/run.py"]
    parts += [
        f"--{flag.replace('_', '-')}" for flag in ("quick", "big", "no_gc") if getattr(args, flag)
    ]
    if args.only:
        parts.append(f"--only {args.only}")
    if args.baseline is not None:
        parts.append(f"--baseline {os.path.relpath(args.baseline.resolve(), HERE.parent)}")
    return " ".join(parts)


def _describe_tree(tree: str) -> str:
    """The baseline tree's commit, for the report."""
    try:
        found = subprocess.run(
            ["git", "-C", tree, "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return tree
    return f"a checkout of {found.stdout.strip()[:80]}"


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
    parser.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W5")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results.md/.json")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per worker")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of autograd_lite (e.g. a git worktree of an older commit): "
        "W1, W5 and W6 also run on it, side by side",
    )
    args = parser.parse_args(None if argv is None else list(argv))

    if args.worker:
        spec = json.loads(args.worker)
        worker_main(spec, WORKLOADS[spec["task"]].work)
        return 0

    if args.baseline is not None:
        tree = args.baseline.resolve()
        if not (tree / "autograd_lite" / "__init__.py").is_file():
            parser.error(f"--baseline: {tree} holds no autograd_lite/__init__.py")
        common.BASELINE_TREE = str(tree)
    use_gc = not args.no_gc
    only = {w.strip().upper() for w in args.only.split(",") if w.strip()}
    unknown = only - WORKLOADS.keys()
    if unknown:
        parser.error(
            f"--only: unknown workload(s) {sorted(unknown)}; choose from {list(WORKLOADS)}"
        )
    try:
        import micrograd  # noqa: F401
    except ImportError:
        print("micrograd is not installed: run `make bench`", file=sys.stderr)
        return 2

    start = time.perf_counter()
    done: list[Case] = []
    for task, module in WORKLOADS.items():
        if only and task not in only:
            continue
        for case in module.plan(args.quick, args.big):
            run_case(case, use_gc, args.timeout)
            done.append(case)
            if hasattr(module, "after"):
                done += module.after(case, use_gc, args.timeout)

    meta = machine_meta(use_gc)
    if common.BASELINE_TREE is not None:
        meta["baseline"] = _describe_tree(common.BASELINE_TREE)
    meta["command"] = _command(args)
    meta["wall_s"] = time.perf_counter() - start
    markdown, summary = report(done, meta)
    problems = [
        p
        for task, module in WORKLOADS.items()
        if hasattr(module, "problems")
        for p in module.problems([c for c in done if c.task == task])
    ]
    raw = {
        "meta": meta,
        "summary": summary,
        "problems": problems,
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
    for p in problems:
        print(f"FAILED CHECK: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
