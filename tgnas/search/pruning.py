"""Pruning search (paper §3.4): shrink a supernet, one operator per edge per round, guided by the proxy.

Supernet encoding
-----------------
A supernet cell is a cell whose edges may carry *several* candidate operators. The space builds it
(``space.supernet()``, `tgnas.spaces.supernet`) and turns it into one graph for the proxy: a multi-op
edge becomes parallel operator nodes between the same endpoints, so that a supernet with one operator
per edge gives the same graph as the architecture it stands for. This module only removes operators
and edges; it never looks at which space it prunes.

Pruning
-------
Start with the space's full supernet: every candidate operator on every edge (DARTS: on every edge
j→k, j < k, of both cells, over `SAMPLED_OPS`). Per round, score the supernet (P) and, for each edge that still has several
operators, the supernet without each of them (P_without), all in one proxy call. On every such edge
remove the operator whose removal costs least, Δ = (P − P_without)/|P| (|P| so that the ranking does
not flip for a negative P; within one round P is the same for every candidate, so the smallest Δ is
the largest P_without; ties go to the first operator in the space's order). Repeat until one operator
per edge remains. A space whose supernet has an edge-removal step (``Supernet.keep_in_edges``; DARTS:
2) then also removes edges, by the same rule, until every fed node keeps that many inputs (one edge
per node with more than that per round). Pruning uses no randomness.
"""

from __future__ import annotations

import numpy as np

from tgnas.scoring import Scorer
from tgnas.search.result import Evaluator, SearchResult, progress_bar, trajectory_point
from tgnas.spaces.supernet import Supernet


def prune_round(proxy: Scorer, supernet: Supernet) -> tuple[Supernet, dict]:
    """One pruning round (module docstring): operators while an edge has several, then edges.

    Returns the pruned supernet and a record of the round (P, removals with their Δ, graphs scored);
    the record is empty when nothing is left to prune.
    """
    op_phase = supernet.has_op_choices()
    candidates = supernet.op_removals() if op_phase else supernet.edge_removals()
    groups = [(position, edge if op_phase else node) for position, edge, node, _ in candidates]
    if not candidates:
        return supernet, {}
    scores = proxy.score_graphs([supernet.graph()] + [candidate[3].graph() for candidate in candidates])
    total, without = float(scores[0]), np.asarray(scores[1:], dtype=np.float64)
    scale = abs(total) if total not in (0.0, float("inf"), float("-inf")) else 1.0
    deltas = (total - without) / scale
    result = supernet
    removed = []
    for group in dict.fromkeys(groups):
        members = [i for i, g in enumerate(groups) if g == group]
        best = members[int(np.argmax(without[members]))]  # smallest Δ; first in op/edge order on ties
        position, edge, what, _ = candidates[best]
        cell = result.cells[position]
        if op_phase:
            cell = cell.with_ops(edge, tuple(o for o in cell.choices[edge] if o != what))
            removed.append({"cell": position, "edge": list(edge), "op": what, "delta": float(deltas[best])})
        else:
            cell = cell.without_edge(edge)
            removed.append({"cell": position, "edge": list(edge), "delta": float(deltas[best])})
        result = result.with_cell(position, cell)
    phase = "ops" if op_phase else "edges"
    return result, {"phase": phase, "supernet_score": total, "removed": removed, "graphs_scored": len(candidates) + 1}


def pruning_search(evaluator: Evaluator, seed: int | None = None, progress: bool = False) -> SearchResult:
    """Prune the space's full supernet to one architecture (module docstring); ``seed`` is only recorded.

    The trajectory has one entry per round whose ``best_score`` is the supernet's score P before
    the round, then a ``final`` entry with the found architecture's score.
    """
    supernet = evaluator.space.supernet()
    trajectory = []
    with progress_bar(supernet.rounds(), f"pruning {evaluator.space.name}", progress) as bar:
        step = 0
        while True:
            supernet, record = prune_round(evaluator.proxy, supernet)
            if not record:
                break
            step += 1
            trajectory.append(trajectory_point(evaluator, step, record["supernet_score"], **record))
            bar.update(1)
    arch = supernet.arch()
    score = float(evaluator.scores([arch])[0])
    trajectory.append(trajectory_point(evaluator, len(trajectory) + 1, score, phase="final"))
    return evaluator.result("pruning", arch, score, seed, trajectory)
