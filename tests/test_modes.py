"""Grad mode and anomaly mode: per thread and per task, in every decorator and block form."""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Iterator

import pytest

from autograd_lite import Value, detect_anomaly, grad, no_grad
from autograd_lite.core import is_grad_enabled


def _graph_is_recorded() -> bool:
    x = Value(2.0)
    y = (x * 3.0 + 1.0).tanh().relu()
    return len(y.parents) == 1 and y.op == "relu"


def test_modes_no_grad_in_one_thread_never_strips_another() -> None:
    # An evaluation thread toggles no_grad as fast as it can while a training thread builds
    # graphs and runs backward: every one of the training thread's passes keeps its graph.
    stop = threading.Event()
    lost: list[int] = []

    def evaluate() -> None:
        while not stop.is_set():
            with no_grad():
                Value(1.0) * 2.0

    def train() -> None:
        for i in range(500):
            x = Value(0.5)
            y = x * x + x
            y.backward()
            if x.grad != 2.0:
                lost.append(i)

    evaluator = threading.Thread(target=evaluate)
    evaluator.start()
    trainer = threading.Thread(target=train)
    trainer.start()
    trainer.join()
    stop.set()
    evaluator.join()
    assert lost == []
    assert is_grad_enabled()


def test_modes_overlapping_blocks_in_two_threads_restore_each_their_own() -> None:
    entered = threading.Barrier(2)
    leave_first = threading.Event()
    seen: dict[str, bool] = {}

    def first() -> None:
        with no_grad():
            entered.wait()
            leave_first.wait()
        seen["first after"] = is_grad_enabled()

    def second() -> None:
        with no_grad():
            entered.wait()
            leave_first.set()  # the first thread leaves its block while this one is inside
            seen["second inside"] = is_grad_enabled()
        seen["second after"] = is_grad_enabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"first after": True, "second inside": False, "second after": True}
    assert is_grad_enabled() and _graph_is_recorded()


def test_modes_new_threads_start_with_grad_enabled() -> None:
    result: list[bool] = []
    with no_grad():
        t = threading.Thread(target=lambda: result.append(_graph_is_recorded()))
        t.start()
        t.join()
    assert result == [True]


def test_modes_asyncio_tasks_have_their_own_mode() -> None:
    async def evaluate(flag: asyncio.Event) -> bool:
        with no_grad():
            flag.set()
            await asyncio.sleep(0)
            return is_grad_enabled()

    async def train(flag: asyncio.Event) -> bool:
        await flag.wait()  # runs while the other task sits inside its no_grad block
        return _graph_is_recorded()

    async def main() -> tuple[bool, bool]:
        flag = asyncio.Event()
        return await asyncio.gather(evaluate(flag), train(flag))  # type: ignore[return-value]

    assert asyncio.run(main()) == [False, True]


def test_modes_no_grad_every_form() -> None:
    @no_grad
    def bare(x: Value) -> Value:
        """A docstring."""
        return x * 2.0

    @no_grad()
    def called(x: Value) -> Value:
        return x * 2.0

    x = Value(1.0)
    assert bare(x).parents == () and called(x).parents == ()
    assert bare.__name__ == "bare" and bare.__doc__ == "A docstring."
    with no_grad():
        assert (x * 2.0).parents == ()
    y = x * 2.0
    assert y.parents[0] is x and len(y.parents) == 2


def test_modes_one_instance_reused_and_nested() -> None:
    switch = no_grad()
    with switch:
        with switch:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()
    with switch:
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_modes_restored_after_an_exception() -> None:
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("boom")
    assert is_grad_enabled()


def test_modes_decorated_generator_runs_with_the_mode_while_it_runs() -> None:
    @no_grad
    def evaluations(n: int) -> Iterator[bool]:
        for _ in range(n):
            received = yield is_grad_enabled() or _graph_is_recorded()
            assert received is None or received == "sent"

    gen = evaluations(3)
    assert next(gen) is False  # inside the generator the mode is on
    assert is_grad_enabled()  # and off again for the caller between the yields
    assert gen.send("sent") is False
    assert _graph_is_recorded()
    gen.close()
    assert is_grad_enabled()
    assert list(evaluations(2)) == [False, False]


def test_modes_generator_return_value_and_throw() -> None:
    @no_grad()
    def worker() -> Iterator[int]:
        try:
            yield 1
        except KeyError:
            yield 2 if not is_grad_enabled() else -1
        return

    gen = worker()
    assert next(gen) == 1
    assert gen.throw(KeyError("k")) == 2
    with pytest.raises(StopIteration):
        next(gen)
    assert is_grad_enabled()


def test_modes_detect_anomaly_every_form_and_per_thread() -> None:
    @detect_anomaly
    def bad() -> Value:
        return Value(-1.0).log()

    with pytest.raises(FloatingPointError, match="log"):
        bad()
    with pytest.raises(FloatingPointError):
        detect_anomaly()(bad.__wrapped__)()  # type: ignore[attr-defined]
    assert math.isnan(Value(-1.0).log().data)  # off again outside
    result: list[float] = []
    with detect_anomaly():
        t = threading.Thread(target=lambda: result.append(Value(-1.0).log().data))
        t.start()
        t.join()
    assert math.isnan(result[0])  # the other thread never saw anomaly mode


def test_modes_anomaly_checks_backward_contributions() -> None:
    x = Value(0.0)
    y = x.sqrt() * 1.0
    with detect_anomaly(), pytest.raises(FloatingPointError, match="sqrt"):
        grad(y, [x])


def test_modes_no_grad_refuses_non_callables() -> None:
    with pytest.raises(TypeError, match="function"):
        no_grad()(3)  # type: ignore[type-var]


def test_modes_bool_follows_data() -> None:
    assert bool(Value(0.0)) is False and bool(Value(-0.0)) is False
    assert bool(Value(2.0)) is True and bool(Value(math.nan)) is True
    assert Value(3.5).item() == 3.5
