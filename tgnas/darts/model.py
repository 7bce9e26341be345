"""DARTS evaluation networks built from any `DartsGenotype`: cells, stems, auxiliary head, counters.

The macro skeleton is the one of the DARTS paper (Liu et al. 2019, §A.2): a stem, ``layers`` cells of
which those at depth ``layers // 3`` and ``2 * layers // 3`` are reduction cells (channels doubled,
resolution halved), global average pooling and a linear classifier. Cell k reads the outputs of cells
k-2 and k-1, each first mapped to the cell's ``C`` channels (1×1 ReLU-conv-BN, or a factorised
reduction when cell k-1 reduced, so that both inputs share one resolution). The cell output
concatenates its ``concat`` nodes. An auxiliary classifier reads the output of the cell at depth
``2 * layers // 3`` during training. Drop-path zeroes a whole edge per sample (except identity
edges, as in DARTS), rescaling the survivors.

Parameter counts follow the DARTS convention and leave the auxiliary head out (it is dropped after
training); FLOPs are multiply-accumulates of convolutions and linear layers, the "multiply-adds" of
the DARTS and mobile-setting ImageNet tables.
"""

from __future__ import annotations

import torch
from torch import nn

from tgnas.darts.ops import FactorizedReduce, ReLUConvBN, build_op
from tgnas.spaces.darts import INTERMEDIATE_NODES, STEM_MULTIPLIER, DartsGenotype

ALL_NODES = frozenset((0, 1, *INTERMEDIATE_NODES))


def drop_path(x: torch.Tensor, drop_prob: float) -> torch.Tensor:
    """Zero whole samples with probability ``drop_prob`` and rescale the rest (training only)."""
    if drop_prob <= 0.0:
        return x
    keep = 1.0 - drop_prob
    mask = torch.empty(x.shape[0], 1, 1, 1, device=x.device, dtype=x.dtype).bernoulli_(keep)
    return x * mask / keep


class Cell(nn.Module):
    """One normal or reduction cell of ``genotype`` working on ``channels`` channels."""

    def __init__(
        self,
        genotype: DartsGenotype,
        c_prev_prev: int,
        c_prev: int,
        channels: int,
        reduction: bool,
        reduction_prev: bool,
    ) -> None:
        super().__init__()
        self.reduction = reduction
        cell = "reduce" if reduction else "normal"
        self.preprocess0 = FactorizedReduce(c_prev_prev, channels) if reduction_prev else ReLUConvBN(c_prev_prev, channels, 1, 1, 0)
        self.preprocess1 = ReLUConvBN(c_prev, channels, 1, 1, 0)
        edges = genotype.edges(cell)
        self.sources = [source for _, source in edges]
        self.ops = nn.ModuleList(build_op(op, channels, stride=2 if reduction and source < 2 else 1) for op, source in edges)
        self.concat = genotype.concat(cell)
        self.multiplier = len(self.concat)
        self.live = _live_nodes(edges, self.concat)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, drop_prob: float) -> torch.Tensor:
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for node in INTERMEDIATE_NODES:
            total = 0
            for position in (2 * (node - 2), 2 * (node - 2) + 1):
                op = self.ops[position]
                out = op(states[self.sources[position]])
                if self.training and not isinstance(op, nn.Identity):
                    out = drop_path(out, drop_prob)
                total = total + out
            states.append(total)
        return torch.cat([states[node] for node in self.concat], dim=1)


def _live_nodes(edges: tuple[tuple[str, int], ...], concat: tuple[int, ...]) -> frozenset[int]:
    """Nodes (inputs 0, 1 and intermediate 2..5) whose value reaches the cell output; the parameters
    feeding any other node receive no gradient."""
    live = set(concat)
    for node in reversed(INTERMEDIATE_NODES):
        if node in live:
            live.update(source for _, source in edges[2 * (node - 2) : 2 * (node - 2) + 2])
    return frozenset(live)


class AuxiliaryHead(nn.Sequential):
    """Auxiliary classifier on an 8×8 (CIFAR) or 14×14 (ImageNet) feature map: pool to 2×2, 1×1 conv
    to 128, 2×2 conv to 768, linear."""

    def __init__(self, channels: int, num_classes: int, imagenet: bool) -> None:
        super().__init__(
            nn.ReLU(inplace=True),
            nn.AvgPool2d(5, stride=2 if imagenet else 3, padding=0, count_include_pad=False),
            nn.Conv2d(channels, 128, 1, bias=False),
            nn.BatchNorm2d(128),
            nn.ReLU(inplace=True),
            nn.Conv2d(128, 768, 2, bias=False),
            nn.BatchNorm2d(768),
            nn.ReLU(inplace=True),
            nn.Flatten(),
            nn.Linear(768, num_classes),
        )


class DartsNetwork(nn.Module):
    """Stem, stacked cells, auxiliary head and classifier; `NetworkCIFAR` / `NetworkImageNet` pick the stem.

    ``forward`` returns ``(logits, auxiliary_logits)``; the second is None unless the network has an
    auxiliary head and is in training mode. Set ``drop_path_prob`` before each epoch.
    """

    imagenet = False

    def __init__(self, genotype: DartsGenotype, channels: int, num_classes: int, layers: int, auxiliary: bool) -> None:
        super().__init__()
        if not isinstance(genotype, DartsGenotype):
            raise ValueError(f"genotype must be a DartsGenotype (parse strings with DartsGenotype.parse), got {type(genotype).__name__}")
        for name, value, minimum in (("channels", channels, 2), ("num_classes", num_classes, 2), ("layers", layers, 3)):
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
        if channels % 2:
            raise ValueError(f"channels must be even (reductions split them in halves), got {channels}")
        self.genotype = genotype
        self.drop_path_prob = 0.0
        self.stem, c_stem, reduction_prev = self._stem(channels)
        c_prev_prev, c_prev, c_curr = c_stem, c_stem, channels
        self.cells = nn.ModuleList()
        self.auxiliary_head: nn.Module | None = None
        reductions = {layers // 3, 2 * layers // 3}
        for depth in range(layers):
            reduction = depth in reductions
            if reduction:
                c_curr *= 2
            cell = Cell(genotype, c_prev_prev, c_prev, c_curr, reduction, reduction_prev)
            self.cells.append(cell)
            reduction_prev = reduction
            c_prev_prev, c_prev = c_prev, cell.multiplier * c_curr
            if depth == 2 * layers // 3 and auxiliary:
                self.auxiliary_head = AuxiliaryHead(c_prev, num_classes, self.imagenet)
        self.auxiliary_depth = 2 * layers // 3
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_prev, num_classes)

    def _stem(self, channels: int) -> tuple[nn.Module, int, bool]:
        raise NotImplementedError

    def _stem_outputs(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        s = self.stem(x)
        return s, s

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        s0, s1 = self._stem_outputs(x)
        auxiliary_logits = None
        for depth, cell in enumerate(self.cells):
            s0, s1 = s1, cell(s0, s1, self.drop_path_prob)
            if depth == self.auxiliary_depth and self.auxiliary_head is not None and self.training:
                auxiliary_logits = self.auxiliary_head(s1)
        logits = self.classifier(self.global_pooling(s1).flatten(1))
        return logits, auxiliary_logits

    def has_unused_parameters(self) -> bool:
        """True when some cell has an input or node that does not reach its output, so that some
        parameters get no gradient (DDP must then be told to look for them)."""
        return any(cell.live != ALL_NODES for cell in self.cells)


class LogitsOnly(nn.Module):
    """A DARTS network whose ``forward`` returns its logits only (what zero-cost proxies expect)."""

    def __init__(self, network: DartsNetwork) -> None:
        super().__init__()
        self.network = network

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(x)[0]


class NetworkCIFAR(DartsNetwork):
    """CIFAR network: a 3×3 convolution stem to ``3 C`` channels at full 32×32 resolution."""

    def _stem(self, channels: int) -> tuple[nn.Module, int, bool]:
        width = STEM_MULTIPLIER * channels
        stem = nn.Sequential(nn.Conv2d(3, width, 3, padding=1, bias=False), nn.BatchNorm2d(width))
        return stem, width, False


class NetworkImageNet(DartsNetwork):
    """ImageNet network: three stride-2 3×3 convolutions (224 → 28) in two stems; cell 0's inputs
    come from different stems, hence the first cell treats its c_{k-2} as if after a reduction."""

    imagenet = True

    def _stem(self, channels: int) -> tuple[nn.Module, int, bool]:
        self.stem1 = nn.Sequential(
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(channels),
        )
        stem0 = nn.Sequential(
            nn.Conv2d(3, channels // 2, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(channels // 2),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels // 2, channels, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(channels),
        )
        return stem0, channels, True

    def _stem_outputs(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        s0 = self.stem(x)
        return s0, self.stem1(s0)


def build_network(
    genotype: DartsGenotype | str,
    dataset: str = "cifar10",
    channels: int | None = None,
    layers: int | None = None,
    auxiliary: bool = True,
    num_classes: int | None = None,
) -> DartsNetwork:
    """The evaluation network of ``genotype`` for ``dataset`` ("cifar10" or "imagenet"), with the
    DARTS defaults (CIFAR: C=36, 20 layers, 10 classes; ImageNet: C=48, 14 layers, 1000 classes)."""
    if isinstance(genotype, str):
        genotype = DartsGenotype.parse(genotype)
    if dataset == "cifar10":
        return NetworkCIFAR(genotype, channels or 36, num_classes or 10, layers or 20, auxiliary)
    if dataset == "imagenet":
        return NetworkImageNet(genotype, channels or 48, num_classes or 1000, layers or 14, auxiliary)
    raise ValueError(f"unknown dataset {dataset!r}; accepted: cifar10, imagenet")


def input_size(network: DartsNetwork) -> int:
    """Side of the square input images the network is specified for (224 ImageNet, 32 CIFAR)."""
    return 224 if network.imagenet else 32


def count_parameters(network: nn.Module, include_auxiliary: bool = False) -> int:
    """Number of trainable parameters; the auxiliary head is left out unless asked (DARTS convention)."""
    return sum(
        parameter.numel()
        for name, parameter in network.named_parameters()
        if parameter.requires_grad and (include_auxiliary or not name.startswith("auxiliary_head."))
    )


def count_flops(network: nn.Module, image_size: int) -> int:
    """Multiply-accumulates of one ``image_size``² RGB image through convolutions and linear layers
    (inference path: no auxiliary head, no drop-path)."""
    total = 0

    def conv_hook(module: nn.Conv2d, inputs, output: torch.Tensor) -> None:
        nonlocal total
        kernel = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
        total += output[0].numel() * kernel

    def linear_hook(module: nn.Linear, inputs, output: torch.Tensor) -> None:
        nonlocal total
        total += module.in_features * module.out_features

    handles = []
    for module in network.modules():
        if isinstance(module, nn.Conv2d):
            handles.append(module.register_forward_hook(conv_hook))
        elif isinstance(module, nn.Linear):
            handles.append(module.register_forward_hook(linear_hook))
    was_training = network.training
    network.eval()
    try:
        with torch.no_grad():
            network(torch.zeros(1, 3, image_size, image_size))
    finally:
        network.train(was_training)
        for handle in handles:
            handle.remove()
    return total
