"""A size prior for zero-shot ranking: the TG score blended with the network's size.

A predictor trained on other spaces is brittle where a space's operators mean something the pool
never showed (chapter 09), while the network's size is the strongest simple baseline on most
benchmarks and needs no training at all. A protocol candidate with ``size_weight = w`` ranks a set of
cells by

    (1 − w) · q(TG score) + w · q(size),

where q is a cell's rank quantile in (0, 1) among the scored cells (ties share their mean rank). The
size is the parameter count or the FLOPs (``kind``, `SIZE_KINDS`): the two differ most where
resolution changes across networks (TransNAS-Bench-101 macro), since FLOPs see the feature-map size
and parameters do not. Both parts are data-free and label-free: the size is the network's own
(`Benchmark.size`). Whether a prior helps, of which size and how much of it, is left to the
leave-one-benchmark-out rule like every other part of a recipe; the target's labels never choose
``w`` or ``kind``.

Two ways to take the quantiles:

* `blend`: among the cells scored together (a benchmark's cells in the protocol), so it ranks a set;
* `SizePrior`: against a fixed reference, the TG scores and sizes of an unlabelled random sample of
  the space drawn when the proxy is trained, on an empirical CDF made continuous and strictly
  increasing (`_continuous_quantiles`). A cell's score then never depends on which other cells are
  scored with it, as a shipped proxy's must not (`tgnas.tg.proxy.TGProxy`); on the reference itself
  it equals the blend.

Cells without an input→output path keep `NO_PATH_SCORE`; a cell whose size is unknown (NaN) gets the
middle quantile 0.5 for that part, so it is ranked by its TG score alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tgnas.metrics import average_ranks
from tgnas.scoring import NO_PATH_SCORE
from tgnas.spaces.graph import SIZE_FEATURES

#: the sizes a prior can blend with (`ArchGraph.features` entries `SIZE_FEATURES`)
SIZE_KINDS = tuple(SIZE_FEATURES)


def check_weight(weight: float) -> float:
    """``weight`` as a float in [0, 1); 1 would drop the predictor altogether (that is the params baseline)."""
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight < 1:
        raise ValueError(f"size_weight must be a number in [0, 1), got {weight!r}")
    return float(weight)


def check_kind(kind: str) -> str:
    """``kind`` if it is one of `SIZE_KINDS`."""
    if kind not in SIZE_KINDS:
        raise ValueError(f"unknown size kind {kind!r}; accepted: {', '.join(SIZE_KINDS)}")
    return kind


def quantiles(values: np.ndarray) -> np.ndarray:
    """Rank quantile in (0, 1) of each finite entry among the finite ones; NaN elsewhere."""
    values = np.asarray(values, dtype=np.float64)
    result = np.full(values.shape, np.nan)
    finite = np.isfinite(values)
    if finite.any():
        result[finite] = (average_ranks(values[finite]) - 0.5) / finite.sum()
    return result


def _checked(scores: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    scores, sizes = np.asarray(scores, dtype=np.float64), np.asarray(sizes, dtype=np.float64)
    if scores.shape != sizes.shape:
        raise ValueError(f"{len(scores)} scores but {len(sizes)} sizes")
    return scores, sizes, np.isfinite(scores)


def _combine(weight: float, score_part: np.ndarray, size_part: np.ndarray, live: np.ndarray) -> np.ndarray:
    blended = (1 - weight) * score_part + weight * np.nan_to_num(size_part, nan=0.5)
    return np.where(live, blended, NO_PATH_SCORE)


def blend(scores: np.ndarray, sizes: np.ndarray, weight: float) -> np.ndarray:
    """The module docstring's ranking score of ``scores`` (higher = better, −inf: no path) and ``sizes``,
    quantiles taken among the live cells of this set."""
    scores, sizes, live = _checked(scores, sizes)
    weight = check_weight(weight)
    return _combine(weight, quantiles(np.where(live, scores, np.nan)), quantiles(np.where(live, sizes, np.nan)), live)


def _continuous_quantiles(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Quantiles of ``values`` on the empirical CDF of the sorted ``reference``, made continuous.

    At a reference value the result is that value's mid-rank quantile (what `quantiles` gives it
    within the reference); between two reference values it is interpolated linearly, and beyond the
    ends it continues the end segments' slopes. It is therefore strictly increasing: cells the
    reference never saw (scores above its best, supernets of a pruning search) keep their order, and
    a score that moves in its last float digits moves its quantile by as little.
    """
    knots, first, counts = np.unique(reference, return_index=True, return_counts=True)
    levels = (first + (counts - 1) / 2 + 0.5) / len(reference)
    if len(knots) == 1:  # a constant reference: only the side of it a value lies on is known
        return np.where(np.isnan(values), np.nan, levels[0] + np.sign(values - knots[0]) * 0.5 * levels[0])
    result = np.interp(values, knots, levels)
    below, above = values < knots[0], values > knots[-1]
    result[below] = levels[0] + (values[below] - knots[0]) * (levels[1] - levels[0]) / (knots[1] - knots[0])
    result[above] = levels[-1] + (values[above] - knots[-1]) * (levels[-1] - levels[-2]) / (knots[-1] - knots[-2])
    return np.where(np.isnan(values), np.nan, result)


@dataclass(frozen=True)
class SizePrior:
    """`blend` against a fixed reference sample (module docstring): ``weight``, the sorted reference
    values and which size ``kind`` they are."""

    weight: float
    reference_scores: np.ndarray
    reference_sizes: np.ndarray
    kind: str = "params"

    def __post_init__(self) -> None:
        check_weight(self.weight)
        check_kind(self.kind)
        for name in ("reference_scores", "reference_sizes"):
            values = np.sort(np.asarray(getattr(self, name), dtype=np.float64))
            if values.ndim != 1 or len(values) == 0 or not np.isfinite(values).all():
                raise ValueError(f"a size prior's {name} must be a non-empty list of finite numbers")
            object.__setattr__(self, name, values)

    @property
    def feature(self) -> str:
        """The `ArchGraph.features` entry the prior reads a cell's size from."""
        return SIZE_FEATURES[self.kind]

    @classmethod
    def fit(cls, weight: float, scores: np.ndarray, sizes: np.ndarray, kind: str = "params") -> SizePrior:
        """The prior whose reference is ``scores`` and ``sizes`` (of ``kind``) of an unlabelled sample (live, finite entries only)."""
        scores, sizes, live = _checked(scores, sizes)
        return cls(weight, scores[live], sizes[live & np.isfinite(sizes)], kind)

    def apply(self, scores: np.ndarray, sizes: np.ndarray) -> np.ndarray:
        """Blended scores of cells, each on its own (−inf stays −inf; an unknown size counts as the median)."""
        scores, sizes, live = _checked(scores, sizes)
        score_part = _continuous_quantiles(np.where(live, scores, 0.0), self.reference_scores)
        return _combine(self.weight, score_part, _continuous_quantiles(sizes, self.reference_sizes), live)

    def to_state(self) -> dict:
        return {
            "weight": self.weight,
            "kind": self.kind,
            "reference_scores": self.reference_scores.tolist(),
            "reference_sizes": self.reference_sizes.tolist(),
        }

    @classmethod
    def from_state(cls, state: dict) -> SizePrior:
        # weights saved before priors had a kind blended with the parameter count
        kind = state.get("kind", "params")
        return cls(float(state["weight"]), np.asarray(state["reference_scores"]), np.asarray(state["reference_sizes"]), kind)
