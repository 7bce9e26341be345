"""NB201 cells: string round-trip, NASLib encoding, graph conversion rule, local moves."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgnas import spaces
from tgnas.spaces.nb201 import EDGES, IMAGE_SIZE, N_CELLS, NB201_OPS, NUM_CLASSES, NB201Cell, NB201Space, network_flops, network_params

CIFAR10_TEST_OPTIMUM = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
cells = st.tuples(*[st.sampled_from(NB201_OPS)] * 6).map(NB201Cell)


@given(cells)
@settings(max_examples=200, deadline=None)
def test_string_naslib_and_code_round_trips(cell):
    assert NB201Cell.parse(str(cell)) == cell
    assert NB201Cell.from_naslib_tuple(cell.to_naslib_tuple()) == cell
    assert NB201Cell.from_code(cell.code) == cell


def test_string_order_and_naslib_order_differ_as_documented():
    cell = NB201Cell.parse(CIFAR10_TEST_OPTIMUM)
    # string order 0→1, 0→2, 1→2, 0→3, 1→3, 2→3; NASLib order 0→1, 0→2, 0→3, 1→2, 1→3, 2→3
    assert cell.ops[2] == "nor_conv_3x3" and cell.ops[3] == "skip_connect"
    assert cell.to_naslib_tuple() == (2, 2, 0, 2, 2, 3)
    assert NB201Cell.from_naslib_tuple("(2, 2, 0, 2, 2, 3)") == cell


def test_all_cells_enumerates_the_space_once():
    every = list(NB201Space().all_cells())
    assert len(every) == N_CELLS == 15_625
    assert len(set(every)) == N_CELLS
    assert [c.code for c in every[:3]] == [0, 1, 2]


@pytest.mark.parametrize(
    "text, message",
    [
        ("|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|", r"unknown NB201 op 'conv_5x5'.*accepted: none, skip_connect"),
        ("|none~0|+|none~0|none~1|", r"3 '\+'-separated node groups"),
        ("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", r"bad NB201 edge token 'none~1'"),
        ("|none~0|+|none~0|+|none~0|none~1|none~2|", r"node 2 of an NB201 cell has 2 input edge"),
        ("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", r"must be written \|op~j\|"),
        ("|none0|+|none~0|none~1|+|none~0|none~1|none~2|", r"bad NB201 edge token 'none0'"),
    ],
)
def test_malformed_strings_name_the_bad_token(text, message):
    with pytest.raises(ValueError, match=message):
        NB201Cell.parse(text)


def test_bad_encodings_are_rejected_with_the_accepted_values():
    with pytest.raises(ValueError, match="op code 7 out of range.*0=skip_connect"):
        NB201Cell.from_naslib_tuple((7, 0, 0, 0, 0, 0))
    with pytest.raises(ValueError, match="6 entries"):
        NB201Cell.from_naslib_tuple((0, 0))
    with pytest.raises(ValueError, match="token 'a' in NASLib NB201 tuple"):
        NB201Cell.from_naslib_tuple("(a, b)")
    with pytest.raises(ValueError, match="unknown NB201 op 'conv' on edge 0->1"):
        NB201Cell(("conv", "none", "none", "none", "none", "none"))
    with pytest.raises(ValueError, match="code must be in 0..15624"):
        NB201Cell.from_code(N_CELLS)


def test_graph_of_the_optimum_follows_the_edge_to_node_rule():
    graph = NB201Cell.parse(CIFAR10_TEST_OPTIMUM).to_graph()
    assert graph.ops == ("input", "nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3", "skip_connect", "nor_conv_3x3", "nor_conv_1x1", "output")
    # op node k+1 is edge EDGES[k]; edge i→j feeds every edge j→k, edges into node 3 feed output
    expected = {(0, 1), (0, 2), (0, 4), (1, 3), (1, 5), (2, 6), (3, 6), (4, 7), (5, 7), (6, 7)}
    assert set(graph.edges()) == expected
    assert graph.space == "nb201" and graph.has_path()


def test_none_nodes_are_dropped_and_dead_nodes_pruned_unless_kept():
    cell = NB201Cell.parse("|none~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|none~1|skip_connect~2|")
    graph = cell.to_graph()
    # avg_pool on 1→2 only reads node 1, which receives nothing but none: it is dead
    assert graph.ops == ("input", "nor_conv_3x3", "skip_connect", "output")
    assert graph.edges() == [(0, 1), (1, 2), (2, 3)]
    full = cell.to_graph(keep_none=True)
    assert full.n_nodes == 8 and full.ops.count("none") == 3 and full.n_edges == 10


@given(cells)
@settings(max_examples=200, deadline=None)
def test_graph_path_agrees_with_cell_path(cell):
    graph = cell.to_graph()
    assert graph.has_path() == cell.has_path()
    assert "none" not in graph.ops
    if not cell.has_path():
        assert graph.ops == ("input", "output") and graph.n_edges == 0
    assert cell.to_graph(keep_none=True).n_nodes == len(EDGES) + 2


@given(cells)
@settings(max_examples=100, deadline=None)
def test_neighbours_differ_on_exactly_one_edge(cell):
    space = spaces.create("nb201")
    neighbours = space.neighbours(cell)
    assert len(neighbours) == len(set(neighbours)) == 24
    for other in neighbours:
        assert sum(a != b for a, b in zip(cell.ops, other.ops)) == 1
    mutated = space.mutate(cell, np.random.default_rng(0))
    assert mutated in neighbours


def test_sampling_is_seeded_and_covers_all_ops():
    space = spaces.create("nb201")
    first = [space.sample(np.random.default_rng(3)) for _ in range(2)]
    assert first[0] == first[1]
    rng = np.random.default_rng(0)
    seen = {op for _ in range(200) for op in space.sample(rng).ops}
    assert seen == set(NB201_OPS)


def test_factory_rejects_unknown_space():
    with pytest.raises(ValueError, match="unknown search space 'nb999'; known spaces: nb101, nb201, darts"):
        spaces.create("nb999")


def test_register_refuses_taken_names_and_unregister_only_removes_add_ons():
    with pytest.raises(ValueError, match="search space name 'NB201' is taken"):
        spaces.register("NB201", NB201Space)
    with pytest.raises(ValueError, match="'nb201' is not a registered add-on search space"):
        spaces.unregister("nb201")
    with pytest.raises(ValueError, match="must be callable"):
        spaces.register("other", 42)
    spaces.register("misnamed", NB201Space)  # a factory whose space has another name is caught on use
    try:
        with pytest.raises(ValueError, match="not a SearchSpace named 'misnamed'"):
            spaces.create("misnamed")
    finally:
        spaces.unregister("misnamed")
    assert "misnamed" not in spaces.names() and spaces.names() == spaces.NAMES


# -- the evaluation network: analytic params / FLOPs, graph features, torch network -----------------
@pytest.mark.real_data
def test_analytic_params_and_flops_equal_the_benchmark_table_for_every_cell():
    from tgnas.data.nb201 import load_nb201_table

    table = load_nb201_table()
    archs = list(table.frame["arch_str"])
    space = NB201Space()
    cells = [space.parse(arch) for arch in archs]
    np.testing.assert_array_equal(np.round([space.params(c) for c in cells], 6), table.metric("params_M", archs))
    np.testing.assert_array_equal(np.round([space.flops(c) for c in cells], 6), table.metric("flops_M_nbsz", archs))
    for dataset in ("cifar100", "ImageNet16-120"):  # the formulas' class count and image size are real parameters
        flops = [network_flops(c, NUM_CLASSES[dataset], IMAGE_SIZE[dataset]) / 1e6 for c in cells[:500]]
        np.testing.assert_allclose(flops, table.metric("flops_M_nbsz", archs[:500], dataset), atol=1e-9)
        params = [network_params(c, NUM_CLASSES[dataset]) / 1e6 for c in cells[:500]]
        np.testing.assert_allclose(params, table.metric("params_M", archs[:500], dataset), atol=1e-9)


def test_graph_features_and_source_come_from_the_space():
    space = NB201Space()
    for code in (0, 1234, N_CELLS - 1):
        cell = NB201Cell.from_code(code)
        for graph in (space.to_graph(cell), space.to_graph(cell, keep_none=True)):
            assert graph.source == space.format(cell) and space.parse(graph.source) == cell
            assert dict(graph.features) == {"params_M": space.params(cell), "flops_M": space.flops(cell)}
    full = NB201Cell(("nor_conv_3x3",) * 6)
    assert space.params(full) == pytest.approx(1.531546, abs=1e-12)  # the benchmark's value for this cell
    assert space.params(NB201Cell(("none",) * 6)) == pytest.approx(0.073306, abs=1e-12)


def test_build_network_counts_what_the_formulas_count():
    from tgnas.spaces.nb201_network import count_parameters
    from tgnas.zerocost.counting import count_flops

    space = NB201Space()
    for cell in (NB201Cell.from_code(4321), NB201Cell(("avg_pool_3x3", "nor_conv_1x1", "none", "skip_connect", "nor_conv_3x3", "none"))):
        network = space.build_network(cell)
        assert network.classifier.out_features == 10
        assert count_parameters(network) == network_params(cell)
        assert count_flops(network, (3, 32, 32)) == network_flops(cell)
        assert count_parameters(space.build_network(cell, num_classes=100)) == network_params(cell, 100)


def test_gene_count_matches_decode_genes_and_all_cells_is_a_sequence():
    space = NB201Space()
    assert space.gene_count() == len(EDGES)
    cells = space.all_cells()
    assert len(cells) == N_CELLS and cells[7] == NB201Cell.from_code(7)
    assert space.decode_genes(np.full(6, 0.99)) == NB201Cell(("avg_pool_3x3",) * 6)
