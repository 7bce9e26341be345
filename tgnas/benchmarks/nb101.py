"""NAS-Bench-101: the distinct cells of the shipped NB101 files, labelled by 108-epoch validation accuracy.

The data directory holds NASLib's 500 records and 30 official ones, 331 distinct cells in all; a
cell listed several times gets the mean of its accuracies (`tgnas.tg.sources.nb101_labelled_cells`,
the same cells and labels as the predictor's NB101 training source).

Precomputed proxies (`zero_cost`): the 11 NAS-Bench-Suite-Zero proxies of NASLib's records, for
its 301 distinct cells. A cell NASLib lists several times (46 cells, 2–55 records each) gets the
mean of its records: their ``params`` and ``flops`` are equal, the other proxies are not (they
depend on the random initialisation and batch; e.g. ``grasp`` and ``plain`` even change sign). The
30 official cells have no proxy but ``params``, their ``trainable_parameters`` in millions, the
unit of NASLib's ``params`` (one analytic count of the NB101 network reproduces both files
exactly); their other proxies are NaN.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import numpy as np

from tgnas.benchmarks.base import Benchmark
from tgnas.data.nb101 import NB101Record, load_nb101
from tgnas.spaces.nb101 import NB101Cell
from tgnas.tg.sources import nb101_labelled_cells

#: the files of the data directory the benchmark is made of (`tgnas.data.nb101.load_nb101` names)
FILES = ("naslib500", "official30")


class NB101Benchmark(Benchmark):
    name = "nb101"
    space = "nb101"
    datasets = ("cifar10",)
    label = "108-epoch validation accuracy (%), mean over the listed runs"

    @cached_property
    def _cells(self) -> tuple[list[NB101Cell], np.ndarray]:
        return nb101_labelled_cells(FILES)

    @cached_property
    def archs(self) -> list[str]:
        return [str(cell) for cell in self._cells[0]]

    def _labels(self, dataset: str) -> np.ndarray:
        return self._cells[1]

    def zero_cost_names(self, dataset: str) -> tuple[str, ...]:
        return tuple(self._proxies)

    def _zero_cost(self, dataset: str, name: str) -> np.ndarray:
        return self._proxies[name]

    @cached_property
    def _proxies(self) -> Mapping[str, np.ndarray]:
        """Each proxy per cell (``archs`` order): mean over the cell's NASLib records, official ``params`` where it has none, else NaN."""
        records: dict[NB101Cell, list[NB101Record]] = {}
        for file in FILES:
            for record in load_nb101(file):
                records.setdefault(record.cell, []).append(record)
        names = sorted({name for listed in records.values() for record in listed for name in record.proxies})
        values = {name: np.full(len(self.archs), np.nan) for name in names}
        for position, cell in enumerate(self._cells[0]):
            for name in names:
                scores = [record.proxies[name] for record in records[cell] if name in record.proxies]
                counted = [record.params / 1e6 for record in records[cell] if record.params is not None] if name == "params" else []
                if scores or counted:
                    values[name][position] = np.mean(scores or counted)
        return values
