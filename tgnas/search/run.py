"""`search` and `query_search`: the two entry points of `tgnas.search` (see the package docstring)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tgnas import spaces
from tgnas.checks import check_int, check_seed
from tgnas.choices import QUERY_METHODS
from tgnas.scoring import Scorer, check_scorer_space
from tgnas.search.agnet import AGNetSettings, agnet_search
from tgnas.search.baselines import exhaustive_search, random_search, regularized_evolution
from tgnas.search.constraints import Constraints, feasibility_for
from tgnas.search.evolution import evolution_search
from tgnas.search.hybrid import hybrid_search
from tgnas.search.oracle import BenchmarkOracle
from tgnas.search.pruning import pruning_search
from tgnas.search.query_baselines import QueryAgingSettings, query_random_search, query_regularized_evolution
from tgnas.search.result import Evaluator, SearchResult, torch_threads
from tgnas.search.tg_warm import TGWarmSettings, tg_warm_search

METHODS = {
    "hybrid": hybrid_search,
    "pruning": pruning_search,
    "evolution": evolution_search,
    "random": random_search,
    "re": regularized_evolution,
    "exhaustive": exhaustive_search,
}


def search(
    space: str,
    proxy: Scorer,
    method: str = "hybrid",
    seed: int | None = 0,
    constraints: Constraints | None = None,
    progress: bool = False,
    threads: int | None = 1,
    **options: Any,
) -> SearchResult:
    """Run ``method`` on the registered space ``space`` guided by any `Scorer` ``proxy``; ``options`` go
    to the method (``settings=EvolutionSettings(...)`` for hybrid/evolution, ``settings=AgingSettings(...)``
    for re, ``samples=`` for random). A method that needs a capability the space lacks (a supernet for
    pruning, genes for evolution, enumeration for exhaustive) raises `tgnas.spaces.Unsupported`.
    ``threads``: torch threads while searching (`torch_threads`; 1 is fastest for the many small
    batches a search scores, None keeps torch's setting)."""
    if method not in METHODS:
        raise ValueError(f"unknown search method {method!r}; accepted: {', '.join(METHODS)}")
    _check_run_options(seed, threads)
    search_space = spaces.create(space)
    _check_scorer(proxy)
    check_scorer_space(proxy, search_space.name)
    checker = feasibility_for(search_space.name, constraints)
    with torch_threads(threads):
        evaluator = Evaluator(proxy, search_space, checker)
        return METHODS[method](evaluator, seed=seed, progress=progress, **options)


def query_search(
    space: str,
    method: str,
    queries: int = 100,
    seed: int | None = 0,
    proxy: Scorer | None = None,
    dataset: str = "cifar10",
    constraints: Constraints | None = None,
    progress: bool = False,
    threads: int | None = 1,
    settings: Any = None,
) -> SearchResult:
    """Run a query-based ``method`` with a budget of ``queries`` NB201 validation-accuracy lookups.

    ``proxy`` (any `Scorer`, e.g. the TG proxy) is the prior of ``tg-warm`` and needed by it only; ``settings`` is `AGNetSettings`,
    `TGWarmSettings` or `QueryAgingSettings` for ``agnet``, ``tg-warm`` and ``re``. Constraints are
    free (no query) and infeasible cells are never queried. The result's ``arch`` is the best cell by
    validation accuracy; `incumbent_curve` turns it into test accuracy per query.
    """
    if space != "nb201":
        raise ValueError(f"query-based search needs a benchmark table to query: nb201, not {space!r}")
    _check_run_options(seed, threads)
    if method not in QUERY_METHODS:
        raise ValueError(f"unknown query search method {method!r}; accepted: {', '.join(QUERY_METHODS)}")
    expected = {"agnet": AGNetSettings, "tg-warm": TGWarmSettings, "re": QueryAgingSettings}.get(method)
    if settings is not None and (expected is None or not isinstance(settings, expected)):
        accepted = expected.__name__ if expected else "no settings"
        raise ValueError(f"the {method} query search takes {accepted}, not {type(settings).__name__}")
    if method == "tg-warm":
        if proxy is None:
            raise ValueError("tg-warm needs the TG proxy (or another Scorer) as its prior: pass proxy=TGProxy.load('nb201')")
        _check_scorer(proxy)
        check_scorer_space(proxy, space)
    oracle = BenchmarkOracle(queries, dataset=dataset, constraints=feasibility_for(space, constraints))
    with torch_threads(threads):
        if method == "agnet":
            return agnet_search(oracle, seed=seed, settings=settings, progress=progress)
        if method == "tg-warm":
            return tg_warm_search(oracle, proxy, seed=seed, settings=settings, progress=progress)
        if method == "re":
            return query_regularized_evolution(oracle, seed=seed, settings=settings, progress=progress)
        return query_random_search(oracle, seed=seed, progress=progress)


def _check_run_options(seed: object, threads: object) -> None:
    """The options every search takes, checked before any table, proxy or network is touched."""
    if not isinstance(seed, np.random.Generator):
        check_seed(seed)
    if threads is not None:
        check_int("threads", threads, 1, why="torch threads while searching, or None to keep torch's setting")


def _check_scorer(proxy: object) -> None:
    if not isinstance(proxy, Scorer):
        raise ValueError(
            f"proxy must be a Scorer (an object with score_graphs(graphs), e.g. TGProxy.load('nb201')), got {type(proxy).__name__}"
        )
