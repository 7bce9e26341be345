"""A space defined here, outside tgnas, registered, searched, scored and evaluated: adding a space
(and a benchmark) needs no edit of tgnas/.

The toy space is a chain of 3 slots, each choosing one of 3 operators; its network is a chain of
linear layers whose widths the operators choose, with an analytic parameter count. The searches,
the zero-cost scorer and the evaluation reach it only through the `SearchSpace` and `Benchmark`
interfaces and the registries.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from torch import nn

from tgnas import benchmarks, spaces
from tgnas.benchmarks import Benchmark
from tgnas.evaluate import evaluate
from tgnas.scoring import NO_PATH_SCORE, Scorer
from tgnas.search import AgingSettings, EvolutionSettings, search
from tgnas.spaces import ArchGraph, SearchSpace, as_rng
from tgnas.spaces.base import check_genes, gene_to_index
from tgnas.spaces.graph import INPUT, OUTPUT
from tgnas.spaces.supernet import Supernet, SupernetCell
from tgnas.zerocost import ZeroCostScorer

TOY_OPS = ("thin", "mid", "wide")
SLOTS = 3
#: parameters (millions) of one slot's operator in the toy network, plus a fixed head
PARAMS = {"thin": 0.1, "mid": 0.4, "wide": 0.9}
HEAD = 0.05
#: hidden width of each operator's linear layer in the toy torch network
WIDTH = {"thin": 2, "mid": 4, "wide": 8}


@dataclass(frozen=True)
class Chain:
    ops: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.ops) != SLOTS or any(op not in TOY_OPS for op in self.ops):
            raise ValueError(f"a toy chain is {SLOTS} of {', '.join(TOY_OPS)}, got {self.ops!r}")

    def __str__(self) -> str:
        return "-".join(self.ops)


def _chain_of_supernet(cells: tuple[SupernetCell, ...]) -> Chain:
    return Chain(tuple(ops[0] for _, ops in cells[0].edges))


class ToySpace(SearchSpace[Chain]):
    name = "toy"
    ops = TOY_OPS
    evolution_budget = (6, 5)

    def parse(self, text: str) -> Chain:
        return Chain(tuple(text.strip().split("-")))

    def sample(self, rng=None) -> Chain:
        return Chain(tuple(TOY_OPS[i] for i in as_rng(rng).integers(len(TOY_OPS), size=SLOTS)))

    def neighbours(self, arch: Chain) -> list[Chain]:
        return [Chain(arch.ops[:i] + (op,) + arch.ops[i + 1 :]) for i in range(SLOTS) for op in TOY_OPS if op != arch.ops[i]]

    def to_graph(self, arch: Chain) -> ArchGraph:
        n = SLOTS + 2
        matrix = np.eye(n, k=1, dtype=np.uint8)  # input -> slot 1 -> slot 2 -> slot 3 -> output
        return ArchGraph((INPUT, *arch.ops, OUTPUT), matrix, self.name, {"params_M": self.params(arch)}, self.format(arch))

    def gene_count(self) -> int:
        return SLOTS

    def decode_genes(self, genes: np.ndarray) -> Chain:
        return Chain(tuple(TOY_OPS[i] for i in gene_to_index(check_genes(self.name, genes, SLOTS), len(TOY_OPS))))

    def supernet(self, arch: Chain | None = None) -> Supernet:
        choices = [TOY_OPS] * SLOTS if arch is None else [(op,) for op in arch.ops]
        edges = tuple(((slot, slot + 1), ops) for slot, ops in enumerate(choices))
        return Supernet(self.name, (SupernetCell(1, (SLOTS,), edges),), _chain_of_supernet)

    def all_cells(self) -> list[Chain]:
        return [Chain(ops) for ops in itertools.product(TOY_OPS, repeat=SLOTS)]

    def params(self, arch: Chain) -> float:
        return HEAD + sum(PARAMS[op] for op in arch.ops)

    def build_network(self, arch: Chain, num_classes: int = 10) -> nn.Module:
        widths = [3 * 32 * 32, *(WIDTH[op] for op in arch.ops)]
        layers: list[nn.Module] = [nn.Flatten()]
        for a, b in zip(widths[:-1], widths[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        return nn.Sequential(*layers, nn.Linear(widths[-1], num_classes))


class ToyBenchmark(Benchmark):
    """Every toy chain, labelled by a made-up accuracy that grows with the weights of its network."""

    name = "toy-bench"
    space = "toy"
    datasets = ("toyset",)
    label = "made-up accuracy"

    @property
    def archs(self) -> list[str]:
        return [str(chain) for chain in ToySpace().all_cells()]

    def _labels(self, dataset: str) -> np.ndarray:
        widths = [[3 * 32 * 32, *(WIDTH[op] for op in arch.split("-")), 10] for arch in self.archs]
        return np.array([sum(a * b for a, b in zip(w[:-1], w[1:])) for w in widths], dtype=float)


class OpWeightScorer:
    """Sum of per-operator weights over a graph's nodes: ``mid`` is best, so the optimum is mid-mid-mid.

    It has no ``space`` attribute: a scorer need not say which space it was made for.
    """

    weights = {"thin": 1.0, "mid": 3.0, "wide": 2.0}

    def score_graphs(self, graphs) -> np.ndarray:
        return np.array([sum(self.weights.get(op, 0.0) for op in g.ops) if g.has_path() else NO_PATH_SCORE for g in graphs])


TOY_OPTIMUM = "mid-mid-mid"


@pytest.fixture
def toy_space():
    spaces.register("toy", ToySpace)
    benchmarks.register("toy-bench", ToyBenchmark)
    try:
        yield spaces.create("toy")
    finally:
        spaces.unregister("toy")
        benchmarks.unregister("toy-bench")
    assert "toy" not in spaces.names() and "toy-bench" not in benchmarks.names()


def test_the_toy_space_is_a_search_space_and_its_scorer_a_scorer(toy_space):
    assert isinstance(OpWeightScorer(), Scorer)
    cell = toy_space.parse("thin-wide-mid")
    graph = toy_space.to_graph(cell)
    assert graph.source == "thin-wide-mid" and graph.features["params_M"] == pytest.approx(1.45)
    assert toy_space.supernet(cell).graph() == graph  # the single-op supernet is the cell's own graph
    with pytest.raises(ValueError, match="search space name 'toy' is taken"):
        spaces.register("toy", ToySpace)


def test_hybrid_search_on_the_toy_space_finds_the_optimum(toy_space):
    result = search("toy", OpWeightScorer(), method="hybrid", seed=0, threads=None)
    assert result.space == "toy" and result.arch == TOY_OPTIMUM and result.winner in ("both", "pruning")
    assert result.parts["pruning"].arch == TOY_OPTIMUM
    assert len(result.parts["evolution"].trajectory) == 1 + 5  # the space's own evolution budget
    again = search("toy", OpWeightScorer(), method="hybrid", seed=0, threads=None)
    assert (again.arch, again.score) == (result.arch, result.score)


def test_random_search_and_regularised_evolution_run_on_the_toy_space(toy_space):
    ceiling = search("toy", OpWeightScorer(), method="exhaustive", threads=None)
    assert ceiling.arch == TOY_OPTIMUM and ceiling.evaluations == 27
    random = search("toy", OpWeightScorer(), method="random", seed=1, samples=10, threads=None)
    assert random.evaluations <= 10 and random.score <= ceiling.score
    assert search("toy", OpWeightScorer(), method="random", seed=1, samples=10, threads=None).arch == random.arch
    aging = search("toy", OpWeightScorer(), method="re", seed=0, settings=AgingSettings(6, 3, 60), threads=None)
    assert aging.arch == TOY_OPTIMUM  # 60 mutations of a 27-cell space reach its optimum
    evolved = search("toy", OpWeightScorer(), method="evolution", seed=0, settings=EvolutionSettings(8, 10), threads=None)
    assert evolved.arch == TOY_OPTIMUM


def test_a_zero_cost_scorer_scores_toy_graphs_from_their_source(toy_space):
    graphs = [toy_space.to_graph(toy_space.parse(text)) for text in ("thin-thin-thin", "wide-wide-wide", "mid-thin-wide")]
    scores = ZeroCostScorer("params", toy_space).score_graphs(graphs)
    expected = [sum(p.numel() for p in toy_space.build_network(toy_space.parse(g.source)).parameters()) for g in graphs]
    assert (scores * 1e6).tolist() == pytest.approx(expected)  # the proxy counted the toy networks' own parameters (millions)
    assert scores[0] < scores[2] < scores[1]


def test_evaluate_ranks_scorers_on_a_benchmark_registered_outside_tgnas(toy_space):
    torch.manual_seed(0)
    by_params = evaluate(ZeroCostScorer("params", toy_space), "toy-bench")
    by_ops = evaluate(OpWeightScorer(), "toy-bench")
    assert by_params.n() == 27 and by_params.tau("toyset") > 0.9  # the label is the weight count, params adds only biases
    assert by_ops.tau("toyset") < by_params.tau("toyset")  # "mid is best" is a worse ranking of this benchmark
    assert by_params.tau("toyset", subset="with_path") == by_params.tau("toyset")  # every chain has a path


def test_evaluate_shows_its_stages_only_when_asked(toy_space, capsys):
    evaluate(OpWeightScorer(), "toy-bench")
    assert "evaluate on toy-bench" not in capsys.readouterr().err
    evaluate(OpWeightScorer(), "toy-bench", progress=True)
    shown = capsys.readouterr().err
    assert "evaluate on toy-bench" in shown and "0/4" in shown  # a bar over the four stages
