"""Input checks the library and the command line share, each failing with one line that names the
argument and what it accepts.

Cheap to import (numpy only): the command-line parser's option types (`tgnas.cli_options`) use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral

import numpy as np


def is_integer(value: object) -> bool:
    """An int or numpy integer, and not a bool (``True`` is an int to Python, never a count or a seed to us)."""
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))


def is_int_at_least(value: object, minimum: int | None) -> bool:
    """Whether ``value`` is an integer (`is_integer`) and, when ``minimum`` is given, ``>= minimum``."""
    return is_integer(value) and (minimum is None or value >= minimum)


def int_rule(minimum: int | None) -> str:
    """How the messages spell what `is_int_at_least` accepts: ``"an integer >= 1"``."""
    return "an integer" + (f" >= {minimum}" if minimum is not None else "")


def check_int(name: str, value: object, minimum: int | None = None, why: str = "") -> int:
    """``value`` as an int if it is an integer ``>= minimum``; else ValueError naming ``name`` (``why``: a reason to append)."""
    if not is_int_at_least(value, minimum):
        raise ValueError(f"{name} must be {int_rule(minimum)}{f' ({why})' if why else ''}, got {value!r}")
    return int(value)


def check_seed(value: object, name: str = "seed") -> int | None:
    """A seed: a non-negative integer or None (fresh entropy)."""
    return None if value is None else check_int(name, value, 0)


def differences(saved: Mapping, now: Mapping, saved_as: str) -> list[str]:
    """The settings that differ, one ``name: saved in <saved_as>, now`` each (nested mappings as ``outer.inner``).

    Only differing fields are named, so that a refusal to resume says what changed and nothing else.
    """
    changed = []
    for key in sorted(set(saved) | set(now), key=str):
        old, new = saved.get(key, "(absent)"), now.get(key, "(absent)")
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            changed += [f"{key}.{line}" for line in differences(old, new, saved_as)]
        elif old != new:
            changed.append(f"{key}: {_show(old)} in {saved_as}, {_show(new)} now")
    return changed


def _show(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
