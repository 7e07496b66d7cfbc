"""Training progress: a tqdm bar in a terminal, one plain-text line that updates in a notebook.

A notebook gets no widget (that needs ipywidgets and shows blank once saved): the line is a
text display updated in place, so the saved notebook keeps exactly its final state.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any, Protocol

__all__ = ["Progress", "in_notebook", "progress_for", "status_line"]

# A notebook line is redrawn at most this often (seconds); the last epoch is always shown.
_NOTEBOOK_REFRESH = 0.1


class _History(Protocol):
    loss: list[float]
    accuracy: list[float]
    val_loss: list[float]
    val_accuracy: list[float]


class Progress(Protocol):
    """Shows `done` of `total` epochs with the last epoch's numbers; `close()` at the end."""

    def update(self, done: int, history: _History) -> None: ...

    def close(self) -> None: ...


def in_notebook() -> bool:
    """True inside a Jupyter (IPython) kernel; False in a terminal, IPython's included."""
    ipython = sys.modules.get("IPython")  # a kernel has imported it; nothing is imported here
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # a broken or partial IPython: not a kernel we can draw in
        return False
    return shell is not None and getattr(shell, "kernel", None) is not None


def numbers_of(history: _History) -> dict[str, str]:
    """The last epoch's loss/accuracy (and validation) as short texts, by name."""
    shown = {"loss": f"{history.loss[-1]:.4g}"}
    if not math.isnan(history.accuracy[-1]):
        shown["acc"] = f"{history.accuracy[-1]:.1%}"
    if history.val_loss:
        shown["val_loss"] = f"{history.val_loss[-1]:.4g}"
        if not math.isnan(history.val_accuracy[-1]):
            shown["val_acc"] = f"{history.val_accuracy[-1]:.1%}"
    return shown


def status_line(done: int, total: int, history: _History | None) -> str:
    """One line such as "fit: epoch 50/50 · loss 0.0192 · acc 100.0%"."""
    parts = [f"fit: epoch {done}/{total}"]
    if history is not None and history.loss:
        parts += [f"{name} {text}" for name, text in numbers_of(history).items()]
    return " · ".join(parts)


class _Silent:
    def update(self, done: int, history: _History) -> None:
        pass

    def close(self) -> None:
        pass


class _TerminalBar:
    """tqdm's text bar on stderr, with the numbers as its postfix."""

    def __init__(self, total: int) -> None:
        from tqdm import tqdm  # imported here so that importing autograd_lite stays fast

        self._bar = tqdm(total=total, desc="fit", unit="epoch", leave=True)

    def update(self, done: int, history: _History) -> None:
        self._bar.set_postfix(numbers_of(history), refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        self._bar.close()


class _NotebookLine:
    """One text/plain display, updated in place (IPython's display_id), never a widget."""

    def __init__(self, total: int) -> None:
        from IPython import display as ipd

        self._display: Any = ipd
        self._total = total
        self._shown_at = -math.inf
        self._last = status_line(0, total, None)
        show: Any = ipd.display
        handle = show({"text/plain": self._last}, raw=True, display_id=True)
        self._id: Any = getattr(handle, "display_id", None)

    def update(self, done: int, history: _History) -> None:
        self._last = status_line(done, self._total, history)
        now = time.monotonic()
        if done == self._total or now - self._shown_at >= _NOTEBOOK_REFRESH:
            self._show()
            self._shown_at = now

    def _show(self) -> None:
        if self._id is not None:
            self._display.update_display({"text/plain": self._last}, raw=True, display_id=self._id)

    def close(self) -> None:
        self._show()  # the final numbers, also when training stopped early


def progress_for(total: int, enabled: bool) -> Progress:
    """The progress display for `total` epochs: silent, a notebook line or a terminal bar."""
    if not enabled:
        return _Silent()
    if in_notebook():
        return _NotebookLine(total)
    return _TerminalBar(total)
