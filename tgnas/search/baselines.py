"""Baselines on the same interface as the hybrid search: random search, regularised evolution, exhaustive search.

* **Random search**: ``samples`` architectures drawn with the space's `sample`, scored in one batch.
* **Regularised evolution** (Real et al., AAAI 2019, "aging evolution"): a population of
  ``population`` random architectures; each cycle draws ``sample_size`` members at random, mutates
  the best of them (the space's `mutate`: one operator or one input changed), adds the child and
  removes the *oldest* member. Returns the best architecture seen in any cycle.
* **Exhaustive** (spaces that can enumerate themselves, ``space.all_cells()``; NB201's 15,625
  cells): the proxy's own optimum — the ceiling any proxy-guided search on that space can reach.

Ties between equal scores go to the architecture seen first, so every baseline is deterministic
for a seed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from tgnas.checks import check_int
from tgnas.search.result import Evaluator, SearchResult, progress_bar, trajectory_point
from tgnas.spaces.base import as_rng


def random_search(evaluator: Evaluator, seed: int | None = 0, samples: int = 620, progress: bool = False) -> SearchResult:
    """Best of ``samples`` uniformly sampled architectures (default: as many as the default NB201 evolution scores)."""
    check_int("random search samples", samples, 1)
    rng = as_rng(seed)
    archs = [evaluator.space.sample(rng) for _ in range(samples)]
    scores = evaluator.scores(archs)
    running = np.maximum.accumulate(scores)
    checkpoints = sorted({min(samples, 2**k) for k in range(int(np.log2(samples)) + 2)})
    trajectory = [trajectory_point(evaluator, n, running[n - 1]) for n in checkpoints]
    best = int(np.argmax(scores))
    return evaluator.result("random", archs[best], scores[best], seed, trajectory)


@dataclass(frozen=True)
class AgingSettings:
    """Regularised evolution's population size P, tournament size S and number of cycles C."""

    population: int = 50
    sample_size: int = 10
    cycles: int = 570

    def __post_init__(self) -> None:
        check_int("regularised evolution population", self.population, 2)
        check_int("regularised evolution cycles", self.cycles, 0)
        check_int("regularised evolution sample_size", self.sample_size, 1)
        if self.sample_size > self.population:
            raise ValueError(f"regularised evolution sample_size ({self.sample_size}) must not exceed population ({self.population})")


def regularized_evolution(
    evaluator: Evaluator, seed: int | None = 0, settings: AgingSettings | None = None, progress: bool = False
) -> SearchResult:
    """Aging evolution (module docstring); the default budget matches the default NB201 evolution's."""
    settings = settings or AgingSettings()
    space = evaluator.space
    rng = as_rng(seed)
    members = [space.sample(rng) for _ in range(settings.population)]
    population = deque(zip(members, evaluator.scores(members).tolist()))
    best_arch, best_score = max(population, key=lambda member: member[1])
    trajectory = [trajectory_point(evaluator, 0, best_score)]
    with progress_bar(settings.cycles, f"regularised evolution {space.name}", progress) as bar:
        for cycle in range(1, settings.cycles + 1):
            drawn = rng.choice(len(population), settings.sample_size, replace=False)
            parent = max((population[i] for i in sorted(drawn)), key=lambda member: member[1])[0]
            child = space.mutate(parent, rng)
            score = float(evaluator.scores([child])[0])
            population.append((child, score))
            population.popleft()
            if score > best_score:
                best_arch, best_score = child, score
            trajectory.append(trajectory_point(evaluator, cycle, best_score))
            bar.update(1)
    return evaluator.result("re", best_arch, best_score, seed, trajectory)


def exhaustive_search(evaluator: Evaluator, seed: int | None = None, progress: bool = False) -> SearchResult:
    """Score every architecture of the space and return the proxy's optimum (``seed`` is only recorded);
    `Unsupported` for a space that cannot enumerate itself."""
    space = evaluator.space
    cells = list(space.all_cells())
    scores = evaluator.scores(cells)
    best = int(np.argmax(scores))
    trajectory = [trajectory_point(evaluator, len(cells), scores[best])]
    return evaluator.result("exhaustive", cells[best], scores[best], seed, trajectory)
