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
# # The GCN predictor
#
# **What this chapter reproduces.** The GCN proxy trainer of §3.3 (two dense GCN layers on the
# normalised adjacency, graph normalisation, weight decay), its training curves, Fig. 2 (the
# predictor trained on 90 % … 1 % of a space and tested on the rest), Fig. 4 (TG rank vs true rank
# on NB201 CIFAR-10) and the appendix's CIFAR-100 / ImageNet16-120 rankings, each beside the
# parameter-count and FLOPs baselines. It also documents how the shipped zero-shot model
# (`tgnas/weights/nb201.pt`) was chosen without looking at any NB201 label.
#
# **Parameters** (papermill; `tgnas book run --profile paper --only 02_gcn_predictor`):
#
# | parameter | meaning | `ci` | `paper` |
# |---|---|---|---|
# | `profile` | which column of this table to use | `ci` | `paper` |
# | `epochs` | epochs per ablation model | 25 | 100 |
# | `nb301_n` | DARTS cells labelled by the NB301 surrogate | 500 | 3,000 |
# | `seeds` | seeds per ablation row | 1 seed | 5 seeds |
# | `fractions` | Fig. 2 training fractions of NB201 | 0.5, 0.1, 0.01 | 0.9, 0.5, 0.1, 0.05, 0.01 |
# | `fig2_epochs` | epochs per Fig. 2 model | 10 | 100 |
# | `nb101_file` | the full NB101 file (`nasbench_only108.tfrecord`, or the official pickle/JSON) for Fig. 2 on NB101 | none | none (set it if you have the file) |
#
# **Deviations from the paper, each explained below:** 331 labelled NB101 cells instead of 423k
# (so DARTS cells labelled by the NB301 surrogate are added to the training data), a 5-member seed
# ensemble in the shipped model, and Fig. 2 on NB201 instead of NB101 (the full NB101 file is not
# available here; `tgnas train --sources nb101:PATH` uses it when present).

# %% tags=["parameters"]
profile = "ci"
epochs = None
nb301_n = None
seeds = None
fractions = None
fig2_epochs = None
nb101_file = None

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from tgnas import TGProxy
from tgnas.data.nb201 import DATASETS, load_nb201_table
from tgnas.metrics import rank_correlation
from tgnas.tg.predictor import GCNConfig, GCNPredictor
from tgnas.tg.proxy import NO_PATH_SCORE, evaluate_nb201
from tgnas.tg import LabelledGraphs, TrainRecipe, nb101_source, nb301_source, train_predictor

if profile not in ("ci", "paper"):
    raise ValueError(f"profile must be 'ci' or 'paper', got {profile!r}")
epochs = epochs or {"ci": 25, "paper": 100}[profile]
nb301_n = nb301_n or {"ci": 500, "paper": 3_000}[profile]
seeds = seeds or {"ci": [0], "paper": [0, 1, 2, 3, 4]}[profile]
fractions = fractions or {"ci": [0.5, 0.1, 0.01], "paper": [0.9, 0.5, 0.1, 0.05, 0.01]}[profile]
fig2_epochs = fig2_epochs or {"ci": 10, "paper": 100}[profile]
print(f"profile={profile}: epochs={epochs}, nb301_n={nb301_n}, seeds={seeds}, fig2_epochs={fig2_epochs}")

table = load_nb201_table()
cells = table.cells()
nb201_graphs = [cell.to_graph() for cell in cells]
has_path = np.array([cell.has_path() for cell in cells])
accuracy = {dataset: table.accuracy(cells, dataset) for dataset in DATASETS}
nb101 = nb101_source()
nb301 = nb301_source(nb301_n, seed=0)
print(f"NB101: {len(nb101)} distinct labelled cells; NB301-surrogate DARTS cells: {len(nb301)}")

# %% [markdown]
# ## Does the NB301 surrogate carry transferable signal? (checked without NB201)
#
# SOURCES.md warns that the surrogate ranks really trained DARTS cells with τ ≈ 0.4 only. Before
# relying on its labels we test transfer between the two *training* spaces: a predictor trained on
# surrogate-labelled DARTS cells alone is scored on all NB101 cells, and vice versa. NB201 plays no
# part in this decision.

# %%
cross = []
for seed in seeds:
    from_darts = train_predictor([nb301], "nb101", GCNPredictor(seed=seed), TrainRecipe(epochs=epochs, seed=seed), progress=False)
    from_nb101 = train_predictor([nb101], "darts", GCNPredictor(seed=seed), TrainRecipe(epochs=epochs, seed=seed), progress=False)
    cross.append({"seed": seed,
                  "DARTS(NB301) → NB101 τ": rank_correlation(from_darts.predictor.score(nb101.graphs), nb101.labels)["kendall_tau"],
                  "NB101 → DARTS(NB301) τ": rank_correlation(from_nb101.predictor.score(nb301.graphs), nb301.labels)["kendall_tau"]})
cross = pd.DataFrame(cross)
cross.round(3)

# %% [markdown]
# ## Recipe ablation
#
# Each row is trained `len(seeds)` times. **`val τ`** is the mean Kendall τ on the held-out splits
# of the training sources — what a user without target labels can see. **`NB201 τ`** (all 15,625
# cells, CIFAR-10 test accuracy) is reported for analysis only: the shipped recipe was fixed before,
# from the paper (2 layers, Â, weight decay) plus one deviation argued without NB201 labels (no graph
# normalisation: it erases node counts, see `tgnas.tg.predictor`), and it is not re-chosen from this
# table. "official-like" is the official code's predictor shape: 4 GCN layers, no adjacency
# normalisation, no graph normalisation.

# %%
candidates = {
    "2 layers, GraphNorm, sum+mean": GCNConfig(readout="sum+mean", graph_norm=True),
    "2 layers, GraphNorm, sum": GCNConfig(readout="sum", graph_norm=True),
    "2 layers, no GraphNorm, sum": GCNConfig(readout="sum", graph_norm=False),
    "2 layers, no GraphNorm, sum+mean": GCNConfig(readout="sum+mean", graph_norm=False),
    "official-like: 4 layers, plain A": GCNConfig(layers=4, normalise_adjacency=False, graph_norm=False, readout="sum"),
}
source_sets = {"NB101": [nb101], "NB101 + NB301": [nb101, nb301], "NB301": [nb301]}
rows, histories = [], {}
for source_name, sources in source_sets.items():
    for config_name, config in candidates.items():
        if source_name != "NB101 + NB301" and config_name != "2 layers, no GraphNorm, sum":
            continue  # source ablation on one architecture keeps the ci run short
        for seed in seeds:
            run = train_predictor(sources, "nb201", GCNPredictor(config=config, seed=seed), TrainRecipe(epochs=epochs, seed=seed),
                        progress=False)
            scores = run.predictor.score(nb201_graphs)
            scores[~has_path] = NO_PATH_SCORE
            histories[(source_name, config_name, seed)] = run.history
            rows.append({"sources": source_name, "model": config_name, "seed": seed,
                         "val τ": float(np.mean(list(run.validation.values()))),
                         "NB201 τ": rank_correlation(scores, accuracy["cifar10"])["kendall_tau"],
                         "best epoch": run.best_epoch, "train s": run.seconds})
ablation = pd.DataFrame(rows)
summary = ablation.groupby(["sources", "model"], sort=False).agg(
    val_tau=("val τ", "mean"), nb201_tau=("NB201 τ", "mean"), nb201_tau_std=("NB201 τ", "std"),
    train_s=("train s", "mean")).round(3)
summary

# %%
shipped_config = "2 layers, no GraphNorm, sum"
with_both = summary.loc["NB101 + NB301"]
print(f"shipped architecture: {shipped_config!r}; highest validation τ in this run: {with_both['val_tau'].idxmax()!r}")
proxy = TGProxy.load("nb201")
print("shipped model card:", {k: proxy.card[k] for k in ("sources", "recipe", "config", "members", "seeds")})

# %% [markdown]
# ## Training curves
#
# Loss and validation τ (training spaces) per epoch for the runs of the shipped architecture.
# The checkpoint kept is the epoch with the best validation τ.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
for (source_name, config_name, seed), history in histories.items():
    if source_name != "NB101 + NB301" or config_name != shipped_config:
        continue
    epochs_seen = [h["epoch"] for h in history]
    left.plot(epochs_seen, [h["loss"] for h in history], label=f"seed {seed}")
    right.plot(epochs_seen, [h["val_metric"] for h in history], label=f"seed {seed}")
left.set(xlabel="epoch", ylabel="training loss (mse + pairwise)", title="loss")
right.set(xlabel="epoch", ylabel="mean validation Kendall τ", title="validation (NB101 + NB301 splits)")
left.legend()
right.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## The shipped zero-shot model on all of NB201 (Table 3's TG row, Fig. 4)
#
# `tgnas/weights/nb201.pt` is an ensemble of 5 seeds of the recipe in its model card (the command
# that regenerates it is in the card), trained on NB101 + NB301-surrogate cells only (`nb201_labels_used: false`). Targets: beat the params baseline
# (τ 0.578 on CIFAR-10) and the best single zero-cost proxy (nwot, τ 0.624 on its 9,445 valid
# cells).

# %%
result = evaluate_nb201(proxy)
params = {d: table.metric("params_M", cells, d) for d in DATASETS}
flops = {d: table.metric("flops_M_nbsz", cells, d) for d in DATASETS}
comparison = pd.DataFrame([
    {"dataset": d, "TG τ": result["kendall_tau"][d], "TG ρ": result["spearman_rho"][d],
     "params τ": rank_correlation(params[d], accuracy[d])["kendall_tau"],
     "FLOPs τ": rank_correlation(flops[d], accuracy[d])["kendall_tau"], "n": result["n"]}
    for d in DATASETS]).round(3)
print(f"scored all {result['n']} cells in {result['score_seconds']:.2f} s; NB201 labels used: {result['nb201_labels_used']}")
comparison

# %%
tg_scores = proxy.score([str(cell) for cell in cells])
fig, axes = plt.subplots(2, 3, figsize=(14, 8.5))
for column, dataset in enumerate(DATASETS):
    true_rank = stats.rankdata(accuracy[dataset])
    for row, (name, values) in enumerate((("TG proxy", tg_scores), ("params", params[dataset]))):
        ax = axes[row, column]
        ax.scatter(true_rank, stats.rankdata(values), s=1, alpha=0.25)
        tau = rank_correlation(values, accuracy[dataset])["kendall_tau"]
        ax.set_title(f"{dataset}: {name} (τ = {tau:.3f})", fontsize=10)
        ax.set_xlabel("true rank (200-epoch test accuracy)")
        ax.set_ylabel(f"{name} rank")
fig.suptitle("Fig. 4 and appendix: predicted rank vs true rank on all 15,625 NB201 cells")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Fig. 2 — training fraction 90 % → 1 % (in-space, NB201)
#
# An in-space experiment, so NB201 labels *are* used for training here (`target_space=None`): a
# predictor is trained on a random fraction of NB201 cells (CIFAR-10 200-epoch **validation**
# accuracy as label) and tested on the remaining cells' **test** accuracy. The paper's Fig. 2 does
# this on NB101 (423k cells); on the 331 NB101 cells available here a 1 % split would have 3 cells,
# so NB201 stands in.

# %%
fig2_rows = []
valid = np.flatnonzero(has_path)
validation_labels = table.accuracy(cells, "cifar10", split="val")
for fraction in fractions:
    rng = np.random.default_rng(0)
    chosen_rows = rng.choice(valid, size=max(10, int(round(fraction * len(valid)))), replace=False)
    held_out = np.setdiff1d(valid, chosen_rows)
    source = LabelledGraphs(f"nb201-{fraction}", "nb201", [nb201_graphs[i] for i in chosen_rows], validation_labels[chosen_rows])
    started = time.perf_counter()
    run = train_predictor([source], None, GCNPredictor(seed=0), TrainRecipe(epochs=fig2_epochs, seed=0), progress=False)
    scores = run.predictor.score([nb201_graphs[i] for i in held_out])
    correlation = rank_correlation(scores, accuracy["cifar10"][held_out])
    fig2_rows.append({"train fraction": fraction, "train cells": len(chosen_rows), "test cells": len(held_out),
                      "kendall_tau": correlation["kendall_tau"], "spearman_rho": correlation["spearman_rho"],
                      "seconds": time.perf_counter() - started})
fig2 = pd.DataFrame(fig2_rows)
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(fig2["train fraction"] * 100, fig2["kendall_tau"], "o-", label="Kendall τ")
ax.plot(fig2["train fraction"] * 100, fig2["spearman_rho"], "s-", label="Spearman ρ")
ax.set_xscale("log")
ax.set_xlabel("training fraction of NB201 (%)")
ax.set_ylabel("rank correlation on the held-out cells")
ax.set_title("Fig. 2 (on NB201): predictor quality vs training fraction")
ax.legend()
plt.show()
fig2.round(3)

# %% [markdown]
# ## Fig. 2 on NB101 (only with the full NB101 file)
#
# The paper's own Fig. 2 splits the 423k-cell NB101 benchmark. Pass `-p nb101_file PATH` to run the
# same fraction sweep on it (the file is read by `tgnas.data.nb101.load_nb101`); without it, this
# cell says so and does nothing.

# %%
if nb101_file is None:
    print("nb101_file not given: the full NB101 benchmark is not available here, Fig. 2 on NB101 is skipped")
else:
    full_nb101 = nb101_source((nb101_file,))
    nb101_rows = []
    for fraction in fractions:
        rng = np.random.default_rng(0)
        order = rng.permutation(len(full_nb101))
        n_train = max(10, int(round(fraction * len(full_nb101))))
        part = full_nb101.subset(order[:n_train], name=f"nb101-{fraction}")
        held_out = full_nb101.subset(order[n_train:])
        run = train_predictor([part], None, GCNPredictor(seed=0), TrainRecipe(epochs=fig2_epochs, seed=0), progress=True)
        correlation = rank_correlation(run.predictor.score(held_out.graphs), held_out.labels)
        nb101_rows.append({"train fraction": fraction, "train cells": n_train, **correlation})
    print(pd.DataFrame(nb101_rows).round(3))

# %% [markdown]
# **Paper vs ours.** The paper reports that its predictor stays strong down to 1 % of NB101 for
# training; on NB201 the same holds in our run (the table above: τ at 1 % vs the largest fraction). For the
# zero-shot model, the paper's Table 3 values for TG are not in the text we have; its appendix
# states the ranking quality is CIFAR-10 > CIFAR-100 > ImageNet16-120 for a model trained on
# CIFAR-10 labels only. The comparison table above shows what our model achieves on each dataset,
# beside params and FLOPs measured on the same cells.
