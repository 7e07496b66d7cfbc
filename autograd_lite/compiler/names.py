"""Names in generated code: nodes after their labels, temporaries, globals the program reads."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from collections.abc import Iterable

from ..core.rules import RULES, FloatMath

_OP_NAMES = {"**": "pow", "/": "div", "+": "add", "-": "sub", "*": "mul"}


class Names:
    """Unique, valid Python identifiers for nodes, temporaries and globals."""

    def __init__(self, reserved: Iterable[str]) -> None:
        self.used: set[str] = set(reserved)
        self.namespace: dict[str, object] = {}
        self._counters: dict[str, int] = {}
        self._suffix: dict[str, int] = {}
        self._bound: dict[tuple[str, int], str] = {}

    def free(self, text: str) -> bool:
        return text not in self.used and not keyword.iskeyword(text)

    def take(self, base: str, *, with_grad: bool = False) -> str:
        """`base` (or `base_2`, `base_3`, ...) made unique; with `with_grad` also `g_` + it."""
        candidate, k = base, self._suffix.get(base, 1)
        if k > 1:
            candidate = f"{base}_{k}"
        while not self.free(candidate) or (with_grad and not self.free("g_" + candidate)):
            k += 1
            candidate = f"{base}_{k}"
        self._suffix[base] = k  # where the next search for `base` starts
        self.used.add(candidate)
        if with_grad:
            self.used.add("g_" + candidate)
        return candidate

    def fresh(self, prefix: str, *, with_grad: bool = False) -> str:
        """`prefix1`, `prefix2`, ...: the next unused numbered name (and `g_` + it)."""
        used = self.used
        k = self._counters.get(prefix, 0)
        while True:
            k += 1
            candidate = f"{prefix}{k}"  # never a keyword
            grad = "g_" + candidate
            if candidate not in used and grad not in used:
                self._counters[prefix] = k
                used.add(candidate)
                if with_grad:
                    used.add(grad)
                return candidate

    def bind(self, preferred: str, obj: object) -> str:
        """The global name under which the program sees `obj` (the same name every time)."""
        found = self._bound.get((preferred, id(obj)))
        if found is not None:
            return found
        if preferred in self.used and preferred not in self.namespace:
            self.used.discard(preferred)  # reserved for exactly this
        bound = self._bound[preferred, id(obj)] = self.take(preferred)
        self.namespace[bound] = obj  # keeps obj alive, so its id stays its own
        return bound


def identifier(label: str) -> str:
    """`label` as a Python identifier ("" when nothing usable is left)."""
    text = unicodedata.normalize("NFKC", label)  # Python compares identifiers after NFKC
    text = re.sub(r"\W", "_", text).strip("_")
    if not text:
        return ""
    if not text.isidentifier():
        text = "v_" + text
    return text if text.isidentifier() else ""


def op_name(op: str) -> str:
    text = _OP_NAMES.get(op) or identifier(op)
    return text or "op"


def reserved() -> set[str]:
    """Names the program's globals may take: never used for a node."""
    names = {"data", "sum", "mul", "inf", "nan", *dir(builtins)}
    names.update(op_name(op) for op in RULES)
    names.update(a for a in dir(FloatMath) if not a.startswith("_"))
    return names
