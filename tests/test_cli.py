"""Tests for the `autograd-lite` command line: the demo end to end, --help and bad options."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd_lite import nn
from autograd_lite.cli import DATASETS, main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
QUICK = ["--epochs", "3", "--samples", "30", "--no-progress"]


def _check_png(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), path
    assert len(data) > 5_000, f"{path} is only {len(data)} bytes"


def test_cli_demo_writes_pictures_model_and_prints_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nested" / "out"
    assert main(["demo", *QUICK, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # --no-progress and nothing went wrong
    printed = captured.out
    assert "MLP(2, [16, 16, 1]) (337 parameters) on moons: 30 samples, 3 epochs" in printed
    assert re.search(r"final accuracy: \d+\.\d% \(\d+/30\)", printed)
    for name in ("loss.png", "decision_boundary.png", "neuron.svg", "model.json"):
        assert (out / name).is_file(), name
        assert str(out / name) in printed
    _check_png(out / "loss.png")
    _check_png(out / "decision_boundary.png")
    svg = ET.parse(out / "neuron.svg").getroot()
    assert svg.tag.endswith("svg")
    text = "".join(svg.itertext())
    assert "x1" in text and "out" in text  # the labelled input and output nodes
    model = nn.MLP.load(out / "model.json")
    assert len(model.parameters()) == 337
    assert json.loads((out / "model.json").read_text())  # plain JSON


def test_cli_demo_default_recipe_learns_moons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--no-progress", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    found = re.search(r"final accuracy: (\d+\.\d)% \((\d+)/100\)", printed)
    assert found, printed
    assert float(found.group(1)) >= 95.0


@pytest.mark.parametrize("dataset", [d for d in DATASETS if d != "moons"])
def test_cli_demo_runs_on_every_dataset(
    dataset: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "demo",
                "--dataset",
                dataset,
                "--epochs",
                "2",
                "--samples",
                "24",
                "--no-progress",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert f"on {dataset}:" in capsys.readouterr().out
    _check_png(tmp_path / "decision_boundary.png")


def test_cli_demo_without_graphviz_writes_dot_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no `dot` to be found
    assert main(["demo", *QUICK, "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert (tmp_path / "neuron.dot").read_text().startswith("digraph")
    assert not (tmp_path / "neuron.svg").exists()
    assert str(tmp_path / "neuron.dot") in captured.out
    assert "apt-get install graphviz" in captured.err


def test_cli_help_lists_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--help"]) == 0
    text = capsys.readouterr().out
    for option in (
        "--dataset",
        "--samples",
        "--noise",
        "--epochs",
        "--lr",
        "--hidden",
        "--batch-size",
        "--seed",
        "--out",
        "--no-progress",
        "--help",
    ):
        assert option in text, option
    for dataset in DATASETS:
        assert dataset in text
    assert "loss.png" in text and "decision_boundary.png" in text and "neuron.svg" in text
    assert main(["--help"]) == 0
    assert "demo" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "required: COMMAND"),
        (["train"], "invalid choice: 'train'"),
        (["demo", "--epochs", "-3"], "argument --epochs: must be at least 1, got -3"),
        (["demo", "--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
        (["demo", "--epochs", "ten"], "argument --epochs: expected a positive integer, got 'ten'"),
        (["demo", "--dataset", "iris"], "argument --dataset: invalid choice: 'iris'"),
        (["demo", "--lr", "0"], "argument --lr: must be a finite number greater than 0"),
        (["demo", "--lr", "nan"], "argument --lr: must be a finite number"),
        (["demo", "--noise", "-0.1"], "argument --noise: must be a finite number at least 0"),
        (["demo", "--seed", "-1"], "argument --seed: must be 0 or more, got -1"),
        (["demo", "--hidden"], "argument --hidden: expected at least one argument"),
        (["demo", "--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["demo", "--samples", "1"], "cannot make the moons data set: n must be at least 2"),
    ],
)
def test_cli_bad_options_exit_2_with_message(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "usage: autograd-lite" in err
    assert message in err


def test_cli_unwritable_output_folder_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    assert main(["demo", *QUICK, "--out", str(blocker)]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    assert main(["demo", *QUICK, "--out", str(blocker / "sub")]) == 2
    assert "cannot write to output folder" in capsys.readouterr().err


def test_cli_runs_as_python_module(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}  # headless
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograd_lite",
            "demo",
            "--epochs",
            "2",
            "--samples",
            "20",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "final accuracy:" in result.stdout
    assert "2/2" in result.stderr  # the progress bar
    for name in ("loss.png", "decision_boundary.png", "neuron.svg", "model.json"):
        assert (tmp_path / name).is_file(), name
    bad = subprocess.run(
        [sys.executable, "-m", "autograd_lite", "demo", "--epochs", "-1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert "--epochs: must be at least 1" in bad.stderr
