"""Chapter 04: zero-cost proxies beside the TG proxy on NB201. Fig. 10 (pairwise Spearman ρ, clustered),
how independent each proxy is, Table 3 (every proxy against test accuracy), TG combined with its most
independent proxy, and our proxy implementation against NB-SZ with its cost per cell."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform
from scipy.stats import spearmanr

from tgnas.book.parameters import NON_NEGATIVE_INT, POSITIVE_INT, ChapterParameters, Parameter
from tgnas.book.scorecard import VERDICTS
from tgnas.data.nb201 import DATASETS, NB201Table
from tgnas.data.zc import ZC_PROXIES, load_zc_partial, load_zc_proxies
from tgnas.experiments._correlations import correlation
from tgnas.zerocost.validate import validate_against_reference

#: the parameters of chapter 04 (notebooks/04_proxy_independence.py), ci and paper values
PARAMETERS = ChapterParameters(
    Parameter("n_heatmap", POSITIVE_INT, ci=1_000, paper=1_000),
    Parameter("n_own", POSITIVE_INT, ci=8, paper=200),
    Parameter("batch_size", POSITIVE_INT, ci=64, paper=64),
    Parameter("seed", NON_NEGATIVE_INT, ci=0, paper=0),
)

#: every proxy of the heatmaps and Table 3: the 13 NB-SZ proxies and TG
PROXIES = (*ZC_PROXIES, "TG")
#: proxies that need a minibatch of images (the cheapest of them is compared with TG)
DATA_DEPENDENT = ("snip", "grad_norm", "nwot", "jacov")


def reference_scores(table: NB201Table) -> dict[str, pd.DataFrame]:
    """The precomputed NB-SZ proxy scores per dataset."""
    return {dataset: load_zc_proxies(dataset, table) for dataset in DATASETS}


def reference_sizes(reference: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Cells with NB-SZ scores per dataset, as a one-column table."""
    return pd.DataFrame({"cells with NB-SZ scores": {dataset: len(frame) for dataset, frame in reference.items()}}).rename_axis("dataset")


@dataclass
class TimedScores:
    """A proxy's score of every cell (indexed by arch string) and the seconds the scoring took."""

    scores: pd.Series
    seconds: float


def score_all_cells(proxy, table: NB201Table) -> TimedScores:
    """Score every NB201 cell by arch string, timed."""
    started = time.perf_counter()
    scores = pd.Series(proxy.score(table.frame["arch_str"].tolist()), index=table.frame["arch_str"])
    return TimedScores(scores, time.perf_counter() - started)


@dataclass
class ProxyHeatmaps:
    """Per dataset the Spearman ρ of every proxy pair, the cells it used, and the clustered proxy order."""

    matrices: dict[str, pd.DataFrame]
    sizes: dict[str, int]
    order: list[str]
    linkage: np.ndarray | None = None
    """the average-linkage tree of the CIFAR-10 panel (rows of `scipy.cluster.hierarchy.linkage`), over `PROXIES` in order"""


def fig10_proxy_correlations(reference: Mapping[str, pd.DataFrame], tg: pd.Series, n: int, rng: np.random.Generator) -> ProxyHeatmaps:
    """Fig. 10: ρ of every proxy pair on ``n`` sampled cells per dataset, ordered by average-linkage
    clustering of the CIFAR-10 panel on the distance 1 − |ρ|."""
    names = list(PROXIES)
    matrices, sizes = {}, {}
    for dataset in DATASETS:
        frame = reference[dataset]
        rows = np.sort(rng.choice(len(frame), size=min(n, len(frame)), replace=False))
        scores = frame.iloc[rows][["arch_str", *ZC_PROXIES]].dropna()
        scores = scores.assign(TG=tg.loc[scores["arch_str"]].to_numpy())
        matrices[dataset] = pd.DataFrame(spearmanr(scores[names]).statistic, index=names, columns=names)
        sizes[dataset] = len(scores)
    distance = 1 - matrices["cifar10"].abs().to_numpy()
    np.fill_diagonal(distance, 0)
    linkage = hierarchy.linkage(squareform(distance, checks=False), method="average")
    return ProxyHeatmaps(matrices, sizes, [names[i] for i in hierarchy.leaves_list(linkage)], linkage)


def plot_fig10(heatmaps: ProxyHeatmaps, dataset: str = "cifar10") -> plt.Figure:
    """Fig. 10 for one dataset: the clustered heatmap of pairwise ρ (the CIFAR-10 tree orders every
    dataset's panel, so the panels compare square by square), each ρ written in its square."""
    grid = sns.clustermap(
        heatmaps.matrices[dataset],
        row_linkage=heatmaps.linkage,
        col_linkage=heatmaps.linkage,
        cmap="RdBu_r",
        vmin=-1,
        vmax=1,
        annot=True,
        fmt=".2f",
        annot_kws={"size": 9},
        figsize=(7.5, 7.5),
        dendrogram_ratio=0.1,
        cbar_pos=(0.03, 0.83, 0.025, 0.13),
    )
    grid.ax_heatmap.set(xlabel="", ylabel="")
    grid.ax_heatmap.tick_params(labelsize=10)
    grid.figure.suptitle(f"{dataset}: Spearman ρ of every proxy pair, {heatmaps.sizes[dataset]} cells", y=1.01)
    return grid.figure


def fig10_proxy_independence(heatmaps: ProxyHeatmaps) -> pd.DataFrame:
    """Per proxy and dataset the largest |ρ| with any other proxy, and their mean; most independent first."""
    independence = pd.DataFrame(
        {dataset: {name: matrix.loc[name].drop(name).abs().max() for name in PROXIES} for dataset, matrix in heatmaps.matrices.items()}
    )
    independence["mean"] = independence.mean(axis=1)
    return independence.sort_values("mean")


def table3_rank_correlations(reference: Mapping[str, pd.DataFrame], tg: pd.Series, table: NB201Table) -> pd.DataFrame:
    """Table 3: τ, ρ and n of every proxy against 200-epoch test accuracy on the cells with NB-SZ scores."""
    rows = []
    for dataset in DATASETS:
        frame = reference[dataset].dropna(subset=list(ZC_PROXIES))
        accuracy = table.accuracy(frame["nb201_index"].to_numpy(), dataset)
        for name in PROXIES:
            score = tg.loc[frame["arch_str"]].to_numpy() if name == "TG" else frame[name].to_numpy()
            result = correlation(score, accuracy)
            rows.append({"proxy": name, "dataset": dataset, "tau": result["kendall_tau"], "rho": result["spearman_rho"], "n": result["n"]})
    table3 = pd.DataFrame(rows).pivot(index="proxy", columns="dataset", values=["tau", "rho", "n"])
    return table3.sort_values(("rho", "cifar10"), ascending=False)


def tg_standing(table3: pd.DataFrame) -> pd.DataFrame:
    """Per dataset: TG's rank by Kendall τ among the proxies of Table 3, its τ, and the best *other* proxy with its τ."""
    tau = table3["tau"]
    ranks = tau.rank(ascending=False, method="min")
    others = tau.drop(index="TG")
    return pd.DataFrame(
        {
            "TG rank by τ": ranks.loc["TG"].astype(int),
            "TG τ": tau.loc["TG"],
            "best other proxy": others.idxmax(),
            "its τ": others.max(),
            "of": len(tau),
        }
    ).rename_axis("dataset")


def tg_leads(table3: pd.DataFrame) -> list[str]:
    """The datasets on which TG has both the highest τ and the highest ρ of Table 3 (the paper's claim)."""
    return [d for d in DATASETS if table3[("tau", d)].idxmax() == "TG" and table3[("rho", d)].idxmax() == "TG"]


def table3_verdict(table3: pd.DataFrame) -> str:
    """Table 3's claim (TG has the highest τ and ρ): reproduced if TG leads both on every dataset, partly on some."""
    leads = len(tg_leads(table3))
    return VERDICTS[0] if leads == len(DATASETS) else VERDICTS[1] if leads else VERDICTS[2]


def independence_verdict(independence: pd.DataFrame, paper: tuple[str, str] = ("TG", "zen")) -> str:
    """Fig. 10's claim (TG and zen the two most independent): reproduced if they are our two, partly if one is."""
    shared = len(set(independence.index[:2]) & set(paper))
    return VERDICTS[0] if shared == 2 else VERDICTS[1] if shared == 1 else VERDICTS[2]


def most_independent_partner(heatmaps: ProxyHeatmaps, proxy: str = "TG", dataset: str = "cifar10") -> str:
    """The proxy with the smallest |ρ| to ``proxy`` on the heatmap sample (no accuracy involved)."""
    return heatmaps.matrices[dataset].loc[proxy].drop(proxy).abs().idxmin()


def table_rank_average_combination(
    reference: Mapping[str, pd.DataFrame], tg: pd.Series, table: NB201Table, partners: list[str]
) -> pd.DataFrame:
    """TG, each partner and the average of their two rank vectors against test accuracy; does it beat both?"""
    rows = []
    for dataset in DATASETS:
        for other in dict.fromkeys(partners):
            frame = reference[dataset].dropna(subset=[other])
            accuracy = table.accuracy(frame["nb201_index"].to_numpy(), dataset)
            tg_scores = tg.loc[frame["arch_str"]].to_numpy()
            combined = (pd.Series(tg_scores).rank().to_numpy() + frame[other].rank().to_numpy()) / 2
            results = {
                "TG": correlation(tg_scores, accuracy),
                "partner": correlation(frame[other].to_numpy(), accuracy),
                "rank average": correlation(combined, accuracy),
            }
            rows.append(
                {
                    "dataset": dataset,
                    "partner": other,
                    "n": results["TG"]["n"],
                    **{f"ρ {label}": result["spearman_rho"] for label, result in results.items()},
                    "τ rank average": results["rank average"]["kendall_tau"],
                }
            )
    combination = pd.DataFrame(rows)
    combination["beats both"] = combination["ρ rank average"] > combination[["ρ TG", "ρ partner"]].max(axis=1)
    return combination


@dataclass
class ProxyCost:
    """Agreement of our proxies with NB-SZ and the seconds per cell of each, beside TG's."""

    frame: pd.DataFrame
    n: int
    tg_seconds_per_cell: float

    @property
    def seconds_per_cell(self) -> float:
        """All proxies together, per cell."""
        return float(self.frame["our s/cell"].sum())

    def summary(self) -> str:
        return (
            f"{self.n} cells, all 13 proxies in {self.seconds_per_cell * self.n:.0f} s; TG {self.tg_seconds_per_cell * 1e3:.2f} ms per cell"
        )

    def speedup(self) -> str:
        cheapest = self.frame.loc[list(DATA_DEPENDENT), "our s/cell"].idxmin()
        return "\n".join(
            [
                f"all 13 proxies: {self.seconds_per_cell:.2f} s per cell; TG: {self.tg_seconds_per_cell * 1e3:.2f} ms per cell; "
                f"ratio {self.seconds_per_cell / self.tg_seconds_per_cell:,.0f}× (paper: 'up to 300×' for the whole search)",
                f"cheapest data-dependent proxy ({cheapest}) vs TG: {self.frame.loc[list(DATA_DEPENDENT), 'proxy / TG'].min():,.0f}×",
            ]
        )


def table_proxy_cost(n: int, seed: int, batch_size: int, table: NB201Table) -> ProxyCost:
    """Our proxies on ``n`` sampled cells (`validate_against_reference`): ρ vs NB-SZ, our and NB-SZ's
    recorded seconds per cell, TG's seconds per cell and the ratio."""
    validation = validate_against_reference(n, seed, batch_size=batch_size, table=table, progress=False)
    recorded = load_zc_partial("cifar10", table)
    names = list(validation["spearman_vs_reference"])
    frame = pd.DataFrame(
        {
            "spearman vs NB-SZ": validation["spearman_vs_reference"],
            "our s/cell": validation["seconds_per_cell"],
            "NB-SZ recorded s/cell (median)": {name: recorded[f"{name}_time"].median() for name in names if f"{name}_time" in recorded},
        }
    )
    tg_seconds = validation["tg_seconds_per_cell"]
    frame["TG s/cell"] = tg_seconds
    frame["proxy / TG"] = frame["our s/cell"] / tg_seconds
    return ProxyCost(frame, validation["n"], tg_seconds)
