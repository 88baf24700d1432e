"""Validated spec documents pickled without their pydantic classes, for the spec cache (`cache.py`).

A resolved `Slo` holds the document models it was validated into (`document.py`, pydantic). Unpickling
those would import pydantic and build every model class (~0.1 s, most of a small report's start-up),
only for a report to read their attributes. So the cache pickles each model as a `Snapshot`: its
field values, its `model_fields_set`, and the answers of its properties and of its methods whose
arguments can only be a few literals (`selectors("good" | "bad" | "total")`), all computed when the
cache is written: the models are frozen, so those answers cannot change. Anything else asked of a
snapshot (`model_dump`, a method with other arguments) is answered by the real model, rebuilt on
first use without validation: slower, never different.

This module imports nothing heavy; `reduce_model` runs only when writing, where pydantic is loaded.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import pickle
import typing
from typing import Any


class Snapshot:
    """A frozen document model as data: what its fields, properties and literal-argument methods were."""

    def __init__(self, origin: str, fields: dict[str, Any], fields_set: frozenset[str], answers: dict) -> None:
        object.__setattr__(self, "_origin", origin)
        object.__setattr__(self, "_fields", fields)
        object.__setattr__(self, "model_fields_set", set(fields_set))
        object.__setattr__(self, "_answers", answers)
        object.__setattr__(self, "_real_model", None)
        for name, value in fields.items():
            object.__setattr__(self, name, value)
        for name, value in answers.items():
            object.__setattr__(self, name, _Answers(self, name, value) if isinstance(value, _Calls) else value)

    def __getattr__(self, name: str) -> Any:  # only what the snapshot does not hold
        if name.startswith("__") or name in ("_origin", "_fields", "_answers", "_real_model"):
            raise AttributeError(name)
        return getattr(self.real(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{self._origin} is frozen")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Snapshot):
            return (self._origin, self._fields) == (other._origin, other._fields)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._origin, *self._fields.values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self._fields.items())
        return f"{self._origin.rsplit('.', 1)[-1]}({fields})"

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuild, (self._origin, self._fields, frozenset(self.model_fields_set), self._answers)

    def real(self) -> Any:
        """The pydantic model this snapshot was taken of, rebuilt (not re-validated) on first use."""
        if self._real_model is None:
            module, _, name = self._origin.rpartition(".")
            cls = getattr(importlib.import_module(module), name)
            values = {k: _real(v) for k, v in self._fields.items()}
            model = cls.model_construct(_fields_set=set(self.model_fields_set), **values)
            object.__setattr__(self, "_real_model", model)
        return self._real_model


class _Calls(dict):
    """A method's answers by its (literal) arguments, as pickled."""


class _Answers:
    """A snapshot's stand-in for one method: the recorded answer, else the real model's method."""

    def __init__(self, owner: Snapshot, name: str, answers: _Calls) -> None:
        self.owner, self.name, self.answers = owner, name, answers

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs and args in self.answers:
            return self.answers[args]
        return getattr(self.owner.real(), self.name)(*args, **kwargs)


def _real(value: Any) -> Any:
    if isinstance(value, Snapshot):
        return value.real()
    if isinstance(value, list | tuple):
        return type(value)(_real(v) for v in value)
    if isinstance(value, dict):
        return {k: _real(v) for k, v in value.items()}
    return value


def rebuild(origin: str, fields: dict[str, Any], fields_set: frozenset[str], answers: dict) -> Snapshot:
    """Unpickling: the snapshot of a model (module-level, so pickle can name it)."""
    return Snapshot(origin, fields, fields_set, answers)


class Pickler(pickle.Pickler):
    """Pickles pydantic models as `Snapshot`s, everything else as usual."""

    def reducer_override(self, obj: Any) -> Any:
        return reduce_model(obj)


def reduce_model(obj: Any) -> Any:
    """How `Pickler` writes `obj`: a pydantic model as its snapshot (NotImplemented: as pickle would)."""
    from pydantic import BaseModel

    if not isinstance(obj, BaseModel):
        return NotImplemented
    cls = type(obj)
    fields = {name: getattr(obj, name) for name in cls.model_fields}
    return rebuild, (f"{cls.__module__}.{cls.__qualname__}", fields, frozenset(obj.model_fields_set), _answers(obj))


def _answers(obj: Any) -> dict[str, Any]:
    """Every property's value and every public method's answers for all its literal arguments."""
    from pydantic import BaseModel

    out: dict[str, Any] = {}
    for name, member in inspect.getmembers(type(obj)):
        if name.startswith("_") or hasattr(BaseModel, name) or name in type(obj).model_fields:
            continue
        try:
            if isinstance(member, property):
                out[name] = getattr(obj, name)
            elif inspect.isfunction(member) and (choices := _literal_arguments(member)) is not None:
                method = getattr(obj, name)
                out[name] = _Calls({args: method(*args) for args in itertools.product(*choices)})
        except Exception:  # not recorded: the real model answers (or raises) when it is asked
            continue
    return out


def _literal_arguments(function: Any) -> list[tuple[Any, ...]] | None:
    """The values each parameter after `self` can take, when every one is a `Literal`; else None."""
    try:
        hints = typing.get_type_hints(function)
    except (NameError, TypeError):  # an annotation that names what only type checkers import
        return None
    params = list(inspect.signature(function).parameters)[1:]
    choices = []
    for p in params:
        hint = hints.get(p)
        if typing.get_origin(hint) is not typing.Literal:
            return None
        choices.append(typing.get_args(hint))
    return choices
