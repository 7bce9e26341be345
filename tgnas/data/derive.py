"""Build the derived files of the data directory from the files they are derived from.

Three manifest entries (`tgnas.data.manifest`) are built here rather than downloaded:

* ``nb201/nb201_all_15625.csv.gz`` — `tgnas.data.nb201_import.build_table_from_sources`, gzipped;
* ``nb101/nb101_dummy_30.json`` — NASLib's official-format NB101 pickle as JSON (lists for arrays);
* ``cifar10/cifar10_test_subset1000.npz`` — the first 100 test images of each class from the
  official CIFAR-10 python tarball.

The first two rebuild byte for byte. Builders return the file's bytes; `tgnas.data.fetch.build`
writes them atomically and verifies them. `gzip_bytes` is the gzip storage of manifest entries.
"""

from __future__ import annotations

import gzip
import io
import json
import pickle
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from tgnas.data.integrity import DataFileError
from tgnas.data.nb201_import import build_table_from_sources, table_csv_bytes

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
CIFAR10_SUBSET_PER_CLASS = 100


class DataCheckError(DataFileError):
    """A file's content is not what its format requires (an input of a derived file, or a file
    that is checked by its content because it has no pinned checksum)."""


def gzip_writer(sink: BinaryIO) -> gzip.GzipFile:
    """A gzip stream into ``sink`` with header time 0 and no file name, so equal input gives equal bytes."""
    return gzip.GzipFile(fileobj=sink, mode="wb", filename="", mtime=0)


def gzip_bytes(data: bytes) -> bytes:
    """``data`` gzipped by `gzip_writer` (reproducible header)."""
    buffer = io.BytesIO()
    with gzip_writer(buffer) as stream:
        stream.write(data)
    return buffer.getvalue()


def _plain(value: Any) -> Any:
    """JSON-ready copy: numpy arrays and scalars become lists and Python numbers."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def nb101_official_pickle_to_json(pickle_path: str | Path) -> bytes:
    """NASLib's official-format NB101 pickle as JSON: ``{hash: {**fixed, "computed_metrics": {...}}}``."""
    with open(pickle_path, "rb") as stream:
        records = pickle.load(stream)  # pinned by sha256 before it is read
    if not isinstance(records, dict):
        raise DataCheckError(f"{pickle_path}: expected a dict {{hash: (fixed, computed)}}, got {type(records).__name__}")
    converted = {}
    for module_hash, record in records.items():
        if not (isinstance(record, tuple) and len(record) == 2):
            raise DataCheckError(f"{pickle_path}: record {module_hash!r} must be a (fixed, computed) pair")
        fixed, computed = record
        converted[module_hash] = {**_plain(fixed), "computed_metrics": _plain(computed)}
    return json.dumps(converted).encode()


def _unpickle_member(archive: tarfile.TarFile, name: str) -> Any:
    try:
        member = archive.extractfile(name)
    except KeyError:
        raise DataCheckError(f"{archive.name} has no member {name!r}; expected the official cifar-10-python.tar.gz") from None
    assert member is not None
    return pickle.load(member, encoding="bytes")  # the tarball is pinned by its published md5


def cifar10_subset_from_python_tarball(tarball: str | Path, per_class: int = CIFAR10_SUBSET_PER_CLASS) -> bytes:
    """The test subset (.npz bytes): the first ``per_class`` test images of each class, in file order."""
    with tarfile.open(tarball, "r:gz") as archive:
        batch = _unpickle_member(archive, "cifar-10-batches-py/test_batch")
        meta = _unpickle_member(archive, "cifar-10-batches-py/batches.meta")
    data = np.asarray(batch[b"data"], dtype=np.uint8)
    labels = np.asarray(batch[b"labels"])
    names = tuple(name.decode() for name in meta[b"label_names"])
    if names != CIFAR10_CLASSES:
        raise DataCheckError(f"{tarball}: class names {names} are not CIFAR-10's {CIFAR10_CLASSES}")
    picks = []
    for label in range(len(names)):
        rows = np.flatnonzero(labels == label)[:per_class]
        if len(rows) < per_class:
            raise DataCheckError(f"{tarball}: class {names[label]!r} has {len(rows)} test images, need {per_class}")
        picks.append(rows)
    chosen = np.concatenate(picks)
    # a row stores the 1024 red, then green, then blue values of a 32x32 image
    x = data[chosen].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x=np.ascontiguousarray(x), y=labels[chosen].astype(np.uint8), classes=np.array(names))
    return buffer.getvalue()


def _nb201_table_gz(root: Path) -> bytes:
    return gzip_bytes(table_csv_bytes(build_table_from_sources(root)))


_BUILDERS: dict[str, Callable[[Path], bytes]] = {
    "nb201/nb201_all_15625.csv.gz": _nb201_table_gz,
    "nb101/nb101_dummy_30.json": lambda root: nb101_official_pickle_to_json(root / "nb101/naslib_nb101_dummy_30.pkl"),
    "cifar10/cifar10_test_subset1000.npz": lambda root: cifar10_subset_from_python_tarball(root / "cifar10/cifar-10-python.tar.gz"),
}

#: The manifest paths this module builds.
DERIVED_FILES: tuple[str, ...] = tuple(_BUILDERS)


def derived_bytes(relative: str, directory: str | Path) -> bytes:
    """Content of the derived file ``relative``, built from its inputs inside ``directory``."""
    if relative not in _BUILDERS:
        raise ValueError(f"{relative} is not a derived file; derived files: {', '.join(DERIVED_FILES)}")
    return _BUILDERS[relative](Path(directory))
