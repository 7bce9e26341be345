"""Query-based baselines on NB201: random search and regularised evolution that pay benchmark queries.

They differ from the proxy-guided `random_search` / `regularized_evolution` only in the signal: each
new cell is *queried* (`BenchmarkOracle`: validation accuracy, one query per distinct cell) instead
of scored by the TG proxy.

* **Random search** queries distinct feasible cells drawn uniformly until the budget is spent.
* **Regularised evolution** (Real et al., AAAI 2019): a population of ``population`` random cells;
  each cycle mutates the best of ``sample_size`` members drawn at random (one edge's operator
  changed), adds the child and drops the oldest member. A child that was queried before costs
  nothing; an infeasible child is redrawn. It stops when the budget is spent.
  Defaults P = 20, S = 5 are ours, for budgets of 100–300 queries: the aging default of the proxy
  search (P = 50) would spend a sixth of a 300-query budget on its random start.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from tgnas.checks import check_int
from tgnas.search.oracle import BenchmarkOracle
from tgnas.search.result import SearchResult, progress_bar
from tgnas.spaces.base import as_rng
from tgnas.spaces.nb201 import NB201Cell, NB201Space

#: draws without a new feasible cell before a sampler gives up (a tight constraint leaves few cells)
MAX_FAILED_DRAWS = 200_000


def sample_new_cells(
    oracle: BenchmarkOracle, space: NB201Space, rng: np.random.Generator, count: int, exclude: set[str] | None = None
) -> list[NB201Cell]:
    """Up to ``count`` distinct, unqueried, feasible cells drawn uniformly (fewer only if none is left)."""
    chosen: dict[str, NB201Cell] = {}
    exclude = exclude or set()
    failed = 0
    while len(chosen) < count and failed < MAX_FAILED_DRAWS:
        batch = [space.sample(rng) for _ in range(max(64, 2 * count))]
        ok = oracle.feasible(batch)
        progress = False
        for cell, feasible in zip(batch, ok):
            key = str(cell)
            if feasible and key not in chosen and key not in exclude and not oracle.seen(key):
                chosen[key] = cell
                progress = True
                if len(chosen) == count:
                    break
        failed = 0 if progress else failed + len(batch)
    return list(chosen.values())


def query_random_search(oracle: BenchmarkOracle, seed: int | None = 0, progress: bool = False) -> SearchResult:
    """Query distinct uniformly drawn feasible cells until the budget is spent."""
    rng = as_rng(seed)
    space = NB201Space()
    with progress_bar(oracle.budget, "random search (queries)", progress) as bar:
        while oracle.remaining > 0:
            cells = sample_new_cells(oracle, space, rng, min(oracle.remaining, 64))
            if not cells:
                break
            oracle.query_many(cells)
            bar.update(len(cells))
    return oracle.result("random", seed)


@dataclass(frozen=True)
class QueryAgingSettings:
    """Population P and tournament size S of query-based regularised evolution."""

    population: int = 20
    sample_size: int = 5

    def __post_init__(self) -> None:
        check_int("regularised evolution population", self.population, 2)
        check_int("regularised evolution sample_size", self.sample_size, 1)
        if self.sample_size > self.population:
            raise ValueError(f"regularised evolution sample_size ({self.sample_size}) must not exceed population ({self.population})")


def query_regularized_evolution(
    oracle: BenchmarkOracle, seed: int | None = 0, settings: QueryAgingSettings | None = None, progress: bool = False
) -> SearchResult:
    """Aging evolution on queried validation accuracy (module docstring)."""
    settings = settings or QueryAgingSettings()
    rng = as_rng(seed)
    space = NB201Space()
    start = sample_new_cells(oracle, space, rng, min(settings.population, oracle.remaining))
    population = deque(zip(start, oracle.query_many(start)))
    stale = 0  # cycles in a row that queried nothing new: the population has converged
    with progress_bar(oracle.budget, "regularised evolution (queries)", progress) as bar:
        bar.update(oracle.queries)
        while oracle.remaining > 0 and len(population) >= settings.sample_size and stale < MAX_FAILED_DRAWS:
            drawn = rng.choice(len(population), settings.sample_size, replace=False)
            parent = max((population[i] for i in sorted(drawn)), key=lambda member: member[1])[0]
            child = space.mutate(parent, rng)
            if not oracle.feasible([child])[0]:
                stale += 1
                continue
            new = not oracle.seen(child)
            population.append((child, oracle.query(child)))
            population.popleft()
            stale = 0 if new else stale + 1
            bar.update(int(new))
    return oracle.result("re", seed)
