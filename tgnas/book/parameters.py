"""Chapter parameters: each chapter's ``ci``/``paper`` values, declared once and checked where they enter.

A chapter's experiment module declares its parameters as one :class:`ChapterParameters` constant
``PARAMETERS``; the chapter's parameters cell sets each of them to None (papermill replaces those
with ``tgnas book run -p NAME VALUE``), and the cell after it resolves them in one call::

    n_seeds, n_random = PARAMETERS.resolve(profile, n_seeds=n_seeds, n_random=n_random)

None takes the profile's value; anything else is checked as given (``0`` is never swapped for a
default) and a value the chapter cannot use raises one :class:`ParameterError` naming the
parameter and what it accepts, before any experiment runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROFILES = ("ci", "paper")
"""``ci``: small, fast settings that CI can afford; ``paper``: the settings the paper used."""

#: a value echoed in a message is cut to this many characters (a 10 kB list is no help on a terminal)
ECHO_LIMIT = 200


class ParameterError(ValueError):
    """A chapter parameter has a value (or a name) the chapter does not accept."""


@dataclass(frozen=True)
class Kind:
    """What values a parameter accepts: ``accepts`` says it in words, ``test`` decides."""

    accepts: str
    test: Callable[[Any], bool]


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is not 1 seed


def _number(value: Any) -> bool:
    return (isinstance(value, float) and math.isfinite(value)) or _integer(value)


def _non_empty_list(value: Any, item: Callable[[Any], bool]) -> bool:
    return isinstance(value, list) and len(value) > 0 and all(item(element) for element in value)


def _positive_numbers(value: Any) -> bool:
    return _non_empty_list(value, lambda number: _number(number) and number > 0)


POSITIVE_INT = Kind("a positive integer", lambda value: _integer(value) and value > 0)
NON_NEGATIVE_INT = Kind("a non-negative integer", lambda value: _integer(value) and value >= 0)
SEEDS = Kind(
    "a non-empty list of distinct non-negative integers",
    lambda value: _non_empty_list(value, NON_NEGATIVE_INT.test) and len(set(value)) == len(value),
)
FRACTIONS = Kind(
    "a non-empty list of numbers in (0, 1)", lambda value: _non_empty_list(value, lambda number: _number(number) and 0 < number < 1)
)
POSITIVE_NUMBERS = Kind("a non-empty list of positive numbers", _positive_numbers)
NUMBERS_PER_NAME = Kind(
    'a mapping from names to non-empty lists of positive numbers, e.g. {"edgegpu": [3.0, 5.0]}',
    lambda value: (
        isinstance(value, dict) and len(value) > 0 and all(isinstance(key, str) and _positive_numbers(item) for key, item in value.items())
    ),
)
TEXT = Kind("a non-empty string", lambda value: isinstance(value, str) and value.strip() != "")
#: relative paths are read from the book root, where the chapters run
EXISTING_FILE = Kind("the path of an existing file", lambda value: isinstance(value, str) and value != "" and Path(value).is_file())


def optional(kind: Kind, none_means: str) -> Kind:
    """``kind`` or None (``none_means`` says what None stands for, e.g. "all images")."""
    return Kind(f"{kind.accepts} or None ({none_means})", lambda value: value is None or kind.test(value))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= ECHO_LIMIT else text[:ECHO_LIMIT] + "…"


@dataclass(frozen=True)
class Parameter:
    """One chapter parameter: its name, the values it accepts and its value in each profile."""

    name: str
    kind: Kind
    ci: Any
    paper: Any

    def __post_init__(self) -> None:
        for profile in PROFILES:
            default = self.default(profile)
            if default is not None and not self.kind.test(default):
                raise ValueError(f"the {profile} value of {self.name} must be {self.kind.accepts}, got {_shown(default)}")

    def default(self, profile: str) -> Any:
        return self.ci if profile == "ci" else self.paper

    def resolve(self, profile: str, value: Any) -> Any:
        """``value``, or the profile's value when ``value`` is None; a value it does not accept raises."""
        if value is None:
            return self.default(profile)
        if not self.kind.test(value):
            raise ParameterError(f"{self.name} must be {self.kind.accepts}, got {_shown(value)}")
        return value


class ChapterParameters:
    """The parameters of one chapter (besides ``profile``), in the order its parameters cell lists them."""

    def __init__(self, *parameters: Parameter, paper_requires: str | None = None) -> None:
        """``paper_requires``: for a chapter whose ``paper`` profile a CPU machine cannot run, what it needs (a sentence)."""
        names = [parameter.name for parameter in parameters]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated or "profile" in names:
            raise ValueError(f"chapter parameters must have distinct names other than 'profile', got {names}")
        self._parameters = {parameter.name: parameter for parameter in parameters}
        self.paper_requires = paper_requires

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._parameters)

    def __getitem__(self, name: str) -> Parameter:
        return self._parameters[name]

    def resolve(self, profile: str, **given: Any) -> tuple[Any, ...]:
        """The value of every parameter, in the order given: None → the profile's value, else checked.

        ``given`` must name every parameter of the chapter (the setup cell passes them all); an
        unknown name, a bad profile or a value a parameter does not accept raises ParameterError.
        """
        if profile not in PROFILES:
            raise ParameterError(f"profile must be {' or '.join(map(repr, PROFILES))}, got {_shown(profile)}")
        unknown = [name for name in given if name not in self._parameters]
        if unknown:
            raise ParameterError(f"unknown parameter {', '.join(map(repr, unknown))}; accepted: {', '.join(self.names)}")
        missing = [name for name in self._parameters if name not in given]
        if missing:
            raise TypeError(f"resolve() needs every parameter of the chapter; missing: {', '.join(missing)}")
        return tuple(self._parameters[name].resolve(profile, value) for name, value in given.items())
