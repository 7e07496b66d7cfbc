"""`Value`: a number that remembers the op that made it, its parents and its local derivatives.

Every op applies a rule of `rules.RULES` with `apply`. (`fast` writes each rule out as code for
the common case, and puts that in place of the method; the results are the same.)
"""

from __future__ import annotations

import math
import numbers
import operator
import reprlib
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from .graph import LITERAL, MANY, Node, check_finite
from .graph import backward as backprop
from .modes import ANOMALY, NO_GRAD, mode
from .rules import INF, RULES

Operand: TypeAlias = "Value | int | float"
_ACCEPTED = "int, float, bool or a NumPy real scalar"


def describe(x: object) -> str:
    """`x` for an error message: its type and a short repr."""
    return f"{type(x).__name__} {reprlib.repr(x)}"


def to_float(x: object) -> float | None:
    """The float value of a real number (an int beyond the float range: ±inf), or None."""
    kind = getattr(getattr(x, "dtype", None), "kind", "")  # NumPy's; its datetimes are no numbers
    scalar = kind in ("b", "i", "u", "f") and getattr(x, "shape", None) == ()
    if (isinstance(x, numbers.Real) and kind not in ("m", "M")) or scalar:
        try:
            return float(x)  # type: ignore[arg-type]
        except OverflowError:  # an int beyond the float range rounds to ±inf
            return math.inf if x > 0 else -math.inf  # type: ignore[operator]
    return None


def _op(op: str, doc: str = "", reflected: bool = False) -> Callable[..., Value]:
    """The method of an op: applies rule `op` to self (and other, or other and self)."""

    def method(self: Value, *other: Operand) -> Value:
        return apply(op, (*other, self) if reflected else (self, *other))

    method.__doc__ = doc
    return method


def _comparison(compare: Callable[[float, float], bool], symbol: str) -> Callable[..., bool]:
    def method(self: Value, other: Operand) -> bool:
        f = other.data if isinstance(other, Value) else to_float(other)
        if f is None:
            raise TypeError(f"cannot compare a Value with {describe(other)} using {symbol!r}")
        return compare(self.data, f)

    return method


class Value(Node):
    """A scalar node of a computation graph.

    `data` is the number, `grad` the sum of what `backward()` calls added (∂root/∂self each),
    `op` the op that made it ("" for a leaf), `parents` its inputs (in order, duplicates kept)
    and `local_grads` the local derivative ∂self/∂parent on each edge (`edges` shows which
    are absent: a branch not taken, or a number literal, which never gets a gradient).

    >>> a = Value(2.0, label="a")
    >>> b = a * a + 3 * a
    >>> b.data, b.op, b.local_grads
    (10.0, '+', (1.0, 1.0))
    >>> b.backward()
    >>> a.grad  # d(a² + 3a)/da = 2a + 3
    7.0
    """

    __slots__ = ("__weakref__", "data", "grad", "label", "op")

    def __init__(self, data: object, label: str = "") -> None:
        f = to_float(data)
        if f is None:
            hint = " (use v.data, or v.detach() for a new leaf)" if isinstance(data, Value) else ""
            raise TypeError(
                f"Value() needs a real number ({_ACCEPTED}), got {describe(data)}{hint}"
            )
        if not isinstance(label, str):
            raise TypeError(f"Value() label must be a str, got {describe(label)}")
        self.data, self.grad, self.label, self.op = f, 0.0, label, ""
        self._x = self._y = self._dx = self._dy = self._g = None

    # Every op applies its rule, found in rules.py under the op's name (a number becomes a
    # Constant leaf: `2 * x` is the rule "*" applied to Constant(2.0) and x).
    __add__, __radd__ = _op("+"), _op("+", reflected=True)
    __sub__, __rsub__ = _op("-"), _op("-", reflected=True)
    __mul__, __rmul__ = _op("*"), _op("*", reflected=True)
    __truediv__, __rtruediv__ = _op("/"), _op("/", reflected=True)
    __pow__, __rpow__ = _op("**"), _op("**", reflected=True)
    __neg__ = _op("neg")
    exp = _op("exp", "e**x; overflows to inf (IEEE-754), never raises.")
    log = _op("log", "Natural log: log(0) = -inf, log(x < 0) = nan.")
    sqrt = _op("sqrt", "Square root: sqrt(x < 0) = nan, and its derivative at 0 is inf.")
    tanh = _op("tanh", "Hyperbolic tangent; derivative 1 - tanh².")
    sigmoid = _op("sigmoid", "1 / (1 + e^-x), without overflow for any x; derivative σ(1 - σ).")
    relu = _op("relu", "max(x, 0); for x ≤ 0 the edge is absent (relu'(0) = 0).")
    _softplus = _op("softplus", "log(1 + e^x), computed without overflow; derivative sigmoid(x).")
    abs = _op("abs", "|x|; abs'(0) = 0.")
    step = _op("step", "1 for x > 0, else 0 (so step(0) = 0); its edge is absent.")
    sign = _op("sign", "1 for x > 0, -1 for x < 0, 0 at 0 and nan (PyTorch's); edge absent.")
    hard_tanh = _op("hard_tanh", "x clipped to [-1, 1]; derivative 1 on (-1, 1), else absent.")
    sin = _op("sin", "Sine; sin(±inf) = nan.")
    cos = _op("cos", "Cosine; cos(±inf) = nan.")

    def __abs__(self) -> Value:
        return self.abs()

    def leaky_relu(self, alpha: float = 0.01) -> Value:
        """x for x > 0, else alpha·x; the slope at 0 is alpha (a constant input)."""
        return apply("leaky_relu", (self, alpha))

    def softplus(self, beta: Operand = 1.0, threshold: Operand | None = None) -> Value:
        """log(1 + e^x), computed without overflow; derivative sigmoid(x).

        With `beta` or `threshold`, PyTorch's `Softplus(beta, threshold)` (rule
        "softplus_threshold"): x itself where beta·x > threshold, with slope exactly 1,
        else log(1 + e^(beta·x))/beta with slope sigmoid(beta·x). No threshold (None) is
        log(1 + e^(beta·x))/beta everywhere; PyTorch's default threshold is 20.
        """
        if threshold is None and to_float(beta) == 1.0:
            return self._softplus()  # the plain rule "softplus"; no threshold: x·beta > inf
        return apply("softplus_threshold", (self, beta, INF if threshold is None else threshold))

    def clamp(self, min: Operand | None = None, max: Operand | None = None) -> Value:
        """x limited to [min, max] (None: no limit), PyTorch's convention: the gradient passes
        for min ≤ x ≤ max and is absent outside; a bound that is a Value gets it where it is
        the output; with min > max the result is max."""
        if min is None and max is None:
            raise ValueError("clamp() needs at least one of min and max; both are None")
        lo, hi = -math.inf if min is None else min, math.inf if max is None else max
        return apply("clamp", (self, lo, hi))

    # Comparisons read .data; == and hash stay identity-based, so nodes can key dicts.
    __lt__, __le__ = _comparison(operator.lt, "<"), _comparison(operator.le, "<=")
    __gt__, __ge__ = _comparison(operator.gt, ">"), _comparison(operator.ge, ">=")

    def item(self) -> float:
        """The number held, `self.data` (as PyTorch's `Tensor.item()`)."""
        return self.data

    __float__ = item

    def __bool__(self) -> bool:
        """`bool(v.data)`, as PyTorch's 0-d tensors: `Value(0.0)` is false."""
        return bool(self.data)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"{type(self).__name__}(data={self.data!r}, grad={self.grad!r}{label})"

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else repr(self)

    def backward(self, grad: float = 1.0) -> None:
        """Add ∂self/∂node · `grad` into `.grad` of every node of the graph below `self`.

        Each call fills a fresh grad table (`graph.grad_table`) and adds it, so two calls give
        exactly twice the gradients; reset with `zero_grad()` or `node.grad = 0.0`.
        """
        seed = to_float(grad)
        if seed is None:
            raise TypeError(f"backward(grad=...) needs a real number, got {describe(grad)}")
        backprop(self, seed)

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut from the graph."""
        return Value(self.data, self.label)


class Constant(Value):
    """A leaf made from a plain number met in an expression, like the 3 in `x * 3`.

    A number literal never gets a gradient: the edges into it are absent.
    """

    __slots__ = ()

    def __init__(self, data: object, label: str = "") -> None:
        super().__init__(data, label)
        self._g = LITERAL


class Parameter(Value):
    """A trainable leaf made by a model (only its class tells its role, to diagrams)."""

    __slots__ = ()


_new = object.__new__


def connect(node: Value, op: str, parents: Sequence[Value], local_grads: Sequence[Any]) -> Value:
    """Give `node` its op, parents and local derivatives (None: an absent edge); return it."""
    node.op, node._g, n = op if parents else "", None, len(parents)
    if n > 2:
        node._x, node._y, node._dx, node._dy = tuple(parents), MANY, tuple(local_grads), None
    else:  # one or two parents in slots; a leaf has none
        node._x, node._dx = (parents[0], local_grads[0]) if n else (None, None)
        node._y, node._dy = (parents[1], local_grads[1]) if n == 2 else (None, None)
    if isinstance(node, Constant):
        node._g = LITERAL
    return node


def make(
    data: float, op: str, parents: Sequence[Value], ds: Sequence[Any], cls: type = Value
) -> Value:
    """A new node of class `cls` with `data`, made by `op` from `parents` (see `connect`)."""
    node: Value = _new(cls)
    node.data, node.grad, node.label = data, 0.0, ""
    return connect(node, op, parents, ds)


def as_node(x: object, op: str) -> Value:
    """`x` as a graph node: a Value stays itself, a number becomes a `Constant` leaf."""
    if isinstance(x, Value):
        return x
    f = to_float(x)
    if f is None:
        raise TypeError(
            f"unsupported operand for {op!r}: {describe(x)}; "
            f"a Value combines with another Value or a real number ({_ACCEPTED})"
        )
    return make(f, "", (), (), Constant)


def apply(op: str, args: Sequence[Any], checked: bool = False) -> Value:
    """Apply the rule `op` to Values or numbers: the one place where a rule makes a node.

    Numbers become `Constant` leaves (literals: the edges into them are absent). Under
    `no_grad()` the node records no parents; under `detect_anomaly()` a nan or inf output or
    local derivative raises. `checked` says that every arg is a Value already (a network's
    layer checks its inputs once for all its neurons).
    """
    rule, nodes = RULES[op], args
    if not checked and not _ALL_NODES.get(types := frozenset(map(type, args))):
        if not all(issubclass(t, Value) for t in types):
            nodes = [as_node(a, op) for a in args]
        elif len(_ALL_NODES) < 256:
            _ALL_NODES[types] = True
    xs = [x.data for x in nodes]  # (quicker than map with an attrgetter)
    out, bits = rule.value(xs), mode()
    node: Value
    if bits & NO_GRAD:
        node = make(out, op, (), ())
    elif rule.arity > 0:
        node = make(out, op, nodes, rule.local_grads(out, xs))
    else:  # `make` written out: sums and dots of many inputs are the bulk of a network
        node = _new(Value)
        node.data, node.grad, node.label, node.op, node._g = out, 0.0, "", op, None
        node._x, node._y, node._dx, node._dy = tuple(nodes), MANY, rule.local_grads(out, xs), None
    if bits & ANOMALY:
        found = [(f"input {i} the local derivative", d) for i, (_, d) in enumerate(node.edges)]
        check_finite(f"op {op!r}", xs, [("the output", node.data), *found])
    return node


_ALL_NODES: dict[frozenset[type], bool] = {}  # sets of argument types known to be Values
