"""Rule forwards written as one-line lambdas, inlined into programs from their own source text.

`RULES["relu"].forward` is `lambda x: 0.0 if x <= 0.0 else x`: a program writes
`y = 0.0 if z <= 0.0 else z` rather than calling it, which saves a Python call per node. Only an
expression that reads nothing but its arguments is taken (no calls, no names from elsewhere),
and only after it gives the very same floats as the function on a set of awkward inputs.
"""

from __future__ import annotations

import ast
import itertools
import linecache
import math
import struct
from collections.abc import Callable
from typing import Any

_ALLOWED = (
    ast.Expression,
    ast.IfExp,
    ast.BoolOp,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.Name,
    ast.Constant,
    ast.Load,
    ast.operator,
    ast.unaryop,
    ast.boolop,
    ast.cmpop,
)
_SAMPLES = (0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1e-310, 1e300, -1e300, math.inf, -math.inf, math.nan)
_found: dict[Any, tuple[int, list[str | int]] | None] = {}


def _bits(x: object) -> object:
    if isinstance(x, float):
        return "nan" if x != x else struct.pack("<d", x)
    return (type(x), x)


def _body(function: Callable[..., Any]) -> tuple[tuple[str, ...], ast.Expression] | None:
    """The argument names and expression of a one-line lambda over its arguments, or None."""
    code = getattr(function, "__code__", None)
    if code is None or function.__name__ != "<lambda>" or code.co_names or code.co_freevars:
        return None
    if code.co_flags & 0x0C or code.co_kwonlyargcount:  # *args, **kwargs or keyword-only
        return None
    spans = [p for p in code.co_positions() if p[0] is not None and p[3] != 0]
    lines = {p[0] for p in spans} | {p[1] for p in spans}
    if not spans or lines != {code.co_firstlineno}:
        return None
    text = linecache.getline(code.co_filename, code.co_firstlineno)
    start, end = min(p[2] for p in spans), max(p[3] for p in spans)
    try:
        tree = ast.parse(text[start:end], mode="eval")
    except SyntaxError:
        return None
    args = code.co_varnames[: code.co_argcount]
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED) or (isinstance(node, ast.Name) and node.id not in args):
            return None
    # The same floats as the function itself, or no inlining.
    test = eval(compile(f"lambda {', '.join(args)}: {ast.unparse(tree)}", "<rule>", "eval"))
    for xs in itertools.product(_SAMPLES, repeat=len(args)):
        if _bits(test(*xs)) != _bits(function(*xs)):
            return None
    return args, tree


def inline(function: Callable[..., Any], args: list[str]) -> str | None:
    """`function(*args)` as one expression, `args` being variables or literals; or None."""
    if function not in _found:
        _found[function] = _template(function)
    found = _found[function]
    if found is None or found[0] != len(args):
        return None
    return "".join(p if isinstance(p, str) else args[p] for p in found[1])


def _template(function: Callable[..., Any]) -> tuple[int, list[str | int]] | None:
    """The arity, and the expression's text cut at its arguments (their positions)."""
    found = _body(function)
    if found is None:
        return None
    names, tree = found
    marks = {a: f"\x00{k}\x00" for k, a in enumerate(names)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            node.id = marks[node.id]  # unparse writes an id as it is
    pieces: list[str | int] = []
    for k, piece in enumerate(ast.unparse(tree).split("\x00")):
        pieces.append(int(piece) if k % 2 else piece)
    return len(names), pieces
