"""The engine: `Value` nodes and the ops that make them, each recording its local derivatives.

Local derivatives come from `rules.RULES`; the walks and reverse passes are in `reverse` and
`higher` (re-exported here). Nothing here knows about `nn` or diagrams.
"""

from __future__ import annotations

import math
import numbers
import reprlib
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

from .modes import ANOMALY, NO_GRAD, detect_anomaly, is_grad_enabled, mode, no_grad
from .rules import RULES, ZERO, FloatMath, StrongZero

__all__ = [
    "Constant",
    "Value",
    "detect_anomaly",
    "grad",
    "grad_table",
    "is_grad_enabled",
    "no_grad",
    "topological_order",
]

Number: TypeAlias = "int | float"
Operand: TypeAlias = "Value | int | float"

_ACCEPTED = "int, float, bool or a NumPy real scalar"

# Hot paths: these ops build their nodes in `Value`'s methods (and functional's `dot`) instead
# of calling the rule table, for speed. Partials that are numbers are read from the table here;
# the rest is written out, and tests/test_hot_paths.py proves every hot path gives the table's
# forward value and partials bit for bit (nan, ±inf, ±0 and kinks included).
HOT_PATHS = ("+", "-", "*", "neg", "tanh", "relu", "dot")
_ADD_DA, _ADD_DB = RULES["+"].partials(FloatMath, 0.0, 0.0, 0.0)  # 1, 1
_SUB_DA, _SUB_DB = RULES["-"].partials(FloatMath, 0.0, 0.0, 0.0)  # 1, -1
(_NEG_DA,) = RULES["neg"].partials(FloatMath, 0.0, 0.0)  # -1


def _describe(x: object) -> str:
    return f"{type(x).__name__} {reprlib.repr(x)}"


def _to_float(x: object) -> float | None:
    """The float value of a real number, or None when `x` is not one."""
    if isinstance(x, float):
        return float(x)
    if isinstance(x, int):  # bool is an int
        try:
            return float(x)
        except OverflowError:  # beyond the float range: ±inf, as IEEE-754 rounding gives
            return math.inf if x > 0 else -math.inf
    if isinstance(x, numbers.Real):  # NumPy integer and floating scalars, Fraction
        if getattr(getattr(x, "dtype", None), "kind", "") in ("m", "M"):
            return None  # NumPy timedelta64 registers as an integer, but is no number
        return float(x)
    dtype = getattr(x, "dtype", None)  # NumPy bool_ and 0-d arrays; not datetime64/timedelta64
    if getattr(dtype, "kind", "") in ("b", "i", "u", "f") and getattr(x, "shape", None) == ():
        return float(x)  # type: ignore[arg-type]
    return None


def _coerce(x: object, op: str) -> Value:
    """`x` as a graph node: a Value stays itself, a plain number becomes a `Constant` leaf."""
    if type(x) is float:  # the common case first: `0.5 * x`
        return _constant(x)
    if isinstance(x, Value):
        return x
    f = _to_float(x)
    if f is None:
        raise TypeError(
            f"unsupported operand for {op!r}: {_describe(x)}; "
            f"a Value combines with another Value or a real number ({_ACCEPTED})"
        )
    return _constant(f)


class Value:
    """A scalar node of a computation graph.

    `data` is the number, `grad` the accumulated derivative of the last `backward()` outputs
    with respect to it, `parents` the inputs of the op that made it (in order, duplicates kept)
    and `local_grads` the local derivative ∂self/∂parent of each of them.

    Storage: most nodes have one or two parents, so those live in the slots `_a`, `_b` with
    local derivatives `_da`, `_db` (`_b` is None for one parent, `_a` None for a leaf); a node
    with more parents keeps tuples in `_a` and `_da` and marks `_b` with `_MANY`. Fewer objects
    per node means less memory and far less work for Python's cyclic garbage collector. `_g`
    holds the node's running sum during a reverse pass (None otherwise).

    >>> a = Value(2.0, label="a")
    >>> b = a * a + 3 * a
    >>> b.data, b.op
    (10.0, '+')
    >>> b.backward()
    >>> a.grad  # d(a² + 3a)/da = 2a + 3
    7.0
    """

    __slots__ = ("__weakref__", "_a", "_b", "_da", "_db", "_g", "data", "grad", "label", "op")

    data: float
    grad: float
    label: str
    op: str
    _a: Any  # None (leaf), the first parent, or the tuple of all parents
    _b: Any  # None (at most one parent), the second parent, or _MANY
    _da: Any  # ∂self/∂_a, or the tuple of local derivatives
    _db: Any  # ∂self/∂_b
    _g: Any  # the reverse pass's running sum for this node; None outside a pass

    def __init__(self, data: object, label: str = "") -> None:
        f = _to_float(data)
        if f is None:
            hint = " (use v.data, or v.detach() for a new leaf)" if isinstance(data, Value) else ""
            raise TypeError(
                f"Value() needs a real number ({_ACCEPTED}), got {_describe(data)}{hint}"
            )
        if not isinstance(label, str):
            raise TypeError(f"Value() label must be a str, got {_describe(label)}")
        self.data = f
        self.grad = 0.0
        self.label = label
        self.op = ""
        self._a = self._b = self._da = self._db = self._g = None

    # -- arithmetic: + - * and neg are hot paths (see HOT_PATHS); / and ** use the table --

    def __add__(self, other: Operand) -> Value:
        if type(other) is not Value:
            other = _coerce(other, "+")
        if mode():
            return _node(self.data + other.data, (self, other), (_ADD_DA, _ADD_DB), "+")
        v: Value = _new(Value)  # built here, as `_binary` does: one call less on the hottest path
        v.data = self.data + other.data
        v.grad = 0.0
        v.label = ""
        v.op = "+"
        v._a = self
        v._b = other
        v._da = _ADD_DA
        v._db = _ADD_DB
        v._g = None
        return v

    def __radd__(self, other: Number) -> Value:
        c = _coerce(other, "+")
        return _binary(c.data + self.data, c, self, _ADD_DA, _ADD_DB, "+")

    def __mul__(self, other: Operand) -> Value:
        if type(other) is not Value:
            other = _coerce(other, "*")
        x, y = self.data, other.data
        if mode():
            return _node(x * y, (self, other), (y, x), "*")
        v: Value = _new(Value)
        v.data = x * y
        v.grad = 0.0
        v.label = ""
        v.op = "*"
        v._a = self
        v._b = other
        v._da = y
        v._db = x
        v._g = None
        return v

    def __rmul__(self, other: Number) -> Value:
        c = _coerce(other, "*")
        return _binary(c.data * self.data, c, self, self.data, c.data, "*")

    def __sub__(self, other: Operand) -> Value:
        if type(other) is not Value:
            other = _coerce(other, "-")
        return _binary(self.data - other.data, self, other, _SUB_DA, _SUB_DB, "-")

    def __rsub__(self, other: Number) -> Value:
        c = _coerce(other, "-")
        return _binary(c.data - self.data, c, self, _SUB_DA, _SUB_DB, "-")

    def __neg__(self) -> Value:
        return _unary(-self.data, self, _NEG_DA, "neg")

    def __truediv__(self, other: Operand) -> Value:
        return _apply("/", (self, _coerce(other, "/")))

    def __rtruediv__(self, other: Number) -> Value:
        return _apply("/", (_coerce(other, "/"), self))

    def __pow__(self, other: Operand) -> Value:
        return _apply("**", (self, _coerce(other, "**")))

    def __rpow__(self, other: Number) -> Value:
        return _apply("**", (_coerce(other, "**"), self))

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of the op that made this node, in order (empty for a leaf)."""
        a, b = self._a, self._b
        if b is None:
            return () if a is None else (a,)
        return a if b is _MANY else (a, b)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, recorded when the node was made."""
        a, b = self._a, self._b
        lgs: tuple[float, ...]
        if b is None:
            lgs = () if a is None else (self._da,)
        else:
            lgs = self._da if b is _MANY else (self._da, self._db)
        # a selection's exact zero (rules.ZERO) is shown as the plain float it equals
        return tuple(0.0 if type(g) is StrongZero else g for g in lgs)

    # -- comparisons read .data; == and hash stay identity-based so nodes can key dicts --

    def _other_data(self, other: object, op: str) -> float:
        if isinstance(other, Value):
            return other.data
        f = _to_float(other)
        if f is None:
            raise TypeError(f"cannot compare a Value with {_describe(other)} using {op!r}")
        return f

    def __lt__(self, other: Operand) -> bool:
        return self.data < self._other_data(other, "<")

    def __le__(self, other: Operand) -> bool:
        return self.data <= self._other_data(other, "<=")

    def __gt__(self, other: Operand) -> bool:
        return self.data > self._other_data(other, ">")

    def __ge__(self, other: Operand) -> bool:
        return self.data >= self._other_data(other, ">=")

    __hash__ = object.__hash__

    def __abs__(self) -> Value:
        return self.abs()

    def __float__(self) -> float:
        return self.data

    def __bool__(self) -> bool:
        """`bool(v.data)`, as for PyTorch's 0-d tensors: `Value(0.0)` is false."""
        return bool(self.data)

    def item(self) -> float:
        """The number held, `self.data` (as PyTorch's `Tensor.item()`)."""
        return self.data

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"{type(self).__name__}(data={self.data!r}, grad={self.grad!r}{label})"

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else repr(self)

    # -- elementary functions, all through the rule table --

    def exp(self) -> Value:
        """e**x; overflows to inf (IEEE-754), never raises."""
        return _apply("exp", (self,))

    def log(self) -> Value:
        """Natural log: log(0) = -inf, log(x < 0) = nan."""
        return _apply("log", (self,))

    def sqrt(self) -> Value:
        """Square root: sqrt(x < 0) = nan, and its derivative at 0 is inf."""
        return _apply("sqrt", (self,))

    def tanh(self) -> Value:
        """Hyperbolic tangent; derivative 1 - tanh²."""
        t = math.tanh(self.data)  # a hot path (see HOT_PATHS)
        return _unary(t, self, 1.0 - t * t, "tanh")

    def sigmoid(self) -> Value:
        """1 / (1 + e^-x), computed without overflow for any x; derivative σ(1 - σ)."""
        return _apply("sigmoid", (self,))

    def relu(self) -> Value:
        """max(x, 0); convention relu'(0) = 0."""
        x = self.data  # a hot path (see HOT_PATHS)
        if x <= 0.0:
            return _unary(0.0, self, ZERO, "relu")  # an exact zero: the branch not taken
        return _unary(x, self, 1.0, "relu")  # nan passes through with derivative 1

    def leaky_relu(self, alpha: float = 0.01) -> Value:
        """x for x > 0, else alpha·x; the slope at 0 is alpha. alpha is a constant input."""
        return _apply("leaky_relu", (self, _coerce(alpha, "leaky_relu")))

    def softplus(self) -> Value:
        """log(1 + e^x), computed without overflow; derivative sigmoid(x)."""
        return _apply("softplus", (self,))

    def abs(self) -> Value:
        """|x|; convention abs'(0) = 0."""
        return _apply("abs", (self,))

    def step(self) -> Value:
        """1 for x > 0, else 0 (so step(0) = 0); derivative an exact 0 everywhere."""
        return _apply("step", (self,))

    def sign(self) -> Value:
        """1 for x > 0, -1 for x < 0, 0 at 0 (and for nan, as PyTorch); derivative an exact 0."""
        return _apply("sign", (self,))

    def clamp(self, min: Operand | None = None, max: Operand | None = None) -> Value:
        """x limited to [min, max] (a bound of None is no limit): min(max(x, min), max).

        PyTorch's convention: the gradient passes where min ≤ x ≤ max, the bounds themselves
        included, and is an exact 0 outside; a bound that is a Value gets the gradient where
        it is the output. With min > max the result is max, as in PyTorch.
        """
        if min is None and max is None:
            raise ValueError("clamp() needs at least one of min and max; both are None")
        lo = _constant(-math.inf) if min is None else _coerce(min, "clamp")
        hi = _constant(math.inf) if max is None else _coerce(max, "clamp")
        return _apply("clamp", (self, lo, hi))

    def hard_tanh(self) -> Value:
        """x clipped to [-1, 1]; derivative 1 on (-1, 1) and 0 elsewhere, also at ±1."""
        return _apply("hard_tanh", (self,))

    def sin(self) -> Value:
        """Sine; sin(±inf) = nan."""
        return _apply("sin", (self,))

    def cos(self) -> Value:
        """Cosine; cos(±inf) = nan."""
        return _apply("cos", (self,))

    # -- graph --

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut from the graph."""
        return Value(self.data, self.label)

    def backward(self, grad: float = 1.0) -> None:
        """Add ∂self/∂node · `grad` into `.grad` of every node of the graph below `self`.

        Each call computes a fresh grad table (`grad_table`) and adds it, so two calls give
        exactly twice the gradients; reset with `zero_grad()` or `node.grad = 0.0`.
        """
        seed = _to_float(grad)
        if seed is None:
            raise TypeError(f"backward(grad=...) needs a real number, got {_describe(grad)}")
        add_grads(self, seed)


class Constant(Value):
    """A leaf made from a plain number met in an expression, like the 3 in `x * 3`.

    It is an ordinary `Value`; diagrams show it as a constant.
    """

    __slots__ = ()


_MANY = object()  # `_b` of a node with three or more parents
_new = object.__new__


def _constant(f: float) -> Constant:
    """A Constant leaf, made without the checks of `Value()` (`f` is already a float)."""
    c: Constant = _new(Constant)
    c.data = f
    c.grad = 0.0
    c.label = ""
    c.op = ""
    c._a = c._b = c._da = c._db = c._g = None
    return c


def _node(
    data: float,
    parents: tuple[Value, ...],
    local_grads: tuple[float, ...],
    op: str,
    mode_bits: int | None = None,
) -> Value:
    """Make an op's output node; under `no_grad()` it records no parents.

    `mode_bits` is the mode the op read (each op reads it once); None reads it here.
    """
    bits = mode() if mode_bits is None else mode_bits
    n = 0 if bits & NO_GRAD else len(parents)
    v: Value = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v.op = op if n else ""
    v._g = None
    if n == 0:
        v._a = v._b = v._da = v._db = None
    elif n == 1:
        v._a, v._b, v._da, v._db = parents[0], None, local_grads[0], None
    elif n == 2:
        v._a, v._b, v._da, v._db = parents[0], parents[1], local_grads[0], local_grads[1]
    else:
        v._a, v._b, v._da, v._db = parents, _MANY, local_grads, None
    if bits & ANOMALY:
        _check_forward(v, op, parents, local_grads if n else ())
    return v


def _unary(data: float, a: Value, da: float, op: str) -> Value:
    """`_node` for one parent, specialised: the hot path of most ops."""
    bits = mode()
    if bits:
        return _node(data, (a,), (da,), op, bits)
    v: Value = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v.op = op
    v._a = a
    v._b = None
    v._da = da
    v._db = None
    v._g = None
    return v


def _binary(data: float, a: Value, b: Value, da: float, db: float, op: str) -> Value:
    """`_node` for two parents, specialised: the hot path of + - * and friends."""
    bits = mode()
    if bits:
        return _node(data, (a, b), (da, db), op, bits)
    v: Value = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v.op = op
    v._a = a
    v._b = b
    v._da = da
    v._db = db
    v._g = None
    return v


def _apply(op: str, args: tuple[Value, ...]) -> Value:
    """Apply the primitive `op` of the rule table to `args` on floats."""
    rule = RULES[op]
    xs = [a.data for a in args]
    z = rule.forward(*xs)
    bits = mode()
    if bits & NO_GRAD:  # no graph: skip the partials
        return _node(z, args, (), op, bits)
    return _node(z, args, tuple(rule.partials(FloatMath, z, *xs)), op, bits)


def apply(op: str, args: Sequence[Operand]) -> Value:
    """Apply a primitive of `rules.RULES` by name to Values or numbers (used by `functional`)."""
    return _apply(op, tuple(_coerce(a, op) for a in args))


# --------------------------------------------------------------------------- modes


def _inputs_text(parents: tuple[Value, ...]) -> str:
    return ", ".join(f"{p.data!r}" for p in parents)


def _check_forward(
    v: Value, op: str, parents: tuple[Value, ...], local_grads: tuple[float, ...]
) -> None:
    if not math.isfinite(v.data):
        raise FloatingPointError(
            f"op {op!r} produced {v.data!r} from inputs ({_inputs_text(parents)}); "
            "check the inputs of this op (detect_anomaly is on)"
        )
    for i, (p, lg) in enumerate(zip(parents, local_grads)):
        if not math.isfinite(lg) and type(p) is not Constant:
            raise FloatingPointError(
                f"op {op!r} has local derivative {lg!r} for input {i} "
                f"at inputs ({_inputs_text(parents)}); (detect_anomaly is on)"
            )


def values(items: Iterable[Operand], op: str) -> tuple[Value, ...]:
    """`items` as a tuple of nodes (numbers become constants)."""
    nodes = tuple(items)
    # Fast path: check the few distinct types instead of every item.
    if all(issubclass(t, Value) for t in set(map(type, nodes))):
        return nodes  # type: ignore[return-value]
    return tuple(_coerce(x, op) for x in nodes)


# The walks, the reverse pass and grad() live in reverse.py and higher.py; their public names
# are re-exported here, where users have always found them. (Imported last: they use Value.)
from .higher import grad  # noqa: E402
from .reverse import add_grads, grad_table, topological_order  # noqa: E402
