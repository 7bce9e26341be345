"""Zero-cost proxies of architectures, on the CPU: `compute_proxies` for one NB201 cell, `ZeroCostScorer` for any space.

Both go through `score_architecture` (network of the architecture → each proxy), so a proxy's value
for a cell is the same whichever entry point asked for it.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch

from tgnas import spaces
from tgnas.data.cifar import load_cifar10, normalise
from tgnas.data.nb201 import check_dataset
from tgnas.metrics import average_ranks
from tgnas.scoring import score_live
from tgnas.spaces.base import SearchSpace
from tgnas.spaces.graph import ArchGraph
from tgnas.spaces.nb201 import IMAGE_SIZE, NUM_CLASSES, NB201Cell
from tgnas.zerocost.registry import Proxy, ProxyInput, get_proxy, resolve_names

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


def score_architecture(
    space: SearchSpace, arch: object, proxies: Sequence[Proxy], batch: ProxyInput | None, geometry: ProxyInput, seed: int
) -> ProxyScores:
    """Every proxy of ``proxies`` for one architecture (module docstring: seeding, copies, non-finite values)."""
    torch.manual_seed(seed)
    network = space.build_network(arch, geometry.num_classes).train()
    result = ProxyScores(arch=space.format(arch))
    for proxy in proxies:
        private = copy.deepcopy(network)
        torch.manual_seed(seed)
        started = time.perf_counter()
        value = float(proxy.score(private, batch if proxy.needs_data else geometry))
        result.seconds[proxy.name] = time.perf_counter() - started
        result.scores[proxy.name] = value if math.isfinite(value) else NON_FINITE_SCORE
    return result


def _check_geometry(batch: ProxyInput | None, geometry: ProxyInput, what: str) -> None:
    if batch is not None and (batch.num_classes, batch.image_shape) != (geometry.num_classes, geometry.image_shape):
        raise ValueError(
            f"the batch has {batch.num_classes} classes of shape {batch.image_shape}, but {what} "
            f"networks expect {geometry.num_classes} classes of shape {geometry.image_shape}"
        )


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
    _check_geometry(batch, geometry, dataset)
    space = spaces.create("nb201")
    arch = space.parse(cell) if isinstance(cell, str) else cell
    return score_architecture(space, arch, proxies, batch, geometry, seed)


class ZeroCostScorer:
    """A `tgnas.scoring.Scorer` over the proxy registry: each graph's network, scored by ``names``.

    For every graph, ``space.parse(graph.source)`` gives the architecture, the space's network of
    it is built and each proxy scores it (`score_architecture`, the protocol of `compute_proxies`).
    One name: the proxy's value. Several: the mean of their ranks over the graphs scored together
    (ties share a rank), the usual way to combine proxies of different scales, so then a graph's
    score depends on which other graphs are in the call. Graphs without an input→output path get
    `NO_PATH_SCORE` and are never built.

    ``batch``: the minibatch of data-dependent proxies (default: `load_minibatch(batch_size, seed)`,
    CIFAR-10 training images, loaded only if a chosen proxy needs data); the networks are built for
    its number of classes and image shape (CIFAR-10's without a batch).
    """

    def __init__(
        self,
        names: Iterable[str] | str,
        space: str | SearchSpace,
        *,
        batch: ProxyInput | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        seed: int = 0,
    ) -> None:
        self.names = resolve_names(names)
        self._space = spaces.create(space) if isinstance(space, str) else space
        self.space = self._space.name
        self.seed = seed
        self._proxies = [get_proxy(name) for name in self.names]
        self._batch = batch
        self._batch_size = batch.batch_size if batch is not None else batch_size
        self.geometry = (
            data_free_input("cifar10", self._batch_size)
            if batch is None
            else ProxyInput(batch.image_shape, batch.num_classes, batch.batch_size)
        )

    def _data(self) -> ProxyInput | None:
        if self._batch is None and any(proxy.needs_data for proxy in self._proxies):
            self._batch = load_minibatch(self._batch_size, self.seed)
            _check_geometry(self._batch, self.geometry, self.space)
        return self._batch

    def proxy_scores(self, graphs: Sequence[ArchGraph]) -> list[ProxyScores]:
        """Every chosen proxy for each graph (path or not), in order."""
        batch = self._data()
        results = []
        for position, graph in enumerate(graphs):
            if graph.source is None:
                raise ValueError(
                    f"graph {position} has no source architecture; zero-cost proxies score the network a "
                    f"{self.space} architecture string describes (make graphs with space.to_graph)"
                )
            arch = self._space.parse(graph.source)
            results.append(score_architecture(self._space, arch, self._proxies, batch, self.geometry, self.seed))
        return results

    def score_graphs(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        return score_live(graphs, self._combined)

    def _combined(self, graphs: list[ArchGraph]) -> np.ndarray:
        table = np.array([[result.scores[name] for name in self.names] for result in self.proxy_scores(graphs)])
        if len(self.names) == 1:
            return table[:, 0]
        return np.mean([average_ranks(table[:, column]) for column in range(len(self.names))], axis=0)

    def __repr__(self) -> str:
        return f"ZeroCostScorer({list(self.names)!r}, {self.space!r}, seed={self.seed})"
