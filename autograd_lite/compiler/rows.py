"""A row of the grad table as lines of code: 0.0 plus its terms, in the engine's order.

A term is a product g_c · d (a tuple: the consumer's grad variable, the derivative's code or
None for 1.0, and a run key), an Expr, or a number known now. Long runs of products from
consumers of one shape become one call over tuples, each tuple built once (`Tuples`).
"""

from __future__ import annotations

import builtins
import itertools
import operator
import sys
from collections.abc import Iterable
from typing import Any

from .names import Names
from .symbolic import ADD, Expr, Operand, code, name

Fragment = Any  # a str of code, or an int: a tuple of the `Tuples` registry
Line = list[Fragment]

CHUNK = 64  # terms per line of a long sum (Python's compiler recurses once per `+`)
# Where Python's sum of floats adds one by one from the start value (up to 3.11; 3.12 compensates
# the rounding, Neumaier's way), `0.0 + a + b + ...` is the same float: short sums and dots are
# written out as additions.
SEQUENTIAL_SUM = sys.version_info < (3, 12)
# A dot of this many products or more, and a run of this many products g_c · d in a grad-table
# sum, is one call over tuples, sum(map(mul, W, X), 0.0): a layer's weights W gathered once for
# all samples, a sample's inputs X once for all neurons, so a batch's program stays short to
# compile (the written-out form runs quicker per term; benchmarks/README.md has the figures).
OVER_TUPLES = 8
# The grad table adds one by one, so its sums go over tuples only where Python's sum does too.
RUNS_OVER_TUPLES = OVER_TUPLES if SEQUENTIAL_SUM else sys.maxsize


def times(g: Operand, d: Operand, hoisted: dict[int, str]) -> Operand:
    """The term g · d of a sum in the grad table, simplified only where the float is the same.

    `g · (a if c else b)` is `(g · a if c else g · b)`; g · 1.0 is g; 1.0 · d is d. An absent
    derivative (None) gives None; in a choice, an absent side is the number 0.0, which adds
    nothing to a row (see `_Writer` on absent rows).
    """
    if d is None:
        return None
    if isinstance(d, Expr) and d.kind == "where" and id(d) not in hoisted:
        cond, a, b = d.parts
        ta, tb = times(g, a, hoisted), times(g, b, hoisted)
        ta, tb = 0.0 if ta is None else ta, 0.0 if tb is None else tb
        if not isinstance(ta, Expr) and not isinstance(tb, Expr) and ta == tb:
            return ta
        return Expr("where", cond, ta, tb)
    if not isinstance(g, Expr) and not isinstance(d, Expr):
        return g * d
    if type(d) in (float, int) and d == 1:
        return g
    if type(g) is float and g == 1.0:
        return d
    return Expr("*", g, d)


class Tuples:
    """Tuples of variables the forward pass uses, counted: one used twice is built once.

    A wide layer's weights feed every sample and a sample's activations every neuron, so its
    dot nodes `sum(map(mul, W, X), 0.0)` read tuples built once.
    """

    def __init__(self) -> None:
        self.index: dict[tuple[str, ...], int] = {}
        self.items: list[tuple[str, ...]] = []
        self.count: list[int] = []

    def ref(self, items: tuple[str, ...]) -> int:
        k = self.index.get(items)
        if k is None:
            k = self.index[items] = len(self.items)
            self.items.append(items)
            self.count.append(0)
        self.count[k] += 1
        return k

    def assemble(
        self, lines: list[Line], names: dict[int, str], ready: Iterable[int] = ()
    ) -> list[str]:
        """The lines as text; a shared tuple is assigned just before its first use (those in
        `ready` are assigned already, under their `names`)."""
        out: list[str] = []
        defined: set[int] = set(ready)
        for line in lines:
            parts = []
            for f in line:
                if type(f) is not int:
                    parts.append(f)
                    continue
                if f in defined:
                    parts.append(names[f])
                    continue
                if self.count[f] < 2:
                    parts.append(tuple_text(self.items[f]))
                    continue
                defined.add(f)
                out.append(f"    {names[f]} = {tuple_text(self.items[f])}")
                parts.append(names[f])
            out.append("".join(parts))
        return out


def tuple_text(items: tuple[str, ...]) -> str:
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


class Rows:
    """Writes rows of the grad table; `unsigned` holds the grad variables that cannot be -0.0
    (sums from 0.0), `hoisted` the ids of Exprs computed once into temporaries."""

    def __init__(self, names: Names, tuples: Tuples, hoisted: dict[int, str]) -> None:
        self.names, self.tuples, self.hoisted = names, tuples, hoisted
        self.unsigned: set[str] = {"1.0"}
        self.runs_over_tuples = RUNS_OVER_TUPLES

    def lines(self, target: str, terms: list[Any], start: str | None = None) -> list[Line]:
        """grad_table[node] = 0.0 + Σ g_c · ∂c/∂node: one line, a few for long sums.

        A run of `RUNS_OVER_TUPLES` or more products from consumers of one shape (op and number
        of parents: a neuron's samples, a layer's neurons) is one call over tuples; other terms
        are written out, `CHUNK` to a line. `start`: the variable holding the row so far (a
        row continued across programs, as a compiled step's parameters' rows are), for 0.0.
        """
        head = f"    {target} = "
        if start is not None:
            return self._continued(head, target, terms, start)
        self.unsigned.add(target)
        if len(terms) == 1 and type(terms[0]) is tuple:  # most nodes have one consumer
            g, d, _ = terms[0]
            if d is not None:
                return [[f"{head}0.0 + {g} * {d}"]]
            return [[head + g if g in self.unsigned else f"{head}0.0 + {g}"]]
        static: Operand = 0.0  # numbers at the start are added now (the same additions)
        while terms and not isinstance(terms[0], (Expr, tuple)):
            static = static + terms[0]
            terms = terms[1:]
        if not terms:
            return [[head + code(static, {}, 0)]]
        if len(terms) == 1 and static == 0.0:  # 0.0 + (0.0 if c else g) is (0.0 if c else g)
            alone = self._plus_zero(terms[0])
            if alone is not None:
                return [[head + self.text(alone, 0)]]
        return self._sum(head, target, [code(static, {}, ADD - 1)], terms)

    def _continued(self, head: str, target: str, terms: list[Any], start: str) -> list[Line]:
        """start + Σ terms: nothing is added ahead of time, since `start` is not known now."""
        if not terms:
            return [] if target == start else [[head + start]]
        if len(terms) == 1:
            return [[f"{head}{start} + {self.text(terms[0], ADD)}"]]
        return self._sum(head, target, [start], terms)

    def _sum(self, head: str, target: str, line: Line, terms: list[Any]) -> list[Line]:
        """head + line + Σ terms, over tuples where a run is long, `CHUNK` terms to a line."""
        lines: list[Line] = []
        written = 0
        products = set(map(type, terms)) == {tuple}
        for key, group in itertools.groupby(terms, _RUN if products else _run_key):
            run = list(group)
            if key is not None and len(run) >= self.runs_over_tuples:
                line = self._sum_over_tuples(run, line)
                continue
            for t in run:
                if written == CHUNK:
                    lines.append([head, *line])
                    line, written = [target], 0
                line += [" + ", self.text(t, ADD)]
                written += 1
        lines.append([head, *line])
        return lines

    def _sum_over_tuples(self, run: list[tuple[str, str | None, Any]], start: Line) -> Line:
        """start + Σ g_c · d over the run, as one call: sum(map(mul, G, D), start).

        Python's sum (up to 3.11) adds one by one from `start`, as the written-out sum does.
        The consumers' grads G of one node are shared by all its parents' sums (a neuron's
        weights), and the d's by the sums of a layer, so each tuple is built once.
        """
        add_up = self.names.bind("sum", builtins.sum)
        gs = self.tuples.ref(tuple(map(_G, run)))
        if run[0][1] is None:
            return [f"{add_up}(", gs, ", ", *start, ")"]
        mul = self.names.bind("mul", operator.mul)
        ds = self.tuples.ref(tuple(map(_D, run)))
        return [f"{add_up}(map({mul}, ", gs, ", ", ds, "), ", *start, ")"]

    def text(self, term: Any, above: int) -> str:
        """A term of a grad-table sum as code, in parentheses if its precedence is not above."""
        if type(term) is tuple:
            g, d, _ = term
            return g if d is None else f"{g} * {d}"
        return code(term, self.hoisted, above)

    def _plus_zero(self, term: Any) -> Operand | None:
        """0.0 + term with the addition done now where the float is the same, else None.

        0.0 + g is g for a grad that is itself a sum from 0.0 (never -0.0), and 0.0 + 0.0 is
        0.0; a choice adds 0.0 to both sides.
        """
        if type(term) is tuple:
            g, d, _ = term
            return name(g) if d is None and g in self.unsigned else None
        if isinstance(term, Expr):
            if term.kind == "name":
                return term if term.parts[0] in self.unsigned else None
            if term.kind == "where" and id(term) not in self.hoisted:
                cond, a, b = term.parts
                pa, pb = self._plus_zero(a), self._plus_zero(b)
                return None if pa is None or pb is None else Expr("where", cond, pa, pb)
            return None
        return 0.0 + term  # a number known now


def _run_key(term: Any) -> Any:
    """Products from consumers of one shape, all times 1.0 or all not, share a key."""
    return term[2] if type(term) is tuple else None


# The parts of a product term (g, d, run key).
_G, _D, _RUN = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(2)
