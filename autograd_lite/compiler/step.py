"""A training step with the model compiled per sample: what `fit(..., compile=True)` runs.

The step's graph is the model's graph on each sample of the batch, joined by the loss. The
model's part runs as a `SampleProgram`, written once and reused for every sample, batch size
and order; the loss is built as usual, on stand-in nodes that hold the model's outputs, so a
loss that branches on a label or a prediction is built afresh each step. `backward()` then runs
on the loss's small graph: when it reaches a sample's stand-ins, their rows are what that
sample's program needs to continue the backward pass into the parameters.

Bit for bit: the engine walks a step's graph depth first from the root (the core's
accumulation-order contract), and the model's part of each sample hangs below its outputs
alone, so the walk of the whole graph is the walk of the loss's graph with each sample's nodes
next to its stand-ins. Where the walk meets the samples one after another (a sample's outputs
in the order its program was written for, and no node that adds to the parameters' rows
itself between them), running each sample's program once its outputs' rows are complete adds
every term in the engine's order. The step checks that on every batch and runs the batch as
written where it does not hold.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

from ..core import Value, make, topological_order
from ..core import to_float as _to_float
from ..core.graph import NO_TERM, backward
from ..core.modes import mode
from ..core.switches import recording
from .sample import SampleProgram

__all__ = ["CompiledStep"]

Objective = Callable[[list[Any], list[Any]], Value]


_ABSENT = (None,)  # the stand-ins' edge to their parent: absent


class _AsWritten(Exception):
    """This batch runs as written: the compiled step could differ from the engine on it."""


class CompiledStep:
    """Backpropagate `objective(outputs, labels)` for a batch, the model compiled per sample.

    Called with the indices of a batch in `X` and its labels, it adds the gradient of the
    objective into `.grad` of every parameter, the same floats as `backward()` on the graph
    built by calling the model on each sample would add, and returns the objective's value.
    `objective(outputs, labels)` takes the model's outputs, one per sample (what
    `model(x)` returns: a Value or a list of Values), and returns the objective as a Value
    built from them (the loss, plus any penalty on the parameters).

    Only a model whose graph is the same for every input can be compiled: one that makes no
    Python decision on its inputs' values (kinks such as relu's are fine: they branch inside
    the code). A model class says so with `straight_line = True` in its own class body (the
    `nn` and `micrograd` models do; a subclass must say it again). For any other model, for
    features that are not real numbers, under `no_grad()` or `detect_anomaly()`, the step
    runs as written. So does a batch on which the compiled step could differ from the engine:
    a loss whose walk meets the samples' outputs interleaved, or one sample's outputs in
    another order than the last batch's (the next batch runs with a program for that order),
    a nan in a gradient (the code writes a row that gets no term as 0.0, and 0.0 · inf is nan
    where the engine adds nothing), or a `.grad` of -0.0 that a 0.0 row would change.

    Attributes:
        compiled: the number of steps run compiled; `as_written`: the number run as written.
    """

    def __init__(self, model: Any, objective: Objective, X: Sequence[Sequence[Any]]) -> None:
        self.model, self.objective, self.X = model, objective, X
        self.params: list[Value] = list(model.parameters())
        self.compiled = self.as_written = 0
        self._floats = _float_rows(X)
        self._other: tuple[object, list[list[float]] | None] = (None, None)
        self._programs: dict[tuple[int, ...], SampleProgram | None] = {}
        self._slots: tuple[int, ...] = ()  # the current program's outputs, as model outputs
        self._shape: tuple[type, int, bool] = (Value, 1, False)  # output class, count, listed
        ok = vars(type(model)).get("straight_line") is True and self._floats is not None
        self._param_set = set(self.params)
        self._enabled = ok and len(self._param_set) == len(self.params)
        # The last forward over X (`outputs(X)`): the parameters' floats, program and runs. A
        # step on the same floats (the first of the next epoch) takes its samples' runs.
        self._seen: tuple[list[float], SampleProgram, list[Any]] | None = None

    def __call__(self, idx: Sequence[int], labels: list[Any]) -> float:
        """Backpropagate the objective on the batch `X[idx]`, `labels`; return its value."""
        if self._enabled and not mode() and idx:
            try:
                return self._run(idx, labels)
            except _AsWritten:
                pass
        return self._as_written(idx, labels)

    def outputs(self, rows: Sequence[Sequence[Any]]) -> list[Any] | None:
        """The model's outputs on `rows`, the Values `model(x)` gives under `no_grad()`; None
        when the model cannot be compiled (then call the model)."""
        floats = self._rows_of(rows) if self._enabled else None
        program = self._program() if floats else None
        if program is None or floats is None:
            return None
        cls, k, listed = self._shape
        datas = [p.data for p in self.params]
        runs = program.forward(datas, floats)
        if floats is self._floats:
            self._seen = (datas, program, runs)
        found = []
        for outs, _ in runs:
            values: list[Any] = [None] * k
            for at, v in zip(self._slots, outs):
                values[at] = make(v, "", (), (), cls)  # a leaf, as `cls(v)` under no_grad()
            found.append(values if listed else values[0])
        return found

    def _rows_of(self, rows: Sequence[Sequence[Any]]) -> list[list[float]] | None:
        """`rows` as floats: converted once (the training set and the last other set)."""
        if rows is self.X:
            return self._floats
        if self._other[0] is not rows:
            self._other = (rows, _float_rows(rows))
        return self._other[1]

    # ---------------------------------------------------------------- the compiled step

    def _run(self, idx: Sequence[int], labels: list[Any]) -> float:
        program, floats = self._program(), self._floats
        if program is None or floats is None:
            raise _AsWritten
        cls, k, listed = self._shape
        slots, params = self._slots, self.params
        datas = [p.data for p in params]
        back = functools.partial(program.backward, datas)
        seen = self._seen
        if seen and seen[1] is program and all(map(operator.is_, seen[0], datas)):
            runs = [seen[2][i] for i in idx]  # the same floats in, the same program: its runs
        else:
            runs = program.forward(datas, [floats[i] for i in idx])
        anchor = (Value(0.0),)  # the stand-ins' parent: it makes them nodes the walk enters
        outputs: list[Any]
        if not listed:  # one output per sample, a Value
            outputs = [make(outs[0], "output", anchor, _ABSENT, cls) for outs, _ in runs]
            stand_ins = {s: (i, 0) for i, s in enumerate(outputs)}
        else:
            stand_ins, outputs = {}, []
            for i, (outs, _) in enumerate(runs):
                row: list[Any] = [None] * k
                for at, (slot, v) in enumerate(zip(slots, outs)):
                    s = row[slot] = make(v, "output", anchor, _ABSENT, cls)
                    stand_ins[s] = (i, at)
                outputs.append(row)
        value = self.objective(outputs, labels)
        if self._check_order(value, stand_ins, k):  # a penalty reaches the parameters too
            # The parameters' rows are kept in their nodes, where the penalty's terms go: a
            # node over all of them, which the walk meets last, puts them in the walk.
            every = make(0.0, "parameters", params, [None] * len(params))
            root = make(value.data, "+", (value, every), (1.0, 1.0))
            backward(root, 1.0, _Flow(params, back, runs, stand_ins, k, every).terms)
        else:  # the parameters' rows are the programs' alone, kept in the flow
            flow = _Flow(params, back, runs, stand_ins, k, None)
            backward(value, 1.0, flow.terms)
            flow.finish()
        self.compiled += 1
        return value.data

    def _check_order(self, value: Value, stand_ins: dict[Value, tuple[int, int]], k: int) -> bool:
        """Can the programs run where the walk meets the samples' outputs? Each sample's
        outputs must come in the order its program was written for (the last listed first),
        the samples one after another (other nodes may come between, but none that adds to
        the parameters' rows itself, within a sample). Else the batch runs as written; if
        every sample agrees on another order of its outputs, the next batch runs with a
        program written for that order. True if a parameter is in the graph (a penalty)."""
        order = topological_order(value, literals=False)  # (a literal is not a sample's)
        met: dict[int, list[int]] = {}
        spans: list[list[int]] = []  # where each sample's outputs begin and end in the order
        previous = -1
        for at, node in enumerate(order):
            who = stand_ins.get(node)
            if who is None:
                continue
            i, j = who
            if i != previous:
                if i in met:
                    raise _AsWritten  # the samples' outputs are met interleaved
                met[i], previous = [], i
                spans.append([at, at])
            met[i].append(j)
            spans[-1][1] = at
        params = self._param_set
        touching = not params.isdisjoint(order)
        if touching:
            for at, node in enumerate(order):
                if not params.isdisjoint(node.parents) and any(a < at < b for a, b in spans):
                    raise _AsWritten  # a penalty's node within a sample's outputs
        if all(js == sorted(js, reverse=True) for js in met.values()):
            return touching
        orders = {tuple(js) for js in met.values()}
        if len(orders) == 1 and len(js := orders.pop()) == k:
            self._slots = tuple(self._slots[j] for j in reversed(js))
        raise _AsWritten

    def _program(self) -> SampleProgram | None:
        """The program for the current order of the outputs, written at its first use; None
        if the model cannot be compiled."""
        key = self._slots
        if key not in self._programs:
            self._programs[key] = self._write()
        return self._programs[key]

    def _write(self) -> SampleProgram | None:
        assert self._floats
        with recording():
            features = [Value(v) for v in self._floats[0]]
            out = self.model(features)
        listed = isinstance(out, list)
        outs = out if listed else [out]
        if not outs or not all(isinstance(o, Value) for o in outs):
            self._enabled = False
            return None
        self._shape = (type(outs[0]), len(outs), listed)
        if not self._slots:
            self._slots = tuple(range(len(outs)))
        try:
            return SampleProgram([outs[j] for j in self._slots], features, self.params)
        except ValueError:  # no graph, an op without a rule, leaves that are not parameters
            self._enabled = False
            return None

    def _as_written(self, idx: Sequence[int], labels: list[Any]) -> float:
        value = self.objective([self.model(self.X[i]) for i in idx], labels)
        value.backward()
        self.as_written += 1
        return value.data


class _Flow:
    """The terms callback of the step's `backward`: a stand-in hands its row to its sample's
    program; once the walk has met all of a sample's outputs, the sample waits in a queue, and
    the queue's terms go into the parameters' rows, in its order, before a node adds to those
    rows itself (a penalty) and at the end. Every other node adds its terms as the engine does:
    no other node reads the parameters' rows or the samples', so when the programs run
    between them changes no float.

    The rows are kept here (`rows`) and added into `.grad` by `finish()`, or, with `every`
    (the node over all parameters that the walk meets last), in the parameters' nodes, where
    the engine adds them into `.grad` itself.
    """

    __slots__ = (
        *("back", "every", "params", "pending", "queue", "rows", "runs", "seeds"),
        *("stand_ins", "touch", "width"),
    )

    def __init__(
        self,
        params: list[Value],
        back: Any,
        runs: list[Any],
        stand_ins: dict[Value, tuple[int, int]],
        width: int,
        every: Value | None,
    ) -> None:
        self.params, self.back, self.runs, self.stand_ins = params, back, runs, stand_ins
        self.width, self.every = width, every
        self.touch = set(params) if every is not None else set()
        self.rows: tuple[Any, ...] | None = (NO_TERM,) * len(params) if every is None else None
        self.pending = -1  # the sample whose outputs the walk is meeting
        self.seeds: list[float] = []
        self.queue: list[tuple[Any, list[float]]] = []

    def terms(self, node: Any, g: Any) -> Any:
        who = self.stand_ins.get(node)
        if who is not None:
            i, j = who
            if i != self.pending:
                self.close()
                self.pending, self.seeds = i, [0.0] * self.width
            self.seeds[j] = g
            return ()
        if node is self.every:  # the last node the walk meets
            self.close()
            self.apply()
            self.check([p._g for p in self.params])
            return ()
        if self.touch and not self.touch.isdisjoint(node.parents):
            self.close()  # a penalty on the parameters adds to their rows itself
            self.apply()
        return None  # the node's own terms, as the engine adds them

    def close(self) -> None:
        """The pending sample joins the queue: the walk has met all of its outputs (samples
        come one after another, see `CompiledStep._check_order`)."""
        if self.pending >= 0:
            self.queue.append((self.runs[self.pending][1], self.seeds))
            self.pending = -1

    def apply(self) -> None:
        """The queued samples' backward passes: their terms go into the parameters' rows."""
        if not self.queue:
            return
        if self.rows is not None:
            self.rows = self.back(self.queue, self.rows)
        else:
            rows = self.back(self.queue, tuple([p._g for p in self.params]))
            for p, r in zip(self.params, rows):
                p._g = r
        self.queue.clear()

    def finish(self) -> None:
        """After the walk: the last samples' terms, then each row into `.grad`."""
        self.close()
        self.apply()
        assert self.rows is not None
        self.check(self.rows)
        for p, r in zip(self.params, self.rows):
            if r is not NO_TERM:
                p.grad += r

    def check(self, rows: Sequence[Any]) -> None:
        """Where the program's 0.0 rows could differ from the engine's absent ones: a nan (the
        engine adds nothing where the code adds 0.0 · inf), or a 0.0 row meeting a `.grad` of
        -0.0 (which the engine leaves alone)."""
        total = sum(rows, 0.0)
        if total != total:
            raise _AsWritten
        if 0.0 in rows and any(
            type(r) is float and r == 0.0 and _negative_zero(p.grad)
            for p, r in zip(self.params, rows)
        ):
            raise _AsWritten


def _negative_zero(x: float) -> bool:
    return x == 0.0 and math.copysign(1.0, x) < 0.0


def _float_rows(X: Sequence[Sequence[Any]]) -> list[list[float]] | None:
    """Every row of `X` as floats, or None if some entry is not a real number or the rows
    differ in length (the model then says what is wrong)."""
    rows: list[list[float | None]] = []
    try:
        for row in X:
            floats = [_to_float(v) for v in row]
            if None in floats or len(floats) != len(rows[0] if rows else floats):
                return None
            rows.append(floats)
    except TypeError:
        return None
    return rows  # type: ignore[return-value]  # no None is left in them
