"""Chapter 03: the pruning–evolutionary hybrid search (Algorithm 1) step by step on NB201, the hybrid
against its parts and the baselines over seeds, and a DARTS-space search."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from tgnas import spaces
from tgnas.book.parameters import POSITIVE_INT, ChapterParameters, Parameter
from tgnas.data.nb201 import DATASETS, NB201Table
from tgnas.data.nb301 import NB301Surrogate
from tgnas.experiments.darts_search import found_darts_cell
from tgnas.scoring import Scorer
from tgnas.search import search
from tgnas.search.result import SearchResult
from tgnas.spaces.base import gene_to_index
from tgnas.spaces.darts import DARTS_V2, SAMPLED_OPS
from tgnas.spaces.nb201 import NB201_OPS

#: the parameters of chapter 03 (notebooks/03_hybrid_search.py), ci and paper values
PARAMETERS = ChapterParameters(Parameter("n_seeds", POSITIVE_INT, ci=5, paper=20))

#: the NB201 methods compared over seeds (the proxy's exhaustive optimum is added once)
METHODS = ("hybrid", "pruning", "evolution", "random", "re")
PAPER_NB201_ACCURACY = 93.75
#: the gene values whose operators the chapter prints
GENES = np.linspace(0, 1, 11)


def table_gene_mapping(genes: np.ndarray = GENES) -> pd.DataFrame:
    """Which operator each gene value selects (operator ⌊g·K⌋ of K) in NB201 and in the DARTS space."""
    return pd.DataFrame(
        {
            "gene": [f"{g:.1f}" for g in genes],
            "NB201 operator": [NB201_OPS[i] for i in gene_to_index(genes, len(NB201_OPS))],
            "DARTS operator": [SAMPLED_OPS[i] for i in gene_to_index(genes, len(SAMPLED_OPS))],
        }
    ).set_index("gene")


def decode_genes(space: str, genes: np.ndarray):
    """The architecture a gene vector encodes in ``space``."""
    return spaces.create(space).decode_genes(genes)


def table_pruning_rounds(pruned: SearchResult) -> pd.DataFrame:
    """One row per pruning round: the supernet's score P and, per edge, the operator removed (and its Δ)."""
    rows = []
    for record in pruned.trajectory[:-1]:
        row = {"round": record["step"], "supernet score P": round(record["supernet_score"], 4)}
        row.update({f"{r['edge'][0]}→{r['edge'][1]}": f"{r['op']} ({r['delta']:+.3f})" for r in record["removed"]})
        rows.append(row)
    return pd.DataFrame(rows).set_index("round").fillna("")


def plot_search_trajectories(hybrid: SearchResult) -> plt.Figure:
    """The supernet score per pruning round (left) and the population's best/mean score per generation (right)."""
    pruned, evolved = hybrid.parts["pruning"], hybrid.parts["evolution"]
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.4))
    steps = [p["step"] for p in pruned.trajectory]
    axes[0].plot(steps[:-1], [p["best_score"] for p in pruned.trajectory[:-1]], "o-", label="supernet score P")
    axes[0].plot(steps[-1:], [pruned.score], "s", color="C3", label="found cell")
    axes[0].set(xlabel="pruning round", ylabel="proxy score", title="pruning")
    axes[0].legend()
    axes[1].plot([p["step"] for p in evolved.trajectory], [p["best_score"] for p in evolved.trajectory], label="best")
    axes[1].plot([p["step"] for p in evolved.trajectory], [p["mean_score"] for p in evolved.trajectory], label="population mean")
    axes[1].axhline(pruned.score, color="C3", linestyle="--", label="pruning result")
    axes[1].set(xlabel="generation", ylabel="proxy score", title="evolution (NP = 20)")
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


def hybrid_accuracy(runs: pd.DataFrame, table: NB201Table) -> pd.DataFrame:
    """CIFAR-10 test accuracy of the hybrid's cell (mean ± std over seeds) beside the paper, argmax(params),
    the proxy's own optimum and the true optimum; one row each, accuracy in column "cifar10 (%)"."""
    params_argmax = table.cells()[int(np.argmax(table.metric("params_M")))]
    hybrid = runs[runs.method == "hybrid"]
    optimum = runs[runs.method == "exhaustive"]
    rows = {
        f"hybrid search, mean ± std of {len(hybrid)} seeds": f"{hybrid.cifar10.mean():.2f} ± {hybrid.cifar10.std(ddof=0):.2f}",
        "paper (TG-NAS, Table 4)": f"{PAPER_NB201_ACCURACY:.2f}",
        "the cell with the most parameters": f"{float(table.accuracy([params_argmax])[0]):.2f}",
        "the proxy's own optimum (all cells scored)": f"{float(optimum.cifar10.iloc[0]):.2f}",
        "ground-truth optimum": f"{float(table.best('cifar10')[1]):.2f}",
    }
    return pd.DataFrame({"CIFAR-10 test accuracy (%)": rows})


def hybrid_summary(runs: pd.DataFrame, table: NB201Table) -> dict[str, float]:
    """The hybrid's numbers the chapter states: mean accuracy, search time, seeds that reached the proxy's
    optimum score, and whether every seed returned the parameter-count argmax."""
    params_argmax = str(table.cells()[int(np.argmax(table.metric("params_M")))])
    hybrid = runs[runs.method == "hybrid"]
    optimum = runs[runs.method == "exhaustive"]
    return {
        "cifar10": float(hybrid.cifar10.mean()),
        "seconds": float(hybrid.seconds.mean()),
        "max_seconds": float(hybrid.seconds.max()),
        "at_optimum": int((hybrid.score >= optimum.score.iloc[0] - 1e-6).sum()),
        "seeds": len(hybrid),
        "params_argmax_share": float((hybrid.arch.astype(str) == params_argmax).mean()),
    }


def plot_found_cells(runs: pd.DataFrame, table: NB201Table) -> plt.Figure:
    """Per method, every seed's found cell as a dot (identical cells overlap): CIFAR-10 accuracy (left), proxy score (right)."""
    best_accuracy = table.best("cifar10")[1]
    n_seeds = int((runs.method == "hybrid").sum())
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.8), sharey=True)
    for ax, column, label in zip(axes, ("cifar10", "score"), ("CIFAR-10 test accuracy (%)", "proxy score")):
        sns.stripplot(data=runs, y="method", x=column, hue="method", ax=ax, size=6, alpha=0.6, jitter=0.15, legend=False)
        sns.pointplot(data=runs, y="method", x=column, ax=ax, color="black", markers="|", linestyle="none", errorbar=None, markersize=12)
        ax.set(xlabel=label, ylabel="")
    axes[0].axvline(PAPER_NB201_ACCURACY, color="C1", linestyle="--", label=f"paper {PAPER_NB201_ACCURACY}")
    axes[0].axvline(best_accuracy, color="C2", linestyle=":", label=f"optimum {best_accuracy:.2f}")
    axes[0].legend(loc="lower left", fontsize=9)
    fig.suptitle(f"found NB201 cells, {n_seeds} seeds per method (bar: mean)")
    fig.tight_layout()
    return fig


@dataclass
class DartsSearch:
    """The book's found DARTS cell (`found_darts_cell`) and the NB301-surrogate accuracy of it and of DARTS_V2."""

    result: SearchResult
    found_accuracy: float
    darts_v2_accuracy: float

    def table(self) -> pd.DataFrame:
        """Proxy score of the hybrid and its two parts, the search time and the surrogate's verdict, one row each."""
        darts = self.result
        return pd.DataFrame(
            {
                "value": {
                    "winner": darts.winner,
                    "proxy score (hybrid / pruning / evolution)": f"{darts.score:.4f} / {darts.parts['pruning'].score:.4f} / {darts.parts['evolution'].score:.4f}",
                    "search time": f"{darts.seconds:.1f} s",
                    "NB301 surrogate accuracy, found cell": f"{self.found_accuracy:.2f} %",
                    "NB301 surrogate accuracy, DARTS_V2": f"{self.darts_v2_accuracy:.2f} %",
                }
            }
        )


def darts_hybrid_search(proxy: Scorer) -> DartsSearch:
    """The book's found DARTS cell (`found_darts_cell`: NP = 50, g_max = 100, seed 0), judged by the NB301 surrogate beside DARTS_V2."""
    result = found_darts_cell(proxy)
    found_accuracy, darts_accuracy = NB301Surrogate.load().predict([result.arch, DARTS_V2])
    return DartsSearch(result, float(found_accuracy), float(darts_accuracy))
