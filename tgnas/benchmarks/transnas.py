"""TransNAS-Bench-101 micro and macro: seven Taskonomy tasks, labelled by each task's validation metric.

The labels and proxies are NAS-Bench-Suite-Zero's (`tgnas.data.transnas`): 711 micro cells on every
task; 725 macro networks, of which class_scene and class_object measure 662 (the other 63 are NaN
there). ``archs`` is the union over the tasks in order of first appearance.

Precomputed proxies (``zero_cost``): the file's eleven, with NASLib's failure score −1e8 as NaN. A
proxy that is constant or NaN everywhere on a task is not offered there: epe_nas fails on every task
but jigsaw, so it is listed for jigsaw only (where about half the cells have it). jacov is NaN on the
20 micro cells whose output is cut off; grad_norm, snip, grasp and plain are 0 there (a network
that outputs zeros has zero gradients), which is a real score. ``params`` and ``flops`` are the
task's network (encoder plus the task's decoder), counted by NAS-Bench-Suite-Zero.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from tgnas.benchmarks.base import Benchmark
from tgnas.data.transnas import PROXIES, TASKS, TransNASTask, load_transnas
from tgnas.spaces.transnas_macro import TransNASMacroNet
from tgnas.spaces.transnas_micro import TransNASMicroCell


class _TransNASBenchmark(Benchmark):
    datasets = TASKS
    label = (
        "validation metric of the task, higher = better: top-1 accuracy (%) for class_scene, class_object and jigsaw; "
        "SSIM for autoencoder and normal; pixel accuracy (%) for segmentsemantic; negated L2 loss for room_layout"
    )
    #: which file of `tgnas.data.transnas`, and the space's arch type that reads its tuples
    kind: str
    arch_type: type

    @cached_property
    def _tasks(self) -> dict[str, TransNASTask]:
        return dict(load_transnas(self.kind))

    @cached_property
    def _row_of(self) -> dict[tuple[int, ...], int]:
        """NASLib tuple → position in ``archs`` (first appearance over the tasks in order)."""
        rows: dict[tuple[int, ...], int] = {}
        for task in TASKS:
            for arch in self._tasks[task].archs:
                rows.setdefault(arch, len(rows))
        return rows

    @cached_property
    def archs(self) -> list[str]:
        return [str(self.arch_type.from_naslib_tuple(arch)) for arch in self._row_of]

    def _aligned(self, task: str, values: np.ndarray) -> np.ndarray:
        """A task's per-record ``values`` in ``archs`` order, NaN where the task has no record."""
        result = np.full(len(self._row_of), np.nan)
        result[[self._row_of[arch] for arch in self._tasks[task].archs]] = values
        return result

    def _labels(self, dataset: str) -> np.ndarray:
        return self._aligned(dataset, self._tasks[dataset].val_accuracy)

    def zero_cost_names(self, dataset: str) -> tuple[str, ...]:
        """The proxies that vary on ``dataset`` (module docstring)."""
        if dataset not in self.datasets:
            raise ValueError(f"the {self.name} benchmark has no dataset {dataset!r}; accepted: {', '.join(self.datasets)}")
        scores = self._tasks[dataset].proxies
        return tuple(proxy for proxy in PROXIES if len(np.unique(scores[proxy][~np.isnan(scores[proxy])])) > 1)

    def _zero_cost(self, dataset: str, name: str) -> np.ndarray:
        return self._aligned(dataset, self._tasks[dataset].proxies[name])


class TransNASMicroBenchmark(_TransNASBenchmark):
    name = "transnas_micro"
    space = "transnas_micro"
    kind = "micro"
    arch_type = TransNASMicroCell


class TransNASMacroBenchmark(_TransNASBenchmark):
    name = "transnas_macro"
    space = "transnas_macro"
    kind = "macro"
    arch_type = TransNASMacroNet
