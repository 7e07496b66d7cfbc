"""Write a graph as straight-line Python: the forward pass, then the grad table, one line per node.

The forward line of a node applies its rule's forward to its parents' values; the backward line
is Algorithm 6.2's sum, grad_table[u] = Σ grad_table[c] · ∂c/∂u over the consumers c of u, with
the terms in the order `engine.grad_table` adds them, so every float comes out the same.
"""

from __future__ import annotations

import builtins
import math
import operator
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..engine import Constant, Value, topological_order
from ..rules import RULES, ZERO, StrongZero
from .inline import inline
from .names import Names, identifier, op_name, reserved
from .symbolic import ADD, ATOM, Expr, Operand, SymMath, call, code, name, render, shared

MAX_NODES = 100_000
"""The largest graph `compile` accepts (op nodes). Writing and compiling a program takes about
50 µs and 7 kB per node (Python's own compiler is most of it): 100,000 nodes take seconds and
most of a gigabyte; a larger step is better compiled in parts (one minibatch at a time)."""

_CHUNK = 64  # terms per line of a long sum (Python's compiler recurses once per `+`)
# Up to Python 3.11 the sum of floats adds them one by one from the start value, exactly as
# `0.0 + a + b + ...` does (3.12 compensates the rounding, Neumaier's way): there a short sum
# or dot is written out as additions, which runs faster than calling sum.
SEQUENTIAL_SUM = sys.version_info < (3, 12)
# A dot of more products is written sum(map(mul, W, X), 0.0): the weights' tuple W is built
# once for all samples and the inputs' X once for all neurons, so the code stays short.
_DOT_WRITTEN_OUT = 64

# Forwards that are Python's own float operators are written as operators.
_OPERATORS: dict[Any, str] = {float.__add__: "+", float.__sub__: "-", float.__mul__: "*"}


@dataclass(frozen=True)
class Generated:
    """The code of one graph and what it needs to run."""

    source: str  # def program(data) -> (output, gradients of `wrt`)
    forward_source: str  # def forward(data) -> output
    namespace: dict[str, object]  # the globals both functions read
    inputs: tuple[Value, ...]  # the leaves read from `data`, in order
    wrt: tuple[Value, ...]  # the inputs whose gradients `program` returns, in order
    nodes: int  # op nodes of the graph


def _times(g: Operand, d: Operand, hoisted: dict[int, str]) -> Operand:
    """The term g · d of a sum in the grad table, simplified only where the float is the same.

    `g · (a if c else b)` is `(g · a if c else g · b)`; g · ZERO is ZERO for every g (the
    strong zero); g · 1.0 is g (also for ZERO); 1.0 · d is d.
    """
    if isinstance(d, Expr) and d.kind == "where" and id(d) not in hoisted:
        cond, a, b = d.parts
        ta, tb = _times(g, a, hoisted), _times(g, b, hoisted)
        if not isinstance(ta, Expr) and not isinstance(tb, Expr) and ta is tb:
            return ta
        return Expr("where", cond, ta, tb)
    if isinstance(d, StrongZero):
        return d
    if not isinstance(g, Expr) and not isinstance(d, Expr):
        return g * d
    if type(d) in (float, int) and d == 1:
        return g
    if type(g) is float and g == 1.0:
        return d
    return Expr("*", g, d)


Fragment = Any  # a str of code, or an int: a tuple of the `_Tuples` registry
Line = list[Fragment]


class _Tuples:
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

    def assemble(self, lines: list[Line], names: dict[int, str]) -> list[str]:
        """The lines as text; a shared tuple is assigned just before its first use."""
        out: list[str] = []
        defined: set[int] = set()
        for line in lines:
            parts = []
            for f in line:
                if type(f) is not int:
                    parts.append(f)
                    continue
                if self.count[f] < 2:
                    parts.append(_tuple_text(self.items[f]))
                    continue
                if f not in defined:
                    defined.add(f)
                    out.append(f"    {names[f]} = {_tuple_text(self.items[f])}")
                parts.append(names[f])
            out.append("".join(parts))
        return out


def _tuple_text(items: tuple[str, ...]) -> str:
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


class _Writer:
    """Builds the two functions' text for one graph."""

    def __init__(self, root: Value, wrt: Sequence[Value] | None) -> None:
        order = topological_order(root, leaves=False)  # the order grad_table walks
        if not order:
            raise ValueError(
                f"compile() needs a graph, but the root {root!r} has no parents: it is a leaf, "
                "or it was made under no_grad(), which records no graph; build the expression "
                "outside no_grad() and compile its result"
            )
        if len(order) > MAX_NODES:
            raise ValueError(
                f"compile(): the graph has {len(order):,} op nodes, more than the limit of "
                f"{MAX_NODES:,} (autograd_lite.compiler.codegen.MAX_NODES); Python's compiler "
                "would take minutes on it: compile a smaller graph (e.g. one minibatch)"
            )
        self.parents: dict[Value, tuple[Value, ...]] = {}
        leaves: dict[Value, None] = {}
        for node in order:
            if node.op not in RULES:
                raise ValueError(
                    f"compile() cannot write op {node.op!r}: it has no rule in "
                    "autograd_lite.rules.RULES (only ops built from the table can be compiled)"
                )
            ps = self.parents[node] = node.parents
            for p in ps:
                if p._a is None:
                    leaves.setdefault(p)
        self.root, self.order = root, order
        self.inputs = tuple(p for p in leaves if not isinstance(p, Constant))
        self.wrt = self._check_wrt(wrt)
        self.names = Names(reserved())
        self.m = SymMath(self.names.bind)
        self.tuples = _Tuples()
        self.var: dict[Value, str] = {}  # node → its variable
        self.val: dict[Value, Operand] = {}  # node → its value in a partial: Expr or number
        self.atom: dict[Value, str] = {}  # node → its value as code
        self._literals: dict[int, tuple[float, str]] = {}
        self._name_nodes([*self.inputs, *order], leaves)

    def _check_wrt(self, wrt: Sequence[Value] | None) -> tuple[Value, ...]:
        if wrt is None:
            return self.inputs
        index = set(self.inputs)
        chosen = set()
        for i, w in enumerate(wrt):
            if w not in index:
                raise ValueError(
                    f"compile(wrt=...): item {i}, {w!r}, is not an input of this graph (a leaf "
                    "below the root that is not a constant); pass leaves of the graph"
                )
            chosen.add(w)
        return tuple(p for p in self.inputs if p in chosen)

    def _name_nodes(self, nodes: list[Value], leaves: dict[Value, None]) -> None:
        labelled = [(n, identifier(n.label)) for n in nodes]
        for n, base in labelled:  # labels first: they keep their own names where possible
            if base:
                self.var[n] = self.names.take(base, with_grad=True)
        for n, base in labelled:
            if not base:
                self.var[n] = self.names.fresh("v")
                self.names.used.add("g_" + self.var[n])
        for n in nodes:
            self.val[n] = name(self.var[n])
            self.atom[n] = self.var[n]
        for p in leaves:
            if isinstance(p, Constant):
                self.val[p] = p.data
                self.atom[p] = code(p.data, {}, ATOM - 1)

    def forward_line(self, node: Value) -> Line:
        rule = RULES[node.op]
        ps = self.parents[node]
        head = f"    {self.var[node]} = "
        if node.op in ("sum", "dot"):
            return self._sum_line(head, node.op, ps)
        args = [self.val[p] for p in ps]
        expr: Operand
        symbol = _OPERATORS.get(rule.forward)
        if rule.forward is float.__neg__:
            expr = Expr("neg", args[0])
        elif symbol is not None:
            expr = Expr(symbol, *args)
        elif node.op == "/" and not isinstance(args[1], Expr) and args[1] != 0:
            expr = Expr("/", *args)  # FloatMath.div differs from `/` only for a zero divisor
        else:
            inlined = inline(rule.forward, [self.atom[p] for p in ps])
            if inlined is not None:  # relu, max, ...: the lambda's own expression
                return [head + inlined]
            expr = call(self.names.bind(op_name(node.op), rule.forward), *args)
        return [head + render(expr)]

    def _sum_line(self, head: str, op: str, ps: tuple[Value, ...]) -> Line:
        """RULES["sum"] is Python's sum from 0.0; RULES["dot"] that of the products, + bias."""
        atoms = self.atom
        if op == "sum":
            items = [atoms[p] for p in ps]
            bias = ""
        else:
            n = len(ps) // 2
            items = [f"{atoms[w]} * {atoms[x]}" for w, x in zip(ps, ps[n : 2 * n])]
            bias = f" + {atoms[ps[-1]]}" if len(ps) % 2 else ""
        total = self.names.bind("sum", builtins.sum)
        if op == "sum":
            if SEQUENTIAL_SUM and len(items) <= _CHUNK:
                return [head + " + ".join(["0.0", *items])]
            return [head, f"{total}(", self.tuples.ref(tuple(items)), ", 0.0)"]
        if len(items) <= _DOT_WRITTEN_OUT:
            if SEQUENTIAL_SUM:
                return [head + " + ".join(["0.0", *items]) + bias]
            return [head + f"{total}(({', '.join(items)}{',' if n == 1 else ''}), 0.0){bias}"]
        mul = self.names.bind("mul", operator.mul)
        ws = self.tuples.ref(tuple(atoms[w] for w in ps[:n]))
        xs = self.tuples.ref(tuple(atoms[x] for x in ps[n : 2 * n]))
        return [head, f"{total}(map({mul}, ", ws, ", ", xs, f"), 0.0){bias}"]

    def write(self) -> Generated:
        forward = [self.forward_line(node) for node in self.order]
        backward = self._backward()
        out = self.var[self.root]
        unpack = self._unpack()
        grads = ", ".join("g_" + self.var[p] for p in self.wrt)
        grads = f"({grads},)" if len(self.wrt) == 1 else f"({grads})"
        for bound, obj in (("ZERO", ZERO), ("inf", math.inf), ("nan", math.nan)):
            self.names.bind(bound, obj)
        shared_names = {k: self.names.fresh("T") for k, c in enumerate(self.tuples.count) if c > 1}
        source = "\n".join(
            [
                "def program(data):",
                *unpack,
                "    # forward pass (Algorithm 6.1): each node from its parents, parents first",
                *self.tuples.assemble(forward + backward, shared_names),
                f"    return {out}, {grads}",
                "",
            ]
        )
        # the comment line above the backward pass goes where the backward lines begin
        source = source.replace(
            _BACKWARD_MARK,
            "    # backward pass (Algorithm 6.2): grad_table[u] = Σ grad_table[c]"
            " · ∂c/∂u\n    # over the consumers c of u, summed from 0.0 in the engine's order",
        )
        forward_source = "\n".join(
            [
                "def forward(data):",
                *unpack,
                *self.tuples.assemble(forward, shared_names),
                f"    return {out}",
                "",
            ]
        )
        return Generated(
            source=source,
            forward_source=forward_source,
            namespace=dict(self.names.namespace),
            inputs=self.inputs,
            wrt=self.wrt,
            nodes=len(self.order),
        )

    def _unpack(self) -> list[str]:
        if not self.inputs:
            return []
        names = ", ".join(self.var[p] for p in self.inputs)
        return [f"    {names}{',' if len(self.inputs) == 1 else ''} = data"]

    def _backward(self) -> list[Line]:
        wanted = set(self.wrt)
        needs: dict[Value, bool] = {p: p in wanted for p in self.inputs}
        for node in self.order:
            needs[node] = any([needs.get(p, False) for p in self.parents[node]])
        root = self.root
        if not needs[root]:
            return []
        ps = self.parents[root]
        # grad_table stores the row of an n-ary root with distinct parents without the 0.0.
        root_row = len(ps) > 2 and len(set(ps)) == len(ps)
        bare: set[Value] = set()
        hoisted: dict[int, str] = {}
        alive: list[Expr] = []
        # The terms of each node's sum, in the order grad_table adds them: consumers in
        # reverse topological order, each one's parent slots in order. A consumer comes before
        # all of its parents, so its own sum is complete when it is reached.
        terms: dict[Value, list[Any]] = {}
        lines: list[Line] = [[_BACKWARD_MARK], [f"    g_{self.var[root]} = 1.0"]]
        for c in reversed(self.order):
            if not needs[c]:
                continue
            if c is not root:
                lines += self._grad_lines(c, terms.pop(c, []), c in bare)
            ps = self.parents[c]
            d = RULES[c.op].partials(self.m, self.val[c], *[self.val[p] for p in ps])
            used = [d[i] for i, p in enumerate(ps) if needs.get(p, False)]
            compound = [x for x in used if type(x) is Expr and x.kind != "name"]
            for expr in shared(compound) if len(compound) > 1 else ():
                t = self.names.fresh("t")
                lines.append([f"    {t} = {render(expr, hoisted)}"])
                hoisted[id(expr)] = t
                alive.append(expr)  # ids name the temporaries: their Exprs must stay alive
            g = "g_" + self.var[c]
            times = g + " * "
            for p, dp in zip(ps, d):
                if not needs.get(p, False):
                    continue
                if c is root:
                    term = self._term(None, dp, hoisted)
                    if root_row:
                        bare.add(p)
                        terms[p] = [term]
                        continue
                elif type(dp) is Expr and dp.kind == "name":  # the common case, made quick
                    term = times + dp.parts[0]
                else:
                    term = self._term(g, dp, hoisted)
                if isinstance(term, StrongZero) and p not in bare:
                    continue  # a sum begun at 0.0 is never -0.0: adding an exact 0 changes nothing
                found = terms.get(p)
                if found is None:
                    terms[p] = [term]
                else:
                    found.append(term)
        for p in self.wrt:
            lines += self._grad_lines(p, terms.pop(p, []), p in bare)
        return lines

    def _term(self, g: str | None, d: Operand, hoisted: dict[int, str]) -> Any:
        """The term g · d as code to the right of a `+`, or a number known now.

        `g` is the consumer's variable, None for the root (whose entry is the seed 1.0).
        """
        if g is not None:
            if type(d) is Expr and d.kind == "name":
                return f"{g} * {d.parts[0]}"
            if type(d) is float and d != 1.0:  # a constant's value: g * literal
                return f"{g} * {self._literal(d)}"
        t = _times(1.0 if g is None else name(g), d, hoisted)
        if not isinstance(t, Expr):
            return t
        return code(t, hoisted, ADD)

    def _grad_lines(self, node: Value, terms: list[Any], bare: bool) -> list[Line]:
        """grad_table[node] = 0.0 + Σ g_c · ∂c/∂node: one line, a few for long sums."""
        target = "g_" + self.var[node]
        head = f"    {target} = "
        lines: list[Line] = []
        acc: str
        if bare:  # the first term stands alone: no 0.0 before it
            first = terms[0]
            lines.append([head + (first if type(first) is str else code(first, {}, 0))])
            acc, terms = target, terms[1:]
        else:
            static: Operand = 0.0  # numbers at the start are added now (the same additions)
            while terms and type(terms[0]) is not str:
                static = static + terms[0]
                terms = terms[1:]
            acc = code(static, {}, ADD - 1 if terms else 0)
            if not terms:
                return [[head + acc]]
        texts = [t if type(t) is str else code(t, {}, ADD) for t in terms]
        for start in range(0, len(texts), _CHUNK):
            lines.append([head + " + ".join([acc, *texts[start : start + _CHUNK]])])
            acc = target
        return lines

    def _literal(self, x: float) -> str:
        found = self._literals.get(id(x))
        if found is None:
            found = self._literals[id(x)] = (x, code(x, {}, 0))  # x kept: its id stays its
        return found[1]


_BACKWARD_MARK = "\x00backward\x00"
