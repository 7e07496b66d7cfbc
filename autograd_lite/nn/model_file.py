"""Model files: the JSON that `Module.save` writes atomically and `Module.load` reads warily.

A file holds the architecture and every weight as a float's shortest round-trip repr. One
limit, `MAX_PARAMETERS`, holds for building, saving and loading, so whatever saves loads.
Reading is only JSON parsing plus field checks; sizes are bounded before anything is built.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import re
import reprlib
import stat
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from ..core import Value
from .files import file_path, write_atomically


class Model(Protocol):
    """What a model file holds: a model's architecture (`_config`) and named weights."""

    def named_parameters(self) -> list[tuple[str, Value]]: ...

    def state_dict(self) -> dict[str, float]: ...

    def load_state_dict(self, state: Mapping[str, object]) -> None: ...

    def _config(self) -> dict[str, Any]: ...


__all__ = ["FORMAT", "MAX_FILE_BYTES", "MAX_PARAMETERS", "VERSION", "load", "save"]

# The tag and version written into every model file; `load` refuses anything else.
FORMAT = "autograd_lite.model"
VERSION = 1
# The most parameters a model may have: checked when it is built, saved and loaded. A scalar
# engine spends a few hundred bytes per parameter, so this is already a large model.
MAX_PARAMETERS = 1_000_000
# The largest file `load` reads. A file of MAX_PARAMETERS weights takes under 80 MB.
MAX_FILE_BYTES = 128 * 1024 * 1024
# A model file has 4 objects and lists (the file, architecture, parameters, nouts), nested 3
# deep, and about one value per weight; `load` refuses more before parsing, so a crafted file
# cannot make millions of containers or values out of a few bytes each.
MAX_CONTAINERS = 16
MAX_NESTING = 8
# A model file's integers are layer sizes (and perhaps whole-number weights): 20 digits is
# plenty, and a longer one would only overflow a float.
MAX_INT_DIGITS = 20

M = TypeVar("M")


def check_parameter_count(count: int, what: str) -> None:
    """Refuse `count` parameters above `MAX_PARAMETERS`, naming `what` has them."""
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"{what} has {count} parameters, more than the limit MAX_PARAMETERS = "
            f"{MAX_PARAMETERS} (autograd_lite.nn.model_file)"
        )


def names_text(names: Iterable[str]) -> str:
    """Up to five names, quoted, then how many more."""
    listed = sorted(names)
    shown = ", ".join(repr(n) for n in listed[:5])
    return shown + (f" and {len(listed) - 5} more" if len(listed) > 5 else "")


def _describe(value: object) -> str:
    """`value` for an error message, short even for a number of a million digits."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"int of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    return f"{type(value).__name__} {reprlib.repr(value)}"


def check_weight(name: str, value: object) -> float:
    """`value` as a float when it is a finite real number (not a bool), else a clear error."""
    if type(value) is float and math.isfinite(value):
        return value  # the common case, without the slower checks below
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"parameter {name!r} must be a real number, got {_describe(value)}")
    try:
        f = float(value)
    except OverflowError:  # an int or Fraction beyond the float range
        raise ValueError(
            f"parameter {name!r} must be finite, got {_describe(value)}, too large for a float"
        ) from None
    if not math.isfinite(f):
        raise ValueError(f"parameter {name!r} must be finite, got {f!r}")
    return f


def checked_state(
    named: Sequence[tuple[str, Value]], state: Mapping[str, object], owner: str
) -> list[float]:
    """The new value of every parameter in `named`, in order, after checking all of `state`.

    Raises `ValueError` for missing or unexpected names and non-finite values, `TypeError`
    for values that are not real numbers; nothing is assigned here.
    """
    if not isinstance(state, Mapping):
        raise TypeError(f"load_state_dict needs a mapping name → float, got {type(state).__name__}")
    expected = {name for name, _ in named}
    missing = expected.difference(state)
    unexpected = set(state).difference(expected)
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing {names_text(missing)}")
        if unexpected:
            parts.append(f"unexpected {names_text(map(str, unexpected))}")
        raise ValueError(
            f"state does not match this {owner} ({len(named)} parameters, "
            f"state has {len(state)}): " + "; ".join(parts)
        )
    return [check_weight(name, state[name]) for name, _ in named]


# ----------------------------------------------------------------------------- saving


def save(module: Model, path: object) -> None:
    """Write `module`'s architecture and weights to `path` as JSON, atomically.

    See `Module.save`, which calls this.
    """
    target = file_path(path, "save()")
    state = module.state_dict()
    check_parameter_count(len(state), f"cannot save: {type(module).__name__}")
    for name, value in state.items():
        if not math.isfinite(value):
            raise ValueError(
                f"cannot save: parameter {name!r} is {value!r}; "
                "a model file holds finite numbers only"
            )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": module._config(),
        "parameters": state,
    }
    data = (json.dumps(document, indent=1, allow_nan=False) + "\n").encode("utf-8")
    if len(data) > MAX_FILE_BYTES:  # never write a file that `load` would refuse
        raise ValueError(
            f"cannot save: the file would have {len(data)} bytes, more than the limit "
            f"MAX_FILE_BYTES = {MAX_FILE_BYTES}"
        )
    write_atomically(target, data)


# ----------------------------------------------------------------------------- loading


def load(cls: type[M], path: object, kinds: Mapping[str, Any]) -> M:
    """The model saved in `path` (see `Module.load`), checked to be a `cls`.

    `kinds` maps each model type a file may name to its class, whose `_from_config(arch,
    weights)` checks the architecture and the weights' count, then builds the model.
    """
    where = file_path(path, f"{cls.__name__}.load()")
    try:
        model = _build(_read_json(where), kinds)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{where}: not a valid model file: {e}") from None
    if not isinstance(model, cls):
        raise ValueError(
            f"{where} holds a {type(model).__name__}, not a {cls.__name__}; "
            f"use {type(model).__name__}.load or Module.load"
        )
    return model


def _reject_constant(name: str) -> float:
    raise ValueError(f"bad JSON: {name} is not a number a model file may hold")


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise ValueError(
            f"bad JSON: an integer of {digits} digits; a model file's integers have at most "
            f"{MAX_INT_DIGITS}"
        )
    return int(text)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"bad JSON: key {key!r} appears twice in one object")
        out[key] = value
    return out


# A JSON string: quotes around anything but quotes and backslashes, or escapes.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def _structure_problem(text: bytes) -> str | None:
    """What makes `text` more nested, bracket-heavy or long-listed than a model file, or None."""
    # Values are separated by commas: one per weight and layer size, and a few more.
    commas, most = text.count(b","), 2 * MAX_PARAMETERS + 64
    if commas > most:
        return f"bad JSON: {commas} values; a model file has at most {most}"
    opened = text.count(b"[") + text.count(b"{")
    closed = text.count(b"]") + text.count(b"}")
    if max(opened, closed) > MAX_CONTAINERS:
        return (
            f"bad JSON: {max(opened, closed)} objects and lists; a model file has at most "
            f"{MAX_CONTAINERS}"
        )
    depth = 0
    for bracket in _BRACKET.findall(text):  # at most 2·MAX_CONTAINERS of them
        depth += 1 if bracket in (b"[", b"{") else -1
        if depth > MAX_NESTING:
            return f"bad JSON: nested deeper than {MAX_NESTING} levels"
    return None


def _check_structure(raw: bytes) -> None:
    """Refuse JSON with more objects/lists or deeper nesting than a model file has, before
    parsing: a few kilobytes of brackets would otherwise become millions of containers."""
    problem = _structure_problem(raw)  # fast: a model file has no brackets in its strings
    if problem is not None and b'"' in raw:
        problem = _structure_problem(_STRING.sub(b'""', raw))  # brackets in strings are text
    if problem is not None:
        raise ValueError(problem)


def _read_json(path: str) -> dict[str, Any]:
    """The top-level object of the JSON file `path`, refusing oversized and odd files."""
    if not stat.S_ISREG(os.stat(path).st_mode):  # a folder, pipe or device: never opened
        raise ValueError("not a regular file")
    with open(path, "rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"file is larger than {MAX_FILE_BYTES} bytes (MAX_FILE_BYTES)")
    _check_structure(raw)
    try:
        document = json.loads(
            raw.decode("utf-8"),
            parse_constant=_reject_constant,  # NaN, Infinity, -Infinity
            parse_int=_parse_int,
            object_pairs_hook=_unique_keys,
        )
    except RecursionError:
        raise ValueError("bad JSON: nested too deeply") from None
    except ValueError as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        message = str(e)
        raise ValueError(message if message.startswith("bad JSON") else f"bad JSON: {e}") from None
    if not isinstance(document, dict):
        raise ValueError(f"expected a JSON object at the top, got {type(document).__name__}")
    return document


def field(obj: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in obj:
        raise ValueError(f"{where} has no {key!r}")
    value = obj[key]
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        raise ValueError(
            f"{where} {key!r} must be a {kind.__name__}, got {type(value).__name__} "
            f"{reprlib.repr(value)}"
        )
    return value


def size_field(arch: Mapping[str, Any], key: str) -> int:
    n: int = field(arch, key, int, "architecture")
    if not 1 <= n <= MAX_PARAMETERS:
        raise ValueError(f"architecture {key!r} must be between 1 and {MAX_PARAMETERS}, got {n}")
    return n


def check_keys(
    arch: Mapping[str, Any], expected: set[str], optional: Iterable[str] = frozenset()
) -> None:
    """Refuse an architecture whose keys are not `expected`, and perhaps some of `optional`."""
    keys = set(arch)
    wrong_keys = (expected - keys) | (keys - expected - set(optional))
    if wrong_keys:
        wrong = names_text(wrong_keys)
        raise ValueError(
            f"architecture of a {arch['type']} has missing or unexpected keys: {wrong}"
        )


def _build(document: Mapping[str, Any], kinds: Mapping[str, Any]) -> Model:
    """The model a parsed model file describes, with its weights, after checking every field."""
    extra = set(document).difference({"format", "version", "architecture", "parameters"})
    if extra:
        raise ValueError(f"unexpected top-level keys {names_text(extra)}")
    if document.get("format") != FORMAT:
        raise ValueError(f"'format' must be {FORMAT!r}, got {reprlib.repr(document.get('format'))}")
    version = field(document, "version", int, "the file")
    if version != VERSION:
        raise ValueError(f"unsupported version {version} (this library reads version {VERSION})")
    arch = field(document, "architecture", dict, "the file")
    weights = field(document, "parameters", dict, "the file")
    kind = field(arch, "type", str, "architecture")
    if kind not in kinds:
        raise ValueError(f"unknown model type {kind!r}; valid: {', '.join(kinds)}")
    # The class counts the weights before it builds anything: a hostile size allocates nothing.
    model: Model = kinds[kind]._from_config(arch, weights)
    model.load_state_dict(weights)
    return model


def check_count(count: int, weights: Mapping[str, Any]) -> None:
    """Refuse a file whose number of weights is not what its architecture has."""
    check_parameter_count(count, "the architecture")
    if len(weights) != count:
        raise ValueError(f"the architecture has {count} parameters but the file has {len(weights)}")
