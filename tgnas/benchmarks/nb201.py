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
