"""NAS-Bench-Suite-Zero's NB301 file: 493 DARTS cells with a CIFAR-10 label and 11 zero-cost proxies.

``nb301/naslib_zc_nasbench301_493.json.gz`` is ``{"nasbench301": {"cifar10": {key: record}}}``:
each key is a NASLib compact genotype (`tgnas.spaces.darts.DartsGenotype.from_naslib_tuple`), each
record holds ``val_accuracy`` (%) and the `PROXIES` as plain numbers. ``params`` is in millions and
counts NASLib's NB301 network (not the DARTS evaluation network: see `tgnas.spaces.darts`);
``flops`` is NB-SZ's count in millions on that network.

**The label's origin** (SOURCES.md): NASLib's NB301 query returns the real NB301 training value for
cells of that data and the NB301 v1.0 surrogate's prediction otherwise, and the file does not say
which. Treat the labels as NB-SZ's NB301 labels, independent of the YAHPO surrogate of
`tgnas.data.nb301` (which agrees with them only moderately, Kendall τ ≈ 0.4), not as certified runs.

`load_nbsz301` verifies the file (checksum for the data directory's copy, then content: 493 cells,
every record complete and finite, distinct genotypes) and caches the result per file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from tgnas.data.integrity import content_of, finite_number, load_json, manifest_relative, read_data_file
from tgnas.data.paths import data_file
from tgnas.spaces.darts import DartsGenotype

NBSZ301_FILE = "nb301/naslib_zc_nasbench301_493.json.gz"
N_CELLS = 493
DATASET = "cifar10"
#: the file's proxies, in NAS-Bench-Suite-Zero's order
PROXIES = ("flops", "params", "snip", "jacov", "grad_norm", "plain", "epe_nas", "fisher", "grasp", "l2_norm", "synflow")
LABEL = "val_accuracy"


@dataclass(frozen=True)
class NBSZ301:
    """The file's cells in file order: genotypes, labels (%) and each proxy as a read-only float64 array."""

    genotypes: tuple[DartsGenotype, ...]
    val_accuracy: np.ndarray
    proxies: Mapping[str, np.ndarray]


def _parse(path: Path) -> NBSZ301:
    """The content of ``path``; ValueError naming the first problem."""
    data = load_json(path)
    records = data.get("nasbench301", {}).get(DATASET) if isinstance(data, dict) else None
    if not isinstance(records, dict):
        raise ValueError(f'expected a JSON object {{"nasbench301": {{"{DATASET}": {{genotype: record}}}}}}')
    if len(records) != N_CELLS:
        raise ValueError(f"holds {len(records)} cells, expected {N_CELLS}")
    genotypes, rows = [], []
    for key, record in records.items():
        try:
            genotype = DartsGenotype.from_naslib_tuple(key)
        except ValueError as error:
            raise ValueError(f"key {key[:60]!r}: {error}") from None
        if not isinstance(record, dict) or sorted(record) != sorted((LABEL, *PROXIES)):
            found = sorted(record) if isinstance(record, dict) else type(record).__name__
            raise ValueError(f"cell {key[:60]!r} must hold exactly {LABEL} and {', '.join(PROXIES)}; it holds {found}")
        rows.append([finite_number(record[name], f"{name} of cell {key[:60]!r}") for name in (LABEL, *PROXIES)])
        genotypes.append(genotype)
    if len(set(genotypes)) != len(genotypes):
        raise ValueError("two keys are the same genotype (they differ only in the order of a node's two pairs)")
    values = np.array(rows)
    values.setflags(write=False)  # the result is cached and shared: nobody may change it in place
    if not (values[:, 0] >= 0).all() or not (values[:, 0] <= 100).all() or values[:, 0].max() <= 1:
        raise ValueError(
            f"{LABEL} must be percentages in [0, 100] (not fractions); the values span {values[:, 0].min()}..{values[:, 0].max()}"
        )
    proxies = {name: values[:, column + 1] for column, name in enumerate(PROXIES)}
    return NBSZ301(tuple(genotypes), values[:, 0], proxies)


@lru_cache(maxsize=4)
def _load_cached(path: str, size: int, mtime_ns: int) -> NBSZ301:
    location = Path(path)
    relative = manifest_relative(location)

    def checked(file: Path) -> NBSZ301:
        with content_of(file, relative):
            return _parse(file)

    return read_data_file(location, checked, relative)


def load_nbsz301(path: str | Path | None = None) -> NBSZ301:
    """The NB-SZ NB301 file at ``path`` or the data directory's, verified (cached per file, size and modification time).

    A damaged file or bad content raises `DataFileError` on one line naming the file and the problem.
    """
    location = Path(path) if path is not None else data_file(NBSZ301_FILE)
    if not location.is_file():
        raise FileNotFoundError(f"NB-SZ NB301 file {location} {'is a directory' if location.is_dir() else 'does not exist'}")
    stat = location.stat()
    return _load_cached(str(location.resolve()), stat.st_size, stat.st_mtime_ns)
