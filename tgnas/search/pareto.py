"""Accuracy–latency trade-offs: Pareto fronts, their hypervolume, and latency-limit sweeps of a search.

Both objectives follow one convention: *cost* (latency, ms) is minimised and *value* (accuracy, %) is
maximised. The hypervolume of a set of points is the area of the cost–value plane they dominate
inside the box bounded by a reference point (cost_ref, value_ref): points at or beyond the reference
add nothing. Dividing a front's hypervolume by the true front's (every NB201 cell) gives a 0–1 score.

`latency_sweep` runs one search per latency limit and seed, for the zero-cost hybrid search
(``tg``, the constrained search of §3.4, 0 queries) or a query method (`QUERY_METHODS`, e.g. AG-Net
under the same limit), and returns the found cells with their latency, validation and test accuracy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from tqdm import tqdm

from tgnas.data.hw import hw_metric, load_hw_metrics
from tgnas.data.nb201 import load_nb201_table
from tgnas.scoring import Scorer
from tgnas.search.constraints import Constraints
from tgnas.search.run import QUERY_METHODS, query_search, search


def _pair(costs: Sequence[float], values: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    costs, values = np.asarray(costs, dtype=np.float64), np.asarray(values, dtype=np.float64)
    if costs.shape != values.shape or costs.ndim != 1:
        raise ValueError(f"costs and values must be 1-d arrays of one length, got shapes {costs.shape} and {values.shape}")
    return costs, values


def pareto_front(costs: Sequence[float], values: Sequence[float]) -> np.ndarray:
    """Indices of the non-dominated points (lower cost, higher value), by increasing cost.

    Points with a NaN coordinate are ignored; of equal points the first is kept."""
    costs, values = _pair(costs, values)
    usable = np.flatnonzero(~(np.isnan(costs) | np.isnan(values)))
    order = usable[np.lexsort((-values[usable], costs[usable]))]  # cost ascending, then value descending
    front, best = [], -np.inf
    for i in order:
        if values[i] > best:
            front.append(int(i))
            best = values[i]
    return np.array(front, dtype=np.int64)


def hypervolume(costs: Sequence[float], values: Sequence[float], reference: tuple[float, float]) -> float:
    """Area dominated by the points inside the box up to ``reference = (cost_ref, value_ref)``."""
    costs, values = _pair(costs, values)
    cost_ref, value_ref = (float(x) for x in reference)
    front = pareto_front(costs, values)
    area, floor = 0.0, value_ref
    for i in front:  # increasing cost, increasing value
        if costs[i] < cost_ref and values[i] > floor:
            area += (cost_ref - costs[i]) * (values[i] - floor)
            floor = values[i]
    return area


def latency_sweep(
    method: str,
    device: str,
    limits: Sequence[float],
    seeds: Sequence[int],
    queries: int = 100,
    proxy: Scorer | None = None,
    dataset: str = "cifar10",
    progress: bool = False,
) -> pd.DataFrame:
    """One search per (limit, seed) under ``latency on device <= limit``; a row per found cell.

    ``method``: ``tg`` (the TG proxy's hybrid search, no query; needs ``proxy``) or a query method
    (``agnet``, ``tg-warm``, ``random``, ``re``; ``queries`` each). Columns: ``method, device,
    limit_ms, seed, arch, latency_ms, val_acc, test_acc, queries, seconds``.
    """

    if method != "tg" and method not in QUERY_METHODS:
        raise ValueError(f"unknown sweep method {method!r}; accepted: tg, {', '.join(QUERY_METHODS)}")
    if method in ("tg", "tg-warm") and proxy is None:
        raise ValueError(f"the {method} sweep needs the TG proxy: pass proxy=TGProxy.load('nb201')")
    table = load_nb201_table()
    latency = load_hw_metrics(dataset, table)[hw_metric(device)].to_numpy()
    rows = []
    runs = [(limit, seed) for limit in limits for seed in seeds]
    for limit, seed in tqdm(runs, desc=f"{method} latency sweep on {device}", disable=not progress, leave=False):
        constraints = Constraints(max_latency={device: limit}, dataset=dataset)
        if method == "tg":
            result = search("nb201", proxy, method="hybrid", seed=seed, constraints=constraints)
        else:
            result = query_search("nb201", method, queries=queries, seed=seed, proxy=proxy, dataset=dataset, constraints=constraints)
        index = table.index_of(result.arch)
        rows.append(
            {
                "method": method,
                "device": device,
                "limit_ms": float(limit),
                "seed": seed,
                "arch": result.arch,
                "latency_ms": float(latency[index]),
                "val_acc": float(table.accuracy([index], dataset, "val")[0]),
                "test_acc": float(table.accuracy([index], dataset, "test")[0]),
                "queries": result.queries,
                "seconds": result.seconds,
            }
        )
    return pd.DataFrame(rows)
