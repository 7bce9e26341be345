"""Chapter 08: query-based search beside zero-cost search on NB201 CIFAR-10. TG-NAS at zero queries, the
best-found accuracy against queries, the queries needed to reach a target, and accuracy–latency fronts
with their hypervolume on two HW-NAS-Bench devices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from tgnas.book.parameters import NUMBERS_PER_NAME, POSITIVE_INT, TEXT, ChapterParameters, Parameter, optional
from tgnas.data.hw import hw_metric, load_hw_metrics
from tgnas.data.nb201 import NB201Table
from tgnas.scoring import Scorer
from tgnas.search import search
from tgnas.search.compare import queries_needed
from tgnas.search.pareto import hypervolume, latency_sweep, pareto_front

#: the parameters of chapter 08 (notebooks/08_generative_vs_zero_cost.py), ci and paper values
PARAMETERS = ChapterParameters(
    Parameter("n_seeds", POSITIVE_INT, ci=5, paper=20),
    Parameter("budget", POSITIVE_INT, ci=300, paper=300),
    Parameter("front_seeds", POSITIVE_INT, ci=2, paper=5),
    Parameter("front_queries", POSITIVE_INT, ci=100, paper=200),
    Parameter(
        "latency_limits",
        NUMBERS_PER_NAME,
        ci={"edgegpu": [3.0, 4.0, 5.0, 7.0], "raspi4": [10.0, 20.0, 30.0, 50.0]},
        paper={"edgegpu": [2.0, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 8.0], "raspi4": [5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 60.0]},
    ),
    Parameter("results_dir", optional(TEXT, "runs are not kept"), ci=None, paper=None),
)

#: the query methods compared and how the chapter names them
METHODS = ("tg-warm", "agnet", "re", "random")
LABELS = {"tg-warm": "TG-warm (ours)", "agnet": "AG-Net-style", "re": "regularised evolution", "random": "random search"}
TG_NAS = "TG-NAS (0 queries)"
#: the methods of the latency fronts: the constrained TG hybrid (no query) and AG-Net under the limit
FRONT_METHODS = {"tg": "o", "agnet": "s"}
FRONT_FLOOR = 85.0  # accuracy (%) of the hypervolume reference point
#: lower end of the query curves' accuracy axis: the blind methods' first few queries lie below it
QUERY_FLOOR = 91.0


def validation_vs_test_optimum(table: NB201Table) -> dict[str, float]:
    """The CIFAR-10 cell that is best by validation accuracy and the one best by test accuracy (of the
    cells tied at the test optimum, the best by validation): their indices, both accuracies of each,
    and the test optimum's rank by validation accuracy."""
    test = table.accuracy(None, "cifar10", "test")
    val = table.accuracy(None, "cifar10", "val")
    val_best = int(np.argmax(val))
    test_best = int(np.argmax(np.where(test == test.max(), val, -np.inf)))
    return {
        "val_index": val_best,
        "val_val": float(val[val_best]),
        "val_test": float(test[val_best]),
        "test_index": test_best,
        "test_test": float(test[test_best]),
        "test_val": float(val[test_best]),
        "test_val_rank": int((val > val[test_best]).sum() + 1),
    }


def tg_nas_runs(proxy: Scorer, table: NB201Table, n_seeds: int) -> pd.DataFrame:
    """The zero-query answer: one hybrid search per seed and its cell's test accuracy."""
    rows = []
    for seed in range(n_seeds):
        result = search("nb201", proxy, method="hybrid", seed=seed)
        rows.append({"seed": seed, "arch": result.arch, "seconds": result.seconds, "test_acc": float(table.accuracy([result.arch])[0])})
    return pd.DataFrame(rows)


def plot_query_curves(curves: pd.DataFrame, tg_nas_accuracy: float, val_optimum_test: float) -> plt.Figure:
    """Incumbent test accuracy (mean ± std over seeds) against queries, one line per method."""
    summary = curves.groupby(["method", "queries"])["incumbent_test"].agg(["mean", "std"]).reset_index()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for method in curves["method"].unique():
        part = summary[summary["method"] == method]
        ax.plot(part["queries"], part["mean"], label=LABELS[method])
        ax.fill_between(part["queries"], part["mean"] - part["std"], part["mean"] + part["std"], alpha=0.2)
    ax.axhline(tg_nas_accuracy, color="black", linestyle="--", label=TG_NAS)
    ax.axhline(val_optimum_test, color="grey", linestyle=":", label="validation optimum's test accuracy")
    ax.set(
        xscale="log",
        xlabel="queries (validation-accuracy lookups)",
        ylabel="CIFAR-10 test accuracy of the incumbent (%)",
        ylim=(QUERY_FLOOR, 94.5),
    )
    ax.legend(loc="lower right", fontsize=9)
    fig.tight_layout()
    return fig


def table_incumbent_at(curves: pd.DataFrame, checkpoints: Sequence[int], tg_nas_accuracy: float) -> pd.DataFrame:
    """Incumbent test accuracy (mean ± std) of each method after each checkpoint's number of queries."""
    at = curves[curves["queries"].isin(checkpoints)].groupby(["method", "queries"])["incumbent_test"]
    table_at = (at.mean().map("{:.2f}".format) + " ± " + at.std(ddof=0).map("{:.2f}".format)).unstack("queries")
    table_at.index = [LABELS[m] for m in table_at.index]
    table_at.loc[TG_NAS] = f"{tg_nas_accuracy:.2f}"
    table_at.columns = [f"{q} queries" for q in table_at.columns]
    return table_at


def query_targets(val_best: float) -> dict[str, tuple[str, float]]:
    """What "reaching the target" means: column of the curves and threshold."""
    return {
        "incumbent ≥ 94.0": ("incumbent_test", 94.0),
        "incumbent ≥ 94.3": ("incumbent_test", 94.3),
        "validation optimum found": ("incumbent_val", val_best),
        "a queried cell ≥ 94.3": ("queried_test", 94.3),
    }


def _needed(curves: pd.DataFrame, column: str, threshold: float) -> str:
    needed = queries_needed(curves, column, threshold).to_numpy(dtype=float)
    reached = needed[~np.isnan(needed)]
    if not len(reached):
        return f"never (0/{len(needed)})"
    return f"{np.median(reached):.0f} [{reached.min():.0f}–{reached.max():.0f}] ({len(reached)}/{len(needed)})"


def table_queries_needed(curves: pd.DataFrame, val_best: float, tg_nas_seconds: float) -> pd.DataFrame:
    """Median [range] (k/n) of the queries each method needs per target, and its wall time per run."""
    targets = query_targets(val_best)
    rows = []
    for method in curves["method"].unique():
        runs = curves[curves["method"] == method]
        row = {"method": LABELS[method], **{name: _needed(runs, column, threshold) for name, (column, threshold) in targets.items()}}
        row["wall time per run"] = f"{runs.groupby('seed')['seconds'].max().mean():.1f} s"
        rows.append(row)
    rows.append({"method": TG_NAS, **{name: "never (0 queries)" for name in targets}, "wall time per run": f"{tg_nas_seconds:.2f} s"})
    return pd.DataFrame(rows).set_index("method")


def report_optimum_found(curves: pd.DataFrame, val_best: float, methods: Sequence[str] = ("tg-warm", "agnet")) -> str:
    """After how many queries the generative searches found the validation optimum."""
    found = {method: queries_needed(curves[curves["method"] == method], "incumbent_val", val_best) for method in methods}
    return "validation optimum found after (median over the seeds that found it): " + ", ".join(
        f"{LABELS[m]} {queries.median():.0f} queries ({queries.notna().sum()}/{len(queries)} seeds)" for m, queries in found.items()
    )


def _reference(limits: Sequence[float]) -> tuple[float, float]:
    return 1.1 * max(limits), FRONT_FLOOR


def latency_fronts(proxy: Scorer, latency_limits: Mapping[str, Sequence[float]], seeds: Sequence[int], queries: int) -> pd.DataFrame:
    """The found cells of every front method on every device and limit (`latency_sweep`)."""
    return pd.concat(
        [
            latency_sweep(method, device, limits, seeds, queries=queries, proxy=proxy if method == "tg" else None, progress=True)
            for device, limits in latency_limits.items()
            for method in FRONT_METHODS
        ],
        ignore_index=True,
    )


def table_hypervolume(found_cells: pd.DataFrame, latency_limits: Mapping[str, Sequence[float]], table: NB201Table) -> pd.DataFrame:
    """Per device and method: the hypervolume of each seed's front divided by the true front's (mean, std)."""
    hw = load_hw_metrics("cifar10", table)
    test = table.accuracy(None, "cifar10", "test")
    volumes = []
    for device, limits in latency_limits.items():
        reference = _reference(limits)
        true_volume = hypervolume(hw[hw_metric(device)].to_numpy(), test, reference)
        for (method, seed), run in found_cells[found_cells["device"] == device].groupby(["method", "seed"], sort=False):
            volumes.append(
                {
                    "device": device,
                    "method": method,
                    "seed": seed,
                    "hypervolume ratio": hypervolume(run["latency_ms"], run["test_acc"], reference) / true_volume,
                    "queries per limit": int(run["queries"].iloc[0]),
                }
            )
    return (
        pd.DataFrame(volumes)
        .groupby(["device", "method"])
        .agg(hv_mean=("hypervolume ratio", "mean"), hv_std=("hypervolume ratio", "std"), queries_per_limit=("queries per limit", "first"))
        .round(3)
    )


def plot_latency_fronts(
    found_cells: pd.DataFrame, latency_limits: Mapping[str, Sequence[float]], table: NB201Table, front_queries: int
) -> plt.Figure:
    """One panel per device: the true front, each method's found cells and the limits."""
    hw = load_hw_metrics("cifar10", table)
    test = table.accuracy(None, "cifar10", "test")
    fig, axes = plt.subplots(1, len(latency_limits), figsize=(7.5, 4.2), squeeze=False)
    floor = min(FRONT_FLOOR, float(found_cells["test_acc"].min()) - 2)  # every found cell stays in view
    for ax, (device, limits) in zip(axes[0], latency_limits.items()):
        latency = hw[hw_metric(device)].to_numpy()
        reference = _reference(limits)
        true_front = pareto_front(latency, test)
        inside = true_front[latency[true_front] <= reference[0]]
        ax.step(latency[inside], test[inside], where="post", color="grey", label="true front (all cells)")
        for method, marker in FRONT_METHODS.items():
            found = found_cells[(found_cells["device"] == device) & (found_cells["method"] == method)]
            ax.scatter(
                found["latency_ms"],
                found["test_acc"],
                marker=marker,
                alpha=0.7,
                label="TG-NAS (0 queries)" if method == "tg" else f"AG-Net-style ({front_queries} q.)",
            )
        for limit in limits:
            ax.axvline(limit, color="lightgrey", linewidth=0.8, zorder=0)
        ax.set(xlabel=f"{device} latency (ms)", ylim=(floor, 94.8), xlim=(0, reference[0]), title=device)
    axes[0, 0].set_ylabel("CIFAR-10 test accuracy (%)")
    axes[0, 0].legend(loc="lower right", fontsize=9)
    fig.tight_layout()
    return fig


def weakest_cells(found_cells: pd.DataFrame) -> pd.DataFrame:
    """The weakest found cell of each device and method: its test accuracy, latency and limit."""
    worst = found_cells.loc[found_cells.groupby(["device", "method"])["test_acc"].idxmin()]
    return worst.set_index(["device", "method"])[["test_acc", "latency_ms", "limit_ms"]].round(2)


def query_summary(curves: pd.DataFrame, target: float = 94.0) -> dict[str, float]:
    """Median queries (over the seeds that got there) TG-warm and AG-Net need for an incumbent ≥ ``target``,
    and the share of seeds that got there."""
    summary = {}
    for method in ("tg-warm", "agnet"):
        needed = queries_needed(curves[curves["method"] == method], "incumbent_test", target)
        summary[method] = float(needed.median())
        summary[f"{method} share"] = float(needed.notna().mean())
    return summary


def median_queries_text(curves: pd.DataFrame, method: str, target: float = 94.0) -> str:
    """Median queries ``method`` needs for an incumbent ≥ ``target`` (over the seeds that got there) and how
    many seeds got there, in words: "12 (5 of 5 seeds)", or "never within the budget (0 of 5 seeds)"."""
    needed = queries_needed(curves[curves["method"] == method], "incumbent_test", target)
    reached = f"{int(needed.notna().sum())} of {len(needed)} seeds"
    return f"{needed.median():.0f} ({reached})" if needed.notna().any() else f"never within the budget ({reached})"


def report_weakest_cells(found_cells: pd.DataFrame) -> str:
    """The weakest found cell of each device and method."""
    worst = found_cells.loc[found_cells.groupby(["device", "method"])["test_acc"].idxmin()]
    return "\n".join(
        f"{row.device}, {row.method}: the weakest found cell is {row.test_acc:.2f} % at {row.latency_ms:.2f} ms (limit {row.limit_ms:g} ms)"
        for row in worst.itertuples()
    )


def table_front_cells(found_cells: pd.DataFrame) -> pd.DataFrame:
    """Mean latency, test accuracy and queries of the found cells per device, limit and method."""
    return found_cells.groupby(["device", "limit_ms", "method"])[["latency_ms", "test_acc", "queries"]].mean().round(2).unstack("method")
