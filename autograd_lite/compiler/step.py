"""A training step compiled once per batch and replayed: what `fit(..., compile=True)` runs.

The step's graph (the model on every sample of the batch, the loss, the regularisation) has
the same shape for every batch of the same size and labels, so it is traced by running the step
as usual, written as a `Program`, and from then on replayed on the batch's numbers.
"""

from __future__ import annotations

import numbers
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from ..core import Constant, Value, topological_order
from ..core import to_float as _to_float
from ..core.modes import mode
from .program import Program, compile

__all__ = ["CompiledStep"]

Objective = Callable[[list[Any], list[Any]], Value]

MAX_PROGRAMS = 16  # programs kept (least recently used dropped first)
MAX_KEYS = 4096  # batch kinds remembered while waiting to be seen again


def _label_key(t: object) -> Hashable | None:
    """A key that tells labels apart exactly (1 and 1.0 and True stay distinct), or None."""
    if isinstance(t, numbers.Real):
        f = float(t)
        return None if f != f else (type(t).__name__, f, repr(t))
    if isinstance(t, (list, tuple)):
        keys = [_label_key(v) for v in t]
        return None if any(k is None for k in keys) else (type(t).__name__, *keys)
    return None


class _Trace:
    """One compiled step: the program and the leaves that stand for the batch's features."""

    __slots__ = ("features", "program")

    def __init__(self, program: Program, features: list[Value]) -> None:
        self.program = program
        self.features = features


class CompiledStep:
    """Backpropagate `objective(rows, labels)` for a batch; compiled once its graph repeats.

    Called with the indices of a batch in `X` and its labels, it adds the gradient of the
    objective into `.grad` of every leaf of the step's graph that is not a feature (the model's
    parameters), the same floats as building the graph and calling `backward()` would.

    A batch is keyed by its size and its labels (losses branch on labels: hinge picks a side per
    label, cross-entropy an output). The first time a key is met the step runs dynamically; the
    second and third time too, with the features as leaves, and if the two graphs are the same
    (ops, constants, leaves) the third is compiled; from then on the program is replayed with
    the batch's features as its inputs. Full-batch training and unshuffled minibatches repeat
    their keys every epoch; shuffled classification batches rarely do, and then run as the
    dynamic step does.

    The model must compute its output from its inputs with Value operations (as `nn` models
    do): a number derived from a feature's `.data` in plain Python would be frozen in the code
    (numbers derived from the parameters change between two steps, so such a graph is seen to
    differ and stays dynamic).
    """

    def __init__(self, objective: Objective, X: Sequence[Sequence[Any]]) -> None:
        self.objective = objective
        self.X = X
        rows = [[_to_float(v) for v in row] for row in X]
        ok = all(v is not None for row in rows for v in row)
        self._floats: list[list[float]] | None = rows if ok else None  # type: ignore[assignment]
        self._seen: dict[Hashable, int | None] = {}  # key → None, then the graph's fingerprint
        self._programs: OrderedDict[Hashable, _Trace | None] = OrderedDict()
        self.traces = 0  # graphs compiled so far
        self.replays = 0  # steps run by a program

    def __call__(self, idx: Sequence[int], labels: list[Any]) -> float:
        """Backpropagate the objective on the batch `X[idx]`, `labels`; return its value."""
        key = self._key(labels)
        if key is None or self._floats is None or mode():  # no_grad/anomaly: as written
            return self._dynamic(idx, labels)
        trace = self._programs.get(key)
        if trace is not None:
            self._programs.move_to_end(key)
            floats = self._floats
            for leaf, v in zip(trace.features, [v for i in idx for v in floats[i]]):
                leaf.data = v
            self.replays += 1
            return trace.program.run()
        if key in self._programs:  # None: this graph cannot be compiled
            return self._dynamic(idx, labels)
        if key not in self._seen:  # first sighting: as written
            if len(self._seen) >= MAX_KEYS:
                self._seen.clear()
            self._seen[key] = None
            return self._dynamic(idx, labels)
        return self._trace(key, self._seen[key], idx, labels)

    def _key(self, labels: list[Any]) -> Hashable | None:
        keys = [_label_key(t) for t in labels]
        return None if any(k is None for k in keys) else tuple(keys)

    def _dynamic(self, idx: Sequence[int], labels: list[Any]) -> float:
        value = self.objective([self.X[i] for i in idx], labels)
        value.backward()
        return value.data

    def _trace(
        self, key: Hashable, seen: int | None, idx: Sequence[int], labels: list[Any]
    ) -> float:
        """Run the step with the features as leaves; compile its graph if it is the same twice.

        The second sighting records the graph's fingerprint (its ops, constants and leaves in
        order), the third compares: a graph whose constants come from the data (a number
        computed from a feature in plain Python) would replay stale numbers, so it stays
        dynamic. (log_softmax's shift is a node of its own, so cross-entropy compiles.)
        """
        assert self._floats is not None
        rows = [[Value(v) for v in self._floats[i]] for i in idx]
        value = self.objective(rows, labels)
        value.backward()
        features = [leaf for row in rows for leaf in row]
        order = topological_order(value)
        mark = _fingerprint(order, features)
        if seen is None:
            self._seen[key] = mark
            return value.data
        del self._seen[key]
        trace: _Trace | None = None
        if mark == seen:
            known = set(features)
            wrt = [n for n in order if not n.parents and n not in known]
            try:
                program = compile(value, wrt=[n for n in wrt if not isinstance(n, Constant)])
            except ValueError:  # no graph, an op without a rule, or too large: stay dynamic
                pass
            else:
                trace = _Trace(program, features)  # a feature the graph ignores is not read
                self.traces += 1
        self._programs[key] = trace
        if len(self._programs) > MAX_PROGRAMS:
            self._programs.popitem(last=False)
        return value.data


def _fingerprint(order: list[Value], features: list[Value]) -> int:
    """A hash of the graph: each node's op, each constant's bits, each leaf's identity or
    position among the features."""
    position = {leaf: k for k, leaf in enumerate(features)}
    parts: list[object] = []
    for n in order:
        if n.parents:
            parts.append(n.op)
        elif isinstance(n, Constant):
            parts.append(n.data.hex())
        else:
            k = position.get(n)
            parts.append(id(n) if k is None else ~k)
    return hash(tuple(parts))
