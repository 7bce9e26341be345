"""Training the GCN predictor: leakage check, per-source splits, early stopping, checkpoints.

Leakage rule: a model trained for *zero-shot* use on a target space must never see a label of
that space, neither for fitting nor for choosing the checkpoint. `train_predictor` therefore refuses any
source whose space is the target (`LeakageError`), and model selection uses validation splits of
the training sources only. In-space experiments (paper Fig. 2) pass ``target_space=None`` and
their model cards say that target-space labels were used.

Each epoch visits every source's training split in mini-batches drawn from one source at a time
(labels of different sources are never compared, even after normalisation). The loss is ``mse``
on the normalised labels, ``pairwise`` (logistic loss on every ordered pair of the batch: only
the order matters for a proxy), their sum ``mse+pairwise``, or ``listwise``: ListMLE (Xia et al.
2008), the Plackett–Luce likelihood of the batch's true order, where each cell should out-score
every cell of a lower label at once; a cell's tied peers are left out of its term, so ties carry no
order and a batch of tied labels adds nothing.

Checkpoints: after every epoch the full state (weights, optimiser, epoch, random states, history,
best weights) is written atomically; ``resume=True`` continues from it and gives the same result
as an uninterrupted run.

A seed gives bit-identical weights on every rerun on the same machine and thread count (the
network's backward sums in a fixed order, `tgnas.tg.gcn`, and an operator's text embedding does not
depend on what else was embedded before, `tgnas.tg.embed`), so a chapter rerun reproduces its numbers.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from tqdm import tqdm

from tgnas import interrupts
from tgnas.atomic import atomic_output
from tgnas.checks import differences
from tgnas.metrics import rank_correlation
from tgnas.tg.embed import OperatorEmbedder
from tgnas.tg.gcn import GCNConfig, GCNRegressor, GraphBatch, encode_graphs
from tgnas.tg.sources import LABEL_NORMALISATIONS, LabelledGraphs, normalise_labels

LOSSES = ("mse", "pairwise", "mse+pairwise", "listwise")
CHECKPOINT_NAME = "checkpoint.pt"


class Trainable(Protocol):
    """What the loop trains: a network and the embedder that feeds it (`tgnas.tg.predictor.GCNPredictor`)."""

    network: GCNRegressor
    embedder: OperatorEmbedder
    config: GCNConfig


class LeakageError(ValueError):
    """Training data contain labels of the space the model is meant to score zero-shot."""


@dataclass(frozen=True)
class TrainRecipe:
    """Optimisation settings; stored in model cards and checked on resume."""

    epochs: int = 100
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 5e-4
    loss: str = "mse+pairwise"
    label_norm: str = "rank"
    val_fraction: float = 0.1
    patience: int = 40
    seed: int = 0

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 2:
            raise ValueError(f"epochs must be ≥ 1 and batch_size ≥ 2, got {self.epochs} and {self.batch_size}")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; accepted: {', '.join(LOSSES)}")
        if self.label_norm not in LABEL_NORMALISATIONS:
            raise ValueError(f"unknown label normalisation {self.label_norm!r}; accepted: {', '.join(LABEL_NORMALISATIONS)}")
        if not 0 <= self.val_fraction < 1:
            raise ValueError(f"val_fraction must be in [0, 1), got {self.val_fraction}")
        if self.lr <= 0 or self.weight_decay < 0:
            raise ValueError(f"lr must be > 0 and weight_decay ≥ 0, got {self.lr} and {self.weight_decay}")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainResult:
    """What `fit_network` returns: the predictor (best validation weights) and the record of the run."""

    predictor: Trainable
    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    validation: dict = field(default_factory=dict)
    seconds: float = 0.0


def check_no_leakage(sources: Sequence[LabelledGraphs], target_space: str | None) -> None:
    """`LeakageError` if any source is labelled in ``target_space``."""
    if target_space is None:
        return
    leaking = [source.name for source in sources if source.space == target_space]
    if leaking:
        raise LeakageError(
            f"refusing to train a zero-shot {target_space} model on {target_space} labels (sources {leaking}); "
            f"drop those sources, or pass target_space=None for an in-space experiment"
        )


def _split(source: LabelledGraphs, fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(source))
    n_val = int(round(fraction * len(source)))
    if fraction > 0 and n_val < 3:
        n_val = min(3, len(source) - 2)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


@dataclass
class _Prepared:
    source: LabelledGraphs
    batch: GraphBatch
    targets: torch.Tensor
    train_rows: np.ndarray
    val_rows: np.ndarray


def _prepare(predictor: Trainable, sources: Sequence[LabelledGraphs], recipe: TrainRecipe) -> list[_Prepared]:
    rng = np.random.default_rng(recipe.seed)
    prepared = []
    for source in sources:
        if len(source) < 5:
            raise ValueError(f"source {source.name!r} has {len(source)} labelled graphs; at least 5 are needed")
        train_rows, val_rows = _split(source, recipe.val_fraction, rng)
        targets = torch.tensor(normalise_labels(source.labels, recipe.label_norm), dtype=torch.float32)
        prepared.append(_Prepared(source, encode_graphs(source.graphs, predictor.embedder), targets, train_rows, val_rows))
    return prepared


def _loss(predicted: torch.Tensor, target: torch.Tensor, kind: str) -> torch.Tensor:
    # zero that stays in the graph: a batch whose labels all tie gives the pairwise loss no pair, and the step must still run
    total = (predicted * 0).sum()
    if "mse" in kind:
        total = total + torch.nn.functional.mse_loss(predicted, target)
    if "pairwise" in kind:
        difference = predicted[:, None] - predicted[None, :]
        better = (target[:, None] - target[None, :]) > 0
        if better.any():
            total = total + torch.nn.functional.softplus(-difference[better]).mean()
    if kind == "listwise":
        total = total + listwise_loss(predicted, target)
    return total


def listwise_loss(predicted: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Tie-aware ListMLE: the mean over cells i of ``log(exp s_i + Σ_{j: y_j < y_i} exp s_j) − s_i``.

    Without ties this is ListMLE's negative log-likelihood of the true order (each term is the
    softmax over the cell and everything ranked below it), divided by the batch size.
    """
    worse = target[None, :] < target[:, None]  # row i, column j: cell j has a lower label than cell i
    competitors = worse | torch.eye(len(target), dtype=torch.bool, device=target.device)
    logits = predicted[None, :].expand(len(target), -1).masked_fill(~competitors, float("-inf"))
    return (torch.logsumexp(logits, dim=1) - predicted).mean()


@torch.no_grad()
def _validate(predictor: Trainable, prepared: list[_Prepared]) -> dict[str, float]:
    predictor.network.eval()
    result = {}
    for item in prepared:
        if len(item.val_rows) < 3:
            continue
        rows = item.batch.index[item.val_rows]
        part = item.batch.rows(rows)
        scores = predictor.network(part.table, part.ops, part.adj, part.mask).numpy()
        result[item.source.name] = rank_correlation(scores, item.source.labels[item.val_rows])["kendall_tau"]
    return result


def train_predictor(
    sources: Sequence[LabelledGraphs],
    target_space: str | None,
    predictor: Trainable,
    recipe: TrainRecipe | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
    stage: str | None = None,
) -> TrainResult:
    """Fit ``predictor`` on ``sources`` without labels of ``target_space`` (see module docstring)."""
    if not sources:
        raise ValueError("train needs at least one labelled source")
    check_no_leakage(sources, target_space)
    return fit_network(
        predictor, sources, recipe or TrainRecipe(), checkpoint_dir=checkpoint_dir, resume=resume, progress=progress, stage=stage
    )


@dataclass
class _RunState:
    """Everything a checkpoint holds besides the network: optimiser, schedule, random state, history, best weights."""

    optimiser: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    rng: np.random.Generator
    best_state: dict
    history: list[dict] = field(default_factory=list)
    best_metric: float = -np.inf
    best_epoch: int = 0
    epoch: int = 0


def _start(network: GCNRegressor, recipe: TrainRecipe) -> _RunState:
    optimiser = torch.optim.AdamW(network.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=recipe.epochs)
    return _RunState(optimiser, scheduler, np.random.default_rng(recipe.seed + 1), copy.deepcopy(network.state_dict()))


def _identity(predictor: Trainable, sources: Sequence[LabelledGraphs], recipe: TrainRecipe) -> dict:
    """What a checkpoint must match to be resumed: recipe, network shape, embedding, sources."""
    return {
        "recipe": recipe.to_dict(),
        "config": predictor.config.to_dict(),
        "embedder": predictor.embedder.key,
        "sources": [s.name for s in sources],
    }


def _save_checkpoint(path: Path, identity: dict, network: GCNRegressor, run: _RunState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as stream:
        torch.save(
            {
                "identity": identity,
                "epoch": run.epoch,
                "network": network.state_dict(),
                "optimiser": run.optimiser.state_dict(),
                "scheduler": run.scheduler.state_dict(),
                "rng": {"numpy": run.rng.bit_generator.state, "torch": torch.get_rng_state()},
                "history": run.history,
                "best_state": run.best_state,
                "best_metric": run.best_metric,
                "best_epoch": run.best_epoch,
            },
            stream,
        )


def _restore_checkpoint(path: Path, identity: dict, network: GCNRegressor, run: _RunState) -> None:
    state = torch.load(path, weights_only=False)
    changed = differences(state["identity"], identity, "the checkpoint")
    if changed:
        raise ValueError(
            f"cannot resume {path}: settings differ ({'; '.join(changed)}); resume with the checkpoint's settings, "
            "or use another checkpoint directory or start afresh without --resume"
        )
    network.load_state_dict(state["network"])
    run.optimiser.load_state_dict(state["optimiser"])
    run.scheduler.load_state_dict(state["scheduler"])
    run.rng.bit_generator.state = state["rng"]["numpy"]
    torch.set_rng_state(state["rng"]["torch"])
    run.history, run.best_state = state["history"], state["best_state"]
    run.best_metric, run.best_epoch, run.epoch = state["best_metric"], state["best_epoch"], state["epoch"]


def _epoch_batches(prepared: list[_Prepared], batch_size: int, rng: np.random.Generator) -> list[tuple[int, np.ndarray]]:
    """This epoch's mini-batches as (source, rows), each from one source, in a shuffled order."""
    batches = []
    for source_index, item in enumerate(prepared):
        order = rng.permutation(item.train_rows)
        batches += [(source_index, order[i : i + batch_size]) for i in range(0, len(order), batch_size)]
    return [batches[position] for position in rng.permutation(len(batches))]


def _train_epoch(network: GCNRegressor, prepared: list[_Prepared], recipe: TrainRecipe, run: _RunState) -> list[float]:
    """One pass over every source's training split; the loss of each optimiser step."""
    network.train()
    losses = []
    for source_index, rows in _epoch_batches(prepared, recipe.batch_size, run.rng):
        if len(rows) < 2:
            continue
        item = prepared[source_index]
        part = item.batch.rows(item.batch.index[rows])
        loss = _loss(network(part.table, part.ops, part.adj, part.mask), item.targets[rows], recipe.loss)
        run.optimiser.zero_grad()
        loss.backward()
        run.optimiser.step()
        losses.append(float(loss.detach()))
    run.scheduler.step()
    return losses


def _record_epoch(run: _RunState, network: GCNRegressor, losses: list[float], validation: dict[str, float]) -> None:
    """Append the epoch to the history and keep the weights if they validate best so far."""
    metric = float(np.mean(list(validation.values()))) if validation else -float(np.mean(losses))
    run.epoch += 1
    run.history.append({"epoch": run.epoch, "loss": float(np.mean(losses)), "val_kendall_tau": validation, "val_metric": metric})
    if metric > run.best_metric:
        run.best_metric, run.best_epoch, run.best_state = metric, run.epoch, copy.deepcopy(network.state_dict())


def _patience_exhausted(run: _RunState, recipe: TrainRecipe) -> bool:
    return run.epoch - run.best_epoch > recipe.patience and run.best_metric > -np.inf


def _finished(stage: str | None, run: _RunState, recipe: TrainRecipe) -> None:
    """Record the epoch whose checkpoint is on disk, for the command line's interrupt message."""
    interrupts.finished(f"{stage + ', ' if stage else ''}epoch {run.epoch}/{recipe.epochs}")


def fit_network(
    predictor: Trainable,
    sources: Sequence[LabelledGraphs],
    recipe: TrainRecipe,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
    stage: str | None = None,
) -> TrainResult:
    """The training loop itself (no leakage check: callers that need one go through `train_predictor`).

    ``stage`` names the run within a larger one (e.g. ``"member 2/5"``) in the progress bar and in
    what an interrupt reports as finished (`tgnas.interrupts`: ``member 2/5, epoch 3/8``).
    """
    started = time.perf_counter()
    torch.manual_seed(recipe.seed)
    prepared = _prepare(predictor, sources, recipe)
    network = predictor.network
    run = _start(network, recipe)
    checkpoint = Path(checkpoint_dir) / CHECKPOINT_NAME if checkpoint_dir else None
    identity = _identity(predictor, sources, recipe)
    if checkpoint is not None and resume and checkpoint.exists():
        _restore_checkpoint(checkpoint, identity, network, run)
        _finished(stage, run, recipe)
    bar = tqdm(total=recipe.epochs, initial=run.epoch, desc=f"train TG predictor{f' ({stage})' if stage else ''}", disable=not progress)
    while run.epoch < recipe.epochs and not _patience_exhausted(run, recipe):
        losses = _train_epoch(network, prepared, recipe, run)
        _record_epoch(run, network, losses, _validate(predictor, prepared))
        bar.update()
        bar.set_postfix(loss=f"{run.history[-1]['loss']:.4f}", val_tau=f"{run.history[-1]['val_metric']:.3f}")
        if checkpoint is not None:
            _save_checkpoint(checkpoint, identity, network, run)
            _finished(stage, run, recipe)
    bar.close()
    network.load_state_dict(run.best_state)
    network.eval()
    validation = run.history[run.best_epoch - 1]["val_kendall_tau"] if run.best_epoch else {}
    return TrainResult(predictor, run.history, run.best_epoch, validation, time.perf_counter() - started)
