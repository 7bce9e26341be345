"""Chapter 06: the hybrid search in the DARTS space (found cells, Fig. 5, NB301-surrogate comparison with
random cells and DARTS_V2) and NB201 searches under an edge-GPU latency limit as a Pareto front."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from tgnas import spaces
from tgnas.book.parameters import POSITIVE_INT, POSITIVE_NUMBERS, ChapterParameters, Parameter
from tgnas.data.hw import hw_metric, load_hw_metrics
from tgnas.data.nb201 import NB201Table
from tgnas.data.nb301 import NB301Surrogate
from tgnas.scoring import Scorer
from tgnas.search import search
from tgnas.search.pareto import latency_sweep, pareto_front
from tgnas.spaces.darts import DARTS_V2, DartsGenotype
from tgnas.spaces.draw import draw_graph

#: the parameters of chapter 06 (notebooks/06_darts_search.py), ci and paper values
PARAMETERS = ChapterParameters(
    Parameter("n_seeds", POSITIVE_INT, ci=3, paper=10),
    Parameter("n_random", POSITIVE_INT, ci=200, paper=2_000),
    Parameter(
        "latency_limits",
        POSITIVE_NUMBERS,
        ci=[3.0, 4.0, 5.0, 6.0, 8.0, 12.0],
        paper=[2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 7.0, 8.0, 10.0, 12.0],
    ),
)

SURROGATE = "NB301 surrogate (%)"


def darts_searches(proxy: Scorer, n_seeds: int, surrogate: NB301Surrogate) -> pd.DataFrame:
    """One DARTS-space hybrid search per seed, with the surrogate's accuracy of the found genotype."""
    found = []
    for seed in range(n_seeds):
        result = search("darts", proxy, method="hybrid", seed=seed)
        found.append(
            {
                "seed": seed,
                "winner": result.winner,
                "search_s": round(result.seconds, 2),
                "proxy score": result.score,
                "genotype": result.arch,
            }
        )
    found = pd.DataFrame(found)
    found[SURROGATE] = surrogate.predict(list(found["genotype"]))
    return found


def plot_fig5_found_cells(genotype: DartsGenotype) -> plt.Figure:
    """Fig. 5: the normal and reduction cell of a found genotype, as operator graphs."""
    darts = spaces.create("darts")
    fig, axes = plt.subplots(1, 2, figsize=(14, 5))
    draw_graph(darts.to_graph(genotype, cell="normal"), ax=axes[0], title="normal cell")
    draw_graph(darts.to_graph(genotype, cell="reduce"), ax=axes[1], title="reduction cell")
    fig.suptitle("DARTS cells found by the hybrid search with the TG proxy (operators on nodes, paper Fig. 8 form)")
    return fig


@dataclass
class SurrogateComparison:
    """The surrogate's accuracy of random genotypes, of DARTS_V2 and of the found cells."""

    random_accuracy: np.ndarray
    darts_v2_accuracy: float
    found_accuracy: np.ndarray

    def percentiles(self) -> list[float]:
        """Percentile of each found cell among the random cells, rounded to 0.1."""
        return [round(float((self.random_accuracy < value).mean() * 100), 1) for value in self.found_accuracy]

    def frame(self) -> pd.DataFrame:
        found, random = self.found_accuracy, self.random_accuracy
        return pd.DataFrame(
            {
                "cells": ["random (mean ± std)", "DARTS_V2 (published)", f"TG hybrid ({len(found)} seeds, mean ± std)"],
                SURROGATE: [
                    f"{random.mean():.2f} ± {random.std():.2f}",
                    f"{self.darts_v2_accuracy:.2f}",
                    f"{found.mean():.2f} ± {found.std(ddof=0):.2f}",
                ],
            }
        )


def table_found_vs_random(found: pd.DataFrame, n_random: int, surrogate: NB301Surrogate, seed: int = 0) -> SurrogateComparison:
    """Found cells beside ``n_random`` random genotypes (seeded) and DARTS_V2, all by the NB301 surrogate."""
    rng = np.random.default_rng(seed)
    darts = spaces.create("darts")
    random_accuracy = surrogate.predict([darts.sample(rng) for _ in range(n_random)])
    return SurrogateComparison(random_accuracy, float(surrogate.predict([DARTS_V2])[0]), found[SURROGATE].to_numpy())


def plot_found_vs_random(comparison: SurrogateComparison) -> plt.Figure:
    """Histogram of the random cells' surrogate accuracy, DARTS_V2 and one dashed line per found cell."""
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(comparison.random_accuracy, bins=30, color="lightgrey", label=f"{len(comparison.random_accuracy)} random cells")
    ax.axvline(comparison.darts_v2_accuracy, color="tab:orange", label="DARTS_V2")
    for value in comparison.found_accuracy:
        ax.axvline(value, color="tab:blue", linestyle="--")
    ax.plot([], [], color="tab:blue", linestyle="--", label="TG hybrid (one line per seed)")
    ax.set_xlabel("NB301 surrogate validation accuracy (%)")
    ax.legend(fontsize=8)
    return fig


def latency_front(proxy: Scorer, limits: Sequence[float], device: str = "edgegpu", seed: int = 0) -> pd.DataFrame:
    """The constrained NB201 hybrid search per latency limit (`latency_sweep`), one row per found cell."""
    sweep = latency_sweep("tg", device, limits, [seed], proxy=proxy)
    return pd.DataFrame(
        {
            "limit (ms)": sweep["limit_ms"],
            "latency (ms)": sweep["latency_ms"],
            "cifar10 (%)": sweep["test_acc"],
            "arch": sweep["arch"],
            "search_s": sweep["seconds"].round(2),
        }
    )


def plot_latency_front(points: pd.DataFrame, table: NB201Table, device: str = "edgegpu") -> plt.Figure:
    """The found cells beside every NB201 cell and the true accuracy–latency Pareto front."""
    latency = load_hw_metrics("cifar10", table)[hw_metric(device)].to_numpy()
    accuracy = table.accuracy(None, "cifar10")
    measured = np.isfinite(latency)
    front = pareto_front(latency, accuracy)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.scatter(latency[measured], accuracy[measured], s=2, color="lightgrey", label="all NB201 cells")
    ax.step(latency[front], accuracy[front], where="post", color="black", linewidth=1, label="true Pareto front")
    ax.plot(points["latency (ms)"], points["cifar10 (%)"], "o", color="tab:blue", label="TG hybrid under a limit")
    ax.set_xlabel("edge-GPU latency (ms, HW-NAS-Bench)")
    ax.set_ylabel("CIFAR-10 test accuracy (%)")
    ax.set_ylim(80, 95)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Latency-constrained NB201 search")
    return fig
