"""Bad arguments fail at the call, before any work, with an error naming the argument.

One table: (callable, keyword arguments, exception type, text the message must contain).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import pytest

from autograd_lite import Value, data, losses, nn, optim
from autograd_lite.training import accuracy, fit


def _fit(**changes: Any) -> Any:
    """fit() on a tiny problem with good arguments, except for `changes`; training must not
    start, so the optimiser refuses to step."""
    model = nn.MLP(2, [2, 1], seed=0)

    class NoStep(optim.SGD):
        def step(self) -> None:
            raise AssertionError("training started before the arguments were checked")

    args: dict[str, Any] = {
        "X": [[0.0, 1.0], [1.0, 0.0]],
        "y": [1, -1],
        "loss": losses.hinge,
        "optimizer": NoStep(model.parameters(), lr=0.1),
        "epochs": 1,
        "progress": False,
    }
    args.update(changes)
    return fit(model, args.pop("X"), args.pop("y"), **args)


def _params() -> list[Value]:
    return [Value(1.0)]


def _adam(**kwargs: Any) -> optim.Adam:
    return optim.Adam(_params(), **kwargs)


def _adamw(**kwargs: Any) -> optim.AdamW:
    return optim.AdamW(_params(), **kwargs)


def _accuracy(**kwargs: Any) -> float:
    return accuracy(nn.MLP(2, [1], seed=0), [[0.0, 1.0]], [1], **kwargs)


Row = tuple[Callable[..., object], dict[str, Any], type[Exception], str]

ROWS: list[Row] = [
    # nn: sizes past the one parameter limit are refused before anything is allocated.
    (nn.MLP, {"nin": 10**6, "nouts": [10**6]}, ValueError, "1000001000000 parameters"),
    (nn.MLP, {"nin": 10**6, "nouts": [10**6]}, ValueError, "MAX_PARAMETERS = 1000000"),
    (nn.MLP, {"nin": 2, "nouts": [10**4, 10**4]}, ValueError, "more than the limit"),
    (nn.Layer, {"nin": 10**6, "nout": 10**6}, ValueError, "Layer(1000000, 1000000) has"),
    (nn.Neuron, {"nin": 10**7}, ValueError, "Neuron(10000000) has 10000001 parameters"),
    (nn.MLP, {"nin": 0, "nouts": [1]}, ValueError, "nin must be a positive int, got 0"),
    (nn.MLP, {"nin": 2, "nouts": [1, 0]}, ValueError, "nouts[1] must be a positive int"),
    (nn.MLP, {"nin": 2, "nouts": "3"}, ValueError, "nouts must be a non-empty list"),
    (nn.MLP, {"nin": 2.0, "nouts": [1]}, TypeError, "nin must be a positive int, got float"),
    (nn.Layer, {"nin": 2, "nout": True}, TypeError, "nout must be a positive int, got bool"),
    (nn.MLP, {"nin": 2, "nouts": [1], "activation": "gelu"}, ValueError, "unknown activation"),
    (nn.Neuron, {"nin": 2, "bias_init": "0.1"}, TypeError, "bias_init must be a number"),
    (nn.Neuron, {"nin": 2, "bias_init": math.nan}, ValueError, "bias_init must be finite"),
    (nn.MLP, {"nin": 2, "nouts": [1], "bias_init": math.inf}, ValueError, "bias_init must be"),
    (nn.Neuron, {"nin": 2, "seed": 1.5}, TypeError, "seed must be an int"),
    (nn.Neuron, {"nin": 2, "rng": 42}, TypeError, "rng must be a random.Random"),
    # fit: every argument is checked before the first step.
    (_fit, {"l2": "0.1"}, TypeError, "l2 must be a number >= 0"),
    (_fit, {"l2": None}, TypeError, "l2 must be a number >= 0 (the weight of l2/2"),
    (_fit, {"l2": True}, TypeError, "l2 must be a number"),
    (_fit, {"l2": math.inf}, ValueError, "l2 must be a finite number >= 0 (0 for none), got inf"),
    (_fit, {"l2": math.nan}, ValueError, "l2 must be a finite number >= 0 (0 for none), got nan"),
    (_fit, {"l2": -0.5}, ValueError, "l2 must be a finite number >= 0 (0 for none), got -0.5"),
    (_fit, {"regularizer": 0.1}, TypeError, "regularizer must be a callable"),
    (_fit, {"regularizer": lambda: 0.5}, TypeError, "regularizer must return a Value, got float"),
    (_fit, {"lr_schedule": 0.1}, TypeError, "lr_schedule must be a callable"),
    (_fit, {"lr_schedule": lambda e: -1.0}, ValueError, "lr_schedule(0) returned -1.0"),
    (_fit, {"lr_schedule": lambda e: math.nan}, ValueError, "it must return a finite"),
    (_fit, {"lr_schedule": lambda e: "fast"}, ValueError, "lr_schedule(0) returned 'fast'"),
    (_fit, {"threshold": "0.5"}, TypeError, "threshold must be a number"),
    (_fit, {"threshold": math.nan}, ValueError, "threshold must be finite, got nan"),
    (_fit, {"threshold": True}, TypeError, "threshold must be a number"),
    (_fit, {"validation": [[0.0, 1.0]]}, TypeError, "validation must be a pair (X_val, y_val)"),
    (_fit, {"validation": 5}, TypeError, "validation must be a pair"),
    (_fit, {"validation": ([[0.0]], [1])}, ValueError, "validation samples must have 2 features"),
    (_fit, {"validation": ([[0.0, 1.0]], [])}, ValueError, "validation X and validation y"),
    (_fit, {"seed": 1.5}, TypeError, "seed must be an int, a random.Random or None, got float"),
    (_fit, {"seed": "0"}, TypeError, "seed must be an int"),
    (_fit, {"seed": True}, TypeError, "seed must be an int"),
    (_fit, {"epochs": 0}, ValueError, "epochs must be at least 1, got 0"),
    (_fit, {"epochs": 2.5}, TypeError, "epochs must be an int, got float"),
    (_fit, {"epochs": None}, TypeError, "epochs must be an int, got NoneType"),
    (_fit, {"batch_size": 0}, ValueError, "batch_size must be at least 1, got 0"),
    (_fit, {"batch_size": "all"}, TypeError, "batch_size must be an int or None, got str"),
    (_fit, {"progress": "yes"}, TypeError, "progress must be True or False"),
    (_fit, {"shuffle": 1}, TypeError, "shuffle must be True or False"),
    (_fit, {"loss": "hinge"}, TypeError, "loss must be a callable"),
    (_fit, {"optimizer": None}, TypeError, "optimizer needs step() and zero_grad()"),
    (_fit, {"X": 3}, TypeError, "X must be a list, got int"),
    (_fit, {"y": [1]}, ValueError, "got 2 samples and 1 labels"),
    (_accuracy, {"threshold": math.inf}, ValueError, "threshold must be finite, got inf"),
    # optim: Adam's eps = 0 is allowed (IEEE, as PyTorch); bad values are refused at once.
    (_adam, {"eps": -1e-8}, ValueError, "eps must be >= 0"),
    (_adam, {"eps": math.nan}, ValueError, "eps must be finite"),
    (_adam, {"lr": 0.0}, ValueError, "lr must be > 0, got 0.0"),
    (_adam, {"betas": (0.9, 1.0)}, ValueError, "betas[1] must be in [0, 1)"),
    (_adamw, {"weight_decay": -0.01}, ValueError, "weight_decay must be >= 0"),
    (_adamw, {"lr": "0.1"}, TypeError, "lr must be a real number, got str"),
    (_adamw, {"betas": 0.9}, TypeError, "betas must be a pair"),
    # data: absurd sizes are refused before any point is made.
    (data.make_moons, {"n": 10**12}, ValueError, "n must be at most 10000000"),
    (data.make_circles, {"n": 10**9}, ValueError, "n must be at most 10000000"),
    (data.make_spirals, {"n": 10**8}, ValueError, "n must be at most 10000000"),
    (data.make_blobs, {"n": 10**10}, ValueError, "n must be at most 10000000"),
    (data.make_blobs, {"n": 10, "centers": 10**9}, ValueError, "centers must be at most 10"),
    (data.make_moons, {"n": -1}, ValueError, "n must be at least 2, got -1"),
    (data.make_blobs, {"n": 0}, ValueError, "n must be at least 1, got 0"),
    (data.make_moons, {"n": 100.0}, TypeError, "n must be an int, got float"),
    (data.make_circles, {"n": True}, TypeError, "n must be an int, got bool"),
    (data.make_spirals, {"classes": 10**9}, ValueError, "classes must be at most"),
    (data.make_moons, {"seed": None}, TypeError, "seed must be an int"),
    # model files: the path argument is named.
    (nn.MLP(2, [1], seed=0).save, {"path": ""}, ValueError, "argument 'path' is empty"),
    (nn.MLP(2, [1], seed=0).save, {"path": None}, TypeError, "argument 'path' must be a file"),
    (nn.MLP(2, [1], seed=0).save, {"path": 3}, TypeError, "got int 3"),
    (nn.MLP(2, [1], seed=0).save, {"path": ["m.json"]}, TypeError, "got list"),
    (nn.MLP.load, {"path": None}, TypeError, "MLP.load() argument 'path' must be a file path"),
    (nn.Module.load, {"path": b""}, ValueError, "Module.load() argument 'path' is empty"),
    (
        nn.Neuron(2, seed=0).load_state_dict,
        {"state": {"w.0": 1.0, "w.1": 2.0, "b": 10**400}},
        ValueError,
        "parameter 'b' must be finite, got int of about 401 digits, too large for a float",
    ),
    (nn.Neuron(2, seed=0).load_state_dict, {"state": [1.0]}, TypeError, "needs a mapping"),
]


def _row_id(row: Row) -> str:
    call, kwargs, _, _ = row
    name = getattr(call, "__qualname__", type(call).__name__).lstrip("_")
    shown = ", ".join(f"{k}={str(v)[:12]}" for k, v in kwargs.items())
    return f"{name}({shown})"


@pytest.mark.parametrize(("call", "kwargs", "error", "text"), ROWS, ids=map(_row_id, ROWS))
def test_bad_arguments_fail_at_the_call_naming_them(
    call: Callable[..., object], kwargs: dict[str, Any], error: type[Exception], text: str
) -> None:
    with pytest.raises(error) as info:
        call(**kwargs)
    assert type(info.value) is error  # not a subclass such as OverflowError or ZeroDivisionError
    assert text in str(info.value)


def test_bad_arguments_table_covers_every_fit_keyword() -> None:
    import inspect

    checked = {name for call, kwargs, _, _ in ROWS if call is _fit for name in kwargs}
    keywords = {
        name
        for name, p in inspect.signature(fit).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    assert keywords - checked <= {"compile"}, keywords - checked


def test_bad_arguments_seed_may_be_a_generator() -> None:
    # The good kinds of seed pass the check: an int, None and a random.Random.
    for seed in (0, None, random.Random(3)):
        with pytest.raises(AssertionError, match="training started"):
            _fit(seed=seed)
