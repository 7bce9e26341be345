"""Architecture search with the TG proxy (paper §3.4): pruning, evolution, their hybrid, and baselines.

>>> from tgnas import TGProxy
>>> from tgnas.search import search
>>> result = search("nb201", TGProxy.load("nb201"), method="hybrid", seed=0)  # doctest: +SKIP
>>> result.arch, result.score, result.winner  # doctest: +SKIP

Every method takes the same inputs and returns a `SearchResult`; the proxy is the only signal a
search uses (benchmark tables only enter through optional `Constraints`).
"""

from __future__ import annotations

from typing import Any

from tgnas import spaces
from tgnas.search.baselines import AgingSettings, exhaustive_search, random_search, regularized_evolution
from tgnas.search.constraints import Constraints, ImpossibleConstraintError, feasibility_for, parse_latency_limit
from tgnas.search.evolution import EvolutionSettings, evolution_search
from tgnas.search.hybrid import hybrid_search
from tgnas.search.pruning import pruning_search, supernet_graph
from tgnas.search.result import Evaluator, GraphScorer, SearchResult, torch_threads

METHODS = {
    "hybrid": hybrid_search,
    "pruning": pruning_search,
    "evolution": evolution_search,
    "random": random_search,
    "re": regularized_evolution,
    "exhaustive": exhaustive_search,
}
SEARCH_SPACES = ("nb201", "darts")


def search(
    space: str,
    proxy: GraphScorer,
    method: str = "hybrid",
    seed: int | None = 0,
    constraints: Constraints | None = None,
    progress: bool = False,
    threads: int | None = 1,
    **options: Any,
) -> SearchResult:
    """Run ``method`` on ``space`` guided by ``proxy``; ``options`` go to the method
    (``settings=EvolutionSettings(...)`` for hybrid/evolution, ``settings=AgingSettings(...)`` for re,
    ``samples=`` for random). ``threads``: torch threads while searching (`torch_threads`; 1 is
    fastest for the many small batches a search scores, None keeps torch's setting)."""
    if space not in SEARCH_SPACES:
        raise ValueError(f"search supports the spaces {', '.join(SEARCH_SPACES)}, not {space!r}")
    if method not in METHODS:
        raise ValueError(f"unknown search method {method!r}; accepted: {', '.join(METHODS)}")
    proxy_space = getattr(proxy, "space", space)
    if proxy_space != space:
        raise ValueError(f"the proxy scores {proxy_space} architectures, not {space}")
    checker = feasibility_for(space, constraints)
    with torch_threads(threads):
        evaluator = Evaluator(proxy, spaces.create(space), checker)
        return METHODS[method](evaluator, seed=seed, progress=progress, **options)


__all__ = [
    "AgingSettings", "Constraints", "Evaluator", "EvolutionSettings", "ImpossibleConstraintError", "METHODS",
    "SearchResult", "evolution_search", "exhaustive_search", "hybrid_search", "parse_latency_limit",
    "pruning_search", "random_search", "regularized_evolution", "search", "supernet_graph",
]
