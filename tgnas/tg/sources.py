"""Labelled graphs the predictor learns from, one `LabelledGraphs` per source, never mixed raw.

Sources have different label scales (NB101 accuracies in %, NB301 surrogate predictions in %,
NB201 means of three datasets) and different difficulty, so every label is normalised *within its
source* before training (`normalise_labels`): ``rank`` maps labels to their percentile in [0, 1]
(ties share the mean rank), ``zscore`` to zero mean and unit variance. A 0–1 label can therefore
never be compared with a 0–100 one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tgnas import benchmarks
from tgnas.data.nb101 import load_nb101
from tgnas.data.nb201 import load_nb201_table
from tgnas.data.nb301 import NB301Surrogate
from tgnas.metrics import average_ranks
from tgnas.spaces.darts import DartsSpace
from tgnas.spaces.graph import ArchGraph

LABEL_NORMALISATIONS = ("rank", "zscore")
#: how a benchmark with several datasets (tasks) becomes training sources (`benchmark_sources`)
TASK_MODES = ("per_task", "mean")
#: source name → space its graphs belong to (known before loading, for the leakage check)
SOURCE_SPACES = {"nb101": "nb101", "nb301": "darts", "nb201": "nb201"}


@dataclass
class LabelledGraphs:
    """Graphs of one space with raw labels of one scale (higher = better)."""

    name: str
    space: str
    graphs: list[ArchGraph]
    labels: np.ndarray

    def __post_init__(self) -> None:
        self.labels = np.asarray(self.labels, dtype=np.float64)
        if self.labels.shape != (len(self.graphs),):
            raise ValueError(f"source {self.name!r}: {len(self.graphs)} graphs but labels of shape {self.labels.shape}")
        if not np.isfinite(self.labels).all():
            raise ValueError(f"source {self.name!r}: {int((~np.isfinite(self.labels)).sum())} labels are NaN or infinite")

    def __len__(self) -> int:
        return len(self.graphs)

    def subset(self, rows: Sequence[int] | np.ndarray, name: str | None = None) -> LabelledGraphs:
        rows = np.asarray(rows, dtype=np.int64)
        return LabelledGraphs(name or self.name, self.space, [self.graphs[i] for i in rows], self.labels[rows])


def normalise_labels(labels: np.ndarray, method: str = "rank") -> np.ndarray:
    """Labels of one source on a common scale (see module docstring)."""
    labels = np.asarray(labels, dtype=np.float64)
    if method == "rank":
        return (average_ranks(labels) - 0.5) / len(labels)
    if method == "zscore":
        spread = labels.std()
        return (labels - labels.mean()) / (spread if spread > 0 else 1.0)
    raise ValueError(f"unknown label normalisation {method!r}; accepted: {', '.join(LABEL_NORMALISATIONS)}")


def nb101_labelled_cells(files: Sequence[str] = ("naslib500", "official30")) -> tuple[list, np.ndarray]:
    """Distinct NB101 cells of ``files`` and their validation accuracy (%); a cell listed several times gets its mean.

    Each entry of ``files`` is what `tgnas.data.nb101.load_nb101` accepts: ``naslib500``,
    ``official30`` or the path of a full official file (tfrecord, pickle, JSON) when a user has
    one. All NB101 labels are 108-epoch validation accuracies, so the files form one source.
    """

    if isinstance(files, str):
        files = (files,)
    totals: dict[object, list[float]] = {}
    for file in files:
        for record in load_nb101(file):
            totals.setdefault(record.cell, []).append(record.val_acc)
    cells = list(totals)
    return cells, np.array([np.mean(totals[cell]) for cell in cells])


def nb101_source(files: Sequence[str] = ("naslib500", "official30")) -> LabelledGraphs:
    """`nb101_labelled_cells` as a training source."""
    if isinstance(files, str):
        files = (files,)
    cells, labels = nb101_labelled_cells(files)
    return LabelledGraphs(f"nb101:{'+'.join(map(str, files))}", "nb101", [cell.to_graph() for cell in cells], labels)


def nb301_source(n: int = 2000, seed: int = 0, epoch: int = 98) -> LabelledGraphs:
    """``n`` random DARTS genotypes labelled by the NB301 (YAHPO v2) surrogate (%); both cells per graph.

    The surrogate is a noisy labeller (Kendall τ ≈ 0.4 against really trained cells, see the data
    notes), so whether these labels help is measured, not assumed (chapter 02).
    """

    if n < 3:
        raise ValueError(f"an NB301 source needs at least 3 genotypes, got {n}")
    space = DartsSpace()
    rng = np.random.default_rng(seed)
    genotypes = list(dict.fromkeys(space.sample(rng) for _ in range(n)))
    labels = NB301Surrogate.load().predict(genotypes, epoch=epoch)
    return LabelledGraphs(f"nb301:n={n},seed={seed}", "darts", [space.to_graph(g, cell="both") for g in genotypes], labels)


def nb201_source(datasets: Sequence[str] = ("cifar10", "cifar100", "ImageNet16-120"), split: str = "val") -> LabelledGraphs:
    """NB201 cells with a path, labelled by the mean of their per-dataset normalised accuracies.

    The paper's recipe for its DARTS model (§4.3): amalgamate CIFAR-10, CIFAR-100 and
    ImageNet16-120 so no single task dominates. Validation accuracies by default: a model that
    targets another space has no reason to see NB201 *test* numbers either.
    """

    table = load_nb201_table()
    cells = [cell for cell in table.cells() if cell.has_path()]
    per_dataset = [normalise_labels(table.accuracy(cells, dataset, split=split), "zscore") for dataset in datasets]
    label = np.mean(per_dataset, axis=0)
    return LabelledGraphs(f"nb201:{split}:{'+'.join(datasets)}", "nb201", [cell.to_graph() for cell in cells], label)


def benchmark_sources(name: str, tasks: str = "per_task", max_cells: int | None = None, seed: int = 0) -> list[LabelledGraphs]:
    """A registered benchmark (`tgnas.benchmarks`) as training sources, from its ``train_labels``.

    Only cells with an input→output path are used (the others score `NO_PATH_SCORE` whatever a
    model learns). ``tasks="per_task"`` gives one source per dataset; ``"mean"`` one source whose
    label is, per cell, the mean of its rank-normalised labels over the datasets it was measured on
    (the paper's amalgamation of NB201's three datasets, §4.3), so a benchmark with seven tasks does
    not weigh seven times as much as one with one. ``max_cells`` keeps a random subset
    (``seed``) of each source, the same cells for every task.
    """
    if tasks not in TASK_MODES:
        raise ValueError(f"unknown task mode {tasks!r}; accepted: {', '.join(TASK_MODES)}")
    if max_cells is not None and max_cells < 5:
        raise ValueError(f"max_cells must be at least 5 (or None for all cells), got {max_cells}")
    bench = benchmarks.create(name)
    graphs, live = bench.graphs(), bench.has_path()
    labels = {dataset: bench.train_labels(dataset) for dataset in bench.datasets}
    keep = live.copy()
    if max_cells is not None and keep.sum() > max_cells:
        chosen = np.random.default_rng(seed).choice(np.flatnonzero(keep), max_cells, replace=False)
        keep = np.zeros_like(keep)
        keep[chosen] = True
    if tasks == "mean":
        return [_mean_task_source(name, bench.space, graphs, labels, keep)]
    sources = []
    for dataset, values in labels.items():
        rows = np.flatnonzero(keep & ~np.isnan(values))
        sources.append(LabelledGraphs(f"{name}:{dataset}", bench.space, [graphs[i] for i in rows], values[rows]))
    return sources


def _benchmark_spec(spec: str) -> tuple[str, str, int | None]:
    """``bench:NAME[:TASKS[:MAX_CELLS]]`` → (name, tasks, max_cells), checked without loading anything."""
    parts = spec.split(":")[1:]
    if not 1 <= len(parts) <= 3 or not parts[0]:
        raise ValueError(f"bad source {spec!r}: write bench:NAME, bench:NAME:TASKS or bench:NAME:TASKS:MAX_CELLS")
    name = parts[0]
    if name not in benchmarks.names():
        raise ValueError(f"unknown benchmark {name!r} in source {spec!r}; registered: {', '.join(benchmarks.names())}")
    tasks = parts[1] if len(parts) > 1 else "per_task"
    if tasks not in TASK_MODES:
        raise ValueError(f"bad source {spec!r}: TASKS must be one of {', '.join(TASK_MODES)}, got {tasks!r}")
    if len(parts) > 2 and not parts[2].isdigit():
        raise ValueError(f"bad source {spec!r}: MAX_CELLS must be a positive integer, got {parts[2]!r}")
    return name, tasks, int(parts[2]) if len(parts) > 2 else None


def load_sources(spec: str) -> list[LabelledGraphs]:
    """The sources of one command-line spelling: a benchmark gives one per task, the others one (`load_source`)."""
    if spec.partition(":")[0] == "bench":
        return benchmark_sources(*_benchmark_spec(spec))
    return [load_source(spec)]


def _mean_task_source(name: str, space: str, graphs: list, labels: dict[str, np.ndarray], keep: np.ndarray) -> LabelledGraphs:
    """One source from several datasets: each dataset ranked over its own measured cells, then averaged per cell.

    A cell measured on only some datasets (NAS-Bench-Graph's proteins covers 2,021 of 26,206 cells)
    keeps the mean of the ranks it has, rather than being dropped or biasing the others.
    """
    ranks = np.full((len(labels), len(graphs)), np.nan)
    for row, values in enumerate(labels.values()):
        measured = np.flatnonzero(keep & ~np.isnan(values))
        if len(measured):
            ranks[row, measured] = normalise_labels(values[measured], "rank")
    rows = np.flatnonzero(~np.isnan(ranks).all(axis=0))
    label = np.array([np.mean(ranks[~np.isnan(ranks[:, i]), i]) for i in rows])
    return LabelledGraphs(f"{name}:mean", space, [graphs[i] for i in rows], label)


def load_source(spec: str) -> LabelledGraphs:
    """A source from its command-line spelling.

    * ``nb101`` (NASLib's 500 + the 30 official records) or ``nb101:FILE[+FILE…]``;
    * ``nb301:N[:SEED]``: N random DARTS genotypes labelled by the surrogate;
    * ``nb201`` or ``nb201:DATASET[+DATASET…]``: NB201 validation accuracies;
    * ``bench:NAME[:TASKS[:MAX_CELLS]]`` (through `load_sources`, as it can be several sources): a
      registered benchmark's training labels, ``TASKS`` ``per_task`` or ``mean`` (`benchmark_sources`).
    """
    name, _, argument = spec.partition(":")
    source_space(spec)
    if name == "bench":
        raise ValueError(f"{spec!r} can be several sources: load it with load_sources")
    if name == "nb101":
        return nb101_source(tuple(argument.split("+")) if argument else ("naslib500", "official30"))
    if name == "nb301":
        parts = argument.split(":") if argument else ["2000"]
        try:
            numbers = [int(part) for part in parts]
        except ValueError:
            numbers = []
        if len(numbers) not in (1, 2):
            raise ValueError(f"bad source {spec!r}: write nb301:N or nb301:N:SEED with integers")
        return nb301_source(*numbers)
    return nb201_source(tuple(argument.split("+"))) if argument else nb201_source()


def source_space(spec: str) -> str:
    """The space a source spec (`load_source`) is labelled in, without loading it."""
    name = spec.partition(":")[0]
    if name == "bench":
        return benchmarks.create(_benchmark_spec(spec)[0]).space
    if name not in SOURCE_SPACES:
        raise ValueError(
            f"unknown training source {spec!r}; accepted: nb101[:FILES], nb301[:N[:SEED]], nb201[:DATASETS], bench:NAME[:TASKS[:MAX_CELLS]]"
        )
    return SOURCE_SPACES[name]
