"""Copy the benchmark summary from benchmarks/results.md into README.md, between its markers.

    python tools/readme_bench.py           # rewrite README.md's benchmark table
    python tools/readme_bench.py --check   # exit 1 if README.md's table is not what it would write

The README shows one compact table: W1 (dynamic and compiled) against micrograd, W4's bytes per
node, W5 against the minimal Value and W6's `fit(compile=True)` speed-ups. Its numbers are the
report's own cells; rows of a baseline tree (`run.py --baseline`) and the other workloads stay
in the report. A workload missing from the report gets a row that says so.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- benchmarks: begin -->"
END = "<!-- benchmarks: end -->"
SOURCE = "benchmarks/results.md"
GRAPHS = ("chain_relu", "plain")  # W4's graphs that both engines build

Table = list[dict[str, str]]


def sections(report: str) -> dict[str, list[str]]:
    """The report's lines under each `## Wn: ...` heading, by workload (`"W1"`, ...)."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in report.splitlines():
        heading = re.match(r"## (W\d+)\b", line)
        if heading:
            current = found.setdefault(heading.group(1), [])
        elif line.startswith("## "):
            current = None
        elif current is not None:
            current.append(line)
    return found


def tables(lines: Sequence[str]) -> list[Table]:
    """The Markdown tables in `lines`, each a list of rows keyed by the header's cells."""
    found: list[Table] = []
    block: list[list[str]] = []
    for line in [*lines, ""]:
        if line.startswith("|"):
            block.append([cell.strip() for cell in line.strip().strip("|").split("|")])
            continue
        if len(block) >= 2:
            header = block[0]
            found.append([dict(zip(header, row)) for row in block[2:]])
        block = []
    return found


def _table_with(lines: Sequence[str], column: str) -> Table:
    """The first table of a section that has `column`; empty if there is none."""
    return next((t for t in tables(lines) if t and column in t[0]), [])


def _row(table: Table, key: str, value: str) -> dict[str, str]:
    return next((r for r in table if r.get(key) == value), {})


def _number(cell: str) -> float | None:
    """The number a cell starts with (`"1,823.77"`, `"131"`), or None."""
    found = re.match(r"[\d,]+(?:\.\d+)?", cell)
    return float(found.group(0).replace(",", "")) if found else None


def _median(cell: str) -> str:
    """A W6 cell without its range: `"1.23 (1.20–1.31)"` → `"1.23"`."""
    return cell.split(" (")[0]


def _missing(what: str, workload: str) -> str:
    return f"| {what} | not in this report (`benchmarks/run.py --only {workload}`) | | |"


def _w1(lines: Sequence[str]) -> list[str]:
    table = _table_with(lines, "engine")
    dynamic = _row(table, "engine", "autograd_lite")
    compiled = _row(table, "engine", "autograd_lite compiled")
    micrograd = _row(table, "engine", "micrograd")
    what = "W1: one training step of micrograd's moons demo (MLP(2, [16, 16, 1]), 100 points)"
    if not dynamic or not micrograd:
        return [_missing(what, "W1")]
    ms = "ms per step (median)"
    other = f"micrograd {micrograd[ms]} ms"
    rows = [f"| {what} | {dynamic[ms]} ms | {other} | {dynamic['speed-up']} |"]
    if compiled:
        rows.append(
            "| W1 compiled: that step traced once with `autograd_lite.compile`, then "
            f"`program.run()` | {compiled[ms]} ms | {other} | {compiled['speed-up']} |"
        )
    return rows


def _w4(lines: Sequence[str]) -> list[str]:
    table = _table_with(lines, "graph")
    rows = {(r["graph"], r["engine"]): r for r in table}
    pairs = [(rows.get((g, "autograd_lite")), rows.get((g, "micrograd"))) for g in GRAPHS]
    what = "W4: bytes per node of a graph, a relu chain / Σ aᵢbᵢ"
    if any(mine is None or theirs is None for mine, theirs in pairs):
        return [_missing(what, "W4")]
    column = "bytes/node (graph)"
    mine = [m[column] for m, _ in pairs if m is not None]
    theirs = [t[column] for _, t in pairs if t is not None]
    nodes = " / ".join(m["nodes"] for m, _ in pairs if m is not None)
    ratios = []
    for a, b in zip(mine, theirs):
        x, y = _number(a), _number(b)
        ratios.append("n/a" if not x or y is None else f"{y / x:.1f}×")
    return [
        f"| {what} ({nodes} nodes) | {' / '.join(mine)} B | micrograd {' / '.join(theirs)} B | "
        f"{' / '.join(ratios)} |"
    ]


def _w5(lines: Sequence[str]) -> list[str]:
    table = _table_with(lines, "engine")
    mine, minimal = _row(table, "engine", "autograd_lite"), _row(table, "engine", "minimal Value")
    what = "W5: a microgpt-shaped training step, the same code on each `Value` class"
    if not mine or not minimal:
        return [_missing(what, "W5")]
    ms = "ms per step"
    return [
        f"| {what} | {mine[ms]} ms | a minimal slotted `Value` {minimal[ms]} ms | "
        f"{mine['speed-up']} |"
    ]


def _w6(lines: Sequence[str]) -> list[str]:
    table = _table_with(lines, "training")
    rows = [r for r in table if "baseline" not in r["training"]]
    if not rows:
        return [_missing("W6: whole trainings with `fit(compile=True)`", "W6")]
    return [
        f"| W6: `fit(compile=True)`, {r['training']} | {_median(r['`compile=True` s'])} s | "
        f"`compile=False` {_median(r['`compile=False` s'])} s | {r['speed-up']} |"
        for r in rows
    ]


def summary(report: str) -> str:
    """The README's benchmark block (markers included) for the report `report`."""
    parts = sections(report)
    command = next((line for line in report.splitlines() if line.startswith("Command: ")), "")
    measured = command.removeprefix("Command: ").rstrip(".") or "no command line in the report"
    rows = [
        *_w1(parts.get("W1", [])),
        *_w4(parts.get("W4", [])),
        *_w5(parts.get("W5", [])),
        *_w6(parts.get("W6", [])),
    ]
    return "\n".join(
        [
            BEGIN,
            f"From [`{SOURCE}`]({SOURCE}): {measured}. Medians over fresh processes. Ratio: "
            "the other's time (W4: bytes) over autograd_lite's; for W6, `compile=False`'s time "
            "over `compile=True`'s.",
            "",
            "| workload | autograd_lite | compared with | ratio |",
            "|---|---:|---:|---:|",
            *rows,
            END,
        ]
    )


def refreshed(readme: str, report: str) -> str:
    """`readme` with the text between its markers replaced by `summary(report)`."""
    if readme.count(BEGIN) != 1 or readme.count(END) != 1:
        raise ValueError(f"README.md needs {BEGIN} and {END} once each")
    head, rest = readme.split(BEGIN)
    _, tail = rest.split(END)
    return head + summary(report) + tail


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if it differs")
    parser.add_argument("--results", type=Path, default=ROOT / SOURCE)
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args(argv)
    readme = args.readme.read_text(encoding="utf-8")
    new = refreshed(readme, args.results.read_text(encoding="utf-8"))
    if args.check:
        if new != readme:
            print(
                f"{args.readme}: the benchmark table differs from {args.results}; run "
                "python tools/readme_bench.py",
                file=sys.stderr,
            )
            return 1
        return 0
    if new != readme:
        args.readme.write_text(new, encoding="utf-8")
        print(f"wrote the benchmark table into {args.readme}")
    else:
        print(f"{args.readme} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
