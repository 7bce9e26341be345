"""Pruning search (paper §3.4): shrink a supernet, one operator per edge per round, guided by the proxy.

Supernet encoding
-----------------
A supernet cell is a cell whose edges may carry *several* candidate operators. As a graph for the
proxy (`supernet_graph`), a multi-op edge becomes several **parallel operator nodes** between the
same endpoints: each of them reads everything the edge's source cell node sums, and feeds
everything that reads the edge's target cell node. This is exactly the operator-on-node rule of the
spaces' own ``to_graph`` (`tgnas.spaces.nb201`, `tgnas.spaces.darts`) applied to every candidate
at once, so a supernet with one operator per edge gives *the same graph* as the cell it stands for:

* nodes: the cell's ``input`` nodes, then one node per (edge, candidate op) with edges sorted by
  (target, source) and ops in the space's operator order, then the cell's join node;
* ``none`` carries zeros, so its nodes are left out (as the spaces do) and nodes cut off from every
  input→output path are pruned (`ArchGraph.pruned`);
* DARTS chains the normal and the reduction cell as `tgnas.spaces.darts.to_graph(cell="both")`
  does: the normal cell's join node is ``concat`` and feeds both inputs of the reduction cell.

Pruning
-------
Start with every candidate operator on every edge (DARTS: on every edge j→k, j < k, of both cells,
over `SAMPLED_OPS`). Per round, score the supernet (P) and, for each edge that still has several
operators, the supernet without each of them (P_without), all in one proxy call. On every such edge
remove the operator whose removal costs least, Δ = (P − P_without)/|P| (|P| so that the ranking does
not flip for a negative P; within one round P is the same for every candidate, so the smallest Δ is
the largest P_without; ties go to the first operator in the space's order). Repeat until one operator
per edge remains. DARTS then also removes edges, by the same rule, until every intermediate node
keeps two inputs (one edge per node with more than two per round). Pruning uses no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from tgnas.search.result import Evaluator, GraphScorer, SearchResult, progress_bar, trajectory_point
from tgnas.spaces.darts import CONCAT, INTERMEDIATE_NODES, SAMPLED_OPS, DartsGenotype
from tgnas.spaces.graph import INPUT, OUTPUT, ArchGraph
from tgnas.spaces.nb201 import EDGES, NB201_OPS, NB201Cell

CellEdge = tuple[int, int]


@dataclass(frozen=True)
class SupernetCell:
    """One cell of a supernet: candidate operators per edge (source cell node → target cell node).

    Cell nodes ``0 .. n_inputs-1`` are the cell's inputs; the cell's output joins the nodes in
    ``outputs``. ``edges`` maps each present edge to its candidate operators and is kept sorted by
    (target, source), which is also the node order of the graph.
    """

    n_inputs: int
    outputs: tuple[int, ...]
    edges: tuple[tuple[CellEdge, tuple[str, ...]], ...]

    def __post_init__(self) -> None:
        ordered = tuple(sorted(((tuple(edge), tuple(ops)) for edge, ops in self.edges), key=lambda item: item[0][::-1]))
        for (source, target), ops in ordered:
            if not 0 <= source < target or target < self.n_inputs:
                raise ValueError(f"supernet edge {source}->{target} must run from a lower node to a non-input node")
            if not ops:
                raise ValueError(f"supernet edge {source}->{target} has no candidate operator")
        object.__setattr__(self, "edges", ordered)

    @property
    def choices(self) -> dict[CellEdge, tuple[str, ...]]:
        return dict(self.edges)

    def with_ops(self, edge: CellEdge, ops: tuple[str, ...]) -> "SupernetCell":
        return replace(self, edges=tuple((e, ops if e == edge else o) for e, o in self.edges))

    def without_edge(self, edge: CellEdge) -> "SupernetCell":
        return replace(self, edges=tuple((e, o) for e, o in self.edges if e != edge))

    def in_edges(self, target: int) -> list[CellEdge]:
        return [edge for edge, _ in self.edges if edge[1] == target]


Supernet = tuple[SupernetCell, ...]


def supernet_graph(cells: Sequence[SupernetCell], space: str) -> ArchGraph:
    """The supernet as one `ArchGraph` (encoding in the module docstring)."""
    ops: list[str] = [INPUT] * cells[0].n_inputs
    links: list[tuple[int, int]] = []
    join = -1
    for position, cell in enumerate(cells):
        producers: dict[int, list[int]] = {
            node: [node] if position == 0 else [join] for node in range(cell.n_inputs)
        }
        for (source, target), candidates in cell.edges:
            for op in candidates:
                if op == "none":
                    continue
                index = len(ops)
                ops.append(op)
                links.extend((producer, index) for producer in producers.get(source, []))
                producers.setdefault(target, []).append(index)
        join = len(ops)
        ops.append(OUTPUT if position == len(cells) - 1 else CONCAT)
        links.extend((producer, join) for node in cell.outputs for producer in producers.get(node, []))
    matrix = np.zeros((len(ops), len(ops)), dtype=np.uint8)
    for source, target in links:
        matrix[source, target] = 1
    return ArchGraph(tuple(ops), matrix, space).pruned()


# -- the two spaces' supernets ----------------------------------------------------------------------
def nb201_supernet(cell: NB201Cell | None = None) -> Supernet:
    """All five NB201 operators on all six edges, or the single-op supernet of ``cell``."""
    choices = [NB201_OPS] * len(EDGES) if cell is None else [(op,) for op in cell.ops]
    return (SupernetCell(1, (3,), tuple(zip(EDGES, choices))),)


def darts_supernet(genotype: DartsGenotype | None = None) -> Supernet:
    """Every edge j→k (j < k) with all `SAMPLED_OPS`, both cells; or the single-op supernet of ``genotype``."""
    cells = []
    for name in ("normal", "reduce"):
        if genotype is None:
            edges = tuple(((j, k), SAMPLED_OPS) for k in INTERMEDIATE_NODES for j in range(k))
            concat = INTERMEDIATE_NODES
        else:
            chosen = genotype.edges(name)
            edges = tuple(((source, INTERMEDIATE_NODES[i // 2]), (op,)) for i, (op, source) in enumerate(chosen))
            concat = genotype.concat(name)
        cells.append(SupernetCell(2, tuple(concat), edges))
    return tuple(cells)


def supernet_arch(space: str, supernet: Supernet) -> NB201Cell | DartsGenotype:
    """The architecture a fully pruned supernet stands for (one op per edge; DARTS: two edges per node)."""
    for cell in supernet:
        for edge, ops in cell.edges:
            if len(ops) != 1:
                raise ValueError(f"supernet edge {edge} still has {len(ops)} operators {list(ops)}; prune it first")
    if space == "nb201":
        choices = supernet[0].choices
        return NB201Cell(tuple(choices[edge][0] for edge in EDGES))  # type: ignore[arg-type]
    cells = []
    for cell in supernet:
        for node in INTERMEDIATE_NODES:
            if len(cell.in_edges(node)) != 2:
                raise ValueError(f"DARTS node {node} has {len(cell.in_edges(node))} input edges; a cell needs 2")
        cells.append(tuple((ops[0], source) for (source, _), ops in cell.edges))
    return DartsGenotype(normal=cells[0], reduce=cells[1])


def initial_supernet(space: str) -> Supernet:
    if space == "nb201":
        return nb201_supernet()
    if space == "darts":
        return darts_supernet()
    raise ValueError(f"pruning search supports the spaces nb201 and darts, not {space!r}")


# -- pruning ----------------------------------------------------------------------------------------
def _replace_cell(supernet: Supernet, position: int, cell: SupernetCell) -> Supernet:
    return tuple(cell if i == position else other for i, other in enumerate(supernet))


def _op_candidates(supernet: Supernet) -> list[tuple[int, CellEdge, str, Supernet]]:
    candidates = []
    for position, cell in enumerate(supernet):
        for edge, ops in cell.edges:
            if len(ops) > 1:
                for op in ops:
                    reduced = cell.with_ops(edge, tuple(o for o in ops if o != op))
                    candidates.append((position, edge, op, _replace_cell(supernet, position, reduced)))
    return candidates


def _edge_candidates(supernet: Supernet, keep: int) -> list[tuple[int, CellEdge, int, Supernet]]:
    candidates = []
    for position, cell in enumerate(supernet):
        for node in sorted({edge[1] for edge, _ in cell.edges}):
            incoming = cell.in_edges(node)
            if len(incoming) > keep:
                for edge in incoming:
                    candidates.append((position, edge, node, _replace_cell(supernet, position, cell.without_edge(edge))))
    return candidates


def prune_round(proxy: GraphScorer, space: str, supernet: Supernet, keep_in_edges: int | None) -> tuple[Supernet, dict]:
    """One pruning round (module docstring): operators while an edge has several, then edges.

    Returns the pruned supernet and a record of the round (P, removals with their Δ, graphs scored).
    """
    op_phase = any(len(ops) > 1 for cell in supernet for _, ops in cell.edges)
    if op_phase:
        candidates = _op_candidates(supernet)
        groups = [(position, edge) for position, edge, _, _ in candidates]
    else:
        candidates = _edge_candidates(supernet, keep_in_edges or 0) if keep_in_edges else []
        groups = [(position, node) for position, _, node, _ in candidates]
    if not candidates:
        return supernet, {}
    scores = proxy.score_graphs([supernet_graph(supernet, space)] + [supernet_graph(c[3], space) for c in candidates])
    total, without = float(scores[0]), np.asarray(scores[1:], dtype=np.float64)
    scale = abs(total) if total not in (0.0, float("inf"), float("-inf")) else 1.0
    deltas = (total - without) / scale
    result = supernet
    removed = []
    for group in dict.fromkeys(groups):
        members = [i for i, g in enumerate(groups) if g == group]
        best = members[int(np.argmax(without[members]))]  # smallest Δ; first in op/edge order on ties
        position, edge, what, _ = candidates[best]
        cell = result[position]
        if op_phase:
            cell = cell.with_ops(edge, tuple(o for o in cell.choices[edge] if o != what))
            removed.append({"cell": position, "edge": list(edge), "op": what, "delta": float(deltas[best])})
        else:
            cell = cell.without_edge(edge)
            removed.append({"cell": position, "edge": list(edge), "delta": float(deltas[best])})
        result = _replace_cell(result, position, cell)
    phase = "ops" if op_phase else "edges"
    return result, {"phase": phase, "supernet_score": total, "removed": removed, "graphs_scored": len(candidates) + 1}


def pruning_search(evaluator: Evaluator, seed: int | None = None, progress: bool = False) -> SearchResult:
    """Prune the space's full supernet to one architecture (module docstring); ``seed`` is only recorded.

    The trajectory has one entry per round whose ``best_score`` is the supernet's score P before
    the round, then a ``final`` entry with the found architecture's score.
    """
    space = evaluator.space.name
    supernet = initial_supernet(space)
    keep_in_edges = 2 if space == "darts" else None
    trajectory = []
    rounds = max(len(ops) for cell in supernet for _, ops in cell.edges) - 1
    if keep_in_edges:  # every edge round removes one edge from each node that has too many
        rounds += max(len(cell.in_edges(node)) - keep_in_edges for cell in supernet for node in INTERMEDIATE_NODES)
    with progress_bar(rounds, f"pruning {space}", progress) as bar:
        step = 0
        while True:
            supernet, record = prune_round(evaluator.proxy, space, supernet, keep_in_edges)
            if not record:
                break
            step += 1
            trajectory.append(trajectory_point(evaluator, step, record["supernet_score"], **record))
            bar.update(1)
    arch = supernet_arch(space, supernet)
    score = float(evaluator.scores([arch])[0])
    trajectory.append(trajectory_point(evaluator, len(trajectory) + 1, score, phase="final"))
    return evaluator.result("pruning", arch, score, seed, trajectory)
