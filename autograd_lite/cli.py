"""The `autograd-lite` command line: `autograd-lite demo` trains a small MLP and draws pictures.

Also runs as `python -m autograd_lite demo`; see `autograd-lite demo --help`.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from . import demo as demo_run

__all__ = ["build_parser", "main"]

DATASETS = ("moons", "circles", "spirals", "xor", "blobs")
# The fewest samples each data set can be made of (spirals: 3 arms, blobs: 3 centres).
_MIN_SAMPLES = {"moons": 2, "circles": 2, "spirals": 3, "blobs": 3}

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
all samples (--batch-size takes shuffled minibatches instead). The model's pass over one
sample runs as compiled straight-line Python (fit(..., compile=True)): the same history as
building every graph (--no-compile), several times faster.
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
        help="number of points: at least 2 (3 for spirals and blobs); ignored for xor, which "
        "has 4 (default: %(default)s)",
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
    demo.add_argument(
        "--no-compile",
        dest="compile",
        action="store_false",
        help="train as written: build every sample's graph (the same history, slower; by "
        "default the model's pass over a sample is compiled, fit(..., compile=True))",
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


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """The options, with errors about them reported by the parser that owns them."""
    args, extra = parser.parse_known_args(argv)
    demo: argparse.ArgumentParser = args.command_parser
    if extra:
        # Unknown options after `demo` are the demo's: show its usage, not the top level's.
        words = list(sys.argv[1:] if argv is None else argv)
        before = words[: words.index(args.command)] if args.command in words else []
        owner = parser if any(word in before for word in extra) else demo
        owner.error(f"unrecognized arguments: {' '.join(extra)}")
    need = _MIN_SAMPLES.get(args.dataset)
    if need is not None and args.samples < need:
        demo.error(
            f"argument --samples: the {args.dataset} data set needs at least {need} samples, "
            f"got {args.samples}"
        )
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    0 ok; 1 a failure while running (the message is one line on stderr: training diverged,
    a file could not be written); 2 bad options; 130 interrupted (Ctrl-C), with the output
    folder left as it was.

    Args:
        argv: the arguments after the program name; None reads `sys.argv[1:]`.
    """
    parser = build_parser()
    created = False
    try:
        args = _parse(parser, argv)
        demo: argparse.ArgumentParser = args.command_parser
        try:
            dataset = demo_run.make_dataset(args.dataset, args.samples, args.noise, args.seed)
        except ValueError as exc:  # e.g. too many samples
            demo.error(f"cannot make the {args.dataset} data set: {exc}")
        try:
            model = demo_run.make_model(args.hidden, dataset, args.seed)
        except ValueError as exc:  # e.g. layers too large for MAX_PARAMETERS
            demo.error(f"argument --hidden: {exc}")
        # Checked before training, not after a minute of it; creates the folder.
        created = not args.out.exists()
        problem = _writable_folder(args.out)
        if problem is not None:
            demo.error(problem)
    except SystemExit as exc:
        # argparse exits on --help, --version and bad options; report its status instead.
        return _exit_code(exc)
    try:
        status = demo_run.run(args, dataset, model)
    except KeyboardInterrupt as exc:
        status = 130
        state = str(exc) or f"{args.out} is as it was"
        print(f"autograd-lite: interrupted; {state}", file=sys.stderr)
    except OSError as exc:
        # E.g. the disk filled up or the folder vanished while the files were written.
        status = 1
        print(f"autograd-lite: error: {exc}", file=sys.stderr)
    if status != 0 and created:
        with contextlib.suppress(OSError):
            args.out.rmdir()  # the folder this run made, still empty: gone again
    return status


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
