"""Grad tables as graphs (`create_graph=True`) and `grad()`, the functional form.

The rules' partials run on Values here (`ValueMath`), so a gradient is a graph that can be
differentiated again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .engine import Operand, Value, _apply, _constant, _describe
from .reverse import _gc_paused, grad_table, topological_order
from .rules import RULES, _finite_max

__all__ = ["ValueMath", "grad"]


class ValueMath:
    """The rule namespace on Values: partials evaluated with it build differentiable graphs.

    Conditions are decided on the data now (a graph records the branch taken, as the forward
    pass does), and `zero`, the derivative of a branch not taken, is the number 0: the grad
    table adds no term for it, so it is an exact zero at every order.
    """

    zero = 0.0

    @staticmethod
    def where(cond: bool, a: Any, b: Any) -> Any:
        return a if cond else b

    @staticmethod
    def eq(a: Operand, b: Operand) -> bool:
        return _data_of(a) == _data_of(b)

    @staticmethod
    def max_data(xs: Sequence[Value]) -> float:
        return _finite_max(x.data for x in xs)  # a constant: softmax is shift-invariant

    @staticmethod
    def fsum(xs: Sequence[Value]) -> Value:
        return _apply("sum", tuple(xs)) if len(xs) > 1 else xs[0]

    @staticmethod
    def div(a: Operand, b: Operand) -> Value:
        return a / b  # type: ignore[return-value]  # a number meets a Value: Value.__rtruediv__

    @staticmethod
    def pow(a: Operand, b: Operand) -> Value:
        return a**b  # type: ignore[return-value]  # a number meets a Value: Value.__rpow__

    exp = staticmethod(Value.exp)
    log = staticmethod(Value.log)
    sqrt = staticmethod(Value.sqrt)
    sin = staticmethod(Value.sin)
    cos = staticmethod(Value.cos)
    tanh = staticmethod(Value.tanh)
    sigmoid = staticmethod(Value.sigmoid)
    abs = staticmethod(Value.abs)
    step = staticmethod(Value.step)
    sign = staticmethod(Value.sign)


def _data_of(x: Operand) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _value_grad_table(root: Value) -> dict[Value, Value]:
    """The grad table with entries that are Values, built from the same rules (create_graph).

    Terms are added in the same order as `grad_table` adds floats. A node that no term reaches
    (every route to it passes a zero derivative, like `step`'s) has no entry: its gradient is
    an exact 0, and so are its parents' through it.
    """
    one = _constant(1.0)
    table: dict[Value, Value] = {root: one}
    with _gc_paused():
        order = topological_order(root, leaves=False)
    for node in reversed(order):
        g = table.get(node)
        if g is None:
            continue  # nothing flows into this node
        rule = RULES.get(node.op)
        if rule is None:
            raise ValueError(
                f"create_graph=True cannot differentiate through op {node.op!r}: it has no rule "
                "in autograd_lite.rules.RULES (only ops built from the table can be)"
            )
        partials = rule.partials(ValueMath, node, *node.parents)
        for p, d in zip(node.parents, partials):
            if isinstance(d, Value):
                term = d if g is one else g * d
            elif d == 0:
                continue  # a zero partial (step, sign, a branch not taken) adds nothing
            else:
                term = g if d == 1 else g * d
            prev = table.get(p)
            table[p] = term if prev is None else prev + term
    return table


def grad(
    output: Value, inputs: Value | Sequence[Value], *, create_graph: bool = False
) -> list[Any]:
    """∂output/∂input for each input, without touching any `.grad`.

    Inputs the output does not depend on get 0.0. With `create_graph=True` the results are
    Values forming a graph of their own, so `grad` can be applied to them again.

    >>> x = Value(3.0)
    >>> y = x ** 3
    >>> grad(y, [x])
    [27.0]
    >>> (dy,) = grad(y, [x], create_graph=True)
    >>> grad(dy, [x])  # d²(x³)/dx² = 6x
    [18.0]
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad() needs a Value as output, got {_describe(output)}")
    xs = [inputs] if isinstance(inputs, Value) else list(inputs)
    for i, x in enumerate(xs):
        if not isinstance(x, Value):
            raise TypeError(f"grad() inputs must be Values, input {i} is {_describe(x)}")
    if create_graph:
        vtable = _value_grad_table(output)
        found = [vtable.get(x) for x in xs]
        return [_constant(0.0) if g is None else g for g in found]
    table = grad_table(output)
    return [table.get(x, 0.0) for x in xs]
