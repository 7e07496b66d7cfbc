"""micrograd's `Value` on autograd_lite's engine: change the import, keep the numbers.

Code written for micrograd 0.1.0 (and the lecture's `label=`) runs unchanged with
`from autograd_lite.micrograd.engine import Value`; every node is a real `autograd_lite.Value`.
"""

from __future__ import annotations

import functools
import inspect
import reprlib
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from .. import core as _engine
from ..core import RULES, connect
from ..core import Constant as _Constant
from ..core.rules import FloatMath
from ..nn import Parameter as _Parameter

__all__ = ["Value"]

_EngineValue = _engine.Value
Operand = _engine.Operand

# micrograd's names for the ops it has; every other op keeps autograd_lite's name. A neuron's
# b + Σ wᵢxᵢ is one `affine` node, which micrograd ends with a `+`.
_OP_NAMES = {"relu": "ReLU", "affine": "+"}
# micrograd's `_op` where it differs from the engine's (a hand-made node's name, `**2.0`).
_given_ops: weakref.WeakKeyDictionary[_EngineValue, str] = weakref.WeakKeyDictionary()


class Value(_EngineValue):
    """micrograd's `Value(data, _children=(), _op='', label='')`, built by autograd_lite.

    It is an `autograd_lite.Value` (so `draw_dot`, `grad`, `gradcheck`, the optimisers and
    `.parents`/`.local_grads` all work) with micrograd's interface on top: `._prev` (the set
    of parents), `._op` (micrograd's op names: '+', '*', '**2', 'ReLU', 'tanh', 'exp'),
    `._backward()` (one chain-rule step), micrograd's repr, and micrograd's graph shapes:
    `-x` is `x * -1`, `a - b` is `a + (-b)`, `a / b` is `a * b**-1`, so a drawing of the
    graph shows the nodes micrograd makes. Every op returns this `Value` again, and plain
    numbers in expressions become leaves that have `._prev` and `._op` too.

    Where micrograd is wrong, this class stays right (each difference is in the docstring
    of the method): `backward()` called twice gives exactly twice the gradients (micrograd
    compounds them), `x / 0` and `x ** 0.5` at x < 0 follow IEEE-754 (inf, nan) instead of
    raising or turning complex. `.data` is always a float (micrograd keeps ints as given, so
    its repr may show `data=2` where this one shows `data=2.0`).

    An op written in micrograd's way works too: `out = Value(s, (self,), 'sig')`, then
    `out._backward = closure`. The closure is linear in `out.grad`, so it is run once, with
    `out.grad = 1` and the children's grads at 0, and what it adds to each child is that
    child's local derivative: from then on the node is an ordinary node of the graph
    (`backward`, `grad`, `routes`, diagrams). `grad(create_graph=True)` and `compile` refuse
    it, naming the op: they need a rule, and a closure gives numbers only.

    Args:
        data: a real number.
        _children: the nodes this one was computed from, when a node is made by hand.
            Until its `_backward` is set, its edges are absent (no gradient passes).
        _op: the op's name: shown by `._op`, and by diagrams as the node's op.
        label: a name shown in diagrams (the lecture's `label`).

    >>> a = Value(2.0, label="a")
    >>> b = a * a + 3 * a
    >>> b._op, sorted(p.data for p in b._prev)
    ('+', [4.0, 6.0])
    >>> b.backward()
    >>> a
    Value(data=2.0, grad=7.0)
    """

    __slots__ = ()

    def __init__(
        self,
        data: object,
        _children: Iterable[_EngineValue] = (),
        _op: str = "",
        label: str = "",
    ) -> None:
        super().__init__(data, label)
        if not isinstance(_op, str):
            raise TypeError(f"Value() _op must be a str, got {type(_op).__name__} {_op!r}")
        children = tuple(dict.fromkeys(_children))  # micrograd keeps a set: each child once
        for i, c in enumerate(children):
            if not isinstance(c, _EngineValue):
                raise TypeError(
                    f"Value() _children must be Values, child {i} is {type(c).__name__} "
                    f"{reprlib.repr(c)}"
                )
        if children:
            # a name no rule has: create_graph and compile refuse it rather than guess
            op = _op if _op and _op not in RULES else f"{_op or 'op'} (by hand)"
            connect(self, op, children, (None,) * len(children))
        if _op:
            _given_ops[self] = _op

    # -- micrograd's view of the graph --

    @property
    def _prev(self) -> set[_EngineValue]:
        """The set of nodes this one was computed from (a new set on each access).

        A power by a number (`x ** 2`) lists only `x`, as in micrograd; the exponent is a
        constant leaf of the autograd_lite graph (see `.parents`).
        """
        parents = self.parents
        if self.op == "**" and isinstance(parents[-1], _Constant):
            return {parents[0]}
        return set(parents)

    @property
    def _op(self) -> str:
        """micrograd's name of the op that made this node ('' for a leaf)."""
        given = _given_ops.get(self)
        if given is not None:
            return given
        op = self.op
        if op == "**" and isinstance(self.parents[-1], _Constant):  # micrograd's b**-1 in a / b
            return f"**{_number_text(self.parents[-1].data)}"
        return _OP_NAMES.get(op, op)

    @property
    def _backward(self) -> Callable[[], None]:
        """One step of the chain rule, as micrograd's closure: add this node's grad times each
        local derivative into its children's grads. Assigning a closure records the local
        derivatives it implies (see the class docstring)."""

        def step() -> None:
            g = self.grad
            for p, d in zip(self.parents, self.local_grads):
                p.grad += g * d

        return step

    @_backward.setter
    def _backward(self, closure: Callable[[], None]) -> None:
        children = self.parents
        if not children:
            return  # a leaf: micrograd's closure does nothing there either
        saved = [(v, v.grad) for v in (self, *children)]
        try:
            for c in children:
                c.grad = 0.0
            self.grad = 1.0
            closure()
            found = [_local_grad(c.grad, self._op) for c in children]
        finally:
            for v, g in saved:
                v.grad = g
        connect(self, self.op, children, found)

    def backward(self, grad: float = 1.0) -> None:
        """Add ∂self/∂node · `grad` into `.grad` of every node below `self`.

        Unlike micrograd, a second call adds the same fresh gradients once more (exactly twice
        the gradients after two calls). micrograd sets `self.grad = 1` and runs every node's
        `_backward` on top of the grads already there, so intermediate nodes pass on their
        old gradient again and the leaves get more than twice. Reset with `zero_grad()`.
        """
        super().backward(grad)

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    # -- arithmetic in micrograd's graph shapes; numbers become constant leaves --

    def __add__(self, other: Operand) -> Value:
        return _own(_EngineValue.__add__(self, _lift(other, "+")))

    def __radd__(self, other: Operand) -> Value:
        return _own(_EngineValue.__add__(_lift(other, "+"), self))

    def __mul__(self, other: Operand) -> Value:
        return _own(_EngineValue.__mul__(self, _lift(other, "*")))

    def __rmul__(self, other: Operand) -> Value:
        return _own(_EngineValue.__mul__(_lift(other, "*"), self))

    def __neg__(self) -> Value:
        return self * -1.0  # micrograd's -x: a product with the constant -1

    def __sub__(self, other: Operand) -> Value:
        if isinstance(other, _EngineValue):
            return self + (-other if isinstance(other, Value) else other * -1.0)
        return self + (-_number(other, "-"))

    def __rsub__(self, other: Operand) -> Value:
        return _lift(other, "-") + (-self)

    def __truediv__(self, other: Operand) -> Value:
        if isinstance(other, _EngineValue):
            return self * _own(_EngineValue.__pow__(other, _lift(-1.0, "/")))
        return self * float(FloatMath.div(1.0, _number(other, "/")))  # x / 0 is ±inf

    def __rtruediv__(self, other: Operand) -> Value:
        return _lift(other, "/") * self**-1

    def __pow__(self, other: Operand) -> Value:
        """`self ** other`: a number, as in micrograd (`_op` is `'**2.0'` for `** 2.0`), or a
        Value (autograd_lite extends it)."""
        out = _own(_EngineValue.__pow__(self, _lift(other, "**")))
        if not isinstance(other, _EngineValue):
            _given_ops[out] = f"**{other}"
        return out

    def __rpow__(self, other: Operand) -> Value:
        return _own(_EngineValue.__pow__(_lift(other, "**"), self))

    # -- elementary functions (micrograd's relu, the lecture's tanh and exp, and the rest) --

    def relu(self) -> Value:
        """max(x, 0), named 'ReLU' in `_op`; relu'(0) = 0 as in micrograd."""
        return _own(_EngineValue.relu(self))

    def tanh(self) -> Value:
        return _own(_EngineValue.tanh(self))

    def exp(self) -> Value:
        return _own(_EngineValue.exp(self))

    def log(self) -> Value:
        return _own(_EngineValue.log(self))

    def sqrt(self) -> Value:
        return _own(_EngineValue.sqrt(self))

    def sigmoid(self) -> Value:
        return _own(_EngineValue.sigmoid(self))

    def leaky_relu(self, alpha: float = 0.01) -> Value:
        return _own_all(_EngineValue.leaky_relu(self, alpha))

    def softplus(self, beta: Operand = 1.0, threshold: Operand | None = None) -> Value:
        return _own_all(_EngineValue.softplus(self, beta, threshold))

    def abs(self) -> Value:
        return _own(_EngineValue.abs(self))

    def step(self) -> Value:
        return _own(_EngineValue.step(self))

    def hard_tanh(self) -> Value:
        return _own(_EngineValue.hard_tanh(self))

    def sin(self) -> Value:
        return _own(_EngineValue.sin(self))

    def cos(self) -> Value:
        return _own(_EngineValue.cos(self))

    def detach(self) -> Value:
        return _own(_EngineValue.detach(self))


class Constant(_Constant, Value):
    """A leaf made from a plain number in an expression (the 3 in `x * 3`)."""

    __slots__ = ()


class Parameter(_Parameter, Value):
    """A trainable leaf made by a module of `autograd_lite.micrograd.nn`."""

    __slots__ = ()


def _own(v: _EngineValue) -> Value:
    """`v`, an op's fresh output node, made a micrograd-compatible Value (same object)."""
    cls = type(v)
    if cls is _EngineValue:
        v.__class__ = Value  # same memory layout: Value adds no slots
    elif cls is _Constant:
        v.__class__ = Constant
    elif not isinstance(v, Value):
        raise TypeError(f"cannot make a micrograd Value of a {cls.__name__}")
    return v  # type: ignore[return-value]  # its class is Value now


def _own_all(v: _EngineValue) -> Value:
    """`_own`, and the constants the op made (such as leaky_relu's slope) become ours too."""
    for p in v.parents:
        if type(p) is _Constant:
            p.__class__ = Constant
    return _own(v)


def _number(x: object, op: str) -> float:
    """`x` as a float when it is a real number, else the error `op` gives for it."""
    if type(x) is float:
        return x
    if type(x) is int and -(2**53) <= x <= 2**53:  # exactly a float: the common `1 - x`
        return float(x)
    try:
        return _Constant(x).data
    except TypeError:
        raise TypeError(
            f"unsupported operand for {op!r}: {type(x).__name__} {reprlib.repr(x)}; "
            "a Value combines with another Value or a real number"
        ) from None


def _lift(x: object, op: str) -> Value | _EngineValue:
    """`x` as a node: a Value stays itself, a number becomes a `Constant` leaf."""
    if isinstance(x, _EngineValue):
        return x
    c = _Constant(_number(x, op))
    c.__class__ = Constant
    return c


def _local_grad(d: object, op: str) -> float:
    """What a hand-made op's closure added to a child's grad (its local derivative), as a
    plain float: a NumPy number becomes one, as `Value()` makes it."""
    f = _engine.to_float(d)
    if f is None:
        raise TypeError(
            f"the _backward of op {op!r} added {_engine.describe(d)} to a child's grad; "
            "it must add a number (the local derivative times out.grad)"
        )
    return f


def _number_text(f: float) -> str:
    """An exponent as micrograd shows it: 2 rather than 2.0 for whole numbers."""
    return str(int(f)) if f.is_integer() and abs(f) < 2**53 else str(f)


def _wrap(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Value, *args: Any, **kwargs: Any) -> Any:
        return _own_all(method(self, *args, **kwargs))

    return wrapper


# Any other method of autograd_lite's Value that makes a node returns this class too.
for _name, _method in vars(_EngineValue).items():
    if (
        inspect.isfunction(_method)
        and not _name.startswith("_")
        and _name not in vars(Value)
        and inspect.signature(_method).return_annotation in ("Value", _EngineValue)
    ):
        setattr(Value, _name, _wrap(_method))
del _name, _method
