"""Record micrograd 0.1.0's run of the demo (100 points, 100 SGD steps) in demo_reference.json.

    .venv/bin/pip install micrograd==0.1.0
    .venv/bin/python tests/micrograd_programs/make_reference.py

The test compares autograd_lite.micrograd against this file (running micrograd's 100 steps
takes over a minute, too long for the test suite).
"""

from __future__ import annotations

import json
import platform
import random
import sys
from importlib.metadata import version

from programs import HERE, load

SEED = 1337
STEPS = 100
RECORD = (0, 1, 50, 99)


def main() -> None:
    program = load("demo_moons.py", "micrograd")
    X, y = program["make_moons"](100)
    random.seed(SEED)
    model = program["MLP"](2, [16, 16, 1])
    initial = [p.data for p in model.parameters()]
    history = program["train"](model, X, y, STEPS, RECORD)
    reference = {
        "made_by": f"micrograd {version('micrograd')}, Python {platform.python_version()}",
        "seed": SEED,
        "points": 100,
        "steps": STEPS,
        "initial_parameters": initial,
        "loss": history["loss"],
        "accuracy": history["accuracy"],
        "grads": {str(k): g for k, g in history["grads"].items()},
        "final_parameters": [p.data for p in model.parameters()],
    }
    path = HERE / "demo_reference.json"
    path.write_text(json.dumps(reference, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}: final loss {history['loss'][-1]:.6f}", file=sys.stderr)


if __name__ == "__main__":
    main()
