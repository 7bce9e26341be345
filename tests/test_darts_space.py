"""DARTS genotypes: string form, validation, sampling, local moves and the graph conversion rule."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgnas import spaces
from tgnas.spaces.darts import (
    CONCAT,
    DARTS_OPS,
    DARTS_V1,
    DARTS_V2,
    INTERMEDIATE_NODES,
    KNOWN_GENOTYPES,
    SAMPLED_OPS,
    DartsGenotype,
    DartsSpace,
    parse,
    to_graph,
)

# cnn/genotypes.py of the DARTS repository, as printed there (pairs in weight order, not sorted)
DARTS_V2_AS_PRINTED = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
    "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], "
    "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), "
    "('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], "
    "reduce_concat=[2, 3, 4, 5])"
)
DARTS_V1_AS_PRINTED = (
    "Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_3x3', 1), "
    "('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2)], "
    "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), "
    "('max_pool_3x3', 0), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], "
    "reduce_concat=[2, 3, 4, 5])"
)
# canonical form: each node's pairs sorted by input index (normal node 4 and reduce nodes 3, 5 swap)
DARTS_V2_CANONICAL = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
    "('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('dil_conv_3x3', 2)], "
    "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 1), "
    "('skip_connect', 2), ('max_pool_3x3', 0), ('skip_connect', 2), ('max_pool_3x3', 1), ('skip_connect', 2)], "
    "reduce_concat=[2, 3, 4, 5])"
)


@st.composite
def cell_edges(draw, ops=DARTS_OPS):
    edges = []
    for node in INTERMEDIATE_NODES:
        first, second = draw(st.lists(st.integers(0, node - 1), min_size=2, max_size=2, unique=True))
        edges += [(draw(st.sampled_from(ops)), first), (draw(st.sampled_from(ops)), second)]
    return tuple(edges)


concats = st.lists(st.sampled_from(INTERMEDIATE_NODES), min_size=1, max_size=4, unique=True)
# the whole genotype domain: `none` allowed, any concat subset, pairs in any order
genotypes = st.builds(DartsGenotype, cell_edges(), cell_edges(), concats, concats)
# what DartsSpace produces: no `none`, concat 2..5
plain_genotypes = st.builds(DartsGenotype, cell_edges(SAMPLED_OPS), cell_edges(SAMPLED_OPS))


def _pair_sets(genotype: DartsGenotype) -> list[frozenset]:
    return [frozenset(genotype.edges(cell)[2 * i : 2 * i + 2]) for cell in ("normal", "reduce") for i in range(4)]


def _distance(a: DartsGenotype, b: DartsGenotype) -> int:
    """Number of (op, input) pairs of ``a`` that ``b`` replaced (concat ignored)."""
    return sum(len(x - y) for x, y in zip(_pair_sets(a), _pair_sets(b)))


# -- string form ----------------------------------------------------------------------------------
@given(genotypes)
@settings(max_examples=200, deadline=None)
def test_string_round_trip_is_canonical(genotype):
    text = str(genotype)
    assert parse(text) == genotype
    assert str(parse(text)) == text
    assert DartsSpace().format(DartsSpace().parse(text)) == text


@given(genotypes, st.data())
@settings(max_examples=100, deadline=None)
def test_pair_order_within_a_node_does_not_matter(genotype, data):
    node = data.draw(st.integers(0, 3))
    swapped = list(genotype.normal)
    swapped[2 * node], swapped[2 * node + 1] = swapped[2 * node + 1], swapped[2 * node]
    other = DartsGenotype(swapped, genotype.reduce, genotype.normal_concat, genotype.reduce_concat)
    assert other == genotype and hash(other) == hash(genotype) and str(other) == str(genotype)


def test_published_genotypes_parse_from_the_darts_repository_strings():
    assert parse(DARTS_V2_AS_PRINTED) == DARTS_V2
    assert parse(DARTS_V1_AS_PRINTED) == DARTS_V1
    assert str(DARTS_V2) == DARTS_V2_CANONICAL
    assert DARTS_V1 != DARTS_V2
    assert KNOWN_GENOTYPES == {"DARTS_V1": DARTS_V1, "DARTS_V2": DARTS_V2}


def test_parse_tolerates_whitespace_double_quotes_and_range_concat():
    printed_by_search = DARTS_V2_AS_PRINTED.replace("[2, 3, 4, 5]", "range(2, 6)")
    assert parse(printed_by_search) == DARTS_V2
    assert parse(DARTS_V2_AS_PRINTED.replace("'", '"')) == DARTS_V2
    spread = DARTS_V2_AS_PRINTED.replace(", ", " ,\n\t ").replace("=", " = ").replace("(", "( ")
    assert parse("\n  " + spread + "  \n") == DARTS_V2
    assert parse(printed_by_search.replace("range(2, 6)", "range(4,6)")).normal_concat == (4, 5)


def test_known_names_parse_case_insensitively():
    assert parse("DARTS_V2") is DARTS_V2
    assert parse("  darts_v1 ") is DARTS_V1
    assert DartsGenotype.parse("DARTS_V2") is DARTS_V2


def test_none_is_accepted_in_a_genotype():
    text = DARTS_V2_AS_PRINTED.replace("('dil_conv_3x3', 2)", "('none', 2)")
    genotype = parse(text)
    assert ("none", 2) in genotype.normal
    assert parse(str(genotype)) == genotype


@pytest.mark.parametrize(
    "text, message",
    [
        (
            DARTS_V2_AS_PRINTED.replace("dil_conv_3x3", "conv_7x7"),
            r"unknown DARTS op 'conv_7x7'.*accepted: none, max_pool_3x3, avg_pool_3x3",
        ),
        (
            DARTS_V2_AS_PRINTED.replace("[('sep_conv_3x3', 0), ('sep_conv_3x3', 1),", "[('sep_conv_3x3', 0), ('sep_conv_3x3', 2),", 1),
            r"input 2 of normal-cell node 2 is out of range; node 2 reads one of 0\.\.1",
        ),
        (
            DARTS_V2_AS_PRINTED.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 5)"),
            r"input 5 of normal-cell node 5 is out of range; node 5 reads one of 0\.\.4",
        ),
        (DARTS_V2_AS_PRINTED.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', -1)"), r"input -1 of normal-cell node 5"),
        (
            DARTS_V2_AS_PRINTED.replace("('max_pool_3x3', 0), ('max_pool_3x3', 1), ", "", 1),
            r"the reduce cell has 6 edges; a DARTS cell has exactly 8",
        ),
        (
            DARTS_V2_AS_PRINTED.replace("[('max_pool_3x3', 0),", "[('max_pool_3x3', 0), ('max_pool_3x3', 1),", 1),
            r"the reduce cell has 9 edges",
        ),
        (
            DARTS_V2_AS_PRINTED.replace("normal_concat=[2, 3, 4, 5]", "normal_concat=[2, 6]"),
            r"normal_concat names node 6; accepted: intermediate nodes \[2, 3, 4, 5\]",
        ),
        (DARTS_V2_AS_PRINTED.replace("reduce_concat=[2, 3, 4, 5]", "reduce_concat=range(0, 6)"), r"reduce_concat names node 0"),
        (DARTS_V2_AS_PRINTED.replace("reduce_concat=[2, 3, 4, 5]", "reduce_concat=[]"), r"reduce_concat is empty"),
        (DARTS_V2_AS_PRINTED.replace("reduce_concat=[2, 3, 4, 5]", "reduce_concat=[2, 2]"), r"names a node twice"),
        (
            DARTS_V2_AS_PRINTED.replace("('dil_conv_3x3', 2)", "(dil_conv_3x3, 2)"),
            r"expected a quoted op name at position \d+, found 'dil_conv_3x3'",
        ),
        (DARTS_V2_AS_PRINTED.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 2.0)"), r"unexpected character '\.' at position"),
        (
            DARTS_V2_AS_PRINTED.replace("('dil_conv_3x3', 2)]", "('dil_conv_3x3', 2)"),
            r"expected '\(' opening an \(op, input\) pair at position \d+, found 'normal_concat'",
        ),
        (DARTS_V2_AS_PRINTED + " extra", r"expected end of text after the closing '\)'.*found 'extra'"),
        (
            DARTS_V2_AS_PRINTED.replace("reduce_concat=", "reduce_cat="),
            r"unknown field 'reduce_cat'.*accepted: normal, normal_concat, reduce, reduce_concat",
        ),
        (DARTS_V2_AS_PRINTED.replace("reduce_concat=", "normal_concat="), r"field 'normal_concat' given twice"),
        (DARTS_V2_AS_PRINTED.replace(", reduce_concat=[2, 3, 4, 5]", ""), r"missing field\(s\) reduce_concat"),
        (DARTS_V2_AS_PRINTED.replace("Genotype(", "Genotyp("), r"unexpected character|expected 'Genotype\('"),
        (DARTS_V2_AS_PRINTED[:60], r"expected .* found end of text"),
        ("DARTS_V3", r"unknown DARTS genotype name 'DARTS_V3'; known names: DARTS_V1, DARTS_V2"),
        ("", r"expected 'Genotype\(' at position 0, found end of text"),
        ("Genotype(normal=[('sep_conv_3x3', 0)] @", r"unexpected character '@' at position 38"),
    ],
)
def test_bad_strings_name_the_bad_token(text, message):
    with pytest.raises(ValueError, match=message):
        parse(text)


def test_parse_rejects_non_strings():
    with pytest.raises(ValueError, match="must be a str, got int"):
        parse(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "normal, message",
    [
        ("sep_conv_3x3", r"normal cell must be a sequence of \(op, input\) pairs"),
        ([("sep_conv_3x3", 0, 1)] + list(DARTS_V2.normal[1:]), r"edge 0 of the normal cell must be an \(op, input\) pair"),
        ([("sep_conv_3x3", True)] + list(DARTS_V2.normal[1:]), r"input True of normal-cell node 2 is out of range"),
        ([("sep_conv_3x3", "0")] + list(DARTS_V2.normal[1:]), r"input '0' of normal-cell node 2 is out of range"),
    ],
)
def test_constructor_rejects_malformed_cells(normal, message):
    with pytest.raises(ValueError, match=message):
        DartsGenotype(normal, DARTS_V2.reduce)


def test_constructor_accepts_lists_and_numpy_integers():
    normal = [[op, np.int64(source)] for op, source in DARTS_V2.normal]
    genotype = DartsGenotype(normal, list(DARTS_V2.reduce), range(2, 6), [5, 4, 3, 2])
    assert genotype == DARTS_V2
    assert type(genotype.normal[0][1]) is int
    with pytest.raises(ValueError, match="normal_concat must be a list of intermediate nodes"):
        DartsGenotype(DARTS_V2.normal, DARTS_V2.reduce, "2345")


@given(st.sampled_from([DARTS_V1_AS_PRINTED, DARTS_V2_AS_PRINTED]), st.data())
@settings(max_examples=200, deadline=None)
def test_corrupted_strings_give_a_genotype_or_a_value_error(text, data):
    position = data.draw(st.integers(0, len(text) - 1))
    insert = data.draw(st.sampled_from(["", "(", ")", "[", "]", ",", "'", "x", "7", "="]))
    corrupted = text[:position] + insert + text[position + 1 :]
    try:
        genotype = parse(corrupted)
    except ValueError:
        return
    assert parse(str(genotype)) == genotype  # whatever survives the corruption is a well-formed genotype
    assert len(genotype.normal) == len(genotype.reduce) == 8


# -- sampling and local moves ---------------------------------------------------------------------
def test_space_is_registered():
    space = spaces.create("darts")
    assert isinstance(space, DartsSpace)
    assert space.name == "darts" and space.ops == DARTS_OPS
    assert DARTS_OPS[0] == "none" and DARTS_OPS[1:] == SAMPLED_OPS


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=100, deadline=None)
def test_sample_is_valid_reproducible_and_never_none(seed):
    space = DartsSpace()
    genotype = space.sample(seed)
    assert genotype == space.sample(seed)
    assert parse(str(genotype)) == genotype
    assert genotype.normal_concat == genotype.reduce_concat == (2, 3, 4, 5)
    for cell in ("normal", "reduce"):
        assert all(op in SAMPLED_OPS for op, _ in genotype.edges(cell))


def test_sample_covers_every_op_and_input_pair():
    space = DartsSpace()
    rng = np.random.default_rng(7)
    draws = [space.sample(rng) for _ in range(500)]
    assert len(set(draws)) == len(draws)
    ops = {op for g in draws for cell in ("normal", "reduce") for op, _ in g.edges(cell)}
    assert ops == set(SAMPLED_OPS)
    node5_pairs = {(g.reduce[6][1], g.reduce[7][1]) for g in draws}
    assert len(node5_pairs) == 10  # all C(5, 2) input pairs of node 5
    assert {(g.normal[0][1], g.normal[1][1]) for g in draws} == {(0, 1)}


@given(plain_genotypes)
@settings(max_examples=100, deadline=None)
def test_neighbours_are_all_single_moves_and_nothing_else(genotype):
    space = DartsSpace()
    found = space.neighbours(genotype)
    assert len(found) == len(set(found)) == 120
    assert genotype not in found
    assert all(_distance(genotype, other) == 1 for other in found)
    # brute force: every op change or input change of one pair that is still a valid genotype
    expected = set()
    for cell in ("normal", "reduce"):
        for position in range(8):
            old_op, old_source = genotype.edges(cell)[position]
            for op in SAMPLED_OPS:
                for source in range(INTERMEDIATE_NODES[position // 2]):
                    if (op == old_op) == (source == old_source):  # exactly one of the two changes
                        continue
                    if source != old_source and source == genotype.edges(cell)[position ^ 1][1]:
                        continue  # neighbours never make a node read one input twice (as sampling)
                    edges = list(genotype.edges(cell))
                    edges[position] = (op, source)
                    try:
                        other = DartsGenotype(
                            edges if cell == "normal" else genotype.normal,
                            edges if cell == "reduce" else genotype.reduce,
                        )
                    except ValueError:
                        continue
                    if other != genotype:
                        expected.add(other)
    assert set(found) == expected


# a node that reads the same input twice: valid in the DARTS network and in published random cells
REPEATED = DARTS_V2_AS_PRINTED.replace(
    "('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0)", "('sep_conv_3x3', 1), ('skip_connect', 1), ('sep_conv_3x3', 0)", 1
)


def test_a_node_may_read_one_input_twice():
    genotype = parse(REPEATED)
    assert genotype.normal[:2] == (("skip_connect", 1), ("sep_conv_3x3", 1))  # same input: by op, DARTS order
    assert parse(str(genotype)) == genotype
    swapped = REPEATED.replace("('sep_conv_3x3', 1), ('skip_connect', 1)", "('skip_connect', 1), ('sep_conv_3x3', 1)", 1)
    assert parse(swapped) == genotype and hash(parse(swapped)) == hash(genotype)  # canonical: by input, then op
    graph = to_graph(genotype, cell="normal")
    # both operator nodes of node 2 read input 1 (c_{k-1}) only, and both feed what reads node 2
    assert graph.adjacency[1, 2] and graph.adjacency[1, 3] and not graph.adjacency[0, 2] and not graph.adjacency[0, 3]
    assert graph.source == str(genotype) and graph.has_path()


def test_neighbours_of_a_repeated_input_node_are_valid_single_moves():
    genotype = parse(REPEATED)
    found = DartsSpace().neighbours(genotype)
    assert genotype not in found and len(found) == len(set(found))
    assert all(_distance(genotype, other) == 1 for other in found)
    # rewiring one edge of the repeated node gives it two distinct inputs: 2 edges x 1 other input
    rewired = [
        other
        for other in found
        if other.normal[:2] != genotype.normal[:2] and {op for op, _ in other.normal[:2]} == {"sep_conv_3x3", "skip_connect"}
    ]
    assert {tuple(source for _, source in other.normal[:2]) for other in rewired} == {(0, 1)}
    assert DartsSpace().mutate(genotype, 0) in found


def test_sampling_and_gene_decoding_keep_the_inputs_of_a_node_distinct():
    space = DartsSpace()
    for seed in range(50):
        for genotype in (space.sample(seed), space.decode_genes(np.random.default_rng(seed).random(24))):
            for cell in ("normal", "reduce"):
                edges = genotype.edges(cell)
                assert all(edges[i][1] != edges[i + 1][1] for i in range(0, 8, 2))


def test_neighbours_replace_none_but_never_introduce_it():
    genotype = parse(DARTS_V2_AS_PRINTED.replace("('dil_conv_3x3', 2)", "('none', 2)"))
    found = DartsSpace().neighbours(genotype)
    assert len(found) == 121  # the none edge has 7 alternative ops instead of 6
    assert all(sum(op == "none" for op, _ in other.normal) <= 1 for other in found)
    assert sum(all(op != "none" for op, _ in other.normal) for other in found) == 7


def test_mutate_returns_a_reproducible_neighbour():
    space = DartsSpace()
    child = space.mutate(DARTS_V2, 3)
    assert child == space.mutate(DARTS_V2, 3)
    assert child in space.neighbours(DARTS_V2)


# -- graph conversion -----------------------------------------------------------------------------
def test_darts_v2_normal_cell_graph_golden():
    graph = to_graph(DARTS_V2, cell="normal")
    assert graph.ops == (
        "input",
        "input",
        "sep_conv_3x3",
        "sep_conv_3x3",  # node 2 <- 0, 1
        "sep_conv_3x3",
        "sep_conv_3x3",  # node 3 <- 0, 1
        "skip_connect",
        "sep_conv_3x3",  # node 4 <- 0, 1
        "skip_connect",
        "dil_conv_3x3",  # node 5 <- 0, 2
        "output",
    )
    flow = [(0, 2), (1, 3), (0, 4), (1, 5), (0, 6), (1, 7), (0, 8), (2, 9), (3, 9)]
    into_output = [(i, 10) for i in range(2, 10)]
    assert sorted(graph.edges()) == sorted(flow + into_output)
    assert graph.space == "darts"


def test_darts_v2_chained_graph_golden():
    graph = DartsSpace().to_graph(DARTS_V2)  # default: both cells
    assert graph.n_nodes == 20
    assert graph.ops[10] == CONCAT and graph.ops.count("output") == 1 and graph.ops.count(CONCAT) == 1
    assert graph.input_nodes == (0, 1)
    reduce_flow = [
        (10, 11),
        (10, 12),  # node 2 <- 0, 1 (both are the normal cell's concat)
        (10, 13),
        (11, 14),
        (12, 14),  # node 3 <- 1, 2
        (10, 15),
        (11, 16),
        (12, 16),  # node 4 <- 0, 2
        (10, 17),
        (11, 18),
        (12, 18),  # node 5 <- 1, 2
    ]
    reduce_edges = sorted(edge for edge in graph.edges() if edge[0] >= 10)
    assert reduce_edges == sorted(reduce_flow + [(i, 19) for i in range(11, 19)])
    normal_part = to_graph(DARTS_V2, cell="normal")
    assert np.array_equal(graph.adjacency[:11, :11], normal_part.adjacency)


@given(genotypes)
@settings(max_examples=100, deadline=None)
def test_fixed_form_graph_invariants(genotype):
    for cell in ("normal", "reduce"):
        graph = to_graph(genotype, cell=cell, keep_none=True)
        edges, concat = genotype.edges(cell), genotype.concat(cell)
        assert graph.n_nodes == 11 and graph.ops[2:10] == tuple(op for op, _ in edges)
        assert graph.has_path()
        in_degree = graph.adjacency.sum(axis=0)
        assert list(in_degree[2:10]) == [1 if source < 2 else 2 for _, source in edges]
        assert in_degree[10] == 2 * len(concat)
    both = to_graph(genotype, cell="both", keep_none=True)
    assert both.n_nodes == 20 and both.has_path()
    assert both.adjacency[:2, 11:].sum() == 0  # the reduction cell only reads the concat node


@given(plain_genotypes)
@settings(max_examples=100, deadline=None)
def test_plain_genotypes_have_eight_op_nodes_per_cell_and_nothing_pruned(genotype):
    for cell in ("normal", "reduce", "both"):
        assert to_graph(genotype, cell=cell) == to_graph(genotype, cell=cell, keep_none=True)
    graph = to_graph(genotype)
    assert sum(op in SAMPLED_OPS for op in graph.ops) == 16
    assert graph.pruned() == graph


def test_none_nodes_are_dropped_and_dead_nodes_pruned_by_default():
    genotype = parse(DARTS_V2_AS_PRINTED.replace("('dil_conv_3x3', 2)", "('none', 2)"))
    graph = to_graph(genotype, cell="normal")
    assert "none" not in graph.ops and graph.n_nodes == 10
    assert to_graph(genotype, cell="normal", keep_none=True).ops[9] == "none"
    only_node_5 = DartsGenotype(DARTS_V2.normal, DARTS_V2.reduce, normal_concat=[5])
    pruned = to_graph(only_node_5, cell="normal")
    # node 5 reads 0 and 2, so node 3 and 4 (4 op nodes) are dead
    assert pruned.ops == ("input", "input", "sep_conv_3x3", "sep_conv_3x3", "skip_connect", "dil_conv_3x3", "output")


def test_unknown_cell_choice_is_rejected():
    with pytest.raises(ValueError, match="unknown DARTS cell choice 'cells'; accepted: normal, reduce, both"):
        to_graph(DARTS_V2, cell="cells")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown DARTS cell 'both'; accepted: normal, reduce"):
        DARTS_V2.edges("both")
