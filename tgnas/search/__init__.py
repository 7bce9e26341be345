"""Architecture search with the TG proxy (paper §3.4): pruning, evolution, their hybrid, and baselines.

>>> from tgnas import TGProxy
>>> from tgnas.search import search
>>> result = search("nb201", TGProxy.load("nb201"), method="hybrid", seed=0)  # doctest: +SKIP
>>> result.arch, result.score, result.winner  # doctest: +SKIP

Every method takes the same inputs and returns a `SearchResult`; the proxy is the only signal a
search uses (benchmark tables only enter through optional `Constraints`).

Query-based searches (`query_search`: AG-Net-style, TG-warm, random, regularised evolution) instead
pay for NB201 validation accuracies with a counted budget (`tgnas.search.oracle`); their result's
``queries`` says how many real evaluations they spent.
"""

from __future__ import annotations

from tgnas.lazy import lazy_exports

# `tgnas search --help` imports `tgnas.search.cli`, hence this package, and must not
# pay for pandas (the constraints' tables) or torch (the query searches).
_EXPORTS = {
    "AGNetSettings": "agnet",
    "AgingSettings": "baselines",
    "BenchmarkOracle": "oracle",
    "Constraints": "constraints",
    "Evaluator": "result",
    "EvolutionSettings": "evolution",
    "ImpossibleConstraintError": "constraints",
    "METHODS": "run",
    "QUERY_METHODS": "run",
    "QueryAgingSettings": "query_baselines",
    "QueryBudgetExhausted": "oracle",
    "SearchResult": "result",
    "TGWarmSettings": "tg_warm",
    "agnet_search": "agnet",
    "evolution_search": "evolution",
    "exhaustive_search": "baselines",
    "feasibility_for": "constraints",
    "hybrid_search": "hybrid",
    "incumbent_curve": "oracle",
    "parse_latency_limit": "constraints",
    "pruning_search": "pruning",
    "queried_curve": "oracle",
    "queries_to_reach": "oracle",
    "query_random_search": "query_baselines",
    "query_regularized_evolution": "query_baselines",
    "query_search": "run",
    "random_search": "baselines",
    "regularized_evolution": "baselines",
    "search": "run",
    "tg_warm_search": "tg_warm",
}


__getattr__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
