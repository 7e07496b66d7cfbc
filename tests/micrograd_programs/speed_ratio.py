"""Time one step of micrograd's demo with micrograd 0.1.0 and with autograd_lite.micrograd,
in the same process, alternating, and print the medians and their ratio.

    .venv/bin/python tests/micrograd_programs/speed_ratio.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time

from programs import ENGINES, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="timed steps per engine")
    args = parser.parse_args()

    programs = {e: load("demo_moons.py", e) for e in ENGINES}
    X, y = programs["micrograd"]["make_moons"](100)
    models = {}
    for e in ENGINES:
        random.seed(1337)
        models[e] = programs[e]["MLP"](2, [16, 16, 1])
    times: dict[str, list[float]] = {e: [] for e in ENGINES}
    losses: dict[str, list[float]] = {e: [] for e in ENGINES}
    for k in range(args.rounds + 1):  # the first round warms up and is not counted
        order = ENGINES if k % 2 == 0 else ENGINES[::-1]
        for e in order:
            start = time.perf_counter()
            loss = programs[e]["step"](models[e], X, y, k)
            elapsed = time.perf_counter() - start
            if k:
                times[e].append(elapsed)
            losses[e].append(loss)
    agree = max(abs(a - b) / abs(b) for a, b in zip(*losses.values()))
    median = {e: statistics.median(times[e]) * 1e3 for e in ENGINES}
    print(f"micrograd's demo step, MLP(2, [16, 16, 1]) on 100 points, {args.rounds} rounds")
    print(f"Python {platform.python_version()}, cyclic GC on, engines alternating")
    for e in ENGINES:
        lo, hi = min(times[e]) * 1e3, max(times[e]) * 1e3
        print(f"  {e:<14} median {median[e]:8.2f} ms per step (range {lo:.2f} to {hi:.2f})")
    print(f"  speed ratio    {median['micrograd'] / median['autograd_lite']:.1f}x")
    print(f"  losses agree to {agree:.1e} relative over {len(losses['micrograd'])} steps")


if __name__ == "__main__":
    main()
