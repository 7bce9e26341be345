"""NAS-Bench-201: all 15,625 cells, labelled by 200-epoch test accuracy on three datasets (the paper's ground truth)."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from tgnas.benchmarks.base import Benchmark
from tgnas.data.nb201 import DATASETS, NB201Table, load_nb201_table


class NB201Benchmark(Benchmark):
    name = "nb201"
    space = "nb201"
    datasets = DATASETS
    label = "200-epoch test accuracy (%)"

    @cached_property
    def table(self) -> NB201Table:
        return load_nb201_table()

    @cached_property
    def archs(self) -> list[str]:
        """Every cell's arch string, in the benchmark's official index order."""
        return list(self.table.frame["arch_str"])

    def _labels(self, dataset: str) -> np.ndarray:
        return self.table.accuracy(None, dataset, split="test", epochs=200)
