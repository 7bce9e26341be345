"""NAS-Bench-101: the distinct cells of the shipped NB101 files, labelled by 108-epoch validation accuracy.

The data directory holds NASLib's 500 records and 30 official ones, 331 distinct cells in all; a
cell listed several times gets the mean of its accuracies (`tgnas.tg.sources.nb101_labelled_cells`,
the same cells and labels as the predictor's NB101 training source).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from tgnas.benchmarks.base import Benchmark
from tgnas.tg.sources import nb101_labelled_cells


class NB101Benchmark(Benchmark):
    name = "nb101"
    space = "nb101"
    datasets = ("cifar10",)
    label = "108-epoch validation accuracy (%), mean over the listed runs"

    @cached_property
    def _cells(self) -> tuple[list[str], np.ndarray]:
        cells, labels = nb101_labelled_cells()
        return [str(cell) for cell in cells], labels

    @property
    def archs(self) -> list[str]:
        return self._cells[0]

    def _labels(self, dataset: str) -> np.ndarray:
        return self._cells[1]
