"""Chapter 06: the hybrid search in the DARTS space (found cells, Fig. 5, NB301-surrogate comparison with
random cells and DARTS_V2) and NB201 searches under an edge-GPU latency limit as a Pareto front."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from tgnas import spaces
from tgnas.book.parameters import POSITIVE_INT, POSITIVE_NUMBERS, ChapterParameters, Parameter
from tgnas.book.scorecard import VERDICTS
from tgnas.data.hw import hw_metric, load_hw_metrics
from tgnas.data.nb201 import NB201Table
from tgnas.data.nb301 import NB301Surrogate
from tgnas.scoring import Scorer
from tgnas.search import search
from tgnas.search.pareto import latency_sweep, pareto_front
from tgnas.search.result import SearchResult
from tgnas.spaces.darts import DARTS_V2, INTERMEDIATE_NODES, DartsGenotype

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


#: the seed of the book's one found DARTS cell: chapters 03 and 06 show it, chapter 07 can train it
CANONICAL_SEED = 0


def found_darts_cell(proxy: Scorer, seed: int = CANONICAL_SEED) -> SearchResult:
    """The hybrid search in the DARTS space with the space's own budget (NP = 50, g_max = 100).

    With the shipped ``darts`` proxy and `CANONICAL_SEED` this is *the* found DARTS cell of the book;
    every chapter that shows one calls this function, so they all show the same cell.
    """
    return search("darts", proxy, method="hybrid", seed=seed)


def darts_searches(proxy: Scorer, n_seeds: int, surrogate: NB301Surrogate) -> pd.DataFrame:
    """`found_darts_cell` for seeds 0 … n_seeds−1, with the surrogate's accuracy of each found genotype."""
    found = []
    for seed in range(n_seeds):
        result = found_darts_cell(proxy, seed)
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


#: short operator names for the edge labels (the caption spells them out)
OP_LABELS = {
    "sep_conv_3x3": "sep 3×3",
    "sep_conv_5x5": "sep 5×5",
    "dil_conv_3x3": "dil 3×3",
    "dil_conv_5x5": "dil 5×5",
    "max_pool_3x3": "max 3×3",
    "avg_pool_3x3": "avg 3×3",
    "skip_connect": "skip",
    "none": "none",
}
OUTPUT_NODE = 6
_NODE_NAMES = {0: "c_{k-2}", 1: "c_{k-1}", OUTPUT_NODE: "c_{k}"}
#: the usual DARTS cell picture: the two inputs left above and below the row of the four
#: intermediate nodes, the output at the row's right end
_POSITIONS = {0: (0.0, 2.4), 1: (0.0, -2.4), 2: (3.2, 0.0), 3: (6.4, 0.0), 4: (9.6, 0.0), 5: (12.8, 0.0), OUTPUT_NODE: (15.0, 0.0)}
#: height above the row of an edge between intermediate nodes that skips 0, 1 or 2 nodes
_ARC_HEIGHT = {1: 0.0, 2: 1.1, 3: 1.8}
# where labels sit: on an edge from an input this far before its target (the edges part there), on a
# straight edge between neighbours this share of the way (clear of the input edges' labels at the target)
_LABEL_BEFORE_TARGET = 1.5
_LABEL_BETWEEN_NEIGHBOURS = 0.4


def _edge(ax: plt.Axes, source: tuple[float, float], target: tuple[float, float], height: float, **style) -> tuple[float, float, float]:
    """Draw an arrow, bent ``height`` above the straight line (0: straight); return where its label goes and at what angle."""
    (x0, y0), (x1, y1) = source, target
    rad = -2 * height / (x1 - x0) if height else 0.0  # arc3's midpoint lies rad·dx/2 below a left-to-right chord
    ax.annotate(
        "",
        xy=target,
        xytext=source,
        arrowprops={"arrowstyle": "-|>", "shrinkA": 14, "shrinkB": 14, "connectionstyle": f"arc3,rad={rad}", **style},
    )
    if height:
        return (x0 + x1) / 2, (y0 + y1) / 2 + height, 0.0
    length = float(np.hypot(x1 - x0, y1 - y0))
    at = _LABEL_BETWEEN_NEIGHBOURS if y0 == y1 else 1 - _LABEL_BEFORE_TARGET / length
    return x0 + at * (x1 - x0), y0 + at * (y1 - y0), float(np.degrees(np.arctan2(y1 - y0, x1 - x0)))


def draw_darts_cell(genotype: DartsGenotype, cell: str, ax: plt.Axes, fontsize: float = 9.5) -> plt.Axes:
    """One DARTS cell in the usual edge-labelled form: feature maps as nodes, each operator written on its edge."""
    for node, (op, source) in zip(np.repeat(INTERMEDIATE_NODES, 2), genotype.edges(cell)):
        height = _ARC_HEIGHT[int(node) - source] if source >= 2 else 0.0
        x, y, angle = _edge(ax, _POSITIONS[source], _POSITIONS[int(node)], height, color="#444444", lw=1.0)
        ax.text(
            x,
            y,
            OP_LABELS.get(op, op),
            rotation=angle,
            rotation_mode="anchor",
            ha="center",
            va="center",
            fontsize=fontsize,
            bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.9},
        )
    for node in genotype.concat(cell):
        _edge(ax, _POSITIONS[node], _POSITIONS[OUTPUT_NODE], -0.5 * (OUTPUT_NODE - 1 - node), color="#999999", lw=0.8, linestyle="--")
    for node, (x, y) in _POSITIONS.items():
        colour = "#9ecae1" if node in _NODE_NAMES else "#fdd0a2"
        label = f"${_NODE_NAMES[node]}$" if node in _NODE_NAMES else str(node - 2)
        ax.text(
            x, y, label, ha="center", va="center", fontsize=fontsize + 1, bbox={"boxstyle": "round,pad=0.4", "fc": colour, "ec": "#333333"}
        )
    ax.set_xlim(-0.7, _POSITIONS[OUTPUT_NODE][0] + 0.7)
    ax.set_ylim(-2.8, 2.8)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_fig5_found_cells(genotype: DartsGenotype) -> plt.Figure:
    """Fig. 5: the normal (top) and reduction cell (bottom) of a genotype in the usual DARTS form."""
    fig, axes = plt.subplots(2, 1, figsize=(7.5, 5.6))
    for ax, cell, title in zip(axes, ("normal", "reduce"), ("normal cell", "reduction cell")):
        draw_darts_cell(genotype, cell, ax)
        ax.set_title(title)
    fig.tight_layout()
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
    """Distribution of the random cells' surrogate accuracy, DARTS_V2 and one dashed line per found cell."""
    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    sns.histplot(
        comparison.random_accuracy, bins=30, color="lightgrey", kde=True, ax=ax, label=f"{len(comparison.random_accuracy)} random cells"
    )
    ax.axvline(comparison.darts_v2_accuracy, color="tab:orange", linewidth=2, label="DARTS_V2 (published)")
    for value in comparison.found_accuracy:
        ax.axvline(value, color="tab:blue", linestyle="--")
    ax.plot([], [], color="tab:blue", linestyle="--", label="TG hybrid (one line per seed)")
    ax.set(xlabel="NB301 surrogate validation accuracy (%)", ylabel="random cells")
    ax.legend(loc="upper left", fontsize=9)
    fig.tight_layout()
    return fig


#: the paper's DARTS search time bound (§4.3: under 2 minutes on one RTX 4090)
PAPER_DARTS_SECONDS = 120.0


def search_time_verdict(found: pd.DataFrame) -> str:
    """The paper's "< 2 min": reproduced when every DARTS search here finished within `PAPER_DARTS_SECONDS`."""
    return VERDICTS[0] if found["search_s"].max() < PAPER_DARTS_SECONDS else VERDICTS[2]


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
    fig, ax = plt.subplots(figsize=(7.0, 4.2))
    ax.scatter(latency[measured], accuracy[measured], s=2, color="lightgrey", label="all NB201 cells", rasterized=True)
    ax.step(latency[front], accuracy[front], where="post", color="black", linewidth=1, label="true Pareto front")
    ax.plot(points["latency (ms)"], points["cifar10 (%)"], "o", color="tab:blue", label="TG hybrid under a limit")
    ax.set_xlabel("edge-GPU latency (ms, HW-NAS-Bench)")
    ax.set_ylabel("CIFAR-10 test accuracy (%)")
    ax.set_ylim(min(80.0, float(points["cifar10 (%)"].min()) - 1), 95)  # every found cell stays in view
    ax.legend(fontsize=9, loc="lower right")
    return fig
