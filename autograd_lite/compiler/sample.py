"""A model's pass over one sample as a generator: what a compiled training step runs per sample.

A training step's graph is the model's graph on every sample of the batch, joined by the loss.
The model's part is the same for every sample and every batch (for a model whose graph does not
depend on its inputs), so it is written once, as `SampleProgram`: the forward pass, then, given
the rows of the grad table at the model's outputs (which the loss's own graph computes), the
backward pass, continuing the parameters' rows. The loss stays dynamic: a loss that branches on
a label or on a prediction's value is never replayed on stale numbers.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ..core import Value, apply
from ..core.switches import recording
from .codegen import _BACKWARD_MARK, _Writer
from .program import _load
from .rows import CHUNK, tuple_text

__all__ = ["SampleProgram"]

Run = tuple[tuple[float, ...], tuple[float, ...]]
Forward = Callable[[Sequence[float], Sequence[Sequence[float]]], list[Run]]
Backward = Callable[
    [Sequence[float], list[tuple[tuple[float, ...], list[float]]], tuple[Any, ...]],
    tuple[Any, ...],
]


class _SampleWriter(_Writer):
    """Writes `def forward(params, samples)` and `def backward(params, items, rows)` (see
    `SampleProgram`)."""

    def __init__(
        self, outputs: Sequence[Value], features: Sequence[Value], params: Sequence[Value]
    ) -> None:
        # The walk from a sum of the outputs enters them from the last to the first, as the
        # walk of a step's graph does where the loss enters this sample's outputs in that order.
        self.features, self.params = tuple(features), tuple(params)
        with recording():
            root = apply("sum", outputs)
        super().__init__(root, params)
        self.order.pop()  # the sum itself is not written: the outputs' rows are given
        # A program for one sample is short and runs many times: its sums are written out
        # (a sum over tuples only saves text).
        self.over_tuples, self.rows.runs_over_tuples = CHUNK, sys.maxsize
        self.outputs = tuple(outputs)
        consumed = {p for node in self.order for p in self.parents[node]}
        if len(set(outputs)) < len(outputs) or not consumed.isdisjoint(outputs):
            raise ValueError("an output is repeated, or is an input of another node")
        if any(not o.parents for o in outputs):
            raise ValueError("an output is a leaf")
        if set(self.inputs) != {*features, *params}:
            raise ValueError("the graph's leaves are not exactly the features and parameters")

    def _name_nodes(self, nodes: list[Value], leaves: dict[Value, None]) -> None:
        first = [*self.features, *self.params]  # named in their order: w0, w1, b, w0_2, ...
        known = set(first)
        super()._name_nodes([*first, *(n for n in nodes if n not in known)], leaves)

    def write_sample(self) -> tuple[str, dict[str, object]]:
        var, names, tuples = self.var, self.names, self.tuples
        params, samples, runs, items, saved, seeds, rows = (
            names.take(n) for n in ("params", "samples", "runs", "items", "saved", "seeds", "rows")
        )
        starts = {p: names.fresh("r") for p in self.params}
        given = {o: f"{seeds}[{k}]" for k, o in enumerate(self.outputs)}
        forward = [self.forward_line(node) for node in self.order]
        backward = self._backward(given, starts)
        # tuples of parameters alone (a neuron's weights) are built once per call
        weights = {var[p] for p in self.params}
        once = [k for k, items in enumerate(tuples.items) if weights.issuperset(items)]
        shared = {k: names.fresh("W" if k in once else "T") for k in range(len(tuples.items))}
        head = self._assign("data", [var[v] for v in self.features])
        forward_text = [*head, *tuples.assemble(forward, shared, once)]
        backward_text = tuples.assemble(backward, shared, once)
        # what the backward pass reads of the forward pass's variables, handed over in a tuple
        read = set(re.findall(r"\w+", "\n".join(backward_text)))
        made = [m.group(1) for m in map(_ASSIGNED.match, forward_text) if m]
        kept = [n for group in made for n in group.split(", ") if n in read]
        outs = "".join(f"{var[o]}, " for o in self.outputs)
        row_names = list(starts.values())
        # The parameters are the functions' own variables (unpacked once a call), not a
        # closure's: no cell per parameter to make at every step, and quicker to read.
        unpack = [
            *self._assign(params, [var[p] for p in self.params]),
            *(f"    {shared[k]} = {tuple_text(tuples.items[k])}" for k in once),
        ]
        body = [
            f"def forward({params}, {samples}):",
            *unpack,
            f"    {runs} = []",
            f"    for data in {samples}:",
            "        # forward pass (Algorithm 6.1): each node from its parents, parents first",
            *("    " + line for line in forward_text),
            f"        {runs}.append((({outs}), ({''.join(n + ', ' for n in kept)})))",
            f"    return {runs}",
            "",
            "",
            f"def backward({params}, {items}, {rows}):",
            *unpack,
            *self._assign(rows, row_names),
            f"    for {saved}, {seeds} in {items}:",
            *("    " + line for line in self._assign(saved, kept)),
            *("    " + line for line in backward_text),
            f"    return ({''.join(r + ', ' for r in row_names)})",
            "",
        ]
        source = "\n".join(body).replace(
            "    " + _BACKWARD_MARK,
            "        # backward pass (Algorithm 6.2) from the outputs' rows; each parameter's"
            "\n        # row goes on from where the step has brought it, in the engine's order",
        )
        return source, dict(names.namespace)

    @staticmethod
    def _assign(source: str, targets: list[str]) -> list[str]:
        return [f"    {''.join(t + ', ' for t in targets)}= {source}"] if targets else []


_ASSIGNED = re.compile(r"^    (\w+(?:, \w+)*),? = ")


class SampleProgram:
    """One sample's forward and backward pass through a model, as straight-line Python.

    Two functions, each given the parameters' values first (`params`, floats in the order
    given):

    - `forward(params, samples)`, for each sample's features: a run per sample, the outputs'
      values (a tuple) and what the backward pass needs of the forward pass (`saved`, a tuple);
    - `backward(params, items, rows)`, given each parameter's row so far (`rows`) and, for samples
      one after another, what their forward passes saved and each output's row of the step's
      grad table (`items`, pairs `(saved, seeds)`): the parameters' rows with the samples'
      terms added, in the order `backward()` adds them on the step's graph (the core's
      accumulation order, where the walk meets each sample's outputs from the last listed to
      the first, and meets the samples in this order). A row that gets no term is written as
      0.0 (see `codegen._Writer`); a step checks for the cases where that could differ.

    Built from a trace: `outputs`, the model's outputs on the leaves `features`, with the
    parameters `params`. Raises ValueError if the trace is not such a graph.
    """

    __slots__ = ("backward", "forward", "outputs", "source")

    def __init__(
        self, outputs: Sequence[Value], features: Sequence[Value], params: Sequence[Value]
    ) -> None:
        self.source, namespace = _SampleWriter(outputs, features, params).write_sample()
        self.forward: Forward = _load(self.source, "forward", namespace)
        self.backward: Backward = self.forward.__globals__["backward"]
        self.outputs = len(outputs)

    def __repr__(self) -> str:
        return f"SampleProgram(outputs={self.outputs}, lines={self.source.count(chr(10))})"
