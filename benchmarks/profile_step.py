"""Profile one benchmark workload of autograd_lite with cProfile, and its cyclic-GC share.

Usage: `.venv/bin/python benchmarks/profile_step.py w1` (or `w2`, `w3`, `w3dot`, `w5`;
`--top 25`).
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

import w1_training_step
import w2_chain
import w3_dot
import w5_microgpt
from common import AL


def workload(name: str, n: int) -> Callable[[], object]:
    """A function that runs `name` once for autograd_lite (inputs made beforehand)."""
    if name == "w1":
        step = w1_training_step._autograd_lite(100, 42)[0]
        return step
    if name == "w2":

        def chain() -> None:
            _, y = w2_chain.chain(AL, "tanh", n)
            y.backward()

        return chain
    if name == "w5":
        from autograd_lite import Value

        train = w5_microgpt.make_trainer(Value)
        steps = iter(range(10**9))
        return lambda: train(next(steps))
    variant = "dot" if name == "w3dot" else "plain"
    a, b = w3_dot.leaves(AL, n)

    def products() -> None:
        for v in (*a, *b):
            v.grad = 0.0
        w3_dot.sum_of_products(AL, variant, a, b).backward()

    return products


def wall_ms(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workload", choices=["w1", "w2", "w3", "w3dot", "w5"])
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
