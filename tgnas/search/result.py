"""What every search returns (`SearchResult`) and how every search scores candidates (`Evaluator`).

All search methods share one `Evaluator` per run, so that

* each distinct architecture is scored by the proxy once (a cache keyed by the architecture), and
  ``evaluations`` counts distinct proxy evaluations the same way for every method;
* constraints are applied the same way everywhere: an architecture that violates them gets the
  effective score −inf, below every feasible one, so no method can return it while a feasible
  architecture has been seen.

A proxy is any `tgnas.scoring.Scorer` (``score_graphs(graphs) -> np.ndarray``, higher = better):
the TG proxy, a freshly trained `GCNPredictor`, a zero-cost or a params scorer. Searches never look
at benchmark accuracies.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from tgnas.scoring import Scorer
from tgnas.spaces.base import SearchSpace


class FeasibilityCheck(Protocol):
    def feasible(self, archs: Sequence[object]) -> np.ndarray: ...


@dataclass
class SearchResult:
    """Outcome of one search run.

    Attributes:
        space: search space name (``nb201``, ``darts``, …).
        method: ``hybrid``, ``pruning``, ``evolution``, ``random``, ``re`` or ``exhaustive`` (proxy
            searches), or ``agnet``, ``tg-warm``, ``random``, ``re`` (query searches).
        arch: the found architecture in the space's canonical string form.
        score: its proxy score (−inf only if no feasible architecture was found); for a query
            search, its queried validation accuracy (%).
        seconds: wall time of the search (proxy loading excluded).
        evaluations: distinct architectures scored by the proxy (supernet graphs of the pruning
            rounds are counted in the trajectory, not here).
        seed: the seed the run was started with.
        winner: for ``hybrid``, the part whose result was returned (``pruning``, ``evolution`` or
            ``both`` when they found the same architecture); otherwise the method itself.
        trajectory: one dict per step (pruning round, generation, cycle …) with at least ``step``,
            ``best_score``, ``evaluations`` and ``seconds`` since the start.
        parts: the sub-results of a hybrid run, by part name.
        queries: benchmark queries spent (real evaluations: 0 for the zero-cost methods; see
            `tgnas.search.oracle`).
    """

    space: str
    method: str
    arch: str
    score: float
    seconds: float
    evaluations: int
    seed: int | None
    winner: str
    trajectory: list[dict[str, Any]] = field(default_factory=list)
    parts: dict[str, SearchResult] = field(default_factory=dict)
    queries: int = 0

    @property
    def feasible(self) -> bool:
        return math.isfinite(self.score)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (−inf scores become None)."""
        data = asdict(self)
        data["score"] = self.score if self.feasible else None
        data["parts"] = {name: part.to_dict() for name, part in self.parts.items()}
        return data


class Evaluator:
    """Scores architectures of one space with a proxy, each distinct one once, constraints applied."""

    def __init__(self, proxy: Scorer, space: SearchSpace, constraints: FeasibilityCheck | None = None) -> None:
        self.proxy = proxy
        self.space = space
        self.constraints = constraints
        self._cache: dict[object, float] = {}
        self.started = time.perf_counter()

    @property
    def evaluations(self) -> int:
        return len(self._cache)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def scores(self, archs: Sequence[object]) -> np.ndarray:
        """Effective scores (float64): the proxy score, or −inf for architectures that break a constraint."""
        new = list(dict.fromkeys(arch for arch in archs if arch not in self._cache))
        if new:
            values = np.asarray(self.proxy.score_graphs([self.space.to_graph(arch) for arch in new]), dtype=np.float64)
            if self.constraints is not None:
                values = np.where(self.constraints.feasible(new), values, -np.inf)
            self._cache.update(zip(new, values.tolist()))
        return np.fromiter((self._cache[arch] for arch in archs), dtype=np.float64, count=len(archs))

    def result(
        self,
        method: str,
        arch: object,
        score: float,
        seed: int | None,
        trajectory: list[dict[str, Any]],
        winner: str | None = None,
    ) -> SearchResult:
        return SearchResult(
            space=self.space.name,
            method=method,
            arch=self.space.format(arch),
            score=float(score),
            seconds=self.elapsed(),
            evaluations=self.evaluations,
            seed=seed,
            winner=winner or method,
            trajectory=trajectory,
        )


def trajectory_point(evaluator: Evaluator, step: int, best_score: float, **extra: Any) -> dict[str, Any]:
    """One trajectory entry; −inf becomes None so that trajectories are JSON-ready."""
    best = float(best_score)
    return {
        "step": step,
        "best_score": best if math.isfinite(best) else None,
        "evaluations": evaluator.evaluations,
        "seconds": evaluator.elapsed(),
        **extra,
    }


def progress_bar(total: int, description: str, enabled: bool) -> Any:
    """A tqdm bar on stderr when ``enabled`` (long runs), otherwise a silent stand-in."""
    from tqdm import tqdm  # tqdm pulls in its notebook machinery: only when a bar is shown

    return tqdm(total=total, desc=description, disable=not enabled, leave=False)


@contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Run the block with ``count`` torch intra-op threads (None: leave as is), then restore.

    Searches score many small batches; on a shared CPU, torch's thread pool makes each small call
    wait for busy cores (measured here: 50 one-cell calls took 8–30 s with 2 threads, 0.1 s with 1).
    """
    if count is None:
        yield
        return
    import torch  # torch: a search with a numpy scorer never needs it

    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)
