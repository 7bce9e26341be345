"""The pruning–evolutionary hybrid (paper §3.4, Algorithm 1): run both searches, keep the better.

Both parts share one `Evaluator`, so an architecture found by both is scored once and
``evaluations`` counts the hybrid's distinct proxy evaluations. The result is the part with the
higher proxy score; ``winner`` says which (``both`` when they return the same architecture, and
pruning on an exact tie between different architectures, since it is the cheaper part). Pruning
ignores constraints while it prunes; if its architecture breaks them its score is −inf and the
evolutionary part (which selects feasible architectures) wins.
"""

from __future__ import annotations

from tgnas.search.evolution import EvolutionSettings, evolution_search
from tgnas.search.pruning import pruning_search
from tgnas.search.result import Evaluator, SearchResult


def hybrid_search(
    evaluator: Evaluator,
    seed: int | None = 0,
    settings: EvolutionSettings | None = None,
    progress: bool = False,
) -> SearchResult:
    """Pruning, then evolution with ``seed`` and ``settings``; the better by proxy score (module docstring)."""
    pruned = pruning_search(evaluator, seed=seed, progress=progress)
    evolved = evolution_search(evaluator, seed=seed, settings=settings, progress=progress)
    if pruned.arch == evolved.arch:
        best, winner = pruned, "both"
    elif evolved.score > pruned.score:
        best, winner = evolved, "evolution"
    else:
        best, winner = pruned, "pruning"
    result = evaluator.result("hybrid", evaluator.space.parse(best.arch), best.score, seed, [], winner=winner)
    result.trajectory = [dict(point, part="pruning") for point in pruned.trajectory]
    result.trajectory += [dict(point, part="evolution") for point in evolved.trajectory]
    result.parts = {"pruning": pruned, "evolution": evolved}
    return result
