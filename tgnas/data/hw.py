"""HW-NAS-Bench (Li et al., ICLR 2021) latency and energy of every NB201 cell on six devices.

Files ``hw_nas_bench/hw_{dataset}.csv.gz``; units as in HW-NAS-Bench: latency in ms, energy in mJ.
Rows are keyed by NASLib op tuples in the files and are joined to NB201 cells by arch string.
The source marks values it does not have with -1 (``edgetpu_latency`` of 4,699 cells); they are
returned as NaN so that no constraint or correlation mistakes them for a real -1 ms.
"""

from __future__ import annotations

import pandas as pd

from tgnas.data.integrity import TableSchema, content_of, read_table
from tgnas.data.nb201 import NB201Table, check_dataset, load_nb201_table
from tgnas.data.paths import data_file

HW_METRICS = (
    "edgegpu_latency",
    "edgegpu_energy",
    "raspi4_latency",
    "edgetpu_latency",
    "pixel3_latency",
    "eyeriss_latency",
    "eyeriss_energy",
    "eyeriss_arithmetic_intensity",
    "fpga_latency",
    "fpga_energy",
)
MISSING = -1  # the source's marker for "not measured"
#: one row per NB201 cell keyed by NASLib tuple; a value not measured is -1 in the file, never NaN
HW_SCHEMA = TableSchema(columns={"net": "str", **dict.fromkeys(HW_METRICS, "float")}, rows=15_625, key="net")
DEVICES = ("edgegpu", "raspi4", "edgetpu", "pixel3", "eyeriss", "fpga")


def hw_metric(device: str, kind: str = "latency") -> str:
    """Column name for a device and a kind (``latency``/``energy``), e.g. ``edgegpu_latency``."""
    name = f"{device}_{kind}"
    if name not in HW_METRICS:
        raise ValueError(f"HW-NAS-Bench has no {kind!r} for device {device!r}; accepted: {', '.join(HW_METRICS)}")
    return name


def load_hw_metrics(dataset: str = "cifar10", table: NB201Table | None = None) -> pd.DataFrame:
    """All 15,625 cells × `HW_METRICS` for one dataset, indexed by NB201 index (with ``arch_str``)."""
    check_dataset(dataset)
    relative = hw_file(dataset)
    raw = read_table(relative, HW_SCHEMA)
    values = raw[list(HW_METRICS)]
    raw[list(HW_METRICS)] = values.mask(values == MISSING)
    with content_of(data_file(relative), relative):  # a NASLib tuple that is not an NB201 cell
        return (table or load_nb201_table()).join(raw[["net", *HW_METRICS]])


def hw_file(dataset: str) -> str:
    return f"hw_nas_bench/hw_{check_dataset(dataset)}.csv.gz"
