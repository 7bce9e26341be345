"""Fill the data directory with the benchmark files (`fetch`) and check what is there (`check`).

The files and their sources are the entries of `tgnas.data.manifest.MANIFEST`. `verify` checks a
file against its entry: the sha256 (md5 for the official CIFAR-10 tarball, the only checksum its
author publishes) of the file, or of its uncompressed content for gzip-stored entries, which is
also what a download from the source is verified against. The two files without a pinned checksum
get a content check instead: the CIFAR-10 test subset (keys, shapes, dtypes, 100 images per class
in class order, class names) and NAS-Bench-101's ``nasbench_only108.tfrecord``, read record by
record with `tgnas.data.tfrecord.iter_records` (all CRC32Cs after a download, minutes in pure
Python; the length CRCs only in `check`). Derived files are rebuilt from their inputs by
`tgnas.data.derive` (`build`).

A mirror (``mirror=`` or ``$TGNAS_DATA_MIRROR``; http(s)://, file:// or a local directory) replaces
every source by ``{mirror}/{path}`` of the file *as stored*, e.g. a copy of a data directory;
derived files are then copied too, not rebuilt.

Writes are atomic (`tgnas.atomic.atomic_path`): a download goes to a temporary file next to its
target, is verified, and only then renamed onto the target path.
"""

from __future__ import annotations

import http.client
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from tqdm import tqdm

from tgnas.atomic import atomic_path
from tgnas.data.derive import (
    CIFAR10_CLASSES,
    CIFAR10_SUBSET_PER_CLASS,
    DataCheckError,
    derived_bytes,
    gzip_writer,
)
from tgnas.data.integrity import (
    READ_ERRORS,
    ChecksumError,
    DataFileError,
    check_checksum,
    describe,
    manifest_relative,
    repair_hint,
)
from tgnas.data.manifest import MANIFEST, ManifestEntry, manifest_entry, select
from tgnas.data.paths import ENV_VAR, data_dir, directory_problem
from tgnas.data.tfrecord import iter_records

MIRROR_ENV_VAR = "TGNAS_DATA_MIRROR"
DOWNLOAD_TIMEOUT_S = 60
_CHUNK = 1 << 20
_MIRROR_SCHEMES = ("http", "https", "file")


class NoSourceError(ValueError):
    """The file is mirror-only; only a mirror or a manual copy can provide it."""


class OfflineError(ConnectionError):
    """A download failed at the network level (no connection, HTTP error, missing mirror file)."""


@dataclass(frozen=True)
class FetchResult:
    relative: str
    action: str  # "present" (already there and valid), "downloaded", "built", or "unavailable" (mirror-only, no mirror)
    source: str  # URL, "built from ...", the path of the copy already present, or why it is unavailable

    def __str__(self) -> str:
        return f"{self.action:<10} {self.relative}  ({self.source})"


@dataclass(frozen=True)
class CheckResult:
    relative: str
    status: str  # "ok", "missing" or "bad"
    detail: str
    required: bool  # provided by a plain `tgnas data fetch`

    @property
    def ok(self) -> bool:
        """True unless the file is corrupt, or missing although a default fetch provides it."""
        return self.status == "ok" or (self.status == "missing" and not self.required)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}

    def __str__(self) -> str:
        optional = "" if self.required else " (optional)"
        return f"{self.status:<10} {self.relative}{optional}  {self.detail}"


# -- verification ------------------------------------------------------------------------------
def check_cifar10_subset(path: str | Path) -> None:
    """Content check of ``cifar10_test_subset1000.npz`` (DataCheckError naming the first problem)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except READ_ERRORS as error:
        raise DataCheckError(
            f"bad data file: {path} is not a readable .npz archive, it {describe(error)}; {repair_hint(manifest_relative(path))}", path
        ) from None
    if sorted(arrays) != ["classes", "x", "y"]:
        raise DataCheckError(f"{path} must hold arrays x, y, classes; it holds {sorted(arrays)}")
    n = CIFAR10_SUBSET_PER_CLASS * len(CIFAR10_CLASSES)
    x, y, classes = arrays["x"], arrays["y"], arrays["classes"]
    if x.dtype != np.uint8 or x.shape != (n, 32, 32, 3):
        raise DataCheckError(f"{path}: x must be uint8 of shape {(n, 32, 32, 3)}, got {x.dtype} {x.shape}")
    if y.dtype != np.uint8 or y.shape != (n,):
        raise DataCheckError(f"{path}: y must be uint8 of shape {(n,)}, got {y.dtype} {y.shape}")
    expected_y = np.repeat(np.arange(len(CIFAR10_CLASSES)), CIFAR10_SUBSET_PER_CLASS)
    if not np.array_equal(y, expected_y):
        raise DataCheckError(f"{path}: y must hold {CIFAR10_SUBSET_PER_CLASS} labels of each class 0..9 in class order")
    if tuple(str(c) for c in classes) != CIFAR10_CLASSES:
        raise DataCheckError(f"{path}: classes must be {list(CIFAR10_CLASSES)}, got {list(classes)}")


def _check_tfrecord(path: Path, thorough: bool) -> None:
    """Read every record; the data CRC32Cs too when ``thorough`` (minutes for the 500 MB file)."""
    try:
        for _ in iter_records(path, verify_data_crc=thorough):
            pass
    except ValueError as error:
        raise DataCheckError(f"{path} is not an intact TFRecord file: {error}") from error


_CONTENT_CHECKS: dict[str, Callable[[Path, bool], None]] = {
    "cifar10/cifar10_test_subset1000.npz": lambda path, thorough: check_cifar10_subset(path),
    "nb101/nasbench_only108.tfrecord": _check_tfrecord,
}


def verify(entry: ManifestEntry, path: str | Path, thorough: bool = False) -> None:
    """Check a stored file against its entry's checksum, or its content check where it has none.

    ``thorough`` asks for the slow part of a content check (the TFRecord data CRCs); `fetch` uses
    it for fresh downloads, `check` does not. Raises ChecksumError or DataCheckError.
    """
    location = Path(path)
    if entry.checksum is not None:
        check_checksum(entry, location)
    else:
        _CONTENT_CHECKS[entry.relative](location, thorough)


def check(directory: str | Path | None = None) -> list[CheckResult]:
    """Status of every manifest file in ``directory`` (default: the data directory)."""
    root = Path(directory) if directory is not None else data_dir()
    results = []
    for entry in MANIFEST:
        path = root / entry.relative
        if not path.is_file():
            results.append(CheckResult(entry.relative, "missing", "not in the data directory", entry.default))
            continue
        try:
            verify(entry, path)
        except (ChecksumError, DataFileError) as error:
            results.append(CheckResult(entry.relative, "bad", str(error), entry.default))
            continue
        except READ_ERRORS as error:  # e.g. unreadable (permissions), or a parser surprised by garbage
            results.append(CheckResult(entry.relative, "bad", f"the file {describe(error)}", entry.default))
            continue
        how = f"{entry.checksum.algorithm} matches" if entry.checksum else "content check passed"
        results.append(CheckResult(entry.relative, "ok", how, entry.default))
    return results


def check_report(results: list[CheckResult], directory: str | Path | None = None) -> tuple[list[str], int]:
    """What `tgnas data check` prints for ``results`` of ``directory``, and its exit code.

    The lines: the directory and whether it is one, then (if it is) one line per file, a summary
    (``22 ok, 0 bad, 4 optional missing``) and the fetch hint when something needs fetching. Exit
    code 1 when any file is bad (optional or not), a default file is missing, or the directory is
    not a directory; else 0.
    """
    root = Path(directory) if directory is not None else data_dir()
    problem = directory_problem(root)
    if problem:
        return [f"data directory: {problem}", f"fill it with `tgnas data fetch`, or point {ENV_VAR} at a data directory"], 1
    lines = [f"data directory: {root}"] + [str(r) for r in results]
    bad = [r for r in results if r.status == "bad"]
    missing = [r for r in results if r.status == "missing" and r.required]
    optional = [r for r in results if r.status == "missing" and not r.required]
    lines.append(f"{sum(r.status == 'ok' for r in results)} ok, {len(bad)} bad, {len(missing)} missing, {len(optional)} optional missing")
    if bad or missing:
        names = " ".join(r.relative for r in bad + missing)
        lines.append(
            f"repair with `tgnas data fetch --only {names}`"
            if len(bad + missing) <= 3
            else "repair with `tgnas data fetch` (add `--only GROUP-OR-FILE` for optional files)"
        )
    return lines, 1 if bad or missing else 0


def build(relative: str, directory: str | Path) -> Path:
    """Rebuild a derived file inside ``directory`` from its inputs there (atomic, verified)."""
    entry = manifest_entry(relative)
    content = derived_bytes(relative, directory)
    target = Path(directory) / relative
    with atomic_path(target) as temporary:
        temporary.write_bytes(content)
        verify(entry, temporary, thorough=True)
    return target


# -- downloading -------------------------------------------------------------------------------
def _offline(url: str, reason: object) -> OfflineError:
    return OfflineError(
        f"cannot download {url}: {reason}. You are offline or the source moved; "
        f"set {ENV_VAR} to a directory that has the files, or use --mirror"
    )


def _download(url: str, sink: BinaryIO, label: str, progress: bool) -> None:
    """Copy ``url`` into ``sink`` with a progress bar; network failures become OfflineError."""
    try:
        response = urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S)
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        raise _offline(url, getattr(error, "reason", error)) from error
    with response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        with tqdm(total=total, unit="B", unit_scale=True, desc=label, disable=not progress, leave=False) as bar:
            while True:
                try:
                    chunk = response.read(_CHUNK)
                except (http.client.HTTPException, OSError) as error:
                    raise _offline(url, error) from error
                if not chunk:
                    break
                sink.write(chunk)
                bar.update(len(chunk))


def mirror_base(mirror: str | os.PathLike[str] | None) -> str | None:
    """Normalise a mirror (URL or local directory) to a base URL; None stays None."""
    if mirror is None or str(mirror) == "":
        return None
    text = str(mirror)
    scheme = urllib.parse.urlparse(text).scheme
    if scheme in _MIRROR_SCHEMES:
        return text.rstrip("/")
    if Path(text).expanduser().is_dir():
        return Path(text).expanduser().resolve().as_uri()
    raise ValueError(f"mirror {text!r} is neither an http(s):// or file:// URL nor an existing directory")


def _mirror_url(base: str, relative: str) -> str:
    return f"{base}/{urllib.parse.quote(relative)}"


class _Fetcher:
    """One `fetch` run: remembers what it handled so shared inputs are fetched once."""

    def __init__(self, root: Path, mirror: str | None, progress: bool, named: frozenset[str] = frozenset()):
        self.root, self.mirror, self.progress = root, mirror, progress
        self.named = named  # files asked for by path: a mirror-only one among them is an error, not a skip
        self.results: dict[str, FetchResult] = {}

    def run(self, entry: ManifestEntry, force: bool) -> None:
        if entry.relative in self.results:
            return
        target = self.root / entry.relative
        if target.is_file() and not force:
            try:
                verify(entry, target)
            except (ChecksumError, DataCheckError):
                pass  # a corrupt copy is fetched again
            else:
                self.results[entry.relative] = FetchResult(entry.relative, "present", str(target))
                return
        self.results[entry.relative] = self._obtain(entry, target)

    def _obtain(self, entry: ManifestEntry, target: Path) -> FetchResult:
        if self.mirror is not None:
            url = _mirror_url(self.mirror, entry.relative)
            self._download_verified(entry, url, target, compress=False)  # a mirror holds the files as stored
            return FetchResult(entry.relative, "downloaded", url)
        if entry.derived_from:
            for relative in entry.derived_from:
                self.run(manifest_entry(relative), force=False)
            build(entry.relative, self.root)
            return FetchResult(entry.relative, "built", "built from " + ", ".join(entry.derived_from))
        if entry.mirror_only:
            reason = f"mirror-only ({entry.note}); copy it into {self.root} or fetch it with --mirror from a copy of a data directory"
            if entry.relative in self.named:
                raise NoSourceError(f"{entry.relative} is {reason}")
            return FetchResult(entry.relative, "unavailable", reason)
        self._download_verified(entry, entry.url, target, compress=entry.storage == "gzip")
        return FetchResult(entry.relative, "downloaded", entry.url)

    def _download_verified(self, entry: ManifestEntry, url: str, target: Path, compress: bool) -> None:
        """Download ``url`` (gzipping it on the way when ``compress``) onto ``target`` once verified."""
        with atomic_path(target) as temporary:
            with open(temporary, "wb") as stream:
                if compress:
                    with gzip_writer(stream) as packed:
                        _download(url, packed, entry.relative, self.progress)  # type: ignore[arg-type]
                else:
                    _download(url, stream, entry.relative, self.progress)
            verify(entry, temporary, thorough=True)


def fetch(
    only: str | Iterable[str] | None = None,
    force: bool = False,
    mirror: str | os.PathLike[str] | None = None,
    progress: bool = True,
    directory: str | Path | None = None,
) -> list[FetchResult]:
    """Download (or build) the selected files into ``directory`` (default: the data directory).

    ``only``: file paths and/or group names (`tgnas.data.manifest.GROUPS`); default: every default entry. Files already
    present with the right content are left alone unless ``force``. ``mirror`` (default
    ``$TGNAS_DATA_MIRROR``) replaces every source by ``{mirror}/{path}``. Inputs of derived files
    are fetched too and reported. Without a mirror, a missing mirror-only file selected through a
    group is reported as "unavailable"; named by its path it raises NoSourceError. Raises
    ChecksumError, DataCheckError, OfflineError or NoSourceError; a failed file never leaves
    anything at its target path.
    """
    entries = select(only)
    base = mirror_base(mirror if mirror is not None else os.environ.get(MIRROR_ENV_VAR))
    root = Path(directory) if directory is not None else data_dir()
    names = set() if only is None else {only} if isinstance(only, str) else set(only)
    fetcher = _Fetcher(root, base, progress, frozenset(e.relative for e in entries if e.relative in names))
    for entry in entries:
        fetcher.run(entry, force=force)
    return list(fetcher.results.values())
