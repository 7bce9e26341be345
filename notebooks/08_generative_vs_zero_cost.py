# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Generative query-based NAS beside zero-cost NAS: what each query buys
#
# **What this chapter reproduces.** Not a table of the TG-NAS paper. It sets TG-NAS, which spends
# no query, beside the second reference, AG-Net (Lukasik, Jung & Keuper, ECCV 2022), which
# trains a generator and a surrogate on a few hundred evaluated cells. AG-Net reports the NB201
# CIFAR-10 optimum (validation 91.61 %, test 94.37 %) within a few hundred queries; its own NB201
# search script stops after 310. Here, on NB201 CIFAR-10, we measure:
#
# * the best-found test accuracy against the number of queries (0–300) for five methods:
#   * TG-NAS (0 queries);
#   * TG-warm, our combination: the TG ranking picks the first queries and is the prior of an
#     AG-Net-style search;
#   * our AG-Net-style search;
#   * random search and regularised evolution (both query-based);
# * how many queries each method needs to reach 94.0 and 94.3 %;
# * accuracy–latency Pareto fronts on two HW-NAS-Bench devices, with their hypervolume.
#
# **Parameters** (papermill; `tgnas book run --profile paper --only 08_generative_vs_zero_cost`):
#
# | parameter | meaning | `ci` | `paper` |
# |---|---|---|---|
# | `profile` | which column of this table to use | `ci` | `paper` |
# | `n_seeds` | seeds per query method | 5 | 20 |
# | `budget` | queries per run | 300 | 300 |
# | `front_seeds` | seeds per latency limit (Pareto fronts) | 2 | 5 |
# | `front_queries` | queries per AG-Net run under a latency limit | 100 | 200 |
# | `latency_limits` | limits (ms) per device | 4 per device | 8 per device |
# | `results_dir` | keep finished runs here and reuse them (resume) | none | none |
#
# **How the runs are counted** (`tgnas.search.oracle`):
#
# * A query is one lookup of a cell's 200-epoch **validation** accuracy (CIFAR-10: the
#   `cifar10-valid` split). Each distinct cell costs one query, and a method is never shown a test
#   accuracy.
# * A method's answer after q queries is its best cell by validation accuracy. We report that cell's
#   test accuracy (the *incumbent*).
# * Latency is free: HW-NAS-Bench numbers are measured without training.
#
# **A limit of the data.** This table's validation column (NASLib's) puts a different cell first
# than its test column:
#
# * the validation optimum (index 1459, 91.57 %) has test accuracy 94.297 %;
# * the test optimum (index 13714, 94.37 %) is only 5th by validation (91.32 %).
#
# So a search that holds the test optimum as its incumbent drops to 94.297 once it finds the
# validation optimum. "Incumbent ≥ 94.3" can therefore be reached only on the way, and a run that
# ends on the validation optimum ends just below 94.3. We also report when a method has *queried* a
# cell ≥ 94.3, which it could not have known, and when it found the validation optimum.

# %% tags=["parameters"]
profile = "ci"
n_seeds = None
budget = None
front_seeds = None
front_queries = None
latency_limits = None
results_dir = None

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from tgnas import TGProxy
from tgnas.data.hw import hw_metric, load_hw_metrics
from tgnas.data.nb201 import load_nb201_table
from tgnas.search import search
from tgnas.search.compare import queries_needed, query_curves
from tgnas.search.pareto import hypervolume, latency_sweep, pareto_front

if profile not in ("ci", "paper"):
    raise ValueError(f"profile must be 'ci' or 'paper', got {profile!r}")
n_seeds = n_seeds or {"ci": 5, "paper": 20}[profile]
budget = budget or 300
front_seeds = front_seeds or {"ci": 2, "paper": 5}[profile]
front_queries = front_queries or {"ci": 100, "paper": 200}[profile]
latency_limits = latency_limits or {
    "ci": {"edgegpu": [3.0, 4.0, 5.0, 7.0], "raspi4": [10.0, 20.0, 30.0, 50.0]},
    "paper": {"edgegpu": [2.0, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 8.0],
              "raspi4": [5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 60.0]},
}[profile]
print(f"profile={profile}  n_seeds={n_seeds}  budget={budget}  front_seeds={front_seeds}  "
      f"front_queries={front_queries}  latency_limits={latency_limits}")

table = load_nb201_table()
proxy = TGProxy.load("nb201")
test = table.accuracy(None, "cifar10", "test")
val = table.accuracy(None, "cifar10", "val")
print(f"NB201 CIFAR-10: test optimum {test.max():.2f} %, validation optimum {val.max():.2f} % "
      f"(its test accuracy {test[np.argmax(val)]:.3f} %)")

# %% [markdown]
# ## TG-NAS: zero queries
#
# The hybrid search of chapter 03 with the shipped proxy. It is the line every query-based curve
# starts against.

# %%
zero_cost = pd.DataFrame([
    {"seed": seed, "arch": result.arch, "seconds": result.seconds,
     "test_acc": float(table.accuracy([result.arch])[0])}
    for seed in range(n_seeds)
    for result in [search("nb201", proxy, method="hybrid", seed=seed)]
])
tg_nas_accuracy = zero_cost["test_acc"].mean()
print(f"TG-NAS: {tg_nas_accuracy:.2f} ± {zero_cost['test_acc'].std(ddof=0):.2f} % test over {n_seeds} seeds, "
      f"{zero_cost['seconds'].mean():.2f} s per search, 0 queries")

# %% [markdown]
# ## Best-found accuracy against queries

# %%
methods = ["tg-warm", "agnet", "re", "random"]
labels = {"tg-warm": "TG-warm (ours)", "agnet": "AG-Net-style", "re": "regularised evolution", "random": "random search"}
started = time.perf_counter()
curves = query_curves(methods, range(n_seeds), budget, proxy=proxy, results_dir=results_dir)
print(f"{len(methods)} methods × {n_seeds} seeds × {budget} queries in {time.perf_counter() - started:.0f} s")

summary = curves.groupby(["method", "queries"])["incumbent_test"].agg(["mean", "std"]).reset_index()
fig, ax = plt.subplots(figsize=(8, 4.8))
for method in methods:
    part = summary[summary["method"] == method]
    ax.plot(part["queries"], part["mean"], label=labels[method])
    ax.fill_between(part["queries"], part["mean"] - part["std"], part["mean"] + part["std"], alpha=0.2)
ax.axhline(tg_nas_accuracy, color="black", linestyle="--", label="TG-NAS (0 queries)")
ax.axhline(test[np.argmax(val)], color="grey", linestyle=":", label="validation optimum's test accuracy")
ax.set(xscale="log", xlabel="queries (validation-accuracy lookups)", ylabel="CIFAR-10 test accuracy of the incumbent (%)",
       ylim=(91.0, 94.5), title=f"NB201 CIFAR-10, mean ± std over {n_seeds} seeds")
ax.legend(loc="lower right")
plt.show()

# %%
checkpoints = [1, 10, 20, 50, 100, 200, budget]
at = curves[curves["queries"].isin(checkpoints)].groupby(["method", "queries"])["incumbent_test"]
table_at = (at.mean().map("{:.2f}".format) + " ± " + at.std(ddof=0).map("{:.2f}".format)).unstack("queries")
table_at.index = [labels[m] for m in table_at.index]
table_at.loc["TG-NAS (0 queries)"] = f"{tg_nas_accuracy:.2f}"
table_at.columns = [f"{q} queries" for q in table_at.columns]
table_at

# %% [markdown]
# ## Queries needed to reach 94.0 and 94.3 %
#
# Median and range over seeds; "k/n" says how many of the n runs got there within the budget.

# %%
val_best = val.max()
targets = {"incumbent ≥ 94.0": ("incumbent_test", 94.0),
           "incumbent ≥ 94.3": ("incumbent_test", 94.3),
           "validation optimum found": ("incumbent_val", val_best),
           "a queried cell ≥ 94.3": ("queried_test", 94.3)}
rows = []
for method in methods:
    row = {"method": labels[method]}
    for name, (column, threshold) in targets.items():
        needed = queries_needed(curves[curves["method"] == method], column, threshold).to_numpy(dtype=float)
        reached = needed[~np.isnan(needed)]
        row[name] = (f"{np.median(reached):.0f} [{reached.min():.0f}–{reached.max():.0f}] ({len(reached)}/{len(needed)})"
                     if len(reached) else f"never (0/{len(needed)})")
    run_seconds = curves[curves["method"] == method].groupby("seed")["seconds"].max()
    row["wall time per run"] = f"{run_seconds.mean():.1f} s"
    rows.append(row)
rows.append({"method": "TG-NAS (0 queries)", **{name: "never (0 queries)" for name in targets},
             "wall time per run": f"{zero_cost['seconds'].mean():.2f} s"})
needed_table = pd.DataFrame(rows).set_index("method")
optimum_found = {method: queries_needed(curves[curves["method"] == method], "incumbent_val", val_best)
                 for method in ("tg-warm", "agnet")}
print("validation optimum found after (median over the seeds that found it): "
      + ", ".join(f"{labels[m]} {found.median():.0f} queries ({found.notna().sum()}/{len(found)} seeds)"
                  for m, found in optimum_found.items()))
needed_table

# %% [markdown]
# **Reading the numbers.**
#
# * **TG-NAS** costs no query and gives a good cell, but it cannot go beyond its proxy's ranking.
# * **TG-warm** queries the proxy's top-ranked cell first. So it is at the TG-NAS level from
#   query 1, and stays flat there until the queries correct the proxy.
# * **AG-Net-style search** starts blind. Its first 16 queries are random, so early on it is below
#   the zero-cost answer. Compare the two curves to see how many queries the TG prior saves, and
#   where it stops mattering.
# * **Regularised evolution** is the usual strong baseline on NB201; it improves steadily, but more
#   slowly than the generative searches.
# * **Random search** shows what the queries alone buy.
#
# **Where our AG-Net differs from the published one** (`tgnas.search.agnet` has the details):
#
# * the generator is an autoregressive MLP over NB201's six operator nodes, not AG-Net's GNN;
# * the surrogate reads the sampled cell, not the generator's scores;
# * the generator is pretrained on uniformly random cells at the start of each run.
#
# The published settings are kept: a 32-d latent, 16 first queries, 16 queries per round out of 100
# generated candidates, weights 1/(0.01·N + rank), α = 0.9, 30 passes per round.
#
# AG-Net's 94.37 % and our results differ for two reasons:
#
# * its validation numbers come from the official `cifar10-valid` records, where the optimum cell
#   is the same for validation and test;
# * the validation column here (NASLib's) puts a different cell first, whose test accuracy is 94.30 %.

# %% [markdown]
# ## Accuracy–latency fronts on two devices
#
# For each device and latency limit:
#
# * **TG-NAS** runs the constrained hybrid search of chapter 03 (0 queries).
# * **AG-Net** runs its search under the same limit, with `front_queries` queries. Infeasible cells
#   are never generated into a query, and the weighted retraining ranks by validation accuracy.
#
# The found cells form each method's front. Hypervolume is measured in the (latency, test accuracy)
# plane against the reference point (1.1 × the largest limit, 85 %), and divided by the hypervolume
# of the true front over all 15,625 cells.

# %%
hw = load_hw_metrics("cifar10", table)
fronts, volumes = [], []
fig, axes = plt.subplots(1, len(latency_limits), figsize=(6 * len(latency_limits), 4.5))
for ax, (device, limits) in zip(np.atleast_1d(axes), latency_limits.items()):
    latency = hw[hw_metric(device)].to_numpy()
    reference = (1.1 * max(limits), 85.0)
    true_front = pareto_front(latency, test)
    true_volume = hypervolume(latency, test, reference)
    inside = true_front[latency[true_front] <= reference[0]]
    ax.step(latency[inside], test[inside], where="post", color="grey", label="true front (all cells)")
    for method, marker in (("tg", "o"), ("agnet", "s")):
        found = latency_sweep(method, device, limits, range(front_seeds), queries=front_queries,
                              proxy=proxy if method == "tg" else None, progress=True)
        fronts.append(found)
        for seed, run in found.groupby("seed"):
            volumes.append({"device": device, "method": method, "seed": seed,
                            "hypervolume ratio": hypervolume(run["latency_ms"], run["test_acc"], reference) / true_volume,
                            "queries per limit": int(run["queries"].iloc[0])})
        ax.scatter(found["latency_ms"], found["test_acc"], marker=marker, alpha=0.7,
                   label="TG-NAS, constrained (0 queries)" if method == "tg" else f"AG-Net-style ({front_queries} queries)")
    for limit in limits:
        ax.axvline(limit, color="lightgrey", linewidth=0.8, zorder=0)
    ax.set(xlabel=f"{device} latency (ms, HW-NAS-Bench)", ylabel="CIFAR-10 test accuracy (%)", ylim=(85, 94.6),
           xlim=(0, reference[0]), title=device)
    ax.legend(loc="lower right", fontsize=8)
plt.tight_layout()
plt.show()

found_cells = pd.concat(fronts, ignore_index=True)
assert (found_cells["latency_ms"] <= found_cells["limit_ms"]).all(), "a found cell breaks its latency limit"
volume_table = (pd.DataFrame(volumes).groupby(["device", "method"])
                .agg(hv_mean=("hypervolume ratio", "mean"), hv_std=("hypervolume ratio", "std"),
                     queries_per_limit=("queries per limit", "first")).round(3))
volume_table

# %%
worst = found_cells.loc[found_cells.groupby(["device", "method"])["test_acc"].idxmin()]
for row in worst.itertuples():
    print(f"{row.device}, {row.method}: the weakest found cell is {row.test_acc:.2f} % at {row.latency_ms:.2f} ms "
          f"(limit {row.limit_ms:g} ms)")
(found_cells.groupby(["device", "limit_ms", "method"])[["latency_ms", "test_acc", "queries"]]
 .mean().round(2).unstack("method"))

# %% [markdown]
# **What the fronts show.**
#
# * Every found cell meets its limit; the check above fails the chapter otherwise.
# * The hypervolume ratio summarises how close each method's front comes to the true one. A ratio of 1
#   would mean it finds the true front's best cell under every limit.
# * TG-NAS spends nothing and is limited by how well the proxy ranks cells *within* a latency class.
#   Under a tight limit it can pick a far weaker cell than the front offers (the lines above name the
#   weakest found cell of each method). A ranking that is good over the whole space can still be poor
#   among the small, fast cells.
# * AG-Net spends `front_queries` queries per limit. Its front says how much that budget buys on
#   each device.
# * HW-NAS-Bench gives no latency for edgetpu on 4,699 cells, so we use devices with full coverage
#   (edge GPU, Raspberry Pi 4).
