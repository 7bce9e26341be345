"""NB101 cells and space: validation, pruning, the official hash, encodings, sampling, neighbours."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tgnas.data.paths import data_file
from tgnas.spaces import create
from tgnas.spaces.graph import ArchGraph
from tgnas.spaces.nb101 import MAX_EDGES, MAX_NODES, NB101_OPS, NB101Cell, NB101Space

C3, C1, MP = NB101_OPS
SPACE = NB101Space()

# One record of the official benchmark (nb101_dummy_30.json), kept inline so the golden hash is
# checked even without the data directory.
OFFICIAL_HASH = "ff92c322c5d9d3d587d9c146a63d0807"
OFFICIAL_MATRIX = [
    [0, 1, 0, 1, 0, 0, 0],
    [0, 0, 1, 1, 1, 0, 0],
    [0, 0, 0, 1, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 0],
]
OFFICIAL_OPS = ("input", C3, C1, C1, C3, C1, "output")


@st.composite
def cells(draw) -> NB101Cell:
    """Any valid cell: random size, random upper-triangular matrix, random ops (invalid ones rejected)."""
    n = draw(st.integers(2, MAX_NODES))
    bits = draw(st.lists(st.booleans(), min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2))
    matrix = np.zeros((n, n), dtype=np.uint8)
    matrix[np.triu_indices(n, k=1)] = bits
    interior = draw(st.lists(st.sampled_from(NB101_OPS), min_size=n - 2, max_size=n - 2))
    try:
        return NB101Cell(matrix, ("input", *interior, "output"))
    except ValueError:
        assume(False)
        raise  # unreachable: assume(False) rejects the example


def random_topological_relabel(cell: NB101Cell, priorities: list[int]) -> NB101Cell:
    """The same graph with the nodes renumbered in another topological order (ties broken by ``priorities``)."""
    n = cell.n_nodes
    in_degree = cell.matrix.sum(axis=0).astype(int)
    order: list[int] = []
    ready = [v for v in range(n) if in_degree[v] == 0]
    while ready:
        ready.sort(key=lambda v: priorities[v])
        node = ready.pop(0)
        order.append(node)
        for w in np.flatnonzero(cell.matrix[node]):
            in_degree[w] -= 1
            if in_degree[w] == 0:
                ready.append(int(w))
    assert order[0] == 0 and order[-1] == n - 1  # pruned cells: input is the only source, output the only sink
    return NB101Cell(cell.matrix[np.ix_(order, order)], tuple(cell.ops[i] for i in order))


# -- construction, pruning, identity -------------------------------------------------------------
def test_cell_stores_a_read_only_uint8_matrix_and_ops():
    cell = NB101Cell([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", C3, "output"])
    assert cell.matrix.dtype == np.uint8 and not cell.matrix.flags.writeable
    assert cell.ops == ("input", C3, "output")
    assert (cell.n_nodes, cell.n_edges) == (3, 2)


def test_pickle_round_trip_keeps_the_matrix_read_only():
    cell = NB101Cell(OFFICIAL_MATRIX, OFFICIAL_OPS)
    copy = pickle.loads(pickle.dumps(cell))
    assert copy == cell and not copy.matrix.flags.writeable and copy.graph_hash() == OFFICIAL_HASH


def test_dead_nodes_are_pruned_and_equivalent_specs_collide():
    # node 2 (maxpool) has no outgoing edge, so it is not on an input→output path
    full = NB101Cell([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]], ("input", C3, MP, "output"))
    small = NB101Cell([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ("input", C3, "output"))
    assert full == small and hash(full) == hash(small)
    assert full.matrix.shape == (3, 3) and full.ops == ("input", C3, "output")
    assert full.graph_hash() == small.graph_hash()


def test_edge_limit_counts_the_pruned_cell_like_the_official_api():
    # 10 edges, but nodes 4 and 5 are dead ends: the pruned cell keeps 4 edges
    matrix = np.zeros((7, 7), dtype=np.uint8)
    for i, j in [(0, 1), (1, 2), (2, 3), (3, 6), (0, 4), (4, 5), (0, 5), (1, 5), (2, 5), (3, 5)]:
        matrix[i, j] = 1
    assert matrix.sum() == 10
    cell = NB101Cell(matrix, ("input", C3, C1, MP, C3, C3, "output"))
    assert (cell.n_nodes, cell.n_edges) == (5, 4)


def test_equality_is_exact_but_isomorphic_cells_share_the_graph_hash():
    a = NB101Cell.parse("0110/0001/0001/0000|input,conv3x3-bn-relu,maxpool3x3,output")
    b = NB101Cell.parse("0110/0001/0001/0000|input,maxpool3x3,conv3x3-bn-relu,output")
    assert a != b and a.graph_hash() == b.graph_hash()
    c = NB101Cell.parse("0110/0001/0001/0000|input,maxpool3x3,conv1x1-bn-relu,output")
    assert c.graph_hash() != a.graph_hash()
    assert a != "not a cell"


# -- the official hash ---------------------------------------------------------------------------
def test_graph_hash_reproduces_an_official_key():
    assert NB101Cell(OFFICIAL_MATRIX, OFFICIAL_OPS).graph_hash() == OFFICIAL_HASH


@pytest.mark.real_data
def test_graph_hash_reproduces_all_30_official_keys():
    records = json.loads(data_file("nb101/nb101_dummy_30.json").read_text())
    assert len(records) == 30
    for key, record in records.items():
        cell = NB101Cell(record["module_adjacency"], record["module_operations"])
        assert cell.graph_hash() == key


@settings(max_examples=150, deadline=None)
@given(cell=cells(), data=st.data())
def test_graph_hash_is_invariant_under_topological_renumbering(cell, data):
    priorities = data.draw(st.permutations(range(cell.n_nodes)))
    relabelled = random_topological_relabel(cell, list(priorities))
    assert relabelled.graph_hash() == cell.graph_hash()
    assert sorted(relabelled.ops) == sorted(cell.ops) and relabelled.n_edges == cell.n_edges


# -- string form ---------------------------------------------------------------------------------
def test_string_form_is_rows_then_ops():
    cell = NB101Cell([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]], ("input", C3, MP, "output"))
    assert str(cell) == "0110/0001/0001/0000|input,conv3x3-bn-relu,maxpool3x3,output"
    assert SPACE.format(cell) == str(cell)
    assert repr(cell) == f"NB101Cell({str(cell)!r})"
    assert NB101Cell.parse("  " + str(cell) + "\n") == cell


def test_parse_prunes_an_unpruned_spec():
    assert str(NB101Cell.parse("0110/0001/0000/0000|input,conv3x3-bn-relu,maxpool3x3,output")) == (
        "010/001/000|input,conv3x3-bn-relu,output"
    )


@settings(max_examples=200, deadline=None)
@given(cell=cells())
def test_parse_format_round_trip(cell):
    text = SPACE.format(cell)
    assert SPACE.parse(text) == cell
    assert SPACE.format(SPACE.parse(text)) == text


@pytest.mark.parametrize(
    "text, message",
    [
        ("010/001/000", r"exactly one '\|'"),
        ("01/00|input|output", r"exactly one '\|'"),
        ("010/0a1/000|input,conv3x3-bn-relu,output", r"row 1 '0a1' .* has character 'a'; accepted: digits 0 and 1"),
        ("010//000|input,conv3x3-bn-relu,output", r"row 1 '' .* has nothing; accepted: digits 0 and 1"),
        ("010/01/000|input,conv3x3-bn-relu,output", r"row 1 '01' .* has 2 entries but there are 3 rows"),
        ("010/001/000|input,conv5x5,output", r"op 'conv5x5' at node 1 .* accepted: input, conv3x3-bn-relu"),
        ("010/001/000|input,,output", r"op '' at node 1"),
        ("010/001/000|input, conv3x3-bn-relu,output", r"op ' conv3x3-bn-relu' at node 1"),
        ("010/001/000|input,output", r"2 ops for a 3×3 adjacency matrix"),
        ("010/001/100|input,conv3x3-bn-relu,output", r"backward edge 2->0"),
    ],
)
def test_parse_names_the_bad_token(text, message):
    with pytest.raises(ValueError, match=message):
        NB101Cell.parse(text)


def test_parse_rejects_non_strings():
    with pytest.raises(ValueError, match="must be a str, got int"):
        SPACE.parse(42)


# -- validation errors ---------------------------------------------------------------------------
CHAIN = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]


@pytest.mark.parametrize(
    "matrix, ops, message",
    [
        ([[0, 1, 0], [0, 0, 1], [0, 1, 0]], ("input", C3, "output"), r"backward edge 2->1; accepted: only edges i->j with i < j"),
        ([[0, 1, 0], [0, 1, 1], [0, 0, 0]], ("input", C3, "output"), r"self-loop 1->1"),
        (np.triu(np.ones((7, 7), dtype=int), 1), ("input", C3, C3, C3, C3, C3, "output"), r"21 edges after pruning; accepted: at most 9"),
        (np.triu(np.ones((8, 8), dtype=int), 1), ("input", *[C3] * 6, "output"), r"8 nodes; accepted: 2 to 7 nodes"),
        ([[0]], ("input",), r"1 node; accepted: 2 to 7 nodes"),
        ([[0, "1"], [0, 0]], ("input", "output"), r"must hold the numbers 0 and 1, got an array of dtype <U"),
        (
            [[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]],
            ("input", C3, "conv5x5", "output"),
            r"op 'conv5x5' at node 2 is not an NB101 op; accepted: conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3",
        ),
        (CHAIN, ("input", "input", "output"), r"op 'input' at node 1 is not an NB101 op"),
        (CHAIN, (C3, C3, "output"), r"first op of an NB101 cell must be 'input', got 'conv3x3-bn-relu'"),
        (CHAIN, ("input", C3, C1), r"last op of an NB101 cell must be 'output', got 'conv1x1-bn-relu'"),
        ([[0, 1, 0], [0, 0, 0], [0, 0, 0]], ("input", C3, "output"), r"no path from input to output"),
        ([[0, 2, 0], [0, 0, 1], [0, 0, 0]], ("input", C3, "output"), r"entry 2 at row 0, column 1; accepted: 0 or 1"),
        ([[0, 1, 0], [0, 0, 1]], ("input", C3, "output"), r"square n×n matrix, got shape \(2, 3\)"),
        ([[0, 1], [0, 0, 1], [0]], ("input", C3, "output"), r"square n×n matrix"),
        (CHAIN, ("input", "output"), r"2 ops for a 3×3 adjacency matrix; need one op per node"),
        (CHAIN, "input,conv3x3-bn-relu,output", r"ops must be a sequence of op names"),
        (CHAIN, None, r"ops must be a sequence of op names, got None"),
        (CHAIN, ("input", 3, "output"), r"ops must be a sequence of op names"),
    ],
)
def test_invalid_cells_raise_naming_the_rule(matrix, ops, message):
    with pytest.raises(ValueError, match=message):
        NB101Cell(matrix, ops)


# -- NASLib tuple --------------------------------------------------------------------------------
def test_naslib_tuple_of_an_unpruned_spec():
    # the first key of NASLib's zc_nasbench101.json: 12 edges in the 7×7 spec, node 5 is a dead end
    key = (
        "(0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, "
        "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 4, 4, 4, 1)"
    )
    cell = NB101Cell.from_naslib_tuple(key)
    assert str(cell) == ("011111/000001/000001/000010/000001/000000|input,maxpool3x3,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu,output")
    assert cell.to_naslib_tuple() == (0, 1, 1, 1, 1, 1, *[0] * 5, 1, *[0] * 5, 1, *[0] * 4, 1, 0, *[0] * 5, 1, *[0] * 6, 0, 2, 2, 4, 4, 1)


@settings(max_examples=150, deadline=None)
@given(cell=cells())
def test_naslib_tuple_round_trip(cell):
    codes = cell.to_naslib_tuple()
    assert len(codes) == cell.n_nodes**2 + cell.n_nodes
    assert NB101Cell.from_naslib_tuple(codes) == cell
    assert NB101Cell.from_naslib_tuple(str(codes)) == cell


@pytest.mark.parametrize(
    "values, message",
    [
        ((0, 1, 0, 0, 0), r"length 5; accepted lengths: 6, 12, 20, 30, 42, 56"),
        ((0, 1, 0, 0, 0, 5), r"op code 5 at node 1; accepted: 0=input, 1=output, 2=maxpool3x3"),
        ("(0, 1, 0, x, 0, 1)", r"token 'x' .* is not an integer"),
        ((0, 1, 0, 0, 0, 1.5), r"entry 1.5 .* is not an integer"),
        ((0, 1, 0, 0, 1, 0), r"first op of an NB101 cell must be 'input', got 'output'"),
    ],
)
def test_naslib_tuple_errors(values, message):
    with pytest.raises(ValueError, match=message):
        NB101Cell.from_naslib_tuple(values)


# -- graph view ----------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(cell=cells())
def test_to_graph_invariants(cell):
    graph = SPACE.to_graph(cell)
    assert isinstance(graph, ArchGraph) and graph.space == "nb101"
    assert graph.ops == cell.ops and np.array_equal(graph.adjacency, cell.matrix)
    assert graph.has_path() and graph.pruned() == graph
    assert 2 <= graph.n_nodes <= MAX_NODES and graph.n_edges <= MAX_EDGES
    assert graph.source == SPACE.format(cell) and SPACE.parse(graph.source) == cell
    assert dict(graph.features) == {"params_M": SPACE.params(cell)} and graph.features["params_M"] > 0


# -- the space -----------------------------------------------------------------------------------
def test_factory_creates_the_space():
    space = create("nb101")
    assert isinstance(space, NB101Space) and space.name == "nb101" and space.ops == NB101_OPS


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_samples_are_valid_pruned_cells_and_reproducible(seed):
    cell = SPACE.sample(seed)
    assert NB101Cell(cell.matrix, cell.ops) == cell  # already pruned and valid
    assert cell.n_edges <= MAX_EDGES and cell.n_nodes <= MAX_NODES
    assert SPACE.sample(seed) == cell


def test_samples_vary():
    rng = np.random.default_rng(0)
    hashes = {SPACE.sample(rng).graph_hash() for _ in range(100)}
    assert len(hashes) > 50


def test_neighbours_of_the_smallest_cell_insert_one_node():
    smallest = NB101Cell.parse("01/00|input,output")
    expected = {NB101Cell.parse(f"011/001/000|input,{op},output").graph_hash() for op in NB101_OPS}
    assert {cell.graph_hash() for cell in SPACE.neighbours(smallest)} == expected


def test_neighbours_of_a_chain_cover_op_changes_edge_flips_and_insertions():
    chain = NB101Cell.parse("010/001/000|input,conv3x3-bn-relu,output")
    expected = [f"010/001/000|input,{op},output" for op in (C1, MP)]  # op changes
    expected.append("011/001/000|input,conv3x3-bn-relu,output")  # edge 0->2 added
    for op in NB101_OPS:  # a new node before the conv, after it, or beside it
        expected.append(f"0110/0010/0001/0000|input,{op},conv3x3-bn-relu,output")
        expected.append(f"0100/0011/0001/0000|input,conv3x3-bn-relu,{op},output")
        expected.append(f"0110/0001/0001/0000|input,{op},conv3x3-bn-relu,output")
    neighbours = SPACE.neighbours(chain)
    assert len(neighbours) == len(expected) == 12
    assert {cell.graph_hash() for cell in neighbours} == {NB101Cell.parse(text).graph_hash() for text in expected}


def test_neighbours_of_a_cell_at_both_limits_only_change_ops_or_remove_edges():
    cell = NB101Cell(OFFICIAL_MATRIX, OFFICIAL_OPS)
    assert (cell.n_nodes, cell.n_edges) == (MAX_NODES, MAX_EDGES)
    neighbours = SPACE.neighbours(cell)
    assert all(n.n_edges <= MAX_EDGES for n in neighbours)
    same_size = [n for n in neighbours if n.n_edges == MAX_EDGES]
    assert same_size and all(np.array_equal(n.matrix, cell.matrix) for n in same_size)  # op changes
    assert any(n.n_nodes < MAX_NODES for n in neighbours)  # an edge removal that pruned a node


@settings(max_examples=60, deadline=None)
@given(cell=cells())
def test_neighbours_are_valid_distinct_and_differ_from_the_cell(cell):
    neighbours = SPACE.neighbours(cell)
    hashes = [n.graph_hash() for n in neighbours]
    assert len(set(hashes)) == len(hashes)
    assert cell.graph_hash() not in hashes
    for neighbour in neighbours:
        assert NB101Cell(neighbour.matrix, neighbour.ops) == neighbour
    # every other operator at every interior node is one move away
    for node in range(1, cell.n_nodes - 1):
        for op in NB101_OPS:
            if op != cell.ops[node]:
                changed = NB101Cell(cell.matrix, (*cell.ops[:node], op, *cell.ops[node + 1 :]))
                assert changed.graph_hash() == cell.graph_hash() or changed.graph_hash() in hashes


def test_mutate_returns_a_neighbour():
    cell = SPACE.sample(3)
    hashes = {n.graph_hash() for n in SPACE.neighbours(cell)}
    for seed in range(10):
        assert SPACE.mutate(cell, seed).graph_hash() in hashes


def test_space_methods_reject_other_types():
    with pytest.raises(ValueError, match=r"expected a parsed nb101 architecture \(NB101Cell\), got a string; call space.parse"):
        SPACE.neighbours("010/001/000|input,conv3x3-bn-relu,output")
    with pytest.raises(ValueError, match=r"expected a parsed nb101 architecture \(NB101Cell\), got tuple"):
        SPACE.format((1, 2))
    with pytest.raises(ValueError, match=r"expected a parsed nb101 architecture \(NB101Cell\), got NoneType"):
        SPACE.to_graph(None)
