"""Compile a graph into straight-line Python: `compile(root)` → a `Program` to replay.

The program's code is printed by `program.source`: the forward pass and the grad table, one
line per node, written from the same rule table that drives the engine.
"""

from __future__ import annotations

from .program import Program, compile
from .step import CompiledStep

__all__ = ["CompiledStep", "Program", "compile"]
