"""Rank correlations, the yardstick of every chapter (Kendall τ and Spearman ρ), and average ranks."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def average_ranks(values: Iterable[float]) -> np.ndarray:
    """1-based ranks of ``values`` (float64), ties sharing the mean of their ranks (scipy's ``rankdata`` default)."""
    x = np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=float)
    if x.ndim != 1 or np.isnan(x).any():
        raise ValueError(f"ranks need a 1-d array without NaN, got shape {x.shape}")
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    last = np.cumsum(counts)
    return (last - (counts - 1) / 2)[inverse]


def rank_correlation(scores: Iterable[float], targets: Iterable[float]) -> dict[str, float]:
    """Kendall τ (tau-b, ties handled) and Spearman ρ between scores and targets, with n.

    NaN anywhere is an error rather than silently dropped: a proxy that failed on some cells must
    be dealt with explicitly by the caller (filter, or give those cells a documented value).
    """
    x = np.asarray(list(scores) if not isinstance(scores, np.ndarray) else scores, dtype=float)
    y = np.asarray(list(targets) if not isinstance(targets, np.ndarray) else targets, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"scores and targets must be 1-d and of equal length, got {x.shape} and {y.shape}")
    if len(x) < 3:
        raise ValueError(f"a rank correlation needs at least 3 pairs, got {len(x)}")
    from scipy import stats  # a second to import; scoring paths import this module but only evaluations call this

    if np.isnan(x).any() or np.isnan(y).any():
        raise ValueError(f"NaN in scores ({int(np.isnan(x).sum())}) or targets ({int(np.isnan(y).sum())}); filter them first")
    if np.ptp(x) == 0 or np.ptp(y) == 0:  # a constant side ranks nothing: both coefficients are undefined (NaN), without scipy's warning
        return {"kendall_tau": float("nan"), "spearman_rho": float("nan"), "n": int(len(x))}
    return {
        "kendall_tau": float(stats.kendalltau(x, y).statistic),
        "spearman_rho": float(stats.spearmanr(x, y).statistic),
        "n": int(len(x)),
    }
