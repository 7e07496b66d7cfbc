"""`grad()`: the grad table as a function, and as a graph of Values for higher derivatives.

With `create_graph=True` the rules' local derivatives are evaluated on Values (`ValueMath`),
and the same reverse pass (`graph.grad_table`) multiplies and adds them as Values.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from .graph import grad_table
from .rules import RULES, FloatMath, namespace
from .value import Constant, Value, apply, as_node, describe

# The rules' functions on Values, so local derivatives become graphs. Conditions are decided
# on the data now (a graph records the branch taken, as the forward pass does); equality
# compares data, since a Value's `==` is identity.
ValueMath = SimpleNamespace(
    **{f: getattr(Value, f) for f in vars(FloatMath) if hasattr(Value, f)},  # exp, log, ...
    eq=lambda a, b: float(a) == float(b),  # on the numbers: a Value's == is identity
    div=lambda a, b: apply("/", (a, b)),
    pow=lambda a, b: apply("**", (a, b)),
    total=lambda xs: apply("sum", xs) if len(xs) > 1 else xs[0],
    max_data=lambda xs: FloatMath.max_data([x.data for x in xs]),  # a constant: softmax's shift
)
VALUES = namespace(ValueMath)
_ONE = object()  # the seed of a grad table of Values: 1 · d is d, without a node


class _Row:
    """A row of a grad table of Values: its products and sums make no node for `1 · d`,
    `g · 1` or the start of a row, so a gradient's graph holds only the ops that compute it."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __mul__(self, d: Any) -> _Row:
        if self.value is _ONE:
            return _Row(d)
        if not isinstance(d, Value) and d == 1.0:
            return self
        return _Row(self.value * d)

    def __add__(self, other: _Row) -> _Row:
        return _Row(as_node(self.value, "+") + other.value)

    def __radd__(self, start: float) -> _Row:
        # the start of a row (graph.NO_TERM): 0.0 + term is the term, but 0.0 for a term -0.0
        return _Row(0.0 + self.value) if float(self) == 0.0 else self

    def __float__(self) -> float:
        return 1.0 if self.value is _ONE else float(self.value)


def _terms(node: Value, g: _Row) -> list[tuple[Value, _Row]]:
    """The terms g · ∂node/∂parent as Values, by the node's rule; none for an absent edge."""
    rule = RULES.get(node.op)
    if rule is None:
        raise ValueError(
            f"create_graph=True cannot differentiate through op {node.op!r}: it has no rule "
            "in autograd_lite.core.rules.RULES (only ops built from the table can be)"
        )
    parents = node.parents
    ds = rule.partials_in(ValueMath, VALUES, node, *parents)
    return [
        (p, g * d) for p, d in zip(parents, ds) if d is not None and not isinstance(p, Constant)
    ]


def grad(
    output: Value, inputs: Value | Sequence[Value], *, create_graph: bool = False
) -> list[Any]:
    """∂output/∂input for each input (0.0 where the output does not depend on it), as floats;
    touches no `.grad`. With `create_graph=True` the results are Values that form a graph of
    their own, so `grad` can be applied to them again.

    >>> x = Value(3.0)
    >>> y = x ** 3
    >>> grad(y, [x])
    [27.0]
    >>> (dy,) = grad(y, [x], create_graph=True)
    >>> grad(dy, [x])  # d²(x³)/dx² = 6x
    [18.0]
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad() needs a Value as output, got {describe(output)}")
    xs = [inputs] if isinstance(inputs, Value) else list(inputs)
    for i, x in enumerate(xs):
        if not isinstance(x, Value):
            raise TypeError(f"grad() inputs must be Values, input {i} is {describe(x)}")
    if not create_graph:
        table = grad_table(output)
        return [table.get(x, 0.0) for x in xs]
    rows = grad_table(output, _Row(_ONE), _terms)
    found = [rows[x].value if x in rows else 0.0 for x in xs]
    return [as_node(1.0 if g is _ONE else g, "grad") for g in found]
