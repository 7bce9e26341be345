"""Atomic file writes: every file tgnas writes appears whole or not at all.

Data goes to a temporary sibling (same directory, so the final rename never crosses a file
system) which replaces the target only after it was written completely; on any error the
temporary file is removed and an existing target is left untouched. `atomic_path` hands out the
temporary path itself, for writers that must check the finished file before it replaces the
target (a download verified against its checksum); `atomic_output` opens it as a stream.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty temporary sibling of ``path`` that replaces it when the block ends without error.

    Whatever the block writes there (and leaves there) becomes ``path``; an exception raised in the
    block, e.g. by a check of the finished file, removes the temporary file and keeps ``path`` as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    temporary = Path(name)
    os.close(handle)
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual permissions
        yield temporary
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_output(path: str | os.PathLike[str], mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Open a stream whose content replaces ``path`` when the ``with`` block ends without error."""
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_output mode must be 'wb' or 'w', got {mode!r}")
    with atomic_path(path) as temporary, open(temporary, mode, encoding=encoding if mode == "w" else None) as stream:
        yield stream


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    with atomic_output(path, "wb") as stream:
        stream.write(data)
    return Path(path)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    with atomic_output(path, "w", encoding="utf-8") as stream:
        stream.write(text)
    return Path(path)
