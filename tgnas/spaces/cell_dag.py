"""Cells with operators on the edges of a small DAG, converted to the operator-on-node `ArchGraph`.

NAS-Bench-201 and TransNAS-Bench-101 micro put one operator on every edge j→k of a DAG of cell nodes
(node 0 is the cell's input, the highest node its output) and sum the edges into a node. The
predictor wants operators on nodes (paper §3.1 / Fig. 8), so `edge_op_graph` makes every edge one
operator node: an ``input`` node (cell node 0), the edge nodes in the given edge order, and an
``output`` node (the last cell node). Data flows

* ``input`` → the node of every edge leaving cell node 0,
* the node of edge i→j → the node of every edge j→k (cell node j sums its in-edges and feeds its
  out-edges),
* the node of every edge entering the last cell node → ``output``.

The space's zero operator outputs zeros, so no information passes through it: its nodes are removed
with their edges, and then every node that is no longer on an input→output path is removed too (the
NAS-Bench-101 pruning rule, `ArchGraph.pruned`). A cell whose output is cut off becomes ``input →
output`` with no edge (`ArchGraph.has_path()` is False). An identity operator still routes data
between cell nodes, so it stays an ordinary operator node. ``keep_zero=True`` keeps the fixed form
with the zero nodes wired like every other operator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from tgnas.spaces.graph import INPUT, OUTPUT, ArchGraph

#: the 4-node DAG of NAS-Bench-201 and TransNAS-Bench-101 micro, in both benchmarks' string order
#: (the edges into node 1, then into node 2, then into node 3)
FOUR_NODE_EDGES = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))


def edge_op_graph(
    edges: Sequence[tuple[int, int]],
    edge_ops: Sequence[str],
    zero_op: str,
    space: str,
    features: Mapping[str, float],
    source: str,
    keep_zero: bool = False,
) -> ArchGraph:
    """The operator-on-node graph of a cell with ``edge_ops[i]`` on ``edges[i]`` (module docstring).

    ``edges`` must be sorted by target node (so that edge nodes come in topological order) and
    ``zero_op`` names the space's operator that outputs zeros.
    """
    if len(edges) != len(edge_ops):
        raise ValueError(f"a cell with {len(edges)} edges needs {len(edges)} edge ops, got {len(edge_ops)}")
    if list(edges) != sorted(edges, key=lambda edge: edge[1]):
        raise ValueError(f"cell edges must be sorted by target node, got {list(edges)}")
    last = max(target for _, target in edges)
    n = len(edges) + 2
    matrix = np.zeros((n, n), dtype=np.uint8)
    for position, (source_node, target) in enumerate(edges):
        node = position + 1
        if source_node == 0:
            matrix[0, node] = 1
        if target == last:
            matrix[node, n - 1] = 1
        for later, (next_source, _) in enumerate(edges):
            if next_source == target:
                matrix[node, later + 1] = 1
    ops = (INPUT, *edge_ops, OUTPUT)
    if not keep_zero:
        keep = [i for i, op in enumerate(ops) if op != zero_op]
        matrix = matrix[np.ix_(keep, keep)]
        ops = tuple(ops[i] for i in keep)
    graph = ArchGraph(ops, matrix, space, features, source)
    return graph if keep_zero else graph.pruned()
