"""Supernets: cells whose edges carry *several* candidate operators (what pruning search shrinks).

A space that supports pruning returns one from ``space.supernet()`` (every candidate on every edge)
or ``space.supernet(arch)`` (the single-op supernet of ``arch``); the pruning search only uses the
operations below, so it never needs to know which space it prunes.

Graph encoding (`Supernet.graph`)
---------------------------------
A multi-op edge becomes several **parallel operator nodes** between the same endpoints: each of them
reads everything the edge's source cell node sums, and feeds everything that reads the edge's target
cell node. This is exactly the operator-on-node rule of the spaces' own ``to_graph`` applied to every
candidate at once, so a supernet with one operator per edge gives *the same graph* as the cell it
stands for:

* nodes: the cell's ``input`` nodes, then one node per (edge, candidate op) with edges sorted by
  (target, source) and ops in the order given, then the cell's join node;
* ``none`` carries zeros, so its nodes are left out and nodes cut off from every input→output path
  are pruned (`ArchGraph.pruned`);
* several cells are chained as `tgnas.spaces.darts.to_graph(cell="both")` does: a cell's join node
  is ``concat`` and feeds every input of the next cell; the last join node is ``output``.

A supernet graph has ``source=None`` and no ``features`` (it is no architecture of the space).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tgnas.spaces.graph import CONCAT, INPUT, OUTPUT, ArchGraph

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
        if len({edge for edge, _ in ordered}) != len(ordered):
            raise ValueError("a supernet cell lists an edge twice (a node reading one input twice has no supernet form)")
        for (source, target), ops in ordered:
            if not 0 <= source < target or target < self.n_inputs:
                raise ValueError(f"supernet edge {source}->{target} must run from a lower node to a non-input node")
            if not ops:
                raise ValueError(f"supernet edge {source}->{target} has no candidate operator")
        object.__setattr__(self, "edges", ordered)

    @property
    def choices(self) -> dict[CellEdge, tuple[str, ...]]:
        return dict(self.edges)

    def with_ops(self, edge: CellEdge, ops: tuple[str, ...]) -> SupernetCell:
        return replace(self, edges=tuple((e, ops if e == edge else o) for e, o in self.edges))

    def without_edge(self, edge: CellEdge) -> SupernetCell:
        return replace(self, edges=tuple((e, o) for e, o in self.edges if e != edge))

    def in_edges(self, target: int) -> list[CellEdge]:
        return [edge for edge, _ in self.edges if edge[1] == target]

    def targets(self) -> list[int]:
        """The cell nodes that some edge feeds, ascending."""
        return sorted({edge[1] for edge, _ in self.edges})


@dataclass(frozen=True)
class Supernet:
    """A space's supernet: its cells, its edge-removal rule and how a pruned one becomes an architecture.

    ``keep_in_edges``: after the operator rounds, edges are removed until every fed node keeps this
    many input edges (DARTS: 2); None when the space's edges are fixed (NB201). ``decode`` turns a
    fully pruned supernet's cells into the space's architecture.
    """

    space: str
    cells: tuple[SupernetCell, ...]
    decode: Callable[[tuple[SupernetCell, ...]], Any] = field(compare=False, repr=False)
    keep_in_edges: int | None = None

    def graph(self) -> ArchGraph:
        """The supernet as one `ArchGraph` (encoding in the module docstring)."""
        ops: list[str] = [INPUT] * self.cells[0].n_inputs
        links: list[tuple[int, int]] = []
        join = -1
        for position, cell in enumerate(self.cells):
            producers: dict[int, list[int]] = {node: [node] if position == 0 else [join] for node in range(cell.n_inputs)}
            for (source, target), candidates in cell.edges:
                for op in candidates:
                    if op == "none":
                        continue
                    index = len(ops)
                    ops.append(op)
                    links.extend((producer, index) for producer in producers.get(source, []))
                    producers.setdefault(target, []).append(index)
            join = len(ops)
            ops.append(OUTPUT if position == len(self.cells) - 1 else CONCAT)
            links.extend((producer, join) for node in cell.outputs for producer in producers.get(node, []))
        matrix = np.zeros((len(ops), len(ops)), dtype=np.uint8)
        for source, target in links:
            matrix[source, target] = 1
        return ArchGraph(tuple(ops), matrix, self.space).pruned()

    def with_cell(self, position: int, cell: SupernetCell) -> Supernet:
        return replace(self, cells=tuple(cell if i == position else other for i, other in enumerate(self.cells)))

    def has_op_choices(self) -> bool:
        """True while some edge still has several candidate operators."""
        return any(len(ops) > 1 for cell in self.cells for _, ops in cell.edges)

    def op_removals(self) -> list[tuple[int, CellEdge, str, Supernet]]:
        """(cell, edge, op, supernet without op on that edge) for every op of every multi-op edge."""
        candidates = []
        for position, cell in enumerate(self.cells):
            for edge, ops in cell.edges:
                if len(ops) > 1:
                    for op in ops:
                        reduced = cell.with_ops(edge, tuple(o for o in ops if o != op))
                        candidates.append((position, edge, op, self.with_cell(position, reduced)))
        return candidates

    def edge_removals(self) -> list[tuple[int, CellEdge, int, Supernet]]:
        """(cell, edge, node, supernet without that edge) for every input edge of every node that has
        more than ``keep_in_edges``; empty when the space has no edge step."""
        if not self.keep_in_edges:
            return []
        candidates = []
        for position, cell in enumerate(self.cells):
            for node in cell.targets():
                incoming = cell.in_edges(node)
                if len(incoming) > self.keep_in_edges:
                    for edge in incoming:
                        candidates.append((position, edge, node, self.with_cell(position, cell.without_edge(edge))))
        return candidates

    def rounds(self) -> int:
        """Pruning rounds to one architecture: one per surplus operator, then one per surplus edge."""
        rounds = max(len(ops) for cell in self.cells for _, ops in cell.edges) - 1
        if self.keep_in_edges:  # every edge round removes one edge from each node that has too many
            rounds += max(len(cell.in_edges(node)) - self.keep_in_edges for cell in self.cells for node in cell.targets())
        return rounds

    def arch(self) -> Any:
        """The architecture a fully pruned supernet stands for; ValueError while it has choices left."""
        for cell in self.cells:
            for edge, ops in cell.edges:
                if len(ops) != 1:
                    raise ValueError(f"supernet edge {edge} still has {len(ops)} operators {list(ops)}; prune it first")
            for node in cell.targets() if self.keep_in_edges else ():
                if len(cell.in_edges(node)) != self.keep_in_edges:
                    raise ValueError(
                        f"{self.space} supernet node {node} has {len(cell.in_edges(node))} input edges; a cell needs {self.keep_in_edges}"
                    )
        return self.decode(self.cells)
