"""Every notebook runs top to bottom, and then every code cell runs again in place.

A student runs a notebook, scrolls back and runs a cell again: it must still work, with the
names that later cells have set in the same kernel. Each notebook is executed once with
nbclient (this checkout's package imported), then each code cell again from the last up, and
then all again from the top.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CELL_TIMEOUT = 600  # seconds; every notebook runs in seconds


def kernel_env() -> dict[str, str]:
    """The environment of the kernel: this checkout's package first on the path."""
    path = os.environ.get("PYTHONPATH", "")
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), path) if p),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


def run_twice(path: Path) -> int:
    """Run the notebook, then each code cell again, twice; return how many cells ran again."""
    nb = nbformat.read(path, as_version=4)
    code = [(k, cell) for k, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    for _, cell in code:
        cell.outputs, cell.execution_count = [], None
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    where = nbformat.v4.new_code_cell(
        f"import autograd_lite, pathlib\n"
        f"assert pathlib.Path(autograd_lite.__file__).parent == pathlib.Path({str(ROOT)!r}) "
        f"/ 'autograd_lite', autograd_lite.__file__"
    )
    nb.cells.append(where)  # run first: the kernel imports this checkout's package
    ran = 0
    with client.setup_kernel(env=kernel_env()):
        client.execute_cell(where, len(nb.cells) - 1)
        for k, cell in code:
            client.execute_cell(cell, k)
        # Again from the last cell up, each in place after everything below it has run (a
        # name set again further down is seen), then all again from the top, in order.
        for k, cell in [*reversed(code), *code]:
            cell.outputs = []
            try:
                client.execute_cell(cell, k)
            except nbclient.exceptions.CellExecutionError as err:
                first = cell.source.splitlines()[0] if cell.source else ""
                pytest.fail(f"{path.name}: cell {k} ({first!r}) fails when run again:\n{err}")
            ran += 1
    return ran


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_cells_run_again_in_place(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert run_twice(path) == 2 * sum(cell.cell_type == "code" for cell in nb.cells)


def test_notebooks_are_found() -> None:
    assert len(NOTEBOOKS) == 10
