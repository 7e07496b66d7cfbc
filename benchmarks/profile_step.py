"""Profile one benchmark workload of autograd_lite with cProfile, and its cyclic-GC share.

Usage: `.venv/bin/python benchmarks/profile_step.py w1` (or `w2`, `w3`, `w3dot`; `--top 25`).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # the workloads live in run.py


def workload(name: str, n: int) -> Callable[[], None]:
    """A function that runs `name` once for autograd_lite (inputs made beforehand)."""
    if name == "w1":
        return run._w1_autograd_lite(100, 42)
    if name == "w2":

        def chain() -> None:
            _, y = run._chain(run.AL, "tanh", n)
            y.backward()

        return chain
    variant = "dot" if name == "w3dot" else "plain"
    a, b = run._leaves(run.AL, n)

    def products() -> None:
        for v in (*a, *b):
            v.grad = 0.0
        run._sum_of_products(run.AL, variant, a, b).backward()

    return products


def wall_ms(fn: Callable[[], None], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workload", choices=["w1", "w2", "w3", "w3dot"])
    parser.add_argument("--n", type=int, default=10**5, help="N for w2/w3 (default 10⁵)")
    parser.add_argument("--top", type=int, default=20, help="rows of the profile to print")
    parser.add_argument("--repeats", type=int, default=5, help="runs for the wall-clock timing")
    args = parser.parse_args()

    fn = workload(args.workload, args.n)
    fn()  # warm up
    with_gc = wall_ms(fn, args.repeats)
    gc.disable()
    without_gc = wall_ms(fn, args.repeats)
    gc.enable()
    share = 1 - without_gc / with_gc
    print(
        f"{args.workload}: {with_gc:.1f} ms with the cyclic GC on, {without_gc:.1f} ms with it "
        f"off (the GC takes {share:.0%})\n"
    )

    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.strip_dirs().sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
