"""Benchmark queries for query-based search (AG-Net-style, TG-warm, random, regularised evolution).

A *query* is what a query-based NAS method pays for: training one architecture and reading its
accuracy. On NB201 it is a lookup in the benchmark table, and `BenchmarkOracle` counts it:

* a query returns the **validation** accuracy (200 epochs; on CIFAR-10 the ``cifar10-valid`` split),
  never the test accuracy, so a search cannot select on the test set. The test accuracy of the
  cell a search returns is looked up afterwards, by `incumbent_curve`, for reporting only;
* each distinct cell costs one query however often it is asked for, and a query beyond the budget
  raises `QueryBudgetExhausted` without being answered;
* constraints (latency, params, FLOPs) are *free*: measuring a cell's latency on a device needs no
  training, so `feasible` answers without spending a query, and infeasible cells are never queried.

`incumbent_curve` gives, after every query, the test accuracy of the cell a method would return at
that point: the best *validation* accuracy seen so far (ties: the earlier query). Note that on this
table the validation optimum (index 1459, 91.57 %) has test accuracy 94.2967, while the test optimum
(index 13714, 94.37 %) is only 5th by validation: a method that selects on validation can hold a
≥ 94.3 cell on the way but ends below 94.3 once it finds the validation optimum. `queried_curve`
gives the best test accuracy among all queried cells, the upper bound a test-set oracle would pick.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from tgnas.checks import check_int
from tgnas.data.nb201 import NB201Table, accuracy_column, check_dataset, load_nb201_table
from tgnas.search.result import FeasibilityCheck, SearchResult
from tgnas.spaces.nb201 import N_CELLS, NB201Cell


class QueryBudgetExhausted(RuntimeError):
    """A new architecture was queried after the budget had been spent."""


def check_budget(budget: object) -> int:
    budget = check_int("the query budget", budget, 1)
    if budget > N_CELLS:
        raise ValueError(f"the query budget {budget} exceeds the {N_CELLS:,} cells of NB201")
    return int(budget)


class BenchmarkOracle:
    """Counted validation-accuracy queries on NB201 (see the module docstring).

    Args:
        budget: the most distinct cells that may be queried.
        dataset: ``cifar10``, ``cifar100`` or ``ImageNet16-120``.
        constraints: a feasibility check (`tgnas.search.constraints.feasibility_for`); infeasible
            cells raise ValueError when queried and `feasible` reports them for free.
        table: the benchmark table (default: the data directory's).
    """

    split = "val"
    epochs = 200

    def __init__(
        self,
        budget: int,
        dataset: str = "cifar10",
        constraints: FeasibilityCheck | None = None,
        table: NB201Table | None = None,
    ) -> None:
        self.budget = check_budget(budget)
        self.dataset = check_dataset(dataset)
        self.table = table if table is not None else load_nb201_table()
        self.column = accuracy_column(dataset, self.split, self.epochs)
        self._values = self.table.frame[self.column].to_numpy(dtype=np.float64)
        self.constraints = constraints
        self._answers: dict[str, float] = {}
        self.history: list[dict[str, Any]] = []
        self.started = time.perf_counter()

    # -- counting ------------------------------------------------------------------------------
    @property
    def queries(self) -> int:
        return len(self._answers)

    @property
    def remaining(self) -> int:
        return self.budget - self.queries

    def seen(self, arch: NB201Cell | str) -> bool:
        return str(arch) in self._answers

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    # -- free information ----------------------------------------------------------------------
    def feasible(self, archs: Sequence[NB201Cell | str]) -> np.ndarray:
        """Which cells meet the constraints (all True without constraints); costs no query."""
        if self.constraints is None:
            return np.ones(len(archs), dtype=bool)
        return np.asarray(self.constraints.feasible([str(arch) for arch in archs]), dtype=bool)

    # -- paid information ----------------------------------------------------------------------
    def query(self, arch: NB201Cell | str) -> float:
        """Validation accuracy (%) of one cell; a new cell spends one query of the budget."""
        key = str(arch)
        if key in self._answers:
            return self._answers[key]
        if self.remaining <= 0:
            raise QueryBudgetExhausted(f"the budget of {self.budget} queries is spent; {key} was not evaluated")
        if not self.feasible([key])[0]:
            raise ValueError(f"cell {key} breaks the search constraints and must not be queried")
        value = float(self._values[self.table.index_of(key)])
        self._answers[key] = value
        self.history.append({"queries": self.queries, "arch": key, "value": value, "seconds": self.elapsed()})
        return value

    def query_many(self, archs: Iterable[NB201Cell | str]) -> list[float]:
        """Query cells in order, stopping silently when the budget runs out (answers for those asked)."""
        values = []
        for arch in archs:
            if self.remaining <= 0 and not self.seen(arch):
                break
            values.append(self.query(arch))
        return values

    def incumbent(self) -> tuple[str, float]:
        """The best queried cell by validation accuracy (ties: the earlier query)."""
        if not self.history:
            raise ValueError("no cell has been queried yet")
        best = max(self.history, key=lambda entry: (entry["value"], -entry["queries"]))
        return best["arch"], best["value"]

    def result(self, method: str, seed: int | None, evaluations: int = 0, seconds: float | None = None) -> SearchResult:
        """The `SearchResult` of a finished query search: the incumbent, its validation accuracy as
        ``score``, one trajectory entry per query (``arch``, ``value``, running ``best_score``)."""
        arch, value = self.incumbent()
        trajectory, best = [], -math.inf
        for entry in self.history:
            best = max(best, entry["value"])
            trajectory.append(
                {
                    "step": entry["queries"],
                    "queries": entry["queries"],
                    "arch": entry["arch"],
                    "value": entry["value"],
                    "best_score": best,
                    "evaluations": evaluations,
                    "seconds": entry["seconds"],
                }
            )
        return SearchResult(
            space="nb201",
            method=method,
            arch=arch,
            score=value,
            seconds=self.elapsed() if seconds is None else seconds,
            evaluations=evaluations,
            seed=seed,
            winner=method,
            trajectory=trajectory,
            queries=self.queries,
        )


def _queried(result: SearchResult) -> tuple[list[str], np.ndarray]:
    if result.queries == 0 or not result.trajectory or "value" not in result.trajectory[0]:
        raise ValueError(f"the {result.method} result spent no benchmark query; it has no query curve")
    return [entry["arch"] for entry in result.trajectory], np.array([entry["value"] for entry in result.trajectory])


def incumbent_curve(result: SearchResult, table: NB201Table | None = None, dataset: str = "cifar10", split: str = "test") -> np.ndarray:
    """Entry q-1: the ``split`` accuracy of the best-by-validation cell among the first q queries."""
    archs, values = _queried(result)
    table = table if table is not None else load_nb201_table()
    reported = table.accuracy(archs, dataset, split)
    best_so_far = np.zeros(len(values), dtype=np.int64)
    best = 0
    for q in range(len(values)):
        if values[q] > values[best]:
            best = q
        best_so_far[q] = best
    return reported[best_so_far]


def queried_curve(result: SearchResult, table: NB201Table | None = None, dataset: str = "cifar10", split: str = "test") -> np.ndarray:
    """Entry q-1: the best ``split`` accuracy among the first q queried cells (a test-set oracle's pick)."""
    archs, _ = _queried(result)
    table = table if table is not None else load_nb201_table()
    return np.maximum.accumulate(table.accuracy(archs, dataset, split))


def queries_to_reach(curve: np.ndarray, threshold: float) -> int | None:
    """The number of queries after which ``curve`` first reaches ``threshold`` (None: never)."""
    hits = np.flatnonzero(np.asarray(curve) >= threshold)
    return int(hits[0]) + 1 if hits.size else None
