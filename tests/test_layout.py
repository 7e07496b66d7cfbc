"""The package's layout shows its design: parts in layers, imports pointing one way.

Read from the source (no module is imported): every `import` and `from ... import` of a module
of the package, at the top or inside a function, is an edge. The edges form no circle, no part
imports a part of a higher layer, no module is over 400 lines, and every part says what it is
in a docstring. What users import keeps working.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "autograd_lite"

# Each part of the package (a subpackage or a top-level module) and its layer: a part imports
# only parts of its own layer or lower ones. The top level (`autograd_lite`) gathers the parts.
LAYERS = {
    "core": 0, "checks": 0, "data": 0,
    "functional": 1, "optim": 1, "nn": 1, "teaching": 1, "compiler": 1,
    "losses": 2, "training": 2, "micrograd": 2, "viz": 2,
    "interop": 3, "demo": 3,
    "": 4,
    "cli": 5, "__main__": 6,
}  # fmt: skip


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> set[str]:
    """The package's modules that module `name` imports, anywhere in its source."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            # `from package import module` imports that module; `from module import name`,
            # the module
            found |= {
                f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names
            }
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imports(name) for name in MODULES}


def part(name: str) -> str:
    """The part a module belongs to: `autograd_lite.nn.layers` → `nn`."""
    return name.split(".")[1] if "." in name else ""


def test_every_module_belongs_to_a_layer() -> None:
    assert {part(name) for name in MODULES} == set(LAYERS)


def test_no_import_circles() -> None:
    # an iterative depth-first walk; `path` is the chain of imports it is on
    done: set[str] = set()
    for start in sorted(GRAPH):
        path, todo = [start], [iter(sorted(GRAPH[start]))]
        while todo and start not in done:
            child = next(todo[-1], None)
            if child is None:
                done.add(path.pop())
                todo.pop()
            elif child in path:
                circle = [*path[path.index(child) :], child]
                pytest.fail("import circle: " + " → ".join(circle))
            elif child not in done:
                path.append(child)
                todo.append(iter(sorted(GRAPH[child])))


def test_imports_point_down_the_layers() -> None:
    upward = [
        f"{name} ({LAYERS[part(name)]}) imports {target} ({LAYERS[part(target)]})"
        for name, targets in GRAPH.items()
        for target in sorted(targets)
        if LAYERS[part(target)] > LAYERS[part(name)]
    ]
    assert not upward


def test_no_module_over_400_lines() -> None:
    long = {
        name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > 400
    }
    assert not long


@pytest.mark.parametrize("name", [n for n in MODULES if MODULES[n].name == "__init__.py"])
def test_every_part_says_what_it_is(name: str) -> None:
    doc = ast.get_docstring(ast.parse(MODULES[name].read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 12, f"{name} needs a docstring of a paragraph"


PUBLIC = ["nn", "functional", "losses", "optim", "data", "viz", "interop", "micrograd"]


@pytest.mark.parametrize("name", PUBLIC)
def test_the_modules_users_import_still_import(name: str) -> None:
    module = importlib.import_module(f"autograd_lite.{name}")
    assert module.__doc__


# autograd_lite's top level as 0.2 (before the layout) exported it
TOP_LEVEL = [
    "GradcheckError", "Value", "__version__", "backward_frames", "check_by_hand", "compile",
    "data", "detect_anomaly", "draw_dot", "draw_model", "fit", "functional", "grad",
    "gradcheck", "interop", "losses", "nn", "no_grad", "optim", "routes", "viz",
]  # fmt: skip


def test_every_top_level_name_is_still_there() -> None:
    import autograd_lite

    assert [name for name in TOP_LEVEL if not hasattr(autograd_lite, name)] == []
    assert set(autograd_lite.__all__) >= set(TOP_LEVEL) - {"compile"}
