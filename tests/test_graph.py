"""ArchGraph invariants, pruning and serialisation."""

from __future__ import annotations

import numpy as np
import pytest

from tgnas.spaces import ArchGraph


def chain(*ops, extra=()):
    names = ("input", *ops, "output")
    matrix = np.zeros((len(names), len(names)), dtype=int)
    for i in range(len(names) - 1):
        matrix[i, i + 1] = 1
    for i, j in extra:
        matrix[i, j] = 1
    return ArchGraph(names, matrix, "test")


def test_basic_views_and_dict_round_trip():
    graph = chain("a", "b", extra=[(0, 2)])
    assert graph.n_nodes == 4 and graph.n_edges == 4
    assert graph.edges() == [(0, 1), (0, 2), (1, 2), (2, 3)]
    assert ArchGraph.from_dict(graph.to_dict()) == graph
    assert hash(ArchGraph.from_dict(graph.to_dict())) == hash(graph)
    assert not graph.adjacency.flags.writeable
    assert set(graph.to_networkx().edges()) == set(graph.edges())


def test_features_and_source_are_carried_but_not_part_of_identity():
    plain = chain("a", "b")
    described = ArchGraph(plain.ops, plain.adjacency, "test", {"params_M": 1.5, "flops_M": 2}, "a-b")
    assert described == plain and hash(described) == hash(plain)
    assert dict(described.features) == {"params_M": 1.5, "flops_M": 2.0} and described.source == "a-b"
    assert plain.source is None and dict(plain.features) == {}
    with pytest.raises(TypeError):
        described.features["params_M"] = 0.0  # read-only
    again = ArchGraph.from_dict(described.to_dict())
    assert (again, dict(again.features), again.source) == (described, dict(described.features), "a-b")
    assert ArchGraph.from_dict({"space": "test", "ops": list(plain.ops), "adjacency": plain.adjacency.tolist()}) == plain
    pruned = ArchGraph(
        ("input", "a", "b", "output"), np.array([[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]]), "test", {"params_M": 1.0}, "a|b"
    ).pruned()
    assert pruned.ops == ("input", "a", "output") and pruned.source == "a|b" and pruned.features["params_M"] == 1.0
    with pytest.raises(ValueError, match="source must be an architecture string or None"):
        ArchGraph(plain.ops, plain.adjacency, "test", {}, 42)


def test_pruning_removes_nodes_off_every_input_output_path():
    names = ("input", "live", "dead_end", "orphan", "output")
    matrix = np.zeros((5, 5), dtype=int)
    matrix[0, 1] = matrix[1, 4] = 1  # input → live → output
    matrix[0, 2] = 1  # dead_end never reaches the output
    matrix[3, 4] = 1  # orphan is never reached from the input
    pruned = ArchGraph(names, matrix, "test").pruned()
    assert pruned.ops == ("input", "live", "output")
    assert pruned.edges() == [(0, 1), (1, 2)]


def test_graph_without_path_prunes_to_input_and_output():
    names = ("input", "a", "output")
    graph = ArchGraph(names, np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]]), "test")
    assert not graph.has_path()
    assert graph.pruned().ops == ("input", "output") and graph.pruned().n_edges == 0


def test_several_leading_inputs_count_as_sources():
    names = ("input", "input", "op", "output")
    matrix = np.zeros((4, 4), dtype=int)
    matrix[1, 2] = matrix[2, 3] = 1
    graph = ArchGraph(names, matrix, "test")
    assert graph.input_nodes == (0, 1) and graph.has_path()
    assert graph.pruned().ops == names  # inputs are kept even when one is unused


@pytest.mark.parametrize(
    "ops, matrix, message",
    [
        (("input", "output"), [[0, 1, 0], [0, 0, 0], [0, 0, 0]], "2 ops but a 3x3"),
        (("input", "output"), [[0, 2], [0, 0]], "only 0 and 1"),
        (("input", "output"), [[0, 0], [1, 0]], "strictly upper triangular"),
        (("input", "a", "b"), np.zeros((3, 3)), "must start with 'input' and end with 'output'"),
        (("input", "", "output"), np.zeros((3, 3)), "non-empty strings"),
        (("input", "output"), [0, 1], "square matrix"),
    ],
)
def test_invalid_graphs_are_rejected(ops, matrix, message):
    with pytest.raises(ValueError, match=message):
        ArchGraph(ops, np.asarray(matrix), "test")
