"""README.md tells the truth: its Python blocks print what it shows, and its benchmark table is
the one `tools/readme_bench.py` copies from benchmarks/results.md.

The Python blocks: every ```python block runs as written, in the README's order, in one
namespace (a block may use what an earlier one made), with a fresh temporary directory as the
working directory, so files the blocks write (`moons.json`, `expression.svg`, ...) land there.
Each block must be followed by the line `prints` and an output block, and what the block
prints must equal that output exactly, after one normalisation: memory addresses (`0x7f3a...`)
read `0x…` on both sides. Where PyTorch is not installed, a block that uses torch is left
out; where Graphviz's `dot` is missing, a block stops at its first drawing it renders
(`GraphvizNotFoundError`). Either is reported as a warning; the blocks after it must not need
what it would have made.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import shutil
import sys
import warnings
from pathlib import Path

import pytest

from autograd_lite.viz import GraphvizNotFoundError

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
sys.path.insert(0, str(ROOT / "tools"))
import readme_bench  # noqa: E402

FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)  # a fenced block: info, body
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def examples(text: str) -> list[tuple[int, str, str]]:
    """(line, code, shown output) for each python block; the output is the next block, after
    a line `prints`."""
    found = []
    for m in FENCE.finditer(text):
        if m.group(1) != "python":
            continue
        line = text.count("\n", 0, m.start()) + 1
        output = re.compile(r"\nprints\n\n```\n(.*?)^```\n", re.S | re.M).match(text, m.end())
        assert output, f"README.md line {line}: a python block needs `prints` and its output"
        found.append((line, m.group(2), output.group(1)))
    return found


def _normal(text: str) -> str:
    return ADDRESS.sub("0x…", text)


def test_readme_every_python_block_prints_what_follows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = examples(README.read_text(encoding="utf-8"))
    assert len(found) >= 8
    has_torch = importlib.util.find_spec("torch") is not None
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for line, code, expected in found:
        if re.search(r"\btorch\b", code) and not has_torch:
            warnings.warn(f"README.md line {line}: left out, no PyTorch here", stacklevel=1)
            continue
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"README.md, block at line {line}", "exec"), namespace)
        except GraphvizNotFoundError:
            if shutil.which("dot") is not None:
                raise
            warnings.warn(f"README.md line {line}: stopped, no Graphviz dot here", stacklevel=1)
            continue
        got = out.getvalue()
        assert _normal(got) == _normal(expected), (
            f"README.md line {line}: the block prints\n{got}\nbut the README shows\n{expected}"
        )


def test_readme_examples_are_found_with_their_outputs() -> None:
    text = "intro\n\n```python\nprint(1)\n```\n\nprints\n\n```\n1\n```\n\n```bash\nmake\n```\n"
    assert examples(text) == [(3, "print(1)\n", "1\n")]
    with pytest.raises(AssertionError, match="line 1: a python block needs"):
        examples("```python\nprint(1)\n```\n\n```\n1\n```\n")


def test_readme_addresses_are_the_only_normalisation() -> None:
    assert _normal("<Foo at 0x7f3a9c>") == _normal("<Foo at 0x1234>")
    assert _normal("Value(data=1.0)") != _normal("Value(data=1.00)")


def test_readme_make_targets_exist() -> None:
    targets = set(re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(), re.M))
    named = set(re.findall(r"\bmake ([a-z][a-z-]*)", README.read_text(encoding="utf-8")))
    assert {"demo", "test", "notebooks", "html", "check-notebooks", "bench"} <= named
    assert named <= targets


def test_readme_dotted_names_exist() -> None:
    """Every `autograd_lite.x.y` the README names is a module or an attribute of one."""
    named = set(re.findall(r"`(autograd_lite(?:\.\w+)+)`", README.read_text(encoding="utf-8")))
    assert "autograd_lite.compile" in named
    for name in sorted(named):
        module, _, attribute = name.rpartition(".")
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            assert hasattr(importlib.import_module(module), attribute), name


# --------------------------------------------------------------------- the benchmark table


def test_readme_benchmark_table_is_the_one_the_tool_writes() -> None:
    readme = README.read_text(encoding="utf-8")
    report = (ROOT / readme_bench.SOURCE).read_text(encoding="utf-8")
    assert readme_bench.refreshed(readme, report) == readme, (
        "README.md's benchmark table is not benchmarks/results.md's: run "
        "python tools/readme_bench.py"
    )


def test_readme_has_one_benchmark_table_and_no_speed_figures_outside_it() -> None:
    readme = README.read_text(encoding="utf-8")
    head, rest = readme.split(readme_bench.BEGIN)
    inside, tail = rest.split(readme_bench.END)
    outside = head + tail
    assert "| workload |" not in outside
    # A speed figure (38×, 443.1×, 28–37×) belongs in the table, which prose refers to.
    assert re.findall(r"\d×", outside) == []
    assert inside.count("| workload |") == 1


def _report_with_baseline() -> str:
    """A report as `benchmarks/run.py --baseline` writes it (W1, W4, W5 and W6, with rows of
    the baseline tree), from the benchmarks' own report code and made-up samples."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    common = pytest.importorskip("common")
    run = pytest.importorskip("run")
    sample = {
        "step_ns": 2e6,
        "gc_ns": 1e5,
        "compile_ns": 5e8,
        "fit_ns": 3e9,
        "losses": [1.0],
        "accuracy": [],
        "weights": "",
        "nodes": 100.0,
        "graph_bytes": 13000.0,
        "after_backward_bytes": 15000.0,
        "backward_peak_bytes": 3000.0,
        "nodes_first_step": 10.0,
        "op_nodes_first_step": 8.0,
    }
    cases = []
    saved, common.BASELINE_TREE = common.BASELINE_TREE, "/elsewhere"
    try:
        for task in ("W1", "W4", "W5", "W6"):
            for case in run.WORKLOADS[task].plan(False, False):
                for k, engine in enumerate(case.engines):
                    scale = 1.0 + k
                    case.samples[engine] = [
                        {key: v * scale if isinstance(v, float) else v for key, v in sample.items()}
                    ]
                cases.append(case)
    finally:
        common.BASELINE_TREE = saved
    meta = {
        "command": ".venv/bin/python benchmarks/run.py --baseline ../base",
        "date": "today",
        "commit": "abc1234",
        "python": "3.11.7",
        "machine": "Linux",
        "cpus": 2,
        "gc": "on",
        "baseline": "../base at def5678 an older commit",
        "wall_s": 1.0,
    }
    text: str = run.report(cases, meta)[0]
    return text


def test_readme_bench_summarises_a_report_with_baseline_rows_and_w6() -> None:
    report = _report_with_baseline()
    assert "baseline tree" in report and "## W6" in report
    table = readme_bench.summary(report)
    rows = [line for line in table.splitlines() if line.startswith("| W")]
    assert [r.split(":")[0] for r in rows] == ["| W1", "| W1 compiled", "| W4", "| W5"] + [
        "| W6"
    ] * 4
    assert not any("baseline" in r for r in rows) and "not in this report" not in table
    assert "--baseline ../base" in table  # the command line of the run it comes from
    assert "| 2.00 ms | micrograd " in rows[0]


def test_readme_bench_says_which_workloads_a_report_lacks() -> None:
    table = readme_bench.summary("Command: `x`\n\n## W5: nothing here\n")
    assert table.count("not in this report") == 4  # W1, W4, W5 and W6
    assert table.startswith(readme_bench.BEGIN) and table.endswith(readme_bench.END)


def test_readme_bench_needs_its_markers_once() -> None:
    with pytest.raises(ValueError, match="once each"):
        readme_bench.refreshed("no markers", "")
