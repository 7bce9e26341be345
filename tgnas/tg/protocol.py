"""Zero-shot across benchmarks: leave-one-benchmark-out training and a recipe chosen without the target.

The paper's central claim is that one predictor, trained on some spaces, ranks the architectures of
any other. This module tests it the only honest way: a model that scores benchmark ``T`` is trained
on the *other* benchmarks (the pool) and never sees a label of ``T`` — not for fitting, not for
early stopping and not for choosing its recipe.

* **Candidates** are `Recipe`s: embedding (text of a description length, or one-hot codes), how multi-task benchmarks enter
  (one source per task, or their mean), cells per source, GCN shape, loss, epochs, and a size prior
  (``size_weight``: the ranking blended with each network's parameter count or, ``size_kind="flops"``,
  its FLOPs, `tgnas.tg.size_prior`).
* **Selection rule** (`choose_recipe`), written here and applied once per target: for target ``T``
  every candidate is scored by its leave-one-benchmark-out τ on the pool — for each pool benchmark
  ``f``, train on the pool without ``f`` and test on ``f`` — and the candidate with the highest mean
  (τ on the cells with a path, averaged over ``f``'s datasets, then over ``f``) wins; candidates
  within `TIE` of the best count as tied and the one with fewer GCN parameters wins.
* **Cost**: "pool without ``f``" for target ``T`` is "every benchmark but ``T`` and ``f``", so one
  training per unordered pair ``{T, f}`` serves both targets (`pair_runs`): 15 trainings per
  candidate for six benchmarks, each tested on the two benchmarks it did not see.

Every training is cached as JSON under ``results_dir`` (atomic writes), so an interrupted run
resumes where it stopped and a rerun with the same settings costs nothing.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from tgnas import benchmarks
from tgnas.atomic import atomic_output
from tgnas.evaluate import Evaluation, evaluate_scores
from tgnas.spaces.graph import ArchGraph
from tgnas.tg.embed import EMBEDDING_LENGTHS, ENCODING_VERSION, OneHotEmbedder, OperatorEmbedder
from tgnas.tg.gcn import GCNConfig, GCNRegressor
from tgnas.tg.predictor import GCNPredictor, ensemble_scores
from tgnas.tg.size_prior import blend, check_kind, check_weight
from tgnas.tg.sources import LabelledGraphs, benchmark_sources
from tgnas.tg.train import TrainRecipe, check_no_leakage, train_predictor

#: the benchmarks the protocol trains on and tests on, one per search space
FAMILIES = ("nb201", "nb101", "nb301", "transnas_micro", "transnas_macro", "nbgraph")
EMBEDDINGS = ("text", "onehot")
#: mean LOBO τ closer than this to the best counts as a tie (then the smaller model wins)
TIE = 0.01


#: GCNConfig settings newer than the protocol's cache, with the value every earlier result used
_LATER_DEFAULTS = {"layer": "gcn"}
_NO_DEFAULT = object()


@dataclass(frozen=True)
class Recipe:
    """One candidate way of training a zero-shot predictor (all of it is recorded with every result)."""

    name: str
    embedding: str = "text"
    length: str = "short"  # description length of the text embedding (paper Table 2: short, medium, long; or mixed)
    tasks: str = "mean"
    max_cells: int | None = 1000
    config: GCNConfig = field(default_factory=GCNConfig)
    train: TrainRecipe = field(default_factory=lambda: TrainRecipe(epochs=30, patience=10, loss="pairwise"))
    members: int = 1
    size_weight: float = 0.0  # share of the size rank in the ranking (`tgnas.tg.size_prior`); 0: TG alone
    size_kind: str = "params"  # which size: params or flops

    def __post_init__(self) -> None:
        check_weight(self.size_weight)
        check_kind(self.size_kind)
        if self.embedding not in EMBEDDINGS:
            raise ValueError(f"unknown embedding {self.embedding!r}; accepted: {', '.join(EMBEDDINGS)}")
        if self.members < 1:
            raise ValueError(f"a recipe needs at least one member, got {self.members}")
        if self.length not in EMBEDDING_LENGTHS:
            raise ValueError(f"unknown description length {self.length!r}; accepted: {', '.join(EMBEDDING_LENGTHS)}")

    def to_dict(self) -> dict:
        return {**asdict(self), "config": self.config.to_dict(), "train": self.train.to_dict()}

    def key(self) -> str:
        """A short digest of everything that changes a trained model (the cache key).

        Settings added after results were cached (`_LATER_DEFAULTS`) enter it only when they differ from
        their default, so the results cached before them, which used that default, stay valid.
        """
        settings = self.to_dict()
        settings["config"] = {k: v for k, v in settings["config"].items() if _LATER_DEFAULTS.get(k, _NO_DEFAULT) != v}
        if self.embedding == "text":  # results trained on vectors computed another way are not this recipe's
            settings["text_encoding"] = ENCODING_VERSION
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]

    def gcn_parameters(self) -> int:
        """Trainable parameters of one GCN of this shape behind a 384-d embedding (the tie-breaker)."""
        return sum(p.numel() for p in GCNRegressor(384, self.config).parameters())

    def with_embedding(self, embedding: str) -> Recipe:
        return replace(self, name=f"{self.name} [{embedding}]", embedding=embedding)


@dataclass
class ZeroShotModel:
    """An ensemble of predictors trained without the benchmarks in ``held_out`` (a `tgnas.scoring.Scorer`)."""

    recipe: Recipe
    held_out: tuple[str, ...]
    members: list[GCNPredictor]
    sources: list[str]

    def score_graphs(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        return ensemble_scores(self.members, graphs)


@cache
def _sources(family: str, tasks: str, max_cells: int | None, seed: int) -> tuple[LabelledGraphs, ...]:
    return tuple(benchmark_sources(family, tasks, max_cells, seed))


def pool_sources(families: Iterable[str], recipe: Recipe, seed: int = 0) -> list[LabelledGraphs]:
    """The training sources of ``families`` as ``recipe`` asks for them (cached per process)."""
    return [source for family in families for source in _sources(family, recipe.tasks, recipe.max_cells, seed)]


def _embedder(recipe: Recipe, sources: Sequence[LabelledGraphs]) -> OperatorEmbedder | OneHotEmbedder:
    if recipe.embedding == "onehot":  # codes for the operators the pool names; everything else is "unknown"
        return OneHotEmbedder(op for source in sources for graph in source.graphs for op in graph.ops)
    return OperatorEmbedder(length=recipe.length)


def check_families(families: Iterable[str]) -> tuple[str, ...]:
    """``families`` as a tuple of registered benchmark names; an unknown one names the registered ones."""
    families = tuple(families)
    unknown = [name for name in families if name not in benchmarks.names()]
    if unknown:
        raise ValueError(f"unknown benchmark(s) {', '.join(map(repr, unknown))}; registered: {', '.join(benchmarks.names())}")
    if len(set(families)) != len(families):
        raise ValueError(f"benchmarks listed twice in {list(families)}")
    return families


def train_without(recipe: Recipe, held_out: Sequence[str], families: Sequence[str] = FAMILIES, seed: int = 0) -> ZeroShotModel:
    """Train ``recipe`` on every benchmark of ``families`` except ``held_out``; no held-out space's label is seen."""
    families = check_families(families)
    pool = [family for family in families if family not in held_out]
    if not pool:
        raise ValueError(f"nothing left to train on: every benchmark of {list(families)} is held out")
    sources = pool_sources(pool, recipe, seed)
    for family in held_out:  # the leakage guard, per held-out space
        check_no_leakage(sources, benchmarks.create(family).space)
    embedder = _embedder(recipe, sources)
    members = []
    for member in range(recipe.members):
        train = replace(recipe.train, seed=recipe.train.seed + member)
        predictor = GCNPredictor(embedder, recipe.config, seed=train.seed)
        members.append(train_predictor(sources, None, predictor, train, progress=False).predictor)
    return ZeroShotModel(recipe, tuple(held_out), members, [source.name for source in sources])


@cache
def _benchmark(name: str):
    return benchmarks.create(name)


def evaluate_on(scorer, family: str, size_weight: float = 0.0, size_kind: str = "params") -> Evaluation:
    """``scorer`` on every dataset of benchmark ``family``: τ/ρ on all cells and on cells with a path.

    ``size_weight`` > 0 ranks each dataset's cells by the scores blended with the networks' sizes
    (``size_kind``) on that dataset (`tgnas.tg.size_prior.blend`); a benchmark without sizes of that
    kind is ranked by the scores alone.
    """
    check_kind(size_kind)
    bench = _benchmark(family)
    scores = scorer.score_graphs(bench.graphs())
    has_path = bench.has_path()
    correlations = {}
    for dataset in bench.datasets:
        sizes = bench.size(dataset, size_kind) if size_weight else None
        ranked = scores if sizes is None else blend(scores, sizes, size_weight)
        correlations.update(evaluate_scores(ranked, {dataset: bench.labels(dataset)}, has_path).correlations)
    return Evaluation(bench.name, bench.space, correlations)


class ResultStore:
    """Evaluations of trained models as JSON files under ``directory`` (None: memory only), for resuming."""

    def __init__(self, directory: str | Path | None) -> None:
        self.directory = Path(directory) if directory is not None else None
        self._memory: dict[str, dict] = {}

    def _path(self, key: str) -> Path | None:
        return self.directory / f"{key}.json" if self.directory is not None else None

    def get(self, key: str) -> dict | None:
        if key in self._memory:
            return self._memory[key]
        path = self._path(key)
        if path is not None and path.exists():
            self._memory[key] = json.loads(path.read_text())
            return self._memory[key]
        return None

    def put(self, key: str, value: dict) -> None:
        self._memory[key] = value
        path = self._path(key)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_output(path, mode="w") as stream:
                json.dump(value, stream, indent=1, sort_keys=True)


def _held_out_key(recipe: Recipe, held_out: Sequence[str], families: Sequence[str], seed: int) -> str:
    """The cache key of one training: the recipe, what was held out, and a fingerprint of the training data
    (each source's name, size and label sum), so a change in how sources are built never reads a stale result."""
    pool = [family for family in families if family not in held_out]
    data = [(s.name, len(s), round(float(s.labels.sum()), 6)) for s in pool_sources(pool, recipe, seed)]
    text = json.dumps([recipe.key(), sorted(held_out), sorted(families), seed, data])
    return f"{'+'.join(sorted(held_out))}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def run_held_out(recipe: Recipe, held_out: Sequence[str], families: Sequence[str], store: ResultStore, seed: int = 0) -> dict[str, dict]:
    """Train without ``held_out`` and evaluate on each held-out benchmark (``{family: Evaluation.to_dict()}``), cached."""
    key = _held_out_key(recipe, held_out, families, seed)
    stored = store.get(key)
    if stored is None:
        model = train_without(recipe, held_out, families, seed)
        stored = {
            "recipe": recipe.to_dict(),
            "held_out": list(held_out),
            "sources": model.sources,
            "evaluations": {family: evaluate_on(model, family, recipe.size_weight, recipe.size_kind).to_dict() for family in held_out},
        }
        store.put(key, stored)
    return stored["evaluations"]


def mean_tau(evaluation: dict, subset: str = "with_path") -> float:
    """Mean τ over a benchmark's datasets (each counts once, whatever its size) of an `Evaluation.to_dict()`."""
    return float(np.mean(list(evaluation["kendall_tau"][subset].values())))


def pair_runs(
    candidates: Sequence[Recipe],
    families: Sequence[str] = FAMILIES,
    store: ResultStore | None = None,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    holding_out: str | None = None,
) -> pd.DataFrame:
    """Every candidate trained once per unordered pair of benchmarks held out, tested on both.

    One row per (candidate, pair, tested benchmark): ``tau_with_path`` and ``tau_all`` are the means
    over the tested benchmark's datasets. `lobo_table` reads these rows. ``holding_out``: only the
    pairs that hold out this benchmark, which is all that one target's `lobo_table` needs.
    """
    families = check_families(families)
    if holding_out is not None and holding_out not in families:
        raise ValueError(f"unknown target benchmark {holding_out!r}; accepted: {', '.join(families)}")
    store = store or ResultStore(None)
    rows = []
    pairs = [pair for pair in itertools.combinations(families, 2) if holding_out is None or holding_out in pair]
    for number, (recipe, pair) in enumerate(itertools.product(candidates, pairs), start=1):
        if progress is not None:
            progress(f"{recipe.name}: without {pair[0]} and {pair[1]} ({number}/{len(candidates) * len(pairs)})")
        evaluations = run_held_out(recipe, pair, families, store, seed)
        for tested in pair:
            other = pair[1] if tested == pair[0] else pair[0]
            rows.append(
                {
                    "recipe": recipe.name,
                    "tested": tested,
                    "also_held_out": other,
                    "tau_with_path": mean_tau(evaluations[tested]),
                    "tau_all": mean_tau(evaluations[tested], "all"),
                }
            )
    return pd.DataFrame(rows)


def lobo_table(pairs: pd.DataFrame, target: str) -> pd.DataFrame:
    """Leave-one-benchmark-out τ of each candidate on the pool of ``target`` (one column per pool benchmark, and the mean).

    The entry for candidate c and pool benchmark f is c trained on everything but ``target`` and f,
    tested on f: no label of ``target`` takes part.
    """
    rows = pairs[(pairs["also_held_out"] == target) & (pairs["tested"] != target)]
    if rows.empty:
        raise ValueError(f"no leave-one-out runs for target {target!r}; the pair runs cover {sorted(set(pairs['tested']))}")
    table = rows.pivot_table(index="recipe", columns="tested", values="tau_with_path", sort=False)
    table["mean"] = table.mean(axis=1)
    return table


def choose_recipe(table: pd.DataFrame, candidates: Sequence[Recipe]) -> Recipe:
    """The module docstring's rule: highest mean LOBO τ; within `TIE` of it, the fewest GCN parameters."""
    by_name = {recipe.name: recipe for recipe in candidates}
    best = table["mean"].max()
    tied = [by_name[name] for name in table.index[table["mean"] >= best - TIE]]
    return min(tied, key=lambda recipe: (recipe.gcn_parameters(), -table.loc[recipe.name, "mean"]))
