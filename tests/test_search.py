"""Search algorithms (tgnas.search) with a transparent additive proxy, so optima are known exactly."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgnas import spaces
from tgnas.search import (
    METHODS,
    AgingSettings,
    Evaluator,
    EvolutionSettings,
    search,
)
from tgnas.search.evolution import default_settings
from tgnas.search.pruning import prune_round
from tgnas.spaces.base import Unsupported, gene_to_index
from tgnas.spaces.darts import INPUT_PAIRS, INTERMEDIATE_NODES, SAMPLED_OPS, DartsGenotype
from tgnas.spaces.nb201 import N_CELLS, NB201_OPS, NB201Cell

WEIGHTS = {
    "nor_conv_3x3": 3.0,
    "nor_conv_1x1": 2.0,
    "avg_pool_3x3": 1.0,
    "skip_connect": 0.5,
    "sep_conv_5x5": 3.0,
    "sep_conv_3x3": 2.5,
    "dil_conv_5x5": 2.0,
    "dil_conv_3x3": 1.5,
    "max_pool_3x3": 0.7,
    "avg_pool_3x3_darts": 0.6,
}


class AdditiveProxy:
    """Score = sum of operator weights over the graph's nodes; −inf without an input→output path."""

    def __init__(self, space: str) -> None:
        self.space = space
        self.calls = 0

    def score_graphs(self, graphs):
        self.calls += 1
        return np.array([sum(WEIGHTS.get(op, 0.0) for op in g.ops) if g.has_path() else -np.inf for g in graphs])


ALL_CONV3 = NB201Cell(("nor_conv_3x3",) * 6)
NB201 = spaces.create("nb201")
DARTS = spaces.create("darts")


def nb201_evaluator() -> Evaluator:
    return Evaluator(AdditiveProxy("nb201"), spaces.create("nb201"))


# -- supernet encoding -----------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(st.integers(0, N_CELLS - 1))
def test_single_op_supernet_is_the_cells_own_graph_nb201(code):
    cell = NB201Cell.from_code(code)
    assert NB201.supernet(cell).graph() == cell.to_graph()
    assert NB201.supernet(cell).arch() == cell


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_single_op_supernet_is_the_genotypes_own_graph_darts(seed):
    genotype = spaces.create("darts").sample(seed)
    assert DARTS.supernet(genotype).graph() == genotype_graph(genotype)
    assert DARTS.supernet(genotype).arch() == genotype


def genotype_graph(genotype: DartsGenotype):
    return spaces.create("darts").to_graph(genotype)


def test_full_supernets_have_one_node_per_candidate_and_none_is_left_out():
    nb201 = NB201.supernet().graph()
    assert nb201.n_nodes == 1 + 6 * 4 + 1 and "none" not in nb201.ops
    # nodes 1-4: edge 0->1, 5-8: edge 0->2, 9-12: edge 1->2 (ops in NB201 order, `none` left out);
    # every op node of edge 0->1 feeds every op node of edge 1->2, and none of the parallel edge 0->2
    assert nb201.ops[1:5] == NB201_OPS[1:]
    assert nb201.adjacency[1:5, 9:13].all() and not nb201.adjacency[1:5, 5:9].any()
    darts = DARTS.supernet().graph()
    assert darts.n_nodes == 2 + 14 * 7 + 1 + 14 * 7 + 1
    assert darts.ops.count("concat") == 1
    assert nb201.source is None and not nb201.features  # a supernet is no architecture of the space


def test_supernet_arch_refuses_an_unpruned_supernet():
    with pytest.raises(ValueError, match="still has 5 operators"):
        NB201.supernet().arch()


# -- pruning -------------------------------------------------------------------------------------------
def test_pruning_round_removes_the_cheapest_op_on_every_edge():
    pruned, record = prune_round(AdditiveProxy("nb201"), NB201.supernet())
    # `none` adds nothing to the graph, so its removal costs Δ = 0: the cheapest on every edge
    assert [removal["op"] for removal in record["removed"]] == ["none"] * 6
    assert all(removal["delta"] == 0 for removal in record["removed"])
    assert all(ops == NB201_OPS[1:] for _, ops in pruned.cells[0].edges)
    assert record["graphs_scored"] == 1 + 6 * 5


def test_pruning_finds_the_additive_optimum_on_nb201():
    result = search("nb201", AdditiveProxy("nb201"), method="pruning", threads=None)
    assert result.arch == str(ALL_CONV3)
    assert [point["phase"] for point in result.trajectory] == ["ops"] * 4 + ["final"]
    assert result.evaluations == 1


def test_pruning_darts_keeps_two_inputs_per_node_and_the_heaviest_ops():
    result = search("darts", AdditiveProxy("darts"), method="pruning", threads=None)
    genotype = spaces.create("darts").parse(result.arch)
    for cell in ("normal", "reduce"):
        assert {op for op, _ in genotype.edges(cell)} == {"sep_conv_5x5"}
    phases = [point["phase"] for point in result.trajectory]
    assert phases == ["ops"] * 6 + ["edges"] * 3 + ["final"]


# -- evolution -----------------------------------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(st.integers(1, 9), st.floats(0, 1))
def test_genes_map_evenly_onto_the_options(options, gene):
    index = int(gene_to_index(np.array([gene]), options)[0])
    assert 0 <= index < options
    assert index == options - 1 if gene == 1 else index / options <= gene < (index + 1) / options


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=24, max_size=24))
def test_every_darts_gene_vector_decodes_to_a_valid_genotype_without_none(genes):
    genotype = DARTS.decode_genes(np.array(genes))
    for cell in ("normal", "reduce"):
        edges = genotype.edges(cell)
        assert all(op in SAMPLED_OPS for op, _ in edges)
        for position, node in enumerate(INTERMEDIATE_NODES):
            pair = (edges[2 * position][1], edges[2 * position + 1][1])
            assert pair in INPUT_PAIRS[node]


def test_decode_genes_nb201_and_bad_genes():
    assert NB201.decode_genes(np.full(6, 0.7)) == ALL_CONV3  # 0.7 * 5 = 3.5 -> op 3 = nor_conv_3x3
    assert NB201.decode_genes(np.zeros(6)) == NB201Cell(("none",) * 6)
    with pytest.raises(ValueError, match="6 genes in \\[0, 1\\]"):
        NB201.decode_genes(np.full(6, 1.5))
    with pytest.raises(ValueError, match="24 genes in \\[0, 1\\]"):
        DARTS.decode_genes(np.full(6, 0.5))
    with pytest.raises(Unsupported, match="nb101 space does not provide gene encoding"):
        spaces.create("nb101").gene_count()


def test_default_evolution_settings_come_from_the_space():
    assert (default_settings(NB201).population, default_settings(NB201).generations) == (20, 30)
    darts = default_settings(spaces.create("darts"))
    assert (darts.population, darts.generations) == (50, 100)
    assert default_settings(spaces.create("nb101")) == EvolutionSettings()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"population": 3}, "population must be an integer >= 4"),
        ({"generations": -1}, "generations must be an integer >= 0"),
        ({"scale": 0}, "scale F must be a number in \\(0, 2\\]"),
        ({"crossover": 1.5}, "crossover rate CR must be a number in \\[0, 1\\]"),
    ],
)
def test_evolution_settings_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        EvolutionSettings(**kwargs)


def test_evolution_is_deterministic_and_never_loses_its_best():
    first = search("nb201", AdditiveProxy("nb201"), method="evolution", seed=3, threads=None)
    again = search("nb201", AdditiveProxy("nb201"), method="evolution", seed=3, threads=None)
    assert (first.arch, first.score, first.evaluations) == (again.arch, again.score, again.evaluations)
    bests = [point["best_score"] for point in first.trajectory]
    assert bests == sorted(bests) and len(bests) == 31
    assert first.arch == str(ALL_CONV3)  # the additive optimum is easy: DE must find it


def test_evolution_scores_each_generation_in_one_proxy_call():
    proxy = AdditiveProxy("nb201")
    search("nb201", proxy, method="evolution", seed=0, settings=EvolutionSettings(8, 5), threads=None)
    assert proxy.calls <= 1 + 5


# -- hybrid and baselines -----------------------------------------------------------------------------
def test_hybrid_returns_the_better_part_and_says_which():
    result = search("nb201", AdditiveProxy("nb201"), method="hybrid", seed=0, settings=EvolutionSettings(4, 1), threads=None)
    pruned, evolved = result.parts["pruning"], result.parts["evolution"]
    assert result.score == max(pruned.score, evolved.score)
    assert result.winner == ("both" if pruned.arch == evolved.arch else "pruning" if pruned.score >= evolved.score else "evolution")
    assert result.winner == "pruning"  # one generation of 4 cannot find the optimum pruning finds
    assert {point["part"] for point in result.trajectory} == {"pruning", "evolution"}
    json.dumps(result.to_dict())


def test_exhaustive_is_the_ceiling_of_every_method():
    ceiling = search("nb201", AdditiveProxy("nb201"), method="exhaustive", threads=None)
    assert ceiling.arch == str(ALL_CONV3) and ceiling.evaluations == N_CELLS
    for method in ("random", "re"):
        options = {"samples": 50} if method == "random" else {"settings": AgingSettings(10, 3, 40)}
        result = search("nb201", AdditiveProxy("nb201"), method=method, seed=1, threads=None, **options)
        assert result.score <= ceiling.score
        again = search("nb201", AdditiveProxy("nb201"), method=method, seed=1, threads=None, **options)
        assert again.arch == result.arch


def test_regularised_evolution_improves_on_its_initial_population():
    result = search("nb201", AdditiveProxy("nb201"), method="re", seed=0, settings=AgingSettings(10, 5, 200), threads=None)
    assert result.score > result.trajectory[0]["best_score"]
    assert result.score == max(point["best_score"] for point in result.trajectory)


def test_evaluator_scores_each_architecture_once():
    proxy = AdditiveProxy("nb201")
    evaluator = Evaluator(proxy, spaces.create("nb201"))
    first = evaluator.scores([ALL_CONV3, ALL_CONV3])
    assert evaluator.evaluations == 1 and first[0] == first[1] == 3.0 * 6
    evaluator.scores([ALL_CONV3])
    assert proxy.calls == 1
    assert math.isinf(evaluator.scores([NB201Cell(("none",) * 6)])[0])


def test_search_rejects_bad_space_method_and_a_proxy_of_another_space():
    with pytest.raises(ValueError, match="unknown search space 'nb999'"):
        search("nb999", AdditiveProxy("nb201"))
    with pytest.raises(Unsupported, match="nb101 space does not provide a supernet"):
        search("nb101", AdditiveProxy("nb101"))
    with pytest.raises(ValueError, match="unknown search method 'annealing'; accepted: hybrid"):
        search("nb201", AdditiveProxy("nb201"), method="annealing")
    with pytest.raises(ValueError, match="scores darts architectures, not nb201"):
        search("nb201", AdditiveProxy("darts"))
    with pytest.raises(Unsupported, match="darts space does not provide enumeration"):
        search("darts", AdditiveProxy("darts"), method="exhaustive")
    assert set(METHODS) == {"hybrid", "pruning", "evolution", "random", "re", "exhaustive"}
