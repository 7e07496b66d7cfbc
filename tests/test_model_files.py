"""Model files: bit-exact JSON round trips, atomic saves, and every way a load can fail."""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autograd_lite import Value, nn
from autograd_lite.nn import MLP, Layer, Module, Neuron, model_file


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

    monkeypatch.setattr(os, "fsync", broken_fsync)
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

    monkeypatch.setattr(os, "replace", broken_replace)
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
        "more than the limit MAX_PARAMETERS = 1000000",
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
    monkeypatch.setattr(model_file, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match="larger than 100 bytes"):
        MLP.load(path)


# --------------------------------------------------------------------------- one limit


class Wide(Module):
    """A module with any number of parameters (nn's own classes refuse too many at once)."""

    def __init__(self, count: int) -> None:
        self.ps = [nn.Parameter(0.5) for _ in range(count)]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(f"p.{i}", p) for i, p in enumerate(self.ps)]

    def _config(self) -> dict[str, Any]:
        return {
            "type": "MLP",
            "nin": 1,
            "nouts": [len(self.ps) // 2],
            "activation": "relu",
            "output_activation": "linear",
        }


def test_model_files_one_parameter_limit_for_build_save_and_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_file, "MAX_PARAMETERS", 13)
    path = tmp_path / "m.json"
    at_limit = MLP(2, [3, 1], seed=0)  # (2 + 1)·3 + (3 + 1)·1 = 13 parameters
    at_limit.save(path)
    assert MLP.load(path).state_dict() == at_limit.state_dict()  # whatever saves loads
    with pytest.raises(
        ValueError,
        match=r"MLP\(2, \[4, 1\]\) has 17 parameters, more than "
        r"the limit MAX_PARAMETERS = 13",
    ):
        MLP(2, [4, 1])
    with pytest.raises(ValueError, match="cannot save: Wide has 14 parameters, more than"):
        Wide(14).save(tmp_path / "w.json")
    assert not (tmp_path / "w.json").exists()
    doc = _document(at_limit)
    doc["architecture"]["nouts"] = [4, 1]
    (tmp_path / "big.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match="the architecture has 17 parameters, more than"):
        Module.load(tmp_path / "big.json")


def test_model_files_real_limit_is_named_in_construction_errors() -> None:
    with pytest.raises(ValueError) as info:
        MLP(10**6, [10**6])  # refused at once, before allocating a single weight
    assert str(info.value) == (
        "MLP(1000000, [1000000]) has 1000001000000 parameters, more than the limit "
        "MAX_PARAMETERS = 1000000 (autograd_lite.nn.model_file)"
    )
    with pytest.raises(ValueError, match=r"Layer\(1000, 1000\) has 1001000 parameters"):
        Layer(1000, 1000)
    with pytest.raises(ValueError, match=r"Neuron\(1000000\) has 1000001 parameters"):
        Neuron(10**6)
    assert nn.MAX_PARAMETERS == model_file.MAX_PARAMETERS == 1_000_000


# --------------------------------------------------------------------------- hostile files


def test_model_files_huge_integer_weight_is_not_a_valid_model_file(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    for literal in ("1" + "0" * 400, "-" + "9" * 25):
        text = json.dumps(_mlp_doc()).replace("0.0", literal, 1)  # the first bias
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match="not a valid model file: bad JSON: an integer of"):
            MLP.load(path)
    # 20 digits is still a number: a whole-number weight loads as its float.
    path.write_text(json.dumps(_mlp_doc()).replace("0.0", "1" + "0" * 19, 1), encoding="utf-8")
    assert MLP.load(path).layers[0].neurons[0].b.data == 1e19


def test_model_files_load_state_dict_refuses_huge_numbers_and_changes_nothing() -> None:
    from fractions import Fraction

    model = Neuron(2, seed=0)
    before = model.state_dict()
    for huge in (10**400, -(10**5000), Fraction(10**400, 3)):
        state: dict[str, object] = {"w.0": 1.0, "w.1": 2.0, "b": huge}
        with pytest.raises(ValueError, match=r"parameter 'b' must be finite, got .*too large"):
            model.load_state_dict(state)
        assert model.state_dict() == before
    with pytest.raises(ValueError, match="int of about 5001 digits"):
        model.load_state_dict({"w.0": 1.0, "w.1": 2.0, "b": 10**5000})


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[" * 20 + "]" * 20, "20 objects and lists; a model file has at most 16"),
        ('{"a": [' + "[]," * 100_000 + "[]]}", "100003 objects and lists"),
        ('{"a": ' + "{" * 10 + "}" * 10 + "}", "nested deeper than 8 levels"),
        ("]" * 1_000_000, "1000000 objects and lists"),
    ],
    ids=["deep", "many empty lists", "nested objects", "closers"],
)
def test_model_files_structure_is_bounded_before_parsing(
    tmp_path: Path, text: str, match: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_parsing(*args: object, **kwargs: object) -> object:
        raise AssertionError("json.loads ran on a file the structure check should refuse")

    monkeypatch.setattr(json, "loads", no_parsing)
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=match) as info:
        Module.load(path)
    assert "not a valid model file: bad JSON" in str(info.value)


def test_model_files_brackets_inside_strings_are_text(tmp_path: Path) -> None:
    document = _mlp_doc()
    document["parameters"]['x"[[[[{{{{{{{{{{{{{{{{{{{{'] = 1.0  # an escaped quote, too
    path = tmp_path / "m.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValueError, match="has 13 parameters but the file has 14"):
        MLP.load(path)


# --------------------------------------------------------------------------- saving safely


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002, 0o027])
def test_model_files_new_file_gets_the_umask_permissions(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        MLP(2, [3, 1], seed=0).save(tmp_path / "m.json")
        (tmp_path / "plain.txt").write_text("x")  # what open() makes
    finally:
        os.umask(old)
    assert _mode(tmp_path / "m.json") == 0o666 & ~umask == _mode(tmp_path / "plain.txt")


def test_model_files_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=0).save(path)
    path.chmod(0o600)  # the owner made it private: a new save must not widen it
    MLP(2, [3, 1], seed=1).save(path)
    assert _mode(path) == 0o600
    assert MLP.load(path).state_dict() == MLP(2, [3, 1], seed=1).state_dict()


def test_model_files_read_only_target_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=0).save(path)
    old = path.read_bytes()
    path.chmod(0o444)
    with pytest.raises(PermissionError) as info:
        MLP(2, [3, 1], seed=1).save(path)
    assert info.value.filename == str(path)
    assert str(info.value) == f"[Errno 13] Permission denied: {str(path)!r}"
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["m.json"]


def test_model_files_errors_name_the_target_never_the_temporary_file(tmp_path: Path) -> None:
    missing = tmp_path / "no_such_folder" / "m.json"
    with pytest.raises(FileNotFoundError) as info:
        MLP(2, [3, 1], seed=0).save(missing)
    assert info.value.filename == str(missing) and ".tmp" not in str(info.value)
    folder = tmp_path / "a_folder"
    folder.mkdir()
    with pytest.raises(IsADirectoryError) as dir_info:
        MLP(2, [3, 1], seed=0).save(folder)
    assert dir_info.value.filename == str(folder)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="exists and is not a regular file"):
        MLP(2, [3, 1], seed=0).save(fifo)
    assert sorted(os.listdir(tmp_path)) == ["a_folder", "pipe"]


def test_model_files_failed_rename_names_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.json"

    def refused(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied", src, None, dst)

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(PermissionError) as info:
        MLP(2, [3, 1], seed=0).save(path)
    assert str(info.value) == f"[Errno 13] Permission denied: {str(path)!r}"
    assert os.listdir(tmp_path) == []


def test_model_files_interrupted_save_keeps_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=0).save(path)
    old = path.read_bytes()

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        MLP(2, [3, 1], seed=1).save(path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["m.json"]


def test_model_files_save_through_a_symlink_replaces_the_file_it_names(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    MLP(2, [3, 1], seed=0).save(real)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    MLP(2, [3, 1], seed=1).save(link)
    assert link.is_symlink()
    assert MLP.load(real).state_dict() == MLP(2, [3, 1], seed=1).state_dict()


@pytest.mark.parametrize(
    ("path", "error", "match"),
    [
        ("", ValueError, r"save\(\) argument 'path' is empty; pass a file name"),
        (None, TypeError, r"save\(\) argument 'path' must be a file path .* got NoneType None"),
        (3, TypeError, r"argument 'path' must be a file path .* got int 3"),
        (["m.json"], TypeError, r"argument 'path' must be a file path .* got list"),
        ("a\0b.json", ValueError, "argument 'path' contains a NUL character"),
    ],
)
def test_model_files_save_and_load_refuse_non_paths(
    path: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        MLP(2, [3, 1], seed=0).save(path)  # type: ignore[arg-type]
    with pytest.raises(error, match=match.replace(r"save\(\)", r"MLP\.load\(\)")):
        MLP.load(path)  # type: ignore[arg-type]


def test_model_files_load_refuses_long_lists_and_odd_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.json"
    # A list of 3 million zeros: 2 bytes each in the file, 8 in memory; refused unparsed.
    path.write_text('{"architecture": {"nouts": [' + "0," * 3 * 10**6 + "0]}}", encoding="utf-8")
    monkeypatch.setattr(json, "loads", None)  # parsing would fail the test with a TypeError
    with pytest.raises(
        ValueError, match="bad JSON: 3000000 values; a model file has at most 2000064"
    ):
        Module.load(path)
    monkeypatch.undo()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opening it would block: refused before that
    with pytest.raises(ValueError, match="not a valid model file: not a regular file"):
        Module.load(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        Module.load(tmp_path)


def test_model_files_largest_model_fits_every_file_limit() -> None:
    # The longest names and numbers a model of MAX_PARAMETERS weights can have stay far inside
    # MAX_FILE_BYTES and the value count, so whatever saves loads.
    longest_line = len(' "layers.999999.neurons.999999.w.999999": -2.2250738585072014e-308,\n')
    assert longest_line * model_file.MAX_PARAMETERS < model_file.MAX_FILE_BYTES
