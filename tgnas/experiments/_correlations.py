"""The one place where the experiments turn scores into rank correlations (Kendall τ, Spearman ρ, n)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from tgnas.evaluate import evaluate_scores
from tgnas.scoring import NO_PATH_SCORE

SUBSETS = ("all", "with_path")


def correlations(
    scores: np.ndarray, labels: Mapping[str, np.ndarray], has_path: np.ndarray | None = None, subset: str = "all"
) -> dict[str, dict[str, float]]:
    """``{dataset: {"kendall_tau", "spearman_rho", "n"}}`` of ``scores`` against each dataset's labels.

    ``has_path`` (one bool per cell) applies the no-path rule: with ``subset="all"`` cells without an
    input→output path score `NO_PATH_SCORE` (below every real score), with ``subset="with_path"``
    they are left out. Without ``has_path`` every cell counts as it is scored.
    """
    if subset not in SUBSETS:
        raise ValueError(f"unknown subset {subset!r}; accepted: {', '.join(SUBSETS)}")
    scores = np.array(scores, dtype=np.float64)
    path = np.ones(len(scores), dtype=bool) if has_path is None else np.asarray(has_path, dtype=bool)
    scores[~path] = NO_PATH_SCORE  # the "all" subset: no-path cells rank last, as every scorer ranks them
    evaluation = evaluate_scores(scores, labels, path)
    return {dataset: _as_dict(evaluation.correlation(dataset, subset)) for dataset in labels}


def _as_dict(correlation) -> dict[str, float]:
    return {"kendall_tau": correlation.kendall_tau, "spearman_rho": correlation.spearman_rho, "n": correlation.n}


def correlation(scores: np.ndarray, labels: np.ndarray, has_path: np.ndarray | None = None, subset: str = "all") -> dict[str, float]:
    """`correlations` for one label vector."""
    return correlations(scores, {"labels": labels}, has_path, subset)["labels"]
