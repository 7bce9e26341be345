"""Chapter 07: training a DARTS cell. The genotype's cells, the evaluation network's size at paper
scale, a short CPU training run with `tgnas.darts.trainer.train_network`, the NB301-surrogate estimate
beside it, and Table 5 with our row."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd

from tgnas import spaces
from tgnas.book.parameters import NON_NEGATIVE_INT, POSITIVE_INT, TEXT, ChapterParameters, Parameter, optional
from tgnas.darts.model import build_network, count_flops, count_parameters
from tgnas.darts.trainer import TrainConfig, train_network
from tgnas.data.nb301 import NB301Surrogate
from tgnas.spaces.darts import DartsGenotype
from tgnas.spaces.draw import draw_graph

#: the parameters of chapter 07 (notebooks/07_darts_training.py), ci and paper values
PARAMETERS = ChapterParameters(
    Parameter("genotype", TEXT, ci="DARTS_V2", paper="DARTS_V2"),
    Parameter("epochs", POSITIVE_INT, ci=4, paper=600),
    Parameter("layers", POSITIVE_INT, ci=8, paper=20),
    Parameter("channels", POSITIVE_INT, ci=16, paper=36),
    Parameter("train_images", optional(POSITIVE_INT, "all 50,000"), ci=2_000, paper=None),
    Parameter("test_images", optional(POSITIVE_INT, "all 10,000"), ci=1_000, paper=None),
    Parameter("batch_size", POSITIVE_INT, ci=64, paper=96),
    Parameter("threads", optional(POSITIVE_INT, "torch's default: all cores"), ci=1, paper=None),
    Parameter("seed", NON_NEGATIVE_INT, ci=0, paper=0),
    paper_requires=(
        "a GPU node: the paper profile trains the paper-size network for the full schedule on all of CIFAR-10 "
        "(the chapter measures what that costs on its machine), and the paper's Table 5 network needs ImageNet"
    ),
)

#: Table 5 of the paper (ImageNet, mobile setting) as published
PAPER_TABLE5 = pd.DataFrame(
    [
        ("PNAS", 74.2, 91.9, 225, 5.1, "Bayesian Optimization"),
        ("AmoebaNet-C", 75.7, 92.4, 3150, 6.4, "Evolution"),
        ("NASNet-A", 74.0, 91.6, 2000, 5.3, "Reinforcement Learning"),
        ("DARTS", 73.3, 91.3, 4.0, 4.7, "Gradient-based"),
        ("SNAS", 72.7, 91.8, 1.5, 4.3, "Gradient-based"),
        ("BayesNAS", 73.5, 91.1, 0.2, 3.9, "Gradient-based"),
        ("ProxylessNAS", 75.1, 92.5, 8.3, 7.1, "Gradient-based"),
        ("TE-NAS", 74.2, 92.2, 0.17, 5.4, "Theoretical analysis"),
        ("BONAS-B", 75.2, 92.7, 5.0, 4.5, "Bayesian Optimization"),
        ("PC-DARTS", 74.9, 92.2, 0.1, 5.3, "Gradient-based"),
        ("TG-NAS (paper)", 74.5, 91.9, 0.0014, 5.6, "Model-based Predictor"),
    ],
    columns=["work", "top-1 (%)", "top-5 (%)", "search cost (GPU days)", "params (M)", "search method"],
)
IMAGENET_NETWORK = "ImageNet, C=48, 14 cells (Table 5)"


def plot_genotype_cells(cell: DartsGenotype, name: str) -> plt.Figure:
    """The normal and reduction cell of a genotype as operator graphs."""
    darts = spaces.create("darts")
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.2))
    draw_graph(darts.to_graph(cell, cell="normal"), axes[0], title=f"{name}: normal cell")
    draw_graph(darts.to_graph(cell, cell="reduce"), axes[1], title=f"{name}: reduction cell")
    return fig


def table_network_sizes(cell: DartsGenotype, channels: int, layers: int) -> pd.DataFrame:
    """Params (without and with the auxiliary head) and FLOPs of the DARTS networks of ``cell``: the
    CIFAR-10 protocol network, Table 5's ImageNet network and the one trained here."""
    networks = {
        "CIFAR-10, C=36, 20 cells (DARTS protocol)": (build_network(cell, "cifar10", 36, 20), 32),
        IMAGENET_NETWORK: (build_network(cell, "imagenet", 48, 14), 224),
        f"CIFAR-10, C={channels}, {layers} cells (trained below)": (build_network(cell, "cifar10", channels, layers), 32),
    }
    return pd.DataFrame(
        [
            {
                "network": name,
                "params (M)": count_parameters(net) / 1e6,
                "params incl. auxiliary head (M)": count_parameters(net, include_auxiliary=True) / 1e6,
                "FLOPs (M multiply-adds)": count_flops(net, size) / 1e6,
            }
            for name, (net, size) in networks.items()
        ]
    ).set_index("network")


@dataclass
class TrainingRun:
    """What `train_network` returned, its per-epoch metrics and the wall time of the run."""

    config: TrainConfig
    summary: dict
    history: pd.DataFrame
    wall_seconds: float


def train_on_cifar10(
    cell: DartsGenotype,
    epochs: int,
    layers: int,
    channels: int,
    batch_size: int,
    train_images: int | None,
    test_images: int | None,
    seed: int,
    log: Callable[[str], None] = print,
) -> TrainingRun:
    """Train the CIFAR-10 network of ``cell`` in a temporary directory (checkpoints and logs are discarded);
    the trainer's progress lines go to ``log``."""
    with tempfile.TemporaryDirectory(prefix="tgnas-darts-") as out_dir:
        config = TrainConfig(
            genotype=str(cell),
            dataset="cifar10",
            out=out_dir,
            epochs=epochs,
            layers=layers,
            channels=channels,
            batch_size=batch_size,
            limit_images=train_images,
            limit_test_images=test_images,
            seed=seed,
        )
        started = time.perf_counter()
        summary = train_network(config, progress=False, log=log)
        wall_seconds = time.perf_counter() - started
        history = pd.read_csv(f"{out_dir}/metrics.csv")
    return TrainingRun(config, summary, history, wall_seconds)


#: images of the short run that measures the paper profile's training throughput (class-balanced, ≥ 10 per class)
COST_PROBE_IMAGES = 200
CIFAR10_TRAIN_IMAGES = 50_000


@dataclass(frozen=True)
class PaperProfileCost:
    """What the ``paper`` profile's training would cost on this machine, from a measured short run."""

    layers: int
    channels: int
    batch_size: int
    epochs: int
    images_per_second: float

    @property
    def epoch_hours(self) -> float:
        return CIFAR10_TRAIN_IMAGES / self.images_per_second / 3600

    @property
    def total_days(self) -> float:
        return self.epoch_hours * self.epochs / 24

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "network": [f"{self.layers} cells, C = {self.channels}, batch {self.batch_size}"],
                "measured training throughput (images/s)": [self.images_per_second],
                f"one epoch of {CIFAR10_TRAIN_IMAGES:,} images (h)": [self.epoch_hours],
                f"{self.epochs} epochs (days)": [self.total_days],
            }
        )


def _silent(line: str) -> None:
    """The measuring run's log: its accuracy after one tiny epoch says nothing, so nothing is shown."""


def measure_paper_profile_cost(cell: DartsGenotype, seed: int = 0) -> PaperProfileCost:
    """Train the ``paper`` profile's CIFAR-10 network for one epoch of :data:`COST_PROBE_IMAGES` images and
    extrapolate its measured throughput to the profile's full run (all training images, all epochs)."""
    layers, channels, batch_size, epochs = (PARAMETERS[name].paper for name in ("layers", "channels", "batch_size", "epochs"))
    probe = train_on_cifar10(cell, 1, layers, channels, batch_size, COST_PROBE_IMAGES, 100, seed, log=_silent)
    return PaperProfileCost(layers, channels, batch_size, epochs, float(probe.summary["images_per_second"]))


def plot_training_history(run: TrainingRun, name: str) -> plt.Figure:
    """Loss, accuracy and learning rate / drop-path probability per epoch."""
    history = run.history
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.4))
    axes[0].plot(history["epoch"], history["train_loss"], marker="o", label="train (incl. 0.4 × auxiliary)")
    axes[0].plot(history["epoch"], history["test_loss"], marker="o", label="test")
    axes[0].set_ylabel("cross-entropy")
    axes[1].plot(history["epoch"], history["train_top1"], marker="o", label="train top-1")
    axes[1].plot(history["epoch"], history["test_top1"], marker="o", label="test top-1")
    axes[1].plot(history["epoch"], history["test_top5"], marker="o", label="test top-5")
    axes[1].axhline(10, color="grey", linestyle=":", label="chance (top-1)")
    axes[1].set_ylabel("accuracy (%)")
    axes[2].plot(history["epoch"], history["lr"], marker="o", label="learning rate")
    axes[2].plot(history["epoch"], history["drop_path_prob"], marker="o", label="drop-path probability")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.legend(fontsize=8)
    fig.suptitle(f"{name} on CIFAR-10: {run.summary['train_images']:,} training images, {run.config.epochs} epochs")
    return fig


def _trained_here(run: TrainingRun) -> str:
    config = run.config
    return f"{config.epochs} epochs, {run.summary['train_images']:,} images, C={config.channels}, {config.layers} cells"


def table_trained_vs_surrogate(cell: DartsGenotype, run: TrainingRun) -> pd.DataFrame:
    """The run's test top-1 beside the NB301 surrogate's 98-epoch estimate for the same cell."""
    estimate = float(NB301Surrogate.load().predict([cell], epoch=98)[0])
    return pd.DataFrame(
        [
            {
                "source": f"trained here ({_trained_here(run)})",
                "CIFAR-10 top-1 (%)": run.summary["top1"],
                "evaluated on": f"{run.summary['test_images']:,} test images",
            },
            {
                "source": "NB301 surrogate (98 epochs, full CIFAR-10)",
                "CIFAR-10 top-1 (%)": estimate,
                "evaluated on": "predicted validation accuracy",
            },
        ]
    ).set_index("source")


def table5_imagenet(run: TrainingRun, sizes: pd.DataFrame, name: str) -> pd.DataFrame:
    """Table 5: the paper's rows and ours (what was trained here; params of the ImageNet network)."""
    config = run.config
    paper = PAPER_TABLE5.assign(**{"trained on": "ImageNet, full protocol"})
    ours = {
        "work": f"ours: {name}",
        "top-1 (%)": run.summary["top1"],
        "top-5 (%)": run.summary["top5"],
        "search cost (GPU days)": float("nan"),
        "params (M)": round(sizes.loc[IMAGENET_NETWORK, "params (M)"], 2),
        "search method": "given genotype (search: chapter 4)",
        "trained on": f"CIFAR-10, {run.summary['train_images']:,} images × {config.epochs} epochs, C={config.channels}, "
        f"{config.layers} cells, CPU",
    }
    return pd.concat([paper, pd.DataFrame([ours])], ignore_index=True).set_index("work")
