"""Model-file fuzzing: any bytes load as a model or fail with "not a valid model file".

Mutated files, hostile JSON in every field, random states for `load_state_dict`, and random
models that must round-trip bit for bit. Nothing may escape as another exception type.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_lite import nn
from autograd_lite.nn import MLP, Layer, Module, Neuron


def _fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def _good(model: Module) -> bytes:
    document = {
        "format": "autograd_lite.model",
        "version": 1,
        "architecture": model._config(),
        "parameters": model.state_dict(),
    }
    return json.dumps(document).encode("utf-8")


_GOOD = _good(MLP(2, [3, 1], seed=0))
# with the softplus settings, so that hostile values land in them too
_GOOD_SOFTPLUS = _good(MLP(2, [3, 1], "softplus", seed=0, softplus_beta=2.0, softplus_threshold=5))

# Pieces a hostile file might splice in: structure, huge or odd numbers, escapes, bytes.
_TOKENS = [
    b"[",
    b"]",
    b"{",
    b"}",
    b'"',
    b"\\",
    b",",
    b":",
    b"9" * 30,
    b"-" + b"9" * 400,
    b"1e400",
    b"1e-400",
    b"NaN",
    b"-Infinity",
    b"true",
    b"null",
    b"[" * 50,
    b"{}" * 50,
    b'"\\ud800"',
    b"\xff\xfe",
    b"\x00",
    b"0.1",
]


def _load_or_refuse(path: Path, text: bytes) -> Module | None:
    path.write_bytes(text)
    try:
        return Module.load(path)
    except ValueError as e:
        assert type(e) is ValueError  # no JSONDecodeError, UnicodeDecodeError subclasses
        assert str(path) in str(e) and "not a valid model file" in str(e)
        return None


@_fuzz(120)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(_GOOD)), st.integers(0, 3), st.sampled_from(_TOKENS)),
        min_size=1,
        max_size=4,
    )
)
def test_model_file_fuzz_mutated_bytes(tmp_path: Path, edits: list[tuple[int, int, bytes]]) -> None:
    text = _GOOD
    for at, cut, token in edits:
        at = min(at, len(text))
        text = text[:at] + token + text[at + cut :]  # replace `cut` bytes by the token
    model = _load_or_refuse(tmp_path / "m.json", text)
    if model is not None:  # whatever loads is a whole, finite model of a known kind
        assert type(model) in (Neuron, Layer, MLP)
        assert all(math.isfinite(v) for v in model.state_dict().values())


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=6,
)


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document (keys of objects, indices of lists)."""
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            found += _paths(value, (*prefix, i))
    return found


@_fuzz(50)
@given(data=st.data(), value=_json)
def test_model_file_fuzz_hostile_field(tmp_path: Path, data: st.DataObject, value: Any) -> None:
    document = json.loads(data.draw(st.sampled_from([_GOOD, _GOOD_SOFTPLUS])))
    place = data.draw(st.sampled_from(_paths(document)[1:]))  # any field but the whole file
    target = document
    for step in place[:-1]:
        target = target[step]
    target[place[-1]] = value
    text = json.dumps(document).encode("utf-8")
    model = _load_or_refuse(tmp_path / "m.json", text)
    if model is not None:
        assert model.state_dict() == {k: float(v) for k, v in document["parameters"].items()}


_weights = (
    st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(min_value=-(10**500), max_value=10**500)
    | st.booleans()
    | st.none()
    | st.text(max_size=3)
    | st.fractions()
    | st.complex_numbers(max_magnitude=1e3)
)


@_fuzz(100)
@given(state=st.dictionaries(st.sampled_from(["w.0", "w.1", "b", "c", ""]), _weights))
def test_model_file_fuzz_load_state_dict_all_or_nothing(state: dict[str, Any]) -> None:
    model = Neuron(2, seed=0)
    before = model.state_dict()
    try:
        model.load_state_dict(state)
    except (TypeError, ValueError) as e:
        assert type(e) in (TypeError, ValueError)  # never OverflowError
        assert model.state_dict() == before
        return
    assert model.state_dict() == {k: float(v) for k, v in state.items()}


@st.composite
def _models(draw: st.DrawFn) -> Module:
    kind = draw(st.sampled_from(["Neuron", "Layer", "MLP"]))
    activation = draw(st.sampled_from(sorted(nn.ACTIVATIONS)))
    nin = draw(st.integers(1, 4))
    last = draw(st.sampled_from(sorted(nn.ACTIVATIONS)))
    nouts = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    used = [activation] * (len(nouts) - 1) + [last] if kind == "MLP" else [activation]
    finite = st.floats(allow_nan=False, allow_infinity=False)
    settings: dict[str, Any] = {}
    if "softplus" in used:
        settings["softplus_beta"] = draw(finite.filter(bool))
        settings["softplus_threshold"] = draw(st.none() | finite)
    model: Module
    if kind == "Neuron":
        model = Neuron(nin, activation, seed=0, **settings)
    elif kind == "Layer":
        model = Layer(nin, nouts[0], activation, seed=0, **settings)
    else:
        model = MLP(nin, nouts, activation, last, seed=0, **settings)
    model.load_state_dict({name: draw(finite) for name in model.state_dict()})
    return model


@_fuzz(30)
@given(model=_models())
def test_model_file_fuzz_round_trip_is_bit_exact(tmp_path: Path, model: Module) -> None:
    path = tmp_path / "m.json"
    model.save(path)
    loaded = type(model).load(path)
    assert repr(loaded) == repr(model)
    a, b = model.state_dict(), loaded.state_dict()
    assert list(a) == list(b) and all(a[k].hex() == b[k].hex() for k in a)


@pytest.mark.parametrize("size", [10, 1000, 100_000])
def test_model_file_fuzz_bracket_bombs_are_refused_cheaply(tmp_path: Path, size: int) -> None:
    bombs = [
        b"[" * size,
        b'{"a":' * size,
        b'{"parameters": [' + b"[]," * size + b"[]]}",
        b'{"parameters": {' + b",".join(b'"k%d": {}' % i for i in range(size)) + b"}}",
    ]
    for bomb in bombs:
        assert _load_or_refuse(tmp_path / "bomb.json", bomb) is None
