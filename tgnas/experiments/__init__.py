"""The experiments behind the book's tables and figures: one module per chapter, one function per table
or figure (``table3_…``, ``fig2_…``, ``plot_…`` returning a matplotlib Figure). The chapter notebooks
call these and display the results; the functions reuse the package (search, training, proxies,
Pareto fronts) and compute rank correlations in one place (``_correlations``).

==========  ===========================  ==========================================================
chapter     module                       what it holds
==========  ===========================  ==========================================================
00          ``benchmarks``               Fig. 8 graph forms, space sizes, Table 4 ground truth, baselines
01          ``embeddings``               Table 1 descriptions, embedding similarity/PCA, Table 2
02          ``predictor``                the train → score → τ grid, recipe ablation, Fig. 2, Fig. 4
03          ``hybrid``                   Algorithm 1 step by step, hybrid vs baselines, DARTS search
04          ``independence``             Fig. 10 heatmaps, independence, Table 3, combination, cost
05          ``nb201_results``            Table 4 (our searches beside the paper's rows)
06          ``darts_search``             DARTS searches, Fig. 5, NB301 comparison, latency front
07          ``darts_training``           network sizes, the short CPU training run, Table 5
08          ``query_search``             query curves, queries needed, latency fronts and hypervolume
09          ``universality``             leave-one-benchmark-out selection, the universality matrix
==========  ===========================  ==========================================================

Importing this package imports nothing; each module imports what its chapter needs.
"""

from __future__ import annotations

import importlib

#: chapter notebook → the module holding its experiments and its ``PARAMETERS``
CHAPTER_MODULES = {
    "00_benchmarks": "benchmarks",
    "01_operator_embeddings": "embeddings",
    "02_gcn_predictor": "predictor",
    "03_hybrid_search": "hybrid",
    "04_proxy_independence": "independence",
    "05_nb201_results": "nb201_results",
    "06_darts_search": "darts_search",
    "07_darts_training": "darts_training",
    "08_generative_vs_zero_cost": "query_search",
    "09_universal_proxy": "universality",
}


def chapter_module(chapter: str):
    """The experiment module of ``chapter`` (a notebook name such as ``07_darts_training``)."""
    if chapter not in CHAPTER_MODULES:
        raise ValueError(f"unknown chapter {chapter!r}; accepted: {', '.join(CHAPTER_MODULES)}")
    return importlib.import_module(f"{__name__}.{CHAPTER_MODULES[chapter]}")
