"""`no_grad()` and `detect_anomaly()`: switches of the engine's mode, as context managers and as
decorators (of functions, generators and coroutines), per thread and per asyncio task.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Generator
from contextvars import ContextVar
from types import TracebackType
from typing import Any, TypeVar, overload

from .modes import ANOMALY, MODE, NO_GRAD

__all__ = ["detect_anomaly", "no_grad", "recording"]


# The modes to restore, one per open block of this context: a stack kept in the context itself,
# so one switch object can be shared, nested and re-entered from any thread or task.
_SAVED: ContextVar[tuple[int, ...]] = ContextVar("autograd_lite_saved_modes", default=())

F = TypeVar("F", bound=Callable[..., Any])


class _ModeSwitch:
    """A context manager and decorator that turns mode bits on, or off (`with`, `@s()`, `@s`)."""

    __slots__ = ("_bit", "_on")

    def __init__(self, bit: int, on: bool = True) -> None:
        self._bit, self._on = bit, on

    def __enter__(self) -> None:
        previous = MODE.get()
        _SAVED.set((*_SAVED.get(), previous))
        MODE.set(previous | self._bit if self._on else previous & ~self._bit)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        *rest, previous = _SAVED.get()
        _SAVED.set(tuple(rest))
        MODE.set(previous)

    def __call__(self, func: F) -> F:
        """Decorate `func` so that it runs with the mode on (a generator: while it runs)."""
        if not callable(func):
            raise TypeError(f"a mode decorator needs a function, got {type(func).__name__}")
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)  # type: ignore[return-value]
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return run  # type: ignore[return-value]

    def _wrap_generator(self, func: Callable[..., Generator[Any, Any, Any]]) -> Callable[..., Any]:
        # The mode is on while the generator's own code runs, between the yields, and off
        # for the caller while it holds a yielded value.
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            with self:
                gen = func(*args, **kwargs)
                try:
                    value = next(gen)
                except StopIteration as stop:
                    return stop.value
            while True:
                try:
                    sent = yield value
                except GeneratorExit:
                    with self:
                        gen.close()
                    raise
                except BaseException as error:
                    with self:
                        try:
                            value = gen.throw(error)
                        except StopIteration as stop:
                            return stop.value
                else:
                    with self:
                        try:
                            value = gen.send(sent)
                        except StopIteration as stop:
                            return stop.value

        return run


@overload
def no_grad(func: None = None) -> _ModeSwitch: ...
@overload
def no_grad(func: F) -> F: ...
def no_grad(func: F | None = None) -> _ModeSwitch | F:
    """Nodes made inside record no parents: evaluation without a graph.

    Works as `with no_grad():`, `@no_grad()` and `@no_grad`; one switch object can be kept,
    nested and re-used. The mode belongs to the current thread (and asyncio task), as in
    PyTorch: a `no_grad()` in one thread never affects nodes made in another.
    """
    switch = _ModeSwitch(NO_GRAD)
    return switch if func is None else switch(func)


@overload
def detect_anomaly(func: None = None) -> _ModeSwitch: ...
@overload
def detect_anomaly(func: F) -> F: ...
def detect_anomaly(func: F | None = None) -> _ModeSwitch | F:
    """Raise `FloatingPointError` at the first op whose value or gradient is nan or inf.

    Checks forward values and local derivatives as nodes are made, and every gradient
    contribution in `backward()`/`grad()`. Edges into constants are not checked (nobody asks
    for their gradient: `x ** 2` at x < 0 is fine). Per thread and task, like `no_grad`;
    works as `with detect_anomaly():`, `@detect_anomaly()` and `@detect_anomaly`.
    """
    switch = _ModeSwitch(ANOMALY)
    return switch if func is None else switch(func)


def recording() -> _ModeSwitch:
    """Inside, nodes record their graph and nothing is checked, whatever the caller's mode: for
    rebuilding a graph exactly as it was made (a compiled program's exact path)."""
    return _ModeSwitch(NO_GRAD | ANOMALY, on=False)
