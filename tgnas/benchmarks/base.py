"""The interface every benchmark implements: architectures of one space, with labels per dataset."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from tgnas import spaces
from tgnas.spaces.graph import ArchGraph


class Benchmark(ABC):
    """Architectures of ``space`` (canonical strings, ``archs``) and their labels on each of ``datasets``.

    Labels are higher-is-better numbers, one per architecture in ``archs`` order; ``label`` says
    what they are (e.g. "200-epoch test accuracy (%)").
    """

    name: str
    space: str
    datasets: tuple[str, ...]
    label: str

    @property
    @abstractmethod
    def archs(self) -> Sequence[str]:
        """Canonical architecture strings of the space, in the benchmark's own order."""

    @abstractmethod
    def _labels(self, dataset: str) -> np.ndarray:
        """Labels on one (already checked) dataset, in ``archs`` order."""

    def labels(self, dataset: str) -> np.ndarray:
        """Labels (float64, ``archs`` order) on ``dataset``; an unknown dataset names the accepted ones."""
        if dataset not in self.datasets:
            raise ValueError(f"the {self.name} benchmark has no dataset {dataset!r}; accepted: {', '.join(self.datasets)}")
        return np.asarray(self._labels(dataset), dtype=np.float64)

    def graphs(self) -> list[ArchGraph]:
        """The architectures as graphs of the space (computed once)."""
        return self._graphs

    @cached_property
    def _graphs(self) -> list[ArchGraph]:
        space = spaces.create(self.space)
        return [space.to_graph(space.parse(arch)) for arch in self.archs]

    def has_path(self) -> np.ndarray:
        """Boolean mask: which architectures have an input→output path."""
        return np.array([graph.has_path() for graph in self.graphs()], dtype=bool)

    def __len__(self) -> int:
        return len(self.archs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {len(self)} {self.space} architectures, datasets {list(self.datasets)}>"
