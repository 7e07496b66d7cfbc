"""The `Module` base class of `nn`: parameters, gradients, state dicts and model files.

`Parameter` (the core's) marks the trainable leaves a module makes. Files are read and written
by `model_file`; the public names stay on `Module` (and are re-exported by `nn`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from ..core import Parameter, Value
from . import model_file

__all__ = ["Module", "Parameter"]

M = TypeVar("M", bound="Module")


class Module:
    """Base class of models: parameters, gradients, state dicts and model files.

    Subclasses define `named_parameters()` and, to be saved, `_config()`; a class that also
    defines `_from_config(arch, weights)` is one a model file can hold (`Module.kinds`). A
    class whose calls build the same graph for every input (no Python decision on an input's
    value) says `straight_line = True` in its own body: `fit(..., compile=True)` then writes
    its pass over a sample once (a subclass that changes the call must say it again).
    """

    __slots__ = ()
    kinds: ClassVar[dict[str, type[Module]]] = {}  # model type in a file → its class
    straight_line: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_from_config" in vars(cls):
            Module.kinds[cls.__name__] = cls

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, parameter) pairs in micrograd's order, each parameter once."""
        raise NotImplementedError(f"{type(self).__name__} does not define named_parameters()")

    def parameters(self) -> list[Value]:
        """The parameters in micrograd's order: layer by layer, neuron by neuron, w then b."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set `.grad` of every parameter to 0.0 (`backward()` adds into it)."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """Parameter name → its float value (the float itself, so bit-exact), in order."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Set every parameter from `state` (as made by `state_dict`).

        Everything is checked first: the names must be exactly this model's, and each value
        a finite real number (not a bool). On any error this raises (`ValueError` for names
        and non-finite values, `TypeError` for wrong types) and the model is unchanged.
        """
        named = self.named_parameters()
        new = model_file.checked_state(named, state, type(self).__name__)
        for (_, p), f in zip(named, new):  # only now, when every value is known to be good
            p.data = f

    def _config(self) -> dict[str, Any]:
        """The architecture as JSON-ready data; `_build` makes the same model from it."""
        raise NotImplementedError(f"{type(self).__name__} cannot be saved to a model file")

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the architecture and every weight to `path` as JSON, atomically.

        Floats are written with Python's shortest round-trip repr, so `load` gives back the
        same bits. The text goes to a temporary file in the same folder that then replaces
        `path` in one step (`os.replace`): a reader sees the old file or the new one, never
        half of one, and a failed or interrupted save leaves the old file as it was. A new
        file gets the permissions any new file gets (0666 less the umask); a replaced file
        keeps its own. Details in `autograd_lite.nn.model_file`.

        Raises:
            TypeError: `path` is not a str or path-like; ValueError: it is empty.
            ValueError: a parameter is nan or inf (a model file holds finite numbers only),
                or the model has more than `MAX_PARAMETERS` parameters.
            PermissionError: `path` is a read-only file or in a folder you may not write
                (the error names `path`, as `open()` would).
            OSError: any other failure to write, naming `path`.
        """
        model_file.save(self, path)

    @classmethod
    def load(cls: type[M], path: str | os.PathLike[str]) -> M:
        """The model saved in `path` by `save`.

        The file is only parsed as JSON and checked field by field: nothing is executed.
        `Module.load` returns whatever model the file holds; `MLP.load` etc. insist on it.

        Raises:
            ValueError: naming the problem, for a file that is not a valid model file
                (bad JSON, wrong format or types, unknown activation, sizes out of range,
                more than `MAX_PARAMETERS` weights, missing or extra weights, non-finite or
                huge numbers, a file over `model_file.MAX_FILE_BYTES` or nested deeper
                than a model file is); these are checked before anything large is built.
            OSError: the file cannot be read.
        """
        return model_file.load(cls, path, Module.kinds)
