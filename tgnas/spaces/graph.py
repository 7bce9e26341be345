"""`ArchGraph`: the one graph type every search space converts to.

Nodes are operators (``input`` and ``output`` included), edges are data flow. This is the
representation of the paper's §3.1 (Fig. 8): NB101 cells already have it, NB201 and DARTS cells
(operators on edges) are converted by their space modules.

Invariants, checked on construction so that no consumer has to re-check them:

* ``adjacency`` is a square 0/1 matrix, one row per entry of ``ops``;
* nodes are in topological order, i.e. the matrix is strictly upper triangular (so the graph is
  a DAG and has no self loops);
* the first node is ``input`` and the last node is ``output``. A space may have several input
  nodes (DARTS cells read two previous cells); they come first and are all called ``input``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

INPUT = "input"
OUTPUT = "output"
#: join node of a cell that is not the last one, in graphs that chain several cells (DARTS, supernets)
CONCAT = "concat"
#: network sizes by name, and the `ArchGraph.features` entry a space fills with each (millions)
SIZE_FEATURES = {"params": "params_M", "flops": "flops_M"}


@dataclass(frozen=True, eq=False)
class ArchGraph:
    """A cell as a DAG of operator nodes.

    Attributes:
        ops: operator name of every node, ``ops[0] == "input"``, ``ops[-1] == "output"``.
        adjacency: ``(n, n)`` uint8 matrix, ``adjacency[i, j] == 1`` iff data flows from node i to j.
        space: name of the search space the cell comes from (``"nb101"``, ``"nb201"``, ``"darts"``).
        features: read-only mapping of data-free graph-level numbers of the architecture, e.g.
            ``params_M`` and ``flops_M`` of the space's evaluation network (filled by the space's
            ``to_graph``; empty for graphs built by hand).
        source: the canonical architecture string the graph was made from (``space.format(arch)``),
            or None for graphs built by hand (supernets).

    ``features`` and ``source`` describe where a graph came from; they do not take part in equality
    or hashing (two architectures with the same graph are the same graph to a scorer).
    """

    ops: tuple[str, ...]
    adjacency: np.ndarray
    space: str
    features: Mapping[str, float] = field(default_factory=dict)
    source: str | None = None

    def __post_init__(self) -> None:
        ops = tuple(self.ops)
        if not all(isinstance(op, str) and op for op in ops):
            raise ValueError(f"ArchGraph ops must be non-empty strings, got {list(ops)!r}")
        matrix = np.asarray(self.adjacency)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise ValueError(f"ArchGraph adjacency must be a square matrix, got shape {matrix.shape}")
        if matrix.shape[0] != len(ops):
            raise ValueError(f"ArchGraph has {len(ops)} ops but a {matrix.shape[0]}x{matrix.shape[0]} adjacency matrix")
        if len(ops) < 2:
            raise ValueError("ArchGraph needs at least an input and an output node")
        if not np.isin(matrix, (0, 1)).all():
            raise ValueError("ArchGraph adjacency must contain only 0 and 1")
        if np.tril(matrix).any():
            raise ValueError("ArchGraph adjacency must be strictly upper triangular (nodes in topological order, no cycles)")
        if ops[0] != INPUT or ops[-1] != OUTPUT:
            raise ValueError(f"ArchGraph must start with {INPUT!r} and end with {OUTPUT!r}, got {ops[0]!r} … {ops[-1]!r}")
        matrix = matrix.astype(np.uint8, copy=True)
        matrix.setflags(write=False)
        if self.source is not None and not isinstance(self.source, str):
            raise ValueError(f"ArchGraph source must be an architecture string or None, got {self.source!r}")
        object.__setattr__(self, "ops", ops)
        object.__setattr__(self, "adjacency", matrix)
        object.__setattr__(self, "features", MappingProxyType({str(k): float(v) for k, v in dict(self.features).items()}))

    # -- basic views -------------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return len(self.ops)

    @property
    def n_edges(self) -> int:
        return int(self.adjacency.sum())

    @property
    def input_nodes(self) -> tuple[int, ...]:
        """Indices of the leading ``input`` nodes."""
        count = 0
        while count < self.n_nodes - 1 and self.ops[count] == INPUT:
            count += 1
        return tuple(range(count))

    def edges(self) -> list[tuple[int, int]]:
        rows, cols = np.nonzero(self.adjacency)
        return [(int(i), int(j)) for i, j in zip(rows, cols)]

    # -- reachability --------------------------------------------------------------------------
    def _reachable_from_inputs(self) -> np.ndarray:
        seen = np.zeros(self.n_nodes, dtype=bool)
        seen[list(self.input_nodes)] = True
        for i in range(self.n_nodes):  # topological order makes one forward sweep enough
            if seen[i]:
                seen |= self.adjacency[i].astype(bool)
        return seen

    def _reaching_output(self) -> np.ndarray:
        seen = np.zeros(self.n_nodes, dtype=bool)
        seen[-1] = True
        for j in range(self.n_nodes - 1, -1, -1):
            if seen[j]:
                seen |= self.adjacency[:, j].astype(bool)
        return seen

    def has_path(self) -> bool:
        """True iff data can flow from an input node to the output node."""
        return bool(self._reachable_from_inputs()[-1])

    def pruned(self) -> ArchGraph:
        """Drop every node that is not on an input→output path (inputs and output are kept).

        This is NAS-Bench-101's pruning rule; a cell without any input→output path keeps only its
        input and output nodes and no edges.
        """
        connected = self._reachable_from_inputs() & self._reaching_output()
        live = connected if self.has_path() else np.zeros(self.n_nodes, dtype=bool)
        live[list(self.input_nodes)] = True
        live[-1] = True
        keep = np.flatnonzero(live)
        matrix = self.adjacency[np.ix_(keep, keep)]
        return ArchGraph(tuple(self.ops[k] for k in keep), matrix, self.space, self.features, self.source)

    # -- conversions ---------------------------------------------------------------------------
    def to_networkx(self):
        import networkx as nx  # networkx: only for drawing and conversion

        graph = nx.DiGraph(space=self.space)
        for index, op in enumerate(self.ops):
            graph.add_node(index, op=op)
        graph.add_edges_from(self.edges())
        return graph

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; ``features`` and ``source`` are included (and read back by `from_dict`)."""
        return {
            "space": self.space,
            "ops": list(self.ops),
            "adjacency": self.adjacency.tolist(),
            "features": dict(self.features),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArchGraph:
        missing = {"space", "ops", "adjacency"} - set(data)
        if missing:
            raise ValueError(f"ArchGraph dict lacks keys {sorted(missing)}; expected space, ops, adjacency")
        return cls(tuple(data["ops"]), np.asarray(data["adjacency"]), str(data["space"]), data.get("features") or {}, data.get("source"))

    # -- identity ------------------------------------------------------------------------------
    def _key(self) -> tuple:
        return (self.space, self.ops, self.adjacency.tobytes())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ArchGraph):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"ArchGraph(space={self.space!r}, ops={list(self.ops)}, edges={self.edges()})"
