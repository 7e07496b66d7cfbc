"""W6: whole trainings with `fit`, as written and with `compile=True`, from a fresh model.

Each run is one `fit(...)` call end to end in a fresh process (compiling included, imports and
data not), charged for its own garbage only; both runs of a row must give the same history and
the same final weights, bit for bit.
"""

from __future__ import annotations

import hashlib
from typing import Any

from common import AL, BASELINE, Case, Sample, charged, fmt, per, spread, target_row, with_baselines

TASK = "W6"
COMPILED = "autograd_lite compile=True"
ENGINES = (AL, COMPILED)

# row: (what it is, shuffled minibatches?, target speed-up of compile=True)
ROWS: dict[str, tuple[str, bool, float]] = {
    "bce": ("Adam, `bce_with_logits`, batch 25, shuffled, 150 epochs", True, 4.0),
    "hinge": ("SGD, hinge, batch 25, shuffled, 60 epochs", True, 4.0),
    "full": ("SGD, hinge, full batch (100), 60 epochs", False, 3.0),
    "ce": ("Adam, cross-entropy, 3 classes, batch 30, shuffled, 150 epochs", True, 4.0),
}


def _training(row: str) -> tuple[Any, dict[str, Any]]:
    """The model and fit's arguments of a row (built outside the timer)."""
    from autograd_lite import data, losses, nn, optim

    if row == "ce":
        X, y = data.make_spirals(90, classes=3, seed=0)
        model = nn.MLP(2, [16, 16, 3], seed=0)
        opt = optim.Adam(model.parameters(), lr=0.01)
        return model, dict(
            X=X, y=y, loss=losses.cross_entropy, optimizer=opt, epochs=150, batch_size=30
        )
    X, y01 = data.make_moons(100, 0.1, 0)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    if row == "bce":
        opt = optim.Adam(model.parameters(), lr=0.01)
        return model, dict(
            X=X, y=y01, loss=losses.bce_with_logits, optimizer=opt, epochs=150, batch_size=25
        )
    pm = [2 * t - 1 for t in y01]
    opt = optim.SGD(model.parameters(), lr=0.05)
    size = 25 if row == "hinge" else None
    return model, dict(X=X, y=pm, loss=losses.hinge, optimizer=opt, epochs=60, batch_size=size)


def work(spec: dict[str, Any]) -> Sample:
    from autograd_lite import fit

    model, kw = _training(spec["variant"])
    X, y = kw.pop("X"), kw.pop("y")
    compiled = spec["engine"] == COMPILED
    history, ns, gc_ns = charged(lambda: fit(model, X, y, progress=False, compile=compiled, **kw))
    weights = "".join(p.data.hex() for p in model.parameters())
    return {
        "fit_ns": ns,
        "gc_ns": gc_ns,
        "losses": [x.hex() for x in history.loss],
        "accuracy": [x.hex() for x in history.accuracy],
        "weights": hashlib.sha256(weights.encode()).hexdigest(),
        "final_loss": history.loss[-1],
    }


def plan(quick: bool, big: bool) -> list[Case]:
    engines = with_baselines(ENGINES, ENGINES)
    rows = ["hinge"] if quick else list(ROWS)
    return [Case(TASK, row, 0, engines, 1 if quick else 5) for row in rows]


def problems(cases: list[Case]) -> list[str]:
    """compile=True must give the history and weights of compile=False, bit for bit."""
    found = []
    for c in cases:
        for suffix in ("", BASELINE):
            runs = [
                (s["losses"], s["accuracy"], s["weights"])
                for e in (AL + suffix, COMPILED + suffix)
                for s in c.samples.get(e, [])
            ]
            if any(r != runs[0] for r in runs):
                found.append(f"W6 {c.variant}: compile=True changes the history{suffix}")
    return found


def report(cases: list[Case]) -> tuple[list[str], dict[str, Any]]:
    summary: dict[str, Any] = {}
    lines = [
        "## W6: whole trainings with `fit`, compiled and not",
        "",
        "moons (100 points) with `nn.MLP(2, [16, 16, 1], seed=0)`, and 3-class spirals (90 "
        "points) with `nn.MLP(2, [16, 16, 3], seed=0)`: one `fit(...)` from a fresh model per "
        "process, end to end (compiling and the per-epoch objective and accuracy included), "
        "charged for its own garbage only. Every row's runs give the same history and final "
        "weights bit for bit (checked).",
        "",
        "| training | `compile=False` s | `compile=True` s | speed-up | target |",
        "|---|---:|---:|---:|---|",
    ]
    for c in cases:
        what, _, goal = ROWS[c.variant]
        for suffix in ("", BASELINE) if AL + BASELINE in c.engines else ("",):
            slow, fast = c.median(AL + suffix, "fit_ns"), c.median(COMPILED + suffix, "fit_ns")
            sp = None if slow is None or fast is None else slow / fast
            if not suffix:
                summary[f"W6_{c.variant}_speedup"] = sp
            name = what + (" (baseline tree)" if suffix else "")
            target = f"≥ {goal:.0f}× {target_row(sp, goal)}" if not suffix else ""
            lines.append(
                f"| {name} | {fmt(per(slow, 1e9), 2)} ({spread(c, AL + suffix, 'fit_ns', 1e9)}) | "
                f"{fmt(per(fast, 1e9), 2)} ({spread(c, COMPILED + suffix, 'fit_ns', 1e9)}) | "
                f"{'n/a' if sp is None else f'{sp:.1f}×'} | {target} |"
            )
    lines.append("")
    return lines, summary
