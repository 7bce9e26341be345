"""Evolutionary search (paper §3.4, Algorithm 1): continuous genes, DE mutation and crossover, proxy selection.

Genes
-----
An individual is a vector of genes in [0, 1]. A gene choosing among K options is mapped *evenly*:
option ``min(floor(g·K), K−1)``, so each option owns an interval of width 1/K.

* NB201: 6 genes, one per edge (in `EDGES` order), over the 5 `NB201_OPS`.
* DARTS: 12 genes per cell (normal, then reduce); per intermediate node k = 2..5 one gene over the
  C(k, 2) unordered pairs of distinct inputs 0..k−1 and two genes over the 7 `SAMPLED_OPS` (the
  node's lower and higher input). So every decoded genotype is valid and never contains ``none``.

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

import itertools
from dataclasses import dataclass

import numpy as np

from tgnas.search.result import Evaluator, SearchResult, progress_bar, trajectory_point
from tgnas.spaces.base import as_rng
from tgnas.spaces.darts import INTERMEDIATE_NODES, SAMPLED_OPS, DartsGenotype
from tgnas.spaces.nb201 import EDGES, NB201_OPS, NB201Cell

#: unordered input pairs of each DARTS intermediate node, the options of its pair gene
INPUT_PAIRS = {node: tuple(itertools.combinations(range(node), 2)) for node in INTERMEDIATE_NODES}


def gene_to_index(genes: np.ndarray, options: int) -> np.ndarray:
    """Map genes in [0, 1] evenly onto ``0 .. options-1``."""
    return np.minimum((np.asarray(genes) * options).astype(np.int64), options - 1)


def n_genes(space: str) -> int:
    if space == "nb201":
        return len(EDGES)
    if space == "darts":
        return 2 * 3 * len(INTERMEDIATE_NODES)
    raise ValueError(f"evolutionary search supports the spaces nb201 and darts, not {space!r}")


def decode(space: str, genes: np.ndarray) -> NB201Cell | DartsGenotype:
    """The architecture of one gene vector (module docstring)."""
    genes = np.asarray(genes, dtype=np.float64)
    if genes.shape != (n_genes(space),) or not ((genes >= 0) & (genes <= 1)).all():
        raise ValueError(f"a {space} individual is {n_genes(space)} genes in [0, 1], got {genes.tolist()}")
    if space == "nb201":
        return NB201Cell(tuple(NB201_OPS[i] for i in gene_to_index(genes, len(NB201_OPS))))  # type: ignore[arg-type]
    cells = []
    for cell_genes in genes.reshape(2, len(INTERMEDIATE_NODES), 3):
        edges = []
        for node, (pair_gene, *op_genes) in zip(INTERMEDIATE_NODES, cell_genes):
            pair = INPUT_PAIRS[node][int(gene_to_index(pair_gene, len(INPUT_PAIRS[node])))]
            ops = gene_to_index(np.array(op_genes), len(SAMPLED_OPS))
            edges += [(SAMPLED_OPS[op], source) for op, source in zip(ops, pair)]
        cells.append(tuple(edges))
    return DartsGenotype(normal=cells[0], reduce=cells[1])


@dataclass(frozen=True)
class EvolutionSettings:
    """Algorithm 1's parameters: population NP, generations g_max, DE scale F and crossover rate CR."""

    population: int = 20
    generations: int = 30
    scale: float = 0.5
    crossover: float = 0.9

    def __post_init__(self) -> None:
        for name, value, low in (("population", self.population, 4), ("generations", self.generations, 0)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"evolution {name} must be an integer >= {low} (DE needs 3 partners per individual), got {value!r}")
        if not (isinstance(self.scale, (int, float)) and 0 < self.scale <= 2):
            raise ValueError(f"evolution scale F must be a number in (0, 2], got {self.scale!r}")
        if not (isinstance(self.crossover, (int, float)) and 0 <= self.crossover <= 1):
            raise ValueError(f"evolution crossover rate CR must be a number in [0, 1], got {self.crossover!r}")


#: defaults per space: DARTS has 24 genes and ~10^18 genotypes, so a larger population runs longer
DEFAULT_SETTINGS = {"nb201": EvolutionSettings(20, 30), "darts": EvolutionSettings(50, 100)}


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
    space = evaluator.space.name
    settings = settings or DEFAULT_SETTINGS.get(space) or EvolutionSettings()
    rng = as_rng(seed)
    population = rng.random((settings.population, n_genes(space)))
    scores = evaluator.scores([decode(space, genes) for genes in population])
    trajectory = [trajectory_point(evaluator, 0, scores.max(), mean_score=_finite_mean(scores))]
    with progress_bar(settings.generations, f"evolution {space}", progress) as bar:
        for generation in range(1, settings.generations + 1):
            trials = _trials(population, settings, rng)
            trial_scores = evaluator.scores([decode(space, genes) for genes in trials])
            keep = trial_scores >= scores
            population[keep] = trials[keep]
            scores = np.where(keep, trial_scores, scores)
            trajectory.append(trajectory_point(evaluator, generation, scores.max(), mean_score=_finite_mean(scores)))
            bar.update(1)
    best = int(np.argmax(scores))
    return evaluator.result("evolution", decode(space, population[best]), scores[best], seed, trajectory)


def _finite_mean(scores: np.ndarray) -> float | None:
    finite = scores[np.isfinite(scores)]
    return float(finite.mean()) if finite.size else None
