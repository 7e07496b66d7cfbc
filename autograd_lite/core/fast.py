"""The ops' fast paths: each rule of one or two inputs written out as a method of `Value`.

`apply` makes every node from the rule table; here the text of a rule's output and local
derivatives goes into a method that builds the node directly (one function call instead of
several), used where the operands are Values or plain numbers outside `no_grad()` and
`detect_anomaly()`. The results are `apply`'s, bit for bit (a test checks every op at every
edge point). `Value.__mul__.source` shows the code made for `*`.
"""

from __future__ import annotations

from collections.abc import Callable

from .graph import LITERAL
from .modes import NO_GRAD, mode
from .rules import FLOATS, RULES
from .value import Constant, Value, apply

_new = object.__new__

_NODE = """
            node = new(Value)
            node.data = {out}{forward}
            node.grad = 0.0
            node.label = ""
            node.op = {op!r}
            node._x = {x}
            node._dx = {dx}
            node._y = {y}
            node._dy = {dy}
            node._g = None
            return node"""

_LITERAL = """
            literal = new(Constant)
            literal.data = {name}
            literal.grad = 0.0
            literal.label = literal.op = ""
            literal._x = literal._y = literal._dx = literal._dy = None
            literal._g = LITERAL"""

# Under `no_grad()` alone a node records no parents: the output, and nothing to draw an edge to.
_BARE = """
            bare = new(Value)
            bare.data = {forward}
            bare.grad = 0.0
            bare.label = bare.op = ""
            bare._x = bare._y = bare._dx = bare._dy = bare._g = None
            return bare"""

_UNARY = """
def fast(self):
    bits = mode()
    if not bits:
            x = self.data{node}
    if bits == NO_GRAD:
            x = self.data{bare}
    return apply({op!r}, (self,))
"""

_BINARY = """
def fast(self, other):
    bits = mode()
    if not bits:
        if type(other) is Value:
            x = self.data
            y = other.data{node}
        if type(other) is float or type(other) is int and -1e300 < other < 1e300:
            x = self.data
            y = float(other){literal}{node_literal}
    if bits == NO_GRAD:
        if type(other) is Value:
            x = self.data
            y = other.data{bare}
        if type(other) is float or type(other) is int and -1e300 < other < 1e300:
            x = self.data
            y = float(other){bare}
    return apply({op!r}, (self, other))
"""

_REFLECTED = """
def fast(self, other):
    bits = mode()
    if not bits:
        if type(other) is float or type(other) is int and -1e300 < other < 1e300:
            x = float(other)
            y = self.data{literal}{node_literal}
    if bits == NO_GRAD:
        if type(other) is float or type(other) is int and -1e300 < other < 1e300:
            x = float(other)
            y = self.data{bare}
    return apply({op!r}, (other, self))
"""


def fast_path(name: str, op: str, reflected: bool = False) -> Callable[..., Value]:
    """The method `name` of `Value`: `apply(op, ...)` written out as code from the rule.

    The other operand is a Value or a plain number, which becomes a `Constant` (its edge is
    absent); every other case goes to `apply`. `reflected`: the number is the first input.
    """
    rule = RULES[op]
    dx, *dy = rule.partials
    uses_out = any("out" in d for d in rule.partials)
    node = {"forward": rule.forward, "op": op, "out": "out = " if uses_out else ""}
    bare = _BARE.format(forward=rule.forward)
    if rule.arity == 1:
        body = _NODE.format(x="self", dx=dx, y="None", dy="None", **node)
        source = _UNARY.format(op=op, node=body, bare=bare)
    else:
        both = _NODE.format(x="self", dx=dx, y="other", dy=dy[0], **node)
        if reflected:  # `other op self`: the number is the first input
            one = _NODE.format(x="literal", dx="None", y="self", dy=dy[0], **node)
        else:
            one = _NODE.format(x="self", dx=dx, y="literal", dy="None", **node)
        literal = _LITERAL.format(name="x" if reflected else "y")
        template = _REFLECTED if reflected else _BINARY
        source = template.format(op=op, node=both, literal=literal, node_literal=one, bare=bare)
    scope = {**FLOATS, "Value": Value, "Constant": Constant, "new": _new, "mode": mode}
    scope["LITERAL"], scope["NO_GRAD"] = LITERAL, NO_GRAD
    scope["apply"] = apply
    exec(compile(source, f"<autograd_lite op {op!r}>", "exec"), scope)
    made: Callable[..., Value] = scope["fast"]
    made.__name__, made.__qualname__ = name, f"Value.{name}"
    made.__doc__ = getattr(Value, name).__doc__
    made.__annotations__ = getattr(Value, name).__annotations__
    made.source = source  # type: ignore[attr-defined]
    return made


# Every op of one or two inputs that a Value's method makes, and the rule it applies.
FAST_PATHS = {
    "__add__": "+",
    "__sub__": "-",
    "__mul__": "*",
    "__truediv__": "/",
    "__pow__": "**",
    "__neg__": "neg",
    "exp": "exp",
    "log": "log",
    "sqrt": "sqrt",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "relu": "relu",
    "_softplus": "softplus",  # Value.softplus() calls it (with no beta or threshold)
    "abs": "abs",
    "step": "step",
    "sign": "sign",
    "hard_tanh": "hard_tanh",
    "sin": "sin",
    "cos": "cos",
}
REFLECTED = {
    "__radd__": "+",
    "__rsub__": "-",
    "__rmul__": "*",
    "__rtruediv__": "/",
    "__rpow__": "**",
}
for _name, _op in FAST_PATHS.items():
    setattr(Value, _name, fast_path(_name, _op))
for _name, _op in REFLECTED.items():
    setattr(Value, _name, fast_path(_name, _op, reflected=True))
