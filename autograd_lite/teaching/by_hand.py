"""Check a backward pass done by hand and name its first wrong step.

Each claimed gradient is compared with what the person's own numbers above it imply, so one
early slip is reported once, where it happened, and not again at every node below it.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass

from ..core import Value, grad_table, to_float, topological_order
from .names import node_names

__all__ = ["HandCheck", "Step", "Term", "check_by_hand"]


@dataclass(frozen=True)
class Term:
    """One term of a node's implied gradient: ∂root/∂consumer · ∂consumer/∂node.

    `upstream` is the person's number for ∂root/∂consumer when they claimed one
    (`upstream_claimed`), else the value implied for the consumer; `upstream_correct` is the
    true ∂root/∂consumer; `local` is the recorded local derivative `consumer.local_grads[slot]`
    (absent edges give no term). `consumer_name` is the consumer's name in the report.
    """

    consumer: Value
    consumer_name: str
    slot: int
    upstream: float
    upstream_claimed: bool
    upstream_correct: float
    local: float

    @property
    def value(self) -> float:
        return self.upstream * self.local


@dataclass(frozen=True)
class Step:
    """A claimed node: what was claimed, what the numbers above imply, and the truth."""

    node: Value
    name: str
    claimed: float
    implied: float
    correct: float
    terms: tuple[Term, ...]
    ok: bool


@dataclass(frozen=True)
class HandCheck:
    """The result of `check_by_hand`: every checked step, in backward-pass order.

    `first_wrong` is the first claimed node whose number disagrees with the numbers above it;
    `claimed`, `expected` (implied by the numbers above) and `correct` (the true gradient) are
    the numbers at that node, all None when every step is right.
    """

    root: Value
    steps: tuple[Step, ...]
    root_name: str

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)

    @property
    def wrong(self) -> tuple[Step, ...]:
        """Every step that disagrees with the numbers above it (independent slips, or true
        numbers written below a slip), in backward-pass order."""
        return tuple(s for s in self.steps if not s.ok)

    @property
    def first(self) -> Step | None:
        """The first wrong step, or None."""
        return next((s for s in self.steps if not s.ok), None)

    @property
    def first_wrong(self) -> Value | None:
        s = self.first
        return None if s is None else s.node

    @property
    def claimed(self) -> float | None:
        s = self.first
        return None if s is None else s.claimed

    @property
    def expected(self) -> float | None:
        s = self.first
        return None if s is None else s.implied

    @property
    def correct(self) -> float | None:
        s = self.first
        return None if s is None else s.correct

    def explain(self, step: Step) -> str:
        """`step` written out: the claim, and the sum of terms that the numbers above give."""
        d = f"∂{self.root_name}/∂{step.name}"
        digits = _digits(step.claimed, step.implied)
        if step.node is self.root:
            return f"{d}: you wrote {_f(step.claimed, digits)}; the backward pass starts from 1"
        if not step.terms:
            return (
                f"{d}: you wrote {_f(step.claimed, digits)}; nothing above uses "
                f"{step.name}, so it is 0"
            )
        symbols = " + ".join(
            f"∂{self.root_name}/∂{t.consumer_name} · ∂{t.consumer_name}/∂{step.name}"
            for t in step.terms
        )
        numbers_ = " + ".join(
            f"({_f(t.upstream, digits)}) × {_f(t.local, digits)}" for t in step.terms
        )
        r = self.root_name
        mine = list(
            dict.fromkeys(f"∂{r}/∂{t.consumer_name}" for t in step.terms if t.upstream_claimed)
        )
        other = [t for t in step.terms if not t.upstream_claimed]
        notes = []
        if mine:
            notes.append(f"{', '.join(mine)}: your number{'s' if len(mine) > 1 else ''}")
        if other:
            names = ", ".join(dict.fromkeys(f"∂{r}/∂{t.consumer_name}" for t in other))
            true = all(_agree(t.upstream, t.upstream_correct, 1e-12, 0.0) for t in other)
            how = "the true value" if true else "what your numbers above imply"
            notes.append(f"{names}: not written by you, so {how}")
        whose = "your upstream numbers give" if mine else "the numbers above it give"
        link = "and" if step.ok else "but"
        return (
            f"{d}: you wrote {_f(step.claimed, digits)} {link} {whose}\n"
            f"    {symbols}\n    = {numbers_}\n    = {_f(step.implied, digits)}\n"
            f"    ({'; '.join(notes)}; the true {d} is {_f(step.correct, digits)})"
        )

    def table(self) -> str:
        """Every checked node with its claimed, implied and true gradient, one per line."""
        rows = [f"{'node':<10} {'claimed':>13} {'implied':>13} {'true':>13}"]
        for s in self.steps:
            mark = "ok" if s.ok else "<- first wrong step" if s is self.first else "<- wrong"
            rows.append(
                f"{s.name:<10} {_f(s.claimed, 6):>13} {_f(s.implied, 6):>13} "
                f"{_f(s.correct, 6):>13}  {mark}"
            )
        return "\n".join(rows)

    def __str__(self) -> str:
        s = self.first
        if s is None:
            n = len(self.steps)
            return (
                f"all {n} claimed gradient{'s' if n != 1 else ''} of {self.root_name} check out: "
                "each agrees with the numbers above it"
            )
        wrong = self.wrong
        if len(wrong) == 1:
            return f"first wrong step: {self.explain(s)}"
        parts = [f"{len(wrong)} steps disagree with the numbers above them:"]
        for k, step in enumerate(wrong, 1):
            which = "first wrong step" if step is s else f"wrong step {k}"
            parts.append(f"{which}: {self.explain(step)}")
        return "\n".join(parts)


def _f(x: float, digits: int) -> str:
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


def _digits(a: float, b: float) -> int:
    """Enough significant digits (at least 4) for `a` and `b` to print differently if they are."""
    for d in range(4, 18):
        if _f(a, d) != _f(b, d) or a == b:
            return d
    return 17


def _agree(claimed: float, implied: float, rtol: float, atol: float) -> bool:
    if math.isnan(claimed) or math.isnan(implied):
        return math.isnan(claimed) and math.isnan(implied)
    return math.isclose(claimed, implied, rel_tol=rtol, abs_tol=atol)


def _resolve(
    root: Value, claimed: Mapping[Value | str, float], names: dict[Value, str]
) -> dict[Value, float]:
    """The claims keyed by node: labels (or, for unlabelled nodes, the names the report uses,
    such as `*₁`) looked up in the graph, numbers made floats (an int beyond the float range is
    ±inf, as `Value()` makes it)."""
    nodes = topological_order(root)
    in_graph = set(nodes)
    by_label: dict[str, list[Value]] = {}
    for v in nodes:
        if v.label:
            by_label.setdefault(v.label, []).append(v)
    by_name: dict[str, list[Value]] = {}
    for v in nodes:
        if not v.label:
            by_name.setdefault(names[v], []).append(v)
    out: dict[Value, float] = {}
    for key, number in claimed.items():
        if isinstance(key, Value):
            if key not in in_graph:
                raise ValueError(
                    f"check_by_hand: claimed node {key!r} is not in the graph below the root; "
                    "claim gradients only for nodes the root was computed from"
                )
            node = key
        elif isinstance(key, str):
            # A label first; a name such as *₁ only where no label says the same.
            found = by_label.get(key) or by_name.get(key, [])
            if not found:
                known = ", ".join(sorted(by_label)) or "none"
                raise KeyError(
                    f"check_by_hand: no node labelled {key!r} in the graph (labels: {known}; "
                    "an unlabelled node goes by its name in the report, such as *₁)"
                )
            if len(found) > 1:
                what = "label" if key in by_label else "name"
                raise ValueError(
                    f"check_by_hand: {what} {key!r} names {len(found)} nodes of the graph; "
                    "give them distinct labels or use the Value itself as the key"
                )
            node = found[0]
        else:
            raise TypeError(
                "check_by_hand: claimed keys must be Values or labels (str), got "
                f"{type(key).__name__} {reprlib.repr(key)}"
            )
        f = None if isinstance(number, bool) else to_float(number)
        if f is None:
            raise TypeError(
                f"check_by_hand: the claimed gradient for {key!r} must be a real number, got "
                f"{type(number).__name__} {reprlib.repr(number)}"
            )
        if node in out:
            raise ValueError(f"check_by_hand: node {names[node]!r} is claimed twice")
        out[node] = f
    return out


def check_by_hand(
    root: Value, claimed: Mapping[Value | str, float], *, rtol: float = 1e-6, atol: float = 1e-9
) -> HandCheck:
    """Check hand-computed gradients ∂root/∂node and find the first wrong step.

    Nodes are visited in backward-pass order (reverse topological order, root first). For
    each claimed node the *implied* gradient is Σ over its uses (consumer c, parent slot i;
    a node used twice counts twice) of g(c) · c.local_grads[i], where g(c) is the claimed
    ∂root/∂c if c was claimed, else the value implied for c by the same rule (the true
    gradient where nothing above was claimed); the root's implied gradient is 1. Absent edges
    (a branch not taken, a number literal) give no term, as in the backward pass, and an
    unclaimed node that no term reaches passes nothing on. A step is
    wrong when the claim and the implied value differ (`math.isclose` with `rtol`, `atol`;
    nan agrees only with nan). Numbers computed consistently from an earlier slip are right
    steps: the slip is reported once, where it happened.

    Args:
        root: the output that was differentiated (for example the loss).
        claimed: node → the person's ∂root/∂node; a node is a Value of the graph, its
            label, or for an unlabelled node its name in the report (`node_names`: `*₁`,
            `tanh₂`, …); a label or name must name exactly one node. A number is read as
            `Value()` reads it: an int beyond the float range (10**400) is ±inf.
        rtol, atol: tolerances for comparing a claim with its implied value, numbers >= 0
            (read the same way).

    Returns:
        A `HandCheck` with `.ok`, `.first_wrong`, `.claimed`, `.expected`, `.correct`,
        `.steps`, `.table()` and a `str()` that writes the wrong step out as a sum of terms.

    Raises:
        KeyError: a label that names no node. ValueError: a label that names several nodes,
        or a Value not in the graph. TypeError: a key or number of the wrong type.

    >>> from autograd_lite import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> y.label = "y"
    >>> check_by_hand(y, {"y": 1.0, "x": 3.0}).first_wrong is x  # forgot the second use of x
    True
    """
    if not isinstance(root, Value):
        raise TypeError(
            f"check_by_hand() needs a Value as root, got {type(root).__name__} {reprlib.repr(root)}"
        )
    if not isinstance(claimed, Mapping):
        raise TypeError(
            "check_by_hand() needs a mapping node -> gradient as claimed, got "
            f"{type(claimed).__name__} {reprlib.repr(claimed)}"
        )
    tolerances = []
    for name, tol in (("rtol", rtol), ("atol", atol)):
        f = None if isinstance(tol, bool) else to_float(tol)  # an int beyond floats: inf
        if f is None or not f >= 0:
            raise ValueError(
                f"check_by_hand() {name} must be a number >= 0, got {type(tol).__name__} "
                f"{reprlib.repr(tol)}"
            )
        tolerances.append(f)
    names = node_names(root)
    claims = _resolve(root, claimed, names)
    true = grad_table(root)
    implied_acc: dict[Value, float] = {root: 1.0}
    terms: dict[Value, list[Term]] = {v: [] for v in claims}
    steps: list[Step] = []
    for v in reversed(topological_order(root)):
        implied = implied_acc.get(v)
        claim = claims.get(v)
        if claim is not None:
            got = 0.0 if implied is None else implied
            ok = _agree(claim, got, *tolerances)
            steps.append(Step(v, names[v], claim, got, true.get(v, 0.0), tuple(terms[v]), ok))
        used = implied if claim is None else claim
        if used is None:
            continue  # no term reached this node, and nobody claimed one: it passes nothing on
        # Pass this node's number (the person's if claimed) on to its parents, edge by edge.
        for i, (p, lg) in enumerate(v.edges):
            if lg is None:
                continue
            implied_acc[p] = implied_acc.get(p, 0.0) + used * lg
            if p in terms:
                upstream = Term(v, names[v], i, used, claim is not None, true.get(v, 0.0), lg)
                terms[p].append(upstream)
    return HandCheck(root, tuple(steps), names[root])
