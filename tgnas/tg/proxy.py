"""`TGProxy`: the shipped, data-free TG-NAS proxy (a small ensemble of GCN predictors).

``TGProxy.load("nb201")`` / ``TGProxy.load("darts")`` read `tgnas/weights/<name>.pt` and its model
card `<name>.json`; ``score(archs)`` takes architecture strings (or parsed cells, or `ArchGraph`s)
of the proxy's space and returns one float per architecture, higher = better.

* Each member of the ensemble is a `GCNRegressor` trained with a different seed; the proxy's
  score is the mean of the members' outputs. Scores of one cell never depend on which other cells
  are scored with it.
* A cell whose output is cut off from its input (NB201: every path contains ``none``) computes
  nothing but zeros; it gets `NO_PATH_SCORE` (−inf), below every real score, instead of a number
  the GCN would make up for a graph it was never meant to see.
* The weights store the operator embeddings they were trained with, so known operators are
  scored without loading the transformer (and exactly as in training); unseen operators are
  embedded on the fly.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import torch

from tgnas import choices, spaces
from tgnas.atomic import atomic_output, write_text_atomic
from tgnas.tg.embed import DEFAULT_MODEL, OperatorEmbedder, PCAReduction
from tgnas.tg.predictor import GCNConfig, GCNRegressor, encode_graphs
from tgnas.spaces.graph import ArchGraph

NO_PATH_SCORE = float("-inf")
SHIPPED = choices.SHIPPED_PROXIES
WEIGHTS_FORMAT = 1


def weights_path(name: str) -> Path:
    """Path of a shipped weights file (``nb201`` or ``darts``)."""
    if name not in SHIPPED:
        raise ValueError(f"no shipped TG proxy called {name!r}; shipped: {', '.join(SHIPPED)} (or pass a .pt path)")
    return Path(str(resources.files("tgnas") / "weights" / f"{name}.pt"))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class TGProxy:
    """An ensemble of GCN predictors for one search space (see module docstring)."""

    space: str
    embedder: OperatorEmbedder
    config: GCNConfig
    networks: list[GCNRegressor]
    card: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.space not in spaces.NAMES:
            raise ValueError(f"unknown space {self.space!r}; accepted: {', '.join(spaces.NAMES)}")
        if not self.networks:
            raise ValueError("a TG proxy needs at least one network")
        for network in self.networks:
            if network.in_dim != self.embedder.dim:
                raise ValueError(
                    f"the weights expect {network.in_dim}-d operator embeddings but the embedder "
                    f"({self.embedder.key}) gives {self.embedder.dim}-d"
                )
            network.eval()

    # -- scoring ---------------------------------------------------------------------------------
    def graphs(self, archs: Iterable[object]) -> list[ArchGraph]:
        """``archs`` (strings, parsed cells or graphs) as graphs of the proxy's space."""
        space = spaces.create(self.space)
        graphs = []
        for position, arch in enumerate(archs):
            if isinstance(arch, ArchGraph):
                graphs.append(arch)
                continue
            try:
                parsed = space.parse(arch) if isinstance(arch, str) else arch
                graphs.append(space.to_graph(parsed))
            except (ValueError, TypeError, AttributeError) as error:
                raise ValueError(f"architecture {position} ({arch!r}) is not a {self.space} architecture: {error}") from None
        return graphs

    @torch.no_grad()
    def score_graphs(self, graphs: Sequence[ArchGraph], batch_size: int = 4096) -> np.ndarray:
        """Scores of graphs (float64), `NO_PATH_SCORE` for graphs without an input→output path."""
        scores = np.full(len(graphs), NO_PATH_SCORE)
        live = [i for i, graph in enumerate(graphs) if graph.has_path()]
        if not live:
            return scores
        batch = encode_graphs([graphs[i] for i in live], self.embedder)
        total = torch.zeros(len(batch), dtype=torch.float64)
        for start in range(0, len(batch), batch_size):
            rows = torch.arange(start, min(start + batch_size, len(batch)))
            part = batch.rows(rows)
            propagate = self.networks[0].propagation(part.adj)  # members share one config
            outputs = [net(part.table, part.ops, part.adj, part.mask, propagate) for net in self.networks]
            total[rows] = torch.stack(outputs).double().mean(dim=0)
        scores[live] = total.numpy()[batch.index]
        return scores

    def score(self, archs: Iterable[object]) -> np.ndarray:
        """Scores of architectures of the proxy's space (module docstring)."""
        return self.score_graphs(self.graphs(archs))

    # -- persistence -----------------------------------------------------------------------------
    def save(self, path: str | Path, card: dict | None = None) -> Path:
        """Write weights (atomic) and the model card ``<path>.json`` with the weights' sha256."""
        path = Path(path)
        vocabulary = sorted(set(self.card.get("operators", [])) | set(_space_ops(self.space)))
        texts = self.embedder.descriptions(vocabulary)
        pca = self.embedder.pca
        state = {
            "format": WEIGHTS_FORMAT,
            "space": self.space,
            "embedder": {"model": self.embedder.model, "length": self.embedder.length},
            "pca": None if pca is None else {"mean": torch.from_numpy(pca.mean), "components": torch.from_numpy(pca.components)},
            "config": self.config.to_dict(),
            "members": [{k: v.clone() for k, v in net.state_dict().items()} for net in self.networks],
            "texts": texts,
            "text_embeddings": torch.from_numpy(self.embedder.embed_texts(texts)),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path) as stream:
            torch.save(state, stream)
        card = dict(card if card is not None else self.card)
        card.update({"weights": path.name, "sha256": sha256_of(path), "bytes": path.stat().st_size,
                     "space": self.space, "embedder": self.embedder.key, "config": self.config.to_dict(),
                     "members": len(self.networks)})
        write_text_atomic(path.with_suffix(".json"), json.dumps(card, indent=2, sort_keys=False) + "\n")
        self.card = card
        return path

    @classmethod
    def load(cls, name_or_path: str | Path = "nb201", verify: bool = True) -> "TGProxy":
        """A shipped proxy by name (``nb201``, ``darts``) or a weights file written by `save`."""
        path = weights_path(name_or_path) if str(name_or_path) in SHIPPED else Path(name_or_path)
        if not path.is_file():
            raise FileNotFoundError(f"TG proxy weights {path} do not exist; shipped: {', '.join(SHIPPED)}")
        card_path = path.with_suffix(".json")
        card = json.loads(card_path.read_text()) if card_path.is_file() else {}
        if verify and card.get("sha256") and card["sha256"] != sha256_of(path):
            raise ValueError(f"{path} does not match the sha256 in its model card {card_path}: the file was changed or damaged")
        try:
            state = torch.load(path, weights_only=True)
        except Exception as error:  # torch raises many types for a file that is not a checkpoint
            raise ValueError(f"{path} is not a TG proxy weights file: {error}") from None
        if not isinstance(state, dict) or state.get("format") != WEIGHTS_FORMAT:
            raise ValueError(f"{path} is not a TG proxy weights file of format {WEIGHTS_FORMAT}")
        pca = None
        if state["pca"] is not None:
            pca = PCAReduction(state["pca"]["mean"].numpy(), state["pca"]["components"].numpy())
        embedder = OperatorEmbedder(state["embedder"].get("model", DEFAULT_MODEL), state["embedder"]["length"], pca)
        embedder.prime(state["texts"], state["text_embeddings"].numpy())
        config = GCNConfig(**state["config"])
        networks = []
        for member in state["members"]:
            network = GCNRegressor(embedder.dim, config)
            network.load_state_dict(member)
            networks.append(network)
        return cls(state["space"], embedder, config, networks, card)


def _space_ops(space: str) -> list[str]:
    from tgnas.spaces.graph import INPUT, OUTPUT

    extra = ["concat"] if space == "darts" else []
    return [INPUT, OUTPUT, *extra, *spaces.create(space).ops]


def evaluate_nb201(proxy: TGProxy, datasets: Sequence[str] = ("cifar10", "cifar100", "ImageNet16-120")) -> dict:
    """Kendall τ / Spearman ρ of ``proxy`` on all 15,625 NB201 cells vs 200-epoch test accuracy."""
    from tgnas.data.nb201 import load_nb201_table
    from tgnas.metrics import rank_correlation

    table = load_nb201_table()
    archs = list(table.frame["arch_str"])
    started = time.perf_counter()
    scores = proxy.score(archs)
    seconds = time.perf_counter() - started
    result: dict = {"kendall_tau": {}, "spearman_rho": {}}
    for dataset in datasets:
        correlation = rank_correlation(scores, table.accuracy(archs, dataset))
        result["kendall_tau"][dataset] = correlation["kendall_tau"]
        result["spearman_rho"][dataset] = correlation["spearman_rho"]
    result["n"] = len(archs)
    result["score_seconds"] = seconds
    result["nb201_labels_used"] = bool(proxy.card.get("nb201_labels_used", True))
    return result
