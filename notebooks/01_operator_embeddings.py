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

# %% [markdown]
# :::{admonition} Learning objectives
# :class: tip
# After this chapter you can
#
# * turn an operator name into short, medium and long sentences and embed them with a sentence
#   transformer {cite}`reimers2019sbert,wang2020minilm`;
# * read a cosine-similarity map of {term}`operator embedding`s and say which operators the
#   embedding treats as alike;
# * explain why identical short sentences let a predictor trained on one search space transfer to
#   another, and how Table 2 tests the choice of sentence length and embedding size.
# :::

# %% tags=["parameters"]
profile = "ci"
epochs = None
nb301_n = None
seeds = None

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

from tgnas.book import scorecard
from tgnas.data.nb201 import load_nb201_table
from tgnas.experiments.embeddings import (
    PARAMETERS,
    operator_similarity,
    plot_operator_pca,
    plot_operator_similarity,
    plot_table2,
    source_sizes,
    table1_descriptions,
    table2_embedding_variants,
    table2_runs,
    table_similarity_checks,
)
from tgnas.experiments.predictor import nb201_target
from tgnas.tg import nb101_source, nb301_source
from tgnas.tg.describe import describe
from tgnas.tg.embed import OperatorEmbedder

epochs, nb301_n, seeds = PARAMETERS.resolve(profile, epochs=epochs, nb301_n=nb301_n, seeds=seeds)
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
pd.set_option("display.max_colwidth", 120)
table1_descriptions()

# %% [markdown]
# ## Cosine similarity of the operator embeddings
#
# The paper's premise: in embedding space, `conv3x3` should be nearer to `conv5x5` than to
# `maxpool3x3`, and knowledge of one kernel size should carry over to another. Rows are grouped by
# space; the invented operators at the bottom were never seen by any model.

# %% mystnb={"figure": {"caption": "Cosine similarity of the short-sentence operator embeddings (all-MiniLM-L6-v2), operators grouped by search space; the invented operators at the bottom were never seen by any model.", "name": "fig-01-similarity"}, "image": {"alt": "A square heatmap of pairwise cosine similarities between operator embeddings, with bright blocks where convolutions of different spaces meet."}}
embedder = OperatorEmbedder(length="short")
similarity = operator_similarity(embedder)
print(f"embedded {len(similarity.names)} operators in {similarity.seconds:.2f} s (cached after the first run)")
fig = plot_operator_similarity(similarity)
plt.show()

# %%
table_similarity_checks(similarity)

# %% [markdown]
# ## PCA picture
#
# The first two principal components of the operator embeddings (fitted on the fixed vocabulary of
# `tgnas.tg.embed.pca_vocabulary`, the same fit that gives the 64-d variant). Convolutions, pooling
# and the parameter-free operators form separate groups, and the invented operators land beside
# their relatives.

# %% mystnb={"figure": {"caption": "The operator embeddings on their first two principal components, coloured by search space.", "name": "fig-01-pca"}, "image": {"alt": "A scatter of operator names on two principal components: convolutions, pooling and parameter-free operators form separate groups."}}
pca = embedder.with_pca(64).pca
fig = plot_operator_pca(similarity, pca)
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
sources = [nb101_source(), nb301_source(nb301_n, seed=0)]
print(source_sizes(sources))
runs = table2_runs(sources, nb201_target(load_nb201_table()), seeds, epochs)
table2 = table2_embedding_variants(runs)
table2

# %%
best_model, best_length = table2["kendall_tau"].idxmax()
variant_result = scorecard.record(
    "embedding-variant",
    ours=f"best: {best_length} sentences, {best_model} (τ {table2['kendall_tau'].max():.3f})",
    verdict=scorecard.same((best_model, best_length), ("all-MiniLM-L6-v2-64", "short")),
    why=f"{len(seeds)} seed(s) per variant, trained on {len(sources[0]):,} NB101 and {len(sources[1]):,} NB301-labelled DARTS cells "
    "instead of the paper's 423k NB101 cells",
)
glue("ch01_best_variant", f"{best_length} sentences with {best_model}", display=False)
glue("ch01_best_tau", float(table2["kendall_tau"].max()), display=False)
glue("ch01_variant_verdict", variant_result["verdict"], display=False)

# %% mystnb={"figure": {"caption": "Paper Table 2 regenerated as bars: mean Kendall τ on all 15,625 NB201 cells per sentence length and embedding variant, with the parameter-count baseline as a line.", "name": "fig-01-table2"}, "image": {"alt": "Grouped bars of Kendall tau for short, medium and long sentences, one bar per embedding variant, beside a dashed horizontal line for the params baseline."}}
fig = plot_table2(runs)
plt.show()

# %% [markdown]
# **Reading the table.** The paper reports that short sentences with `all-MiniLM-L6-v2-64` gave the
# best τ and ρ and adopts that combination. Our shipped model uses short sentences without PCA, fixed
# before this table was computed (chapter 02 explains the recipe); with one seed per cell in the `ci` profile, differences of a
# few hundredths are within seed noise (chapter 02 shows the spread over seeds), so read this table
# in the `paper` profile before drawing conclusions. Short sentences have one decisive advantage for
# transfer: the NB101 and NB201 convolutions get *identical* embeddings, so whatever the GCN learns
# about NB101's `conv3x3-bn-relu` applies unchanged to NB201's `nor_conv_3x3`.

# %% [markdown]
# ## Exercises
#
# ::::{exercise}
# :label: ex-01-nearest
# In the short-sentence embedding, is NB201's `nor_conv_3x3` closer to `nor_conv_1x1` or to
# `avg_pool_3x3`? Use `similarity.cosine`.
# ::::
#
# ::::{solution-start} ex-01-nearest
# :class: dropdown
# ::::

# %% tags=["solution"]
to_conv1x1 = similarity.cosine("nor_conv_3x3", "nor_conv_1x1")
to_pool = similarity.cosine("nor_conv_3x3", "avg_pool_3x3")
glue("ch01_nearest", "`nor_conv_1x1`" if to_conv1x1 > to_pool else "`avg_pool_3x3`", display=False)
print(f"cosine(nor_conv_3x3, nor_conv_1x1) = {to_conv1x1:.3f}; cosine(nor_conv_3x3, avg_pool_3x3) = {to_pool:.3f}")

# %% [markdown]
# **Expected outcome:** `nor_conv_3x3` is closer to {glue:text}`ch01_nearest`: the sentences of the
# two convolutions share the word "convolution" and differ only in the kernel size.
#
# ::::{solution-end}
# ::::
#
# ::::{exercise}
# :label: ex-01-unseen
# No search space of the paper has a 7x7 convolution. What short sentence does the describer write
# for `conv_7x7`, and how similar is its embedding to that of `nor_conv_3x3`?
# ::::
#
# ::::{solution-start} ex-01-unseen
# :class: dropdown
# ::::

# %% tags=["solution"]
unseen, known = embedder.embed(["conv_7x7", "nor_conv_3x3"])
unseen_cosine = float(unseen @ known / (np.linalg.norm(unseen) * np.linalg.norm(known)))
glue("ch01_unseen_sentence", describe("conv_7x7", "short"), display=False)
glue("ch01_unseen_cosine", unseen_cosine, display=False)
print(f"{describe('conv_7x7', 'short')!r}: cosine with nor_conv_3x3 = {unseen_cosine:.3f}")

# %% [markdown]
# **Expected outcome:** the sentence is "{glue:text}`ch01_unseen_sentence`" and its cosine similarity
# with `nor_conv_3x3` ("3x3 convolution") is {glue:text}`ch01_unseen_cosine:.3f`: an operator no model
# has seen still lands next to its relatives, which is what lets the predictor score it.
#
# ::::{solution-end}
# ::::
#
# ## What this shows
#
# :::{admonition} What this shows
# :class: important
# * Operator names become sentences and 384-d vectors without any training; operators of different
#   spaces that do the same thing get the same short sentence, hence the same embedding.
# * In our Table 2 the best variant is {glue:text}`ch01_best_variant` (Kendall τ =
#   {glue:text}`ch01_best_tau:.3f` on all NB201 cells). The paper's choice, short sentences with
#   all-MiniLM-L6-v2-64, is **{glue:text}`ch01_variant_verdict`** here (see the
#   {doc}`scorecard <../scorecard>`); with few seeds and far less NB101 training data than the paper,
#   small differences between variants are not conclusive.
# :::
