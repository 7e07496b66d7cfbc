"""The rules' partials evaluated on source text: expressions that print as Python.

`SymMath` is the third namespace the partials of `rules.RULES` run on (after `FloatMath` and
`ValueMath`): where both sides are numbers it computes them as `FloatMath` would, so the code
keeps only what depends on the data, and that code does the same float operations in order.
"""

from __future__ import annotations

import ast
import functools
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..core.rules import FloatMath, Rule

Operand = Any  # an Expr or a number

# Precedence of Python's operators, low to high (the renderer adds parentheses from it):
# comparisons bind more loosely than `|` and `&`, which bind more loosely than `+`.
_WHERE, _CMP, _OR, _AND, ADD, MUL, _UNARY, _POW, ATOM = 1, 2, 3, 4, 5, 6, 7, 8, 9
_PRECEDENCE = {
    "|": _OR,
    "&": _AND,
    "<": _CMP,
    "<=": _CMP,
    ">": _CMP,
    ">=": _CMP,
    "==": _CMP,
    "!=": _CMP,
    "+": ADD,
    "-": ADD,
    "*": MUL,
    "/": MUL,
    "**": _POW,
}


class Expr:
    """A node of generated code: a name, an operator, a call, a tuple or a conditional.

    Operators on an Expr build bigger ones, so a rule's partials run on it unchanged.
    `bool(expr)` raises: a partial must select with `m.where`, not with Python's `if`.
    """

    __slots__ = ("kind", "parts")

    def __init__(self, kind: str, *parts: Any) -> None:
        self.kind = kind  # "name", an operator, "neg", "call", "tuple" or "where"
        self.parts = parts

    def __repr__(self) -> str:
        return f"Expr({render(self)!r})"

    def __bool__(self) -> bool:
        raise TypeError(
            "a rule's partials branched on a value with Python's `if`/`and`/`or`; the compiler "
            "follows both branches only through m.where(cond, a, b) (and `&` for 'and')"
        )

    __hash__ = object.__hash__

    def __add__(self, o: Operand) -> Expr:
        return Expr("+", self, o)

    def __radd__(self, o: Operand) -> Expr:
        return Expr("+", o, self)

    def __sub__(self, o: Operand) -> Expr:
        return Expr("-", self, o)

    def __rsub__(self, o: Operand) -> Expr:
        return Expr("-", o, self)

    def __mul__(self, o: Operand) -> Expr:
        return Expr("*", self, o)

    def __rmul__(self, o: Operand) -> Expr:
        return Expr("*", o, self)

    def __truediv__(self, o: Operand) -> Expr:
        return Expr("/", self, o)

    def __rtruediv__(self, o: Operand) -> Expr:
        return Expr("/", o, self)

    def __pow__(self, o: Operand) -> Expr:
        return Expr("**", self, o)

    def __rpow__(self, o: Operand) -> Expr:
        return Expr("**", o, self)

    def __neg__(self) -> Expr:
        return Expr("neg", self)

    def __lt__(self, o: Operand) -> Expr:
        return Expr("<", self, o)

    def __le__(self, o: Operand) -> Expr:
        return Expr("<=", self, o)

    def __gt__(self, o: Operand) -> Expr:
        return Expr(">", self, o)

    def __ge__(self, o: Operand) -> Expr:
        return Expr(">=", self, o)

    def __eq__(self, o: object) -> Expr:  # type: ignore[override]
        return Expr("==", self, o)

    def __ne__(self, o: object) -> Expr:  # type: ignore[override]
        return Expr("!=", self, o)

    def __and__(self, o: Operand) -> Expr:
        return Expr("&", self, o)

    def __rand__(self, o: Operand) -> Expr:
        return Expr("&", o, self)

    def __or__(self, o: Operand) -> Expr:
        return Expr("|", self, o)

    def __ror__(self, o: Operand) -> Expr:
        return Expr("|", o, self)


def name(text: str) -> Expr:
    """A variable of the generated code."""
    return Expr("name", text)


def call(function: str, *args: Operand) -> Expr:
    """`function(args...)`, `function` being a name bound in the program's globals."""
    return Expr("call", function, *args)


def where(cond: Operand, a: Operand, b: Operand) -> Operand:
    """`a if cond else b`; a condition known now selects now, as `FloatMath.where` does."""
    if isinstance(cond, Expr):
        return Expr("where", cond, a, b)
    return a if cond else b


def _has_expr(x: object) -> bool:
    if isinstance(x, Expr):
        return True
    if isinstance(x, (tuple, list)):
        return any(_has_expr(i) for i in x)
    return False


def _as_code(x: Operand) -> Operand:
    """Sequences become tuple expressions (total and max_data take a sequence)."""
    if isinstance(x, (tuple, list)):
        return Expr("tuple", *(_as_code(i) for i in x))
    return x


class SymMath:
    """The rule namespace on source text.

    `where` becomes a conditional expression, and every other function of `FloatMath` a call
    of that very function, bound by name in the program's globals (`bind(name, function) ->
    name in the code`). Calls whose arguments are all numbers are made now.
    """

    def __init__(self, bind: Callable[[str, object], str]) -> None:
        self._bind = bind

    where = staticmethod(where)

    @staticmethod
    def eq(a: Operand, b: Operand) -> Operand:
        if isinstance(a, Expr) or isinstance(b, Expr):
            return Expr("==", a, b)
        return FloatMath.eq(a, b)

    def div(self, a: Operand, b: Operand) -> Operand:
        """`a / b`: Python's own operator for a divisor known not to be 0 (then it is
        `FloatMath.div`), else a call of `FloatMath.div`."""
        if isinstance(b, (int, float)) and b != 0 and isinstance(a, Expr):
            return Expr("/", a, b)
        return self._function("div")(a, b)

    def __getattr__(self, attr: str) -> Any:
        function = self._function(attr)
        setattr(self, attr, function)  # made once per program: later lookups find it
        return function

    def _function(self, attr: str) -> Callable[..., Operand]:
        found = getattr(FloatMath, attr)  # AttributeError names what the rule asked for

        def function(*args: Operand) -> Operand:
            if not _has_expr(args):
                return found(*args)
            return call(self._bind(attr, found), *(_as_code(a) for a in args))

        return function


# --------------------------------------------------------------------------- printing


_SMALL = {x: repr(x) for x in (1.0, -1.0, 2.0, 0.5)}  # frequent in partials (zeros: by sign)


def literal(x: object) -> tuple[str, int]:
    """A number as code and its precedence; inf and nan are global names."""
    if type(x) is float and x - x == 0.0:  # a finite float, the usual case
        text = _SMALL.get(x) if x else ("0.0" if math.copysign(1.0, x) > 0.0 else "-0.0")
        if text is None:
            text = repr(x)
        return text, (_UNARY if text[0] == "-" else ATOM)
    if isinstance(x, bool):
        return repr(x), ATOM
    if isinstance(x, int):
        return repr(x), (_UNARY if x < 0 else ATOM)
    if isinstance(x, float):
        if x != x:
            return "nan", ATOM
        if math.isinf(x):
            return ("inf", ATOM) if x > 0 else ("-inf", _UNARY)
        text = repr(float(x))
        return text, (_UNARY if text.startswith("-") else ATOM)
    raise TypeError(f"the compiler cannot write {type(x).__name__} {x!r} as a number in code")


def code(x: Operand, names: dict[int, str], above: int) -> str:
    """`x` as code, in parentheses when its precedence is not above `above`."""
    text, prec = render_with_precedence(x, names)
    return f"({text})" if prec <= above else text


def render_with_precedence(x: Operand, names: dict[int, str]) -> tuple[str, int]:
    if type(x) is not Expr:
        return literal(x)
    kind, parts = x.kind, x.parts
    if kind == "name":  # never hoisted
        return parts[0], ATOM
    hoisted = names.get(id(x))
    if hoisted is not None:
        return hoisted, ATOM
    if kind == "call":
        args = ", ".join(render_with_precedence(a, names)[0] for a in parts[1:])
        return f"{parts[0]}({args})", ATOM
    if kind == "tuple":
        items = [render_with_precedence(a, names)[0] for a in parts]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")", ATOM
    if kind == "neg":
        return "-" + code(parts[0], names, _UNARY), _UNARY
    if kind == "where":
        cond, a, b = (code(p, names, _WHERE) for p in parts)
        return f"{a} if {cond} else {b}", _WHERE
    prec = _PRECEDENCE[kind]
    a, b = parts
    if kind == "**":  # right-associative, and binds tighter than a unary minus on its left
        return f"{code(a, names, prec)} ** {code(b, names, _UNARY - 1)}", prec
    # Left-associative (float + and * are not associative: the right side keeps its
    # parentheses); comparisons chain in Python, so they never nest unparenthesised.
    left = code(a, names, prec - 1 if prec != _CMP else prec)
    return f"{left} {kind} {code(b, names, prec)}", prec


def render(x: Operand, names: dict[int, str] | None = None) -> str:
    """`x` as a Python expression; `names` maps ids of hoisted Exprs to their variables."""
    return render_with_precedence(x, names or {})[0]


# --------------------------------------------------------------------------- sharing


def _children(x: Expr) -> Iterator[Any]:
    parts = x.parts[1:] if x.kind == "call" else x.parts
    return iter(() if x.kind == "name" else parts)


def shared(roots: Sequence[Operand]) -> list[Expr]:
    """Compound Exprs used more than once by `roots` (the rule computed them once), in an order
    where each comes after those it contains: they become temporaries in the code."""
    count: dict[int, int] = {}
    order: list[Expr] = []
    stack: list[tuple[Any, bool]] = [(r, False) for r in reversed(roots)]
    while stack:
        x, done = stack.pop()
        if not isinstance(x, Expr) or x.kind == "name":
            continue
        if done:
            order.append(x)
            continue
        seen = count.get(id(x), 0)
        count[id(x)] = seen + 1
        if seen == 0:
            stack.append((x, True))
            stack.extend((c, False) for c in reversed(list(_children(x))))
    return [x for x in order if count[id(x)] > 1]


# --------------------------------------------------------------------------- rules as Exprs


class _Selections(ast.NodeTransformer):
    """`a if c else b` → `where(c, a, b)`, and `and`/`or` → `&`/`|`, so a rule's text runs on
    Exprs (whose truth is unknown until the program runs)."""

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        where_ = ast.Name("where", ast.Load())
        return ast.Call(where_, [node.test, node.body, node.orelse], [])

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        op = ast.BitAnd() if isinstance(node.op, ast.And) else ast.BitOr()
        out = node.values[0]
        for v in node.values[1:]:
            out = ast.BinOp(out, op, v)
        return out


@functools.cache
def _compiled(text: str) -> Any:
    tree = _Selections().visit(ast.parse(text, mode="eval"))
    return compile(ast.fix_missing_locations(tree), "<rule>", "eval")


def rule_value(rule: Rule, env: dict[str, Any], xs: Sequence[Operand]) -> Operand:
    """The rule's output as an Expr (or a number), `env` being the namespace of a `SymMath`."""
    assert rule.inputs is not None and isinstance(rule.forward, str)
    return eval(_compiled(rule.forward), env, dict(zip(rule.inputs, xs)))


def rule_partials(
    rule: Rule, m: SymMath, env: dict[str, Any], out: Operand, xs: Sequence[Operand]
) -> tuple[Any, ...]:
    """The rule's local derivatives as Exprs, numbers or None (absent)."""
    if rule.inputs is None:
        return rule.partials(m, out, list(xs))  # type: ignore[operator,no-any-return]
    names = {"out": out, **dict(zip(rule.inputs, xs))}
    return tuple(eval(_compiled(d), env, names) for d in rule.partials)
