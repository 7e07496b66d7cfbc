"""The Makefile's Graphviz step: tests and notebooks need `dot`, the demo runs without it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENSURE_DOT = ROOT / "tools" / "ensure_dot.sh"
MAKE = shutil.which("make")
needs_make = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def fake_bin(tmp_path: Path, *, uid: int, dot: bool) -> Path:
    """A PATH folder with an `id` that reports `uid`, and `dot` only if asked: no apt-get."""
    folder = tmp_path / "bin"
    folder.mkdir()
    scripts = {"id": f"#!/bin/sh\necho {uid}\n"}
    if dot:
        scripts["dot"] = "#!/bin/sh\nexit 0\n"
    for name, text in scripts.items():
        (folder / name).write_text(text)
        (folder / name).chmod(0o755)
    return folder


def ensure_dot(tmp_path: Path, *args: str, dot: bool) -> subprocess.CompletedProcess[str]:
    folder = fake_bin(tmp_path, uid=1000, dot=dot)
    return subprocess.run(
        ["/bin/sh", str(ENSURE_DOT), *args],
        env={"PATH": str(folder)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_ensure_dot_without_dot_or_root_fails_and_says_how_to_install(tmp_path: Path) -> None:
    done = ensure_dot(tmp_path, dot=False)
    assert done.returncode == 1
    assert "sudo apt-get install graphviz" in done.stdout and "brew install" in done.stdout


def test_ensure_dot_optional_goes_on_with_the_hint(tmp_path: Path) -> None:
    done = ensure_dot(tmp_path, "--optional", dot=False)
    assert done.returncode == 0
    assert "sudo apt-get install graphviz" in done.stdout and "going on without it" in done.stdout


def test_ensure_dot_with_dot_is_silent(tmp_path: Path) -> None:
    done = ensure_dot(tmp_path, dot=True)
    assert (done.returncode, done.stdout) == (0, "")


@needs_make
def test_make_demo_runs_without_dot_and_prints_the_hint(tmp_path: Path) -> None:
    python = ROOT / ".venv" / "bin" / "python"
    if not python.exists():
        pytest.skip("the demo runs from .venv, which `make` creates")
    out = tmp_path / "out"
    env = {**os.environ, "PATH": str(fake_bin(tmp_path, uid=1000, dot=False))}
    done = subprocess.run(
        [str(MAKE), "-C", str(ROOT), "-o", ".venv/.installed-demo", "demo", f"DEMO_OUT={out}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sudo apt-get install graphviz" in done.stdout
    assert (out / "neuron.dot").read_text().startswith("digraph")
    assert (out / "loss.png").is_file() and not (out / "neuron.svg").exists()


@needs_make
def test_make_tests_and_notebooks_still_need_dot() -> None:
    for target in ("pytest", "notebooks"):
        plan = subprocess.run(
            [str(MAKE), "-C", str(ROOT), "-n", target], capture_output=True, text=True, check=True
        ).stdout
        (line,) = [line for line in plan.splitlines() if "ensure_dot.sh" in line]
        assert "--optional" not in line, target
