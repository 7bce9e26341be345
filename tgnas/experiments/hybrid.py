"""Chapter 03: the pruning–evolutionary hybrid search (Algorithm 1) step by step on NB201, the hybrid
against its parts and the baselines over seeds, and a DARTS-space search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from tgnas import spaces
from tgnas.book.parameters import POSITIVE_INT, ChapterParameters, Parameter
from tgnas.data.nb201 import DATASETS, NB201Table
from tgnas.data.nb301 import NB301Surrogate
from tgnas.scoring import Scorer
from tgnas.search import EvolutionSettings, search
from tgnas.search.result import SearchResult
from tgnas.spaces.base import gene_to_index
from tgnas.spaces.darts import DARTS_V2

#: the parameters of chapter 03 (notebooks/03_hybrid_search.py), ci and paper values
PARAMETERS = ChapterParameters(
    Parameter("n_seeds", POSITIVE_INT, ci=5, paper=20),
    Parameter("darts_generations", POSITIVE_INT, ci=30, paper=100),
)

#: the NB201 methods compared over seeds (the proxy's exhaustive optimum is added once)
METHODS = ("hybrid", "pruning", "evolution", "random", "re")
PAPER_NB201_ACCURACY = 93.75
#: the gene values whose operators the chapter prints
GENES = np.linspace(0, 1, 11)


def gene_mapping(ops: Sequence[str], genes: np.ndarray = GENES) -> dict[str, str]:
    """Which operator each gene value selects (operator ⌊g·K⌋ of K)."""
    return {f"{g:.1f}": ops[i] for g, i in zip(genes, gene_to_index(genes, len(ops)))}


def decode_genes(space: str, genes: np.ndarray):
    """The architecture a gene vector encodes in ``space``."""
    return spaces.create(space).decode_genes(genes)


def pruning_rounds(pruned: SearchResult) -> str:
    """One line per pruning round: the supernet's score and the operator removed on each edge."""
    lines = []
    for record in pruned.trajectory[:-1]:
        removed = ", ".join(f"{r['edge'][0]}→{r['edge'][1]}: {r['op']} (Δ={r['delta']:+.3f})" for r in record["removed"])
        lines.append(f"round {record['step']}: P={record['supernet_score']:.4f}; removed {removed}")
    return "\n".join(lines)


def plot_search_trajectories(hybrid: SearchResult) -> plt.Figure:
    """The supernet score per pruning round (left) and the population's best/mean score per generation (right)."""
    pruned, evolved = hybrid.parts["pruning"], hybrid.parts["evolution"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
    steps = [p["step"] for p in pruned.trajectory]
    axes[0].plot(steps[:-1], [p["best_score"] for p in pruned.trajectory[:-1]], "o-", label="supernet score P")
    axes[0].plot(steps[-1:], [pruned.score], "s", color="C3", label="found cell")
    axes[0].set(xlabel="pruning round", ylabel="proxy score", title="Pruning (NB201)")
    axes[0].legend()
    axes[1].plot([p["step"] for p in evolved.trajectory], [p["best_score"] for p in evolved.trajectory], label="best")
    axes[1].plot([p["step"] for p in evolved.trajectory], [p["mean_score"] for p in evolved.trajectory], label="population mean")
    axes[1].axhline(pruned.score, color="C3", linestyle="--", label="pruning result")
    axes[1].set(xlabel="generation", ylabel="proxy score", title="Evolution (NB201, NP=20)")
    axes[1].legend()
    plt.tight_layout()
    return fig


def hybrid_vs_baselines(proxy: Scorer, table: NB201Table, n_seeds: int) -> pd.DataFrame:
    """One NB201 search per method and seed, plus the proxy's exhaustive optimum; the found cells' accuracies."""
    rows = []
    for method in METHODS:
        for seed in range(n_seeds):
            result = search("nb201", proxy, method=method, seed=seed)
            rows.append(
                {
                    "method": method,
                    "seed": seed,
                    "arch": result.arch,
                    "score": result.score,
                    "seconds": result.seconds,
                    "evaluations": result.evaluations,
                    "winner": result.winner,
                }
            )
    optimum = search("nb201", proxy, method="exhaustive")
    rows.append(
        {
            "method": "exhaustive",
            "seed": None,
            "arch": optimum.arch,
            "score": optimum.score,
            "seconds": optimum.seconds,
            "evaluations": optimum.evaluations,
            "winner": "exhaustive",
        }
    )
    runs = pd.DataFrame(rows)
    for dataset in DATASETS:
        runs[dataset] = table.accuracy(runs["arch"], dataset)
    runs["params_M"] = table.metric("params_M", runs["arch"])
    return runs


def table_hybrid_vs_baselines(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean proxy score, accuracies, params, time and evaluations of each method's found cells."""
    return runs.groupby("method", sort=False).agg(
        score=("score", "mean"),
        cifar10_mean=("cifar10", "mean"),
        cifar10_std=("cifar10", "std"),
        cifar100=("cifar100", "mean"),
        imagenet16=("ImageNet16-120", "mean"),
        params_M=("params_M", "mean"),
        seconds=("seconds", "mean"),
        evaluations=("evaluations", "mean"),
        distinct_cells=("arch", "nunique"),
    )


def report_hybrid_accuracy(runs: pd.DataFrame, table: NB201Table) -> str:
    """The hybrid's CIFAR-10 accuracy beside the paper, argmax(params), the proxy's optimum and the true optimum."""
    params_argmax = table.cells()[int(np.argmax(table.metric("params_M")))]
    best_accuracy = table.best("cifar10")[1]
    hybrid = runs[runs.method == "hybrid"]
    optimum = runs[runs.method == "exhaustive"]
    n_seeds = len(hybrid)
    return "\n".join(
        [
            f"NB201 CIFAR-10 test accuracy of the hybrid's cell, mean of {n_seeds} seeds: "
            f"{hybrid.cifar10.mean():.2f} ± {hybrid.cifar10.std(ddof=0):.2f} %",
            f"  paper (TG-NAS, Table 4):            {PAPER_NB201_ACCURACY} %",
            f"  argmax(params) alone:               {table.accuracy([params_argmax])[0]:.2f} %",
            f"  the proxy's own optimum:            {optimum.cifar10.iloc[0]:.2f} %",
            f"  ground-truth optimum:               {best_accuracy:.2f} %",
            f"NB201 hybrid search time: mean {hybrid.seconds.mean():.3f} s, max {hybrid.seconds.max():.3f} s (target < 1 s)",
            f"hybrid reached the proxy's optimum score in {(hybrid.score >= optimum.score.iloc[0] - 1e-6).sum()} of {n_seeds} seeds",
        ]
    )


def plot_found_cells(runs: pd.DataFrame, table: NB201Table) -> plt.Figure:
    """Box plots per method of the found cells' CIFAR-10 accuracy (left) and proxy score (right)."""
    best_accuracy = table.best("cifar10")[1]
    methods = list(runs["method"].unique())
    n_seeds = int((runs.method == "hybrid").sum())
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
    axes[0].boxplot([runs.loc[runs.method == m, "cifar10"] for m in methods], tick_labels=methods)
    axes[0].axhline(PAPER_NB201_ACCURACY, color="C1", linestyle="--", label=f"paper {PAPER_NB201_ACCURACY}")
    axes[0].axhline(best_accuracy, color="C2", linestyle=":", label=f"optimum {best_accuracy:.2f}")
    axes[0].set(ylabel="CIFAR-10 test accuracy (%)", title=f"Found NB201 cells, {n_seeds} seeds")
    axes[0].legend(loc="lower right")
    axes[1].boxplot([runs.loc[runs.method == m, "score"] for m in methods], tick_labels=methods)
    axes[1].set(ylabel="proxy score of the found cell", title="What each method optimises")
    plt.tight_layout()
    return fig


@dataclass
class DartsSearch:
    """A DARTS-space hybrid search and the NB301-surrogate accuracy of its genotype and of DARTS_V2."""

    result: SearchResult
    found_accuracy: float
    darts_v2_accuracy: float

    def summary(self) -> str:
        darts = self.result
        return "\n".join(
            [
                str(darts.arch),
                f"winner: {darts.winner}; proxy score {darts.score:.4f} (pruning {darts.parts['pruning'].score:.4f}, "
                f"evolution {darts.parts['evolution'].score:.4f}); search time {darts.seconds:.1f} s (target < 60 s)",
                f"NB301 surrogate accuracy: found {self.found_accuracy:.2f} %, DARTS_V2 {self.darts_v2_accuracy:.2f} %",
            ]
        )


def darts_hybrid_search(proxy: Scorer, generations: int, seed: int = 0) -> DartsSearch:
    """The hybrid in the DARTS space (NP = 50), judged by the NB301 surrogate beside DARTS_V2."""
    result = search("darts", proxy, method="hybrid", seed=seed, settings=EvolutionSettings(population=50, generations=generations))
    found_accuracy, darts_accuracy = NB301Surrogate.load().predict([result.arch, DARTS_V2])
    return DartsSearch(result, float(found_accuracy), float(darts_accuracy))
