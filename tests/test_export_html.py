"""tools/export_html.py: notebook pages whose formulas need no internet."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
export_html = pytest.importorskip("export_html")
pytest.importorskip("jupyter_server_mathjax")
pytest.importorskip("nbconvert")
MATHJAX_URL = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"


def notebook(tmp_path: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("The chain rule: $\\partial y/\\partial x$.")]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def test_export_pages_load_mathjax_from_beside_them(tmp_path: Path) -> None:
    out = tmp_path / "html"
    (page,) = export_html.export([notebook(tmp_path)], out)
    text = page.read_text(encoding="utf-8")
    assert page == out / "tiny.html"
    # Every script the page loads is local (mermaid.js is imported only for mermaid diagrams).
    assert re.findall(r'<script src="([^"]+)"', text) == [MATHJAX_URL]
    assert 'webFont: "STIX-Web"' in text  # the font this copy of MathJax ships
    folder = out / "mathjax"
    assert (folder / "MathJax.js").is_file()
    assert (folder / "config" / "TeX-AMS-MML_HTMLorMML-full.js").is_file()
    assert any((folder / "fonts" / "HTML-CSS" / "STIX-Web").rglob("*.woff"))
    assert not (folder / "extensions" / "a11y").exists()  # never loaded by the pages


def test_export_cli_names_a_missing_notebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        export_html.main([str(tmp_path / "nope.ipynb"), "--out", str(tmp_path / "out")])
    assert exit_.value.code == 2
    assert "argument notebooks: no such file" in capsys.readouterr().err
