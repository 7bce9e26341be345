"""Chapter 00: the three search spaces in one graph form (Fig. 8), the data available for each, the
NB201 accuracy distributions, Table 4's *Ground Truth* row and the params/FLOPs baselines."""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from tgnas import spaces
from tgnas.book.parameters import NON_NEGATIVE_INT, POSITIVE_INT, ChapterParameters, Parameter
from tgnas.data.nb101 import NB101Record
from tgnas.data.nb201 import DATASETS, NB201Table
from tgnas.data.nb301 import NB301Surrogate
from tgnas.data.zc import load_zc_proxies
from tgnas.experiments._correlations import correlation
from tgnas.spaces.darts import DARTS_V1, DARTS_V2, EDGES_PER_CELL, INTERMEDIATE_NODES, SAMPLED_OPS
from tgnas.spaces.draw import draw_graph, draw_nb201_cell
from tgnas.spaces.nb101 import NB101Cell
from tgnas.spaces.nb201 import NB201Cell

#: the parameters of chapter 00 (notebooks/00_benchmarks.py), ci and paper values
PARAMETERS = ChapterParameters(
    Parameter("n_scatter", POSITIVE_INT, ci=3_000, paper=15_625),
    Parameter("n_darts", POSITIVE_INT, ci=200, paper=5_000),
    Parameter("seed", NON_NEGATIVE_INT, ci=0, paper=0),
)

#: Table 4's Ground Truth row as printed in the paper
PAPER_GROUND_TRUTH = {"FLOPs (M)": 153.27, "Params (M)": 1.073, "CIFAR-10 (%)": 94.37, "CIFAR-100 (%)": 73.22, "ImageNet16-120 (%)": 46.71}
BASELINE_METRICS = ("params_M", "flops_M_nbsz")


def darts_space_size() -> int:
    """Distinct DARTS genotypes without ``none``: per cell, node k picks 2 of its k inputs and an op per edge."""
    per_cell = math.prod(math.comb(node, 2) for node in INTERMEDIATE_NODES) * len(SAMPLED_OPS) ** EDGES_PER_CELL
    return per_cell**2  # a normal and a reduction cell


def no_path_mask(table: NB201Table) -> np.ndarray:
    """True for the NB201 cells (index order) without an input→output path."""
    return np.array([not cell.has_path() for cell in table.cells()])


def plot_fig8_nb201(cell: NB201Cell, titles: tuple[str, str], height: float = 3.6) -> plt.Figure:
    """Fig. 8 for one NB201 cell: operators on edges (left) and the same cell as an `ArchGraph` (right)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, height))
    draw_nb201_cell(cell, axes[0], title=titles[0])
    draw_graph(spaces.create("nb201").to_graph(cell), axes[1], title=titles[1])
    return fig


def plot_fig8_nb101_darts(nb101_cell: NB101Cell) -> plt.Figure:
    """Fig. 8 for the other two spaces: an NB101 cell and both cells of the published DARTS_V2 genotype."""
    darts = spaces.create("darts")
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.2), gridspec_kw={"width_ratios": [1.3, 1.4, 1.4]})
    draw_graph(spaces.create("nb101").to_graph(nb101_cell), axes[0], title="NB101: first official record")
    draw_graph(darts.to_graph(DARTS_V2, cell="normal"), axes[1], title="DARTS_V2 normal cell")
    draw_graph(darts.to_graph(DARTS_V2, cell="reduce"), axes[2], title="DARTS_V2 reduction cell")
    return fig


def table_space_sizes(table: NB201Table, nb101_labelled: list[NB101Record], nb101_official: list[NB101Record]) -> pd.DataFrame:
    """Cells per space and the labels available here, counted from the data."""
    no_path = no_path_mask(table)
    distinct = len({record.cell.graph_hash() for record in nb101_labelled})
    all_nb201 = sum(1 for _ in spaces.create("nb201").all_cells())
    return pd.DataFrame(
        [
            (
                "NAS-Bench-101",
                "423,624 (paper)",
                f"{len(nb101_labelled)} NASLib records ({distinct} distinct cells after pruning) + {len(nb101_official)} official records",
            ),
            (
                "NAS-Bench-201",
                f"{all_nb201:,} (enumerated)",
                f"{len(table):,} cells × 3 datasets; {no_path.sum()} cells have no input→output path",
            ),
            ("DARTS", f"{float(darts_space_size()):.2e} (normal × reduce, no `none`)", "NB301 surrogate labels"),
        ],
        columns=["space", "cells", "labels available here"],
    )


def plot_nb201_accuracy_histograms(table: NB201Table) -> plt.Figure:
    """200-epoch test accuracy per dataset; the no-path cells (all at chance) drawn as one bar."""
    no_path = no_path_mask(table)
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.4))
    for ax, dataset in zip(axes, DATASETS):
        acc = table.accuracy(dataset=dataset)
        _, edges, _ = ax.hist(acc[~no_path], bins=80, color="#3182bd", label="cells with a path")
        ax.bar(acc[no_path].mean(), no_path.sum(), width=2 * (edges[1] - edges[0]), color="#e6550d", label=f"no path ({no_path.sum()})")
        ax.set_title(f"{dataset}: max {acc.max():.2f} %")
        ax.set_xlabel("test accuracy after 200 epochs (%)")
    axes[0].set_ylabel("cells")
    axes[0].legend()
    return fig


def no_path_accuracy(table: NB201Table) -> dict[str, float]:
    """Per dataset, the (highest, rounded) accuracy of the cells without a path: chance level."""
    no_path = no_path_mask(table)
    return {d: float(np.unique(table.accuracy(dataset=d)[no_path]).round(2).max()) for d in DATASETS}


def table4_ground_truth(table: NB201Table) -> pd.DataFrame:
    """Table 4's Ground Truth row (the CIFAR-10 optimum) from the paper and from the benchmark table."""
    best = table.query(table.best("cifar10")[0])
    ours = [
        best["flops_M_nbsz_cifar10"],
        best["params_M_cifar10"],
        best["test_acc_200ep_cifar10"],
        best["test_acc_200ep_cifar100"],
        best["test_acc_200ep_ImageNet16-120"],
    ]
    frame = pd.DataFrame({"paper (Table 4)": list(PAPER_GROUND_TRUTH.values()), "ours": ours}, index=list(PAPER_GROUND_TRUTH))
    frame["note"] = ["NB-SZ convention (BN+ReLU counted); official NB201 FLOPs are lower", "", "", "", ""]
    return frame


def plot_params_vs_accuracy(table: NB201Table, subset: np.ndarray) -> plt.Figure:
    """Scatter of params against 200-epoch test accuracy on the cells ``subset``, one panel per dataset."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.6), sharex=True)
    for ax, dataset in zip(axes, DATASETS):
        ax.scatter(table.metric("params_M", subset, dataset), table.accuracy(subset, dataset), s=3, alpha=0.4)
        ax.set_title(dataset)
        ax.set_xlabel("params (M)")
    axes[0].set_ylabel("test accuracy, 200 epochs (%)")
    fig.suptitle(f"{len(subset):,} cells")
    return fig


def table_baselines(table: NB201Table) -> pd.DataFrame:
    """τ/ρ of params and FLOPs against test accuracy, on all cells (as scored) and on the cells with a path."""
    has_path = ~no_path_mask(table)
    rows = []
    for dataset in DATASETS:
        target = table.accuracy(dataset=dataset)
        for metric in BASELINE_METRICS:
            score = table.metric(metric, dataset=dataset)
            # "all cells" as the table gives them: params and FLOPs do not flag the no-path cells
            rows.append({"dataset": dataset, "baseline": metric, "cells": "all cells", **correlation(score, target)})
            rows.append(
                {"dataset": dataset, "baseline": metric, "cells": "cells with a path", **correlation(score, target, has_path, "with_path")}
            )
    return pd.DataFrame(rows)


def table_12_vs_200_epochs(table: NB201Table) -> pd.DataFrame:
    """τ/ρ between 12-epoch and 200-epoch test accuracy on the cells with a path, per dataset."""
    has_path = ~no_path_mask(table)
    return pd.DataFrame(
        [
            {
                "dataset": d,
                **correlation(table.accuracy(dataset=d, epochs=12), table.accuracy(dataset=d, epochs=200), has_path, "with_path"),
            }
            for d in DATASETS
        ]
    )


def plot_latency_vs_accuracy(hw: pd.DataFrame, table: NB201Table, subset: np.ndarray) -> plt.Figure:
    """Edge-GPU latency (HW-NAS-Bench) against CIFAR-10 test accuracy on the cells ``subset``."""
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.scatter(hw.loc[subset, "edgegpu_latency"], table.accuracy(subset), s=3, alpha=0.4)
    ax.set_xlabel("Edge GPU latency (ms)")
    ax.set_ylabel("CIFAR-10 test accuracy (%)")
    return fig


def table_proxy_coverage(hw: pd.DataFrame, table: NB201Table) -> pd.DataFrame:
    """Cells with precomputed NB-SZ proxies per dataset, and with a measured Edge-TPU latency."""
    return pd.DataFrame(
        [{"dataset": d, "cells with precomputed proxies": len(load_zc_proxies(d, table))} for d in DATASETS]
        + [{"dataset": "cifar10 (HW-NAS-Bench)", "cells with precomputed proxies": int(hw["edgetpu_latency"].notna().sum())}]
    )


@dataclass
class SurrogateSample:
    """NB301-surrogate accuracies of random DARTS genotypes and of the published DARTS cells."""

    random_accuracy: np.ndarray
    published: dict[str, float]

    def summary(self) -> str:
        return (
            f"random genotypes: mean {self.random_accuracy.mean():.2f} %, std {self.random_accuracy.std():.2f}; "
            f"DARTS_V2 beats {np.mean(self.random_accuracy < self.published['DARTS_V2']):.0%} of them"
        )


def nb301_random_vs_published(n: int, rng: np.random.Generator) -> SurrogateSample:
    """Label ``n`` random DARTS genotypes (drawn from ``rng``) and DARTS_V1/V2 with the NB301 surrogate."""
    surrogate = NB301Surrogate.load()
    darts = spaces.create("darts")
    random_accuracy = surrogate.predict([darts.sample(rng) for _ in range(n)])
    published = surrogate.predict([DARTS_V1, DARTS_V2])
    return SurrogateSample(random_accuracy, {"DARTS_V1": float(published[0]), "DARTS_V2": float(published[1])})


def plot_nb301_random_vs_published(sample: SurrogateSample) -> plt.Figure:
    """Histogram of the random genotypes' surrogate accuracy with the published cells marked."""
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.hist(sample.random_accuracy, bins=40, color="#756bb1", label=f"{len(sample.random_accuracy)} random genotypes")
    for name, value in sample.published.items():
        ax.axvline(value, color="#e6550d", linestyle="--" if name == "DARTS_V1" else "-", label=f"{name}: {value:.2f} %")
    ax.set_xlabel("NB301 surrogate validation accuracy (%)")
    ax.legend(fontsize=8)
    return fig
