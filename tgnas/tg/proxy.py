"""`TGProxy`: the shipped, data-free TG-NAS proxy (a small ensemble of GCN predictors).

``TGProxy.load("nb201")`` / ``TGProxy.load("darts")`` read `tgnas/weights/<name>.pt` and its model
card `<name>.json` (``release="v1"``: the first release, `tgnas/weights/v1/`, kept for comparison); ``score(archs)`` takes architecture strings (or parsed cells, or `ArchGraph`s)
of the proxy's space and returns one float per architecture, higher = better.

* A `TGProxy` is an ensemble of `GCNPredictor`s (one per training seed) that share one embedder;
  its score is the mean of the members' outputs (`tgnas.tg.predictor.ensemble_scores`, the same
  loop a single predictor scores with). Scores of one cell never depend on which other cells
  are scored with it. It implements `tgnas.scoring.Scorer`.
* A cell whose output is cut off from its input (NB201: every path contains ``none``) computes
  nothing but zeros; it gets `NO_PATH_SCORE` (−inf), below every real score, instead of a number
  the GCN would make up for a graph it was never meant to see.
* A proxy trained with a size prior (``tgnas train --size-weight W [--size-kind flops]``,
  `tgnas.tg.size_prior.SizePrior`) blends that score with each network's parameter count (or FLOPs),
  both as quantiles of a fixed unlabelled reference sample of the space, so scores stay independent
  of what else is scored.
* The weights store the operator embeddings they were trained with, so known operators are
  scored without loading the transformer (and exactly as in training); unseen operators are
  embedded on the fly.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import torch

from tgnas import choices, spaces
from tgnas.atomic import atomic_output, write_text_atomic
from tgnas.scoring import NO_PATH_SCORE
from tgnas.spaces.graph import INPUT, OUTPUT, ArchGraph
from tgnas.tg.embed import DEFAULT_MODEL, OperatorEmbedder, PCAReduction
from tgnas.tg.gcn import GCNConfig, GCNRegressor
from tgnas.tg.predictor import GCNPredictor, ensemble_scores
from tgnas.tg.size_prior import SizePrior

__all__ = ["NO_PATH_SCORE", "SHIPPED", "TGProxy", "weights_path"]  # NO_PATH_SCORE: callers score and compare
SHIPPED = choices.SHIPPED_PROXIES
RELEASES = choices.PROXY_RELEASES
WEIGHTS_FORMAT = 1


def weights_path(name: str, release: str | None = None) -> Path:
    """Path of a shipped weights file (``nb201`` or ``darts``): the current one, or that of an earlier ``release``."""
    if name not in SHIPPED:
        raise ValueError(f"no shipped TG proxy called {name!r}; shipped: {', '.join(SHIPPED)} (or pass a .pt path)")
    if release is not None and release not in RELEASES:
        raise ValueError(f"no release {release!r} of the shipped TG proxies; accepted: {', '.join(RELEASES)} (or None, the current one)")
    folder = _shipped_folder()
    return folder / f"{name}.pt" if release is None else folder / release / f"{name}.pt"


def _shipped_folder() -> Path:
    return Path(str(resources.files("tgnas") / "weights"))


def _note_if_shipped(path: Path) -> None:
    """Append ``path`` (relative to the shipped weights folder) to the file :data:`choices.LOADED_WEIGHTS_LOG`
    names, when it is set and ``path`` is a shipped file: how a book chapter's run learns which shipped
    weights it depends on (a retrained ``darts.pt`` leaves a chapter that only read ``nb201.pt`` current)."""
    log = os.environ.get(choices.LOADED_WEIGHTS_LOG)
    if not log:
        return
    try:
        relative = path.resolve().relative_to(_shipped_folder().resolve())
    except ValueError:
        return  # weights a user trained: not part of any chapter's recorded inputs
    with open(log, "a", encoding="utf-8") as stream:  # appends: the chapter's subprocesses write here too
        stream.write(relative.as_posix() + "\n")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class TGProxy:
    """An ensemble of `GCNPredictor`s for one search space, sharing one embedder (see module docstring)."""

    space: str
    members: list[GCNPredictor]
    card: dict = field(default_factory=dict)
    size_prior: SizePrior | None = None

    def __post_init__(self) -> None:
        if self.space not in spaces.NAMES:
            raise ValueError(f"unknown space {self.space!r}; accepted: {', '.join(spaces.NAMES)}")
        if not self.members:
            raise ValueError("a TG proxy needs at least one member")
        first = self.members[0]
        if any(m.embedder is not first.embedder or m.config != first.config for m in self.members):
            raise ValueError("the members of a TG proxy must share one embedder and one GCN config")
        for member in self.members:
            member.network.eval()

    @classmethod
    def from_networks(
        cls,
        space: str,
        embedder: OperatorEmbedder,
        networks: Sequence[GCNRegressor],
        card: dict | None = None,
        size_prior: SizePrior | None = None,
    ) -> TGProxy:
        """A proxy whose members are trained ``networks`` behind one ``embedder``."""
        return cls(space, [GCNPredictor(embedder, network=network) for network in networks], dict(card or {}), size_prior)

    @property
    def embedder(self) -> OperatorEmbedder:
        return self.members[0].embedder

    @property
    def config(self) -> GCNConfig:
        return self.members[0].config

    @property
    def networks(self) -> list[GCNRegressor]:
        return [member.network for member in self.members]

    # -- scoring ---------------------------------------------------------------------------------
    def graphs(self, archs: Iterable[object]) -> list[ArchGraph]:
        """``archs`` (strings, parsed cells or graphs) as graphs of the proxy's space."""
        if isinstance(archs, (str, bytes)):
            raise ValueError(f"archs must be a sequence of architecture strings, got a single {type(archs).__name__}; wrap it in a list")
        if not isinstance(archs, Iterable) or isinstance(archs, ArchGraph):
            raise ValueError(
                f"archs must be a sequence of architecture strings (or parsed cells or ArchGraphs), got {type(archs).__name__}"
            )
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

    def score_graphs(self, graphs: Sequence[ArchGraph], batch_size: int = 4096) -> np.ndarray:
        """Scores of graphs (float64), `NO_PATH_SCORE` for graphs without an input→output path."""
        scores = ensemble_scores(self.members, graphs, batch_size)
        if self.size_prior is None:
            return scores
        return self.size_prior.apply(scores, [graph.features.get(self.size_prior.feature, np.nan) for graph in graphs])

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
            "size_prior": None if self.size_prior is None else self.size_prior.to_state(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path) as stream:
            torch.save(state, stream)
        card = dict(card if card is not None else self.card)
        card.update(
            {
                "weights": path.name,
                "sha256": sha256_of(path),
                "bytes": path.stat().st_size,
                "space": self.space,
                "embedder": self.embedder.key,
                "config": self.config.to_dict(),
                "members": len(self.networks),
                "size_prior": None
                if self.size_prior is None
                else {
                    "weight": self.size_prior.weight,
                    "kind": self.size_prior.kind,
                    "reference_cells": len(self.size_prior.reference_scores),
                },
            }
        )
        write_text_atomic(path.with_suffix(".json"), json.dumps(card, indent=2, sort_keys=False) + "\n")
        self.card = card
        return path

    @classmethod
    def load(cls, name_or_path: str | Path = "nb201", verify: bool = True, release: str | None = None) -> TGProxy:
        """A shipped proxy by name (``nb201``, ``darts``) or a weights file written by `save`.

        ``release`` (shipped names only) picks an earlier release of a shipped proxy (`RELEASES`), kept
        so the book can show how the current one compares. The weights load only with their model card
        ``<name>.json`` beside them and the sha256 it records; ``verify=False`` skips that check (and
        reads the card only if it is valid JSON).
        """
        if not isinstance(name_or_path, (str, os.PathLike)) or not str(name_or_path):
            raise ValueError(
                f"name_or_path must be a shipped proxy name ({', '.join(SHIPPED)}) or the path of a .pt weights file, "
                f"got {type(name_or_path).__name__}"
            )
        if not isinstance(verify, bool):
            raise ValueError(f"verify must be True or False, got {verify!r}")
        if release is not None and str(name_or_path) not in SHIPPED:
            raise ValueError(f"release={release!r} applies to the shipped proxies ({', '.join(SHIPPED)}) only, not to {name_or_path}")
        path = weights_path(name_or_path, release) if str(name_or_path) in SHIPPED else Path(name_or_path)
        if not path.is_file():
            raise FileNotFoundError(f"TG proxy weights {path} do not exist; shipped: {', '.join(SHIPPED)}")
        card = _verified_card(path) if verify else _card_if_readable(path)
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
        prior = SizePrior.from_state(state["size_prior"]) if state.get("size_prior") else None
        _note_if_shipped(path)
        return cls.from_networks(state["space"], embedder, networks, card, prior)


def _read_card(path: Path) -> dict:
    """The model card of the weights ``path``: a JSON object (ValueError naming the file and the error position otherwise)."""
    card_path = path.with_suffix(".json")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(
            f"the model card {card_path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except UnicodeDecodeError:
        raise ValueError(f"the model card {card_path} is not a JSON text file (not UTF-8)") from None
    if not isinstance(card, dict):
        raise ValueError(f"the model card {card_path} must hold a JSON object, got a JSON {type(card).__name__}")
    return card


def _verified_card(path: Path) -> dict:
    """The card of ``path`` after checking the weights against the sha256 it records."""
    card_path = path.with_suffix(".json")
    if not card_path.is_file():
        raise FileNotFoundError(
            f"the model card {card_path} of the weights {path} is missing, so they cannot be checked; "
            f"put the card back beside them, or load them unchecked with --no-verify (Python: verify=False)"
        )
    card = _read_card(path)
    expected = card.get("sha256")
    if not isinstance(expected, str):
        raise ValueError(
            f"the model card {card_path} records no sha256 of {path.name}; load the weights unchecked with --no-verify (Python: verify=False)"
        )
    if expected != sha256_of(path):
        raise ValueError(f"{path} does not match the sha256 in its model card {card_path}: the file was changed or damaged")
    return card


def _card_if_readable(path: Path) -> dict:
    """The card of ``path`` when it exists and reads; {} otherwise (unverified loading needs none)."""
    try:
        return _read_card(path) if path.with_suffix(".json").is_file() else {}
    except ValueError:
        return {}


def _space_ops(space: str) -> list[str]:

    extra = ["concat"] if space == "darts" else []
    return [INPUT, OUTPUT, *extra, *spaces.create(space).ops]
