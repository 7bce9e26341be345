"""Before the chapters run: every benchmark file the book reads is in the data directory, or fetched now.

`make book` runs ``tgnas book all --fetch-data``, so a newcomer's first command also fills the data
directory (``$TGNAS_DATA``, else the per-user cache; :mod:`tgnas.data.paths`) with the files the
chapters read, each checksum-verified by :func:`tgnas.data.fetch.fetch`. Only files that are absent
are fetched (a present file is verified when a chapter reads it). Offline, or for a file only a
mirror can provide, it fails at once with one line naming the missing files and how to provide them.
"""

from __future__ import annotations

from pathlib import Path

from tgnas.data.manifest import MANIFEST, ManifestEntry
from tgnas.data.paths import ENV_VAR, data_dir

#: the files the chapters read: every file a plain fetch provides, and the mirror-only ones
BOOK_FILES: tuple[ManifestEntry, ...] = tuple(entry for entry in MANIFEST if entry.default or entry.mirror_only)


class DataSetupError(RuntimeError):
    """The book's benchmark files are missing and could not be fetched."""


def missing_files(directory: Path) -> list[ManifestEntry]:
    """The book's files absent from ``directory`` (presence only: reading a file verifies it)."""
    return [entry for entry in BOOK_FILES if not (Path(directory) / entry.relative).is_file()]


def ensure_data(directory: Path | None = None, mirror: str | None = None) -> list[str]:
    """Fetch the book's missing files into ``directory`` (default: the data directory); the lines of what was done.

    Raises DataSetupError (one line) when a download fails or a mirror-only file has no mirror.
    """
    from tgnas.data import fetch  # numpy and the download machinery, only when something is missing

    root = data_dir() if directory is None else Path(directory)
    missing = missing_files(root)
    if not missing:
        return []
    names = ", ".join(entry.relative for entry in missing)
    hint = f"set {ENV_VAR} to a directory that has them, or {fetch.MIRROR_ENV_VAR} to a copy of one, and rerun"
    try:
        root.mkdir(parents=True, exist_ok=True)
        results = fetch.fetch(only=[entry.relative for entry in missing], mirror=mirror, directory=root)
    except (fetch.OfflineError, fetch.NoSourceError, OSError) as error:
        reason = str(error).split(". ")[0]
        raise DataSetupError(f"the book needs {len(missing)} benchmark file(s) missing from {root}: {names}; {reason}; {hint}") from error
    return [str(result) for result in results]
