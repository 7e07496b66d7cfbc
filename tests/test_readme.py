"""Every README example followed by "prints" prints exactly what the README says."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
# A python block (no ``` inside), the word "prints", and the output block.
EXAMPLE = re.compile(r"```python\n((?:(?!```).)*?)```\n\nprints\n\n```\n(.*?)```", re.S)


def _examples() -> list[tuple[str, str]]:
    return EXAMPLE.findall(README.read_text(encoding="utf-8"))


def test_readme_has_examples_with_their_output() -> None:
    assert len(_examples()) >= 4


@pytest.mark.parametrize(("code", "expected"), _examples())
def test_readme_example_output_is_true(
    code: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "import torch" in code and importlib.util.find_spec("torch") is None:
        pytest.skip("this example needs PyTorch")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue() == expected
