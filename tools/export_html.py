"""Export notebooks to HTML pages that show their formulas without the internet.

nbconvert's pages load MathJax from a CDN, so offline every `$…$` shows raw. These pages load
MathJax 2.7 from a `mathjax/` folder beside them instead: the copy that the
jupyter-server-mathjax package ships, MathJax's own files and the major version that
nbconvert's page template configures. Copy the output folder whole (about 5 MB of MathJax,
shared by all pages); the pages then work from a USB stick, a file share or any web server.

    python tools/export_html.py                         # notebooks/*.ipynb -> build/html/
    python tools/export_html.py my.ipynb --out site     # any notebooks, any folder
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().with_name("offline_html.html.j2")
MATHJAX = "mathjax"  # the folder beside the pages
# TeX and MathML in, HTML-CSS out (its web fonts ship with the copy); Safe: no links or styles
# from formulas, as nbconvert's own setting.
MATHJAX_URL = f"{MATHJAX}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
# Parts of MathJax these pages never load: the accessibility explorer (3.7 MB, off unless a
# reader turns it on) and the fonts of the SVG output, whose code this copy does not ship.
_UNUSED = ("a11y", "SVG")


def mathjax_source() -> Path:
    """The folder of MathJax files that jupyter-server-mathjax installs."""
    try:
        import jupyter_server_mathjax  # type: ignore[import-untyped]
    except ImportError:
        raise SystemExit(
            "export_html: MathJax for offline pages comes from the jupyter-server-mathjax "
            "package; install it with: pip install 'autograd-lite[notebook]' (or run make html)"
        ) from None
    static = Path(jupyter_server_mathjax.__file__).resolve().parent / "static"
    if not (static / "MathJax.js").is_file():
        raise SystemExit(f"export_html: no MathJax.js in {static}; reinstall it")
    return static


def copy_mathjax(out: Path) -> Path:
    """Put the MathJax files the pages need into `out/mathjax` (again only when missing)."""
    target = out / MATHJAX
    if not (target / "MathJax.js").is_file():
        shutil.copytree(mathjax_source(), target, ignore=shutil.ignore_patterns(*_UNUSED))
    return target


def export(notebooks: Sequence[Path], out: Path) -> list[Path]:
    """Write `out/<name>.html` for each notebook, as saved (nothing runs), and MathJax beside.

    Returns the pages written.
    """
    from nbconvert import HTMLExporter

    out.mkdir(parents=True, exist_ok=True)
    copy_mathjax(out)
    exporter = HTMLExporter(  # type: ignore[no-untyped-call]
        template_name="lab", template_file=str(TEMPLATE), mathjax_url=MATHJAX_URL
    )
    pages = []
    for notebook in notebooks:
        body, _ = exporter.from_filename(str(notebook))
        page = out / f"{notebook.stem}.html"
        page.write_text(body, encoding="utf-8")
        pages.append(page)
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="notebooks to export (default: notebooks/*.ipynb)"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "build" / "html", help="output folder (build/html)"
    )
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    missing = [str(n) for n in notebooks if not n.is_file()]
    if missing:
        parser.error(f"argument notebooks: no such file: {', '.join(missing)}")
    for page in export(notebooks, args.out):
        print(f"wrote {page}")
    print(f"formulas use MathJax from {args.out / MATHJAX}: copy {args.out} as a whole")
    return 0


if __name__ == "__main__":
    sys.exit(main())
