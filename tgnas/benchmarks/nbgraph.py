"""NAS-Bench-Graph (Qin et al., NeurIPS 2022): the 26,206 `nbgraph` architectures trained on nine graph datasets.

Source: the pinned PyPI package ``nas-bench-graph`` ships one pickle per dataset (``light/<dataset>.bench``,
read with its ``light_read``): a dict from an architecture's key (`NBGraphArch.benchmark_key`, the
package's ``valid_hash``) to ``perf``, ``valid_perf``, ``latency`` and ``para``.

Labels: fractions in [0, 1], higher is better, each the mean of the benchmark's three runs (on
Cora, CiteSeer and PubMed every value is a multiple of 1/3000: three runs on 1,000 test nodes).
`labels` is the test value (``perf``), `train_labels` the validation value (``valid_perf``).

* ``cora``, ``citeseer``, ``pubmed`` (Planetoid), ``cs``, ``physics`` (Coauthor), ``photo``,
  ``computers`` (Amazon), ``arxiv`` (ogbn-arxiv): node-classification accuracy.
* ``proteins`` (ogbn-proteins, 112 binary tasks): ROC-AUC. The package does not name the metric;
  ROC-AUC is OGB's for this dataset, and the values (test 0.67–0.79) fit it.

Coverage: every architecture on the first eight datasets. ``proteins`` has 2,021: exactly those whose
ops are all ``gcn``, ``sage``, ``arma``, ``fc`` or ``skip`` (the package's ``gnn_list_proteins``);
the others are NaN there. Its keys are the same hash as the other datasets' (the package's
proteins-specific hash variant is not what its tables use).

Precomputed values: ``zero_cost(dataset, "params")`` is ``para``, the parameter count (millions) of
the network as trained on that dataset (input and output widths and the tuned hidden size differ
per dataset, so it does too). `NBGraphBenchmark.latency` is ``latency``, the trained network's
measured inference time (seconds, by its magnitude): a hardware measurement, not a zero-cost proxy,
so it is not listed among the proxies.
"""

from __future__ import annotations

import functools
from functools import cached_property

import numpy as np

from tgnas.benchmarks.base import Benchmark
from tgnas.data.integrity import DataFileError
from tgnas.spaces.nbgraph import NBGraphSpace

DATASETS = ("cora", "citeseer", "pubmed", "cs", "physics", "photo", "computers", "arxiv", "proteins")
#: our name → the package's field, for every value a table entry carries
_FIELDS = {"test": "perf", "valid": "valid_perf", "params": "para", "latency": "latency"}
_PACKAGE = "nas-bench-graph==1.4.0"


@functools.cache  # the key order of the space's enumeration, shared by every benchmark instance
def _positions() -> dict[int, int]:
    return {arch.benchmark_key: position for position, arch in enumerate(NBGraphSpace().all_cells())}


def _read_table(dataset: str) -> dict:
    try:
        from nas_bench_graph import light_read  # the benchmark's data ship inside this package; only this loader needs it
    except ImportError:
        raise DataFileError(
            f"the nbgraph benchmark reads its tables from the {_PACKAGE} package, which is not installed; pip install {_PACKAGE}"
        ) from None
    try:
        return light_read(dataset)
    except Exception as error:  # a missing or damaged pickle inside the package, whatever the unpickler raises
        raise DataFileError(f"cannot read the {dataset!r} table of the {_PACKAGE} package ({error}); reinstall {_PACKAGE}") from None


@functools.cache  # nine 2 MB pickles; every benchmark instance shares one read of each
def _columns(dataset: str) -> dict[str, np.ndarray]:
    """Each field of `_FIELDS` on ``dataset`` as a read-only float64 array in space order (NaN = not measured)."""
    table = _read_table(dataset)
    positions = _positions()
    unknown = [key for key in table if key not in positions]
    if unknown:
        raise DataFileError(
            f"the {dataset!r} table of {_PACKAGE} has {len(unknown)} keys that name no nbgraph architecture (e.g. {unknown[0]!r})"
        )
    columns = {}
    for name, field in _FIELDS.items():
        values = np.full(len(positions), np.nan)
        try:
            for key, entry in table.items():
                values[positions[key]] = entry[field]
        except (KeyError, TypeError, ValueError):
            raise DataFileError(
                f"an entry of the {dataset!r} table of {_PACKAGE} lacks a numeric {field!r}; reinstall {_PACKAGE}"
            ) from None
        values.setflags(write=False)
        columns[name] = values
    return columns


class NBGraphBenchmark(Benchmark):
    name = "nbgraph"
    space = "nbgraph"
    datasets = DATASETS
    label = "test accuracy (fraction; ROC-AUC on proteins), mean of three runs"

    @cached_property
    def archs(self) -> list[str]:
        """Every canonical architecture's string, in benchmark-key order."""
        return [str(arch) for arch in NBGraphSpace().all_cells()]

    def _labels(self, dataset: str) -> np.ndarray:
        return _columns(dataset)["test"].copy()

    def _train_labels(self, dataset: str) -> np.ndarray:
        return _columns(dataset)["valid"].copy()

    def zero_cost_names(self, dataset: str) -> tuple[str, ...]:
        return ("params",)

    def _zero_cost(self, dataset: str, name: str) -> np.ndarray:
        return _columns(dataset)["params"].copy()

    def latency(self, dataset: str) -> np.ndarray:
        """Measured inference time (seconds) of each architecture trained on ``dataset``, NaN where not measured; not a proxy."""
        if dataset not in self.datasets:
            raise ValueError(f"the {self.name} benchmark has no dataset {dataset!r}; accepted: {', '.join(self.datasets)}")
        return _columns(dataset)["latency"].copy()
