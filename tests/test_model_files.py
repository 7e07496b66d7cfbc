"""Model files: bit-exact JSON round trips, atomic saves, and every way a load can fail."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autograd_lite import nn
from autograd_lite.nn import MLP, Layer, Module, Neuron


def _document(model: Module) -> dict[str, Any]:
    return {
        "format": "autograd_lite.model",
        "version": 1,
        "architecture": model._config(),
        "parameters": model.state_dict(),
    }


def test_model_files_round_trip_is_bit_exact(tmp_path: Path) -> None:
    model = MLP(3, [5, 4, 2], activation="tanh", output_activation="sigmoid", seed=11)
    # Awkward floats: subnormal, huge, negative zero, many digits.
    model.layers[0].neurons[0].w[0].data = 5e-324
    model.layers[0].neurons[0].w[1].data = 1.7976931348623157e308
    model.layers[0].neurons[0].b.data = -0.0
    model.layers[1].neurons[1].b.data = 0.1 + 0.2
    path = tmp_path / "model.json"
    model.save(path)
    loaded = MLP.load(path)
    assert type(loaded) is MLP
    assert repr(loaded) == repr(model)
    a, b = model.state_dict(), loaded.state_dict()
    assert list(a) == list(b)
    assert all(a[k].hex() == b[k].hex() for k in a)  # same bits, -0.0 included
    x = [0.1, -0.2, 0.3]
    assert [v.data for v in loaded(x)] == [v.data for v in model(x)]


@pytest.mark.parametrize(
    "model",
    [Neuron(3, "softplus", seed=0), Layer(2, 3, "leaky_relu", seed=0), MLP(2, [4, 1], seed=0)],
    ids=["Neuron", "Layer", "MLP"],
)
def test_model_files_round_trip_every_module_kind(tmp_path: Path, model: Module) -> None:
    path = tmp_path / "m.json"
    model.save(path)
    loaded = Module.load(path)
    assert type(loaded) is type(model)
    assert repr(loaded) == repr(model)
    assert loaded.state_dict() == model.state_dict()
    assert type(model).load(path).state_dict() == model.state_dict()


def test_model_files_save_writes_tagged_json(tmp_path: Path) -> None:
    model = MLP(2, [3, 1], seed=0)
    path = tmp_path / "m.json"
    model.save(str(path))
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "autograd_lite.model"
    assert document["version"] == 1
    assert document["architecture"] == {
        "type": "MLP",
        "nin": 2,
        "nouts": [3, 1],
        "activation": "relu",
        "output_activation": "linear",
    }
    assert document["parameters"] == model.state_dict()


def test_model_files_save_leaves_no_temp_files_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=0).save(path)
    second = MLP(2, [3, 1], seed=1)
    second.save(path)
    assert os.listdir(tmp_path) == ["m.json"]
    assert MLP.load(path).state_dict() == second.state_dict()


def test_model_files_failed_write_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=0).save(path)
    old = path.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(nn.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        MLP(2, [3, 1], seed=1).save(path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["m.json"]


def test_model_files_failed_rename_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=0).save(path)
    old = path.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("rename failed")

    monkeypatch.setattr(nn.os, "replace", broken_replace)
    with pytest.raises(OSError, match="rename failed"):
        MLP(2, [3, 1], seed=1).save(path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["m.json"]


def test_model_files_save_refuses_non_finite_weights(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=0).save(path)
    old = path.read_bytes()
    model = MLP(2, [3, 1], seed=1)
    model.layers[1].neurons[0].b.data = math.nan
    with pytest.raises(ValueError, match=r"'layers\.1\.neurons\.0\.b' is nan"):
        model.save(path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["m.json"]


def test_model_files_load_checks_the_class(tmp_path: Path) -> None:
    path = tmp_path / "n.json"
    Neuron(2, seed=0).save(path)
    with pytest.raises(ValueError, match="holds a Neuron, not a MLP"):
        MLP.load(path)


def test_model_files_load_missing_file_is_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        MLP.load(tmp_path / "nope.json")


def _mlp_doc() -> dict[str, Any]:
    return _document(MLP(2, [3, 1], seed=0))


def _edit(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    document = _mlp_doc()
    change(document)
    return document


def _first_weight(document: dict[str, Any], value: object) -> None:
    document["parameters"]["layers.0.neurons.0.w.0"] = value


BAD_DOCUMENTS: list[tuple[str, object, str]] = [
    ("top level is a list", [1, 2], "JSON object at the top, got list"),
    ("no format", _edit(lambda d: d.pop("format")), "'format' must be"),
    ("wrong format", _edit(lambda d: d.update(format="pickle")), "'format' must be"),
    ("extra key", _edit(lambda d: d.update(code="import os")), "unexpected top-level keys 'code'"),
    ("future version", _edit(lambda d: d.update(version=2)), "unsupported version 2"),
    ("version as str", _edit(lambda d: d.update(version="1")), "'version' must be a int"),
    ("version as bool", _edit(lambda d: d.update(version=True)), "'version' must be a int"),
    ("no architecture", _edit(lambda d: d.pop("architecture")), "has no 'architecture'"),
    ("architecture list", _edit(lambda d: d.update(architecture=[])), "must be a dict"),
    ("no parameters", _edit(lambda d: d.pop("parameters")), "has no 'parameters'"),
    ("parameters list", _edit(lambda d: d.update(parameters=[0.5])), "'parameters' must be a dict"),
    (
        "unknown type",
        _edit(lambda d: d["architecture"].update(type="Transformer")),
        "unknown model type 'Transformer'",
    ),
    (
        "unknown activation",
        _edit(lambda d: d["architecture"].update(activation="gelu")),
        "unknown activation 'gelu'",
    ),
    (
        "activation not a str",
        _edit(lambda d: d["architecture"].update(output_activation=None)),
        "'output_activation' must be a str",
    ),
    (
        "extra architecture key",
        _edit(lambda d: d["architecture"].update(dropout=0.5)),
        "missing or unexpected keys: 'dropout'",
    ),
    (
        "missing architecture key",
        _edit(lambda d: d["architecture"].pop("nouts")),
        "missing or unexpected keys: 'nouts'",
    ),
    ("nin zero", _edit(lambda d: d["architecture"].update(nin=0)), "'nin' must be between 1"),
    ("nin float", _edit(lambda d: d["architecture"].update(nin=2.0)), "'nin' must be a int"),
    ("nin bool", _edit(lambda d: d["architecture"].update(nin=True)), "'nin' must be a int"),
    ("nouts empty", _edit(lambda d: d["architecture"].update(nouts=[])), "'nouts' must hold"),
    ("nouts str", _edit(lambda d: d["architecture"].update(nouts="3,1")), "must be a list"),
    (
        "nouts negative",
        _edit(lambda d: d["architecture"].update(nouts=[3, -1])),
        r"'nouts\[1\]' must be between 1",
    ),
    (
        "huge size",
        _edit(lambda d: d["architecture"].update(nouts=[10**9, 1])),
        r"'nouts\[0\]' must be between 1 and 1000000",
    ),
    (
        "huge parameter count",
        _edit(lambda d: d["architecture"].update(nin=1000, nouts=[1000, 1000])),
        "more than 1000000",
    ),
    (
        "too few weights",
        _edit(lambda d: d["parameters"].pop("layers.1.neurons.0.b")),
        "has 13 parameters but the file has 12",
    ),
    (
        "renamed weight",
        _edit(lambda d: d["parameters"].update({"x": d["parameters"].pop("layers.0.neurons.0.b")})),
        "missing 'layers.0.neurons.0.b'; unexpected 'x'",
    ),
    ("weight is str", _edit(lambda d: _first_weight(d, "0.5")), "must be a real number, got str"),
    ("weight is null", _edit(lambda d: _first_weight(d, None)), "got NoneType"),
    ("weight is bool", _edit(lambda d: _first_weight(d, False)), "got bool"),
    ("weight is list", _edit(lambda d: _first_weight(d, [0.5])), "got list"),
    ("weight overflows", _edit(lambda d: _first_weight(d, 1e400)), "must be finite, got inf"),
]


@pytest.mark.parametrize(
    ("document", "match"),
    [(doc, match) for _, doc, match in BAD_DOCUMENTS],
    ids=[name for name, _, _ in BAD_DOCUMENTS],
)
def test_model_files_load_rejects_bad_document(
    tmp_path: Path, document: object, match: str
) -> None:
    path = tmp_path / "bad.json"
    # json.dumps writes inf as Infinity; write the overflowing literal 1e400 instead.
    path.write_text(json.dumps(document).replace("Infinity", "1e400"), encoding="utf-8")
    with pytest.raises(ValueError, match=match) as info:
        Module.load(path)
    assert str(path) in str(info.value)  # the message names the file
    assert "not a valid model file" in str(info.value)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "bad JSON"),
        ("{not json", "bad JSON"),
        ('{"format": "autograd_lite.model"', "bad JSON"),
        ('{"a": NaN}', "NaN is not a number a model file may hold"),
        ('{"a": -Infinity}', "-Infinity is not a number"),
        ('{"a": 1, "a": 2}', "key 'a' appears twice"),
        ("[" * 100_000 + "]" * 100_000, "bad JSON"),
        ('{"a": ' + "9" * 5000 + "}", "bad JSON"),
    ],
    ids=["empty", "garbage", "truncated", "nan", "infinity", "duplicate", "deep", "long int"],
)
def test_model_files_load_rejects_bad_json(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        MLP.load(path)


def test_model_files_load_rejects_non_utf8_and_pickle(tmp_path: Path) -> None:
    import pickle

    path = tmp_path / "bad.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValueError, match="bad JSON"):
        MLP.load(path)
    path.write_bytes(pickle.dumps({"format": "autograd_lite.model"}))
    with pytest.raises(ValueError, match="bad JSON"):
        MLP.load(path)


def test_model_files_load_rejects_nan_weight_literal(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    text = json.dumps(_mlp_doc())
    path.write_text(text.replace("0.0", "NaN", 1), encoding="utf-8")  # the first bias
    with pytest.raises(ValueError, match="NaN is not a number"):
        MLP.load(path)


def test_model_files_load_rejects_oversized_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.json"
    MLP(2, [3, 1], seed=0).save(path)
    monkeypatch.setattr(nn, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match="larger than 100 bytes"):
        MLP.load(path)
