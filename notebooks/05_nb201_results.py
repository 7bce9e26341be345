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
# # NB201 results (Table 4)
#
# **What this chapter reproduces.** Table 4 of the paper (§4.2): the cell TG-NAS finds on
# NAS-Bench-201, with its FLOPs, parameters, search cost and CIFAR-10 / CIFAR-100 / ImageNet16-120
# test accuracy, beside the other methods' published rows and the ground-truth optimum. Our row is
# the hybrid search (`tgnas.search.search`, method `hybrid`) with the shipped zero-shot proxy
# (`TGProxy.load("nb201")`, trained without any NB201 label), mean ± std over seeds.
#
# **Parameters** (papermill; `tgnas book run --profile paper --only 05_nb201_results`):
#
# | parameter | meaning | `ci` | `paper` |
# |---|---|---|---|
# | `profile` | which column of this table to use | `ci` | `paper` |
# | `n_seeds` | search seeds (mean ± std over them) | 5 | 20 |
#
# **Conventions.** Accuracies are NB201 200-epoch test accuracies (%). Our FLOPs follow the
# NAS-Bench-Suite-Zero convention (BN and ReLU counted), so they are larger than the official NB201
# FLOPs the paper quotes: the optimum has 155.58 M here against the paper's 153.27 M (chapter 00).
# Search cost: the paper's is GPU hours on an RTX 4090; ours is CPU seconds on this machine, the
# proxy's training excluded as in the paper.

# %% tags=["parameters"]
profile = "ci"
n_seeds = None

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from tgnas import TGProxy
from tgnas.data.nb201 import DATASETS, load_nb201_table
from tgnas.search import search

if profile not in ("ci", "paper"):
    raise ValueError(f"profile must be 'ci' or 'paper', got {profile!r}")
n_seeds = n_seeds or {"ci": 5, "paper": 20}[profile]
print(f"profile={profile}  n_seeds={n_seeds}")
proxy = TGProxy.load("nb201")
table = load_nb201_table()

# %% [markdown]
# ## Our searches
#
# One hybrid search per seed; the benchmark table is read only afterwards, to report the cells.

# %%
rows = []
for seed in range(n_seeds):
    result = search("nb201", proxy, method="hybrid", seed=seed)
    rows.append({
        "seed": seed,
        "arch": result.arch,
        "winner": result.winner,
        "search_s": result.seconds,
        "FLOPs (M)": float(table.metric("flops_M_nbsz", [result.arch], "cifar10")[0]),
        "Params (M)": float(table.metric("params_M", [result.arch], "cifar10")[0]),
        **{f"{d} (%)": float(table.accuracy([result.arch], d)[0]) for d in DATASETS},
    })
runs = pd.DataFrame(rows)
runs

# %% [markdown]
# ## Table 4 — paper rows, our row, ground truth
#
# Rows other than "TG-NAS (ours, measured)" and "Ground truth (measured)" are the paper's published
# numbers, copied as references. Our FLOPs column uses the NB-SZ convention (see above).

# %%
paper_rows = [
    ("NAS", 7.78, 0.073, "552 GPU h", 86.49, 58.30, 27.80),
    ("DARTS", 82.49, 0.587, "3.02 GPU h", 88.32, 67.78, 34.60),
    ("GDAS", 117.88, 0.83, "8.03 GPU h", 93.36, 69.64, 38.87),
    ("KNAS", 153.27, 1.073, "2.44 GPU h", 93.43, 71.05, 45.05),
    ("NASWOT", 86.43, 0.615, "0.09 GPU h", 92.96, 69.70, 44.47),
    ("TE-NAS", 188.66, 1.317, "0.43 GPU h", 93.78, 70.44, 41.40),
    ("TG-NAS (paper)", 113.95, 0.802, "0.01 GPU h", 93.75, 70.64, 44.97),
    ("Ground truth (paper)", 153.27, 1.073, "-", 94.37, 73.22, 46.71),
]
columns = ["method", "FLOPs (M)", "Params (M)", "search cost", *[f"{d} (%)" for d in DATASETS]]
reference = pd.DataFrame(paper_rows, columns=columns)


summary = {column: f"{runs[column].mean():.2f} ± {runs[column].std(ddof=0):.2f}"
           for column in ["FLOPs (M)", "Params (M)", *[f"{d} (%)" for d in DATASETS]]}
ours = {"method": f"TG-NAS (ours, measured, {n_seeds} seeds)", **summary,
        "search cost": f"{runs['search_s'].mean():.2f} CPU s"}
best = int(np.argmax(table.accuracy(None, "cifar10")))
truth = {"method": "Ground truth (measured, best CIFAR-10 cell)",
         "FLOPs (M)": round(float(table.metric("flops_M_nbsz", [best], "cifar10")[0]), 2),
         "Params (M)": round(float(table.metric("params_M", [best], "cifar10")[0]), 3), "search cost": "-",
         **{f"{d} (%)": round(float(table.accuracy([best], d)[0]), 2) for d in DATASETS}}
table4 = pd.concat([reference, pd.DataFrame([ours, truth])], ignore_index=True)
table4

# %%
fig, ax = plt.subplots(figsize=(7, 4))
ax.barh(reference["method"], reference["cifar10 (%)"], color="lightgrey", label="paper (reference)")
ax.barh([ours["method"]], [runs["cifar10 (%)"].mean()], xerr=[runs["cifar10 (%)"].std(ddof=0)], color="tab:blue",
        label="ours (measured)")
ax.axvline(truth["cifar10 (%)"], color="tab:green", linestyle="--", label="optimum (94.37)")
ax.set_xlim(85, 95)
ax.set_xlabel("CIFAR-10 test accuracy (%)")
ax.set_title("Table 4, CIFAR-10 column")
ax.legend(fontsize=8, loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown]
# **Reading the table.** The paper's TG-NAS cell reaches 93.75 % on CIFAR-10; the cell with the most
# parameters alone gives 93.76 % and the optimum is 94.37 %. Our proxy, trained on 331 labelled NB101
# cells instead of 423k (chapter 02), steers the hybrid search to the row above; the proxy's own
# best cell (scoring all 15,625 cells, chapter 03) bounds what any proxy-guided search can reach, so
# a gap to the optimum is the proxy's, not the search's. When every seed returns the all-3x3-convolution
# cell (the `runs` table above shows the cells), that cell is also the parameter-count argmax:
# the proxy then ranks the top of the space much like a size proxy does. The search cost is measured CPU time of the
# search alone, the same accounting as the paper's (its 1.5 GPU hours of predictor training are
# excluded there, our few minutes of training here).
