"""`compile(root)`: a graph as a `Program`, straight-line Python replayed on new leaf data."""

from __future__ import annotations

import builtins
import contextlib
import itertools
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

from ..core import Constant, Value, apply, grad_table
from ..core.switches import recording
from .codegen import Generated, Tape, _Writer

__all__ = ["Program", "compile"]

_data = operator.attrgetter("data")
_serial = itertools.count(1)


def _load(source: str, function: str, namespace: dict[str, object]) -> Callable[..., Any]:
    """Compile `source` with Python's own compiler and return the function it defines."""
    filename = f"<autograd_lite program {next(_serial)}>"
    code = builtins.compile(source, filename, "exec")
    scope: dict[str, Any] = dict(namespace)
    exec(code, scope)  # the text was generated here from numbers and sanitised names only
    found: Callable[..., Any] = scope[function]
    return found


_WARMUP = 8  # CPython 3.11 quickens a function's bytecode at its eighth call, then specialises it


def _warm(function: Callable[..., Any], program: Program) -> Callable[..., Any]:
    """`function` after its first calls, the last on the inputs' current data.

    CPython's specialising interpreter adapts a function's bytecode to the types it meets (here
    float arithmetic), but only from a function's eighth call on; a straight-line program has
    no loop to warm it, so it is called here, once compiled, rather than running its first real
    steps at half speed. The first calls pass no data: each stops at its first line (unpacking
    `data`), which counts as a call all the same. The program is a pure function of `data`:
    these calls change nothing.
    """
    data = list(map(_data, program.inputs))
    blank = () if data else data  # a program without inputs has no line to stop at
    try:
        for _ in range(_WARMUP - 1):
            with contextlib.suppress(ValueError):  # too few values to unpack: the call ends
                function(blank)
        function(data)
    except Exception:  # a real run will raise it again, where it belongs
        pass
    return function


class Program:
    """The forward and backward pass of one graph as straight-line Python.

    Attributes:
        source: the generated code, `def program(data)`: the forward pass (one line per node,
            Algorithm 6.1), then the grad table (one line per node, Algorithm 6.2). Numbers
            met in the expression are literals; `data` holds the inputs' current values.
        inputs: the graph's leaves other than constants, in the order `data` lists them.
        wrt: the inputs whose gradients `run()` adds into `.grad` (all of them by default).
        nodes: the number of op nodes written.

    `run()` (or calling the program) reads every input's current `.data`, so after an
    optimiser step the next call replays the same graph on the new numbers. The graph's
    shape is fixed at `compile` time: kinks branch inside the code, but an expression whose
    Python takes another path for other data (an `if` on `.data`), or that computes a number
    from `.data` in plain Python, must be compiled again for those data. A program makes no
    nodes, so `no_grad()` and `detect_anomaly()` do not apply to it.
    """

    __slots__ = (
        "_forward",
        "_forward_source",
        "_namespace",
        "_program",
        "_tape",
        "inputs",
        "nodes",
        "source",
        "wrt",
    )

    def __init__(self, generated: Generated) -> None:
        self.source = generated.source
        self._forward_source = generated.forward_source
        self.inputs = generated.inputs
        self.wrt = generated.wrt
        self.nodes = generated.nodes
        self._tape = generated.tape
        self._program = _warm(_load(generated.source, "program", generated.namespace), self)
        self._namespace = generated.namespace
        self._forward: Callable[..., Any] | None = None  # compiled at the first run(grad=False)

    def run(self, grad: bool = True) -> float:
        """The output at the inputs' current `.data`; with `grad`, also backpropagate.

        Adds ∂output/∂input into `.grad` of every input in `wrt`, the same floats, bit for
        bit, as `backward()` on the graph built afresh at these values would add (`backward`
        also fills the grads of the graph's inner nodes and constants; a program has none).
        `grad=False` computes only the forward pass.
        """
        data = list(map(_data, self.inputs))
        if not grad:
            if self._forward is None:
                source = self._forward_source()
                self._forward = _warm(_load(source, "forward", self._namespace), self)
            out: float = self._forward(data)
            return out
        out, grads = self._program(data)
        total = sum(grads, 0.0)
        if total != total or (0.0 in grads and any(_negative_zero(p.grad) for p in self.wrt)):
            grads = _exact(self._tape, data)  # where a row the engine leaves out could matter
        for leaf, g in zip(self.wrt, grads):
            if g is not None:
                leaf.grad += g
        return out

    def __call__(self, grad: bool = True) -> float:
        return self.run(grad)

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        return f"Program(nodes={self.nodes}, inputs={len(self.inputs)}, lines={lines})"


def _negative_zero(x: float) -> bool:
    return x == 0.0 and math.copysign(1.0, x) < 0.0


def _exact(tape: Tape, data: list[float]) -> list[float | None]:
    """The gradients by the engine itself, on the graph rebuilt from `tape` (None: no row).

    The straight-line code writes a row that gets no term as 0.0, which is exact except where
    it meets an infinite or nan local derivative (a nan appears) or is added into a `.grad` of
    -0.0; `run` comes here in those cases, so its results are always the engine's.
    """
    with recording():
        nodes: list[Value] = [Value(x) for x in data]
        nodes += [Constant(c) for c in tape.constants]
        for op, parents in tape.ops:
            nodes.append(apply(op, [nodes[k] for k in parents]))
        table = grad_table(nodes[-1])
    return [table.get(nodes[k]) for k in tape.wrt]


def compile(root: Value, *, wrt: Sequence[Value] | None = None) -> Program:
    """The graph below `root` as a `Program` of straight-line Python.

    The leaves below `root` are the program's inputs, read afresh on every run; numbers met in
    the expression (constants) are written into the code. Every local derivative is written
    by running the rule's own partials (`rules.RULES`) on source text, so kinks (relu'(0),
    ties of max/min, hard_tanh at ±1, ...) branch exactly as in the engine.

    Args:
        root: the output node of a graph (built outside `no_grad()`).
        wrt: the inputs to differentiate with respect to (default: every input); the others
            are read but get no gradient, which saves their share of the backward pass.

    Raises:
        TypeError: `root` is not a Value.
        ValueError: `root` has no graph (a leaf, or made under `no_grad()`), the graph uses an
            op without a rule or is larger than `codegen.MAX_NODES`, or a `wrt` item is not
            one of its inputs.

    >>> from autograd_lite import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x + 1.0
    >>> program = compile(y)
    >>> x.data = 4.0
    >>> program.run(), x.grad
    (17.0, 8.0)
    """
    if not isinstance(root, Value):
        raise TypeError(f"compile() needs a Value as root, got {type(root).__name__} {root!r}")
    return Program(_Writer(root, wrt).write())
