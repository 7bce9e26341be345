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
# # Pruning–evolutionary hybrid search
#
# **What this chapter reproduces.** The search strategy of the paper (§3.4, Algorithm 1): a *pruning*
# search that shrinks a supernet one operator per edge per round, an *evolutionary* search with
# continuous genes, differential-evolution mutation and crossover and selection by the TG proxy, and
# their *hybrid*, which returns the better of the two. We run it on NAS-Bench-201 with the shipped
# proxy (`TGProxy.load("nb201")`, trained without NB201 labels), compare it over several seeds with
# random search, regularised evolution (Real et al.) and the proxy's own optimum (all 15,625 cells
# scored), and time a DARTS-space search. The paper reports 93.75 % CIFAR-10 test accuracy for its
# NB201 cell (Table 4) and a search time of about 40 s on a GPU (NB201) and < 2 min (DARTS).
#
# **Parameters** (papermill; `tgnas book run --profile paper --only 03_hybrid_search`):
#
# | parameter | meaning | `ci` | `paper` |
# |---|---|---|---|
# | `profile` | which column of this table to use | `ci` | `paper` |
# | `n_seeds` | seeds per NB201 method (0 … n−1) | 5 | 20 |
# | `darts_generations` | g_max of the DARTS evolution (NP = 50) | 30 | 100 |
#
# The benchmark tables are used only to *report* the found cells (accuracy, params, FLOPs); no search
# ever reads them. All methods use the same budget scale: the NB201 evolution (NP = 20, g_max = 30)
# scores at most 620 cells, random search draws 620, regularised evolution runs P = 50, S = 10, 570 cycles.

# %% tags=["parameters"]
profile = "ci"
n_seeds = None
darts_generations = None

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from tgnas import TGProxy
from tgnas.data.nb201 import load_nb201_table
from tgnas.experiments.hybrid import (
    PARAMETERS,
    darts_hybrid_search,
    decode_genes,
    gene_mapping,
    hybrid_vs_baselines,
    plot_found_cells,
    plot_search_trajectories,
    pruning_rounds,
    report_hybrid_accuracy,
    table_hybrid_vs_baselines,
)
from tgnas.search import search
from tgnas.spaces.darts import SAMPLED_OPS
from tgnas.spaces.nb201 import NB201_OPS

n_seeds, darts_generations = PARAMETERS.resolve(profile, n_seeds=n_seeds, darts_generations=darts_generations)
started = time.perf_counter()
nb201_proxy = TGProxy.load("nb201")
darts_proxy = TGProxy.load("darts")
table = load_nb201_table()
print(f"profile={profile}  n_seeds={n_seeds}  darts_generations={darts_generations}")
print(f"proxies and NB201 table loaded in {time.perf_counter() - started:.2f} s (not part of any search time)")

# %% [markdown]
# ## Algorithm 1 in this package
#
# **Genes.** An individual is a vector of genes in [0, 1]; a gene choosing among K operators picks
# operator ⌊g·K⌋ (the last one for g = 1), so each operator owns an interval of width 1/K. NB201 has one
# gene per edge (6); DARTS has per cell and intermediate node one gene for its input pair and two for the
# operators (24 genes), so every gene vector decodes to a valid genotype.
#
# **Evolution** (DE/rand/1/bin). NP random individuals; per generation each individual i gets a mutant
# x_r1 + F·(x_r2 − x_r3) of three other individuals (folded back into [0, 1]) and a trial that takes each
# gene from the mutant with probability CR; all NP trials are scored by the proxy in one batch and a
# trial replaces its parent when it scores at least as high. Defaults F = 0.5, CR = 0.9.
#
# **Pruning.** Start with all operators on every edge. A multi-operator edge is encoded as parallel
# operator nodes between the same endpoints, so the supernet is an ordinary operator-on-node graph the
# proxy can score. Per round, on every edge, remove the operator whose removal costs the least predicted
# score, Δ = (P − P_without)/|P|, until one operator per edge remains (DARTS: then edges, until every node
# keeps two inputs). Unlike the official code, removals are ranked by score, not by index.
#
# **Hybrid.** Run both and return the one with the higher proxy score.

# %%
print("gene → NB201 op:", gene_mapping(NB201_OPS))
print("gene → DARTS op:", gene_mapping(SAMPLED_OPS))
print("genes 0.7 ×6 →", decode_genes("nb201", np.full(6, 0.7)))

# %% [markdown]
# ## One NB201 search, step by step (seed 0)
#
# Left: the supernet's proxy score before each pruning round (it first *rises*: removing a weak operator
# can make the proxy like the supernet more) and the found cell's score. Right: best and mean proxy
# score of the evolving population per generation.

# %%
hybrid = search("nb201", nb201_proxy, method="hybrid", seed=0)
pruned, evolved = hybrid.parts["pruning"], hybrid.parts["evolution"]
print(pruning_rounds(pruned))
print(f"pruning   → {pruned.arch}  score {pruned.score:.4f}")
print(f"evolution → {evolved.arch}  score {evolved.score:.4f}  ({evolved.evaluations} distinct cells scored)")
print(f"hybrid    → {hybrid.arch}  winner: {hybrid.winner}; search time {hybrid.seconds:.3f} s (target < 1 s; paper ~40 s on a GPU)")
fig = plot_search_trajectories(hybrid)
plt.show()

# %% [markdown]
# ## Hybrid vs baselines over seeds
#
# Every method with seeds 0 … n−1 (pruning uses no randomness, so its cell is the same for every seed).
# Accuracies are the benchmark's 200-epoch test accuracies of the found cell; `exhaustive` is the proxy's
# own optimum, the best any proxy-guided search can do with this proxy.

# %%
runs = hybrid_vs_baselines(nb201_proxy, table, n_seeds)
summary = table_hybrid_vs_baselines(runs)
print(summary.round(3).to_string())
print("hybrid winners:", runs.loc[runs.method == "hybrid", "winner"].value_counts().to_dict())

# %%
print(report_hybrid_accuracy(runs, table))
fig = plot_found_cells(runs, table)
plt.show()

# %% [markdown]
# ## DARTS space
#
# The same hybrid on the DARTS space (both cells, 24 genes, NP = 50; pruning starts from all 7 operators
# on all 14 edges of each cell). The NB301 surrogate (a noisy labeller, not ground truth) gives the found
# genotype's predicted CIFAR-10 validation accuracy, beside the published DARTS (2nd order) cell.

# %%
darts = darts_hybrid_search(darts_proxy, darts_generations)
print(darts.summary())
