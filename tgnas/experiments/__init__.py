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
==========  ===========================  ==========================================================

Importing this package imports nothing; each module imports what its chapter needs.
"""
