"""Run a program written for micrograd against micrograd itself or against
autograd_lite.micrograd, changing nothing but the imports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ENGINES = ("micrograd", "autograd_lite")
_IMPORT = re.compile(r"^(from|import) micrograd\b", re.MULTILINE)


def source(name: str, engine: str) -> str:
    """The text of program `name`, its micrograd imports pointed at `engine`."""
    text = (HERE / name).read_text(encoding="utf-8")
    if engine == "micrograd":
        return text
    if engine != "autograd_lite":
        raise ValueError(f"engine must be 'micrograd' or 'autograd_lite', got {engine!r}")
    rewritten, count = _IMPORT.subn(r"\1 autograd_lite.micrograd", text)
    if count == 0:
        raise ValueError(f"{name} imports nothing from micrograd")
    return rewritten


def load(name: str, engine: str) -> dict[str, Any]:
    """Execute program `name` as a module (its `__main__` block does not run)."""
    namespace: dict[str, Any] = {"__name__": f"micrograd_program_{Path(name).stem}"}
    exec(compile(source(name, engine), str(HERE / name), "exec"), namespace)
    return namespace
