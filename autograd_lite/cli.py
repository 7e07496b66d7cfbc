"""The `autograd-lite` command line: `autograd-lite demo` trains a small MLP and draws pictures.

Also runs as `python -m autograd_lite demo`; see `autograd-lite demo --help`.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__

__all__ = ["build_parser", "main"]

DATASETS = ("moons", "circles", "spirals", "xor", "blobs")

_DESCRIPTION = """\
Train a small multilayer perceptron on a 2-D toy data set with autograd_lite and write
pictures of the result into an output folder:

  loss.png               loss and accuracy per epoch
  decision_boundary.png  the classes the trained model predicts over the plane
  neuron.svg             the computation graph of one neuron for one input (Graphviz);
                         neuron.dot (its source) when Graphviz's `dot` is not installed
  model.json             the trained model (load it with autograd_lite.nn.MLP.load)

Binary data sets (moons, circles, xor) use ±1 labels, hinge loss and one output;
the 3-class ones (spirals with 3 arms, blobs around 3 centres) use cross-entropy with one
output per class. Training is SGD whose learning rate decays linearly from --lr to --lr/10
over the epochs, with the penalty 1e-4·Σw² (micrograd's recipe); by default every step uses
all samples (--batch-size takes shuffled minibatches instead).
"""

_EPILOG = """\
examples:
  autograd-lite demo                          # moons, 100 epochs, pictures in demo_out/
  autograd-lite demo --dataset circles --epochs 200 --out circles_out
  python -m autograd_lite demo --no-progress --seed 1
"""


# --------------------------------------------------------------------------- argument types


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _float_in(lo: float, *, open_lo: bool) -> Callable[[str], float]:
    """An argparse type for finite floats above `lo` (or at least `lo`)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value) or value < lo or (open_lo and value == lo):
            bound = f"greater than {lo:g}" if open_lo else f"at least {lo:g}"
            raise argparse.ArgumentTypeError(f"must be a finite number {bound}, got {text}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `autograd-lite` (with its `demo` subcommand)."""
    parser = argparse.ArgumentParser(
        prog="autograd-lite",
        description="autograd_lite: a scalar reverse-mode autodiff engine for learning backprop.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    demo = commands.add_parser(
        "demo",
        help="train a small MLP on a toy data set and write pictures of it",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--dataset",
        choices=DATASETS,
        default="moons",
        help="the toy data set (default: %(default)s)",
    )
    demo.add_argument(
        "--samples",
        type=_positive_int,
        default=100,
        metavar="N",
        help="number of points; ignored for xor, which has 4 (default: %(default)s)",
    )
    demo.add_argument(
        "--noise",
        type=_float_in(0.0, open_lo=False),
        default=None,
        metavar="SIGMA",
        help="standard deviation of the noise (default: the data set's own: moons 0.1, "
        "circles 0.05, spirals 0.2, blobs 0.6; xor has none)",
    )
    demo.add_argument(
        "--epochs",
        type=_positive_int,
        default=100,
        metavar="N",
        help="passes over the data (default: %(default)s)",
    )
    demo.add_argument(
        "--lr",
        type=_float_in(0.0, open_lo=True),
        default=None,
        metavar="RATE",
        help="initial learning rate of SGD, decaying linearly to a tenth "
        "(default: 1.0; 0.1 for xor, whose 4 points make full steps jumpy)",
    )
    demo.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="+",
        default=[16, 16],
        metavar="N",
        help="hidden layer sizes, ReLU (default: 16 16, micrograd's MLP(2, [16, 16, 1]))",
    )
    demo.add_argument(
        "--batch-size",
        type=_positive_int,
        default=None,
        metavar="N",
        help="samples per step, shuffled each epoch (default: all samples in one step)",
    )
    demo.add_argument(
        "--seed",
        type=_non_negative_int,
        default=0,
        metavar="N",
        help="seed for the data, the initial weights and the shuffle (default: %(default)s)",
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("demo_out"),
        metavar="DIR",
        help="output folder, created if needed (default: %(default)s)",
    )
    # So that errors found after parsing print the demo's usage line.
    demo.set_defaults(command_parser=demo)
    demo.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="do not show the progress bar",
    )
    return parser


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 1


def _writable_folder(out: Path) -> str | None:
    """Create `out` if needed and check that files can be written there; None or the problem."""
    if out.exists() and not out.is_dir():
        return f"output folder {str(out)!r} exists and is not a folder"
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as exc:
        return f"cannot write to output folder {str(out)!r}: {exc.strerror or exc}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad options).

    Args:
        argv: the arguments after the program name; None reads `sys.argv[1:]`.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        demo: argparse.ArgumentParser = args.command_parser
        try:
            dataset = _dataset(args.dataset, args.samples, args.noise, args.seed)
        except ValueError as exc:  # e.g. too few samples for the data set's classes
            demo.error(f"cannot make the {args.dataset} data set: {exc}")
        # Checked before training, not after a minute of it; creates the folder.
        problem = _writable_folder(args.out)
        if problem is not None:
            demo.error(problem)
    except SystemExit as exc:
        # argparse exits on --help, --version and bad options; report its status instead.
        return _exit_code(exc)
    try:
        return _demo(args, dataset)
    except KeyboardInterrupt:
        print("autograd-lite: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        # E.g. the disk filled up or the folder vanished while the files were written.
        print(f"autograd-lite: error: {exc}", file=sys.stderr)
        return 1


# --------------------------------------------------------------------------- the demo


def _dataset(
    name: str, samples: int, noise: float | None, seed: int
) -> tuple[list[list[float]], list[int]]:
    """The demo's data: the makers of `autograd_lite.data`, noise defaulting to theirs."""
    from . import data

    extra: dict[str, Any] = {} if noise is None else {"noise": noise}
    if name == "xor":
        return data.make_xor()
    if name == "moons":
        return data.make_moons(samples, seed=seed, **extra)
    if name == "circles":
        return data.make_circles(samples, seed=seed, **extra)
    if name == "spirals":
        return data.make_spirals(samples, classes=3, seed=seed, **extra)
    # Fixed centres near the origin keep the inputs of order 1, like the other data sets.
    return data.make_blobs(samples, centers=_BLOB_CENTRES, std=0.6, seed=seed, **extra)


_BLOB_CENTRES = [[-1.5, -1.0], [1.5, -1.0], [0.0, 1.5]]


def _demo(args: argparse.Namespace, dataset: tuple[list[list[float]], list[int]]) -> int:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print(
            "autograd-lite: error: the demo draws its pictures with matplotlib; install it with "
            "pip install 'autograd-lite[plot]'",
            file=sys.stderr,
        )
        return 1
    from . import losses, nn, optim
    from .plot import plot_decision_boundary, plot_history
    from .training import fit

    X, classes = dataset
    nclasses = len(set(classes))
    y: list[float] | list[int]
    if nclasses <= 2:
        # One output and hinge loss, which wants ±1 labels: class 1 → +1, class 0 → −1.
        y = [1.0 if c == 1 else -1.0 for c in classes]
        loss: Callable[[list[Any], list[Any]], Any] = losses.hinge
        nout = 1
    else:
        y = classes  # class indices 0..k-1, one output (logit) per class
        loss = losses.cross_entropy
        nout = nclasses

    lr: float = args.lr if args.lr is not None else (0.1 if args.dataset == "xor" else 1.0)
    model = nn.MLP(2, [*args.hidden, nout], seed=args.seed)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    shape = ", ".join(str(n) for n in [*args.hidden, nout])
    print(
        f"training MLP(2, [{shape}]) ({len(model.parameters())} parameters) on {args.dataset}: "
        f"{len(X)} samples, {args.epochs} epochs, seed {args.seed}",
        flush=True,
    )
    start = time.perf_counter()
    history = fit(
        model,
        X,
        y,
        loss=loss,
        optimizer=optimizer,
        epochs=args.epochs,
        batch_size=args.batch_size,
        progress=args.progress,
        seed=args.seed,
        l2=2e-4,
        # micrograd's schedule: from lr down to lr/10 at the last epoch.
        lr_schedule=lambda e: lr * (1.0 - 0.9 * e / max(args.epochs - 1, 1)),
    )
    seconds = time.perf_counter() - start
    acc = history.accuracy[-1]
    print(
        f"final accuracy: {acc:.1%} ({round(acc * len(X))}/{len(X)}), "
        f"loss {history.loss[-1]:.4f}, trained in {seconds:.1f} s",
        flush=True,
    )

    out: Path = args.out
    title = f"MLP on {args.dataset}, {acc:.0%} accuracy"
    written = [out / "loss.png", out / "decision_boundary.png"]
    plot_history(history, path=written[0], title=title)
    plot_decision_boundary(model, X, y, path=written[1], title=title)
    written.append(_draw_neuron(model, X, out))
    model.save(out / "model.json")
    written.append(out / "model.json")
    print("wrote:")
    for path in written:
        print(f"  {path}")
    return 0


def _draw_neuron(model: Any, X: Sequence[Sequence[float]], out: Path) -> Path:
    """Draw the first neuron of the first layer on one input: neuron.svg, or neuron.dot."""
    from .engine import Value, no_grad
    from .viz import INSTALL_HINT, GraphvizNotFoundError, draw_dot, save

    neuron = model.layers[0].neurons[0]
    # Prefer an input where the neuron is active: a ReLU at 0 passes no gradient back.
    with no_grad():
        x = next((x for x in X if neuron(x).data > 0.0), X[0])
    # Named x0, x1 like the weights w0, w1 that multiply them.
    inputs = [Value(v, label=f"x{i}") for i, v in enumerate(x)]
    y = neuron(inputs)
    y.label = "out"
    y.backward()  # so that the diagram shows gradients too
    diagram = draw_dot(y)
    model.zero_grad()  # leave the trained model's gradients as fit() left them
    try:
        return save(diagram, out / "neuron.svg")
    except GraphvizNotFoundError:
        # Still give the learner the graph: its DOT source renders anywhere later.
        path = out / "neuron.dot"
        path.write_text(diagram.source, encoding="utf-8")
        print(
            f"note: wrote the neuron diagram as DOT source {path}, not neuron.svg. {INSTALL_HINT} "
            f"Then run again, or render it with: dot -Tsvg {path} -o {out / 'neuron.svg'}",
            file=sys.stderr,
        )
        return path


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
