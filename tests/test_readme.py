"""The README's first example prints what the README says it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_first_example_output_is_true() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```\n\nprints\n\n```\n(.*?)```", text, re.S)
    assert match, "the README's first example (a python block, 'prints', an output block)"
    code, expected = match.groups()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue() == expected
