"""NAS-Bench-301 with NAS-Bench-Suite-Zero labels: 493 DARTS cells and their CIFAR-10 validation accuracy.

The first DARTS labels here that are not the YAHPO surrogate's (`tgnas.data.nb301`), but not
certified training runs either: NASLib's NB301 query, which produced them, returns the real NB301
training value for cells of that data and the NB301 v1.0 surrogate's prediction otherwise, and the
file does not say which (`tgnas.data.nb301_nbsz`). The precomputed proxies are the file's 11; its
``params`` counts NASLib's NB301 network (C = 32, 8 cells), so it differs from the graph feature
``params_M`` of the DARTS evaluation network (C = 36, 20 cells) that `tgnas.scoring.ParamsScorer` reads.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from tgnas.benchmarks.base import Benchmark
from tgnas.data.nb301_nbsz import DATASET, NBSZ301, PROXIES, load_nbsz301


class NB301Benchmark(Benchmark):
    name = "nb301"
    space = "darts"
    datasets = (DATASET,)
    label = "NAS-Bench-Suite-Zero's CIFAR-10 validation accuracy (%): real NB301 runs or the NB301 v1.0 surrogate, unmarked"

    @cached_property
    def data(self) -> NBSZ301:
        return load_nbsz301()

    @cached_property
    def archs(self) -> list[str]:
        """Canonical genotype strings, in the file's order."""
        return [str(genotype) for genotype in self.data.genotypes]

    def _labels(self, dataset: str) -> np.ndarray:
        return self.data.val_accuracy

    def zero_cost_names(self, dataset: str) -> tuple[str, ...]:
        return PROXIES

    def _zero_cost(self, dataset: str, name: str) -> np.ndarray:
        return self.data.proxies[name]
