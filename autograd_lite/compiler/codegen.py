"""Write a graph as straight-line Python: the forward pass, then the grad table, one line per node.

The forward line of a node applies its rule's forward to its parents' values; the backward line
is Algorithm 6.2's sum, grad_table[u] = Σ grad_table[c] · ∂c/∂u over the consumers c of u, with
the terms in the order `engine.grad_table` adds them, so every float comes out the same.
"""

from __future__ import annotations

import builtins
import math
import operator
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core import RULES, Constant, Value, topological_order
from ..core.rules import namespace
from . import rows as sums
from .names import Names, identifier, op_name, reserved
from .rows import Line, Rows, Tuples, times
from .symbolic import (
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
        self.tuples = Tuples()
        self.var: dict[Value, str] = {}  # node → its variable
        self.val: dict[Value, Operand] = {}  # node → its value in a partial: Expr or number
        self.atom: dict[Value, str] = {}  # node → its value as code
        self.operand: dict[Value, str] = {}  # the same as a term of a sum or product
        self._literals: dict[int, tuple[float, str]] = {}
        self.hoisted: dict[int, str] = {}  # ids of Exprs computed once, and their variables
        self.rows = Rows(self.names, self.tuples, self.hoisted)
        self.over_tuples = sums.OVER_TUPLES  # dots of this many products: over tuples
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
            if sums.SEQUENTIAL_SUM and len(items) <= sums.CHUNK:
                return [head + " + ".join(["0.0", *items])]
            return [head, f"{total}(", self.tuples.ref(tuple(items)), ", 0.0)"]
        n = len(ps) // 2
        bias = f" + {atoms[ps[-1]]}" if len(ps) % 2 else ""
        if n >= self.over_tuples:
            mul = self.names.bind("mul", operator.mul)
            ws = self.tuples.ref(tuple([atoms[w] for w in ps[:n]]))
            xs = self.tuples.ref(tuple([atoms[x] for x in ps[n : 2 * n]]))
            return [head, f"{total}(map({mul}, ", ws, ", ", xs, f"), 0.0){bias}"]
        items = [f"{atoms[w]} * {atoms[x]}" for w, x in zip(ps, ps[n : 2 * n])]
        if sums.SEQUENTIAL_SUM:
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

    def _backward(
        self, given: dict[Value, str] | None = None, start: dict[Value, str] | None = None
    ) -> list[Line]:
        """The grad table's lines: the rows of `given` nodes are the code given (the root's
        is the seed 1.0 by default); a wanted input's row starts at 0.0, or, in `start`, is a
        variable that holds it so far and gets this pass's terms added in place."""
        need = set(self.wrt)  # the wanted inputs and every node above one of them
        parents = self.parents
        for node in self.order:
            if not need.isdisjoint(parents[node]):
                need.add(node)
        given = {self.root: "1.0"} if given is None else given
        start = {} if start is None else start
        if need.isdisjoint(given):
            return []
        hoisted = self.hoisted
        alive: list[Expr] = []
        val, var, m, env = self.val, self.var, self.m, self.env

        def grad_lines(node: Value, terms: list[Any]) -> list[Line]:
            return self.rows.lines("g_" + var[node], terms)

        # The terms of each node's sum, in the order the grad table adds them: consumers in
        # reverse topological order, each one's parent slots in order. A consumer comes before
        # all of its parents, so its own sum is complete when it is reached.
        terms: defaultdict[Value, list[Any]] = defaultdict(list)
        lines: list[Line] = [[_BACKWARD_MARK]]
        lines += [[f"    g_{var[n]} = {row}"] for n, row in given.items()]
        for c in reversed(self.order):
            if c not in need:
                continue
            if c not in given:
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
            g = None if given.get(c) == "1.0" else "g_" + var[c]
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
            row = start.get(p)
            lines += self.rows.lines(row or "g_" + var[p], terms.pop(p, []), row)
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
        return times(1.0 if g is None else name(g), d, hoisted)

    def _literal(self, x: float) -> str:
        found = self._literals.get(id(x))
        if found is None:
            found = self._literals[id(x)] = (x, code(x, {}, 0))  # x kept: its id stays its
        return found[1]


_BACKWARD_MARK = "\x00backward\x00"
