"""One entry point: any subset of proxies for one NB201 cell and one minibatch, on the CPU.

Protocol (NAS-Bench-Suite-Zero's, except where noted): the network is built once per cell after
``torch.manual_seed(seed)`` (PyTorch's default initialisation); each proxy gets its own deep copy in
training mode, and the seed is set again before it runs (so a proxy's value does not depend on which
others were asked for). Data-dependent proxies see one minibatch of ``batch_size`` CIFAR-10
*training* images (class-balanced, chosen by ``seed``, normalised, no augmentation; NB-SZ used a
random augmented batch of 64); data-free proxies (params, flops, l2_norm, synflow, zen) get no images
at all, only the input shape.

Scores that are not finite (NaN, ±inf: e.g. a singular kernel for nwot, or the all-zero Jacobian of
a cell whose output is cut off) are replaced by `NON_FINITE_SCORE` = −1e8, NB-SZ's own rule, so they
rank last and never poison a correlation. A cell with no input→output path is otherwise scored like
any other: its network outputs a constant, which most proxies score as 0 or −1e8.
Seconds per proxy are wall-clock time of the proxy alone (not the network construction).
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

import torch

from tgnas.data.nb201 import check_dataset
from tgnas.spaces.nb201 import IMAGE_SIZE, NUM_CLASSES
from tgnas.spaces.nb201_network import build_nb201_network
from tgnas.zerocost.registry import ProxyInput, get_proxy, resolve_names
from tgnas.spaces.nb201 import NB201Cell

NON_FINITE_SCORE = -1e8
DEFAULT_BATCH_SIZE = 64


@dataclass
class ProxyScores:
    """Scores of one cell (``scores[name]``) and the seconds each proxy took."""

    arch: str
    scores: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


@lru_cache(maxsize=4)
def load_minibatch(batch_size: int = DEFAULT_BATCH_SIZE, seed: int = 0) -> ProxyInput:
    """One class-balanced minibatch of CIFAR-10 training images (never test images), normalised."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 2:
        raise ValueError(f"batch_size must be an int >= 2 (correlation proxies need pairs), got {batch_size!r}")
    from tgnas.data.cifar import load_cifar10, normalise

    images, labels = load_cifar10("train", limit=batch_size, seed=seed)
    return ProxyInput(
        image_shape=(3, IMAGE_SIZE["cifar10"], IMAGE_SIZE["cifar10"]),
        num_classes=NUM_CLASSES["cifar10"],
        batch_size=batch_size,
        inputs=normalise(images),
        targets=torch.as_tensor(labels, dtype=torch.int64),
    )


def data_free_input(dataset: str = "cifar10", batch_size: int = DEFAULT_BATCH_SIZE) -> ProxyInput:
    """The input geometry of a dataset, without images (what data-free proxies receive)."""
    check_dataset(dataset)
    side = IMAGE_SIZE[dataset]
    return ProxyInput(image_shape=(3, side, side), num_classes=NUM_CLASSES[dataset], batch_size=batch_size)


def compute_proxies(
    cell: NB201Cell | str,
    names: Iterable[str] | None = None,
    *,
    dataset: str = "cifar10",
    batch: ProxyInput | None = None,
    seed: int = 0,
) -> ProxyScores:
    """Score ``cell`` with the proxies ``names`` (all when None); module docstring gives the protocol.

    ``batch`` defaults to `load_minibatch(seed=seed)` when a data-dependent proxy is asked for. Only
    CIFAR-10 images exist in the data directory, so data-dependent proxies need ``dataset="cifar10"``
    unless a batch is given; data-free proxies work for all three NB201 datasets.
    """
    chosen = resolve_names(names)
    check_dataset(dataset)
    proxies = [get_proxy(name) for name in chosen]
    needs_data = [p.name for p in proxies if p.needs_data]
    if needs_data and batch is None:
        if dataset != "cifar10":
            raise ValueError(
                f"proxies {needs_data} need images, and only CIFAR-10 images are available; "
                f"for {dataset} pass a batch or use data-free proxies only"
            )
        batch = load_minibatch(seed=seed)
    geometry = data_free_input(dataset, batch.batch_size if batch is not None else DEFAULT_BATCH_SIZE)
    if batch is not None and (batch.num_classes, batch.image_shape) != (geometry.num_classes, geometry.image_shape):
        raise ValueError(
            f"the batch has {batch.num_classes} classes of shape {batch.image_shape}, but {dataset} "
            f"networks expect {geometry.num_classes} classes of shape {geometry.image_shape}"
        )
    torch.manual_seed(seed)
    network = build_nb201_network(cell, geometry.num_classes).train()
    result = ProxyScores(arch=str(network.cell))
    for proxy in proxies:
        private = copy.deepcopy(network)
        torch.manual_seed(seed)
        started = time.perf_counter()
        value = float(proxy.score(private, batch if proxy.needs_data else geometry))
        result.seconds[proxy.name] = time.perf_counter() - started
        result.scores[proxy.name] = value if math.isfinite(value) else NON_FINITE_SCORE
    return result
