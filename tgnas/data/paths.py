"""Where benchmark files live: ``$TGNAS_DATA`` if set, else a per-user cache directory.

The project never hard-codes a data location; CI sets ``TGNAS_DATA`` and users either point it at
their own copy or run ``tgnas data fetch`` to fill the cache directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir

ENV_VAR = "TGNAS_DATA"


class MissingDataError(FileNotFoundError):
    """A benchmark file is not in the data directory; the message says how to get it."""


def data_dir() -> Path:
    """The data directory: ``$TGNAS_DATA`` or ``<user cache>/tgnas/data``."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    return Path(user_cache_dir("tgnas")) / "data"


def _configured_by() -> str:
    return f"${ENV_VAR}={os.environ[ENV_VAR]}" if os.environ.get(ENV_VAR) else f"the default, as {ENV_VAR} is not set"


def directory_problem(directory: Path) -> str | None:
    """Why ``directory`` cannot be a data directory (absent, or a file), naming where it came from; None if it is one."""
    if directory.is_dir():
        return None
    what = "is a file, not a directory" if directory.exists() else "does not exist"
    return f"{directory} ({_configured_by()}) {what}"


def data_file(relative: str) -> Path:
    """Absolute path of a file inside the data directory, or MissingDataError naming the fix."""
    directory = data_dir()
    path = directory / relative
    problem = directory_problem(directory)
    if problem:
        raise MissingDataError(
            f"the data directory {problem}, so benchmark file {relative!r} cannot be read. "
            f"Point {ENV_VAR} at a data directory, or run `tgnas data fetch` to fill it."
        )
    if not path.exists():
        source = _configured_by()
        raise MissingDataError(
            f"benchmark file {relative!r} is missing from {directory} ({source}). "
            f"Get it with `tgnas data fetch --only {relative}` (or `tgnas data fetch` for everything), "
            f"or point {ENV_VAR} at a directory that has it."
        )
    return path
