"""TG-warm query search: the zero-shot TG ranking is the prior of an AG-Net-style search.

TG-NAS spends no query but cannot correct its proxy; a query-based search corrects itself but starts
blind. TG-warm starts where TG-NAS ends. It scores all 15,625 NB201 cells with the TG proxy once
(about a second), then runs the AG-Net-style loop of `tgnas.search.agnet` with the proxy as prior
(`SearchPrior`):

1. the first ``initial`` queries are the cells the TG proxy ranks highest, so query 1 is TG-NAS's pick;
2. the generator is pretrained on cells drawn by TG rank (weights 1 / (k·N + rank),
   k = ``prior_weight_factor``) instead of uniformly, so it starts out generating where TG looks;
3. the surrogate is pretrained to reproduce the TG scores, so with few queries it ranks like the
   proxy and the real evaluations then correct it.

Everything else (weighted retraining, 16 queries per round from 100 generated candidates) is
AG-Net's loop unchanged, so the difference between the two curves is what the TG prior buys.
"""

from __future__ import annotations

from dataclasses import dataclass

from tgnas.scoring import Scorer
from tgnas.search.agnet import AGNetSearch, AGNetSettings, SearchPrior
from tgnas.search.oracle import BenchmarkOracle
from tgnas.search.result import Evaluator, SearchResult
from tgnas.spaces.nb201 import NB201Space


@dataclass(frozen=True)
class TGWarmSettings(AGNetSettings):
    """`AGNetSettings` plus how sharply the generator's pretraining follows the TG ranking."""

    prior_weight_factor: float = 0.01


def tg_prior(proxy: Scorer, weight_factor: float) -> tuple[SearchPrior, int]:
    """The TG scores of every NB201 cell as a `SearchPrior`, and the number of proxy evaluations."""
    space = NB201Space()
    evaluator = Evaluator(proxy, space)
    cells = list(space.all_cells())
    return SearchPrior(cells, evaluator.scores(cells), weight_factor), evaluator.evaluations


def tg_warm_search(
    oracle: BenchmarkOracle,
    proxy: Scorer,
    seed: int | None = 0,
    settings: TGWarmSettings | None = None,
    progress: bool = False,
) -> SearchResult:
    """TG-warm search (module docstring); ``evaluations`` counts the proxy's scores (every cell once)."""
    settings = settings or TGWarmSettings()
    prior, evaluations = tg_prior(proxy, settings.prior_weight_factor)
    run = AGNetSearch(oracle, seed, settings, prior=prior)
    run.run(progress)
    return run.result("tg-warm", seed, evaluations)
