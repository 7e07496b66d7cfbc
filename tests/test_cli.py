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
    assert "x₁" in text and "w₁" in text and "h" in text  # 0-based, as nn names them
    assert not re.search(r"\b(x1|w1)\b", text) and "\nout\n" not in text  # the old names
    assert "Neuron 1 of hidden layer 1 (relu) on training sample" in text
    assert "On each edge, its local derivative, e.g. ∂z/∂w₀ = x₀ = " in text
    assert "∂z/∂w₁ = " in text and "∂z/∂x₀ = " in text and "∂z/∂b = 1" in text  # the edges
    assert "∂=" not in text  # no slot names on the edges
    assert "on the edge from a into the op that makes c: the local derivative" in text  # legend
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
        "--no-compile",
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
        (["demo", "--epochs", "3", "extra"], "demo: error: unrecognized arguments: extra"),
        (["--bogus", "demo"], "autograd-lite: error: unrecognized arguments: --bogus"),
        (["demo", "--samples", "1"], "argument --samples: the moons data set needs at least 2"),
        (
            ["demo", "--dataset", "spirals", "--samples", "2"],
            "argument --samples: the spirals data set needs at least 3 samples, got 2",
        ),
        (["demo", "--samples", "100000000"], "n must be at most 10000000"),
        (["demo", "--bogus"], "usage: autograd-lite demo [-h]"),
        (["demo", "--bogus"], "autograd-lite demo: error: unrecognized arguments: --bogus"),
        (
            ["demo", "--hidden", "1000000", "1000000"],
            "argument --hidden: MLP(2, [1000000, 1000000, 1]) has 1000005000001 parameters, "
            "more than the limit MAX_PARAMETERS = 1000000",
        ),
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


# --------------------------------------------------------------------------- failures and Ctrl-C


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every entry of `folder` (hidden ones too) with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def quick_pictures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pictures written as a few bytes: the tests below are about which files end up where."""
    from autograd_lite.training import plot

    def picture(*args: object, path: Path, **kwargs: object) -> None:
        path.write_bytes(PNG_SIGNATURE + b" new")

    monkeypatch.setattr(plot, "plot_history", picture)
    monkeypatch.setattr(plot, "plot_decision_boundary", picture)


@pytest.fixture
def old_run(tmp_path: Path) -> Path:
    """An output folder holding a previous run's files and a file of the user's."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("loss.png", "decision_boundary.png", "neuron.svg"):
        (out / name).write_text(f"the old {name}")
    nn.MLP(2, [16, 16, 1], seed=1).save(out / "model.json")
    (out / "notes.txt").write_text("mine")
    return out


def test_cli_diverging_training_stops_with_one_line_and_exit_1(
    old_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    before = _snapshot(old_run)
    assert main(["demo", *QUICK, "--lr", "1e300", "--out", str(old_run)]) == 1
    err = capsys.readouterr().err
    assert err == (
        "autograd-lite: error: training diverged: the loss became nan at epoch 1 of 3; "
        "--lr 1e+300 is too large; try a smaller one (the default is 1)\n"
    )
    assert _snapshot(old_run) == before  # nothing written


def test_cli_diverging_training_in_a_subprocess_has_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autograd_lite", "demo", *QUICK, "--lr", "1e300"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("autograd-lite: error: training diverged: the loss became")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "demo_out").exists()  # the folder this run made is gone again


def test_cli_ctrl_c_while_writing_leaves_the_old_folder(
    old_run: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    quick_pictures: None,
) -> None:
    from autograd_lite.training import plot

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    capsys.readouterr()
    before = _snapshot(old_run)
    monkeypatch.setattr(plot, "plot_decision_boundary", interrupted)  # after loss.png
    assert main(["demo", *QUICK, "--seed", "2", "--out", str(old_run)]) == 130
    assert capsys.readouterr().err == f"autograd-lite: interrupted; {old_run} is as it was\n"
    assert _snapshot(old_run) == before  # all old: no new file, no temporary folder


def test_cli_ctrl_c_while_training_a_new_folder_leaves_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autograd_lite import training

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "fit", interrupted)
    assert main(["demo", *QUICK, "--out", str(tmp_path / "new")]) == 130
    assert os.listdir(tmp_path) == []


def test_cli_failed_swap_rolls_back_to_the_old_files(
    old_run: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    quick_pictures: None,
) -> None:
    before = _snapshot(old_run)
    real_replace = os.replace
    into_out: list[str] = []

    def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst).parent == old_run:
            into_out.append(Path(dst).name)
            if len(into_out) == 3:  # two new files are in, the third fails
                raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    capsys.readouterr()
    assert main(["demo", *QUICK, "--seed", "2", "--out", str(old_run)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("autograd-lite: error: [Errno 28] No space left on device")
    assert err.count("\n") == 1
    assert _snapshot(old_run) == before  # all old again


def test_cli_ctrl_c_during_the_swap_finishes_it(
    old_run: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    quick_pictures: None,
) -> None:
    import signal

    old_model = (old_run / "model.json").read_bytes()
    real_replace = os.replace
    calls: list[str] = []

    def replace_then_ctrl_c(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst).parent == old_run:
            calls.append(Path(dst).name)
            if len(calls) == 2:
                signal.raise_signal(signal.SIGINT)  # Ctrl-C half way through the swap
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_then_ctrl_c)
    capsys.readouterr()
    assert main(["demo", *QUICK, "--seed", "2", "--out", str(old_run)]) == 130
    assert "interrupted; the new files were already in place" in capsys.readouterr().err
    # All new: the seed-2 model and every picture; the user's file untouched.
    assert (old_run / "model.json").read_bytes() != old_model
    assert sorted(os.listdir(old_run)) == [
        "decision_boundary.png",
        "loss.png",
        "model.json",
        "neuron.svg",
        "notes.txt",
    ]
    assert (old_run / "notes.txt").read_text() == "mine"


def test_cli_new_run_replaces_every_old_output_and_keeps_other_files(
    old_run: Path, monkeypatch: pytest.MonkeyPatch, quick_pictures: None
) -> None:
    old_model = (old_run / "model.json").read_bytes()
    monkeypatch.setenv("PATH", str(old_run / "empty"))  # no Graphviz: neuron.dot this time
    assert main(["demo", *QUICK, "--seed", "2", "--out", str(old_run)]) == 0
    assert sorted(os.listdir(old_run)) == [
        "decision_boundary.png",
        "loss.png",
        "model.json",
        "neuron.dot",  # and no stale neuron.svg from the old run
        "notes.txt",
    ]
    assert (old_run / "model.json").read_bytes() != old_model


def test_demo_neuron_diagram_shows_this_samples_gradients_and_leaves_the_model() -> None:
    from autograd_lite.core import grad_table
    from autograd_lite.demo import neuron_diagram

    model = nn.MLP(2, [3, 1], seed=0)
    X = [[-5.0, -5.0], [1.0, 0.5], [0.2, 0.1]]
    neuron = model.layers[0].neurons[0]
    for p in model.parameters():
        p.grad = 7.0  # as training leaves them: the diagram must not add to these
    labels = [p.label for p in model.parameters()]
    source = neuron_diagram(model, X).source
    assert [p.label for p in model.parameters()] == labels
    assert all(p.grad == 7.0 for p in model.parameters())
    k = next(k for k, x in enumerate(X) if neuron(x).data > 0.0)
    assert f"training sample {k + 1} of 3" in source
    h = neuron(X[k])
    want = grad_table(h)[neuron.w[0]]  # ∂h/∂w₀ = x₀ where the ReLU is active
    assert want == X[k][0]
    assert f"e.g. ∂h/∂w₀ = {want:.4g}" in source
    assert "<b>w₀</b>" in source and "<b>x₀</b>" in source and "<b>z</b>" in source


def test_demo_neuron_diagram_edges_read_in_its_names() -> None:
    from autograd_lite.demo import neuron_diagram

    model = nn.MLP(2, [3, 1], seed=0)
    X = [[1.0, 0.5]]
    neuron = model.layers[0].neurons[0]
    source = neuron_diagram(model, X).source
    for name, local in [("w₀", 1.0), ("w₁", 0.5), ("x₀", neuron.w[0].data), ("b", 1.0)]:
        assert f">∂z/∂{name} = {local:.4g}</font>" in source
    assert "On each edge, its local derivative, e.g. ∂z/∂w₀ = x₀ = 1 on the edge from w₀" in source
    assert "∂=" not in source and "into dot means" not in source  # the old slot notation


def test_demo_neuron_diagram_of_a_dead_neuron_shows_the_relu_not_selected() -> None:
    from autograd_lite.demo import neuron_diagram

    model = nn.MLP(2, [3, 1], seed=0)
    neuron = model.layers[0].neurons[0]
    X = [[1.0, 0.5]]
    neuron.b.data = -100.0  # z < 0 on every sample: the ReLU passes nothing back
    source = neuron_diagram(model, X).source
    assert "<i>not selected</i>" in source and "∂h/∂z" not in source
    assert "the edge adds no term" in source.replace("<br/>", " ")  # the legend says why


@pytest.mark.parametrize("dataset", ["moons", "spirals"])
def test_cli_demo_compiled_and_as_written_train_the_same_model(
    dataset: str, tmp_path: Path
) -> None:
    # The demo compiles the model's pass over a sample by default; --no-compile builds every
    # graph. Same history, so the same trained model, bit for bit.
    runs = []
    for flag in ([], ["--no-compile"]):
        out = tmp_path / ("as_written" if flag else "compiled")
        args = ["demo", *QUICK, "--dataset", dataset, "--batch-size", "7", *flag]
        assert main([*args, "--out", str(out)]) == 0
        runs.append(json.loads((out / "model.json").read_text()))
    assert runs[0] == runs[1]
