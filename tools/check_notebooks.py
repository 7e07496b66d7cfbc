"""Open every notebook in a real browser, as a student would, and check that it shows.

For each notebook in notebooks/ (found by globbing), without running it:

  lab-trusted    JupyterLab, the notebooks signed first as `make notebooks` does;
  lab-untrusted  JupyterLab, not signed: as a notebook downloaded or cloned and opened;
  html           its HTML export (tools/export_html.py), opened from disk with the network
                 blocked: no kernel, no internet.

In each: every picture output of the notebook's JSON (diagram, plot, player) shows as a
picture, none is wider than its output area at a 1280 x 800 window (in JupyterLab with the
file browser open; a sideways scroll bar counts as cut). Live players (trusted JupyterLab, the
export) step forward and back and the picture changes; their buttons and the node just
completed are on screen together at every step; their text is at least 9 px with a contrast
of at least 3:1. Without scripts (untrusted) a player shows a picture of its last frame. In the
export every formula is typeset by the offline MathJax and no `$` is left.

Screenshots go to --out (build/notebook-check/ by default), one folder per way of opening.
Needs Chromium (/usr/bin/chromium, Debian's `chromium` package) and Playwright for Python
(`make check-notebooks` installs it); it never downloads a browser.

    python tools/check_notebooks.py [--notebooks notebooks] [--out build/notebook-check]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from export_html import export
from jupyterlab_server import JupyterLab
from notebook_pages import (
    check_math,
    check_pictures,
    check_player,
    expected,
    pictures,
    screenshot_pictures,
)
from playwright.sync_api import BrowserContext, Page, Route, ViewportSize, sync_playwright
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parent.parent
WINDOW: ViewportSize = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MODES = ("lab-trusted", "lab-untrusted", "html")
LOAD_TIMEOUT = 120_000  # ms for JupyterLab to show a notebook on a busy small machine


class Report:
    """Pass or fail per notebook and way of opening, printed as it goes."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def add(self, mode: str, name: str, problems: list[str], summary: str) -> None:
        if problems:
            self.failed += 1
            print(f"FAIL {mode:13} {name}: {summary}", flush=True)
            for problem in problems:
                print(f"       - {problem}", flush=True)
        else:
            self.passed += 1
            print(f"ok   {mode:13} {name}: {summary}", flush=True)


@contextmanager
def browser(chromium: Path, profile: Path) -> Iterator[BrowserContext]:
    """Chromium with a fresh profile and a laptop-sized window."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(chromium),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=WINDOW,
        )
        try:
            yield context
        finally:
            context.close()


def block_network(context: BrowserContext, allowed: str) -> list[str]:
    """Refuse every request but files and those to `allowed` (an address prefix).

    Returns the list of refused URLs, which grows as they come.
    """
    refused: list[str] = []

    def route(r: Route) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:", allowed)):
            r.continue_()
        else:
            refused.append(url)
            r.abort()

    context.route("**/*", route)
    return refused


def players(page: Page, shots: Path) -> list[str]:
    problems = []
    live = page.locator(".agl-player:has(.agl-svg svg)")
    for k in range(live.count()):
        problems += check_player(live.nth(k), shots, f"{k + 1}")
    return problems


def describe(found: list[dict[str, object]]) -> str:
    kinds = [str(p["kind"]) for p in found]
    parts = [f"{kinds.count(kind)} {kind}s" for kind in dict.fromkeys(kinds)]
    return ", ".join(parts) or "no pictures"


def check_lab(
    context: BrowserContext,
    notebooks: list[Path],
    modes: list[str],
    work: Path,
    out: Path,
    report: Report,
) -> None:
    """Open each notebook in JupyterLab (trusted, untrusted or both) and check it."""
    for mode in (m for m in ("lab-trusted", "lab-untrusted") if m in modes):
        trusted = mode == "lab-trusted"
        root = work / mode
        root.mkdir()
        copies = [Path(shutil.copy2(n, root / n.name)) for n in notebooks]
        home = work / f"{mode}-home"
        home.mkdir()
        with JupyterLab(root, home, trust=copies if trusted else ()) as lab:
            block_network(context, f"http://127.0.0.1:{lab.port}/")
            for notebook in copies:
                shots = out / mode / notebook.stem
                problems: list[str] = []
                found: list[dict[str, object]] = []
                page = context.new_page()
                try:
                    page.goto(lab.url(notebook.name))
                    cells = len(json.loads(notebook.read_text(encoding="utf-8"))["cells"])
                    page.wait_for_function(
                        "n => document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length >= n",
                        arg=cells,
                        timeout=LOAD_TIMEOUT,
                    )
                    want = expected(notebook)
                    page.wait_for_function(
                        "n => document.querySelectorAll('.jp-OutputArea-output').length >= n",
                        arg=want.pictures,
                        timeout=LOAD_TIMEOUT,
                    )
                    page.wait_for_timeout(1500)  # players' scripts and formulas run after that
                    if not page.locator(".jp-FileBrowser").is_visible():
                        problems.append("the file browser is not open, so the cell is wider")
                    found = pictures(page)
                    problems += check_pictures(found, want, live_players=trusted, trusted=trusted)
                    screenshot_pictures(page, shots)
                    if trusted:
                        problems += players(page, shots)
                except PlaywrightError as error:
                    problems.append(f"the page could not be checked: {error.message}")
                finally:
                    page.close()
                report.add(mode, notebook.name, problems, describe(found))
            context.unroute("**/*")


def check_html(
    context: BrowserContext, notebooks: list[Path], work: Path, out: Path, report: Report
) -> None:
    """Export each notebook to HTML and open it from disk with the network blocked."""
    pages = export(notebooks, work / "html")
    refused = block_network(context, "file:")
    for notebook, path in zip(notebooks, pages):
        shots = out / "html" / notebook.stem
        before = len(refused)
        problems: list[str] = []
        found: list[dict[str, object]] = []
        typeset = 0
        page = context.new_page()
        try:
            page.goto(path.as_uri(), wait_until="load")
            want = expected(notebook)
            math_problems, typeset = check_math(page, want)
            problems += math_problems
            found = pictures(page)
            problems += check_pictures(found, want, live_players=True, trusted=None)
            screenshot_pictures(page, shots)
            problems += players(page, shots)
            problems += [f"asked the network for {url}" for url in refused[before:]]
        except PlaywrightError as error:
            problems.append(f"the page could not be checked: {error.message}")
        finally:
            page.close()
        report.add("html", notebook.name, problems, f"{describe(found)}, {typeset} formulas")
    context.unroute("**/*")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks", metavar="DIR")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "notebook-check")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    parser.add_argument("--only", choices=MODES, action="append", help="run only these checks")
    args = parser.parse_args(argv)
    if not args.chromium.is_file():
        parser.error(
            f"argument --chromium: no browser at {args.chromium}; install Debian's package "
            "(apt-get install chromium) or pass the path of a Chromium"
        )
    notebooks = sorted(args.notebooks.glob("*.ipynb"))
    if not notebooks:
        parser.error(f"argument --notebooks: no .ipynb files in {args.notebooks}")
    modes = args.only or list(MODES)
    shutil.rmtree(args.out, ignore_errors=True)
    report = Report()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="notebook-check-") as tmp:
        work = Path(tmp)
        with browser(args.chromium, work / "profile") as context:
            check_lab(context, notebooks, modes, work, args.out, report)
            if "html" in modes:
                check_html(context, notebooks, work, args.out, report)
    print(f"screenshots: {args.out}  ({time.monotonic() - start:.0f} s)")
    print(f"notebook check: {report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
