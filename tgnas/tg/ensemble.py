"""Training a whole `TGProxy`: several seeds of the leakage-checked loop, one model card.

``train_proxy`` is what ``tgnas train`` runs and what the shipped weights were made with; the
model card records the exact command, so ``tgnas train`` with that command regenerates weights
that score the same within floating-point tolerance (training is deterministic on a CPU for a
seed and thread count).
"""

from __future__ import annotations

import platform
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from tgnas import __version__, spaces
from tgnas.spaces.base import Unsupported
from tgnas.spaces.graph import SIZE_FEATURES
from tgnas.tg.embed import OperatorEmbedder
from tgnas.tg.gcn import GCNConfig
from tgnas.tg.predictor import GCNPredictor, ensemble_scores
from tgnas.tg.proxy import TGProxy
from tgnas.tg.size_prior import SizePrior, check_kind, check_weight
from tgnas.tg.sources import LabelledGraphs, load_sources, source_space
from tgnas.tg.train import TrainRecipe, check_no_leakage, train_predictor


def train_proxy(
    sources: Sequence[str | LabelledGraphs],
    target_space: str,
    members: int = 5,
    recipe: TrainRecipe | None = None,
    config: GCNConfig | None = None,
    embedder: OperatorEmbedder | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
    command: str | None = None,
    selection: dict | None = None,
    size_weight: float = 0.0,
    size_kind: str = "params",
) -> TGProxy:
    """Train ``members`` predictors (seeds ``recipe.seed`` …) and bundle them as a `TGProxy`.

    ``target_space`` is the space the proxy will score; no source may be labelled in it. The
    model card lists every source, the recipe, per-member validation τ on the training spaces and
    ``nb201_labels_used`` (true only if an NB201 source was used) and, when given, the ``selection``
    that chose the recipe (the leave-one-benchmark-out table of `tgnas.tg.protocol`).
    ``size_weight`` > 0 adds a size prior on ``size_kind`` (`reference_size_prior`).
    """
    if members < 1:
        raise ValueError(f"members must be ≥ 1, got {members}")
    if check_weight(size_weight):
        check_sized(target_space, size_kind)
    for spec in sources:  # refuse before loading anything
        if isinstance(spec, str) and source_space(spec) == target_space:
            check_no_leakage([LabelledGraphs(spec, target_space, [], np.zeros(0))], target_space)
    loaded = [source for spec in sources for source in (load_sources(spec) if isinstance(spec, str) else [spec])]
    check_no_leakage(loaded, target_space)
    recipe = recipe or TrainRecipe()
    config = config or GCNConfig()
    embedder = embedder or OperatorEmbedder()
    started = time.perf_counter()
    trained, validations, best_epochs = [], [], []
    for member in range(members):
        member_recipe = TrainRecipe(**{**recipe.to_dict(), "seed": recipe.seed + member})
        predictor = GCNPredictor(embedder, config, seed=member_recipe.seed)
        directory = Path(checkpoint_dir) / f"member{member}" if checkpoint_dir else None
        stage = f"member {member + 1}/{members}" if members > 1 else None
        result = train_predictor(
            loaded, target_space, predictor, member_recipe, checkpoint_dir=directory, resume=resume, progress=progress, stage=stage
        )
        trained.append(result.predictor)
        validations.append(result.validation)
        best_epochs.append(result.best_epoch)
    operators = sorted({op for source in loaded for graph in source.graphs for op in graph.ops})
    card = {
        "name": f"TG proxy for {target_space}",
        "target_space": target_space,
        "sources": [{"name": s.name, "space": s.space, "n": len(s)} for s in loaded],
        "nb201_labels_used": any(s.space == "nb201" for s in loaded),
        "recipe": recipe.to_dict(),
        "seeds": [recipe.seed + m for m in range(members)],
        "validation_kendall_tau": validations,
        "validation_note": "Kendall τ on held-out splits of the training sources only (never the target space)",
        "best_epochs": best_epochs,
        "train_seconds": round(time.perf_counter() - started, 1),
        "operators": operators,
        "command": command,
        "selection": selection,
        "torch_threads": torch.get_num_threads(),  # float summation order, hence bit-exact reproduction, depends on it
        "versions": {"tgnas": __version__, "torch": torch.__version__, "python": platform.python_version(), "numpy": np.__version__},
    }
    proxy = TGProxy(target_space, trained, card)
    if size_weight:
        proxy.size_prior = reference_size_prior(proxy, size_weight, size_kind, seed=recipe.seed)
    return proxy


#: unlabelled random cells a size prior's reference is drawn from
REFERENCE_CELLS = 2000


def check_sized(space_name: str, kind: str = "params") -> None:
    """`Unsupported` unless the space's graphs carry the size (``kind``: `SIZE_KINDS`) a size prior blends with."""
    space = spaces.create(space_name)
    if SIZE_FEATURES[check_kind(kind)] not in space.to_graph(space.sample(0)).features:
        what = {"params": "an analytic parameter count", "flops": "analytic FLOPs"}[kind]
        option = "--size-weight" if kind == "params" else f"--size-weight, --size-kind {kind}"
        raise Unsupported(space_name, f"{what}, which a size prior ({option}) needs")


def reference_size_prior(proxy: TGProxy, weight: float, kind: str = "params", cells: int = REFERENCE_CELLS, seed: int = 0) -> SizePrior:
    """A `SizePrior` on ``kind`` whose reference is ``cells`` random cells of the proxy's space (no label involved)."""
    check_sized(proxy.space, kind)
    space = spaces.create(proxy.space)
    rng = np.random.default_rng(seed)
    graphs = [space.to_graph(space.sample(rng)) for _ in range(cells)]
    scores = ensemble_scores(proxy.members, graphs)
    return SizePrior.fit(weight, scores, np.array([graph.features[SIZE_FEATURES[kind]] for graph in graphs]), kind)
