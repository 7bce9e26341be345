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
# search that shrinks a {term}`supernet` one operator per edge per round, an *evolutionary* search with
# continuous genes, {term}`differential evolution` mutation and crossover {cite}`storn1997de` and
# selection by the TG proxy, and their *hybrid*, which returns the better of the two. We run it on
# NAS-Bench-201 with the shipped proxy (`TGProxy.load("nb201")`, trained without NB201 labels),
# compare it over several seeds with random search, regularised evolution {cite}`real2019regularized`
# and the proxy's own optimum (all 15,625 cells scored), and run it once in the DARTS space: that
# search is the book's one found DARTS cell, the same one {doc}`the DARTS-search chapter <06_darts_search>` draws and judges.
# The paper reports 93.75 % CIFAR-10 test accuracy for its NB201 cell (Table 4) and a search time of
# about 40 s on a GPU (NB201) and < 2 min (DARTS).
#
# **Parameters** (papermill; `tgnas book run --profile paper --only 03_hybrid_search`):
#
# | parameter | meaning | `ci` | `paper` |
# |---|---|---|---|
# | `profile` | which column of this table to use | `ci` | `paper` |
# | `n_seeds` | seeds per NB201 method (0 … n−1) | 5 | 20 |
#
# The benchmark tables are used only to *report* the found cells (accuracy, params, FLOPs); no search
# ever reads them. All methods use the same budget scale: the NB201 evolution (NP = 20, g_max = 30)
# scores at most 620 cells, random search draws 620, regularised evolution runs P = 50, S = 10, 570
# cycles. The DARTS search uses the space's own budget (NP = 50, g_max = 100).

# %% [markdown]
# :::{admonition} Learning objectives
# :class: tip
# After this chapter you can
#
# * decode a gene vector into a cell and explain how differential evolution moves a population of them;
# * follow a pruning search round by round and say why the supernet's score can rise when an operator goes;
# * compare search methods by the *proxy score* they reach and by the *accuracy* of what they find, and
#   tell a weak search from a weak proxy.
# :::

# %% tags=["parameters"]
profile = "ci"
n_seeds = None

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from myst_nb import glue

from tgnas import TGProxy
from tgnas.data.nb201 import load_nb201_table
from tgnas.experiments.hybrid import (
    PARAMETERS,
    darts_hybrid_search,
    decode_genes,
    hybrid_accuracy,
    hybrid_summary,
    hybrid_vs_baselines,
    plot_found_cells,
    plot_search_trajectories,
    table_gene_mapping,
    table_hybrid_vs_baselines,
    table_pruning_rounds,
)
from tgnas.search import EvolutionSettings, search

(n_seeds,) = PARAMETERS.resolve(profile, n_seeds=n_seeds)
started = time.perf_counter()
nb201_proxy = TGProxy.load("nb201")
darts_proxy = TGProxy.load("darts")
table = load_nb201_table()
print(f"profile={profile}  n_seeds={n_seeds}")
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
#
# The operator each gene value selects:

# %%
print("genes 0.7 ×6 decode to the NB201 cell", decode_genes("nb201", np.full(6, 0.7)))
table_gene_mapping()

# %% [markdown]
# ## One NB201 search, step by step (seed 0)
#
# Each pruning round removes one operator per edge; the table shows which, with its Δ.

# %%
hybrid = search("nb201", nb201_proxy, method="hybrid", seed=0)
pruned, evolved = hybrid.parts["pruning"], hybrid.parts["evolution"]
print(f"pruning   → {pruned.arch}  score {pruned.score:.4f}")
print(f"evolution → {evolved.arch}  score {evolved.score:.4f}  ({evolved.evaluations} distinct cells scored)")
print(f"hybrid    → {hybrid.arch}  winner: {hybrid.winner}; search time {hybrid.seconds:.3f} s")
table_pruning_rounds(pruned)

# %% mystnb={"figure": {"caption": "One run of Algorithm 1 on NB201 (seed 0). Left: the supernet's proxy score before each pruning round and the found cell's score. Right: best and mean proxy score of the evolving population per generation, beside the pruning result.", "name": "fig-03-trajectories"}, "image": {"alt": "Left, a rising line of supernet scores over four pruning rounds ending in a square for the found cell; right, the best score of the population climbing in steps towards a dashed line, the population mean following below it."}}
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
table_hybrid_vs_baselines(runs).round(3)

# %%
summary = hybrid_summary(runs, table)
glue("ch03_hybrid_accuracy", summary["cifar10"], display=False)
glue("ch03_hybrid_seconds", summary["seconds"], display=False)
glue("ch03_at_optimum", f"{summary['at_optimum']} of {summary['seeds']}", display=False)
glue("ch03_params_argmax_share", f"{summary['params_argmax_share']:.0%}", display=False)
hybrid_accuracy(runs, table)

# %% mystnb={"figure": {"caption": "The NB201 cells found by each method over the seeds (compare the paper's Table 4 TG-NAS row): CIFAR-10 test accuracy (left) and proxy score (right) of every seed's cell, one dot each (identical cells overlap), the bar marks the mean.", "name": "fig-03-found-cells"}, "image": {"alt": "Two dot plots with one row per method: the hybrid, pruning, evolution and exhaustive rows sit on one accuracy and one score, random search scatters lower; dashed and dotted lines mark the paper's 93.75 percent and the optimum."}}
fig = plot_found_cells(runs, table)
plt.show()

# %% [markdown]
# ## The book's found DARTS cell
#
# The same hybrid in the DARTS space (both cells, 24 genes, NP = 50, g_max = 100; pruning starts from
# all 7 operators on all 14 edges of each cell) with the shipped DARTS-space proxy and seed 0. This is
# the found DARTS cell of the whole book: {doc}`the DARTS-search chapter <06_darts_search>` draws it (Fig. 5) and places it among
# random cells. The NB301 surrogate (a noisy labeller, not ground truth) gives the genotype's predicted
# CIFAR-10 validation accuracy, beside the published DARTS (2nd order) cell {cite}`liu2019darts`.

# %%
darts = darts_hybrid_search(darts_proxy)
glue("ch03_darts_seconds", darts.result.seconds, display=False)
glue("ch03_darts_found", darts.found_accuracy, display=False)
glue("ch03_darts_v2", darts.darts_v2_accuracy, display=False)
print(darts.result.arch)
darts.table()

# %% [markdown]
# ## Exercises
#
# ::::{exercise}
# :label: ex-03-population
# The NB201 evolution uses NP = 20 individuals for 30 generations. Run it with NP = 8 and 10
# generations (seed 0). Does it still reach the proxy's optimum score?
# ::::
#
# ::::{solution-start} ex-03-population
# :class: dropdown
# ::::

# %% tags=["solution"]
small = search("nb201", nb201_proxy, method="evolution", seed=0, settings=EvolutionSettings(population=8, generations=10))
optimum_score = runs.loc[runs.method == "exhaustive", "score"].iloc[0]
glue("ch03_small_gap", float(optimum_score - small.score), display=False)
glue("ch03_small_evaluations", small.evaluations, display=False)
print(f"NP=8, 10 generations: score {small.score:.4f} after {small.evaluations} cells; the proxy's optimum {optimum_score:.4f}")

# %% [markdown]
# **Expected outcome:** after {glue:text}`ch03_small_evaluations` scored cells the small evolution
# ends {glue:text}`ch03_small_gap:.4f` below the proxy's optimum score (0 means it found it): the
# gap is what the smaller budget costs on NB201's 15,625 cells.
#
# ::::{solution-end}
# ::::
#
# ::::{exercise}
# :label: ex-03-genes
# Which NB201 cell do the genes (0.0, 0.3, 0.5, 0.7, 0.9, 0.7) encode, and does it have an
# input→output path?
# ::::
#
# ::::{solution-start} ex-03-genes
# :class: dropdown
# ::::

# %% tags=["solution"]
decoded = decode_genes("nb201", np.array([0.0, 0.3, 0.5, 0.7, 0.9, 0.7]))
glue("ch03_decoded", str(decoded), display=False)
glue("ch03_decoded_path", "has" if decoded.has_path() else "has no", display=False)
print(decoded, "has a path:", decoded.has_path())

# %% [markdown]
# **Expected outcome:** the genes decode to `{glue:text}`ch03_decoded``, which
# {glue:text}`ch03_decoded_path` input→output path. Each gene is read as the operator ⌊g·5⌋ of
# NB201's five (the table above), edge by edge in NB201's edge order.
#
# ::::{solution-end}
# ::::
#
# ## What this shows
#
# :::{admonition} What this shows
# :class: important
# * The hybrid search reached the proxy's own optimum score in {glue:text}`ch03_at_optimum` seeds, in {glue:text}`ch03_hybrid_seconds:.2f` s per search on a CPU
#   (the paper: about 40 s on a GPU).
# * What it finds is only as good as the proxy: its NB201 cell reaches
#   {glue:text}`ch03_hybrid_accuracy:.2f` % on CIFAR-10 (paper 93.75 %, optimum 94.37 %), and in
#   {glue:text}`ch03_params_argmax_share` of the seeds it is the cell with the most parameters, a cell
#   counting parameters finds without any search.
# * In the DARTS space the search takes {glue:text}`ch03_darts_seconds:.1f` s; the NB301 surrogate
#   rates the found cell {glue:text}`ch03_darts_found:.2f` % against {glue:text}`ch03_darts_v2:.2f` % for
#   DARTS_V2. {doc}`The DARTS-search chapter <06_darts_search>` places it among random cells.
# :::
