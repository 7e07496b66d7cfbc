"""The engine: the rule table, `Value` and its ops, backprop (the walk and the grad table), modes.

Read in this order: `rules` (every derivative, written once), `value` (a node, and the ops that
apply the rules), `graph` (the topological order and the grad table of Algorithm 6.2, with the
order in which every path adds its terms), `grad` (the functional form, and higher order), and
`modes` (`no_grad`, `detect_anomaly`); `fast` makes the ops quick by writing each rule out as
code. Nothing here knows about networks, diagrams or programs; they read graphs through
`Value.parents`, `.edges`, `.local_grads`, `.op` and `rules.RULES`.
"""

from __future__ import annotations

from . import fast  # noqa: F401  (puts the ops' fast paths in place)
from .grad import ValueMath, grad
from .graph import grad_table, topological_order
from .modes import is_grad_enabled
from .rules import RULES, FloatMath, Rule
from .switches import detect_anomaly, no_grad
from .value import (
    Constant,
    Operand,
    Parameter,
    Value,
    apply,
    as_node,
    connect,
    describe,
    make,
    to_float,
)

__all__ = [
    "RULES",
    "Constant",
    "FloatMath",
    "Operand",
    "Parameter",
    "Rule",
    "Value",
    "ValueMath",
    "apply",
    "as_node",
    "connect",
    "describe",
    "detect_anomaly",
    "grad",
    "grad_table",
    "is_grad_enabled",
    "make",
    "no_grad",
    "to_float",
    "topological_order",
]
