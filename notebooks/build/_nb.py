"""Shared helpers of the notebook builders: cells from text, one notebook file written."""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent


def md(text: str) -> nbformat.NotebookNode:
    """A Markdown cell (common indentation and outer blank lines removed)."""
    return nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip("\n"))


def code(text: str) -> nbformat.NotebookNode:
    """A code cell (common indentation and outer blank lines removed)."""
    return nbformat.v4.new_code_cell(textwrap.dedent(text).strip("\n"))


def write(name: str, cells: list[nbformat.NotebookNode]) -> Path:
    """Write `cells` as notebooks/<name> without outputs; execute it with nbconvert afterwards."""
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python", "pygments_lexer": "ipython3"},
    }
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"c{k:02d}"  # stable ids: rebuilding gives the same file
    nbformat.validate(nb)
    path = NOTEBOOKS / name
    nbformat.write(nb, path)
    print(f"wrote {path}")
    return path
