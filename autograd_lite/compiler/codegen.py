"""Write a graph as straight-line Python: the forward pass, then the grad table, one line per node.

The forward line of a node applies its rule's forward to its parents' values; the backward line
is Algorithm 6.2's sum, grad_table[u] = Σ grad_table[c] · ∂c/∂u over the consumers c of u, with
the terms in the order `engine.grad_table` adds them, so every float comes out the same.
"""

from __future__ import annotations

import builtins
import itertools
import math
import operator
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core import RULES, Constant, Value, topological_order
from ..core.rules import namespace
from .names import Names, identifier, op_name, reserved
from .symbolic import (
    ADD,
    ATOM,
    MUL,
    Expr,
    Operand,
    SymMath,
    call,
    code,
    name,
    render,
    rule_partials,
    rule_value,
    shared,
)

MAX_NODES = 100_000
"""The largest graph `compile` accepts (op nodes). Writing and compiling a program takes about
100 µs and 15 kB per node of an MLP step (Python's own compiler is most of it): 100,000 nodes
take seconds and over a gigabyte; a larger step is better compiled in parts (one minibatch at
a time)."""

_CHUNK = 64  # terms per line of a long sum (Python's compiler recurses once per `+`)
# Up to Python 3.11 the sum of floats adds them one by one from the start value, exactly as
# `0.0 + a + b + ...` does (3.12 compensates the rounding, Neumaier's way): there a short sum
# or dot is written out as additions, which runs faster than calling sum.
SEQUENTIAL_SUM = sys.version_info < (3, 12)
# A dot of this many products or more, and a run of this many products g_c · d in a grad-table
# sum, is one call over tuples: sum(map(mul, W, X), 0.0). A layer's weights W are gathered once
# for all samples and a sample's inputs X once for all neurons, so the text stays short. Python's
# parser spends about 3 µs on every name and number it reads, so a program written out in full
# takes longer to compile than hundreds of its runs; the call runs about twice as slow per term.
_OVER_TUPLES = 8
# The grad table adds one by one, so its sums go over tuples only where Python's sum does too
# (up to 3.11); from 3.12 they are written out (adding by functools.reduce made W1's step
# two to three times slower there).
_RUNS_OVER_TUPLES = _OVER_TUPLES if SEQUENTIAL_SUM else sys.maxsize


@dataclass(frozen=True)
class Generated:
    """The code of one graph and what it needs to run."""

    source: str  # def program(data) -> (output, gradients of `wrt`)
    forward_source: Callable[[], str]  # def forward(data) -> output, written when asked
    namespace: dict[str, object]  # the globals both functions read
    inputs: tuple[Value, ...]  # the leaves read from `data`, in order
    wrt: tuple[Value, ...]  # the inputs whose gradients `program` returns, in order
    nodes: int  # op nodes of the graph
    tape: Tape  # the graph without its nodes, to rebuild it (`Program`'s exact path)


@dataclass(frozen=True)
class Tape:
    """A graph as numbers: the constants' values, then each op with the indices of its parents
    in inputs + constants + the ops before it. Rebuilt through `core.apply`, it is the graph."""

    constants: tuple[float, ...]
    ops: tuple[tuple[str, tuple[int, ...]], ...]
    wrt: tuple[int, ...]  # the inputs `program` differentiates, as indices into the inputs


def _times(g: Operand, d: Operand, hoisted: dict[int, str]) -> Operand:
    """The term g · d of a sum in the grad table, simplified only where the float is the same.

    `g · (a if c else b)` is `(g · a if c else g · b)`; g · 1.0 is g; 1.0 · d is d. An absent
    derivative (None) gives None; in a choice, an absent side is the number 0.0, which adds
    nothing to a row (see `_Writer` on absent rows).
    """
    if d is None:
        return None
    if isinstance(d, Expr) and d.kind == "where" and id(d) not in hoisted:
        cond, a, b = d.parts
        ta, tb = _times(g, a, hoisted), _times(g, b, hoisted)
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
    """Builds the two functions' text for one graph.

    Absent rows: the engine gives a node that receives no term no row at all, and it passes
    nothing on. The program writes such a row as 0.0, which is the same float wherever it
    meets finite local derivatives (0.0 · d adds nothing to a row, and a row is never -0.0);
    only 0.0 · inf or 0.0 · nan can differ, and they leave a nan in some gradient, or a 0.0 the
    engine would not have added. `Program.run` checks for exactly these and then replays the
    graph through the engine itself.
    """

    def __init__(self, root: Value, wrt: Sequence[Value] | None) -> None:
        order = [n for n in topological_order(root) if n.parents]  # the order grad_table walks
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
                    "autograd_lite.core.rules.RULES (only ops built from the table can be compiled)"
                )
            ps = self.parents[node] = node.parents
            for p in ps:
                if not p.parents:
                    leaves.setdefault(p)
        self.root, self.order = root, order
        self.inputs = tuple(p for p in leaves if not isinstance(p, Constant))
        self.wrt = self._check_wrt(wrt)
        self.names = Names(reserved())
        self.m = SymMath(self.names.bind)
        self.env = {**namespace(self.m), "where": self.m.where}  # `a if c else b` in rules
        self.tuples = _Tuples()
        self.var: dict[Value, str] = {}  # node → its variable
        self.val: dict[Value, Operand] = {}  # node → its value in a partial: Expr or number
        self.atom: dict[Value, str] = {}  # node → its value as code
        self.operand: dict[Value, str] = {}  # the same as a term of a sum or product
        self._literals: dict[int, tuple[float, str]] = {}
        self.hoisted: dict[int, str] = {}  # ids of Exprs computed once, and their variables
        self.unsigned: set[str] = {"1.0"}  # grad variables that cannot hold -0.0 (sums from 0.0)
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
        var, names = self.var, self.names
        unlabelled = []
        for n in nodes:  # labels first: they keep their own names where possible
            base = identifier(n.label) if n.label else ""
            if base:
                var[n] = names.take(base, with_grad=True)
            else:
                unlabelled.append(n)
        for n in unlabelled:
            var[n] = names.fresh("v", with_grad=True)
        self.atom.update(var)
        self.operand.update(var)
        self.val.update({n: Expr("name", v) for n, v in var.items()})
        for p in leaves:
            if isinstance(p, Constant):
                self.val[p] = p.data
                self.atom[p] = code(p.data, {}, ATOM - 1)
                self.operand[p] = code(p.data, {}, MUL)  # w * -0.5 needs no parentheses

    def forward_line(self, node: Value) -> Line:
        rule = RULES[node.op]
        ps = self.parents[node]
        head = f"    {self.var[node]} = "
        if node.op in ("sum", "dot"):
            return self._sum_line(head, node.op, ps)
        args = [self.val[p] for p in ps]
        expr: Operand
        if rule.inputs is not None:  # the rule's own text, on the parents' variables
            expr = rule_value(rule, self.env, args)
        else:
            expr = call(self.names.bind(op_name(node.op), rule.forward), Expr("tuple", *args))
        return [head + render(expr)]

    def _sum_line(self, head: str, op: str, ps: tuple[Value, ...]) -> Line:
        """RULES["sum"] is Python's sum from 0.0; RULES["dot"] that of the products, + bias."""
        atoms = self.operand
        total = self.names.bind("sum", builtins.sum)
        if op == "sum":
            items = [atoms[p] for p in ps]
            if SEQUENTIAL_SUM and len(items) <= _CHUNK:
                return [head + " + ".join(["0.0", *items])]
            return [head, f"{total}(", self.tuples.ref(tuple(items)), ", 0.0)"]
        n = len(ps) // 2
        bias = f" + {atoms[ps[-1]]}" if len(ps) % 2 else ""
        if n >= _OVER_TUPLES:
            mul = self.names.bind("mul", operator.mul)
            ws = self.tuples.ref(tuple([atoms[w] for w in ps[:n]]))
            xs = self.tuples.ref(tuple([atoms[x] for x in ps[n : 2 * n]]))
            return [head, f"{total}(map({mul}, ", ws, ", ", xs, f"), 0.0){bias}"]
        items = [f"{atoms[w]} * {atoms[x]}" for w, x in zip(ps, ps[n : 2 * n])]
        if SEQUENTIAL_SUM:
            return [head + " + ".join(["0.0", *items]) + bias]
        return [head + f"{total}(({', '.join(items)}{',' if n == 1 else ''}), 0.0){bias}"]

    def write(self) -> Generated:
        forward = [self.forward_line(node) for node in self.order]
        backward = self._backward()
        out = self.var[self.root]
        unpack = self._unpack()
        grads = ", ".join("g_" + self.var[p] for p in self.wrt)
        grads = f"({grads},)" if len(self.wrt) == 1 else f"({grads})"
        for bound, obj in (("inf", math.inf), ("nan", math.nan)):
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
            " · ∂c/∂u\n    # over the consumers c of u, summed from 0.0 in the engine's order"
            " (0.0 + g is g\n    # for a grad g that is such a sum: it is never -0.0)",
        )
        tuples = self.tuples  # text only: the program keeps no node of the graph alive

        def forward_source() -> str:
            body = tuples.assemble(forward, shared_names)
            return "\n".join(["def forward(data):", *unpack, *body, f"    return {out}", ""])

        return Generated(
            source=source,
            forward_source=forward_source,
            namespace=dict(self.names.namespace),
            inputs=self.inputs,
            wrt=self.wrt,
            nodes=len(self.order),
            tape=self._tape(),
        )

    def _tape(self) -> Tape:
        index = {p: k for k, p in enumerate(self.inputs)}
        constants = [p for p in self.val if isinstance(p, Constant)]
        index.update((c, len(index)) for c in constants)
        ops = []
        for node in self.order:
            ops.append((node.op, tuple(index[p] for p in self.parents[node])))
            index[node] = len(index)
        return Tape(tuple(c.data for c in constants), tuple(ops), tuple(index[w] for w in self.wrt))

    def _unpack(self) -> list[str]:
        if not self.inputs:
            return []
        names = ", ".join(self.var[p] for p in self.inputs)
        return [f"    {names}{',' if len(self.inputs) == 1 else ''} = data"]

    def _backward(self) -> list[Line]:
        need = set(self.wrt)  # the wanted inputs and every node above one of them
        parents = self.parents
        for node in self.order:
            if not need.isdisjoint(parents[node]):
                need.add(node)
        root = self.root
        if root not in need:
            return []
        hoisted = self.hoisted
        alive: list[Expr] = []
        val, var, m, env, grad_lines = self.val, self.var, self.m, self.env, self._grad_lines
        # The terms of each node's sum, in the order the grad table adds them: consumers in
        # reverse topological order, each one's parent slots in order. A consumer comes before
        # all of its parents, so its own sum is complete when it is reached.
        terms: defaultdict[Value, list[Any]] = defaultdict(list)
        lines: list[Line] = [[_BACKWARD_MARK], [f"    g_{var[root]} = 1.0"]]
        for c in reversed(self.order):
            if c not in need:
                continue
            if c is not root:
                lines += grad_lines(c, terms.pop(c, []))
            ps = parents[c]
            d = rule_partials(RULES[c.op], m, env, val[c], [val[p] for p in ps])
            compound = [
                x for x, p in zip(d, ps) if type(x) is Expr and x.kind != "name" and p in need
            ]
            for expr in shared(compound) if len(compound) > 1 else ():
                t = self.names.fresh("t")
                lines.append([f"    {t} = {render(expr, hoisted)}"])
                hoisted[id(expr)] = t
                alive.append(expr)  # ids name the temporaries: their Exprs must stay alive
            g = None if c is root else "g_" + var[c]
            shape = (c.op, len(ps))  # consumers of one shape: a run of terms over tuples
            one = (c.op, len(ps), 1.0)  # the same, where the derivative is 1.0
            for p, dp in zip(ps, d):
                if p not in need or dp is None:
                    continue  # not wanted, or an absent edge: no term
                if g is not None and type(dp) is Expr and dp.kind == "name":  # the usual case
                    terms[p].append((g, dp.parts[0], shape))
                else:
                    terms[p].append(self._term(g, dp, hoisted, shape, one))
        for p in self.wrt:
            lines += grad_lines(p, terms.pop(p, []))
        return lines

    def _term(self, g: str | None, d: Operand, hoisted: dict[int, str], *runs: Any) -> Any:
        """The term g · d: a product, an Expr, or a number known now.

        A product is (g, d, run), d a name or literal, or (g, None, run) for g · 1.0; `runs`
        are the two run keys: the consumer's shape, and it with 1.0. `g` is the consumer's
        variable, None for the root (whose entry is the seed 1.0).
        """
        if g is not None:
            if type(d) is Expr and d.kind == "name":
                return (g, d.parts[0], runs[0])
            if type(d) is float:  # a constant's value: g * literal (g · 1.0 is g)
                return (g, None, runs[1]) if d == 1.0 else (g, self._literal(d), runs[0])
        return _times(1.0 if g is None else name(g), d, hoisted)

    def _grad_lines(self, node: Value, terms: list[Any]) -> list[Line]:
        """grad_table[node] = 0.0 + Σ g_c · ∂c/∂node: one line, a few for long sums.

        A run of `_RUNS_OVER_TUPLES` or more products from consumers of one shape (op and number
        of parents: a neuron's samples, a layer's neurons) is one call over tuples; other terms
        are written out, `_CHUNK` to a line.
        """
        target = "g_" + self.var[node]
        head = f"    {target} = "
        self.unsigned.add(target)
        if len(terms) == 1 and type(terms[0]) is tuple:  # most nodes have one consumer
            g, d, _ = terms[0]
            if d is not None:
                return [[f"{head}0.0 + {g} * {d}"]]
            return [[head + g if g in self.unsigned else f"{head}0.0 + {g}"]]
        lines: list[Line] = []
        static: Operand = 0.0  # numbers at the start are added now (the same additions)
        while terms and not isinstance(terms[0], (Expr, tuple)):
            static = static + terms[0]
            terms = terms[1:]
        if not terms:
            return [[head + code(static, {}, 0)]]
        if len(terms) == 1 and static == 0.0:  # 0.0 + (0.0 if c else g) is (0.0 if c else g)
            alone = self._plus_zero(terms[0])
            if alone is not None:
                return [[head + self._text(alone, 0)]]
        line: Line = [code(static, {}, ADD - 1)]
        written = 0
        products = set(map(type, terms)) == {tuple}
        for key, group in itertools.groupby(terms, _RUN if products else _run_key):
            run = list(group)
            if key is not None and len(run) >= _RUNS_OVER_TUPLES:
                line = self._sum_over_tuples(run, line)
                continue
            for t in run:
                if written == _CHUNK:
                    lines.append([head, *line])
                    line, written = [target], 0
                line += [" + ", self._text(t, ADD)]
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

    def _text(self, term: Any, above: int) -> str:
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

    def _literal(self, x: float) -> str:
        found = self._literals.get(id(x))
        if found is None:
            found = self._literals[id(x)] = (x, code(x, {}, 0))  # x kept: its id stays its
        return found[1]


_BACKWARD_MARK = "\x00backward\x00"


def _run_key(term: Any) -> Any:
    """Products from consumers of one shape, all times 1.0 or all not, share a key."""
    return term[2] if type(term) is tuple else None


# The parts of a product term (g, d, run key).
_G, _D, _RUN = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(2)
