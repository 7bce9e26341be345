"""The TG predictor (paper §3.3) as a `tgnas.scoring.Scorer`: an operator embedder in front of a GCN.

``GCNPredictor(embedder, config, seed).score_graphs(graphs)`` scores graphs of any space (higher =
better, `NO_PATH_SCORE` for a cell whose output is cut off from its input); ``fit(graphs, labels)``
is the simple in-memory training route. `ensemble_scores` is the one batched scoring loop: a
single predictor is an ensemble of one, and `tgnas.tg.proxy.TGProxy` an ensemble of several that
share one embedder (the mean of their outputs).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import torch

from tgnas.scoring import score_live
from tgnas.spaces.graph import ArchGraph
from tgnas.tg.embed import OperatorEmbedder
from tgnas.tg.gcn import GCNConfig, GCNRegressor, encode_graphs
from tgnas.tg.sources import LabelledGraphs
from tgnas.tg.train import TrainRecipe, fit_network

__all__ = ["GCNConfig", "GCNPredictor", "ensemble_scores"]  # GCNConfig: what a caller needs to make one


class GCNPredictor:
    """An `OperatorEmbedder` and a `GCNRegressor` behind ``score_graphs`` / ``fit``.

    ``network`` defaults to a fresh `GCNRegressor` of ``config`` initialised from ``seed``; pass a
    trained one (its config is then the predictor's) to score with it. ``fit`` is the simple
    in-memory route (one labelled set, a fixed number of epochs); the leakage-checked,
    checkpointed multi-source training of the shipped models is `tgnas.tg.train.train_predictor`.
    """

    def __init__(
        self,
        embedder: OperatorEmbedder | None = None,
        config: GCNConfig | None = None,
        seed: int = 0,
        network: GCNRegressor | None = None,
    ) -> None:
        self.embedder = embedder or OperatorEmbedder()
        if network is None:
            torch.manual_seed(seed)
            network = GCNRegressor(self.embedder.dim, config or GCNConfig())
        elif config is not None and config != network.config:
            raise ValueError(f"config {config} differs from the network's own {network.config}; pass one of them")
        if network.in_dim != self.embedder.dim:
            raise ValueError(
                f"the weights expect {network.in_dim}-d operator embeddings but the embedder "
                f"({self.embedder.key}) gives {self.embedder.dim}-d"
            )
        self.network = network
        self.config = network.config

    def score_graphs(self, graphs: Sequence[ArchGraph], batch_size: int = 4096) -> np.ndarray:
        """Scores of ``graphs`` (float64, same order), `NO_PATH_SCORE` for graphs without an input→output path."""
        return ensemble_scores([self], graphs, batch_size)

    def fit(
        self, graphs: Sequence[ArchGraph], labels: Sequence[float], epochs: int = 100, batch_size: int = 64, seed: int = 0
    ) -> GCNPredictor:
        """Train on one labelled set for ``epochs`` (no validation split: the lowest-loss epoch is kept)."""
        source = LabelledGraphs("fit", graphs[0].space if len(graphs) else "unknown", list(graphs), np.asarray(labels, float))
        recipe = TrainRecipe(epochs=epochs, batch_size=batch_size, seed=seed, val_fraction=0.0, patience=epochs)
        fit_network(self, [source], recipe, progress=False)
        return self


def check_graphs(graphs: object) -> list[ArchGraph]:
    """``graphs`` as a list if it is a sequence of `ArchGraph`s; a ValueError saying what is accepted otherwise."""
    if isinstance(graphs, (ArchGraph, str, bytes)) or not isinstance(graphs, Iterable):
        what = f"a single {type(graphs).__name__}" if isinstance(graphs, (ArchGraph, str, bytes)) else type(graphs).__name__
        raise ValueError(f"graphs must be a sequence of ArchGraphs (space.to_graph(arch)), got {what}")
    graphs = list(graphs)
    for position, graph in enumerate(graphs):
        if not isinstance(graph, ArchGraph):
            raise ValueError(f"graph {position} is a {type(graph).__name__}, not an ArchGraph (make one with space.to_graph(arch))")
    return graphs


@torch.no_grad()
def ensemble_scores(members: Sequence[GCNPredictor], graphs: Sequence[ArchGraph], batch_size: int = 4096) -> np.ndarray:
    """Mean output of ``members`` per graph (`NO_PATH_SCORE` without a path), ``batch_size`` distinct graphs per pass.

    Members share one embedder and one config, so the graphs are embedded once and the
    propagation matrix Â is computed once per batch for all of them. A graph's score never
    depends on the other graphs scored with it.
    """
    if not members:
        raise ValueError("an ensemble needs at least one predictor")
    graphs = check_graphs(graphs)
    embedder, config = members[0].embedder, members[0].config
    if any(m.embedder is not embedder or m.config != config for m in members):
        raise ValueError("ensemble members must share one embedder and one GCN config")
    networks = [member.network.eval() for member in members]

    def mean_output(live: list[ArchGraph]) -> np.ndarray:
        batch = encode_graphs(live, embedder)
        total = torch.zeros(len(batch), dtype=torch.float64)
        for start in range(0, len(batch), batch_size):
            rows = torch.arange(start, min(start + batch_size, len(batch)))
            part = batch.rows(rows)
            propagate = networks[0].propagation(part.adj)
            outputs = [network(part.table, part.ops, part.adj, part.mask, propagate) for network in networks]
            total[rows] = torch.stack(outputs).double().mean(dim=0)
        return total.numpy()[batch.index]

    return score_live(graphs, mean_output)
