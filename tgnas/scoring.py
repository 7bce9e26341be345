"""The one interface every architecture scorer implements: learned (the TG predictor) or zero-cost.

A `Scorer` maps graphs of one search space to scores, higher = better::

    scores = scorer.score_graphs(graphs)   # float64 array, one score per graph, same order

* Cells whose output is cut off from the input (`ArchGraph.has_path()` is False) compute nothing
  but zeros; every scorer gives them `NO_PATH_SCORE` (−inf), below every real score.
* ``space`` (optional attribute) names the space the scorer was made for; searches and the
  evaluation refuse a scorer of another space. A scorer without it scores any space's graphs.

Scorers: the TG predictor (`tgnas.tg.predictor.GCNPredictor`) and the shipped proxy, an ensemble
of them (`tgnas.tg.proxy.TGProxy`); zero-cost proxies (`tgnas.zerocost.ZeroCostScorer`); and the
size baselines here, `ParamsScorer` and `FlopsScorer`, which read ``ArchGraph.features``.

This module imports no torch, so it is cheap to import from anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from tgnas.spaces.graph import ArchGraph

NO_PATH_SCORE = float("-inf")


@runtime_checkable
class Scorer(Protocol):
    """Anything with ``score_graphs(graphs) -> np.ndarray`` (float64, higher = better, module docstring)."""

    def score_graphs(self, graphs: Sequence[ArchGraph]) -> np.ndarray: ...


def score_live(graphs: Sequence[ArchGraph], score: Callable[[list[ArchGraph]], np.ndarray]) -> np.ndarray:
    """`NO_PATH_SCORE` for graphs without an input→output path, ``score(live_graphs)`` for the rest.

    Every scorer routes through this, so the no-path rule is written once.
    """
    scores = np.full(len(graphs), NO_PATH_SCORE, dtype=np.float64)
    live = [i for i, graph in enumerate(graphs) if graph.has_path()]
    if live:
        scores[live] = np.asarray(score([graphs[i] for i in live]), dtype=np.float64)
    return scores


def scorer_space(scorer: object) -> str | None:
    """The space ``scorer`` was made for, or None when it scores any space."""
    return getattr(scorer, "space", None)


def check_scorer_space(scorer: object, space: str) -> None:
    """Refuse a scorer made for another space (one message for search, evaluation and the CLI)."""
    made_for = scorer_space(scorer)
    if made_for is not None and made_for != space:
        raise ValueError(f"the scorer scores {made_for} architectures, not {space}")


class FeatureScorer:
    """Scores each graph by one of its data-free ``ArchGraph.features`` (bigger = better); subclasses name it."""

    feature: str

    def __init__(self, space: str | None = None) -> None:
        self.space = space

    def score_graphs(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        return score_live(graphs, self._values)

    def _values(self, graphs: list[ArchGraph]) -> np.ndarray:
        values = np.empty(len(graphs), dtype=np.float64)
        for position, graph in enumerate(graphs):
            if self.feature not in graph.features:
                known = ", ".join(sorted(graph.features)) or "none"
                raise ValueError(f"graph {position} ({graph.space}) has no feature {self.feature!r} (its features: {known})")
            values[position] = graph.features[self.feature]
        return values

    def __repr__(self) -> str:
        return f"{type(self).__name__}(space={self.space!r})"


class ParamsScorer(FeatureScorer):
    """The parameter-count baseline: ``features["params_M"]`` of the space's evaluation network."""

    feature = "params_M"


class FlopsScorer(FeatureScorer):
    """The FLOPs baseline: ``features["flops_M"]`` of the space's evaluation network."""

    feature = "flops_M"
