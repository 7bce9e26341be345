"""What each query buys: run query searches over seeds and tabulate their best-found accuracy per query.

`query_curves` runs every (method, seed) with one budget and returns a long table with, after each
query q, the test accuracy of the cell the method would return (chosen on validation accuracy,
`incumbent_curve`) and the best test accuracy among the queried cells (`queried_curve`). With
``results_dir`` every finished run is stored as JSON (atomically) and reused, so an interrupted
comparison resumes where it stopped. `queries_needed` reads the table: how many queries each run
needed to reach an accuracy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from tgnas.atomic import write_text_atomic
from tgnas.data.nb201 import load_nb201_table
from tgnas.scoring import Scorer
from tgnas.search.oracle import incumbent_curve, queried_curve
from tgnas.search.result import SearchResult
from tgnas.search.run import query_search


def _prior_tag(method: str, proxy: Scorer | None) -> str:
    """What a stored run's file name records of its prior: tg-warm runs depend on the proxy, so a
    retrained or another release of it never reads an old run (its weights' sha256, else its type)."""
    if method != "tg-warm" or proxy is None:
        return ""
    digest = getattr(proxy, "card", {}).get("sha256")
    return f"_{digest[:12]}" if isinstance(digest, str) else f"_{type(proxy).__name__}"


def _run(method: str, seed: int, budget: int, proxy: Scorer | None, dataset: str, results_dir: Path | None) -> SearchResult:
    """One query search, read from ``results_dir`` when it holds this run and stored there otherwise."""
    name = f"{method}{_prior_tag(method, proxy)}_seed{seed}_q{budget}_{dataset}.json"
    path = results_dir / name if results_dir else None
    if path is not None and path.is_file():
        data = json.loads(path.read_text())
        data.pop("parts", None)
        return SearchResult(**data)
    result = query_search("nb201", method, queries=budget, seed=seed, proxy=proxy, dataset=dataset)
    if path is not None:
        write_text_atomic(path, json.dumps(result.to_dict()))
    return result


def query_curves(
    methods: Sequence[str],
    seeds: Sequence[int],
    budget: int,
    proxy: Scorer | None = None,
    dataset: str = "cifar10",
    results_dir: str | Path | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Columns ``method, seed, queries, incumbent_test, queried_test, incumbent_val, seconds`` (one row
    per query of every run; ``seconds``: the run's wall time so far)."""

    directory = Path(results_dir) if results_dir is not None else None
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    table = load_nb201_table()
    frames = []
    runs = [(method, seed) for method in methods for seed in seeds]
    for method, seed in tqdm(runs, desc="query searches", disable=not progress, leave=False):
        result = _run(method, seed, budget, proxy, dataset, directory)
        values = np.array([entry["value"] for entry in result.trajectory])
        frames.append(
            pd.DataFrame(
                {
                    "method": method,
                    "seed": seed,
                    "queries": np.arange(1, result.queries + 1),
                    "incumbent_test": incumbent_curve(result, table, dataset),
                    "queried_test": queried_curve(result, table, dataset),
                    "incumbent_val": np.maximum.accumulate(values),
                    "seconds": [entry["seconds"] for entry in result.trajectory],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def queries_needed(curves: pd.DataFrame, column: str, threshold: float) -> pd.Series:
    """Per (method, seed): the first query count at which ``column`` >= ``threshold`` (NaN: never)."""
    reached = curves[curves[column] >= threshold]
    first = reached.groupby(["method", "seed"])["queries"].min()
    runs = curves.groupby(["method", "seed"]).size().index
    return first.reindex(runs)
