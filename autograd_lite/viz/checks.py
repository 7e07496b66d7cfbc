"""Argument checks shared by the drawing functions: every bad value is refused at the call.

Each error names the function, the argument, the value it got and what would work.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Mapping
from typing import Any

from ..core import Value

RANKDIRS = ("LR", "RL", "TB", "BT")
MAX_DIGITS = 17  # enough for every float to round-trip


def _shown(value: object) -> str:
    return f"{type(value).__name__} {reprlib.repr(value)}"


def check_root(root: object, fn: str, what: str = "root") -> Value:
    """`root` itself if it is a Value."""
    if not isinstance(root, Value):
        raise TypeError(
            f"{fn}() needs a Value as {what} (the output node of a graph), got {_shown(root)}"
        )
    return root


def check_roots(root: object, fn: str) -> tuple[Value, ...]:
    """`root` as a tuple of roots: a Value, or a non-empty list or tuple of Values (a root
    listed twice counts once)."""
    if isinstance(root, Value):
        return (root,)
    if isinstance(root, (list, tuple)) and root:
        for k, r in enumerate(root):
            if not isinstance(r, Value):
                raise TypeError(f"{fn}() needs root to hold Values, item {k} is {_shown(r)}")
        return tuple(dict.fromkeys(root))
    raise TypeError(
        f"{fn}() needs a Value as root (the output node of a graph), or a list of Values, "
        f"got {_shown(root)}"
    )


def check_int(value: object, name: str, fn: str, lo: int, hi: int | None, meaning: str) -> int:
    """`value` if it is an int (not a bool) in lo..hi."""
    span = f"from {lo} to {hi}" if hi is not None else f"of at least {lo}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{fn}() needs {name} to be an int {span} ({meaning}), got {_shown(value)}")
    if value < lo or (hi is not None and value > hi):
        raise ValueError(f"{fn}() needs {name} to be an int {span} ({meaning}), got {value}")
    return value


def check_digits(digits: object, fn: str) -> int:
    return check_int(digits, "digits", fn, 1, MAX_DIGITS, "significant digits of the numbers")


def check_max_nodes(max_nodes: object, fn: str) -> int:
    return check_int(max_nodes, "max_nodes", fn, 1, None, "the largest graph it will draw")


def check_rankdir(rankdir: object, fn: str) -> str:
    if not isinstance(rankdir, str) or rankdir not in RANKDIRS:
        raise ValueError(
            f"{fn}() needs rankdir to be one of {', '.join(map(repr, RANKDIRS))} "
            f"(LR: left to right, TB: top to bottom), got {_shown(rankdir)}"
        )
    return rankdir


def check_flag(value: object, name: str, fn: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{fn}() needs {name} to be True or False, got {_shown(value)}")
    return value


def check_text(value: object, name: str, fn: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{fn}() needs {name} to be a str, got {_shown(value)}")
    return value


def check_values(items: object, name: str, fn: str) -> list[Value]:
    """`items` as a list of Values (any iterable of Values)."""
    if isinstance(items, (str, bytes, Value)) or not isinstance(items, Iterable):
        raise TypeError(f"{fn}() needs {name} to be a list of Values, got {_shown(items)}")
    out = list(items)
    for k, v in enumerate(out):
        if not isinstance(v, Value):
            raise TypeError(f"{fn}() needs {name} to hold Values, item {k} is {_shown(v)}")
    return out


def check_grads(grads: object, fn: str) -> Mapping[Value, float] | None:
    """None, or a mapping node → gradient (such as `grad_table(root)`)."""
    if grads is None:
        return None
    if not isinstance(grads, Mapping):
        raise TypeError(
            f"{fn}() needs grads to be a dict node → gradient (e.g. grad_table(root)) or None, "
            f"got {_shown(grads)}"
        )
    return grads


def check_groups(groups: object, fn: str) -> dict[str, list[Value]]:
    """name → nodes, from a mapping of str to lists of Values (None: no groups)."""
    if groups is None:
        return {}
    if not isinstance(groups, Mapping):
        raise TypeError(
            f"{fn}() needs groups to be a dict name → list of Values, got {_shown(groups)}"
        )
    out: dict[str, list[Value]] = {}
    for name, members in groups.items():
        check_text(name, "each group name", fn)
        out[name] = check_values(members, f"groups[{name!r}]", fn)
    return out


def check_size(n: int, max_nodes: int, fn: str) -> None:
    """Refuse a graph of `n` value nodes when that is more than `max_nodes`."""
    if n > max_nodes:
        hint = (
            "draw a sub-graph: call draw_dot on an intermediate node, or draw a single neuron "
            "with draw_model(neuron, x)"
        )
        raise ValueError(
            f"{fn}(): the graph has {n} value nodes, more than max_nodes={max_nodes}: a diagram "
            f"that big is slow to lay out and hard to read. Pass max_nodes={n} to draw it "
            f"anyway, or {hint}."
        )


def check_seed(seed: object, fn: str) -> float:
    if isinstance(seed, bool) or not isinstance(seed, (int, float)):
        raise TypeError(f"{fn}() needs seed to be a real number (∂root/∂root), got {_shown(seed)}")
    return float(seed)


def describe(value: Any) -> str:
    """`type value` for error messages, shortened."""
    return _shown(value)
