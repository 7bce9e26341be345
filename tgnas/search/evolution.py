"""Evolutionary search (paper §3.4, Algorithm 1): continuous genes, DE mutation and crossover, proxy selection.

Genes
-----
An individual is a vector of genes in [0, 1]; the space says how many (``space.gene_count()``) and
which architecture a vector stands for (``space.decode_genes(genes)``, valid by construction). A gene
choosing among K options is mapped *evenly* (`tgnas.spaces.base.gene_to_index`): option
``min(floor(g·K), K−1)``, so each option owns an interval of width 1/K. NB201: one gene per edge;
DARTS: per node one gene over its input pairs and two over the operators (see the spaces).

Algorithm (differential evolution, DE/rand/1/bin)
-------------------------------------------------
1. Draw NP individuals uniformly in [0, 1]^D and score them with the proxy (one batch).
2. For g_max generations: for every individual i pick three others r1, r2, r3 (distinct), mutant
   v = x_r1 + F·(x_r2 − x_r3), reflected back into [0, 1]; binomial crossover takes each gene from v
   with probability CR (and at least one gene, at a random position), the rest from x_i. All NP
   trials are decoded and scored in one batch; selection keeps, for each i, the trial if its proxy
   score is at least x_i's (one-to-one elitist DE selection, so the population's best never gets
   worse and its diversity is not collapsed onto one elite).
3. Return the best individual (ties: lowest population index). Same seed ⇒ same result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tgnas.checks import check_int
from tgnas.search.result import Evaluator, SearchResult, progress_bar, trajectory_point
from tgnas.spaces.base import SearchSpace, as_rng


@dataclass(frozen=True)
class EvolutionSettings:
    """Algorithm 1's parameters: population NP, generations g_max, DE scale F and crossover rate CR."""

    population: int = 20
    generations: int = 30
    scale: float = 0.5
    crossover: float = 0.9

    def __post_init__(self) -> None:
        for name, value, low in (("population", self.population, 4), ("generations", self.generations, 0)):
            check_int(f"evolution {name}", value, low, why="DE needs 3 partners per individual")
        if not (isinstance(self.scale, (int, float)) and 0 < self.scale <= 2):
            raise ValueError(f"evolution scale F must be a number in (0, 2], got {self.scale!r}")
        if not (isinstance(self.crossover, (int, float)) and 0 <= self.crossover <= 1):
            raise ValueError(f"evolution crossover rate CR must be a number in [0, 1], got {self.crossover!r}")


def default_settings(space: SearchSpace) -> EvolutionSettings:
    """The space's own budget (``space.evolution_budget``: population, generations), else the defaults."""
    return EvolutionSettings(*space.evolution_budget) if space.evolution_budget else EvolutionSettings()


def _reflect(values: np.ndarray) -> np.ndarray:
    """Fold values back into [0, 1] (reflection keeps the mapping unbiased, unlike clipping onto the ends)."""
    values = np.abs(values)
    values = np.where(values > 1, 2 - values, values)
    return np.clip(values, 0.0, 1.0)


def _trials(population: np.ndarray, settings: EvolutionSettings, rng: np.random.Generator) -> np.ndarray:
    size, genes = population.shape
    # three distinct partners per individual, none equal to the individual itself
    partners = np.stack([rng.choice(size - 1, 3, replace=False) for _ in range(size)])
    partners += partners >= np.arange(size)[:, None]
    mutants = _reflect(population[partners[:, 0]] + settings.scale * (population[partners[:, 1]] - population[partners[:, 2]]))
    take = rng.random((size, genes)) < settings.crossover
    take[np.arange(size), rng.integers(genes, size=size)] = True
    return np.where(take, mutants, population)


def evolution_search(
    evaluator: Evaluator,
    seed: int | None = 0,
    settings: EvolutionSettings | None = None,
    progress: bool = False,
) -> SearchResult:
    """Algorithm 1's evolutionary part on the evaluator's space (module docstring)."""
    space = evaluator.space
    settings = settings or default_settings(space)
    rng = as_rng(seed)
    population = rng.random((settings.population, space.gene_count()))
    scores = evaluator.scores([space.decode_genes(genes) for genes in population])
    trajectory = [trajectory_point(evaluator, 0, scores.max(), mean_score=_finite_mean(scores))]
    with progress_bar(settings.generations, f"evolution {space.name}", progress) as bar:
        for generation in range(1, settings.generations + 1):
            trials = _trials(population, settings, rng)
            trial_scores = evaluator.scores([space.decode_genes(genes) for genes in trials])
            keep = trial_scores >= scores
            population[keep] = trials[keep]
            scores = np.where(keep, trial_scores, scores)
            trajectory.append(trajectory_point(evaluator, generation, scores.max(), mean_score=_finite_mean(scores)))
            bar.update(1)
    best = int(np.argmax(scores))
    return evaluator.result("evolution", space.decode_genes(population[best]), scores[best], seed, trajectory)


def _finite_mean(scores: np.ndarray) -> float | None:
    finite = scores[np.isfinite(scores)]
    return float(finite.mean()) if finite.size else None
