"""Train a DARTS evaluation network from a genotype: the standard DARTS protocol, resumable, data-parallel.

Defaults (`DEFAULTS`) are the DARTS evaluation protocol: CIFAR-10 600 epochs, C=36, 20 layers,
batch 96, SGD(momentum 0.9) lr 0.025 with cosine decay to 0 over the run, weight decay 3e-4, drop-path
0.3 (rising linearly from 0 over the epochs), cutout 16, auxiliary loss weight 0.4, gradient-norm clip
5; ImageNet C=48, 14 layers, 250 epochs, batch 1024, lr 0.5 cosine after 5 linear warm-up epochs,
weight decay 3e-5, label smoothing 0.1. ``batch_size`` is the global batch, split over the processes.

Each epoch trains on the (optionally class-balanced, ``limit_images``) training set, evaluates top-1 /
top-5 on the test set (ImageNet: val), and, on rank 0, atomically rewrites ``checkpoint.pt``,
``metrics.csv`` and ``metrics.json`` in ``out``. ``resume=True`` continues from the checkpoint with the
model, optimiser, learning-rate schedule, epoch counter, metric history and every rank's random
state, so a resumed run takes the same steps as an uninterrupted one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, DistributedSampler, Subset
from tqdm import tqdm

from tgnas import interrupts
from tgnas.atomic import atomic_output, write_text_atomic
from tgnas.checks import differences
from tgnas.choices import DARTS_DATASETS
from tgnas.darts import augment, distributed
from tgnas.darts.imagenet import IMAGENET_MEAN, IMAGENET_STD, ImageFolder, _class_folders
from tgnas.darts.model import build_network, count_flops, count_parameters, input_size
from tgnas.data.cifar import CIFAR10_CLASSES, CIFAR10_MEAN, CIFAR10_STD, load_cifar10
from tgnas.spaces.darts import DartsGenotype

DEFAULTS: dict[str, dict[str, Any]] = {
    "cifar10": dict(
        epochs=600,
        layers=20,
        channels=36,
        batch_size=96,
        lr=0.025,
        weight_decay=3e-4,
        drop_path=0.3,
        cutout=16,
        label_smoothing=0.0,
        warmup_epochs=0,
    ),
    "imagenet": dict(
        epochs=250,
        layers=14,
        channels=48,
        batch_size=1024,
        lr=0.5,
        weight_decay=3e-5,
        drop_path=0.0,
        cutout=0,
        label_smoothing=0.1,
        warmup_epochs=5,
    ),
}
CHECKPOINT = "checkpoint.pt"
METRICS_CSV = "metrics.csv"
METRICS_JSON = "metrics.json"
#: settings that may change between a run and its resumption (everything else must match)
RESUMABLE_CHANGES = {"data", "out", "resume", "workers", "stop_after"}
#: a smaller (limited) training or test set says nothing about the network: top-1 on 5 images is noise
MIN_IMAGES_PER_CLASS = 10


def _setting(name: str) -> str:
    """A `TrainConfig` field as messages name it: the field and its ``tgnas darts-train`` option."""
    return f"{name} (--{name.replace('_', '-')})"


@dataclass(frozen=True)
class TrainConfig:
    """One training run; None means the dataset's `DEFAULTS` entry (see `resolved`)."""

    genotype: str = "DARTS_V2"
    dataset: str = "cifar10"
    data: str | None = None
    out: str = "darts-run"
    epochs: int | None = None
    layers: int | None = None
    channels: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    momentum: float = 0.9
    weight_decay: float | None = None
    drop_path: float | None = None
    cutout: int | None = None
    auxiliary_weight: float = 0.4
    grad_clip: float = 5.0
    label_smoothing: float | None = None
    warmup_epochs: int | None = None
    limit_images: int | None = None
    limit_test_images: int | None = None
    seed: int = 0
    workers: int = 0
    resume: bool = False
    stop_after: int | None = None

    def resolved(self) -> TrainConfig:
        """The config with every None default filled in for its dataset, checked."""
        if self.dataset not in DARTS_DATASETS:
            raise ValueError(f"unknown dataset {self.dataset!r}; accepted: {', '.join(DARTS_DATASETS)}")
        filled = replace(self, **{k: v for k, v in DEFAULTS[self.dataset].items() if getattr(self, k) is None})
        for name in ("epochs", "layers", "channels", "batch_size"):
            if getattr(filled, name) < 1:
                raise ValueError(f"{_setting(name)} must be a positive integer, got {getattr(filled, name)}")
        for name in ("limit_images", "limit_test_images", "stop_after"):
            if getattr(filled, name) is not None and getattr(filled, name) < 1:
                raise ValueError(f"{_setting(name)} must be a positive integer or unset, got {getattr(filled, name)}")
        for name in ("drop_path", "momentum", "label_smoothing"):
            if not 0.0 <= getattr(filled, name) < 1.0:
                raise ValueError(f"{_setting(name)} must be in [0, 1), got {getattr(filled, name)}")
        for name in ("lr", "grad_clip"):
            if not getattr(filled, name) > 0:
                raise ValueError(f"{_setting(name)} must be positive, got {getattr(filled, name)}")
        for name in ("weight_decay", "auxiliary_weight", "cutout"):
            if not getattr(filled, name) >= 0:
                raise ValueError(f"{_setting(name)} must be >= 0, got {getattr(filled, name)}")
        if not 0 <= filled.warmup_epochs < filled.epochs:
            raise ValueError(f"{_setting('warmup_epochs')} must be in 0..epochs-1 ({filled.epochs - 1}), got {filled.warmup_epochs}")
        if filled.dataset == "imagenet" and filled.data is None:
            raise ValueError(f"{_setting('data')} is required for imagenet: a folder with train/<class>/ and val/<class>/ images")
        return filled

    def check_output(self) -> None:
        """Refuse an ``out`` that is a file, or that holds a checkpoint while ``resume`` is off (it would be overwritten)."""
        out = Path(self.out)
        if out.exists() and not out.is_dir():
            raise ValueError(
                f"{_setting('out')} {str(out)!r} is an existing file; it must be a folder (for {CHECKPOINT}, {METRICS_CSV}, {METRICS_JSON})"
            )
        if not self.resume and (out / CHECKPOINT).exists():
            raise ValueError(
                f"{_setting('out')} {str(out)!r} already holds the {CHECKPOINT} of an earlier run; continue it with "
                f"{_setting('resume')} or choose another folder"
            )


def check_sample_sizes(config: TrainConfig, num_classes: int) -> None:
    """Refuse a limited training or test set with fewer than `MIN_IMAGES_PER_CLASS` images per class."""
    minimum = MIN_IMAGES_PER_CLASS * num_classes
    for name in ("limit_images", "limit_test_images"):
        value = getattr(config, name)
        if value is not None and value < minimum:
            raise ValueError(
                f"{_setting(name)} must be at least {minimum} ({MIN_IMAGES_PER_CLASS} per class × {num_classes} classes "
                f"of {config.dataset}), got {value}; accuracy on fewer images is noise"
            )


def class_count(config: TrainConfig) -> int:
    """The number of classes of a resolved ``config``'s dataset, read without loading an image."""
    if config.dataset == "cifar10":
        return len(CIFAR10_CLASSES)

    return len(_class_folders(Path(config.data).expanduser() / "train"))


class WarmupCosine:
    """Learning-rate factor per epoch: linear warm-up over ``warmup`` epochs, then cosine to 0 at ``epochs``.

    A class rather than a closure so that `torch.optim.lr_scheduler.LambdaLR` saves it with its state.
    """

    def __init__(self, epochs: int, warmup: int) -> None:
        self.epochs = epochs
        self.warmup = warmup

    def __call__(self, epoch: int) -> float:
        if epoch < self.warmup:
            return (epoch + 1) / (self.warmup + 1)
        progress = (epoch - self.warmup) / max(1, self.epochs - self.warmup)
        return 0.5 * (1.0 + math.cos(math.pi * progress))


# -- data -----------------------------------------------------------------------------------------
class TensorImages(Dataset):
    """In-memory uint8 images ``[N,3,H,W]`` with int64 labels (CIFAR-10 fits in memory)."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor) -> None:
        self.images = images
        self.labels = labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.images[index], self.labels[index]


@dataclass
class DataSpec:
    """Training and test sets (uint8 items) and the batch transforms that turn them into network input."""

    train: Dataset
    test: Dataset
    train_transform: Callable[[torch.Tensor, torch.Generator], torch.Tensor]
    test_transform: Callable[[torch.Tensor], torch.Tensor]
    num_classes: int


def _standardise(images: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...]) -> torch.Tensor:
    scale = images.float() / 255.0 if images.dtype == torch.uint8 else images
    return (scale - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)


def load_data(config: TrainConfig) -> DataSpec:
    """The datasets of a resolved ``config`` (CIFAR-10 in memory, ImageNet decoded lazily)."""
    if config.dataset == "cifar10":
        limit_test = config.limit_test_images or (min(config.limit_images, 10_000) if config.limit_images else None)
        sets = []
        for split, limit in (("train", config.limit_images), ("test", limit_test)):
            x, y = load_cifar10(split, source=config.data, limit=limit, seed=config.seed)
            sets.append(TensorImages(torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(y)))

        def train_transform(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
            cropped = augment.random_crop_flip(images, padding=4, generator=generator)
            return augment.cutout(_standardise(cropped, CIFAR10_MEAN, CIFAR10_STD), config.cutout, generator)

        return DataSpec(sets[0], sets[1], train_transform, lambda x: _standardise(x, CIFAR10_MEAN, CIFAR10_STD), len(CIFAR10_CLASSES))

    train = ImageFolder(config.data, "train", train=True, limit=config.limit_images, seed=config.seed)
    test = ImageFolder(config.data, "val", train=False, limit=config.limit_test_images, seed=config.seed)
    if train.classes != test.classes:
        raise ValueError(
            f"{config.data}: train has {len(train.classes)} classes and val {len(test.classes)}; they must list the same class folders"
        )

    def imagenet_train(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        jittered = augment.colour_jitter(images.float() / 255.0, generator)
        return _standardise(jittered, IMAGENET_MEAN, IMAGENET_STD)

    return DataSpec(train, test, imagenet_train, lambda x: _standardise(x, IMAGENET_MEAN, IMAGENET_STD), len(train.classes))


# -- checkpoints and logs ---------------------------------------------------------------------------
def state_checksum(model: nn.Module) -> str:
    """SHA-256 (first 16 hex digits) of every parameter and buffer: equal on ranks that hold one model."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


def _config_record(config: TrainConfig) -> dict[str, Any]:
    return {name: value for name, value in asdict(config).items() if name not in RESUMABLE_CHANGES}


def _check_resumable(saved: dict[str, Any], config: TrainConfig, path: Path) -> None:
    changed = differences(saved, _config_record(config), "the checkpoint")
    if changed:
        raise ValueError(
            f"cannot resume {path}: settings differ ({'; '.join(changed)}); resume with the checkpoint's "
            "settings or start a new run in another --out folder"
        )


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """The checkpoint dictionary (tensors on the CPU); only plain data is unpickled."""
    return torch.load(Path(path), map_location="cpu", weights_only=True)


def _write_logs(out: Path, history: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(history[0]))
    writer.writeheader()
    writer.writerows(history)
    write_text_atomic(out / METRICS_CSV, buffer.getvalue())
    write_text_atomic(out / METRICS_JSON, json.dumps({"summary": summary, "epochs": history}, indent=2) + "\n")


# -- the loop ---------------------------------------------------------------------------------------
def _accuracy_counts(logits: torch.Tensor, labels: torch.Tensor) -> tuple[int, int]:
    top = logits.topk(min(5, logits.shape[1]), dim=1).indices
    hits = top.eq(labels[:, None])
    return int(hits[:, :1].sum()), int(hits.any(dim=1).sum())


def _evaluate(model: nn.Module, data: DataSpec, config: TrainConfig, context: distributed.Context) -> dict[str, float]:
    distributed.broadcast_buffers(context, model)
    shard = Subset(data.test, range(context.rank, len(data.test), context.world_size))
    loader = DataLoader(shard, batch_size=max(1, config.batch_size // context.world_size), num_workers=config.workers)
    criterion = nn.CrossEntropyLoss(reduction="sum")
    model.eval()
    totals = [0.0, 0.0, 0.0, 0.0]  # loss, top-1 hits, top-5 hits, images
    with torch.no_grad():
        for images, labels in loader:
            inputs = data.test_transform(images).to(context.device, memory_format=torch.channels_last)
            labels = labels.to(context.device)
            logits, _ = model(inputs)
            top1, top5 = _accuracy_counts(logits, labels)
            for index, value in enumerate((float(criterion(logits, labels)), top1, top5, len(labels))):
                totals[index] += value
    loss, top1, top5, count = distributed.sum_over_ranks(context, totals)
    return {"test_loss": loss / count, "test_top1": 100.0 * top1 / count, "test_top5": 100.0 * top5 / count}


@dataclass
class _Run:
    """The state of one `train_network` invocation: what `_set_up` builds and each epoch advances."""

    config: TrainConfig
    context: distributed.Context
    genotype: DartsGenotype
    data: DataSpec
    model: nn.Module  # the network itself: checkpointed, evaluated, checksummed
    sizes: dict[str, float]  # params_M, params_M_with_auxiliary, flops_M
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LambdaLR
    generator: torch.Generator  # this rank's augmentation draws
    network: nn.Module | None = None  # what a training step calls: the model or its DistributedDataParallel wrapper
    sampler: DistributedSampler | None = None
    loader: DataLoader | None = None
    criterion: nn.Module | None = None
    start_epoch: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    images_seen: float = 0.0  # training images of all ranks in this invocation
    train_seconds: float = 0.0

    @property
    def checkpoint_path(self) -> Path:
        return Path(self.config.out) / CHECKPOINT


def _build_model(
    config: TrainConfig, genotype: DartsGenotype, num_classes: int, device: torch.device
) -> tuple[nn.Module, dict[str, float]]:
    """The evaluation network on ``device`` (identical on every rank) and its sizes in millions."""
    torch.manual_seed(config.seed)  # the same initial weights on every rank
    model = build_network(
        genotype, config.dataset, config.channels, config.layers, auxiliary=config.auxiliary_weight > 0, num_classes=num_classes
    )
    sizes = {
        "params_M": count_parameters(model) / 1e6,
        "params_M_with_auxiliary": count_parameters(model, include_auxiliary=True) / 1e6,
        "flops_M": count_flops(model, input_size(model)) / 1e6,
    }
    # channels-last memory is markedly faster for these (depthwise) convolutions on CPU, and fine on GPU
    model.to(device, memory_format=torch.channels_last)
    return model, sizes


def _set_up(config: TrainConfig, context: distributed.Context, log: Callable[[str], None]) -> _Run:
    """Data, model, optimiser, schedule and this rank's random streams of a resolved ``config``, before any resume.

    Everything that can be refused without the data is checked first, then the run is announced (`describe`).
    """
    if config.batch_size % context.world_size:
        raise ValueError(f"batch_size {config.batch_size} must be divisible by the {context.world_size} processes")
    genotype = DartsGenotype.parse(config.genotype)
    num_classes = class_count(config)
    check_sample_sizes(config, num_classes)
    # the model before the data: a bad depth or width is refused before CIFAR-10 is read into memory
    model, sizes = _build_model(config, genotype, num_classes, context.device)
    if context.is_main:
        log(describe(config))
    data = load_data(config)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, WarmupCosine(config.epochs, config.warmup_epochs))
    generator = torch.Generator().manual_seed(config.seed * 1_000_003 + context.rank)
    torch.manual_seed(config.seed * 1_000_003 + context.rank)  # drop-path masks differ between ranks
    return _Run(config, context, genotype, data, model, sizes, optimizer, scheduler, generator)


def _resume(run: _Run, log: Callable[[str], None]) -> None:
    """Continue from the checkpoint in ``out`` when ``resume`` is set and one exists (module docstring)."""
    config, context, path = run.config, run.context, run.checkpoint_path
    if not config.resume:
        return
    if not path.exists():
        if context.is_main:
            log(f"no checkpoint in {Path(config.out)}; starting a new run")
        return
    saved = load_checkpoint(path)
    _check_resumable(saved["config"], config, path)
    run.model.load_state_dict(saved["model"])
    run.optimizer.load_state_dict(saved["optimizer"])
    run.scheduler.load_state_dict(saved["scheduler"])
    run.start_epoch, run.history = saved["epoch"], saved["history"]
    interrupts.finished(f"epoch {run.start_epoch}/{config.epochs}")
    if len(saved["rng"]) == context.world_size:  # same process count: continue every rank's draws
        run.generator.set_state(saved["rng"][context.rank]["augment"])
        torch.set_rng_state(saved["rng"][context.rank]["torch"])
    if context.is_main:
        log(f"resumed {path} after epoch {run.start_epoch} of {config.epochs}")


def _prepare_training_data(run: _Run) -> None:
    """The (data-parallel) network, this rank's shard of the training set and the loss."""
    config, context, model = run.config, run.context, run.model
    run.network = model
    if context.distributed:
        run.network = nn.parallel.DistributedDataParallel(
            model,
            device_ids=[context.device.index] if context.device.type == "cuda" else None,
            find_unused_parameters=model.has_unused_parameters(),
        )
    run.sampler = DistributedSampler(run.data.train, num_replicas=context.world_size, rank=context.rank, shuffle=True, seed=config.seed)
    run.loader = DataLoader(
        run.data.train, batch_size=config.batch_size // context.world_size, sampler=run.sampler, num_workers=config.workers
    )
    run.criterion = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)


def _training_step(run: _Run, inputs: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One SGD step on a batch (auxiliary loss, gradient clipping); returns the loss and the main logits."""
    config = run.config
    logits, auxiliary_logits = run.network(inputs)
    loss = run.criterion(logits, labels)
    if auxiliary_logits is not None:
        loss = loss + config.auxiliary_weight * run.criterion(auxiliary_logits, labels)
    run.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_(run.model.parameters(), config.grad_clip)
    run.optimizer.step()
    return loss, logits


def _train_one_epoch(run: _Run, epoch: int, progress: bool) -> tuple[dict[str, float], float, float]:
    """Train epoch ``epoch`` (0-based) and step the schedule.

    Returns the epoch's row so far (epoch, lr, drop_path_prob, train_loss, train_top1, over all ranks),
    the number of training images of all ranks and this rank's seconds.
    """
    config, context = run.config, run.context
    run.sampler.set_epoch(epoch)
    run.model.drop_path_prob = config.drop_path * epoch / config.epochs
    lr = run.optimizer.param_groups[0]["lr"]
    run.network.train()
    totals = [0.0, 0.0, 0.0]  # loss × images, top-1 hits, images
    started = time.perf_counter()
    batches = tqdm(run.loader, desc=f"epoch {epoch + 1}/{config.epochs}", leave=False, disable=not (progress and context.is_main))
    for images, labels in batches:
        inputs = run.data.train_transform(images, run.generator).to(context.device, memory_format=torch.channels_last)
        labels = labels.to(context.device)
        loss, logits = _training_step(run, inputs, labels)
        totals[0] += loss.item() * len(labels)
        totals[1] += _accuracy_counts(logits.detach(), labels)[0]
        totals[2] += len(labels)
    run.scheduler.step()
    seconds = time.perf_counter() - started
    loss_sum, hits, count = distributed.sum_over_ranks(context, totals)
    row = {
        "epoch": epoch + 1,
        "lr": lr,
        "drop_path_prob": run.model.drop_path_prob,
        "train_loss": loss_sum / count,
        "train_top1": 100.0 * hits / count,
    }
    return row, count, seconds


def _save_checkpoint(run: _Run) -> None:
    """Atomically rewrite ``checkpoint.pt`` after the last epoch of ``run.history`` (rank 0 writes; every rank sends its RNG state)."""
    rng = distributed.gather_objects(run.context, {"augment": run.generator.get_state(), "torch": torch.get_rng_state()})
    if run.context.is_main:
        with atomic_output(run.checkpoint_path) as stream:
            torch.save(
                {
                    "model": run.model.state_dict(),
                    "optimizer": run.optimizer.state_dict(),
                    "scheduler": run.scheduler.state_dict(),
                    "epoch": len(run.history),
                    "history": run.history,
                    "rng": rng,
                    "config": _config_record(run.config),
                    "genotype": str(run.genotype),
                },
                stream,
            )


def _log_epoch(row: dict[str, Any], epochs: int, log: Callable[[str], None]) -> None:
    log(
        f"epoch {row['epoch']}/{epochs}: train loss {row['train_loss']:.3f} top-1 {row['train_top1']:.1f} % | "
        f"test top-1 {row['test_top1']:.2f} % top-5 {row['test_top5']:.2f} % | {row['images_per_second']:.0f} img/s"
    )


def _summary(run: _Run) -> dict[str, Any]:
    """The result of the run (keys in `train_network`), with every rank's state checksum."""
    config, context = run.config, run.context
    distributed.broadcast_buffers(context, run.model)
    last = run.history[-1] if run.history else {}
    return {
        "top1": last.get("test_top1"),
        "top5": last.get("test_top5"),
        **run.sizes,
        "images_per_second": run.images_seen / run.train_seconds if run.train_seconds else None,
        "epochs_done": len(run.history),
        "epochs": config.epochs,
        "train_images": len(run.data.train),
        "test_images": len(run.data.test),
        "world_size": context.world_size,
        "rank_checksums": distributed.gather_objects(context, state_checksum(run.model)),
        "genotype": str(run.genotype),
        **{setting.name: getattr(config, setting.name) for setting in fields(config) if setting.name != "genotype"},
    }


def describe(config: TrainConfig) -> str:
    """One line saying what a resolved ``config`` is about to run (a default run takes days: say so first)."""
    images = f"{config.limit_images} training images" if config.limit_images else f"the full {config.dataset} training set"
    return (
        f"training {config.genotype if len(config.genotype) <= 40 else 'the given genotype'} on {images} for {config.epochs} "
        f"epoch{'s' if config.epochs != 1 else ''} ({config.layers} cells, C={config.channels}, batch {config.batch_size}, lr {config.lr:g}); "
        f"checkpoints in {config.out}" + (" (resuming if one is there)" if config.resume else "")
    )


def train_network(
    config: TrainConfig,
    context: distributed.Context | None = None,
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run (or resume) ``config``; returns the summary that ``metrics.json`` also holds.

    Summary keys: ``top1``, ``top5`` (final test accuracy, %), ``params_M`` (without the auxiliary
    head), ``params_M_with_auxiliary``, ``flops_M`` (multiply-adds at the dataset's input size),
    ``images_per_second`` (training throughput of all processes together, this invocation),
    ``epochs_done``, ``epochs``, ``train_images``, ``test_images``, ``world_size``,
    ``rank_checksums`` (one state checksum per rank; all equal when data parallelism worked) and the
    resolved settings.
    """
    config = config.resolved()
    config.check_output()
    context = context or distributed.Context()
    run = _set_up(config, context, log)
    _resume(run, log)
    _prepare_training_data(run)
    end_epoch = config.epochs if config.stop_after is None else min(config.epochs, run.start_epoch + config.stop_after)
    for epoch in range(run.start_epoch, end_epoch):
        row, count, seconds = _train_one_epoch(run, epoch, progress)
        run.images_seen += count
        run.train_seconds += seconds
        run.history.append(
            {**row, **_evaluate(run.model, run.data, config, context), "train_seconds": seconds, "images_per_second": count / seconds}
        )
        _save_checkpoint(run)
        interrupts.finished(f"epoch {epoch + 1}/{config.epochs}")
        if context.is_main:
            _log_epoch(run.history[-1], config.epochs, log)
        distributed.barrier(context)
    summary = _summary(run)
    if context.is_main and run.history:
        _write_logs(Path(config.out), run.history, summary)
    return summary
