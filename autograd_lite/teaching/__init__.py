"""Tools that explain gradients: the chain rule as routes of influence (`routes`), a checker of
a backward pass done by hand (`check_by_hand`), a numeric check (`gradcheck`), and the one name
every tool gives each node (`node_names`).
"""

from __future__ import annotations

from .by_hand import HandCheck, check_by_hand
from .gradcheck import GradcheckError, gradcheck
from .names import node_name, node_names
from .routes import Route, count_routes, routes

__all__ = [
    "GradcheckError",
    "HandCheck",
    "Route",
    "check_by_hand",
    "count_routes",
    "gradcheck",
    "node_name",
    "node_names",
    "routes",
]
