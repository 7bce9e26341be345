"""Every loader's read of a benchmark file goes through here, so a bad file fails in one way.

A file is read with `read_data_file`: the file of the data directory is first checked against the
checksum its manifest entry pins (`verify_checksum`; the verdict is cached per process, keyed by
path, size and modification time, so loading a table many times hashes it once), then parsed by
the loader's reader, with every exception a parser raises on a damaged file (gzip, zlib, zip, tar,
pickle, JSON, CSV, EOF) turned into one `DataFileError`. Tables are then checked against a
`TableSchema` (columns and their kinds, row count, unique key, where NaN is allowed).

A `DataFileError` is a ValueError (the CLI prints it as one line and exits 2). Its message names
the file, what is wrong with it, and the command that repairs it (`tgnas data fetch --only …` for a
file of the manifest).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import pickle
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import numpy as np
import pandas as pd

from tgnas.data.manifest import ManifestEntry, manifest_entry
from tgnas.data.paths import data_dir, data_file

_CHUNK = 1 << 20
_T = TypeVar("_T")


class DataFileError(ValueError):
    """A benchmark file is damaged or is not what its format requires; the message names the file,
    the problem and how to repair it."""

    def __init__(self, message: str, path: str | Path | None = None):
        super().__init__(message)
        self.path = None if path is None else Path(path)


def finite_number(value: object, where: str, allow_minus_inf: bool = False) -> float:
    """``value`` as a float if it is a finite JSON number (−inf too with ``allow_minus_inf``: nwot of a
    singular kernel); a ValueError naming ``where`` otherwise (the loaders turn it into a `DataFileError`)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise ValueError(f"{where} is {value!r}, not a finite number")
    if math.isinf(value) and not (allow_minus_inf and value < 0):
        raise ValueError(f"{where} is {value!r}, not a finite number")
    return float(value)


class ChecksumError(ValueError):
    """A file's content does not match the checksum pinned in the manifest."""


def repair_hint(relative: str | None) -> str:
    """How to get an intact copy of a file (``relative``: its manifest path, or None)."""
    if relative is None:
        return "replace it with an intact copy"
    if manifest_entry(relative).mirror_only:
        return f"get an intact copy with `tgnas data fetch --only {relative} --mirror <data directory or URL>`"
    return f"repair it with `tgnas data fetch --only {relative}`"


def data_file_error(path: str | Path, problem: str, relative: str | None = None) -> DataFileError:
    """The error for ``path`` with ``problem`` (a phrase such as "is truncated"); the file is named once.

    ``relative`` (found from ``path`` when None) is the manifest path the repair command names.
    """
    text = problem if str(path) in problem else f"{path} {problem}"
    hint = repair_hint(relative if relative is not None else manifest_relative(path))
    return DataFileError(f"bad data file: {text}; {hint}", path)


def manifest_relative(path: str | Path) -> str | None:
    """The manifest path of ``path`` if it is a manifest file of the data directory, else None."""
    try:
        relative = Path(path).resolve().relative_to(data_dir().resolve()).as_posix()
        manifest_entry(relative)
    except (ValueError, OSError):
        return None
    return relative


# -- what went wrong, in words ------------------------------------------------------------------
#: what the parsers raise on a damaged file (pickle can raise almost anything on garbage)
READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    zlib.error,
    zipfile.BadZipFile,
    tarfile.TarError,
    pickle.UnpicklingError,
    UnicodeDecodeError,
    ValueError,
    KeyError,
    IndexError,
    AttributeError,
    ImportError,
    TypeError,
    struct.error,
)


def describe(error: BaseException) -> str:
    """A phrase saying what a parser's exception means for the file (``"is truncated …"``)."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    if isinstance(error, EOFError) or "ended before the end-of-stream" in text or "unexpected end of data" in text:
        return "is truncated (its content ends early)"
    if isinstance(error, gzip.BadGzipFile):
        return f"is not gzip-compressed ({text})"
    if isinstance(error, zlib.error):
        return f"has corrupt compressed data ({text})"
    if isinstance(error, zipfile.BadZipFile):
        return f"is not a readable zip archive: truncated or garbled ({text})"
    if isinstance(error, tarfile.TarError):
        return f"is not a readable tar archive: truncated or garbled ({text})"
    if isinstance(error, json.JSONDecodeError):
        return f"is not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
    if isinstance(error, UnicodeDecodeError):
        return f"is not text: garbled bytes at byte {error.start}"
    if isinstance(error, pd.errors.EmptyDataError):
        return "is empty"
    if isinstance(error, pd.errors.ParserError):
        return f"is not a well-formed CSV ({text})"
    if isinstance(error, pickle.UnpicklingError):
        return f"is not a readable pickle ({text})"
    return f"cannot be read ({type(error).__name__}: {text})"


def _gzip_problem(path: Path) -> str | None:
    """Why a ``.gz`` file is not gzip at all (checked first: pandas would guess another format)."""
    with open(path, "rb") as stream:
        head = stream.read(2)
    if not path.name.endswith(".gz") or head == b"\x1f\x8b":
        return None
    return f"is not gzip-compressed although its name ends in .gz (it starts with {head!r})" if head else "is empty"


@contextmanager
def reading(path: str | Path, relative: str | None = None) -> Iterator[None]:
    """Turn any exception a parser raises inside the block into a `DataFileError` for ``path``.

    A missing file (FileNotFoundError) passes through: missing is not damaged.
    """
    try:
        yield
    except (DataFileError, FileNotFoundError):
        raise
    except READ_ERRORS as error:
        raise data_file_error(path, describe(error), relative) from None


# -- checksums ----------------------------------------------------------------------------------
def digest(path: str | Path, algorithm: str, decompress: bool) -> str:
    """Hex digest of a file, or of its gunzipped content when ``decompress``."""
    hasher = hashlib.new(algorithm)
    opener: Callable[[Path], BinaryIO] = gzip.open if decompress else open  # type: ignore[assignment]
    with opener(Path(path), "rb") as stream:
        while chunk := stream.read(_CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


def check_checksum(entry: ManifestEntry, path: str | Path) -> None:
    """ChecksumError unless ``path`` has the content ``entry`` pins (``entry.checksum`` is set)."""
    assert entry.checksum is not None
    expected = entry.checksum
    what = "of the uncompressed content " if entry.storage == "gzip" else ""
    try:
        got = digest(path, expected.algorithm, decompress=entry.storage == "gzip")
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise ChecksumError(
            f"checksum mismatch for {entry.relative}: expected {expected.algorithm} {what}"
            f"{expected.hexdigest}, got an unreadable gzip file ({error})"
        ) from error
    if got != expected.hexdigest:
        raise ChecksumError(f"checksum mismatch for {entry.relative}: expected {expected.algorithm} {what}{expected.hexdigest}, got {got}")


#: verdicts of `verify_checksum`: (resolved path, size, mtime in ns) → the problem, or None when intact
_VERDICTS: dict[tuple[str, int, int], str | None] = {}


def verify_checksum(path: str | Path, relative: str) -> None:
    """`DataFileError` unless the data directory's ``relative`` at ``path`` matches its pinned checksum.

    Files without a pinned checksum pass (their loaders check the content). Cached per process.
    """
    entry = manifest_entry(relative)
    if entry.checksum is None:
        return
    location = Path(path)
    stat = location.stat()
    key = (str(location.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _VERDICTS:
        try:
            check_checksum(entry, location)
            _VERDICTS[key] = None
        except ChecksumError:
            _VERDICTS[key] = f"does not have the content pinned in the manifest ({entry.checksum.algorithm} mismatch: modified or damaged)"
        except READ_ERRORS as error:
            _VERDICTS[key] = describe(error)
    if _VERDICTS[key] is not None:
        raise data_file_error(location, _VERDICTS[key], relative)


def read_data_file(path: str | Path, reader: Callable[[Path], _T], relative: str | None = None, trusted_only: bool = False) -> _T:
    """``reader(path)`` with every parser failure as a `DataFileError`; manifest files are checksummed.

    ``reader`` parses *and* checks the content (raising `DataFileError` itself where it finds a problem).

    For a manifest file (``relative``, found from ``path`` when None) whose checksum does not match,
    the reader still runs first to name the problem precisely (truncated, not gzip, …) — except
    with ``trusted_only`` (pickles: never unpickle a file that failed its checksum).
    """
    location = Path(path)
    relative = relative if relative is not None else manifest_relative(location)
    if location.name.endswith(".gz") and location.is_file():
        with reading(location, relative):
            problem = _gzip_problem(location)
        if problem:
            raise data_file_error(location, problem, relative)
    if relative is None:
        with reading(location, relative):
            return reader(location)
    try:
        verify_checksum(location, relative)
    except DataFileError:
        if not trusted_only:
            with reading(location, relative):
                reader(location)  # a precise diagnosis, if the parser finds one
        raise
    with reading(location, relative):
        return reader(location)


def read_manifest_file(relative: str, reader: Callable[[Path], _T], trusted_only: bool = False) -> _T:
    """`read_data_file` of the data directory's ``relative`` (MissingDataError if it is absent)."""
    return read_data_file(data_file(relative), reader, relative, trusted_only)


def load_json(path: Path) -> Any:
    """Parse a (possibly gzipped) JSON file; a key repeated within one object is an error (json keeps the last)."""
    with open(path, "rb") as stream:
        raw = stream.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
            raise DataFileError(
                f"bad data file: {path} lists key {duplicate!r} twice in one JSON object; {repair_hint(manifest_relative(path))}", path
            )
        return result

    return json.loads(raw, object_pairs_hook=unique)


# -- tables -------------------------------------------------------------------------------------
KINDS = ("int", "float", "str", "bool")


@dataclass(frozen=True)
class TableSchema:
    """What a table file must hold.

    Attributes:
        columns: column name → kind (`KINDS`); other columns are allowed.
        rows: the exact number of rows the benchmark defines, or None.
        key: a column whose values must be unique, or None.
        nan_allowed: float columns in which NaN is a legitimate "not measured". Infinite values are
            never allowed in a table.
    """

    columns: Mapping[str, str]
    rows: int | None = None
    key: str | None = None
    nan_allowed: frozenset[str] = frozenset()


def _row(index: int) -> str:
    return f"row {index} (line {index + 2} of the CSV)"


def _column_problem(values: pd.Series, name: str, kind: str, nan_allowed: bool) -> str | None:
    if kind in ("int", "float"):
        if values.dtype == bool or not pd.api.types.is_numeric_dtype(values):
            numeric = pd.to_numeric(values, errors="coerce")
            bad = np.flatnonzero(numeric.isna().to_numpy() & values.notna().to_numpy())
            if len(bad) == 0:  # only possible for a bool column
                return f"has column {name} of kind {values.dtype}, expected {kind}"
            return f"has a non-numeric value {str(values.iat[bad[0]])[:40]!r} in column {name} at {_row(int(bad[0]))}"
        array = values.to_numpy(dtype=float)
        if not nan_allowed and np.isnan(array).any():
            return f"has NaN in column {name} at {_row(int(np.flatnonzero(np.isnan(array))[0]))}"
        if np.isinf(array).any():
            return f"has an infinite value in column {name} at {_row(int(np.flatnonzero(np.isinf(array))[0]))}"
        if kind == "int" and not pd.api.types.is_integer_dtype(values):
            fractional = np.flatnonzero(array != np.round(array))
            if len(fractional):
                return f"has a non-integer value {array[fractional[0]]!r} in column {name} at {_row(int(fractional[0]))}"
        return None
    if values.isna().any():
        return f"has an empty value in column {name} at {_row(int(np.flatnonzero(values.isna().to_numpy())[0]))}"
    if kind == "bool" and values.dtype != bool:
        bad = np.flatnonzero(~values.isin([True, False]).to_numpy())
        return f"has a non-boolean value {str(values.iat[bad[0]])[:40]!r} in column {name} at {_row(int(bad[0]))}"
    return None


def check_table(frame: pd.DataFrame, schema: TableSchema, path: str | Path, relative: str | None = None) -> pd.DataFrame:
    """``frame`` if it fits ``schema``, else a `DataFileError` naming the first problem."""
    missing = [name for name in schema.columns if name not in frame.columns]
    if missing:
        raise data_file_error(path, f"lacks the columns {missing} (it has {list(frame.columns)[:8]}…)", relative)
    if schema.rows is not None and len(frame) != schema.rows:
        raise data_file_error(path, f"has {len(frame):,} rows, expected {schema.rows:,} (truncated, or not the full table)", relative)
    for name, kind in schema.columns.items():
        problem = _column_problem(frame[name], name, kind, name in schema.nan_allowed)
        if problem:
            raise data_file_error(path, problem, relative)
    if schema.key is not None:
        repeated = frame[schema.key].duplicated(keep=False).to_numpy()
        if repeated.any():
            first, second = np.flatnonzero(repeated & frame[schema.key].duplicated().to_numpy())[0], np.flatnonzero(repeated)[0]
            value = str(frame[schema.key].iat[first])[:60]
            raise data_file_error(
                path, f"has the duplicate key {schema.key} {value!r} at {_row(int(first))} (first at {_row(int(second))})", relative
            )
    return frame


def read_table(relative: str, schema: TableSchema, **read_csv: Any) -> pd.DataFrame:
    """The data directory's CSV ``relative``, checksummed, parsed and checked against ``schema``."""
    return read_data_file(data_file(relative), lambda p: check_table(pd.read_csv(p, **read_csv), schema, p, relative), relative)


@contextmanager
def content_of(path: str | Path, relative: str | None = None) -> Iterator[None]:
    """Turn a ValueError raised while interpreting a file's parsed content into a `DataFileError`."""
    try:
        yield
    except DataFileError:
        raise
    except _PARSER_VALUE_ERRORS as error:  # a parser inside the block: say what it found
        raise data_file_error(path, describe(error), relative) from None
    except ValueError as error:
        raise data_file_error(path, f"holds bad content: {error}", relative) from None


#: the ValueErrors that parsers raise (`content_of` describes them rather than quoting them)
_PARSER_VALUE_ERRORS = (json.JSONDecodeError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError)
