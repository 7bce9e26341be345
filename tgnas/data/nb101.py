"""NAS-Bench-101 labels from its three file formats, as one record type.

Every reader returns `NB101Record` values with **accuracies in percent (0–100)**. The official files
store fractions (they are multiplied by 100 here); NASLib's JSON already stores percent. A record's
labels are the **mean over the runs available at the requested epoch budget** (108 by default):
the official benchmark trained every cell 3 times; NASLib's file keeps a single run.

Readers:

* `read_nb101_tfrecord` — the official ``nasbench_only108.tfrecord`` / ``nasbench_full.tfrecord``
  (one record per run; read with the pure-Python TFRecord/protobuf code of `tgnas.data.tfrecord`).
* `read_nb101_official_json` / `read_nb101_pickle` — the official per-hash dict (as in
  ``nb101/nb101_dummy_30.json`` and NASLib's ``nb101_dummy.pkl``).
* `read_naslib_nb101_json` — NAS-Bench-Suite-Zero's ``zc_nasbench101.json`` (500 cells here), which
  also holds precomputed zero-cost proxies: they go to `NB101Record.proxies`.

`load_nb101` opens the files of the data directory by name, or any file by path.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import pickle
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from tgnas.data.integrity import (
    content_of,
    data_file_error,
    describe,
    load_json,
    manifest_relative,
    read_data_file,
    reading,
)
from tgnas.data.paths import data_file
from tgnas.data.tfrecord import (
    FIXED64,
    LENGTH_DELIMITED,
    VARINT,
    as_signed64,
    decode_double,
    decode_message,
    iter_records,
)
from tgnas.spaces.nb101 import NB101Cell

#: named sources of `load_nb101`: name → file in the data directory
SOURCES = {
    "naslib500": "nb101/naslib_zc_nasbench101_500.json.gz",
    "official30": "nb101/nb101_dummy_30.json",
}
#: epoch budgets of the official benchmark
EPOCH_BUDGETS = (4, 12, 36, 108)

_HASH_PATTERN = re.compile(r"[0-9a-f]{32}")
#: the per-run keys of the official dict format that a record is built from
_RUN_KEYS = ("final_validation_accuracy", "final_test_accuracy", "final_training_time")


@dataclass(frozen=True)
class NB101Record:
    """Benchmark labels of one NB101 cell.

    Attributes:
        cell: the (pruned) cell.
        hash: the benchmark's 32-hex key, equal to ``cell.graph_hash()``.
        params: trainable parameters of the network (None where the source lacks them).
        val_acc: validation accuracy in percent, mean over ``n_runs`` runs.
        test_acc: test accuracy in percent, mean over the runs (None where the source lacks it).
        train_time: training time in seconds, mean over the runs (None where the source lacks it).
        n_runs: how many training runs the labels average.
        proxies: precomputed zero-cost proxy scores by name (only NASLib's file has them; there
            ``params`` is in millions and ``flops`` in MFLOPs, both counted by NAS-Bench-Suite-Zero).
    """

    cell: NB101Cell
    hash: str
    params: int | None
    val_acc: float
    test_acc: float | None
    train_time: float | None
    n_runs: int
    proxies: Mapping[str, float] = field(default_factory=dict, hash=False)


# -- official TFRecord ---------------------------------------------------------------------------
@dataclass(slots=True)
class _Runs:
    """The runs of one hash collected while scanning a TFRecord file."""

    raw_adjacency: str
    raw_operations: str
    params: int
    val_accs: list[float] = field(default_factory=list)
    test_accs: list[float] = field(default_factory=list)
    train_times: list[float] = field(default_factory=list)


def read_nb101_tfrecord(
    path: str | Path,
    epochs: int = 108,
    verify_data_crc: bool = False,
    verify_hashes: bool = False,
    show_progress: bool | None = None,
) -> Iterator[NB101Record]:
    """Records of an official NB101 TFRecord file at an epoch budget, one per cell hash.

    Each file record is one training run: a JSON list ``[hash, epochs, adjacency digits,
    comma-separated ops, base64 ModelMetrics protobuf]``. The labels are those of the run's last
    evaluation (after ``epochs`` epochs), averaged over the runs of the hash. The whole file is
    scanned when the first record is requested (a hash's runs need not be adjacent); cells are then
    built lazily. ``verify_data_crc`` checks every record's data CRC, ``verify_hashes`` recomputes
    every graph hash (each adds about half a minute for the 500 MB ``nasbench_only108`` file, which
    takes about a minute without them). ``show_progress=None`` shows a progress bar only on a terminal.
    """
    if epochs not in EPOCH_BUDGETS:
        raise ValueError(f"NB101 epoch budget {epochs!r}; accepted: {', '.join(map(str, EPOCH_BUDGETS))}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"NB101 TFRecord file {path} does not exist")
    return _iter_tfrecord(path, epochs, verify_data_crc, verify_hashes, show_progress)


def _iter_tfrecord(
    path: Path, epochs: int, verify_data_crc: bool, verify_hashes: bool, show_progress: bool | None
) -> Iterator[NB101Record]:
    relative = manifest_relative(path)
    with reading(path, relative), content_of(path, relative):
        yield from _scan_tfrecord(path, epochs, verify_data_crc, verify_hashes, show_progress)


def _scan_tfrecord(
    path: Path, epochs: int, verify_data_crc: bool, verify_hashes: bool, show_progress: bool | None
) -> Iterator[NB101Record]:
    runs: dict[str, _Runs] = {}
    budgets_seen: set[int] = set()
    with tqdm(
        total=path.stat().st_size,
        unit="B",
        unit_scale=True,
        desc=f"reading {path.name}",
        disable=None if show_progress is None else not show_progress,
    ) as bar:
        for index, payload in enumerate(iter_records(path, verify_data_crc, progress=bar.update)):
            where = f"record {index} of {path}"
            module_hash, budget, raw_adjacency, raw_operations, raw_metrics = _parse_payload(payload, where)
            budgets_seen.add(budget)
            if budget != epochs:
                continue
            params, val_acc, test_acc, train_time = _parse_model_metrics(raw_metrics, where)
            entry = runs.get(module_hash)
            if entry is None:
                entry = runs[module_hash] = _Runs(raw_adjacency, raw_operations, params)
            elif not _same_cell(entry, raw_adjacency, raw_operations, params, where):
                raise ValueError(f"{where}: hash {module_hash} was seen before with another cell or parameter count")
            entry.val_accs.append(val_acc)
            entry.test_accs.append(test_acc)
            entry.train_times.append(train_time)
    if not runs:
        found = ", ".join(map(str, sorted(budgets_seen))) or "none (the file has no records)"
        raise ValueError(f"{path} has no runs at {epochs} epochs; epoch budgets in the file: {found}")
    for module_hash, entry in runs.items():
        where = f"hash {module_hash} in {path}"
        cell = _cell_from_raw(entry.raw_adjacency, entry.raw_operations, where)
        if verify_hashes:
            _check_hash(cell, module_hash, str(path))
        yield NB101Record(
            cell=cell,
            hash=module_hash,
            params=entry.params,
            val_acc=_mean_percent(entry.val_accs, where),
            test_acc=_mean_percent(entry.test_accs, where),
            train_time=float(np.mean(entry.train_times)),
            n_runs=len(entry.val_accs),
        )


def _same_cell(entry: _Runs, raw_adjacency: str, raw_operations: str, params: int, where: str) -> bool:
    """Whether a run describes the cell already stored for its hash (the same graph, maybe renumbered)."""
    if params != entry.params:
        return False
    if (raw_adjacency, raw_operations) == (entry.raw_adjacency, entry.raw_operations):
        return True
    stored = _cell_from_raw(entry.raw_adjacency, entry.raw_operations, where)
    return _cell_from_raw(raw_adjacency, raw_operations, where).graph_hash() == stored.graph_hash()


def _parse_payload(payload: bytes, where: str) -> tuple[str, int, str, str, str]:
    try:
        row = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{where} is not an NB101 JSON payload ({error})") from None
    if not (isinstance(row, list) and len(row) == 5):
        raise ValueError(f"{where} must be a JSON list [hash, epochs, adjacency, operations, metrics], got {str(row)[:80]!r}")
    module_hash, budget, raw_adjacency, raw_operations, raw_metrics = row
    if not (isinstance(module_hash, str) and _HASH_PATTERN.fullmatch(module_hash)):
        raise ValueError(f"{where}: module hash {module_hash!r} is not 32 lowercase hex digits")
    if isinstance(budget, bool) or not isinstance(budget, int):
        raise ValueError(f"{where}: epochs {budget!r} is not an integer")
    for name, value in (("adjacency", raw_adjacency), ("operations", raw_operations), ("metrics", raw_metrics)):
        if not isinstance(value, str):
            raise ValueError(f"{where}: {name} must be a string, got {value!r}")
    return module_hash, budget, raw_adjacency, raw_operations, raw_metrics


def _parse_model_metrics(raw_metrics: str, where: str) -> tuple[int, float, float, float]:
    """``(params, final val acc, final test acc, final training time)`` from a base64 ModelMetrics.

    ModelMetrics: 1 repeated EvaluationData, 2 int32 trainable_parameters, 3 double total_time.
    EvaluationData: 1 double current_epoch, 2 double training_time, 3 double train_accuracy,
    4 double validation_accuracy, 5 double test_accuracy, 6 string checkpoint_path.
    """
    try:
        message = base64.b64decode(raw_metrics, validate=True)
    except binascii.Error as error:
        raise ValueError(f"{where}: metrics are not valid base64 ({error})") from None
    try:
        evaluations: list[bytes] = []
        params = None
        for number, wire_type, value in decode_message(message):
            if number == 1:
                evaluations.append(_expect(value, wire_type, LENGTH_DELIMITED, "ModelMetrics.evaluation_data"))
            elif number == 2:
                params = as_signed64(_expect(value, wire_type, VARINT, "ModelMetrics.trainable_parameters"))
        if not evaluations:
            raise ValueError("ModelMetrics has no evaluation_data")
        if params is None:
            raise ValueError("ModelMetrics has no trainable_parameters")
        final: dict[int, float] = {}
        for number, wire_type, value in decode_message(evaluations[-1]):
            if number in (2, 4, 5):
                final[number] = decode_double(_expect(value, wire_type, FIXED64, f"EvaluationData field {number}"))
        missing = [name for number, name in ((2, "training_time"), (4, "validation_accuracy"), (5, "test_accuracy")) if number not in final]
        if missing:
            raise ValueError(f"final EvaluationData lacks {', '.join(missing)}")
    except ValueError as error:
        raise ValueError(f"{where}: bad ModelMetrics protobuf: {error}") from None
    return params, final[4], final[5], final[2]


def _expect(value: Any, wire_type: int, expected: int, name: str) -> Any:
    if wire_type != expected:
        raise ValueError(f"{name} has wire type {wire_type}, expected {expected}")
    return value


def _cell_from_raw(raw_adjacency: str, raw_operations: str, where: str) -> NB101Cell:
    """A cell from the TFRecord strings: n*n digits row by row, and comma-separated op names."""
    n = math.isqrt(len(raw_adjacency))
    if n * n != len(raw_adjacency) or not set(raw_adjacency) <= {"0", "1"}:
        raise ValueError(f"{where}: adjacency {raw_adjacency!r} must be n*n digits 0/1")
    matrix = np.array([int(digit) for digit in raw_adjacency], dtype=np.uint8).reshape(n, n)
    try:
        return NB101Cell(matrix, tuple(raw_operations.split(",")))
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


# -- official dict format (JSON and pickle) ------------------------------------------------------
def _official_json(path: Path, epochs: int) -> list[NB101Record]:
    """Records of a JSON file ``{hash: {module_adjacency, module_operations, trainable_parameters,
    computed_metrics: {"108": [run, …]}}}`` (``nb101/nb101_dummy_30.json``), in file order."""
    data = _load_json(Path(path))
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object {{hash: record}}, got {type(data).__name__}")
    entries = []
    for module_hash, entry in data.items():
        if not isinstance(entry, dict) or "computed_metrics" not in entry:
            raise ValueError(f"entry {module_hash!r} of {path} must be an object with computed_metrics")
        entries.append((module_hash, entry, entry["computed_metrics"]))
    return _records_from_official(entries, epochs, str(path))


def _official_pickle(path: Path, epochs: int) -> list[NB101Record]:
    """Records of the official ``{hash: (fixed_stats, {epochs: [run, …]})}`` dict pickled by NASLib
    (``nb101/naslib_nb101_dummy_30.pkl``), in file order.

    Unpickling can run arbitrary code: only open trusted files (the JSON form needs no pickle).
    """
    with open(path, "rb") as handle:
        try:
            data = pickle.load(handle)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError) as error:
            raise ValueError(f"{path} is not a readable NB101 pickle ({type(error).__name__}: {error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a dict {{hash: (fixed, computed)}}, got {type(data).__name__}")
    entries = []
    for module_hash, entry in data.items():
        if not (isinstance(entry, tuple) and len(entry) == 2):
            raise ValueError(f"entry {module_hash!r} of {path} must be a (fixed_stats, computed_stats) pair")
        entries.append((module_hash, entry[0], entry[1]))
    return _records_from_official(entries, epochs, str(path))


def _records_from_official(entries: Iterable[tuple[Any, Any, Any]], epochs: int, source: str) -> list[NB101Record]:
    records = []
    for module_hash, fixed, computed in entries:
        where = f"hash {module_hash!r} in {source}"
        if not (isinstance(module_hash, str) and _HASH_PATTERN.fullmatch(module_hash)):
            raise ValueError(f"{where}: the key is not 32 lowercase hex digits")
        if not isinstance(fixed, Mapping) or not isinstance(computed, Mapping):
            raise ValueError(f"{where}: fixed and computed stats must be dicts")
        missing = [key for key in ("module_adjacency", "module_operations", "trainable_parameters") if key not in fixed]
        if missing:
            raise ValueError(f"{where} lacks {', '.join(missing)}")
        try:
            cell = NB101Cell(np.asarray(fixed["module_adjacency"]), fixed["module_operations"])
        except (TypeError, ValueError) as error:
            raise ValueError(f"{where}: {error}") from None
        _check_hash(cell, module_hash, source)
        # JSON keys are strings, pickle keys ints
        runs = computed.get(epochs, computed.get(str(epochs)))
        if not runs:
            found = ", ".join(str(key) for key in computed) or "none"
            raise ValueError(f"{where} has no runs at {epochs} epochs; epoch budgets present: {found}")
        columns = {key: [] for key in _RUN_KEYS}
        for run_index, run in enumerate(runs):
            for key in _RUN_KEYS:
                if not isinstance(run, Mapping) or key not in run:
                    raise ValueError(f"{where}: run {run_index} at {epochs} epochs lacks {key!r}")
                value = run[key]
                if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
                    raise ValueError(f"{where}: run {run_index} has non-numeric {key} {value!r}")
                columns[key].append(float(value))
        records.append(
            NB101Record(
                cell=cell,
                hash=module_hash,
                params=int(fixed["trainable_parameters"]),
                val_acc=_mean_percent(columns["final_validation_accuracy"], where),
                test_acc=_mean_percent(columns["final_test_accuracy"], where),
                train_time=float(np.mean(columns["final_training_time"])),
                n_runs=len(runs),
            )
        )
    return records


# -- NASLib / NAS-Bench-Suite-Zero JSON ----------------------------------------------------------
def _naslib_json(path: Path, dataset: str) -> list[NB101Record]:
    """Records of NAS-Bench-Suite-Zero's ``{"nasbench101": {dataset: {tuple: {val_accuracy, <proxy>…}}}}``.

    One record per entry, in file order. The keys are NASLib tuples of *unpruned* specs, so
    several entries can be the same cell (the 500-entry file holds fewer distinct hashes); each
    keeps its own single-run ``val_accuracy`` (percent, ``n_runs=1``). The other numbers of an entry
    are zero-cost proxy scores and go to ``proxies``; ``params``, ``test_acc`` and ``train_time``
    are None (NASLib's ``params`` is a proxy in millions, not the benchmark's count).
    """
    data = _load_json(Path(path))
    if not isinstance(data, dict) or "nasbench101" not in data:
        raise ValueError(f"{path} is not a NASLib NB101 file: expected a top-level key 'nasbench101'")
    per_dataset = data["nasbench101"]
    if dataset not in per_dataset:
        raise ValueError(f"{path} has no NB101 dataset {dataset!r}; accepted: {', '.join(per_dataset)}")
    records = []
    for key, entry in per_dataset[dataset].items():
        where = f"entry {key!r} of {path}"
        try:
            cell = NB101Cell.from_naslib_tuple(key)
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        if not isinstance(entry, Mapping) or "val_accuracy" not in entry:
            raise ValueError(f"{where} lacks 'val_accuracy'")
        val_acc = _percent(entry["val_accuracy"], where)
        proxies = {}
        for name, score in entry.items():
            if name != "val_accuracy":
                if isinstance(score, bool) or not isinstance(score, (int, float)):
                    raise ValueError(f"{where}: proxy {name!r} has non-numeric score {score!r}")
                proxies[name] = float(score)
        records.append(
            NB101Record(
                cell=cell,
                hash=cell.graph_hash(),
                params=None,
                val_acc=val_acc,
                test_acc=None,
                train_time=None,
                n_runs=1,
                proxies=proxies,
            )
        )
    if records and max(record.val_acc for record in records) <= 1.0:
        raise ValueError(f"every val_accuracy in {path} lies in [0, 1]: these look like fractions, but NASLib files store percent")
    return records


def read_nb101_official_json(path: str | Path, epochs: int = 108) -> list[NB101Record]:
    """Records of an official-format JSON file (`_official_json`); a bad file raises `DataFileError`."""
    return _read_verified(path, lambda p: _official_json(p, epochs))


def read_nb101_pickle(path: str | Path, epochs: int = 108) -> list[NB101Record]:
    """Records of an official-format pickle (`_official_pickle`); a bad file raises `DataFileError`.

    Unpickling can run arbitrary code: only open trusted files. The data directory's pickle is
    unpickled only once its checksum matches.
    """
    return _read_verified(path, lambda p: _official_pickle(p, epochs), trusted_only=True)


def read_naslib_nb101_json(path: str | Path, dataset: str = "cifar10") -> list[NB101Record]:
    """Records of NAS-Bench-Suite-Zero's NB101 JSON (`_naslib_json`); a bad file raises `DataFileError`."""
    return _read_verified(path, lambda p: _naslib_json(p, dataset))


def _read_verified(path: str | Path, read: Callable[[Path], list[NB101Record]], trusted_only: bool = False) -> list[NB101Record]:
    """``read(path)`` with the checksum of a data-directory file verified and any content problem as `DataFileError`."""
    location = Path(path)
    relative = manifest_relative(location)

    def checked(file: Path) -> list[NB101Record]:
        with content_of(file, relative):
            return read(file)

    return read_data_file(location, checked, relative, trusted_only)


# -- entry point ---------------------------------------------------------------------------------
#: how many records each named source holds (a file with another count is damaged)
SOURCE_RECORDS = {"naslib500": 500, "official30": 30}
_READERS_BY_SUFFIX: dict[str, Callable[[Path], list[NB101Record]]] = {
    ".tfrecord": lambda path: list(read_nb101_tfrecord(path)),
    ".pkl": read_nb101_pickle,
    ".pickle": read_nb101_pickle,
}


def load_nb101(source: str | Path = "naslib500") -> list[NB101Record]:
    """NB101 records from a named file of the data directory or from a path.

    Names: ``"naslib500"`` (500 NASLib cells with proxies, one run each) and ``"official30"``
    (30 official cells, 3 runs each). A path is read by its suffix: ``.tfrecord``, ``.pkl`` /
    ``.pickle``, or ``.json`` / ``.json.gz`` (NASLib or official format, told apart by content).
    """
    if isinstance(source, str) and source in SOURCES:
        records = load_nb101(data_file(SOURCES[source]))
        if len(records) != SOURCE_RECORDS[source]:
            raise data_file_error(
                data_file(SOURCES[source]), f"holds {len(records)} NB101 records, expected {SOURCE_RECORDS[source]}", SOURCES[source]
            )
        return records
    path = Path(source)
    suffix = ".json" if path.name.endswith((".json", ".json.gz")) else path.suffix
    if suffix != ".json" and suffix not in _READERS_BY_SUFFIX:
        raise ValueError(
            f"unknown NB101 source {str(source)!r}; accepted: {', '.join(SOURCES)}, or a path to a "
            ".tfrecord, .pkl, .pickle, .json or .json.gz file"
        )
    if not path.is_file():
        raise FileNotFoundError(f"NB101 file {path} does not exist")
    if suffix in _READERS_BY_SUFFIX:
        return _READERS_BY_SUFFIX[suffix](path)
    with reading(path, manifest_relative(path)):  # a JSON file that does not parse is named before its format is guessed
        data = _load_json(path)
    if isinstance(data, dict) and "nasbench101" in data:
        return read_naslib_nb101_json(path)
    return read_nb101_official_json(path)


# -- helpers -------------------------------------------------------------------------------------
def _load_json(path: Path) -> Any:
    """Parse a JSON file, gunzipping it first when it starts with the gzip magic bytes."""
    try:
        return load_json(path)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is not a (gzipped) JSON file: it {describe(error)}") from None


def _check_hash(cell: NB101Cell, module_hash: str, source: str) -> None:
    if cell.graph_hash() != module_hash:
        raise ValueError(f"hash {module_hash} in {source} does not match its cell {cell} (graph hash {cell.graph_hash()})")


def _percent(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise ValueError(f"{where}: accuracy {value!r} is not a percentage in [0, 100]")
    return float(value)


def _mean_percent(fractions: list[float], where: str) -> float:
    """Mean of accuracies stored as fractions, in percent; a value outside [0, 1] is an error."""
    for value in fractions:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{where}: accuracy {value!r} is not a fraction in [0, 1]")
    return 100.0 * float(np.mean(fractions))
