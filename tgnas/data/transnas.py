"""TransNAS-Bench-101 labels and precomputed zero-cost proxies (NAS-Bench-Suite-Zero's NASLib files).

Each file, ``transnas101/naslib_zc_transbench101_{micro,macro}.json.gz``, is
``{task: {op_tuple: {idx, arch, val_accuracy, <proxy>: {score, time}, …}}}`` for the seven Taskonomy
tasks (`TASKS`). The micro file covers 711 cells on every task; the macro file 662 networks on
class_scene and class_object and 725 on the other five (`CELLS`). ``op_tuple`` is the space's
NASLib tuple (`tgnas.spaces.transnas_micro`, `tgnas.spaces.transnas_macro`), ``arch`` repeats it,
``idx`` is a sampling index without meaning here.

``val_accuracy`` is each task's validation metric, higher = better (SOURCES.md): top-1 accuracy (%)
for class_scene, class_object and jigsaw, SSIM for autoencoder and normal, pixel accuracy (%) for
segmentsemantic and the *negated* L2 loss for room_layout. A proxy's ``time`` (seconds) is dropped.

NASLib writes `FAILED_SCORE` (−1e8) where a proxy could not be computed (jacov of a cell whose
output is cut off, epe_nas on every task but jigsaw and there on about half the cells); such a
score is NaN here, never a number to rank by.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import numpy as np

from tgnas.data.integrity import content_of, finite_number, load_json, manifest_relative, read_data_file
from tgnas.data.paths import data_file
from tgnas.spaces.transnas_macro import TransNASMacroNet
from tgnas.spaces.transnas_micro import TransNASMicroCell

#: the tasks, in the files' order
TASKS = ("class_scene", "class_object", "autoencoder", "normal", "jigsaw", "room_layout", "segmentsemantic")
#: proxies of every record (alphabetical)
PROXIES = ("epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov", "l2_norm", "nwot", "params", "plain", "snip")
FILES = {
    "micro": "transnas101/naslib_zc_transbench101_micro.json.gz",
    "macro": "transnas101/naslib_zc_transbench101_macro.json.gz",
}
#: records per task in each file (fewer is a truncated file, more is another file)
CELLS = {
    "micro": dict.fromkeys(TASKS, 711),
    "macro": {task: 662 if task in ("class_scene", "class_object") else 725 for task in TASKS},
}
#: NASLib's score of a proxy that failed (module docstring)
FAILED_SCORE = -1e8
_ARCH_TYPES = {"micro": TransNASMicroCell, "macro": TransNASMacroNet}


@dataclass(frozen=True)
class TransNASTask:
    """One task of a file, in file order.

    Attributes:
        archs: the NASLib op tuples.
        val_accuracy: the task's validation metric of each arch (module docstring).
        proxies: proxy name → score of each arch, NaN where NASLib recorded `FAILED_SCORE`.
    """

    archs: tuple[tuple[int, ...], ...]
    val_accuracy: np.ndarray
    proxies: Mapping[str, np.ndarray]


def _frozen(values: list[float]) -> np.ndarray:
    array = np.array(values, dtype=np.float64)
    array.setflags(write=False)
    return array


def _task(space: str, task: str, records: object) -> TransNASTask:
    """One task's records, checked; a ValueError names the first bad one."""
    expected = CELLS[space][task]
    if not isinstance(records, dict) or len(records) != expected:
        size = f"{len(records)} records" if isinstance(records, dict) else type(records).__name__
        raise ValueError(f"task {task} must map {expected} op tuples to records, got {size}")
    archs, labels, scores = [], [], {proxy: [] for proxy in PROXIES}
    for key, record in records.items():
        where = f"record {key} of task {task}"
        try:
            arch = _ARCH_TYPES[space].from_naslib_tuple(key).to_naslib_tuple()
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        if not isinstance(record, dict) or record.get("arch") != key:
            raise ValueError(f"{where} is not an object whose 'arch' repeats its key")
        archs.append(arch)
        labels.append(finite_number(record.get("val_accuracy"), f"val_accuracy of {where}"))
        for proxy in PROXIES:
            entry = record.get(proxy)
            if not isinstance(entry, dict) or "score" not in entry:
                raise ValueError(f"{proxy} of {where} is {entry!r}, not a {{score, time}} object")
            score = finite_number(entry["score"], f"{proxy} score of {where}")
            scores[proxy].append(math.nan if score == FAILED_SCORE else score)
    return TransNASTask(tuple(archs), _frozen(labels), MappingProxyType({proxy: _frozen(values) for proxy, values in scores.items()}))


def _read(path: Path, space: str) -> dict[str, TransNASTask]:
    data = load_json(path)
    if not isinstance(data, dict) or set(data) != set(TASKS):
        found = list(data)[:8] if isinstance(data, dict) else type(data).__name__
        raise ValueError(f"expected a JSON object with the tasks {', '.join(TASKS)}, got {found}")
    return {task: _task(space, task, data[task]) for task in TASKS}


@lru_cache(maxsize=4)
def _load_cached(space: str, path: str, size: int, mtime_ns: int) -> Mapping[str, TransNASTask]:
    location = Path(path)
    relative = manifest_relative(location)

    def read(file: Path) -> dict[str, TransNASTask]:
        with content_of(file, relative):
            return _read(file, space)

    return MappingProxyType(read_data_file(location, read, relative))


def load_transnas(space: str) -> Mapping[str, TransNASTask]:
    """Task → `TransNASTask` of the ``"micro"`` or ``"macro"`` file of the data directory, in `TASKS` order.

    The file is checksummed and checked (cached per file, size and modification time); a damaged
    one raises `DataFileError` naming the file, the problem and the repair command.
    """
    if space not in FILES:
        raise ValueError(f"unknown TransNAS-Bench-101 space {space!r}; accepted: {', '.join(FILES)}")
    path = data_file(FILES[space])
    stat = path.stat()
    return _load_cached(space, str(path.resolve()), stat.st_size, stat.st_mtime_ns)
