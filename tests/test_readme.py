"""README.md tells the truth: every example followed by "prints" prints exactly what the README
says, and its benchmark table is the one `tools/readme_bench.py` copies from
benchmarks/results.md."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
sys.path.insert(0, str(ROOT / "tools"))
import readme_bench  # noqa: E402

# A python block (no ``` inside), the word "prints", and the output block.
EXAMPLE = re.compile(r"```python\n((?:(?!```).)*?)```\n\nprints\n\n```\n(.*?)```", re.S)


def _examples() -> list[tuple[str, str]]:
    return EXAMPLE.findall(README.read_text(encoding="utf-8"))


def test_readme_has_examples_with_their_output() -> None:
    assert len(_examples()) >= 4


@pytest.mark.parametrize(("code", "expected"), _examples())
def test_readme_example_output_is_true(
    code: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "import torch" in code and importlib.util.find_spec("torch") is None:
        pytest.skip("this example needs PyTorch")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue() == expected


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
