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
# # Operator embeddings
#
# **What this chapter reproduces.** The operator embedding generator of §3.2: operator names become
# sentences (Table 1: short, medium and long descriptions), a sentence transformer
# (`all-MiniLM-L6-v2`, mean pooling, 384-d) embeds them, and optionally a PCA reduces them to 64-d
# (the paper's "-64" variant). Table 2 is regenerated: for each embedding variant × sentence length a
# GCN predictor is trained *without any NB201 label* and scored on all 15,625 NB201 cells.
#
# **Parameters** (papermill; `tgnas book run --profile paper --only 01_operator_embeddings`):
#
# | parameter | meaning | `ci` | `paper` |
# |---|---|---|---|
# | `profile` | which column of this table to use | `ci` | `paper` |
# | `epochs` | training epochs per Table 2 model | 25 | 100 |
# | `nb301_n` | DARTS cells labelled by the NB301 surrogate in the training data | 500 | 3,000 |
# | `seeds` | training seeds per Table 2 cell (mean ± std over them) | 1 seed | 3 seeds |
#
# The paper's Table 1 sentences and Table 2 numbers are not in the paper text available to us, so
# the paper column of Table 2 only states its conclusion (short sentences with MiniLM-64 were best).

# %% tags=["parameters"]
profile = "ci"
epochs = None
nb301_n = None
seeds = None

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from tgnas.data.nb201 import load_nb201_table
from tgnas.tg.describe import LENGTHS, describe
from tgnas.tg.embed import OperatorEmbedder
from tgnas.metrics import rank_correlation
from tgnas.tg.predictor import GCNPredictor
from tgnas.tg.proxy import NO_PATH_SCORE
from tgnas.spaces import darts, nb101, nb201
from tgnas.tg import TrainRecipe, nb101_source, nb301_source, train_predictor

if profile not in ("ci", "paper"):
    raise ValueError(f"profile must be 'ci' or 'paper', got {profile!r}")
epochs = epochs or {"ci": 25, "paper": 100}[profile]
nb301_n = nb301_n or {"ci": 500, "paper": 3_000}[profile]
seeds = seeds or {"ci": [0], "paper": [0, 1, 2]}[profile]
print(f"profile={profile}: epochs={epochs}, nb301_n={nb301_n}, seeds={seeds}")

# %% [markdown]
# ## Table 1 — operator descriptions
#
# One rule-based describer (`tgnas.tg.describe`) writes every sentence from what the operator's
# name says (kind, kernel, dilation, expansion ratio, order of ReLU/BN). The same operator under
# two spaces' names reads the same in the short form (NB101's `conv3x3-bn-relu` and NB201's
# `nor_conv_3x3` are both "3x3 convolution"); the medium and long forms keep the difference in
# normalisation order. The last four rows are invented operators no space has.

# %%
space_ops = {
    "NB101": list(nb101.NB101_OPS),
    "NB201": [op for op in nb201.NB201_OPS],
    "DARTS": [op for op in darts.DARTS_OPS],
    "invented": ["conv7x7", "dil_conv_7x7", "mbconv_e6_k5", "sep_conv_9x9"],
}
rows = [
    {"space": space, "operator": op, **{length: describe(op, length) for length in LENGTHS}}
    for space, ops in space_ops.items()
    for op in ops
]
pd.set_option("display.max_colwidth", 120)
pd.DataFrame(rows)

# %% [markdown]
# ## Cosine similarity of the operator embeddings
#
# The paper's premise: in embedding space, `conv3x3` should be nearer to `conv5x5` than to
# `maxpool3x3`, and knowledge of one kernel size should carry over to another. Rows are grouped by
# space; the invented operators at the bottom were never seen by any model.

# %%
embedder = OperatorEmbedder(length="short")
names = list(dict.fromkeys(op for ops in space_ops.values() for op in ops))
started = time.perf_counter()
vectors = embedder.embed(names)
print(f"embedded {len(names)} operators in {time.perf_counter() - started:.2f} s (cached after the first run)")
unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
similarity = unit @ unit.T

fig, ax = plt.subplots(figsize=(9, 8))
image = ax.imshow(similarity, cmap="viridis", vmin=0, vmax=1)
ax.set_xticks(range(len(names)), names, rotation=90, fontsize=8)
ax.set_yticks(range(len(names)), names, fontsize=8)
fig.colorbar(image, ax=ax, label="cosine similarity (short descriptions)")
ax.set_title("Operator embeddings, all-MiniLM-L6-v2, short sentences")
fig.tight_layout()
plt.show()

index = {name: i for i, name in enumerate(names)}
checks = [("conv3x3-bn-relu", "conv7x7"), ("conv3x3-bn-relu", "maxpool3x3"), ("sep_conv_3x3", "sep_conv_9x9"),
          ("sep_conv_3x3", "avg_pool_3x3"), ("dil_conv_5x5", "dil_conv_7x7"), ("skip_connect", "none")]
pd.DataFrame([{"a": a, "b": b, "cosine": round(float(similarity[index[a], index[b]]), 3)} for a, b in checks])

# %% [markdown]
# ## PCA picture
#
# The first two principal components of the operator embeddings (fitted on the fixed vocabulary of
# `tgnas.tg.embed.pca_vocabulary`, the same fit that gives the 64-d variant). Convolutions, pooling
# and the parameter-free operators form separate groups, and the invented operators land beside
# their relatives.

# %%
reduced_embedder = embedder.with_pca(64)
pca = reduced_embedder.pca
points = pca.transform(vectors)[:, :2]
colours = {"NB101": "tab:blue", "NB201": "tab:orange", "DARTS": "tab:green", "invented": "tab:red"}
fig, ax = plt.subplots(figsize=(8, 6))
for space, ops in space_ops.items():
    rows_of_space = [index[op] for op in ops]
    ax.scatter(points[rows_of_space, 0], points[rows_of_space, 1], c=colours[space], label=space, s=40)
for name, (x, y) in zip(names, points):
    ax.annotate(name, (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
ax.set_xlabel("PC 1")
ax.set_ylabel("PC 2")
ax.legend()
ax.set_title("Operator embeddings projected on the first two principal components")
plt.show()
print(f"64 components kept, fitted on {len(pca.mean)}-d embeddings of the fixed PCA vocabulary")

# %% [markdown]
# ## Table 2 — embedding model × sentence length, zero-shot on NB201
#
# Every cell of the table is a GCN predictor trained on NB101 (NASLib's 500 records + the 30
# official ones, 331 distinct cells) and `nb301_n` DARTS cells labelled by the NB301 surrogate,
# early-stopped on held-out splits of those sources, then scored on all 15,625 NB201 cells against
# CIFAR-10 200-epoch test accuracy. No NB201 label is used anywhere (the training routine refuses
# them).
#
# **Deviation:** the paper trained on all 423k NB101 cells; only 331 labelled NB101 cells are
# available here, which is why the DARTS cells are added (chapter 02 measures what they bring).
# The paper's third model, `all-mpnet-base-v2`, *can* be installed offline from PyPI, but only as
# five split wheels (404 MB) whose first part declares an unrelated heavy dependency (`AAIT`), so it
# is not part of the pinned environment and not in this table.

# %%
table = load_nb201_table()
cells = table.cells()
nb201_graphs = [cell.to_graph() for cell in cells]
has_path = np.array([cell.has_path() for cell in cells])
cifar10 = table.accuracy(cells, "cifar10")
sources = [nb101_source(), nb301_source(nb301_n, seed=0)]
print({source.name: len(source) for source in sources})

results = []
for variant, base in (("all-MiniLM-L6-v2", None), ("all-MiniLM-L6-v2-64", 64)):
    for length in LENGTHS:
        variant_embedder = OperatorEmbedder(length=length)
        if base:
            variant_embedder = variant_embedder.with_pca(base)
        for seed in seeds:
            predictor = GCNPredictor(variant_embedder, seed=seed)
            run = train_predictor(sources, "nb201", predictor, TrainRecipe(epochs=epochs, seed=seed), progress=False)
            scores = predictor.score(nb201_graphs)
            scores[~has_path] = NO_PATH_SCORE
            correlation = rank_correlation(scores, cifar10)
            results.append({"model": variant, "length": length, "seed": seed, **correlation,
                            "train_s": round(run.seconds, 1)})
table2 = pd.DataFrame(results)
summary = table2.groupby(["model", "length"], sort=False).agg(
    kendall_tau=("kendall_tau", "mean"), tau_std=("kendall_tau", "std"),
    spearman_rho=("spearman_rho", "mean"), n=("n", "first"), seeds=("seed", "count")).round(3)
summary

# %%
fig, ax = plt.subplots(figsize=(7, 4))
pivot = table2.groupby(["length", "model"], sort=False)["kendall_tau"].mean().unstack()
pivot.loc[list(LENGTHS)].plot.bar(ax=ax, rot=0)
ax.axhline(0.578, color="grey", linestyle="--", label="params baseline (τ 0.578)")
ax.set_ylabel("Kendall τ on 15,625 NB201 cells (CIFAR-10)")
ax.set_title(f"Table 2 regenerated ({len(seeds)} seed(s) per bar)")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# **Reading the table.** The paper reports that short sentences with `all-MiniLM-L6-v2-64` gave the
# best τ and ρ and adopts that combination. Our shipped model uses short sentences without PCA, fixed
# before this table was computed (chapter 02 explains the recipe); with one seed per cell in the `ci` profile, differences of a
# few hundredths are within seed noise (chapter 02 shows the spread over seeds), so read this table
# in the `paper` profile before drawing conclusions. Short sentences have one decisive advantage for
# transfer: the NB101 and NB201 convolutions get *identical* embeddings, so whatever the GCN learns
# about NB101's `conv3x3-bn-relu` applies unchanged to NB201's `nor_conv_3x3`.
