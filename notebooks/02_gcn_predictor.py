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
import matplotlib.pyplot as plt

from tgnas import TGProxy
from tgnas.data.nb201 import load_nb201_table
from tgnas.experiments.predictor import (
    PARAMETERS,
    SHIPPED_CONFIG,
    fig2_training_fraction,
    nb201_fraction_pool,
    nb201_target,
    plot_fig2,
    plot_fig4_rank_vs_true_rank,
    plot_training_curves,
    recipe_ablation,
    shipped_card,
    table3_tg_vs_baselines,
    table_cross_space_transfer,
    table_recipe_ablation,
)
from tgnas.tg import nb101_source, nb301_source

epochs, nb301_n, seeds, fractions, fig2_epochs, nb101_file = PARAMETERS.resolve(
    profile, epochs=epochs, nb301_n=nb301_n, seeds=seeds, fractions=fractions, fig2_epochs=fig2_epochs, nb101_file=nb101_file
)
print(f"profile={profile}: epochs={epochs}, nb301_n={nb301_n}, seeds={seeds}, fig2_epochs={fig2_epochs}")

table = load_nb201_table()
nb201 = nb201_target(table)
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
cross = table_cross_space_transfer(nb101, nb301, seeds, epochs)
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
ablation = recipe_ablation(nb101, nb301, nb201, seeds, epochs)
summary = table_recipe_ablation(ablation)
summary

# %%
with_both = summary.loc["NB101 + NB301"]
print(f"shipped architecture: {SHIPPED_CONFIG!r}; highest validation τ in this run: {with_both['val_tau'].idxmax()!r}")
proxy = TGProxy.load("nb201")
print("shipped model card:", shipped_card(proxy))

# %% [markdown]
# ## Training curves
#
# Loss and validation τ (training spaces) per epoch for the runs of the shipped architecture.
# The checkpoint kept is the epoch with the best validation τ.

# %%
fig = plot_training_curves(ablation)
plt.show()

# %% [markdown]
# ## The shipped zero-shot model on all of NB201 (Table 3's TG row, Fig. 4)
#
# `tgnas/weights/nb201.pt` is an ensemble of 5 seeds of the recipe in its model card (the command
# that regenerates it is in the card), trained on NB101 + NB301-surrogate cells only (`nb201_labels_used: false`). Targets: beat the params baseline
# (τ 0.578 on CIFAR-10) and the best single zero-cost proxy (nwot, τ 0.624 on its 9,445 valid
# cells).

# %%
shipped = table3_tg_vs_baselines(proxy, table)
print(f"scored all {shipped.n} cells in {shipped.score_seconds:.2f} s; NB201 labels used: {shipped.nb201_labels_used}")
shipped.frame.round(3)

# %%
fig = plot_fig4_rank_vs_true_rank(proxy, table)
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
pool, test_accuracy = nb201_fraction_pool(table)
fig2 = fig2_training_fraction(pool, test_accuracy, fractions, fig2_epochs)
fig = plot_fig2(fig2)
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
    print(fig2_training_fraction(full_nb101, full_nb101.labels, fractions, fig2_epochs, progress=True).round(3))

# %% [markdown]
# **Paper vs ours.** The paper reports that its predictor stays strong down to 1 % of NB101 for
# training; on NB201 the same holds in our run (the table above: τ at 1 % vs the largest fraction). For the
# zero-shot model, the paper's Table 3 values for TG are not in the text we have; its appendix
# states the ranking quality is CIFAR-10 > CIFAR-100 > ImageNet16-120 for a model trained on
# CIFAR-10 labels only. The comparison table above shows what our model achieves on each dataset,
# beside params and FLOPs measured on the same cells.
