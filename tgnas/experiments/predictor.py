"""Chapter 02: the GCN predictor. The train → score → τ grid (shared with chapter 01's Table 2), the
cross-space check of the NB301 labels, the recipe ablation with its training curves, the shipped model
against params/FLOPs (Table 3's TG row, Fig. 4) and Fig. 2 (training fraction)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FixedFormatter, FixedLocator, NullLocator
from scipy import stats

from tgnas.book.parameters import EXISTING_FILE, FRACTIONS, POSITIVE_INT, SEEDS, ChapterParameters, Parameter, optional
from tgnas.book.scorecard import VERDICTS
from tgnas.data.nb201 import DATASETS, NB201Table
from tgnas.experiments._correlations import correlation, correlations
from tgnas.spaces.graph import ArchGraph
from tgnas.tg import LabelledGraphs, TrainRecipe, TrainResult, train_predictor
from tgnas.tg.predictor import GCNConfig, GCNPredictor
from tgnas.tg.proxy import TGProxy

#: the parameters of chapter 02 (notebooks/02_gcn_predictor.py), ci and paper values
PARAMETERS = ChapterParameters(
    Parameter("epochs", POSITIVE_INT, ci=25, paper=100),
    Parameter("nb301_n", POSITIVE_INT, ci=500, paper=3_000),
    Parameter("seeds", SEEDS, ci=[0], paper=[0, 1, 2, 3, 4]),
    Parameter("fractions", FRACTIONS, ci=[0.5, 0.1, 0.01], paper=[0.9, 0.5, 0.1, 0.05, 0.01]),
    Parameter("fig2_epochs", POSITIVE_INT, ci=10, paper=100),
    Parameter("nb101_file", optional(EXISTING_FILE, "no NB101 panel in Fig. 2"), ci=None, paper=None),
)

#: the recipe candidates of the ablation (the shipped model uses SHIPPED_CONFIG)
RECIPE_CANDIDATES = {
    "2 layers, GraphNorm, sum+mean": GCNConfig(readout="sum+mean", graph_norm=True),
    "2 layers, GraphNorm, sum": GCNConfig(readout="sum", graph_norm=True),
    "2 layers, no GraphNorm, sum": GCNConfig(readout="sum", graph_norm=False),
    "2 layers, no GraphNorm, sum+mean": GCNConfig(readout="sum+mean", graph_norm=False),
    "official-like: 4 layers, plain A": GCNConfig(layers=4, normalise_adjacency=False, graph_norm=False, readout="sum"),
}
SHIPPED_CONFIG = "2 layers, no GraphNorm, sum"
#: the source combination every recipe candidate is trained on; the others only with SHIPPED_CONFIG
BOTH_SOURCES = "NB101 + NB301"


def _score(predictor: GCNPredictor, graphs: Sequence[ArchGraph]) -> np.ndarray:
    """A trained predictor's scores of ``graphs`` (the one call the experiments score predictors through)."""
    return predictor.score_graphs(graphs)


# -- the train → score → τ grid ------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """Where trained predictors are judged: graphs of one space, their labels, which have a path."""

    space: str
    graphs: list[ArchGraph]
    labels: np.ndarray
    has_path: np.ndarray | None = None


def nb201_target(table: NB201Table, dataset: str = "cifar10") -> Target:
    """All NB201 cells against their 200-epoch test accuracy on ``dataset``."""
    cells = table.cells()
    return Target(
        "nb201", [cell.to_graph() for cell in cells], table.accuracy(cells, dataset), np.array([cell.has_path() for cell in cells])
    )


def source_target(source: LabelledGraphs) -> Target:
    """The cells of a labelled source against its own labels (a check between training spaces)."""
    return Target(source.space, source.graphs, source.labels)


@dataclass(frozen=True)
class GridPoint:
    """One row group of the grid: its coordinates, training sources, predictor factory and target."""

    coordinates: Mapping[str, object]
    sources: Sequence[LabelledGraphs]
    target: Target
    make_predictor: Callable[[int], GCNPredictor] = field(default=lambda seed: GCNPredictor(seed=seed))


@dataclass
class GridResult:
    """One row per grid point × seed (coordinates, seed, kendall_tau, spearman_rho, n, val_tau,
    best_epoch, train_s) and each run's training history keyed by (coordinate values…, seed)."""

    frame: pd.DataFrame
    histories: dict[tuple, list[dict]]


def train_score_grid(points: Sequence[GridPoint], seeds: Sequence[int], epochs: int) -> GridResult:
    """Train a predictor per point and seed without the target's labels, score the target, rank-correlate."""
    rows, histories = [], {}
    for point in points:
        for seed in seeds:
            run: TrainResult = train_predictor(
                point.sources, point.target.space, point.make_predictor(seed), TrainRecipe(epochs=epochs, seed=seed), progress=False
            )
            result = correlation(_score(run.predictor, point.target.graphs), point.target.labels, point.target.has_path)
            histories[(*point.coordinates.values(), seed)] = run.history
            rows.append(
                {
                    **point.coordinates,
                    "seed": seed,
                    **result,
                    "val_tau": float(np.mean(list(run.validation.values()))),
                    "best_epoch": run.best_epoch,
                    "train_s": run.seconds,
                }
            )
    return GridResult(pd.DataFrame(rows), histories)


# -- the experiments of the chapter ------------------------------------------------------------------------
def table_cross_space_transfer(nb101: LabelledGraphs, nb301: LabelledGraphs, seeds: Sequence[int], epochs: int) -> pd.DataFrame:
    """τ of a predictor trained on one training space and scored on the other, both ways, per seed."""
    directions = {"DARTS(NB301) → NB101 τ": ([nb301], nb101), "NB101 → DARTS(NB301) τ": ([nb101], nb301)}
    points = [GridPoint({"direction": name}, sources, source_target(target)) for name, (sources, target) in directions.items()]
    frame = train_score_grid(points, seeds, epochs).frame
    return pd.DataFrame(
        {"seed": list(seeds), **{name: frame.loc[frame["direction"] == name, "kendall_tau"].to_numpy() for name in directions}}
    )


def recipe_ablation(nb101: LabelledGraphs, nb301: LabelledGraphs, target: Target, seeds: Sequence[int], epochs: int) -> GridResult:
    """Every recipe candidate on NB101 + NB301, and the shipped recipe on each source alone."""
    source_sets = {"NB101": [nb101], BOTH_SOURCES: [nb101, nb301], "NB301": [nb301]}
    points = [
        GridPoint(
            {"sources": source_name, "model": config_name},
            sources,
            target,
            lambda seed, config=config: GCNPredictor(config=config, seed=seed),
        )
        for source_name, sources in source_sets.items()
        for config_name, config in RECIPE_CANDIDATES.items()
        if source_name == BOTH_SOURCES or config_name == SHIPPED_CONFIG  # source ablation on one architecture only
    ]
    return train_score_grid(points, seeds, epochs)


def table_recipe_ablation(ablation: GridResult) -> pd.DataFrame:
    """Mean validation τ (training spaces) and NB201 τ (analysis only) per source set and recipe."""
    return (
        ablation.frame.groupby(["sources", "model"], sort=False)
        .agg(
            val_tau=("val_tau", "mean"),
            nb201_tau=("kendall_tau", "mean"),
            nb201_tau_std=("kendall_tau", "std"),
            train_s=("train_s", "mean"),
        )
        .round(3)
    )


def table_shipped_sources(proxy: TGProxy) -> pd.DataFrame:
    """The shipped model's training sources (model card ``sources``): name, space and cells of each."""
    return pd.DataFrame(proxy.card["sources"]).rename(columns={"name": "source", "n": "cells"}).set_index("source")


def table_shipped_recipe(proxy: TGProxy) -> pd.DataFrame:
    """How the shipped model was made, one row per model-card entry: the recipe chosen, by which rule, members, GCN shape."""
    card = proxy.card
    selection = card.get("selection") or {}
    config = card["config"]
    rows = {
        "chosen recipe": selection.get("chosen", "not recorded (the card predates the selection)"),
        "selection rule": selection.get("rule", "-"),
        "pool of the selection": ", ".join(selection.get("pool", [])) or "-",
        "graph network": f"{config['layers']} {_LAYER_NAMES[config.get('layer', 'gcn')]} layers, hidden {config['hidden']}, readout {config['readout']}",
        "loss / epochs": f"{card['recipe']['loss']} / {card['recipe']['epochs']}",
        "ensemble members (seeds)": f"{card['members']} ({', '.join(map(str, card['seeds']))})",
        "operator embedding": card["embedder"],
        "size prior": _size_prior_text(card.get("size_prior")),
        "NB201 labels used": "yes" if card.get("nb201_labels_used") else "no",
    }
    return pd.DataFrame({"value": rows}).rename_axis("model card")


#: a model card's ``config.layer`` in words (cards from before the setting are GCNs)
_LAYER_NAMES = {"gcn": "GCN", "gin": "GIN-0", "gat": "single-head GAT"}


def _size_prior_text(prior: dict | None) -> str:
    """The card's ``size_prior`` in words: the score is partly the network's size, so a reader must know."""
    if not prior:
        return "none (the GCN score alone)"
    size = {"params": "parameter count", "flops": "FLOPs count"}[prior.get("kind", "params")]
    return (
        f"weight {prior['weight']:g}: the GCN score's quantile blended with the {size}'s, "
        f"both against {prior['reference_cells']:,} unlabelled reference cells"
    )


def table_shipped_selection(proxy: TGProxy) -> pd.DataFrame:
    """The selection table in the model card: each candidate recipe's leave-one-benchmark-out τ on each pool benchmark and their mean."""
    selection = proxy.card.get("selection") or {}
    return pd.DataFrame(selection.get("table", {})).T.rename_axis("candidate recipe").round(3)


def shipped_training_summary(proxy: TGProxy) -> str:
    """The shipped model's training benchmarks in words: each source space and its cells, e.g. "nb101 (331 cells), …"."""
    return ", ".join(f"{source['name']} ({source['n']:,} cells)" for source in proxy.card["sources"])


def plot_training_curves(ablation: GridResult, sources: str = BOTH_SOURCES, model: str = SHIPPED_CONFIG) -> plt.Figure:
    """Loss and mean validation τ per epoch of the runs of one ablation row, one line per seed."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.4))
    for (source_name, config_name, seed), history in ablation.histories.items():
        if source_name != sources or config_name != model:
            continue
        epochs_seen = [h["epoch"] for h in history]
        left.plot(epochs_seen, [h["loss"] for h in history], label=f"seed {seed}")
        right.plot(epochs_seen, [h["val_metric"] for h in history], label=f"seed {seed}")
    left.set(xlabel="epoch", ylabel="training loss (mse + pairwise)", title="loss")
    right.set(xlabel="epoch", ylabel="mean validation τ", title="validation splits")
    left.legend()
    right.legend()
    fig.tight_layout()
    return fig


@dataclass
class ShippedEvaluation:
    """The shipped proxy on all NB201 cells: τ/ρ per dataset beside params and FLOPs τ."""

    frame: pd.DataFrame
    n: int
    score_seconds: float
    nb201_labels_used: bool


def table3_tg_vs_baselines(proxy: TGProxy, table: NB201Table) -> ShippedEvaluation:
    """Table 3's TG row: the proxy's τ/ρ on all NB201 cells per dataset, params and FLOPs τ beside it."""
    archs = list(table.frame["arch_str"])
    labels = {d: table.accuracy(None, d) for d in DATASETS}
    started = time.perf_counter()
    scores = proxy.score(archs)
    seconds = time.perf_counter() - started
    tg = correlations(scores, labels)
    params = {d: correlation(table.metric("params_M", None, d), labels[d])["kendall_tau"] for d in DATASETS}
    flops = {d: correlation(table.metric("flops_M_nbsz", None, d), labels[d])["kendall_tau"] for d in DATASETS}
    frame = pd.DataFrame(
        [
            {
                "dataset": d,
                "TG τ": tg[d]["kendall_tau"],
                "TG ρ": tg[d]["spearman_rho"],
                "params τ": params[d],
                "FLOPs τ": flops[d],
                "n": len(archs),
            }
            for d in DATASETS
        ]
    )
    return ShippedEvaluation(frame, len(archs), seconds, bool(proxy.card.get("nb201_labels_used", True)))


def tg_vs_params_with_path(proxy: TGProxy, table: NB201Table, dataset: str = "cifar10") -> pd.DataFrame:
    """Kendall τ of the proxy and of the parameter count on the NB201 cells with an input→output path only (one row)."""
    target = nb201_target(table, dataset)
    params = table.metric("params_M", None, dataset)
    tg = correlation(proxy.score(list(table.frame["arch_str"])), target.labels, target.has_path, "with_path")
    baseline = correlation(params, target.labels, target.has_path, "with_path")
    return pd.DataFrame(
        {"TG τ": tg["kendall_tau"], "params τ": baseline["kendall_tau"], "n": int(tg["n"])}, index=pd.Index([dataset], name="dataset")
    )


def table3_releases(current: TGProxy, earlier: TGProxy, table: NB201Table) -> pd.DataFrame:
    """The current shipped proxy beside an earlier release and the parameter count: Kendall τ per NB201
    dataset on all cells and on the cells with a path (one row per dataset)."""
    archs = list(table.frame["arch_str"])
    scores = {"TG": current.score(archs), f"TG {earlier.card.get('release', 'earlier')}": earlier.score(archs)}
    rows = []
    for dataset in DATASETS:
        target = nb201_target(table, dataset)
        row = {"dataset": dataset}
        for name, values in {**scores, "params": table.metric("params_M", None, dataset)}.items():
            row[f"{name} τ (all)"] = correlation(values, target.labels)["kendall_tau"]
            row[f"{name} τ (with path)"] = correlation(values, target.labels, target.has_path, "with_path")["kendall_tau"]
        rows.append(row)
    return pd.DataFrame(rows).set_index("dataset")


def plot_fig4_rank_vs_true_rank(proxy: TGProxy, table: NB201Table) -> plt.Figure:
    """Fig. 4 and the appendix: predicted rank vs true rank on every NB201 cell, one row per dataset, TG left and params right."""
    cells = table.cells()
    tg_scores = proxy.score([str(cell) for cell in cells])
    fig, axes = plt.subplots(len(DATASETS), 2, figsize=(7.5, 9.6), sharex=True, sharey=True)
    for row, dataset in enumerate(DATASETS):
        accuracy = table.accuracy(cells, dataset)
        true_rank = stats.rankdata(accuracy) / 1000
        for column, (name, values) in enumerate((("TG proxy", tg_scores), ("params", table.metric("params_M", cells, dataset)))):
            ax = axes[row, column]
            ax.scatter(true_rank, stats.rankdata(values) / 1000, s=1, alpha=0.2, rasterized=True)
            tau = correlation(values, accuracy)["kendall_tau"]
            ax.set_title(f"{dataset}: {name}, τ = {tau:.3f}")
        axes[row, 0].set_ylabel("predicted rank (thousands)")
    for ax in axes[-1]:
        ax.set_xlabel("true rank (thousands)")
    fig.tight_layout()
    return fig


# -- Fig. 2 ------------------------------------------------------------------------------------------------
def nb201_fraction_pool(table: NB201Table, dataset: str = "cifar10") -> tuple[LabelledGraphs, np.ndarray]:
    """The NB201 cells with a path labelled by validation accuracy (to train on), and their test accuracy."""
    cells = [cell for cell in table.cells() if cell.has_path()]
    pool = LabelledGraphs("nb201", "nb201", [cell.to_graph() for cell in cells], table.accuracy(cells, dataset, split="val"))
    return pool, table.accuracy(cells, dataset)


def fig2_training_fraction(
    pool: LabelledGraphs, test_labels: np.ndarray, fractions: Sequence[float], epochs: int, progress: bool = False
) -> pd.DataFrame:
    """Fig. 2: per fraction, train on that (seeded) share of ``pool`` in-space and rank the rest by ``test_labels``."""
    rows = []
    for fraction in fractions:
        chosen = np.random.default_rng(0).choice(len(pool), size=max(10, int(round(fraction * len(pool)))), replace=False)
        held_out = np.setdiff1d(np.arange(len(pool)), chosen)
        started = time.perf_counter()
        run = train_predictor(
            [pool.subset(chosen, name=f"{pool.name}-{fraction}")],
            None,
            GCNPredictor(seed=0),
            TrainRecipe(epochs=epochs, seed=0),
            progress=progress,
        )
        result = correlation(_score(run.predictor, [pool.graphs[i] for i in held_out]), test_labels[held_out])
        rows.append(
            {
                "train fraction": fraction,
                "train cells": len(chosen),
                "test cells": len(held_out),
                "kendall_tau": result["kendall_tau"],
                "spearman_rho": result["spearman_rho"],
                "seconds": time.perf_counter() - started,
            }
        )
    return pd.DataFrame(rows)


def plot_fig2(fig2: pd.DataFrame, space: str = "NB201") -> plt.Figure:
    """Fig. 2: Kendall τ and Spearman ρ on the held-out cells against the training fraction (log scale, ticks at the fractions)."""
    fig, ax = plt.subplots(figsize=(6, 3.8))
    percent = fig2["train fraction"] * 100
    ax.plot(percent, fig2["kendall_tau"], "o-", label="Kendall τ")
    ax.plot(percent, fig2["spearman_rho"], "s-", label="Spearman ρ")
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(list(percent)))
    ax.xaxis.set_major_formatter(FixedFormatter([f"{value:g} %" for value in percent]))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"training fraction of {space}")
    ax.set_ylabel("rank correlation, held-out cells")
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


#: Fig. 2's claim holds when the smallest training split keeps this share of the largest split's τ
FIG2_RETAINED = 0.8


def fig2_ends(fig2: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The rows of Fig. 2's smallest and largest training fraction."""
    ordered = fig2.sort_values("train fraction")
    return ordered.iloc[0], ordered.iloc[-1]


def fig2_retained(fig2: pd.DataFrame) -> float:
    """τ at the smallest training fraction divided by τ at the largest."""
    smallest, largest = fig2_ends(fig2)
    return float(smallest["kendall_tau"] / largest["kendall_tau"])


def fig2_verdict(fig2: pd.DataFrame, on_nb101: bool) -> str:
    """Fig. 2's claim (strong down to 1 %): the smallest split keeps `FIG2_RETAINED` of the largest split's τ.

    Measured on the paper's NB101 that is "reproduced"; on the NB201 stand-in at best "partly"."""
    if fig2_retained(fig2) < FIG2_RETAINED:
        return VERDICTS[2]
    return VERDICTS[0] if on_nb101 else VERDICTS[1]
