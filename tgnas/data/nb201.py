"""The NAS-Bench-201 table: all 15,625 cells × {cifar10, cifar100, ImageNet16-120}.

Loaded from ``nb201/nb201_all_15625.csv.gz`` in the data directory (see SOURCES.md for how that file
was derived; `tgnas.data.nb201_import` builds the same table from the official benchmark files).
Rows are in the benchmark's own index order, which is how `NB201Table.index_of` maps a cell to its
official index.

Metrics (all accuracies in percent):

* ``test_acc`` / ``val_acc`` at ``epochs=200`` (the paper's ground truth: 200-epoch test accuracy;
  CIFAR-10 test is the model trained on train+valid, evaluated on the test set) or ``epochs=12``
  (the short schedule; never mix the two);
* ``params_M`` (millions, BN affine parameters included), ``flops_M_nbsz`` (millions, NAS-Bench-Suite-
  Zero convention, which counts BN and ReLU — *not* the official NB201 FLOPs), ``zen`` (precomputed
  Zen-NAS score, -1e8 for degenerate cells).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from tgnas.data.integrity import (
    TableSchema,
    check_table,
    data_file_error,
    manifest_relative,
    read_data_file,
)
from tgnas.data.paths import data_file
from tgnas.spaces.nb201 import NB201Cell

TABLE_FILE = "nb201/nb201_all_15625.csv.gz"
DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
SPLITS = ("test", "val")
EPOCHS = (200, 12)
SIZE_METRICS = ("params_M", "flops_M_nbsz", "zen")
N_ROWS = 15_625

#: every column of the table, in file order
COLUMNS = (
    "nb201_index",
    "arch_str",
    "naslib_op_indices",
    *(f"test_acc_200ep_{d}" for d in DATASETS),
    *(f"val_acc_200ep_{d}" for d in DATASETS),
    *(f"{s}_acc_12ep_{d}" for d in DATASETS for s in SPLITS),
    *(f"{m}_{d}" for m in SIZE_METRICS for d in DATASETS),
    "in_nbsz_valid_set",
)


def check_dataset(dataset: str) -> str:
    if dataset not in DATASETS:
        raise ValueError(f"unknown NB201 dataset {dataset!r}; accepted: {', '.join(DATASETS)}")
    return dataset


def accuracy_column(dataset: str = "cifar10", split: str = "test", epochs: int = 200) -> str:
    """Column name of an accuracy, e.g. ``test_acc_200ep_cifar10``; bad arguments name the accepted ones."""
    check_dataset(dataset)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; accepted: {', '.join(SPLITS)}")
    if epochs not in EPOCHS:
        raise ValueError(f"NB201 has accuracies after {EPOCHS} epochs, not {epochs!r}")
    return f"{split}_acc_{epochs}ep_{dataset}"


def metric_column(metric: str, dataset: str = "cifar10") -> str:
    """Column name of a size metric (``params_M``, ``flops_M_nbsz``, ``zen``) for a dataset."""
    check_dataset(dataset)
    if metric not in SIZE_METRICS:
        raise ValueError(f"unknown NB201 metric {metric!r}; accepted: {', '.join(SIZE_METRICS)}")
    return f"{metric}_{dataset}"


class NB201Table:
    """All 15,625 NB201 cells with their benchmark metrics, in official index order."""

    def __init__(self, frame: pd.DataFrame):
        missing = [column for column in COLUMNS if column not in frame.columns]
        if missing:
            raise ValueError(f"NB201 table lacks columns {missing}; expected the columns of {TABLE_FILE}")
        if not np.array_equal(frame["nb201_index"].to_numpy(), np.arange(len(frame))):
            raise ValueError("NB201 table rows must be sorted by nb201_index 0..n-1 without gaps")
        self.frame = frame.set_index("nb201_index", drop=False)
        self._index_by_arch = {arch: i for i, arch in enumerate(self.frame["arch_str"])}

    @classmethod
    def from_csv(cls, path: str | Path) -> NB201Table:
        return cls(pd.read_csv(path))

    def __len__(self) -> int:
        return len(self.frame)

    # -- index <-> cell ------------------------------------------------------------------------
    def index_of(self, arch: NB201Cell | str | int) -> int:
        """Official NB201 index of a cell: a `NB201Cell`, an arch string, or already an index."""
        if isinstance(arch, (int, np.integer)) and not isinstance(arch, bool):
            if not 0 <= int(arch) < len(self):
                raise ValueError(f"NB201 index must be in 0..{len(self) - 1}, got {arch}")
            return int(arch)
        key = str(arch if isinstance(arch, NB201Cell) else NB201Cell.parse(arch))
        return self._index_by_arch[key]

    def indices_of(self, archs: Iterable[NB201Cell | str | int]) -> np.ndarray:
        return np.fromiter((self.index_of(a) for a in archs), dtype=np.int64)

    def join(self, frame: pd.DataFrame, naslib_column: str = "net") -> pd.DataFrame:
        """Key a third-party table by NB201 index, translating its NASLib op tuples to arch strings.

        NASLib's own ``idx`` is *not* the NB201 index, so the join always goes through the arch
        string. Adds ``nb201_index`` and ``arch_str`` columns and sorts by index; a tuple that is not
        an NB201 cell raises ValueError naming it.
        """
        if naslib_column not in frame.columns:
            raise ValueError(f"table has no NASLib tuple column {naslib_column!r}; columns: {list(frame.columns)}")
        arch = [str(NB201Cell.from_naslib_tuple(net)) for net in frame[naslib_column]]
        joined = frame.drop(columns=[naslib_column]).assign(arch_str=arch)
        if joined["arch_str"].duplicated().any():
            duplicate = joined.loc[joined["arch_str"].duplicated(), "arch_str"].iloc[0]
            raise ValueError(f"table lists cell {duplicate} more than once")
        joined.insert(0, "nb201_index", self.indices_of(arch))
        return joined.set_index("nb201_index", drop=False).sort_index()

    def cell_at(self, index: int) -> NB201Cell:
        if not 0 <= int(index) < len(self):
            raise ValueError(f"NB201 index must be in 0..{len(self) - 1}, got {index}")
        return NB201Cell.parse(self.frame["arch_str"].iat[int(index)])

    def cells(self) -> list[NB201Cell]:
        """Every cell, in official index order."""
        return [NB201Cell.parse(s) for s in self.frame["arch_str"]]

    # -- lookups -------------------------------------------------------------------------------
    def accuracy(
        self,
        archs: Iterable[NB201Cell | str | int] | None = None,
        dataset: str = "cifar10",
        split: str = "test",
        epochs: int = 200,
    ) -> np.ndarray:
        """Accuracies (%) of ``archs`` (cells, arch strings or indices; all cells in index order when None)."""
        column = self.frame[accuracy_column(dataset, split, epochs)].to_numpy()
        return column if archs is None else column[self.indices_of(archs)]

    def metric(self, metric: str, archs: Iterable[NB201Cell | str | int] | None = None, dataset: str = "cifar10") -> np.ndarray:
        column = self.frame[metric_column(metric, dataset)].to_numpy()
        return column if archs is None else column[self.indices_of(archs)]

    def query(self, arch: NB201Cell | str) -> dict:
        """Every metric of one cell as a plain dict."""
        return self.frame.iloc[self.index_of(arch)].to_dict()

    def best(self, dataset: str = "cifar10", split: str = "test", epochs: int = 200) -> tuple[NB201Cell, float]:
        """The cell with the highest accuracy and that accuracy (ties: lowest index)."""
        values = self.accuracy(None, dataset, split, epochs)
        index = int(np.argmax(values))
        return self.cell_at(index), float(values[index])


#: what the table file must hold: every column, one row per cell, unique arch strings, no NaN
TABLE_SCHEMA = TableSchema(
    columns={
        name: "int"
        if name == "nb201_index"
        else "str"
        if name in ("arch_str", "naslib_op_indices")
        else "bool"
        if name == "in_nbsz_valid_set"
        else "float"
        for name in COLUMNS
    },
    rows=N_ROWS,
    key="arch_str",
)


def _checked_frame(path: Path, relative: str | None) -> pd.DataFrame:
    frame = check_table(pd.read_csv(path), TABLE_SCHEMA, path, relative)
    out_of_place = np.flatnonzero(frame["nb201_index"].to_numpy() != np.arange(len(frame)))
    if len(out_of_place):
        row = int(out_of_place[0])
        raise data_file_error(path, f"is not in nb201_index order: row {row} holds index {frame['nb201_index'].iat[row]}", relative)
    return frame


@lru_cache(maxsize=4)
def _load_cached(path: str, size: int, mtime_ns: int) -> NB201Table:
    location = Path(path)
    relative = manifest_relative(location)
    return NB201Table(read_data_file(location, lambda p: _checked_frame(p, relative), relative))


def load_nb201_table(path: str | Path | None = None) -> NB201Table:
    """The NB201 table from ``path`` or the data directory, verified (cached per file, size and modification time).

    The file must hold `COLUMNS` with 15,625 rows in index order, unique arch strings and no NaN;
    the data directory's copy must also match its manifest checksum. Anything else raises
    `DataFileError` naming the file, the problem and the repair command.
    """
    if path is not None and (not isinstance(path, (str, Path)) or str(path) == ""):
        raise ValueError(f"path must be the path of an NB201 table file, or None for the data directory's; got {path!r}")
    resolved = Path(path).expanduser() if path is not None else data_file(TABLE_FILE)
    if not resolved.is_file():
        what = "is a directory" if resolved.is_dir() else "does not exist"
        raise FileNotFoundError(f"NB201 table {resolved} {what}")
    stat = resolved.stat()
    return _load_cached(str(resolved.resolve()), stat.st_size, stat.st_mtime_ns)
