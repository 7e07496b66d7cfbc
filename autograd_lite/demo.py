"""The demo behind `autograd-lite demo`: toy data, a small MLP, training, and its pictures.

The pictures and model.json replace the old ones in the output folder all at once: they are
written into a hidden folder first and swapped in at the end, so Ctrl-C or a failure leaves
the folder as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["OUTPUTS", "make_dataset", "make_model", "run", "write_outputs"]

Dataset = tuple[list[list[float]], list[int]]
# Every file the demo may write; a run replaces all of them at once (see _replace_outputs).
OUTPUTS = ("loss.png", "decision_boundary.png", "neuron.svg", "neuron.dot", "model.json")


def make_dataset(name: str, samples: int, noise: float | None, seed: int) -> Dataset:
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


def make_model(hidden: Sequence[int], dataset: Dataset, seed: int) -> Any:
    """The untrained MLP: `hidden` ReLU layers and one output per class (one for two)."""
    from . import nn

    nclasses = len(set(dataset[1]))
    nout = 1 if nclasses <= 2 else nclasses
    return nn.MLP(2, [*hidden, nout], seed=seed)


def run(args: argparse.Namespace, dataset: Dataset, model: Any) -> int:
    """Train `model` on `dataset` as the options say, then write the pictures and the model.

    Returns the exit status: 0, or 1 after a one-line message on stderr (no matplotlib, or
    training diverged; then nothing is written).
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print(
            "autograd-lite: error: the demo draws its pictures with matplotlib; install it with "
            "pip install 'autograd-lite[plot]'",
            file=sys.stderr,
        )
        return 1
    from . import losses, optim
    from .training import fit

    X, classes = dataset
    y: list[float] | list[int]
    if len(set(classes)) <= 2:
        # One output and hinge loss, which wants ±1 labels: class 1 → +1, class 0 → −1.
        y = [1.0 if c == 1 else -1.0 for c in classes]
        loss: Callable[[list[Any], list[Any]], Any] = losses.hinge
    else:
        y = classes  # class indices 0..k-1, one output (logit) per class
        loss = losses.cross_entropy

    default_lr = 0.1 if args.dataset == "xor" else 1.0
    lr: float = default_lr if args.lr is None else args.lr
    optimizer = optim.SGD(model.parameters(), lr=lr)
    shape = ", ".join(str(layer.nout) for layer in model.layers)
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
        compile=args.compile,
        # micrograd's schedule: from lr down to lr/10 at the last epoch.
        lr_schedule=lambda e: lr * (1.0 - 0.9 * e / max(args.epochs - 1, 1)),
    )
    seconds = time.perf_counter() - start
    problem = _divergence(history.loss, model, args.lr, default_lr)
    if problem is not None:
        print(f"autograd-lite: error: {problem}", file=sys.stderr)
        return 1
    acc = history.accuracy[-1]
    print(
        f"final accuracy: {acc:.1%} ({round(acc * len(X))}/{len(X)}), "
        f"loss {history.loss[-1]:.4f}, trained in {seconds:.1f} s",
        flush=True,
    )
    title = f"MLP on {args.dataset}, {acc:.0%} accuracy"
    written = write_outputs(args.out, model, X, y, history, title)
    print("wrote:")
    for name in written:
        print(f"  {args.out / name}")
    return 0


def _divergence(losses: list[float], model: Any, lr: float | None, default_lr: float) -> str | None:
    """Why training gave no finite model (a learning rate too large), or None if it did."""
    bad = next((i for i, value in enumerate(losses) if not math.isfinite(value)), None)
    if bad is None and all(math.isfinite(p.data) for p in model.parameters()):
        return None
    if bad is not None:
        what = f"the loss became {losses[bad]} at epoch {bad + 1} of {len(losses)}"
    else:
        what = "some weights became inf or nan"
    if lr is None:
        advice = f"the default learning rate {default_lr:g} is too large here; try --lr "
        advice += f"{default_lr / 10:g}"
    else:
        advice = f"--lr {lr:g} is too large; try a smaller one (the default is {default_lr:g})"
    return f"training diverged: {what}; {advice}"


# --------------------------------------------------------------------------- output files


def write_outputs(
    out: Path, model: Any, X: list[list[float]], y: list[Any], history: Any, title: str
) -> list[str]:
    """Draw and save everything into a hidden folder inside `out`, then swap the files in.

    The folder lives inside `out` so the final renames stay on one file system and never
    touch the folder itself (which may be the current folder or hold other files).
    Returns the names written.
    """
    from .training.plot import plot_decision_boundary, plot_history

    staging = Path(tempfile.mkdtemp(prefix=".autograd-lite-new-", dir=out))
    try:
        plot_history(history, path=staging / "loss.png", title=title)
        plot_decision_boundary(model, X, y, path=staging / "decision_boundary.png", title=title)
        neuron = _draw_neuron(model, X, staging, out)
        model.save(staging / "model.json")
        written = ["loss.png", "decision_boundary.png", neuron.name, "model.json"]
        with _interrupts_deferred():
            _replace_outputs(staging, out, written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold a Ctrl-C that arrives inside the block until it ends (then raise it).

    The swap of the output files takes milliseconds; finishing it keeps the folder whole.
    Only the main thread can hold signals; elsewhere the block runs as it is.
    """
    caught: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        # None: a handler set outside Python; Python's own raises KeyboardInterrupt.
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
    if caught:
        raise KeyboardInterrupt("the new files were already in place")


def _replace_outputs(staging: Path, out: Path, names: list[str]) -> None:
    """Move the staged `names` into `out`, and every old demo output out of it, all or none.

    Old outputs are first moved aside into `staging`; if any rename fails, the renames done
    so far are undone, so `out` holds either all old files or all new ones.
    """
    aside = staging / ".old"
    aside.mkdir()
    moved_aside: list[str] = []
    placed: list[str] = []
    try:
        for name in OUTPUTS:
            if os.path.lexists(out / name):
                os.replace(out / name, aside / name)
                moved_aside.append(name)
        for name in names:
            os.replace(staging / name, out / name)
            placed.append(name)
    except BaseException:
        for name in placed:
            with contextlib.suppress(OSError):
                os.replace(out / name, staging / name)
        for name in moved_aside:
            with contextlib.suppress(OSError):
                os.replace(aside / name, out / name)
        raise


def _draw_neuron(model: Any, X: Sequence[Sequence[float]], folder: Path, out: Path) -> Path:
    """Draw the first neuron of the first layer on one input into `folder`: neuron.svg, or
    neuron.dot without Graphviz (the note names its final place in `out`)."""
    from .viz import INSTALL_HINT, GraphvizNotFoundError, save

    diagram = neuron_diagram(model, X)
    try:
        return save(diagram, folder / "neuron.svg")
    except GraphvizNotFoundError:
        # Still give the learner the graph: its DOT source renders anywhere later.
        path = folder / "neuron.dot"
        path.write_text(diagram.source, encoding="utf-8")
        final = out / "neuron.dot"
        print(
            f"note: wrote the neuron diagram as DOT source {final}, not neuron.svg. "
            f"{INSTALL_HINT} Then run again, or render it with: "
            f"dot -Tsvg {final} -o {out / 'neuron.svg'}",
            file=sys.stderr,
        )
        return path


def neuron_diagram(model: Any, X: Sequence[Sequence[float]]) -> Any:
    """The graph of neuron 1 of hidden layer 1 on one training sample, titled and explained.

    Nodes are named 0-based like nn's own parameters (x₀, w₀, b, z, h), and each edge reads
    in those names (∂z/∂w₀ = 0.42); the title says which neuron and sample, and how to read an
    edge and a box. The gradients shown are ∂h/∂node for this one sample (from `grad_table`);
    the model's labels and `.grad` are left as they were.
    """
    from .core import Value, grad_table, no_grad
    from .viz import draw_dot
    from .viz.labels import fmt, sub

    neuron = model.layers[0].neurons[0]
    # Prefer an input where the neuron is active: a ReLU at 0 passes no gradient back.
    with no_grad():
        k = next((k for k, x in enumerate(X) if neuron(x).data > 0.0), 0)
    inputs = [Value(v, label=f"x{sub(i)}") for i, v in enumerate(X[k])]
    params = [*neuron.w, neuron.b]
    labels = [p.label for p in params]
    for i, w in enumerate(neuron.w):
        w.label = f"w{sub(i)}"  # 0-based, as nn's own w0, w1, ...
    neuron.b.label = "b"
    try:
        h = neuron(inputs)
        z = h.parents[0] if len(h.parents) == 1 else h  # under the activation, if any
        z.label = "z"
        if h is not z:
            h.label = "h"
        grads = grad_table(h)
        x0, w0 = inputs[0], neuron.w[0]
        sample = ", ".join(fmt(v.data) for v in inputs)
        act = getattr(neuron, "activation", "")
        title = "\n".join(
            (
                f"Neuron 1 of hidden layer 1 ({act}) on training sample {k + 1} of {len(X)}: "
                f"x = ({sample})",
                f"On each edge, its local derivative, e.g. ∂z/∂w{sub(0)} = x{sub(0)} = "
                f"{fmt(x0.data)} on the edge from w{sub(0)}",
                f"In each box, grad = ∂{h.label}/∂node, e.g. ∂{h.label}/∂w{sub(0)} = "
                f"{fmt(grads.get(w0, 0.0))}",
            )
        )
        diagram = draw_dot(h, legend=True, title=title, grads=grads)
    finally:
        for p, label in zip(params, labels):
            p.label = label
    return diagram
