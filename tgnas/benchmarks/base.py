"""The interface every benchmark implements: architectures of one space, with labels per dataset."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from tgnas import spaces
from tgnas.spaces.graph import SIZE_FEATURES, ArchGraph


class Benchmark(ABC):
    """Architectures of ``space`` (canonical strings, ``archs``) and their labels on each of ``datasets``.

    Labels are higher-is-better numbers, one per architecture in ``archs`` order; ``label`` says
    what they are (e.g. "200-epoch test accuracy (%)"). A benchmark whose datasets cover different
    cells lists the union in ``archs`` and gives NaN where a cell was not measured on a dataset;
    evaluation drops those cells per dataset.

    Two optional views, empty or equal to ``labels`` unless a benchmark has more:

    * ``train_labels(dataset)``: what a predictor may *learn from* when this benchmark is a training
      source (e.g. NB201's validation accuracies, while ``labels`` are its test accuracies);
    * ``zero_cost_names(dataset)`` / ``zero_cost(dataset, name)``: proxies precomputed by the
      benchmark's publishers (NAS-Bench-Suite-Zero and the like), NaN where a cell has none. They are
      baselines only; a proxy "params" here is the benchmark's own parameter count.

    ``size(dataset, kind)`` gives every cell's parameter count or FLOPs without running anything:
    the benchmark's precomputed count where it ships one, else the space's analytic one.
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

    def train_labels(self, dataset: str) -> np.ndarray:
        """Labels a predictor trained on this benchmark learns from (float64, NaN = not measured); ``labels`` unless overridden."""
        if dataset not in self.datasets:
            raise ValueError(f"the {self.name} benchmark has no dataset {dataset!r}; accepted: {', '.join(self.datasets)}")
        return np.asarray(self._train_labels(dataset), dtype=np.float64)

    def _train_labels(self, dataset: str) -> np.ndarray:
        return self._labels(dataset)

    def zero_cost_names(self, dataset: str) -> tuple[str, ...]:
        """Names of the precomputed proxies on ``dataset`` (none unless the benchmark ships some)."""
        return ()

    def zero_cost(self, dataset: str, name: str) -> np.ndarray:
        """Precomputed proxy ``name`` on ``dataset`` (float64, ``archs`` order, NaN where missing)."""
        accepted = self.zero_cost_names(dataset) if dataset in self.datasets else ()
        if name not in accepted:
            raise ValueError(
                f"the {self.name} benchmark has no precomputed proxy {name!r} on {dataset!r}; accepted: {', '.join(accepted) or 'none'}"
            )
        return np.asarray(self._zero_cost(dataset, name), dtype=np.float64)

    def _zero_cost(self, dataset: str, name: str) -> np.ndarray:
        raise NotImplementedError  # only reached for names listed by zero_cost_names

    def size(self, dataset: str, kind: str = "params") -> np.ndarray | None:
        """Each cell's network size on ``dataset`` (``kind``: ``params`` or ``flops``, millions, NaN where missing).

        The benchmark's precomputed count comes first (it is the network the labels were measured on,
        task decoder included); a space's analytic ``ArchGraph.features`` otherwise; None when neither exists.
        """
        if kind not in SIZE_FEATURES:
            raise ValueError(f"unknown size {kind!r}; accepted: {', '.join(SIZE_FEATURES)}")
        if kind in self.zero_cost_names(dataset):
            return self.zero_cost(dataset, kind)
        values = [graph.features.get(SIZE_FEATURES[kind]) for graph in self.graphs()]
        return None if any(value is None for value in values) else np.asarray(values, dtype=np.float64)

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
