"""How well a scorer ranks a labelled benchmark: Kendall τ and Spearman ρ per dataset, on two subsets.

``evaluate(scorer, "nb201")`` scores every architecture of the benchmark (`tgnas.benchmarks`) and
correlates the scores with each dataset's labels on

* ``all``: every architecture, cells without an input→output path included (they score
  `NO_PATH_SCORE`, the lowest, and are also the worst-trained, so flagging them alone earns τ);
* ``with_path``: only the cells with a path, where a scorer must rank real networks.

On NB201 the difference matters: a scorer that only puts the 341 cut-off cells last already earns
τ from them, so a proxy can look better on all 15,625 cells than on the 15,284 with a path. ``evaluate_scores`` does the same for scores computed
elsewhere (a table of precomputed proxies, say).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm import tqdm

from tgnas import benchmarks
from tgnas.metrics import rank_correlation
from tgnas.scoring import Scorer, check_scorer_space

SUBSETS = ("all", "with_path")


@dataclass(frozen=True)
class Correlation:
    """Rank correlation of scores with labels over ``n`` architectures."""

    kendall_tau: float
    spearman_rho: float
    n: int


@dataclass
class Evaluation:
    """Correlations per (dataset, subset); ``score_seconds`` is how long scoring took (None for precomputed scores)."""

    benchmark: str | None
    space: str | None
    correlations: dict[tuple[str, str], Correlation]
    score_seconds: float | None = None
    datasets: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.datasets = tuple(dict.fromkeys(dataset for dataset, _ in self.correlations))

    def correlation(self, dataset: str, subset: str = "all") -> Correlation:
        if subset not in SUBSETS:
            raise ValueError(f"unknown subset {subset!r}; accepted: {', '.join(SUBSETS)}")
        if dataset not in self.datasets:
            raise ValueError(f"dataset {dataset!r} was not evaluated; evaluated: {', '.join(self.datasets)}")
        return self.correlations[dataset, subset]

    def tau(self, dataset: str, subset: str = "all") -> float:
        """Kendall τ (tau-b) on ``dataset`` over ``subset`` (``all`` or ``with_path``)."""
        return self.correlation(dataset, subset).kendall_tau

    def rho(self, dataset: str, subset: str = "all") -> float:
        """Spearman ρ on ``dataset`` over ``subset``."""
        return self.correlation(dataset, subset).spearman_rho

    def n(self, subset: str = "all", dataset: str | None = None) -> int:
        """Number of architectures in ``subset`` on ``dataset`` (default: the first; datasets differ only where labels are missing)."""
        return self.correlation(self.datasets[0] if dataset is None else dataset, subset).n

    def to_dict(self) -> dict:
        """JSON-ready: ``kendall_tau[subset][dataset]``, ``spearman_rho[subset][dataset]``, ``n[subset]``."""
        return {
            "benchmark": self.benchmark,
            "space": self.space,
            "kendall_tau": {s: {d: self.tau(d, s) for d in self.datasets} for s in SUBSETS},
            "spearman_rho": {s: {d: self.rho(d, s) for d in self.datasets} for s in SUBSETS},
            "n": {s: self.n(s) for s in SUBSETS},
            "n_per_dataset": {s: {d: self.n(s, d) for d in self.datasets} for s in SUBSETS},
            "score_seconds": self.score_seconds,
        }

    def frame(self):
        """A pandas frame, one row per dataset × subset: dataset, subset, kendall_tau, spearman_rho, n."""
        rows = [
            {"dataset": d, "subset": s, "kendall_tau": c.kendall_tau, "spearman_rho": c.spearman_rho, "n": c.n}
            for (d, s), c in self.correlations.items()
        ]
        return pd.DataFrame(rows, columns=["dataset", "subset", "kendall_tau", "spearman_rho", "n"])


def evaluate_scores(
    scores: Sequence[float] | np.ndarray,
    labels: Mapping[str, np.ndarray],
    has_path: Sequence[bool] | np.ndarray,
    benchmark: str | None = None,
    space: str | None = None,
    score_seconds: float | None = None,
) -> Evaluation:
    """Correlate ``scores`` with each ``labels[dataset]`` on all architectures and on those with ``has_path``.

    A NaN label means "not measured on this dataset": that architecture is left out of that
    dataset's correlations (so ``n`` can differ between datasets). NaN scores are an error.
    """
    scores = np.asarray(scores, dtype=np.float64)
    has_path = np.asarray(has_path)
    if scores.ndim != 1:
        raise ValueError(f"scores must be one number per architecture, got shape {scores.shape}")
    if has_path.shape != scores.shape or has_path.dtype != bool:
        raise ValueError(f"has_path must be a boolean mask of shape {scores.shape}, got {has_path.dtype} of shape {has_path.shape}")
    if not labels:
        raise ValueError("no labels given: pass {dataset: labels}")
    correlations = {}
    for dataset, values in labels.items():
        values = np.asarray(values, dtype=np.float64)
        if values.shape != scores.shape:
            raise ValueError(f"labels of {dataset!r} have shape {values.shape}, but there are {len(scores)} scores")
        measured = ~np.isnan(values)
        for subset, rows in (("all", measured), ("with_path", measured & has_path)):
            result = rank_correlation(scores[rows], values[rows])
            correlations[dataset, subset] = Correlation(result["kendall_tau"], result["spearman_rho"], result["n"])
    return Evaluation(benchmark, space, correlations, score_seconds)


def evaluate(scorer: Scorer, benchmark: str = "nb201", datasets: Sequence[str] | None = None, progress: bool = False) -> Evaluation:
    """Score every architecture of ``benchmark`` with ``scorer`` and correlate with ``datasets`` (all when None).

    ``progress``: a bar over the four stages (labels, graphs, scores, correlations) on stderr.
    """
    bench = benchmarks.create(benchmark)
    check_scorer_space(scorer, bench.space)
    chosen = bench.datasets if datasets is None else tuple([datasets] if isinstance(datasets, str) else datasets)
    with tqdm(total=4, desc=f"evaluate on {bench.name}", disable=not progress, leave=False) as bar:
        labels = {dataset: bench.labels(dataset) for dataset in chosen}  # refuses an unknown dataset before scoring
        bar.update(1)
        graphs = bench.graphs()
        bar.update(1)
        started = time.perf_counter()
        scores = np.asarray(scorer.score_graphs(graphs), dtype=np.float64)
        seconds = time.perf_counter() - started
        bar.update(1)
        if scores.shape != (len(graphs),):
            raise ValueError(f"the scorer returned {scores.shape} scores for {len(graphs)} graphs")
        evaluation = evaluate_scores(scores, labels, bench.has_path(), bench.name, bench.space, seconds)
        bar.update(1)
    return evaluation
